"""Issue 12: family members linked to the cadre records they name (decision
0083), so that recusal fires on entered data; and 身份 (Cadre.identity)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import cadre_input
from xuanren.common.errors import ValidationFailed
from xuanren.journal.models import Event, EventType
from xuanren.journal.services import journal_verify
from xuanren.people.models import Cadre, CadreIdentity, FamilyMember
from xuanren.people.services import cadre_create, cadre_update, family_member_add
from xuanren.procedure.recusal import conflicts

pytestmark = pytest.mark.django_db


def warnings(record: FamilyMember) -> list[str]:
    """What family_member_add returned beside the record."""
    return list(vars(record)["warnings"])


def test_relative_of_the_same_name_and_birth_date_is_linked(admin, county, make_cadre):
    member = make_cadre(county.root, name="陈立", birth=dt.date(1970, 3, 8))
    nephew = make_cadre(county.town, name="陈小", birth=dt.date(1982, 1, 2))
    record = family_member_add(
        actor=admin,
        cadre=nephew,
        relation="uncle_aunt",
        name="陈立",
        birth_date=dt.date(1970, 3, 8),
    )
    assert record.related_cadre_id == member.pk and warnings(record) == []
    event = Event.objects.filter(event_type=EventType.CADRE_RECORD_ADDED).last()
    assert event is not None
    assert (event.payload["related_cadre"], event.payload["linked_by"]) == (
        member.pk,
        "name_birth",
    )
    assert [c.candidate_cadre_id for c in conflicts([member.pk], [nephew.pk])] == [nephew.pk]


@pytest.mark.parametrize(
    ("name", "birth", "linked"),
    [
        ("陈立", dt.date(1970, 3, 1), True),  # month-only, as the form gives it
        ("陈立", dt.date(1970, 3, 9), False),  # a day that differs
        ("陈立", dt.date(1970, 4, 1), False),  # another month
        ("陈力", dt.date(1970, 3, 8), False),  # another name
        ("陈立", None, False),  # no birth date: never guessed
    ],
)
def test_link_needs_name_and_birth_date(admin, county, make_cadre, name, birth, linked):
    member = make_cadre(county.root, name="陈立", birth=dt.date(1970, 3, 8))
    other = make_cadre(county.town, name="陈小", birth=dt.date(1982, 1, 2))
    record = family_member_add(
        actor=admin, cadre=other, relation="father", name=name, birth_date=birth
    )
    assert record.related_cadre_id == (member.pk if linked else None)
    assert warnings(record) == []


def test_ambiguous_relative_is_not_linked_and_warns(admin, county, make_cadre):
    make_cadre(county.root, name="陈立", birth=dt.date(1970, 3, 8))
    make_cadre(county.finance, name="陈立", birth=dt.date(1970, 3, 20))
    other = make_cadre(county.town, name="陈小", birth=dt.date(1982, 1, 2))
    record = family_member_add(
        actor=admin, cadre=other, relation="father", name="陈立", birth_date=dt.date(1970, 3, 1)
    )
    assert record.related_cadre_id is None
    assert len(warnings(record)) == 1 and "2 名干部" in warnings(record)[0]


def test_a_given_link_is_kept_and_self_is_never_matched(admin, county, make_cadre):
    member = make_cadre(county.root, name="陈立", birth=dt.date(1970, 3, 8))
    namesake = make_cadre(county.finance, name="陈立", birth=dt.date(1970, 3, 8))
    record = family_member_add(
        actor=admin,
        cadre=member,
        relation="elder_brother",
        name="陈立",
        birth_date=dt.date(1970, 3, 8),
    )
    # The cadre themself is excluded: the one other namesake is the match.
    assert record.related_cadre_id == namesake.pk
    given = family_member_add(
        actor=admin, cadre=namesake, relation="spouse", name="某人", related_cadre=member
    )
    assert given.related_cadre_id == member.pk


def test_new_cadre_is_linked_to_the_family_records_naming_them(admin, county, make_cadre):
    member = make_cadre(county.root, name="陈立", birth=dt.date(1970, 3, 8))
    record = family_member_add(
        actor=admin, cadre=member, relation="son", name="陈晨", birth_date=dt.date(1984, 7, 1)
    )
    assert record.related_cadre_id is None
    son = make_cadre(county.town, name="陈晨", birth=dt.date(1984, 7, 23))
    record.refresh_from_db()
    assert record.related_cadre_id == son.pk
    event = Event.objects.filter(
        event_type=EventType.CADRE_UPDATED, subject_id=str(member.pk)
    ).last()
    assert event is not None
    assert event.payload == {
        "record": "familymember",
        "id": record.pk,
        "related_cadre": [None, son.pk],
        "linked_by": "name_birth",
    }
    assert journal_verify().ok
    assert [c.candidate_cadre_id for c in conflicts([member.pk], [son.pk])] == [son.pk]


def test_new_cadre_making_a_match_ambiguous_links_nothing(admin, county, make_cadre):
    member = make_cadre(county.root, name="陈立", birth=dt.date(1970, 3, 8))
    make_cadre(county.finance, name="陈晨", birth=dt.date(1984, 7, 2))
    record = family_member_add(
        actor=admin, cadre=member, relation="son", name="陈晨", birth_date=dt.date(1984, 7, 1)
    )
    # One match when entered: linked to it.
    first = record.related_cadre_id
    assert first is not None
    make_cadre(county.town, name="陈晨", birth=dt.date(1984, 7, 23))
    record.refresh_from_db()
    assert record.related_cadre_id == first  # an existing link is never moved
    lone = family_member_add(
        actor=admin, cadre=member, relation="daughter", name="陈晨", birth_date=dt.date(1984, 7, 1)
    )
    assert lone.related_cadre_id is None and warnings(lone)


# ---- 身份 ------------------------------------------------------------------------------


def test_identity_is_recorded_validated_and_journaled(admin, county):
    cadre = cadre_create(
        actor=admin, unit=county.town, data=cadre_input(identity="reference_civil_servant")
    )
    assert cadre.identity == CadreIdentity.REFERENCE_CIVIL_SERVANT
    assert str(cadre.get_identity_display()) == "参照公务员法管理"
    created = Event.objects.filter(event_type=EventType.CADRE_CREATED).last()
    assert created is not None and created.payload["identity"] == "reference_civil_servant"
    cadre = cadre_update(actor=admin, cadre=cadre, changes={"identity": "civil_servant"})
    updated = Event.objects.filter(event_type=EventType.CADRE_UPDATED).last()
    assert updated is not None
    assert updated.payload["changes"]["identity"] == ["reference_civil_servant", "civil_servant"]
    before = Cadre.objects.get(pk=cadre.pk).version
    with pytest.raises(ValidationFailed) as info:
        cadre_update(actor=admin, cadre=cadre, changes={"identity": "公务员"})
    assert [e.field for e in info.value.errors] == ["identity"]
    assert Cadre.objects.get(pk=cadre.pk).identity == "civil_servant"
    assert Cadre.objects.get(pk=cadre.pk).version == before
    cadre = cadre_update(actor=admin, cadre=cadre, changes={"identity": ""})
    assert Cadre.objects.get(pk=cadre.pk).identity == ""


def test_identity_defaults_to_not_recorded(admin, county):
    import dataclasses

    from xuanren.people.services import CadreInput

    # The tests' factory records 公务员; the service's own default is blank.
    given = cadre_input()
    data = CadreInput(
        **{
            f.name: getattr(given, f.name)
            for f in dataclasses.fields(given)
            if f.name != "identity"
        }
    )
    cadre = cadre_create(actor=admin, unit=county.town, data=data)
    assert cadre.identity == ""
    assert FamilyMember.objects.count() == 0
