"""Deadline rules of the work plans (docs/decisions/0184), hand-listed:
quarterly reports after each quarter across the year end, half-yearly
self-checks, yearly days with 29 February, and moving a rest-day deadline to
the next working day with the working calendar's 调休."""

from __future__ import annotations

import datetime as dt

import pytest

from xuanren.plans.recurrence import DueRule, RuleKind, describe, month_day, occurrences
from xuanren.workdays.calendar import is_working_day

d = dt.date
QUARTERLY = DueRule(kind=RuleKind.QUARTERLY, month=1, day=10)  # 每季度末的次月10日前


def dues(rule: DueRule, start: dt.date, end: dt.date, working: bool = False) -> list[dt.date]:
    return [o.due for o in occurrences(rule, start, end, is_working_day if working else None)]


def test_quarterly_the_tenth_of_the_month_after_each_quarter_across_the_year_end() -> None:
    found = occurrences(QUARTERLY, d(2026, 1, 1), d(2026, 12, 31))
    assert [o.due for o in found] == [
        d(2026, 4, 10),
        d(2026, 7, 10),
        d(2026, 10, 10),
        d(2027, 1, 10),
    ]
    assert [o.label for o in found] == [
        "2026年第一季度", "2026年第二季度", "2026年第三季度", "2026年第四季度",
    ]  # fmt: skip
    assert (found[3].period_start, found[3].period_end) == (d(2026, 10, 1), d(2026, 12, 31))


def test_quarterly_only_the_quarters_overlapping_the_span() -> None:
    # A plan from 15 May to 20 August: the second and third quarters.
    assert dues(QUARTERLY, d(2026, 5, 15), d(2026, 8, 20)) == [d(2026, 7, 10), d(2026, 10, 10)]
    # A span of one day on a quarter's last day.
    assert dues(QUARTERLY, d(2026, 12, 31), d(2026, 12, 31)) == [d(2027, 1, 10)]


def test_moved_to_the_next_working_day_with_tiaoxiu() -> None:
    rule = DueRule(kind=RuleKind.QUARTERLY, month=1, day=10, next_working_day=True)
    found = occurrences(rule, d(2026, 1, 1), d(2026, 12, 31), is_working_day)
    # 10 October 2026 is a Saturday worked (调休 after National Day): not moved.
    # 10 January 2027 is a Sunday: Monday 11 January, in the next year.
    assert [o.due for o in found] == [
        d(2026, 4, 10),
        d(2026, 7, 10),
        d(2026, 10, 10),
        d(2027, 1, 11),
    ]
    assert [o.postponed for o in found] == [False, False, False, True]
    assert found[3].nominal == d(2027, 1, 10)
    # Q4 2025 → 10 January 2026, a Saturday not worked; Sunday too → Monday 12 January.
    assert dues(rule, d(2025, 10, 1), d(2025, 12, 31), working=True) == [d(2026, 1, 12)]


def test_without_moving_a_rest_day_deadline_stays() -> None:
    assert dues(QUARTERLY, d(2025, 10, 1), d(2025, 12, 31)) == [d(2026, 1, 10)]


def test_a_holiday_moves_past_the_whole_holiday() -> None:
    # 1 October 2025 (National Day, a Wednesday): the holiday runs to 8 October.
    rule = DueRule(kind=RuleKind.ONCE, date=d(2025, 10, 1), next_working_day=True)
    assert dues(rule, d(2025, 1, 1), d(2025, 12, 31), working=True) == [d(2025, 10, 9)]


def test_moving_needs_the_calendar() -> None:
    rule = DueRule(kind=RuleKind.YEARLY, month=12, day=20, next_working_day=True)
    with pytest.raises(ValueError):
        occurrences(rule, d(2026, 1, 1), d(2026, 12, 31))
    # 20 December 2026 is a Sunday.
    assert dues(rule, d(2026, 1, 1), d(2026, 12, 31), working=True) == [d(2026, 12, 21)]


def test_half_yearly_end_of_each_half() -> None:
    rule = DueRule(kind=RuleKind.HALF_YEARLY, month=0, day=31)  # 6月底前, 12月底前
    found = occurrences(rule, d(2026, 1, 1), d(2026, 12, 31))
    assert [o.due for o in found] == [d(2026, 6, 30), d(2026, 12, 31)]
    assert [o.label for o in found] == ["2026年上半年", "2026年下半年"]
    # The 10th of the month after each half, across the year end.
    after = DueRule(kind=RuleKind.HALF_YEARLY, month=1, day=10)
    assert dues(after, d(2026, 1, 1), d(2027, 12, 31)) == [
        d(2026, 7, 10), d(2027, 1, 10), d(2027, 7, 10), d(2028, 1, 10),
    ]  # fmt: skip


def test_yearly_and_29_february() -> None:
    rule = DueRule(kind=RuleKind.YEARLY, month=12, day=20)
    assert dues(rule, d(2025, 3, 1), d(2027, 2, 1)) == [
        d(2025, 12, 20),
        d(2026, 12, 20),
        d(2027, 12, 20),
    ]
    feb = DueRule(kind=RuleKind.YEARLY, month=2, day=29)
    assert dues(feb, d(2023, 1, 1), d(2025, 12, 31)) == [
        d(2023, 2, 28),
        d(2024, 2, 29),
        d(2025, 2, 28),
    ]
    # "3月底前"
    assert month_day(2026, 2, 31) == d(2026, 2, 28)
    assert month_day(2024, 2, 31) == d(2024, 2, 29)
    # The fourth quarter's report on the last day of February after it.
    q = DueRule(kind=RuleKind.QUARTERLY, month=2, day=31)
    assert dues(q, d(2023, 10, 1), d(2023, 12, 31)) == [d(2024, 2, 29)]


def test_once_only_within_the_span() -> None:
    rule = DueRule(kind=RuleKind.ONCE, date=d(2026, 3, 31))
    assert dues(rule, d(2026, 1, 1), d(2026, 12, 31)) == [d(2026, 3, 31)]
    assert dues(rule, d(2026, 3, 31), d(2026, 3, 31)) == [d(2026, 3, 31)]
    assert dues(rule, d(2026, 4, 1), d(2026, 12, 31)) == []


def test_described_in_chinese() -> None:
    assert describe(QUARTERLY) == "每季度末的次月10日前"
    assert describe(DueRule(kind=RuleKind.YEARLY, month=12, day=20)) == "每年12月20日前"
    assert describe(DueRule(kind=RuleKind.HALF_YEARLY, month=0, day=31)) == "每半年末当月底前"
    assert describe(DueRule(kind=RuleKind.YEARLY, month=3, day=31)) == "每年3月底前"
    moved = DueRule(kind=RuleKind.ONCE, date=d(2026, 3, 28), next_working_day=True)
    assert describe(moved) == "2026.03.28 前（逢节假日顺延至下一个工作日）"
