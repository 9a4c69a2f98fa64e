"""Mounted at /reserves/ (docs/decisions/0153)."""

from django.urls import path

from xuanren.reserves import views

app_name = "reserves"

urlpatterns = [
    path("", views.round_list, name="reserve_rounds"),
    path("<int:pk>/", views.round_detail, name="reserve_round"),
    path("<int:pk>/review/", views.review_page, name="reserve_review"),
    path("<int:pk>/export.xlsx", views.round_xlsx, name="reserve_round_xlsx"),
]
