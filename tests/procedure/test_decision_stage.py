"""The decision stage through `case_step_complete`: integrity opinion, audit,
deliberation, the decision meeting (quorum, majority, deferral, recusal, no
additions), appointment, appointment talk and the end of probation.

The selection steps (recommendation … inspection) belong to another stage's
guards, so every case here runs motion, plan and publication through the
service and is then put at "integrity_opinion" directly
(`Case.objects.filter(...).update(current_step=...)`), with its inspection
candidates added by `candidate_add(status=INSPECTION)`. The public notice's
guards are the supervision stage's, so the full runs likewise put the case at
"appointment" directly after the decision."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.procedure.conftest import ON
from tests.step_data import MOTION, publication
from xuanren.common.errors import ValidationFailed
from xuanren.journal.models import Event, EventType
from xuanren.journal.services import journal_verify
from xuanren.people.models import Cadre, Tenure
from xuanren.people.services import family_member_add, tenure_end, tenure_start
from xuanren.procedure.candidates import candidate_add
from xuanren.procedure.models import (
    Candidate,
    CandidateStatus,
    Case,
    CaseStatus,
    CaseStep,
    Committee,
    CommitteeMembership,
)
from xuanren.procedure.services import (
    GuardBlocked,
    case_open,
    case_step_complete,
    committee_create,
    committee_member_add,
)

pytestmark = pytest.mark.django_db

EARLY = dt.date(2026, 10, 10)
MEETING = dt.date(2026, 11, 20)
REQUESTED = MEETING - dt.timedelta(days=3)
INTEGRITY_ON = MEETING - dt.timedelta(days=2)  # the opinions have come back
APPOINTED_ON = dt.date(2026, 12, 10)
PROBATION_LAST_DAY = dt.date(2027, 11, 19)


def iso(day: dt.date) -> str:
    return day.isoformat()


# ---- building a case ---------------------------------------------------------------


def make_committee(
    admin: Any, county: Any, n: int, cadres: tuple[Cadre, ...] = ()
) -> tuple[Committee, list[CommitteeMembership]]:
    committee = committee_create(
        actor=admin, unit=county.root, name=f"青山县委常委会（{n}人）", kind="standing_committee"
    )
    members = [
        committee_member_add(
            actor=admin,
            committee=committee,
            name=f"委员{i + 1:02d}",
            start_date=dt.date(2021, 10, 1),
            cadre=cadres[i] if i < len(cadres) else None,
        )
        for i in range(n)
    ]
    return committee, members


class Run:
    """One case driven by the case officer."""

    def __init__(self, personas: Any, case: Case) -> None:
        self.officer = personas.case_officer
        self.case = case

    def complete(self, step: str, data: dict[str, Any], on: dt.date) -> CaseStep:
        return case_step_complete(actor=self.officer, case=self.case, step=step, data=data, on=on)

    def blocked(self, step: str, data: dict[str, Any], on: dt.date) -> dict[str, list[str]]:
        with pytest.raises(GuardBlocked, match="前置条件未满足") as info:
            self.complete(step, data, on)
        out: dict[str, list[str]] = {}
        for error in info.value.errors:
            out.setdefault(error.field, []).append(error.message)
        self.case.refresh_from_db()
        assert self.case.current_step == step  # nothing moved
        return out

    def refused(self, step: str, data: dict[str, Any], on: dt.date) -> dict[str, str]:
        """The step contract's problems by place in the data; nothing moved."""
        with pytest.raises(ValidationFailed) as info:
            self.complete(step, data, on)
        self.case.refresh_from_db()
        assert self.case.current_step == step
        return {e.field: e.message for e in info.value.errors}

    def put_at(self, step: str) -> None:
        Case.objects.filter(pk=self.case.pk).update(current_step=step)
        self.case.refresh_from_db()

    def inspect(self, cadre: Cadre, post: Any) -> Candidate:
        return candidate_add(
            actor=self.officer,
            case=self.case,
            cadre=cadre,
            post=post,
            step="candidates",
            status=CandidateStatus.INSPECTION,
        )

    @property
    def step(self) -> str:
        self.case.refresh_from_db()
        return self.case.current_step


def open_at_integrity(
    personas: Any,
    county: Any,
    committee: Committee,
    posts: list[tuple[Any, int]],
    template: str = "county-leading",
) -> Run:
    """Motion, plan and publication through the service; then the case is put
    at integrity_opinion directly (the selection stage is not this module's)."""
    case = case_open(
        actor=personas.case_officer,
        title="科级领导干部选任",
        template_code=template,
        unit=county.root,
        committee=committee,
        posts=posts,
        reference_date=ON,
    )
    run = Run(personas, case)
    run.complete("motion", MOTION, EARLY)
    run.complete(
        "plan",
        {
            "consultation": [{"from": "县委组织部部务会", "comment": "同意"}],
            "higher_approval": {"body": "市委组织部", "document": "市组函〔2026〕9号"},
        },
        EARLY,
    )
    run.complete("publication", publication(EARLY, "职位公告"), EARLY)
    run.put_at("integrity_opinion")
    return run


def integrity_data(
    candidates: list[Candidate],
    failed: tuple[Candidate, ...] = (),
    requested: dt.date = REQUESTED,
    meeting: dt.date = MEETING,
) -> dict[str, Any]:
    return {
        "request_document": "青组函〔2026〕21号",
        "requested_on": iso(requested),
        "planned_meeting_date": iso(meeting),
        "opinions": [
            {
                "candidate": c.pk,
                "result": "failed" if c in failed else "passed",
                "returned_on": iso(requested + dt.timedelta(days=1)),
                "document": "青纪函〔2026〕8号",
            }
            for c in candidates
        ],
    }


def circulation(
    members: list[CommitteeMembership], on: dt.date = MEETING - dt.timedelta(days=2)
) -> dict[str, Any]:
    return {
        "planned_meeting_date": iso(MEETING),
        "plan_document": "任免方案（2026-11）",
        "circulated": [{"member": m.pk, "on": iso(on)} for m in members],
    }


def vote(c: Candidate, agree: Any = 0, disagree: int = 0, **more: Any) -> dict[str, Any]:
    return {"candidate": c.pk, "post": c.post_id, "agree": agree, "disagree": disagree, **more}


def decision_data(
    present: list[CommitteeMembership], votes: list[dict[str, Any]], day: dt.date = MEETING
) -> dict[str, Any]:
    return {
        "meeting_date": iso(day),
        "present": [m.pk for m in present],
        "votes": votes,
        "method": "paper",
    }


def to_decision(run: Run, candidates: list[Candidate], members: list[CommitteeMembership]) -> None:
    """Integrity opinion, audit (not needed for a deputy post) and deliberation."""
    run.complete("integrity_opinion", integrity_data(candidates), INTEGRITY_ON)
    if run.step == "audit":
        run.complete("audit", {}, MEETING - dt.timedelta(days=2))
    if run.step == "deliberation":
        run.complete("deliberation", circulation(members), MEETING - dt.timedelta(days=1))
    assert run.step == "decision"


def status(c: Candidate) -> str:
    c.refresh_from_db()
    return c.status


# ---- integrity opinion ---------------------------------------------------------------


def test_integrity_requested_in_time_blocks_late_and_unwritten_requests(
    personas, county, committee, make_cadre
):
    run = open_at_integrity(personas, county, committee, [(county.town_deputy, 1)])
    a = run.inspect(make_cadre(county.town, name="甲"), county.town_deputy)
    on = MEETING - dt.timedelta(days=1)
    late = integrity_data([a], requested=MEETING - dt.timedelta(days=2))
    problems = run.blocked("integrity_opinion", late, on)
    assert set(problems) == {"integrity_requested_in_time"}
    (message,) = problems["integrity_requested_in_time"]
    assert "仅 2 日，不足 3 日" in message and "请将会议安排在 2026-11-21 或以后" in message
    unwritten = {**integrity_data([a]), "request_document": ""}
    assert run.refused("integrity_opinion", unwritten, on) == {
        "request_document": "“征求意见函文号”：不能为空，请填写。"
    }
    run.complete("integrity_opinion", integrity_data([a]), on)  # exactly 3 days: enough
    assert run.step == "audit"


def test_integrity_missing_opinion_blocks_and_a_failed_one_excludes(
    personas, county, committee, make_cadre
):
    run = open_at_integrity(personas, county, committee, [(county.town_deputy, 1)])
    a = run.inspect(make_cadre(county.town, name="甲"), county.town_deputy)
    b = run.inspect(make_cadre(county.town, name="乙"), county.town_deputy)
    on = MEETING - dt.timedelta(days=2)
    problems = run.blocked("integrity_opinion", integrity_data([a]), on)
    assert set(problems) == {"integrity_passed"}
    assert problems["integrity_passed"] == [
        "尚未收到纪委监委对乙（拟任城关镇副镇长）的廉政意见：须待书面回复后再办理本环节。"
    ]
    run.complete("integrity_opinion", integrity_data([a, b], failed=(b,)), on)
    b.refresh_from_db()
    assert b.status == CandidateStatus.EXCLUDED
    assert b.status_reason == "廉政意见未通过（一票否决）"
    assert status(a) == CandidateStatus.INSPECTION
    assert Event.objects.filter(
        event_type=EventType.CANDIDATE_STATUS_SET, payload__candidate=b.pk
    ).exists()


# ---- audit ---------------------------------------------------------------------------


def test_audit_concluded_for_a_principal_post(personas, county, committee, make_cadre):
    run = open_at_integrity(personas, county, committee, [(county.finance_head, 1)])
    a = run.inspect(make_cadre(county.finance, name="甲"), county.finance_head)
    b = run.inspect(make_cadre(county.finance, name="乙"), county.finance_head)
    run.complete("integrity_opinion", integrity_data([a, b]), INTEGRITY_ON)
    on = MEETING - dt.timedelta(days=2)
    clean = {"concluded_on": iso(on), "report": "青审经责〔2026〕5号", "problems": ""}
    problems = run.blocked("audit", {"audits": [{"candidate": a.pk, **clean}]}, on)
    assert problems == {
        "audit_concluded": [
            "乙（拟任青山县财政局局长）须经经济责任审计，审计结论尚未记录："
            "请待审计机关出具审计结论后记录结论日期和文号。"
        ]
    }
    finding = {**clean, "problems": "专项资金未按规定用途使用 12 万元"}
    problems = run.blocked(
        "audit",
        {"audits": [{"candidate": a.pk, **clean}, {"candidate": b.pk, **finding}]},
        on,
    )
    (message,) = problems["audit_concluded"]
    assert "专项资金未按规定用途使用 12 万元" in message and "重新记录审计结论" in message
    run.complete(
        "audit", {"audits": [{"candidate": a.pk, **clean}, {"candidate": b.pk, **clean}]}, on
    )
    assert run.step == "deliberation"


# ---- deliberation --------------------------------------------------------------------


def test_plan_circulated_to_every_member_who_should_attend_before_the_meeting(
    personas, county, admin, make_cadre
):
    committee, members = make_committee(admin, county, 5)
    gone = committee_member_add(
        actor=admin,
        committee=committee,
        name="已离任委员",
        start_date=dt.date(2021, 10, 1),
        end_date=MEETING - dt.timedelta(days=30),
    )
    later = committee_member_add(
        actor=admin, committee=committee, name="新任委员", start_date=MEETING
    )
    run = open_at_integrity(personas, county, committee, [(county.town_deputy, 1)])
    a = run.inspect(make_cadre(county.town, name="甲"), county.town_deputy)
    run.complete("integrity_opinion", integrity_data([a]), INTEGRITY_ON)
    run.complete("audit", {}, INTEGRITY_ON)
    on = MEETING - dt.timedelta(days=1)
    problems = run.blocked("deliberation", circulation(members[:4]), on)
    assert problems == {
        "plan_circulated": [
            "任免方案尚未送达讨论决定会议（2026-11-20）应到会的成员：委员05、新任委员。"
            "须在会前送达每一位应到会成员。"
        ]
    }
    data = circulation([*members, later])
    data["circulated"][-1]["on"] = iso(on)  # …but the newcomer gets it on time
    data["circulated"][0]["on"] = iso(MEETING)  # the first one only on the day
    problems = run.blocked("deliberation", data, MEETING)
    assert problems == {
        "plan_circulated": [
            "任免方案送达委员01的日期不在讨论决定会议日期 2026-11-20 之前：须在会前送达。"
        ]
    }
    assert gone.name not in str(problems)
    run.complete("deliberation", circulation([*members, later]), on)  # the one who left: not needed
    assert run.step == "decision"


# ---- decision: quorum, majority, deferral ---------------------------------------------


def two_candidates(
    personas: Any, county: Any, committee: Committee, members: list[CommitteeMembership], make_cadre
) -> tuple[Run, Candidate, Candidate]:
    run = open_at_integrity(personas, county, committee, [(county.town_deputy, 1)])
    a = run.inspect(make_cadre(county.town, name="甲"), county.town_deputy)
    b = run.inspect(make_cadre(county.town, name="乙"), county.town_deputy)
    to_decision(run, [a, b], members)
    return run, a, b


def test_fifteen_members_ten_present_quorum_nine_not_eight_agree_pass_seven_fail(
    personas, county, admin, make_cadre
):
    committee, members = make_committee(admin, county, 15)
    run, a, b = two_candidates(personas, county, committee, members, make_cadre)
    problems = run.blocked(
        "decision", decision_data(members[:9], [vote(a, 9), vote(b, 9)]), MEETING
    )
    assert problems == {
        "quorum_and_majority": [
            "应到会成员 15 人，实到 9 人，未达到法定到会人数（至少 10 人），"
            "不得表决：请在到会人数达到后再开会表决。"
        ]
    }
    record = run.complete(
        "decision",
        decision_data(members[:10], [vote(a, 8, 2), vote(b, 7, 3)]),
        MEETING,
    )
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.status == CandidateStatus.APPROVED
    assert "同意 8 票，超过应到会成员 15 人的半数（至少 8 票），通过" in a.status_reason
    assert b.status == CandidateStatus.REJECTED  # 7 of the 10 present agreed: not enough
    assert "同意 7 票，未超过应到会成员 15 人的半数" in b.status_reason
    record.refresh_from_db()
    sheet = record.data["result_sheet"]
    assert sheet["members_count"] == 15 and sheet["present_count"] == 10
    assert sheet["quorum_needed"] == 10
    assert [(r["name"], r["outcome"], r["agree"], r["needed"]) for r in sheet["candidates"]] == [
        ("甲", "passed", 8, 8),
        ("乙", "rejected", 7, 8),
    ]
    assert record.data["votes"][0]["agree"] == 8  # what was submitted stays as it was
    assert run.step == "public_notice"
    assert journal_verify().ok


def test_fourteen_members_need_ten_present_and_eight_agree(personas, county, admin, make_cadre):
    committee, members = make_committee(admin, county, 14)
    run, a, b = two_candidates(personas, county, committee, members, make_cadre)
    problems = run.blocked(
        "decision", decision_data(members[:9], [vote(a, 9), vote(b, 9)]), MEETING
    )
    assert "至少 10 人" in problems["quorum_and_majority"][0]
    run.complete("decision", decision_data(members[:10], [vote(a, 8), vote(b, 7)]), MEETING)
    assert (status(a), status(b)) == (CandidateStatus.APPROVED, CandidateStatus.REJECTED)


def test_who_should_attend_is_derived_from_the_memberships_on_the_meeting_date(
    personas, county, admin, make_cadre
):
    committee, members = make_committee(admin, county, 15)
    gone = committee_member_add(
        actor=admin,
        committee=committee,
        name="已离任委员",
        start_date=dt.date(2021, 10, 1),
        end_date=MEETING,  # ends the day of the meeting: no longer a member then
    )
    run, a, b = two_candidates(personas, county, committee, members, make_cadre)
    problems = run.blocked(
        "decision", decision_data([gone, *members[:9]], [vote(a, 8), vote(b, 8)]), MEETING
    )
    assert problems["quorum_and_majority"][0].startswith(
        "已离任委员不是 2026-11-20 青山县委常委会（15人）的在任成员"
    )
    record = run.complete(
        "decision", decision_data(members[:10], [vote(a, 8), vote(b, 2)]), MEETING
    )
    assert record.data["result_sheet"]["members"] == [m.pk for m in members]


def test_deferral_by_a_majority_of_those_present(personas, county, admin, make_cadre):
    committee, members = make_committee(admin, county, 15)
    run, a, b = two_candidates(personas, county, committee, members, make_cadre)
    run.complete(
        "decision",
        decision_data(members[:10], [vote(a, defer_votes=6), vote(b, 8, defer_votes=5)]),
        MEETING,
    )
    a.refresh_from_db()
    assert a.status == CandidateStatus.DEFERRED
    assert "到会 10 人中 6 人同意缓议，超过半数，缓议" in a.status_reason
    assert status(b) == CandidateStatus.APPROVED  # 5 of 10 is not more than half


def test_differential_vote_seats_go_by_agree_votes_and_a_tie_is_voted_again(
    personas, county, admin, make_cadre
):
    committee, members = make_committee(admin, county, 15)
    run, a, b = two_candidates(personas, county, committee, members, make_cadre)
    problems = run.blocked(
        "decision", decision_data(members[:10], [vote(a, 9), vote(b, 9)]), MEETING
    )
    assert problems == {
        "quorum_and_majority": [
            "城关镇副镇长拟配 1 人，甲、乙同意票相同（9 票）而超过拟配人数："
            "须就得票相同的人选再次表决。"
        ]
    }
    data = decision_data(members[:10], [vote(a, 10), vote(b, 9)])
    # Two pass for one seat: the choice is recorded before the result applies.
    assert run.blocked("decision", data, MEETING) == {
        "passed_within_seats": [
            "城关镇副镇长拟配 1 人，表决通过 2 人（甲、乙）：须先由计票人或经办人"
            "确定拟任人选并说明理由，结果才能计入。"
        ]
    }
    post = county.town_deputy.pk
    wrong = [{"post": post, "candidates": [b.pk], "reason": "另行指定"}]
    assert run.blocked("decision", {**data, "seat_choice": wrong}, MEETING) == {
        "passed_within_seats": [
            "城关镇副镇长拟配 1 人：按差额票决，应由同意票多的甲任职，不能另行指定。"
        ]
    }
    no_reason = [{"post": post, "candidates": [a.pk], "reason": " "}]
    assert run.blocked("decision", {**data, "seat_choice": no_reason}, MEETING) == {
        "passed_within_seats": ["城关镇副镇长：请填写确定拟任人选的理由。"]
    }
    right = [{"post": post, "candidates": [a.pk], "reason": "差额票决，同意票多者任职"}]
    run.complete("decision", {**data, "seat_choice": right}, MEETING)
    b.refresh_from_db()
    assert status(a) == CandidateStatus.APPROVED
    assert b.status == CandidateStatus.EXCLUDED and "差额票决" in b.status_reason


def test_the_integrity_lead_time_is_rechecked_against_the_actual_meeting_date(
    personas, county, admin, make_cadre
):
    committee, members = make_committee(admin, county, 15)
    run, a, b = two_candidates(personas, county, committee, members, make_cadre)
    earlier = MEETING - dt.timedelta(days=1)
    problems = run.blocked(
        "decision", decision_data(members[:10], [vote(a, 8), vote(b, 2)], day=earlier), MEETING
    )
    assert problems == {
        "quorum_and_majority": [
            "廉政意见于 2026-11-17 书面征求，距讨论决定会议（实际召开）日期 2026-11-19 仅 2 日，"
            "不足 3 日：须至少在会议前 3 日书面征求纪委监委意见。请将会议安排在 2026-11-20 或以后。"
        ]
    }


def test_the_result_sheet_is_computed_not_submitted(personas, county, admin, make_cadre):
    committee, members = make_committee(admin, county, 15)
    run, a, b = two_candidates(personas, county, committee, members, make_cadre)
    data = {
        **decision_data(members[:10], [vote(a, 8), vote(b, 2)]),
        "result_sheet": {"candidates": []},
    }
    # The contract has no result sheet: it is refused before the guards.
    assert run.refused("decision", data, MEETING) == {
        "result_sheet": "提交的内容有一项不属于本环节，请删去后再提交。"
    }


def test_vote_counts_that_cannot_be_true_block(personas, county, admin, make_cadre):
    committee, members = make_committee(admin, county, 15)
    run, a, b = two_candidates(personas, county, committee, members, make_cadre)
    found = run.refused(
        "decision", decision_data(members[:10], [vote(a, 8, 3), vote(b, "七")]), MEETING
    )
    assert found == {"votes.1.agree": "逐一表决第 2 行“同意”：应为整数，请填写数字。"}
    problems = run.blocked(
        "decision", decision_data(members[:10], [vote(a, 8, 3), vote(b, 7)]), MEETING
    )
    assert set(problems) == {"quorum_and_majority"}
    assert any("超过参加表决的 10 人" in m for m in problems["quorum_and_majority"])


# ---- decision: nothing added at the meeting ------------------------------------------


def test_no_candidate_or_post_added_at_the_meeting(personas, county, admin, make_cadre):
    committee, members = make_committee(admin, county, 15)
    run = open_at_integrity(personas, county, committee, [(county.town_deputy, 1)])
    a = run.inspect(make_cadre(county.town, name="甲"), county.town_deputy)
    b = run.inspect(make_cadre(county.town, name="乙"), county.town_deputy)
    c = run.inspect(make_cadre(county.town, name="丙"), county.town_deputy)
    run.complete("integrity_opinion", integrity_data([a, b, c], failed=(c,)), INTEGRITY_ON)
    run.complete("audit", {}, INTEGRITY_ON)
    run.complete("deliberation", circulation(members), INTEGRITY_ON)
    present = members[:10]
    problems = run.blocked(
        "decision", decision_data(present, [vote(a, 8), vote(b, 2), vote(c, 8)]), MEETING
    )
    assert problems["no_additions_at_meeting"] == [
        "丙（拟任城关镇副镇长）不在提交会议的考察对象中"
        "（现为“已排除”：廉政意见未通过（一票否决））：会上不得临时增加人选。"
    ]
    moved = {**vote(a, 8), "post": county.town_secretary.pk}
    problems = run.blocked("decision", decision_data(present, [moved, vote(b, 2)]), MEETING)
    assert problems["no_additions_at_meeting"] == [
        "甲考察时拟任城关镇副镇长，表决时为城关镇党委书记：会上不得改变拟任职位。",
        "城关镇党委书记不在本事项的职位中：会上不得增加职位。",
    ]
    problems = run.blocked("decision", decision_data(present, [vote(a, 8)]), MEETING)
    assert problems["no_additions_at_meeting"] == [
        "乙（拟任城关镇副镇长）未列入表决：须对每名考察对象逐一表决（可以缓议），"
        "不得整体表决或遗漏。"
    ]
    stranger = {**vote(a, 8), "candidate": 999_999}
    problems = run.blocked(
        "decision", decision_data(present, [vote(a, 8), vote(b, 2), stranger]), MEETING
    )
    assert "会上不得临时动议、增加人选" in problems["no_additions_at_meeting"][0]
    run.complete("decision", decision_data(present, [vote(a, 8), vote(b, 2)]), MEETING)
    assert status(c) == CandidateStatus.EXCLUDED


# ---- decision: recusal -------------------------------------------------------------------


def test_recusal_detected_from_a_family_link_refuses_the_members_vote(
    personas, county, admin, make_cadre
):
    member_cadre = make_cadre(county.root, name="王常委")
    committee, members = make_committee(admin, county, 15, cadres=(member_cadre,))
    run = open_at_integrity(personas, county, committee, [(county.town_deputy, 1)])
    wife = make_cadre(county.town, name="李芳", sex="female", birth=dt.date(1986, 5, 4))
    a = run.inspect(wife, county.town_deputy)
    b = run.inspect(make_cadre(county.town, name="乙"), county.town_deputy)
    family_member_add(
        actor=admin, cadre=wife, relation="spouse", name="王常委", related_cadre=member_cadre
    )
    to_decision(run, [a, b], members)
    present = members[:10]  # the related member 委员01 is present
    problems = run.blocked("decision", decision_data(present, [vote(a, 8), vote(b, 2)]), MEETING)
    assert problems == {
        "recusal_respected": [
            "委员01与人选李芳有回避关系（配偶，见李芳的家庭成员记录），"
            "须回避对李芳的讨论和表决：请将委员01列入该人选的回避人员，其票不得计入。"
        ]
    }
    counted = vote(a, 8, 2, recused=[members[0].pk])  # 10 votes, but only 9 may vote
    problems = run.blocked("decision", decision_data(present, [counted, vote(b, 2)]), MEETING)
    assert problems["recusal_respected"] == [
        "李芳：回避后参加表决的为 9 人，却计入同意、不同意、弃权共 10 票：回避人员的票不得计入，请核对。"
    ]
    assert "超过参加表决的 9 人" in problems["quorum_and_majority"][0]
    run.complete(
        "decision",
        decision_data(present, [vote(a, 8, 1, recused=[members[0].pk]), vote(b, 2)]),
        MEETING,
    )
    a.refresh_from_db()
    assert a.status == CandidateStatus.APPROVED and "（1 人回避）" in a.status_reason
    record = CaseStep.objects.get(case=run.case, step="decision")
    row = record.data["result_sheet"]["candidates"][0]
    assert row["recused"] == [members[0].pk] and row["eligible_voters"] == 9


def test_a_member_who_is_the_candidate_must_leave_the_vote(personas, county, admin, make_cadre):
    member_cadre = make_cadre(county.root, name="赵委员")
    committee, members = make_committee(admin, county, 15, cadres=(member_cadre,))
    run = open_at_integrity(personas, county, committee, [(county.town_deputy, 1)])
    a = run.inspect(member_cadre, county.town_deputy)
    b = run.inspect(make_cadre(county.town, name="乙"), county.town_deputy)
    to_decision(run, [a, b], members)
    problems = run.blocked(
        "decision", decision_data(members[:10], [vote(a, 8), vote(b, 2)]), MEETING
    )
    assert problems["recusal_respected"] == [
        "委员01本人是人选，须回避对本人的讨论和表决：请将其列入回避人员。"
    ]


# ---- appointment, appointment talk, probation ---------------------------------------


def test_appointment_talk_and_probation_end_from_decision_to_confirmation(
    personas, county, admin, make_cadre
):
    committee, members = make_committee(admin, county, 15)
    run = open_at_integrity(personas, county, committee, [(county.town_deputy, 2)])
    former = {"level": "subsection_principal", "level_since": dt.date(2020, 1, 1)}
    a = run.inspect(make_cadre(county.town_office, name="甲", **former), county.town_deputy)
    b = run.inspect(
        make_cadre(county.town_office, name="乙", current_post_title="城关镇党政办主任", **former),
        county.town_deputy,
    )
    c = run.inspect(make_cadre(county.town_office, name="丙", **former), county.town_deputy)
    run.complete("integrity_opinion", integrity_data([a, b, c], failed=(c,)), INTEGRITY_ON)
    run.complete("audit", {}, INTEGRITY_ON)
    run.complete("deliberation", circulation(members), INTEGRITY_ON)
    run.complete("decision", decision_data(members[:12], [vote(a, 11), vote(b, 9, 3)]), MEETING)
    run.put_at("appointment")  # the public notice is the supervision stage's

    assert set(run.refused("appointment", {}, APPOINTED_ON)) == {
        "document_number",
        "document_date",
    }
    document = {"document_number": "青委〔2026〕45号", "document_date": iso(APPOINTED_ON)}
    record = run.complete("appointment", document, APPOINTED_ON)
    tenures = {t.cadre_id: t for t in Tenure.objects.filter(post=county.town_deputy)}
    assert set(tenures) == {a.cadre_id, b.cadre_id}
    for t in tenures.values():
        assert t.start_date == MEETING  # tenure counts from the decision date
        assert t.document_number == "青委〔2026〕45号" and t.method == "appointed"
        assert t.probation_until == PROBATION_LAST_DAY  # promoted to a deputy post
    cadre_b = Cadre.objects.get(pk=b.cadre_id)
    assert (cadre_b.level, cadre_b.level_since) == ("section_deputy", MEETING)
    assert (status(a), status(b), status(c)) == (
        CandidateStatus.APPOINTED,
        CandidateStatus.APPOINTED,
        CandidateStatus.EXCLUDED,
    )
    rows = {r["candidate"]: r for r in record.data["appointments"]}
    assert rows[b.pk]["former_level"] == "subsection_principal"
    assert rows[b.pk]["former_post_title"] == "城关镇党政办主任"

    talk = {"by": "县委组织部部长", "integrity_education": True}
    with pytest.raises(GuardBlocked) as info:
        run.complete(
            "appointment_talk",
            {
                "talks": [
                    {
                        "candidate": a.pk,
                        "talk_on": "2026-12-12",
                        "takes_office_on": "2026-12-15",
                        **talk,
                    }
                ]
            },
            dt.date(2026, 12, 14),
        )
    assert [e.field for e in info.value.errors] == ["talks_before_office"]
    assert "乙（拟任城关镇副镇长）尚无任前谈话记录" in info.value.errors[0].message
    assert run.step == "appointment_talk"  # nothing done
    late = {"candidate": b.pk, "talk_on": "2026-12-16", "takes_office_on": "2026-12-15", **talk}
    good = {"candidate": a.pk, "talk_on": "2026-12-12", "takes_office_on": "2026-12-15", **talk}
    with pytest.raises(GuardBlocked) as info:
        run.complete("appointment_talk", {"talks": [good, late]}, dt.date(2026, 12, 20))
    assert info.value.errors[0].message == (
        "乙（拟任城关镇副镇长）于 2026-12-15 到任，任前谈话却在 2026-12-16：任前谈话须在到任前进行。"
    )
    no_education = {**good, "candidate": b.pk, "integrity_education": False}
    with pytest.raises(GuardBlocked) as info:
        run.complete("appointment_talk", {"talks": [good, no_education]}, dt.date(2026, 12, 20))
    assert "廉政教育" in info.value.errors[0].message
    run.complete(
        "appointment_talk", {"talks": [good, {**good, "candidate": b.pk}]}, dt.date(2026, 12, 20)
    )
    assert run.step == "probation_end"

    assessments = {
        "assessments": [
            {"candidate": a.pk, "result": "competent", "assessed_on": "2027-11-10"},
            {"candidate": b.pk, "result": "not_competent", "assessed_on": "2027-11-10",
             "document": "青委〔2027〕60号"},
        ]
    }  # fmt: skip
    problems = run.blocked("probation_end", assessments, PROBATION_LAST_DAY)
    assert problems["probation_assessed"][0] == (
        "甲（拟任城关镇副镇长）的试用期至 2027-11-19 届满，尚未期满：请于 2027-11-20 起办理试用期满考核。"
    )
    after = PROBATION_LAST_DAY + dt.timedelta(days=1)
    problems = run.blocked("probation_end", {"assessments": assessments["assessments"][:1]}, after)
    assert problems == {
        "probation_assessed": ["请记录乙（拟任城关镇副镇长）的试用期满考核结果（称职或不称职）。"]
    }
    record = run.complete("probation_end", assessments, after)
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.status == CandidateStatus.CONFIRMED
    assert b.status == CandidateStatus.REMOVED and "恢复原职务层次（正股级）" in b.status_reason
    kept = Tenure.objects.get(cadre_id=a.cadre_id, post=county.town_deputy)
    assert kept.end_date is None and kept.probation_until == PROBATION_LAST_DAY  # history
    ended = Tenure.objects.get(cadre_id=b.cadre_id, post=county.town_deputy)
    assert ended.end_date == after
    cadre_b.refresh_from_db()
    assert (cadre_b.level, cadre_b.level_since) == ("subsection_principal", dt.date(2020, 1, 1))
    assert cadre_b.current_post_title == "城关镇党政办主任"
    assert Cadre.objects.get(pk=a.cadre_id).level == "section_deputy"
    assert record.data["outcomes"][1]["restored_level"] == "subsection_principal"
    run.case.refresh_from_db()
    assert run.case.status == CaseStatus.CLOSED

    events = Event.objects.filter(event_type__in=[EventType.TENURE_STARTED, EventType.TENURE_ENDED])
    assert events.count() == 3
    assert (
        Event.objects.filter(event_type=EventType.CADRE_UPDATED, subject_id=str(b.cadre_id)).count()
        == 1
    )  # level restored at its end; the probation came with the tenure:
    started = events.filter(event_type=EventType.TENURE_STARTED, payload__cadre=b.cadre_id).get()
    assert started.payload["probation_until"] == PROBATION_LAST_DAY.isoformat()
    assert journal_verify().ok


def test_competitive_appointment_is_always_on_probation_and_quota_is_rechecked(
    personas, county, admin, make_cadre
):
    committee, members = make_committee(admin, county, 15)
    run = open_at_integrity(
        personas, county, committee, [(county.finance_head, 1)], template="competitive"
    )
    a = run.inspect(make_cadre(county.finance, name="甲"), county.finance_head)
    b = run.inspect(make_cadre(county.finance, name="乙"), county.finance_head)
    run.complete("integrity_opinion", integrity_data([a, b]), INTEGRITY_ON)
    assert run.step == "decision"  # no audit or deliberation in this template
    run.complete("decision", decision_data(members[:10], [vote(a, 9), vote(b, 3)]), MEETING)
    run.put_at("appointment")
    holder = make_cadre(county.finance, name="原局长")
    held = tenure_start(
        actor=admin, cadre=holder, post=county.finance_head, start_date=dt.date(2024, 1, 1)
    )
    document = {"document_number": "青委〔2026〕46号", "document_date": iso(APPOINTED_ON)}
    problems = run.blocked("appointment", document, APPOINTED_ON)
    assert set(problems) == {"quota_allows"}
    assert any("现有 1 人在任" in m for m in problems["quota_allows"])
    tenure_end(actor=admin, tenure=held, end_date=MEETING)  # handed over on the decision date
    run.complete("appointment", {**document, "method": "open_selection"}, APPOINTED_ON)
    tenure = Tenure.objects.get(cadre_id=a.cadre_id)
    assert tenure.method == "open_selection" and tenure.start_date == MEETING
    assert tenure.probation_until == PROBATION_LAST_DAY  # a principal post, still on probation
    assert status(b) == CandidateStatus.REJECTED
    assert not Tenure.objects.filter(cadre_id=b.cadre_id).exists()


def test_county_principal_post_has_no_probation_and_methods_are_checked(
    personas, county, admin, make_cadre
):
    committee, members = make_committee(admin, county, 15)
    run = open_at_integrity(personas, county, committee, [(county.finance_head, 1)])
    a = run.inspect(make_cadre(county.finance, name="甲"), county.finance_head)
    run.complete("integrity_opinion", integrity_data([a]), INTEGRITY_ON)
    clean = {"concluded_on": iso(INTEGRITY_ON), "report": "青审经责〔2026〕6号", "problems": ""}
    run.complete("audit", {"audits": [{"candidate": a.pk, **clean}]}, INTEGRITY_ON)
    run.complete("deliberation", circulation(members), INTEGRITY_ON)
    run.complete("decision", decision_data(members[:10], [vote(a, 9)]), MEETING)
    run.put_at("appointment")
    document = {"document_number": "青委〔2026〕47号", "document_date": iso(APPOINTED_ON)}
    with pytest.raises(GuardBlocked) as info:
        run.complete("appointment", {**document, "method": "competitive"}, APPOINTED_ON)
    assert info.value.errors[0].field == "method_allowed"
    assert "任职方式应为：委任、选任、聘任" in info.value.errors[0].message
    assert not Tenure.objects.filter(cadre_id=a.cadre_id).exists()  # rolled back
    run.complete("appointment", document, APPOINTED_ON)
    tenure = Tenure.objects.get(cadre_id=a.cadre_id)
    assert tenure.probation_until is None and tenure.method == "appointed"
    run.complete(
        "appointment_talk",
        {"talks": [{"candidate": a.pk, "talk_on": "2026-12-12", "takes_office_on": "2026-12-12",
                    "by": "县委书记", "integrity_education": True}]},
        dt.date(2026, 12, 12),
    )  # fmt: skip
    run.complete("probation_end", {}, dt.date(2026, 12, 13))  # nobody on probation
    assert status(a) == CandidateStatus.APPOINTED
    assert journal_verify().ok
