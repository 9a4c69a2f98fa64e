"""一报告两评议 writes: open a unit's appraisal for a year (the cadres
promoted in it listed from the cases), the report, the totals of the
appraisal of the selection work and of each cadre, counted from the paper
ballots. Each is one transaction with its journal event (docs/decisions/0131)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xuanren.access.policy import has_perm, require_perm, unit_in_scope
from xuanren.common.dates import today
from xuanren.common.errors import Conflict, ErrorCollector, NotFound
from xuanren.journal.models import EventType
from xuanren.journal.services import journal_record
from xuanren.org.models import Unit
from xuanren.supervision.appraisal_selectors import (
    MANAGE_APPRAISALS,
    VIEW_APPRAISALS,
    promoted_in,
)
from xuanren.supervision.models_opinion import Appraisal, AppraisedCadre

MAX_REPORT = 50_000
#: More people than any meeting holds: a typing slip, not a count.
MAX_PARTICIPANTS = 100_000
FIRST_YEAR = 1990


def _not_found() -> NotFound:
    return NotFound(_("未找到该一报告两评议，或其不在您的管理范围内。"))


@transaction.atomic
def appraisal_create(*, actor: Any, unit: Unit, year: int) -> Appraisal:
    """The appraisal of `unit`'s selection work in `year`, with every cadre
    promoted in it (a snapshot: the cases decided later are not added)."""
    require_perm(actor, MANAGE_APPRAISALS)
    if not unit_in_scope(actor, unit):
        raise NotFound(_("未找到该单位，或其不在您的管理范围内。"))
    out = ErrorCollector()
    if not FIRST_YEAR <= year <= today().year:
        out.add("year", _("年度须在 %(a)d 至 %(b)d 之间。") % {"a": FIRST_YEAR, "b": today().year})
    out.raise_if_any(_("一报告两评议未登记。"))
    if Appraisal.objects.filter(unit=unit, year=year).exists():
        raise Conflict(
            _("%(u)s%(y)d 年度的一报告两评议已经登记，请在原记录中填写。")
            % {"u": unit.name, "y": year}
        )
    appraisal = Appraisal.objects.create(
        unit=unit, year=year, created_by=actor, created_at=timezone.now()
    )
    promoted = promoted_in(actor=actor, unit=unit, year=year)
    AppraisedCadre.objects.bulk_create(
        AppraisedCadre(
            appraisal=appraisal,
            candidate=p.candidate,
            cadre_id=p.candidate.cadre_id,
            post_text=p.post_text[:200],
            decided_on=p.decided_on,
        )
        for p in promoted
    )
    journal_record(
        actor=actor,
        event_type=EventType.APPRAISAL_CREATED,
        subject=appraisal,
        payload={"unit": unit.pk, "year": year, "cadres": len(promoted)},
    )
    return appraisal


def _for_update(actor: Any, appraisal: Appraisal) -> Appraisal:
    locked = (
        Appraisal.objects.select_for_update().select_related("unit").filter(pk=appraisal.pk).first()
    )
    if (
        locked is None
        or not has_perm(actor, VIEW_APPRAISALS)
        or not unit_in_scope(actor, locked.unit)
    ):
        raise _not_found()
    require_perm(actor, MANAGE_APPRAISALS)
    return locked


def _counts(out: ErrorCollector, participants: int, parts: dict[str, int]) -> None:
    """Whole numbers, and no more ratings than participants."""
    if participants < 0 or participants > MAX_PARTICIPANTS:
        out.add("participants", _("参加评议人数须在 0 至 %(m)d 之间。") % {"m": MAX_PARTICIPANTS})
    for field, n in parts.items():
        if n < 0:
            out.add(field, _("票数不能为负数。"))
    if not out.errors and sum(parts.values()) > participants:
        out.add(
            "participants",
            _("各项票数合计 %(s)d 超过参加评议人数 %(p)d，请核对。")
            % {"s": sum(parts.values()), "p": participants},
        )


@transaction.atomic
def appraisal_report_set(*, actor: Any, appraisal: Appraisal, report: str) -> Appraisal:
    """The annual report on the selection work, as written (may be redone)."""
    appraisal = _for_update(actor, appraisal)
    report = report.strip()
    out = ErrorCollector()
    if not report:
        out.add("report", _("请填写选人用人工作报告。"))
    elif len(report) > MAX_REPORT:
        out.add("report", _("报告不能超过 %(n)d 个字。") % {"n": MAX_REPORT})
    out.raise_if_any(_("报告未保存。"))
    appraisal.report = report
    appraisal.save(update_fields=["report"])
    journal_record(
        actor=actor,
        event_type=EventType.APPRAISAL_RECORDED,
        subject=appraisal,
        payload={"part": "report", "chars": len(report)},
    )
    return appraisal


@transaction.atomic
def appraisal_work_record(
    *,
    actor: Any,
    appraisal: Appraisal,
    held_on: dt.date,
    participants: int,
    good: int,
    fairly_good: int,
    average: int,
    poor: int,
) -> Appraisal:
    """The totals of the appraisal of the year's selection work."""
    appraisal = _for_update(actor, appraisal)
    out = ErrorCollector()
    if held_on.year < appraisal.year:
        out.add("held_on", _("评议日期不能早于所评议的年度。"))
    elif held_on > today():
        out.add("held_on", _("评议日期不能晚于今天。"))
    parts = {"good": good, "fairly_good": fairly_good, "average": average, "poor": poor}
    _counts(out, participants, parts)
    out.raise_if_any(_("评议结果未保存。"))
    appraisal.held_on = held_on
    appraisal.participants = participants
    for field, n in parts.items():
        setattr(appraisal, field, n)
    appraisal.save(update_fields=["held_on", "participants", *parts])
    journal_record(
        actor=actor,
        event_type=EventType.APPRAISAL_RECORDED,
        subject=appraisal,
        payload={"part": "work", "held_on": held_on, "participants": participants, **parts},
    )
    return appraisal


@transaction.atomic
def appraisal_cadre_record(
    *,
    actor: Any,
    row: AppraisedCadre,
    participants: int,
    agree: int,
    mostly_agree: int,
    disagree: int,
) -> AppraisedCadre:
    """The totals of the appraisal of one newly promoted cadre."""
    found = AppraisedCadre.objects.filter(pk=row.pk).select_related("appraisal").first()
    if found is None:
        raise _not_found()
    _for_update(actor, found.appraisal)
    out = ErrorCollector()
    parts = {"agree": agree, "mostly_agree": mostly_agree, "disagree": disagree}
    _counts(out, participants, parts)
    out.raise_if_any(_("评议结果未保存。"))
    found.participants = participants
    for field, n in parts.items():
        setattr(found, field, n)
    found.save(update_fields=["participants", *parts])
    journal_record(
        actor=actor,
        event_type=EventType.APPRAISAL_RECORDED,
        subject=found.appraisal,
        payload={"part": "cadre", "cadre": found.cadre_id, "participants": participants, **parts},
    )
    return found
