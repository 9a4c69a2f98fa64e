"""The recount of 待办's kept reminders from the records (decision 0195)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from xuanren.common.recount import recount
from xuanren.journal.models import EventType
from xuanren.people.models import Cadre
from xuanren.reminders.kept import ReminderDifference, reminders_differences, reminders_refresh


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

    The cadre, tenure and candidate tables are locked against writers while it
    runs (common.recount)."""
    found = recount(
        actor=actor,
        apply=apply,
        refused=_("只有系统管理员可以重算待办提醒。"),
        tables=("people_cadre", "people_tenure", "procedure_candidate"),
        differences=reminders_differences,
        put_right=lambda found: reminders_refresh([d.cadre_id for d in found]),
        event_type=EventType.REMINDERS_RECOUNTED,
        subject=("reminders.keptreminder", "all"),
        described=lambda d: {"cadre": d.cadre_id, "kept": d.kept, "recounted": d.recounted},
    )
    return RemindersRecountResult(cadres=Cadre.objects.count(), differences=found, applied=apply)
