"""ballots endpoints (filled in by its issue).

(No `from __future__ import annotations` in the routers: ninja reads the
parameter annotations at import time.)"""

from ninja import Router

router = Router(tags=["ballots"])
