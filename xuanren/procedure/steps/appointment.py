"""任职 (appointment): the document and the method; tenures, probation and the
record's `appointments` are derived by the effect (docs/decisions/0014, 0019)."""

from __future__ import annotations

from typing import Literal

from xuanren.procedure.guards.basic import document_recorded, quota_allows
from xuanren.procedure.guards.decision import (
    appointment_start_tenures,
    approved_within_seats,
    method_allowed,
)
from xuanren.procedure.steps.base import N_, Day, StepData, choice, field

METHODS = {
    "appointed": N_("委任"),
    "elected": N_("选任"),
    "hired": N_("聘任"),
    "competitive": N_("竞争上岗"),
    "open_selection": N_("公开选拔"),
}


class AppointmentData(StepData):
    """任职：任职文号、文件日期和任职方式（不填按本类事项的通常方式）。"""

    document_number: str = field(N_("任职文号"), min_length=1, max_length=100)
    document_date: Day = field(N_("任职文件日期"))
    method: Literal["appointed", "elected", "hired", "competitive", "open_selection"] | None = (
        choice(N_("任职方式"), METHODS, default=None)
    )


Data = AppointmentData

GUARDS = (document_recorded, quota_allows, method_allowed, approved_within_seats)
EFFECTS = (appointment_start_tenures,)
