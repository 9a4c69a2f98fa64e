"""民主推荐 (democratic recommendation): the meeting and talk records with their
participants per group, the signed ballots per cadre and group, and what is
kept but not counted (docs/decisions/0013)."""

from __future__ import annotations

from typing import Any, Literal

from xuanren.procedure.guards.basic import after_publication
from xuanren.procedure.guards.differential import full_differential
from xuanren.procedure.guards.selection import (
    recommendation_names_candidates,
    results_per_group,
    signed_recommendations,
)
from xuanren.procedure.steps.base import (
    N_,
    Count,
    Day,
    Id,
    Row,
    StepData,
    choice,
    field,
)

#: The groups of participants (推荐人类别).
Group = Literal[
    "领导班子成员", "中层干部", "下属单位主要负责人", "其他干部", "老同志代表", "代表", "职工群众"
]
RECORD_KINDS = {"meeting": N_("会议推荐"), "talk": N_("谈话推荐")}
NOT_COUNTED_KINDS = {
    "unsigned": N_("未署名推荐"),
    "phone": N_("电话推荐"),
    "verbal": N_("口头推荐"),
}
METHODS = {
    "electronic": N_("电子表决"),
    "paper": N_("纸质票"),
    "show_of_hands": N_("举手表决"),
}


class RecommendationRecord(Row):
    """一次会议推荐或谈话推荐：日期、各类别参加人数；只涉及部分职位时列出职位。"""

    kind: Literal["meeting", "talk"] = choice(N_("方式"), RECORD_KINDS)
    date: Day = field(N_("日期"))
    participants: dict[Group, Count] = field(N_("参加人数"), min_length=1)
    posts: list[Id] | None = field(N_("职位"), default=None)
    staff_total: Count | None = field(N_("应参加人数"), default=None)


class RecommendationResult(Row):
    """一名干部在一次推荐中得到某一类别的署名推荐票数。"""

    cadre: Id = field(N_("干部"))
    post: Id | None = field(N_("职位"), default=None)
    group: Group = field(N_("推荐人类别"))
    kind: Literal["meeting", "talk"] = choice(N_("方式"), RECORD_KINDS)
    signed: Count = field(N_("署名推荐票数"))


class NotCounted(Row):
    """不计票的推荐（未署名、电话、口头），留存备查。"""

    kind: Literal["unsigned", "phone", "verbal"] = choice(N_("类别"), NOT_COUNTED_KINDS)
    count: Count = field(N_("件数"))
    note: str = field(N_("说明"), default="", max_length=200)


class BallotFields(StepData):
    """How the result was collected, when it came from a ballot meeting."""

    method: Literal["electronic", "paper", "show_of_hands"] | None = choice(
        N_("表决方式"), METHODS, default=None
    )
    ballot_meeting: Id | None = field(N_("表决会议编号"), default=None)
    ballot_digest: str | None = field(N_("选票摘要（SHA-256）"), default=None, max_length=64)


class RecommendationData(BallotFields):
    """民主推荐：推荐记录、推荐结果（仅计署名推荐票）、不计票的推荐。"""

    meetings: list[RecommendationRecord] = field(N_("推荐记录"), min_length=1, max_length=60)
    results: list[RecommendationResult] = field(
        N_("推荐结果"), default_factory=list, max_length=5000
    )
    not_counted: list[NotCounted] = field(N_("不计票的推荐"), default_factory=list, max_length=60)
    write_ins: dict[str, Any] | None = field(N_("另选他人"), default=None)


Data = RecommendationData

GUARDS = (after_publication, signed_recommendations, results_per_group, full_differential)
EFFECTS = (recommendation_names_candidates,)
