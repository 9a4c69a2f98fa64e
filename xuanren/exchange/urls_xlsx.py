"""XLSX pages, included by xuanren.exchange.urls (namespace "exchange")."""

urlpatterns: list = []
