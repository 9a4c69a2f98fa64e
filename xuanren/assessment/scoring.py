"""The arithmetic of the annual assessment, pure (no ORM), in Decimal and
integers so a result can be checked by hand (docs/decisions/0150–0151).

composite = Σ over rater groups g and dimensions d of  w_g × w_d × s(g, d) ÷ 10 000,
the weights whole percentages, rounded half up to two decimals; the grade is
proposed from that rounded figure (the one printed), a figure on a band line
taking the higher grade."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from xuanren.assessment.models import Dimension, RaterGroup
from xuanren.people.models import AssessmentGrade

CENT = Decimal("0.01")
GROUPS: tuple[str, ...] = tuple(RaterGroup.values)
DIMENSIONS: tuple[str, ...] = tuple(Dimension.values)
BAND_GRADES: tuple[str, ...] = (
    AssessmentGrade.EXCELLENT,
    AssessmentGrade.COMPETENT,
    AssessmentGrade.BASICALLY_COMPETENT,
)


def weights_total(weights: Mapping[str, int]) -> int:
    return sum(int(w) for w in weights.values())


def group_score(dimension_weights: Mapping[str, int], scores: Mapping[str, Decimal]) -> Decimal:
    """One rater group's weighted score over the dimensions (not rounded)."""
    return sum(
        (Decimal(dimension_weights[d]) * scores[d] for d in DIMENSIONS), Decimal(0)
    ) / Decimal(100)


def composite(
    group_weights: Mapping[str, int],
    dimension_weights: Mapping[str, int],
    scores: Mapping[tuple[str, str], Decimal],
) -> Decimal | None:
    """The composite score, two decimals, or None while any of the fifteen
    cells (group × dimension) is missing."""
    if any((g, d) not in scores for g in GROUPS for d in DIMENSIONS):
        return None
    total = Decimal(0)
    for g in GROUPS:
        for d in DIMENSIONS:
            total += Decimal(group_weights[g] * dimension_weights[d]) * scores[(g, d)]
    return (total / Decimal(10_000)).quantize(CENT, rounding=ROUND_HALF_UP)


def proposed_grade(score: Decimal | None, bands: Mapping[str, int]) -> str:
    """The grade the bands give `score` ("" when there is no score): at or
    above a band's line is that band; below the lowest line 不称职."""
    if score is None:
        return ""
    for grade in BAND_GRADES:
        if score >= Decimal(bands[grade]):
            return grade
    return AssessmentGrade.INCOMPETENT


def excellent_quota(assessed: int, share_percent: int) -> int:
    """How many 优秀 a round of `assessed` cadres may confirm: the share of
    them, rounded down (7 at 15% → 1; 20 at 15% → 3)."""
    return assessed * share_percent // 100
