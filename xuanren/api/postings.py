"""A cadre's temporary postings (挂职锻炼, issue 15, docs/decisions/0158):
the same selectors and services as the page (out of scope 404, may see but
not change 403, 422 with the service's messages).

(No `from __future__ import annotations` in the routers: ninja reads the
parameter annotations at import time.)"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.responses import Status

from xuanren.api.auth import actor_of
from xuanren.api.errors import ERROR_RESPONSES, ErrorOut
from xuanren.common.errors import NotFound
from xuanren.exchange.views_xlsx import xlsx_file
from xuanren.org.selectors import unit_get
from xuanren.people.models import Cadre, TemporaryPosting
from xuanren.people.posting_export import postings_export
from xuanren.people.posting_services import (
    temporary_posting_add,
    temporary_posting_change,
    temporary_posting_remove,
)
from xuanren.people.selectors import cadre_get, cadre_postings

router = Router(tags=["干部信息"])
WRITE_RESPONSES = {**ERROR_RESPONSES, 409: ErrorOut, 422: ErrorOut}


class PostingIn(Schema):
    """`host_unit` (a unit in scope) or `host_name` (a unit outside the system)."""

    post_title: str
    start_date: dt.date
    end_date: dt.date
    host_unit: int | None = None
    host_name: str = ""
    note: str = ""


class PostingOut(Schema):
    id: int
    host_unit_id: int | None
    host: str
    host_name: str
    post_title: str
    start_date: dt.date
    end_date: dt.date
    note: str


def _out(p: TemporaryPosting) -> dict[str, Any]:
    return {
        "id": p.pk,
        "host_unit_id": p.host_unit_id,
        "host": p.host,
        "host_name": p.host_name,
        "post_title": p.post_title,
        "start_date": p.start_date,
        "end_date": p.end_date,
        "note": p.note,
    }


def _posting(cadre: Cadre, posting_id: int) -> TemporaryPosting:
    found = next((p for p in cadre_postings(cadre) if p.pk == posting_id), None)
    if found is None:
        raise NotFound(_("该干部没有这条挂职记录。"))
    return found


def _values(request: HttpRequest, payload: PostingIn) -> dict[str, Any]:
    actor = actor_of(request)
    return {
        "host_unit": unit_get(actor=actor, pk=payload.host_unit) if payload.host_unit else None,
        "host_name": payload.host_name,
        "post_title": payload.post_title,
        "start_date": payload.start_date,
        "end_date": payload.end_date,
        "note": payload.note,
    }


@router.get(
    "/cadres/{int:cadre_id}/postings",
    summary="干部挂职记录",
    response={200: list[PostingOut], **ERROR_RESPONSES},
)
def postings(request: HttpRequest, cadre_id: int) -> Any:
    """干部的挂职锻炼记录，最近的在前。"""
    cadre = cadre_get(actor=actor_of(request), pk=cadre_id)
    return [_out(p) for p in cadre_postings(cadre)]


@router.get(
    "/cadres/{int:cadre_id}/postings/export.xlsx",
    summary="导出干部挂职记录（XLSX）",
    response={200: None, **ERROR_RESPONSES},
)
def postings_xlsx(request: HttpRequest, cadre_id: int) -> HttpResponseBase:
    """干部的挂职锻炼记录（挂职单位、职务、起止日期、天数、备注），最近的在前。"""
    return xlsx_file(*postings_export(actor=actor_of(request), cadre_id=cadre_id))


@router.post(
    "/cadres/{int:cadre_id}/postings",
    summary="新增挂职记录",
    response={201: PostingOut, **WRITE_RESPONSES},
)
def posting_add(request: HttpRequest, cadre_id: int, payload: PostingIn) -> Any:
    """新增一条挂职记录：挂职单位（`host_unit`，或系统外单位名称 `host_name`）、挂职职务、起止日期。
    开始日期不得晚于今天，结束日期不早于开始日期。有误时 422，不保存。"""
    actor = actor_of(request)
    cadre = cadre_get(actor=actor, pk=cadre_id)
    made = temporary_posting_add(actor=actor, cadre=cadre, **_values(request, payload))
    return Status(201, _out(made))


@router.put(
    "/cadres/{int:cadre_id}/postings/{int:posting_id}",
    summary="修改挂职记录",
    response={200: PostingOut, **WRITE_RESPONSES},
)
def posting_change(request: HttpRequest, cadre_id: int, posting_id: int, payload: PostingIn) -> Any:
    """修改一条挂职记录（各项一并提交）；检查同新增。"""
    actor = actor_of(request)
    cadre = cadre_get(actor=actor, pk=cadre_id)
    row = temporary_posting_change(
        actor=actor, posting=_posting(cadre, posting_id), **_values(request, payload)
    )
    return _out(row)


@router.delete(
    "/cadres/{int:cadre_id}/postings/{int:posting_id}",
    summary="删除挂职记录",
    response={204: None, **WRITE_RESPONSES},
)
def posting_delete(request: HttpRequest, cadre_id: int, posting_id: int) -> Any:
    """删除一条误录的挂职记录；日志保留其内容。"""
    actor = actor_of(request)
    cadre = cadre_get(actor=actor, pk=cadre_id)
    temporary_posting_remove(actor=actor, posting=_posting(cadre, posting_id))
    return Status(204, None)
