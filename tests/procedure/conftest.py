"""Fixtures for cases: the county's standing committee (11 members) and a
helper that opens a case for the case officer."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from xuanren.procedure.models import Case, Committee
from xuanren.procedure.services import case_open, committee_create, committee_member_add

ON = dt.date(2026, 11, 27)


@pytest.fixture
def committee(county: Any, admin: Any) -> Committee:
    c = committee_create(
        actor=admin, unit=county.root, name="中共青山县委常委会", kind="standing_committee"
    )
    for i in range(11):
        committee_member_add(
            actor=admin, committee=c, name=f"常委{i}", start_date=dt.date(2021, 10, 1)
        )
    return c


def open_case(
    personas: Any,
    county: Any,
    committee: Committee,
    template: str = "county-leading",
    posts: Any = None,
) -> Case:
    return case_open(
        actor=personas.case_officer,
        title="城关镇副镇长选任",
        template_code=template,
        unit=county.root,
        committee=committee,
        posts=posts or [(county.town_deputy, 1)],
        reference_date=ON,
    )
