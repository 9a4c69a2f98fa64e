"""A case officer's day in Debian's chromium: log in, look at the dashboard,
find a cadre by name and by pinyin initials, read the cadre's record.

Screenshots go to test-artifacts/ (gitignored) for a human to look at."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import log_in_as_officer
from xuanren.common.dates import completed_years, today

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
]


@pytest.fixture
def browser_page(transactional_db: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    # Playwright's sync API runs an event loop in this thread; the ORM calls
    # made by the test itself (and the live server's) are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--lang=zh-CN",  # the date inputs' own display follows the UI language
            ],
        )
        context = browser.new_context(
            locale="zh-CN", viewport={"width": 1366, "height": 900}, device_scale_factor=1
        )
        page = context.new_page()
        page.set_default_timeout(10_000)
        try:
            yield page
        finally:
            context.close()
            browser.close()


def test_case_officer_finds_and_reads_a_cadre(
    live_server: Any, world: Any, personas: Any, browser_page: Any
) -> None:
    from playwright.sync_api import expect

    page = browser_page
    base = live_server.url
    zhang = world.zhang

    # Login page, then the dashboard.
    page.goto(f"{base}/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    expect(page.get_by_role("heading", name="用户登录")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "01-login.png"))
    log_in_as_officer(page)
    expect(page.locator(".cards")).to_contain_text("在职干部")
    expect(page.locator("body")).to_contain_text("临近退休年龄干部")
    expect(page.locator("body")).to_contain_text("赵刚")
    page.screenshot(path=str(ARTIFACTS / "02-dashboard.png"), full_page=True)

    # Cadre list: live search by name (htmx swaps the results only).
    page.get_by_role("link", name="干部信息").click()
    expect(page.get_by_role("heading", name="干部信息查询")).to_be_visible()
    # htmx is a deferred script: typing before the page's load event would
    # reach an input it has not yet bound (a CI failure of session 14).
    page.wait_for_load_state()
    results = page.locator("#results")
    expect(results).to_contain_text("李娜")
    search = page.get_by_label("姓名")
    search.fill("张")
    expect(results).not_to_contain_text("李娜")
    expect(results).to_contain_text("张伟")
    expect(results).to_contain_text("共 1 人")
    expect(page).to_have_url(re.compile(r"/cadres/\?q=%E5%BC%A0"))
    # The masked ID number only, in the list.
    expect(results).to_contain_text("330421********4511")
    expect(results).not_to_contain_text(zhang.id_number)
    page.screenshot(path=str(ARTIFACTS / "03-search-by-name.png"), full_page=True)

    # ... and by pinyin initials.
    search.fill("ln")
    expect(results).to_contain_text("李娜")
    expect(results).not_to_contain_text("张伟")
    search.fill("zw")
    expect(results).to_contain_text("张伟")
    expect(results).not_to_contain_text("李娜")
    page.screenshot(path=str(ARTIFACTS / "04-search-by-initials.png"), full_page=True)

    # The record.
    results.get_by_role("link", name="张伟").click()
    expect(page.get_by_role("heading", name="张伟", exact=True)).to_be_visible()
    age = completed_years(dt.date(1985, 3, 2), today())
    main = page.locator("main")
    expect(main).to_contain_text(f"{age} 岁")
    expect(main).to_contain_text("青山县财政局")
    expect(page.locator("#resume")).to_contain_text("2020.05--  青山县财政局局长")
    expect(page.locator("#resume")).to_contain_text("2007.08--2020.05  青山县财政局科员、副局长")
    tenures = page.locator("#tenures")
    expect(tenures).to_contain_text("局长")
    expect(tenures).to_contain_text("青委〔2020〕21号")
    expect(tenures).to_contain_text("现任")
    expect(main).to_contain_text(zhang.id_number)  # the case officer may see it in full
    expect(page.locator("#records")).to_contain_text("影响期内")
    page.screenshot(path=str(ARTIFACTS / "05-cadre-detail.png"), full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=str(ARTIFACTS / "06-cadre-detail-print.png"), full_page=True)
    page.emulate_media(media="screen")

    # The quota report and the unit tree render too.
    page.goto(f"{base}/quota/")
    expect(page.get_by_role("heading", name="职数配备情况统计表")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "07-quota.png"), full_page=True)
    page.goto(f"{base}/units/")
    # One level at a time (decision 0109): 城关镇's office loads on demand.
    expect(page.locator("main")).not_to_contain_text("城关镇党政办")
    page.locator("tr", has_text="城关镇").get_by_role("link", name="展开下级").click()
    expect(page.locator("main")).to_contain_text("城关镇党政办")
    assert page.url.endswith("/units/")  # htmx, not the link's fallback page
    page.screenshot(path=str(ARTIFACTS / "08-units.png"), full_page=True)
    page.goto(f"{base}/units/{zhang.unit_id}/")
    expect(page.locator("main")).to_contain_text("一把手")
    page.screenshot(path=str(ARTIFACTS / "09-unit-detail.png"), full_page=True)

    assert os.path.getsize(ARTIFACTS / "05-cadre-detail.png") > 10_000
