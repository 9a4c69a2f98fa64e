"""Each role logs in on a 375 px phone: the header wraps as words (never one
character per line), the menu items stay on one line (the menu scrolls
sideways), and the home is the role's 待办 (docs/decisions/0070, 0072). A wide
table scrolls inside itself; on a laptop the menu wraps onto more rows: the
page never scrolls sideways."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_case_officer import ARTIFACTS, browser_page  # noqa: F401 (a fixture)
from tests.conftest import make_user
from xuanren.access.models import Role

pytestmark = [pytest.mark.browser]

ROLES = {
    "officer": Role.CASE_OFFICER,
    "member": Role.COMMITTEE_MEMBER,
    "jiwei": Role.DISCIPLINE_COMMISSION,
    "audit": Role.AUDIT_OFFICE,
    "inspector": Role.INSPECTION_TEAM,
    "hr": Role.UNIT_HR,
    "participant": Role.PARTICIPANT,
}

#: Text elements of the header and the menu, with their rendered height and
#: their line height: more than one line means the text wrapped.
MEASURE = """() => [...document.querySelectorAll(
    '.site-header .brand-mark, .site-header .brand-name, .site-header .account > *, .site-nav a'
  )].map(e => {
    const r = e.getBoundingClientRect();
    const cs = getComputedStyle(e);
    const line = parseFloat(cs.lineHeight) || parseFloat(cs.fontSize) * 1.6;
    return {text: e.textContent.trim(), width: r.width, height: r.height, line: line,
            padding: parseFloat(cs.paddingTop) + parseFloat(cs.paddingBottom)};
  })"""


WIDE = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > 376 && !e.closest('.site-nav'))
  .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + e.textContent.trim().slice(0, 30))"""


def _log_in_home(page: Any, base: str, username: str, password: str) -> None:
    """Log in and land on the role's home (待办 first)."""
    from playwright.sync_api import expect

    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="待办", exact=True)).to_be_visible()


def test_each_role_on_a_phone(
    live_server: Any,
    admin: Any,
    county: Any,
    browser_page: Any,  # noqa: F811
) -> None:

    users = {"admin": ("admin", "pw-admin-123")}
    for name, role in ROLES.items():
        unit = county.town if name in ("hr", "participant") else county.root
        make_user(name, role, unit)
        users[name] = (name, f"pw-{name}-123")
    page = browser_page
    page.set_default_timeout(30_000)  # eight logins on a busy machine
    page.set_viewport_size({"width": 375, "height": 740})
    for who, (username, password) in users.items():
        page.context.clear_cookies()
        _log_in_home(page, live_server.url, username, password)
        assert "尚未分配角色" not in page.content(), who
        page.screenshot(path=str(ARTIFACTS / f"home-phone-{who}.png"), full_page=True)
        for el in page.evaluate(MEASURE):
            if not el["text"]:
                continue
            # One line each: never one character per line.
            assert el["height"] - el["padding"] < 1.9 * el["line"], (who, el)
        header = page.locator(".site-header").bounding_box()
        assert header is not None and header["height"] < 170, (who, header)
        # The page itself does not scroll sideways; the menu may.
        wide = page.evaluate(WIDE)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, (who, wide)


def test_no_page_scrolls_sideways_on_a_phone_or_a_laptop(
    live_server: Any,
    admin: Any,
    county: Any,
    browser_page: Any,  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    page = browser_page
    page.set_default_timeout(30_000)
    _log_in_home(page, live_server.url, "admin", "pw-admin-123")
    width_of = "document.documentElement.scrollWidth"
    # A laptop: the administrator's menu (over 2,000 px on one line) wraps.
    for width in (1366, 1024):
        page.set_viewport_size({"width": width, "height": 800})
        for path in ("/", "/cadres/"):
            page.goto(f"{live_server.url}{path}")
            assert page.evaluate(width_of) <= width, (width, path)
        nav = page.locator(".site-nav").bounding_box()
        item = page.locator(".site-nav a").first.bounding_box()
        assert nav is not None and item is not None and nav["height"] > 1.5 * item["height"]
        last = page.locator(".site-nav a").last.bounding_box()
        assert last is not None and last["x"] + last["width"] <= width  # reachable
    # A phone: the cadre list's nine columns scroll inside the table.
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{live_server.url}/cadres/")
    table = page.locator("table.data").first
    expect(table).to_be_visible()
    assert page.evaluate(width_of) <= 375
    assert table.evaluate("t => t.scrollWidth > t.clientWidth")  # it does scroll
