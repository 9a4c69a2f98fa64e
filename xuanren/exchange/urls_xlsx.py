"""XLSX pages, included by xuanren.exchange.urls (namespace "exchange")."""

from django.urls import path

from xuanren.exchange import views_xlsx

urlpatterns = [
    path("", views_xlsx.xlsx_index, name="xlsx_index"),
    path("template.xlsx", views_xlsx.xlsx_template, name="xlsx_template"),
    path("cadres.xlsx", views_xlsx.cadres_xlsx, name="xlsx_cadres"),
    path("roster.xlsx", views_xlsx.roster_xlsx, name="xlsx_roster"),
    path("jobs/<int:pk>/", views_xlsx.xlsx_job, name="xlsx_job"),
    path("jobs/<int:pk>/progress/", views_xlsx.xlsx_job_progress, name="xlsx_job_progress"),
    path("jobs/<int:pk>/cancel/", views_xlsx.xlsx_job_cancel, name="xlsx_job_cancel"),
    path("jobs/<int:pk>/retry/", views_xlsx.xlsx_job_retry, name="xlsx_job_retry"),
    path("jobs/<int:pk>/download/", views_xlsx.job_download, name="job_download"),
]
