"""报名 (registration, competitive template): when registration closed. Guard:
the posts were announced first."""

from __future__ import annotations

from xuanren.procedure.guards.basic import after_publication
from xuanren.procedure.steps.base import N_, Day, StepData, field


class RegistrationData(StepData):
    """报名：报名截止日期。"""

    closed_on: Day = field(N_("报名截止日期"))


Data = RegistrationData

GUARDS = (after_publication,)
EFFECTS = ()
