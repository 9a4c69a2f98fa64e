"""The step form's cadre picker and rows in chromium: the officer searches a
cadre by pinyin initials, chooses one (the hidden id is set, the name shown),
adds a row with "增加一行" and removes one with "删除" (decision 0066)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.browser.conftest import log_in_as_officer
from tests.browser.test_case_officer import browser_page  # noqa: F401 (a fixture)
from xuanren.procedure.models import Case
from xuanren.procedure.services import case_open, committee_create, committee_member_add

pytestmark = [pytest.mark.browser]


@pytest.fixture
def case_at_recommendation(admin: Any, county: Any, world: Any, personas: Any) -> Case:
    committee = committee_create(actor=admin, unit=county.root, name="中共青山县委常委会",
                                 kind="standing_committee")  # fmt: skip
    committee_member_add(actor=admin, committee=committee, name="常委甲",
                         start_date=dt.date(2021, 10, 1))  # fmt: skip
    case = case_open(actor=personas.case_officer, title="城关镇副镇长选任",
                     template_code="county-leading", unit=county.root, committee=committee,
                     posts=[(county.town_deputy, 1)], reference_date=dt.date(2026, 11, 27))  # fmt: skip
    Case.objects.filter(pk=case.pk).update(current_step="recommendation")
    return case


def test_pick_a_cadre_and_add_and_remove_rows(
    live_server: Any,
    world: Any,
    case_at_recommendation: Case,
    browser_page: Any,  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    page = browser_page
    page.set_default_timeout(30_000)  # a loaded CI machine
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/login/")
    log_in_as_officer(page)
    page.goto(f"{live_server.url}/cases/{case_at_recommendation.pk}/")
    rows = page.locator('fieldset[data-rowset="results"]')
    total = rows.locator('input[name="step-results-TOTAL_FORMS"]')
    expect(total).to_have_value("2")
    search = rows.locator("input.picker-q").first
    search.fill(world.zhang.id_number[-6:])  # the end of the ID number
    option = rows.locator(".picker-option").first
    expect(option).to_be_visible()
    option.click()
    expect(rows.locator('input[name="step-results-0-cadre"]')).to_have_value(str(world.zhang.pk))
    expect(rows.locator("[data-picker-label]").first).to_contain_text(world.zhang.name)
    rows.get_by_role("button", name="增加一行").click()
    expect(total).to_have_value("3")
    expect(rows.locator('input[name="step-results-2-cadre"]')).to_have_count(1)
    rows.locator("tr[data-row]").nth(1).get_by_role("button", name="删除").click()
    expect(rows.locator('input[name="step-results-1-DELETE"]')).to_have_value("on")
    expect(rows.locator("tr[data-row]").nth(1)).to_be_hidden()
    assert errors == []
