"""`xuanren relatives link`: family records already in the database are
linked to the cadre they name (decision 0083), journaled; ambiguous ones are
left alone with a warning; a second run and a dry run change nothing."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.conftest import make_user
from xuanren.access.models import Role
from xuanren.journal.models import Event, EventType
from xuanren.journal.services import journal_verify
from xuanren.people.models import FamilyMember

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("relatives", "link", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def old_records(county, make_cadre):
    """Family records as entered before linking existed (no related_cadre)."""
    member = make_cadre(county.root, name="陈立", birth=dt.date(1970, 3, 8))
    make_cadre(county.root, name="王芳", birth=dt.date(1975, 6, 3))
    make_cadre(county.town, name="王芳", birth=dt.date(1975, 6, 20))
    nephew = make_cadre(county.town, name="陈小", birth=dt.date(1982, 1, 2))
    linked = FamilyMember.objects.create(
        cadre=nephew, relation="uncle_aunt", name="陈立", birth_date=dt.date(1970, 3, 1)
    )
    ambiguous = FamilyMember.objects.create(
        cadre=nephew, relation="spouse", name="王芳", birth_date=dt.date(1975, 6, 1)
    )
    nobody = FamilyMember.objects.create(
        cadre=nephew, relation="father", name="陈大", birth_date=dt.date(1950, 1, 1)
    )
    undated = FamilyMember.objects.create(cadre=nephew, relation="mother", name="陈立")
    return member, nephew, linked, ambiguous, nobody, undated


def test_links_the_only_match_and_journals_it(admin, old_records):
    member, nephew, linked, ambiguous, nobody, undated = old_records
    before = Event.objects.count()
    out, err = run("--by", "admin")
    assert "已关联 1 条" in out and "未关联 1 条" in out and "无对应干部 2 条" in out
    linked.refresh_from_db()
    assert linked.related_cadre_id == member.pk
    for record in (ambiguous, nobody, undated):
        record.refresh_from_db()
        assert record.related_cadre_id is None
    assert "王芳" in err and "2 名干部" in err and "陈小" in err
    events = list(Event.objects.filter(pk__gt=0).order_by("pk"))[before:]
    assert len(events) == 1
    event = events[0]
    assert event.event_type == EventType.CADRE_UPDATED
    assert (event.subject_type, event.subject_id) == ("people.cadre", str(nephew.pk))
    assert event.payload == {
        "record": "familymember",
        "id": linked.pk,
        "related_cadre": [None, member.pk],
        "linked_by": "name_birth",
    }
    assert journal_verify().ok


def test_second_run_is_idempotent(admin, old_records):
    run("--by", "admin")
    before = Event.objects.count()
    out, _err = run("--by", "admin")
    assert "已关联 0 条" in out and "未关联 1 条" in out
    assert Event.objects.count() == before


def test_existing_link_is_never_moved(admin, county, make_cadre, old_records):
    _member, _nephew, linked, *_rest = old_records
    other = make_cadre(county.town, name="李四", birth=dt.date(1969, 2, 2))
    FamilyMember.objects.filter(pk=linked.pk).update(related_cadre=other)
    run("--by", "admin")
    linked.refresh_from_db()
    assert linked.related_cadre_id == other.pk


def test_dry_run_writes_nothing(admin, old_records):
    _member, _nephew, linked, *_rest = old_records
    before = Event.objects.count()
    out, err = run("--by", "admin", "--dry-run")
    assert "试运行，未作改动" in out and "可关联 1 条" in out and "王芳" in err
    assert Event.objects.count() == before
    assert not FamilyMember.objects.filter(related_cadre__isnull=False).exists()
    linked.refresh_from_db()
    assert linked.related_cadre_id is None


@pytest.mark.parametrize("by", ["nobody", "officer"])
def test_only_an_administrator_may_run_it(admin, county, old_records, by):
    make_user("officer", Role.CASE_OFFICER, county.root)
    before = Event.objects.count()
    with pytest.raises(CommandError):
        run("--by", by)
    assert Event.objects.count() == before
    assert not FamilyMember.objects.filter(related_cadre__isnull=False).exists()


def test_a_seeded_county_unlinked_is_linked_back(admin):
    from xuanren.synth.loader import seed

    seed(cadres=300, units=40, seed=4)
    was = dict(
        FamilyMember.objects.filter(related_cadre__isnull=False).values_list(
            "pk", "related_cadre_id"
        )
    )
    assert was
    FamilyMember.objects.update(related_cadre=None)  # as data entered before 0083
    total = FamilyMember.objects.count()
    out, err = run("--by", "admin")
    now = dict(
        FamilyMember.objects.filter(related_cadre__isnull=False).values_list(
            "pk", "related_cadre_id"
        )
    )
    for pk, cadre_id in was.items():
        assert now.get(pk, cadre_id) == cadre_id  # back to the same cadre, or left alone
    assert sum(1 for pk in was if pk in now) >= len(was) - err.count("\n")
    linked = len(now)
    assert linked > 0
    assert f"已关联 {linked} 条" in out
    assert Event.objects.filter(event_type=EventType.CADRE_UPDATED).count() >= linked
    assert total >= linked
    assert journal_verify().ok
