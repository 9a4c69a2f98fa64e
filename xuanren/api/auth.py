"""Who is calling: a bearer token (machine clients) or the browser session.

The token is tried first, so that a machine client never meets the session's
CSRF check; the session (ninja's django_auth) enforces CSRF on unsafe methods.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, django_auth

from xuanren.access.services import api_token_user


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`; a revoked or unknown token is refused."""

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        return api_token_user(token=token)


def actor_of(request: HttpRequest) -> Any:
    """The authenticated user (session or token), as the auth class set it."""
    return getattr(request, "auth", None)


token_auth = TokenAuth()

#: The order matters: see the module docstring.
API_AUTH = [token_auth, django_auth]
