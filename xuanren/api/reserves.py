"""后备干部 三荐双考 (issue 15, docs/decisions/0153–0155): the rounds with
their counts, nominees and list; nominations, test scores, inspections, the
list, leaving and the review. The same selectors and services as the pages
(out of scope: 404; may see but not change: 403).

(No `from __future__ import annotations` in the routers: ninja reads the
parameter annotations at import time.)"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.responses import Status

from xuanren.api.auth import actor_of
from xuanren.api.errors import ERROR_RESPONSES, ErrorOut
from xuanren.common.errors import NotFound, ValidationFailed
from xuanren.org.models import Unit
from xuanren.people.models import Cadre
from xuanren.reserves.calc import RoundCounts
from xuanren.reserves.models import Member, Nominee, ReserveRound
from xuanren.reserves.selectors import (
    NomineeLine,
    counts_for,
    member_get,
    next_review,
    nominee_get,
    reserve_round_get,
    reserve_rounds,
    round_members,
    round_nominees,
    round_reviews,
)
from xuanren.reserves.services import (
    AddIn,
    LeaveIn,
    reserve_inspection_record,
    reserve_list_fix,
    reserve_member_add,
    reserve_member_leave,
    reserve_nominate,
    reserve_review_record,
    reserve_round_create,
    reserve_test_record,
)

router = Router(tags=["后备干部"])
WRITE_RESPONSES = {**ERROR_RESPONSES, 409: ErrorOut, 422: ErrorOut}
MAX_BATCH = 2000


class RoundIn(Schema):
    unit: int
    year: int
    title: str
    pass_line: Decimal


class RoundOut(Schema):
    id: int
    unit_id: int
    year: int
    title: str
    pass_line: Decimal
    listed_on: dt.date | None


class CountsOut(Schema):
    by_channel: dict[str, int]
    nominations: int
    nominated: int
    tested: int
    passed: int
    failed: int
    inspected: int
    inspection_passed: int
    inspection_failed: int
    listed: dict[str, int]
    left: int
    left_by_reason: dict[str, int]


class NomineeOut(Schema):
    id: int
    cadre_id: int
    name: str
    channels: list[str]
    score: Decimal | None
    subject_scores: dict[str, str]
    tested_on: dt.date | None
    passed: bool | None
    inspection: str
    inspection_label: str
    inspected_on: dt.date | None
    inspection_note: str
    listed: bool


class MemberOut(Schema):
    id: int
    nominee_id: int
    cadre_id: int
    name: str
    tier: str
    tier_label: str
    target_level: str
    target_post: str
    listed_on: dt.date | None
    left_on: dt.date | None
    leave_reason: str
    leave_reason_label: str
    leave_note: str


class ReviewOut(Schema):
    id: int
    held_on: dt.date
    note: str
    stayed: int
    added: int
    left: int


class RoundDetailOut(RoundOut):
    next_review: dt.date | None
    counts: CountsOut
    nominees: list[NomineeOut]
    members: list[MemberOut]
    reviews: list[ReviewOut]


class NominationIn(Schema):
    cadre: int
    channel: str
    nominated_on: dt.date
    note: str = ""


class TestIn(Schema):
    """The total, or (a round with subjects, decision 0173) every subject's
    score by name, the total then computed."""

    score: Decimal | None = None
    subject_scores: dict[str, Decimal] | None = None
    tested_on: dt.date


class InspectionIn(Schema):
    result: str
    inspected_on: dt.date
    note: str = ""


class MemberIn(Schema):
    nominee: int
    tier: str
    target_level: str = ""
    target_post: str = ""


class FixIn(Schema):
    listed_on: dt.date


class LeaveBody(Schema):
    left_on: dt.date
    reason: str
    note: str = ""


class ReviewLeave(Schema):
    member: int
    reason: str
    note: str = ""


class ReviewIn(Schema):
    held_on: dt.date
    note: str = ""
    leaving: list[ReviewLeave] = []
    adding: list[MemberIn] = []


def _round(r: ReserveRound) -> dict[str, Any]:
    return {"id": r.pk, "unit_id": r.unit_id, "year": r.year, "title": r.title,
            "pass_line": r.pass_line, "listed_on": r.listed_on}  # fmt: skip


def _counts(c: RoundCounts) -> dict[str, Any]:
    return {k: getattr(c, k) for k in CountsOut.model_fields}


def _nominee(x: NomineeLine) -> dict[str, Any]:
    n = x.nominee
    return {
        "id": n.pk, "cadre_id": n.cadre_id, "name": n.cadre.name, "channels": x.channels,
        "score": n.score, "subject_scores": n.subject_scores,
        "tested_on": n.tested_on, "passed": x.passed,
        "inspection": n.inspection, "inspection_label": n.get_inspection_display(),
        "inspected_on": n.inspected_on, "inspection_note": n.inspection_note,
        "listed": x.listed,
    }  # fmt: skip


def _member(m: Member) -> dict[str, Any]:
    return {
        "id": m.pk, "nominee_id": m.nominee_id, "cadre_id": m.cadre_id, "name": m.cadre.name,
        "tier": m.tier, "tier_label": m.get_tier_display(), "target_level": m.target_level,
        "target_post": m.target_post, "listed_on": m.listed_on, "left_on": m.left_on,
        "leave_reason": m.leave_reason,
        "leave_reason_label": m.get_leave_reason_display() if m.leave_reason else "",
        "leave_note": m.leave_note,
    }  # fmt: skip


def _detail(actor: Any, r: ReserveRound) -> dict[str, Any]:
    return {
        **_round(r),
        "next_review": next_review(r),
        "counts": _counts(counts_for(actor=actor, round=r)),
        "nominees": [_nominee(x) for x in round_nominees(actor=actor, round=r)],
        "members": [_member(m) for m in round_members(actor=actor, round=r)],
        "reviews": [
            {
                "id": v.pk,
                "held_on": v.held_on,
                "note": v.note,
                "stayed": v.stayed,
                "added": v.added_count,  # type: ignore[attr-defined]
                "left": v.left_count,  # type: ignore[attr-defined]
            }
            for v in round_reviews(actor=actor, round=r)
        ],
    }


def _nominee_of(actor: Any, round_id: int, nominee_id: int) -> Nominee:
    return nominee_get(actor=actor, round=reserve_round_get(actor=actor, pk=round_id),
                       pk=nominee_id)  # fmt: skip


@router.get(
    "/reserve-rounds", summary="后备干部选拔列表", response={200: list[RoundOut], **ERROR_RESPONSES}
)
def rounds(request: HttpRequest) -> Any:
    """本人管理范围内的后备干部选拔，最新的在前。"""
    return [_round(r) for r in reserve_rounds(actor=actor_of(request))[:200]]


@router.post(
    "/reserve-rounds", summary="开展后备干部选拔", response={201: RoundOut, **WRITE_RESPONSES}
)
def round_create(request: HttpRequest, payload: RoundIn) -> Any:
    actor = actor_of(request)
    unit = Unit.objects.filter(pk=payload.unit).first()
    if unit is None:
        raise NotFound(_("未找到该单位，或其不在您的管理范围内。"))
    created = reserve_round_create(actor=actor, unit=unit, year=payload.year,
                                   title=payload.title, pass_line=payload.pass_line)  # fmt: skip
    return Status(201, _round(created))


@router.get(
    "/reserve-rounds/{int:round_id}",
    summary="后备干部选拔：各环节人数、推荐人选、名单和调整",
    response={200: RoundDetailOut, **ERROR_RESPONSES},
)
def round_detail(request: HttpRequest, round_id: int) -> Any:
    actor = actor_of(request)
    return _detail(actor, reserve_round_get(actor=actor, pk=round_id))


@router.post(
    "/reserve-rounds/{int:round_id}/nominations",
    summary="登记推荐（组织推荐、群众推荐、个人自荐）",
    response={201: NomineeOut, **WRITE_RESPONSES},
)
def nominate(request: HttpRequest, round_id: int, payload: NominationIn) -> Any:
    actor = actor_of(request)
    round_ = reserve_round_get(actor=actor, pk=round_id)
    cadre = Cadre.objects.filter(pk=payload.cadre).first()
    if cadre is None:
        raise NotFound(_("未找到该干部，或其不在您的管理范围内。"))
    n = reserve_nominate(actor=actor, round=round_, cadre=cadre, channel=payload.channel,
                         nominated_on=payload.nominated_on, note=payload.note)  # fmt: skip
    line = next(x for x in round_nominees(actor=actor, round=round_) if x.nominee.pk == n.pk)
    return Status(201, _nominee(line))


def _line(actor: Any, n: Nominee) -> dict[str, Any]:
    round_ = reserve_round_get(actor=actor, pk=n.round_id)
    return _nominee(next(x for x in round_nominees(actor=actor, round=round_)
                         if x.nominee.pk == n.pk))  # fmt: skip


@router.put(
    "/reserve-rounds/{int:round_id}/nominees/{int:nominee_id}/test",
    summary="登记测试成绩",
    response={200: NomineeOut, **WRITE_RESPONSES},
)
def test_record(request: HttpRequest, round_id: int, nominee_id: int, payload: TestIn) -> Any:
    actor = actor_of(request)
    n = _nominee_of(actor, round_id, nominee_id)
    reserve_test_record(actor=actor, nominee=n, score=payload.score, tested_on=payload.tested_on,
                        subject_scores=payload.subject_scores)  # fmt: skip
    return _line(actor, n)


@router.put(
    "/reserve-rounds/{int:round_id}/nominees/{int:nominee_id}/inspection",
    summary="登记组织考察结果",
    response={200: NomineeOut, **WRITE_RESPONSES},
)
def inspection_record(
    request: HttpRequest, round_id: int, nominee_id: int, payload: InspectionIn
) -> Any:
    actor = actor_of(request)
    n = _nominee_of(actor, round_id, nominee_id)
    reserve_inspection_record(actor=actor, nominee=n, result=payload.result,
                              inspected_on=payload.inspected_on, note=payload.note)  # fmt: skip
    return _line(actor, n)


@router.post(
    "/reserve-rounds/{int:round_id}/members",
    summary="列入后备干部名单（名单确定前）",
    response={201: MemberOut, **WRITE_RESPONSES},
)
def member_add(request: HttpRequest, round_id: int, payload: MemberIn) -> Any:
    actor = actor_of(request)
    n = _nominee_of(actor, round_id, payload.nominee)
    m = reserve_member_add(actor=actor, nominee=n, tier=payload.tier,
                           target_level=payload.target_level,
                           target_post=payload.target_post)  # fmt: skip
    return Status(201, _member(m))


@router.post(
    "/reserve-rounds/{int:round_id}/list",
    summary="确定后备干部名单",
    response={200: RoundDetailOut, **WRITE_RESPONSES},
)
def list_fix(request: HttpRequest, round_id: int, payload: FixIn) -> Any:
    actor = actor_of(request)
    round_ = reserve_round_get(actor=actor, pk=round_id)
    return _detail(actor, reserve_list_fix(actor=actor, round=round_, listed_on=payload.listed_on))


@router.post(
    "/reserve-rounds/{int:round_id}/members/{int:member_id}/leave",
    summary="登记退出后备干部名单",
    response={200: MemberOut, **WRITE_RESPONSES},
)
def member_leave(request: HttpRequest, round_id: int, member_id: int, payload: LeaveBody) -> Any:
    actor = actor_of(request)
    round_ = reserve_round_get(actor=actor, pk=round_id)
    m = member_get(actor=actor, round=round_, pk=member_id)
    return _member(reserve_member_leave(actor=actor, member=m, left_on=payload.left_on,
                                        reason=payload.reason, note=payload.note))  # fmt: skip


@router.post(
    "/reserve-rounds/{int:round_id}/reviews",
    summary="调整后备干部名单（保留、增列、退出）",
    response={201: RoundDetailOut, **WRITE_RESPONSES},
)
def review(request: HttpRequest, round_id: int, payload: ReviewIn) -> Any:
    actor = actor_of(request)
    round_ = reserve_round_get(actor=actor, pk=round_id)
    if len(payload.leaving) + len(payload.adding) > MAX_BATCH:
        raise ValidationFailed(_("一次调整最多 %(n)d 人。") % {"n": MAX_BATCH})
    leaving = [LeaveIn(member_get(actor=actor, round=round_, pk=x.member), x.reason, x.note)
               for x in payload.leaving]  # fmt: skip
    adding = [AddIn(nominee_get(actor=actor, round=round_, pk=x.nominee), x.tier,
                    x.target_level, x.target_post)
              for x in payload.adding]  # fmt: skip
    reserve_review_record(actor=actor, round=round_, held_on=payload.held_on, note=payload.note,
                          leaving=leaving, adding=adding)  # fmt: skip
    return Status(201, _detail(actor, reserve_round_get(actor=actor, pk=round_id)))
