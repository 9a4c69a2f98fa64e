"""Records built once for several tests: a test class's fixture builds them
inside a transaction of its own, each test's transaction nests in it as a
savepoint and is rolled back after the test, and the class's transaction is
rolled back after its last test (docs/decisions/0110)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.test import TestCase


@contextmanager
def built_once(django_db_blocker: Any) -> Iterator[None]:
    """The transaction a class-scoped fixture builds in and yields from:
    opened as TestCase.setUpTestData's (the services' durable blocks are
    allowed inside), rolled back at the end. Database access inside is
    unblocked for the build only; the tests get theirs from `django_db`."""
    with django_db_blocker.unblock():
        atomics = TestCase._enter_atomics()  # type: ignore[attr-defined] # not in the stubs
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            TestCase._rollback_atomics(atomics)  # type: ignore[attr-defined]
