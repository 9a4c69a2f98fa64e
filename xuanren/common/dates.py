"""Dates of record. Everything the department writes down is a date in
Asia/Shanghai; ages are in completed years (周岁).

Periods of months and years (a probation, the validity of a recommendation, a
tenure of "two years") count the start day as their first day and end the day
before `add_months(start, n)` — the day the n months are completed. When the
corresponding day does not exist in the month n months away (the 31st, or
29 February in a common year), they are completed on the 1st of the following
month: 2024-01-31 + 1 month is 2024-03-01, 2024-02-29 + 12 months is
2025-03-01, so the period's last day is the last day of that short month.
That is the Civil Code's rule (民法典 第二百零一条、第二百零二条: the period ends
on the corresponding day of the last month, or on its last day when it has
none) for periods whose first day is the start day, and the rule 周岁 follow
(docs/decisions/0081).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


class _Frozen:
    """Tests only: the date `today()` returns instead of the clock's (see
    `frozen_today`). One module-level value, not a thread-local or a context
    variable, so the browser tests' live server thread reads the test's day."""

    day: dt.date | None = None


_FROZEN = _Frozen()


def today() -> dt.date:
    """Today's date in Asia/Shanghai, whatever the server's own zone."""
    if _FROZEN.day is not None:
        return _FROZEN.day
    return dt.datetime.now(tz=SHANGHAI).date()


@contextmanager
def frozen_today(day: dt.date) -> Iterator[dt.date]:
    """`today()` is `day` everywhere (every module, every thread) inside the
    block; for tests and scripts that replay a past day."""
    before, _FROZEN.day = _FROZEN.day, day
    try:
        yield day
    finally:
        _FROZEN.day = before


def completed_years(start: dt.date, ref: dt.date) -> int:
    """Whole years from `start` to `ref` (周岁 when `start` is a birth date).

    A year is completed on the anniversary itself. Someone born on 29 February
    completes a year on 1 March in common years (the anniversary does not exist,
    and the day after 28 February is when the year has fully passed).
    """
    years = ref.year - start.year
    if (ref.month, ref.day) < (start.month, start.day):
        years -= 1
    return years


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole months (negative: back): the same day of the month
    `months` away, or the 1st of the month after it when that month is too
    short (2024-01-31 + 1 → 2024-03-01; 2024-02-29 + 12 → 2025-03-01).

    It is the day `months` months from `day` are completed; a period of
    `months` starting on `day` runs to the day before. add_months(d, 12 * n)
    == add_years(d, n).
    """
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    try:
        return dt.date(year, month0 + 1, day.day)
    except ValueError:  # no such day in that month: it has passed by the 1st of the next
        year, month0 = divmod(year * 12 + month0 + 1, 12)
        return dt.date(year, month0 + 1, 1)


def add_years(day: dt.date, years: int) -> dt.date:
    """`day` moved by whole years; 29 February becomes 1 March in a common year,
    matching completed_years (completed_years(d, add_years(d, n)) == n) and
    add_months (add_years(d, n) == add_months(d, 12 * n))."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return dt.date(day.year + years, 3, 1)


def latest_birth_for_age(ref: dt.date, age: int) -> dt.date:
    """The latest birth date of someone who is at least `age` 周岁 on `ref`.

    age_at(ref) >= age  <=>  birth <= latest_birth_for_age(ref, age), so a
    database can compare an indexed birth_date column with one value. When
    `ref` is 29 February and the year `age` years earlier is common, the bound
    is 28 February (someone born on 1 March has not had that birthday yet).
    """
    year = ref.year - age
    try:
        return ref.replace(year=year)
    except ValueError:
        return dt.date(year, 2, 28)
