import datetime as dt
import threading

from hypothesis import assume, given
from hypothesis import strategies as st

from xuanren.common import dates as dates_module
from xuanren.common.dates import (
    add_months,
    add_years,
    completed_years,
    frozen_today,
    latest_birth_for_age,
    today,
)

dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))


def test_birthday_on_the_reference_date_counts_as_completed():
    assert completed_years(dt.date(1985, 3, 2), dt.date(2026, 3, 2)) == 41
    assert completed_years(dt.date(1985, 3, 2), dt.date(2026, 3, 1)) == 40


def test_29_february_completes_a_year_on_1_march_in_common_years():
    born = dt.date(2000, 2, 29)
    assert completed_years(born, dt.date(2001, 2, 28)) == 0
    assert completed_years(born, dt.date(2001, 3, 1)) == 1
    assert completed_years(born, dt.date(2004, 2, 29)) == 4
    assert add_years(born, 1) == dt.date(2001, 3, 1)
    assert add_years(born, 4) == dt.date(2004, 2, 29)


def test_latest_birth_for_age_on_29_february_reference():
    ref = dt.date(2028, 2, 29)
    bound = latest_birth_for_age(ref, 45)
    assert bound == dt.date(1983, 2, 28)
    assert completed_years(dt.date(1983, 2, 28), ref) == 45
    assert completed_years(dt.date(1983, 3, 1), ref) == 44


@given(birth=dates, ref=dates, age=st.integers(min_value=0, max_value=120))
def test_birth_bound_agrees_with_completed_years(birth, ref, age):
    """The SQL-friendly bound and the per-person count never disagree."""
    if ref.year - age < 1:
        return
    assert (completed_years(birth, ref) >= age) == (birth <= latest_birth_for_age(ref, age))


@given(birth=dates, years=st.integers(min_value=0, max_value=150))
def test_add_years_is_the_day_the_years_are_completed(birth, years):
    later = add_years(birth, years)
    assert completed_years(birth, later) == years
    assert completed_years(birth, later - dt.timedelta(days=1)) == years - 1 or years == 0


# ---- add_months: the day `months` months from `day` are completed (docs/decisions/0081)


def test_add_months_keeps_the_day_when_the_month_has_it():
    assert add_months(dt.date(2025, 11, 10), 12) == dt.date(2026, 11, 10)
    assert add_months(dt.date(2026, 1, 30), 2) == dt.date(2026, 3, 30)
    assert add_months(dt.date(2026, 3, 31), 2) == dt.date(2026, 5, 31)
    assert add_months(dt.date(2026, 5, 15), 0) == dt.date(2026, 5, 15)


def test_add_months_past_the_end_of_a_short_month_is_the_1st_of_the_next():
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 3, 1)
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 3, 1)
    assert add_months(dt.date(2026, 1, 29), 1) == dt.date(2026, 3, 1)
    assert add_months(dt.date(2024, 1, 29), 1) == dt.date(2024, 2, 29)  # leap year
    assert add_months(dt.date(2026, 3, 31), 1) == dt.date(2026, 5, 1)  # 30 April
    assert add_months(dt.date(2027, 12, 31), 2) == dt.date(2028, 3, 1)


def test_29_february_plus_whole_years_of_months():
    leap = dt.date(2024, 2, 29)
    assert add_months(leap, 12) == dt.date(2025, 3, 1) == add_years(leap, 1)
    assert add_months(leap, 48) == dt.date(2028, 2, 29) == add_years(leap, 4)
    assert add_months(leap, -12) == dt.date(2023, 3, 1) == add_years(leap, -1)
    assert add_months(leap, 1) == dt.date(2024, 3, 29)


def test_add_months_across_the_year_end_and_backwards():
    assert add_months(dt.date(2026, 12, 15), 1) == dt.date(2027, 1, 15)
    assert add_months(dt.date(2026, 11, 15), 1) == dt.date(2026, 12, 15)
    assert add_months(dt.date(2026, 1, 15), 11) == dt.date(2026, 12, 15)
    assert add_months(dt.date(2026, 1, 15), 12) == dt.date(2027, 1, 15)
    assert add_months(dt.date(2026, 1, 15), -1) == dt.date(2025, 12, 15)
    assert add_months(dt.date(2026, 3, 31), -1) == dt.date(2026, 3, 1)  # no 31 February
    assert add_months(dt.date(2026, 3, 15), -26) == dt.date(2024, 1, 15)


def test_a_period_of_months_ends_on_the_civil_code_day():
    """A probation or a validity counts its first day; it ends the day before
    add_months: the day before the corresponding day, or the last day of a
    month that has none (民法典 第二百零二条)."""
    from xuanren.procedure.guards.decision import probation_last_day

    assert probation_last_day(dt.date(2026, 11, 20), 12) == dt.date(2027, 11, 19)
    assert probation_last_day(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert probation_last_day(dt.date(2024, 3, 1), 12) == dt.date(2025, 2, 28)
    assert probation_last_day(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert probation_last_day(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert probation_last_day(dt.date(2026, 2, 1), 1) == dt.date(2026, 2, 28)


@given(day=dates, years=st.integers(min_value=-50, max_value=50))
def test_add_months_of_whole_years_is_add_years(day, years):
    assert add_months(day, 12 * years) == add_years(day, years)


@given(day=dates, months=st.integers(min_value=-600, max_value=600))
def test_add_months_lands_in_that_month_or_on_the_1st_of_the_next(day, months):
    later = add_months(day, months)
    target = day.year * 12 + day.month - 1 + months
    if later.day == day.day:
        assert later.year * 12 + later.month - 1 == target
    else:  # the month was too short: the 1st of the month after it
        assert later.day == 1 and later.year * 12 + later.month - 1 == target + 1


@given(a=dates, b=dates, months=st.integers(min_value=-600, max_value=600))
def test_add_months_is_monotone(a, b, months):
    if a <= b:
        assert add_months(a, months) <= add_months(b, months)


def completed_months(start: dt.date, ref: dt.date) -> int:
    """Whole months from `start` to `ref`, counted as completed_years counts years."""
    months = (ref.year - start.year) * 12 + ref.month - start.month
    return months - (ref.day < start.day)


@given(day=dates, months=st.integers(min_value=0, max_value=600))
def test_add_months_is_the_day_the_months_are_completed(day, months):
    later = add_months(day, months)
    assert completed_months(day, later) == months
    assert completed_months(day, later - dt.timedelta(days=1)) == months - 1 or months == 0


@given(day=dates, a=st.integers(min_value=-300, max_value=300), b=st.integers(-300, 300))
def test_add_months_composes_when_every_month_has_the_day(day, a, b):
    assume(day.day <= 28)
    assert add_months(add_months(day, a), b) == add_months(day, a + b)


# ---- today(): one clock for every module


def test_frozen_today_reaches_every_import_and_thread():
    from xuanren.supervision import services as supervision_services

    day = dt.date(2026, 9, 1)
    seen: list[dt.date] = []
    with frozen_today(day):
        assert today() == dates_module.today() == supervision_services.today() == day
        worker = threading.Thread(target=lambda: seen.append(today()))
        worker.start()
        worker.join()
        with frozen_today(day + dt.timedelta(days=1)):
            assert today() == dt.date(2026, 9, 2)
        assert today() == day
    assert seen == [day]
    assert dates_module._FROZEN.day is None


def test_the_clock_fixture_moves_today_for_everyone(clock):
    from xuanren.procedure import services as procedure_services

    clock.day = dt.date(2027, 2, 28)
    assert procedure_services.today() == today() == clock.day == dt.date(2027, 2, 28)
