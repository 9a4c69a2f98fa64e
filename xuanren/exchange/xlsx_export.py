"""Lists of personal data as XLSX: the cadre list (with the search page's
filters) and the 花名册 (roster) of a unit and everything below it.

Reads go through people.selectors.cadre_search (permission and scope); rows
stream into an openpyxl write-only workbook in a temporary file, so 100,000
rows need neither a cell model nor the whole file in memory. Each export
writes one DATA_EXPORTED journal event: who exported which list with which
filters and how many rows (docs/decisions/0029).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict
from typing import IO, Any

from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from xuanren.access.models import AccessKind
from xuanren.access.policy import has_perm
from xuanren.access.records import access_record
from xuanren.common.cells import xlsx_cell, xlsx_row
from xuanren.common.dates import completed_years, today
from xuanren.exchange.xlsx_columns import CADRES
from xuanren.journal.models import EventType
from xuanren.journal.services import journal_record
from xuanren.org.models import LEVEL_RANK, Unit
from xuanren.people.models import (
    EDUCATION_RANK,
    IN_SERVICE_KINDS,
    Cadre,
    Education,
    EducationKind,
    Tenure,
)
from xuanren.people.selectors import CadreFilters, cadre_search, shown_id_number
from xuanren.workforce.models import EntryRecord
from xuanren.workforce.selectors import ENTRY_VIEW

#: Rows fetched per query while streaming (prefetches run per chunk).
CHUNK = 2000
#: Rows between two progress reports of a background export.
PROGRESS_ROWS = 1000

#: A background job's progress callback: (stage, rows done, total).
Progress = Callable[[str, int, int], None]


@contextlib.contextmanager
def _abandoned_on_error(sheet: WriteOnlyWorksheet) -> Iterator[None]:
    """A cancelled export (or any error) closes the half-written sheet's
    temporary file at once instead of leaving it to the garbage collector."""
    try:
        yield
    except BaseException:
        with contextlib.suppress(Exception):
            sheet.close()
        raise


def _report(progress: Progress | None, rows: int, total: int) -> None:
    if progress is not None and rows % PROGRESS_ROWS == 0:
        progress("generating", rows, max(total, rows))


def _ym(value: dt.date | None) -> str:
    """1985.03: the month form rosters customarily print."""
    return f"{value.year:04d}.{value.month:02d}" if value else ""


def _label(field: str) -> str:
    return str(getattr(Cadre._meta.get_field(field), "verbose_name", field))


def _sheet(workbook: Workbook, title: str) -> WriteOnlyWorksheet:
    sheet = workbook.create_sheet(title=title[:31])
    return sheet


def _header(sheet: WriteOnlyWorksheet, headers: Sequence[str]) -> None:
    bold = Font(bold=True)
    cells = []
    for text in headers:
        cell = xlsx_cell(sheet, text)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)


def _temporary() -> IO[bytes]:
    # Memory up to a few MB, then a file on disk; deleted when closed.
    return tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)


def _level_order() -> Case:
    return Case(
        *(When(level=code, then=Value(rank)) for code, rank in LEVEL_RANK.items()),
        default=Value(0),
        output_field=IntegerField(),
    )


# ---- the cadre list ----------------------------------------------------------------


def cadre_list_headers(*, entry: bool = False) -> list[str]:
    """The cadre list's columns; with `entry`, the 进人方式 record's four
    (named as in the import workbook) for those who may read it."""
    return [
        _("序号"),
        _label("name"),
        _label("sex"),
        _label("birth_date"),
        _("年龄"),
        _label("id_number"),
        _label("ethnicity"),
        _label("political_status"),
        _label("unit"),
        _label("current_post_title"),
        _label("level"),
        _label("level_since"),
        _label("education_level"),
        _label("work_start_date"),
        _label("status"),
        _label("identity"),
        *([CADRES.column(key).header for key in ENTRY_COLUMNS] if entry else []),
    ]


#: The import workbook's 进人方式 columns, whose headers the list repeats.
ENTRY_COLUMNS = ("entry_method", "entered_on", "entry_document", "entry_note")


def _entry_cells(record: EntryRecord | None) -> list[Any]:
    if record is None:
        return ["", None, "", ""]
    return [record.get_method_display(), record.entered_on, record.document, record.note]


def _cadre_list_rows(
    actor: Any, cadres: QuerySet[Cadre], on: dt.date, *, entry: bool
) -> Iterator[list[Any]]:
    if entry:
        cadres = cadres.select_related("entry")
    for index, cadre in enumerate(cadres.iterator(chunk_size=CHUNK), start=1):
        # A cadre without a record raises RelatedObjectDoesNotExist, an AttributeError.
        extra = _entry_cells(getattr(cadre, "entry", None)) if entry else []
        yield [
            index,
            cadre.name,
            cadre.get_sex_display(),
            cadre.birth_date,
            completed_years(cadre.birth_date, on),
            shown_id_number(actor=actor, cadre=cadre, full=True),
            cadre.ethnicity,
            cadre.get_political_status_display(),
            cadre.unit.name,
            cadre.current_post_title,
            cadre.get_level_display(),
            cadre.level_since,
            cadre.get_education_level_display(),
            cadre.work_start_date,
            cadre.get_status_display(),
            cadre.get_identity_display(),
            *extra,
        ]


def cadre_list_export(
    *, actor: Any, filters: CadreFilters, progress: Progress | None = None, total: int = 0
) -> tuple[IO[bytes], int]:
    """The cadre list with these filters as an XLSX file (positioned at its
    start) and its row count. ID numbers in full only for holders of
    people.view_full_id_number; the 进人方式 columns only for those who may
    read the entry records (workforce.view_entryrecord). `progress` (a
    background job) is told every PROGRESS_ROWS rows of `total`; a cancel
    raised there ends the export before anything is journalled."""
    cadres = cadre_search(actor=actor, filters=filters)
    on = filters.ref_date or today()
    workbook = Workbook(write_only=True)
    sheet = _sheet(workbook, _("干部信息"))
    entry = has_perm(actor, ENTRY_VIEW)
    _header(sheet, cadre_list_headers(entry=entry))
    rows = 0
    with _abandoned_on_error(sheet):
        for row in _cadre_list_rows(actor, cadres, on, entry=entry):
            sheet.append(xlsx_row(sheet, row))
            rows += 1
            _report(progress, rows, total)
    target = _save(workbook)
    filters_payload = {
        k: (v.isoformat() if isinstance(v, dt.date) else v)
        for k, v in asdict(filters).items()
        if v not in (None, "")
    }
    access_record(
        actor=actor,
        kind=AccessKind.EXPORT,
        subject=("people.cadre", "list"),
        label=_("干部信息"),
        detail={"export": "cadres", "format": "xlsx", "filters": filters_payload, "rows": rows},
    )
    journal_record(
        actor=actor,
        event_type=EventType.DATA_EXPORTED,
        subject=("people.cadre", "list"),
        payload={
            "list": "cadres",
            "format": "xlsx",
            "filters": filters_payload,
            "rows": rows,
            "id_numbers": "full" if has_perm(actor, "people.view_full_id_number") else "masked",
            "entry_records": entry,
        },
    )
    return target, rows


def _save(workbook: Workbook) -> IO[bytes]:
    target = _temporary()
    workbook.save(target)
    target.seek(0)
    return target


# ---- the roster (花名册) ----------------------------------------------------------


def roster_headers() -> list[str]:
    return [
        _("序号"),
        _label("unit"),
        _label("name"),
        _label("sex"),
        _label("ethnicity"),
        _("出生年月"),
        _("年龄"),
        _label("native_place"),
        _label("party_join_date"),
        _label("work_start_date"),
        _("全日制学历学位"),
        _("全日制毕业院校系及专业"),
        _("在职学历学位"),
        _("在职毕业院校系及专业"),
        _label("current_post_title"),
        _("任现职时间"),
        _label("level"),
        _label("level_since"),
        _label("rank"),
        _label("professional_title"),
    ]


def _best(educations: list[Education], kinds: frozenset[str]) -> tuple[str, str]:
    chosen = [e for e in educations if e.kind in kinds]
    if not chosen:
        return "", ""
    best = max(chosen, key=lambda e: (EDUCATION_RANK.get(e.level, 0), e.end_date or dt.date.min))
    degree = best.get_degree_display() if best.degree != "none" else ""
    return (best.level_text or best.get_level_display()) + degree, f"{best.school}{best.major}"


def _roster_rows(cadres: QuerySet[Cadre], on: dt.date) -> Iterator[list[Any]]:
    for index, cadre in enumerate(cadres.iterator(chunk_size=CHUNK), start=1):
        educations = list(cadre.educations.all())
        full_time = _best(educations, frozenset({EducationKind.FULL_TIME}))
        in_service = _best(educations, IN_SERVICE_KINDS)
        tenures = list(cadre.tenures.all())
        since = max((t.start_date for t in tenures), default=None)
        yield [
            index,
            cadre.unit.name,
            cadre.name,
            cadre.get_sex_display(),
            cadre.ethnicity,
            _ym(cadre.birth_date),
            completed_years(cadre.birth_date, on),
            cadre.native_place,
            _ym(cadre.party_join_date),
            _ym(cadre.work_start_date),
            *full_time,
            *in_service,
            cadre.current_post_title,
            _ym(since),
            cadre.get_level_display(),
            _ym(cadre.level_since),
            cadre.rank,
            cadre.professional_title,
        ]


def roster_title(unit: Unit, on: dt.date) -> str:
    return _("%(unit)s干部花名册（截至 %(day)s）") % {"unit": unit.name, "day": on.isoformat()}


def roster_cadres(*, actor: Any, unit: Unit, on: dt.date) -> QuerySet[Cadre]:
    """The cadres the 花名册 of `unit` lists on `on` (also counted to decide
    whether it is produced in the background)."""
    return cadre_search(actor=actor, filters=CadreFilters(unit_id=unit.pk, ref_date=on))


def roster_export(
    *,
    actor: Any,
    unit: Unit,
    on: dt.date | None = None,
    progress: Progress | None = None,
    total: int = 0,
) -> tuple[IO[bytes], int]:
    """The 花名册 of `unit` and every unit below it: active cadres in unit
    order, higher levels first, with the customary columns. The unit must
    be in the actor's scope (the caller fetched it with unit_get).
    `progress` as for cadre_list_export."""
    on = on or today()
    in_force = Tenure.objects.filter(start_date__lte=on).exclude(end_date__lte=on)
    cadres = (
        roster_cadres(actor=actor, unit=unit, on=on)
        .annotate(level_order=_level_order())
        .order_by("unit__path", "-level_order", "birth_date", "id")
        .prefetch_related("educations", Prefetch("tenures", queryset=in_force))
    )
    workbook = Workbook(write_only=True)
    sheet = _sheet(workbook, _("干部花名册"))
    title = xlsx_cell(sheet, roster_title(unit, on))
    title.font = Font(bold=True, size=14)
    sheet.append([title])
    _header(sheet, roster_headers())
    rows = 0
    with _abandoned_on_error(sheet):
        for row in _roster_rows(cadres, on):
            sheet.append(xlsx_row(sheet, row))
            rows += 1
            _report(progress, rows, total)
    target = _save(workbook)
    access_record(
        actor=actor,
        kind=AccessKind.EXPORT,
        subject=unit,
        label=f"{_('干部花名册')}：{unit.name}",
        detail={"export": "roster", "format": "xlsx", "on": on.isoformat(), "rows": rows},
    )
    journal_record(
        actor=actor,
        event_type=EventType.DATA_EXPORTED,
        subject=unit,
        payload={"list": "roster", "format": "xlsx", "on": on.isoformat(), "rows": rows},
    )
    return target, rows
