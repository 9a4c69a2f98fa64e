"""DOCX documents with python-docx: the approval form as a real table layout
(merged cells, exact row heights) and the public notice.

Fonts: 宋体 (SimSun) for Chinese, set as the East-Asian font (w:eastAsia)
of every style used, Times New Roman for Latin digits — what Word installs on
the machines that print these forms. The sizes follow the form's customs:
title 二号 (22 pt) bold, body 五号 (10.5 pt).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

import docx
from django.utils.translation import gettext as _
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from xuanren.documents.approval_form import (
    PERIOD_EMS,
    RESUME_HEIGHT_MM,
    ApprovalForm,
    ResumeLine,
    fit_resume,
)
from xuanren.documents.renderers import family_layout

CJK_FONT = "宋体"
LATIN_FONT = "Times New Roman"
HEI_FONT = "黑体"

#: Column widths (mm) of page 1 and page 2; the same grid as the PDF template.
PAGE1_COLS = (22, 24, 20, 24, 22, 24, 29)
PAGE2_COLS = (22, 20, 22, 14, 24, 63)


def _fonts(rpr: Any, cjk: str, latin: str = LATIN_FONT) -> None:
    """Set the run properties' fonts; w:eastAsia is the one Word uses for CJK."""
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        rfonts.set(qn(attr), latin)
    rfonts.set(qn("w:eastAsia"), cjk)


def new_document(*, margins_mm: tuple[float, float, float, float]) -> DocxDocument:
    """A4 portrait with margins (top, bottom, left, right) and 宋体 五号 text."""
    doc = docx.Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    top, bottom, left, right = margins_mm
    section.top_margin, section.bottom_margin = Mm(top), Mm(bottom)
    section.left_margin, section.right_margin = Mm(left), Mm(right)
    normal = doc.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(10.5)
    _fonts(normal.element.get_or_add_rPr(), CJK_FONT)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)
    return doc


def add_run(
    paragraph: Paragraph,
    text: str,
    *,
    size: float | None = None,
    bold: bool = False,
    font: str | None = None,
) -> None:
    run = paragraph.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    if font:
        run.font.name = LATIN_FONT
        _fonts(run._element.get_or_add_rPr(), font)


def put(
    cell: _Cell,
    text: str,
    *,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER,
    size: float | None = None,
    bold: bool = False,
    valign: WD_CELL_VERTICAL_ALIGNMENT = WD_CELL_VERTICAL_ALIGNMENT.CENTER,
) -> None:
    """Replace the cell's text; "\n" starts a new paragraph."""
    cell.vertical_alignment = valign
    lines = text.split("\n") if text else [""]
    first = cell.paragraphs[0]
    for i, line in enumerate(lines):
        p = first if i == 0 else cell.add_paragraph()
        p.alignment = align
        if i == 0 and valign == WD_CELL_VERTICAL_ALIGNMENT.TOP:
            p.paragraph_format.space_before = Pt(3)  # off the cell's top border
        add_run(p, line, size=size, bold=bold)


def grid(doc: DocxDocument, rows: int, widths_mm: Iterable[float]) -> Table:
    widths = list(widths_mm)
    table = doc.add_table(rows=rows, cols=len(widths))
    table.style = "Table Grid"
    table.autofit = False
    for row in table.rows:
        for cell, w in zip(row.cells, widths, strict=True):
            cell.width = Mm(w)
    for col, w in zip(table.columns, widths, strict=True):
        col.width = Mm(w)
    return table


def cell_at(table: Table) -> Callable[[int, int], _Cell]:
    """(row, col) → cell from a snapshot taken before any merge: Table.cell
    re-walks the whole grid on every call (quadratic for a form). Each grid
    position keeps its own w:tc; after a merge, write through the cell merge()
    returns, as the code below does."""
    snapshot = [list(row.cells) for row in table.rows]
    return lambda r, c: snapshot[r][c]


def height(table: Table, row: int, mm: float) -> None:
    r = table.rows[row]
    r.height = Mm(mm)
    r.height_rule = WD_ROW_HEIGHT_RULE.EXACTLY


def label(cell: _Cell, text: str) -> None:
    put(cell, text, size=10.5)


def _resume_paragraphs(cell: _Cell, lines: list[ResumeLine], size: float) -> None:
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    indent = Pt(size * PERIOD_EMS)
    for i, line in enumerate(lines):
        p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.LEFT
        fmt = p.paragraph_format
        if i == 0:
            fmt.space_before = Pt(4)
        fmt.left_indent = indent
        fmt.first_line_indent = -indent if line.period else Pt(0)
        fmt.tab_stops.add_tab_stop(indent)
        add_run(p, f"{line.period}\t{line.text}" if line.period else line.text, size=size)


def _stamp(cell: _Cell, text: str = "") -> None:
    put(cell, text, align=WD_ALIGN_PARAGRAPH.LEFT, valign=WD_CELL_VERTICAL_ALIGNMENT.TOP)
    for _i in range(4):
        cell.add_paragraph()
    for line in (_("（盖章）"), _("年　　月　　日")):
        p = cell.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        add_run(p, line + "　　")


def render_approval_docx(form: ApprovalForm) -> bytes:
    doc = new_document(margins_mm=(18, 15, 25, 20))
    fit = fit_resume(form.resume)
    title = doc.paragraphs[0] if doc.paragraphs else doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = Pt(8)
    add_run(title, _("干部任免审批表"), size=22, bold=True, font=CJK_FONT)

    t = grid(doc, 10, PAGE1_COLS)
    for r, mm in enumerate((13, 13, 13, 13, 15, 15, 11, 11, 11, RESUME_HEIGHT_MM + 4)):
        height(t, r, mm)
    c = cell_at(t)
    label(c(0, 0), _("姓　名"))
    put(c(0, 1), form.name)
    label(c(0, 2), _("性　别"))
    put(c(0, 3), form.sex)
    label(c(0, 4), _("出生年月（岁）"))
    put(c(0, 5), f"{form.birth}\n" + _("（%(a)s岁）") % {"a": form.age})
    photo = c(0, 6).merge(c(3, 6))
    if form.photo:
        put(photo, "")
        photo.paragraphs[0].add_run().add_picture(
            io.BytesIO(form.photo), width=Mm(25), height=Mm(35)
        )
    else:
        put(photo, _("照　片"))
    label(c(1, 0), _("民　族"))
    put(c(1, 1), form.ethnicity)
    label(c(1, 2), _("籍　贯"))
    put(c(1, 3), form.native_place)
    label(c(1, 4), _("出 生 地"))
    put(c(1, 5), form.birthplace)
    label(c(2, 0), _("入党时间"))
    put(c(2, 1), form.party_join)
    label(c(2, 2), _("参加工作时间"))
    put(c(2, 3), form.work_start)
    label(c(2, 4), _("健康状况"))
    put(c(2, 5), form.health)
    label(c(3, 0), _("专业技术职务"))
    put(c(3, 1).merge(c(3, 2)), form.professional_title)
    label(c(3, 3), _("熟悉专业有何专长"))
    put(c(3, 4).merge(c(3, 5)), form.specialty)
    label(c(4, 0).merge(c(5, 0)), _("学　历") + "\n" + _("学　位"))
    label(c(4, 1), _("全日制教育"))
    put(c(4, 2).merge(c(4, 3)), form.full_time_education)
    label(c(4, 4), _("毕业院校系及专业"))
    put(c(4, 5).merge(c(4, 6)), form.full_time_school, align=WD_ALIGN_PARAGRAPH.LEFT)
    label(c(5, 1), _("在　职") + "\n" + _("教　育"))
    put(c(5, 2).merge(c(5, 3)), form.in_service_education)
    label(c(5, 4), _("毕业院校系及专业"))
    put(c(5, 5).merge(c(5, 6)), form.in_service_school, align=WD_ALIGN_PARAGRAPH.LEFT)
    for row, text, value in (
        (6, _("现任职务"), form.current_post),
        (7, _("拟任职务"), form.proposed_post),
        (8, _("拟免职务"), form.removed_post),
    ):
        label(c(row, 0), text)
        put(c(row, 1).merge(c(row, 6)), value, align=WD_ALIGN_PARAGRAPH.LEFT)
    label(c(9, 0), _("简") + "\n\n\n\n" + _("历"))
    resume = c(9, 1).merge(c(9, 6))
    shown = list(fit.page1)
    if fit.continued:
        shown.append(ResumeLine("", _("（接续页）")))
    _resume_paragraphs(resume, shown, fit.size_pt)

    if fit.continued:
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        cont = grid(doc, 1, (22, 143))
        height(cont, 0, 240)
        label(cont.cell(0, 0), _("简") + "\n\n" + _("历") + "\n\n" + _("（续）"))
        _resume_paragraphs(cont.cell(0, 1), fit.continued, fit.size_pt)

    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    fam = family_layout(form)
    rows = fam["family_rows"]
    t2 = grid(doc, 3 + 1 + len(rows) + 2, PAGE2_COLS)
    c = cell_at(t2)
    left = WD_ALIGN_PARAGRAPH.LEFT
    top = WD_CELL_VERTICAL_ALIGNMENT.TOP
    height(t2, 0, 36)
    label(c(0, 0), _("奖惩情况"))
    put(c(0, 1).merge(c(0, 5)), form.rewards_punishments, align=left, valign=top)
    height(t2, 1, 18)
    label(c(1, 0), _("年度考核结果"))
    put(c(1, 1).merge(c(1, 5)), form.assessments, align=left)
    height(t2, 2, 24)
    label(c(2, 0), _("任免理由"))
    put(c(2, 1).merge(c(2, 5)), form.reasons, align=left, valign=top)
    first = 3
    last = first + len(rows)
    label(c(first, 0).merge(c(last, 0)), _("家庭主要成员及重要社会关系"))
    for col, text in enumerate(
        (_("称　谓"), _("姓　名"), _("年龄"), _("政治面貌"), _("工作单位及职务")), start=1
    ):
        label(c(first, col), text)
    size = float(fam["family_pt"])
    for r in range(first, last + 1):
        height(t2, r, float(fam["family_row_mm"]))
    for i, f in enumerate(rows, start=first + 1):
        put(c(i, 1), f.relation, size=size)
        put(c(i, 2), f.name, size=size)
        put(c(i, 3), f.age, size=size)
        put(c(i, 4), f.political_status, size=size)
        put(c(i, 5), f.work, align=left, size=size)
    sub = last + 1
    height(t2, sub, 34)
    label(c(sub, 0), _("呈报单位"))
    _stamp(c(sub, 1).merge(c(sub, 5)), form.submitting_unit)
    op = sub + 1
    height(t2, op, 48)
    label(c(op, 0), _("审批机关意见"))
    _stamp(c(op, 1).merge(c(op, 3)))
    label(c(op, 4), _("行政机关任免意见"))
    _stamp(c(op, 5))
    p = doc.add_paragraph()
    p.paragraph_format.space_before = Pt(6)
    add_run(p, _("填表人：") + form.filled_by)
    add_run(
        p,
        "\t\t\t\t\t"
        + _("填表时间：%(d)s")
        % {"d": f"{form.fill_date.year}年{form.fill_date.month}月{form.fill_date.day}日"},
    )
    return save(doc)


def save(doc: DocxDocument) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
