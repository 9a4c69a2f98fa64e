"""Committee members vote with their own login (issue 11; docs/decisions/0053):
their open ballots, the ballot page (present, recused, voted), the cast, and
the API — with secrecy as for codes."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.api.conftest import API, post_json
from tests.ballots.conftest import DecisionWorld
from xuanren.ballots import selectors
from xuanren.ballots.models import Meeting, Participation, Receipt, Recusal
from xuanren.ballots.services import ballot_cast, meeting_close
from xuanren.common.errors import Conflict, ValidationFailed
from xuanren.journal.models import Event, EventType
from xuanren.procedure.models import CommitteeMembership

pytestmark = pytest.mark.django_db


def with_login(w: DecisionWorld, member: CommitteeMembership, user: Any) -> None:
    CommitteeMembership.objects.filter(pk=member.pk).update(user=user)


@pytest.fixture
def member_world(decision_world, personas):
    """15 members, the first one with the committee member's login; two
    candidates for two seats."""
    w = decision_world(15, candidates=2)
    with_login(w, w.members[0], personas.committee_member)
    return w


def test_the_roster_carries_the_login_and_the_open_ballot_is_listed(member_world, personas):
    w = member_world
    meeting = w.create()
    assert selectors.open_ballots_for(personas.committee_member) == []  # not open yet
    w.attend(w.members[1:])  # not yet present
    w.open()
    (ballot,) = selectors.open_ballots_for(personas.committee_member)
    assert (ballot.meeting.pk, ballot.present) == (meeting.pk, False)
    assert selectors.open_ballots_for(personas.outsider) == []
    assert selectors.open_ballots_for(personas.case_officer) == []  # not on the roster


def test_a_member_not_yet_present_is_told_and_cannot_vote(member_world, personas, client):
    w = member_world
    meeting = w.create()
    w.attend(w.members[1:])
    w.open()
    client.force_login(personas.committee_member)
    page = client.get(f"/ballots/{meeting.pk}/vote/").content.decode()
    assert "尚未登记到会" in page and "ballot-form" not in page
    with pytest.raises(Conflict, match="尚未登记到会"):
        ballot_cast(actor=personas.committee_member, meeting=meeting, content={})
    assert not Participation.objects.filter(meeting=meeting).exists()


def test_a_member_votes_with_their_login_on_the_page(member_world, personas, client):
    w = member_world
    meeting = w.create()
    w.attend(w.members)
    w.open()
    a, b = w.candidates
    ia, ib = w.item(a).pk, w.item(b).pk
    client.force_login(personas.committee_member)
    mine = client.get("/ballots/mine/").content.decode()
    assert meeting.title in mine and f"/ballots/{meeting.pk}/vote/" in mine
    url = f"/ballots/{meeting.pk}/vote/"
    page = client.get(url).content.decode()
    assert "您正以本人账号投票" in page and "投票码" not in page.split("<h1>")[1][:200]
    r = client.post(url, {f"item-{ia}": "agree", f"item-{ib}": "disagree"})
    assert r.status_code == 200 and "确认投票" in r.content.decode()
    content_json = r.context["content_json"]
    r = client.post(url, {"confirm": "1", "content_json": content_json})
    assert r.status_code == 200 and "回执" in r.content.decode()
    voter = w.voter_of(w.members[0])
    assert Participation.objects.filter(voter=voter).exists()
    # No chained event names the cast; its journal entry is the receipt.
    assert not Event.objects.filter(event_type=EventType.BALLOT_CAST).exists()
    assert Receipt.objects.filter(meeting=meeting).exclude(mac="").count() == 1
    assert selectors.open_ballots_for(personas.committee_member) == []
    again = client.get(url)
    assert "您已经投过票" in again.content.decode()
    assert client.post(url, {"confirm": "1", "content_json": content_json}).status_code == 409
    closed = meeting_close(actor=w.officer, meeting=meeting, passphrase=w.passphrase)
    assert closed.result["items"][str(ia)]["agree"] == 1


def test_a_recused_member_sees_it_and_the_service_refuses_the_mark(member_world, personas, client):
    w = member_world
    meeting = w.create()
    a, b = w.candidates
    voter = w.voter_of(w.members[0])
    Recusal.objects.create(voter=voter, item=w.item(a), reason="亲属关系：配偶")
    w.attend(w.members)
    w.open()
    (ballot,) = selectors.open_ballots_for(personas.committee_member)
    assert ballot.recused_from == (w.item(a).name,)
    client.force_login(personas.committee_member)
    page = client.get(f"/ballots/{meeting.pk}/vote/").content.decode()
    assert "不参加对该人选的表决：亲属关系：配偶" in page
    assert f'name="item-{w.item(a).pk}"' not in page
    with pytest.raises(ValidationFailed, match="不在您的表决范围内"):
        ballot_cast(
            actor=personas.committee_member,
            meeting=meeting,
            content={"marks": {str(w.item(a).pk): "agree"}},
        )
    assert not Participation.objects.filter(meeting=meeting).exists()
    ballot_cast(
        actor=personas.committee_member,
        meeting=meeting,
        content={"marks": {str(w.item(b).pk): "agree"}},
    )


def test_the_api_lists_and_takes_the_members_own_ballot(member_world, personas):
    w = member_world
    meeting: Meeting = w.create()
    w.attend(w.members)
    w.open()
    a, _b = w.candidates
    member = Client()
    member.force_login(personas.committee_member)
    (row,) = member.get(f"{API}/ballots/mine").json()
    assert (row["meeting"], row["present"], row["recused_from"]) == (meeting.pk, True, [])
    form = member.get(f"{API}/ballots/meetings/{meeting.pk}/ballot").json()
    assert form["sections"][0]["max_choices"] == 2
    r = post_json(
        member,
        f"/ballots/meetings/{meeting.pk}/cast-as-me",
        {"content": {"marks": {str(w.item(a).pk): "agree"}}},
    )
    assert r.status_code == 201, r.content
    assert member.get(f"{API}/ballots/mine").json() == []
    again = member.get(f"{API}/ballots/meetings/{meeting.pk}/ballot")
    assert again.status_code == 409 and "已经投过票" in again.json()["message"]
    outsider = Client()
    outsider.force_login(personas.outsider)
    assert outsider.get(f"{API}/ballots/mine").json() == []
