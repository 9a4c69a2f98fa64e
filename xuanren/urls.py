from django.contrib import admin
from django.urls import include, path

from xuanren.api.urls import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("account/", include("xuanren.access.urls")),
    path("public/", include("xuanren.supervision.urls")),
    path("ballots/", include("xuanren.ballots.urls")),
    path("documents/", include("xuanren.documents.urls")),
    path("exchange/", include("xuanren.exchange.urls")),
    path("", include("xuanren.web.urls")),
]
