"""PostgreSQL's JIT off for a block of queries (docs/decisions/0103, 0144).

An aggregate with a FILTER per figure over correlated SubPlans (a rule on the
cadre's records, a fact as of a date from the history) gets a plan cost in
the millions, over PostgreSQL's JIT thresholds: compiling the expressions
then costs seconds where the work itself is a fraction of one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def without_jit() -> Iterator[None]:
    """JIT off for the queries inside (transaction-local, and back as it was
    after; an error rolls it back with the savepoint). SQLite: nothing to do."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit'), set_config('jit', 'off', true)")
        row = cursor.fetchone()
        yield  # on an error, leaving the atomic block rolls the setting back
        cursor.execute("SELECT set_config('jit', %s, true)", [row[0] if row else "on"])
