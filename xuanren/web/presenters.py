"""Purely presentational shaping of what the selectors return: table rows,
resume lines, highlights. No queries and no business rules here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from xuanren.org.models import Level
from xuanren.org.quota import Counts, UnitQuota
from xuanren.people.models import RecordKind, ResumeEntry, RewardPunishment


def ym(value: dt.date | None) -> str:
    return f"{value.year:04d}.{value.month:02d}" if value else ""


def resume_period(entry: ResumeEntry) -> str:
    """“2007.08--2010.12  ”, or “2011.01--  ” when the period is still open."""
    return f"{ym(entry.start_date)}--{ym(entry.end_date)}  "


def resume_line(entry: ResumeEntry) -> str:
    """“2007.08--2010.12  text”; an open end stays blank: “2011.01--  text”."""
    return f"{resume_period(entry)}{entry.text}"


def punishment_in_effect(record: RewardPunishment, on: dt.date) -> bool:
    """A punishment whose effect period (影响期) covers `on`."""
    return (
        record.kind == RecordKind.PUNISHMENT
        and record.effect_until is not None
        and record.decided_on <= on <= record.effect_until
    )


def level_label(code: str) -> str:
    try:
        return str(Level(code).label)
    except ValueError:
        return code


@dataclass(frozen=True)
class QuotaRow:
    """One line of the 职数 table: a level of one unit, or a unit's subtree total."""

    unit_id: int
    unit_name: str
    depth: int
    item: str  # the level's name, or “含下级合计”
    is_total: bool
    approved: int
    filled: int
    vacant: int
    over_quota: int

    def cells(self) -> list[str | int]:
        return [
            self.unit_name,
            self.item,
            self.approved,
            self.filled,
            self.vacant,
            self.over_quota,
        ]


def quota_headers() -> list[str]:
    return [_("单位"), _("职务层次"), _("核定职数"), _("实有人数"), _("空缺"), _("超职数")]


def quota_rows(report: Iterable[UnitQuota]) -> list[QuotaRow]:
    """Every unit's levels, then the unit's subtree total, in tree order."""
    rows: list[QuotaRow] = []
    for unit in report:
        for level, counts in unit.level_rows:
            rows.append(_row(unit, level_label(level), counts, is_total=False))
        rows.append(_row(unit, _("含下级合计"), unit.subtree, is_total=True))
    return rows


def _row(unit: UnitQuota, item: str, counts: Counts, *, is_total: bool) -> QuotaRow:
    return QuotaRow(
        unit_id=unit.unit_id,
        unit_name=unit.name,
        depth=unit.depth,
        item=item,
        is_total=is_total,
        approved=counts.approved,
        filled=counts.filled,
        vacant=counts.vacant,
        over_quota=counts.over_quota,
    )


def report_totals(report: list[UnitQuota]) -> Counts:
    """The sum of the subtree totals of the report's top units (the scope's root,
    or several roots for an unrestricted user)."""
    total = Counts()
    if not report:
        return total
    top = min(u.depth for u in report)
    for unit in report:
        if unit.depth == top:
            total.add(unit.subtree)
    return total
