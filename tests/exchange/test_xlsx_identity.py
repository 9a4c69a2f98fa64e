"""身份 (Cadre.identity) in the XLSX template, import and cadre-list export, and
relatives linked to cadres an XLSX import creates (issue 12, decisions 0083)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.exchange.test_xlsx_exports import rows_of
from tests.exchange.test_xlsx_import import book, failure
from xuanren.exchange.xlsx_columns import CADRES
from xuanren.exchange.xlsx_import import xlsx_import
from xuanren.people.idnumbers import build_id_number
from xuanren.people.models import Cadre, FamilyMember
from xuanren.people.services import family_member_add
from xuanren.procedure.recusal import conflicts

pytestmark = pytest.mark.django_db

BORN = dt.date(1981, 4, 12)


def row(name: str, order: int, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "sex": "男",
        "id_number": build_id_number("330421", BORN, order, "male"),
        "political_status": "群众",
        "unit_code": "T1",
        **extra,
    }


def test_template_has_the_identity_column_with_its_choices():
    column = CADRES.column("identity")
    assert column.header == "身份" and not column.required
    assert "参照公务员法管理" in column.note


def test_identity_imports_from_chinese_labels_and_blank_is_not_recorded(admin, county):
    content = book(
        cadres=[
            row("甲", 11, identity="公务员"),
            row("乙", 13, identity="参照公务员法管理"),
            row("丙", 15, identity="事业单位"),
            row("丁", 17, identity="国有企业"),
            row("戊", 19),
        ]
    )
    xlsx_import(actor=admin, content=content, filename="a.xlsx")
    got = dict(Cadre.objects.values_list("name", "identity"))
    assert got == {
        "甲": "civil_servant",
        "乙": "reference_civil_servant",
        "丙": "public_institution",
        "丁": "state_enterprise",
        "戊": "",
    }


def test_unknown_identity_is_refused_at_its_cell(admin, county):
    error = failure(admin, book(cadres=[row("甲", 11, identity="临时工")]))
    cells = [(e.sheet, e.row, e.column) for e in error.row_errors]
    assert ("干部", 2, "身份") in cells, cells


def test_cadre_list_export_carries_identity(client: Client, personas, county, make_cadre):
    make_cadre(county.town, name="王建国", identity="public_institution")
    make_cadre(county.town, name="李四", identity="")
    client.force_login(personas.case_officer)
    rows = rows_of(client.get(reverse("exchange:xlsx_cadres")))
    at = rows[0].index("身份")
    assert at == 15  # after 人员状态, before the 进人方式 columns
    assert {r[1]: r[at] for r in rows[1:]} == {"王建国": "事业单位", "李四": None}


def test_xlsx_created_cadre_is_linked_to_family_records_naming_them(admin, county, make_cadre):
    member = make_cadre(county.root, name="陈立", birth=dt.date(1970, 3, 8))
    record = family_member_add(
        actor=admin, cadre=member, relation="son", name="陈强", birth_date=dt.date(1981, 4, 1)
    )
    assert record.related_cadre_id is None
    xlsx_import(actor=admin, content=book(cadres=[row("陈强", 21)]), filename="b.xlsx")
    son = Cadre.objects.get(name="陈强")
    assert FamilyMember.objects.get(pk=record.pk).related_cadre_id == son.pk
    assert [c.candidate_cadre_id for c in conflicts([member.pk], [son.pk])] == [son.pk]
