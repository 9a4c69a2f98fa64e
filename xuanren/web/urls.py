from django.contrib.auth import views as auth_views
from django.urls import path

from xuanren.access.views import PasswordChange
from xuanren.web import (
    assignments,
    cadre_edit,
    cadre_postings,
    cadre_trainings,
    case_actions,
    cases,
    pickers,
    training_classes,
    unit_cases,
    views,
)

app_name = "web"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("home/figures/", views.dashboard_figures, name="dashboard_figures"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        PasswordChange.as_view(),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="web/password_change_done.html"),
        name="password_change_done",
    ),
    path("units/", views.unit_tree, name="unit_list"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/children/", views.unit_children, name="unit_children"),
    path("quota/", views.quota, name="quota"),
    path("quota/<int:pk>/children/", views.quota_children, name="quota_children"),
    path("quota/rows/", views.quota_level, name="quota_level"),
    path("quota/export.csv", views.quota_csv, name="quota_csv"),
    path("quota/export.xlsx", views.quota_xlsx, name="quota_xlsx"),
    path("cadres/", views.cadre_list, name="cadre_list"),
    path("cadres/<int:pk>/", views.cadre_detail, name="cadre_detail"),
    path("cadres/<int:pk>/posts/", views.cadre_posts, name="cadre_posts"),
    path("cadres/<int:pk>/edit/", cadre_edit.cadre_edit, name="cadre_edit"),
    path("cadres/<int:pk>/trainings/", cadre_trainings.cadre_trainings, name="cadre_trainings"),
    path(
        "cadres/<int:pk>/trainings/<int:training>/edit/",
        cadre_trainings.training_edit,
        name="training_edit",
    ),
    path(
        "cadres/<int:pk>/trainings/<int:training>/delete/",
        cadre_trainings.training_delete,
        name="training_delete",
    ),
    path("cadres/<int:pk>/postings/", cadre_postings.cadre_postings_page, name="cadre_postings"),
    path(
        "cadres/<int:pk>/postings/export.xlsx",
        cadre_postings.cadre_postings_xlsx,
        name="cadre_postings_xlsx",
    ),
    path(
        "cadres/<int:pk>/postings/<int:posting>/edit/",
        cadre_postings.posting_edit,
        name="posting_edit",
    ),
    path(
        "cadres/<int:pk>/postings/<int:posting>/delete/",
        cadre_postings.posting_delete,
        name="posting_delete",
    ),
    path("training-classes/", training_classes.class_list, name="training_classes"),
    path("training-classes/<int:pk>/", training_classes.class_detail, name="training_class"),
    path(
        "training-classes/<int:pk>/participants/<int:participant>/remove/",
        training_classes.participant_remove,
        name="training_class_participant_remove",
    ),
    path("candidates/", views.candidates, name="candidates"),
    path("candidates/counts/", views.candidate_counts, name="candidate_counts"),
    path("candidates/counts/start/", views.candidate_counts_start, name="candidate_counts_start"),
    path(
        "candidates/counts/jobs/<int:pk>/", views.candidate_counts_job, name="candidate_counts_job"
    ),
    path("candidates/export.xlsx", views.candidates_xlsx, name="candidates_xlsx"),
    path("candidates/explain/", views.candidate_explain, name="candidate_explain"),
    path("candidates/lookup/", views.candidate_lookup, name="candidate_lookup"),
    path("pickers/cadres/", pickers.cadre_picker, name="cadre_picker"),
    path("pickers/units/", pickers.unit_picker, name="unit_picker"),
    path("pickers/posts/", pickers.post_picker, name="post_picker"),
    path("cases/", cases.cases, name="case_list"),
    path("cases/new/", cases.case_new, name="case_new"),
    path("cases/comment-row/", cases.comment_row, name="case_comment_row"),
    path("cases/<int:pk>/", cases.case_detail, name="case_detail"),
    path("cases/<int:pk>/steps/", cases.case_step, name="case_step"),
    path("cases/<int:pk>/steps/preview/", cases.case_step_preview, name="case_step_preview"),
    path(
        "cases/<int:pk>/decision/resume/",
        cases.case_decision_resume_view,
        name="case_decision_resume",
    ),
    path(
        "cases/<int:pk>/records/<int:record>/correct/",
        cases.case_correct,
        name="case_correct",
    ),
    path(
        "cases/<int:pk>/terminate/",
        case_actions.case_terminate_page,
        name="case_terminate",
    ),
    path("cases/<int:pk>/record/", cases.case_record_page, name="case_record"),
    path("cases/<int:pk>/record.json", cases.case_record_json, name="case_record_json"),
    path("todo/", cases.todo, name="todo"),
    # who does which step (docs/decisions/0061–0065)
    path("cases/<int:pk>/team/", assignments.team_add, name="team_add"),
    path("cases/<int:pk>/team/<int:member>/remove/", assignments.team_remove, name="team_remove"),
    path("cases/<int:pk>/team/materials/", assignments.team_material, name="team_material"),
    path("cases/<int:pk>/team/sign/", assignments.team_sign, name="team_sign"),
    path("cases/<int:pk>/inspection/", assignments.inspection_record, name="inspection_record"),
    path("cases/<int:pk>/integrity/", assignments.integrity_request, name="integrity_request"),
    path("cases/<int:pk>/audit/", assignments.audit_request, name="audit_request"),
    path("integrity/<int:pk>/", assignments.integrity_answer, name="integrity_answer"),
    path("audit/<int:pk>/", assignments.audit_answer, name="audit_answer"),
    path("unit-cases/", unit_cases.unit_cases, name="unit_case_list"),
    path("unit-cases/<int:pk>/", unit_cases.unit_case_detail, name="unit_case_detail"),
    path("motions/", cases.motion_proposals, name="motion_proposals"),
    path(
        "motions/<int:pk>/decide/",
        cases.motion_proposal_decide_view,
        name="motion_proposal_decide",
    ),
]
