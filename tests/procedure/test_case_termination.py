"""Ending a case early (终止 / 撤回) and refusing a case for a post without a
vacancy up front (decisions 0068, 0069)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.procedure.conftest import open_case
from xuanren.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from xuanren.journal.models import Event, EventType
from xuanren.journal.services import journal_verify
from xuanren.org.models import Level
from xuanren.org.services import post_create
from xuanren.people.services import tenure_start
from xuanren.procedure.models import Case, CaseStatus, CaseStep, MotionProposalStatus
from xuanren.procedure.selectors import case_get
from xuanren.procedure.services import (
    CaseEnd,
    case_step_complete,
    case_terminate,
    committee_create,
    motion_proposal_decide,
    motion_proposal_submit,
)

pytestmark = pytest.mark.django_db

MOTION = {"reason": "vacancy", "proposer": "城关镇党委"}


def test_terminate_at_any_step_with_a_reason(personas: Any, county: Any, committee: Any) -> None:
    case = open_case(personas, county, committee)
    case_step_complete(actor=personas.case_officer, case=case, step="motion", data=MOTION)
    ended = case_terminate(actor=personas.case_officer, case=case, reason="职位调整，不再选任。")
    case.refresh_from_db()
    assert case.status == CaseStatus.ABANDONED == ended.status
    assert case.ended_at is not None and case.ended_by == personas.case_officer
    assert case.ended_at_step == "plan" and case.end_reason == "职位调整，不再选任。"
    event = Event.objects.get(event_type=EventType.CASE_TERMINATED)
    assert event.payload == {
        "status": "abandoned",
        "step": "plan",
        "reason": "职位调整，不再选任。",
    }
    assert event.subject_id == str(case.pk)
    assert journal_verify().ok
    # The records stay; no step can be completed any more.
    assert CaseStep.objects.filter(case=case).count() == 1
    with pytest.raises(Conflict, match="已终止"):
        case_step_complete(actor=personas.case_officer, case=case, step="plan", data={})


def test_withdraw_is_its_own_status_and_event(personas: Any, county: Any, committee: Any) -> None:
    case = open_case(personas, county, committee)
    case_terminate(actor=personas.case_officer, case=case, reason="立项有误", kind=CaseEnd.WITHDRAW)
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN and case.get_status_display() == "已撤回"
    assert case.ended_at_step == "motion"
    assert Event.objects.filter(event_type=EventType.CASE_WITHDRAWN).count() == 1


def test_refused_without_reason_for_an_ended_case_and_for_a_bad_kind(
    personas: Any, county: Any, committee: Any
) -> None:
    case = open_case(personas, county, committee)
    events = Event.objects.count()
    with pytest.raises(ValidationFailed) as info:
        case_terminate(actor=personas.case_officer, case=case, reason="  ")
    assert info.value.errors[0].field == "reason"
    assert "理由" in info.value.errors[0].message
    with pytest.raises(ValidationFailed):
        case_terminate(actor=personas.case_officer, case=case, reason="x", kind="delete")
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN and case.ended_at is None
    assert Event.objects.count() == events
    case_terminate(actor=personas.case_officer, case=case, reason="不再选任")
    with pytest.raises(Conflict, match="已终止"):
        case_terminate(actor=personas.case_officer, case=case, reason="再次", kind=CaseEnd.WITHDRAW)
    case.refresh_from_db()
    assert case.status == CaseStatus.ABANDONED and case.end_reason == "不再选任"


def test_a_closed_case_cannot_be_terminated(personas: Any, county: Any, committee: Any) -> None:
    case = open_case(personas, county, committee)
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, current_step="")
    with pytest.raises(Conflict, match="已办结"):
        case_terminate(actor=personas.case_officer, case=case, reason="x")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.ended_at is None


def test_who_may_terminate(personas: Any, county: Any, committee: Any) -> None:
    case = open_case(personas, county, committee)
    for who in (personas.committee_member, personas.outsider, personas.other_unit_hr):
        with pytest.raises(PermissionDenied):
            case_terminate(actor=who, case=case, reason="x")
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert not Event.objects.filter(event_type=EventType.CASE_TERMINATED).exists()
    # A case officer of another unit does not find the case at all.
    with pytest.raises(NotFound):
        case_get(actor=_other_officer(county), pk=case.pk)


def _other_officer(county: Any) -> Any:
    from tests.conftest import make_user
    from xuanren.access.models import Role

    return make_user("officer_shiqiao", Role.CASE_OFFICER, county.other_town)


# ---- a post without a vacancy ----------------------------------------------------------


def _fill_finance_head(personas: Any, county: Any, make_cadre: Any) -> Any:
    holder = make_cadre(county.finance, name="钱在任")
    tenure_start(actor=personas.case_officer, cadre=holder, post=county.finance_head,
                 start_date=dt.date(2020, 1, 1))  # fmt: skip
    return holder


def test_opening_a_case_for_a_full_post_is_refused_with_its_occupancy(
    personas: Any, county: Any, committee: Any, make_cadre: Any
) -> None:
    _fill_finance_head(personas, county, make_cadre)
    events = Event.objects.count()
    with pytest.raises(ValidationFailed) as info:
        open_case(personas, county, committee, posts=[(county.finance_head, 1)])
    messages = [e.message for e in info.value.errors]
    assert (
        "职位“青山县财政局局长”共 1 个，现有 1 人在任（钱在任），空缺 0 个，不能再配 1 人。"
        in messages
    )
    assert not Case.objects.exists() and Event.objects.count() == events


def test_accepting_a_motion_for_a_full_post_is_refused_and_no_case_is_left(
    personas: Any, county: Any, admin: Any, make_cadre: Any
) -> None:
    post = post_create(actor=admin, unit=county.other_town, title="石桥镇镇长",
                       level=Level.SECTION_PRINCIPAL)  # fmt: skip
    holder = make_cadre(county.other_town, name="孙镇长")
    tenure_start(actor=admin, cadre=holder, post=post, start_date=dt.date(2022, 1, 1))
    proposal = motion_proposal_submit(actor=personas.other_unit_hr, unit=county.other_town,
                                      posts=[(post, 1)], reasons="拟调整")  # fmt: skip
    committee = committee_create(actor=admin, unit=county.root, name="常委会",
                                 kind="standing_committee")  # fmt: skip
    with pytest.raises(ValidationFailed) as info:
        motion_proposal_decide(actor=personas.case_officer, proposal=proposal, accept=True,
                               template_code="county-leading", committee=committee)  # fmt: skip
    assert any("孙镇长" in e.message and "空缺 0 个" in e.message for e in info.value.errors)
    proposal.refresh_from_db()
    assert proposal.status == MotionProposalStatus.SUBMITTED and proposal.case is None
    assert not Case.objects.exists()


# ---- the case's meetings end with it (decision 0077) ----------------------------------


def _case_with_meetings(personas: Any, county: Any, admin: Any, make_cadre: Any) -> Any:
    """A case at its decision step with its decision meeting voting (one
    ballot cast) and an evaluation meeting being set up."""
    from tests.procedure.test_decision_stage import (
        MEETING,
        make_committee,
        open_at_integrity,
        to_decision,
    )
    from xuanren.ballots.models import MeetingKind
    from xuanren.ballots.services import (
        ballot_cast,
        meeting_attendance_set,
        meeting_codes_issue,
        meeting_count_key_create,
        meeting_create_for_case,
        meeting_create_for_decision,
        meeting_open,
    )

    officer = personas.case_officer
    committee, members = make_committee(admin, county, 5)
    run = open_at_integrity(personas, county, committee, [(county.town_deputy, 1)])
    people = [run.inspect(make_cadre(county.town, name=n), county.town_deputy) for n in "甲乙"]
    evaluation = meeting_create_for_case(
        actor=officer,
        case=run.case,
        kind=MeetingKind.EVALUATION,
        meeting_date=MEETING,
        participants=[("张三", "职工群众")],
    )
    to_decision(run, people, members)
    decision = meeting_create_for_decision(actor=officer, case=run.case, meeting_date=MEETING)
    meeting_attendance_set(
        actor=officer, meeting=decision, present=list(decision.voters.values_list("pk", flat=True))
    )
    codes = [code for _voter, code in meeting_codes_issue(actor=officer, meeting=decision)]
    meeting_count_key_create(actor=officer, meeting=decision)
    meeting_open(actor=officer, meeting=decision)
    item = decision.items.get(candidate=people[0])
    marks = {"marks": {str(item.pk): "agree"}}
    ballot_cast(actor=None, meeting=decision, code=codes[0], content=marks)
    decision.refresh_from_db()
    return run.case, decision, evaluation, codes, marks


@pytest.mark.parametrize("kind", [CaseEnd.TERMINATE, CaseEnd.WITHDRAW])
def test_terminating_abandons_the_cases_open_meetings(
    personas: Any, county: Any, admin: Any, make_cadre: Any, kind: str
) -> None:
    from xuanren.ballots.models import MeetingStatus, SealedBallot
    from xuanren.ballots.services import ballot_cast

    case, decision, evaluation, codes, marks = _case_with_meetings(
        personas, county, admin, make_cadre
    )
    assert (decision.status, evaluation.status) == (MeetingStatus.OPEN, MeetingStatus.SETUP)
    case_terminate(actor=personas.case_officer, case=case, reason="职位调整，不再选任", kind=kind)
    word = "终止" if kind == CaseEnd.TERMINATE else "撤回"
    for meeting in (decision, evaluation):
        meeting.refresh_from_db()
        assert meeting.status == MeetingStatus.ABANDONED
        assert meeting.abandon_reason == f"选任事项已{word}：职位调整，不再选任"
    # The ballot already cast is destroyed unread; nobody votes any more.
    assert not SealedBallot.objects.filter(meeting=decision).exists()
    with pytest.raises(NotFound, match="没有正在投票的会议"):
        ballot_cast(actor=None, meeting=decision, code=codes[1], content=marks)
    # Journal: the case's end, then each meeting abandoned, in one chain.
    ended = EventType.CASE_TERMINATED if kind == CaseEnd.TERMINATE else EventType.CASE_WITHDRAWN
    end_event = Event.objects.get(event_type=ended)
    abandoned = Event.objects.filter(
        event_type=EventType.MEETING_UPDATED, payload__has_key="abandoned", id__gt=end_event.id
    ).order_by("id")
    assert [(e.subject_id, e.payload["abandoned"]) for e in abandoned] == sorted(
        [(str(m.pk), m.abandon_reason) for m in (decision, evaluation)]
    )
    assert sum(e.payload["discarded_ballots"] for e in abandoned) == 1
    assert journal_verify().ok


def test_a_refused_termination_leaves_the_meetings_open(
    personas: Any, county: Any, admin: Any, make_cadre: Any
) -> None:
    from xuanren.ballots.models import MeetingStatus, SealedBallot

    case, decision, evaluation, _codes, _marks = _case_with_meetings(
        personas, county, admin, make_cadre
    )
    events = Event.objects.count()
    with pytest.raises(ValidationFailed):
        case_terminate(actor=personas.case_officer, case=case, reason=" ")
    with pytest.raises(PermissionDenied):
        case_terminate(actor=personas.committee_member, case=case, reason="不再选任")
    decision.refresh_from_db()
    evaluation.refresh_from_db()
    assert (decision.status, evaluation.status) == (MeetingStatus.OPEN, MeetingStatus.SETUP)
    assert SealedBallot.objects.filter(meeting=decision).count() == 1
    assert Event.objects.count() == events


def test_a_closed_meeting_of_the_case_is_left_as_it_is(
    personas: Any, county: Any, admin: Any, make_cadre: Any
) -> None:
    """Only meetings being set up or voting end with the case: an abandoned
    one is not abandoned again (no second event)."""
    from xuanren.ballots.models import MeetingStatus
    from xuanren.ballots.services import meeting_abandon

    case, decision, evaluation, _codes, _marks = _case_with_meetings(
        personas, county, admin, make_cadre
    )
    meeting_abandon(actor=personas.case_officer, meeting=evaluation, reason="名单有误")
    case_terminate(actor=personas.case_officer, case=case, reason="不再选任")
    evaluation.refresh_from_db()
    decision.refresh_from_db()
    assert evaluation.abandon_reason == "名单有误"
    assert decision.status == MeetingStatus.ABANDONED
    assert (
        Event.objects.filter(event_type=EventType.MEETING_UPDATED, payload__has_key="abandoned")
        .filter(subject_id=str(evaluation.pk))
        .count()
        == 1
    )
