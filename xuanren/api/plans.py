"""工作方案 (issue 16, docs/decisions/0183–0186): the same selectors and
services as the pages (out of scope: 404; may read but not write: 403).

(No `from __future__ import annotations` in the routers: ninja reads the
parameter annotations at import time.)"""

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.responses import Status

from xuanren.api.auth import actor_of
from xuanren.api.errors import ERROR_RESPONSES, ErrorOut
from xuanren.common.errors import NotFound
from xuanren.org.selectors import unit_get
from xuanren.plans.models import PlanTask, WorkPlan
from xuanren.plans.recurrence import DueRule, describe
from xuanren.plans.selectors import (
    phase_get,
    plan_get,
    plans,
    report_get,
    report_lines,
    task_get,
)
from xuanren.plans.services import (
    phase_add,
    phase_edit,
    plan_create,
    plan_edit,
    report_add,
    report_edit,
    report_submit,
    report_withdraw,
    task_add,
    task_edit,
    task_update,
    task_withdraw,
)

router = Router(tags=["工作方案"])
WRITE_RESPONSES = {**ERROR_RESPONSES, 409: ErrorOut, 422: ErrorOut}


class PlanIn(Schema):
    unit: int
    title: str
    year: int
    source_document: str
    starts_on: dt.date
    ends_on: dt.date


class PlanEditIn(Schema):
    """A plan's correction: its unit and year stay."""

    title: str
    source_document: str
    starts_on: dt.date
    ends_on: dt.date


class PhaseIn(Schema):
    name: str
    starts_on: dt.date
    ends_on: dt.date


class TaskIn(Schema):
    """A task; `phase` one of the plan's phases, `responsible` a user id."""

    title: str
    office: str
    deadline: dt.date
    phase: int | None = None
    responsible: int | None = None
    source_article: str = ""


class ProgressIn(Schema):
    """`status`: pending, ongoing or done (with `done_on`)."""

    status: str
    progress: str = ""
    done_on: dt.date | None = None


class ReportIn(Schema):
    """`rule_kind`: once (with `due_date`), quarterly or half_yearly (`rule_month`
    months after the period's last month, `rule_day`), yearly (`rule_month`,
    `rule_day`); `next_working_day` moves a rest-day deadline."""

    title: str
    recipient: str
    office: str
    rule_kind: str
    due_date: dt.date | None = None
    rule_month: int = 0
    rule_day: int = 0
    next_working_day: bool = False
    responsible: int | None = None
    source_article: str = ""


class SubmitIn(Schema):
    """The period a deadline reports on (its `period_start`), without files
    (attachments are uploaded on the page)."""

    period_start: dt.date
    submitted_on: dt.date
    note: str = ""


class PhaseOut(Schema):
    id: int
    name: str
    starts_on: dt.date
    ends_on: dt.date


class TaskOut(Schema):
    id: int
    phase_id: int | None
    title: str
    office: str
    responsible_id: int | None
    deadline: dt.date
    status: str
    status_label: str
    progress: str
    done_on: dt.date | None
    source_article: str


class DeadlineOut(Schema):
    report_id: int
    period_start: dt.date
    period_end: dt.date
    period_label: str
    nominal: dt.date
    due: dt.date
    submitted_on: dt.date | None


class ReportOut(Schema):
    id: int
    title: str
    recipient: str
    office: str
    responsible_id: int | None
    rule_kind: str
    rule: str
    source_article: str


class PlanOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    title: str
    year: int
    source_document: str
    starts_on: dt.date
    ends_on: dt.date
    filed_to: str
    filed_on: dt.date | None
    acknowledged_on: dt.date | None
    acknowledgement: str


class PlanDetailOut(PlanOut):
    phases: list[PhaseOut]
    tasks: list[TaskOut]
    reports: list[ReportOut]
    deadlines: list[DeadlineOut]


def _plan(p: WorkPlan) -> dict[str, Any]:
    return {
        "id": p.pk,
        "unit_id": p.unit_id,
        "unit_name": p.unit.name,
        "title": p.title,
        "year": p.year,
        "source_document": p.source_document,
        "starts_on": p.starts_on,
        "ends_on": p.ends_on,
        "filed_to": p.filed_to,
        "filed_on": p.filed_on,
        "acknowledged_on": p.acknowledged_on,
        "acknowledgement": p.acknowledgement,
    }


def _task(t: PlanTask) -> dict[str, Any]:
    return {
        "id": t.pk,
        "phase_id": t.phase_id,
        "title": t.title,
        "office": t.office,
        "responsible_id": t.responsible_id,
        "deadline": t.deadline,
        "status": t.status,
        "status_label": t.get_status_display(),
        "progress": t.progress,
        "done_on": t.done_on,
        "source_article": t.source_article,
    }


def _detail(p: WorkPlan) -> dict[str, Any]:
    reports = list(p.reports.all())
    return {
        **_plan(p),
        "phases": [
            {"id": ph.pk, "name": ph.name, "starts_on": ph.starts_on, "ends_on": ph.ends_on}
            for ph in p.phases.all()
        ],
        "tasks": [_task(t) for t in p.tasks.all()],
        "reports": [
            {
                "id": r.pk,
                "title": r.title,
                "recipient": r.recipient,
                "office": r.office,
                "responsible_id": r.responsible_id,
                "rule_kind": r.rule_kind,
                "rule": describe(r.rule),
                "source_article": r.source_article,
            }
            for r in reports
        ],
        "deadlines": [
            {
                "report_id": line.report.pk,
                "period_start": line.occurrence.period_start,
                "period_end": line.occurrence.period_end,
                "period_label": line.occurrence.label,
                "nominal": line.occurrence.nominal,
                "due": line.occurrence.due,
                "submitted_on": line.submission.submitted_on if line.submission else None,
            }
            for line in report_lines(p, reports)
        ],
    }


def _phase(plan: WorkPlan, pk: int | None) -> Any:
    """One of the plan's own phases, or none."""
    if pk is None:
        return None
    phase = next((ph for ph in plan.phases.all() if ph.pk == pk), None)
    if phase is None:
        raise NotFound(_("本方案没有这个阶段。"))
    return phase


def _task_fields(plan: WorkPlan, payload: TaskIn) -> dict[str, Any]:
    """A task's payload as task_add's and task_edit's keywords."""
    return {
        "title": payload.title,
        "office": payload.office,
        "deadline": payload.deadline,
        "phase": _phase(plan, payload.phase),
        "responsible": _user(payload.responsible),
        "source_article": payload.source_article,
    }


def _report_fields(payload: ReportIn) -> dict[str, Any]:
    """A report due's payload as report_add's and report_edit's keywords."""
    rule = DueRule(
        kind=payload.rule_kind,
        date=payload.due_date,
        month=payload.rule_month,
        day=payload.rule_day,
        next_working_day=payload.next_working_day,
    )
    return {
        "title": payload.title,
        "recipient": payload.recipient,
        "office": payload.office,
        "rule": rule,
        "responsible": _user(payload.responsible),
        "source_article": payload.source_article,
    }


def _user(pk: int | None) -> Any:
    if pk is None:
        return None
    found = get_user_model().objects.filter(pk=pk).first()
    if found is None:
        raise NotFound(_("未找到该责任人账号。"))
    return found


@router.get("/plans", summary="工作方案列表", response={200: list[PlanOut], **ERROR_RESPONSES})
def plan_list(request: HttpRequest, year: int | None = None) -> Any:
    """本人管理范围内单位的工作方案（最多 200 个），年度新者在前。"""
    return [_plan(p) for p in plans(actor=actor_of(request), year=year)[:200]]


@router.get(
    "/plans/{int:plan_id}", summary="工作方案详情", response={200: PlanDetailOut, **ERROR_RESPONSES}
)
def plan_detail(request: HttpRequest, plan_id: int) -> Any:
    """方案的阶段、任务、报送事项及按时限规则推算的每一个报送时限和报送情况。"""
    return _detail(plan_get(actor=actor_of(request), pk=plan_id))


@router.post("/plans", summary="登记工作方案", response={201: PlanDetailOut, **WRITE_RESPONSES})
def plan_new(request: HttpRequest, payload: PlanIn) -> Any:
    actor = actor_of(request)
    unit = unit_get(actor=actor, pk=payload.unit)
    made = plan_create(actor=actor, unit=unit, **payload.dict(exclude={"unit"}))
    return Status(201, _detail(plan_get(actor=actor, pk=made.pk)))


@router.post(
    "/plans/{int:plan_id}/tasks", summary="增加方案任务", response={201: TaskOut, **WRITE_RESPONSES}
)
def task_new(request: HttpRequest, plan_id: int, payload: TaskIn) -> Any:
    actor = actor_of(request)
    plan = plan_get(actor=actor, pk=plan_id)
    made = task_add(actor=actor, plan=plan, **_task_fields(plan, payload))
    return Status(201, _task(task_get(actor=actor, pk=made.pk)))


@router.post(
    "/plans/tasks/{int:task_id}/progress",
    summary="登记任务进展",
    response={200: TaskOut, **WRITE_RESPONSES},
)
def task_progress(request: HttpRequest, task_id: int, payload: ProgressIn) -> Any:
    actor = actor_of(request)
    task = task_get(actor=actor, pk=task_id)
    task_update(
        actor=actor,
        task=task,
        status=payload.status,
        progress=payload.progress,
        done_on=payload.done_on,
    )
    return _task(task_get(actor=actor, pk=task.pk))


@router.post(
    "/plans/{int:plan_id}/reports",
    summary="增加报送事项",
    response={201: PlanDetailOut, **WRITE_RESPONSES},
)
def report_new(request: HttpRequest, plan_id: int, payload: ReportIn) -> Any:
    actor = actor_of(request)
    plan = plan_get(actor=actor, pk=plan_id)
    report_add(actor=actor, plan=plan, **_report_fields(payload))
    return Status(201, _detail(plan_get(actor=actor, pk=plan.pk)))


@router.post(
    "/plans/reports/{int:report_id}/submissions",
    summary="登记报送",
    response={201: PlanDetailOut, **WRITE_RESPONSES},
)
def report_submission(request: HttpRequest, report_id: int, payload: SubmitIn) -> Any:
    """登记某一报送期间已报送（同一期间只登记一次，重复时 409）。"""
    actor = actor_of(request)
    report = report_get(actor=actor, pk=report_id)
    report_submit(
        actor=actor,
        report=report,
        period_start=payload.period_start,
        submitted_on=payload.submitted_on,
        note=payload.note,
    )
    return Status(201, _detail(plan_get(actor=actor, pk=report.plan_id)))


# ---- corrections (docs/decisions/0189): the pages' services, the same checks ------


@router.put(
    "/plans/{int:plan_id}", summary="修改工作方案", response={200: PlanDetailOut, **WRITE_RESPONSES}
)
def plan_change(request: HttpRequest, plan_id: int, payload: PlanEditIn) -> Any:
    """更正方案名称、依据文件和起止日期（单位和年度不变）。阶段、任务和一次性报送时限须仍在新的
    期间内，已报送的期间不能落到期间之外；修改前后的值记入操作日志。"""
    actor = actor_of(request)
    plan = plan_get(actor=actor, pk=plan_id)
    plan_edit(actor=actor, plan=plan, **payload.dict())
    return _detail(plan_get(actor=actor, pk=plan.pk))


@router.post(
    "/plans/{int:plan_id}/phases",
    summary="增加方案阶段",
    response={201: PlanDetailOut, **WRITE_RESPONSES},
)
def phase_new(request: HttpRequest, plan_id: int, payload: PhaseIn) -> Any:
    actor = actor_of(request)
    plan = plan_get(actor=actor, pk=plan_id)
    phase_add(actor=actor, plan=plan, **payload.dict())
    return Status(201, _detail(plan_get(actor=actor, pk=plan.pk)))


@router.put(
    "/plans/phases/{int:phase_id}",
    summary="修改方案阶段",
    response={200: PlanDetailOut, **WRITE_RESPONSES},
)
def phase_change(request: HttpRequest, phase_id: int, payload: PhaseIn) -> Any:
    actor = actor_of(request)
    phase = phase_get(actor=actor, pk=phase_id)
    phase_edit(actor=actor, phase=phase, **payload.dict())
    return _detail(plan_get(actor=actor, pk=phase.plan_id))


@router.put(
    "/plans/tasks/{int:task_id}", summary="修改方案任务", response={200: TaskOut, **WRITE_RESPONSES}
)
def task_change(request: HttpRequest, task_id: int, payload: TaskIn) -> Any:
    """更正任务的名称、责任科室、责任人、完成时限、阶段和方案条目（进展另行登记）。"""
    actor = actor_of(request)
    task = task_get(actor=actor, pk=task_id)
    task_edit(actor=actor, task=task, **_task_fields(task.plan, payload))
    return _task(task_get(actor=actor, pk=task.pk))


@router.delete(
    "/plans/tasks/{int:task_id}", summary="撤回方案任务", response={204: None, **WRITE_RESPONSES}
)
def task_delete(request: HttpRequest, task_id: int) -> Any:
    """撤回误录的任务（记入操作日志）；已登记进展的任务不能撤回（409）。"""
    actor = actor_of(request)
    task_withdraw(actor=actor, task=task_get(actor=actor, pk=task_id))
    return Status(204, None)


@router.put(
    "/plans/reports/{int:report_id}",
    summary="修改报送事项",
    response={200: PlanDetailOut, **WRITE_RESPONSES},
)
def report_change(request: HttpRequest, report_id: int, payload: ReportIn) -> Any:
    """更正报送事项及其时限规则；已登记报送的期间不能因新规则而消失。"""
    actor = actor_of(request)
    report = report_get(actor=actor, pk=report_id)
    report_edit(actor=actor, report=report, **_report_fields(payload))
    return _detail(plan_get(actor=actor, pk=report.plan_id))


@router.delete(
    "/plans/reports/{int:report_id}",
    summary="撤回报送事项",
    response={204: None, **WRITE_RESPONSES},
)
def report_delete(request: HttpRequest, report_id: int) -> Any:
    """撤回误录的报送事项（记入操作日志）；已有期间登记报送的不能撤回（409）。"""
    actor = actor_of(request)
    report_withdraw(actor=actor, report=report_get(actor=actor, pk=report_id))
    return Status(204, None)
