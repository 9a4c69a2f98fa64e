"""智能选人 in Debian's chromium: the case officer screens the township
principal post of 城关镇, finds a woman who is not on the list and reads why.

Screenshots go to test-artifacts/ (gitignored) for a human to look at."""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import Any

import pytest

from tests.browser.conftest import log_in_as_officer
from tests.browser.test_case_officer import ARTIFACTS, CHROMIUM, browser_page  # noqa: F401 (a fixture)
from xuanren.org.models import Level
from xuanren.people.services import assessment_set, cadre_update, education_add

pytestmark = [
    pytest.mark.browser,
]

REF = dt.date(2026, 11, 27)


def _candidate(
    admin: Any,
    make_cadre: Any,
    unit: Any,
    *,
    name: str,
    birth: dt.date,
    sex: str = "male",
    grade: str = "competent",
) -> Any:
    cadre = make_cadre(
        unit,
        name=name,
        sex=sex,
        birth=birth,
        level=Level.SECTION_DEPUTY,
        level_since=dt.date(2019, 12, 1),
    )
    education_add(
        actor=admin,
        cadre=cadre,
        kind="full_time",
        level="bachelor",
        degree="bachelor",
        school="浙江师范大学",
        major="汉语言文学",
        start_date=dt.date(birth.year + 18, 9, 1),
        end_date=dt.date(birth.year + 22, 7, 1),
    )
    assessment_set(actor=admin, cadre=cadre, year=REF.year - 1, grade=grade)
    assessment_set(actor=admin, cadre=cadre, year=REF.year - 2, grade="excellent")
    return cadre_update(
        actor=admin,
        cadre=cadre,
        changes={"archive_review_status": "passed", "personal_matters_status": "verified"},
    )


@pytest.fixture
def township_candidates(admin: Any, county: Any, make_cadre: Any) -> None:
    """Three eligible 副科 men, one with a poor assessment, and 刘芳, 41 at REF.
    Built before the browser starts: ORM calls made while Playwright's event
    loop runs would use (and leave open) a database connection of their own."""
    for name, unit, birth in [
        ("陈明", county.town, dt.date(1988, 5, 6)),
        ("王强", county.finance, dt.date(1990, 1, 9)),
        ("赵磊", county.other_town, dt.date(1987, 10, 30)),
    ]:
        _candidate(admin, make_cadre, unit, name=name, birth=birth)
    _candidate(
        admin,
        make_cadre,
        county.town,
        name="孙立",
        birth=dt.date(1987, 8, 8),
        grade="basically_competent",
    )
    _candidate(admin, make_cadre, county.town, name="刘芳", sex="female", birth=dt.date(1985, 3, 2))


def test_case_officer_screens_a_township_principal_post(
    live_server: Any,
    township_candidates: None,
    personas: Any,
    browser_page: Any,  # noqa: F811 (the fixture imported above)
) -> None:
    from playwright.sync_api import expect

    page = browser_page
    base = live_server.url
    page.goto(f"{base}/login/")
    log_in_as_officer(page)

    # 智能选人 from the top navigation.
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="智能选人").click()
    expect(page.get_by_role("heading", name="智能选人", exact=True)).to_be_visible()
    expect(page.locator("#screening")).to_contain_text("请选择拟任职位")

    # The reference date, then the post: htmx replaces the screening below the form.
    page.get_by_label("资格计算基准日").fill(REF.isoformat())
    page.get_by_label("拟任职位").select_option(label="党委书记（正科级·一把手）")
    screening = page.locator("#screening")
    expect(screening.get_by_role("heading", name=re.compile("城关镇党委书记"))).to_be_visible()
    expect(page).to_have_url(re.compile(r"/candidates/\?post=\d+&ref_date=2026-11-27"))
    expect(screening).to_contain_text("2026.11.27")
    expect(page.locator("#eligible-count")).to_have_text("3")
    eligible = page.locator("#eligible")
    for name in ["陈明", "王强", "赵磊"]:
        expect(eligible).to_contain_text(name)
    expect(eligible).not_to_contain_text("刘芳")
    expect(eligible).not_to_contain_text("孙立")
    rules = page.locator("table.rules")
    expect(rules.locator("tr", has_text="乡镇新提拔党政正职，女性不超过 38 周岁")).to_contain_text(
        "1 人"
    )
    expect(rules.locator("tr", has_text="上一年度年度考核结果为基本称职以下等次")).to_contain_text(
        "1 人"
    )
    page.screenshot(path=str(ARTIFACTS / "20-candidates.png"), full_page=True)

    # An eligible cadre's explanation, from the list.
    eligible.get_by_role("link", name="陈明的资格分析").click()
    panel = page.locator("#explain-panel")
    expect(panel).to_contain_text("陈明")
    expect(panel).to_contain_text("符合全部任职资格条件")

    # 刘芳 is not on the list: find her by name and open her explanation.
    page.get_by_label("按姓名查找干部").fill("刘芳")
    results = page.locator("#lookup-results")
    expect(results).to_contain_text("刘芳")
    results.get_by_role("link", name="刘芳的资格分析").click()
    expect(panel).to_contain_text("刘芳")
    expect(panel).to_contain_text("有 1 项任职资格条件不符合")
    reason = panel.locator("li.verdict-fail")
    expect(reason).to_have_count(1)
    expect(reason).to_contain_text("41 周岁")
    expect(reason).to_contain_text("不符合")
    expect(reason).to_contain_text("乡镇新提拔党政正职，女性不超过 38 周岁")
    expect(reason.locator(".badge")).to_have_text("不符合")
    # The red of 不符合 and the green of 符合.
    fail_colour = reason.locator(".badge").evaluate("e => getComputedStyle(e).backgroundColor")
    pass_colour = panel.locator("li.verdict-pass .badge").first.evaluate(
        "e => getComputedStyle(e).backgroundColor"
    )
    assert fail_colour == "rgb(164, 22, 26)"
    assert pass_colour == "rgb(29, 107, 52)"
    page.screenshot(path=str(ARTIFACTS / "21-candidate-explain.png"), full_page=True)

    # Her record lists the posts she could hold.
    panel.get_by_role("link", name="查看干部档案").click()
    expect(page.get_by_role("heading", name="刘芳", exact=True)).to_be_visible()
    page.wait_for_load_state()  # htmx (deferred) bound before the first input
    section = page.locator("#eligible-posts")
    section.get_by_label("资格计算基准日").fill(REF.isoformat())
    section.get_by_label("单位").select_option(label="城关镇")
    verdicts = page.locator("#post-verdicts")
    expect(verdicts).to_contain_text("党委书记")
    expect(verdicts.locator("tr", has_text="党委书记")).to_contain_text("否")
    expect(verdicts.locator("tr", has_text="副镇长")).to_contain_text("是")
    section.screenshot(path=str(ARTIFACTS / "23-cadre-eligible-posts.png"))
    # No htmx request may still be running when the live server's database goes away.
    page.wait_for_function("() => !document.querySelector('.htmx-request')")

    assert os.path.getsize(ARTIFACTS / "21-candidate-explain.png") > 10_000


def test_a_post_is_chosen_through_the_picker(
    live_server: Any,
    township_candidates: None,
    personas: Any,
    browser_page: Any,  # noqa: F811 (the fixture imported above)
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A scope with more posts than a <select> should list (decision 0111):
    the officer finds the post by its unit and title, and the screening runs."""
    from playwright.sync_api import expect

    from xuanren.web import pickers

    monkeypatch.setattr(pickers, "POST_SELECT_MAX", 2)  # the live server runs in this process
    page = browser_page
    page.goto(f"{live_server.url}/login/")
    log_in_as_officer(page)
    page.goto(f"{live_server.url}/candidates/?ref_date={REF.isoformat()}")
    expect(page.locator("#screening")).to_contain_text("请选择拟任职位")
    assert page.locator('select[name="post"]').count() == 0

    page.get_by_label("查找职位").fill("城关镇 书记")
    option = page.locator(".post-picker .picker-option")
    expect(option).to_have_count(1)
    expect(option).to_contain_text("党委书记（正科级·一把手）")
    # Typing did not screen anything yet; choosing does.
    expect(page.locator("#screening")).to_contain_text("请选择拟任职位")
    option.click()
    screening = page.locator("#screening")
    expect(screening.get_by_role("heading", name=re.compile("城关镇党委书记"))).to_be_visible()
    expect(page).to_have_url(re.compile(r"/candidates/\?post=\d+&post_q=&ref_date=2026-11-27"))
    expect(page.locator(".post-picker .picker-chosen")).to_have_text(
        "城关镇 党委书记（正科级·一把手）"
    )
    expect(page.locator("#eligible-count")).to_have_text("3")
    expect(page.locator("table.rules")).to_contain_text("乡镇新提拔党政正职，女性不超过 38 周岁")
    page.screenshot(path=str(ARTIFACTS / "24-candidates-post-picker.png"), full_page=True)
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
