"""民主测评 (democratic evaluation, competitive template): the evaluation
meeting and the votes per candidate and group (docs/decisions/0013)."""

from __future__ import annotations

from typing import Literal

from xuanren.procedure.guards.selection import results_per_group
from xuanren.procedure.steps.base import N_, Count, Day, Id, Row, choice, field
from xuanren.procedure.steps.recommendation import BallotFields, Group

GRADES = {
    "excellent": N_("优秀"),
    "competent": N_("称职"),
    "basically_competent": N_("基本称职"),
    "incompetent": N_("不称职"),
}


class EvaluationRecord(Row):
    """测评会议：日期和各类别参加人数。"""

    kind: Literal["meeting"] = choice(N_("方式"), {"meeting": N_("会议测评")}, default="meeting")
    date: Day = field(N_("日期"))
    participants: dict[Group, Count] = field(N_("参加人数"), min_length=1)
    posts: list[Id] | None = field(N_("职位"), default=None)


class EvaluationResult(Row):
    """一名人选在某一类别的测评票数。"""

    cadre: Id = field(N_("人选"))
    post: Id | None = field(N_("职位"), default=None)
    group: Group = field(N_("测评人类别"))
    votes: Count = field(N_("票数"))
    grades: dict[str, Count] | None = choice(N_("各等次票数"), GRADES, default=None)


class EvaluationData(BallotFields):
    """民主测评：测评会议和测评结果。"""

    meetings: list[EvaluationRecord] = field(N_("测评记录"), default_factory=list, max_length=60)
    results: list[EvaluationResult] = field(N_("测评结果"), min_length=1, max_length=5000)


Data = EvaluationData

GUARDS = (results_per_group,)
EFFECTS = ()
