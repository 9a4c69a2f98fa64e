"""动议 (motion): why a selection is proposed and by whom. Guard: the quota
(职数) allows the posts, and nobody proposed is of another post type (不混岗,
docs/decisions/0088)."""

from __future__ import annotations

from typing import Literal

from xuanren.procedure.guards.basic import quota_allows
from xuanren.procedure.steps.base import N_, StepData, choice, field

REASONS = {
    "vacancy": N_("职位空缺"),
    "structure": N_("优化领导班子结构"),
    "digest_over_quota": N_("消化超职数配备"),
}


class MotionData(StepData):
    """动议：动议理由、提议人（单位或个人）和说明。"""

    reason: Literal["vacancy", "structure", "digest_over_quota"] = choice(N_("动议理由"), REASONS)
    proposer: str = field(N_("提议人（单位或个人）"), min_length=1, max_length=100)
    explanation: str = field(N_("动议说明"), default="", max_length=4000)


Data = MotionData

GUARDS = (quota_allows,)
EFFECTS = ()
