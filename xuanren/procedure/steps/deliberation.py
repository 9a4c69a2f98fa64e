"""酝酿 (deliberation): the plan circulated to every committee member before
the meeting (docs/decisions/0014)."""

from __future__ import annotations

from xuanren.procedure.guards.decision import plan_circulated
from xuanren.procedure.guards.differential import full_differential
from xuanren.procedure.steps.base import N_, Day, Id, Row, StepData, field


class Circulated(Row):
    """方案送达一名成员的日期。"""

    member: Id = field(N_("成员"))
    on: Day = field(N_("送阅日期"))


class DeliberationData(StepData):
    """酝酿：拟召开会议日期、酝酿的方案、送阅记录。"""

    planned_meeting_date: Day = field(N_("拟召开会议日期"))
    plan_document: str = field(N_("酝酿的方案"), min_length=1, max_length=200)
    circulated: list[Circulated] = field(N_("方案送阅"), default_factory=list, max_length=200)


Data = DeliberationData

GUARDS = (plan_circulated, full_differential)
EFFECTS = ()
