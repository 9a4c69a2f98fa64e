"""任前谈话 (the talk before taking office), with integrity education, for
every appointed candidate (docs/decisions/0014)."""

from __future__ import annotations

from xuanren.procedure.guards.decision import talks_before_office
from xuanren.procedure.steps.base import N_, Day, Id, Row, StepData, field


class Talk(Row):
    """一名任职人员的任前谈话。"""

    candidate: Id = field(N_("任职人员"))
    talk_on: Day = field(N_("谈话日期"))
    takes_office_on: Day = field(N_("到任日期"))
    by: str = field(N_("谈话人"), min_length=1, max_length=100)
    integrity_education: bool = field(N_("进行廉政教育"), default=False)


class AppointmentTalkData(StepData):
    """任前谈话：每名任职人员的谈话记录。"""

    talks: list[Talk] = field(N_("任前谈话"), min_length=1, max_length=200)


Data = AppointmentTalkData

GUARDS = (talks_before_office,)
EFFECTS = ()
