"""经济责任审计 (economic responsibility audit) of the candidates the template
names (docs/decisions/0014)."""

from __future__ import annotations

from xuanren.procedure.guards.decision import audit_concluded
from xuanren.procedure.steps.base import N_, Day, Id, Row, StepData, field


class Audit(Row):
    """一名人选的审计结论。"""

    candidate: Id = field(N_("考察对象"))
    concluded_on: Day = field(N_("审计结论日期"))
    report: str = field(N_("审计报告文号"), min_length=1, max_length=100)
    problems: str = field(N_("发现的问题"), default="", max_length=2000)


class AuditData(StepData):
    """经济责任审计：须审计的人选的审计结论。"""

    audits: list[Audit] = field(N_("经济责任审计"), default_factory=list, max_length=200)


Data = AuditData

GUARDS = (audit_concluded,)
EFFECTS = ()
