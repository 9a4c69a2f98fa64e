"""Writes to the working calendar: an administrator's single-day adjustments
and the mark that a year's State Council arrangement has been entered. Only a
superuser or a holder of workdays.manage_calendar (the administrator role) may
write; each write is journalled in the same transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xuanren.access.policy import require_perm
from xuanren.common.errors import Conflict, ErrorCollector, NotFound
from xuanren.journal.models import EventType
from xuanren.journal.services import journal_record
from xuanren.workdays import calendar
from xuanren.workdays.models import CalendarDay, CalendarYear

MANAGE_CALENDAR = "workdays.manage_calendar"
NOTE_MAX = 200


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _check_year(out: ErrorCollector, field_name: str, year: int) -> None:
    if not calendar.MIN_YEAR <= year <= calendar.MAX_YEAR:
        out.add(
            field_name,
            _("工作日历只支持 %(a)s 至 %(b)s 年。")
            % {"a": calendar.MIN_YEAR, "b": calendar.MAX_YEAR},
        )


def validate_day(*, day: dt.date | None, note: str) -> ErrorCollector:
    """The checks of calendar_day_set, for forms that want them before saving."""
    out = ErrorCollector()
    if day is None:
        out.add("day", _("请填写日期。"))
    else:
        _check_year(out, "day", day.year)
    if not note.strip():
        out.add("note", _("请填写说明，例如国务院办公厅通知的文号或调整原因。"))
    elif len(note.strip()) > NOTE_MAX:
        out.add("note", _("说明不能超过 %(n)s 字。") % {"n": NOTE_MAX})
    return out


def validate_year(*, year: int | None, note: str = "") -> ErrorCollector:
    out = ErrorCollector()
    if year is None:
        out.add("year", _("请填写年度。"))
    else:
        _check_year(out, "year", year)
    if len(note.strip()) > NOTE_MAX:
        out.add("note", _("说明不能超过 %(n)s 字。") % {"n": NOTE_MAX})
    return out


def _day_state(row: CalendarDay) -> dict[str, Any]:
    return {"is_working_day": row.is_working_day, "note": row.note}


@transaction.atomic
def calendar_day_set(*, actor: Any, day: dt.date, is_working_day: bool, note: str) -> CalendarDay:
    """Make `day` a working day or a day off whatever the package or the
    fallback says. Setting the same value and note again changes nothing."""
    require_perm(actor, MANAGE_CALENDAR)
    validate_day(day=day, note=note).raise_if_any(_("工作日历调整有误，未保存。"))
    note = note.strip()
    row = CalendarDay.objects.select_for_update().filter(date=day).first()
    previous = _day_state(row) if row else None
    if row is not None:
        if row.is_working_day == is_working_day and row.note == note:
            return row
        row.is_working_day = is_working_day
        row.note = note
        row.set_by = _user(actor)
        row.set_at = timezone.now()
        row.save(update_fields=["is_working_day", "note", "set_by", "set_at"])
    else:
        try:
            with transaction.atomic():
                row = CalendarDay.objects.create(
                    date=day,
                    is_working_day=is_working_day,
                    note=note,
                    set_by=_user(actor),
                    set_at=timezone.now(),
                )
        except IntegrityError as exc:
            raise Conflict(_("该日期刚被其他人调整过，请刷新后重试。")) from exc
    journal_record(
        actor=actor,
        event_type=EventType.CALENDAR_DAY_SET,
        subject=row,
        payload={
            "date": day.isoformat(),
            "is_working_day": is_working_day,
            "note": note,
            "previous": previous,
            # What the day would be without any adjustment (package or fallback).
            "base_is_working_day": calendar.is_working_day(day),
        },
    )
    return row


@transaction.atomic
def calendar_day_clear(*, actor: Any, day: dt.date) -> None:
    """Remove the adjustment of `day`; the package or the fallback decides again."""
    require_perm(actor, MANAGE_CALENDAR)
    row = CalendarDay.objects.select_for_update().filter(date=day).first()
    if row is None:
        raise NotFound(_("%(d)s 没有调整记录。") % {"d": day.isoformat()})
    subject = (row._meta.label_lower, str(row.pk))
    previous = _day_state(row)
    row.delete()
    journal_record(
        actor=actor,
        event_type=EventType.CALENDAR_DAY_CLEARED,
        subject=subject,
        payload={"date": day.isoformat(), "previous": previous},
    )


@transaction.atomic
def calendar_year_mark_entered(
    *, actor: Any, year: int, entered: bool = True, note: str = ""
) -> CalendarYear:
    """Record that the State Council's arrangement for `year` has been entered
    as day adjustments (entered=True), so deadlines in that year no longer
    carry the fallback warning; entered=False takes the mark back."""
    require_perm(actor, MANAGE_CALENDAR)
    validate_year(year=year, note=note).raise_if_any(_("年度设置有误，未保存。"))
    note = note.strip()
    row = CalendarYear.objects.select_for_update().filter(year=year).first()
    previous = {"official_entered": row.official_entered, "note": row.note} if row else None
    if row is not None:
        if row.official_entered == entered and row.note == note:
            return row
        row.official_entered = entered
        row.note = note
        row.set_by = _user(actor)
        row.set_at = timezone.now()
        row.save(update_fields=["official_entered", "note", "set_by", "set_at"])
    else:
        try:
            with transaction.atomic():
                row = CalendarYear.objects.create(
                    year=year,
                    official_entered=entered,
                    note=note,
                    set_by=_user(actor),
                    set_at=timezone.now(),
                )
        except IntegrityError as exc:
            raise Conflict(_("该年度刚被其他人设置过，请刷新后重试。")) from exc
    journal_record(
        actor=actor,
        event_type=EventType.CALENDAR_YEAR_MARKED,
        subject=row,
        payload={
            "year": year,
            "official_entered": entered,
            "note": note,
            "previous": previous,
            "in_package": calendar.package_knows(year),
        },
    )
    return row
