"""The 干部 sheet's 进人方式 columns (issue 16, decision 0187): written through
workforce.services.entry_set inside the import's one transaction, validated
against the Chinese labels with the cell named, blank leaves the cadre
without a record, and the whole workbook refused when one row is wrong."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.contrib.auth.models import User
from openpyxl import load_workbook

from tests.conftest import County, Personas, make_user
from xuanren.access.models import Role
from xuanren.common.dates import today
from xuanren.exchange.xlsx_import import XlsxImportFailed, xlsx_import
from xuanren.exchange.xlsx_template import template_workbook
from xuanren.exchange.xlsx_workbook import sample_cadre_rows, write_workbook
from xuanren.journal.models import Event, EventType
from xuanren.people.models import Cadre
from xuanren.workforce.models import EntryRecord

pytestmark = pytest.mark.django_db


def book(rows: list[dict[str, Any]]) -> bytes:
    buffer = io.BytesIO()
    write_workbook(buffer, {"cadres": rows})
    return buffer.getvalue()


def rows(county: County, n: int, **entries: Any) -> list[dict[str, Any]]:
    made = sample_cadre_rows(n, unit_codes=[county.town.code], seed=7)
    for r in made:
        r.update(entries)
    return made


def failure(actor: User, content: bytes) -> list[tuple[str, str, str]]:
    before = (Cadre.objects.count(), EntryRecord.objects.count(), Event.objects.count())
    with pytest.raises(XlsxImportFailed) as info:
        xlsx_import(actor=actor, content=content, filename="t.xlsx")
    after = (Cadre.objects.count(), EntryRecord.objects.count(), Event.objects.count())
    assert after == before
    return [(e.cell, e.column, e.message) for e in info.value.row_errors]


def test_entry_columns_are_written_through_the_service(personas: Personas, county: County) -> None:
    officer = personas.case_officer
    made = rows(county, 3)
    birth = dt.date(1965, 1, 1)  # the sample rows' first birthdays
    made[0].update(
        entry_method="考试录用", entered_on="1987-08-01", entry_document="青人〔1987〕3号"
    )
    # the 16th birthday itself is allowed (劳动法第十五条)
    made[1].update(entry_method="其他", entered_on=birth.replace(year=1981).isoformat(),
                   entry_note="招聘为事业编制后调入")  # fmt: skip
    # made[2]: blank leaves it unset
    result = xlsx_import(actor=officer, content=book(made), filename="t.xlsx")
    assert result.counts["entries"] == 2 and result.counts["cadres"] == 3
    got = {
        e.cadre.id_number: (e.method, e.entered_on, e.document, e.note)
        for e in EntryRecord.objects.select_related("cadre")
    }
    assert got == {
        made[0]["id_number"]: ("examination", dt.date(1987, 8, 1), "青人〔1987〕3号", ""),
        made[1]["id_number"]: ("other", dt.date(1981, 1, 1), "", "招聘为事业编制后调入"),
    }
    assert not EntryRecord.objects.filter(cadre__id_number=made[2]["id_number"]).exists()
    assert Event.objects.filter(event_type=EventType.WORKFORCE_ENTRY_SET).count() == 2
    assert Event.objects.filter(event_type=EventType.XLSX_IMPORTED).count() == 1


def test_bad_label_and_bad_rows_are_refused_with_the_cell_and_nothing_is_saved(
    personas: Personas, county: County
) -> None:
    made = rows(county, 5)
    made[0].update(entry_method="花钱买的", entered_on="2000-01-01", entry_document="x")
    made[1].update(entry_method="选调", entered_on="2000-01-01")  # no document
    made[2].update(entered_on="2000-01-01")  # no method
    made[3].update(entry_method="调任", entry_document="x")  # no day
    made[4].update(
        entry_method="转任",
        entered_on=(today() + dt.timedelta(days=1)).isoformat(),
        entry_document="x",
    )
    errors = failure(personas.case_officer, book(made))
    by_cell = {cell: (column, message) for cell, column, message in errors}
    assert len(errors) == 5
    assert by_cell["干部!AB2"][0] == "进人方式" and "考试录用" in by_cell["干部!AB2"][1]
    assert by_cell["干部!AD3"] == ("进人文件文号", "请填写录用、调任或安置等进入文件的文号。")
    assert by_cell["干部!AB4"][0] == "进人方式"
    assert by_cell["干部!AC5"] == ("进入时间", "填写进人方式时，请同时填写进入时间。")
    assert by_cell["干部!AC6"][0] == "进入时间" and "晚于今天" in by_cell["干部!AC6"][1]


def test_the_day_before_the_16th_birthday_is_refused(personas: Personas, county: County) -> None:
    made = rows(county, 1)
    made[0].update(entry_method="考试录用", entered_on="1980-12-31", entry_document="x")
    ((cell, column, message),) = failure(personas.case_officer, book(made))
    assert (cell, column) == ("干部!AC2", "进入时间") and "未满 16 周岁" in message


def test_without_the_entry_permission_the_column_is_refused(county: County) -> None:
    hr = make_user("hr_town", Role.UNIT_HR, county.town)  # may add cadres, not entry records
    made = rows(county, 2)
    made[1].update(entry_method="考试录用", entered_on="1990-01-01", entry_document="x")
    errors = failure(hr, book(made))
    assert [(c, col) for c, col, _m in errors] == [("干部!AB3", "进人方式")]
    # blank entry columns: the same sheet imports
    made[1].update(entry_method="", entered_on="", entry_document="")
    assert xlsx_import(actor=hr, content=book(made), filename="t.xlsx").counts["entries"] == 0
    assert Cadre.objects.count() == 2 and not EntryRecord.objects.exists()


def test_admin_import_and_template(admin: User, county: County) -> None:
    made = rows(county, 1, entry_method="military", entered_on="1990-01-01", entry_document="x")
    xlsx_import(actor=admin, content=book(made), filename="t.xlsx")  # the code is accepted too
    assert EntryRecord.objects.get().method == "military"
    sheet = load_workbook(io.BytesIO(template_workbook()))["干部"]
    headers = [c.value for c in sheet[1]]
    assert headers[-4:] == ["进人方式", "进入时间", "进人文件文号", "进人方式说明"]


def test_each_entry_row_costs_a_bounded_number_of_queries(
    personas: Personas, county: County
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def run(n: int, seed: int, entries: bool = True) -> int:
        made = sample_cadre_rows(n, unit_codes=[county.town.code], seed=seed,
                                 region=f"33042{seed}")  # fmt: skip
        for r in made:
            if entries:
                r.update(entry_method="考试录用", entered_on="1990-01-01", entry_document="x")
        with CaptureQueriesContext(connection) as seen:
            xlsx_import(actor=personas.case_officer, content=book(made), filename="t.xlsx")
        return len(seen)

    # entry_set per row: the cadre locked, the permission and scope, the
    # record looked up and saved, the journal event: at most 11 queries a row
    plain, five = run(5, 1, entries=False), run(5, 2)
    assert five - plain <= 5 * 11, (plain, five)
