"""Fixtures of the reserve-cadre tests: today fixed, a round of the county
with a pass line of 60, and cadres of the town and the finance bureau."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import Clock
from xuanren.people.models import Cadre
from xuanren.reserves.models import ReserveRound
from xuanren.reserves.services import reserve_round_create

TODAY = dt.date(2026, 11, 27)


@pytest.fixture(autouse=True)
def frozen_today(clock: Clock) -> dt.date:
    clock.day = TODAY
    return TODAY


@dataclass
class World:
    round: ReserveRound
    a: Cadre  # 城关镇
    b: Cadre  # 城关镇党政办
    c: Cadre  # 县财政局
    d: Cadre  # 石桥镇


@pytest.fixture
def world(county: Any, personas: Any, make_cadre: Any) -> World:
    round_ = reserve_round_create(
        actor=personas.case_officer,
        unit=county.root,
        year=2026,
        title="2026年度科级后备干部选拔",
        pass_line="60",
    )
    return World(
        round_,
        make_cadre(county.town, name="李明", birth=dt.date(1984, 5, 1)),
        make_cadre(county.town_office, name="王芳", sex="female", birth=dt.date(1986, 2, 3)),
        make_cadre(county.finance, name="赵强", birth=dt.date(1983, 7, 9)),
        make_cadre(county.other_town, name="陈静", sex="female", birth=dt.date(1985, 1, 4)),
    )
