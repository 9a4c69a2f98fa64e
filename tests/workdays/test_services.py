"""The administrator's calendar entries: permissions, the journal, the
selectors that load them, the notice-period end and its warning, the admin."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.conftest import County, Personas, make_user
from xuanren.access.models import Role
from xuanren.common.errors import NotFound, PermissionDenied, ValidationFailed
from xuanren.journal.models import Event, EventType
from xuanren.journal.services import journal_verify
from xuanren.workdays.calendar import PeriodUnit, ScheduleStatus, YearNotLoaded
from xuanren.workdays.models import CalendarDay, CalendarYear
from xuanren.workdays.selectors import (
    fallback_warning,
    notice_period_end,
    working_calendar,
)
from xuanren.workdays.services import (
    calendar_day_clear,
    calendar_day_set,
    calendar_year_mark_entered,
)

D = dt.date
WARNING_2027 = "2027 年的国务院放假安排尚未载入，按周一至周五并扣除法定节假日计算，请核对。"


def events(kind: EventType) -> list[Event]:
    return list(Event.objects.filter(event_type=kind))


# --- services --------------------------------------------------------------------


def test_superuser_sets_a_day_and_it_is_journalled(admin: User) -> None:
    row = calendar_day_set(
        actor=admin, day=D(2026, 3, 11), is_working_day=False, note="  县里停电 "
    )
    assert row.note == "县里停电"
    assert row.set_by == admin
    (event,) = events(EventType.CALENDAR_DAY_SET)
    assert event.actor == admin
    assert event.subject_type == "workdays.calendarday"
    assert event.subject_id == str(row.pk)
    assert event.payload == {
        "date": "2026-03-11",
        "is_working_day": False,
        "note": "县里停电",
        "previous": None,
        "base_is_working_day": True,
    }
    # Changing it records what it was; setting the same again writes nothing.
    calendar_day_set(actor=admin, day=D(2026, 3, 11), is_working_day=True, note="恢复")
    calendar_day_set(actor=admin, day=D(2026, 3, 11), is_working_day=True, note="恢复")
    second = events(EventType.CALENDAR_DAY_SET)
    assert len(second) == 2
    assert second[1].payload["previous"] == {"is_working_day": False, "note": "县里停电"}
    assert CalendarDay.objects.count() == 1
    assert journal_verify().ok


def test_clearing_a_day_is_journalled(admin: User) -> None:
    row = calendar_day_set(actor=admin, day=D(2027, 10, 6), is_working_day=False, note="国庆调休")
    calendar_day_clear(actor=admin, day=D(2027, 10, 6))
    assert not CalendarDay.objects.exists()
    (event,) = events(EventType.CALENDAR_DAY_CLEARED)
    assert event.subject_id == str(row.pk)
    assert event.payload == {
        "date": "2027-10-06",
        "previous": {"is_working_day": False, "note": "国庆调休"},
    }
    with pytest.raises(NotFound):
        calendar_day_clear(actor=admin, day=D(2027, 10, 6))


def test_year_mark_is_journalled(admin: User) -> None:
    calendar_year_mark_entered(actor=admin, year=2027, note="国务院办公厅 2027 年放假安排通知")
    row = CalendarYear.objects.get(year=2027)
    assert row.official_entered
    (event,) = events(EventType.CALENDAR_YEAR_MARKED)
    assert event.payload["official_entered"] is True
    assert event.payload["in_package"] is False
    calendar_year_mark_entered(actor=admin, year=2027, entered=False, note="录错了")
    assert not CalendarYear.objects.get(year=2027).official_entered
    assert len(events(EventType.CALENDAR_YEAR_MARKED)) == 2


def test_a_case_officer_may_not_change_the_calendar(personas: Personas) -> None:
    officer = personas.case_officer
    with pytest.raises(PermissionDenied):
        calendar_day_set(actor=officer, day=D(2026, 3, 11), is_working_day=False, note="x")
    with pytest.raises(PermissionDenied):
        calendar_day_clear(actor=officer, day=D(2026, 3, 11))
    with pytest.raises(PermissionDenied):
        calendar_year_mark_entered(actor=officer, year=2027)
    for anonymous in (None, personas.outsider):
        with pytest.raises(PermissionDenied):
            calendar_year_mark_entered(actor=anonymous, year=2027)
    assert not CalendarDay.objects.exists()
    assert not CalendarYear.objects.exists()
    assert not Event.objects.filter(event_type__startswith="workdays.").exists()


def test_the_administrator_role_may(county: County) -> None:
    sysadmin = make_user("sysadmin", Role.ADMINISTRATOR, county.root)
    calendar_day_set(actor=sysadmin, day=D(2027, 2, 20), is_working_day=True, note="春节调休上班")
    calendar_year_mark_entered(actor=sysadmin, year=2027)
    assert CalendarDay.objects.get().set_by == sysadmin
    assert Event.objects.filter(event_type__startswith="workdays.", actor=sysadmin).count() == 2


def test_invalid_entries_are_refused(admin: User) -> None:
    with pytest.raises(ValidationFailed) as info:
        calendar_day_set(actor=admin, day=D(2100, 1, 1), is_working_day=False, note=" ")
    assert {e.field for e in info.value.errors} == {"day", "note"}
    with pytest.raises(ValidationFailed):
        calendar_year_mark_entered(actor=admin, year=2003)
    assert not Event.objects.filter(event_type__startswith="workdays.").exists()


# --- selectors -------------------------------------------------------------------


def test_working_calendar_loads_the_years_in_one_query_each(
    admin: User, django_assert_num_queries: Any
) -> None:
    calendar_day_set(actor=admin, day=D(2026, 3, 11), is_working_day=False, note="a")
    calendar_day_set(actor=admin, day=D(2027, 3, 13), is_working_day=True, note="b")
    calendar_day_set(actor=admin, day=D(2029, 3, 14), is_working_day=False, note="c")
    calendar_year_mark_entered(actor=admin, year=2027)
    with django_assert_num_queries(2):
        cal = working_calendar([2026, 2027])
    assert cal.overrides == {D(2026, 3, 11): False, D(2027, 3, 13): True}
    assert cal.notes[D(2027, 3, 13)] == "b"
    assert not cal.is_working_day(D(2026, 3, 11))
    assert cal.is_working_day(D(2027, 3, 13))
    assert cal.schedule_status(2027) is ScheduleStatus.OFFICIAL
    assert cal.schedule_status(2028) is ScheduleStatus.FALLBACK
    with pytest.raises(YearNotLoaded):
        cal.is_working_day(D(2029, 3, 14))


def test_notice_in_an_official_year_has_no_warning(db: Any) -> None:
    period = notice_period_end(D(2026, 9, 28), 5, "working_days")
    assert period.end == D(2026, 10, 9)
    assert period.fallback_years == ()
    assert period.warning == ""
    assert not period.uses_fallback


def test_notice_in_2027_carries_the_fallback_warning(db: Any) -> None:
    period = notice_period_end(D(2027, 9, 28), 5, PeriodUnit.WORKING_DAYS)
    # Tuesday 28 to Thursday 30 September; 1–3 October statutory, 4–5 October
    # 补假; Wednesday 6 and Thursday 7 October.
    assert period.end == D(2027, 10, 7)
    assert period.fallback_years == (2027,)
    assert period.warning == WARNING_2027


def test_notice_crossing_into_2027_warns_about_2027(db: Any) -> None:
    period = notice_period_end(D(2026, 12, 28), 5, "working_days")
    assert period.end == D(2027, 1, 4)  # 28–31 December, then 1 January off
    assert period.warning == WARNING_2027
    assert fallback_warning([2028, 2027]) == (
        "2027、2028 年的国务院放假安排尚未载入，按周一至周五并扣除法定节假日计算，请核对。"
    )


def test_marking_the_year_and_entering_its_days_removes_the_warning(admin: User) -> None:
    # The arrangement says 国庆 runs to 7 October and Saturday 9 October is worked.
    for day in (6, 7):
        calendar_day_set(
            actor=admin, day=D(2027, 10, day), is_working_day=False, note="国庆节放假调休"
        )
    calendar_day_set(actor=admin, day=D(2027, 10, 9), is_working_day=True, note="国庆节调休上班")
    calendar_year_mark_entered(actor=admin, year=2027)
    period = notice_period_end(D(2027, 9, 28), 5, "working_days")
    assert period.end == D(2027, 10, 9)
    assert period.warning == ""


def test_an_override_moves_the_end_of_a_notice(admin: User) -> None:
    calendar_day_set(actor=admin, day=D(2026, 10, 8), is_working_day=False, note="县里补休")
    # 28–30 September, Friday 9 October, then the 调休 working Saturday.
    assert notice_period_end(D(2026, 9, 28), 5, "working_days").end == D(2026, 10, 10)


def test_calendar_days_need_no_calendar(db: Any, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        period = notice_period_end(D(2027, 9, 28), 7, "calendar_days")
    assert period.end == D(2027, 10, 4)
    assert period.warning == ""


def test_a_long_period_loads_the_years_it_reaches(admin: User) -> None:
    calendar_day_set(actor=admin, day=D(2028, 12, 29), is_working_day=False, note="远期调整")
    start = D(2027, 12, 1)
    plain = notice_period_end(start, 300, "working_days")
    assert plain.end.year == 2029
    assert plain.fallback_years == (2027, 2028, 2029)


def test_notice_input_is_checked(db: Any) -> None:
    for start, length, unit in [
        (D(2026, 3, 1), 0, "working_days"),
        (D(2026, 3, 1), 5, "weeks"),
        (D(2003, 3, 1), 5, "working_days"),
        (D(2026, 3, 1), 400, "calendar_days"),
    ]:
        with pytest.raises(ValidationFailed):
            notice_period_end(start, length, unit)
    with pytest.raises(ValidationFailed):
        notice_period_end(D(2099, 12, 20), 30, "working_days")


# --- admin -----------------------------------------------------------------------


def test_admin_writes_through_the_services(admin: User) -> None:
    client = Client()
    client.force_login(admin)
    url = "/admin/workdays/calendarday/add/"
    response = client.post(url, {"date": "2027-10-06", "is_working_day": "", "note": "国庆调休"})
    assert response.status_code == 302, response.content.decode()[:2000]
    row = CalendarDay.objects.get(date=D(2027, 10, 6))
    assert not row.is_working_day
    assert events(EventType.CALENDAR_DAY_SET)[0].payload["note"] == "国庆调休"
    # A missing note is a form error, not a server error.
    response = client.post(url, {"date": "2027-10-07", "is_working_day": "", "note": ""})
    assert response.status_code == 200
    assert not CalendarDay.objects.filter(date=D(2027, 10, 7)).exists()
    response = client.post(
        f"/admin/workdays/calendarday/{row.pk}/change/",
        {"is_working_day": "on", "note": "改为上班"},
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.is_working_day
    response = client.post(f"/admin/workdays/calendarday/{row.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not CalendarDay.objects.exists()
    assert len(events(EventType.CALENDAR_DAY_CLEARED)) == 1
    response = client.post(
        "/admin/workdays/calendaryear/add/", {"year": "2027", "official_entered": "on", "note": ""}
    )
    assert response.status_code == 302
    assert CalendarYear.objects.get(year=2027).official_entered
    assert len(events(EventType.CALENDAR_YEAR_MARKED)) == 1
    assert client.get("/admin/workdays/calendarday/").status_code == 200
    assert client.get("/admin/workdays/calendaryear/").status_code == 200


def test_admin_pages_are_closed_to_a_case_officer(personas: Personas) -> None:
    officer = personas.case_officer
    officer.is_staff = True
    officer.save()
    client = Client()
    client.force_login(officer)
    assert client.get("/admin/workdays/calendarday/").status_code == 403
    response = client.post(
        "/admin/workdays/calendarday/add/",
        {"date": "2027-10-06", "is_working_day": "", "note": "x"},
    )
    assert response.status_code == 403
    assert not CalendarDay.objects.exists()
