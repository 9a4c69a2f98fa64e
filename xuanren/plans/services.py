"""Writes of the work plans (docs/decisions/0183–0186). Every service checks
the permission and the plan's unit, validates everything before writing
anything, and journals in the same transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any, TypeVar, cast

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from xuanren.access.policy import require_unit
from xuanren.common.dates import today
from xuanren.common.errors import Conflict, ErrorCollector
from xuanren.journal.models import EventType
from xuanren.journal.services import journal_record
from xuanren.org.models import Unit
from xuanren.plans.models import (
    PlanAttachment,
    PlanPhase,
    PlanReport,
    PlanTask,
    ReportSubmission,
    TaskStatus,
    WorkPlan,
)
from xuanren.plans.recurrence import DueRule, RuleKind, occurrences
from xuanren.plans.selectors import responsible_users
from xuanren.workdays.calendar import MAX_YEAR, MIN_YEAR

MANAGE_PERM = "plans.manage_workplan"
#: A submission's attachments: at most this many, each at most this size.
MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
#: Accepted types: extension → (content type, leading bytes).
ATTACHMENT_TYPES: dict[str, tuple[str, bytes]] = {
    "pdf": ("application/pdf", b"%PDF"),
    "jpg": ("image/jpeg", b"\xff\xd8\xff"),
    "jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    "png": ("image/png", b"\x89PNG"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        b"PK\x03\x04",
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04"),
}


def _d(day: dt.date) -> str:
    return f"{day:%Y.%m.%d}"


def _text(out: ErrorCollector, field: str, value: str, label: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        out.add(field, _("请填写%(f)s。") % {"f": label})
    elif len(value) > limit:
        out.add(field, _("%(f)s过长（最多 %(n)d 个字）。") % {"f": label, "n": limit})
    return value


def _optional(out: ErrorCollector, field: str, value: str, label: str, limit: int) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        out.add(field, _("%(f)s过长（最多 %(n)d 个字）。") % {"f": label, "n": limit})
    return value


def _lock(plan: WorkPlan) -> WorkPlan:
    return WorkPlan.objects.select_for_update(of=("self",)).select_related("unit").get(pk=plan.pk)


def _responsible(
    out: ErrorCollector, field: str, user: Any, *, actor: Any, keep: int | None = None
) -> Any:
    """A responsible person is an active user (any role) whose scope lies
    within the actor's, the page's choices (plans.selectors.responsible_users);
    a correction may keep the person already named (`keep`) as they are."""
    if user is None:
        return None
    pk: int = getattr(user, "pk", 0) or 0
    if keep is not None and pk == keep:
        return get_user_model().objects.filter(pk=pk).first()
    found = get_user_model().objects.filter(pk=pk, is_active=True).first()
    if found is None:
        out.add(field, _("责任人不是系统中的在用账号，请重新选择。"))
    elif not responsible_users(actor=actor).filter(pk=pk).exists():
        out.add(field, _("责任人不在您的管理范围内，请从可选的责任人中选择。"))
    return found


@transaction.atomic
def plan_create(
    *,
    actor: Any,
    unit: Unit,
    title: str,
    year: int,
    source_document: str,
    starts_on: dt.date,
    ends_on: dt.date,
) -> WorkPlan:
    """Record a work plan issued by `unit` for `year` (starts_on..ends_on)."""
    require_unit(actor, MANAGE_PERM, unit)
    out = ErrorCollector()
    title = _text(out, "title", title, _("方案名称"), 200)
    source_document = _text(out, "source_document", source_document, _("依据文件"), 200)
    if not MIN_YEAR <= year <= MAX_YEAR - 1:
        out.add("year", _("年度须在 %(a)d–%(b)d 之间。") % {"a": MIN_YEAR, "b": MAX_YEAR - 1})
    if ends_on < starts_on:
        out.add("ends_on", _("结束日期早于开始日期，请核对。"))
    elif not (starts_on.year <= year <= ends_on.year):
        out.add("starts_on", _("方案的起止日期须包含所属年度，请核对。"))
    elif not starts_on.year >= MIN_YEAR or ends_on.year > MAX_YEAR - 1:
        out.add("ends_on", _("起止日期超出工作日历的范围，请核对。"))
    out.raise_if_any(_("工作方案信息有误，未保存。"))
    plan = WorkPlan.objects.create(
        unit=unit,
        title=title,
        year=year,
        source_document=source_document,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    journal_record(
        actor=actor,
        event_type=EventType.PLAN_CREATED,
        subject=plan,
        payload={
            "unit": unit.pk,
            "title": title,
            "year": year,
            "source_document": source_document,
            "starts_on": starts_on,
            "ends_on": ends_on,
        },
    )
    return plan


def _within(out: ErrorCollector, field: str, plan: WorkPlan, day: dt.date, label: str) -> None:
    if not plan.starts_on <= day <= plan.ends_on:
        out.add(
            field,
            _("%(f)s %(d)s 不在方案期间（%(a)s–%(b)s）内，请核对。")
            % {"f": label, "d": _d(day), "a": _d(plan.starts_on), "b": _d(plan.ends_on)},
        )


@transaction.atomic
def phase_add(
    *, actor: Any, plan: WorkPlan, name: str, starts_on: dt.date, ends_on: dt.date
) -> PlanPhase:
    plan = _lock(plan)
    require_unit(actor, MANAGE_PERM, plan.unit)
    out = ErrorCollector()
    name = _text(out, "name", name, _("阶段名称"), 100)
    if ends_on < starts_on:
        out.add("ends_on", _("阶段结束日期早于开始日期，请核对。"))
    else:
        _within(out, "starts_on", plan, starts_on, _("阶段开始日期"))
        _within(out, "ends_on", plan, ends_on, _("阶段结束日期"))
    out.raise_if_any(_("方案阶段信息有误，未保存。"))
    phase = PlanPhase.objects.create(plan=plan, name=name, starts_on=starts_on, ends_on=ends_on)
    journal_record(
        actor=actor,
        event_type=EventType.PLAN_PHASE_ADDED,
        subject=plan,
        payload={"phase": phase.pk, "name": name, "starts_on": starts_on, "ends_on": ends_on},
    )
    return phase


@transaction.atomic
def task_add(
    *,
    actor: Any,
    plan: WorkPlan,
    title: str,
    office: str,
    deadline: dt.date,
    phase: PlanPhase | None = None,
    responsible: Any = None,
    source_article: str = "",
) -> PlanTask:
    """A task of the plan with its responsible office and person (责任科室、责任人)."""
    plan = _lock(plan)
    require_unit(actor, MANAGE_PERM, plan.unit)
    out = ErrorCollector()
    title = _text(out, "title", title, _("工作任务"), 300)
    office = _text(out, "office", office, _("责任科室"), 100)
    source_article = _optional(out, "source_article", source_article, _("方案条目"), 100)
    if phase is not None and phase.plan_id != plan.pk:
        out.add("phase", _("所选阶段不属于本方案，请重新选择。"))
    _within(out, "deadline", plan, deadline, _("完成时限"))
    person = _responsible(out, "responsible", responsible, actor=actor)
    out.raise_if_any(_("方案任务信息有误，未保存。"))
    task = PlanTask.objects.create(
        plan=plan,
        phase=phase,
        title=title,
        office=office,
        responsible=person,
        deadline=deadline,
        source_article=source_article,
    )
    journal_record(
        actor=actor,
        event_type=EventType.PLAN_TASK_ADDED,
        subject=plan,
        payload={
            "task": task.pk,
            "title": title,
            "office": office,
            "responsible": person.pk if person else None,
            "deadline": deadline,
            "phase": phase.pk if phase else None,
        },
    )
    return task


@transaction.atomic
def task_update(
    *,
    actor: Any,
    task: PlanTask,
    status: str,
    progress: str = "",
    done_on: dt.date | None = None,
) -> PlanTask:
    """Record a task's progress (工作进展程度); done needs the day it was done."""
    task = (
        PlanTask.objects.select_for_update(of=("self",))
        .select_related("plan__unit")
        .get(pk=task.pk)
    )
    require_unit(actor, MANAGE_PERM, task.plan.unit)
    out = ErrorCollector()
    progress = _optional(out, "progress", progress, _("工作进展"), 2000)
    if status not in TaskStatus.values:
        out.add("status", _("请选择进展状态：未开始、推进中或已完成。"))
    elif status == TaskStatus.DONE:
        if done_on is None:
            out.add("done_on", _("请填写完成日期。"))
        elif done_on > today():
            out.add("done_on", _("完成日期 %(d)s 晚于今天，请核对。") % {"d": _d(done_on)})
        elif done_on < task.plan.starts_on:
            out.add("done_on", _("完成日期早于方案开始日期，请核对。"))
    else:
        done_on = None
    out.raise_if_any(_("任务进展有误，未保存。"))
    task.status = status
    task.progress = progress
    task.done_on = done_on
    task.save(update_fields=["status", "progress", "done_on"])
    journal_record(
        actor=actor,
        event_type=EventType.PLAN_TASK_UPDATED,
        subject=task.plan,
        payload={"task": task.pk, "status": status, "progress": progress, "done_on": done_on},
    )
    return task


def validate_rule(out: ErrorCollector, rule: DueRule) -> None:
    if rule.kind not in RuleKind.values:
        out.add("rule_kind", _("请选择时限规则：指定日期、每季度、每半年或每年。"))
    elif rule.kind == RuleKind.ONCE:
        if rule.date is None:
            out.add("due_date", _("请填写报送时限。"))
    elif not 1 <= rule.day <= 31:
        out.add("rule_day", _("日须在 1–31 之间（超过当月天数时按当月最后一天）。"))
    elif rule.kind == RuleKind.YEARLY and not 1 <= rule.month <= 12:
        out.add("rule_month", _("每年报送的月份须在 1–12 之间。"))
    elif rule.kind != RuleKind.YEARLY and not 0 <= rule.month <= 6:
        out.add("rule_month", _("期末后的月数须在 0–6 之间（0 为期末当月，1 为次月）。"))


@transaction.atomic
def report_add(
    *,
    actor: Any,
    plan: WorkPlan,
    title: str,
    recipient: str,
    office: str,
    rule: DueRule,
    responsible: Any = None,
    source_article: str = "",
) -> PlanReport:
    """A report due under the plan: once (`rule.date`) or recurring."""
    plan = _lock(plan)
    require_unit(actor, MANAGE_PERM, plan.unit)
    out = ErrorCollector()
    title = _text(out, "title", title, _("报送事项"), 300)
    recipient = _text(out, "recipient", recipient, _("报送对象"), 200)
    office = _text(out, "office", office, _("责任科室"), 100)
    source_article = _optional(out, "source_article", source_article, _("方案条目"), 100)
    validate_rule(out, rule)
    if rule.kind == RuleKind.ONCE and rule.date is not None:
        _within(out, "due_date", plan, rule.date, _("报送时限"))
    person = _responsible(out, "responsible", responsible, actor=actor)
    out.raise_if_any(_("报送事项信息有误，未保存。"))
    once = rule.kind == RuleKind.ONCE
    report = PlanReport.objects.create(
        plan=plan,
        title=title,
        recipient=recipient,
        office=office,
        responsible=person,
        rule_kind=rule.kind,
        due_date=rule.date if once else None,
        rule_month=0 if once else rule.month,
        rule_day=0 if once else rule.day,
        next_working_day=rule.next_working_day,
        source_article=source_article,
    )
    journal_record(
        actor=actor,
        event_type=EventType.PLAN_REPORT_ADDED,
        subject=plan,
        payload={
            "report": report.pk,
            "title": title,
            "recipient": recipient,
            "office": office,
            "responsible": person.pk if person else None,
            "rule_kind": rule.kind,
            "due_date": report.due_date,
            "rule_month": report.rule_month,
            "rule_day": report.rule_day,
            "next_working_day": rule.next_working_day,
        },
    )
    return report


def _checked_files(files: Sequence[Any], out: ErrorCollector) -> list[tuple[str, str, bytes]]:
    """Type by extension and leading bytes; the declared size first, then at
    most the limit plus one byte read."""
    if len(files) > MAX_ATTACHMENTS:
        out.add("attachments", _("附件最多 %(n)d 个。") % {"n": MAX_ATTACHMENTS})
        return []
    mb = MAX_ATTACHMENT_BYTES // (1024 * 1024)
    checked = []
    for upload in files:
        name = str(getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1][-200:]
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if ext not in ATTACHMENT_TYPES:
            out.add(
                "attachments",
                _("附件“%(n)s”的类型不允许：只接受 PDF、JPG、PNG、DOCX、XLSX 文件。") % {"n": name},
            )
            continue
        size = getattr(upload, "size", None)
        if size is not None and size > MAX_ATTACHMENT_BYTES:
            out.add(
                "attachments",
                _("附件“%(n)s”超过 %(m)d MB，请压缩或拆分后上传。") % {"n": name, "m": mb},
            )
            continue
        if hasattr(upload, "seek"):
            upload.seek(0)
        data = bytes(upload.read(MAX_ATTACHMENT_BYTES + 1))
        if len(data) > MAX_ATTACHMENT_BYTES:
            out.add(
                "attachments",
                _("附件“%(n)s”超过 %(m)d MB，请压缩或拆分后上传。") % {"n": name, "m": mb},
            )
            continue
        if not data:
            out.add("attachments", _("附件“%(n)s”为空。") % {"n": name})
            continue
        content_type, magic = ATTACHMENT_TYPES[ext]
        if not data.startswith(magic):
            out.add("attachments", _("附件“%(n)s”的内容与其类型不符。") % {"n": name})
            continue
        checked.append((name, content_type, data))
    return checked


def _store(data: bytes) -> str:
    from xuanren.procedure.services import attachment_path

    sha = hashlib.sha256(data).hexdigest()
    path = attachment_path(sha)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(path)  # atomic: a reader never sees half a file
    return sha


@transaction.atomic
def report_submit(
    *,
    actor: Any,
    report: PlanReport,
    period_start: dt.date,
    submitted_on: dt.date,
    note: str = "",
    files: Sequence[Any] = (),
) -> ReportSubmission:
    """Record that the occurrence of `report` for the period starting on
    `period_start` was submitted, with its attachments. The permission is
    checked before a byte of any file is read."""
    report = PlanReport.objects.select_related("plan__unit").get(pk=report.pk)
    require_unit(actor, MANAGE_PERM, report.plan.unit)
    plan = report.plan
    out = ErrorCollector()
    note = _optional(out, "note", note, _("报送说明"), 2000)
    found = occurrences(report.rule, plan.starts_on, plan.ends_on, _working(plan, report))
    wanted = next((o for o in found if o.period_start == period_start), None)
    if wanted is None:
        out.add("period_start", _("该报送事项没有这一报送期间，请从列表中选择。"))
    if submitted_on > today():
        out.add("submitted_on", _("报送日期 %(d)s 晚于今天，请核对。") % {"d": _d(submitted_on)})
    elif submitted_on < plan.starts_on:
        out.add("submitted_on", _("报送日期早于方案开始日期，请核对。"))
    checked = _checked_files(files, out)
    out.raise_if_any(_("报送材料有误，未保存。"))
    assert wanted is not None
    try:
        with transaction.atomic():
            submission = ReportSubmission.objects.create(
                report=report,
                period_start=period_start,
                due=wanted.due,
                submitted_on=submitted_on,
                note=note,
                submitted_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError as exc:
        raise Conflict(
            _("%(t)s（%(p)s）已登记报送，请勿重复登记。") % {"t": report.title, "p": wanted.label}
        ) from exc
    files_out = []
    for name, content_type, data in checked:
        sha = _store(data)
        row = PlanAttachment.objects.create(
            submission=submission,
            name=name,
            content_type=content_type,
            size=len(data),
            sha256=sha,
            uploaded_by=submission.submitted_by,
        )
        files_out.append({"attachment": row.pk, "name": name, "sha256": sha, "size": len(data)})
    journal_record(
        actor=actor,
        event_type=EventType.PLAN_REPORT_SUBMITTED,
        subject=plan,
        payload={
            "report": report.pk,
            "submission": submission.pk,
            "period_start": period_start,
            "due": wanted.due,
            "submitted_on": submitted_on,
            "note": note,
            "attachments": files_out,
        },
    )
    return submission


def _working(plan: WorkPlan, report: PlanReport) -> Any:
    """The working calendar's predicate for the plan's years (and the next,
    where a last period's deadline falls), when the rule needs it."""
    if not report.next_working_day:
        return None
    from xuanren.workdays.selectors import working_calendar

    return working_calendar(range(plan.starts_on.year, plan.ends_on.year + 2)).is_working_day


@transaction.atomic
def plan_file(
    *, actor: Any, plan: WorkPlan, filed_to: str, filed_on: dt.date, filed_document: str = ""
) -> WorkPlan:
    """备案: the plan sent to the higher department."""
    plan = _lock(plan)
    require_unit(actor, MANAGE_PERM, plan.unit)
    out = ErrorCollector()
    filed_to = _text(out, "filed_to", filed_to, _("报送备案机关"), 100)
    filed_document = _optional(out, "filed_document", filed_document, _("报送文号"), 100)
    if filed_on > today():
        out.add("filed_on", _("报送日期 %(d)s 晚于今天，请核对。") % {"d": _d(filed_on)})
    if plan.acknowledged_on is not None:
        raise Conflict(_("该方案已收到备案回执，不能再修改报送备案信息。"))
    out.raise_if_any(_("报送备案信息有误，未保存。"))
    plan.filed_to, plan.filed_on, plan.filed_document = filed_to, filed_on, filed_document
    plan.save(update_fields=["filed_to", "filed_on", "filed_document"])
    journal_record(
        actor=actor,
        event_type=EventType.PLAN_FILED,
        subject=plan,
        payload={"filed_to": filed_to, "filed_on": filed_on, "filed_document": filed_document},
    )
    return plan


@transaction.atomic
def plan_acknowledge(
    *, actor: Any, plan: WorkPlan, acknowledged_on: dt.date, acknowledgement: str
) -> WorkPlan:
    """The higher department's acknowledgement (备案回执) of a filed plan."""
    plan = _lock(plan)
    require_unit(actor, MANAGE_PERM, plan.unit)
    out = ErrorCollector()
    acknowledgement = _text(out, "acknowledgement", acknowledgement, _("备案回执"), 200)
    if plan.filed_on is None:
        raise Conflict(_("该方案尚未报送备案，请先登记报送备案。"))
    if acknowledged_on > today():
        out.add(
            "acknowledged_on", _("回执日期 %(d)s 晚于今天，请核对。") % {"d": _d(acknowledged_on)}
        )
    elif acknowledged_on < plan.filed_on:
        out.add("acknowledged_on", _("回执日期早于报送日期，请核对。"))
    out.raise_if_any(_("备案回执信息有误，未保存。"))
    plan.acknowledged_on, plan.acknowledgement = acknowledged_on, acknowledgement
    plan.save(update_fields=["acknowledged_on", "acknowledgement"])
    journal_record(
        actor=actor,
        event_type=EventType.PLAN_ACKNOWLEDGED,
        subject=plan,
        payload={"acknowledged_on": acknowledged_on, "acknowledgement": acknowledgement},
    )
    return plan


# ---- corrections (docs/decisions/0189) ----------------------------------------------


def _changes(row: Any, new: dict[str, Any]) -> dict[str, list[Any]]:
    """The fields of `row` that `new` changes, as {field: [old, new]} (a
    foreign key by its id)."""
    out: dict[str, list[Any]] = {}
    for field, given in new.items():
        old, value = getattr(row, field), given
        old = old.pk if hasattr(old, "pk") else old
        value = value.pk if hasattr(value, "pk") else value
        if old != value:
            out[field] = [old, value]
    return out


def _apply(row: Any, new: dict[str, Any], changes: dict[str, list[Any]]) -> None:
    for field in changes:
        setattr(row, field, new[field])
    if changes:
        row.save(update_fields=list(changes))


def _orphaned(plan: WorkPlan, starts_on: dt.date, ends_on: dt.date, report: Any = None,
              rule: DueRule | None = None) -> list[str]:  # fmt: skip
    """The submitted periods that new plan dates (or a report's new rule)
    would no longer have: a submitted period is never dropped."""
    lost = []
    reports = [report] if report is not None else list(plan.reports.all())
    for r in reports:
        done = list(r.submissions.all())
        if not done:
            continue
        the_rule = rule if (rule is not None and r is report) else r.rule
        working = None
        if the_rule.next_working_day:
            from xuanren.workdays.selectors import working_calendar

            years = range(starts_on.year, ends_on.year + 2)
            working = working_calendar(years).is_working_day
        periods = {o.period_start for o in occurrences(the_rule, starts_on, ends_on, working)}
        lost += [
            f"{r.title}（{_d(s.period_start)}）" for s in done if s.period_start not in periods
        ]
    return lost


@transaction.atomic
def plan_edit(
    *,
    actor: Any,
    plan: WorkPlan,
    title: str,
    source_document: str,
    starts_on: dt.date,
    ends_on: dt.date,
) -> WorkPlan:
    """Correct a plan's title, source and dates. The phases, tasks and one-off
    report deadlines must stay within the new dates, and no submitted period
    may fall out of them."""
    plan = _lock(plan)
    require_unit(actor, MANAGE_PERM, plan.unit)
    out = ErrorCollector()
    title = _text(out, "title", title, _("方案名称"), 200)
    source_document = _text(out, "source_document", source_document, _("依据文件"), 200)
    if ends_on < starts_on:
        out.add("ends_on", _("结束日期早于开始日期，请核对。"))
    elif not (starts_on.year <= plan.year <= ends_on.year):
        out.add("starts_on", _("方案的起止日期须包含所属年度，请核对。"))
    elif starts_on.year < MIN_YEAR or ends_on.year > MAX_YEAR - 1:
        out.add("ends_on", _("起止日期超出工作日历的范围，请核对。"))
    else:
        outside = [
            ph.name for ph in plan.phases.all() if ph.starts_on < starts_on or ph.ends_on > ends_on
        ]
        outside += [t.title for t in plan.tasks.all() if not starts_on <= t.deadline <= ends_on]
        outside += [r.title for r in plan.reports.all()
                    if r.due_date is not None and not starts_on <= r.due_date <= ends_on]  # fmt: skip
        if outside:
            out.add(
                "starts_on",
                _("以下阶段、任务或报送时限将不在新的方案期间内，请先修改它们：%(l)s。")
                % {"l": "、".join(outside[:5])},
            )
        lost = _orphaned(plan, starts_on, ends_on)
        if lost:
            out.add(
                "ends_on",
                _("以下已报送的期间将不在新的方案期间内，已报送的期间不能删除：%(l)s。")
                % {"l": "、".join(lost[:5])},
            )
    out.raise_if_any(_("工作方案信息有误，未保存。"))
    new = {"title": title, "source_document": source_document,
           "starts_on": starts_on, "ends_on": ends_on}  # fmt: skip
    changes = _changes(plan, new)
    _apply(plan, new, changes)
    journal_record(actor=actor, event_type=EventType.PLAN_EDITED, subject=plan,
                   payload={"changes": changes})  # fmt: skip
    return plan


@transaction.atomic
def phase_edit(
    *, actor: Any, phase: PlanPhase, name: str, starts_on: dt.date, ends_on: dt.date
) -> PlanPhase:
    phase = PlanPhase.objects.select_for_update(of=("self",)).get(pk=phase.pk)
    plan = _lock(phase.plan)
    require_unit(actor, MANAGE_PERM, plan.unit)
    out = ErrorCollector()
    name = _text(out, "name", name, _("阶段名称"), 100)
    if ends_on < starts_on:
        out.add("ends_on", _("阶段结束日期早于开始日期，请核对。"))
    else:
        _within(out, "starts_on", plan, starts_on, _("阶段开始日期"))
        _within(out, "ends_on", plan, ends_on, _("阶段结束日期"))
    out.raise_if_any(_("方案阶段信息有误，未保存。"))
    new = {"name": name, "starts_on": starts_on, "ends_on": ends_on}
    changes = _changes(phase, new)
    _apply(phase, new, changes)
    journal_record(actor=actor, event_type=EventType.PLAN_PHASE_EDITED, subject=plan,
                   payload={"phase": phase.pk, "changes": changes})  # fmt: skip
    return phase


_Row = TypeVar("_Row", PlanTask, PlanReport)


def _locked(row: _Row) -> _Row:
    """A task or report of a plan, read again under a row lock with its plan's unit."""
    return cast(
        "_Row",
        type(row)
        ._default_manager.select_for_update(of=("self",))
        .select_related("plan__unit")
        .get(pk=row.pk),
    )


@transaction.atomic
def task_edit(
    *,
    actor: Any,
    task: PlanTask,
    title: str,
    office: str,
    deadline: dt.date,
    phase: PlanPhase | None = None,
    responsible: Any = None,
    source_article: str = "",
) -> PlanTask:
    """Correct a task's title, office, person, deadline (and phase, article);
    its progress is recorded by task_update."""
    task = _locked(task)
    plan = task.plan
    require_unit(actor, MANAGE_PERM, plan.unit)
    out = ErrorCollector()
    title = _text(out, "title", title, _("工作任务"), 300)
    office = _text(out, "office", office, _("责任科室"), 100)
    source_article = _optional(out, "source_article", source_article, _("方案条目"), 100)
    if phase is not None and phase.plan_id != plan.pk:
        out.add("phase", _("所选阶段不属于本方案，请重新选择。"))
    _within(out, "deadline", plan, deadline, _("完成时限"))
    person = _responsible(out, "responsible", responsible, actor=actor, keep=task.responsible_id)
    out.raise_if_any(_("方案任务信息有误，未保存。"))
    new = {"title": title, "office": office, "deadline": deadline, "phase": phase,
           "responsible": person, "source_article": source_article}  # fmt: skip
    changes = _changes(task, new)
    _apply(task, new, changes)
    journal_record(actor=actor, event_type=EventType.PLAN_TASK_EDITED, subject=plan,
                   payload={"task": task.pk, "changes": changes})  # fmt: skip
    return task


@transaction.atomic
def task_withdraw(*, actor: Any, task: PlanTask) -> None:
    """Withdraw (delete) a task entered by mistake: only while it has no
    progress (未开始, nothing written)."""
    task = _locked(task)
    plan = task.plan
    require_unit(actor, MANAGE_PERM, plan.unit)
    if task.status != TaskStatus.PENDING or task.progress:
        raise Conflict(
            _("任务“%(t)s”已登记进展，不能撤回；如任务调整，请在进展中写明。") % {"t": task.title}
        )
    payload = {"task": task.pk, "title": task.title, "office": task.office,
               "deadline": task.deadline, "responsible": task.responsible_id}  # fmt: skip
    task.delete()
    journal_record(actor=actor, event_type=EventType.PLAN_TASK_WITHDRAWN, subject=plan,
                   payload=payload)  # fmt: skip


@transaction.atomic
def report_edit(
    *,
    actor: Any,
    report: PlanReport,
    title: str,
    recipient: str,
    office: str,
    rule: DueRule,
    responsible: Any = None,
    source_article: str = "",
) -> PlanReport:
    """Correct a report due: its title, recipient, office, person and rule. A
    new rule may not drop a period already submitted."""
    report = _locked(report)
    plan = report.plan
    require_unit(actor, MANAGE_PERM, plan.unit)
    out = ErrorCollector()
    title = _text(out, "title", title, _("报送事项"), 300)
    recipient = _text(out, "recipient", recipient, _("报送对象"), 200)
    office = _text(out, "office", office, _("责任科室"), 100)
    source_article = _optional(out, "source_article", source_article, _("方案条目"), 100)
    validate_rule(out, rule)
    if rule.kind == RuleKind.ONCE and rule.date is not None:
        _within(out, "due_date", plan, rule.date, _("报送时限"))
    person = _responsible(out, "responsible", responsible, actor=actor, keep=report.responsible_id)
    once = rule.kind == RuleKind.ONCE
    clean = DueRule(
        kind=rule.kind,
        date=rule.date if once else None,
        month=0 if once else rule.month,
        day=0 if once else rule.day,
        next_working_day=rule.next_working_day,
    )
    if not out.errors:
        lost = _orphaned(plan, plan.starts_on, plan.ends_on, report, clean)
        if lost:
            out.add(
                "rule_kind",
                _("新的时限规则下没有以下已报送的期间，已报送的期间不能删除：%(l)s。")
                % {"l": "、".join(lost[:5])},
            )
    out.raise_if_any(_("报送事项信息有误，未保存。"))
    new = {"title": title, "recipient": recipient, "office": office, "responsible": person,
           "rule_kind": clean.kind, "due_date": clean.date, "rule_month": clean.month,
           "rule_day": clean.day, "next_working_day": clean.next_working_day,
           "source_article": source_article}  # fmt: skip
    changes = _changes(report, new)
    _apply(report, new, changes)
    journal_record(actor=actor, event_type=EventType.PLAN_REPORT_EDITED, subject=plan,
                   payload={"report": report.pk, "changes": changes})  # fmt: skip
    return report


@transaction.atomic
def report_withdraw(*, actor: Any, report: PlanReport) -> None:
    """Withdraw (delete) a report due entered by mistake: only while none of
    its periods has been submitted."""
    report = _locked(report)
    plan = report.plan
    require_unit(actor, MANAGE_PERM, plan.unit)
    submitted = report.submissions.count()
    if submitted:
        raise Conflict(
            _("报送事项“%(t)s”已有 %(n)d 个期间登记报送，已报送的期间不能删除，因此不能撤回；"
              "如不再报送，请修改其时限规则或名称说明。") % {"t": report.title, "n": submitted}
        )  # fmt: skip
    payload = {"report": report.pk, "title": report.title, "recipient": report.recipient,
               "office": report.office, "rule_kind": report.rule_kind,
               "due_date": report.due_date, "rule_month": report.rule_month,
               "rule_day": report.rule_day}  # fmt: skip
    report.delete()
    journal_record(actor=actor, event_type=EventType.PLAN_REPORT_WITHDRAWN, subject=plan,
                   payload=payload)  # fmt: skip
