"""The over-quota figures of a digestion plan, counted from the records
(docs/decisions/0180): the kept per-unit count of the plan's unit and level
(org.UnitCount, decisions 0136–0137) moved to each month end by the tenures
dated after the first of those days — one query each, whatever the number of
months. Pure arithmetic apart from the two reads, so that the figures can be
checked by hand."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from xuanren.org.models import (
    COUNTY_ORGAN_KINDS,
    PATH_SEGMENT,
    TOWNSHIP_KINDS,
    UnitCount,
    UnitKind,
)
from xuanren.org.quota import UnitQuota, level_counts


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def month_ends(start: dt.date, end: dt.date) -> list[dt.date]:
    """The last day of every month from `start`'s month to `end`'s, in order."""
    days = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        days.append(dt.date(year, month, calendar.monthrange(year, month)[1]))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return days


def filled_on(
    kept_filled: int, tenures: Iterable[tuple[dt.date, dt.date | None]], day: dt.date
) -> int:
    """Tenures in force on `day` (begun by then, not ended by then: a tenure
    ending on `day` is no longer counted that day, as org.selectors.
    active_tenure_q) from the kept count of the open ones: an open tenure
    starting after the day is taken off, a closed one in force on the day
    is added. `tenures` must hold every tenure of the pair that starts or
    ends after `day` (the others count the same either way)."""
    n = kept_filled
    for start, end in tenures:
        if end is None:
            if start > day:
                n -= 1
        elif start <= day < end:
            n += 1
    return n


@dataclass(frozen=True)
class LevelDay:
    day: dt.date
    approved: int
    filled: int

    @property
    def over(self) -> int:
        return level_counts(self.approved, self.filled).over_quota

    @property
    def vacant(self) -> int:
        return level_counts(self.approved, self.filled).vacant


def level_series(*, unit_id: int, level: str, days: list[dt.date]) -> list[LevelDay]:
    """Approved, filled and over-quota of one unit and level on each of
    `days`: two queries. The approved quota is today's (quotas keep no
    history; decision 0180)."""
    from xuanren.people.models import Tenure

    if not days:
        return []
    kept = (
        UnitCount.objects.filter(unit_id=unit_id, level=level)
        .values_list("approved", "filled")
        .first()
    )
    approved, kept_filled = kept if kept is not None else (0, 0)
    first = min(days)
    tenures = list(
        Tenure.objects.filter(
            post__unit_id=unit_id, post__level=level, post__counts_against_quota=True
        )
        .filter(Q(start_date__gt=first) | Q(end_date__gt=first))
        .order_by()
        .values_list("start_date", "end_date")
    )
    return [LevelDay(day, approved, filled_on(kept_filled, tenures, day)) for day in days]


@dataclass(frozen=True)
class ProgressRow:
    day: dt.date
    actual: int | None  # None: a day still to come
    planned: int
    digested: int | None


def progress_rows(
    *,
    baseline_on: dt.date,
    baseline_over: int,
    target_on: dt.date,
    expected: list[dt.date],
    series: dict[dt.date, int],
    on: dt.date,
) -> list[ProgressRow]:
    """The plan's table: the baseline day, then every month end up to the
    target's; `actual` from `series` (over-quota counted on that day) for
    days up to `on`; `planned`: the baseline less the planned people expected
    by then."""
    rows = []
    for day in plan_days(baseline_on, target_on):
        planned = max(baseline_over - sum(1 for e in expected if e <= day), 0)
        actual = series.get(day) if day <= on else None
        digested = None if actual is None else max(baseline_over - actual, 0)
        rows.append(ProgressRow(day, actual, planned, digested))
    return rows


def plan_days(baseline_on: dt.date, target_on: dt.date) -> list[dt.date]:
    ends = [d for d in month_ends(baseline_on, target_on) if d > baseline_on]
    return [baseline_on, *ends]


# ---- the seed's kind of figures (§2: vacancies of county organs and townships) ----


class Sector:
    COUNTY = "county"
    TOWNSHIP = "township"
    OTHER = "other"


def sector_of(rows: list[UnitQuota]) -> dict[int, str]:
    """Each unit's sector: its own kind's, or for an internal office
    (内设机构) its nearest parent's among `rows`."""
    by_path = {r.path: r for r in rows}
    out: dict[int, str] = {}
    for r in sorted(rows, key=lambda r: r.path):
        kind = r.kind
        if kind == UnitKind.INTERNAL_OFFICE:
            parent = by_path.get(r.path[:-PATH_SEGMENT])
            if parent is not None and parent.unit_id in out:
                out[r.unit_id] = out[parent.unit_id]
                continue
        if kind in TOWNSHIP_KINDS:
            out[r.unit_id] = Sector.TOWNSHIP
        elif kind in COUNTY_ORGAN_KINDS:
            out[r.unit_id] = Sector.COUNTY
        else:
            out[r.unit_id] = Sector.OTHER
    return out


@dataclass
class SectorFigures:
    vacant: int = 0
    over: int = 0


def sector_totals(rows: list[UnitQuota]) -> dict[str, SectorFigures]:
    """Vacancies and over-quota of each sector from a quota report (each
    unit's own levels; they never net out)."""
    sectors = sector_of(rows)
    totals = {s: SectorFigures() for s in (Sector.COUNTY, Sector.TOWNSHIP, Sector.OTHER)}
    for r in rows:
        t = totals[sectors[r.unit_id]]
        t.vacant += r.own.vacant
        t.over += r.own.over_quota
    return totals
