"""The observation list's XLSX (issue 15, decision 0169): content by hand,
formula text kept as text, the status filter, scope (another town's officer
gets an empty sheet, no permission 403), page and API, query count."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tests.conftest import make_user
from tests.observation.test_observation import World, _open, world  # noqa: F401
from xuanren.access.models import AccessRecord, Role
from xuanren.observation.models import Observation

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _rows(content: bytes) -> tuple[Any, list[list[Any]]]:
    ws = load_workbook(io.BytesIO(content))["察看期"]
    return ws, [list(r) for r in ws.iter_rows(values_only=True)]


def test_list_export_by_hand(world: World, personas: Any) -> None:  # noqa: F811
    officer = personas.case_officer
    _open(officer, world.cadre, talked_by="=cmd|' /C calc'!A0")
    got = _client(officer).get(reverse("observation:observation_xlsx"))
    assert got.status_code == 200
    ws, rows = _rows(got.content)
    assert rows[1] == ["谈话日期", "姓名", "单位", "所任职务", "察看原因", "情况说明", "谈话人",
                       "察看期满", "状态", "结论", "结论日期", "结论说明"]  # fmt: skip
    row = rows[2]
    assert row[:3] == ["2026-08-31", "王强", world.county.town.name]
    assert row[3] == f"{world.county.town_deputy.unit.name}{world.county.town_deputy.title}"
    assert row[4] == "年度考核基本称职" and row[5].startswith("2025 年度考核基本称职")
    assert row[6] == "=cmd|' /C calc'!A0" and ws.cell(row=3, column=7).data_type == "s"
    # 31 August + six months: no 31 February, completed on 1 March
    assert row[7:] == ["2027-03-01", "察看中", None, None, None]
    assert len(rows) == 3
    closed = _client(officer).get(reverse("observation:observation_xlsx") + "?status=closed")
    assert len(_rows(closed.content)[1]) == 2  # the title and the header only
    api = _client(officer).get("/api/v1/observations/export.xlsx")
    assert api.status_code == 200 and _rows(api.content)[1][2][1] == "王强"
    assert AccessRecord.objects.filter(detail__export="observations").count() == 3


def test_list_export_scope(
    world: World,  # noqa: F811
    personas: Any,
    django_assert_max_num_queries: Any,
) -> None:
    _open(personas.case_officer, world.cadre)
    elsewhere = make_user("officer2", Role.CASE_OFFICER, world.county.other_town)
    got = _client(elsewhere).get(reverse("observation:observation_xlsx"))
    assert got.status_code == 200 and len(_rows(got.content)[1]) == 2
    url = reverse("observation:observation_xlsx")
    assert _client(personas.other_unit_hr).get(url).status_code == 403
    assert (
        _client(personas.other_unit_hr).get("/api/v1/observations/export.xlsx").status_code == 403
    )
    assert Observation.objects.count() == 1
    client = _client(personas.case_officer)
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200
