"""The working-day calendar (工作日历): pure functions, no database.

Where a day's status comes from, first match wins:

1. an administrator's override (a mapping date → working or not);
2. the `chinese_calendar` package, which carries the State Council's yearly
   arrangements with 调休 (2004–2026 in version 1.11.0);
3. beyond the package's data, a fallback: Monday to Friday, minus the
   statutory holidays of 《全国年节及纪念日放假办法》 as amended in 2024, and
   minus the 补假 that the same 办法 requires when a statutory day falls on a
   Saturday or Sunday (or on another statutory day). The fallback cannot know
   the year's 调休, so `schedule_status` tells the caller to warn.

Counting convention (docs/decisions/0011-working-days.md): a period starts ON
its first day. "5 working days" from S ends on the 5th working day counting S
itself when S is a working day (when it is not, counting starts at the next
working day); "7 calendar days" from S ends on S + 6.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from types import MappingProxyType

import chinese_calendar
from lunardate import LunarDate

#: Years the calendar answers for: the package's first year, the lunar table's last.
MIN_YEAR = 2004
MAX_YEAR = 2099

ONE_DAY = dt.timedelta(days=1)

Overrides = Mapping[dt.date, bool]
_NONE: Overrides = MappingProxyType({})


class CalendarRangeError(ValueError):
    """A date outside MIN_YEAR..MAX_YEAR (no data to say whether it is a working day)."""

    def __init__(self, year: int) -> None:
        super().__init__(f"year {year} is outside the working calendar ({MIN_YEAR}–{MAX_YEAR})")
        self.year = year


class YearNotLoaded(LookupError):
    """A WorkingCalendar was asked about a year whose overrides it did not load."""

    def __init__(self, year: int) -> None:
        super().__init__(f"year {year} was not loaded into this working calendar")
        self.year = year


class ScheduleStatus(StrEnum):
    OFFICIAL = "official"  # the State Council's arrangement is known (package or administrator)
    FALLBACK = "fallback"  # Monday–Friday minus statutory holidays; 调休 unknown


class PeriodUnit(StrEnum):
    CALENDAR_DAYS = "calendar_days"
    WORKING_DAYS = "working_days"


class DaySource(StrEnum):
    OVERRIDE = "override"
    OFFICIAL = "official"
    FALLBACK = "fallback"


def check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise CalendarRangeError(year)


# --- the package's data -------------------------------------------------------
# `holidays` and `workdays` are the package's exported tables; reading them
# directly is what its own is_workday does, without the NotImplementedError it
# raises for years it has no data for.

_PACKAGE_YEARS = frozenset(d.year for d in chinese_calendar.holidays)
_PACKAGE_FIRST = min(_PACKAGE_YEARS)
_PACKAGE_LAST = max(_PACKAGE_YEARS)


def package_knows(year: int) -> bool:
    """Whether the installed chinese_calendar carries this year's official arrangement."""
    return _PACKAGE_FIRST <= year <= _PACKAGE_LAST


def _official_is_working(day: dt.date) -> bool:
    if day in chinese_calendar.workdays:
        return True
    return day.weekday() < 5 and day not in chinese_calendar.holidays


def _official_label(day: dt.date) -> str:
    name = chinese_calendar.workdays.get(day) or chinese_calendar.holidays.get(day)
    if name is None:
        return ""
    try:
        return str(chinese_calendar.Holiday(name).chinese)
    except ValueError:
        return str(name)


# --- the fallback --------------------------------------------------------------


def _qingming(year: int) -> dt.date:
    """清明 is the solar term itself (4 or 5 April), from the package's formula."""
    terms = chinese_calendar.get_solar_terms(dt.date(year, 4, 1), dt.date(year, 4, 30))
    return terms[0][0]


@cache
def statutory_days(year: int) -> tuple[tuple[dt.date, str], ...]:
    """The statutory holidays of 《全国年节及纪念日放假办法》 (2024 amendment, in
    force from 2025), in date order; a day appears twice when two holidays fall
    on it (中秋 on 1 October)."""
    check_year(year)
    new_year = LunarDate(year, 1, 1).to_solar_date()
    days = [
        (dt.date(year, 1, 1), "元旦"),
        (new_year - ONE_DAY, "春节"),  # 农历除夕
        *((new_year + dt.timedelta(days=i), "春节") for i in range(3)),  # 初一至初三
        (_qingming(year), "清明节"),
        (dt.date(year, 5, 1), "劳动节"),
        (dt.date(year, 5, 2), "劳动节"),
        (LunarDate(year, 5, 5).to_solar_date(), "端午节"),
        (LunarDate(year, 8, 15).to_solar_date(), "中秋节"),
        *((dt.date(year, 10, d), "国庆节") for d in (1, 2, 3)),
    ]
    return tuple(sorted(days))


@cache
def fallback_rest_days(year: int) -> Mapping[dt.date, str]:
    """Weekdays off in the fallback: the statutory days, plus one 补假 for each
    statutory day that falls on a weekend or on another statutory day, on the
    first Monday–Friday after it that is not already a day off."""
    days = statutory_days(year)
    taken = {day for day, _name in days}
    rest: dict[dt.date, str] = {}
    for day, name in days:
        if day in rest or day.weekday() >= 5:
            lieu = day + ONE_DAY
            while lieu.weekday() >= 5 or lieu in taken:
                lieu += ONE_DAY
            taken.add(lieu)
            rest[lieu] = f"{name}补假"
        if day not in rest:
            rest[day] = name
        elif name not in rest[day]:
            rest[day] = f"{rest[day]}、{name}"
    return MappingProxyType(dict(sorted(rest.items())))


def _fallback_is_working(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in fallback_rest_days(day.year)


# --- one day -------------------------------------------------------------------


def is_working_day(day: dt.date, overrides: Overrides | None = None) -> bool:
    """Whether `day` is a working day (上班). Raises CalendarRangeError outside
    MIN_YEAR..MAX_YEAR; never NotImplementedError."""
    check_year(day.year)
    if overrides and day in overrides:
        return bool(overrides[day])
    if package_knows(day.year):
        return _official_is_working(day)
    return _fallback_is_working(day)


@dataclass(frozen=True)
class DayInfo:
    day: dt.date
    is_working_day: bool
    source: DaySource
    label: str  # 节日名、补假、调休上班, or the administrator's note; "" for an ordinary day


def describe_day(
    day: dt.date, overrides: Overrides | None = None, notes: Mapping[dt.date, str] | None = None
) -> DayInfo:
    """What the calendar says about `day`, where that comes from and why."""
    check_year(day.year)
    if overrides and day in overrides:
        note = (notes or {}).get(day, "")
        return DayInfo(day, bool(overrides[day]), DaySource.OVERRIDE, note)
    if package_knows(day.year):
        working = _official_is_working(day)
        label = _official_label(day)
        if label and working:
            label = f"{label}调休上班"
        return DayInfo(day, working, DaySource.OFFICIAL, label)
    return DayInfo(
        day,
        _fallback_is_working(day),
        DaySource.FALLBACK,
        fallback_rest_days(day.year).get(day, ""),
    )


def unusual_days(
    year: int, overrides: Overrides | None = None, notes: Mapping[dt.date, str] | None = None
) -> list[DayInfo]:
    """The days of `year` that differ from plain Monday–Friday, or that an
    administrator set: what an administrator checks against the State Council's
    notice before marking the year as entered."""
    check_year(year)
    out = []
    day = dt.date(year, 1, 1)
    while day.year == year:
        info = describe_day(day, overrides, notes)
        if info.source is DaySource.OVERRIDE or info.is_working_day != (day.weekday() < 5):
            out.append(info)
        day += ONE_DAY
    return out


def schedule_status(year: int, entered_years: Collection[int] = ()) -> ScheduleStatus:
    """OFFICIAL when the package has the year or an administrator marked the
    year's arrangement as entered; FALLBACK otherwise (the UI must warn)."""
    check_year(year)
    if package_knows(year) or year in entered_years:
        return ScheduleStatus.OFFICIAL
    return ScheduleStatus.FALLBACK


# --- periods -------------------------------------------------------------------

Predicate = Callable[[dt.date], bool]


def _nth_working_day(start: dt.date, n: int, working: Predicate) -> dt.date:
    if n < 1:
        raise ValueError("a period has at least one day")
    day = start
    count = 0
    while True:
        if working(day):
            count += 1
            if count == n:
                return day
        day += ONE_DAY


def _count_working(a: dt.date, b: dt.date, working: Predicate) -> int:
    count = 0
    day = a
    while day <= b:
        count += working(day)
        day += ONE_DAY
    return count


def add_working_days(start: dt.date, n: int, overrides: Overrides | None = None) -> dt.date:
    """The n-th working day counting from `start` inclusive (n >= 1). The result
    is always a working day; working_days_between(start, result) == n."""
    return _nth_working_day(start, n, lambda d: is_working_day(d, overrides))


def add_calendar_days(start: dt.date, n: int) -> dt.date:
    """The last day of a period of n calendar days that starts on `start` (n >= 1):
    7 days from S end on S + 6."""
    if n < 1:
        raise ValueError("a period has at least one day")
    return start + dt.timedelta(days=n - 1)


def working_days_between(a: dt.date, b: dt.date, overrides: Overrides | None = None) -> int:
    """How many working days lie in [a, b], both ends included; 0 when b < a."""
    return _count_working(a, b, lambda d: is_working_day(d, overrides))


def years_of(a: dt.date, b: dt.date) -> range:
    return range(a.year, b.year + 1)


@dataclass(frozen=True)
class WorkingCalendar:
    """The calendar with a set of administrator overrides, for the years they
    were loaded for (selectors.working_calendar). Asking about another year
    raises YearNotLoaded rather than silently ignoring its overrides."""

    years: frozenset[int]
    overrides: Mapping[dt.date, bool] = field(default_factory=dict)
    notes: Mapping[dt.date, str] = field(default_factory=dict)
    entered_years: frozenset[int] = frozenset()

    def _check(self, day: dt.date) -> None:
        if day.year not in self.years:
            check_year(day.year)
            raise YearNotLoaded(day.year)

    def is_working_day(self, day: dt.date) -> bool:
        self._check(day)
        return is_working_day(day, self.overrides)

    def describe_day(self, day: dt.date) -> DayInfo:
        self._check(day)
        return describe_day(day, self.overrides, self.notes)

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        return _nth_working_day(start, n, self.is_working_day)

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        return _count_working(a, b, self.is_working_day)

    def schedule_status(self, year: int) -> ScheduleStatus:
        return schedule_status(year, self.entered_years)

    def fallback_years(self, years: Iterable[int]) -> tuple[int, ...]:
        return tuple(
            y for y in sorted(set(years)) if self.schedule_status(y) is ScheduleStatus.FALLBACK
        )
