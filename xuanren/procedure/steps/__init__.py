"""One module per procedure step: its data contract (`Data`, a typed model
with a Chinese title on every field), the guards that must hold before it
completes (`GUARDS`) and what completing it changes (`EFFECTS`).

`validate(step, data)` is what every caller's data goes through before the
guards (`case_step_complete`, `case_decision_resume`, `case_step_correct`, the
guard preview): it returns the normalised dict that is stored (record ids as
integers, dates as ISO strings) or raises `ValidationFailed` whose errors name
each field by its title and each row by its number (docs/decisions/0049)."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from django.utils.translation import gettext as _
from pydantic import ValidationError as PydanticValidationError

from xuanren.common.errors import FieldError, ValidationFailed
from xuanren.procedure.catalogue import STEPS
from xuanren.procedure.steps import (
    appointment,
    appointment_talk,
    audit,
    candidates,
    decision,
    deliberation,
    evaluation,
    inspection,
    inspection_notice,
    integrity_opinion,
    interview,
    motion,
    plan,
    probation_end,
    public_notice,
    publication,
    qualification_review,
    recommendation,
    registration,
    written_exam,
)
from xuanren.procedure.steps.base import StepData, messages_for

MODULES: dict[str, ModuleType] = {
    "motion": motion,
    "plan": plan,
    "publication": publication,
    "registration": registration,
    "qualification_review": qualification_review,
    "written_exam": written_exam,
    "interview": interview,
    "recommendation": recommendation,
    "evaluation": evaluation,
    "candidates": candidates,
    "inspection_notice": inspection_notice,
    "inspection": inspection,
    "integrity_opinion": integrity_opinion,
    "audit": audit,
    "deliberation": deliberation,
    "decision": decision,
    "public_notice": public_notice,
    "appointment": appointment,
    "appointment_talk": appointment_talk,
    "probation_end": probation_end,
}

#: Step code → the model its data must satisfy.
CONTRACTS: dict[str, type[StepData]] = {code: m.Data for code, m in MODULES.items()}

#: Keys the effects write into a step record's data after it is stored
#: (never submitted): shown on the 纪实 with the titles below.
DERIVED: dict[str, tuple[str, ...]] = {
    "decision": ("result_sheet",),
    "appointment": ("appointments",),
    "probation_end": ("outcomes",),
}

assert set(CONTRACTS) == set(STEPS), "every step of the catalogue has a contract"


def problems(step: str, data: Any) -> list[FieldError]:
    """What is wrong with `data` for `step`, one FieldError per problem (empty: none)."""
    model = CONTRACTS[step]
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return [FieldError("__all__", _("本环节的内容应为一组内容（对象），请按说明填写。"))]
    try:
        model.model_validate(data)
    except PydanticValidationError as exc:
        return messages_for(model, exc)
    return []


def validate(step: str, data: Any) -> dict[str, Any]:
    """The normalised data to store for `step`, or ValidationFailed in Chinese."""
    model = CONTRACTS.get(step)
    if model is None:
        raise ValidationFailed(_("未知环节。"), errors=[FieldError("step", _("没有这个环节。"))])
    found = problems(step, data)
    if found:
        raise ValidationFailed(
            _("“%(n)s”环节的内容不完整或有误，未办理：请按提示修改后再提交。") % {"n": STEPS[step]},
            errors=found,
        )
    dumped = model.model_validate(data or {}).model_dump(
        mode="json", exclude_unset=True, by_alias=True
    )
    assert isinstance(dumped, dict)
    return dumped
