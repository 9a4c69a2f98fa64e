"""Reading the working calendar: the administrator's adjustments loaded for
the years a computation needs, and the end of a public notice period (任前公示)
with the warning the UI must show when a year's arrangement is not known.

The calendar is public information: these selectors take no actor."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from xuanren.common.errors import ErrorCollector, ValidationFailed
from xuanren.workdays import calendar
from xuanren.workdays.calendar import PeriodUnit, WorkingCalendar
from xuanren.workdays.models import CalendarDay, CalendarYear

#: The longest period notice_period_end computes (a year and a day).
MAX_PERIOD = 366


def working_calendar(years: Iterable[int]) -> WorkingCalendar:
    """The calendar with the administrator's adjustments of `years`: one query
    for the day adjustments, one for the years marked as entered."""
    wanted = frozenset(years)
    for year in wanted:
        calendar.check_year(year)
    if not wanted:
        return WorkingCalendar(years=wanted)
    q = Q()
    for year in sorted(wanted):
        q |= Q(date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31))
    overrides: dict[dt.date, bool] = {}
    notes: dict[dt.date, str] = {}
    for day, working, note in CalendarDay.objects.filter(q).values_list(
        "date", "is_working_day", "note"
    ):
        overrides[day] = working
        notes[day] = note
    entered = frozenset(
        CalendarYear.objects.filter(year__in=wanted, official_entered=True).values_list(
            "year", flat=True
        )
    )
    return WorkingCalendar(years=wanted, overrides=overrides, notes=notes, entered_years=entered)


def fallback_warning(years: Iterable[int]) -> str:
    """The sentence the UI shows next to a date computed with the fallback."""
    listed = sorted(set(years))
    if not listed:
        return ""
    return _("%(years)s 年的国务院放假安排尚未载入，按周一至周五并扣除法定节假日计算，请核对。") % {
        "years": "、".join(str(y) for y in listed)
    }


@dataclass(frozen=True)
class NoticePeriod:
    start: dt.date
    length: int
    unit: PeriodUnit
    end: dt.date
    #: Years of the period whose official arrangement is not loaded; empty for
    #: calendar days, which do not depend on the arrangement.
    fallback_years: tuple[int, ...]
    warning: str  # "" when nothing needs checking

    @property
    def uses_fallback(self) -> bool:
        return bool(self.fallback_years)


def notice_period_end(start: dt.date, length: int, unit: PeriodUnit | str) -> NoticePeriod:
    """The last day of a notice period of `length` days that starts on `start`
    (the day the notice is posted counts; see calendar.py)."""
    out = ErrorCollector()
    if unit not in {u.value for u in PeriodUnit}:
        out.add("unit", _("公示期单位应为自然日或工作日。"))
    if not 1 <= length <= MAX_PERIOD:
        out.add("length", _("公示期应为 1 至 %(n)s 天。") % {"n": MAX_PERIOD})
    if not calendar.MIN_YEAR <= start.year <= calendar.MAX_YEAR:
        out.add(
            "start",
            _("工作日历只支持 %(a)s 至 %(b)s 年。")
            % {"a": calendar.MIN_YEAR, "b": calendar.MAX_YEAR},
        )
    out.raise_if_any(_("无法计算公示期。"))
    unit = PeriodUnit(unit)
    if unit is PeriodUnit.CALENDAR_DAYS:
        end = calendar.add_calendar_days(start, length)
        return NoticePeriod(start, length, unit, end, (), "")
    # A generous guess of the years involved; a year beyond it is loaded on demand.
    guess = start + dt.timedelta(days=2 * length + 40)
    years = set(range(start.year, min(guess.year, calendar.MAX_YEAR) + 1))
    while True:
        cal = working_calendar(years)
        try:
            end = cal.add_working_days(start, length)
        except calendar.YearNotLoaded as exc:
            years.add(exc.year)
            continue
        except calendar.CalendarRangeError as exc:
            raise ValidationFailed(
                _("公示期超出工作日历支持的范围（至 %(b)s 年）。") % {"b": calendar.MAX_YEAR}
            ) from exc
        fallback = cal.fallback_years(calendar.years_of(start, end))
        return NoticePeriod(start, length, unit, end, fallback, fallback_warning(fallback))
