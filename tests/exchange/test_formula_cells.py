"""Formula injection (issue 10, item 7): every XLSX and CSV export writes text
starting with = + - @ tab or CR as text; real numbers stay numbers; the XLSX
and LRMX imports refuse such text in names, naming sheet, row and column."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from tests.exchange.test_lrmx_import import export, wipe
from tests.exchange.test_xlsx_pages import book
from xuanren.common.cells import csv_row, csv_value, formula_like, xlsx_row, xlsx_set
from xuanren.exchange.lrmx_services import lrmx_import_preview
from xuanren.exchange.xlsx_export import cadre_list_export, roster_export
from xuanren.exchange.xlsx_import import XlsxImportFailed, xlsx_import
from xuanren.exchange.xlsx_workbook import sample_cadre_rows
from xuanren.org.models import Unit
from xuanren.people.models import Cadre
from xuanren.people.selectors import CadreFilters

pytestmark = pytest.mark.django_db

DANGEROUS = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x","y")']


@pytest.mark.parametrize("text", DANGEROUS)
def test_dangerous_text_is_recognised_and_quoted_for_csv(text: str) -> None:
    assert formula_like(text)
    assert csv_value(text) == "'" + text


@pytest.mark.parametrize("value", ["张三", "a=1", " 1", "", None, -3, -2.5, 0, "１=1"])
def test_other_values_pass_unchanged(value: Any) -> None:
    assert not formula_like(value)
    assert csv_value(value) == value


def test_negative_numbers_stay_numbers_in_xlsx() -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("s")
    sheet.append(xlsx_row(sheet, ["=1+1", -3, -2.5, "-3", "ok"]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    xml = zipfile.ZipFile(buffer).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml
    cells = next(load_workbook(buffer).active.iter_rows())
    assert [c.value for c in cells] == ["=1+1", -3, -2.5, "-3", "ok"]
    assert [c.data_type for c in cells] == ["s", "n", "n", "s", "s"]
    assert csv_row(["=1", -3, "-3"]) == ["'=1", -3, "'-3"]


def test_xlsx_set_keeps_text_in_a_normal_workbook() -> None:
    sheet = Workbook().active
    assert sheet is not None
    xlsx_set(sheet["A1"], "=1+1")
    assert sheet["A1"].data_type == "s"


def _sheet_xml(target: Any) -> str:
    return zipfile.ZipFile(target).read("xl/worksheets/sheet1.xml").decode()


def test_the_cadre_list_export_writes_formulas_as_text(
    admin: Any, county: Any, make_cadre: Any
) -> None:
    cadre = make_cadre(county.town, name="张伟")
    Cadre.objects.filter(pk=cadre.pk).update(name="=1+1", current_post_title="@SUM(A1)")
    target, rows = cadre_list_export(actor=admin, filters=CadreFilters())
    assert rows >= 1
    data = target.read()
    assert "<f>" not in _sheet_xml(io.BytesIO(data))
    values = [c.value for row in load_workbook(io.BytesIO(data)).active.iter_rows() for c in row]
    assert "=1+1" in values and "@SUM(A1)" in values


def test_the_roster_export_writes_formulas_as_text(
    admin: Any, county: Any, make_cadre: Any
) -> None:
    make_cadre(county.town, name="张伟")
    Unit.objects.filter(pk=county.town.pk).update(name="=cmd|' /C calc'!A0")
    unit = Unit.objects.get(pk=county.town.pk)
    target, _rows = roster_export(actor=admin, unit=unit)
    assert "<f>" not in _sheet_xml(target)


def test_the_quota_csv_and_xlsx_quote_and_keep_text(client: Any, admin: Any, county: Any) -> None:
    Unit.objects.filter(pk=county.town.pk).update(name="@SUM(1+1)")
    client.force_login(admin)
    response = client.get("/quota/export.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    names = [r[0] for r in rows[1:]]
    assert "'@SUM(1+1)" in names and "@SUM(1+1)" not in names
    numbers = [r[2] for r in rows[1:] if r[2]]
    assert numbers and all(not n.startswith("'") for n in numbers)
    response = client.get("/quota/export.xlsx")
    assert response.status_code == 200
    assert "<f>" not in _sheet_xml(io.BytesIO(response.content))


def test_the_xlsx_import_refuses_a_formula_as_a_name(admin: Any, county: Any) -> None:
    # The name typed as text (a cell of type string holding "=1+1", as Excel
    # keeps it after a leading apostrophe), not a formula.
    rows = sample_cadre_rows(2, unit_codes=[county.town.code], seed=3)
    workbook = load_workbook(io.BytesIO(book(cadres=rows)))
    sheet = workbook["干部"]
    column = [c.value for c in sheet[1]].index("姓名*") + 1
    xlsx_set(sheet.cell(row=3, column=column), "=1+1")
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(XlsxImportFailed) as caught:
        xlsx_import(actor=admin, content=buffer.getvalue())
    errors = [e for e in caught.value.row_errors if "公式" in e.message]
    assert len(errors) == 1
    error = errors[0]
    assert (error.sheet, error.row, error.column) == ("干部", 3, "姓名")
    assert error.message.startswith("“=1+1”以 =、+、-、@、制表符或回车开头")
    assert Cadre.objects.filter(name="=1+1").count() == 0


def test_the_lrmx_import_refuses_a_formula_as_a_name(
    admin: Any, county: Any, make_cadre: Any
) -> None:
    cadre = make_cadre(county.town, name="张伟")
    data = export(cadre).replace("<XingMing>张伟</XingMing>".encode(), b"<XingMing>=1+1</XingMing>")
    wipe(cadre)
    batch = lrmx_import_preview(actor=admin, upload_name="a.lrmx", data=data)
    row = batch.preview[0]
    assert row["action"] == "error"
    assert {e["element"] for e in row["errors"] if "公式" in e["message"]} == {"XingMing"}
    assert batch.files == []  # a refused file is not kept
