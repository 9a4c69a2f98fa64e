"""Mounted at /documents/: generated documents (approval forms, notices,
纪实 reports) as DOCX and PDF; ballot sheets are printed from the ballots app."""

from django.urls import path

from xuanren.documents import views

app_name = "documents"

urlpatterns = [
    path(
        "cadres/<int:pk>/approval-form.<str:fmt>",
        views.approval_form,
        name="approval_form",
    ),
    path(
        "cases/<int:pk>/approval-forms.zip", views.case_approval_forms, name="case_approval_forms"
    ),
    path("cases/<int:pk>/notice.<str:fmt>", views.case_notice, name="case_notice"),
    path("cases/<int:pk>/record.pdf", views.case_record, name="case_record"),
]
