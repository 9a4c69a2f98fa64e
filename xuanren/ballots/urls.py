"""Mounted at /ballots/: meetings, the voter's ballot page, the teller console
and result sheets."""

from django.urls import path

from xuanren.ballots import views

app_name = "ballots"

urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("case/<int:case_id>/", views.case_meetings, name="case_meetings"),
    path("<int:meeting_id>/", views.console, name="console"),
    path("<int:meeting_id>/progress/", views.progress, name="progress"),
    path("<int:meeting_id>/result/", views.result, name="result"),
    path("<int:meeting_id>/sheets.pdf", views.sheets, name="sheets"),
    path("<int:meeting_id>/vote/", views.vote, name="vote"),
]
