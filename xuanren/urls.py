from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from xuanren.api.urls import api


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on their own (a PDF, the JSON record):
    the site's icon, not a 404."""
    return HttpResponsePermanentRedirect(static("web/favicon.svg"))


urlpatterns = [
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("account/", include("xuanren.access.urls")),
    path("public/", include("xuanren.supervision.urls")),
    path("statistics/", include("xuanren.statistics.urls")),
    path("assessments/", include("xuanren.assessment.urls")),
    path("ballots/", include("xuanren.ballots.urls")),
    path("observations/", include("xuanren.observation.urls")),
    path("plans/", include("xuanren.plans.urls")),
    path("rotation/", include("xuanren.rotation.urls")),
    path("workforce/", include("xuanren.workforce.urls")),
    path("competition/", include("xuanren.competition.urls")),
    path("documents/", include("xuanren.documents.urls")),
    path("exchange/", include("xuanren.exchange.urls")),
    path("reserves/", include("xuanren.reserves.urls")),
    path("", include("xuanren.web.urls")),
]
