"""Mounted at /plans/ (docs/decisions/0183)."""

from django.urls import path

from xuanren.plans import views

app_name = "plans"

urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("new/", views.plan_new, name="plan_new"),
    path("<int:pk>/", views.plan_detail, name="plan"),
    path("<int:pk>/tasks.xlsx", views.plan_xlsx, name="plan_xlsx"),
    path("<int:pk>/<slug:what>/", views.plan_form, name="plan_form"),
    path("tasks/<int:pk>/", views.plan_edit_task, name="plan_edit_task"),
    path("phases/<int:pk>/edit/", views.phase_change, name="phase_edit"),
    path("tasks/<int:pk>/edit/", views.task_change, name="task_edit"),
    path("tasks/<int:pk>/withdraw/", views.task_remove, name="task_withdraw"),
    path("reports/<int:pk>/edit/", views.report_change, name="report_edit"),
    path("reports/<int:pk>/withdraw/", views.report_remove, name="report_withdraw"),
    path("reports/<int:pk>/submit/", views.plan_submit, name="plan_submit"),
    path("attachments/<int:pk>/", views.attachment_download, name="plan_attachment"),
]
