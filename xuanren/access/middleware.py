"""Two small middlewares of the access app.

AccessContextMiddleware: the request's path and client address for the access
record (context.py). SecondFactorMiddleware: a user who must give a second
factor (enrolled, or in a role of XUANREN_REQUIRE_2FA_ROLES) reaches nothing
but enrolment, verification and logout until they have. Whether they must is
decided once at login and kept in the session, so a request costs no query.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from xuanren.access.context import enter_request, leave_request

#: Session key: "verify" (has a device, not yet verified) or "enroll".
SECOND_FACTOR_KEY = "xuanren_second_factor"

Handler = Callable[[HttpRequest], HttpResponseBase]


class AccessContextMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        token = enter_request(request)
        try:
            return self.get_response(request)
        finally:
            leave_request(token)


class SecondFactorMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def _open_paths(self) -> tuple[str, ...]:
        return (
            reverse("access:otp_setup"),
            reverse("access:otp_qr"),
            reverse("access:otp_verify"),
            reverse("web:logout"),
            reverse("set_language"),
            "/" + settings.STATIC_URL.lstrip("/"),
        )

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        session = getattr(request, "session", None)
        state = session.get(SECOND_FACTOR_KEY) if session is not None else None
        if state and request.user.is_authenticated:
            if request.user.is_verified():  # type: ignore[attr-defined]
                session.pop(SECOND_FACTOR_KEY, None)  # type: ignore[union-attr]
            elif not request.path.startswith(self._open_paths()):
                return self._refuse(request, state)
        return self.get_response(request)

    def _refuse(self, request: HttpRequest, state: str) -> HttpResponse:
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "code": "second_factor_required",
                    "message": _("请先在网页上完成双因素认证，再使用接口。"),
                    "errors": [],
                },
                status=403,
            )
        target = reverse("access:otp_verify" if state == "verify" else "access:otp_setup")
        if request.method in ("GET", "HEAD"):
            target += "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)
