"""The pure calculations, from hand-computed examples."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from xuanren.reserves.calc import MemberFacts, NomineeFacts, passes, review_due, round_counts


def test_a_score_exactly_on_the_line_passes() -> None:
    line = Decimal("60.0")
    assert passes(Decimal("60.0"), line)
    assert passes(Decimal("60"), line)
    assert not passes(Decimal("59.9"), line)
    assert passes(Decimal("100"), line)
    assert passes(Decimal("0"), Decimal("0"))


def test_review_two_years_after_the_list_or_the_last_review() -> None:
    assert review_due(dt.date(2026, 3, 15), None, 24) == dt.date(2028, 3, 15)
    # A list fixed on 29 February: 2026 has none, so the two years are
    # completed on 1 March (common.dates.add_months, 民法典 第二百零二条).
    assert review_due(dt.date(2024, 2, 29), None, 24) == dt.date(2026, 3, 1)
    # ... and from one 29 February to the next leap year's is 48 months.
    assert review_due(dt.date(2024, 2, 29), None, 48) == dt.date(2028, 2, 29)
    # The last review counts, not the list's date.
    assert review_due(dt.date(2020, 5, 1), dt.date(2022, 4, 30), 24) == dt.date(2024, 4, 30)


def test_counts_of_each_stage() -> None:
    line = Decimal("60")
    nominees = [
        # in two channels: one person, two nominations
        NomineeFacts(frozenset({"organization", "masses"}), Decimal("75.5"), "passed"),
        NomineeFacts(frozenset({"organization"}), Decimal("60.0"), "passed"),  # on the line
        NomineeFacts(frozenset({"self"}), Decimal("59.5"), "passed"),  # failed the test
        NomineeFacts(frozenset({"masses", "self"}), Decimal("88"), "failed"),
        NomineeFacts(frozenset({"masses"}), None, "pending"),  # not tested yet
    ]
    members = [
        MemberFacts("near", False),
        MemberFacts("longer", False),
        MemberFacts("near", True, "promoted"),
    ]
    c = round_counts(nominees, members, line)
    assert c.by_channel == {"organization": 2, "masses": 3, "self": 2}
    assert c.nominations == 7
    assert c.nominated == 5
    assert (c.tested, c.passed, c.failed) == (4, 3, 1)
    assert (c.inspected, c.inspection_passed, c.inspection_failed) == (4, 3, 1)
    assert c.listed == {"near": 1, "longer": 1}
    assert c.listed_total == 2
    assert (c.left, c.left_by_reason) == (1, {"promoted": 1})


def test_counts_of_an_empty_round() -> None:
    c = round_counts([], [], Decimal("60"))
    assert c.by_channel == {"organization": 0, "masses": 0, "self": 0}
    assert (c.nominated, c.tested, c.passed, c.failed, c.listed_total, c.left) == (0,) * 6
