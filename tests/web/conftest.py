from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from tests.conftest import County
from tests.web.world import World, build_world


@pytest.fixture
def world(admin: User, county: County, make_cadre: Any) -> World:
    return build_world(admin, county, make_cadre)
