"""任前公示 (public notice before appointment): the notice is published and its
reports handled on the supervision pages; completing the step submits no data
(docs/decisions/0015)."""

from __future__ import annotations

from xuanren.procedure.guards.notice import (
    apply_report_findings,
    notice_complete,
    notice_full_length,
    reports_closed,
)
from xuanren.procedure.steps.base import StepData


class PublicNoticeData(StepData):
    """任前公示：公示和举报在公示管理页办理，本环节不另行提交内容。"""


Data = PublicNoticeData

GUARDS = (notice_complete, notice_full_length, reports_closed)
EFFECTS = (apply_report_findings,)
