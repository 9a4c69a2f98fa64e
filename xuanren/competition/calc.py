"""竞聘评分 arithmetic, pure (no ORM), in Decimal (docs/decisions/0147, 0148).

- A judge's score is 0–100 with at most one decimal.
- A sub-test's score for a candidate is the mean of the judges' scores; when
  at least `trim_min_judges` judges scored, the single highest and the single
  lowest are dropped first (one of each, even if several judges gave it).
  The mean is rounded half up to two decimals.
- The composite is Σ weight% × sub-test score / 100 over the sub-tests,
  from the rounded sub-test scores, rounded half up to two decimals.
- The ranking (per post) is by the composite, highest first; equal composites
  are ordered by the tie-break sub-tests in `TIE_ORDER` (the written test
  first); still equal, the candidates share the rank (并列: 1, 2, 2, 4).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

SCORE_MIN = Decimal("0")
SCORE_MAX = Decimal("100")
ONE_DECIMAL = Decimal("0.1")
TWO_DECIMALS = Decimal("0.01")
WEIGHT_TOTAL = 100
#: The fewest judges there may be for the highest and lowest to be dropped:
#: three judges leave one score after trimming, so never fewer than three.
TRIM_FLOOR = 3

#: Sub-test codes in the order the sheet shows them and the tie rule reads them.
TIE_ORDER = ("written", "situational", "group_discussion", "speech")


def score_problem(value: Decimal) -> str | None:
    """Why `value` cannot be a judge's score (an English key), or None."""
    if not value.is_finite():
        return "not_a_number"
    if value < SCORE_MIN or value > SCORE_MAX:
        return "out_of_range"
    if value != value.quantize(ONE_DECIMAL):
        return "too_many_decimals"
    return None


def weights_problem(weights: Mapping[str, int]) -> str | None:
    """Why these weights (percent per sub-test) cannot stand, or None."""
    if not weights:
        return "empty"
    if any(isinstance(w, bool) or not isinstance(w, int) or w <= 0 for w in weights.values()):
        return "not_positive"
    if sum(weights.values()) != WEIGHT_TOTAL:
        return "not_100"
    return None


def round2(value: Decimal) -> Decimal:
    return value.quantize(TWO_DECIMALS, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Trimmed:
    """A sub-test score: the mean and which scores counted."""

    mean: Decimal
    kept: tuple[Decimal, ...]
    dropped: tuple[Decimal, ...]


def trimmed_mean(values: Sequence[Decimal], trim_min_judges: int) -> Trimmed:
    """The mean of the judges' scores, the highest and lowest dropped when
    there are at least `trim_min_judges` of them (never below TRIM_FLOOR)."""
    if not values:
        raise ValueError("no scores")
    ordered = sorted(values)
    dropped: tuple[Decimal, ...]
    if len(ordered) >= max(trim_min_judges, TRIM_FLOOR):
        kept = tuple(ordered[1:-1])
        dropped = (ordered[0], ordered[-1])
    else:
        kept, dropped = tuple(ordered), ()
    return Trimmed(round2(sum(kept, Decimal(0)) / len(kept)), kept, dropped)


def composite(subscores: Mapping[str, Decimal], weights: Mapping[str, int]) -> Decimal:
    """Σ weight% × sub-test score / 100, rounded to two decimals."""
    total = sum((subscores[code] * weights[code] for code in weights), Decimal(0))
    return round2(total / WEIGHT_TOTAL)


@dataclass(frozen=True)
class Entry:
    """One candidate on the sheet: their key, composite and sub-test scores."""

    key: int
    composite: Decimal
    subscores: Mapping[str, Decimal]


def _tie_key(entry: Entry, codes: Sequence[str]) -> tuple[Decimal, ...]:
    return (entry.composite, *(entry.subscores.get(c, Decimal(-1)) for c in codes))


def rank(entries: Sequence[Entry]) -> list[tuple[Entry, int, bool]]:
    """(entry, rank, tied) in rank order: highest composite first, equal
    composites ordered by TIE_ORDER's sub-tests; equal in all, a shared rank."""
    codes = [c for c in TIE_ORDER if any(c in e.subscores for e in entries)]
    ordered = sorted(entries, key=lambda e: tuple(-v for v in _tie_key(e, codes)))
    out: list[tuple[Entry, int, bool]] = []
    for i, e in enumerate(ordered):
        if i and _tie_key(e, codes) == _tie_key(ordered[i - 1], codes):
            out.append((e, out[-1][1], True))
            if not out[-2][2]:
                out[-2] = (out[-2][0], out[-2][1], True)
        else:
            out.append((e, i + 1, False))
    return out
