"""竞聘评分 (docs/decisions/0147–0149): a case's competition, its panels,
weights, each judge's scores, the sign-off and the sheet. The same selectors
and services as the pages (out of scope: 404; may read but not change: 403).
Scores and means are exact decimals, sent as strings.

(No `from __future__ import annotations` in the routers: ninja reads the
parameter annotations at import time.)"""

import datetime as dt
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
from xuanren.common.errors import NotFound, ValidationFailed
from xuanren.competition import grid, selectors, services
from xuanren.competition.export import competition_title, result_export
from xuanren.competition.models import Competition, PanelMember
from xuanren.exchange.views_xlsx import xlsx_file
from xuanren.procedure.selectors import case_get

router = Router(tags=["竞聘评分"])
WRITE_RESPONSES = {**ERROR_RESPONSES, 409: ErrorOut, 422: ErrorOut}
#: Cells per request: a county's sheet (dozens of candidates × four sub-tests) fits.
MAX_CELLS = 2000


class CompetitionIn(Schema):
    #: Percent per sub-test code (written, situational, group_discussion, speech); sum 100.
    weights: dict[str, int]
    trim_min_judges: int | None = None


class WeightsIn(Schema):
    weights: dict[str, int]


class MemberIn(Schema):
    panel: str
    name: str
    title: str = ""


class MemberOut(Schema):
    id: int
    panel: str
    panel_label: str
    name: str
    title: str


class SubTestOut(Schema):
    id: int
    kind: str
    label: str
    weight: int


class CellIn(Schema):
    candidate: int
    sub_test: int
    #: 0–100, at most one decimal; null removes the judge's score there.
    value: Decimal | None


class ScoresIn(Schema):
    scores: list[CellIn]


class CellOut(Schema):
    kind: str
    label: str
    weight: int
    mean: str | None
    scores: list[str]
    dropped: list[str]


class RowOut(Schema):
    candidate: int
    cadre: int
    post: int
    name: str
    post_name: str
    cells: list[CellOut]
    composite: str | None
    rank: int | None
    tied: bool


class PostSheetOut(Schema):
    post_name: str
    rows: list[RowOut]


class CompetitionOut(Schema):
    id: int
    case: int
    status: str
    status_label: str
    trim_min_judges: int
    signed_off_at: dt.datetime | None
    sub_tests: list[SubTestOut]
    members: list[MemberOut]
    missing: int
    complete: bool
    posts: list[PostSheetOut]


class ChangedOut(Schema):
    changed: int


def _member(m: PanelMember) -> dict[str, Any]:
    return {"id": m.pk, "panel": m.panel, "panel_label": m.get_panel_display(),
            "name": m.name, "title": m.title}  # fmt: skip


def _out(competition: Competition) -> dict[str, Any]:
    sheet = selectors.sheet_of(competition)
    return {
        "id": competition.pk,
        "case": competition.case_id,
        "status": competition.status,
        "status_label": competition.get_status_display(),
        "trim_min_judges": competition.trim_min_judges,
        "signed_off_at": competition.signed_off_at,
        "sub_tests": [
            {"id": t.pk, "kind": t.kind, "label": t.get_kind_display(), "weight": t.weight}
            for t in sheet.sub_tests
        ],
        "members": [_member(m) for m in selectors.members(competition)],
        "missing": sheet.missing,
        "complete": sheet.complete,
        "posts": [
            {
                "post_name": post,
                "rows": [
                    {
                        "candidate": r.candidate_id, "cadre": r.cadre_id, "post": r.post_id,
                        "name": r.name, "post_name": r.post,
                        "cells": [
                            {"kind": c.kind, "label": c.label, "weight": c.weight,
                             "mean": None if c.mean is None else str(c.mean),
                             "scores": [str(v) for v in c.scores],
                             "dropped": [str(v) for v in c.dropped]}
                            for c in r.cells
                        ],
                        "composite": None if r.composite is None else str(r.composite),
                        "rank": r.rank, "tied": r.tied,
                    }
                    for r in rows
                ],
            }
            for post, rows in sheet.posts
        ],
    }  # fmt: skip


def _of_case(request: HttpRequest, case_id: int) -> Competition:
    actor = actor_of(request)
    case = case_get(actor=actor, pk=case_id)
    found = selectors.competition_of_case(actor=actor, case=case)
    if found is None:
        raise NotFound(_("本事项尚未建立竞聘评分。"))
    return found


@router.get(
    "/cases/{int:case_id}/competition",
    summary="选任事项的竞聘评分（评分表）",
    response={200: CompetitionOut, **ERROR_RESPONSES},
)
def case_competition(request: HttpRequest, case_id: int) -> Any:
    return _out(_of_case(request, case_id))


@router.post(
    "/cases/{int:case_id}/competition",
    summary="建立竞聘评分（测试项目及权重）",
    response={201: CompetitionOut, **WRITE_RESPONSES},
)
def competition_create(request: HttpRequest, case_id: int, payload: CompetitionIn) -> Any:
    actor = actor_of(request)
    case = case_get(actor=actor, pk=case_id)
    created = services.competition_create(
        actor=actor, case=case, weights=payload.weights, trim_min_judges=payload.trim_min_judges
    )
    return Status(201, _out(created))


@router.get(
    "/competitions/{int:competition_id}",
    summary="竞聘评分（评分表）",
    response={200: CompetitionOut, **ERROR_RESPONSES},
)
def competition_detail(request: HttpRequest, competition_id: int) -> Any:
    return _out(selectors.competition_get(actor=actor_of(request), pk=competition_id))


@router.put(
    "/competitions/{int:competition_id}/weights",
    summary="设置测试项目及权重（合计 100%）",
    response={200: CompetitionOut, **WRITE_RESPONSES},
)
def weights_set(request: HttpRequest, competition_id: int, payload: WeightsIn) -> Any:
    actor = actor_of(request)
    competition = selectors.competition_get(actor=actor, pk=competition_id)
    services.competition_weights_set(actor=actor, competition=competition, weights=payload.weights)
    return _out(competition)


@router.post(
    "/competitions/{int:competition_id}/members",
    summary="增加竞聘小组（评委）或竞聘监督小组成员",
    response={201: MemberOut, **WRITE_RESPONSES},
)
def member_add(request: HttpRequest, competition_id: int, payload: MemberIn) -> Any:
    actor = actor_of(request)
    competition = selectors.competition_get(actor=actor, pk=competition_id)
    member = services.panel_member_add(
        actor=actor, competition=competition, panel=payload.panel, name=payload.name,
        title=payload.title,
    )  # fmt: skip
    return Status(201, _member(member))


def _member_of(competition: Competition, member_id: int) -> PanelMember:
    found = competition.members.filter(pk=member_id).first()
    if found is None:
        raise NotFound(_("该人员不是本次竞聘的小组成员。"))
    return found


@router.delete(
    "/competitions/{int:competition_id}/members/{int:member_id}",
    summary="移出小组成员",
    response={204: None, **WRITE_RESPONSES},
)
def member_remove(request: HttpRequest, competition_id: int, member_id: int) -> Any:
    actor = actor_of(request)
    competition = selectors.competition_get(actor=actor, pk=competition_id)
    services.panel_member_remove(
        actor=actor, competition=competition, member=_member_of(competition, member_id)
    )
    return Status(204, None)


@router.put(
    "/competitions/{int:competition_id}/judges/{int:member_id}/scores",
    summary="录入一名评委的评分（全部成功或全部不保存）",
    response={200: ChangedOut, **WRITE_RESPONSES},
)
def scores_enter(
    request: HttpRequest, competition_id: int, member_id: int, payload: ScoresIn
) -> Any:
    actor = actor_of(request)
    competition = selectors.competition_get(actor=actor, pk=competition_id)
    if len(payload.scores) > MAX_CELLS:
        raise ValidationFailed(_("一次最多录入 %(n)d 个评分。") % {"n": MAX_CELLS})
    changed = services.scores_enter(
        actor=actor,
        competition=competition,
        judge=_member_of(competition, member_id),
        scores=[services.ScoreIn(c.candidate, c.sub_test, c.value) for c in payload.scores],
    )
    return {"changed": changed}


@router.post(
    "/competitions/{int:competition_id}/sign-off",
    summary="登记竞聘监督小组签字确认（成绩锁定）",
    response={200: CompetitionOut, **WRITE_RESPONSES},
)
def sign_off(request: HttpRequest, competition_id: int) -> Any:
    actor = actor_of(request)
    competition = selectors.competition_get(actor=actor, pk=competition_id)
    return _out(services.competition_sign_off(actor=actor, competition=competition))


@router.get(
    "/competitions/{int:competition_id}/result.xlsx",
    summary="导出竞聘评分结果（XLSX）",
    response={200: None, **ERROR_RESPONSES},
)
def result_xlsx(request: HttpRequest, competition_id: int) -> HttpResponseBase:
    """“评分结果”表：每名人选各测试项目得分（去掉最高分和最低分后的平均分）、综合成绩和名次；
    “评委评分明细”表：每名评委的每一个评分。"""
    return xlsx_file(*result_export(actor=actor_of(request), pk=competition_id))


@router.get(
    "/competitions/{int:competition_id}/grid.xlsx",
    summary="下载评分模板（XLSX）",
    response={200: None, **ERROR_RESPONSES},
)
def grid_xlsx(request: HttpRequest, competition_id: int) -> HttpResponseBase:
    """工作表“竞聘评分”：每行一名人选（编号、姓名、竞聘职位），每列一名评委·一个测试项目，已填入现有评分。"""
    actor = actor_of(request)
    competition = selectors.competition_get(actor=actor, pk=competition_id)
    title = competition_title(competition)
    data = grid.grid_template(actor=actor, competition=competition, title=title)
    return xlsx_file(data, _("%(t)s模板.xlsx") % {"t": title})


@router.post(
    "/competitions/{int:competition_id}/grid",
    summary="导入评分表（XLSX，全部成功或全部不保存）",
    response={200: GridImportOut, 413: ErrorOut, 422: GridImportErrorOut, **WRITE_RESPONSES},
)
def grid_upload(request: HttpRequest, competition_id: int, file: File[UploadedFile]) -> Any:
    """上传填好的评分模板。先查权限和是否已签字确认（已确认 409），再查文件大小和工作簿范围，然后逐格检查
    （0 至 100、至多一位小数、编号与姓名对应、无多余列）；有任何错误返回 422，`cells` 列出每一格的问题，
    什么也不保存。空白单元格不改动已录入的评分。"""
    actor = actor_of(request)
    competition = selectors.competition_get(actor=actor, pk=competition_id)
    n = grid.grid_import(
        actor=actor, competition=competition, content=file, filename=file.name or ""
    )
    return {"cells": n}
