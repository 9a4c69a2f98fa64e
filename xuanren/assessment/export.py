"""The XLSX of a round's results (issue 15, docs/decisions/0169): per cadre,
the fifteen scores (rater group × dimension), each group's weighted score,
the composite, the grade the bands propose and the confirmed grade, ranked as
on the page. Text cells never become formulas (common.cells); scores stay
numbers."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from xuanren.access.models import AccessKind
from xuanren.access.records import access_record
from xuanren.assessment import scoring
from xuanren.assessment.models import AssessmentRound, Dimension, RaterGroup
from xuanren.assessment.selectors import Sheet, bands_of, round_get, round_sheet
from xuanren.common.cells import xlsx_header, xlsx_row
from xuanren.people.models import AssessmentGrade


def _num(value: Decimal | None) -> Decimal | str:
    return "" if value is None else value


def score_headers() -> list[str]:
    """The fifteen score columns, as the template names them too."""
    return [
        f"{RaterGroup(g).label}·{Dimension(d).label}"
        for g in scoring.GROUPS
        for d in scoring.DIMENSIONS
    ]


def results_workbook(sheet: Sheet, title: str) -> bytes:
    r = sheet.round
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(title=_("考核结果"))
    ws.append(xlsx_row(ws, [title]))
    weights = "，".join(
        [f"{RaterGroup(g).label} {w}%" for g, w in r.group_weights().items()]
        + [f"{Dimension(d).label} {w}%" for d, w in r.dimension_weights().items()]
    )
    bands = "，".join(f"{AssessmentGrade(g).label} ≥ {line}" for g, line in bands_of(r).items())
    ws.append(
        xlsx_row(
            ws,
            [_("权重：%(w)s；分数线：%(b)s；优秀等次最多 %(q)d 人（%(p)d%%）。")
             % {"w": weights, "b": bands, "q": sheet.quota, "p": r.excellent_share}],
        )
    )  # fmt: skip
    ws.append(
        xlsx_header(
            ws,
            [_("名次"), _("姓名"), _("职务"), *score_headers(),
             *[_("%(g)s评分") % {"g": RaterGroup(g).label} for g in scoring.GROUPS],
             _("综合得分"), _("按分数线等次"), _("确定等次")],
        )
    )  # fmt: skip
    for n, (line, _quota_line) in enumerate(sheet.ranked, start=1):
        a = line.assessed
        ws.append(
            xlsx_row(
                ws,
                [n if line.composite is not None else "", a.cadre.name, a.post_text,
                 *[_num(v) for v in line.cells], *[_num(v) for v in line.group_cells],
                 _num(line.composite), line.proposed_label,
                 str(AssessmentGrade(a.grade).label) if a.grade else ""],
            )
        )  # fmt: skip
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def round_title(r: AssessmentRound) -> str:
    return _("%(u)s%(y)d 年度考核") % {"u": r.unit.name, "y": r.year}


def round_export(*, actor: Any, pk: int) -> tuple[bytes, str]:
    """The workbook and its file name, for the page and the API alike: the
    round in the actor's scope (404), the read recorded."""
    r = round_get(actor=actor, pk=pk)
    data = results_workbook(round_sheet(actor=actor, round=r), round_title(r))
    access_record(
        actor=actor,
        kind=AccessKind.EXPORT,
        subject=r,
        label=round_title(r),
        detail={"export": "assessment_round", "format": "xlsx"},
    )
    return data, f"{round_title(r)}.xlsx"
