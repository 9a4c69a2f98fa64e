"""确定考察对象 (choosing the inspection candidates): whom, for which post, and
the meeting that decided it (docs/decisions/0013)."""

from __future__ import annotations

from xuanren.procedure.guards.differential import full_differential
from xuanren.procedure.guards.selection import (
    candidates_qualified,
    differential_count,
    inspection_candidates_chosen,
    not_rejected_last_time,
    recommendation_fresh,
)
from xuanren.procedure.steps.base import N_, Day, Id, Row, StepData, field


class Chosen(Row):
    """一名考察对象及其拟任职位（本事项只有一个职位时可不填）。"""

    cadre: Id = field(N_("考察对象"))
    post: Id | None = field(N_("拟任职位"), default=None)


class CandidatesMeeting(Row):
    """研究确定考察对象的会议。"""

    body: str = field(N_("研究确定的会议"), min_length=1, max_length=200)
    date: Day = field(N_("会议日期"))


class CandidatesData(StepData):
    """确定考察对象：考察对象及研究确定的会议。"""

    chosen: list[Chosen] = field(N_("确定为考察对象"), min_length=1, max_length=500)
    meeting: CandidatesMeeting = field(N_("研究确定的会议"))


Data = CandidatesData

GUARDS = (
    differential_count,
    candidates_qualified,
    not_rejected_last_time,
    recommendation_fresh,
    full_differential,
)
EFFECTS = (inspection_candidates_chosen,)
