"""回头看 (issue 14): runs, their findings and the rectification tasks, from
the same selectors and services as the pages (out of scope: 404).

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
from xuanren.org.models import Unit
from xuanren.supervision.lookback_selectors import (
    lookback_run_get,
    lookback_runs,
    rectification_get,
    run_findings,
)
from xuanren.supervision.lookback_services import (
    lookback_run_create,
    rectification_assign,
    rectification_close,
)
from xuanren.supervision.models import LookbackRun, RectificationTask

router = Router(tags=["回头看"])
WRITE_RESPONSES = {**ERROR_RESPONSES, 409: ErrorOut, 422: ErrorOut}


class RunIn(Schema):
    name: str
    unit: int
    start: dt.date
    end: dt.date
    levels: list[str] = []


class RunOut(Schema):
    id: int
    name: str
    unit_id: int
    period_start: dt.date
    period_end: dt.date
    levels: list[str]
    appointments: int


class TaskOut(Schema):
    id: int
    responsible_id: int | None
    deadline: dt.date | None
    outcome: str
    closed_at: dt.datetime | None


class FindingOut(Schema):
    id: int
    kind: str
    kind_label: str
    case_id: int
    cadre_id: int
    cadre_name: str
    what: str
    as_of: dt.date
    source: str
    task: TaskOut


class RunDetailOut(RunOut):
    findings: list[FindingOut]


class AssignIn(Schema):
    responsible: int
    deadline: dt.date


class CloseIn(Schema):
    outcome: str


def _run(run: LookbackRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "name": run.name,
        "unit_id": run.unit_id,
        "period_start": run.period_start,
        "period_end": run.period_end,
        "levels": run.levels,
        "appointments": run.appointments,
    }


def _task(t: RectificationTask) -> dict[str, Any]:
    return {
        "id": t.pk,
        "responsible_id": t.responsible_id,
        "deadline": t.deadline,
        "outcome": t.outcome,
        "closed_at": t.closed_at,
    }


@router.get("/lookback/runs", summary="回头看列表", response={200: list[RunOut], **ERROR_RESPONSES})
def runs(request: HttpRequest) -> Any:
    """本人管理范围内开展的回头看，最新的在前。"""
    return [_run(r) for r in lookback_runs(actor=actor_of(request))[:200]]


@router.post("/lookback/runs", summary="开展回头看", response={201: RunOut, **WRITE_RESPONSES})
def run_create(request: HttpRequest, payload: RunIn) -> Any:
    """复查 `unit` 及其下级单位 `start` 至 `end` 作出的任职（`levels` 为空时全部职务层次），
    每个问题形成一条整改任务。"""
    actor = actor_of(request)
    unit = Unit.objects.filter(pk=payload.unit).first()
    if unit is None:
        raise NotFound(_("未找到该单位，或其不在您的管理范围内。"))
    run = lookback_run_create(
        actor=actor,
        name=payload.name,
        unit=unit,
        start=payload.start,
        end=payload.end,
        levels=payload.levels,
    )
    return Status(201, _run(run))


@router.get(
    "/lookback/runs/{int:run_id}",
    summary="回头看及发现的问题",
    response={200: RunDetailOut, **ERROR_RESPONSES},
)
def run_detail(request: HttpRequest, run_id: int) -> Any:
    actor = actor_of(request)
    run = lookback_run_get(actor=actor, pk=run_id)
    findings = [
        {
            "id": f.pk,
            "kind": f.kind,
            "kind_label": g.label,
            "case_id": f.case_id,
            "cadre_id": f.cadre_id,
            "cadre_name": f.cadre.name,
            "what": f.what,
            "as_of": f.as_of,
            "source": f.source,
            "task": _task(f.task),
        }
        for g in run_findings(actor=actor, run=run)
        for f in g.findings
    ]
    return {**_run(run), "findings": findings}


@router.post(
    "/lookback/tasks/{int:task_id}/assign",
    summary="分派整改任务",
    response={200: TaskOut, **WRITE_RESPONSES},
)
def task_assign(request: HttpRequest, task_id: int, payload: AssignIn) -> Any:
    actor = actor_of(request)
    task = rectification_get(actor=actor, pk=task_id)
    user = get_user_model().objects.filter(pk=payload.responsible).first()
    return _task(
        rectification_assign(actor=actor, task=task, responsible=user, deadline=payload.deadline)
    )


@router.post(
    "/lookback/tasks/{int:task_id}/close",
    summary="办结整改任务",
    response={200: TaskOut, **WRITE_RESPONSES},
)
def task_close(request: HttpRequest, task_id: int, payload: CloseIn) -> Any:
    actor = actor_of(request)
    task = rectification_get(actor=actor, pk=task_id)
    return _task(rectification_close(actor=actor, task=task, outcome=payload.outcome))
