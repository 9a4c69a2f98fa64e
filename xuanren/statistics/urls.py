"""Mounted at /statistics/: the statistics and structure pages (login required)."""

from django.urls import URLPattern, URLResolver, path

from xuanren.statistics import views_selection, views_structure, views_targets

app_name = "statistics"

urlpatterns: list[URLPattern | URLResolver] = [
    # structure analysis (干部队伍结构分析)
    path("structure/", views_structure.structure, name="structure"),
    path("structure/export.xlsx", views_structure.structure_xlsx, name="structure_xlsx"),
    # 班子结构要求 (structure targets), docs/decisions/0143
    path("targets/", views_targets.target_list, name="targets"),
    path("targets/new/", views_targets.target_add, name="target_add"),
    path("targets/<int:pk>/", views_targets.target_edit, name="target_edit"),
    path("targets/<int:pk>/retire/", views_targets.target_retire, name="target_retire"),
    # 选人用人统计 (selection statistics)
    path("selection/", views_selection.selection, name="selection"),
    path("selection/export.xlsx", views_selection.selection_xlsx, name="selection_xlsx"),
]
