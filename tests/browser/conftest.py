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
