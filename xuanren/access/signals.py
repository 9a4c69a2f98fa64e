"""At login: must this session give a second factor before anything else?"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from xuanren.access.middleware import SECOND_FACTOR_KEY


def second_factor_on_login(sender: Any, request: HttpRequest | None, user: Any, **_: Any) -> None:
    from xuanren.access.services import otp_enrolled, second_factor_required

    if request is None or not hasattr(request, "session"):
        return
    if otp_enrolled(user):
        request.session[SECOND_FACTOR_KEY] = "verify"
    elif second_factor_required(user):
        request.session[SECOND_FACTOR_KEY] = "enroll"
