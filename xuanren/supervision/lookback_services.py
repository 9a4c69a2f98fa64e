"""回头看 writes: making a run (its findings and one rectification task per
finding, unassigned), assigning a task (responsible person and deadline) and
closing it with its outcome. Each is one transaction with its journal event
(docs/decisions/0124–0126)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xuanren.access.policy import has_perm, require_perm, unit_in_scope
from xuanren.common.dates import today
from xuanren.common.errors import Conflict, ErrorCollector, NotFound, PermissionDenied
from xuanren.journal.models import EventType
from xuanren.journal.services import journal_record
from xuanren.org.models import Level, Unit
from xuanren.supervision.lookback_selectors import (
    RUN_LOOKBACK,
    VIEW_RUNS,
    lookback_appointments,
)
from xuanren.supervision.models import LookbackFinding, LookbackRun, RectificationTask

MAX_NAME = 100
MAX_OUTCOME = 2000
#: The longest period one run may cover (the seed's 回头看 covered 2014-09 on).
MAX_PERIOD_DAYS = 366 * 15


@transaction.atomic
def lookback_run_create(
    *,
    actor: Any,
    name: str,
    unit: Unit,
    start: dt.date,
    end: dt.date,
    levels: Sequence[str] = (),
) -> LookbackRun:
    """Re-check every appointment decided from `start` to `end` in `unit`'s
    subtree (at `levels`, all when empty) and record each problem found as a
    finding with its rectification task."""
    require_perm(actor, RUN_LOOKBACK)
    if not unit_in_scope(actor, unit):
        raise NotFound(_("未找到该单位，或其不在您的管理范围内。"))
    out = ErrorCollector()
    name = _required_text(
        out,
        "name",
        name,
        MAX_NAME,
        empty=_("请填写回头看的名称。"),
        too_long=_("名称不能超过 %(n)d 个字。") % {"n": MAX_NAME},
    )
    if end < start:
        out.add("end", _("截止日期不能早于起始日期。"))
    elif (end - start).days > MAX_PERIOD_DAYS:
        out.add("end", _("检查期间不能超过十五年。"))
    if end > today():
        out.add("end", _("截止日期不能晚于今天。"))
    codes = list(dict.fromkeys(levels))
    unknown = [c for c in codes if c not in Level.values]
    if unknown:
        out.add("levels", _("职务层次无效：%(c)s。") % {"c": "、".join(unknown)})
    out.raise_if_any(_("回头看的条件有误，未开展。"))
    found = lookback_appointments(actor=actor, unit=unit, start=start, end=end, levels=codes)
    run = LookbackRun.objects.create(
        name=name,
        period_start=start,
        period_end=end,
        unit=unit,
        levels=codes,
        appointments=len(found),
        created_by=actor,
        created_at=timezone.now(),
    )
    findings = LookbackFinding.objects.bulk_create(
        LookbackFinding(
            run=run,
            kind=p.kind,
            candidate_id=a.candidate_id,
            case_id=a.case_id,
            cadre_id=a.cadre_id,
            what=p.what,
            as_of=p.as_of,
            source=p.source[:200],
        )
        for a in found
        for p in a.problems
    )
    RectificationTask.objects.bulk_create(RectificationTask(finding=f) for f in findings)
    kinds: dict[str, int] = {}
    for f in findings:
        kinds[f.kind] = kinds.get(f.kind, 0) + 1
    journal_record(
        actor=actor,
        event_type=EventType.LOOKBACK_RUN,
        subject=run,
        payload={
            "name": name,
            "unit": unit.pk,
            "start": start,
            "end": end,
            "levels": codes,
            "appointments": len(found),
            "findings": kinds,
        },
    )
    return run


def _task_for_update(actor: Any, task: RectificationTask) -> RectificationTask:
    locked = (
        RectificationTask.objects.select_for_update()
        .select_related("finding__run__unit")
        .filter(pk=task.pk)
        .first()
    )
    if locked is None:
        raise NotFound(_("未找到该整改任务，或其不在您的管理范围内。"))
    return locked


@transaction.atomic
def rectification_assign(
    *, actor: Any, task: RectificationTask, responsible: Any, deadline: dt.date
) -> RectificationTask:
    """Name who answers for the rectification and by when; may be done again
    while the task is open (a new person or deadline)."""
    task = _task_for_update(actor, task)
    unit = task.finding.run.unit
    if not has_perm(actor, VIEW_RUNS) or not unit_in_scope(actor, unit):
        raise NotFound(_("未找到该整改任务，或其不在您的管理范围内。"))
    require_perm(actor, RUN_LOOKBACK)
    if task.closed_at is not None:
        raise Conflict(_("该整改任务已经办结，不能再分派。"))
    out = ErrorCollector()
    user = get_user_model().objects.filter(pk=getattr(responsible, "pk", 0) or 0).first()
    if user is None or not user.is_active:
        out.add("responsible", _("请选择在用的整改责任人。"))
    elif not unit_in_scope(user, unit):
        out.add("responsible", _("整改责任人的管理范围不包括“%(u)s”。") % {"u": unit.name})
    if deadline < today():
        out.add("deadline", _("整改期限不能早于今天。"))
    out.raise_if_any(_("整改任务未分派。"))
    assert user is not None  # refused above
    task.responsible = user
    task.deadline = deadline
    task.save(update_fields=["responsible", "deadline"])
    journal_record(
        actor=actor,
        event_type=EventType.RECTIFICATION_ASSIGNED,
        subject=task,
        payload={"finding": task.finding_id, "responsible": user.pk, "deadline": deadline},
    )
    return task


@transaction.atomic
def rectification_close(*, actor: Any, task: RectificationTask, outcome: str) -> RectificationTask:
    """Record what was done: by the responsible person, or by whoever runs
    回头看 in the run's scope."""
    task = _task_for_update(actor, task)
    unit = task.finding.run.unit
    own = task.responsible_id is not None and task.responsible_id == getattr(actor, "pk", None)
    runs = has_perm(actor, RUN_LOOKBACK) and unit_in_scope(actor, unit)
    if not own and not runs:
        if has_perm(actor, VIEW_RUNS) and unit_in_scope(actor, unit):
            raise PermissionDenied(_("只有整改责任人或组织部门经办人可以办结整改任务。"))
        raise NotFound(_("未找到该整改任务，或其不在您的管理范围内。"))
    if task.closed_at is not None:
        raise Conflict(_("该整改任务已经办结。"))
    out = ErrorCollector()
    outcome = _required_text(
        out,
        "outcome",
        outcome,
        MAX_OUTCOME,
        empty=_("请填写整改结果。"),
        too_long=_("整改结果不能超过 %(n)d 个字。") % {"n": MAX_OUTCOME},
    )
    out.raise_if_any(_("整改任务未办结。"))
    task.outcome = outcome
    task.closed_at = timezone.now()
    task.closed_by = actor
    task.save(update_fields=["outcome", "closed_at", "closed_by"])
    journal_record(
        actor=actor,
        event_type=EventType.RECTIFICATION_CLOSED,
        subject=task,
        payload={"finding": task.finding_id, "outcome_chars": len(outcome)},
    )
    return task


def _run_for_update(actor: Any, run: LookbackRun) -> LookbackRun:
    locked = (
        LookbackRun.objects.select_for_update().select_related("unit").filter(pk=run.pk).first()
    )
    if locked is None or not has_perm(actor, VIEW_RUNS) or not unit_in_scope(actor, locked.unit):
        raise NotFound(_("未找到该回头看，或其不在您的管理范围内。"))
    require_perm(actor, RUN_LOOKBACK)
    return locked


@transaction.atomic
def lookback_file(
    *, actor: Any, run: LookbackRun, filed_to: str, filed_on: dt.date, document: str, report: bytes
) -> LookbackRun:
    """备案: the report (the file sent, kept by its hash) filed with the higher
    department on `filed_on`. Filed once; a correction is a new run."""
    run = _run_for_update(actor, run)
    if run.filed_on is not None:
        raise Conflict(_("该回头看报告已经报送备案。"))
    out = ErrorCollector()
    document = document.strip()
    filed_to = _required_text(
        out,
        "filed_to",
        filed_to,
        100,
        empty=_("请填写报送备案的上级机关。"),
        too_long=_("报送备案机关不能超过 100 个字。"),
    )
    if len(document) > 100:
        out.add("document", _("报送文号不能超过 100 个字。"))
    if filed_on > today():
        out.add("filed_on", _("报送日期不能晚于今天。"))
    if not report:
        out.add("report", _("请附上报送的报告文件。"))
    out.raise_if_any(_("未报送备案。"))
    run.filed_to = filed_to
    run.filed_on = filed_on
    run.filed_document = document
    run.filed_sha256 = hashlib.sha256(report).hexdigest()
    run.save(update_fields=["filed_to", "filed_on", "filed_document", "filed_sha256"])
    journal_record(
        actor=actor,
        event_type=EventType.LOOKBACK_FILED,
        subject=run,
        payload={
            "filed_to": filed_to,
            "filed_on": filed_on,
            "document": document,
            "sha256": run.filed_sha256,
        },
    )
    return run


@transaction.atomic
def lookback_acknowledge(
    *, actor: Any, run: LookbackRun, acknowledged_on: dt.date, acknowledgement: str
) -> LookbackRun:
    """The higher department's acknowledgement (备案回执) of a filed report."""
    run = _run_for_update(actor, run)
    if run.filed_on is None:
        raise Conflict(_("该回头看报告尚未报送备案，不能记录回执。"))
    if run.acknowledged_on is not None:
        raise Conflict(_("已经记录了备案回执。"))
    out = ErrorCollector()
    acknowledgement = _required_text(
        out,
        "acknowledgement",
        acknowledgement,
        200,
        empty=_("请填写备案回执（如回执文号或经办人）。"),
        too_long=_("备案回执不能超过 200 个字。"),
    )
    if acknowledged_on < run.filed_on:
        out.add("acknowledged_on", _("回执日期不能早于报送日期。"))
    elif acknowledged_on > today():
        out.add("acknowledged_on", _("回执日期不能晚于今天。"))
    out.raise_if_any(_("未记录备案回执。"))
    run.acknowledged_on = acknowledged_on
    run.acknowledgement = acknowledgement
    run.save(update_fields=["acknowledged_on", "acknowledgement"])
    journal_record(
        actor=actor,
        event_type=EventType.LOOKBACK_ACKNOWLEDGED,
        subject=run,
        payload={"acknowledged_on": acknowledged_on, "acknowledgement": acknowledgement},
    )
    return run


def _required_text(
    out: ErrorCollector, field: str, value: str, limit: int, *, empty: str, too_long: str
) -> str:
    """`value` trimmed; an error on `field` when it is empty or longer than `limit`."""
    value = value.strip()
    if not value:
        out.add(field, empty)
    elif len(value) > limit:
        out.add(field, too_long)
    return value
