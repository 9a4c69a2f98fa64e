"""The recount of 待办's kept reminders from the records (decision 0195)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from xuanren.access.policy import is_unrestricted
from xuanren.common.errors import PermissionDenied
from xuanren.journal.models import EventType
from xuanren.journal.services import journal_record
from xuanren.people.models import Cadre
from xuanren.reminders.kept import ReminderDifference, reminders_differences, reminders_refresh

#: How many differing cadres the journal event lists (the number is always there).
RECOUNT_EVENT_ROWS = 50


@dataclass(frozen=True)
class RemindersRecountResult:
    cadres: int
    differences: list[ReminderDifference]
    applied: bool


@transaction.atomic
def reminders_recount(*, actor: Any, apply: bool) -> RemindersRecountResult:
    """Compare every cadre's kept reminders with what its records give (the
    cadre row, its open tenures, the candidacies that appointed them, the
    rotation rules) and report the cadres that differ; with `apply`, replace
    theirs (one journal event). Only a system administrator (the command
    `xuanren reminders`); run it after a change of the rotation rules.

    On PostgreSQL the record tables are locked against writers first (readers
    go on): every writer replaces the cadre's reminders in the transaction of
    its record, so under the lock none is half-kept."""
    if not is_unrestricted(actor):
        raise PermissionDenied(_("只有系统管理员可以重算待办提醒。"))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "LOCK TABLE people_cadre, people_tenure, procedure_candidate IN SHARE MODE"
            )
    found = reminders_differences()
    if apply and found:
        reminders_refresh([d.cadre_id for d in found])
    if apply:
        journal_record(
            actor=actor,
            event_type=EventType.REMINDERS_RECOUNTED,
            subject=("reminders.keptreminder", "all"),
            payload={
                "differences": len(found),
                "corrected": [
                    {"cadre": d.cadre_id, "kept": d.kept, "recounted": d.recounted}
                    for d in found[:RECOUNT_EVENT_ROWS]
                ],
            },
        )
    return RemindersRecountResult(cadres=Cadre.objects.count(), differences=found, applied=apply)
