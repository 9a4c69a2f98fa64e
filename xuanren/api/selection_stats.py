"""Selection statistics (选人用人统计, issue 14). Handlers only call the
selector; every share is given as its two integers, its per-mille (rounded
half up) and the percentage the page shows.

(No `from __future__ import annotations` in the routers: ninja reads the
parameter annotations at import time.)"""

import datetime as dt
from dataclasses import asdict
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from xuanren.api.auth import actor_of
from xuanren.api.errors import ERROR_RESPONSES
from xuanren.statistics.selection import period_of, selection_report
from xuanren.statistics.selection_tally import Decisions, FollowUp, Share

router = Router(tags=["统计分析"])


class ShareOut(Schema):
    part: int
    whole: int
    per_mille: int | None = Field(description="千分比，四舍五入；分母为 0 时为 null")
    percent: str = Field(description="百分比文字，保留一位小数；分母为 0 时为“—”")


class DecisionsOut(Schema):
    meetings: int = Field(description="讨论决定会议次数（按决定机构和会议日期）")
    put_to_vote: int = Field(description="提交讨论决定的人选人次（含缓议）")
    passed: ShareOut
    deferred: ShareOut
    rejected: ShareOut
    ballots: int = Field(description="投票张数：同意、不同意、弃权之和")
    against: ShareOut
    abstaining: ShareOut
    against_or_abstaining: ShareOut


class YearOut(DecisionsOut):
    year: int


class FollowUpOut(Schema):
    total: int
    passed_later: ShareOut = Field(description="再次提交讨论决定并通过")
    again_not_passed: ShareOut = Field(description="再次提交仍未通过")
    pending: ShareOut = Field(description="仍在缓议、待再次讨论")
    not_again: ShareOut = Field(description="未再提交讨论决定")
    punished_later: ShareOut = Field(description="其后受到惩处")


class TrainingOut(Schema):
    person_times: int = Field(description="培训人次（按培训年度）")
    people: int = Field(description="参加培训的干部人数")
    hours: int = Field(description="培训学时合计")
    classes: int = Field(description="期间内结业的培训班次")
    postings: int = Field(description="期间内开始的挂职锻炼人次")


class SelectionStatsOut(Schema):
    unit_id: int | None
    start: dt.date
    end: dt.date
    decisions: DecisionsOut
    years: list[YearOut]
    deferred_after: FollowUpOut
    rejected_after: FollowUpOut
    integrity_opinions: int
    integrity_vetoes: ShareOut
    integrity_concerns: ShareOut
    notices: int
    reports_received: int
    reports_investigated: ShareOut
    probations_ended: int
    probations_removed: ShareOut
    training: TrainingOut


def _share(s: Share) -> dict[str, Any]:
    return {"part": s.part, "whole": s.whole, "per_mille": s.per_mille, "percent": s.percent}


def _decisions(d: Decisions) -> dict[str, Any]:
    return {
        "meetings": d.meetings,
        "put_to_vote": d.put_to_vote,
        "ballots": d.ballots,
        **{
            k: _share(getattr(d, k))
            for k in ("passed", "deferred", "rejected", "against", "abstaining",
                      "against_or_abstaining")
        },
    }  # fmt: skip


def _follow(f: FollowUp) -> dict[str, Any]:
    return {
        "total": f.total,
        **{
            k: _share(getattr(f, k))
            for k in ("passed_later", "again_not_passed", "pending", "not_again", "punished_later")
        },
    }


@router.get(
    "/statistics/selection",
    summary="选人用人统计",
    response={200: SelectionStatsOut, **ERROR_RESPONSES},
)
def selection(
    request: HttpRequest,
    unit: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Any:
    """某一期间、某单位及其下级（默认本人全部管理范围）的选人用人统计：讨论决定会议、
    提交表决人次、缓议、否决、通过、投票及不同意和弃权、廉政意见否决、任前公示、举报受理和
    调查核实、试用期满考核和免职，缓议、未通过人选其后的情况，以及干部培训和挂职。`start` 默认为 `end`
    所在年度的 1 月 1 日，`end` 默认为今天。无权限 403；单位不在管理范围内 404。"""
    report = selection_report(actor=actor_of(request), unit_id=unit, period=period_of(start, end))
    s = report.stats
    return {
        "unit_id": report.unit.pk if report.unit is not None else None,
        "start": s.period.start,
        "end": s.period.end,
        "decisions": _decisions(s.decisions),
        "years": [{"year": y.year, **_decisions(y.decisions)} for y in s.years],
        "deferred_after": _follow(s.deferred_after),
        "rejected_after": _follow(s.rejected_after),
        "integrity_opinions": s.integrity.opinions,
        "integrity_vetoes": _share(s.integrity.vetoes),
        "integrity_concerns": _share(s.integrity.concerns),
        "notices": s.notices,
        "reports_received": s.reports_received,
        "reports_investigated": _share(s.reports_investigated),
        "probations_ended": s.probation.ended,
        "probations_removed": _share(s.probation.removed),
        "training": asdict(report.training) if report.training is not None else None,
    }
