"""Issue 11, "a ballot that cannot dead-end": a meeting opens on its date, not
before; codes can be issued while voting; a used or unknown code is refused
at entry; per post a ballot agrees to at most the post's seats; a result
passing more candidates than seats is applied only after the choice is
recorded; one decision meeting per case at a time (and a wrong one can be
abandoned). Each rule: pass, fail, edges, and who may not."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.ballots.conftest import DecisionWorld
from xuanren.ballots import selectors
from xuanren.ballots.models import Meeting, MeetingStatus, Participation, SealedBallot
from xuanren.ballots.services import (
    code_enter,
    meeting_abandon,
    meeting_attendance_set,
    meeting_close,
    meeting_codes_issue,
    meeting_count_key_create,
    meeting_create_for_decision,
    meeting_open,
    meeting_result_apply,
    meeting_seats_choose,
)
from xuanren.common.dates import today
from xuanren.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from xuanren.common.ratelimit import RateLimited
from xuanren.journal.models import Event, EventType
from xuanren.procedure.models import Candidate, CandidateStatus

pytestmark = pytest.mark.django_db


def ready(w: DecisionWorld, present: int | None = None) -> Meeting:
    w.create()
    w.attend(w.members[: present or len(w.members)])
    w.open()
    assert w.meeting is not None
    return w.meeting


# ---- a meeting opens on its date ------------------------------------------------------


def _with_key(officer: Any, meeting: Meeting) -> None:
    meeting_attendance_set(
        actor=officer, meeting=meeting, present=list(meeting.voters.values_list("pk", flat=True))
    )
    meeting_count_key_create(actor=officer, meeting=meeting)


def test_a_meeting_dated_today_opens(seat_world):
    w = seat_world()
    meeting = meeting_create_for_decision(actor=w.officer, case=w.run.case, meeting_date=today())
    _with_key(w.officer, meeting)
    assert meeting_open(actor=w.officer, meeting=meeting).status == MeetingStatus.OPEN


def test_a_meeting_dated_tomorrow_does_not_open(seat_world):
    w = seat_world()
    tomorrow = today() + dt.timedelta(days=1)
    meeting = meeting_create_for_decision(actor=w.officer, case=w.run.case, meeting_date=tomorrow)
    _with_key(w.officer, meeting)
    with pytest.raises(Conflict, match=f"会议日期为 {tomorrow.isoformat()}，今天.*还不能开始投票"):
        meeting_open(actor=w.officer, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SETUP
    assert not Event.objects.filter(event_type=EventType.MEETING_OPENED).exists()


# ---- one decision meeting per case; abandoning --------------------------------------------


def test_one_decision_meeting_per_case_until_closed_or_abandoned(seat_world):
    w = seat_world()
    first = w.create()
    with pytest.raises(Conflict, match="已有未结束的讨论决定表决会议"):
        w.create()
    assert Meeting.objects.filter(case=w.run.case).count() == 1
    with pytest.raises(ValidationFailed, match="请填写作废原因"):
        meeting_abandon(actor=w.officer, meeting=first, reason="  ")
    meeting_abandon(actor=w.officer, meeting=first, reason="会议日期有误")
    first.refresh_from_db()
    assert (first.status, first.abandon_reason) == (MeetingStatus.ABANDONED, "会议日期有误")
    event = Event.objects.filter(event_type=EventType.MEETING_UPDATED).latest("id")
    assert event.payload["abandoned"] == "会议日期有误"
    second = w.create()  # abandoned: no longer blocks
    with pytest.raises(Conflict, match="会议已作废"):
        meeting_open(actor=w.officer, meeting=first)
    assert second.pk != first.pk


def test_an_open_meeting_is_abandoned_with_its_ballots_destroyed_unread(seat_world):
    w = seat_world()
    meeting = ready(w)
    a, _b = w.candidates
    w.cast(w.members[0], {a: "agree"})
    assert SealedBallot.objects.filter(meeting=meeting).count() == 1
    meeting_abandon(actor=w.officer, meeting=meeting, reason="名单有误，重新组织")
    meeting.refresh_from_db()
    assert SealedBallot.objects.filter(meeting=meeting).count() == 0
    assert bytes(meeting.count_locked_key) == b""
    assert Participation.objects.filter(meeting=meeting).count() == 1  # who voted stays
    with pytest.raises(NotFound):
        selectors.meeting_voting(pk=meeting.pk)
    with pytest.raises(Conflict, match="会议已作废"):
        meeting_close(actor=w.officer, meeting=meeting, passphrase=w.passphrase)


def test_a_counted_meeting_cannot_be_abandoned_and_others_may_not(seat_world, personas):
    w = seat_world()
    meeting = w.create()
    for who in (personas.committee_member, personas.outsider):
        with pytest.raises(PermissionDenied):
            meeting_abandon(actor=who, meeting=meeting, reason="x")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SETUP
    w.attend(w.members)
    w.open()
    meeting_close(actor=w.officer, meeting=meeting, passphrase=w.passphrase)
    with pytest.raises(Conflict, match="已结束投票并计票"):
        meeting_abandon(actor=w.officer, meeting=meeting, reason="x")


# ---- codes while voting; codes checked at entry -------------------------------------------


def test_codes_are_issued_while_the_meeting_is_open(seat_world):
    w = seat_world()
    meeting = ready(w)
    member = w.members[3]
    old = w.codes[member.pk]
    ((voter, new),) = meeting_codes_issue(
        actor=w.officer, meeting=meeting, voters=[w.voter_of(member).pk]
    )
    assert voter.membership_id == member.pk and new != old
    with pytest.raises(NotFound):
        code_enter(meeting=meeting, code=old)
    assert code_enter(meeting=meeting, code=new).pk == voter.pk
    # Who has voted gets no code.
    w.cast(w.members[0], {})
    issued = meeting_codes_issue(actor=w.officer, meeting=meeting)
    assert w.voter_of(w.members[0]).pk not in {v.pk for v, _c in issued}


def test_a_used_code_is_refused_at_entry_and_an_unknown_one_too(seat_world, settings):
    w = seat_world()
    meeting = ready(w)
    w.cast(w.members[0], {})
    with pytest.raises(Conflict, match="该投票码已经投过票"):
        code_enter(meeting=meeting, code=w.codes[w.members[0].pk], client="10.0.0.1")
    with pytest.raises(NotFound, match="投票码不正确"):
        code_enter(meeting=meeting, code="ABCDE-FGHJK", client="10.0.0.1")
    assert code_enter(meeting=meeting, code=w.codes[w.members[1].pk], client="10.0.0.1")


def test_the_rate_limit_still_applies_at_entry(seat_world, settings):
    settings.XUANREN_BALLOT_CODE_RATE = (2, 600)
    w = seat_world()
    meeting = ready(w)
    w.cast(w.members[0], {})
    for _i in range(2):
        with pytest.raises(NotFound):
            code_enter(meeting=meeting, code="ABCDE-FGHJK", client="10.0.0.9")
    # Past the limit every code is refused, the used one and the right one too.
    for code in (w.codes[w.members[0].pk], w.codes[w.members[1].pk]):
        with pytest.raises(RateLimited):
            code_enter(meeting=meeting, code=code, client="10.0.0.9")


def test_the_vote_page_refuses_a_used_code_at_entry(seat_world, client):
    w = seat_world()
    meeting = ready(w)
    w.cast(w.members[0], {})
    url = f"/ballots/{meeting.pk}/vote/"
    r = client.post(url, {"action": "code", "code": w.codes[w.members[0].pk]})
    assert r.status_code == 409 and "该投票码已经投过票" in r.content.decode()
    assert "ballot-form" not in r.content.decode()


# ---- seats per post on the ballot -------------------------------------------------------


def test_agreeing_to_exactly_the_seats_is_accepted_one_more_is_refused(seat_world):
    w = seat_world(candidates=3, seats=2)
    meeting = ready(w)
    a, b, c = w.candidates
    w.cast(w.members[0], {a: "agree", b: "agree", c: "disagree"})
    with pytest.raises(ValidationFailed, match="同意的人数超过拟配人数") as info:
        w.cast(w.members[1], {a: "agree", b: "agree", c: "agree"})
    assert [e.message for e in info.value.errors] == [
        "城关镇副镇长拟配 2 人，最多只能对 2 名人选投同意票。"
    ]
    assert Participation.objects.filter(meeting=meeting).count() == 1
    # Disagreeing with every name is never over the limit.
    w.cast(w.members[1], {a: "disagree", b: "disagree", c: "disagree"})


def test_one_seat_two_agreeing_is_refused(seat_world):
    w = seat_world(candidates=2, seats=1)
    ready(w)
    a, b = w.candidates
    with pytest.raises(ValidationFailed, match="同意的人数超过拟配人数"):
        w.cast(w.members[0], {a: "agree", b: "agree"})
    w.cast(w.members[0], {a: "agree", b: "disagree"})


def test_the_decision_ballot_has_one_section_per_post_limited_to_its_seats(seat_world):
    w = seat_world(candidates=3, seats=2)
    meeting = w.create()
    (section,) = meeting.sections.all()
    assert (section.title, section.max_choices, section.items.count()) == ("城关镇副镇长", 2, 3)


def test_the_confirm_step_refuses_over_selection_before_it_is_offered(seat_world, client, personas):
    w = seat_world(candidates=2, seats=1)
    meeting = ready(w)
    a, b = w.candidates
    url = f"/ballots/{meeting.pk}/vote/"
    client.post(url, {"action": "code", "code": w.codes[w.members[0].pk]})
    ia, ib = w.item(a).pk, w.item(b).pk
    page = client.get(url).content.decode()
    assert 'data-max="1"' in page and "最多同意 1 人" in page
    r = client.post(url, {f"item-{ia}": "agree", f"item-{ib}": "agree"})
    text = r.content.decode()
    assert r.status_code == 422 and "最多只能对 1 名人选投同意票" in text
    assert "确认投票" not in text
    r = client.post(url, {f"item-{ia}": "agree", f"item-{ib}": "abstain"})
    assert r.status_code == 200 and "确认投票" in r.content.decode()


# ---- more passing than seats -----------------------------------------------------------


def _three_pass_for_two_seats(w: DecisionWorld) -> Meeting:
    """15 present; 6 agree 甲乙, 4 agree 甲丙, 5 agree 乙丙: 甲 10, 乙 11,
    丙 9 — all pass (more than half of 15 is 8) for two seats."""
    meeting = ready(w)
    a, b, c = w.candidates
    pairs = [(a, b)] * 6 + [(a, c)] * 4 + [(b, c)] * 5
    for member, pair in zip(w.members, pairs, strict=True):
        w.cast(member, dict.fromkeys(pair, "agree"))
    return meeting_close(actor=w.officer, meeting=meeting, passphrase=w.passphrase)


def test_more_passing_than_seats_is_applied_only_after_the_choice(seat_world, personas):
    w = seat_world(candidates=3, seats=2)
    meeting = _three_pass_for_two_seats(w)
    a, b, c = w.candidates
    (over,) = selectors.seats_over(meeting)
    assert (over.seats, [p.name for p in over.passed]) == (2, ["乙", "甲", "丙"])
    assert over.expected == tuple(sorted([a.pk, b.pk]))
    with pytest.raises(Conflict, match="请先确定拟任人选"):
        meeting_result_apply(actor=w.officer, meeting=meeting)
    post = w.run.case.case_posts.get().post_id
    with pytest.raises(PermissionDenied):
        meeting_seats_choose(
            actor=personas.committee_member,
            meeting=meeting,
            choices=[{"post": post, "candidates": [a.pk, b.pk], "reason": "x"}],
        )
    with pytest.raises(ValidationFailed) as info:
        meeting_seats_choose(
            actor=w.officer,
            meeting=meeting,
            choices=[{"post": post, "candidates": [a.pk, c.pk], "reason": ""}],
        )
    assert [e.message for e in info.value.errors] == [
        "城关镇副镇长拟配 2 人：按差额票决，应由同意票多的甲、乙任职，不能另行指定。",
        "城关镇副镇长：请填写确定拟任人选的理由。",
    ]
    meeting.refresh_from_db()
    assert meeting.seat_choice == []
    meeting_seats_choose(
        actor=w.officer,
        meeting=meeting,
        choices=[{"post": post, "candidates": [b.pk, a.pk], "reason": "差额票决，同意票多者任职"}],
    )
    event = Event.objects.filter(event_type=EventType.MEETING_UPDATED).latest("id")
    assert event.payload["seat_choice"][0]["candidates"] == sorted([a.pk, b.pk])
    record = meeting_result_apply(actor=w.officer, meeting=meeting)
    assert record.data["seat_choice"][0]["reason"] == "差额票决，同意票多者任职"
    statuses = dict(Candidate.objects.filter(case=w.run.case).values_list("pk", "status"))
    assert statuses == {
        a.pk: CandidateStatus.APPROVED,
        b.pk: CandidateStatus.APPROVED,
        c.pk: CandidateStatus.EXCLUDED,
    }


def test_no_choice_is_asked_when_the_seats_suffice(seat_world):
    w = seat_world(candidates=2, seats=1)
    meeting = ready(w)
    a, b = w.candidates
    for member in w.members[:8]:
        w.cast(member, {a: "agree", b: "disagree"})
    meeting = meeting_close(actor=w.officer, meeting=meeting, passphrase=w.passphrase)
    assert selectors.seats_over(meeting) == []
    with pytest.raises(Conflict, match="无须确定拟任人选"):
        meeting_seats_choose(actor=w.officer, meeting=meeting, choices=[])
    meeting_result_apply(actor=w.officer, meeting=meeting)
    assert Candidate.objects.get(pk=a.pk).status == CandidateStatus.APPROVED


def test_a_paper_sheet_agreeing_to_too_many_is_invalid(seat_world, personas, admin):
    from xuanren.ballots.selectors import paper_sheets_state
    from xuanren.ballots.services import paper_entry_record

    w = seat_world(candidates=2, seats=1)
    w.create(method="paper", sheet_count=2)
    w.attend(w.members)
    w.open()
    assert w.meeting is not None
    a, b = w.candidates
    content = {"marks": {str(w.item(a).pk): "agree", str(w.item(b).pk): "agree"}}
    serial = selectors.serials_of(w.meeting)[0]
    paper_entry_record(actor=w.officer, meeting=w.meeting, serial=serial, content=content)
    paper_entry_record(actor=admin, meeting=w.meeting, serial=serial, content=content)
    ((_group, _content, valid),) = paper_sheets_state(w.meeting).ballots
    assert valid is False
