"""Mounted at /workforce/ (docs/decisions/0179)."""

from django.urls import path

from xuanren.workforce import views

app_name = "workforce"

urlpatterns = [
    path("overquota/", views.plan_list, name="plans"),
    path("overquota/<int:pk>/", views.plan_detail, name="plan"),
    path("overquota/<int:pk>/xlsx/", views.plan_xlsx, name="plan_xlsx"),
    path("entry/", views.entry_register, name="entry_register"),
    path("entry/xlsx/", views.entry_xlsx, name="entry_xlsx"),
    path("cadres/<int:cadre>/entry/", views.cadre_entry, name="cadre_entry"),
]
