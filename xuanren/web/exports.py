"""Spreadsheet downloads of tables that are also shown on a page."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook

from xuanren.common.cells import csv_row, xlsx_cell, xlsx_row

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": content_disposition_header(True, filename) or ""}


def csv_response(
    filename: str, headers: Sequence[str], rows: Sequence[Sequence[object]]
) -> HttpResponse:
    """UTF-8 with a byte-order mark, so that Excel reads the Chinese correctly;
    text that a spreadsheet would take for a formula gets a leading quote."""
    response = HttpResponse(content_type="text/csv; charset=utf-8", headers=_attachment(filename))
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(csv_row(headers))
    writer.writerows(csv_row(row) for row in rows)
    return response


def xlsx_response(
    filename: str, sheet_title: str, headers: Sequence[str], rows: Sequence[Sequence[object]]
) -> HttpResponse:
    """A write-only workbook: rows stream into the file without a cell model."""
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    bold = Font(bold=True)
    header_cells = []
    for text in headers:
        cell = xlsx_cell(sheet, text)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append(xlsx_row(sheet, row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE, headers=_attachment(filename))


def xlsx_bytes_response(data: bytes, filename: str) -> HttpResponse:
    """A workbook already written (an app's export) as a download."""
    return HttpResponse(data, content_type=XLSX_TYPE, headers=_attachment(filename))
