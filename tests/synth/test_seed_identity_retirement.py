"""The generated county records 身份 by unit kind (decision 0083), and its
oldest cadres reach the statutory retirement of the 2024 decision without
passing it: the dashboard's 临近退休 list has several people, and nobody
active is past their date."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.contrib.auth.models import User

from xuanren.common.dates import add_years, today
from xuanren.org.models import Unit
from xuanren.people.models import Cadre, CadreIdentity
from xuanren.people.retirement import original_retirement_age, statutory_retirement
from xuanren.people.selectors import approaching_age_limit
from xuanren.procedure.todo import home_todo
from xuanren.synth.generator import Generator, MemorySink, SeedConfig
from xuanren.synth.loader import seed
from xuanren.synth.management.commands.demo import DEMO_UNITS

ORGANS = {"region", "party_organ", "government_department", "other_organ", "township",
          "street_office"}  # fmt: skip
ORGAN_IDENTITIES = {CadreIdentity.CIVIL_SERVANT, CadreIdentity.REFERENCE_CIVIL_SERVANT}


def generate(seed_value: int, cadres: int, units: int, as_of: dt.date) -> MemorySink:
    sink = MemorySink()
    Generator(SeedConfig(cadres=cadres, units=units, seed=seed_value, as_of=as_of), sink).run()
    return sink


def retirement(c: dict) -> dt.date:
    original = original_retirement_age(sex=c["sex"], level=c["level"], identity=c["identity"])
    return statutory_retirement(c["birth_date"], original_age=original)


def test_identity_follows_the_unit_kind_and_the_seed() -> None:
    sink = generate(11, cadres=1500, units=120, as_of=dt.date(2026, 12, 1))
    units = {u["id"]: u for u in sink.dicts(Unit)}

    def kind(unit_id: int) -> str:
        unit = units[unit_id]
        while unit["kind"] == "internal_office":
            unit = units[unit["parent_id"]]
        return unit["kind"]

    cadres = sink.dicts(Cadre)
    by_kind: dict[str, Counter[str]] = {}
    for c in cadres:
        by_kind.setdefault(kind(c["unit_id"]), Counter())[c["identity"]] += 1
    assert all(c["identity"] in CadreIdentity.values for c in cadres)  # never "" (未记录)
    for k in ORGANS & set(by_kind):
        assert set(by_kind[k]) <= ORGAN_IDENTITIES
    organ_total = sum((by_kind[k] for k in ORGANS & set(by_kind)), Counter())
    assert (
        organ_total[CadreIdentity.CIVIL_SERVANT]
        > organ_total[CadreIdentity.REFERENCE_CIVIL_SERVANT]
        > 0
    )
    assert set(by_kind["school"]) == {CadreIdentity.PUBLIC_INSTITUTION}
    assert by_kind["public_institution"].most_common(1)[0][0] == CadreIdentity.PUBLIC_INSTITUTION
    assert set(by_kind.get("state_company", {CadreIdentity.STATE_ENTERPRISE: 1})) == {
        CadreIdentity.STATE_ENTERPRISE
    }
    again = generate(11, cadres=1500, units=120, as_of=dt.date(2026, 12, 1)).dicts(Cadre)
    assert [c["identity"] for c in again] == [c["identity"] for c in cadres]


@pytest.mark.parametrize(
    ("seed_value", "as_of"),
    [(1, dt.date(2026, 12, 6)), (2, dt.date(2025, 1, 1)), (3, dt.date(2028, 7, 31))],
)
def test_nobody_active_is_past_the_statutory_date(seed_value: int, as_of: dt.date) -> None:
    cadres = generate(seed_value, cadres=4000, units=120, as_of=as_of).dicts(Cadre)
    assert all(c["status"] == "active" for c in cadres)
    late = [(c["name"], c["birth_date"]) for c in cadres if retirement(c) <= as_of]
    assert late == []
    # ... and the oldest come close: several retire within the year.
    within = [c for c in cadres if retirement(c) <= add_years(as_of, 1)]
    assert len(within) >= 3


@pytest.mark.django_db
def test_the_demo_county_shows_several_approaching_retirement() -> None:
    seed(cadres=3000, units=DEMO_UNITS, seed=1)  # the demo's own county (xuanren demo)
    admin = User.objects.create_superuser("root", "root@example.invalid", "pw-root-123")
    # the home page's 临近退休 panel (its first RETIREMENT_ITEMS, decision 0195)
    _items, rows = home_todo(actor=admin, on=today())
    assert rows is not None and len(rows) >= 3
    # The list includes dates already passed, earliest first: there are none.
    assert all(today() < r.retirement_date <= add_years(today(), 1) for r in rows)
    assert approaching_age_limit(actor=admin).count() >= len(rows)
    assert not Cadre.objects.filter(identity="").exists()
