"""Fixtures of the workforce tests: today fixed at 2026-11-27 and the finance
bureau's 副科级 over quota: 职数 2; A and B hold 副局长 since 2020; C, D and
E hold 党组成员 from 2026-01-15 (over-quota 3 from then); C leaves on
2026-03-31 (the last day of a month: no longer counted that day), D on
2026-07-01 (still counted on 30 June); F is appointed for 2026-12-15, a
tenure dated after today that the kept count holds already."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import Clock
from xuanren.org.models import Level, Post
from xuanren.org.services import post_create
from xuanren.people.models import Cadre, Tenure
from xuanren.people.services import tenure_end, tenure_start

TODAY = dt.date(2026, 11, 27)
JOINED = dt.date(2026, 1, 15)


@pytest.fixture(autouse=True)
def frozen_today(clock: Clock) -> dt.date:
    clock.day = TODAY
    return TODAY


@dataclass
class Over:
    extra: Post
    a: Cadre
    b: Cadre
    c: Cadre
    d: Cadre
    e: Cadre  # born 1966-09-10: statutory retirement 2027-03-10
    f: Cadre
    tenures: dict[str, Tenure]


@pytest.fixture
def over(county: Any, admin: Any, make_cadre: Any) -> Over:
    extra = post_create(
        actor=admin, unit=county.finance, title="党组成员", level=Level.SECTION_DEPUTY, seats=4
    )
    people = {
        "a": make_cadre(county.finance, name="甲一", birth=dt.date(1975, 1, 1)),
        "b": make_cadre(county.finance, name="乙二", birth=dt.date(1976, 2, 2)),
        "c": make_cadre(county.finance, name="丙三", birth=dt.date(1980, 3, 3)),
        "d": make_cadre(county.finance, name="丁四", birth=dt.date(1981, 4, 4)),
        "e": make_cadre(
            county.finance,
            name="戊五",
            birth=dt.date(1966, 9, 10),
            party_join=dt.date(1990, 6, 1),
            work_start=dt.date(1988, 8, 1),
        ),
        "f": make_cadre(county.finance, name="己六", birth=dt.date(1985, 5, 5)),
    }
    t: dict[str, Tenure] = {}
    for key in ("a", "b"):
        t[key] = tenure_start(
            actor=admin, cadre=people[key], post=county.finance_deputy,
            start_date=dt.date(2020, 3, 1),
        )  # fmt: skip
    for key in ("c", "d", "e"):
        t[key] = tenure_start(actor=admin, cadre=people[key], post=extra, start_date=JOINED)
    tenure_end(actor=admin, tenure=t["c"], end_date=dt.date(2026, 3, 31))
    tenure_end(actor=admin, tenure=t["d"], end_date=dt.date(2026, 7, 1))
    t["f"] = tenure_start(
        actor=admin, cadre=people["f"], post=extra, start_date=dt.date(2026, 12, 15)
    )
    return Over(extra=extra, tenures=t, **people)
