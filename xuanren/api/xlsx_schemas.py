"""Schemas of the XLSX endpoints (xuanren/api/xlsx.py)."""

from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import Field

from xuanren.api.errors import FieldErrorOut
from xuanren.exchange.xlsx_import import ImportResult


class RowErrorOut(Schema):
    sheet: str = Field(description="表名：单位、职位、职数、干部")
    row: int = Field(description="行号，与 Excel 中显示的一致（第 1 行为列名）")
    column: str = Field(description="列名；为空时指整行")
    cell: str = Field(description="单元格，如 干部!E12")
    message: str


class XlsxImportErrorOut(Schema):
    """422: the workbook has errors and nothing was saved; `rows` lists all of them."""

    code: str
    message: str
    errors: list[FieldErrorOut]
    rows: list[RowErrorOut] = []


class XlsxCountsOut(Schema):
    units: int
    posts: int
    quotas_created: int
    quotas_changed: int
    cadres: int
    educations: int


class XlsxImportOut(Schema):
    dry_run: bool = Field(description="true：只检查，未保存")
    counts: XlsxCountsOut
    sha256: str = Field(description="上传文件的 SHA-256")
    created: dict[str, list[list[int]]] = Field(
        description="新建记录的编号区间 [[首, 末], …]，按表；只检查时为空"
    )
    journal_event: int | None = Field(description="XLSX_IMPORTED 日志事件编号")
    warnings: list[RowErrorOut] = Field(description="不影响导入的提示")


def import_out(result: ImportResult) -> dict[str, Any]:
    return {
        "dry_run": result.dry_run,
        "counts": result.counts,
        "sha256": result.sha256,
        "created": result.created,
        "journal_event": result.event_id,
        "warnings": [w.as_dict() for w in result.warnings],
    }
