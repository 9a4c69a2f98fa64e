"""Issue 15's Done-when line in Debian's chromium: training entered in the
browser changes a screening verdict. The case officer reads why 张伟 fails the
national training rule for 副县长, enters his training on his training page
(one entry short, then the last hour), and the explanation turns to 符合."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.browser.conftest import log_in_as_officer
from tests.browser.test_case_officer import browser_page  # noqa: F401 (a fixture)
from xuanren.common.dates import today
from xuanren.org.models import Level
from xuanren.org.services import post_create, quota_set
from xuanren.people.services import cadre_update

pytestmark = [pytest.mark.browser]
RULE_TITLE = "提任前五年内累计参加培训达到 550 学时以上"


@pytest.fixture
def promotion(admin: Any, county: Any, make_cadre: Any) -> tuple[Any, Any]:
    """Built before the browser starts (ORM calls under Playwright's loop would
    hold a connection of their own)."""
    quota_set(actor=admin, unit=county.root, level=Level.DIVISION_DEPUTY, approved=5)
    post = post_create(
        actor=admin, unit=county.root, title="副县长", level=Level.DIVISION_DEPUTY, seats=5
    )
    cadre = cadre_update(
        actor=admin,
        cadre=make_cadre(county.finance, name="张伟"),
        changes={"level": Level.SECTION_PRINCIPAL, "level_since": dt.date(2018, 1, 1)},
    )
    return cadre, post


def test_training_entered_in_the_browser_changes_the_verdict(
    live_server: Any,
    promotion: tuple[Any, Any],
    personas: Any,
    browser_page: Any,  # noqa: F811 (the fixture imported above)
) -> None:
    from playwright.sync_api import expect

    cadre, post = promotion
    page = browser_page
    base = live_server.url
    page.goto(f"{base}/login/")
    log_in_as_officer(page)
    explain = f"{base}/candidates/explain/?post={post.pk}&cadre={cadre.pk}"
    page.goto(explain)
    expect(page.locator("li.verdict-fail", has_text=RULE_TITLE)).to_have_count(1)

    page.goto(f"{base}/cadres/{cadre.pk}/")
    page.get_by_role("link", name="录入或修改培训").click()
    expect(page.get_by_role("heading", name="教育培训", exact=True)).to_be_visible()
    this_year = today().year
    for year, title, hours in [
        (this_year - 1, "县委党校中青年干部培训班", "300"),
        (this_year, "专题研讨班", "249"),
    ]:
        form = page.locator("#training-add")
        form.get_by_label("年度").fill(str(year))
        form.get_by_label("培训名称").fill(title)
        form.get_by_label("学时").fill(hours)
        form.get_by_role("button", name="保存").click()
        expect(page.locator("#training-rows")).to_contain_text(title)
    expect(page.locator("#training-hours")).to_contain_text("累计 549 学时")
    expect(page.locator("#training-hours")).to_contain_text("未达到")
    page.goto(explain)
    expect(page.locator("li.verdict-fail", has_text=RULE_TITLE)).to_have_count(1)

    # A wrong entry is refused on the field, and nothing is saved.
    page.goto(f"{base}/cadres/{cadre.pk}/trainings/")
    form = page.locator("#training-add")
    form.get_by_label("年度").fill(str(this_year))
    form.get_by_label("培训名称").fill("补学")
    form.get_by_label("学时").fill("0")
    form.get_by_role("button", name="保存").click()
    expect(page.locator("#training-add")).to_contain_text("学时应为正数")
    page.locator("#training-add").get_by_label("学时").fill("1")
    page.locator("#training-add").get_by_role("button", name="保存").click()
    expect(page.locator("#training-hours")).to_contain_text("累计 550 学时")
    expect(page.locator("#training-hours")).to_contain_text("已达到")

    page.goto(explain)
    expect(page.locator("li.verdict-pass", has_text=RULE_TITLE)).to_have_count(1)
    expect(page.locator("li.verdict-fail", has_text=RULE_TITLE)).to_have_count(0)
