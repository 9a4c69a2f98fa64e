"""The pure working calendar: the package's 2026 arrangement, overrides, the
fallback beyond the package, and the counting convention (properties)."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lunardate import LunarDate

from xuanren.workdays.calendar import (
    MAX_YEAR,
    MIN_YEAR,
    CalendarRangeError,
    DaySource,
    ScheduleStatus,
    WorkingCalendar,
    YearNotLoaded,
    add_calendar_days,
    add_working_days,
    describe_day,
    fallback_rest_days,
    is_working_day,
    package_knows,
    schedule_status,
    statutory_days,
    unusual_days,
    working_days_between,
)

D = dt.date


# --- the package's 2026 arrangement ---------------------------------------------


def test_2026_national_day_week_is_off_and_the_8th_is_a_working_day() -> None:
    # The 2026 arrangement: 国庆 10月1日至7日放假调休，共7天 (中秋 was 25 September).
    for day in range(1, 8):
        assert not is_working_day(D(2026, 10, day))
    assert is_working_day(D(2026, 10, 8))
    assert is_working_day(D(2026, 10, 9))


def test_2026_working_weekends_from_the_package() -> None:
    for day in (D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 9, 20), D(2026, 10, 10)):
        assert day.weekday() >= 5
        assert is_working_day(day), day
    info = describe_day(D(2026, 10, 10))
    assert info.source is DaySource.OFFICIAL
    assert info.label == "国庆节调休上班"


def test_2026_spring_festival_and_ordinary_days() -> None:
    assert not any(is_working_day(D(2026, 2, d)) for d in range(15, 24))
    assert is_working_day(D(2026, 2, 24))
    assert is_working_day(D(2026, 3, 11))  # a Wednesday
    assert not is_working_day(D(2026, 3, 14))  # a Saturday
    assert describe_day(D(2026, 2, 17)).label == "春节"


def test_package_agrees_day_by_day_with_its_own_is_workday() -> None:
    day = D(MIN_YEAR, 1, 1)
    while package_knows(day.year):
        assert is_working_day(day) == chinese_calendar.is_workday(day), day
        day += dt.timedelta(days=1)
    assert day.year == 2027


# --- overrides -----------------------------------------------------------------


def test_override_turns_a_weekday_into_a_holiday_and_a_saturday_into_a_working_day() -> None:
    wednesday, saturday = D(2026, 3, 11), D(2026, 3, 14)
    overrides = {wednesday: False, saturday: True}
    assert not is_working_day(wednesday, overrides)
    assert is_working_day(saturday, overrides)
    assert is_working_day(D(2026, 3, 12), overrides)  # others untouched
    info = describe_day(wednesday, overrides, {wednesday: "县委决定"})
    assert info.source is DaySource.OVERRIDE
    assert info.label == "县委决定"
    # Monday 9 March + 5 working days: the Saturday counts, the Wednesday does not.
    assert add_working_days(D(2026, 3, 9), 5) == D(2026, 3, 13)
    assert add_working_days(D(2026, 3, 9), 5, overrides) == D(2026, 3, 14)


def test_override_beats_the_package_and_the_fallback() -> None:
    assert is_working_day(D(2026, 10, 1), {D(2026, 10, 1): True})
    assert is_working_day(D(2027, 10, 1), {D(2027, 10, 1): True})
    assert not is_working_day(D(2027, 3, 10), {D(2027, 3, 10): False})


# --- beyond the package: the fallback ------------------------------------------------


def test_2027_is_a_fallback_year_and_never_raises_not_implemented() -> None:
    assert not package_knows(2027)
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D(2027, 3, 10))  # what we protect against
    assert not is_working_day(D(2027, 10, 1))
    assert not is_working_day(D(2027, 1, 1))
    assert is_working_day(D(2027, 3, 10))  # an ordinary Wednesday
    assert not is_working_day(D(2027, 3, 13))  # an ordinary Saturday
    assert describe_day(D(2027, 10, 1)).source is DaySource.FALLBACK
    for year in range(2027, MAX_YEAR + 1):
        assert len(unusual_days(year)) >= 8  # computes, never raises


def test_2027_fallback_days_off() -> None:
    assert dict(fallback_rest_days(2027)) == {
        D(2027, 1, 1): "元旦",
        D(2027, 2, 5): "春节",  # 除夕, a Friday
        D(2027, 2, 6): "春节",
        D(2027, 2, 7): "春节",
        D(2027, 2, 8): "春节",
        D(2027, 2, 9): "春节补假",  # for the Saturday
        D(2027, 2, 10): "春节补假",  # for the Sunday
        D(2027, 4, 5): "清明节",
        D(2027, 5, 1): "劳动节",
        D(2027, 5, 2): "劳动节",
        D(2027, 5, 3): "劳动节补假",
        D(2027, 5, 4): "劳动节补假",
        D(2027, 6, 9): "端午节",
        D(2027, 9, 15): "中秋节",
        D(2027, 10, 1): "国庆节",
        D(2027, 10, 2): "国庆节",
        D(2027, 10, 3): "国庆节",
        D(2027, 10, 4): "国庆节补假",
        D(2027, 10, 5): "国庆节补假",
    }
    assert is_working_day(D(2027, 10, 6))  # 调休 unknown: the warning covers it


def test_fallback_is_never_more_generous_than_the_official_arrangement() -> None:
    # 2025 and 2026 follow the 2024 amendment: each day the fallback gives off
    # is off in the State Council's arrangement too.
    for year in (2025, 2026):
        for day in fallback_rest_days(year):
            assert not chinese_calendar.is_workday(day), day


@pytest.mark.parametrize("year", range(2008, 2027))
def test_lunar_and_solar_term_dates_agree_with_the_package(year: int) -> None:
    # 清明、端午、中秋 have been holidays since 2008; 春节 初一 always was.
    names = {name: day for day, name in statutory_days(year)}
    # (The package lists a holiday on a weekend only when it needs to, so
    # "not a working day" is the test, not membership of its holidays table.)
    for name in ("清明节", "端午节", "中秋节"):
        assert not chinese_calendar.is_workday(names[name]), name
    assert not chinese_calendar.is_workday(LunarDate(year, 1, 1).to_solar_date())


def test_mid_autumn_on_national_day_gets_an_extra_day() -> None:
    # 2020: 中秋 fell on 1 October. Computed as if 2020 had no package data.
    days = [d for d, _ in statutory_days(2020)]
    assert days.count(D(2020, 10, 1)) == 2
    rest = fallback_rest_days(2020)
    assert rest[D(2020, 10, 1)] == "中秋节、国庆节"
    # One 补假 for the shared day, one for Saturday 3 October: Monday and Tuesday.
    assert rest[D(2020, 10, 5)].endswith("补假")
    assert rest[D(2020, 10, 6)].endswith("补假")
    assert D(2020, 10, 7) not in rest


# --- schedule status ----------------------------------------------------------------


def test_schedule_status() -> None:
    assert schedule_status(2026) is ScheduleStatus.OFFICIAL
    assert schedule_status(2004) is ScheduleStatus.OFFICIAL
    assert schedule_status(2027) is ScheduleStatus.FALLBACK
    assert schedule_status(2027, entered_years={2027}) is ScheduleStatus.OFFICIAL
    assert schedule_status(2028, entered_years={2027}) is ScheduleStatus.FALLBACK


def test_years_outside_the_calendar_are_refused_with_a_value_error() -> None:
    for day in (D(2003, 12, 31), D(2100, 1, 1)):
        with pytest.raises(CalendarRangeError):
            is_working_day(day)
        with pytest.raises(ValueError):
            schedule_status(day.year)
    with pytest.raises(CalendarRangeError):
        add_working_days(D(MAX_YEAR, 12, 20), 30)


# --- the counting convention ----------------------------------------------------


def test_periods_start_on_their_first_day() -> None:
    assert add_calendar_days(D(2026, 3, 1), 7) == D(2026, 3, 7)
    assert add_calendar_days(D(2026, 12, 28), 7) == D(2027, 1, 3)
    monday = D(2026, 3, 9)
    assert add_working_days(monday, 1) == monday
    assert add_working_days(monday, 5) == D(2026, 3, 13)
    # Posted on a Saturday: counting starts on Monday.
    assert add_working_days(D(2026, 3, 7), 1) == monday
    assert add_working_days(D(2026, 3, 7), 5) == D(2026, 3, 13)
    # Across 中秋 (Friday 25 September 2026) and the weekend.
    assert add_working_days(D(2026, 9, 21), 5) == D(2026, 9, 28)
    # Across 国庆: 28, 29, 30 September, then 8 and 9 October.
    assert add_working_days(D(2026, 9, 28), 5) == D(2026, 10, 9)
    assert working_days_between(D(2026, 9, 28), D(2026, 10, 9)) == 5
    assert working_days_between(D(2026, 10, 9), D(2026, 9, 28)) == 0
    for bad in (0, -1):
        with pytest.raises(ValueError):
            add_working_days(monday, bad)
        with pytest.raises(ValueError):
            add_calendar_days(monday, bad)


def test_working_calendar_refuses_years_it_did_not_load() -> None:
    cal = WorkingCalendar(years=frozenset({2026}), overrides={D(2026, 3, 11): False})
    assert not cal.is_working_day(D(2026, 3, 11))
    with pytest.raises(YearNotLoaded):
        cal.add_working_days(D(2026, 12, 30), 5)
    with pytest.raises(CalendarRangeError):
        cal.is_working_day(D(2100, 1, 4))
    assert cal.fallback_years([2026, 2027]) == (2027,)


# --- properties ------------------------------------------------------------------

days = st.dates(min_value=D(2024, 1, 1), max_value=D(2029, 12, 31))
lengths = st.integers(min_value=1, max_value=40)
overrides_st = st.dictionaries(days, st.booleans(), max_size=12)


@settings(max_examples=150, deadline=None)
@given(start=days, n=lengths, overrides=overrides_st)
def test_add_working_days_lands_on_the_nth_working_day(
    start: dt.date, n: int, overrides: dict[dt.date, bool]
) -> None:
    end = add_working_days(start, n, overrides)
    assert end >= start
    assert is_working_day(end, overrides)
    assert working_days_between(start, end, overrides) == n
    assert working_days_between(start, end - dt.timedelta(days=1), overrides) == n - 1


@settings(max_examples=150, deadline=None)
@given(start=days, n=lengths, later=st.integers(0, 20), overrides=overrides_st)
def test_add_working_days_is_monotone(
    start: dt.date, n: int, later: int, overrides: dict[dt.date, bool]
) -> None:
    end = add_working_days(start, n, overrides)
    assert add_working_days(start, n + 1, overrides) > end
    assert add_working_days(start + dt.timedelta(days=later), n, overrides) >= end


@settings(max_examples=150, deadline=None)
@given(a=days, gap1=st.integers(0, 60), gap2=st.integers(0, 60), overrides=overrides_st)
def test_working_days_between_adds_up(
    a: dt.date, gap1: int, gap2: int, overrides: dict[dt.date, bool]
) -> None:
    b = a + dt.timedelta(days=gap1)
    c = b + dt.timedelta(days=gap2)
    whole = working_days_between(a, c, overrides)
    parts = working_days_between(a, b, overrides) + working_days_between(
        b + dt.timedelta(days=1), c, overrides
    )
    assert whole == parts
    assert 0 <= whole <= gap1 + gap2 + 1


@given(start=days, n=st.integers(1, 400))
def test_add_calendar_days_counts_the_first_day(start: dt.date, n: int) -> None:
    end = add_calendar_days(start, n)
    assert (end - start).days + 1 == n


@given(day=days, overrides=overrides_st)
def test_an_override_always_decides(day: dt.date, overrides: dict[dt.date, bool]) -> None:
    if day in overrides:
        assert is_working_day(day, overrides) is overrides[day]
    else:
        assert is_working_day(day, overrides) == is_working_day(day)
