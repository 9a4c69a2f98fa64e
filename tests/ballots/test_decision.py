"""Decision meetings (表决) from a case: every threshold edge of the issue,
deferral, recusal, and the case's decision step completed from the meeting."""

from __future__ import annotations

import pytest

from tests.ballots.conftest import DecisionWorld
from tests.procedure.test_decision_stage import MEETING
from xuanren.ballots.models import MeetingStatus
from xuanren.ballots.services import (
    meeting_close,
    meeting_count_key_create,
    meeting_deferral_record,
    meeting_open,
    meeting_result_apply,
)
from xuanren.common.errors import Conflict, ValidationFailed
from xuanren.journal.models import Event, EventType
from xuanren.journal.services import journal_verify
from xuanren.people.services import family_member_add
from xuanren.procedure.models import CandidateStatus, CaseStep

pytestmark = pytest.mark.django_db


def vote_and_close(w: DecisionWorld, present: int, agree: int, disagree: int = 0) -> dict:
    """`present` members attend and all vote; the first `agree` agree, the
    next `disagree` disagree, the rest mark nothing (abstain)."""
    w.create()
    w.attend(w.members[:present])
    w.open()
    (c,) = w.candidates
    for n, m in enumerate(w.members[:present]):
        mark = {c: "agree"} if n < agree else ({c: "disagree"} if n < agree + disagree else {})
        w.cast(m, mark)
    assert w.meeting is not None
    closed = meeting_close(actor=w.officer, meeting=w.meeting, passphrase=w.passphrase)
    return closed.result["decision"]


@pytest.mark.parametrize(
    ("members", "present", "agree", "outcome"),
    [
        (15, 10, 8, "passed"),  # two thirds of 15 is 10; more than half of 15 is 8
        (15, 10, 7, "rejected"),  # 7 of the 10 present agreed: not more than half of 15
        (14, 10, 8, "passed"),
        (14, 10, 7, "rejected"),  # more than half of 14 is 8
        (15, 15, 8, "passed"),
    ],
)
def test_majority_is_of_all_members_who_should_attend(
    decision_world, members, present, agree, outcome
):
    w = decision_world(members)
    decision = vote_and_close(w, present, agree, present - agree)
    row = decision["candidates"][0]
    assert decision["members"] == members and decision["present"] == present
    assert (row["outcome"], row["agree"], row["disagree"], row["abstain"]) == (
        outcome,
        agree,
        present - agree,
        0,
    )
    assert row["needed"] == members // 2 + 1


@pytest.mark.parametrize(("members", "present"), [(15, 9), (14, 9)])
def test_without_quorum_the_vote_does_not_open(decision_world, members, present):
    w = decision_world(members)
    w.create()
    w.attend(w.members[:present])
    assert w.meeting is not None
    with pytest.raises(Conflict, match=f"应到会成员 {members} 人，实到 {present} 人.*至少 10 人"):
        meeting_open(actor=w.officer, meeting=w.meeting)
    w.attend(w.members[:10])
    with pytest.raises(Conflict, match="请先生成计票密钥"):
        meeting_open(actor=w.officer, meeting=w.meeting)
    meeting_count_key_create(actor=w.officer, meeting=w.meeting)
    meeting_open(actor=w.officer, meeting=w.meeting)
    w.meeting.refresh_from_db()
    assert w.meeting.status == MeetingStatus.OPEN


def test_unmarked_is_abstain_and_absent_voters_are_not_counted(decision_world):
    w = decision_world(15)
    decision = vote_and_close(w, present=12, agree=8, disagree=2)
    row = decision["candidates"][0]
    assert (row["agree"], row["disagree"], row["abstain"]) == (8, 2, 2)


def test_deferral_by_more_than_half_of_those_present(decision_world):
    w = decision_world(15, candidates=2)
    a, b = w.candidates
    m = w.create()
    w.attend(w.members[:12])
    with pytest.raises(ValidationFailed, match="0 到参加讨论的 12 人"):
        meeting_deferral_record(actor=w.officer, meeting=m, item=w.item(a), votes=13)
    assert meeting_deferral_record(actor=w.officer, meeting=m, item=w.item(a), votes=7).deferred
    assert not meeting_deferral_record(
        actor=w.officer, meeting=m, item=w.item(b), votes=6
    ).deferred  # 6 of 12 is half, not more than half
    w.open()
    with pytest.raises(ValidationFailed, match="不在您的表决范围内"):
        w.cast(w.members[0], {a: "agree"})
    for member in w.members[:12]:
        w.cast(member, {b: "agree"})
    result = meeting_close(actor=w.officer, meeting=m, passphrase=w.passphrase).result["decision"]
    rows = {r["candidate"]: r for r in result["candidates"]}
    assert rows[a.pk]["outcome"] == "deferred" and rows[a.pk]["defer_votes"] == 7
    assert rows[b.pk]["outcome"] == "passed"


def test_recused_member_cannot_vote_on_the_relative_and_leaves_the_count(
    decision_world, admin, make_cadre, county
):
    member_cadre = make_cadre(county.finance, name="委员本人")
    w = decision_world(15, candidates=2, cadres=(member_cadre,))
    a, b = w.candidates
    family_member_add(
        actor=admin,
        cadre=member_cadre,
        relation="spouse",
        name=a.cadre.name,
        related_cadre=a.cadre,
    )
    m = w.create()
    w.attend(w.members[:10])
    w.open()
    recused = w.members[0]
    assert list(w.item(a).recusals.values_list("voter__membership", flat=True)) == [recused.pk]
    with pytest.raises(ValidationFailed, match="回避或缓议"):
        w.cast(recused, {a: "agree", b: "agree"})
    w.cast(recused, {b: "agree"})  # may vote on the other candidate
    for member in w.members[1:10]:
        w.cast(member, {a: "agree", b: "agree"})
    result = meeting_close(actor=w.officer, meeting=m, passphrase=w.passphrase).result["decision"]
    rows = {r["candidate"]: r for r in result["candidates"]}
    assert (rows[a.pk]["agree"], rows[a.pk]["abstain"], rows[a.pk]["eligible_voters"]) == (9, 0, 9)
    assert rows[a.pk]["recused"] == [w.voter_of(recused).pk]
    assert "（1 人回避）" in rows[a.pk]["sentence"]
    assert (rows[b.pk]["agree"], rows[b.pk]["eligible_voters"]) == (10, 10)
    # The case's own recusal guard accepts the meeting's result.
    record = meeting_result_apply(actor=w.officer, meeting=m, on=MEETING)
    assert record.data["votes"][0]["recused"] == [recused.pk]


def test_an_electronic_meeting_completes_the_decision_step(decision_world):
    w = decision_world(15, candidates=2)
    a, b = w.candidates
    m = w.create()
    w.attend(w.members[:10])
    w.open()
    for n, member in enumerate(w.members[:10]):
        w.cast(member, {a: "agree", b: "agree" if n < 7 else "disagree"})
    with pytest.raises(Conflict, match="尚未计票"):
        meeting_result_apply(actor=w.officer, meeting=m, on=MEETING)
    closed = meeting_close(actor=w.officer, meeting=m, passphrase=w.passphrase)
    record = meeting_result_apply(actor=w.officer, meeting=closed, on=MEETING)
    assert record.step == "decision"
    assert record.data["method"] == "electronic"
    assert record.data["ballot_meeting"] == m.pk
    assert record.data["ballot_digest"] == closed.ballot_digest
    assert record.data["present"] == [x.pk for x in w.members[:10]]
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, b.status) == (CandidateStatus.APPROVED, CandidateStatus.REJECTED)
    sheet = CaseStep.objects.get(pk=record.pk).data["result_sheet"]
    assert [r["agree"] for r in sheet["candidates"]] == [10, 7]
    assert Event.objects.filter(event_type=EventType.RESULT_APPLIED).count() == 1
    with pytest.raises(Conflict, match="已经计入"):
        meeting_result_apply(actor=w.officer, meeting=closed, on=MEETING)
    assert journal_verify().ok


def test_other_units_officer_cannot_run_the_meeting(decision_world, personas):
    w = decision_world(15)
    m = w.create()
    with pytest.raises(Exception, match=r"管理范围|权限"):
        meeting_close(actor=personas.other_unit_hr, meeting=m)
