"""The rotation arithmetic by hand (docs/decisions/0176): a threshold is
reached on the anniversary itself; from 29 February on 1 March when the year
it lands in has none; the cut-off of a horizon is exactly the latest start
reaching it."""

from __future__ import annotations

import datetime as dt

import pytest

from xuanren.common.dates import add_months
from xuanren.rotation.calc import (
    Stage,
    completed_months,
    cutoff,
    reached_on,
    stage,
    terms_served,
)
from xuanren.rotation.rules import AlertKind, pack, parse, sensitive

D = dt.date


@pytest.mark.parametrize(
    ("since", "months", "due"),
    [
        (D(2016, 3, 15), 120, D(2026, 3, 15)),  # ten years on the anniversary
        (D(2016, 2, 29), 120, D(2026, 3, 1)),  # no 29 February in 2026
        (D(2016, 2, 29), 96, D(2024, 2, 29)),  # eight years: 2024 has one
        (D(2011, 9, 1), 180, D(2026, 9, 1)),  # fifteen years
        (D(2021, 8, 31), 60, D(2026, 8, 31)),
        (D(2016, 12, 31), 120, D(2026, 12, 31)),
    ],
)
def test_reached_on_hand_computed(since: dt.date, months: int, due: dt.date) -> None:
    assert reached_on(since, months) == due


def test_ten_years_on_the_day() -> None:
    since = D(2016, 3, 15)
    assert stage(since, 120, D(2026, 3, 14), 6) is Stage.APPROACHING
    assert stage(since, 120, D(2026, 3, 15), 6) is Stage.REACHED
    # approaching from exactly six months before, not a day earlier
    assert stage(since, 120, D(2025, 9, 15), 6) is Stage.APPROACHING
    assert stage(since, 120, D(2025, 9, 14), 6) is Stage.NONE


def test_29_february_start() -> None:
    since = D(2016, 2, 29)
    assert stage(since, 120, D(2026, 2, 28), 6) is Stage.APPROACHING
    assert stage(since, 120, D(2026, 3, 1), 6) is Stage.REACHED
    assert completed_months(since, D(2026, 2, 28)) == 119
    assert completed_months(since, D(2026, 3, 1)) == 120


@pytest.mark.parametrize(
    ("horizon", "months", "expected"),
    [
        (D(2026, 3, 1), 120, D(2016, 3, 1)),  # takes in 29 February 2016 (due 1 March)
        (D(2026, 2, 28), 120, D(2016, 2, 28)),  # but not on 28 February
        (D(2026, 5, 31), 1, D(2026, 4, 30)),  # 1 May + 1 month is 1 June
        (D(2026, 3, 1), 1, D(2026, 2, 1)),  # 29–31 January all complete on 1 March
        (D(2024, 2, 29), 12, D(2023, 2, 28)),
    ],
)
def test_cutoff_hand_computed(horizon: dt.date, months: int, expected: dt.date) -> None:
    assert cutoff(horizon, months) == expected


def test_cutoff_agrees_with_reached_on_every_day_of_two_years() -> None:
    """since <= cutoff(h, n)  <=>  reached_on(since, n) <= h, brute force."""
    for n in (1, 12, 60, 96, 120, 180):
        h = D(2027, 1, 1)
        while h < D(2029, 1, 1):
            c = cutoff(h, n)
            assert reached_on(c, n) <= h
            assert reached_on(c + dt.timedelta(days=1), n) > h
            h += dt.timedelta(days=1)


def test_terms() -> None:
    since = D(2016, 7, 1)
    assert terms_served(since, D(2021, 6, 30), 60) == 0
    assert terms_served(since, D(2021, 7, 1), 60) == 1
    assert terms_served(since, D(2026, 6, 30), 60) == 1
    assert terms_served(since, D(2026, 7, 1), 60) == 2
    assert completed_months(D(2026, 1, 1), D(2025, 1, 1)) == 0


def test_pack_is_data_with_sources() -> None:
    rules = {r.id: r for r in pack().rules}
    assert {r.kind for r in rules.values()} == set(AlertKind.values)
    two_terms = rules["national.two_terms"]
    # two terms of five years (任期暂行规定第三条), principal posts only
    assert (two_terms.months, two_terms.terms, two_terms.principal_only) == (120, 2, True)
    assert rules["national.same_level_fifteen_years"].months == 180
    assert rules["national.same_post_ten_years"].months == 120
    for rule in rules.values():
        assert rule.source and "seed" not in rule.source and "种子" not in rule.source
        assert rule.source.startswith(("《", "县"))
    sens = rules["county.sensitive_post"]
    assert sens.months < rules["county.section_rotation"].months
    assert sensitive(sens, "股长", "青山县财政局")
    assert sensitive(sens, "人事股股长", "青山县教育局")
    assert not sensitive(sens, "办公室主任", "青山县教育局")
    assert add_months(D(2020, 1, 1), pack().term_months) == D(2025, 1, 1)


def test_pack_refuses_a_rule_without_source() -> None:
    text = (
        'code = "x"\nversion = 1\nname = "x"\nterm_months = 60\nterm_source = "x"\n'
        '[[rules]]\nid = "a"\nkind = "post_years"\ntitle = "t"\nconsequence = "c"\n'
        'months = 12\nlevels = []\nsource = ""\n'
    )
    with pytest.raises(ValueError, match="source"):
        parse(text)
