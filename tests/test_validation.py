"""Every cadre validation with a failing and a passing case (pure, no database)."""

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xuanren.common.errors import ErrorCollector
from xuanren.people.idnumbers import build_id_number
from xuanren.people.validation import (
    CadreFacts,
    check_id_number,
    max_concurrent,
    validate_cadre,
    validate_tenure_dates,
)

TODAY = dt.date(2026, 11, 27)
BIRTH = dt.date(1985, 3, 2)


def facts(**kw: Any) -> CadreFacts:
    base: dict[str, Any] = {
        "name": "张伟",
        "sex": "male",
        "birth_date": BIRTH,
        "id_number": build_id_number("330421", BIRTH, 11, "male"),
        "political_status": "cpc_member",
        "party_join_date": dt.date(2008, 6, 1),
        "party_full_date": dt.date(2009, 6, 1),
        "work_start_date": dt.date(2007, 8, 1),
    }
    base.update(kw)
    return CadreFacts(**base)


def fields_of(out: ErrorCollector) -> set[str]:
    return {e.field for e in out.errors}


def id_errors(number, birth=BIRTH, sex="male"):
    out = ErrorCollector()
    check_id_number(number, birth_date=birth, sex=sex, out=out)
    return out


def test_valid_cadre_has_no_errors():
    assert validate_cadre(facts(), today=TODAY).errors == []


@pytest.mark.parametrize(
    ("number", "needle"),
    [
        ("33042119850302001", "18 位"),
        ("3304211985030200A1", "前 17 位"),
        ("330421198503020110", "校验位"),
    ],
)
def test_id_number_format_errors(number, needle):
    out = id_errors(number)
    assert len(out.errors) == 1
    assert needle in out.errors[0].message


def test_id_number_check_digit_message_names_the_expected_digit():
    good = build_id_number("330421", BIRTH, 11, "male")
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    out = id_errors(bad)
    assert f"校验位应为 {good[17]}" in out.errors[0].message


def test_id_number_lowercase_x_is_accepted_and_upper_cased():
    for order in range(1, 400, 2):
        number = build_id_number("330421", BIRTH, order, "male")
        if number.endswith("X"):
            break
    else:
        pytest.fail("no X check digit in range")
    out = ErrorCollector()
    assert check_id_number(number.lower(), birth_date=BIRTH, sex="male", out=out) == number
    assert out.errors == []


def test_id_number_birth_date_must_match():
    number = build_id_number("330421", BIRTH, 11, "male")
    out = id_errors(number, birth=dt.date(1985, 3, 3))
    assert "不一致" in out.errors[0].message
    assert id_errors(number).errors == []


def test_id_number_embedded_date_must_exist():
    body = "33042119850230011"  # 30 February
    from stdnum.cn import ric

    number = body + ric.calc_check_digit(body + "0")
    out = id_errors(number, birth=None)
    assert "不是有效日期" in out.errors[0].message


def test_id_number_29_february_in_a_leap_year_is_valid():
    birth = dt.date(1988, 2, 29)
    assert id_errors(build_id_number("330421", birth, 12, "female"), birth, "female").errors == []


@pytest.mark.parametrize(("sex", "order"), [("male", 12), ("female", 11)])
def test_id_number_17th_digit_parity_must_match_sex(sex, order):
    body = f"330421{BIRTH:%Y%m%d}{order:03d}"
    from stdnum.cn import ric

    number = body + ric.calc_check_digit(body + "0")
    out = id_errors(number, sex=sex)
    assert any("性别" in e.message for e in out.errors)


def test_region_code_younger_than_its_holder_is_accepted_with_a_warning():
    # 330110 (杭州市余杭区) dates from 2001 in stdnum's table; someone born in 1985
    # holds such a number when it was issued after the re-coding.
    number = build_id_number("330110", BIRTH, 11, "male")
    out = id_errors(number)
    assert out.errors == []
    assert len(out.warnings) == 1
    assert "330110" in out.warnings[0].message


@given(
    birth=st.dates(min_value=dt.date(1940, 1, 1), max_value=dt.date(2008, 12, 31)),
    order=st.integers(min_value=0, max_value=999),
    sex=st.sampled_from(["male", "female"]),
)
def test_built_id_numbers_always_validate(birth, order, sex):
    out = id_errors(build_id_number("330421", birth, order, sex), birth, sex)
    assert out.errors == []


def test_name_required():
    assert "name" in fields_of(validate_cadre(facts(name="  "), today=TODAY))


def test_birth_date_required_and_not_in_future():
    assert "birth_date" in fields_of(validate_cadre(facts(birth_date=None), today=TODAY))
    assert "birth_date" in fields_of(
        validate_cadre(facts(birth_date=dt.date(2027, 1, 1)), today=TODAY)
    )


def test_work_start_must_follow_birth():
    out = validate_cadre(facts(work_start_date=BIRTH), today=TODAY)
    assert "work_start_date" in fields_of(out)
    out = validate_cadre(facts(work_start_date=BIRTH + dt.timedelta(days=1)), today=TODAY)
    assert "work_start_date" not in fields_of(out)


def test_party_join_at_18_exactly_is_allowed_one_day_before_is_not():
    eighteenth = dt.date(2003, 3, 2)
    ok = validate_cadre(
        facts(party_join_date=eighteenth, party_full_date=dt.date(2004, 3, 2)), today=TODAY
    )
    assert "party_join_date" not in fields_of(ok)
    early = validate_cadre(facts(party_join_date=eighteenth - dt.timedelta(days=1)), today=TODAY)
    assert "party_join_date" in fields_of(early)
    assert "未满 18 周岁" in early.errors[0].message


def test_party_join_for_someone_born_29_february():
    birth = dt.date(1988, 2, 29)
    number = build_id_number("330421", birth, 11, "male")
    base = {"birth_date": birth, "id_number": number, "party_full_date": None}
    too_early = validate_cadre(facts(party_join_date=dt.date(2006, 2, 28), **base), today=TODAY)
    assert "party_join_date" in fields_of(too_early)
    on_time = validate_cadre(facts(party_join_date=dt.date(2006, 3, 1), **base), today=TODAY)
    assert "party_join_date" not in fields_of(on_time)


def test_party_member_needs_join_date_and_non_member_must_not_have_one():
    assert "party_join_date" in fields_of(
        validate_cadre(facts(party_join_date=None, party_full_date=None), today=TODAY)
    )
    assert "party_join_date" in fields_of(
        validate_cadre(facts(political_status="masses", party_full_date=None), today=TODAY)
    )
    ok = validate_cadre(
        facts(political_status="masses", party_join_date=None, party_full_date=None), today=TODAY
    )
    assert ok.errors == []


def test_full_membership_after_joining():
    out = validate_cadre(facts(party_full_date=dt.date(2008, 6, 1)), today=TODAY)
    assert "party_full_date" in fields_of(out)


def test_tenure_dates_in_order():
    out = ErrorCollector()
    validate_tenure_dates(
        start=dt.date(2007, 8, 1),
        end=None,
        birth_date=BIRTH,
        work_start_date=dt.date(2007, 8, 1),
        out=out,
    )
    assert "start_date" in fields_of(out)
    out = ErrorCollector()
    validate_tenure_dates(
        start=dt.date(2020, 1, 1),
        end=dt.date(2020, 1, 1),
        birth_date=BIRTH,
        work_start_date=dt.date(2007, 8, 1),
        out=out,
    )
    assert "end_date" in fields_of(out)
    out = ErrorCollector()
    validate_tenure_dates(
        start=dt.date(2020, 1, 1),
        end=dt.date(2020, 1, 2),
        birth_date=BIRTH,
        work_start_date=dt.date(2007, 8, 1),
        out=out,
    )
    assert out.errors == []


def test_max_concurrent_hand_over_on_one_day_is_not_an_overlap():
    d = dt.date
    assert max_concurrent([(d(2020, 1, 1), d(2021, 1, 1)), (d(2021, 1, 1), None)]) == 1
    assert max_concurrent([(d(2020, 1, 1), d(2021, 1, 2)), (d(2021, 1, 1), None)]) == 2
    assert max_concurrent([]) == 0


@given(
    st.lists(st.tuples(st.integers(0, 60), st.one_of(st.none(), st.integers(1, 30))), max_size=12)
)
def test_max_concurrent_matches_a_day_by_day_count(raw):
    base = dt.date(2020, 1, 1)
    periods = [
        (base + dt.timedelta(days=s), None if n is None else base + dt.timedelta(days=s + n))
        for s, n in raw
    ]
    brute = max(
        (
            sum(1 for s, e in periods if s <= day and (e is None or day < e))
            for day in (base + dt.timedelta(days=i) for i in range(100))
        ),
        default=0,
    )
    assert max_concurrent(periods) == brute


def test_a_region_stdnum_lists_without_a_county_is_accepted():
    """330524 (安吉县) makes python-stdnum raise KeyError('county'); the number
    is checked like any other instead of crashing an import."""
    number = build_id_number("330524", BIRTH, 3, "male")
    out = ErrorCollector()
    assert check_id_number(number, birth_date=BIRTH, sex="male", out=out) == number
    assert out.errors == [] and out.warnings == []
