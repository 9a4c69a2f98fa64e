"""The quota report's CSV and XLSX downloads hold the same rows as the report."""

from __future__ import annotations

import csv
import io

from django.urls import reverse
from openpyxl import load_workbook

from xuanren.org.selectors import quota_report
from xuanren.web.presenters import quota_headers, quota_rows

HEADERS = ["单位", "职务层次", "核定职数", "实有人数", "空缺", "超职数"]


def _expected(actor, **kwargs):
    """Rows built independently of the view: straight from the selector."""
    rows = []
    for unit in quota_report(actor=actor, **kwargs):
        for level, counts in unit.level_rows:
            label = {"section_principal": "正科级", "section_deputy": "副科级"}[level]
            rows.append(
                [unit.name, label, counts.approved, counts.filled, counts.vacant, counts.over_quota]
            )
        s = unit.subtree
        rows.append([unit.name, "含下级合计", s.approved, s.filled, s.vacant, s.over_quota])
    return rows


def test_rows_match_the_report(world, personas):
    actor = personas.case_officer
    assert quota_headers() == HEADERS
    assert [r.cells() for r in quota_rows(quota_report(actor=actor))] == _expected(actor)


def test_csv_export(client, world, personas):
    client.force_login(personas.case_officer)
    response = client.get(reverse("web:quota_csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert ".csv" in response["Content-Disposition"]
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")  # BOM, so that Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == HEADERS
    expected = [[str(c) for c in row] for row in _expected(personas.case_officer)]
    assert rows[1:] == expected
    assert ["青山县财政局", "副科级", "2", "3", "0", "1"] in rows
    assert ["青山县", "含下级合计", "8", "5", "4", "1"] in rows


def test_xlsx_export(client, world, personas):
    client.force_login(personas.case_officer)
    response = client.get(reverse("web:quota_xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert ".xlsx" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    sheet = workbook.active
    assert sheet.title == "职数统计"
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == HEADERS
    assert rows[1:] == _expected(personas.case_officer)


def test_exports_follow_the_filters(client, world, personas, county):
    client.force_login(personas.case_officer)
    params = {"under": county.town.pk, "on": "2021-06-01"}
    xlsx = client.get(reverse("web:quota_xlsx"), params)
    sheet = load_workbook(io.BytesIO(xlsx.content), read_only=True).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)][1:]
    import datetime as dt

    under = county.town
    assert rows == _expected(personas.case_officer, under=under, on=dt.date(2021, 6, 1))
    assert {r[0] for r in rows} == {"城关镇", "城关镇党政办"}
    assert "2021-06-01" in xlsx["Content-Disposition"]
    page = client.get(reverse("web:quota"), params)
    assert (
        f"{reverse('web:quota_xlsx')}?under={county.town.pk}&amp;on=2021-06-01"
        in page.content.decode()
    )


def test_exports_are_scoped(client, world, personas):
    client.force_login(personas.other_unit_hr)
    rows = list(
        csv.reader(io.StringIO(client.get(reverse("web:quota_csv")).content.decode("utf-8-sig")))
    )
    assert {r[0] for r in rows[1:]} == {"石桥镇"}
