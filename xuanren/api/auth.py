"""Who is calling: a bearer token (machine clients) or the browser session.

The token is tried first, so that a machine client never meets the session's
CSRF check; the session (ninja's django_auth) enforces CSRF on unsafe methods.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, django_auth

from xuanren.access.services import api_token_user
from xuanren.common.http import client_address
from xuanren.common.ratelimit import RateLimit

#: Wrong tokens per client address (tokens are 43 random characters; this
#: only keeps a guesser from hammering the server). 429 once used up.
BAD_TOKENS = RateLimit(
    kind="api_bad_token", setting="XUANREN_API_BAD_TOKEN_RATE", default=(20, 600)
)


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`; a revoked or unknown token is refused,
    and too many of them from one address get 429."""

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        address = client_address(request)
        BAD_TOKENS.check(
            address,
            _("无效的接口令牌过多，请 %(m)d 分钟后再试。") % {"m": BAD_TOKENS.minutes},
        )
        user = api_token_user(token=token)
        if user is None:
            BAD_TOKENS.count(address)
        return user


def actor_of(request: HttpRequest) -> Any:
    """The authenticated user (session or token), as the auth class set it."""
    return getattr(request, "auth", None)


token_auth = TokenAuth()

#: The order matters: see the module docstring.
API_AUTH = [token_auth, django_auth]
