"""讨论决定 (the committee's decision): who was present and the votes per
candidate; the result sheet is derived by the effect, never submitted
(docs/decisions/0014, 0019, 0022)."""

from __future__ import annotations

from xuanren.procedure.guards.decision import (
    decision_apply_results,
    no_additions_at_meeting,
    quorum_and_majority,
    recusal_respected,
)
from xuanren.procedure.guards.differential import full_differential
from xuanren.procedure.guards.seats import passed_within_seats
from xuanren.procedure.steps.base import N_, Count, Day, Id, Row, field
from xuanren.procedure.steps.recommendation import BallotFields


class DecisionVote(Row):
    """对一名人选的表决：同意、不同意、弃权、赞成缓议的票数及回避人员。"""

    candidate: Id = field(N_("人选"))
    post: Id | None = field(N_("职位"), default=None)
    agree: Count = field(N_("同意"), default=0)
    disagree: Count = field(N_("不同意"), default=0)
    abstain: Count = field(N_("弃权"), default=0)
    defer_votes: Count = field(N_("赞成缓议"), default=0)
    recused: list[Id] = field(N_("回避人员"), default_factory=list, max_length=100)


class SeatChoice(Row):
    """通过人数多于职数时，记录由谁任职及理由（docs/decisions/0055）。"""

    post: Id = field(N_("职位"))
    # What is missing is the guard `passed_within_seats`'s to say, in its words.
    candidates: list[Id] = field(N_("任职人选"), default_factory=list, max_length=50)
    reason: str = field(N_("理由"), default="", max_length=500)


class DecisionData(BallotFields):
    """讨论决定：会议日期、到会成员、逐一表决的票数。"""

    meeting_date: Day = field(N_("会议日期"))
    present: list[Id] = field(N_("到会成员"), min_length=1, max_length=200)
    votes: list[DecisionVote] = field(N_("逐一表决"), min_length=1, max_length=200)
    seat_choice: list[SeatChoice] = field(N_("任职人选的确定"), default_factory=list, max_length=50)


Data = DecisionData

GUARDS = (
    quorum_and_majority,
    no_additions_at_meeting,
    recusal_respected,
    passed_within_seats,
    full_differential,
)
EFFECTS = (decision_apply_results,)
