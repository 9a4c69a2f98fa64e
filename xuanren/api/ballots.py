"""Voting meetings: set up (a case's decision meeting, or a recommendation or
evaluation meeting), roster and attendance, one-time codes, open, progress
(已投 / 应投 — never contents), casting (by code, or as oneself), paper entry
by two tellers, close (the tally) and the published result, and applying a
result to its case's step. Handlers only call the ballots selectors and
services.

Casting by code needs no login (the code is the credential); casting as
oneself goes through the session (with CSRF) or a token.

(No `from __future__ import annotations` in the routers: ninja reads the
parameter annotations at import time.)"""

from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from ninja.responses import Status

from xuanren.access.policy import require_perm
from xuanren.api.auth import actor_of
from xuanren.api.ballot_schemas import (
    AbandonIn,
    ApplyIn,
    ApplyOut,
    AttendanceIn,
    BallotFormOut,
    BallotIn,
    CloseIn,
    CodeIn,
    CodeOut,
    CodesIn,
    CountKeyOut,
    DecisionMeetingIn,
    DeferralIn,
    MeetingIn,
    MeetingOut,
    OpenBallotOut,
    PaperIn,
    PaperOut,
    ProgressOut,
    ReceiptOut,
    ResultOut,
    RosterOut,
    SeatsIn,
    SeatsOverOut,
    meeting_row,
)
from xuanren.api.errors import ERROR_RESPONSES, ErrorOut
from xuanren.ballots import selectors, services
from xuanren.ballots.models import Item
from xuanren.common.errors import Conflict, NotFound
from xuanren.common.http import client_address
from xuanren.org.selectors import post_get, unit_get
from xuanren.people.selectors import cadre_get
from xuanren.procedure.selectors import case_get

router = Router(tags=["投票表决"])
WRITE_RESPONSES = {**ERROR_RESPONSES, 409: ErrorOut, 422: ErrorOut}
PUBLIC_RESPONSES = {404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _meeting(request: HttpRequest, pk: int) -> Any:
    return selectors.meeting_get(actor=actor_of(request), pk=pk)


@router.get("/ballots/meetings", response={200: list[MeetingOut], **ERROR_RESPONSES})
def meetings(request: HttpRequest, case: int | None = None) -> Any:
    """投票会议列表（本人管理范围内），可按选任事项筛选。"""
    return [meeting_row(m) for m in selectors.meeting_list(actor=actor_of(request), case_id=case)]


@router.get("/ballots/mine", response={200: list[OpenBallotOut], **ERROR_RESPONSES})
def mine(request: HttpRequest) -> Any:
    """我的选票：正在投票、本人账号在名单中且尚未投票的会议。"""
    return [
        {
            "meeting": b.meeting.pk,
            "title": b.meeting.title,
            "kind": b.meeting.kind,
            "meeting_date": b.meeting.meeting_date,
            "present": b.present,
            "recused_from": list(b.recused_from),
        }
        for b in selectors.open_ballots_for(actor_of(request))
    ]


@router.post("/ballots/meetings/decision", response={201: MeetingOut, **WRITE_RESPONSES})
def meeting_new_decision(request: HttpRequest, payload: DecisionMeetingIn) -> Any:
    """为选任事项组织讨论决定表决：应到会成员为会议日期在任的决定机构成员，
    表决人选为本事项的考察对象；回避关系自动识别。"""
    actor = actor_of(request)
    require_perm(actor, "ballots.add_meeting")
    meeting = services.meeting_create_for_decision(
        actor=actor,
        case=case_get(actor=actor, pk=payload.case),
        meeting_date=payload.meeting_date,
        method=payload.method,
        paper_mode=payload.paper_mode,
        sheet_count=payload.sheet_count,
    )
    return Status(201, meeting_row(meeting))


@router.post("/ballots/meetings", response={201: MeetingOut, **WRITE_RESPONSES})
def meeting_new(request: HttpRequest, payload: MeetingIn) -> Any:
    """新建民主推荐或民主测评会议：选票栏目（职位、限选人数、可否另推荐）及人选顺序，
    参加人员及其类别。"""
    actor = actor_of(request)
    require_perm(actor, "ballots.add_meeting")
    users = get_user_model().objects.in_bulk([v.user for v in payload.voters if v.user])
    meeting = services.meeting_create(
        actor=actor,
        kind=payload.kind,
        title=payload.title,
        unit=unit_get(actor=actor, pk=payload.unit),
        case=case_get(actor=actor, pk=payload.case) if payload.case else None,
        meeting_date=payload.meeting_date,
        method=payload.method,
        paper_mode=payload.paper_mode,
        sheet_count=payload.sheet_count,
        scale=payload.scale,
        record_kind=payload.record_kind,
        sections=[
            {
                "title": s.title,
                "post": post_get(actor=actor, pk=s.post) if s.post else None,
                "max_choices": s.max_choices,
                "write_ins": s.write_ins,
                "items": [
                    {
                        "name": i.name,
                        "cadre": cadre_get(actor=actor, pk=i.cadre) if i.cadre else None,
                    }
                    for i in s.items
                ],
            }
            for s in payload.sections
        ],
        voters=[
            {"name": v.name, "group": v.group, "user": users.get(v.user) if v.user else None}
            for v in payload.voters
        ],
    )
    return Status(201, meeting_row(meeting))


@router.get("/ballots/meetings/{int:meeting_id}", response={200: MeetingOut, **ERROR_RESPONSES})
def meeting_detail(request: HttpRequest, meeting_id: int) -> Any:
    """投票会议概况。"""
    return meeting_row(_meeting(request, meeting_id))


@router.get(
    "/ballots/meetings/{int:meeting_id}/roster", response={200: list[RosterOut], **ERROR_RESPONSES}
)
def roster(request: HttpRequest, meeting_id: int) -> Any:
    """应参加人员名单：类别、是否到会、是否已投票（不含所投内容）、回避的人选。"""
    return selectors.meeting_roster(actor=actor_of(request), meeting=_meeting(request, meeting_id))


@router.post(
    "/ballots/meetings/{int:meeting_id}/attendance",
    response={200: ProgressOut, **WRITE_RESPONSES},
)
def attendance(request: HttpRequest, meeting_id: int, payload: AttendanceIn) -> Any:
    """登记到会人员（投票人编号）。"""
    actor = actor_of(request)
    meeting = services.meeting_attendance_set(
        actor=actor, meeting=_meeting(request, meeting_id), present=payload.present
    )
    return selectors.meeting_progress(actor=actor, meeting=meeting)


@router.post(
    "/ballots/meetings/{int:meeting_id}/deferral",
    response={200: dict[str, Any], **WRITE_RESPONSES},
)
def deferral(request: HttpRequest, meeting_id: int, payload: DeferralIn) -> Any:
    """记录对某一人选的缓议表决票数（开始投票前）。"""
    meeting = _meeting(request, meeting_id)
    item = Item.objects.filter(meeting=meeting, pk=payload.item).first()
    if item is None:
        raise NotFound(_("选票上没有该人选。"))
    item = services.meeting_deferral_record(
        actor=actor_of(request), meeting=meeting, item=item, votes=payload.votes
    )
    return {"item": item.pk, "defer_votes": item.defer_votes, "deferred": item.deferred}


@router.post(
    "/ballots/meetings/{int:meeting_id}/codes", response={200: list[CodeOut], **WRITE_RESPONSES}
)
def codes(request: HttpRequest, meeting_id: int, payload: CodesIn) -> Any:
    """发放一次性投票码（只在此时返回明文，系统只保存其哈希）；准备中和投票中均可发放，
    重发即作废该人员的旧码；已投票的人员不再发放。"""
    issued = services.meeting_codes_issue(
        actor=actor_of(request), meeting=_meeting(request, meeting_id), voters=payload.voters
    )
    return [{"voter": v.pk, "name": v.name, "code": code} for v, code in issued]


@router.post(
    "/ballots/meetings/{int:meeting_id}/open", response={200: MeetingOut, **WRITE_RESPONSES}
)
def meeting_open(request: HttpRequest, meeting_id: int) -> Any:
    """开始投票：不早于会议日期；讨论决定须达到法定到会人数；电子投票须先生成计票密钥。"""
    return meeting_row(
        services.meeting_open(actor=actor_of(request), meeting=_meeting(request, meeting_id))
    )


@router.post(
    "/ballots/meetings/{int:meeting_id}/count-key",
    response={201: CountKeyOut, **WRITE_RESPONSES},
)
def count_key(request: HttpRequest, meeting_id: int) -> Any:
    """生成计票密钥（电子投票，开始投票前）：返回两段计票密码，只返回这一次，系统不保存。
    选票投出时即用其公钥密封，计票时须两名计票人合起密码才能打开。"""
    key = services.meeting_count_key_create(
        actor=actor_of(request), meeting=_meeting(request, meeting_id)
    )
    return Status(201, {"first_half": key.first_half, "second_half": key.second_half})


@router.get(
    "/ballots/meetings/{int:meeting_id}/progress", response={200: ProgressOut, **ERROR_RESPONSES}
)
def progress(request: HttpRequest, meeting_id: int) -> Any:
    """投票进度：已投 / 应投 / 到会；计票前不公布任何票数。"""
    return selectors.meeting_progress(
        actor=actor_of(request), meeting=_meeting(request, meeting_id)
    )


def _form_out(meeting: Any, voter: Any) -> dict[str, Any]:
    (form,) = selectors.ballot_form(meeting, voter)
    return {
        "meeting": meeting.pk,
        "title": meeting.title,
        "kind": meeting.kind,
        "status": meeting.status,
        "options": [list(o) for o in form["options"]],
        "sections": form["sections"],
    }


@router.get(
    "/ballots/meetings/{int:meeting_id}/ballot",
    response={200: BallotFormOut, **ERROR_RESPONSES},
)
def ballot_form(request: HttpRequest, meeting_id: int) -> Any:
    """本人的选票（人选、选项、限选人数）：须登录且在会议名单中，且仅在投票期间。"""
    actor = actor_of(request)
    meeting = selectors.meeting_voting(pk=meeting_id)
    voter = services.find_voter(meeting=meeting, code=None, actor=actor)
    if selectors.voted_in(voter):
        raise Conflict(_("您已经投过票，每人只能投一次。"))
    return _form_out(meeting, voter)


@router.post(
    "/ballots/meetings/{int:meeting_id}/ballot",
    auth=None,
    response={200: BallotFormOut, 429: ErrorOut, **PUBLIC_RESPONSES},
)
def ballot_form_by_code(request: HttpRequest, meeting_id: int, payload: CodeIn) -> Any:
    """凭一次性投票码取得选票，仅在投票期间；投票码放在请求正文中，不放在地址里。
    未知的投票码（404）和已经投过票的投票码（409）在此即被拒绝；输错次数按来源地址和会议限制。"""
    meeting = selectors.meeting_voting(pk=meeting_id)
    voter = services.code_enter(meeting=meeting, code=payload.code, client=client_address(request))
    return _form_out(meeting, voter)


@router.post(
    "/ballots/meetings/{int:meeting_id}/cast",
    auth=None,
    response={201: ReceiptOut, 429: ErrorOut, **PUBLIC_RESPONSES},
)
def cast_by_code(request: HttpRequest, meeting_id: int, payload: BallotIn) -> Any:
    """凭一次性投票码投票，返回回执码（只证明选票已投入票箱，不含所投内容）。"""
    if not payload.code.strip():
        selectors.meeting_voting(pk=meeting_id)  # no open meeting answers first, as before
        raise NotFound(_("请填写投票码。"))
    # The cast reads the meeting with the voter, in one statement.
    receipt = services.ballot_cast(
        actor=None,
        meeting=meeting_id,
        code=payload.code,
        content=payload.content,
        client=client_address(request),
    )
    return Status(201, {"receipt": receipt})


@router.post(
    "/ballots/meetings/{int:meeting_id}/cast-as-me",
    response={201: ReceiptOut, **WRITE_RESPONSES},
)
def cast_as_me(request: HttpRequest, meeting_id: int, payload: BallotIn) -> Any:
    """以本人账号投票（本人须在会议名单中）。"""
    receipt = services.ballot_cast(
        actor=actor_of(request), meeting=meeting_id, content=payload.content
    )
    return Status(201, {"receipt": receipt})


@router.post(
    "/ballots/meetings/{int:meeting_id}/paper", response={201: PaperOut, **WRITE_RESPONSES}
)
def paper(request: HttpRequest, meeting_id: int, payload: PaperIn) -> Any:
    """计票人录入一张纸质票（票号）或全部票数（按人选录入时不填票号）；每张须两人分别录入。"""
    e = services.paper_entry_record(
        actor=actor_of(request),
        meeting=_meeting(request, meeting_id),
        serial=payload.serial,
        content=payload.content,
    )
    return Status(201, {"id": e.pk, "serial": e.serial, "resolution": e.resolution})


@router.post(
    "/ballots/meetings/{int:meeting_id}/paper/resolve",
    response={201: PaperOut, **WRITE_RESPONSES},
)
def paper_resolve(request: HttpRequest, meeting_id: int, payload: PaperIn) -> Any:
    """两次录入不一致时，由录入人以外的人员复核认定。"""
    e = services.paper_entry_resolve(
        actor=actor_of(request),
        meeting=_meeting(request, meeting_id),
        serial=payload.serial,
        content=payload.content,
    )
    return Status(201, {"id": e.pk, "serial": e.serial, "resolution": e.resolution})


@router.post(
    "/ballots/meetings/{int:meeting_id}/close", response={200: ResultOut, **WRITE_RESPONSES}
)
def close(request: HttpRequest, meeting_id: int, payload: CloseIn) -> Any:
    """结束投票并计票：电子投票须输入两段计票密码，密封的选票打开后乱序写入再计票，
    公布回执码、选票和摘要；重复调用返回同一结果。"""
    actor = actor_of(request)
    meeting = services.meeting_close(
        actor=actor, meeting=_meeting(request, meeting_id), passphrase=payload.passphrase
    )
    return selectors.meeting_result(actor=actor, meeting=meeting)


@router.get(
    "/ballots/meetings/{int:meeting_id}/result", response={200: ResultOut, **WRITE_RESPONSES}
)
def result(request: HttpRequest, meeting_id: int) -> Any:
    """计票结果（计票后才有；此前为 409）。"""
    return selectors.meeting_result(actor=actor_of(request), meeting=_meeting(request, meeting_id))


@router.post(
    "/ballots/meetings/{int:meeting_id}/apply", response={201: ApplyOut, **WRITE_RESPONSES}
)
def apply(request: HttpRequest, meeting_id: int, payload: ApplyIn) -> Any:
    """将计票结果计入选任事项的相应环节（讨论决定、民主推荐或民主测评）。"""
    record = services.meeting_result_apply(
        actor=actor_of(request),
        meeting=_meeting(request, meeting_id),
        extra=payload.extra,
        on=payload.on,
    )
    return Status(201, {"case": record.case_id, "step": record.step, "record": record.pk})


@router.post(
    "/ballots/meetings/{int:meeting_id}/abandon", response={200: MeetingOut, **WRITE_RESPONSES}
)
def abandon(request: HttpRequest, meeting_id: int, payload: AbandonIn) -> Any:
    """作废准备中或投票中的会议（须说明原因）；已投的选票不开启、随即销毁。"""
    return meeting_row(
        services.meeting_abandon(
            actor=actor_of(request), meeting=_meeting(request, meeting_id), reason=payload.reason
        )
    )


@router.get(
    "/ballots/meetings/{int:meeting_id}/seats",
    response={200: list[SeatsOverOut], **ERROR_RESPONSES},
)
def seats(request: HttpRequest, meeting_id: int) -> Any:
    """计票后通过人选多于拟配人数的职位（须先确定拟任人选，才能计入事项）。"""
    return [
        {
            "post": o.post_id,
            "post_name": o.post_name,
            "seats": o.seats,
            "passed": [
                {"candidate": p.candidate, "name": p.name, "agree": p.agree} for p in o.passed
            ],
            "expected": list(o.expected),
            "tied": list(o.tied),
        }
        for o in selectors.seats_over(_meeting(request, meeting_id))
    ]


@router.post(
    "/ballots/meetings/{int:meeting_id}/seats", response={200: MeetingOut, **WRITE_RESPONSES}
)
def seats_choose(request: HttpRequest, meeting_id: int, payload: SeatsIn) -> Any:
    """确定拟任人选：通过人选多于拟配人数的职位，按同意票多少确定任职人选并说明理由。"""
    return meeting_row(
        services.meeting_seats_choose(
            actor=actor_of(request),
            meeting=_meeting(request, meeting_id),
            choices=[c.dict() for c in payload.choices],
        )
    )
