"""Mounted at /competition/: a case's 竞聘评分, a judge's score grid and the
published result sheet (docs/decisions/0147)."""

from django.urls import path

from xuanren.competition import views

app_name = "competition"

urlpatterns = [
    path("case/<int:case_id>/", views.case_competition, name="case"),
    path("<int:competition_id>/judge/<int:member_id>/", views.judge_grid, name="judge"),
    path("<int:competition_id>/result/", views.result, name="result"),
    path("<int:competition_id>/result.xlsx", views.result_xlsx, name="result_xlsx"),
    path("<int:competition_id>/grid.xlsx", views.grid_template_xlsx, name="grid_template"),
    path("<int:competition_id>/grid/", views.grid_upload, name="grid_upload"),
]
