"""年度考核 (issue 15; docs/decisions/0150–0152): the rounds, one round's
sheet (weights, bands, quota, each cadre's scores, composite, proposed and
confirmed grade), the weights, the scores, a 述职 and a grade. The same
selectors and services as the pages (out of scope: 404).

(No `from __future__ import annotations` in the routers: ninja reads the
parameter annotations at import time.)"""

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from ninja import File, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from xuanren.api.auth import actor_of
from xuanren.api.errors import ERROR_RESPONSES, ErrorOut
from xuanren.api.grid_schemas import GridImportErrorOut, GridImportOut
from xuanren.assessment.export import round_export, round_title
from xuanren.assessment.grid import grid_import, grid_template
from xuanren.assessment.models import AssessmentRound
from xuanren.assessment.selectors import (
    Line,
    assessed_get,
    assessed_line,
    bands_of,
    round_get,
    round_sheet,
    rounds,
)
from xuanren.assessment.services import (
    ScoreEntry,
    grade_confirm,
    report_set,
    round_create,
    round_weights_set,
    scores_record,
)
from xuanren.common.errors import NotFound
from xuanren.exchange.views_xlsx import xlsx_file
from xuanren.org.models import Unit
from xuanren.people.models import AssessmentGrade

router = Router(tags=["年度考核"])
WRITE_RESPONSES = {**ERROR_RESPONSES, 409: ErrorOut, 422: ErrorOut}


class RoundIn(Schema):
    unit: int
    year: int
    group_weights: dict[str, int] | None = None
    dimension_weights: dict[str, int] | None = None


class WeightsIn(Schema):
    group_weights: dict[str, int]
    dimension_weights: dict[str, int]


class RoundOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    year: int
    group_weights: dict[str, int]
    dimension_weights: dict[str, int]
    bands: dict[str, int]
    excellent_share: int


class ScoreOut(Schema):
    group: str
    dimension: str
    score: str


class LineOut(Schema):
    id: int
    cadre_id: int
    cadre_name: str
    post: str
    scores: list[ScoreOut]
    composite: str | None
    proposed: str
    proposed_label: str
    grade: str
    grade_label: str
    report: str


class SheetOut(RoundOut):
    assessed: int
    excellent_quota: int
    excellent_confirmed: int
    cadres: list[LineOut]


class ScoreIn(Schema):
    cadre: int  # the row's id in the round (LineOut.id)
    group: str
    dimension: str
    score: Decimal | None = None


class ScoresIn(Schema):
    scores: list[ScoreIn]


class ReportIn(Schema):
    report: str


class GradeIn(Schema):
    grade: str


def _round(r: AssessmentRound) -> dict[str, Any]:
    return {
        "id": r.pk,
        "unit_id": r.unit_id,
        "unit_name": r.unit.name,
        "year": r.year,
        "group_weights": r.group_weights(),
        "dimension_weights": r.dimension_weights(),
        "bands": bands_of(r),
        "excellent_share": r.excellent_share,
    }


def _line(line: Line) -> dict[str, Any]:
    a = line.assessed
    return {
        "id": a.pk,
        "cadre_id": a.cadre_id,
        "cadre_name": a.cadre.name,
        "post": a.post_text,
        "scores": [
            {"group": g, "dimension": d, "score": str(s)}
            for (g, d), s in sorted(line.scores.items())
        ],
        "composite": None if line.composite is None else str(line.composite),
        "proposed": line.proposed,
        "proposed_label": line.proposed_label,
        "grade": a.grade,
        "grade_label": str(AssessmentGrade(a.grade).label) if a.grade else "",
        "report": a.report,
    }


def _sheet(actor: Any, r: AssessmentRound) -> dict[str, Any]:
    sheet = round_sheet(actor=actor, round=r)
    return {
        **_round(r),
        "assessed": sheet.assessed,
        "excellent_quota": sheet.quota,
        "excellent_confirmed": sheet.excellent,
        "cadres": [_line(line) for line in sheet.lines],
    }


@router.get(
    "/assessments", summary="年度考核列表", response={200: list[RoundOut], **ERROR_RESPONSES}
)
def assessment_list(request: HttpRequest) -> Any:
    return [_round(r) for r in rounds(actor=actor_of(request))[:200]]


@router.post("/assessments", summary="开展年度考核", response={201: SheetOut, **WRITE_RESPONSES})
def assessment_new(request: HttpRequest, payload: RoundIn) -> Any:
    """登记单位某年度的年度考核，列出该单位在职干部；不给权重时取默认权重。"""
    actor = actor_of(request)
    unit = Unit.objects.filter(pk=payload.unit).first()
    if unit is None:
        raise NotFound(_("未找到该单位，或其不在您的管理范围内。"))
    r = round_create(
        actor=actor,
        unit=unit,
        year=payload.year,
        group_weights=payload.group_weights,
        dimension_weights=payload.dimension_weights,
    )
    return Status(201, _sheet(actor, r))


@router.get(
    "/assessments/{int:round_id}",
    summary="年度考核结果",
    response={200: SheetOut, **ERROR_RESPONSES},
)
def assessment_detail(request: HttpRequest, round_id: int) -> Any:
    actor = actor_of(request)
    return _sheet(actor, round_get(actor=actor, pk=round_id))


@router.put(
    "/assessments/{int:round_id}/weights",
    summary="修改年度考核权重",
    response={200: SheetOut, **WRITE_RESPONSES},
)
def assessment_weights(request: HttpRequest, round_id: int, payload: WeightsIn) -> Any:
    actor = actor_of(request)
    r = round_get(actor=actor, pk=round_id)
    r = round_weights_set(
        actor=actor,
        round=r,
        group_weights=payload.group_weights,
        dimension_weights=payload.dimension_weights,
    )
    return _sheet(actor, round_get(actor=actor, pk=r.pk))


@router.put(
    "/assessments/{int:round_id}/scores",
    summary="录入年度考核评分",
    response={200: SheetOut, **WRITE_RESPONSES},
)
def assessment_scores(request: HttpRequest, round_id: int, payload: ScoresIn) -> Any:
    """各项得分 0 至 100，至多两位小数；score 为空表示清除该项。全部无误才保存。"""
    actor = actor_of(request)
    r = round_get(actor=actor, pk=round_id)
    entries = [ScoreEntry(s.cadre, s.group, s.dimension, s.score) for s in payload.scores]
    scores_record(actor=actor, round=r, entries=entries)
    return _sheet(actor, r)


@router.put(
    "/assessments/{int:round_id}/cadres/{int:row_id}/report",
    summary="保存述职报告",
    response={200: LineOut, **WRITE_RESPONSES},
)
def assessment_report(request: HttpRequest, round_id: int, row_id: int, payload: ReportIn) -> Any:
    actor = actor_of(request)
    r = round_get(actor=actor, pk=round_id)
    row = report_set(
        actor=actor, assessed=assessed_get(actor=actor, round=r, pk=row_id), report=payload.report
    )
    row.round = r
    return _line(assessed_line(actor=actor, assessed=row))


@router.post(
    "/assessments/{int:round_id}/cadres/{int:row_id}/grade",
    summary="确定年度考核等次",
    response={200: LineOut, **WRITE_RESPONSES},
)
def assessment_grade(request: HttpRequest, round_id: int, row_id: int, payload: GradeIn) -> Any:
    """确定等次并记入干部年度考核信息；优秀须在本单位优秀名额之内（超出的 409）。"""
    actor = actor_of(request)
    r = round_get(actor=actor, pk=round_id)
    row = grade_confirm(
        actor=actor, assessed=assessed_get(actor=actor, round=r, pk=row_id), grade=payload.grade
    )
    row.round = r
    return _line(assessed_line(actor=actor, assessed=row))


@router.get(
    "/assessments/{int:round_id}/export.xlsx",
    summary="导出年度考核结果（XLSX）",
    response={200: None, **ERROR_RESPONSES},
)
def round_xlsx(request: HttpRequest, round_id: int) -> HttpResponseBase:
    """每名干部三类评分主体对德、能、勤、绩、廉的得分、各评分主体评分、综合得分、按分数线等次和确定等次，
    按综合得分排列。"""
    return xlsx_file(*round_export(actor=actor_of(request), pk=round_id))


@router.get(
    "/assessments/{int:round_id}/grid.xlsx",
    summary="下载评分模板（XLSX）",
    response={200: None, **ERROR_RESPONSES},
)
def grid_xlsx(request: HttpRequest, round_id: int) -> HttpResponseBase:
    """工作表“考核评分”：每行一名干部（编号、姓名、职务、等次），每列一个评分主体·考核内容，已填入现有得分。"""
    actor = actor_of(request)
    r = round_get(actor=actor, pk=round_id)
    data = grid_template(actor=actor, round=r, title=round_title(r))
    return xlsx_file(data, _("%(t)s评分模板.xlsx") % {"t": round_title(r)})


@router.post(
    "/assessments/{int:round_id}/grid",
    summary="导入评分表（XLSX，全部成功或全部不保存）",
    response={200: GridImportOut, 413: ErrorOut, 422: GridImportErrorOut, **WRITE_RESPONSES},
)
def grid_upload(request: HttpRequest, round_id: int, file: File[UploadedFile]) -> Any:
    """上传填好的评分模板。先查权限，再查文件大小和工作簿范围，然后逐格检查（0 至 100、至多两位小数、
    编号与姓名对应、无多余列）；有任何错误返回 422，`cells` 列出每一格的问题，什么也不保存。
    空白单元格不改动已录入的得分；等次已确定的干部不能改分。"""
    actor = actor_of(request)
    r = round_get(actor=actor, pk=round_id)
    n = grid_import(actor=actor, round=r, content=file, filename=file.name or "")
    return {"cells": n}
