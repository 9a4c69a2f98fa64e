"""The shape shared by the written exam and the interview (competitive
template): full marks and one score per running candidate."""

from __future__ import annotations

from django.utils.translation import gettext as _
from pydantic import model_validator

from xuanren.procedure.steps.base import N_, Id, Number, Row, StepData, field


class Score(Row):
    """一名人选的成绩。"""

    cadre: Id = field(N_("人选"))
    post: Id | None = field(N_("拟任职位"), default=None)
    score: Number = field(N_("成绩"))
    #: Written from a signed 竞聘评分 sheet (docs/decisions/0149), never typed.
    rank: int | None = field(N_("名次（竞聘评分表）"), default=None, ge=1, le=10_000)
    excluded: bool = field(N_("不进入下一环节"), default=False)


class ScoresData(StepData):
    """成绩：满分、考试（测试）形式和每名人选的成绩。"""

    full_marks: Number = field(N_("满分"), gt=0)
    form: str = field(N_("考试（测试）形式"), default="", max_length=200)
    scores: list[Score] = field(N_("成绩"), default_factory=list, max_length=500)
    #: The signed 竞聘评分 sheet the scores were read from (docs/decisions/0149).
    sheet: Id | None = field(N_("竞聘评分表编号"), default=None)

    @model_validator(mode="after")
    def _not_above_full_marks(self) -> ScoresData:
        over = [n for n, s in enumerate(self.scores, start=1) if s.score > self.full_marks]
        if over:
            raise ValueError(
                _("成绩第 %(n)s 行高于满分 %(f)s，请核对。")
                % {"n": "、".join(str(n) for n in over), "f": f"{self.full_marks:g}"}
            )
        return self
