"""Pure calculations of a reserve round (no ORM): the pass line, the review
date and the counts of each stage (docs/decisions/0153–0154)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from xuanren.common.dates import add_months

CHANNELS = ("organization", "masses", "self")
TIERS = ("near", "longer")


def passes(score: Decimal, pass_line: Decimal) -> bool:
    """A score exactly on the pass line passes (the line is the lowest passing score)."""
    return score >= pass_line


def review_due(listed_on: dt.date, last_review: dt.date | None, months: int) -> dt.date:
    """The day the next review is due: `months` after the last review, or after
    the day the list was fixed when it has not been reviewed (add_months:
    2024-02-29 + 24 months is 2026-03-01)."""
    return add_months(last_review or listed_on, months)


def subject_total(
    mode: str, subjects: Iterable[tuple[str, int]], scores: dict[str, Decimal]
) -> Decimal:
    """The test total from the subject scores (decision 0173): a plain sum
    (each subject out of its points), or weighted (each out of 100, times its
    points as percent), half up to one decimal like every score of the round."""
    if mode == "weighted":
        total = sum((scores[name] * points for name, points in subjects), Decimal(0)) / 100
    else:
        total = sum((scores[name] for name, _points in subjects), Decimal(0))
    return total.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class NomineeFacts:
    channels: frozenset[str]
    score: Decimal | None
    inspection: str  # InspectionResult code


@dataclass(frozen=True)
class MemberFacts:
    tier: str
    left: bool
    leave_reason: str = ""


@dataclass(frozen=True)
class RoundCounts:
    by_channel: dict[str, int]  # nominees each channel nominated
    nominations: int  # channel nominations (a person in two channels counts twice)
    nominated: int  # persons
    tested: int
    passed: int
    failed: int
    inspected: int
    inspection_passed: int
    inspection_failed: int
    listed: dict[str, int]  # on the list now, per tier
    left: int
    left_by_reason: dict[str, int] = field(default_factory=dict)

    @property
    def listed_total(self) -> int:
        return sum(self.listed.values())


def round_counts(
    nominees: Iterable[NomineeFacts], members: Iterable[MemberFacts], pass_line: Decimal
) -> RoundCounts:
    by_channel = dict.fromkeys(CHANNELS, 0)
    nominations = nominated = tested = passed = inspected = insp_ok = insp_failed = 0
    for n in nominees:
        nominated += 1
        for c in n.channels:
            by_channel[c] = by_channel.get(c, 0) + 1
            nominations += 1
        if n.score is not None:
            tested += 1
            passed += passes(n.score, pass_line)
        if n.inspection != "pending":
            inspected += 1
            insp_ok += n.inspection == "passed"
            insp_failed += n.inspection == "failed"
    listed = dict.fromkeys(TIERS, 0)
    left = 0
    by_reason: dict[str, int] = {}
    for m in members:
        if m.left:
            left += 1
            by_reason[m.leave_reason] = by_reason.get(m.leave_reason, 0) + 1
        else:
            listed[m.tier] = listed.get(m.tier, 0) + 1
    return RoundCounts(
        by_channel=by_channel,
        nominations=nominations,
        nominated=nominated,
        tested=tested,
        passed=passed,
        failed=tested - passed,
        inspected=inspected,
        inspection_passed=insp_ok,
        inspection_failed=insp_failed,
        listed=listed,
        left=left,
        left_by_reason=by_reason,
    )
