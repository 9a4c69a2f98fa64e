"""超职数消化 and 凡进必考 (issue 16, docs/decisions/0179–0182): the same
selectors and services as the pages (out of scope: 404; may read but not
write: 403; bad input: 422, nothing saved).

(No `from __future__ import annotations` in the routers: ninja reads the
parameter annotations at import time.)"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.responses import Status

from xuanren.access.policy import require_perm
from xuanren.api.auth import actor_of
from xuanren.api.errors import ERROR_RESPONSES, ErrorOut
from xuanren.common.errors import NotFound
from xuanren.org.selectors import unit_get
from xuanren.people.selectors import cadre_get
from xuanren.workforce.models import CleanupCase, CleanupOutcome, DigestionPlan, EntryRecord
from xuanren.workforce.selectors import (
    cleanup_cases,
    cleanup_counts,
    entry_of,
    plan_get,
    plan_view,
    plans,
)
from xuanren.workforce.services import (
    cleanup_record,
    digestion_item_add,
    digestion_item_remove,
    digestion_plan_create,
    entry_set,
)

router = Router(tags=["超职数消化与凡进必考"])
WRITE_RESPONSES = {**ERROR_RESPONSES, 409: ErrorOut, 422: ErrorOut}


class PlanIn(Schema):
    """A plan as `digestion_plan_create` takes it; the over-quota on
    `baseline_on` is counted from the records."""

    unit: int
    level: str
    baseline_on: dt.date
    target_on: dt.date
    document: str = ""
    note: str = ""


class ItemIn(Schema):
    """One over-quota cadre: `means` retirement (the date is the statutory
    retirement date), transfer, exchange or non_leadership (with `expected_on`)."""

    cadre: int
    means: str
    expected_on: dt.date | None = None
    note: str = ""


class PlanOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    level: str
    level_label: str
    baseline_on: dt.date
    baseline_over: int
    target_on: dt.date
    document: str
    note: str


class ItemOut(Schema):
    id: int
    cadre_id: int
    cadre_name: str
    means: str
    means_label: str
    expected_on: dt.date
    note: str
    left_on: dt.date | None
    overdue: bool


class ProgressOut(Schema):
    day: dt.date
    actual: int | None
    digested: int | None
    planned: int


class PlanDetailOut(PlanOut):
    current: int
    digested: int
    items: list[ItemOut]
    progress: list[ProgressOut]


def _plan(p: DigestionPlan) -> dict[str, Any]:
    return {
        "id": p.pk,
        "unit_id": p.unit_id,
        "unit_name": p.unit.name,
        "level": p.level,
        "level_label": p.get_level_display(),
        "baseline_on": p.baseline_on,
        "baseline_over": p.baseline_over,
        "target_on": p.target_on,
        "document": p.document,
        "note": p.note,
    }


def _detail(p: DigestionPlan) -> dict[str, Any]:
    view = plan_view(plan=p)
    return {
        **_plan(p),
        "current": view.current,
        "digested": view.digested,
        "items": [
            {
                "id": line.item.pk,
                "cadre_id": line.item.cadre_id,
                "cadre_name": line.item.cadre.name,
                "means": line.item.means,
                "means_label": line.item.get_means_display(),
                "expected_on": line.item.expected_on,
                "note": line.item.note,
                "left_on": line.left_on,
                "overdue": line.overdue,
            }
            for line in view.items
        ],
        "progress": [
            {"day": r.day, "actual": r.actual, "digested": r.digested, "planned": r.planned}
            for r in view.rows
        ],
    }


@router.get(
    "/overquota-plans",
    summary="超职数消化计划列表",
    response={200: list[PlanOut], **ERROR_RESPONSES},
)
def plan_list(request: HttpRequest) -> Any:
    """本人管理范围内单位的超职数消化计划（最多 200 条）。"""
    return [_plan(p) for p in plans(actor=actor_of(request))[:200]]


@router.post(
    "/overquota-plans",
    summary="制定超职数消化计划",
    response={201: PlanDetailOut, **WRITE_RESPONSES},
)
def plan_new(request: HttpRequest, payload: PlanIn) -> Any:
    """按单位和职务层次制定消化计划；基准日超职数按任职记录计算，没有超职数时 422，
    该单位该层次已有计划时 409。"""
    actor = actor_of(request)
    unit = unit_get(actor=actor, pk=payload.unit)
    made = digestion_plan_create(
        actor=actor,
        unit=unit,
        level=payload.level,
        baseline_on=payload.baseline_on,
        target_on=payload.target_on,
        document=payload.document,
        note=payload.note,
    )
    return Status(201, _detail(plan_get(actor=actor, pk=made.pk)))


@router.get(
    "/overquota-plans/{int:plan_id}",
    summary="超职数消化计划详情与逐月进度",
    response={200: PlanDetailOut, **ERROR_RESPONSES},
)
def plan_detail(request: HttpRequest, plan_id: int) -> Any:
    """计划、消化人员及其情况，以及按任职记录计算的逐月超职数（基准日和各月末）。"""
    return _detail(plan_get(actor=actor_of(request), pk=plan_id))


@router.post(
    "/overquota-plans/{int:plan_id}/items",
    summary="列入超职数消化人员",
    response={201: PlanDetailOut, **WRITE_RESPONSES},
)
def plan_item_new(request: HttpRequest, plan_id: int, payload: ItemIn) -> Any:
    """列入一名基准日在该单位该层次任职的干部；到龄退休按法定退休日期计算。"""
    actor = actor_of(request)
    plan = plan_get(actor=actor, pk=plan_id)
    cadre = cadre_get(actor=actor, pk=payload.cadre)
    digestion_item_add(
        actor=actor,
        plan=plan,
        cadre=cadre,
        means=payload.means,
        expected_on=payload.expected_on,
        note=payload.note,
    )
    return Status(201, _detail(plan))


@router.delete(
    "/overquota-plans/{int:plan_id}/items/{int:item_id}",
    summary="移出超职数消化人员",
    response={200: PlanDetailOut, **WRITE_RESPONSES},
)
def plan_item_delete(request: HttpRequest, plan_id: int, item_id: int) -> Any:
    actor = actor_of(request)
    plan = plan_get(actor=actor, pk=plan_id)
    item = plan.items.filter(pk=item_id).first()
    if item is None:
        raise NotFound(_("该消化人员不在本计划中。"))
    digestion_item_remove(actor=actor, item=item)
    return _detail(plan)


class EntryIn(Schema):
    """`method`: examination, selected_graduate, transfer_in, transfer,
    military, open_selection or other (with `note`)."""

    method: str
    entered_on: dt.date
    document: str = ""
    note: str = ""
    #: Required when changing a recorded method, day or document (decision 0187).
    correction_reason: str = ""


class EntryOut(Schema):
    cadre_id: int
    method: str
    method_label: str
    entered_on: dt.date
    document: str
    note: str


def _entry(r: EntryRecord) -> dict[str, Any]:
    return {
        "cadre_id": r.cadre_id,
        "method": r.method,
        "method_label": r.get_method_display(),
        "entered_on": r.entered_on,
        "document": r.document,
        "note": r.note,
    }


@router.get(
    "/cadres/{int:cadre_id}/entry",
    summary="干部进人方式",
    response={200: EntryOut, **ERROR_RESPONSES},
)
def entry_detail(request: HttpRequest, cadre_id: int) -> Any:
    """未登记时 404。"""
    actor = actor_of(request)
    cadre = cadre_get(actor=actor, pk=cadre_id)
    require_perm(actor, "workforce.view_entryrecord")
    record = entry_of(actor=actor, cadre=cadre)
    if record is None:
        raise NotFound(_("该干部的进人方式尚未登记。"))
    return _entry(record)


@router.put(
    "/cadres/{int:cadre_id}/entry",
    summary="登记或修改干部进人方式",
    response={200: EntryOut, **WRITE_RESPONSES},
)
def entry_put(request: HttpRequest, cadre_id: int, payload: EntryIn) -> Any:
    """文件文号除“其他”外必填，“其他”须说明；有误时 422，不保存。"""
    actor = actor_of(request)
    cadre = cadre_get(actor=actor, pk=cadre_id)
    return _entry(
        entry_set(
            actor=actor,
            cadre=cadre,
            method=payload.method,
            entered_on=payload.entered_on,
            document=payload.document,
            note=payload.note,
            correction_reason=payload.correction_reason,
        )
    )


class CleanupIn(Schema):
    """`outcome`: admitted, removed, not_removed, pending or excluded;
    `decided_on` unless pending; `document` for admitted and removed."""

    outcome: str
    reason: str
    decided_on: dt.date | None = None
    document: str = ""
    #: Required when changing a decided outcome, its day or document (decision 0187).
    correction_reason: str = ""


class CleanupOut(Schema):
    id: int
    cadre_id: int
    cadre_name: str
    unit_name: str
    outcome: str
    outcome_label: str
    reason: str
    decided_on: dt.date | None
    document: str


class CountOut(Schema):
    label: str
    count: int


class CleanupRegisterOut(Schema):
    counts: list[CountOut]
    cases: list[CleanupOut]


def _case(c: CleanupCase) -> dict[str, Any]:
    return {
        "id": c.pk,
        "cadre_id": c.cadre_id,
        "cadre_name": c.cadre.name,
        "unit_name": c.cadre.unit.name,
        "outcome": c.outcome,
        "outcome_label": c.get_outcome_display(),
        "reason": c.reason,
        "decided_on": c.decided_on,
        "document": c.document,
    }


@router.get(
    "/entry-cleanup",
    summary="凡进必考清理登记",
    response={200: CleanupRegisterOut, **ERROR_RESPONSES},
)
def cleanup_register(request: HttpRequest, outcome: str = "") -> Any:
    """各处理结果人数（清理人数、录用/保留、未录用-已清退、未录用-未清退、待定、不纳入、未录用合计）
    和登记（最多 1000 条；`outcome` 筛选）。"""
    actor = actor_of(request)
    if outcome not in CleanupOutcome.values:
        outcome = ""
    return {
        "counts": [{"label": lb, "count": n} for lb, n in cleanup_counts(actor=actor).lines()],
        "cases": [_case(c) for c in cleanup_cases(actor=actor, outcome=outcome)[:1000]],
    }


@router.put(
    "/cadres/{int:cadre_id}/cleanup",
    summary="登记凡进必考清理情况",
    response={200: CleanupOut, **WRITE_RESPONSES},
)
def cleanup_put(request: HttpRequest, cadre_id: int, payload: CleanupIn) -> Any:
    """新登记或修改处理结果；有误时 422，不保存。"""
    actor = actor_of(request)
    cadre = cadre_get(actor=actor, pk=cadre_id)
    case = cleanup_record(
        actor=actor,
        cadre=cadre,
        outcome=payload.outcome,
        reason=payload.reason,
        decided_on=payload.decided_on,
        document=payload.document,
        correction_reason=payload.correction_reason,
    )
    return _case(case)
