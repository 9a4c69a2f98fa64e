"""XLSX pages, included by xuanren.exchange.urls (namespace "exchange")."""

from django.urls import path

from xuanren.exchange import views_xlsx

urlpatterns = [
    path("", views_xlsx.xlsx_index, name="xlsx_index"),
    path("template.xlsx", views_xlsx.xlsx_template, name="xlsx_template"),
    path("cadres.xlsx", views_xlsx.cadres_xlsx, name="xlsx_cadres"),
    path("roster.xlsx", views_xlsx.roster_xlsx, name="xlsx_roster"),
]
