"""Importing units, posts, quotas and cadres from the template workbook.

All or nothing (docs/decisions/0028): the whole workbook is read and checked
first, every problem is collected with its sheet, row (as Excel numbers it)
and column, and only a workbook without a single error is written, in one
transaction, with one XLSX_IMPORTED journal event. The per-row services
(unit_create, cadre_create, ...) would lock, query and journal every row; at
100,000 cadres that is minutes, so this module runs the same pure checks
(people.validation) over the rows in Python and writes in bulk, as the seeder
does (COPY on PostgreSQL through xuanren.common.bulk.DatabaseSink).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import IO, Any

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from xuanren.access.policy import (
    has_perm,
    is_unrestricted,
    require_perm,
    unit_in_scope,
    unit_scope_q,
)
from xuanren.common.bulk import DatabaseSink
from xuanren.common.dates import today
from xuanren.common.errors import Conflict, FieldError, PermissionDenied, ValidationFailed
from xuanren.common.uploads import (
    check_size,
    check_workbook,
    read_bounded,
    too_many_rows,
    xlsx_limits,
)
from xuanren.exchange.xlsx_columns import (
    CADRES,
    POSTS,
    QUOTAS,
    SHEETS,
    TRAININGS,
    UNITS,
    Column,
    Kind,
    Sheet,
    choice_lookup,
    choice_names,
    normalize_header,
)
from xuanren.exchange.xlsx_parse import (
    column_letter,
    is_blank,
    parse_bool,
    parse_choice,
    parse_date,
    parse_id_number,
    parse_int,
    parse_text,
)
from xuanren.journal.chain import cadre_fingerprint, fp_runs
from xuanren.journal.models import EventType
from xuanren.journal.services import journal_key, journal_record
from xuanren.org.counts import DeltaSum
from xuanren.org.models import PATH_SEGMENT, Post, PostCategory, Quota, Unit
from xuanren.org.pinyin import unit_pinyin
from xuanren.org.services import MAX_CHILDREN, path_segment
from xuanren.people.bulk import COLUMNS
from xuanren.people.models import EDUCATION_RANK, Cadre, Education, EducationKind, Training
from xuanren.people.services import name_initials, relatives_link_new_cadres
from xuanren.people.validation import CadreFacts, validate_cadre, validate_training
from xuanren.reminders.kept import reminders_refresh_all
from xuanren.workforce.services import ENTRY_PERM, entry_errors, entry_set

#: The size limit is the setting XUANREN_XLSX_MAX_UPLOAD_BYTES (20 MB by
#: default; a 100,000-cadre workbook is about 8 MB), with the row, column and
#: ZIP limits of xuanren.common.uploads.
#: Rows per executemany / COPY batch.
CHUNK = 5000
#: The name path separator in 上级单位（名称路径）.
PATH_SEP = "/"


@dataclass(frozen=True, order=True)
class RowError:
    """One problem: where (sheet, Excel row, column) and what to do."""

    sheet_order: int
    row: int
    column_index: int
    sheet: str
    column: str  # the header, e.g. 公民身份号码
    message: str

    @property
    def cell(self) -> str:
        """Excel's name of the cell, e.g. 干部!E12 (the row alone when no column)."""
        if self.column_index < 0:
            return f"{self.sheet}!{self.row}"
        return f"{self.sheet}!{column_letter(self.column_index)}{self.row}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "cell": self.cell,
            "message": self.message,
        }


class XlsxImportFailed(ValidationFailed):
    """The workbook has errors; nothing was saved. `row_errors` lists all of them."""

    def __init__(self, row_errors: list[RowError]) -> None:
        self.row_errors = sorted(row_errors)
        rows = {(e.sheet, e.row) for e in self.row_errors}
        message = _(
            "工作簿中有 %(n)d 处错误（涉及 %(r)d 行），未导入任何数据。请按提示逐条修改后重新上传。"
        ) % {"n": len(self.row_errors), "r": len(rows)}
        super().__init__(
            message,
            errors=[FieldError(e.cell, f"{e.column}：{e.message}") for e in self.row_errors],
        )

    def as_dict(self) -> dict[str, object]:
        data = super().as_dict()
        data["rows"] = [e.as_dict() for e in self.row_errors]
        return data


@dataclass
class ImportResult:
    counts: dict[str, int]
    sha256: str
    created: dict[str, list[list[int]]]
    warnings: list[RowError]
    timings: dict[str, float]
    event_id: int | None = None
    dry_run: bool = False


# ---- reading -------------------------------------------------------------------


@dataclass
class Row:
    """One data row: its Excel number and the raw cells by column key."""

    number: int
    cells: dict[str, Any]


@dataclass
class SheetRows:
    sheet: Sheet
    order: int
    positions: dict[str, int]  # column key → 0-based index in the sheet
    rows: list[Row]


class Problems:
    """Collects RowErrors; knows where each column of each sheet is."""

    def __init__(self) -> None:
        self.errors: list[RowError] = []
        self.warnings: list[RowError] = []
        self.sheets: dict[str, SheetRows] = {}
        #: Codes of the 单位 rows that have errors: rows naming them are not
        #: reported again (the unit's own row says what is wrong).
        self.bad_unit_codes: set[str] = set()

    def _make(self, sheet: Sheet, row: int, key: str | None, message: str) -> RowError:
        read = self.sheets.get(sheet.key)
        order = read.order if read else 0
        if key is None:
            return RowError(order, row, -1, sheet.name, "", message)
        column = sheet.column(key)
        index = read.positions.get(key, -1) if read else -1
        return RowError(order, row, index, sheet.name, column.header, message)

    def add(self, sheet: Sheet, row: int, key: str | None, message: str) -> None:
        self.errors.append(self._make(sheet, row, key, message))

    def warn(self, sheet: Sheet, row: int, key: str | None, message: str) -> None:
        self.warnings.append(self._make(sheet, row, key, message))


def _read(content: bytes, problems: Problems) -> dict[str, SheetRows]:
    """The sheets row by row. `check_workbook` has bounded every sheet's
    rows and columns before this; the row count is checked again as the
    rows come, so that no reading can outgrow the limit."""
    limits = xlsx_limits()
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    except Exception as exc:  # calamine raises its own errors for every malformed file
        raise ValidationFailed(
            _(
                "无法读取该文件：它不是有效的 XLSX 工作簿（%(e)s）。请上传从本系统下载的模板填写后的文件。"
            )
            % {"e": type(exc).__name__}
        ) from exc
    names = set(book.sheet_names)
    found: dict[str, SheetRows] = {}
    for order, sheet in enumerate(SHEETS):
        if sheet.name not in names:
            continue
        rows = iter(book.get_sheet_by_name(sheet.name).iter_rows())
        read = SheetRows(sheet, order, {}, [])
        problems.sheets[sheet.key] = read
        found[sheet.key] = read
        header = next(rows, None)
        if not header:
            continue
        by_header = {c.header: c for c in sheet.columns}
        for index, raw in enumerate(header[: limits.columns]):
            column = by_header.get(normalize_header(str(raw)))
            if column is not None and column.key not in read.positions:
                read.positions[column.key] = index
        missing = [c for c in sheet.columns if c.required and c.key not in read.positions]
        for column in missing:
            problems.add(
                sheet,
                1,
                None,
                _("缺少必填列“%(h)s”。请使用本系统的模板，第 1 行为列名。") % {"h": column.header},
            )
        if missing:
            continue
        positions = list(read.positions.items())
        for offset, values in enumerate(rows, start=2):
            if offset > limits.rows + 1:
                raise too_many_rows(sheet.name, limits)
            if all(is_blank(v) for v in values):
                continue
            read.rows.append(
                Row(offset, {key: values[i] if i < len(values) else "" for key, i in positions})
            )
    if not any(read.rows for read in found.values()) and not problems.errors:
        raise ValidationFailed(
            _("工作簿中没有可导入的数据。请在“单位”“职位”“职数”“干部”“培训”表的第 2 行起填写。")
        )
    return found


#: (column key, message): one problem found in a row by the pure checks.
Issue = tuple[str, str]
Parser = Callable[[Any], tuple[Any, str]]

_BLANK: dict[Kind, Any] = {
    Kind.TEXT: "",
    Kind.DATE: None,
    Kind.INT: None,
    Kind.BOOL: None,
    Kind.CHOICE: "",
    Kind.ID_NUMBER: "",
}


def _parser(column: Column) -> Parser:
    kind = column.kind
    if kind is Kind.TEXT:
        return partial(parse_text, max_length=column.max_length)
    if kind is Kind.DATE:
        return parse_date
    if kind is Kind.INT:
        return partial(parse_int, minimum=column.minimum, maximum=column.maximum)
    if kind is Kind.BOOL:
        return parse_bool
    if kind is Kind.ID_NUMBER:
        return parse_id_number
    assert column.choices is not None
    return partial(
        parse_choice,
        choices=choice_lookup(column.choices),
        shown=list(choice_names(column.choices)),
    )


_PARSERS: dict[str, tuple[tuple[str, Parser, Any, bool], ...]] = {}


def _parsers(sheet: Sheet) -> tuple[tuple[str, Parser, Any, bool], ...]:
    # Cached by key: hashing the Sheet itself (every column) costs more than parsing.
    found = _PARSERS.get(sheet.key)
    if found is None:
        found = _PARSERS[sheet.key] = tuple(
            (c.key, _parser(c), _BLANK[c.kind], c.required) for c in sheet.columns
        )
    return found


def parse_row(sheet: Sheet, cells: dict[str, Any]) -> tuple[dict[str, Any], list[Issue]]:
    """Every cell of a row typed by its column, and what is wrong with them."""
    values: dict[str, Any] = {}
    issues: list[Issue] = []
    for key, parser, blank, required in _parsers(sheet):
        raw = cells.get(key, "")
        if raw == "" or raw is None:  # most optional cells: no parsing at all
            values[key] = blank
            if required:
                issues.append((key, _("此项必填，请填写。")))
            continue
        value, message = parser(raw)
        if not message and required and (value is None or value == ""):
            message = _("此项必填，请填写。")
        if message:
            issues.append((key, message))
        values[key] = value
    return values, issues


def _parse(sheet: Sheet, row: Row, problems: Problems) -> dict[str, Any]:
    values, issues = parse_row(sheet, row.cells)
    for key, message in issues:
        problems.add(sheet, row.number, key, message)
    return values


# ---- checking ------------------------------------------------------------------


@dataclass
class NewUnit:
    row: int
    values: dict[str, Any]
    parent: Unit | None = None  # an existing unit
    parent_code: str = ""  # or a new unit of this workbook
    depth: int = 0
    name_path: str = ""  # set once the parent is resolved
    bad: bool = False
    pk: int | None = None


@dataclass
class Plan:
    """Everything that will be written, once no error remains."""

    units: dict[str, NewUnit] = field(default_factory=dict)  # by code
    posts: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (unit code, values)
    quotas_new: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    quotas_changed: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (quota pk, …)
    cadres: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    #: (an existing cadre's pk, or the 公民身份号码 of a cadre of this workbook, values)
    trainings: list[tuple[int | str, dict[str, Any]]] = field(default_factory=list)
    existing: dict[str, Unit] = field(default_factory=dict)  # referenced existing units by code


def _name_paths() -> tuple[dict[str, list[Unit]], dict[int, str]]:
    """Name path from the top (青山县/城关镇) → units, and unit pk → its name path."""
    by_path: dict[str, str] = {}
    out: dict[str, list[Unit]] = defaultdict(list)
    of_pk: dict[int, str] = {}
    for unit in Unit.objects.only("pk", "name", "path", "code", "depth").order_by("path"):
        parent = by_path.get(unit.path[:-PATH_SEGMENT])
        full = f"{parent}{PATH_SEP}{unit.name}" if parent else unit.name
        by_path[unit.path] = full
        out[full].append(unit)
        of_pk[unit.pk] = full
    return out, of_pk


def _existing_units(codes: Iterable[str]) -> dict[str, Unit]:
    wanted = sorted({c for c in codes if c})
    found: dict[str, Unit] = {}
    for start in range(0, len(wanted), 900):
        for unit in Unit.objects.filter(code__in=wanted[start : start + 900]):
            found[unit.code] = unit
    return found


def _check_units(actor: Any, read: SheetRows | None, plan: Plan, problems: Problems) -> None:
    if read is None or not read.rows:
        return
    sheet = UNITS
    parsed = [(row.number, _parse(sheet, row, problems)) for row in read.rows]
    codes = [values["code"] for _n, values in parsed] + [v["parent_code"] for _n, v in parsed]
    existing = _existing_units(codes)
    first_row: dict[str, int] = {}
    for number, values in parsed:
        code = values["code"]
        if not code:
            continue
        if code in first_row:
            problems.add(
                sheet,
                number,
                "code",
                _("单位代码 %(c)s 与第 %(r)d 行重复，请改用不同的代码。")
                % {"c": code, "r": first_row[code]},
            )
            continue
        first_row[code] = number
        if code in existing:
            problems.add(
                sheet, number, "code", _("单位代码 %(c)s 已被系统中的单位使用。") % {"c": code}
            )
            continue
        plan.units[code] = NewUnit(number, values)
    # Parents: resolve repeatedly, since a row may name a parent further down;
    # whatever is left when nothing moves is reported.
    name_paths, path_of = _name_paths()
    pending = dict(plan.units)
    while pending:
        moved = False
        for code, new in list(pending.items()):
            if _resolve_parent(actor, new, plan, existing, name_paths, path_of, problems):
                del pending[code]
                moved = True
        if not moved:
            for new in pending.values():
                _resolve_parent(
                    actor, new, plan, existing, name_paths, path_of, problems, stuck=set(pending)
                )
            break
    problems.bad_unit_codes = {c for c, n in plan.units.items() if n.bad} | {
        c for c in first_row if c not in plan.units
    }
    for code in problems.bad_unit_codes:
        plan.units.pop(code, None)


def _resolve_parent(
    actor: Any,
    new: NewUnit,
    plan: Plan,
    existing: dict[str, Unit],
    name_paths: dict[str, list[Unit]],
    path_of: dict[int, str],
    problems: Problems,
    *,
    stuck: set[str] | None = None,
) -> bool:
    """Settle one new unit's parent: True when done (resolved, or an error
    recorded and the unit marked bad), False to try again after others.
    `stuck`: the codes left when nothing moves any more; each gets an error."""
    final = stuck is not None

    def fail(key: str, message: str) -> bool:
        problems.add(UNITS, new.row, key, message)
        new.bad = True
        return True

    values = new.values
    parent_code = values["parent_code"]
    parts = [p.strip() for p in values["parent_path"].strip(PATH_SEP).split(PATH_SEP) if p.strip()]
    parent_path = PATH_SEP.join(parts)
    target: Unit | NewUnit | None = None
    if parent_code:
        if parent_code in plan.units:
            target = plan.units[parent_code]
            if target.bad and not (stuck and parent_code in stuck):
                new.bad = True  # the parent's own row says what is wrong
                return True
        elif parent_code in existing and unit_in_scope(actor, existing[parent_code]):
            target = existing[parent_code]
        else:
            return fail(
                "parent_code",
                _("上级单位代码 %(c)s 不存在，或该单位不在您的管理范围内。") % {"c": parent_code},
            )
    if parent_path:
        matches: list[Unit | NewUnit] = [
            u for u in name_paths.get(parent_path, []) if unit_in_scope(actor, u)
        ]
        matches += [u for u in plan.units.values() if u.name_path == parent_path and not u.bad]
        if not matches:
            unresolved = any(not u.name_path and not u.bad for u in plan.units.values())
            if unresolved and not final:
                return False
            return fail(
                "parent_path",
                _(
                    "未找到名称路径为“%(p)s”的单位（或不在您的管理范围内）。"
                    "请从顶级单位写起，以“/”分隔，或改填上级单位代码。"
                )
                % {"p": parent_path},
            )
        if len(matches) > 1:
            return fail(
                "parent_path",
                _("名称路径“%(p)s”对应多个单位，请改填上级单位代码。") % {"p": parent_path},
            )
        if target is not None and matches[0] is not target:
            return fail(
                "parent_path",
                _("上级单位代码与上级单位名称路径指向不同的单位，请核对后只保留一项。"),
            )
        target = matches[0]
    if isinstance(target, NewUnit):
        if not target.name_path or target.bad:
            if not final:
                return False
            return fail(
                "parent_code",
                _("上级单位 %(c)s 的上级又指回本单位（循环），请核对上级单位。")
                % {"c": target.values["code"]},
            )
        new.parent_code = target.values["code"]
        new.depth = target.depth + 1
        new.name_path = f"{target.name_path}{PATH_SEP}{values['name']}"
        return True
    if target is None:
        if not is_unrestricted(actor):
            return fail(
                "parent_code",
                _("请填写上级单位代码或名称路径；只有系统管理员可以新建顶级单位。"),
            )
        new.name_path = values["name"]
        return True
    new.parent = target
    new.depth = target.depth + 1
    plan.existing[target.code] = target
    new.name_path = f"{path_of.get(target.pk, target.name)}{PATH_SEP}{values['name']}"
    return True


def _unit_for(
    actor: Any,
    sheet: Sheet,
    number: int,
    code: str,
    plan: Plan,
    existing: dict[str, Unit],
    problems: Problems,
) -> bool:
    """Whether `code` names a unit this workbook may write to (new, or existing in scope)."""
    if not code:
        return False
    if code in plan.units:
        return True
    unit = existing.get(code)
    if unit is not None and unit_in_scope(actor, unit):
        plan.existing[code] = unit
        return True
    if code in problems.bad_unit_codes:
        return False  # the unit row itself is wrong; that error says why
    problems.add(
        sheet,
        number,
        "unit_code",
        _(
            "单位代码 %(c)s 不存在，或该单位不在您的管理范围内。请核对代码，或先在“单位”表中新建该单位。"
        )
        % {"c": code},
    )
    return False


def _check_posts(actor: Any, read: SheetRows | None, plan: Plan, problems: Problems) -> None:
    if read is None or not read.rows:
        return
    sheet = POSTS
    parsed = [(row.number, _parse(sheet, row, problems)) for row in read.rows]
    existing = _existing_units(v["unit_code"] for _n, v in parsed)
    for number, values in parsed:
        ok = _unit_for(actor, sheet, number, values["unit_code"], plan, existing, problems)
        principal = bool(values["is_principal"])
        if values["is_party_government_principal"] and not principal:
            problems.add(
                sheet,
                number,
                "is_party_government_principal",
                _("党政正职必须是正职：请把“正职”也填为“是”，或把本列改为“否”。"),
            )
            ok = False
        if ok:
            plan.posts.append((values["unit_code"], values))


def _check_quotas(actor: Any, read: SheetRows | None, plan: Plan, problems: Problems) -> None:
    if read is None or not read.rows:
        return
    sheet = QUOTAS
    parsed = [(row.number, _parse(sheet, row, problems)) for row in read.rows]
    existing = _existing_units(v["unit_code"] for _n, v in parsed)
    current = {
        (q.unit_id, q.level): q
        for q in Quota.objects.filter(unit__code__in=[v["unit_code"] for _n, v in parsed])
    }
    seen: dict[tuple[str, str], int] = {}
    for number, values in parsed:
        code, level = values["unit_code"], values["level"]
        if not _unit_for(actor, sheet, number, code, plan, existing, problems) or not level:
            continue
        if values["approved"] is None:
            continue
        key = (code, level)
        if key in seen:
            problems.add(
                sheet,
                number,
                "level",
                _("该单位该层次的职数已在第 %(r)d 行填写，每个单位每个层次只能填一行。")
                % {"r": seen[key]},
            )
            continue
        seen[key] = number
        unit = plan.existing.get(code)
        quota = current.get((unit.pk, level)) if unit is not None else None
        if quota is not None:
            plan.quotas_changed.append((quota.pk, values))
        else:
            plan.quotas_new.append((code, values))


CadreChecked = tuple[int, dict[str, Any], list[Issue], list[Issue]]


def check_cadre_rows(rows: list[tuple[int, dict[str, Any]]], ref: dt.date) -> list[CadreChecked]:
    """Parse and check 干部 rows without the database: (row number, values,
    errors, warnings) for each. Pure, so that it can run in another process."""
    out: list[CadreChecked] = []
    initials: dict[str, str] = {}
    for number, cells in rows:
        values, issues = parse_row(CADRES, cells)
        warnings = _check_cadre_values(values, {k for k, _m in issues}, ref, issues)
        if not issues:
            name = values["name"]
            if name not in initials:
                initials[name] = name_initials(name)
            values["name_initials"] = initials[name]
        out.append((number, values, issues, warnings))
    return out


def _check_cadres(
    actor: Any,
    read: SheetRows | None,
    plan: Plan,
    problems: Problems,
    progress: Progress | None = None,
    done: int = 0,
    total: int = 0,
) -> None:
    if read is None or not read.rows:
        return
    sheet = CADRES
    ref = today()
    checked: list[CadreChecked] = []
    for start in range(0, len(read.rows), PROGRESS_ROWS):
        part = read.rows[start : start + PROGRESS_ROWS]
        checked += check_cadre_rows([(r.number, r.cells) for r in part], ref)
        if progress is not None:
            progress("checking", done + start + len(part), total)
    existing = _existing_units(v["unit_code"] for _n, v, _e, _w in checked)
    may_enter = has_perm(actor, ENTRY_PERM)
    first_row: dict[str, int] = {}
    numbers: list[str] = []
    good: list[tuple[int, dict[str, Any]]] = []
    for number, values, issues, warnings in checked:
        for key, message in issues:
            problems.add(sheet, number, key, message)
        for key, message in warnings:
            problems.warn(sheet, number, key, message)
        ok = _unit_for(actor, sheet, number, values["unit_code"], plan, existing, problems)
        if values["entry_method"] and not may_enter:
            problems.add(
                sheet,
                number,
                "entry_method",
                _("您没有登记进人方式的权限，请清空此列，或请干部监督部门登记。"),
            )
            ok = False
        ok = ok and not issues
        id_number = values["id_number"]
        if id_number in first_row:
            problems.add(
                sheet,
                number,
                "id_number",
                _("公民身份号码与第 %(r)d 行重复：同一人只能填一行。")
                % {"r": first_row[id_number]},
            )
            ok = False
        elif id_number:
            first_row[id_number] = number
            numbers.append(id_number)
        if ok:
            good.append((number, values))
    taken: set[str] = set()
    for start in range(0, len(numbers), 900):
        chunk = numbers[start : start + 900]
        taken.update(Cadre.objects.filter(id_number__in=chunk).values_list("id_number", flat=True))
    for number, values in good:
        if values["id_number"] in taken:
            problems.add(
                sheet,
                number,
                "id_number",
                _("公民身份号码 %(n)s 已有干部记录，请勿重复导入；如需修改，请在干部信息页面修改。")
                % {"n": values["id_number"]},
            )
        else:
            plan.cadres.append((values["unit_code"], values))


def _check_cadre_values(
    values: dict[str, Any], wrong: set[str], ref: dt.date, issues: list[Issue]
) -> list[Issue]:
    """The people.validation checks on one parsed row, appended to `issues`
    (cells already reported in `wrong` are not reported again); returns the
    warnings."""
    id_number = values["id_number"]
    if values["birth_date"] is None and "birth_date" not in wrong and len(id_number) == 18:
        # 出生日期 left blank: take it from the number.
        values["birth_date"] = parse_date(id_number[6:14])[0]
    facts = CadreFacts(
        name=values["name"],
        sex=values["sex"],
        birth_date=values["birth_date"],
        id_number=id_number,
        political_status=values["political_status"],
        party_join_date=values["party_join_date"],
        party_full_date=values["party_full_date"],
        work_start_date=values["work_start_date"],
        level_since=values["level_since"],
    )
    out = validate_cadre(facts, today=ref)
    issues.extend((e.field, e.message) for e in out.errors if e.field not in wrong)
    birth = values["birth_date"]
    for key in ("level_since", "rank_since"):
        day = values[key]
        if day is not None and day > ref:
            issues.append((key, _("该日期不能晚于今天。")))
        if key == "rank_since" and day is not None and birth is not None and day <= birth:
            issues.append((key, _("任现职级时间应晚于出生日期。")))
    has_education = any(values[k] for k in ("degree", "school", "major", "education_kind"))
    if has_education and not values["education_level"]:
        issues.append(("education_level", _("填写了学位、院校或专业时，请同时填写学历。")))
    if values["education_level"] and not values["school"]:
        issues.append(("school", _("填写学历时，请同时填写毕业院校。")))
    _check_entry_values(values, wrong, issues)
    return [(w.field, w.message) for w in out.warnings]


#: The 进人方式 columns and the fields of workforce.services.entry_errors.
ENTRY_COLUMNS = {
    "method": "entry_method",
    "entered_on": "entered_on",
    "document": "entry_document",
    "note": "entry_note",
}


def _check_entry_values(values: dict[str, Any], wrong: set[str], issues: list[Issue]) -> None:
    """The 进人方式 columns (decision 0187): all blank leaves the cadre
    without an entry record; otherwise the method and the day are needed and
    the row is checked as entry_set checks it (pure)."""
    keys = ENTRY_COLUMNS.values()
    if any(k in wrong for k in keys):
        return
    if not any(values[k] for k in keys):
        return
    if not values["entry_method"]:
        issues.append(
            ("entry_method", _("填写了进入时间、进人文件文号或说明时，请同时填写进人方式。"))
        )
        return
    if values["entered_on"] is None:
        issues.append(("entered_on", _("填写进人方式时，请同时填写进入时间。")))
        return
    if values["birth_date"] is None or "birth_date" in wrong:
        return  # the birth date's own cell says what is wrong
    out = entry_errors(
        name=values["name"],
        birth_date=values["birth_date"],
        method=values["entry_method"],
        entered_on=values["entered_on"],
        document=values["entry_document"],
        note=values["entry_note"],
    )
    issues.extend((ENTRY_COLUMNS[e.field], e.message) for e in out.errors)


def _check_trainings(actor: Any, read: SheetRows | None, plan: Plan, problems: Problems) -> None:
    """培训 rows: each names a cadre of this workbook's 干部 sheet or an existing
    one the actor may change (one message for "no such cadre" and "not
    yours", so that the sheet tells nobody who exists elsewhere); the row's
    values checked as training_add checks them (people.validation); a row
    repeating another, or a training the cadre already has, is refused."""
    if read is None or not read.rows:
        return
    sheet = TRAININGS
    ref = today()
    parsed: list[tuple[int, dict[str, Any]]] = []
    for row in read.rows:
        values, issues = parse_row(sheet, row.cells)
        for key, message in issues:
            problems.add(sheet, row.number, key, message)
        if not issues:  # a row whose cells are wrong is not checked further
            parsed.append((row.number, values))
    new = {v["id_number"]: v for _code, v in plan.cadres}
    numbers = {v["id_number"] for _n, v in parsed if v["id_number"] not in new}
    existing: dict[str, tuple[int, str, dt.date]] = {}
    chunked = sorted(numbers)
    for start in range(0, len(chunked), 900):
        rows = (
            Cadre.objects.filter(id_number__in=chunked[start : start + 900])
            .filter(unit_scope_q(actor, prefix="unit__"))
            .values_list("id_number", "pk", "name", "birth_date")
        )
        existing.update({n: (pk, name, born) for n, pk, name, born in rows})
    had: set[tuple[int, int, str]] = set()
    ids = [pk for pk, _name, _born in existing.values()]
    for start in range(0, len(ids), 900):
        had.update(
            Training.objects.filter(cadre_id__in=ids[start : start + 900]).values_list(
                "cadre_id", "year", "title"
            )
        )
    first_row: dict[tuple[str, int, str], int] = {}
    for number, v in parsed:
        id_number = v["id_number"]
        cadre: int | str
        if id_number in new:
            cadre, name, born = id_number, new[id_number]["name"], new[id_number]["birth_date"]
        elif id_number in existing:
            cadre, name, born = existing[id_number]
        else:
            problems.add(
                sheet, number, "id_number",
                _("公民身份号码 %(n)s 的干部不在系统中，或不在您的管理范围内。请核对号码，或在“干部”表中新建该干部。")
                % {"n": id_number},
            )  # fmt: skip
            continue
        if v["name"] and v["name"] != name:
            problems.add(
                sheet, number, "name",
                _("姓名“%(a)s”与该公民身份号码的干部“%(b)s”不一致，请核对。")
                % {"a": v["name"], "b": name},
            )  # fmt: skip
            continue
        title = v["title"].strip()
        out = validate_training(
            birth_year=born.year if born else 0,
            year=v["year"], hours=v["hours"], title=title, today=ref,
        )  # fmt: skip
        for error in out.errors:
            problems.add(sheet, number, error.field, error.message)
        if out.errors:
            continue
        same = (id_number, v["year"], title)
        if same in first_row:
            problems.add(
                sheet, number, "title",
                _("与第 %(r)d 行是同一干部同一年度的同一培训，请勿重复填写。") % {"r": first_row[same]},
            )  # fmt: skip
            continue
        first_row[same] = number
        if isinstance(cadre, int) and (cadre, v["year"], title) in had:
            problems.add(
                sheet, number, "title",
                _("该干部 %(y)d 年已有“%(t)s”的培训记录，请勿重复导入。") % {"y": v["year"], "t": title},
            )  # fmt: skip
            continue
        plan.trainings.append((cadre, {"year": v["year"], "hours": v["hours"], "title": title}))


def _check_permissions(actor: Any, sheets: dict[str, SheetRows]) -> None:
    for _key, read in sheets.items():
        if read.rows:
            for perm in read.sheet.perms:
                require_perm(actor, perm)


# ---- writing -------------------------------------------------------------------


def _allocate_ids(model: type[models.Model], n: int) -> list[int]:
    """n fresh primary keys: from the sequence on PostgreSQL (safe beside
    other writers), above the highest used one on SQLite (whose transactions
    here take the write lock at BEGIN, settings: transaction_mode IMMEDIATE)."""
    if n == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, n],
            )
            return sorted(row[0] for row in cursor.fetchall())
        top = model._default_manager.aggregate(m=Max("pk"))["m"] or 0
        if connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            top = max(top, row[0] if row else 0)
    return list(range(top + 1, top + 1 + n))


def id_ranges(ids: Iterable[int]) -> list[list[int]]:
    """[3, 4, 5, 9] → [[3, 5], [9, 9]]: created IDs in a journal-sized form."""
    out: list[list[int]] = []
    for pk in sorted(ids):
        if out and pk == out[-1][1] + 1:
            out[-1][1] = pk
        else:
            out.append([pk, pk])
    return out


def _next_index(parent_path: str) -> int:
    last = (
        Unit.objects.filter(path__startswith=parent_path, depth=len(parent_path) // PATH_SEGMENT)
        .order_by("-path")
        .values_list("path", flat=True)
        .first()
    )
    return 0 if last is None else int(last[len(parent_path) :], 36) + 1


def _write_units(plan: Plan) -> dict[str, Unit]:
    """Create the new units, parents first; return every unit by code."""
    units: dict[str, Unit] = dict(plan.existing)
    parents = sorted({n.parent.pk for n in plan.units.values() if n.parent is not None})
    # Serialize sibling numbering under each parent (as unit_create does).
    list(Unit.objects.select_for_update().filter(pk__in=parents).values_list("pk", flat=True))
    next_index: dict[str, int] = {}
    for new in sorted(plan.units.values(), key=lambda n: (n.depth, n.row)):
        parent = new.parent if new.parent is not None else units.get(new.parent_code)
        prefix = parent.path if parent is not None else ""
        if prefix not in next_index:
            next_index[prefix] = _next_index(prefix)
        index = next_index[prefix]
        if index >= MAX_CHILDREN:
            raise Conflict(_("上级单位的下级单位数量已达上限，未导入。"))
        next_index[prefix] = index + 1
        v = new.values
        initials, pinyin = unit_pinyin(v["name"])
        unit = Unit(
            name=v["name"],
            name_initials=initials,
            name_pinyin=pinyin,
            short_name=v["short_name"],
            code=v["code"],
            kind=v["kind"],
            level=v["level"],
            parent=parent,
            path=prefix + path_segment(index),
            depth=(parent.depth + 1) if parent is not None else 0,
            sort_order=v["sort_order"] or 0,
            establishment_document=v["establishment_document"],
        )
        unit.save(force_insert=True)
        units[unit.code] = unit
        new.pk = unit.pk
    return units


def _write_posts(plan: Plan, units: dict[str, Unit], kept: DeltaSum) -> list[int]:
    # Few distinct titles among many posts: each title's pinyin computed once.
    pinyin = {title: unit_pinyin(title) for title in {v["title"] for _c, v in plan.posts}}
    posts = [
        Post(
            unit=units[code],
            title=v["title"],
            title_initials=pinyin[v["title"]][0],
            title_pinyin=pinyin[v["title"]][1],
            level=v["level"],
            category=v["category"] or PostCategory.GOVERNMENT,
            is_principal=bool(v["is_principal"]),
            is_party_government_principal=bool(v["is_party_government_principal"]),
            professional_requirement=v["professional_requirement"],
            counts_against_quota=v["counts_against_quota"] is not False,
            seats=v["seats"] or 1,
            sort_order=v["sort_order"] or 0,
        )
        for code, v in plan.posts
    ]
    Post.objects.bulk_create(posts, batch_size=CHUNK)
    for post in posts:
        kept.add(post.unit_id, post.level, posts=1)
    return [p.pk for p in posts]


def _write_quotas(
    plan: Plan, units: dict[str, Unit], kept: DeltaSum
) -> tuple[list[int], list[int]]:
    quotas = [
        Quota(unit=units[code], level=v["level"], approved=v["approved"], source=v["source"])
        for code, v in plan.quotas_new
    ]
    Quota.objects.bulk_create(quotas, batch_size=CHUNK)
    for quota in quotas:
        kept.add(quota.unit_id, quota.level, approved=quota.approved)
    changed = dict(plan.quotas_changed)
    rows = list(Quota.objects.select_for_update().filter(pk__in=list(changed)))
    for quota in rows:
        v = changed[quota.pk]
        # The old value is read under the row's lock: the delta is exact.
        kept.add(quota.unit_id, quota.level, approved=v["approved"] - quota.approved)
        quota.approved = v["approved"]
        quota.source = v["source"] or quota.source
    Quota.objects.bulk_update(rows, ["approved", "source"], batch_size=CHUNK)
    return [q.pk for q in quotas], sorted(changed)


def _write_cadres(
    plan: Plan,
    units: dict[str, Unit],
    kept: DeltaSum,
    progress: Progress | None = None,
    offset: int = 0,
    total: int = 0,
) -> tuple[list[int], list[int], list[list[Any]]]:
    """COPY / executemany through the shared bulk sink, with IDs taken up front
    so that the education rows can point at their cadres. `progress("writing",
    offset + cadres written, total)` after each chunk (inside the save: a
    background job writes it from a connection of its own, decision 0106)."""
    cadre_ids = _allocate_ids(Cadre, len(plan.cadres))
    with_education = [i for i, (_c, v) in enumerate(plan.cadres) if v["education_level"]]
    education_ids = _allocate_ids(Education, len(with_education))
    # The seeder's columns include 身份 (decision 0083); 学历原文 came after them (0082).
    cadre_columns = COLUMNS[Cadre]
    education_columns = COLUMNS[Education]
    sink = DatabaseSink()
    fingerprints: list[tuple[int, str]] = []
    key = journal_key()
    try:
        batch: list[tuple[Any, ...]] = []
        for pk, (code, v) in zip(cadre_ids, plan.cadres, strict=True):
            row = {
                **v,
                "id": pk,
                "unit_id": units[code].pk,
                "ethnicity": v["ethnicity"] or "汉族",
                "identity": v.get("identity") or "",
                "health": v["health"] or "健康",
                "education_level": v["education_level"],
                "education_rank": EDUCATION_RANK.get(v["education_level"], 0),
                "personal_matters_status": "not_reported",
                "archive_review_status": "not_reviewed",
                "status": "active",
            }
            batch.append(tuple(row[c] for c in cadre_columns))
            kept.add(row["unit_id"], cadres=1)  # every imported cadre is 在职
            fingerprints.append((pk, cadre_fingerprint(key, pk, row)))
            if len(batch) >= CHUNK:
                sink.write(Cadre, cadre_columns, batch)
                batch = []
                if progress is not None:
                    progress("writing", offset + len(fingerprints), total)
        if batch:
            sink.write(Cadre, cadre_columns, batch)
        batch = []
        for pk, index in zip(education_ids, with_education, strict=True):
            v = plan.cadres[index][1]
            row = {
                "id": pk,
                "cadre_id": cadre_ids[index],
                "kind": v["education_kind"] or EducationKind.FULL_TIME,
                "level": v["education_level"],
                "degree": v["degree"] or "none",
                "school": v["school"],
                "major": v["major"],
                "start_date": None,
                "end_date": None,
            }
            batch.append(tuple(row[c] for c in education_columns))
            if len(batch) >= CHUNK:
                sink.write(Education, education_columns, batch)
                batch = []
        if batch:
            sink.write(Education, education_columns, batch)
    except BaseException:
        sink.close(quiet=True)
        raise
    sink.close()
    return cadre_ids, education_ids, fp_runs(fingerprints)


def _write_entries(actor: Any, plan: Plan, cadre_ids: list[int]) -> int:
    """The 进人方式 of the new cadres, through the workforce service (its
    permission, checks and journal event), inside the import's transaction:
    a refusal there undoes the whole workbook."""
    n = 0
    for pk, (_c, v) in zip(cadre_ids, plan.cadres, strict=True):
        if not v["entry_method"]:
            continue
        entry_set(
            actor=actor,
            cadre=Cadre(pk=pk),
            method=v["entry_method"],
            entered_on=v["entered_on"],
            document=v["entry_document"],
            note=v["entry_note"],
        )
        n += 1
    return n


def _write_trainings(plan: Plan, cadre_ids: list[int]) -> list[int]:
    """The 培训 rows, after the cadres (whose new IDs they point at)."""
    new = {v["id_number"]: pk for pk, (_c, v) in zip(cadre_ids, plan.cadres, strict=True)}
    ids = _allocate_ids(Training, len(plan.trainings))
    rows = [
        Training(id=pk, cadre_id=new[cadre] if isinstance(cadre, str) else cadre, **values)
        for pk, (cadre, values) in zip(ids, plan.trainings, strict=True)
    ]
    Training.objects.bulk_create(rows, batch_size=CHUNK)
    return ids


# ---- the service ---------------------------------------------------------------


#: Every permission a sheet of the workbook needs; an actor with none of
#: them may not import anything, and is refused before a byte is read.
IMPORT_PERMS = tuple(dict.fromkeys(p for sheet in SHEETS for p in sheet.perms))


#: Reports how far the import is: (stage, rows done, rows in all). It may
#: raise (a cancelled job): before the write that is nothing to undo, inside
#: it the transaction rolls back. Stages: "checking" (rows checked),
#: "saving" (the write is about to start), "writing" (inside the write's
#: transaction: a report there must not write to the database).
Progress = Callable[[str, int, int], None]
#: Rows between two progress reports while the rows are checked.
PROGRESS_ROWS = 2000


def require_xlsx_importer(actor: Any) -> None:
    if not any(has_perm(actor, perm) for perm in IMPORT_PERMS):
        raise PermissionDenied(_("您没有导入数据的权限。如需办理，请联系系统管理员分配相应角色。"))


def xlsx_import(
    *,
    actor: Any,
    content: bytes | IO[bytes],
    filename: str = "",
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Check the whole workbook; when nothing is wrong (and not `dry_run`),
    save it all in one transaction with one journal event. Raises
    XlsxImportFailed listing every error, PermissionDenied when the actor may
    not add what a sheet holds.

    In this order, so that nothing is read for an actor who may not import
    and nothing is parsed that breaks a limit: the permission, the declared
    size, the ZIP directory and each sheet's extent (xuanren.common.uploads),
    then the cells, row by row."""
    started = time.perf_counter()
    require_xlsx_importer(actor)
    limit = settings.XUANREN_XLSX_MAX_UPLOAD_BYTES
    check_size(content, limit=limit, what=_("工作簿"), setting="XUANREN_XLSX_MAX_UPLOAD_BYTES")
    check_workbook(content, name=filename or _("工作簿"), sheets=[s.name for s in SHEETS])
    content = read_bounded(content, limit=limit, what=_("工作簿"))
    digest = hashlib.sha256(content).hexdigest()
    problems = Problems()
    sheets = _read(content, problems)
    _check_permissions(actor, sheets)
    read_done = time.perf_counter()
    total = sum(len(read.rows) for read in sheets.values())
    before_cadres = total - len(sheets["cadres"].rows) if "cadres" in sheets else total
    if progress is not None:
        progress("checking", 0, total)
    plan = Plan()
    _check_units(actor, sheets.get("units"), plan, problems)
    _check_posts(actor, sheets.get("posts"), plan, problems)
    _check_quotas(actor, sheets.get("quotas"), plan, problems)
    _check_cadres(actor, sheets.get("cadres"), plan, problems, progress, before_cadres, total)
    _check_trainings(actor, sheets.get("trainings"), plan, problems)
    if problems.errors:
        raise XlsxImportFailed(problems.errors)
    checked = time.perf_counter()
    counts = {
        "units": len(plan.units),
        "posts": len(plan.posts),
        "quotas_created": len(plan.quotas_new),
        "quotas_changed": len(plan.quotas_changed),
        "cadres": len(plan.cadres),
        "educations": sum(1 for _c, v in plan.cadres if v["education_level"]),
        "trainings": len(plan.trainings),
        "entries": sum(1 for _c, v in plan.cadres if v["entry_method"]),
    }
    result = ImportResult(
        counts=counts,
        sha256=digest,
        created={},
        warnings=sorted(problems.warnings),
        timings={"read": read_done - started, "validate": checked - read_done},
        dry_run=dry_run,
    )
    if dry_run:
        result.timings["total"] = time.perf_counter() - started
        return result
    if progress is not None:
        progress("saving", 0, total)
    try:
        with transaction.atomic():
            units = _write_units(plan)
            kept = DeltaSum()  # the per-unit counts (decision 0136), added at the end
            post_ids = _write_posts(plan, units, kept)
            quota_ids, quotas_changed = _write_quotas(plan, units, kept)
            if progress is not None:
                progress("writing", before_cadres, total)
            cadre_ids, education_ids, cadre_fp = _write_cadres(
                plan, units, kept, progress, before_cadres, total
            )
            training_ids = _write_trainings(plan, cadre_ids)
            _write_entries(actor, plan, cadre_ids)
            kept.save()
            reminders_refresh_all(cadre_ids, new=True)  # 待办's retirements (decision 0195)
            if progress is not None:
                progress("writing", total, total)
            relatives_link_new_cadres(actor=actor, cadre_ids=cadre_ids)
            created = {
                "units": id_ranges(n.pk for n in plan.units.values() if n.pk),
                "posts": id_ranges(post_ids),
                "quotas": id_ranges(quota_ids),
                "cadres": id_ranges(cadre_ids),
                "educations": id_ranges(education_ids),
                "trainings": id_ranges(training_ids),
            }
            event = journal_record(
                actor=actor,
                event_type=EventType.XLSX_IMPORTED,
                subject=("exchange.xlsx", digest[:16]),
                payload={
                    "file": filename[:200],
                    "sha256": digest,
                    "counts": counts,
                    "created": created,
                    "quotas_changed": quotas_changed,
                    "cadre_fp": cadre_fp,
                },
            )
    except IntegrityError as exc:
        raise Conflict(
            _(
                "导入时有人同时录入了相同的单位代码或公民身份号码，未保存任何内容。请刷新后重新上传。"
            )
        ) from exc
    if connection.vendor == "postgresql" and len(plan.cadres) >= 10_000:
        # Fresh statistics after a large load, or the planner guesses from old ones.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Cadre._meta.db_table)}")
    result.created = created
    result.event_id = event.pk
    result.timings["write"] = time.perf_counter() - checked
    result.timings["total"] = time.perf_counter() - started
    return result
