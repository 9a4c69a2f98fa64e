"""The structure analysis page in Debian's chromium (issue 14): the charts are
drawn (each canvas has non-blank pixels) under the strict Content-Security-
Policy with no violation or script error, the tables are beside them, and the
XLSX export downloads with every table."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest

from tests.browser.conftest import log_in_as_officer
from tests.browser.test_case_officer import ARTIFACTS, browser_page  # noqa: F401 (a fixture)
from tests.browser.test_csp_browser import watch

pytestmark = [pytest.mark.browser]

#: How many pixels of a chart's canvas are not transparent.
INKED = """(key) => {
  const canvas = document.querySelector('[data-chart="' + key + '"] canvas');
  if (!canvas) { return -1; }
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let n = 0;
  for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) { n++; } }
  return n;
}"""

KEYS = ("age", "sex", "education", "ethnicity", "party", "level", "years")


def test_charts_are_drawn_and_the_tables_export(
    live_server: Any,
    county: Any,
    personas: Any,
    make_cadre: Any,
    browser_page: Any,  # noqa: F811 (the fixture imported above)
) -> None:
    from openpyxl import load_workbook
    from playwright.sync_api import expect

    for i, (sex, ethnicity) in enumerate([("male", "汉族"), ("female", "回族"), ("male", "汉族")]):
        birth = dt.date(1970 + 8 * i, 3, 1)
        make_cadre(county.finance if i else county.town, name=f"干部{i}", sex=sex,
                   ethnicity=ethnicity, birth=birth, work_start=dt.date(birth.year + 20, 8, 1),
                   party_join=dt.date(birth.year + 25, 7, 1))  # fmt: skip
    page = browser_page
    problems = watch(page)
    base = live_server.url
    page.goto(f"{base}/login/")
    log_in_as_officer(page)
    page.get_by_role("link", name="结构分析").click()
    expect(page.get_by_role("heading", name="干部队伍结构分析", exact=True)).to_be_visible()
    for key in KEYS:
        expect(page.locator(f'[data-chart="{key}"]')).to_have_attribute("data-drawn", "true")
        assert page.evaluate(INKED, key) > 500, key
    # The table beside the sex chart carries the same figures.
    sex_table = page.locator("section", has=page.locator("#structure-sex")).locator("table")
    expect(sex_table.locator("tbody tr").first).to_contain_text("男")
    expect(sex_table.locator("tfoot")).to_contain_text("3")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "structure.png"), full_page=True)

    with page.expect_download() as info:
        page.get_by_role("link", name="导出 Excel").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(open(download.path(), "rb").read()))  # noqa: SIM115
    assert "性别结构" in book.sheetnames and "未达到要求的班子" in book.sheetnames
    rows = [[c.value for c in r] for r in book["性别结构"].iter_rows()]
    assert rows[-1][:2] == ["合计", 3]
    assert problems == []
