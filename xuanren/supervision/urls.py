"""Mounted at /public/: the public notice pages need no login; the officers'
pages under manage/ do."""

from django.urls import path

from xuanren.supervision import views, views_channel, views_lookback

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
]
