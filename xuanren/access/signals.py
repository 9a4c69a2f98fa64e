"""At login: must this session give a second factor before anything else?"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from xuanren.access.middleware import SECOND_FACTOR_KEY


def second_factor_on_login(sender: Any, request: HttpRequest | None, user: Any, **_: Any) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if request is None or not hasattr(request, "session"):
        return
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        request.session[SECOND_FACTOR_KEY] = "verify"
        return
    roles = list(getattr(settings, "XUANREN_REQUIRE_2FA_ROLES", []))
    if roles and user.groups.filter(name__in=roles).exists():
        request.session[SECOND_FACTOR_KEY] = "enroll"
