"""The XLSX of a round's tally and of an appraisal's result, from the same
reads as the pages: text cells never become formulas (common.cells),
counts stay numbers, rates are text as shown."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from xuanren.common.cells import xlsx_cell, xlsx_row
from xuanren.supervision.appraisal_selectors import AppraisalResult
from xuanren.supervision.models_opinion import Opinion, OpinionRecipient, OpinionRound
from xuanren.supervision.opinion_selectors import RoundTally


def _header(sheet: Any, texts: list[str]) -> None:
    bold = Font(bold=True)
    cells = []
    for text in texts:
        cell = xlsx_cell(sheet, text)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _day(value: Any) -> str:
    return f"{value:%Y-%m-%d}" if value else ""


def tally_lines(tally: RoundTally) -> list[tuple[str, Any]]:
    """The summary as (label, value): the page, the print-out and the XLSX."""
    return [
        (_("发出征询意见书（份）"), tally.issued),
        (_("收回（份）"), tally.returned),
        (_("未收回（份）"), tally.not_returned),
        (_("回收率"), tally.return_rate.percent),
        (_("收集意见和建议（条）"), tally.opinions),
        (_("已答复（条）"), tally.answered),
        (_("未答复（条）"), tally.unanswered),
        (_("答复率"), tally.answer_rate.percent),
    ]


def round_workbook(
    round_: OpinionRound,
    tally: RoundTally,
    recipients: list[OpinionRecipient],
    opinions: list[Opinion],
) -> bytes:
    workbook = Workbook(write_only=True)
    summary = workbook.create_sheet(title=_("汇总"))
    summary.append(xlsx_row(summary, [round_.title]))
    summary.append(
        xlsx_row(
            summary,
            [_("征询期间：%(a)s 至 %(b)s；发出日期：%(c)s")
             % {"a": _day(round_.period_start), "b": _day(round_.period_end),
                "c": _day(round_.issued_on)}],
        )
    )  # fmt: skip
    _header(summary, [_("项目"), _("数值")])
    for label, value in tally_lines(tally):
        summary.append(xlsx_row(summary, [label, value]))
    categories = workbook.create_sheet(title=_("意见分类"))
    _header(categories, [_("类别"), _("条数"), _("占比")])
    for line in tally.categories:
        categories.append(xlsx_row(categories, [line.label, line.count, line.share.percent]))
    people = workbook.create_sheet(title=_("征询对象"))
    _header(people, [_("姓名"), _("单位"), _("联系方式"), _("是否回复"), _("回复日期")])
    for r in recipients:
        people.append(
            xlsx_row(
                people,
                [r.name, r.unit_name, r.contact, _("已回复") if r.returned_on else _("未回复"),
                 _day(r.returned_on)],
            )
        )  # fmt: skip
    items = workbook.create_sheet(title=_("意见"))
    _header(
        items,
        [_("序号"), _("党代表"), _("类别"), _("意见内容"), _("涉及干部"), _("涉及单位"),
         _("办理状态"), _("承办人"), _("答复期限"), _("答复内容"), _("答复日期")],
    )  # fmt: skip
    from xuanren.access.names import display_name

    for i, o in enumerate(opinions, start=1):
        items.append(
            xlsx_row(
                items,
                [i, o.recipient.name, o.get_category_display(), o.text,
                 o.cadre.name if o.cadre else "",
                 o.concerning_unit.name if o.concerning_unit else "",
                 o.get_status_display(), display_name(o.assignee) if o.assignee else "",
                 _day(o.answer_due), o.answer, _day(o.answered_on)],
            )
        )  # fmt: skip
    return _save(workbook)


def appraisal_workbook(title: str, result: AppraisalResult) -> bytes:
    workbook = Workbook(write_only=True)
    work = workbook.create_sheet(title=_("选人用人工作评议"))
    work.append(xlsx_row(work, [title]))
    w = result.work
    _header(
        work, [_("参加评议人数"), _("好"), _("较好"), _("一般"), _("差"), _("未评价"), _("满意率")]
    )
    work.append(
        xlsx_row(
            work,
            [w.participants, w.good, w.fairly_good, w.average, w.poor, w.not_rated,
             w.satisfaction.percent],
        )
    )  # fmt: skip
    cadres = workbook.create_sheet(title=_("新提拔干部评议"))
    cadres.append(xlsx_row(cadres, [_("提示标准：%(t)s") % {"t": result.threshold_text}]))
    _header(
        cadres,
        [_("姓名"), _("任职职务"), _("任职决定日期"), _("参加评议人数"), _("认同"), _("基本认同"),
         _("不认同"), _("认同率"), _("不认同率"), _("提示")],
    )  # fmt: skip
    for line in result.cadres:
        r, res = line.row, line.result
        cadres.append(
            xlsx_row(
                cadres,
                [r.cadre.name, r.post_text, _day(r.decided_on), r.participants, r.agree,
                 r.mostly_agree, r.disagree, res.recognition.percent, res.disagreement.percent,
                 _("不认同超过标准") if res.flagged else ""],
            )
        )  # fmt: skip
    return _save(workbook)
