"""The one decorator every server-rendered page uses: login required, the HTTP
methods it answers, and domain refusals shown as the site's Chinese pages
(PermissionDenied → 403, NotFound → 404) instead of Django's bare ones."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from xuanren.common.errors import DomainError, NotFound, PermissionDenied

View = Callable[..., HttpResponseBase]

SAFE = ("GET", "HEAD")
FORMS = ("GET", "HEAD", "POST")


def login_page(
    *, methods: Sequence[str] | None = None, other_errors: str | None = None
) -> Callable[[View], View]:
    """`methods`: the methods answered (others get 405; None: any).
    `other_errors`: a template for any other DomainError (shown with 400);
    without it they propagate to the view's own handling."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            try:
                return view(request, *args, **kwargs)
            except PermissionDenied as exc:
                return render(request, "web/403.html", {"message": exc.message}, status=403)
            except NotFound as exc:
                return render(request, "web/404.html", {"message": exc.message}, status=404)
            except DomainError as exc:
                if other_errors is None:
                    raise
                return render(request, other_errors, {"message": exc.message}, status=400)

        inner = require_http_methods(list(methods))(wrapped) if methods else wrapped
        return login_required(inner)

    return decorate
