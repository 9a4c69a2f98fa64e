"""A candidate deferred (缓议) at the decision meeting is put to a later
meeting of the same case (`case_decision_resume`): a further decision record,
the same guards (only the deferred may be voted on), the same effects; only
after the decision and before the next step; the case stays where it is."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.procedure.test_decision_stage import (
    MEETING,
    decision_data,
    make_committee,
    status,
    two_candidates,
    vote,
)
from xuanren.common.errors import Conflict, PermissionDenied, ValidationFailed
from xuanren.journal.models import Event, EventType
from xuanren.journal.services import journal_verify
from xuanren.procedure.models import CandidateStatus, CaseStep
from xuanren.procedure.services import (
    GuardBlocked,
    case_decision_resume,
    decision_resumable,
)

pytestmark = pytest.mark.django_db
LATER = MEETING + dt.timedelta(days=7)


@pytest.fixture
def deferred(personas, county, admin, make_cadre):
    """甲 deferred, 乙 rejected at the meeting; the case is at the public notice."""
    committee, members = make_committee(admin, county, 11)
    run, a, b = two_candidates(personas, county, committee, members, make_cadre)
    with pytest.raises(Conflict):  # nothing decided yet
        case_decision_resume(actor=personas.case_officer, case=run.case, data={}, on=MEETING)
    run.complete(
        "decision", decision_data(members[:9], [vote(a, defer_votes=6), vote(b, 3, 6)]), MEETING
    )
    assert (status(a), status(b)) == (CandidateStatus.DEFERRED, CandidateStatus.REJECTED)
    assert run.step == "public_notice"
    return run, a, b, members


def test_a_deferred_candidate_is_decided_at_a_later_meeting(personas, deferred):
    run, a, _b, members = deferred
    assert decision_resumable(run.case)
    record = case_decision_resume(
        actor=personas.case_officer,
        case=run.case,
        data=decision_data(members[:10], [vote(a, 8, 2)], day=LATER),
        on=LATER,
    )
    assert status(a) == CandidateStatus.APPROVED
    assert f"讨论决定（{LATER.isoformat()}）" in a.status_reason
    first = CaseStep.objects.get(case=run.case, step="decision", seq__lt=record.seq)
    assert record.step == "decision" and record.seq == first.seq + 1
    assert record.data["result_sheet"]["candidates"][0]["outcome"] == "passed"
    assert run.step == "public_notice"  # the case has not moved
    assert CaseStep.objects.filter(case=run.case, step="decision").count() == 2
    event = Event.objects.get(hash=record.journal_hash)
    assert (event.event_type, event.payload["resumed"]) == (EventType.STEP_COMPLETED, True)
    assert not decision_resumable(run.case)  # nobody deferred any more
    with pytest.raises(Conflict):
        case_decision_resume(actor=personas.case_officer, case=run.case, data={}, on=LATER)
    assert journal_verify().ok


def test_a_resumed_meeting_is_checked_against_the_decision_contract(personas, deferred):
    run, a, _b, _members = deferred
    with pytest.raises(ValidationFailed) as info:
        case_decision_resume(
            actor=personas.case_officer, case=run.case, data={"votes": [vote(a, 8)]}, on=LATER
        )
    messages = {e.field: e.message for e in info.value.errors}
    assert messages == {
        "meeting_date": "“会议日期”：必须填写，请补上。",
        "present": "“到会成员”：必须填写，请补上。",
    }
    assert status(a) == CandidateStatus.DEFERRED
    assert CaseStep.objects.filter(case=run.case, step="decision").count() == 1


def test_only_the_deferred_may_be_voted_on(personas, deferred):
    run, a, b, members = deferred
    with pytest.raises(GuardBlocked) as info:
        case_decision_resume(
            actor=personas.case_officer,
            case=run.case,
            data=decision_data(members[:10], [vote(a, 8), vote(b, 9)], day=LATER),
            on=LATER,
        )
    problems = {e.field: e.message for e in info.value.errors}
    assert "乙（拟任" in problems["no_additions_at_meeting"]
    assert "会上不得临时增加人选" in problems["no_additions_at_meeting"]
    # Quorum is checked as at any meeting.
    with pytest.raises(GuardBlocked) as info:
        case_decision_resume(
            actor=personas.case_officer,
            case=run.case,
            data=decision_data(members[:5], [vote(a, 5)], day=LATER),
            on=LATER,
        )
    assert "未达到法定到会人数" in info.value.errors[0].message
    assert status(a) == CandidateStatus.DEFERRED
    assert CaseStep.objects.filter(case=run.case, step="decision").count() == 1


def test_a_seat_taken_at_the_first_meeting_is_not_free(personas, county, admin, make_cadre):
    committee, members = make_committee(admin, county, 11)
    run, a, b = two_candidates(personas, county, committee, members, make_cadre)
    run.complete(
        "decision", decision_data(members[:9], [vote(a, defer_votes=6), vote(b, 8)]), MEETING
    )
    assert status(b) == CandidateStatus.APPROVED
    data = decision_data(members[:10], [vote(a, 9)], day=LATER)
    with pytest.raises(GuardBlocked, match="拟配 0 人，表决通过 1 人"):
        case_decision_resume(actor=personas.case_officer, case=run.case, data=data, on=LATER)
    choice = {"post": a.post_id, "candidates": [], "reason": "该职位已由前次会议决定的人选任职"}
    case_decision_resume(
        actor=personas.case_officer, case=run.case, data={**data, "seat_choice": [choice]}, on=LATER
    )
    a.refresh_from_db()
    assert a.status == CandidateStatus.EXCLUDED and "差额票决" in a.status_reason


def test_not_after_the_next_step_and_not_by_others(personas, deferred):
    run, a, _b, members = deferred
    data = decision_data(members[:10], [vote(a, 8)], day=LATER)
    with pytest.raises(PermissionDenied):
        case_decision_resume(actor=personas.committee_member, case=run.case, data=data, on=LATER)
    run.put_at("appointment")  # as if the notice step were done
    with pytest.raises(Conflict, match="下一环节办理之前"):
        case_decision_resume(actor=personas.case_officer, case=run.case, data=data, on=LATER)
