"""The shape of the "recount from the records" services of kept per-cadre
rows (the screening facts, decision 0161; 待办's kept reminders, decision 0195): a system administrator
only; on PostgreSQL the record tables locked against writers first (readers go
on: every writer keeps its rows in the transaction of its record, so under the
lock none is half-kept); the differences found; with `apply`, put right and
one journal event listing the first RECOUNT_EVENT_ROWS."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import connection

from xuanren.access.policy import is_unrestricted
from xuanren.common.errors import PermissionDenied
from xuanren.journal.models import EventType
from xuanren.journal.services import journal_record

#: How many differences the journal event lists (the number is always there).
RECOUNT_EVENT_ROWS = 50

D = TypeVar("D")


def recount(
    *,
    actor: Any,
    apply: bool,
    refused: str,
    tables: Sequence[str],
    differences: Callable[[], list[D]],
    put_right: Callable[[list[D]], None],
    event_type: EventType,
    subject: tuple[str, str],
    described: Callable[[D], dict[str, Any]],
) -> list[D]:
    """Run in the caller's transaction (the services are atomic)."""
    if not is_unrestricted(actor):
        raise PermissionDenied(refused)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {', '.join(tables)} IN SHARE MODE")
    found = differences()
    if apply and found:
        put_right(found)
    if apply:
        journal_record(
            actor=actor,
            event_type=event_type,
            subject=subject,
            payload={
                "differences": len(found),
                "corrected": [described(d) for d in found[:RECOUNT_EVENT_ROWS]],
            },
        )
    return found
