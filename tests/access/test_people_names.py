"""Accounts carry the person's real name and their record (docs/decisions/0057):
display_name everywhere a person is shown, user_person_set for the links."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.template import Context, Template

from tests.conftest import make_user
from xuanren.access.models import AccountPerson, Role
from xuanren.access.names import display_name, real_name, split_name
from xuanren.access.services import user_person_set
from xuanren.common.errors import PermissionDenied, ValidationFailed
from xuanren.journal.models import Event, EventType
from xuanren.procedure.models import CommitteeMembership
from xuanren.procedure.record import person
from xuanren.procedure.services import committee_create, committee_member_add

pytestmark = pytest.mark.django_db


def test_real_name_order():
    assert real_name("建国", "王") == "王建国"
    assert real_name("明", "欧阳") == "欧阳明"
    assert real_name("Anna", "Smith") == "Anna Smith"
    assert real_name(" ", "") == ""


def test_display_name_falls_back_to_the_login_only_without_a_name():
    assert display_name(User(username="officer", last_name="王", first_name="建华")) == "王建华"
    assert display_name(User(username="officer")) == "officer"
    assert display_name(None) == ""
    # the same in pages (filter), case pages (person) and API helpers
    user = User(username="officer", last_name="王", first_name="建华")
    rendered = Template("{% load people %}{{ u|display_name }}").render(Context({"u": user}))
    assert rendered == "王建华"
    assert person(user) == "王建华"


def test_split_name():
    assert split_name("王建国") == ("王", "建国")
    assert split_name("欧阳明") == ("欧阳", "明")
    assert split_name("欧阳") == ("欧", "阳")
    assert split_name("Anna") == ("", "Anna")


def test_journal_names_the_person_who_acted(admin, county):
    officer = make_user("officer", Role.CASE_OFFICER, county.root)
    User.objects.filter(pk=officer.pk).update(last_name="王", first_name="建华")
    officer.refresh_from_db()
    committee = committee_create(
        actor=officer, unit=county.root, name="中共青山县委常委会", kind="standing_committee"
    )
    event = Event.objects.filter(event_type=EventType.COMMITTEE_CREATED).last()
    assert event is not None and event.actor_id == officer.pk
    assert event.actor_label == "王建华"
    assert committee.pk


@pytest.fixture
def membership(admin, county, make_cadre):
    committee = committee_create(
        actor=admin, unit=county.root, name="中共青山县委常委会", kind="standing_committee"
    )
    cadre = make_cadre(county.town, name="周建华")
    return committee_member_add(
        actor=admin, committee=committee, name="周建华", start_date=dt.date(2021, 10, 1),
        cadre=cadre,
    )  # fmt: skip


def test_link_an_account_to_its_cadre_and_membership(admin, county, membership):
    member = make_user("member", Role.COMMITTEE_MEMBER, county.root)
    before = Event.objects.count()
    user_person_set(actor=admin, user=member, cadre=membership.cadre, memberships=[membership])
    assert AccountPerson.objects.get(user=member).cadre == membership.cadre
    membership.refresh_from_db()
    assert membership.user == member
    event = Event.objects.last()
    assert Event.objects.count() == before + 1
    assert event.event_type == EventType.USER_PROFILE_SET
    assert event.payload["after"] == {"cadre": membership.cadre_id}
    assert event.payload["memberships"] == [membership.pk]
    # Unchanged: no event.
    user_person_set(actor=admin, user=member, cadre=membership.cadre, memberships=[membership])
    assert Event.objects.count() == before + 1
    # Cleared: the cadre link goes, the membership keeps its account.
    user_person_set(actor=admin, user=member, cadre=None)
    assert AccountPerson.objects.get(user=member).cadre is None
    assert Event.objects.count() == before + 2


def test_one_cadre_one_account(admin, county, membership, make_cadre):
    first = make_user("member", Role.COMMITTEE_MEMBER, county.root)
    second = make_user("member2", Role.COMMITTEE_MEMBER, county.root)
    user_person_set(actor=admin, user=first, cadre=membership.cadre)
    other = make_cadre(county.town, name="吴国平")
    before = Event.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        user_person_set(actor=admin, user=second, cadre=membership.cadre)
    assert "干部“周建华”已对应另一个账号" in str(refused.value)
    # A membership of another cadre than the one chosen is refused.
    with pytest.raises(ValidationFailed) as mismatch:
        user_person_set(actor=admin, user=second, cadre=other, memberships=[membership])
    assert "对应的干部与所选干部不是同一人" in str(mismatch.value)
    # A membership already naming another account is refused.
    CommitteeMembership.objects.filter(pk=membership.pk).update(user=first)
    with pytest.raises(ValidationFailed) as taken:
        user_person_set(actor=admin, user=second, memberships=[membership])
    assert "决定机构成员“周建华”已对应另一个账号" in str(taken.value)
    membership.refresh_from_db()
    assert membership.user == first
    assert Event.objects.count() == before
    assert not AccountPerson.objects.filter(user=second).exists()


def test_only_administrators_link_accounts(county, membership):
    officer = make_user("officer", Role.CASE_OFFICER, county.root)
    before = Event.objects.count()
    with pytest.raises(PermissionDenied):
        user_person_set(actor=officer, user=officer, cadre=membership.cadre)
    assert not AccountPerson.objects.exists()
    assert Event.objects.count() == before


def test_case_pages_name_the_officer(client, admin, county, personas):
    from django.urls import reverse

    from tests.web.helpers import page_text
    from xuanren.procedure.services import case_open

    officer = personas.case_officer
    User.objects.filter(pk=officer.pk).update(last_name="王", first_name="建华")
    officer.refresh_from_db()
    committee = committee_create(
        actor=admin, unit=county.root, name="中共青山县委常委会", kind="standing_committee"
    )
    case = case_open(
        actor=officer, title="城关镇副镇长选任", template_code="county-leading", unit=county.root,
        committee=committee, posts=[(county.town_deputy, 1)], reference_date=dt.date(2026, 11, 27),
    )  # fmt: skip
    client.force_login(officer)
    for name in ("web:case_detail", "web:case_record"):
        text = page_text(client.get(reverse(name, args=[case.pk])))
        assert "王建华" in text, name
        assert "经办人officer" not in text.replace(" ", "").replace("\n", "")
    assert "王建华" in page_text(client.get(reverse("web:case_list")))
