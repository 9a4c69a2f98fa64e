"""Mounted at /statistics/: the statistics and structure pages (login required)."""

from django.urls import URLPattern, URLResolver, path

from xuanren.statistics import views_structure

app_name = "statistics"

urlpatterns: list[URLPattern | URLResolver] = [
    # structure analysis (干部队伍结构分析)
    path("structure/", views_structure.structure, name="structure"),
    path("structure/export.xlsx", views_structure.structure_xlsx, name="structure_xlsx"),
]
