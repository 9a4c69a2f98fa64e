"""The assessment arithmetic from hand-computed examples (decision 0150–0151)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from xuanren.assessment.scoring import (
    DIMENSIONS,
    GROUPS,
    composite,
    excellent_quota,
    group_score,
    proposed_grade,
)

GROUP_W = {"superior": 40, "peer": 30, "public": 30}
DIM_W = {"virtue": 20, "ability": 20, "diligence": 15, "achievement": 30, "integrity": 15}
BANDS = {"excellent": 90, "competent": 75, "basically_competent": 60}


def grid(rows: dict[str, list[str]]) -> dict[tuple[str, str], Decimal]:
    return {
        (g, d): Decimal(v)
        for g, vals in rows.items()
        for d, v in zip(DIMENSIONS, vals, strict=True)
    }


def test_composite_by_hand() -> None:
    scores = grid(
        {
            "superior": ["90", "92", "88", "95", "90"],
            "peer": ["85"] * 5,
            "public": ["80"] * 5,
        }
    )
    # 上级领导: (90×20 + 92×20 + 88×15 + 95×30 + 90×15) ÷ 100
    #         = (1800 + 1840 + 1320 + 2850 + 1350) ÷ 100 = 91.60
    assert group_score(DIM_W, {d: scores[("superior", d)] for d in DIMENSIONS}) == Decimal("91.6")
    # 91.60 × 40% + 85 × 30% + 80 × 30% = 36.64 + 25.50 + 24.00 = 86.14
    assert composite(GROUP_W, DIM_W, scores) == Decimal("86.14")


def test_composite_rounds_half_up_to_two_decimals() -> None:
    # every cell 88.33 except the peers' 廉 88.34: the peers' weight of 廉 is
    # 30% × 15% = 4.5%, so the total is 88.33 + 0.01 × 0.045 = 88.330450 → 88.33
    scores = {(g, d): Decimal("88.33") for g in GROUPS for d in DIMENSIONS}
    scores[("peer", "integrity")] = Decimal("88.34")
    assert composite(GROUP_W, DIM_W, scores) == Decimal("88.33")
    # 0.005 exactly rounds up: weights 50/50/0 and 德 100 — (80.01 + 80.00) ÷ 2 = 80.005 → 80.01
    scores = {(g, d): Decimal(80) for g in GROUPS for d in DIMENSIONS}
    scores[("superior", "virtue")] = Decimal("80.01")
    groups = {"superior": 50, "peer": 50, "public": 0}
    dims = {"virtue": 100, "ability": 0, "diligence": 0, "achievement": 0, "integrity": 0}
    assert composite(groups, dims, scores) == Decimal("80.01")


def test_a_missing_cell_gives_no_composite() -> None:
    scores = {(g, d): Decimal(90) for g in GROUPS for d in DIMENSIONS}
    del scores[("public", "integrity")]
    assert composite(GROUP_W, DIM_W, scores) is None
    assert proposed_grade(None, BANDS) == ""


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        ("100", "excellent"),
        ("90.00", "excellent"),  # on the line: the higher grade
        ("89.99", "competent"),
        ("75", "competent"),
        ("74.99", "basically_competent"),
        ("60", "basically_competent"),
        ("59.99", "incompetent"),
        ("0", "incompetent"),
    ],
)
def test_band_edges(score: str, grade: str) -> None:
    assert proposed_grade(Decimal(score), BANDS) == grade


@pytest.mark.parametrize(
    ("assessed", "share", "quota"),
    [(7, 15, 1), (6, 15, 0), (13, 15, 1), (14, 15, 2), (20, 15, 3), (20, 20, 4), (0, 15, 0)],
)
def test_excellent_quota_rounds_down(assessed: int, share: int, quota: int) -> None:
    # 7 × 15% = 1.05 → 1; 6 × 15% = 0.9 → 0; 14 × 15% = 2.1 → 2
    assert excellent_quota(assessed, share) == quota
