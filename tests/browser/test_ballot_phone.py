"""A committee member casts a decision ballot on a phone-sized screen with the
code from their slip, confirms, and sees the receipt.

Screenshots go to test-artifacts/ (gitignored) for a human to look at."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.ballots.conftest import decision_world  # noqa: F401 (a fixture)
from tests.browser.test_case_officer import ARTIFACTS, browser_page  # noqa: F401 (a fixture)
from xuanren.ballots.models import Ballot, Participation, SealedBallot

pytestmark = [pytest.mark.browser]


def test_voter_casts_on_a_phone_and_sees_the_receipt(
    live_server: Any,
    decision_world: Any,  # noqa: F811
    browser_page: Any,  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    w = decision_world(15, candidates=2)
    m = w.create()
    w.attend(w.members[:10])
    w.open()
    code = w.codes[w.members[0].pk]
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{live_server.url}/ballots/{m.pk}/vote/")
    expect(page.get_by_role("heading", name=m.title)).to_be_visible()
    page.get_by_label("投票码").fill(code.lower())
    page.get_by_role("button", name="进入选票").click()
    first, second = w.candidates
    group = page.get_by_role("radiogroup", name=w.item(first).name)
    agree = group.get_by_label("同意", exact=True)
    box = agree.locator("xpath=..").bounding_box()
    assert box is not None and box["height"] >= 44  # a touch target
    agree.check()
    page.get_by_role("radiogroup", name=w.item(second).name).get_by_label("不同意").check()
    page.screenshot(path=str(ARTIFACTS / "ballot-phone-1.png"), full_page=True)
    page.get_by_role("button", name="下一步：确认").click()
    expect(page.get_by_role("heading", name="请确认您的选票")).to_be_visible()
    expect(page.locator("table")).to_contain_text("同意")
    assert Ballot.objects.count() == 0  # nothing cast before confirming
    page.get_by_role("button", name="确认投票").click()
    expect(page.get_by_role("heading", name="投票成功")).to_be_visible()
    expect(page.locator("#receipt")).to_have_text(re.compile(r"^[A-Z2-9]{5}-[A-Z2-9]{5}$"))
    page.screenshot(path=str(ARTIFACTS / "ballot-phone-2.png"), full_page=True)
    assert Participation.objects.filter(meeting=m).count() == 1
    # Sealed to the count key: no plain ballot until the count.
    assert SealedBallot.objects.filter(meeting=m).count() == 1
    assert Ballot.objects.filter(meeting=m).count() == 0
    # The page has no horizontal scroll on the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_a_qr_slip_opens_the_ballot_without_the_code_reaching_the_server(
    live_server: Any,
    decision_world: Any,  # noqa: F811
    browser_page: Any,  # noqa: F811
) -> None:
    """The slip's QR code carries the code after "#": the page posts it, the
    ballot opens, and the address bar no longer shows it."""
    from playwright.sync_api import expect

    w = decision_world(15, candidates=1)
    m = w.create()
    w.attend(w.members[:10])
    w.open()
    code = w.codes[w.members[1].pk]
    page = browser_page
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{live_server.url}/ballots/{m.pk}/vote/#code={code}")
    expect(page.get_by_role("button", name="下一步：确认")).to_be_visible()
    assert code not in page.url
    assert not any(code in url for url in requests)
