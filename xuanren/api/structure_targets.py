"""Structure targets (班子结构要求, docs/decisions/0143): list, add, change and
retire, through the same selector and services as the pages (a target whose
unit is outside the scope: 404).

(No `from __future__ import annotations` in the routers: ninja reads the
parameter annotations at import time.)"""

import datetime as dt
from dataclasses import fields
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status

from xuanren.api.auth import actor_of
from xuanren.api.errors import ERROR_RESPONSES, ErrorOut
from xuanren.common.dates import today
from xuanren.statistics.models import StructureTarget
from xuanren.statistics.target_selectors import target_rows, target_state_on
from xuanren.statistics.target_services import (
    TargetTerms,
    structure_target_add,
    structure_target_change,
    structure_target_retire,
    target_for_edit,
)

router = Router(tags=["统计分析"])
WRITE_RESPONSES = {**ERROR_RESPONSES, 409: ErrorOut, 422: ErrorOut}


class TargetIn(Schema):
    """The service's TargetTerms, field for field."""

    name: str
    kind: str
    levels: list[str]
    source: str
    source_article: str
    effective_from: dt.date
    min_count: int | None = None
    min_percent: int | None = None
    age_at_most: int | None = None
    min_members: int = 1
    unit_kinds: list[str] = []
    unit_id: int | None = None
    effective_to: dt.date | None = None

    def to_terms(self) -> TargetTerms:
        return TargetTerms(**{f.name: getattr(self, f.name) for f in fields(TargetTerms)})


class TargetOut(TargetIn):
    id: int
    code: str
    kind_label: str
    state: str
    replaces_id: int | None
    editable: bool


class RetireIn(Schema):
    last_day: dt.date


def _out(target: StructureTarget, editable: bool, state: str | None = None) -> dict[str, Any]:
    return {
        "id": target.pk,
        "code": target.code,
        "name": target.name,
        "kind": target.kind,
        "kind_label": target.get_kind_display(),
        "levels": list(target.levels),
        "source": target.source,
        "source_article": target.source_article,
        "effective_from": target.effective_from,
        "effective_to": target.effective_to,
        "min_count": target.min_count if target.min_percent is None else None,
        "min_percent": target.min_percent,
        "age_at_most": target.age_at_most,
        "min_members": target.min_members,
        "unit_kinds": list(target.unit_kinds),
        "unit_id": target.unit_id,
        "replaces_id": target.replaces_id,
        "state": state or target_state_on(target, today()),
        "editable": editable,
    }


@router.get(
    "/statistics/targets",
    summary="班子结构要求列表",
    response={200: list[TargetOut], **ERROR_RESPONSES},
)
def target_list(request: HttpRequest) -> Any:
    """与本人管理范围内领导班子有关的班子结构要求（含未生效、已停止执行的），`state` 为
    in_force（执行中）、future（尚未生效）或 ended（已停止执行）。"""
    rows = target_rows(actor=actor_of(request), on=today())
    return [_out(r.target, r.editable, r.state) for r in rows]


@router.post(
    "/statistics/targets",
    summary="新增班子结构要求",
    response={201: TargetOut, **WRITE_RESPONSES},
)
def target_add(request: HttpRequest, body: TargetIn) -> Any:
    """至少人数 `min_count` 与至少比例 `min_percent` 只填一项；`unit_id` 不填为全部单位
    （仅管理范围为全部单位时可以）。"""
    target = structure_target_add(actor=actor_of(request), terms=body.to_terms())
    return Status(201, _out(target, True))


@router.put(
    "/statistics/targets/{target_id}",
    summary="修改班子结构要求",
    response={200: TargetOut, **WRITE_RESPONSES},
)
def target_change(request: HttpRequest, target_id: int, body: TargetIn) -> Any:
    """自 `effective_from` 起执行修改后的要求；原要求此前已经执行的，原要求执行至前一天，
    返回新的一项（`replaces_id` 为原要求）。"""
    actor = actor_of(request)
    target = target_for_edit(actor=actor, pk=target_id)
    changed = structure_target_change(actor=actor, target=target, terms=body.to_terms())
    return _out(changed, True)


@router.post(
    "/statistics/targets/{target_id}/retire",
    summary="停止执行班子结构要求",
    response={200: TargetOut, **WRITE_RESPONSES},
)
def target_retire(request: HttpRequest, target_id: int, body: RetireIn) -> Any:
    """要求执行至 `last_day`（含当日）。"""
    actor = actor_of(request)
    target = target_for_edit(actor=actor, pk=target_id)
    retired = structure_target_retire(actor=actor, target=target, last_day=body.last_day)
    return _out(retired, True)
