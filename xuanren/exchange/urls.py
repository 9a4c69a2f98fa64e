"""Mounted at /exchange/: LRMX and XLSX import and export."""

from django.urls import include, path

app_name = "exchange"

urlpatterns = [
    path("lrmx/", include("xuanren.exchange.urls_lrmx")),
    path("xlsx/", include("xuanren.exchange.urls_xlsx")),
]
