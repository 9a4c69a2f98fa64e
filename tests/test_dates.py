import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from xuanren.common.dates import add_years, completed_years, latest_birth_for_age

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
