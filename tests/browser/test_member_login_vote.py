"""Committee members vote on their own logins, no code (issue 11): one on a
375 px phone, who sees over-selection while choosing (two agreeing for one
seat: the message next to the post, the button disabled), and a second on
a desktop. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.ballots.conftest import seat_world  # noqa: F401 (a fixture)
from tests.browser.test_case_officer import ARTIFACTS, browser_page  # noqa: F401 (a fixture)
from tests.conftest import make_user
from xuanren.access.models import Role
from xuanren.ballots.models import Participation
from xuanren.procedure.models import CommitteeMembership

pytestmark = [pytest.mark.browser]


def _log_in(page: Any, base: str, username: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base}/ballots/mine/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(f"pw-{username}-123")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="我的选票")).to_be_visible()


def test_members_vote_with_their_own_logins_on_a_phone_and_a_desktop(
    live_server: Any,
    seat_world: Any,  # noqa: F811
    browser_page: Any,  # noqa: F811
    personas: Any,
    county: Any,
) -> None:
    from playwright.sync_api import expect

    w = seat_world(15, candidates=2, seats=1)
    second = make_user("member2", Role.COMMITTEE_MEMBER, county.root)
    CommitteeMembership.objects.filter(pk=w.members[0].pk).update(user=personas.committee_member)
    CommitteeMembership.objects.filter(pk=w.members[1].pk).update(user=second)
    meeting = w.create()
    w.attend(w.members)
    w.open()
    a, b = w.candidates
    errors: list[str] = []

    # The first member, on a phone.
    page = browser_page
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.set_viewport_size({"width": 375, "height": 740})
    _log_in(page, live_server.url, "member")
    expect(page.get_by_role("heading", name=meeting.title)).to_be_visible()
    page.get_by_role("link", name="进入选票").click()
    expect(page.get_by_text("您正以本人账号投票")).to_be_visible()
    expect(page.get_by_label("投票码")).to_have_count(0)
    warning = page.locator(".over-limit")
    button = page.get_by_role("button", name="下一步：确认")
    page.get_by_role("radiogroup", name=w.item(a).name).get_by_label("同意", exact=True).check()
    expect(warning).to_be_hidden()
    page.get_by_role("radiogroup", name=w.item(b).name).get_by_label("同意", exact=True).check()
    # Over-selection shows while choosing, before anything is submitted.
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("本职位最多只能同意 1 人")
    expect(button).to_be_disabled()
    page.screenshot(path=str(ARTIFACTS / "ballot-login-phone-over.png"), full_page=True)
    page.get_by_role("radiogroup", name=w.item(b).name).get_by_label("不同意").check()
    expect(warning).to_be_hidden()
    expect(button).to_be_enabled()
    button.click()
    expect(page.get_by_role("heading", name="请确认您的选票")).to_be_visible()
    page.get_by_role("button", name="确认投票").click()
    expect(page.get_by_role("heading", name="投票成功")).to_be_visible()
    expect(page.locator("#receipt")).to_have_text(re.compile(r"^[A-Z2-9]{5}-[A-Z2-9]{5}$"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.goto(f"{live_server.url}/ballots/mine/")
    expect(page.get_by_text("现在没有需要您投票的会议")).to_be_visible()

    # The second member, on a desktop, in a browser of their own.
    desktop = page.context.browser.new_context(
        locale="zh-CN", viewport={"width": 1366, "height": 900}
    )
    other = desktop.new_page()
    other.set_default_timeout(10_000)
    other.on(
        "response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None
    )
    try:
        _log_in(other, live_server.url, "member2")
        other.get_by_role("link", name="进入选票").click()
        other.get_by_role("radiogroup", name=w.item(b).name).get_by_label(
            "同意", exact=True
        ).check()
        other.get_by_role("button", name="下一步：确认").click()
        other.get_by_role("button", name="确认投票").click()
        expect(other.get_by_role("heading", name="投票成功")).to_be_visible()
        other.screenshot(path=str(ARTIFACTS / "ballot-login-desktop.png"), full_page=True)
    finally:
        desktop.close()
    assert Participation.objects.filter(meeting=meeting).count() == 2
    assert errors == []
