"""Small request helpers shared by the public pages and the ballot pages."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's address for rate limits. Behind reverse proxies, set
    XUANREN_PROXY_HOPS to their number: the address the nearest trusted proxy
    saw is then read from X-Forwarded-For (never trusted otherwise)."""
    hops = int(getattr(settings, "XUANREN_PROXY_HOPS", 0))
    if hops > 0:
        chain = [
            a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()
        ]
        if len(chain) >= hops:
            return chain[-hops]
    return str(request.META.get("REMOTE_ADDR", "")) or "unknown"
