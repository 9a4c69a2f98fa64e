from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from tests.conftest import County
from tests.web.world import World, build_world


@pytest.fixture
def world(admin: User, county: County, make_cadre: Any) -> World:
    return build_world(admin, county, make_cadre)


def log_in_as_officer(page: Any) -> None:
    """On the login page: log in as the personas' case officer and land on the dashboard."""
    from playwright.sync_api import expect

    page.get_by_label("用户名").fill("officer")
    page.get_by_label("密码").fill("pw-officer-123")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="工作概况")).to_be_visible()


def fill_recommendation_results(page: Any, results: list[tuple[Any, str, str, str]]) -> None:
    """The current step's recommendation results, one row per (cadre, kind,
    votes of group 0, votes of group 1); the cadre is found by the end of
    their ID number in the picker (decision 0066), rows added as needed."""
    from playwright.sync_api import expect

    rowset = page.locator('li.step-current fieldset[data-rowset="results"]')
    for i, (cadre, kind, g0, g1) in enumerate(results):
        if rowset.locator("tr[data-row]").count() <= i:
            rowset.get_by_role("button", name="增加一行").click()
        line = rowset.locator("tr[data-row]").nth(i)
        line.locator("input.picker-q").fill(cadre.id_number[-6:])
        line.locator(".picker-option").first.click()
        expect(page.locator(f'[name="step-results-{i}-cadre"]')).to_have_value(str(cadre.pk))
        page.locator(f'[name="step-results-{i}-kind"]').select_option(kind)
        page.locator(f'li.step-current [name="step-results-{i}-g0"]').fill(g0)
        page.locator(f'li.step-current [name="step-results-{i}-g1"]').fill(g1)
