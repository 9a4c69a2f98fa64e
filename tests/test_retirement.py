"""Statutory retirement under the 2024 decision (docs/decisions/0080).

Cases from 《国务院关于渐进式延迟职工法定退休年龄的办法》第一条 and its 对照表: the
month of birth gives the new age and the month of retirement."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from tests.web.helpers import page_text
from xuanren.common.dates import add_years, today
from xuanren.org.models import Level
from xuanren.people.retirement import (
    delay_months,
    latest_birth_retiring_by,
    original_retirement_age,
    retirement_age_months,
    statutory_retirement,
)
from xuanren.people.selectors import approaching_age_limit
from xuanren.procedure.todo import home_todo


def ym(months: int) -> tuple[int, int]:
    return divmod(months, 12)


# ---- men: 60 → 63, one month per four months of birth from 1965-01 --------------


def test_man_born_before_1965_retires_at_60():
    born = dt.date(1964, 12, 15)
    assert retirement_age_months(born, 60) == 60 * 12
    assert statutory_retirement(born, original_age=60) == dt.date(2024, 12, 15)


def test_man_born_1964_12_31_retires_on_his_60th_birthday():
    assert statutory_retirement(dt.date(1964, 12, 31), original_age=60) == dt.date(2024, 12, 31)


def test_first_cohort_of_men_is_one_month_later():
    # 对照表: 1965年1月—1965年4月 出生, 60岁1个月, 退休时间 2025年2月—2025年5月.
    for month in (1, 2, 3, 4):
        born = dt.date(1965, month, 10)
        assert ym(retirement_age_months(born, 60)) == (60, 1)
        assert statutory_retirement(born, original_age=60) == dt.date(2025, month + 1, 10)
    # The next four months of birth: 60 years 2 months.
    assert ym(retirement_age_months(dt.date(1965, 5, 1), 60)) == (60, 2)
    assert statutory_retirement(dt.date(1965, 5, 1), original_age=60) == dt.date(2025, 7, 1)


@pytest.mark.parametrize(
    ("born", "age", "retires"),
    [
        # Examples of the 对照表 (birth month → new age, month of retirement).
        (dt.date(1966, 1, 1), (60, 4), dt.date(2026, 5, 1)),
        (dt.date(1975, 6, 1), (62, 8), dt.date(2038, 2, 1)),
        (dt.date(1976, 8, 1), (62, 11), dt.date(2039, 7, 1)),
    ],
)
def test_men_along_the_schedule(born, age, retires):
    assert ym(retirement_age_months(born, 60)) == age
    assert statutory_retirement(born, original_age=60) == retires


def test_men_reach_the_cap_of_63_from_1976_09():
    assert delay_months(dt.date(1976, 8, 31), 60) == 35
    assert delay_months(dt.date(1976, 9, 1), 60) == 36
    assert statutory_retirement(dt.date(1976, 9, 1), original_age=60) == dt.date(2039, 9, 1)
    # Never beyond 63.
    assert retirement_age_months(dt.date(1990, 5, 20), 60) == 63 * 12
    assert statutory_retirement(dt.date(1990, 5, 20), original_age=60) == dt.date(2053, 5, 20)


# ---- women of original age 55: 55 → 58 from 1970-01 --------------------------------


def test_women_cadres_55_to_58():
    assert statutory_retirement(dt.date(1969, 12, 5), original_age=55) == dt.date(2024, 12, 5)
    assert ym(retirement_age_months(dt.date(1970, 1, 5), 55)) == (55, 1)
    assert statutory_retirement(dt.date(1970, 1, 5), original_age=55) == dt.date(2025, 2, 5)
    # 对照表 examples: born 1970-06 → 2025-08; 1971-06 → 2026-11.
    assert statutory_retirement(dt.date(1970, 6, 1), original_age=55) == dt.date(2025, 8, 1)
    assert statutory_retirement(dt.date(1971, 6, 1), original_age=55) == dt.date(2026, 11, 1)
    # The cap: 58 from 1981-09 on, 57 years 11 months just before.
    assert ym(retirement_age_months(dt.date(1981, 8, 1), 55)) == (57, 11)
    assert ym(retirement_age_months(dt.date(1981, 9, 1), 55)) == (58, 0)
    assert ym(retirement_age_months(dt.date(1988, 9, 1), 55)) == (58, 0)


# ---- women of original age 50: 50 → 55, one month per two months from 1975-01 -----


def test_women_workers_50_to_55_in_two_month_steps():
    assert statutory_retirement(dt.date(1974, 12, 1), original_age=50) == dt.date(2024, 12, 1)
    # 1975-01 and 1975-02: 50 years 1 month; 1975-03: 50 years 2 months.
    assert ym(retirement_age_months(dt.date(1975, 1, 1), 50)) == (50, 1)
    assert ym(retirement_age_months(dt.date(1975, 2, 28), 50)) == (50, 1)
    assert ym(retirement_age_months(dt.date(1975, 3, 1), 50)) == (50, 2)
    assert statutory_retirement(dt.date(1975, 1, 1), original_age=50) == dt.date(2025, 2, 1)
    # 对照表 examples: 1975-06 → 2025-09, 1976-06 → 2027-03, 1977-01 → 2028-02.
    assert statutory_retirement(dt.date(1975, 6, 1), original_age=50) == dt.date(2025, 9, 1)
    assert statutory_retirement(dt.date(1976, 6, 1), original_age=50) == dt.date(2027, 3, 1)
    assert statutory_retirement(dt.date(1977, 1, 1), original_age=50) == dt.date(2028, 2, 1)
    # The cap: 55 from 1984-11 on (2039-11), 54 years 11 months for 1984-09/10.
    assert ym(retirement_age_months(dt.date(1984, 10, 1), 50)) == (54, 11)
    assert ym(retirement_age_months(dt.date(1984, 11, 1), 50)) == (55, 0)
    assert statutory_retirement(dt.date(1984, 11, 1), original_age=50) == dt.date(2039, 11, 1)
    assert retirement_age_months(dt.date(1999, 1, 1), 50) == 55 * 12


def test_unknown_original_age_is_refused():
    with pytest.raises(ValueError):
        statutory_retirement(dt.date(1970, 1, 1), original_age=65)


# ---- the day: the birth day in the 对照表's month, or that month's last day -------


def test_29_february_births():
    # Into a leap February: the day exists.
    assert statutory_retirement(dt.date(1964, 2, 29), original_age=60) == dt.date(2024, 2, 29)
    # Into a common February: its last day, still in the month the 办法 names.
    assert statutory_retirement(dt.date(1968, 2, 29), original_age=55) == dt.date(2023, 2, 28)
    assert statutory_retirement(dt.date(1980, 2, 29), original_age=60) == dt.date(2043, 2, 28)
    assert statutory_retirement(dt.date(1988, 2, 29), original_age=50) == dt.date(2043, 2, 28)
    # Moved to another month by the delay: the 29th of that month.
    assert statutory_retirement(dt.date(1968, 2, 29), original_age=60) == dt.date(2028, 12, 29)


def test_31st_births_stay_in_the_month_of_the_table():
    # Born 1965-01-31: the 对照表 says 退休时间 2025年2月.
    assert statutory_retirement(dt.date(1965, 1, 31), original_age=60) == dt.date(2025, 2, 28)
    # Born 1970-07 (55 years 2 months): 2025-09, which has 30 days.
    assert statutory_retirement(dt.date(1970, 7, 31), original_age=55) == dt.date(2025, 9, 30)


# ---- the monotone bound the database compares with -----------------------------------

births = st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2000, 12, 31))
horizons = st.dates(min_value=dt.date(1985, 1, 1), max_value=dt.date(2070, 12, 31))


@given(born=births, horizon=horizons, original=st.sampled_from([60, 55, 50]))
def test_bound_agrees_with_the_pure_function(born, horizon, original):
    retires_by = statutory_retirement(born, original_age=original) <= horizon
    assert retires_by == (born <= latest_birth_retiring_by(horizon, original))


@given(horizon=horizons, original=st.sampled_from([60, 55, 50]))
def test_bound_is_the_latest_such_birth(horizon, original):
    bound = latest_birth_retiring_by(horizon, original)
    assert statutory_retirement(bound, original_age=original) <= horizon
    later = bound + dt.timedelta(days=1)
    assert statutory_retirement(later, original_age=original) > horizon


def test_bound_brute_force_around_the_transitions():
    """Every birth day 1964-1986 against horizons at month ends and inside."""
    days = [dt.date(1964, 1, 1) + dt.timedelta(days=i) for i in range(0, 23 * 366)]
    for original in (60, 55, 50):
        dates = [statutory_retirement(b, original_age=original) for b in days]
        for horizon in (
            dt.date(2025, 2, 27),
            dt.date(2025, 2, 28),
            dt.date(2028, 2, 29),
            dt.date(2030, 7, 15),
            dt.date(2039, 9, 30),
            dt.date(2043, 2, 28),
        ):
            expected = max(
                (b for b, r in zip(days, dates, strict=True) if r <= horizon), default=None
            )
            if expected is not None and expected < days[-1]:
                assert latest_birth_retiring_by(horizon, original) == expected


# ---- which original age -----------------------------------------------------------


def test_original_ages():
    assert original_retirement_age(sex="male", level=None) == 60
    assert original_retirement_age(sex="male", level=Level.SECTION_PRINCIPAL) == 60
    assert original_retirement_age(sex="male", level=None, identity="工人") == 60
    # Women cadres: 55; unrecorded identity counts as 公务员.
    assert original_retirement_age(sex="female", level=Level.SECTION_PRINCIPAL) == 55
    assert original_retirement_age(sex="female", level="", identity="civil_servant") == 55
    assert original_retirement_age(sex="female", level=None, identity="state_enterprise") == 55
    # Women at 县处级 and above in organs and public institutions: 60.
    for level in (Level.DIVISION_DEPUTY, Level.DIVISION_PRINCIPAL, Level.BUREAU_PRINCIPAL):
        assert original_retirement_age(sex="female", level=level) == 60
        assert original_retirement_age(sex="female", level=level, identity="参照公务员法管理") == 60
        assert original_retirement_age(sex="female", level=level, identity="事业单位") == 60
    # ... but not in a state enterprise (the 2015 rule covers organs and institutions).
    assert (
        original_retirement_age(
            sex="female", level=Level.DIVISION_DEPUTY, identity="state_enterprise"
        )
        == 55
    )
    # Women workers: 50.
    assert original_retirement_age(sex="female", level=None, identity="工人") == 50
    assert original_retirement_age(sex="female", level=None, identity="worker") == 50
    with pytest.raises(ValueError):
        original_retirement_age(sex="", level=None)


# ---- the selector and the dashboard ---------------------------------------------------

TODAY = dt.date(2026, 12, 6)


@pytest.fixture
def frozen(clock):
    clock.day = TODAY
    return TODAY


@pytest.fixture
def retirees(county, make_cadre, frozen):
    def make(name, sex, birth, **kw):
        return make_cadre(
            county.town,
            name=name,
            sex=sex,
            birth=birth,
            party_join=add_years(birth, 25),
            work_start=add_years(birth, 20),
            **kw,
        )

    return {
        # Born 1966-12: 60 years 6 months → 2027-06-10, within the year.
        "zhou": make("周建", "male", dt.date(1966, 12, 10)),
        # Born 1967-06: 60 years 8 months → 2028-02-10: outside the year,
        # though he turns 60 within it (the old list showed him).
        "wu": make("吴明", "male", dt.date(1967, 6, 10)),
        # Born 1964-11: 60 in 2024-11 and still active: past, listed first.
        "zheng": make("郑老", "male", dt.date(1964, 11, 1)),
        # Born 1971-03 (original 55): 55 years 4 months → 2026-07-20, past.
        "chen": make("陈静", "female", dt.date(1971, 3, 20)),
        # Born 1972-01 (original 55): 55 years 7 months → 2027-08-15.
        "lin": make("林芳", "female", dt.date(1972, 1, 15)),
        # Born 1971-12 at 正处级 (original 60): 2033 — not listed (the old list
        # took every woman at 55).
        "he": make(
            "何丽",
            "female",
            dt.date(1971, 12, 1),
            level=Level.DIVISION_PRINCIPAL,
            level_since=dt.date(2020, 1, 1),
        ),
        # Born 1972-06 (original 55): 55 years 8 months → 2028-02-01: not
        # listed, though she turns 55 within the year.
        "xu": make("徐敏", "female", dt.date(1972, 6, 1)),
    }


EXPECTED = [
    ("郑老", dt.date(2024, 11, 1)),
    ("陈静", dt.date(2026, 7, 20)),
    ("周建", dt.date(2027, 6, 10)),
    ("林芳", dt.date(2027, 8, 15)),
]


@pytest.mark.django_db
def test_selector_lists_by_statutory_date(personas, retirees):
    officer = personas.case_officer
    names = set(approaching_age_limit(actor=officer).values_list("name", flat=True))
    assert names == {name for name, _ in EXPECTED}
    # the home page's 临近退休 panel: the kept reminders (decision 0195) read
    # a year ahead, the earliest statutory dates first, across the groups
    _items, rows = home_todo(actor=officer, on=today())
    assert rows is not None
    assert [(r.cadre.name, r.retirement_date) for r in rows] == EXPECTED


@pytest.mark.django_db
def test_selector_horizon_is_inclusive(personas, retirees, clock):
    # On 2026-06-10 the horizon is 2027-06-10, 周建's date: he is in.
    clock.day = dt.date(2026, 6, 10)
    names = set(approaching_age_limit(actor=personas.case_officer).values_list("name", flat=True))
    assert "周建" in names
    clock.day = dt.date(2026, 6, 9)
    names = set(approaching_age_limit(actor=personas.case_officer).values_list("name", flat=True))
    assert "周建" not in names


@pytest.mark.django_db
def test_dashboard_shows_the_statutory_date(client, personas, retirees):
    client.force_login(personas.case_officer)
    response = client.get(reverse("web:dashboard"))
    assert response.status_code == 200
    rows = response.context["approaching"]
    assert [row["cadre"].name for row in rows] == [name for name, _ in EXPECTED]
    assert [row["reached"] for row in rows] == [True, True, False, False]
    text = page_text(response)
    assert "法定退休日期" in text
    assert "2027.06.10" in text  # 周建, 60 岁 6 个月
    assert "60 岁 6 个月" in text
    assert "55 岁 7 个月" in text  # 林芳
    assert "2026.07.20" in text  # 陈静
    assert "已到龄" in text
    assert "吴明" not in text and "何丽" not in text and "徐敏" not in text


@pytest.mark.django_db
def test_todo_lists_who_reaches_the_age_within_90_days(personas, retirees, clock):
    """待办: past dates and those within 90 days, for the roles that keep cadre
    records; the committee member has no such item."""
    from xuanren.procedure.todo import TodoKind, todo_for

    clock.day = dt.date(2027, 3, 12)  # 周建's date 2027-06-10 is 90 days ahead

    def due(actor):
        items = todo_for(actor=actor, on=clock.day, horizon_days=30)
        return [(i.text.split("（")[0], i.due) for i in items if i.kind == TodoKind.RETIREMENT_DUE]

    assert due(personas.case_officer) == [
        ("郑老", dt.date(2024, 11, 1)),
        ("陈静", dt.date(2026, 7, 20)),
        ("周建", dt.date(2027, 6, 10)),
    ]
    clock.day = dt.date(2027, 3, 11)  # 91 days ahead: not yet
    assert [name for name, _ in due(personas.case_officer)] == ["郑老", "陈静"]
    assert due(personas.committee_member) == []


@pytest.mark.django_db
def test_todo_lists_the_first_of_many_and_a_summary(client, personas, retirees, clock, monkeypatch):
    """Beyond ITEMS_PER_KIND reminders of the kind, one summary item links to
    the kind alone, which lists them all (docs/decisions/0194); the home
    page's 临近退休 panel shows as many as the limit."""
    from xuanren.procedure import todo
    from xuanren.procedure.todo import TodoKind, todo_for

    clock.day = dt.date(2027, 3, 12)
    monkeypatch.setattr(todo, "ITEMS_PER_KIND", 2)
    items = [
        i for i in todo_for(actor=personas.case_officer, on=clock.day)
        if i.kind == TodoKind.RETIREMENT_DUE
    ]  # fmt: skip
    assert [(i.text.split("（")[0], i.more) for i in items] == [
        ("郑老", False),
        ("陈静", False),
        ("还有更多“临近法定退休”事项，这里只列出最早到期的 2 项，点击查看全部。", True),
    ]
    assert items[2].due == dt.date(2026, 7, 20)  # right after the last one shown
    assert items[2].link == reverse("web:todo") + "?tab=all&kind=retirement_due"
    alone = todo_for(actor=personas.case_officer, on=clock.day, kind=TodoKind.RETIREMENT_DUE)
    assert [i.text.split("（")[0] for i in alone] == ["郑老", "陈静", "周建"]
    # a kind nobody asked for lists nothing of the others
    assert todo_for(actor=personas.case_officer, on=clock.day, kind=TodoKind.CASE_IDLE) == []

    client.force_login(personas.case_officer)
    response = client.get(reverse("web:dashboard"))
    assert [row["cadre"].name for row in response.context["approaching"]] == ["郑老", "陈静"]
    assert "还有更多“临近法定退休”事项" in page_text(response)
    page = client.get(reverse("web:todo"), {"tab": "all", "kind": "retirement_due"})
    assert page.status_code == 200
    text = page_text(page)
    assert "周建" in text and "还有更多" not in text
    # an unknown kind is the whole 待办
    whole = client.get(reverse("web:todo"), {"tab": "all", "kind": "nonsense"})
    assert "只列出“" not in page_text(whole) and "还有更多“临近法定退休”事项" in page_text(whole)


@pytest.mark.django_db
def test_home_page_reads_the_retirement_list_once(client, personas, retirees, clock):
    """The home page shows 临近退休 as its own panel and, through 待办, the
    retirement reminders: both from one read of the kept reminders (decision
    0195), one query for every kind, and both show the same people."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from xuanren.procedure.todo import TodoKind

    clock.day = dt.date(2027, 3, 12)
    client.force_login(personas.case_officer)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("web:dashboard"))
    assert response.status_code == 200
    kept = [q for q in ctx.captured_queries if "reminders_keptreminder" in q["sql"]]
    # the case officer's probations, retirements and rotation alerts: one
    # query, a UNION ALL of their six ranges joined to what the rows show
    assert len(kept) == 1
    assert kept[0]["sql"].count("UNION ALL") == 5 + 1
    assert not [
        q for q in ctx.captured_queries if 'ORDER BY "people_cadre"."birth_date"' in q["sql"]
    ]
    shown = [row["cadre"].name for row in response.context["approaching"]]
    assert shown[:4] == ["郑老", "陈静", "周建", "林芳"]
    reminders = [
        r["item"].text.split("（")[0]
        for r in response.context["todo_rows"]
        if r["item"].kind == TodoKind.RETIREMENT_DUE
    ]
    assert reminders == ["郑老", "陈静", "周建"]
    # 待办's own page reads them by itself, the same way.
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("web:todo")).status_code == 200
    assert len([q for q in ctx.captured_queries if "reminders_keptreminder" in q["sql"]]) == 1
