"""Score grids in a workbook (issue 15, docs/decisions/0169–0170): the
template's shape and the checks of a filled-in one, shared by the annual
assessment (rows = cadres, columns = rater group × dimension) and the
competition sheet (rows = candidates, columns = judge × sub-test).

A grid sheet has a header row; its first columns are 编号 (the row's id on
the page, never typed by hand), 姓名 (checked against the id, so that a
shifted or sorted row cannot put one person's scores on another) and
information columns the reader ignores; every other column is a score
column named in the header. Reading goes in the order of every upload here:
the caller's permission check first, then the declared size, the ZIP and
the sheet's extent (xuanren.common.uploads), then the cells.

Every problem is one CellError (Excel's cell name and a Chinese message);
nothing is saved while any exists (GridImportFailed lists them all). A blank
score cell changes nothing (decision 0170)."""

from __future__ import annotations

import io
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO, Any, Generic, TypeVar

from django.conf import settings
from django.utils.translation import gettext as _

from xuanren.common.cells import xlsx_header, xlsx_row
from xuanren.common.errors import FieldError, ValidationFailed
from xuanren.common.uploads import check_size, check_workbook, read_bounded, too_many_rows

K = TypeVar("K", bound=Hashable)

ID_HEADER = "编号"
NAME_HEADER = "姓名"
SCORE_MIN = Decimal(0)
SCORE_MAX = Decimal(100)


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass(frozen=True, order=True)
class CellError:
    row: int  # Excel's row number
    column: int  # 0-based; -1 for the whole row
    message: str

    @property
    def cell(self) -> str:
        if self.column < 0:
            return _("第 %(r)d 行") % {"r": self.row}
        return f"{column_letter(self.column)}{self.row}"


class GridImportFailed(ValidationFailed):
    """The grid has errors; nothing was saved. `cells` lists all of them."""

    def __init__(self, sheet: str, cells: list[CellError]) -> None:
        self.sheet = sheet
        self.cells = sorted(cells)
        message = _(
            "工作表“%(s)s”中有 %(n)d 处错误，未保存任何评分。请按提示逐格修改后重新上传。"
        ) % {"s": sheet, "n": len(self.cells)}
        super().__init__(
            message,
            errors=[FieldError(f"{sheet}!{e.cell}", f"{e.cell}：{e.message}") for e in self.cells],
        )

    def as_dict(self) -> dict[str, object]:
        data = super().as_dict()
        data["cells"] = [
            {"sheet": self.sheet, "cell": e.cell, "row": e.row, "column": e.column + 1,
             "message": e.message}
            for e in self.cells
        ]  # fmt: skip
        return data


# ---- writing the template ---------------------------------------------------------------


def grid_workbook(
    *,
    sheet: str,
    title_line: str,
    info_headers: Sequence[str],
    score_headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    notes: Sequence[str],
) -> bytes:
    """The template: the grid sheet (header row, then `rows`: id, name, the
    information cells, the current scores) and a 说明 sheet."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    grid = workbook.create_sheet(title=sheet)
    grid.append(xlsx_header(grid, [ID_HEADER, NAME_HEADER, *info_headers, *score_headers]))
    for row in rows:
        grid.append(xlsx_row(grid, row))
    about = workbook.create_sheet(title=_("说明"))
    about.append(xlsx_row(about, [title_line]))
    for line in notes:
        about.append(xlsx_row(about, [line]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---- reading a filled-in grid -----------------------------------------------------------


def read_sheet(
    content: bytes | IO[bytes], *, filename: str, sheet: str, max_rows: int
) -> tuple[list[Any], list[tuple[int, list[Any]]]]:
    """The header and the non-blank rows (with their Excel numbers) of
    `sheet`, after the size and workbook limits. The caller has checked the
    permission."""
    from python_calamine import CalamineWorkbook

    limit = settings.XUANREN_XLSX_MAX_UPLOAD_BYTES
    check_size(content, limit=limit, what=_("工作簿"), setting="XUANREN_XLSX_MAX_UPLOAD_BYTES")
    check_workbook(content, name=filename or _("工作簿"), sheets=[sheet])
    data = read_bounded(content, limit=limit, what=_("工作簿"))
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own errors for every malformed file
        raise ValidationFailed(
            _("无法读取该文件：它不是有效的 XLSX 工作簿（%(e)s）。请上传从本系统下载的模板。")
            % {"e": type(exc).__name__}
        ) from exc
    if sheet not in book.sheet_names:
        raise ValidationFailed(
            _(
                "工作簿中没有“%(s)s”工作表（现有：%(have)s）。请下载本页的评分模板，"
                "在“%(s)s”工作表中填写后上传。"
            )
            % {"s": sheet, "have": "、".join(book.sheet_names) or "—"}
        )
    rows = iter(book.get_sheet_by_name(sheet).iter_rows())
    header = list(next(rows, []))
    out: list[tuple[int, list[Any]]] = []
    for number, values in enumerate(rows, start=2):
        if number > max_rows + 1:
            raise too_many_rows(sheet)
        if all(_blank(v) for v in values):
            continue
        out.append((number, list(values)))
    return header, out


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _text(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return "" if raw is None else str(raw).strip()


def parse_score(raw: Any, *, decimals: int) -> tuple[Decimal | None, str]:
    """A score cell: None for blank; 0–100 with at most `decimals` decimals."""
    if _blank(raw):
        return None, ""
    if isinstance(raw, bool):
        return None, _("“%(v)s”不是数字，请填写 0 至 100 之间的分数。") % {"v": _text(raw)}
    try:
        value = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(_text(raw))
    except (InvalidOperation, ValueError):
        return None, _("“%(v)s”不是数字，请填写 0 至 100 之间的分数。") % {"v": _text(raw)}
    if not value.is_finite():
        return None, _("“%(v)s”不是数字，请填写 0 至 100 之间的分数。") % {"v": _text(raw)}
    if not SCORE_MIN <= value <= SCORE_MAX:
        return None, _("得分 %(v)s 超出范围，应在 0 至 100 之间。") % {"v": _text(raw)}
    step = Decimal(1).scaleb(-decimals)
    if value != value.quantize(step):
        return None, _("得分 %(v)s 最多保留 %(d)d 位小数。") % {"v": _text(raw), "d": decimals}
    return value.quantize(step), ""


@dataclass
class Grid(Generic[K]):
    """The parsed grid: (row id, column key) → score, and where each came from."""

    values: dict[tuple[int, K], Decimal]
    where: dict[tuple[int, K], CellError]


def parse_grid(
    header: Sequence[Any],
    rows: Sequence[tuple[int, Sequence[Any]]],
    *,
    sheet: str,
    names: Mapping[int, str],
    info_headers: Sequence[str],
    score_columns: Mapping[str, K],
    decimals: int,
) -> Grid[K]:
    """Check every cell; raise GridImportFailed listing all problems.

    `names`: row id → the name that row must carry; `score_columns`: header
    → column key. A header that is neither 编号, 姓名, an information column
    nor a score column is refused (a misspelt judge or dimension would
    otherwise be dropped silently), as are data under a blank header."""
    problems: list[CellError] = []
    positions: dict[str, int] = {}
    score_at: dict[int, K] = {}
    known = {ID_HEADER, NAME_HEADER, *info_headers}
    for index, raw in enumerate(header):
        text = _text(raw)
        if not text:
            continue
        if text in positions or (text in score_columns and index in score_at):
            problems.append(CellError(1, index, _("列名“%(h)s”重复。") % {"h": text}))
            continue
        if text in known:
            positions[text] = index
        elif text in score_columns:
            if score_columns[text] in score_at.values():
                problems.append(CellError(1, index, _("列名“%(h)s”重复。") % {"h": text}))
                continue
            positions[text] = index
            score_at[index] = score_columns[text]
        else:
            problems.append(
                CellError(
                    1,
                    index,
                    _("列名“%(h)s”不是模板中的列。请使用本页下载的模板，不要增改列名。")
                    % {"h": text},
                )
            )
    for needed in (ID_HEADER, NAME_HEADER):
        if needed not in positions:
            problems.append(CellError(1, -1, _("缺少“%(h)s”列（第 1 行为列名）。") % {"h": needed}))
    if problems:
        raise GridImportFailed(sheet, problems)
    id_at, name_at = positions[ID_HEADER], positions[NAME_HEADER]
    named = set(positions.values())
    grid: Grid[K] = Grid({}, {})
    seen: dict[int, int] = {}
    for number, values in rows:

        def cell(i: int, values: Sequence[Any] = values) -> Any:
            return values[i] if i < len(values) else None

        for i, raw in enumerate(values):
            if i not in named and not _blank(raw):
                problems.append(
                    CellError(number, i, _("该列没有列名，不能填写；请把得分填在模板的对应列中。"))
                )
        raw_id = _text(cell(id_at))
        if not raw_id.isdigit() or int(raw_id) not in names:
            problems.append(
                CellError(
                    number,
                    id_at,
                    _("编号“%(v)s”不在本评分表中。请勿修改编号列；新增人员请先在页面上办理。")
                    % {"v": raw_id},
                )
            )
            continue
        row_id = int(raw_id)
        if row_id in seen:
            problems.append(
                CellError(
                    number,
                    id_at,
                    _("编号 %(v)s 与第 %(r)d 行重复。") % {"v": raw_id, "r": seen[row_id]},
                )
            )
            continue
        seen[row_id] = number
        name = _text(cell(name_at))
        if name != names[row_id]:
            problems.append(
                CellError(
                    number,
                    name_at,
                    _("编号 %(i)s 是“%(n)s”，本行姓名却是“%(v)s”。请勿调换行或修改姓名。")
                    % {"i": raw_id, "n": names[row_id], "v": name},
                )
            )
            continue
        for index, key in score_at.items():
            value, message = parse_score(cell(index), decimals=decimals)
            if message:
                problems.append(
                    CellError(
                        number, index, f"{names[row_id]}（{_text(header[index])}）：{message}"
                    )
                )
            elif value is not None:
                grid.values[(row_id, key)] = value
                grid.where[(row_id, key)] = CellError(number, index, "")
    if problems:
        raise GridImportFailed(sheet, problems)
    return grid
