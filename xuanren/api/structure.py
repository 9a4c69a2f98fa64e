"""Structure analysis (干部队伍结构分析): the same tallies and team checks as
the page, from the same selector (scope: a unit outside it is 404).

(No `from __future__ import annotations` in the routers: ninja reads the
parameter annotations at import time.)"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from xuanren.api.auth import actor_of
from xuanren.api.errors import ERROR_RESPONSES
from xuanren.statistics.structure import structure_analysis

router = Router(tags=["统计分析"])


class StructureRowOut(Schema):
    code: str
    label: str
    count: int
    share: str


class StructureTableOut(Schema):
    key: str
    title: str
    total: int
    rows: list[StructureRowOut]


class StructureTargetOut(Schema):
    code: str
    name: str
    source: str
    checked: int
    missed: int


class StructureMissOut(Schema):
    unit_id: int
    unit_name: str
    target: str
    reason: str
    source: str


class StructureOut(Schema):
    unit_id: int | None
    on: dt.date
    total: int
    tables: list[StructureTableOut]
    targets: list[StructureTargetOut]
    misses: list[StructureMissOut]


@router.get(
    "/statistics/structure",
    summary="干部队伍结构分析",
    response={200: StructureOut, **ERROR_RESPONSES},
)
def structure(request: HttpRequest, unit: int | None = None, on: dt.date | None = None) -> Any:
    """`unit` 及其下级单位（默认本人管理范围全部单位）在职干部按年龄段、性别、学历、民族、政治面貌、
    职务层次、任现职务层次年限的人数与占比（按 `on` 日期，默认今天），及各领导班子对照班子结构要求的核对结果。"""
    report = structure_analysis(actor=actor_of(request), unit_id=unit, on=on)
    return {
        "unit_id": report.unit.pk if report.unit is not None else None,
        "on": report.on,
        "total": report.total,
        "tables": report.tables,
        "targets": report.targets,
        "misses": report.misses,
    }
