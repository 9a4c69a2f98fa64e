"""待办's kept reminders (reminders.kept, decision 0195): what a cadre's
records give, kept by every writer in its transaction, read by 待办 in one
query, and `xuanren reminders` reports and puts right what differs."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.conftest import County, Personas
from xuanren.common.errors import PermissionDenied, ValidationFailed
from xuanren.journal.models import Event, EventType
from xuanren.journal.services import journal_verify
from xuanren.people.idnumbers import build_id_number
from xuanren.people.models import Cadre, CadreStatus
from xuanren.people.services import cadre_update, tenure_end, tenure_start
from xuanren.reminders.kept import reminders_differences, reminders_refresh_all
from xuanren.reminders.models import KeptReminder
from xuanren.reminders.services import reminders_recount

D = dt.date


def kept(cadre: Cadre) -> set[tuple[str, dt.date, dt.date | None, str, bool]]:
    return {
        (r.kind, r.due, r.since, r.rule, r.first) for r in KeptReminder.objects.filter(cadre=cadre)
    }


def test_a_new_cadre_has_a_retirement_reminder(
    admin: User, county: County, make_cadre: Any
) -> None:
    # A man born 15 May 1968: 60 years and 11 months under the 2024 decision
    # (one month for every four from January 1965: 40 months, 11 steps).
    cadre = make_cadre(county.town, birth=D(1968, 5, 15))
    assert kept(cadre) == {("retirement_due", D(2029, 4, 15), None, "", True)}
    row = KeptReminder.objects.get(cadre=cadre)
    assert row.path == county.town.path and row.tenure_id is None


def test_a_tenure_gives_its_rotation_level_and_probation_reminders(
    admin: User, county: County, make_cadre: Any
) -> None:
    cadre = make_cadre(county.town, birth=D(1968, 5, 15))
    tenure = tenure_start(
        actor=admin,
        cadre=cadre,
        post=county.town_secretary,
        start_date=D(2020, 3, 1),
        probation_until=D(2021, 3, 1),
    )
    # 正科 principal post: ten years in the post and two five-year terms are
    # both reached on 1 March 2030 (one of them counts the person, `first`);
    # fifteen years at the level on 1 March 2035; the probation ends 1 March 2021.
    assert kept(cadre) == {
        ("retirement_due", D(2029, 4, 15), None, "", True),
        ("level_limit_due", D(2035, 3, 1), D(2020, 3, 1), "national.same_level_fifteen_years", True),
        ("rotation_due", D(2030, 3, 1), D(2020, 3, 1), "national.same_post_ten_years", True),
        ("rotation_due", D(2030, 3, 1), D(2020, 3, 1), "national.two_terms", False),
        ("probation_ending", D(2021, 3, 1), D(2020, 3, 1), "", True),
    }  # fmt: skip
    post_rows = KeptReminder.objects.filter(cadre=cadre, tenure=tenure)
    assert {r.path for r in post_rows} == {county.town_secretary.unit.path}
    # The tenure ends: its post's reminders go, the level's stay.
    tenure_end(actor=admin, tenure=tenure, end_date=D(2024, 6, 30))
    assert kept(cadre) == {
        ("retirement_due", D(2029, 4, 15), None, "", True),
        ("level_limit_due", D(2035, 3, 1), D(2020, 3, 1), "national.same_level_fifteen_years", True),
    }  # fmt: skip
    assert reminders_differences() == []


def test_a_deputy_post_has_no_terms_rule(admin: User, county: County, make_cadre: Any) -> None:
    cadre = make_cadre(county.finance, birth=D(1980, 2, 29))
    tenure_start(actor=admin, cadre=cadre, post=county.finance_deputy, start_date=D(2016, 2, 29))
    rotation = {r for r in kept(cadre) if r[0] == "rotation_due"}
    # 29 February 2016 + 120 months: February 2026 has no 29th, so the ten
    # years are completed on 1 March (add_months), and the 副科 post is not
    # principal (no two-term rule).
    assert rotation == {
        ("rotation_due", D(2026, 3, 1), D(2016, 2, 29), "national.same_post_ten_years", True)
    }


def test_the_cadre_s_edits_move_or_drop_the_reminders(
    admin: User, county: County, make_cadre: Any
) -> None:
    cadre = make_cadre(county.town, birth=D(1968, 5, 15))
    number = build_id_number("330421", D(1968, 9, 15), 7, "male")
    cadre_update(
        actor=admin, cadre=cadre, changes={"birth_date": D(1968, 9, 15), "id_number": number}
    )
    # 44 months from January 1965: 12 steps, 61 years 0 months.
    assert kept(cadre) == {("retirement_due", D(2029, 9, 15), None, "", True)}
    cadre_update(actor=admin, cadre=cadre, changes={}, unit=county.finance)
    assert set(KeptReminder.objects.filter(cadre=cadre).values_list("path", flat=True)) == {
        county.finance.path
    }
    # An edit that touches none of their facts leaves the rows as they were.
    ids = set(KeptReminder.objects.filter(cadre=cadre).values_list("pk", flat=True))
    cadre_update(actor=admin, cadre=cadre, changes={"specialty": "财政"})
    assert set(KeptReminder.objects.filter(cadre=cadre).values_list("pk", flat=True)) == ids


def test_a_refused_write_keeps_nothing(admin: User, county: County, make_cadre: Any) -> None:
    cadre = make_cadre(county.town, birth=D(1968, 5, 15))
    before = kept(cadre)
    with pytest.raises(ValidationFailed):
        tenure_start(
            actor=admin,
            cadre=cadre,
            post=county.town_secretary,
            start_date=D(2020, 3, 1),
            probation_until=D(2019, 3, 1),  # before the start: refused
        )
    assert kept(cadre) == before


def test_a_cadre_not_in_service_has_none(admin: User, county: County, make_cadre: Any) -> None:
    """Only the seeder and the imports write a status (no service changes it):
    a retired cadre has no reminder, not even of the tenure still open."""
    cadre = make_cadre(county.town, birth=D(1968, 5, 15))
    tenure_start(
        actor=admin,
        cadre=cadre,
        post=county.town_secretary,
        start_date=D(2020, 3, 1),
        probation_until=D(2021, 3, 1),
    )
    Cadre.objects.filter(pk=cadre.pk).update(status=CadreStatus.RETIRED)
    reminders_refresh_all([cadre.pk])
    # the probation is the tenure's, whoever holds it (as 待办 always read it)
    assert {r[0] for r in kept(cadre)} == {"probation_ending"}


def test_refresh_all_is_what_the_writers_keep(admin: User, county: County, make_cadre: Any) -> None:
    a = make_cadre(county.town, name="甲", birth=D(1966, 1, 31))
    b = make_cadre(county.finance, name="乙", birth=D(1975, 7, 1), sex="female")
    tenure_start(actor=admin, cadre=a, post=county.town_deputy, start_date=D(2018, 1, 31))
    tenure_start(actor=admin, cadre=b, post=county.finance_head, start_date=D(2019, 5, 5))
    before = {c.pk: kept(c) for c in (a, b)}
    KeptReminder.objects.all().delete()
    assert {d.cadre_id for d in reminders_differences()} == {a.pk, b.pk}
    reminders_refresh_all()
    assert {c.pk: kept(c) for c in (a, b)} == before
    assert reminders_differences() == []


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("reminders", *args, stdout=out)
    return out.getvalue()


def test_the_command_reports_and_puts_right_what_differs(
    admin: User, county: County, make_cadre: Any
) -> None:
    cadre = make_cadre(county.town, birth=D(1968, 5, 15))
    assert "0 名与记录不一致" in _run("--by", "admin", "--check")
    KeptReminder.objects.filter(cadre=cadre).update(due=D(2040, 1, 1))
    events = Event.objects.count()
    with pytest.raises(SystemExit) as exit_:
        _run("--by", "admin", "--check")
    assert exit_.value.code == 1
    assert Event.objects.count() == events  # a check changes nothing
    out = _run("--by", "admin")
    assert f"干部 {cadre.pk}：保存的提醒与记录不一致（保存 1 条，按记录 1 条）" in out
    assert "改正 1 名" in out
    assert kept(cadre) == {("retirement_due", D(2029, 4, 15), None, "", True)}
    event = Event.objects.order_by("-pk").first()
    assert event is not None and event.event_type == EventType.REMINDERS_RECOUNTED
    assert event.payload["differences"] == 1
    assert journal_verify().ok
    assert "0 名与记录不一致" in _run("--by", "admin", "--check")


def test_the_command_is_for_a_system_administrator_only(
    county: County, personas: Personas, make_cadre: Any
) -> None:
    cadre = make_cadre(county.town, birth=D(1968, 5, 15))
    KeptReminder.objects.filter(cadre=cadre).delete()
    events = Event.objects.count()
    for username in ("officer", "outsider", "nobody"):
        with pytest.raises(CommandError):
            _run("--by", username)
    with pytest.raises(PermissionDenied):
        reminders_recount(actor=personas.case_officer, apply=True)
    assert kept(cadre) == set() and Event.objects.count() == events
