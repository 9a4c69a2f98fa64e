"""Response headers every page and API answer carries (issue 10, item 11).

`Cache-Control: no-store, private` on every response the application makes:
pages to a logged-in user, API answers (session or Bearer token) and the
public pages (the notices show candidates' personal data; the receipt and
status pages a reporter's case) — nothing here is meant to be kept by a
browser's back/forward history, a shared proxy or a disk cache. Static files
are served before this middleware by WhiteNoise and keep their long caching.

`Permissions-Policy` turns off browser features the system never uses, so a
page (or anything injected into one) cannot ask for the camera, microphone,
location, motion sensors, payment or USB. Referrer-Policy and
X-Content-Type-Options come from Django's SecurityMiddleware (settings
SECURE_REFERRER_POLICY, SECURE_CONTENT_TYPE_NOSNIFF), the
Content-Security-Policy from django-csp (setting CONTENT_SECURITY_POLICY).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

NO_STORE = "no-store, private"


class SecurityHeadersMiddleware:
    """Adds Cache-Control and Permissions-Policy; place it after WhiteNoise."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        # Features no page uses, refused to every origin (settings.py).
        self.permissions_policy = settings.XUANREN_PERMISSIONS_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        # Replace whatever a view set: a private answer must never become cacheable.
        response["Cache-Control"] = NO_STORE
        if "Expires" in response:
            del response["Expires"]
        if self.permissions_policy:
            response.setdefault("Permissions-Policy", self.permissions_policy)
        return response
