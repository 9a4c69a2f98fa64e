"""The rotation alerts' arithmetic, pure (no ORM): dates and whole months
(xuanren.common.dates). A threshold of n months starting on `since` is
reached on add_months(since, n) — the anniversary itself (ten years from
2016-03-15 on 2026-03-15; from 29 February 2016 on 1 March 2026, the day the
ten years are completed, docs/decisions/0176). It is approaching from
`window` months before that day.

The list reads the other way round: who reaches n months by a horizon? Those
whose `since` is on or before `cutoff(horizon, n)`, a range of an indexed
start date instead of a computation per cadre."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from xuanren.common.dates import add_months

ONE_DAY = dt.timedelta(days=1)


class Stage(StrEnum):
    NONE = "none"
    APPROACHING = "approaching"
    REACHED = "reached"


def reached_on(since: dt.date, months: int) -> dt.date:
    """The day `months` months from `since` are completed."""
    return add_months(since, months)


def cutoff(horizon: dt.date, months: int) -> dt.date:
    """The latest start date whose `months` are completed by `horizon`
    (inclusive): since <= cutoff  <=>  reached_on(since, months) <= horizon.
    add_months never goes backwards, so the boundary is found from the
    estimate add_months(horizon, -months) within a few days."""
    day = add_months(horizon, -months)
    while reached_on(day, months) > horizon:
        day -= ONE_DAY
    while reached_on(day + ONE_DAY, months) <= horizon:
        day += ONE_DAY
    return day


def stage(since: dt.date, months: int, on: dt.date, window_months: int) -> Stage:
    due = reached_on(since, months)
    if due <= on:
        return Stage.REACHED
    if due <= add_months(on, window_months):
        return Stage.APPROACHING
    return Stage.NONE


def completed_months(since: dt.date, on: dt.date) -> int:
    """Whole months from `since` to `on` (a month completed on add_months)."""
    if on < since:
        return 0
    months = (on.year - since.year) * 12 + on.month - since.month
    while months > 0 and add_months(since, months) > on:
        months -= 1
    return months


def years_text_parts(months: int) -> tuple[int, int]:
    """(years, months) of a whole number of months."""
    return divmod(months, 12)


def terms_served(since: dt.date, on: dt.date, term_months: int) -> int:
    """Completed consecutive terms in the post: a term is `term_months`."""
    return completed_months(since, on) // term_months
