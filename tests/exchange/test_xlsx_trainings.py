"""The workbook's 培训 sheet (issue 15, decision 0163): training rows of existing
cadres in scope and of cadres the same workbook creates, checked as
training_add checks them, all or nothing, in the import's one journal event."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth.models import User

from tests.conftest import County, Personas
from xuanren.common.dates import today
from xuanren.exchange.xlsx_import import XlsxImportFailed, xlsx_import
from xuanren.exchange.xlsx_template import template_workbook
from xuanren.exchange.xlsx_workbook import sample_cadre_rows, write_workbook
from xuanren.journal.models import Event, EventType
from xuanren.people.models import Cadre, Training
from xuanren.people.services import training_add

pytestmark = pytest.mark.django_db


def book(**sheets: Any) -> bytes:
    buffer = io.BytesIO()
    write_workbook(buffer, sheets)
    return buffer.getvalue()


def row(cadre: Cadre | str, year: int, hours: int, title: str, name: str = "") -> dict[str, Any]:
    number = cadre if isinstance(cadre, str) else cadre.id_number
    return {"id_number": number, "name": name, "year": year, "hours": hours, "title": title}


def failure(actor: User, content: bytes) -> list[tuple[int, str, str]]:
    before = (Training.objects.count(), Cadre.objects.count(), Event.objects.count())
    with pytest.raises(XlsxImportFailed) as info:
        xlsx_import(actor=actor, content=content, filename="t.xlsx")
    assert (Training.objects.count(), Cadre.objects.count(), Event.objects.count()) == before
    return [(e.row, e.column, e.message) for e in info.value.row_errors]


def test_rows_of_an_existing_cadre_and_of_a_new_one_are_saved_in_one_event(
    admin: User, county: County, make_cadre
) -> None:
    old = make_cadre(county.town, name="李华")
    new = sample_cadre_rows(1, unit_codes=[county.town.code], seed=3)[0]
    year = today().year
    result = xlsx_import(
        actor=admin,
        content=book(
            cadres=[new],
            trainings=[
                row(old, year - 1, 40, "全县中青年干部培训班", name="李华"),
                row(old, year, 16, " 乡村振兴专题班 "),
                row(new["id_number"], year, 24, "新任职干部培训班"),
            ],
        ),
        filename="t.xlsx",
    )
    assert result.counts["trainings"] == 3 and result.counts["cadres"] == 1
    assert sorted(old.trainings.values_list("year", "hours", "title")) == [
        (year - 1, 40, "全县中青年干部培训班"),
        (year, 16, "乡村振兴专题班"),  # trimmed, as training_add does
    ]
    created = Cadre.objects.get(id_number=new["id_number"])
    assert list(created.trainings.values_list("hours", "title")) == [(24, "新任职干部培训班")]
    event = Event.objects.get(event_type=EventType.XLSX_IMPORTED)
    ids = sorted(Training.objects.values_list("pk", flat=True))
    assert event.payload["created"]["trainings"] == [[ids[0], ids[-1]]]
    assert event.payload["counts"]["trainings"] == 3


def test_every_wrong_row_is_listed_and_nothing_is_saved(
    admin: User, county: County, make_cadre
) -> None:
    cadre = make_cadre(county.town, name="李华")
    training_add(actor=admin, cadre=cadre, year=2024, hours=40, title="党校主体班")
    year = today().year
    found = failure(
        admin,
        book(
            trainings=[
                row(cadre, year, 40, "合格的一行"),  # row 2: fine, but not saved
                row("110101199003070015", year, 40, "无此人"),  # 3
                row(cadre, year, 40, "姓名不符", name="王芳"),  # 4
                row(cadre, year + 1, 40, "明年的培训"),  # 5
                row(cadre, 1984, 40, "出生前"),  # 6: born 1985
                row(cadre, year, 0, "零学时"),  # 7
                row(cadre, year, 2001, "多输一位"),  # 8
                row(cadre, year, 40, "合格的一行"),  # 9: repeats row 2
                row(cadre, 2024, 8, "党校主体班"),  # 10: already recorded
                {"id_number": cadre.id_number, "year": "去年", "hours": 8, "title": "x"},  # 11
            ]
        ),
    )
    assert [(r, c) for r, c, _m in found] == [
        (3, "公民身份号码"),
        (4, "姓名"),
        (5, "年度"),
        (6, "年度"),
        (7, "学时"),
        (8, "学时"),
        (9, "培训名称"),
        (10, "培训名称"),
        (11, "年度"),
    ]
    messages = {r: m for r, _c, m in found}
    assert "不在系统中，或不在您的管理范围内" in messages[3]
    assert "“王芳”与该公民身份号码的干部“李华”不一致" in messages[4]
    assert "尚未到来" in messages[5] and "早于出生年份" in messages[6]
    assert "学时应为正数" in messages[7] and "不应超过 2000" in messages[8]
    assert "与第 2 行" in messages[9] and "已有“党校主体班”的培训记录" in messages[10]
    assert "不是整数" in messages[11]


def test_a_cadre_outside_the_scope_is_answered_as_one_not_found(
    county: County, personas: Personas, make_cadre
) -> None:
    hr = personas.other_unit_hr  # 石桥镇's HR contact
    elsewhere = make_cadre(county.town, name="李华")  # 城关镇
    own = make_cadre(county.other_town, name="赵敏")
    year = today().year
    found = failure(hr, book(trainings=[row(elsewhere, year, 8, "专题班")]))
    assert [(r, c) for r, c, _m in found] == [(2, "公民身份号码")]
    assert "不在系统中，或不在您的管理范围内" in found[0][2]
    result = xlsx_import(
        actor=hr, content=book(trainings=[row(own, year, 8, "专题班")]), filename="t.xlsx"
    )
    assert result.counts["trainings"] == 1
    assert list(own.trainings.values_list("hours", flat=True)) == [8]
    assert not elsewhere.trainings.exists()


def test_without_the_right_to_change_cadres_the_sheet_is_refused(
    county: County, personas: Personas, make_cadre
) -> None:
    from xuanren.common.errors import PermissionDenied

    cadre = make_cadre(county.town)
    with pytest.raises(PermissionDenied):
        xlsx_import(
            actor=personas.committee_member,
            content=book(trainings=[row(cadre, today().year, 8, "专题班")]),
            filename="t.xlsx",
        )
    assert not Training.objects.exists()


def test_the_template_has_the_training_sheet() -> None:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(template_workbook()))["培训"]
    assert [c.value for c in sheet[1]][:5] == [
        "公民身份号码*",
        "姓名",
        "年度*",
        "学时*",
        "培训名称*",
    ]
