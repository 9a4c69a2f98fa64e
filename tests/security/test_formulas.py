"""Formula injection against a live server (issue 10, item 7): names that a
spreadsheet would evaluate come out of every export as text, and the
imports refuse them, naming where they are."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable

from openpyxl import load_workbook

from tests.exchange.test_xlsx_pages import book
from tests.security.conftest import LiveServer
from xuanren.common.cells import xlsx_set
from xuanren.exchange.xlsx_workbook import sample_cadre_rows

PAYLOAD = '=HYPERLINK("//x.invalid","点")'  # fits the 30-character name


def _no_formula(content: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name), name


def test_exports_write_formulas_as_text(make_live_server: Callable[[], LiveServer]) -> None:
    server = make_live_server()
    cadre_id, unit_id = server.sql("SELECT id, unit_id FROM people_cadre ORDER BY id LIMIT 1")[0]
    server.sql("UPDATE people_cadre SET name = %s WHERE id = %s", (PAYLOAD, cadre_id))
    server.sql("UPDATE org_unit SET name = %s WHERE id = %s", ("@SUM(1+1)", unit_id))
    admin = server.client("admin")

    response = admin.get("/api/v1/xlsx/cadres.xlsx")
    assert response.status_code == 200
    _no_formula(response.content)
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    cells = [c for row in sheet.iter_rows() for c in row]
    names = [c for c in cells if c.value == PAYLOAD]
    assert names and all(c.data_type == "s" for c in names)

    response = admin.get(f"/api/v1/xlsx/units/{unit_id}/roster.xlsx")
    assert response.status_code == 200
    _no_formula(response.content)

    response = admin.get("/quota/export.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:] if "SUM" in r[0]][:1] == ["'@SUM(1+1)"]
    assert all(not r[2].startswith("'") for r in rows[1:])  # numbers stay numbers

    response = admin.get("/quota/export.xlsx")
    assert response.status_code == 200
    _no_formula(response.content)
    assert server.alive()


def test_the_xlsx_import_refuses_a_formula_name(live_server: LiveServer) -> None:
    code = live_server.sql("SELECT code FROM org_unit WHERE depth >= 1 ORDER BY id LIMIT 1")[0][0]
    workbook = load_workbook(io.BytesIO(book(cadres=sample_cadre_rows(1, unit_codes=[code]))))
    sheet = workbook["干部"]
    column = [c.value for c in sheet[1]].index("姓名*") + 1
    xlsx_set(sheet.cell(row=2, column=column), "=1+1")
    buffer = io.BytesIO()
    workbook.save(buffer)
    before = live_server.sql("SELECT COUNT(*) FROM people_cadre")[0][0]
    admin = live_server.client("admin")
    response = admin.post(
        "/api/v1/xlsx/import", files={"file": ("a.xlsx", buffer.getvalue(), "application/x")}
    )
    assert response.status_code == 422
    rows = [r for r in response.json()["rows"] if "公式" in r["message"]]
    assert [(r["sheet"], r["row"], r["column"]) for r in rows] == [("干部", 2, "姓名")]
    assert live_server.sql("SELECT COUNT(*) FROM people_cadre")[0][0] == before


def test_the_lrmx_import_refuses_a_formula_name(live_server: LiveServer) -> None:
    admin = live_server.client("admin")
    cadre_id, name = live_server.sql("SELECT id, name FROM people_cadre ORDER BY id LIMIT 1")[0]
    exported = admin.get(f"/api/v1/cadres/{cadre_id}/lrmx")
    assert exported.status_code == 200
    data = exported.content.replace(
        f"<XingMing>{name}</XingMing>".encode(), b"<XingMing>@SUM(1+1)</XingMing>"
    )
    assert b"@SUM(1+1)" in data
    response = admin.post(
        "/api/v1/lrmx/import", files={"file": ("a.lrmx", data, "application/xml")}
    )
    assert response.status_code == 200
    row = response.json()["files"][0]
    assert row["action"] == "error"
    assert [e["element"] for e in row["errors"] if "公式" in e["message"]] == ["XingMing"]
    assert live_server.sql("SELECT name FROM people_cadre WHERE id = %s", (cadre_id,))[0][0] == name
