"""Under the strict Content-Security-Policy, in Debian's chromium: the pages
with htmx work (live cadre search, the unit tree, the case step's live guard
preview, the print button's handler from site.js) and the browser reports no
CSP violation and no script error (issue 10, item 11)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from tests.browser.conftest import log_in_as_officer
from tests.browser.test_case_flow import county_committee, in_own_thread  # noqa: F401 (fixture)
from tests.browser.test_case_officer import browser_page  # noqa: F401 (a fixture)
from xuanren.org.models import Level
from xuanren.org.services import quota_set

pytestmark = [
    pytest.mark.browser,
]


def watch(page: Any) -> list[str]:
    """Console errors, page errors, policy messages and CSP violation events."""
    problems: list[str] = []

    def on_console(message: Any) -> None:
        text = message.text
        if "favicon" in str((message.location or {}).get("url", "")):
            return  # the browser's own favicon request; the site has none
        policy = "Content Security Policy" in text or "Permissions-Policy" in text
        if message.type == "error" or policy:
            problems.append(f"console {message.type}: {text}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    # Every violation also fires this event; the listener is added by the
    # browser driver (init scripts are not subject to the page's policy).
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    return problems


@pytest.fixture
def open_case(admin: Any, county: Any, world: Any, personas: Any, county_committee: Any) -> Any:  # noqa: F811
    from xuanren.procedure.services import case_open

    return case_open(
        actor=personas.case_officer,
        title="城关镇副镇长选任",
        template_code="county-leading",
        unit=county.root,
        committee=county_committee,
        posts=[(county.town_deputy, 1)],
        reference_date=dt.date(2026, 11, 27),
    )


def test_htmx_pages_work_without_any_csp_violation(
    live_server: Any,
    open_case: Any,
    world: Any,
    admin: Any,
    county: Any,
    browser_page: Any,  # noqa: F811 (the fixture imported above)
) -> None:
    from playwright.sync_api import expect

    page = browser_page
    problems = watch(page)
    base = live_server.url

    page.goto(f"{base}/login/")
    log_in_as_officer(page)

    # Cadre list: the live search (htmx) still swaps the results.
    page.goto(f"{base}/cadres/")
    results = page.locator("#results")
    expect(results).to_contain_text("李娜")
    page.get_by_label("姓名").fill("zw")
    expect(results).to_contain_text("张伟")
    expect(results).not_to_contain_text("李娜")
    expect(page).to_have_url(re.compile(r"/cadres/\?q=zw"))
    # htmx was told not to inject its indicator <style>.
    assert page.locator("head style").count() == 0

    # The unit tree: the indentation comes from classes, not style attributes;
    # a unit's children load through htmx (decision 0109).
    page.goto(f"{base}/units/")
    page.locator("tr:has(span.indent.depth-1) a.expand").first.click()
    deep = page.locator("span.indent.depth-2").first
    expect(deep).to_be_attached()
    assert deep.evaluate("e => e.getBoundingClientRect().width") > 0

    # The print button's handler lives in site.js now.
    page.goto(f"{base}/cadres/{world.zhang.pk}/")
    page.evaluate(
        "() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }"
    )
    page.locator("[data-print]").first.click()
    assert page.evaluate("window.__printed") == 1

    # The case page: the live guard preview (hx-post on change) answers.
    page.goto(f"{base}/cases/{open_case.pk}/")
    current = page.locator("li.step-current")
    guard = current.locator('[data-guard="quota_allows"]')
    expect(guard).to_contain_text("将超职数配备")
    in_own_thread(
        lambda: quota_set(actor=admin, unit=county.town, level=Level.SECTION_DEPUTY, approved=3)
    )
    current.get_by_label("职位空缺").check()
    expect(guard).not_to_contain_text("将超职数配备")

    assert not problems, "\n".join(problems)
