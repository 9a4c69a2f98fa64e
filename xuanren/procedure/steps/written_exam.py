"""笔试 (written exam, competitive template): scores per candidate."""

from __future__ import annotations

from xuanren.procedure.guards.selection import scores_ranked, scores_recorded
from xuanren.procedure.steps.scores import ScoresData


class WrittenExamData(ScoresData):
    """笔试：满分、形式和每名人选的成绩。"""


Data = WrittenExamData

GUARDS = (scores_recorded,)
EFFECTS = (scores_ranked,)
