"""The template workbook users download, fill in and upload.

One sheet per kind of record (单位, 职位, 职数, 干部) with the column headers
on row 1 (examples are on the 说明 sheet and in each header's comment, not
in the data rows, where the importer would take them for data), a 说明 sheet
describing every column, and a hidden 选项 sheet holding the lists that the drop-downs
(data validation) of the choice and yes/no columns refer to.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from xuanren.exchange.xlsx_columns import (
    BOOL_NOTE,
    DATE_NOTE,
    LISTS_SHEET,
    NOTES_SHEET,
    SHEETS,
    Column,
    Kind,
    choice_names,
)

#: Rows the drop-downs cover (Excel applies a validation to a range).
VALIDATED_ROWS = 100_001
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REQUIRED_FONT = Font(bold=True, color="C00000")
HEADER_FONT = Font(bold=True)


def _format_note(column: Column) -> str:
    if column.kind is Kind.CHOICE:
        assert column.choices is not None
        allowed = "可选值：" + "、".join(choice_names(column.choices))
        return allowed + (f"；{column.note}" if column.note else "")
    if column.kind is Kind.DATE:
        return column.note or DATE_NOTE
    if column.kind is Kind.BOOL:
        return column.note or BOOL_NOTE
    if column.kind is Kind.INT:
        return column.note or "整数"
    limit = f"文字，最多 {column.max_length} 个字"
    return limit + (f"；{column.note}" if column.note else "")


def template_workbook() -> bytes:
    workbook = Workbook()
    notes = workbook.active
    assert notes is not None
    notes.title = NOTES_SHEET
    lists = workbook.create_sheet(LISTS_SHEET)
    list_ranges: dict[str, str] = {}
    list_column = 0

    def list_range(key: str, names: tuple[str, ...]) -> str:
        nonlocal list_column
        if key not in list_ranges:
            list_column += 1
            letter = get_column_letter(list_column)
            lists.cell(row=1, column=list_column, value=key)
            for i, name in enumerate(names, start=2):
                lists.cell(row=i, column=list_column, value=name)
            list_ranges[key] = f"{LISTS_SHEET}!${letter}$2:${letter}${len(names) + 1}"
        return list_ranges[key]

    notes.append(["选任系统数据导入模板 · 填写说明"])
    notes["A1"].font = Font(bold=True, size=14)
    notes.append(
        [
            "1. 每张表第 1 行为列名，请勿修改；从第 2 行起每行一条记录（示例见本页）。"
            "带 * 的列必填。列的顺序可以调整，不需要的非必填列可以删除。"
        ]
    )
    notes.append(
        [
            "2. 导入时整个工作簿一并检查：只要有一处错误，就不保存任何内容，并列出所有错误"
            "（表名、行号、列名、问题和修改方法）；全部改正后重新上传即可。"
        ]
    )
    notes.append(
        [
            "3. 日期写成 YYYY-MM-DD 或 YYYY.MM.DD（如 1985-03-02），也可使用日期格式的单元格；"
            "只写年月（如 2008.06）时按该月 1 日。公民身份号码请使用文本格式。"
        ]
    )
    notes.append(["4. 选择项请按下拉列表填写中文名称（与系统页面显示一致）；是否项填“是”或“否”。"])
    notes.append([])
    notes.append(["表", "列名", "必填", "格式与可选值", "示例"])
    header_row = notes.max_row
    for cell in notes[header_row]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for sheet in SHEETS:
        notes.append([sheet.name, "", "", sheet.note, ""])
        notes.cell(row=notes.max_row, column=1).font = HEADER_FONT
        for column in sheet.columns:
            notes.append(
                [
                    "",
                    column.header,
                    "是" if column.required else "",
                    _format_note(column),
                    column.example,
                ]
            )
    for letter, width in zip("ABCDE", (8, 22, 6, 90, 22), strict=True):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=header_row + 1):
        row[3].alignment = Alignment(wrap_text=True, vertical="top")

    for sheet in SHEETS:
        ws = workbook.create_sheet(sheet.name)
        ws.freeze_panes = "A2"
        for index, column in enumerate(sheet.columns, start=1):
            cell = ws.cell(row=1, column=index, value=column.title)
            cell.font = REQUIRED_FONT if column.required else HEADER_FONT
            cell.fill = HEADER_FILL
            cell.comment = Comment(_format_note(column), "选任")
            letter = get_column_letter(index)
            ws.column_dimensions[letter].width = column.width
            cells = f"{letter}2:{letter}{VALIDATED_ROWS}"
            if column.kind is Kind.ID_NUMBER:
                # Text format, so that Excel keeps all 18 digits.
                ws.column_dimensions[letter].number_format = "@"
            if column.kind is Kind.CHOICE:
                assert column.choices is not None
                source = list_range(column.choices.__name__, choice_names(column.choices))
            elif column.kind is Kind.BOOL:
                source = list_range("是否", ("是", "否"))
            else:
                continue
            validation = DataValidation(
                type="list",
                formula1=f"={source}",
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="请从列表中选择",
                error="请从下拉列表中选择：" + column.header,
            )
            validation.add(cells)
            ws.add_data_validation(validation)
    lists.sheet_state = "hidden"
    workbook.move_sheet(LISTS_SHEET, offset=len(SHEETS))
    workbook.active = workbook.sheetnames.index(SHEETS[0].name)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
