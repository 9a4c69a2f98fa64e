"""The XLSX page: template download, upload with the full error list or the
success summary, and the API: import (200 / 422 with every row / 403),
template and exports."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tests.api.conftest import API
from tests.api.conftest import bearer as _bearer
from tests.conftest import County, Personas
from xuanren.access.services import api_token_issue
from xuanren.exchange.xlsx_columns import SHEETS
from xuanren.exchange.xlsx_workbook import sample_cadre_rows, write_workbook
from xuanren.journal.models import Event, EventType
from xuanren.people.models import Cadre


def bearer(key: str) -> dict[str, Any]:
    return _bearer(key)


def body_of(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else bytes(response.content)


def book(**sheets: Any) -> bytes:
    buffer = io.BytesIO()
    write_workbook(buffer, sheets)
    return buffer.getvalue()


def upload(content: bytes, name: str = "干部.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_the_template_has_the_sheets_headers_notes_and_dropdowns(
    client: Client, personas: Personas
) -> None:
    client.force_login(personas.case_officer)
    response = client.get(reverse("exchange:xlsx_template"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["说明", "单位", "职位", "职数", "干部", "培训", "选项"]
    assert workbook["选项"].sheet_state == "hidden"
    for sheet in SHEETS:
        ws = workbook[sheet.name]
        headers = [c.value for c in ws[1]]
        assert headers == [c.title for c in sheet.columns]
        assert ws.max_row == 1  # no example rows: they would be imported
    cadres = workbook["干部"]
    assert "公民身份号码*" in [c.value for c in cadres[1]]
    validated = {
        str(v.sqref).split(":")[0]: v.formula1 for v in cadres.data_validations.dataValidation
    }
    assert validated["B2"].startswith("=选项!")  # 性别: a drop-down from the hidden list
    notes = "\n".join(str(c.value) for row in workbook["说明"].iter_rows() for c in row if c.value)
    assert "正科级" in notes and "YYYY-MM-DD" in notes and "YYYY.MM.DD" in notes
    assert "中共党员" in notes and "大学本科" in notes


def test_upload_with_errors_lists_every_one_and_saves_nothing(
    client: Client, county: County, personas: Personas
) -> None:
    rows = sample_cadre_rows(20, unit_codes=["C2"], seed=11)
    rows[3]["sex"] = "未知"
    rows[7]["unit_code"] = "ZZZ"
    client.force_login(personas.case_officer)
    response = client.post(reverse("exchange:xlsx_index"), {"file": upload(book(cadres=rows))})
    assert response.status_code == 422
    page = response.content.decode()
    assert "共 2 处错误" in page and "未导入任何数据" in page
    assert "干部!B5" in page and "干部!O9" in page
    assert Cadre.objects.count() == 0


def test_upload_of_a_good_workbook_shows_the_summary(
    client: Client, county: County, personas: Personas
) -> None:
    rows = sample_cadre_rows(5, unit_codes=["C2", "T1"], seed=12)
    client.force_login(personas.case_officer)
    check = client.post(
        reverse("exchange:xlsx_index"), {"file": upload(book(cadres=rows)), "dry_run": "on"}
    )
    assert check.status_code == 200 and "检查通过" in check.content.decode()
    assert Cadre.objects.count() == 0
    response = client.post(reverse("exchange:xlsx_index"), {"file": upload(book(cadres=rows))})
    assert response.status_code == 200
    page = response.content.decode()
    assert "已全部导入" in page and "干部：5 人" in page
    assert Cadre.objects.count() == 5


def test_the_page_refuses_a_non_workbook_and_an_outsider(
    client: Client, county: County, personas: Personas
) -> None:
    client.force_login(personas.case_officer)
    response = client.post(reverse("exchange:xlsx_index"), {"file": upload(b"hello", "a.xlsx")})
    assert response.status_code == 422 and "不是有效的 XLSX" in response.content.decode()
    assert client.get(reverse("exchange:xlsx_index")).status_code == 200
    client.force_login(personas.outsider)
    content = book(cadres=sample_cadre_rows(1, unit_codes=["C2"]))
    response = client.post(reverse("exchange:xlsx_index"), {"file": upload(content)})
    assert response.status_code == 403
    assert Cadre.objects.count() == 0


def test_anonymous_is_sent_to_login(client: Client) -> None:
    response = client.get(reverse("exchange:xlsx_index"))
    assert response.status_code == 302 and "login" in response["Location"]


# ---- API -------------------------------------------------------------------------


def test_api_import_lists_every_bad_row_then_imports(
    client: Client, county: County, personas: Personas
) -> None:
    _token, key = api_token_issue(
        actor=personas.case_officer, user=personas.case_officer, name="人事系统"
    )
    rows = sample_cadre_rows(30, unit_codes=["C2"], seed=13)
    good = [dict(r) for r in rows]
    rows[2]["birth_date"] = "1999-02-30"
    rows[20]["political_status"] = "党员？"
    response = client.post(f"{API}/xlsx/import", {"file": upload(book(cadres=rows))}, **bearer(key))
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_failed"
    assert [(r["row"], r["column"], r["cell"]) for r in body["rows"]] == [
        (4, "出生日期", "干部!D4"),
        (22, "政治面貌", "干部!F22"),
    ]
    assert [e["field"] for e in body["errors"]] == ["干部!D4", "干部!F22"]
    assert Cadre.objects.count() == 0
    response = client.post(f"{API}/xlsx/import", {"file": upload(book(cadres=good))}, **bearer(key))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["counts"]["cadres"] == 30 and not body["dry_run"]
    ids = sorted(Cadre.objects.values_list("pk", flat=True))
    assert body["created"]["cadres"] == [[ids[0], ids[-1]]]
    event = Event.objects.get(pk=body["journal_event"])
    assert (
        event.event_type == EventType.XLSX_IMPORTED and event.actor_id == personas.case_officer.pk
    )


def test_api_permissions_and_exports(client: Client, county: County, personas: Personas) -> None:
    _t, outsider_key = api_token_issue(actor=personas.outsider, user=personas.outsider, name="外部")
    content = book(cadres=sample_cadre_rows(2, unit_codes=["T2"], seed=14))
    response = client.post(f"{API}/xlsx/import", {"file": upload(content)}, **bearer(outsider_key))
    assert response.status_code == 403
    assert client.get(f"{API}/xlsx/cadres.xlsx", **bearer(outsider_key)).status_code == 403
    _t, hr_key = api_token_issue(
        actor=personas.other_unit_hr, user=personas.other_unit_hr, name="石桥镇"
    )
    response = client.post(f"{API}/xlsx/import", {"file": upload(content)}, **bearer(hr_key))
    assert response.status_code == 200
    response = client.get(f"{API}/xlsx/cadres.xlsx", {"sex": "male"}, **bearer(hr_key))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(body_of(response))).worksheets[0]
    values = [[str(c.value) for c in row] for row in sheet.iter_rows()]
    assert len(values) == 2 and "*" in values[1][5]  # one man, number masked
    roster = client.get(f"{API}/xlsx/units/{county.other_town.pk}/roster.xlsx", **bearer(hr_key))
    assert roster.status_code == 200
    elsewhere = client.get(f"{API}/xlsx/units/{county.town.pk}/roster.xlsx", **bearer(hr_key))
    assert elsewhere.status_code == 404
    template = client.get(f"{API}/xlsx/template.xlsx", **bearer(hr_key))
    assert template.status_code == 200 and template.content[:2] == b"PK"


def test_an_oversized_upload_is_refused_before_reading(
    client: Client, county: County, personas: Personas, monkeypatch: Any
) -> None:
    # Issue 10: the limit is the setting XUANREN_XLSX_MAX_UPLOAD_BYTES, the answer 413.
    from django.conf import settings

    content = book(cadres=sample_cadre_rows(3, unit_codes=["C2"], seed=15))
    monkeypatch.setattr(settings, "XUANREN_XLSX_MAX_UPLOAD_BYTES", len(content) - 1)
    client.force_login(personas.case_officer)
    response = client.post(reverse("exchange:xlsx_index"), {"file": upload(content)})
    assert response.status_code == 413 and "超过上限" in response.content.decode()
    _t, key = api_token_issue(actor=personas.case_officer, user=personas.case_officer, name="x")
    response = client.post(f"{API}/xlsx/import", {"file": upload(content)}, **bearer(key))
    assert response.status_code == 413
    assert "XUANREN_XLSX_MAX_UPLOAD_BYTES" in response.json()["message"]
    assert Cadre.objects.count() == 0
