"""LRMX pages, included by xuanren.exchange.urls (namespace "exchange")."""

from django.urls import path

from xuanren.exchange import views_lrmx

urlpatterns = [
    path("cadres/<int:pk>.lrmx", views_lrmx.cadre_lrmx, name="cadre_lrmx"),
    path("import/", views_lrmx.lrmx_import, name="lrmx_import"),
    path("batches/<int:pk>/", views_lrmx.lrmx_batch, name="lrmx_batch"),
    path("batches/<int:pk>/confirm/", views_lrmx.lrmx_confirm, name="lrmx_confirm"),
    path("batches/<int:pk>/cancel/", views_lrmx.lrmx_cancel, name="lrmx_cancel"),
]
