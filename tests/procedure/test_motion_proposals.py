"""Motion proposals (动议建议): a unit's HR contact proposes filling posts of
their own unit; the organization department accepts (a case opens with the
proposal's posts) or declines with a reason. Scope: HR sees their unit's
proposals only; an outsider nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from xuanren.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from xuanren.journal.models import Event, EventType
from xuanren.org.models import Level
from xuanren.org.services import post_create
from xuanren.procedure.models import Case, CaseStatus, MotionProposal, MotionProposalStatus
from xuanren.procedure.selectors import motion_proposal_get, motion_proposal_list
from xuanren.procedure.services import motion_proposal_decide, motion_proposal_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def shiqiao_post(county: Any, admin: Any) -> Any:
    return post_create(
        actor=admin, unit=county.other_town, title="石桥镇副镇长", level=Level.SECTION_DEPUTY
    )


@pytest.fixture
def proposal(personas: Any, county: Any, shiqiao_post: Any) -> MotionProposal:
    return motion_proposal_submit(
        actor=personas.other_unit_hr,
        unit=county.other_town,
        posts=[(shiqiao_post, 1)],
        reasons="原副镇长调任，职位空缺。",
    )


def test_unit_hr_proposes_for_their_own_unit(proposal: MotionProposal, personas: Any) -> None:
    assert proposal.status == MotionProposalStatus.SUBMITTED
    assert [pp.post.title for pp in proposal.proposal_posts.all()] == ["石桥镇副镇长"]
    event = Event.objects.get(event_type=EventType.MOTION_PROPOSED)
    assert event.subject_id == str(proposal.pk)
    assert event.payload["reasons"] == "原副镇长调任，职位空缺。"


def test_unit_hr_cannot_propose_for_another_unit(personas: Any, county: Any) -> None:
    with pytest.raises(PermissionDenied):
        motion_proposal_submit(
            actor=personas.other_unit_hr, unit=county.town, posts=[(county.town_deputy, 1)],
            reasons="x",
        )  # fmt: skip
    with pytest.raises(ValidationFailed) as info:
        motion_proposal_submit(
            actor=personas.other_unit_hr, unit=county.other_town,
            posts=[(county.town_deputy, 1)], reasons="x",
        )  # fmt: skip
    assert "不属于您所在单位" in info.value.errors[0].message
    assert not MotionProposal.objects.exists()


def test_proposal_needs_reasons_and_posts(personas: Any, county: Any, shiqiao_post: Any) -> None:
    with pytest.raises(ValidationFailed) as info:
        motion_proposal_submit(actor=personas.other_unit_hr, unit=county.other_town, posts=[],
                               reasons=" ")  # fmt: skip
    assert {e.field for e in info.value.errors} == {"reasons", "posts"}
    for who in (personas.outsider, personas.committee_member):
        with pytest.raises(PermissionDenied):
            motion_proposal_submit(actor=who, unit=county.other_town,
                                   posts=[(shiqiao_post, 1)], reasons="x")  # fmt: skip


def test_scope_of_the_list(
    proposal: MotionProposal, personas: Any, county: Any, admin: Any
) -> None:
    from tests.conftest import make_user
    from xuanren.access.models import Role

    town_hr = make_user("hr_town", Role.UNIT_HR, county.town)
    assert list(motion_proposal_list(actor=personas.other_unit_hr)) == [proposal]
    assert list(motion_proposal_list(actor=personas.case_officer)) == [proposal]
    assert list(motion_proposal_list(actor=town_hr)) == []
    with pytest.raises(NotFound):
        motion_proposal_get(actor=town_hr, pk=proposal.pk)
    for who in (personas.outsider, personas.committee_member):
        with pytest.raises(PermissionDenied):
            motion_proposal_list(actor=who)


def test_officer_accepts_and_a_case_opens_with_the_posts(
    proposal: MotionProposal, personas: Any, county: Any, admin: Any, shiqiao_post: Any
) -> None:
    from xuanren.procedure.services import committee_create

    committee = committee_create(actor=admin, unit=county.root, name="常委会",
                                 kind="standing_committee")  # fmt: skip
    # The HR contact may not decide their own proposal.
    with pytest.raises(PermissionDenied):
        motion_proposal_decide(actor=personas.other_unit_hr, proposal=proposal, accept=False,
                               reason="x")  # fmt: skip
    with pytest.raises(ValidationFailed):
        motion_proposal_decide(actor=personas.case_officer, proposal=proposal, accept=True,
                               template_code="county-leading")  # fmt: skip
    decided = motion_proposal_decide(
        actor=personas.case_officer, proposal=proposal, accept=True,
        template_code="county-leading", committee=committee, reference_date=dt.date(2026, 11, 1),
    )  # fmt: skip
    assert decided.status == MotionProposalStatus.ACCEPTED
    case = Case.objects.get()
    assert decided.case == case and case.status == CaseStatus.OPEN
    assert case.current_step == "motion"
    assert [(cp.post, cp.seats) for cp in case.case_posts.all()] == [(shiqiao_post, 1)]
    assert "石桥镇" in case.title
    event = Event.objects.get(event_type=EventType.MOTION_PROPOSAL_DECIDED)
    assert event.payload["case"] == case.pk
    with pytest.raises(Conflict):
        motion_proposal_decide(actor=personas.case_officer, proposal=proposal, accept=False,
                               reason="重复")  # fmt: skip


def test_officer_declines_only_with_a_reason(proposal: MotionProposal, personas: Any) -> None:
    with pytest.raises(ValidationFailed) as info:
        motion_proposal_decide(actor=personas.case_officer, proposal=proposal, accept=False)
    assert info.value.errors[0].field == "reason"
    proposal.refresh_from_db()
    assert proposal.status == MotionProposalStatus.SUBMITTED
    decided = motion_proposal_decide(actor=personas.case_officer, proposal=proposal,
                                     accept=False, reason="该职位拟由上级统筹调配。")  # fmt: skip
    assert (decided.status, decided.decision_reason) == (
        MotionProposalStatus.DECLINED, "该职位拟由上级统筹调配。",
    )  # fmt: skip
    assert decided.case is None and not Case.objects.exists()
