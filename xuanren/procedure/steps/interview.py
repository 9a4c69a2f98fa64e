"""面试及其他测试 (interview, competitive template): scores per candidate."""

from __future__ import annotations

from xuanren.procedure.guards.selection import scores_ranked, scores_recorded
from xuanren.procedure.steps.scores import ScoresData


class InterviewData(ScoresData):
    """面试及其他测试：满分、形式和每名人选的成绩。"""


Data = InterviewData

GUARDS = (scores_recorded,)
EFFECTS = (scores_ranked,)
