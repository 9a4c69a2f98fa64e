"""考察 (inspection): the team, what was done for each candidate (talks,
evaluation, field visits, reports checked, rank) and the signed report
(docs/decisions/0013)."""

from __future__ import annotations

from xuanren.procedure.guards.differential import full_differential
from xuanren.procedure.guards.selection import (
    differential_count,
    four_musts,
    inspection_done,
    inspection_recorded,
    report_signed_by_team,
)
from xuanren.procedure.steps.base import N_, Day, Id, Row, StepData, field


class TeamMember(Row):
    """考察组一名成员：姓名、分工；有干部档案的注明（用于回避核查）；只考察部分对象的列出。"""

    name: str = field(N_("姓名"), min_length=1, max_length=50)
    role: str = field(N_("分工"), default="", max_length=50)
    cadre: Id | None = field(N_("干部档案"), default=None)
    candidates: list[Id] | None = field(N_("负责考察的对象"), default=None)


class InspectionTalks(Row):
    """个别谈话：谈话人数和日期。"""

    count: int = field(N_("个别谈话人数"), ge=1, le=10_000_000)
    date: Day = field(N_("谈话日期"))


class InspectionEvaluation(Row):
    """民主测评：参加人数和日期。"""

    participants: int = field(N_("民主测评人数"), ge=1, le=10_000_000)
    date: Day = field(N_("测评日期"))


class FieldVisit(Row):
    """一处实地走访：地点和日期。"""

    place: str = field(N_("实地走访地点"), min_length=1, max_length=100)
    date: Day = field(N_("走访日期"))


class Inspected(Row):
    """一名考察对象的考察情况。"""

    cadre: Id = field(N_("考察对象"))
    post: Id | None = field(N_("拟任职位"), default=None)
    talks: InspectionTalks = field(N_("个别谈话"))
    evaluation: InspectionEvaluation = field(N_("民主测评"))
    field_visits: list[FieldVisit] = field(N_("实地走访"), min_length=1, max_length=20)
    reports_investigated: bool = field(N_("有关举报已查核"), default=False)
    rank: int | None = field(N_("排序"), default=None, ge=1, le=99)


class InspectionReport(Row):
    """考察报告：日期和署名的考察组成员。"""

    date: Day = field(N_("考察报告日期"))
    signed_by: list[str] = field(N_("署名"), default_factory=list, max_length=50)


class InspectionData(StepData):
    """考察：考察组、每名考察对象的考察情况、考察报告。"""

    # An assigned team signs with its own logins; a paper team is named here
    # (the guard `report_signed_by_team` checks either, docs/decisions/0062).
    team: list[TeamMember] = field(N_("考察组"), default_factory=list, max_length=50)
    candidates: list[Inspected] = field(N_("考察情况"), default_factory=list, max_length=200)
    report: InspectionReport = field(N_("考察报告"))


Data = InspectionData

GUARDS = (
    differential_count,
    inspection_recorded,
    report_signed_by_team,
    four_musts,
    full_differential,
)
EFFECTS = (inspection_done,)
