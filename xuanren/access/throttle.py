"""Failed logins per client address (docs/decisions/0043).

django-axes locks an *account* after a few failures, wherever they come from.
An *address* is locked by its own, higher count: an organization department
often reaches the server from one address (a gateway, or the reverse proxy
when XUANREN_PROXY_HOPS is not set), and five typos by five colleagues must
not lock everyone out, while a guesser sweeping many accounts from one
address still is. The count is axes' failure log (one row a failure, in the
database, so every worker sees it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.models import AccessFailureLog
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone

from xuanren.access.context import axes_client_address


def address_locked(address: str | None) -> bool:
    if not address:
        return False
    since = timezone.now() - dt.timedelta(hours=float(settings.AXES_COOLOFF_TIME or 0))
    failures = AccessFailureLog.objects.filter(ip_address=address, attempt_time__gte=since)
    return failures.count() >= int(settings.XUANREN_LOGIN_ADDRESS_FAILURE_LIMIT)


class AddressLockoutBackend:
    """First of the authentication backends: refuses every login from a
    locked address, right password or not, and lets axes' middleware answer
    with the lockout page."""

    def authenticate(self, request: HttpRequest | None, **credentials: Any) -> None:
        if request is not None and address_locked(axes_client_address(request)):
            request.axes_locked_out = True  # type: ignore[attr-defined]
            request.axes_credentials = credentials  # type: ignore[attr-defined]
            request.xr_address_locked = True  # type: ignore[attr-defined]
            raise PermissionDenied

    # No get_user: it never logs anyone in, so Django never keeps it as a
    # session's backend (and force_login passes it by).
