"""Mounted at /observations/ (docs/decisions/0156)."""

from django.urls import path

from xuanren.observation import views

app_name = "observation"

urlpatterns = [
    path("", views.observation_list, name="observation_list"),
    path("export.xlsx", views.observation_xlsx, name="observation_xlsx"),
    path("cadres/<int:cadre>/new/", views.observation_new, name="observation_new"),
    path("<int:pk>/", views.observation_detail, name="observation"),
]
