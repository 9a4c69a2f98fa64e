"""The XLSX of a digestion plan (its progress by month and its people) and of
the cleanup register (counts and cases). Text never becomes a formula
(common.cells); counts stay numbers."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from xuanren.common.cells import xlsx_cell, xlsx_row
from xuanren.workforce.models import CleanupCase
from xuanren.workforce.selectors import CleanupCounts, PlanView


def _header(sheet: Any, texts: list[str]) -> None:
    bold = Font(bold=True)
    cells = []
    for text in texts:
        cell = xlsx_cell(sheet, text)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)


def _day(value: Any) -> str:
    return f"{value:%Y-%m-%d}" if value else ""


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def plan_workbook(view: PlanView) -> bytes:
    plan = view.plan
    workbook = Workbook(write_only=True)
    progress = workbook.create_sheet(title=_("消化进度"))
    progress.append(
        xlsx_row(progress, [f"{plan.unit.name} {plan.get_level_display()} {_('超职数消化计划')}"])
    )
    _header(progress, [_("日期"), _("实际超职数"), _("已消化"), _("计划超职数")])
    for r in view.rows:
        progress.append(
            xlsx_row(
                progress,
                [
                    _day(r.day),
                    "" if r.actual is None else r.actual,
                    "" if r.digested is None else r.digested,
                    r.planned,
                ],
            )
        )
    people = workbook.create_sheet(title=_("消化人员"))
    _header(
        people,
        [_("姓名"), _("所在单位"), _("消化方式"), _("预计消化日期"), _("实际离开日期"), _("说明")],
    )
    for line in view.items:
        i = line.item
        people.append(
            xlsx_row(
                people,
                [
                    i.cadre.name,
                    i.cadre.unit.name,
                    i.get_means_display(),
                    _day(i.expected_on),
                    _day(line.left_on)
                    if line.left_on
                    else (_("逾期未消化") if line.overdue else ""),
                    i.note,
                ],
            )
        )
    return _save(workbook)


def cleanup_workbook(counts: CleanupCounts, cases: list[CleanupCase]) -> bytes:
    workbook = Workbook(write_only=True)
    summary = workbook.create_sheet(title=_("汇总"))
    _header(summary, [_("项目"), _("人数")])
    for label, n in counts.lines():
        summary.append(xlsx_row(summary, [label, n]))
    sheet = workbook.create_sheet(title=_("清理登记"))
    _header(
        sheet,
        [_("姓名"), _("所在单位"), _("处理结果"), _("处理日期"), _("文件文号"), _("情况和理由")],
    )
    for c in cases:
        sheet.append(
            xlsx_row(
                sheet,
                [
                    c.cadre.name,
                    c.cadre.unit.name,
                    c.get_outcome_display(),
                    _day(c.decided_on),
                    c.document,
                    c.reason,
                ],
            )
        )
    return _save(workbook)
