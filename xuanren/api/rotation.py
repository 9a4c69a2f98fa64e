"""轮岗交流 (issue 16, docs/decisions/0175–0178): the alerts, exchange records
and rotation plans, through the same selectors and services as the pages
(out of scope: 404; may read but not write: 403).

(No `from __future__ import annotations` in the routers: ninja reads the
parameter annotations at import time.)"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.responses import Status

from xuanren.api.auth import actor_of
from xuanren.api.errors import ERROR_RESPONSES, ErrorOut
from xuanren.common.errors import NotFound
from xuanren.org.selectors import post_get, unit_get
from xuanren.people.models import TemporaryPosting
from xuanren.people.selectors import cadre_get
from xuanren.rotation.models import ExchangeRecord, RotationPlanEntry
from xuanren.rotation.rules import AlertKind, AlertStage
from xuanren.rotation.selectors import (
    LIST_LIMIT,
    Alert,
    alerts,
    entry_get,
    exchange_get,
    exchanges,
    plan_entries,
    plan_get,
    progress_of,
)
from xuanren.rotation.services import (
    exchange_record_add,
    exchange_record_correct,
    exchange_record_withdraw,
    rotation_plan_add,
    rotation_plan_create,
    rotation_plan_entry_edit,
    rotation_plan_entry_remove,
    rotation_plan_entry_set,
)

router = Router(tags=["轮岗交流"])
WRITE_RESPONSES = {**ERROR_RESPONSES, 409: ErrorOut, 422: ErrorOut}


class AlertOut(Schema):
    rule: str
    rule_title: str
    source: str
    kind: str
    kind_label: str
    cadre_id: int
    cadre_name: str
    unit_name: str
    post_id: int | None
    post_name: str
    level: str
    level_label: str
    since: dt.date
    due: dt.date
    served_months: int
    stage: str
    stage_label: str
    consequence: str


def _alert(a: Alert) -> dict[str, Any]:
    return {
        "rule": a.rule.id,
        "rule_title": a.rule.title,
        "source": a.rule.source,
        "kind": a.rule.kind,
        "kind_label": a.rule.kind_label,
        "cadre_id": a.cadre.pk,
        "cadre_name": a.cadre.name,
        "unit_name": a.cadre.unit.name,
        "post_id": a.post.pk if a.post else None,
        "post_name": str(a.post) if a.post else "",
        "level": a.level,
        "level_label": a.level_label,
        "since": a.since,
        "due": a.due,
        "served_months": a.served_months,
        "stage": a.stage,
        "stage_label": a.stage_label,
        "consequence": a.rule.consequence,
    }


@router.get(
    "/rotation/alerts",
    summary="轮岗交流提示",
    response={200: list[AlertOut], **ERROR_RESPONSES},
)
def alert_list(
    request: HttpRequest, kind: str = "", stage: str = "", unit: int | None = None
) -> Any:
    """本人管理范围内已达到或临近（设置的提前月数内）轮岗交流规定年限的干部，最早达到的在前（最多 200 条）。
    `kind`：post_years 同一职位任职年限、post_terms 同一职位连续任期、level_years 同一层次任职年限；
    `stage`：reached 已达到、approaching 临近；`unit`：单位（含下级）。
    职位类规定（同一职位任职年限、连续任期）按职位所在单位计入管理范围和 `unit` 筛选，
    层次类规定按干部所在单位（decision 0192）。"""
    actor = actor_of(request)
    if kind not in AlertKind.values:
        kind = ""
    if stage not in AlertStage.values:
        stage = ""
    under = unit_get(actor=actor, pk=unit) if unit is not None else None
    return [_alert(a) for a in alerts(actor=actor, kind=kind, only=stage, unit=under)]


class ExchangeFieldsIn(Schema):
    """An exchange as `exchange_record_add` takes it; a post (`from_post`,
    `to_post`) or a name (`from_name`, `to_name`) for each side."""

    kind: str
    date: dt.date
    from_post: int | None = None
    from_name: str = ""
    to_post: int | None = None
    to_name: str = ""
    document: str = ""
    posting: int | None = None
    note: str = ""


class ExchangeIn(ExchangeFieldsIn):
    cadre: int


class ExchangeCorrectIn(ExchangeFieldsIn):
    """The whole record as it should read, with the reason for the correction."""

    reason: str


class ReasonIn(Schema):
    reason: str


class ExchangeOut(Schema):
    id: int
    cadre_id: int
    cadre_name: str
    kind: str
    kind_label: str
    date: dt.date
    from_post_id: int | None
    from_text: str
    to_post_id: int | None
    to_text: str
    document: str
    posting_id: int | None
    note: str


def _exchange(x: ExchangeRecord) -> dict[str, Any]:
    return {
        "id": x.pk,
        "cadre_id": x.cadre_id,
        "cadre_name": x.cadre.name,
        "kind": x.kind,
        "kind_label": x.get_kind_display(),
        "date": x.date,
        "from_post_id": x.from_post_id,
        "from_text": x.from_text,
        "to_post_id": x.to_post_id,
        "to_text": x.to_text,
        "document": x.document,
        "posting_id": x.posting_id,
        "note": x.note,
    }


@router.get(
    "/rotation/exchanges",
    summary="交流记录",
    response={200: list[ExchangeOut], **ERROR_RESPONSES},
)
def exchange_list(request: HttpRequest, cadre: int | None = None) -> Any:
    """本人管理范围内干部的交流记录，新的在前（最多 200 条）；`cadre` 只列该干部的。"""
    rows = exchanges(actor=actor_of(request), cadre_id=cadre)[:LIST_LIMIT]
    return [_exchange(x) for x in rows]


@router.post(
    "/rotation/exchanges",
    summary="登记交流记录",
    response={201: ExchangeOut, **WRITE_RESPONSES},
)
def exchange_new(request: HttpRequest, payload: ExchangeIn) -> Any:
    """登记干部交流（跨部门、跨系统、跨层级、跨地区）；挂职锻炼已登记的以 `posting` 关联。有误时 422，不保存。"""
    actor = actor_of(request)
    person = cadre_get(actor=actor, pk=payload.cadre)
    made = exchange_record_add(
        actor=actor, cadre=person, **_exchange_fields(actor, person, payload)
    )
    return Status(201, _exchange(exchanges(actor=actor).get(pk=made.pk)))


def _exchange_fields(actor: Any, person: Any, payload: ExchangeFieldsIn) -> dict[str, Any]:
    """The payload as the services' keywords: the posts looked up in the
    actor's scope (404 outside), the posting among the cadre's own."""
    posting = None
    if payload.posting is not None:
        posting = TemporaryPosting.objects.filter(cadre=person, pk=payload.posting).first()
        if posting is None:
            raise NotFound(_("该干部没有这条挂职记录。"))
    return {
        "kind": payload.kind,
        "date": payload.date,
        "from_post": post_get(actor=actor, pk=payload.from_post) if payload.from_post else None,
        "from_name": payload.from_name,
        "to_post": post_get(actor=actor, pk=payload.to_post) if payload.to_post else None,
        "to_name": payload.to_name,
        "document": payload.document,
        "posting": posting,
        "note": payload.note,
    }


class PlanIn(Schema):
    unit: int
    title: str
    year: int
    note: str = ""


class EntryIn(Schema):
    cadre: int
    target_post: int | None = None
    target_name: str = ""
    note: str = ""


class EntryEditIn(Schema):
    """Where a listed cadre is to rotate to: a post or a name."""

    target_post: int | None = None
    target_name: str = ""
    note: str = ""


class EntryStatusIn(Schema):
    """`status`: planned, done (with `done_on`, and `exchange` when recorded) or cancelled."""

    status: str
    done_on: dt.date | None = None
    exchange: int | None = None


class EntryOut(Schema):
    id: int
    cadre_id: int
    cadre_name: str
    from_post_id: int | None
    target_post_id: int | None
    target_text: str
    status: str
    status_label: str
    done_on: dt.date | None
    exchange_id: int | None
    note: str


class PlanOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    title: str
    year: int
    note: str
    planned: int
    done: int
    cancelled: int
    percent: int
    entries: list[EntryOut]


def _entry(e: RotationPlanEntry) -> dict[str, Any]:
    return {
        "id": e.pk,
        "cadre_id": e.cadre_id,
        "cadre_name": e.cadre.name,
        "from_post_id": e.from_post_id,
        "target_post_id": e.target_post_id,
        "target_text": e.target_text,
        "status": e.status,
        "status_label": e.get_status_display(),
        "done_on": e.done_on,
        "exchange_id": e.exchange_id,
        "note": e.note,
    }


def _plan(actor: Any, pk: int) -> dict[str, Any]:
    plan = plan_get(actor=actor, pk=pk)
    entries = plan_entries(plan=plan)
    progress = progress_of(entries)
    return {
        "id": plan.pk,
        "unit_id": plan.unit_id,
        "unit_name": plan.unit.name,
        "title": plan.title,
        "year": plan.year,
        "note": plan.note,
        "planned": progress.planned,
        "done": progress.done,
        "cancelled": progress.cancelled,
        "percent": progress.percent,
        "entries": [_entry(e) for e in entries],
    }


@router.post(
    "/rotation/plans",
    summary="制定轮岗计划",
    response={201: PlanOut, **WRITE_RESPONSES},
)
def plan_new(request: HttpRequest, payload: PlanIn) -> Any:
    """为单位制定年度轮岗计划。有误时 422，不保存。"""
    actor = actor_of(request)
    plan = rotation_plan_create(
        actor=actor,
        unit=unit_get(actor=actor, pk=payload.unit),
        title=payload.title,
        year=payload.year,
        note=payload.note,
    )
    return Status(201, _plan(actor, plan.pk))


@router.get(
    "/rotation/plans/{int:plan_id}",
    summary="轮岗计划及进度",
    response={200: PlanOut, **ERROR_RESPONSES},
)
def plan_detail(request: HttpRequest, plan_id: int) -> Any:
    """轮岗计划、列入的干部及进度（已轮岗、计划、取消的人数）。"""
    return _plan(actor_of(request), plan_id)


@router.post(
    "/rotation/plans/{int:plan_id}/entries",
    summary="列入轮岗干部",
    response={201: PlanOut, **WRITE_RESPONSES},
)
def plan_entry_new(request: HttpRequest, plan_id: int, payload: EntryIn) -> Any:
    """列入该单位（含下级）的干部及拟轮岗到的职位或去向。已列入的 409，有误 422。"""
    actor = actor_of(request)
    plan = plan_get(actor=actor, pk=plan_id)
    rotation_plan_add(
        actor=actor,
        plan=plan,
        cadre=cadre_get(actor=actor, pk=payload.cadre),
        target_post=post_get(actor=actor, pk=payload.target_post) if payload.target_post else None,
        target_name=payload.target_name,
        note=payload.note,
    )
    return Status(201, _plan(actor, plan.pk))


@router.post(
    "/rotation/plans/{int:plan_id}/entries/{int:entry_id}",
    summary="登记轮岗情况",
    response={200: PlanOut, **WRITE_RESPONSES},
)
def plan_entry_set(
    request: HttpRequest, plan_id: int, entry_id: int, payload: EntryStatusIn
) -> Any:
    """登记列入人员的状态：已轮岗（须有完成日期，可关联交流记录）、取消或恢复计划。有误 422。"""
    actor = actor_of(request)
    plan = plan_get(actor=actor, pk=plan_id)
    entry = next((e for e in plan_entries(plan=plan) if e.pk == entry_id), None)
    if entry is None:
        raise NotFound(_("该人员不在这个轮岗计划中。"))
    exchange = None
    if payload.exchange is not None:
        exchange = (
            exchanges(actor=actor, cadre_id=entry.cadre_id).filter(pk=payload.exchange).first()
        )
        if exchange is None:
            raise NotFound(_("未找到该干部的这条交流记录。"))
    rotation_plan_entry_set(
        actor=actor, entry=entry, status=payload.status, done_on=payload.done_on, exchange=exchange
    )
    return _plan(actor, plan.pk)


# ---- corrections (docs/decisions/0190): the pages' services, the same checks ------


@router.put(
    "/rotation/exchanges/{int:exchange_id}",
    summary="更正交流记录",
    response={200: ExchangeOut, **WRITE_RESPONSES},
)
def exchange_change(request: HttpRequest, exchange_id: int, payload: ExchangeCorrectIn) -> Any:
    """更正登记有误的交流记录（提交更正后的整条记录和更正原因）；修改前后的值记入操作日志。
    检查同登记；没有任何修改时 409。"""
    actor = actor_of(request)
    record = exchange_get(actor=actor, pk=exchange_id)
    fields = _exchange_fields(actor, record.cadre, payload)
    exchange_record_correct(actor=actor, record=record, reason=payload.reason, **fields)
    return _exchange(exchanges(actor=actor).get(pk=record.pk))


@router.post(
    "/rotation/exchanges/{int:exchange_id}/withdraw",
    summary="撤回交流记录",
    response={204: None, **WRITE_RESPONSES},
)
def exchange_withdraw(request: HttpRequest, exchange_id: int, payload: ReasonIn) -> Any:
    """撤回误录的交流记录（须写明原因，日志保留其内容）；作为轮岗计划已轮岗依据的不能撤回（409）。"""
    actor = actor_of(request)
    record = exchange_get(actor=actor, pk=exchange_id)
    exchange_record_withdraw(actor=actor, record=record, reason=payload.reason)
    return Status(204, None)


def _plan_entry(actor: Any, plan_id: int, entry_id: int) -> RotationPlanEntry:
    entry = entry_get(actor=actor, pk=entry_id)
    if entry.plan_id != plan_id:
        raise NotFound(_("该人员不在这个轮岗计划中。"))
    return entry


@router.put(
    "/rotation/plans/{int:plan_id}/entries/{int:entry_id}",
    summary="修改拟轮岗去向",
    response={200: PlanOut, **WRITE_RESPONSES},
)
def plan_entry_change(
    request: HttpRequest, plan_id: int, entry_id: int, payload: EntryEditIn
) -> Any:
    """修改列入人员拟轮岗到的职位或去向（仅限状态为“计划轮岗”的，否则 409）。"""
    actor = actor_of(request)
    entry = _plan_entry(actor, plan_id, entry_id)
    target = post_get(actor=actor, pk=payload.target_post) if payload.target_post else None
    rotation_plan_entry_edit(
        actor=actor, entry=entry, target_post=target, target_name=payload.target_name,
        note=payload.note,
    )  # fmt: skip
    return _plan(actor, plan_id)


@router.delete(
    "/rotation/plans/{int:plan_id}/entries/{int:entry_id}",
    summary="移出轮岗计划",
    response={204: None, **WRITE_RESPONSES},
)
def plan_entry_delete(request: HttpRequest, plan_id: int, entry_id: int) -> Any:
    """把列入的干部移出计划（仅限“计划轮岗”的；已轮岗或取消的是计划的记录，409）。"""
    actor = actor_of(request)
    rotation_plan_entry_remove(actor=actor, entry=_plan_entry(actor, plan_id, entry_id))
    return Status(204, None)
