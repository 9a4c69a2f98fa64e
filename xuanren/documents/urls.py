"""Mounted at /documents/: generated documents (approval forms, notices,
ballot sheets, 纪实 reports) as DOCX and PDF."""

app_name = "documents"

urlpatterns: list = []
