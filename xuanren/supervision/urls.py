"""Mounted at /public/: the public notice pages need no login; the officers'
pages under manage/ do."""

from django.urls import path

from xuanren.supervision import views, views_channel, views_lookback, views_opinions

app_name = "supervision"

urlpatterns = [
    path("", views.notice_list, name="notice_list"),
    path("notices/<int:pk>/", views.notice_detail, name="notice"),
    path("receipt/", views.receipt, name="receipt"),
    path("status/", views.status_lookup, name="status"),
    path("channel/", views_channel.channel_public, name="channel_public"),
    path("manage/cases/<int:pk>/", views.case_page, name="case"),
    path("manage/reports/", views.inbox, name="inbox"),
    path("manage/reports/<int:pk>/", views.report_page, name="report"),
    path("manage/channel/", views_channel.channel_inbox_page, name="channel_inbox"),
    path("manage/channel/new/", views_channel.channel_new, name="channel_new"),
    path("manage/channel/<int:pk>/", views_channel.channel_entry, name="channel_entry"),
    path("manage/attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("manage/lookback/", views_lookback.lookback_list, name="lookback_list"),
    path("manage/lookback/<int:pk>/", views_lookback.lookback_detail, name="lookback"),
    path(
        "manage/lookback/<int:pk>/report.<str:fmt>",
        views_lookback.lookback_report_download,
        name="lookback_report",
    ),
    path(
        "manage/rectifications/<int:pk>/",
        views_lookback.rectification_page,
        name="rectification",
    ),
    path("manage/opinions/", views_opinions.opinion_round_list, name="opinion_rounds"),
    path("manage/opinions/<int:pk>/", views_opinions.opinion_round_detail, name="opinion_round"),
    path(
        "manage/opinions/<int:pk>/print/",
        views_opinions.opinion_round_print,
        name="opinion_round_print",
    ),
    path(
        "manage/opinions/<int:pk>/export.xlsx",
        views_opinions.opinion_round_xlsx,
        name="opinion_round_xlsx",
    ),
    path("manage/opinions/items/<int:pk>/", views_opinions.opinion_page, name="opinion"),
    path("manage/appraisals/", views_opinions.appraisal_list, name="appraisals"),
    path("manage/appraisals/<int:pk>/", views_opinions.appraisal_detail, name="appraisal"),
    path(
        "manage/appraisals/<int:pk>/print/",
        views_opinions.appraisal_print,
        name="appraisal_print",
    ),
    path(
        "manage/appraisals/<int:pk>/export.xlsx",
        views_opinions.appraisal_xlsx,
        name="appraisal_xlsx",
    ),
]
