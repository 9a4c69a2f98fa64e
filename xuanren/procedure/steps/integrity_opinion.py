"""廉政意见 (the discipline commission's opinion): the written request, the
planned meeting and one opinion per candidate (docs/decisions/0014)."""

from __future__ import annotations

from typing import Literal

from xuanren.procedure.guards.decision import (
    integrity_exclude_failed,
    integrity_passed,
    integrity_requested_in_time,
)
from xuanren.procedure.steps.base import N_, Day, Id, Row, StepData, choice, field

#: "concerns" (有问题) is recorded for the meeting and does not exclude; it and
#: "failed" (否决) carry their reason (docs/decisions/0063).
RESULTS = {"passed": N_("通过"), "concerns": N_("有问题"), "failed": N_("未通过")}


class Opinion(Row):
    """纪检监察机关对一名考察对象的意见。"""

    candidate: Id = field(N_("考察对象"))
    result: Literal["passed", "concerns", "failed"] = choice(N_("廉政意见"), RESULTS)
    returned_on: Day = field(N_("回复日期"))
    document: str = field(N_("回复文号"), default="", max_length=100)
    reason: str = field(N_("理由"), default="", max_length=500)


class IntegrityOpinionData(StepData):
    """廉政意见：征求意见函、书面征求日期、拟提交讨论决定的会议日期、各考察对象的意见。"""

    request_document: str = field(N_("征求意见函文号"), min_length=1, max_length=100)
    requested_on: Day = field(N_("书面征求日期"))
    planned_meeting_date: Day = field(N_("拟提交讨论决定的会议日期"))
    opinions: list[Opinion] = field(N_("纪检监察机关的意见"), default_factory=list, max_length=200)


Data = IntegrityOpinionData

GUARDS = (integrity_requested_in_time, integrity_passed)
EFFECTS = (integrity_exclude_failed,)
