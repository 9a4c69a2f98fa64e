"""试用期满考核 (assessment at the end of probation): competent or not per
candidate on probation; `outcomes` is derived by the effect
(docs/decisions/0014)."""

from __future__ import annotations

from typing import Literal

from django.utils.translation import gettext as _
from pydantic import model_validator

from xuanren.procedure.guards.decision import probation_assessed, probation_end_apply
from xuanren.procedure.steps.base import N_, Day, Id, Row, StepData, choice, field

RESULTS = {"competent": N_("胜任"), "not_competent": N_("不胜任")}
LEVELS = {
    "bureau_principal": N_("正厅级"),
    "bureau_deputy": N_("副厅级"),
    "division_principal": N_("正处级"),
    "division_deputy": N_("副处级"),
    "section_principal": N_("正科级"),
    "section_deputy": N_("副科级"),
    "subsection_principal": N_("正股级"),
    "subsection_deputy": N_("副股级"),
}


class Assessment(Row):
    """一名试用人员的考核结果；不胜任的写明免职文号，可注明恢复的职务层次。"""

    candidate: Id = field(N_("试用人员"))
    result: Literal["competent", "not_competent"] = choice(N_("考核结果"), RESULTS)
    assessed_on: Day = field(N_("考核日期"))
    document: str = field(N_("免职文号"), default="", max_length=100)
    restore_level: (
        Literal[
            "bureau_principal",
            "bureau_deputy",
            "division_principal",
            "division_deputy",
            "section_principal",
            "section_deputy",
            "subsection_principal",
            "subsection_deputy",
        ]
        | None
    ) = choice(N_("恢复的职务层次"), LEVELS, default=None)
    restore_level_since: Day | None = field(N_("原层次任职时间"), default=None)

    @model_validator(mode="after")
    def _document_when_not_competent(self) -> Assessment:
        if self.result == "not_competent" and not self.document:
            raise ValueError(_("不胜任的，须填写免去试任职务的文号。"))
        return self


class ProbationEndData(StepData):
    """试用期满考核：每名试用人员的考核结果。"""

    assessments: list[Assessment] = field(N_("试用期满考核"), default_factory=list, max_length=200)


Data = ProbationEndData

GUARDS = (probation_assessed,)
EFFECTS = (probation_end_apply,)
