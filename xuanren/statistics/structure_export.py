"""The structure analysis's tables as one XLSX workbook: a sheet per table,
a sheet of the targets and one of the teams that miss them. Written with the
project's safe cells (common.cells): every text is a text cell, never a
formula, and the counts are numbers."""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from xuanren.common.cells import xlsx_cell
from xuanren.statistics.structure import StructureReport


def _text(sheet: object, value: object, *, bold: bool = False) -> object:
    cell = xlsx_cell(sheet, value)
    if isinstance(value, str):
        cell.data_type = "s"  # text stays text, whatever it starts with
    if bold:
        cell.font = Font(bold=True)
    return cell


def _append(sheet: object, values: Sequence[object], *, bold: bool = False) -> None:
    sheet.append([_text(sheet, v, bold=bold) for v in values])  # type: ignore[attr-defined]


def report_title(report: StructureReport) -> str:
    scope = report.unit.name if report.unit is not None else _("管理范围内全部单位")
    return _("%(scope)s干部队伍结构分析（%(on)s）") % {"scope": scope, "on": report.on.isoformat()}


def structure_workbook(report: StructureReport) -> bytes:
    workbook = Workbook(write_only=True)
    title = report_title(report)
    for table in report.tables:
        sheet = workbook.create_sheet(title=table.title[:31])
        _append(sheet, [title])
        _append(sheet, [table.title, _("人数"), _("占比")], bold=True)
        for row in table.rows:
            _append(sheet, [row.label, row.count, row.share])
        _append(sheet, [_("合计"), table.total, "100.0%" if table.total else "—"], bold=True)
    sheet = workbook.create_sheet(title=_("班子结构要求"))
    _append(sheet, [title])
    _append(sheet, [_("要求"), _("依据"), _("核对班子数"), _("未达到班子数")], bold=True)
    for target in report.targets:
        _append(sheet, [target.name, target.source, target.checked, target.missed])
    sheet = workbook.create_sheet(title=_("未达到要求的班子"))
    _append(sheet, [title])
    _append(sheet, [_("单位"), _("要求"), _("情况"), _("依据")], bold=True)
    for miss in report.misses:
        _append(sheet, [miss.unit_name, miss.target, miss.reason, miss.source])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
