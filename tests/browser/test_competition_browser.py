"""Issue 15's Done-when line in Debian's chromium: a competitive selection
runs with three judges and four sub-tests to a ranked composite sheet that
feeds the case. The case officer sets up the weights (a total of 95% is
refused), the two panels, enters each judge's grid (a score over 100 is
refused), records the supervision panel's sign-off, reads the result sheet,
and completes the written exam and the interview, which take the sheet's
scores and ranks (docs/decisions/0147–0149)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import log_in_as_officer
from tests.browser.test_case_officer import browser_page  # noqa: F401 (a fixture)
from tests.competition.conftest import SHEETS, case, committee  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser]
LABELS = ["笔试", "管理情景模拟测试", "无领导小组讨论", "竞岗演说及答辩"]
WEIGHTS = ["40", "20", "15", "25"]


def test_three_judges_four_sub_tests_to_the_case(
    live_server: Any,
    case: Any,  # noqa: F811
    personas: Any,
    browser_page: Any,  # noqa: F811 (the fixture imported above)
) -> None:
    from playwright.sync_api import expect

    page = browser_page
    page.set_default_timeout(30_000)  # four dozen cells on a shared CI machine
    base = live_server.url
    page.goto(f"{base}/login/")
    log_in_as_officer(page)
    page.goto(f"{base}/cases/{case.pk}/")
    page.get_by_role("link", name="竞聘评分").click()
    expect(page.get_by_role("heading", name="竞聘评分", exact=True)).to_be_visible()

    # Weights summing to 95% are refused; 100% sets it up.
    for label, weight in zip(LABELS, ["40", "20", "15", "20"], strict=True):
        page.get_by_label(label, exact=True).fill(weight)
    page.get_by_role("button", name="建立").click()
    expect(page.locator(".alert")).to_contain_text("合计为 95%，应为 100%")
    for label, weight in zip(LABELS, WEIGHTS, strict=True):
        page.get_by_label(label, exact=True).fill(weight)
    page.get_by_role("button", name="建立").click()
    expect(page.get_by_text("权重合计 100%")).to_be_visible()

    for panel, name in [("竞聘小组（评委）", "评委一"), ("竞聘小组（评委）", "评委二"),
                        ("竞聘小组（评委）", "评委三"), ("竞聘监督小组", "监督员")]:  # fmt: skip
        form = page.locator("#member-add")
        form.get_by_label("小组").select_option(label=panel)
        form.get_by_label("姓名").fill(name)
        form.get_by_label("单位及职务").fill(
            "县纪委监委" if panel == "竞聘监督小组" else "县委组织部"
        )
        form.get_by_role("button", name="增加", exact=True).click()
        expect(page.locator("table.data", has_text=name)).to_have_count(1)

    for i, sheet in enumerate(SHEETS):
        judge = f"评委{'一二三'[i]}"
        page.locator("tr", has_text=judge).get_by_role("link", name="录入评分").click()
        expect(page.get_by_role("heading", name=f"评委 {judge} 的评分")).to_be_visible()
        for person, values in sheet.items():
            for label, value in zip(LABELS, values, strict=True):
                page.get_by_label(f"{person} {label}", exact=True).fill(value)
        if i == 0:  # one wrong cell: refused, nothing saved
            page.get_by_label("甲 笔试", exact=True).fill("100.5")
            page.get_by_role("button", name="保存评分").click()
            expect(page.locator(".alert")).to_contain_text("应在 0 到 100 之间")
            page.get_by_label("甲 笔试", exact=True).fill(sheet["甲"][0])
        page.get_by_role("button", name="保存评分").click()
        expect(page.locator("tr", has_text=judge)).to_contain_text("16/16")
    expect(page.get_by_text("全部评分已录入。")).to_be_visible()
    page.get_by_role("button", name="登记监督小组签字确认").click()
    expect(page.locator("h1 .tag")).to_have_text("监督小组已签字确认")
    expect(page.get_by_role("link", name="录入评分")).to_have_count(0)

    page.get_by_role("link", name="评分结果表（打印）").click()
    rows = page.locator("table.data").first.locator("tbody tr")
    expect(rows).to_have_count(4)
    for n, (rank, name, composite) in enumerate(
        [("1", "甲", "85.34"), ("2", "乙", "83.25"), ("3", "丙", "83.25"), ("4", "丁", "63.75")]
    ):
        expect(rows.nth(n).locator("td").first).to_have_text(rank)
        expect(rows.nth(n)).to_contain_text(name)
        expect(rows.nth(n).locator("td").last).to_have_text(composite)
    expect(page.get_by_text("竞聘监督小组签字：监督员")).to_be_visible()

    # The case reads the sheet: the written exam's form shows the written test.
    page.goto(f"{base}/cases/{case.pk}/")
    current = page.locator("li.step-current")
    expect(current.locator('[name="step-scores-0-score"]')).to_have_value("85.17")
    current.get_by_role("button", name="完成“笔试”").click()
    expect(page.locator(".messages")).to_contain_text("“笔试”环节已办理")
    current = page.locator("li.step-current")
    expect(current.locator('[name="step-scores-0-score"]')).to_have_value("85.34")
    current.get_by_role("button", name="完成“面试及其他测试”").click()
    expect(page.locator(".messages")).to_contain_text("“面试及其他测试”环节已办理")
    page.goto(f"{base}/cases/{case.pk}/record/")
    expect(page.locator("body")).to_contain_text("83.25")
    expect(page.locator("body")).to_contain_text("名次（竞聘评分表）")
