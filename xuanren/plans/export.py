"""The XLSX of a work plan's tasks and deadlines (docs/decisions/0183). Text
cells never become formulas (common.cells)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from xuanren.common.cells import xlsx_cell, xlsx_row
from xuanren.plans.models import PlanTask, WorkPlan
from xuanren.plans.recurrence import describe
from xuanren.plans.selectors import DueLine


def _header(sheet: Any, texts: list[str]) -> None:
    bold = Font(bold=True)
    cells = []
    for text in texts:
        cell = xlsx_cell(sheet, text)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)


def _day(value: dt.date | None) -> str:
    return f"{value:%Y-%m-%d}" if value else ""


def _person(user: Any) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or user.username)


def plan_workbook(plan: WorkPlan, tasks: list[PlanTask], lines: list[DueLine]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_("工作任务"))
    sheet.append(xlsx_row(sheet, [plan.title]))
    sheet.append(
        xlsx_row(sheet, [_("制定单位"), plan.unit.name, _("依据文件"), plan.source_document])
    )
    _header(
        sheet,
        [_("所属阶段"), _("工作任务"), _("责任科室"), _("责任人"), _("完成时限"),
         _("进展状态"), _("工作进展"), _("完成日期"), _("方案条目")],
    )  # fmt: skip
    for t in tasks:
        sheet.append(
            xlsx_row(
                sheet,
                [
                    t.phase.name if t.phase else "",
                    t.title,
                    t.office,
                    _person(t.responsible),
                    _day(t.deadline),
                    t.get_status_display(),
                    t.progress,
                    _day(t.done_on),
                    t.source_article,
                ],
            )
        )
    due = book.create_sheet(title=_("报送事项"))
    _header(
        due,
        [_("报送事项"), _("报送对象"), _("责任科室"), _("时限规则"), _("报送期间"),
         _("报送时限"), _("报送日期")],
    )  # fmt: skip
    for line in lines:
        due.append(
            xlsx_row(
                due,
                [
                    line.report.title,
                    line.report.recipient,
                    line.report.office,
                    describe(line.report.rule),
                    line.occurrence.label,
                    _day(line.occurrence.due),
                    _day(line.submission.submitted_on) if line.submission else "",
                ],
            )
        )
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
