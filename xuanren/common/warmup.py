"""A worker's warm-up heap frozen after its first requests (decision 0197).

`xuanren.wsgi` freezes what is loaded at start (decision 0164). What the first
requests load lazily (templates, URL patterns, rule packs, modules imported
inside functions) lives as long as the worker too; left in the collector's
generations it made each full pass a 50–90 ms pause in whichever request it
fell. After the FREEZE_AFTER-th request the collector runs once and everything
then alive is frozen as well.
"""

from __future__ import annotations

import gc
import itertools
from collections.abc import Iterable
from typing import Any

#: After these requests of a worker, counted from its start (about half a
#: decade apart: each is one pause, and each freezes what the pages first
#: visited since the last one keep).
FREEZE_AFTER = frozenset({1, 3, 10, 30, 100, 300, 1000})

_served = itertools.count(1)


def after_request() -> None:
    """Count a request; after the FREEZE_AFTER-th, collect, then freeze."""
    if next(_served) in FREEZE_AFTER:
        gc.collect()  # the garbage first: what is frozen is never collected
        gc.freeze()


class FreezingApplication:
    """A WSGI application that calls after_request after each request."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        try:
            return self.app(environ, start_response)
        finally:
            after_request()
