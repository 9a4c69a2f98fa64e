"""Fixed-window rate limits in Django's cache: public report forms, status
look-ups, ballot codes. Only a hash of the client key is stored."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from xuanren.common.errors import DomainError


class RateLimited(DomainError):
    code = "rate_limited"
    http_status = 429


@dataclass(frozen=True)
class RateLimit:
    """At most `count` uses per `seconds` for one client; a setting named
    `setting` may override the (count, seconds) default."""

    kind: str
    setting: str
    default: tuple[int, int]

    def allowance(self) -> tuple[int, int]:
        count, seconds = getattr(settings, self.setting, self.default)
        return int(count), int(seconds)

    @property
    def minutes(self) -> int:
        return max(1, -(-self.allowance()[1] // 60))

    def _key(self, client: str) -> str:
        digest = hashlib.sha256((client or "unknown").encode()).hexdigest()[:32]
        return f"xuanren:rate:{self.kind}:{digest}"

    def check(self, client: str, message: str) -> None:
        """Refuse (429, `message`) when `client` has used up its allowance in
        the window that started with its first counted use."""
        if int(cache.get(self._key(client), 0)) >= self.allowance()[0]:
            raise RateLimited(message)

    def count(self, client: str) -> None:
        key = self._key(client)
        cache.add(key, 0, timeout=self.allowance()[1])  # the window starts with the first use
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=self.allowance()[1])
