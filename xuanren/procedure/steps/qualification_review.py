"""资格审查 (qualification review, competitive template): the registrants,
those refused with a reason (docs/decisions/0013)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from pydantic import model_validator

from xuanren.procedure.guards.selection import candidates_qualified, registrants_reviewed
from xuanren.procedure.steps.base import N_, Id, Row, StepData, field


class Registrant(Row):
    """一名报名人：报考职位（本事项只有一个职位时可不填）；资格审查不通过的写明理由。"""

    cadre: Id = field(N_("报名人"))
    post: Id | None = field(N_("报考职位"), default=None)
    passed: bool = field(N_("资格审查通过"), default=True)
    reason: str = field(N_("不通过理由"), default="", max_length=200)

    @model_validator(mode="after")
    def _reason_when_refused(self) -> Registrant:
        if not self.passed and not self.reason:
            raise ValueError(_("资格审查不通过须写明理由。"))
        return self


class QualificationReviewData(StepData):
    """资格审查：报名人员及审查结果。"""

    registrants: list[Registrant] = field(N_("报名人员"), min_length=1, max_length=500)


Data = QualificationReviewData

GUARDS = (candidates_qualified,)
EFFECTS = (registrants_reviewed,)
