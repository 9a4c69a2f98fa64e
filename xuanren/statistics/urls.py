"""Mounted at /statistics/: the statistics and structure pages (login required)."""

from django.urls import URLPattern, URLResolver

app_name = "statistics"

urlpatterns: list[URLPattern | URLResolver] = []
