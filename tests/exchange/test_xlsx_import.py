"""XLSX import: all or nothing, every error listed with its sheet, row and
column, the records written match the workbook, permissions and scope, and
one journal event per import."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.contrib.auth.models import User

from tests.conftest import County, Personas
from xuanren.common.errors import PermissionDenied, ValidationFailed
from xuanren.exchange.xlsx_import import XlsxImportFailed, id_ranges, xlsx_import
from xuanren.exchange.xlsx_template import template_workbook
from xuanren.exchange.xlsx_workbook import sample_cadre_rows, write_workbook
from xuanren.journal.models import Event, EventType
from xuanren.journal.services import journal_verify
from xuanren.org.models import Level, Post, PostCategory, Quota, Unit, UnitKind
from xuanren.people.idnumbers import build_id_number
from xuanren.people.models import Cadre, Education


def book(**sheets: Any) -> bytes:
    buffer = io.BytesIO()
    write_workbook(buffer, sheets)
    return buffer.getvalue()


def counts() -> tuple[int, int, int, int, int]:
    return (
        Unit.objects.count(),
        Post.objects.count(),
        Quota.objects.count(),
        Cadre.objects.count(),
        Event.objects.count(),
    )


def failure(actor: User, content: bytes) -> XlsxImportFailed:
    before = counts()
    with pytest.raises(XlsxImportFailed) as info:
        xlsx_import(actor=actor, content=content, filename="t.xlsx")
    assert counts() == before
    return info.value


# ---- the 1,000-row workbook with exactly three bad rows -------------------------


def test_three_bad_rows_among_a_thousand_save_nothing_and_are_all_listed(
    admin: User, county: County
) -> None:
    rows = sample_cadre_rows(1000, unit_codes=["C2", "T1"], seed=7)
    # Row numbers as Excel shows them: header on 1, rows[i] on i + 2.
    rows[10]["id_number"] = rows[10]["id_number"][:17] + (
        "0" if rows[10]["id_number"][17] != "0" else "1"
    )  # wrong check digit → Excel row 12, 公民身份号码 (column E)
    rows[499]["birth_date"] = "1985.13.01"  # no 13th month → row 501, 出生日期 (D)
    rows[998]["unit_code"] = "NOPE"  # unknown unit → row 1000, 单位代码 (O)
    error = failure(admin, book(cadres=rows))
    found = [(e.sheet, e.row, e.column, e.cell) for e in error.row_errors]
    assert found == [
        ("干部", 12, "公民身份号码", "干部!E12"),
        ("干部", 501, "出生日期", "干部!D501"),
        ("干部", 1000, "单位代码", "干部!O1000"),
    ]
    messages = [e.message for e in error.row_errors]
    assert "校验位" in messages[0]
    assert "1985 年 13 月" in messages[1] or "不是有效日期" in messages[1]
    assert "NOPE" in messages[2]
    assert "3 处错误" in error.message and "未导入任何数据" in error.message
    assert Cadre.objects.count() == 0


def test_every_error_of_a_row_is_listed_and_the_row_is_not_saved(
    admin: User, county: County
) -> None:
    good, bad = sample_cadre_rows(2, unit_codes=["C2"], seed=3)
    bad.update(
        name="",
        sex="男性",
        party_join_date="2099-01-01",
        political_status="中共党员",
        work_start_date="1900.01.01",
        grassroots_months="十二",
    )
    error = failure(admin, book(cadres=[good, bad]))
    columns = {e.column for e in error.row_errors}
    assert {e.row for e in error.row_errors} == {3}
    assert {"姓名", "性别", "入党时间", "参加工作时间", "基层工作经历（月）"} <= columns
    by_column = {e.column: e.message for e in error.row_errors}
    assert by_column["姓名"] == "此项必填，请填写。"
    assert "男、女" in by_column["性别"]
    assert "晚于出生日期" in by_column["参加工作时间"]


def test_id_number_rules_come_from_people_validation(admin: User, county: County) -> None:
    rows = sample_cadre_rows(4, unit_codes=["C2"], seed=4)
    rows[0]["sex"] = "女" if rows[0]["sex"] == "男" else "男"  # parity of digit 17
    rows[1]["birth_date"] = dt.date(1970, 1, 1)  # not the number's date
    rows[2]["id_number"] = 330421196501010011  # a number cell: digits lost
    rows[3]["id_number"] = rows[0]["id_number"]  # same person twice
    error = failure(admin, book(cadres=rows))
    by_row: dict[tuple[int, str], str] = {}
    for e in error.row_errors:
        by_row[(e.row, e.column)] = by_row.get((e.row, e.column), "") + e.message
    assert "第 17 位" in by_row[(2, "公民身份号码")]
    assert "不一致" in by_row[(3, "公民身份号码")]
    assert "文本格式" in by_row[(4, "公民身份号码")]
    assert "第 2 行重复" in by_row[(5, "公民身份号码")]
    assert {e.row for e in error.row_errors} == {2, 3, 4, 5}


def test_an_id_number_already_in_the_database_is_refused(
    admin: User, county: County, make_cadre: Any
) -> None:
    (row,) = sample_cadre_rows(1, unit_codes=["C2"], seed=5)
    birth = dt.date(1965, 1, 1)
    make_cadre(
        county.finance, birth=birth, id_number=row["id_number"], name="王五", party_join=None,
        political_status="masses",
    )  # fmt: skip
    error = failure(admin, book(cadres=[row]))
    assert [(e.row, e.column) for e in error.row_errors] == [(2, "公民身份号码")]
    assert "已有干部记录" in error.row_errors[0].message


# ---- a good workbook -----------------------------------------------------------


def good_workbook() -> bytes:
    units = [
        # The child comes first: parents are resolved in any order.
        {"code": "N2", "name": "青山县城关镇农业站", "kind": "事业单位", "parent_code": "N1"},
        {"code": "N1", "name": "青山县农业农村局", "kind": "政府工作部门",
         "level": "正科级", "parent_path": "青山县", "short_name": "县农业农村局"},
        {"code": "N3", "name": "城关镇综合办", "kind": "内设机构",
         "parent_path": "青山县/城关镇", "sort_order": 3},
    ]  # fmt: skip
    posts = [
        {"unit_code": "N1", "title": "局长", "level": "正科级", "is_principal": "是",
         "is_party_government_principal": "是"},
        {"unit_code": "N1", "title": "副局长", "level": "副科级", "seats": 2,
         "category": "党委（党组）职务"},
        {"unit_code": "T1", "title": "副镇长", "level": "副科级", "counts_against_quota": "否"},
    ]  # fmt: skip
    quotas = [
        {"unit_code": "N1", "level": "正科级", "approved": 1, "source": "县编委〔2024〕3号"},
        {"unit_code": "N1", "level": "副科级", "approved": 2},
        {"unit_code": "C2", "level": "副科级", "approved": 4},  # exists (2): changed
    ]
    born = dt.date(1980, 5, 17)
    cadres = [
        {"name": "李明", "sex": "男", "birth_date": "1980.05.17",
         "id_number": build_id_number("330421", born, 11, "male"), "political_status": "中共党员",
         "party_join_date": "2003.06", "party_full_date": "2004-06-01",
         "work_start_date": dt.date(2002, 8, 1), "unit_code": "N1",
         "current_post_title": "青山县农业农村局局长", "level": "正科级",
         "level_since": "2020-01-02", "education_level": "研究生", "degree": "硕士",
         "school": "浙江大学", "major": "农学", "grassroots_months": 36},
        {"name": "赵芳", "sex": "女", "id_number": build_id_number("330421", born, 12, "female"),
         "political_status": "群众", "work_start_date": "2001-09-01", "unit_code": "T1",
         "ethnicity": "畲族"},
    ]  # fmt: skip
    return book(units=units, posts=posts, quotas=quotas, cadres=cadres)


def test_a_good_workbook_imports_and_the_records_match(admin: User, county: County) -> None:
    before_events = Event.objects.count()
    result = xlsx_import(actor=admin, content=good_workbook(), filename="good.xlsx")
    assert result.counts == {
        "units": 3, "posts": 3, "quotas_created": 2, "quotas_changed": 1, "cadres": 2,
        "educations": 1, "trainings": 0, "entries": 0,
    }  # fmt: skip
    n1, n2, n3 = (Unit.objects.get(code=c) for c in ("N1", "N2", "N3"))
    assert n1.parent == county.root and n1.kind == UnitKind.GOVERNMENT_DEPARTMENT
    assert n1.level == Level.SECTION_PRINCIPAL and n1.short_name == "县农业农村局"
    assert n2.parent == n1 and n2.path.startswith(n1.path) and n2.depth == n1.depth + 1
    assert n3.parent == county.town and n3.sort_order == 3
    assert len({n1.path, n2.path, n3.path, *Unit.objects.values_list("path", flat=True)}) == 9
    head = Post.objects.get(unit=n1, title="局长")
    assert head.is_principal and head.is_party_government_principal and head.seats == 1
    deputy = Post.objects.get(unit=n1, title="副局长")
    assert deputy.seats == 2 and deputy.category == PostCategory.PARTY
    assert not Post.objects.get(unit=county.town, title="副镇长", seats=1).counts_against_quota
    assert Quota.objects.get(unit=n1, level=Level.SECTION_PRINCIPAL).source == "县编委〔2024〕3号"
    assert Quota.objects.get(unit=county.finance, level=Level.SECTION_DEPUTY).approved == 4
    li = Cadre.objects.get(name="李明")
    assert li.unit == n1 and li.sex == "male" and li.birth_date == dt.date(1980, 5, 17)
    assert li.party_join_date == dt.date(2003, 6, 1) and li.work_start_date == dt.date(2002, 8, 1)
    assert li.level == Level.SECTION_PRINCIPAL and li.grassroots_months == 36
    assert li.education_level == "postgraduate" and li.education_rank == 6
    assert li.name_initials == "lm"
    edu = Education.objects.get(cadre=li)
    assert (edu.kind, edu.level, edu.degree, edu.school) == (
        "full_time", "postgraduate", "master", "浙江大学",
    )  # fmt: skip
    zhao = Cadre.objects.get(name="赵芳")
    assert zhao.birth_date == dt.date(1980, 5, 17)  # taken from the ID number
    assert zhao.ethnicity == "畲族" and zhao.health == "健康" and zhao.education_level == ""
    # One journal event for the whole import, and the chain still verifies.
    events = list(Event.objects.filter(pk__gt=0).order_by("pk"))[before_events:]
    assert [e.event_type for e in events] == [EventType.XLSX_IMPORTED]
    payload = events[0].payload
    assert payload["sha256"] == result.sha256 and payload["counts"] == result.counts
    cadre_ids = sorted(Cadre.objects.values_list("pk", flat=True))
    assert payload["created"]["cadres"] == id_ranges(cadre_ids)
    assert journal_verify().ok
    # New rows get fresh IDs afterwards (the sequences moved past the import).
    u = Unit.objects.create(name="x", code="X9", kind="school", path="zzzz", depth=0)
    assert u.pk > n3.pk


def test_dry_run_checks_and_saves_nothing(admin: User, county: County) -> None:
    before = counts()
    result = xlsx_import(actor=admin, content=good_workbook(), dry_run=True)
    assert result.dry_run and result.counts["cadres"] == 2 and result.event_id is None
    assert counts() == before


def test_unit_sheet_errors(admin: User, county: County, personas: Personas) -> None:
    units = [
        {"code": "C2", "name": "重复", "kind": "事业单位", "parent_code": "C0"},
        {"code": "A1", "name": "甲", "kind": "事业单位", "parent_code": "A2"},
        {"code": "A2", "name": "乙", "kind": "事业单位", "parent_code": "A1"},
        {"code": "A3", "name": "丙", "kind": "不知道", "parent_path": "青山县/没有这个镇"},
        {"code": "A4", "name": "丁", "kind": "学校", "parent_code": "C1",
         "parent_path": "青山县/城关镇"},
        {"code": "A4", "name": "戊", "kind": "学校", "parent_code": "C1"},
    ]  # fmt: skip
    error = failure(personas.case_officer, book(units=units))
    got = {(e.row, e.column) for e in error.row_errors}
    assert got == {
        (2, "单位代码"),  # C2 is taken
        (3, "上级单位代码"), (4, "上级单位代码"),  # a cycle
        (5, "单位类别"), (5, "上级单位（名称路径）"),
        (6, "上级单位（名称路径）"),  # code and path disagree
        (7, "单位代码"),  # A4 twice
    }  # fmt: skip


def test_a_top_level_unit_needs_a_superuser(
    admin: User, county: County, personas: Personas
) -> None:
    content = book(units=[{"code": "R9", "name": "白水县", "kind": "党委政府（区域）"}])
    error = failure(personas.case_officer, content)
    assert "系统管理员" in error.row_errors[0].message
    xlsx_import(actor=admin, content=content)
    assert Unit.objects.get(code="R9").depth == 0


def test_quota_and_post_sheet_errors(admin: User, county: County) -> None:
    posts = [
        {"unit_code": "C2", "title": "局长", "level": "正科级", "is_party_government_principal": "是"},
        {"unit_code": "C2", "title": "", "level": "大官", "seats": 0},
    ]  # fmt: skip
    quotas = [
        {"unit_code": "T1", "level": "副科级", "approved": 2},
        {"unit_code": "T1", "level": "副科级", "approved": 3},
        {"unit_code": "T1", "level": "正科级", "approved": -1},
    ]
    error = failure(admin, book(posts=posts, quotas=quotas))
    got = [(e.sheet, e.row, e.column) for e in error.row_errors]
    assert got == [
        ("职位", 2, "党政正职（一把手）"),
        ("职位", 3, "职务名称"), ("职位", 3, "职务层次"), ("职位", 3, "职位数"),
        ("职数", 3, "职务层次"), ("职数", 4, "核定职数"),
    ]  # fmt: skip


# ---- permissions and scope -----------------------------------------------------


def test_an_outsider_may_import_nothing(personas: Personas) -> None:
    content = book(cadres=sample_cadre_rows(1, unit_codes=["T2"]))
    with pytest.raises(PermissionDenied):
        xlsx_import(actor=personas.outsider, content=content)
    assert Cadre.objects.count() == 0


def test_unit_hr_imports_cadres_only_within_their_unit(personas: Personas) -> None:
    hr = personas.other_unit_hr  # 石桥镇 (T2)
    rows = sample_cadre_rows(3, unit_codes=["T2"], seed=9)
    rows[1]["unit_code"] = "T1"  # 城关镇: outside the scope
    error = failure(hr, book(cadres=rows))
    assert [(e.row, e.column) for e in error.row_errors] == [(3, "单位代码")]
    assert "不在您的管理范围内" in error.row_errors[0].message
    rows[1]["unit_code"] = "T2"
    assert xlsx_import(actor=hr, content=book(cadres=rows)).counts["cadres"] == 3
    # Unit HR may add cadres but not units, posts or quotas.
    for sheet, row in [
        ("units", {"code": "Z1", "name": "x", "kind": "学校", "parent_code": "T2"}),
        ("posts", {"unit_code": "T2", "title": "镇长", "level": "正科级"}),
        ("quotas", {"unit_code": "T2", "level": "正科级", "approved": 1}),
    ]:
        with pytest.raises(PermissionDenied):
            xlsx_import(actor=hr, content=book(**{sheet: [row]}))


def test_a_file_that_is_not_a_workbook_is_refused(admin: User) -> None:
    with pytest.raises(ValidationFailed, match="不是有效的 XLSX"):
        xlsx_import(actor=admin, content=b"PK\x03\x04 not really a zip")
    with pytest.raises(ValidationFailed, match="没有可导入的数据"):
        xlsx_import(actor=admin, content=template_workbook())


def test_a_missing_required_column_is_reported_on_row_one(admin: User, county: County) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "干部"
    sheet.append(["姓名", "性别"])
    sheet.append(["张三", "男"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    error = failure(admin, buffer.getvalue())
    assert {e.row for e in error.row_errors} == {1}
    assert any("公民身份号码" in e.message for e in error.row_errors)


def test_id_ranges() -> None:
    assert id_ranges([]) == []
    assert id_ranges([5, 3, 4, 9, 11, 10]) == [[3, 5], [9, 11]]


def test_errors_are_reported_at_their_rows_and_the_corrected_book_imports(
    admin: User, county: County
) -> None:
    rows = sample_cadre_rows(300, unit_codes=["C2"], seed=21)
    rows[5]["sex"] = "?"
    rows[250]["id_number"] = "123"
    refused = failure(admin, book(cadres=rows))
    assert [e.row for e in refused.row_errors] == [7, 252]
    assert not Cadre.objects.filter(id_number__in=[r["id_number"] for r in rows]).exists()
    good = sample_cadre_rows(300, unit_codes=["C2"], seed=21)
    assert xlsx_import(actor=admin, content=book(cadres=good)).counts["cadres"] == 300
    saved = Cadre.objects.get(id_number=good[299]["id_number"])
    assert saved.name == good[299]["name"] and saved.name_initials
    assert saved.unit == county.finance
