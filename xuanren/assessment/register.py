"""The 考核登记表 of one cadre as a DOCX (issue 15: "述职 and the 考核登记表
as documents"): the cadre's facts, the 述职, the scores of each rater group
on each dimension with the weights, the composite, the proposed and the
confirmed grade. Generating it is journalled like every document."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from xuanren.assessment import scoring
from xuanren.assessment.models import AssessedCadre, AssessmentRound, Dimension, RaterGroup
from xuanren.assessment.selectors import Line, assessed_line
from xuanren.journal.models import EventType
from xuanren.journal.services import journal_record


def _text(value: Any) -> str:
    return "—" if value is None or value == "" else str(value)


def _docx(r: AssessmentRound, row: AssessedCadre, line: Line) -> bytes:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    from xuanren.documents.docx_builder import (
        HEI_FONT,
        add_run,
        cell_at,
        grid,
        label,
        new_document,
        put,
        save,
    )

    d = new_document(margins_mm=(25, 25, 25, 25))
    title = d.paragraphs[0] if d.paragraphs else d.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_run(title, _("%(y)d 年度考核登记表") % {"y": r.year}, size=18, bold=True, font=HEI_FONT)
    c = row.cadre
    facts = grid(d, 4, [25, 55, 25, 55])
    at = cell_at(facts)
    pairs = [
        (_("姓名"), c.name, _("性别"), c.get_sex_display()),
        (
            _("出生年月"),
            c.birth_date.strftime("%Y.%m"),
            _("政治面貌"),
            c.get_political_status_display(),
        ),
        (_("单位"), r.unit.name, _("职务"), _text(row.post_text)),
    ]
    for i, (a, b, e, f) in enumerate(pairs):
        label(at(i, 0), a)
        put(at(i, 1), str(b))
        label(at(i, 2), e)
        put(at(i, 3), str(f))
    label(at(3, 0), _("述职报告"))
    report = at(3, 1).merge(at(3, 3))
    put(
        report,
        row.report or _("尚未填写。"),
        align=WD_ALIGN_PARAGRAPH.LEFT,
        valign=WD_CELL_VERTICAL_ALIGNMENT.TOP,
    )
    d.add_paragraph()
    dims = r.dimension_weights()
    scores = grid(d, 1 + len(scoring.GROUPS), [36, 22, 22, 22, 22, 22, 14])
    at = cell_at(scores)
    label(at(0, 0), _("评分主体（权重）"))
    for j, dim in enumerate(scoring.DIMENSIONS, start=1):
        label(at(0, j), f"{Dimension(dim).label}（{dims[dim]}%）")
    label(at(0, 6), _("加权得分"))
    groups = r.group_weights()
    for i, g in enumerate(scoring.GROUPS, start=1):
        label(at(i, 0), f"{RaterGroup(g).label}（{groups[g]}%）")
        for j, dim in enumerate(scoring.DIMENSIONS, start=1):
            put(at(i, j), _text(line.scores.get((g, dim))))
        put(at(i, 6), _text(line.group_scores.get(g)))
    d.add_paragraph()
    result = grid(d, 2, [25, 55, 25, 55])
    at = cell_at(result)
    label(at(0, 0), _("综合得分"))
    put(at(0, 1), _text(line.composite))
    label(at(0, 2), _("建议等次"))
    put(at(0, 3), _text(line.proposed_label))
    label(at(1, 0), _("确定等次"))
    put(at(1, 1), str(row.get_grade_display()) if row.grade else _("未确定"))
    label(at(1, 2), _("确定日期"))
    put(at(1, 3), row.confirmed_at.strftime("%Y.%m.%d") if row.confirmed_at else "—")
    return save(d)


def register_docx(*, actor: Any, round: AssessmentRound, assessed: AssessedCadre) -> bytes:
    """The cadre's 考核登记表 (`round` and `assessed` from the selectors)."""
    assessed.round = round
    line = assessed_line(actor=actor, assessed=assessed)
    with translation.override(settings.LANGUAGE_CODE):
        data = _docx(round, assessed, line)
    journal_record(
        actor=actor,
        event_type=EventType.DOCUMENT_GENERATED,
        subject=assessed,
        payload={
            "document": "assessment_register",
            "format": "docx",
            "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        },
    )
    return data
