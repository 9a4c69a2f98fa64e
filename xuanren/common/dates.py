"""Dates of record. Everything the department writes down is a date in
Asia/Shanghai; ages are in completed years (周岁)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def today() -> dt.date:
    """Today's date in Asia/Shanghai, whatever the server's own zone."""
    return dt.datetime.now(tz=SHANGHAI).date()


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


def add_years(day: dt.date, years: int) -> dt.date:
    """`day` moved by whole years; 29 February becomes 1 March in a common year,
    matching completed_years (completed_years(d, add_years(d, n)) == n)."""
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
