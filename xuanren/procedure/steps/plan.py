"""选任方案 (plan): its content, the comments on the draft (征求意见稿), and the
higher department's approval where the template asks for it."""

from __future__ import annotations

from xuanren.procedure.guards.basic import consultation_recorded, higher_approval
from xuanren.procedure.steps.base import N_, Row, StepData, field


class PlanComment(Row):
    """一条征求意见：征求对象及其意见。"""

    from_: str = field(N_("征求对象"), alias="from", min_length=1, max_length=100)
    comment: str = field(N_("意见内容"), min_length=1, max_length=2000)


class HigherApproval(Row):
    """上级组织部门的审批：审批机关和批准文件。"""

    body: str = field(N_("审批机关"), min_length=1, max_length=100)
    document: str = field(N_("批准文件"), min_length=1, max_length=100)


class PlanData(StepData):
    """选任方案：主要内容、征求意见稿的意见，须报批的附上级审批。"""

    content: str = field(N_("方案主要内容"), default="", max_length=8000)
    competitive: bool = field(N_("实行竞争上岗方法"), default=False)
    consultation: list[PlanComment] = field(N_("征求意见"), default_factory=list, max_length=200)
    higher_approval: HigherApproval | None = field(N_("上级审批"), default=None)


Data = PlanData

GUARDS = (consultation_recorded, higher_approval)
EFFECTS = ()
