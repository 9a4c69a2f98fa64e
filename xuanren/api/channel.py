"""The standing reporting and consultation channel, staff side (docs/decisions/
0127–0129): list with the inbox's filters, one entry, register a call,
letter or visit, link, assign, record the investigation, reply and close;
from the same selectors and services as the pages (out of scope: 404).

(No `from __future__ import annotations` in the routers: ninja reads the
parameter annotations at import time.)"""

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.responses import Status

from xuanren.access.names import display_name
from xuanren.access.policy import has_perm
from xuanren.access.records import report_look_record
from xuanren.api.auth import actor_of
from xuanren.api.errors import ERROR_RESPONSES, ErrorOut
from xuanren.common.errors import NotFound, PermissionDenied
from xuanren.supervision.channel_selectors import (
    VIEW_REPORT,
    ChannelFilters,
    channel_counts,
    channel_get,
    channel_inbox,
    link_targets,
)
from xuanren.supervision.channel_services import (
    channel_assign,
    channel_close,
    channel_link,
    channel_register,
    channel_reply,
)
from xuanren.supervision.models import Report
from xuanren.supervision.selectors import format_receipt
from xuanren.supervision.services import report_investigate

router = Router(tags=["举报咨询"])
WRITE_RESPONSES = {**ERROR_RESPONSES, 409: ErrorOut, 422: ErrorOut}
LIST_LIMIT = 200
T = TypeVar("T")


class FiltersIn(Schema):
    status: str = ""
    source: str = ""
    kind: str = ""
    overdue: bool = False
    mine: bool = False


class EntryOut(Schema):
    id: int
    kind: str
    kind_label: str
    source: str
    source_label: str
    status: str
    status_label: str
    about_name: str
    received_at: dt.datetime
    due_on: dt.date | None
    overdue: bool
    assigned_to_id: int | None
    assigned_to_name: str
    cadre_id: int | None
    case_id: int | None


class EntryDetailOut(EntryOut):
    content: str
    anonymous: bool
    reporter_name: str
    reporter_phone: str
    investigation_note: str
    reply_text: str
    replied_on: dt.date | None
    reply_channel: str
    finding: str
    finding_label: str
    finding_text: str
    closed_at: dt.datetime | None


class CountsOut(Schema):
    total: int
    overdue: int
    mine: int
    by_status: dict[str, int]
    by_source: dict[str, int]
    by_kind: dict[str, int]


class RegisterIn(Schema):
    kind: str
    source: str
    content: str
    anonymous: bool = True
    received_on: dt.date | None = None
    about_name: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""


class RegisteredOut(Schema):
    entry: EntryDetailOut
    receipt: str


class LinkIn(Schema):
    cadre: str = ""
    case: str = ""


class AssignIn(Schema):
    assignee: int
    due_on: dt.date | None = None


class InvestigateIn(Schema):
    note: str


class ReplyIn(Schema):
    text: str
    replied_on: dt.date
    reply_channel: str


class CloseIn(Schema):
    finding: str
    text: str


def _entry(r: Report) -> dict[str, Any]:
    on = timezone.localdate()
    return {
        "id": r.pk,
        "kind": r.kind,
        "kind_label": r.get_kind_display(),
        "source": r.source,
        "source_label": r.get_source_display(),
        "status": r.status,
        "status_label": r.get_status_display(),
        "about_name": r.about_name,
        "received_at": r.received_at,
        "due_on": r.due_on,
        "overdue": r.due_on is not None and r.status != "closed" and r.due_on < on,
        "assigned_to_id": r.assigned_to_id,
        "assigned_to_name": display_name(r.assigned_to) if r.assigned_to else "",
        "cadre_id": r.cadre_id,
        "case_id": r.case_id,
    }


def _detail(r: Report) -> dict[str, Any]:
    return {
        **_entry(r),
        "content": r.content,
        "anonymous": r.anonymous,
        "reporter_name": r.reporter_name,
        "reporter_phone": r.reporter_phone,
        "investigation_note": r.investigation_note,
        "reply_text": r.reply_text,
        "replied_on": r.replied_on,
        "reply_channel": r.reply_channel,
        "finding": r.finding,
        "finding_label": r.get_finding_display() if r.finding else "",
        "finding_text": r.finding_text,
        "closed_at": r.closed_at,
    }


def _scoped(actor: Any, read: Callable[[], T]) -> T:
    """Out of scope is "not found" for someone who may read reports at all."""
    try:
        return read()
    except PermissionDenied:
        if has_perm(actor, VIEW_REPORT):
            raise NotFound(_("未找到该举报咨询。")) from None
        raise


def _get(actor: Any, entry_id: int) -> Report:
    return _scoped(actor, lambda: channel_get(actor=actor, pk=entry_id))


def _fresh(actor: Any, report: Report) -> dict[str, Any]:
    return _detail(channel_get(actor=actor, pk=report.pk))


@router.get(
    "/channel/entries", summary="举报咨询列表", response={200: list[EntryOut], **ERROR_RESPONSES}
)
def entries(request: HttpRequest, filters: Query[FiltersIn]) -> Any:
    """本人管理范围内常设渠道的举报和咨询，最新的在前（最多 200 件）；可按状态、来源、类别、是否超期、
    是否本人承办筛选。不含举报人身份，见详情。"""
    actor = actor_of(request)
    f = ChannelFilters(**filters.dict())
    return [_entry(r) for r in channel_inbox(actor=actor, filters=f)[:LIST_LIMIT]]


@router.get("/channel/counts", summary="举报咨询统计", response={200: CountsOut, **ERROR_RESPONSES})
def counts(request: HttpRequest) -> Any:
    c = channel_counts(actor=actor_of(request))
    return {
        "total": c.total,
        "overdue": c.overdue,
        "mine": c.mine,
        "by_status": c.by_status,
        "by_source": c.by_source,
        "by_kind": c.by_kind,
    }


@router.get(
    "/channel/entries/{int:entry_id}",
    summary="举报咨询详情",
    response={200: EntryDetailOut, **ERROR_RESPONSES},
)
def entry_detail(request: HttpRequest, entry_id: int) -> Any:
    """含署名举报人的姓名和电话：每次查阅记入查阅记录。"""
    actor = actor_of(request)
    report = _get(actor, entry_id)
    report_look_record(actor=actor, report=report)
    return _detail(report)


@router.post(
    "/channel/entries",
    summary="登记来信来电来访",
    response={201: RegisteredOut, **WRITE_RESPONSES},
)
def entry_register(request: HttpRequest, payload: RegisterIn) -> Any:
    """`source` 为 letter、phone 或 visit；`kind` 为 report（举报）或 consultation（咨询）。
    返回的回执编号只返回这一次，请告知反映人。"""
    actor = actor_of(request)
    report, receipt = channel_register(actor=actor, **payload.dict())
    return Status(201, {"entry": _fresh(actor, report), "receipt": format_receipt(receipt)})


@router.post(
    "/channel/entries/{int:entry_id}/link",
    summary="关联干部和选任事项",
    response={200: EntryDetailOut, **WRITE_RESPONSES},
)
def entry_link(request: HttpRequest, entry_id: int, payload: LinkIn) -> Any:
    """`cadre`：干部姓名或公民身份号码；`case`：选任事项编号；留空表示不关联。"""
    actor = actor_of(request)
    report = _get(actor, entry_id)
    cadre, case = link_targets(actor=actor, cadre_text=payload.cadre, case_number=payload.case)
    return _fresh(actor, channel_link(actor=actor, report=report, cadre=cadre, case=case))


@router.post(
    "/channel/entries/{int:entry_id}/assign",
    summary="分派举报咨询",
    response={200: EntryDetailOut, **WRITE_RESPONSES},
)
def entry_assign(request: HttpRequest, entry_id: int, payload: AssignIn) -> Any:
    """`due_on` 不填时按默认办理期限（收到之日起计算）。"""
    actor = actor_of(request)
    report = _get(actor, entry_id)
    user = get_user_model().objects.filter(pk=payload.assignee).first()
    return _fresh(
        actor, channel_assign(actor=actor, report=report, assignee=user, due_on=payload.due_on)
    )


@router.post(
    "/channel/entries/{int:entry_id}/investigate",
    summary="记录调查核实情况",
    response={200: EntryDetailOut, **WRITE_RESPONSES},
)
def entry_investigate(request: HttpRequest, entry_id: int, payload: InvestigateIn) -> Any:
    actor = actor_of(request)
    report = _get(actor, entry_id)
    return _fresh(actor, report_investigate(actor=actor, report=report, note=payload.note))


@router.post(
    "/channel/entries/{int:entry_id}/reply",
    summary="答复反映人",
    response={200: EntryDetailOut, **WRITE_RESPONSES},
)
def entry_reply(request: HttpRequest, entry_id: int, payload: ReplyIn) -> Any:
    """`reply_channel` 为 phone、letter、visit 或 sms。匿名举报不答复。"""
    actor = actor_of(request)
    report = _get(actor, entry_id)
    return _fresh(actor, channel_reply(actor=actor, report=report, **payload.dict()))


@router.post(
    "/channel/entries/{int:entry_id}/close",
    summary="办结举报咨询",
    response={200: EntryDetailOut, **WRITE_RESPONSES},
)
def entry_close(request: HttpRequest, entry_id: int, payload: CloseIn) -> Any:
    """举报的结论为 true（属实）、partly（部分属实）或 unfounded（不实）；咨询为 answered。"""
    actor = actor_of(request)
    report = _get(actor, entry_id)
    return _fresh(
        actor, channel_close(actor=actor, report=report, finding=payload.finding, text=payload.text)
    )
