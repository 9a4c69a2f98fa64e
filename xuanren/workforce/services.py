"""Writes of the over-quota digestion plans and the 凡进必考 records
(docs/decisions/0179–0182). Each service checks the permission and the unit,
validates everything before writing anything, and journals in the same
transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from xuanren.access.policy import require_unit
from xuanren.common.dates import add_years, today
from xuanren.common.errors import Conflict, ErrorCollector
from xuanren.journal.models import EventType
from xuanren.journal.services import journal_record
from xuanren.org.models import Level, Unit
from xuanren.org.selectors import active_tenure_q
from xuanren.people.models import Cadre, Tenure
from xuanren.people.selectors import retiring
from xuanren.workforce.models import (
    CleanupCase,
    CleanupOutcome,
    DigestionItem,
    DigestionMeans,
    DigestionPlan,
    EntryMethod,
    EntryRecord,
)
from xuanren.workforce.overquota import level_series

PLAN_PERM = "workforce.manage_digestionplan"
ENTRY_PERM = "workforce.manage_entryrecord"
DOCUMENT_MAX = 80
NOTE_MAX = 200
REASON_MAX = 2000
#: The youngest age at which anyone enters the service: 《中华人民共和国劳动法》
#: 第十五条 “禁止用人单位招用未满十六周岁的未成年人”.
ENTRY_MIN_AGE = 16


def _d(day: dt.date) -> str:
    return f"{day:%Y.%m.%d}"


def _actor_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


# ---- 超职数消化 -------------------------------------------------------------------


@transaction.atomic
def digestion_plan_create(
    *,
    actor: Any,
    unit: Unit,
    level: str,
    baseline_on: dt.date,
    target_on: dt.date,
    document: str = "",
    note: str = "",
) -> DigestionPlan:
    """A plan to bring `unit`'s over-quota cadres of `level` to zero by
    `target_on`. The over-quota on `baseline_on` is counted from the records
    (refused when there is none)."""
    unit = Unit.objects.get(pk=unit.pk)
    require_unit(actor, PLAN_PERM, unit)
    out = ErrorCollector()
    document, note = document.strip(), note.strip()
    if level not in Level.values:
        out.add("level", _("请选择职务层次。"))
    if baseline_on > today():
        out.add(
            "baseline_on",
            _("基准日期 %(d)s 晚于今天，请填写已发生的日期。") % {"d": _d(baseline_on)},
        )
    if target_on <= baseline_on:
        out.add("target_on", _("计划消化完毕日期应晚于基准日期 %(d)s。") % {"d": _d(baseline_on)})
    if len(document) > DOCUMENT_MAX:
        out.add("document", _("文号过长（最多 80 个字）。"))
    if len(note) > REASON_MAX:
        out.add("note", _("说明过长（最多 2000 个字）。"))
    over = 0
    if "level" not in {e.field for e in out.errors} and "baseline_on" not in {
        e.field for e in out.errors
    }:
        (found,) = level_series(unit_id=unit.pk, level=level, days=[baseline_on])
        over = found.over
        if over == 0:
            out.add(
                "level",
                _(
                    "%(u)s%(l)s在 %(d)s 核定职数 %(a)d 名、在任 %(f)d 名，没有超职数，无需制定消化计划。"
                )
                % {
                    "u": unit.name,
                    "l": Level(level).label,
                    "d": _d(baseline_on),
                    "a": found.approved,
                    "f": found.filled,
                },
            )
    out.raise_if_any(_("超职数消化计划有误，未保存。"))
    try:
        with transaction.atomic():
            plan = DigestionPlan.objects.create(
                unit=unit,
                level=level,
                baseline_on=baseline_on,
                baseline_over=over,
                target_on=target_on,
                document=document,
                note=note,
                created_by=_actor_or_none(actor),
            )
    except IntegrityError as exc:
        raise Conflict(
            _("%(u)s%(l)s已有超职数消化计划，请在原计划中调整。")
            % {"u": unit.name, "l": Level(level).label}
        ) from exc
    journal_record(
        actor=actor,
        event_type=EventType.WORKFORCE_PLAN_CREATED,
        subject=plan,
        payload={
            "unit": unit.pk,
            "level": level,
            "baseline_on": baseline_on.isoformat(),
            "baseline_over": over,
            "target_on": target_on.isoformat(),
            "document": document,
        },
    )
    return plan


def _holds_on(cadre: Cadre, plan: DigestionPlan, day: dt.date) -> bool:
    return Tenure.objects.filter(
        active_tenure_q(day),
        cadre=cadre,
        post__unit_id=plan.unit_id,
        post__level=plan.level,
        post__counts_against_quota=True,
    ).exists()


@transaction.atomic
def digestion_item_add(
    *,
    actor: Any,
    plan: DigestionPlan,
    cadre: Cadre,
    means: str,
    expected_on: dt.date | None = None,
    note: str = "",
) -> DigestionItem:
    """Put one cadre who held a post of the plan's unit and level on its
    baseline day on the plan, with the means and the expected date; for
    到龄退休 the date is the cadre's statutory retirement date."""
    plan = (
        DigestionPlan.objects.select_for_update(of=("self",)).select_related("unit").get(pk=plan.pk)
    )
    require_unit(actor, PLAN_PERM, plan.unit)
    cadre = Cadre.objects.select_related("unit").get(pk=cadre.pk)
    out = ErrorCollector()
    note = note.strip()
    if means not in DigestionMeans.values:
        out.add("means", _("请选择消化方式。"))
    elif means == DigestionMeans.RETIREMENT:
        expected_on = retiring(cadre).retirement_date
        if expected_on > plan.target_on:
            out.add(
                "means",
                _("%(n)s的法定退休日期为 %(r)s，晚于计划消化完毕日期 %(t)s，请选择其他消化方式。")
                % {"n": cadre.name, "r": _d(expected_on), "t": _d(plan.target_on)},
            )
    if means != DigestionMeans.RETIREMENT:
        if expected_on is None:
            out.add("expected_on", _("请填写预计消化日期。"))
        elif not plan.baseline_on <= expected_on <= plan.target_on:
            out.add(
                "expected_on",
                _("预计消化日期应在基准日期 %(b)s 和计划消化完毕日期 %(t)s 之间。")
                % {"b": _d(plan.baseline_on), "t": _d(plan.target_on)},
            )
    if len(note) > NOTE_MAX:
        out.add("note", _("说明过长（最多 200 个字）。"))
    if not _holds_on(cadre, plan, plan.baseline_on):
        out.add(
            "cadre",
            _("%(n)s在基准日 %(d)s 未担任%(u)s%(l)s职务，不是本计划的超职数人员。")
            % {
                "n": cadre.name,
                "d": _d(plan.baseline_on),
                "u": plan.unit.name,
                "l": plan.get_level_display(),
            },
        )
    out.raise_if_any(_("消化人员信息有误，未保存。"))
    assert expected_on is not None
    if plan.items.filter(cadre=cadre).exists():
        raise Conflict(_("%(n)s已列入本计划。") % {"n": cadre.name})
    if plan.items.count() >= plan.baseline_over:
        raise Conflict(
            _("本计划基准日超职数 %(n)d 名，已全部列出消化人员；如需更换，请先移出原人员。")
            % {"n": plan.baseline_over}
        )
    item = DigestionItem.objects.create(
        plan=plan, cadre=cadre, means=means, expected_on=expected_on, note=note
    )
    journal_record(
        actor=actor,
        event_type=EventType.WORKFORCE_PLAN_ITEM_ADDED,
        subject=plan,
        payload={
            "item": item.pk,
            "cadre": cadre.pk,
            "means": means,
            "expected_on": expected_on.isoformat(),
        },
    )
    return item


@transaction.atomic
def digestion_item_remove(*, actor: Any, item: DigestionItem) -> None:
    item = DigestionItem.objects.select_related("plan__unit").get(pk=item.pk)
    require_unit(actor, PLAN_PERM, item.plan.unit)
    payload = {"item": item.pk, "cadre": item.cadre_id, "means": item.means}
    plan = item.plan
    item.delete()
    journal_record(
        actor=actor, event_type=EventType.WORKFORCE_PLAN_ITEM_REMOVED, subject=plan, payload=payload
    )


# ---- 凡进必考 ----------------------------------------------------------------------


@transaction.atomic
def entry_set(
    *,
    actor: Any,
    cadre: Cadre,
    method: str,
    entered_on: dt.date,
    document: str = "",
    note: str = "",
    correction_reason: str = "",
) -> EntryRecord:
    """Record (or correct) how `cadre` entered the service: the method, the
    date and the document (文号; required except for 其他, which needs a note).
    Changing the method, date or document of a record is a correction: it
    needs `correction_reason` and is journalled old → new (decision 0187)."""
    cadre = Cadre.objects.select_for_update(of=("self",)).select_related("unit").get(pk=cadre.pk)
    require_unit(actor, ENTRY_PERM, cadre.unit)
    out = entry_errors(
        name=cadre.name,
        birth_date=cadre.birth_date,
        method=method,
        entered_on=entered_on,
        document=document,
        note=note,
    )
    document, note = document.strip(), note.strip()
    correction_reason = correction_reason.strip()
    record = EntryRecord.objects.filter(cadre=cadre).first()
    before = (
        None
        if record is None
        else {
            "method": record.method,
            "entered_on": record.entered_on.isoformat(),
            "document": record.document,
        }
    )
    after = {"method": method, "entered_on": entered_on.isoformat(), "document": document}
    correcting = before is not None and before != after
    _check_correction_reason(out, correcting, correction_reason)
    out.raise_if_any(_("进人方式信息有误，未保存。"))
    if record is None:
        record = EntryRecord(cadre=cadre)
    record.method = method
    record.entered_on = entered_on
    record.document = document
    record.note = note
    record.updated_by = _actor_or_none(actor)
    record.save()
    if correcting:
        journal_record(
            actor=actor,
            event_type=EventType.WORKFORCE_ENTRY_CORRECTED,
            subject=cadre,
            payload={"before": before, "after": after, "reason": correction_reason},
        )
    else:
        journal_record(
            actor=actor,
            event_type=EventType.WORKFORCE_ENTRY_SET,
            subject=cadre,
            payload={**after, "before": before},
        )
    return record


#: The longest reason given for a correction.
CORRECTION_REASON_MAX = 500


def _check_correction_reason(out: ErrorCollector, correcting: bool, reason: str) -> None:
    if correcting and not reason:
        out.add("correction_reason", _("修改已登记的内容属于更正，请填写更正理由。"))
    elif len(reason) > CORRECTION_REASON_MAX:
        out.add("correction_reason", _("更正理由过长（最多 500 个字）。"))


def entry_errors(
    *,
    name: str,
    birth_date: dt.date,
    method: str,
    entered_on: dt.date,
    document: str,
    note: str,
) -> ErrorCollector:
    """What is wrong with an entry record of the cadre `name` born on
    `birth_date` (pure, no query): the checks of `entry_set`, also run on the
    workbook import's rows before anything is written (fields method,
    entered_on, document, note)."""
    out = ErrorCollector()
    document, note = document.strip(), note.strip()
    if method not in EntryMethod.values:
        out.add("method", _("请选择进人方式。"))
    if entered_on > today():
        out.add("entered_on", _("进入时间 %(d)s 晚于今天，请核对。") % {"d": _d(entered_on)})
    elif entered_on < add_years(birth_date, ENTRY_MIN_AGE):
        out.add(
            "entered_on",
            _("进入时间 %(d)s 时%(n)s未满 16 周岁（%(b)s 出生），请核对。")
            % {"d": _d(entered_on), "n": name, "b": _d(birth_date)},
        )
    if len(document) > DOCUMENT_MAX:
        out.add("document", _("文号过长（最多 80 个字）。"))
    elif not document and method in EntryMethod.values and method != EntryMethod.OTHER:
        out.add("document", _("请填写录用、调任或安置等进入文件的文号。"))
    if len(note) > NOTE_MAX:
        out.add("note", _("说明过长（最多 200 个字）。"))
    elif method == EntryMethod.OTHER and not note:
        out.add("note", _("进人方式为“其他”时，请说明具体方式。"))
    return out


#: Outcomes that close a case with a decision on a date and its document.
NEEDS_DOCUMENT = frozenset({CleanupOutcome.ADMITTED, CleanupOutcome.REMOVED})


@transaction.atomic
def cleanup_record(
    *,
    actor: Any,
    cadre: Cadre,
    outcome: str,
    reason: str,
    decided_on: dt.date | None = None,
    document: str = "",
    correction_reason: str = "",
) -> CleanupCase:
    """Register (or update) the 凡进必考 cleanup case of `cadre`: the outcome,
    why, on what day and by which document (录用 and 清退 need one). Deciding
    a 待定 case is not a correction; changing the outcome, day or document of
    a decided case is: it needs `correction_reason` and is journalled
    old → new (decision 0187)."""
    cadre = Cadre.objects.select_for_update(of=("self",)).select_related("unit").get(pk=cadre.pk)
    require_unit(actor, ENTRY_PERM, cadre.unit)
    out = ErrorCollector()
    reason, document = reason.strip(), document.strip()
    if outcome not in CleanupOutcome.values:
        out.add("outcome", _("请选择处理结果。"))
    if not reason:
        out.add("reason", _("请填写进人方式不符合“凡进必考”的情况和处理理由。"))
    elif len(reason) > REASON_MAX:
        out.add("reason", _("情况和理由过长（最多 2000 个字）。"))
    if outcome == CleanupOutcome.PENDING:
        decided_on = None
    elif outcome in CleanupOutcome.values:
        if decided_on is None:
            out.add("decided_on", _("请填写处理日期（处理结果为“待定”时不填）。"))
        elif decided_on > today():
            out.add("decided_on", _("处理日期 %(d)s 晚于今天，请核对。") % {"d": _d(decided_on)})
    if len(document) > DOCUMENT_MAX:
        out.add("document", _("文号过长（最多 80 个字）。"))
    elif outcome in NEEDS_DOCUMENT and not document:
        out.add("document", _("录用或清退须填写文件文号。"))
    correction_reason = correction_reason.strip()
    case = CleanupCase.objects.filter(cadre=cadre).first()
    before = None if case is None else {"outcome": case.outcome}
    was = (
        None
        if case is None
        else {
            "outcome": case.outcome,
            "decided_on": case.decided_on.isoformat() if case.decided_on else None,
            "document": case.document,
        }
    )
    now = {
        "outcome": outcome,
        "decided_on": decided_on.isoformat() if decided_on else None,
        "document": document,
    }
    correcting = was is not None and was["outcome"] != CleanupOutcome.PENDING and was != now
    _check_correction_reason(out, correcting, correction_reason)
    out.raise_if_any(_("清理登记信息有误，未保存。"))
    if case is None:
        case = CleanupCase(cadre=cadre)
    if outcome != CleanupOutcome.PENDING:
        case.pending_since = None
    elif case.outcome != CleanupOutcome.PENDING or case.pending_since is None:
        case.pending_since = today()  # registered 待定, or set back to it
    case.outcome = outcome
    case.reason = reason
    case.decided_on = decided_on
    case.document = document
    case.updated_by = _actor_or_none(actor)
    case.save()
    if correcting:
        journal_record(
            actor=actor,
            event_type=EventType.WORKFORCE_CLEANUP_CORRECTED,
            subject=cadre,
            payload={"case": case.pk, "before": was, "after": now, "reason": correction_reason},
        )
        return case
    journal_record(
        actor=actor,
        event_type=EventType.WORKFORCE_CLEANUP_RECORDED,
        subject=cadre,
        payload={
            "case": case.pk,
            "outcome": outcome,
            "decided_on": decided_on.isoformat() if decided_on else None,
            "document": document,
            "before": before,
        },
    )
    return case
