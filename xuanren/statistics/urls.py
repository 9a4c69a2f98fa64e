"""Mounted at /statistics/: the statistics and structure pages (login required)."""

from django.urls import URLPattern, URLResolver, path

from xuanren.statistics import views_selection

app_name = "statistics"

urlpatterns: list[URLPattern | URLResolver] = [
    # 选人用人统计 (selection statistics)
    path("selection/", views_selection.selection, name="selection"),
    path("selection/export.xlsx", views_selection.selection_xlsx, name="selection_xlsx"),
]
