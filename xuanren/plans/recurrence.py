"""Deadlines of a work plan as data (docs/decisions/0184): pure functions, no
database. A rule is either one date, or a recurrence over the periods of the
plan — the Nth day of the Mth month after each quarter (每季度末的次月10日前),
of each half year (每半年…不少于1次), or a day of each year (12月20日前).

A day past the end of its month is the month's last day ("6月底前" is day 31
of June → 30 June; 29 February → 28 February in a common year). When the rule
says so, a deadline on a rest day moves to the next working day; the caller
passes the working calendar's predicate (xuanren.workdays), which knows 调休
(a Saturday worked is a working day)."""

from __future__ import annotations

import calendar as _cal
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

ONE_DAY = dt.timedelta(days=1)
#: How far a rest-day deadline may be moved (the longest holiday is 9 days).
MAX_POSTPONE = 31
#: The quarters' numerals in a period's label (一 … 四 in Chinese, 1 … 4 in English).
QUARTER_NAMES = (
    pgettext_lazy("quarter", "一"),
    pgettext_lazy("quarter", "二"),
    pgettext_lazy("quarter", "三"),
    pgettext_lazy("quarter", "四"),
)


class RuleKind(models.TextChoices):
    ONCE = "once", gettext_lazy("指定日期")
    QUARTERLY = "quarterly", gettext_lazy("每季度")
    HALF_YEARLY = "half_yearly", gettext_lazy("每半年")
    YEARLY = "yearly", gettext_lazy("每年")


@dataclass(frozen=True)
class DueRule:
    kind: str
    #: ONCE: the date.
    date: dt.date | None = None
    #: QUARTERLY, HALF_YEARLY: months after the period's last month (1: the
    #: month after the quarter); YEARLY: the month of the year.
    month: int = 0
    #: The day of that month, 1–31; past the month's end: its last day.
    day: int = 0
    #: A deadline on a rest day moves to the next working day.
    next_working_day: bool = False


@dataclass(frozen=True)
class Occurrence:
    """One deadline of a rule: the period it reports on and its due date."""

    period_start: dt.date
    period_end: dt.date
    label: str
    nominal: dt.date  # the day the rule names
    due: dt.date  # after moving off a rest day (== nominal otherwise)

    @property
    def postponed(self) -> bool:
        return self.due != self.nominal


def month_day(year: int, month: int, day: int) -> dt.date:
    """Day `day` of the month, or its last day when the month is shorter."""
    return dt.date(year, month, min(day, _cal.monthrange(year, month)[1]))


def _shift(year: int, month: int, months: int) -> tuple[int, int]:
    y, m0 = divmod(year * 12 + month - 1 + months, 12)
    return y, m0 + 1


def _periods(kind: str, start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date, str]]:
    """The quarters, halves or years overlapping start..end, in order."""
    out: list[tuple[dt.date, dt.date, str]] = []
    for year in range(start.year, end.year + 1):
        if kind == RuleKind.YEARLY:
            spans = [(1, 12, _("%(y)d年度") % {"y": year})]
        elif kind == RuleKind.HALF_YEARLY:
            spans = [
                (1, 6, _("%(y)d年上半年") % {"y": year}),
                (7, 12, _("%(y)d年下半年") % {"y": year}),
            ]
        else:
            spans = [
                (3 * q + 1, 3 * q + 3, _("%(y)d年第%(q)s季度") % {"y": year, "q": QUARTER_NAMES[q]})
                for q in range(4)
            ]
        for first, last, label in spans:
            p_start = dt.date(year, first, 1)
            p_end = month_day(year, last, 31)
            if p_end >= start and p_start <= end:
                out.append((p_start, p_end, label))
    return out


def nominal_due(rule: DueRule, period_start: dt.date, period_end: dt.date) -> dt.date:
    if rule.kind == RuleKind.ONCE:
        assert rule.date is not None
        return rule.date
    if rule.kind == RuleKind.YEARLY:
        return month_day(period_start.year, rule.month, rule.day)
    year, month = _shift(period_end.year, period_end.month, rule.month)
    return month_day(year, month, rule.day)


def postpone(day: dt.date, is_working_day: Callable[[dt.date], bool]) -> dt.date:
    """The first working day on or after `day`."""
    moved = day
    while not is_working_day(moved):
        moved += ONE_DAY
        if (moved - day).days > MAX_POSTPONE:
            raise ValueError(f"no working day within {MAX_POSTPONE} days of {day}")
    return moved


def occurrences(
    rule: DueRule,
    start: dt.date,
    end: dt.date,
    is_working_day: Callable[[dt.date], bool] | None = None,
) -> list[Occurrence]:
    """The deadlines of `rule` for the periods overlapping start..end (a plan's
    span), in order. ONCE: its date when it lies within start..end. A quarter
    ending in the span is reported on after it (Q4 → 10 January next year).
    `is_working_day` is needed only when the rule moves rest-day deadlines."""
    if rule.kind == RuleKind.ONCE:
        if rule.date is None or not start <= rule.date <= end:
            return []
        periods = [(rule.date, rule.date, _("%(d)s 前") % {"d": f"{rule.date:%Y.%m.%d}"})]
    else:
        periods = _periods(rule.kind, start, end)
    out = []
    for p_start, p_end, label in periods:
        nominal = nominal_due(rule, p_start, p_end)
        due = nominal
        if rule.next_working_day:
            if is_working_day is None:
                raise ValueError("rule moves rest-day deadlines: pass is_working_day")
            due = postpone(nominal, is_working_day)
        out.append(Occurrence(p_start, p_end, label, nominal, due))
    return out


def describe(rule: DueRule) -> str:
    """The rule in Chinese, for pages and exports ("底" for day 31)."""
    day = _("底") if rule.day >= 31 else _("%(d)d日") % {"d": rule.day}
    if rule.kind == RuleKind.ONCE:
        text = _("%(d)s 前") % {"d": f"{rule.date:%Y.%m.%d}"} if rule.date else ""
    elif rule.kind == RuleKind.YEARLY:
        text = _("每年%(m)d月%(d)s前") % {"m": rule.month, "d": day}
    else:
        period = _("每季度末") if rule.kind == RuleKind.QUARTERLY else _("每半年末")
        if rule.month == 0:
            text = _("%(p)s当月%(d)s前") % {"p": period, "d": day}
        elif rule.month == 1:
            text = _("%(p)s的次月%(d)s前") % {"p": period, "d": day}
        else:
            text = _("%(p)s后第%(m)d个月%(d)s前") % {"p": period, "m": rule.month, "d": day}
    if rule.next_working_day:
        text += _("（逢节假日顺延至下一个工作日）")
    return text
