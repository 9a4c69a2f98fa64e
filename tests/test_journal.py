import itertools

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from xuanren.journal.chain import GENESIS
from xuanren.journal.models import Event, EventType
from xuanren.journal.services import journal_record, journal_verify

pytestmark = pytest.mark.django_db


def test_chain_links_each_event_to_the_previous(county):
    events = list(Event.objects.order_by("id"))
    assert len(events) >= 10
    assert events[0].prev_hash == GENESIS
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash
    assert journal_verify().ok


def test_verify_detects_an_edited_payload(county):
    victim = Event.objects.order_by("id")[3]
    Event.objects.filter(pk=victim.pk).update(payload={"name": "篡改"})
    result = journal_verify()
    assert not result.ok
    assert result.broken_at == victim.pk
    assert result.checked == 3


def test_verify_detects_a_deleted_last_event(county):
    Event.objects.order_by("-id")[0].delete()
    result = journal_verify()
    assert not result.ok
    assert "删除" in result.reason


def test_verify_detects_a_deleted_middle_event(county):
    Event.objects.order_by("id")[2].delete()
    assert not journal_verify().ok


def test_command_reports_the_broken_link(county, capsys):
    call_command("journal", "verify")
    assert "日志链完整" in capsys.readouterr().out
    victim = Event.objects.order_by("id")[1]
    Event.objects.filter(pk=victim.pk).update(actor_label="someone-else")
    with pytest.raises(CommandError, match=f"第 {victim.pk} 号记录"):
        call_command("journal", "verify")


def test_payload_with_dates_round_trips_through_the_database(db):
    import datetime as dt

    journal_record(
        actor=None,
        event_type=EventType.SEED_LOADED,
        subject=("synth.seed", "1"),
        payload={"on": dt.date(2026, 2, 28), "n": 3, "名": "县"},
    )
    assert journal_verify().ok


def test_event_rolls_back_with_the_failed_change(county, admin):
    from xuanren.common.errors import ValidationFailed
    from xuanren.org.services import post_create

    before = Event.objects.count()
    with pytest.raises(ValidationFailed):
        post_create(actor=admin, unit=county.town, title="", level="section_deputy")
    assert Event.objects.count() == before
