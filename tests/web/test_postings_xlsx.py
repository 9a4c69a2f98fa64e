"""A cadre's 挂职 as XLSX (issue 15, decisions 0169, 0171): content by
hand, formula text kept as text, scope 404 on the page and the API."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from xuanren.access.models import AccessRecord
from xuanren.people.posting_services import temporary_posting_add

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_postings_export(
    personas: Any, county: Any, make_cadre: Any, clock: Any, django_assert_max_num_queries: Any
) -> None:
    clock.day = dt.date(2026, 9, 1)
    cadre = make_cadre(county.town, name="李娜", sex="female")
    officer = personas.case_officer
    temporary_posting_add(actor=officer, cadre=cadre, host_name="市发展和改革委员会",
                          post_title="挂职副主任", start_date=dt.date(2024, 2, 1),
                          end_date=dt.date(2024, 2, 29), note="+一个月")  # fmt: skip
    temporary_posting_add(actor=officer, cadre=cadre, host_unit=county.other_town,
                          post_title="挂职副镇长", start_date=dt.date(2026, 3, 1),
                          end_date=dt.date(2026, 8, 31))  # fmt: skip
    url = reverse("web:cadre_postings_xlsx", args=[cadre.pk])
    client = _client(officer)
    # the session, the user, the cadre page's read of the cadre (cadre_get),
    # the postings in one query, the access record: the same for any number
    with django_assert_max_num_queries(16):
        got = client.get(url)
    assert got.status_code == 200
    ws = load_workbook(io.BytesIO(got.content))["挂职锻炼"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0][0] == f"李娜（{county.town.name}）挂职锻炼"
    assert rows[1] == ["挂职单位", "挂职职务", "挂职开始", "挂职结束", "时长（天）", "备注"]
    # newest first; 1 March – 31 August 2026 is 184 days, February 2024 (leap) 29
    assert rows[2] == [county.other_town.name, "挂职副镇长", "2026-03-01", "2026-08-31", 184, None]
    assert rows[3] == [
        "市发展和改革委员会",
        "挂职副主任",
        "2024-02-01",
        "2024-02-29",
        29,
        "+一个月",
    ]
    assert ws.cell(row=4, column=6).data_type == "s"
    api = client.get(f"/api/v1/cadres/{cadre.pk}/postings/export.xlsx")
    assert api.status_code == 200
    assert _client(personas.other_unit_hr).get(url).status_code == 404
    outside = _client(personas.other_unit_hr).get(f"/api/v1/cadres/{cadre.pk}/postings/export.xlsx")
    assert outside.status_code == 404
    assert AccessRecord.objects.filter(detail__export="temporary_postings").count() == 2
