"""Spreadsheet cells that cannot become formulas (issue 10, docs/decisions/0035).

A text that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is
read by Excel, WPS and LibreOffice as a formula when it arrives in a CSV, and
openpyxl stores a text starting with `=` as a formula in an XLSX. Every export
writes such text as text through the helpers here:

- XLSX: `xlsx_cell` / `xlsx_row` give write-only cells whose data type is
  string, so the text is stored as a string, exactly as typed;
- CSV: `csv_value` / `csv_row` prefix such text with a single quote (OWASP),
  which the spreadsheet shows and does not evaluate.

Numbers stay numbers: a negative number (an int, float or Decimal, not a
text) is written as a number. Imports refuse such text in name-like fields
(`formula_like`, with a Chinese message from `formula_message`).

No imports from the rest of xuanren, so every module can use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value: Any) -> bool:
    """Whether a value is text that a spreadsheet would read as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def formula_message(value: str) -> str:
    shown = value.replace("\t", "\\t").replace("\r", "\\r")[:30]
    return _(
        "“%(v)s”以 =、+、-、@、制表符或回车开头，会被电子表格当作公式，不能作为名称。"
        "请删去开头的符号后重新填写。"
    ) % {"v": shown}


def csv_value(value: Any) -> Any:
    """A CSV field: formula-like text gets a leading single quote."""
    if formula_like(value):
        return "'" + str(value)
    return value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_value(v) for v in values]


def xlsx_cell(sheet: Any, value: Any) -> Any:
    """A write-only cell; formula-like text is stored as a string."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    if formula_like(value):
        cell.data_type = "s"  # openpyxl guessed "f" (formula) for a leading "="
    return cell


def xlsx_row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """A row for a write-only sheet's append: plain values, except formula-
    like text, which goes as a string cell (cells cost more than values, so
    only those)."""
    return [xlsx_cell(sheet, v) if formula_like(v) else v for v in values]


def xlsx_set(cell: Any, value: Any) -> None:
    """Set a normal (not write-only) openpyxl cell, keeping text as text."""
    cell.value = value
    if formula_like(value):
        cell.data_type = "s"


def xlsx_header(sheet: Any, texts: Iterable[Any]) -> list[Any]:
    """A bold header row for a write-only sheet's append, text kept as text."""
    from openpyxl.styles import Font

    bold = Font(bold=True)
    cells = []
    for text in texts:
        cell = xlsx_cell(sheet, text)
        cell.font = bold
        cells.append(cell)
    return cells
