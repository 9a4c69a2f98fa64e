"""考察预告 (notice of the inspection): its text and the day it was published."""

from __future__ import annotations

from xuanren.procedure.steps.base import N_, Day, StepData, field


class InspectionNoticeData(StepData):
    """考察预告：预告内容和发布日期。"""

    text: str = field(N_("考察预告内容"), min_length=1, max_length=8000)
    published_on: Day = field(N_("发布日期"))


Data = InspectionNoticeData

GUARDS = ()
EFFECTS = ()
