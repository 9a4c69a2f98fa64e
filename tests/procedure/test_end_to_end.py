"""End to end: each of the three procedure templates driven from the motion to
the end of probation through the services only — no `current_step` set by
hand, no CaseStep or Candidate written directly.

The people are built as an officer would record them (education, resume,
annual assessments, archive review and personal-matters verification, family
links); candidates come from signed recommendations or registration; the
public notice is published and a report handled through the supervision
services. Step dates (`on`) move forward as they would in a county. The
"today" of record follows a test clock, because a notice cannot be published
for a day already past.

At the end: the case is closed, every candidate has its final status, the
tenures count from the decision date, the 纪实 lists every step of the
template in order with the journal hash of its event, and the journal chain
verifies."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache

from tests.conftest import Clock
from tests.step_data import MOTION, publication
from xuanren.journal.models import Event, EventType, JournalHead
from xuanren.journal.services import journal_verify
from xuanren.org.models import Level, Post
from xuanren.org.services import post_create, quota_set
from xuanren.people.models import Cadre, Tenure
from xuanren.people.services import (
    assessment_set,
    cadre_update,
    education_add,
    family_member_add,
    resume_entry_add,
)
from xuanren.procedure.models import (
    Candidate,
    CandidateStatus,
    Case,
    CaseStatus,
    CaseStep,
    Committee,
    CommitteeKind,
    CommitteeMembership,
)
from xuanren.procedure.selectors import case_record
from xuanren.procedure.services import (
    GuardBlocked,
    case_open,
    case_step_complete,
    committee_create,
    committee_member_add,
    template_def,
)
from xuanren.supervision.models import Finding, PublicNotice, ReportStatus
from xuanren.supervision.services import (
    public_notice_publish,
    report_assign,
    report_close,
    report_investigate,
    report_submit,
)

pytestmark = pytest.mark.django_db

CHANNELS = ["举报电话：0571-12380", "来信地址：青山县委组织部干部监督室", "网上举报：本公示页面"]
MEETING_PARTICIPANTS = {"领导班子成员": 7, "中层干部": 18, "其他干部": 30}
TALK_PARTICIPANTS = {"领导班子成员": 7, "中层干部": 15}


def iso(day: dt.date) -> str:
    return day.isoformat()


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


# ---- the world: clock, people, committees -------------------------------------------


@pytest.fixture
def clock(clock: Clock) -> Clock:
    """Today of record (publishing, online reports, guards) starts on 1 August."""
    clock.day = dt.date(2026, 8, 1)
    return clock


@pytest.fixture(autouse=True)
def fresh_cache() -> Any:
    cache.clear()  # report rate limits live in the cache
    yield
    cache.clear()


@dataclass
class World:
    admin: Any
    officer: Any
    discipline: Any
    county: Any
    make_cadre: Any
    clock: Clock

    def person(
        self,
        unit: Any,
        name: str,
        *,
        birth: dt.date,
        post_title: str,
        sex: str = "male",
        level: str = "",
        level_since: dt.date | None = None,
        native_place: str = "浙江嘉善",
        school: str = "浙江大学",
    ) -> Cadre:
        """A cadre as the records hold one who may be promoted: graduated at
        22, working since, party member, a bachelor's degree, resume, the last
        two annual assessments, archive reviewed and personal matters verified."""
        graduated = dt.date(birth.year + 22, 7, 1)
        cadre = self.make_cadre(
            unit,
            name=name,
            sex=sex,
            birth=birth,
            work_start=graduated + days(31),
            party_join=dt.date(birth.year + 21, 6, 1),
            native_place=native_place,
            current_post_title=post_title,
            level=level,
            level_since=level_since,
        )
        education_add(
            actor=self.admin,
            cadre=cadre,
            kind="full_time",
            level="bachelor",
            degree="bachelor",
            school=school,
            major="公共管理",
            start_date=dt.date(birth.year + 18, 9, 1),
            end_date=graduated,
        )
        resume_entry_add(
            actor=self.admin,
            cadre=cadre,
            start_date=dt.date(birth.year + 18, 9, 1),
            end_date=graduated,
            text=f"{school}公共管理专业学习",
        )
        resume_entry_add(
            actor=self.admin,
            cadre=cadre,
            start_date=graduated + days(31),
            end_date=None,
            text=f"{unit.name}科员、{post_title}",
        )
        assessment_set(actor=self.admin, cadre=cadre, year=2024, grade="competent")
        assessment_set(actor=self.admin, cadre=cadre, year=2025, grade="excellent")
        return cadre_update(
            actor=self.admin,
            cadre=cadre,
            changes={"archive_review_status": "passed", "personal_matters_status": "verified"},
        )

    def committee(
        self, unit: Any, name: str, kind: str, names: Sequence[str], linked: dict[str, Cadre]
    ) -> tuple[Committee, list[CommitteeMembership]]:
        """A decision body whose members serve since 2021; those named in
        `linked` are tied to their cadre records (recusal is detected there)."""
        committee = committee_create(actor=self.admin, unit=unit, name=name, kind=kind)
        members = [
            committee_member_add(
                actor=self.admin,
                committee=committee,
                name=n,
                start_date=dt.date(2021, 10, 1),
                role="secretary" if i == 0 else "member",
                cadre=linked.get(n),
            )
            for i, n in enumerate(names)
        ]
        return committee, members


@pytest.fixture
def world(admin: Any, personas: Any, county: Any, make_cadre: Any, clock: Clock) -> World:
    return World(admin, personas.case_officer, personas.discipline, county, make_cadre, clock)


STANDING = ["徐书记", "何平", "王建国", "陈组长", "林部长", "郭县长", "沈副书记", "高委员", "杜委员",
            "韩委员", "罗委员"]  # fmt: skip


def standing_committee(
    world: World, linked: dict[str, Cadre]
) -> tuple[Committee, list[CommitteeMembership]]:
    return world.committee(
        world.county.root,
        "中共青山县委常委会",
        CommitteeKind.STANDING_COMMITTEE,
        STANDING,
        linked,
    )


# ---- driving a case -----------------------------------------------------------------


class Run:
    """One case driven by the case officer, step by step."""

    def __init__(self, world: World, case: Case) -> None:
        self.world = world
        self.case = case

    def step(self, code: str, data: dict[str, Any], on: dt.date, note: str = "") -> CaseStep:
        record = case_step_complete(
            actor=self.world.officer, case=self.case, step=code, data=data, on=on, note=note
        )
        self.case.refresh_from_db()
        return record

    def blocked(self, code: str, data: dict[str, Any], on: dt.date) -> dict[str, list[str]]:
        """The step is refused; its problems by guard; the case has not moved."""
        with pytest.raises(GuardBlocked) as info:
            self.step(code, data, on)
        self.case.refresh_from_db()
        assert self.case.current_step == code
        out: dict[str, list[str]] = defaultdict(list)
        for error in info.value.errors:
            out[error.field].append(error.message)
        return dict(out)

    def candidate(self, cadre: Cadre) -> Candidate:
        return Candidate.objects.get(case=self.case, cadre=cadre)

    def statuses(self) -> dict[str, str]:
        return {c.cadre.name: c.status for c in self.case.candidates.select_related("cadre").all()}


def open_case(
    world: World,
    *,
    title: str,
    template: str,
    unit: Any,
    committee: Committee,
    posts: list[tuple[Post, int]],
    reference: dt.date,
) -> Run:
    case = case_open(
        actor=world.officer,
        title=title,
        template_code=template,
        unit=unit,
        committee=committee,
        posts=posts,
        reference_date=reference,
    )
    assert case.current_step == "motion"
    return Run(world, case)


# ---- what each step records ---------------------------------------------------------


def recommendation(
    votes: Iterable[tuple[Cadre, Post, int]],
    meeting: dt.date,
    talk: dt.date,
    meeting_groups: dict[str, int] = MEETING_PARTICIPANTS,
    talk_groups: dict[str, int] = TALK_PARTICIPANTS,
) -> dict[str, Any]:
    """A meeting and a talk recommendation covering every post of the case,
    signed ballots for each (cadre, post) in every group that took part, and
    the phone recommendations kept apart, never counted."""
    records: list[dict[str, Any]] = [
        {"kind": "meeting", "date": iso(meeting), "participants": meeting_groups},
        {"kind": "talk", "date": iso(talk), "participants": talk_groups,
         "staff_total": sum(talk_groups.values()) + 5},
    ]  # fmt: skip
    results = []
    for cadre, post, signed in votes:
        for record in records:
            for group, size in record["participants"].items():
                results.append(
                    {"cadre": cadre.pk, "post": post.pk, "group": group,
                     "kind": record["kind"], "signed": min(signed, size)}
                )  # fmt: skip
    return {
        "meetings": records,
        "results": results,
        "not_counted": [{"kind": "phone", "count": 2, "note": "电话推荐，不计入"}],
    }


def chosen(pairs: Iterable[tuple[Cadre, Post]], day: dt.date, body: str) -> dict[str, Any]:
    return {
        "chosen": [{"cadre": c.pk, "post": p.pk} for c, p in pairs],
        "meeting": {"body": body, "date": iso(day)},
    }


def inspection(
    entries: Iterable[tuple[Cadre, Post, int | None]],
    team: list[dict[str, Any]],
    start: dt.date,
    report_on: dt.date,
    place: str,
) -> dict[str, Any]:
    """Talks, democratic evaluation and a field visit for every candidate, the
    ranks of a differential inspection, and a report signed by the whole team."""
    rows = []
    for cadre, post, rank in entries:
        row: dict[str, Any] = {
            "cadre": cadre.pk,
            "post": post.pk,
            "talks": {"count": 28, "date": iso(start)},
            "evaluation": {"participants": 46, "date": iso(start)},
            "field_visits": [{"place": place, "date": iso(start + days(1))}],
            "reports_investigated": True,
        }
        if rank is not None:
            row["rank"] = rank
        rows.append(row)
    return {
        "team": team,
        "candidates": rows,
        "report": {"date": iso(report_on), "signed_by": [m["name"] for m in team]},
    }


def integrity(
    candidates: Iterable[Candidate], requested: dt.date, meeting: dt.date, returned: dt.date
) -> dict[str, Any]:
    return {
        "request_document": "青组函〔2026〕61号",
        "requested_on": iso(requested),
        "planned_meeting_date": iso(meeting),
        "opinions": [
            {"candidate": c.pk, "result": "passed", "returned_on": iso(returned),
             "document": "青纪函〔2026〕33号"}
            for c in candidates
        ],
    }  # fmt: skip


def circulation(
    members: Iterable[CommitteeMembership], meeting: dt.date, sent: dt.date
) -> dict[str, Any]:
    return {
        "planned_meeting_date": iso(meeting),
        "plan_document": "干部任免方案（酝酿稿）",
        "circulated": [{"member": m.pk, "on": iso(sent)} for m in members],
    }


def vote(
    c: Candidate,
    agree: int,
    disagree: int = 0,
    abstain: int = 0,
    recused: Sequence[CommitteeMembership] = (),
) -> dict[str, Any]:
    return {
        "candidate": c.pk,
        "post": c.post_id,
        "agree": agree,
        "disagree": disagree,
        "abstain": abstain,
        "recused": [m.pk for m in recused],
    }


def decision(
    meeting: dt.date, present: Iterable[CommitteeMembership], votes: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "meeting_date": iso(meeting),
        "present": [m.pk for m in present],
        "votes": votes,
        "method": "paper",
    }


def notice_and_report(
    run: Run, start: dt.date, about: Candidate, client: str
) -> tuple[PublicNotice, dt.date]:
    """Publish the notice on `start`; a report comes in online the next day,
    is assigned to the discipline commission, investigated and closed as not
    affecting the appointment. Meanwhile the step is refused: the notice has
    not run its length and a report is open. Returns the notice and the first
    day the step may be completed."""
    world = run.world
    world.clock.day = start
    notice = public_notice_publish(
        actor=world.officer, case=run.case, start=start, channels=CHANNELS
    )
    assert notice.persons and all(p["resume"] for p in notice.persons)
    world.clock.day = start + days(1)
    report, receipt = report_submit(
        notice=notice,
        content="反映该同志在分管的项目验收中把关不严，存在走过场的情况，请组织核实。",
        anonymous=True,
        client=client,
        candidate_id=about.pk,
    )
    assert receipt and report.candidate_id == about.pk
    problems = run.blocked("public_notice", {}, start + days(2))
    assert set(problems) == {"notice_full_length", "reports_closed"}
    report_assign(
        actor=world.officer, report=report, assignee=world.discipline, joint_with_discipline=True
    )
    report_investigate(
        actor=world.discipline, report=report, note="调阅项目验收资料，约谈项目负责人和监理。"
    )
    closed = report_close(
        actor=world.discipline,
        report=report,
        finding=Finding.NONE,
        text="经核实，项目验收程序符合规定，反映问题不属实，不影响任用。",
    )
    assert (closed.status, closed.finding) == (ReportStatus.CLOSED, Finding.NONE)
    return notice, notice.end + days(1)


def talks(candidates: Iterable[Candidate], talk_on: dt.date, office: dt.date) -> dict[str, Any]:
    return {
        "talks": [
            {"candidate": c.pk, "talk_on": iso(talk_on), "takes_office_on": iso(office),
             "by": "县委组织部部长", "integrity_education": True}
            for c in candidates
        ]
    }  # fmt: skip


def assert_complete_record(run: Run) -> None:
    """Closed; the 纪实 lists every step of the template in order, each with
    the hash of its own journal event; the chain verifies."""
    case = run.case
    case.refresh_from_db()
    assert (case.status, case.current_step) == (CaseStatus.CLOSED, "")
    record = case_record(actor=run.world.officer, pk=case.pk)
    codes = [s.code for s in template_def(case.template).steps]
    assert [s.step for s in record.steps] == codes
    assert [s.seq for s in record.steps] == list(range(1, len(codes) + 1))
    for s in record.steps:
        assert s.corrects_id is None
        event = Event.objects.get(hash=s.journal_hash)
        assert event.event_type == EventType.STEP_COMPLETED
        assert event.subject_id == str(case.pk)
        assert (event.payload["step"], event.payload["seq"], event.payload["record"]) == (
            s.step,
            s.seq,
            s.pk,
        )
    head = JournalHead.objects.get(pk=1)
    assert record.journal_tip == head.last_hash == Event.objects.order_by("-pk")[0].hash
    assert record.journal_count == head.count == Event.objects.count()
    assert record.journal_seq == head.last_seq == Event.objects.order_by("-pk")[0].pk
    result = journal_verify()
    assert result.ok, result


# ---- county-leading -----------------------------------------------------------------


def test_county_leading_from_motion_to_confirmation(world: World) -> None:
    county, admin = world.county, world.admin
    head, deputy = county.finance_head, county.town_deputy
    # The standing committee: 王建国 and 何平 are linked to their cadre records.
    wang = world.person(
        county.org_dept, "王建国", birth=dt.date(1975, 2, 3), post_title="县委组织部常务副部长",
        level=Level.DIVISION_DEPUTY, level_since=dt.date(2019, 1, 1),
    )  # fmt: skip
    he = world.person(
        county.root, "何平", birth=dt.date(1972, 8, 9), post_title="县委副书记",
        level=Level.DIVISION_DEPUTY, level_since=dt.date(2018, 1, 1),
    )  # fmt: skip
    committee, members = standing_committee(world, {"王建国": wang, "何平": he})
    wang_member = members[STANDING.index("王建国")]
    # Candidates: two section deputies for the bureau head, two young cadres
    # for the deputy township head, and a third nominee who will not be chosen.
    chen = world.person(
        county.finance, "陈明", birth=dt.date(1983, 4, 12), post_title="县财政局副局长",
        level=Level.SECTION_DEPUTY, level_since=dt.date(2019, 6, 1),
    )  # fmt: skip
    zhou = world.person(
        county.finance, "周强", birth=dt.date(1985, 10, 3), post_title="县财政局副局长",
        level=Level.SECTION_DEPUTY, level_since=dt.date(2021, 3, 1),
    )  # fmt: skip
    li = world.person(
        county.town_office, "李芳", birth=dt.date(1990, 5, 20), sex="female",
        post_title="城关镇党政办主任",
    )  # fmt: skip
    zhao = world.person(
        county.town, "赵磊", birth=dt.date(1991, 1, 15), post_title="城关镇农业农村办主任"
    )
    qian = world.person(county.town, "钱多", birth=dt.date(1992, 3, 8), post_title="城关镇科员")
    # 李芳 is 王建国's wife; her brother 李强 works in the organization department.
    li_qiang = world.person(
        county.org_dept, "李强", birth=dt.date(1987, 9, 1), post_title="县委组织部干部监督科科员"
    )
    family_member_add(actor=admin, cadre=li, relation="spouse", name="王建国", related_cadre=wang)
    family_member_add(
        actor=admin, cadre=li, relation="elder_brother", name="李强", related_cadre=li_qiang
    )

    ref = dt.date(2026, 9, 1)
    run = open_case(
        world, title="县财政局局长、城关镇副镇长选任", template="county-leading",
        unit=county.root, committee=committee, posts=[(head, 1), (deputy, 1)], reference=ref,
    )  # fmt: skip
    run.step("motion", {**MOTION, "explanation": "县财政局局长、城关镇副镇长空缺"}, ref)
    run.step(
        "plan",
        {"consultation": [{"from": "县委书记、县长", "comment": "同意启动"},
                          {"from": "县纪委监委", "comment": "无意见"}]},
        dt.date(2026, 9, 7),
    )  # fmt: skip
    run.step("publication", publication(dt.date(2026, 9, 9)), dt.date(2026, 9, 9))
    votes = [(chen, head, 16), (zhou, head, 11), (li, deputy, 15), (zhao, deputy, 12),
             (qian, deputy, 3)]  # fmt: skip
    run.step(
        "recommendation",
        recommendation(votes, dt.date(2026, 9, 15), dt.date(2026, 9, 16)),
        dt.date(2026, 9, 17),
    )
    assert set(run.statuses().values()) == {CandidateStatus.NOMINATED}
    run.step(
        "candidates",
        chosen([(chen, head), (zhou, head), (li, deputy), (zhao, deputy)],
               dt.date(2026, 9, 22), "县委组织部部务会"),
        dt.date(2026, 9, 22),
    )  # fmt: skip
    assert run.statuses()["钱多"] == CandidateStatus.EXCLUDED
    run.step("inspection_notice", {"text": "考察预告", "published_on": "2026-09-23"},
             dt.date(2026, 9, 23))  # fmt: skip

    # Inspection: 李强 may not inspect his sister — detected from her family record.
    team: list[dict[str, Any]] = [
        {"name": "刘组长", "role": "组长"}, {"name": "李强", "cadre": li_qiang.pk},
        {"name": "何组员"},
    ]  # fmt: skip
    entries = [(chen, head, 1), (zhou, head, 2), (li, deputy, 1), (zhao, deputy, 2)]
    data = inspection(entries, team, dt.date(2026, 10, 9), dt.date(2026, 10, 13), "城关镇")
    problems = run.blocked("inspection", data, dt.date(2026, 10, 14))
    assert problems == {
        "report_signed_by_team": [
            "考察组成员李强与考察对象李芳有哥哥关系（见李芳的家庭成员记录），"
            "应当回避，不得参加对其考察；请调整考察组。"
        ]
    }
    team[1]["candidates"] = [chen.pk, zhou.pk, zhao.pk]
    run.step("inspection", data, dt.date(2026, 10, 14))
    assert run.statuses()["李芳"] == CandidateStatus.INSPECTION

    meeting = dt.date(2026, 10, 27)
    inspected = [run.candidate(c) for c in (chen, zhou, li, zhao)]
    run.step(
        "integrity_opinion",
        integrity(inspected, dt.date(2026, 10, 15), meeting, dt.date(2026, 10, 20)),
        dt.date(2026, 10, 20),
    )
    # Only the principal post needs the economic-responsibility audit.
    audit = {"concluded_on": "2026-10-16", "report": "青审经责〔2026〕11号", "problems": ""}
    run.step(
        "audit",
        {"audits": [{"candidate": run.candidate(c).pk, **audit} for c in (chen, zhou)]},
        dt.date(2026, 10, 21),
    )
    run.step("deliberation", circulation(members, meeting, dt.date(2026, 10, 23)),
             dt.date(2026, 10, 23))  # fmt: skip

    # The decision: ten of eleven present; 王建国 must leave 李芳's vote.
    c_chen, c_zhou, c_li, c_zhao = inspected
    present = members[:10]
    votes_ = [vote(c_chen, 9, 1), vote(c_zhou, 3, 6, 1), vote(c_li, 8, 1), vote(c_zhao, 6, 3, 1)]
    problems = run.blocked("decision", decision(meeting, present, votes_), meeting)
    assert "王建国与人选李芳有回避关系（配偶" in problems["recusal_respected"][0]
    assert set(problems) == {"recusal_respected", "passed_within_seats"}
    votes_[2] = vote(c_li, 8, 1, recused=[wang_member])
    # Two pass for the deputy's one seat: who takes it is recorded first (issue 11).
    problems = run.blocked("decision", decision(meeting, present, votes_), meeting)
    assert problems == {
        "passed_within_seats": [
            "城关镇副镇长拟配 1 人，表决通过 2 人（李芳、赵磊）：须先由计票人或经办人"
            "确定拟任人选并说明理由，结果才能计入。"
        ]
    }
    chosen_ = {"post": deputy.pk, "candidates": [c_li.pk], "reason": "差额票决，同意票多者任职"}
    data = {**decision(meeting, present, votes_), "seat_choice": [chosen_]}
    record = run.step("decision", data, meeting)
    sheet = record.data["result_sheet"]
    assert (sheet["members_count"], sheet["present_count"]) == (11, 10)
    assert run.statuses() == {
        "陈明": CandidateStatus.APPROVED, "周强": CandidateStatus.REJECTED,
        "李芳": CandidateStatus.APPROVED, "赵磊": CandidateStatus.EXCLUDED,
        "钱多": CandidateStatus.EXCLUDED,
    }  # fmt: skip
    assert "差额票决" in run.candidate(zhao).status_reason

    notice, after = notice_and_report(run, dt.date(2026, 10, 29), c_chen, "198.51.100.1")
    assert (notice.end, notice.unit) == (dt.date(2026, 11, 4), "calendar_days")
    assert [p["name"] for p in notice.persons] == ["李芳", "陈明"]  # 按姓氏笔画
    run.step("public_notice", {}, after, note="公示期满，举报 1 件已查结，不影响任用")

    appointed_on = dt.date(2026, 11, 9)
    run.step(
        "appointment",
        {"document_number": "青委〔2026〕45号", "document_date": iso(appointed_on)},
        appointed_on,
    )
    run.step(
        "appointment_talk",
        talks([c_chen, c_li], dt.date(2026, 11, 10), dt.date(2026, 11, 11)),
        dt.date(2026, 11, 11),
    )
    # The principal post is not on probation; the promoted deputy is, for a year.
    tenure_li = Tenure.objects.get(cadre=li, post=deputy)
    assert tenure_li.probation_until == dt.date(2027, 10, 26)
    problems = run.blocked(
        "probation_end",
        {"assessments": [{"candidate": c_li.pk, "result": "competent",
                          "assessed_on": "2027-10-20"}]},
        dt.date(2027, 10, 26),
    )  # fmt: skip
    assert "尚未期满" in problems["probation_assessed"][0]
    run.step(
        "probation_end",
        {"assessments": [{"candidate": c_li.pk, "result": "competent",
                          "assessed_on": "2027-10-27"}]},
        dt.date(2027, 10, 28),
    )  # fmt: skip

    assert run.statuses() == {
        "陈明": CandidateStatus.APPOINTED, "周强": CandidateStatus.REJECTED,
        "李芳": CandidateStatus.CONFIRMED, "赵磊": CandidateStatus.EXCLUDED,
        "钱多": CandidateStatus.EXCLUDED,
    }  # fmt: skip
    tenure_chen = Tenure.objects.get(cadre=chen, post=head)
    assert (tenure_chen.start_date, tenure_chen.end_date) == (meeting, None)
    assert tenure_chen.document_number == "青委〔2026〕45号"
    assert tenure_chen.probation_until is None
    tenure_li.refresh_from_db()
    assert (tenure_li.start_date, tenure_li.end_date) == (meeting, None)
    assert not Tenure.objects.filter(cadre__in=[zhou, zhao, qian]).exists()
    chen.refresh_from_db()
    li.refresh_from_db()
    assert (chen.level, chen.level_since) == (Level.SECTION_PRINCIPAL, meeting)
    assert (li.level, li.current_post_title) == (Level.SECTION_DEPUTY, "城关镇副镇长")
    assert_complete_record(run)


# ---- section-level ------------------------------------------------------------------


def test_section_level_from_motion_to_confirmation(world: World) -> None:
    county, admin = world.county, world.admin
    office = county.town_office
    head = post_create(actor=admin, unit=office, title="综合股股长",
                       level=Level.SUBSECTION_PRINCIPAL)  # fmt: skip
    deputy = post_create(actor=admin, unit=office, title="综合股副股长",
                         level=Level.SUBSECTION_DEPUTY)  # fmt: skip
    quota_set(actor=admin, unit=office, level=Level.SUBSECTION_PRINCIPAL, approved=1)
    quota_set(actor=admin, unit=office, level=Level.SUBSECTION_DEPUTY, approved=1)
    # The township's party committee; 孙海 is linked to his cadre record.
    sun_hai = world.person(
        county.town, "孙海", birth=dt.date(1978, 6, 6), post_title="城关镇党委副书记",
        level=Level.SECTION_DEPUTY, level_since=dt.date(2017, 5, 1),
    )  # fmt: skip
    names = ["黄书记", "孙海", "马镇长", "朱委员", "胡委员", "郑委员", "谢委员"]
    committee, members = world.committee(
        county.town, "中共城关镇委员会", CommitteeKind.PARTY_COMMITTEE, names, {"孙海": sun_hai}
    )
    sun_member = members[1]
    # 正股 needs two years as 副股; the deputy post is a first promotion.
    wu = world.person(
        office, "吴刚", birth=dt.date(1988, 2, 2), post_title="城关镇党政办综合股副股长",
        level=Level.SUBSECTION_DEPUTY, level_since=dt.date(2022, 3, 1),
    )  # fmt: skip
    zheng = world.person(
        office, "郑伟", birth=dt.date(1989, 7, 7), post_title="城关镇党政办文书股副股长",
        level=Level.SUBSECTION_DEPUTY, level_since=dt.date(2023, 1, 1),
    )  # fmt: skip
    sun_li = world.person(office, "孙丽", birth=dt.date(1995, 4, 4), sex="female",
                          post_title="城关镇党政办科员")  # fmt: skip
    feng = world.person(office, "冯超", birth=dt.date(1996, 9, 9), post_title="城关镇党政办科员")
    family_member_add(
        actor=admin, cadre=sun_li, relation="elder_brother", name="孙海", related_cadre=sun_hai
    )

    ref = dt.date(2026, 8, 3)
    run = open_case(
        world, title="城关镇党政办股级干部选任", template="section-level", unit=county.town,
        committee=committee, posts=[(head, 1), (deputy, 1)], reference=ref,
    )  # fmt: skip
    run.step("motion", {**MOTION, "explanation": "综合股股长、副股长空缺"}, ref)
    # 竞争上岗 method: the plan goes to the county's organization department first.
    plan: dict[str, Any] = {
        "consultation": [{"from": "城关镇党委班子成员", "comment": "同意"}],
        "competitive": True,
    }
    problems = run.blocked("plan", plan, dt.date(2026, 8, 10))
    assert problems == {
        "higher_approval": [
            "方案采用竞争上岗方法的，须报上级组织部门审批同意后实施；请记录审批机关和批准文件。"
        ]
    }
    plan["higher_approval"] = {"body": "县委组织部", "document": "青组函〔2026〕30号"}
    run.step("plan", plan, dt.date(2026, 8, 10))
    run.step("publication", publication(dt.date(2026, 8, 12)), dt.date(2026, 8, 12))
    town_groups = {"领导班子成员": 9, "中层干部": 12, "其他干部": 25}
    votes = [(wu, head, 30), (zheng, head, 19), (sun_li, deputy, 27), (feng, deputy, 21)]
    run.step(
        "recommendation",
        recommendation(votes, dt.date(2026, 8, 20), dt.date(2026, 8, 21), town_groups,
                       {"领导班子成员": 9, "中层干部": 10}),
        dt.date(2026, 8, 21),
    )  # fmt: skip
    run.step(
        "candidates",
        chosen([(wu, head), (zheng, head), (sun_li, deputy), (feng, deputy)],
               dt.date(2026, 8, 27), "中共城关镇委员会"),
        dt.date(2026, 8, 27),
    )  # fmt: skip
    team = [{"name": "黄组长", "role": "组长"}, {"name": "谢组员"}]
    entries = [(wu, head, 1), (zheng, head, 2), (sun_li, deputy, 1), (feng, deputy, 2)]
    run.step(
        "inspection",
        inspection(entries, team, dt.date(2026, 9, 3), dt.date(2026, 9, 7), "城关镇党政办"),
        dt.date(2026, 9, 8),
    )
    assert set(run.statuses().values()) == {CandidateStatus.INSPECTION}

    # Seven members, six present; 孙海 leaves his sister's vote (4 of 7 needed).
    meeting = dt.date(2026, 9, 15)
    c_wu, c_zheng, c_sun, c_feng = (run.candidate(c) for c in (wu, zheng, sun_li, feng))
    present = members[:6]
    votes_ = [
        vote(c_wu, 5, 1),
        vote(c_zheng, 2, 3, 1),
        vote(c_sun, 4, 1, recused=[sun_member]),
        vote(c_feng, 3, 2, 1),
    ]
    record = run.step("decision", decision(meeting, present, votes_), meeting)
    rows = {r["name"]: r for r in record.data["result_sheet"]["candidates"]}
    assert rows["孙丽"]["recused"] == [sun_member.pk] and rows["孙丽"]["eligible_voters"] == 5
    assert run.statuses() == {
        "吴刚": CandidateStatus.APPROVED, "郑伟": CandidateStatus.REJECTED,
        "孙丽": CandidateStatus.APPROVED, "冯超": CandidateStatus.REJECTED,
    }  # fmt: skip

    _notice, after = notice_and_report(run, dt.date(2026, 9, 17), c_sun, "198.51.100.2")
    run.step("public_notice", {}, after, note="公示期满")
    run.step(
        "appointment",
        {"document_number": "城委〔2026〕12号", "document_date": "2026-09-28"},
        dt.date(2026, 9, 28),
    )
    run.step(
        "appointment_talk",
        talks([c_wu, c_sun], dt.date(2026, 9, 29), dt.date(2026, 9, 30)),
        dt.date(2026, 9, 30),
    )
    until = dt.date(2027, 9, 14)
    assert {t.cadre_id: t.probation_until for t in Tenure.objects.filter(post__unit=office)} == {
        wu.pk: until,
        sun_li.pk: until,
    }
    run.step(
        "probation_end",
        {"assessments": [
            {"candidate": c.pk, "result": "competent", "assessed_on": "2027-09-16"}
            for c in (c_wu, c_sun)
        ]},
        dt.date(2027, 9, 17),
    )  # fmt: skip

    assert run.statuses() == {
        "吴刚": CandidateStatus.CONFIRMED, "郑伟": CandidateStatus.REJECTED,
        "孙丽": CandidateStatus.CONFIRMED, "冯超": CandidateStatus.REJECTED,
    }  # fmt: skip
    for cadre, post in ((wu, head), (sun_li, deputy)):
        tenure = Tenure.objects.get(cadre=cadre, post=post)
        assert (tenure.start_date, tenure.end_date) == (meeting, None)
        assert tenure.document_number == "城委〔2026〕12号" and tenure.method == "appointed"
    wu.refresh_from_db()
    assert (wu.level, wu.level_since) == (Level.SUBSECTION_PRINCIPAL, meeting)
    assert_complete_record(run)


# ---- competitive --------------------------------------------------------------------


def test_competitive_from_motion_to_confirmation_and_removal(world: World) -> None:
    county = world.county
    post = county.finance_deputy  # 2 seats
    committee, members = standing_committee(world, {})
    # Five register; the oldest is over the age limit for a new deputy (43).
    a = world.person(county.finance, "韩冰", birth=dt.date(1988, 3, 3),
                     post_title="县财政局预算股股长", level=Level.SUBSECTION_PRINCIPAL,
                     level_since=dt.date(2021, 4, 1))  # fmt: skip
    b = world.person(county.finance, "蒋涛", birth=dt.date(1987, 11, 11),
                     post_title="县财政局国库股股长", level=Level.SUBSECTION_PRINCIPAL,
                     level_since=dt.date(2020, 3, 1))  # fmt: skip
    c = world.person(county.town, "宋佳", birth=dt.date(1990, 6, 1), sex="female",
                     post_title="城关镇财政所所长")  # fmt: skip
    d = world.person(county.town, "唐亮", birth=dt.date(1992, 12, 12),
                     post_title="城关镇财政所科员")  # fmt: skip
    old = world.person(county.finance, "曹老", birth=dt.date(1978, 1, 1),
                       post_title="县财政局综合股科员")  # fmt: skip

    ref = dt.date(2026, 9, 1)
    run = open_case(
        world, title="县财政局副局长竞争上岗", template="competitive", unit=county.root,
        committee=committee, posts=[(post, 2)], reference=ref,
    )  # fmt: skip
    run.step("motion", {**MOTION, "explanation": "县财政局副局长空缺 2 名，实行竞争上岗"}, ref)
    run.step(
        "plan",
        {"consultation": [{"from": "县财政局党组", "comment": "同意"}],
         "higher_approval": {"body": "市委组织部", "document": "市组函〔2026〕18号"}},
        dt.date(2026, 9, 7),
    )  # fmt: skip
    run.step("publication", publication(dt.date(2026, 9, 9), "竞争上岗公告"), dt.date(2026, 9, 9))
    run.step("registration", {"closed_on": "2026-09-18"},
             dt.date(2026, 9, 18))  # fmt: skip
    registrants: list[dict[str, Any]] = [
        {"cadre": x.pk, "post": post.pk} for x in (a, b, c, d, old)
    ]
    problems = run.blocked(
        "qualification_review", {"registrants": registrants}, dt.date(2026, 9, 21)
    )
    assert set(problems) == {"candidates_qualified"}
    assert "曹老（拟任青山县财政局副局长）不符合" in problems["candidates_qualified"][0]
    registrants[-1] |= {"passed": False, "reason": "年龄超过 43 周岁"}
    run.step("qualification_review", {"registrants": registrants}, dt.date(2026, 9, 21))
    scores = [(a, 91, False), (b, 86, False), (c, 84, False), (d, 70, True)]
    run.step(
        "written_exam",
        {"full_marks": 100,
         "scores": [{"cadre": x.pk, "score": s, "excluded": e} for x, s, e in scores]},
        dt.date(2026, 9, 27),
    )  # fmt: skip
    run.step(
        "interview",
        {"full_marks": 100, "form": "结构化面试、演讲答辩",
         "scores": [{"cadre": x.pk, "score": s} for x, s in ((a, 88), (b, 90), (c, 82))]},
        dt.date(2026, 10, 10),
    )  # fmt: skip
    groups = {"中层干部": 40, "其他干部": 60}
    run.step(
        "evaluation",
        {"meetings": [{"kind": "meeting", "date": "2026-10-14", "participants": groups}],
         "results": [{"cadre": x.pk, "group": g, "votes": v}
                     for x, share in ((a, 0.9), (b, 0.85), (c, 0.7))
                     for g, n in groups.items() for v in [int(n * share)]]},
        dt.date(2026, 10, 14),
    )  # fmt: skip
    team = [{"name": "陈组长", "role": "组长"}, {"name": "罗组员"}, {"name": "高组员"}]
    run.step(
        "inspection",
        inspection([(a, post, 1), (b, post, 2), (c, post, 3)], team,
                   dt.date(2026, 10, 19), dt.date(2026, 10, 21), "青山县财政局"),
        dt.date(2026, 10, 22),
    )  # fmt: skip
    assert run.statuses() == {
        "韩冰": CandidateStatus.INSPECTION, "蒋涛": CandidateStatus.INSPECTION,
        "宋佳": CandidateStatus.INSPECTION, "唐亮": CandidateStatus.EXCLUDED,
        "曹老": CandidateStatus.EXCLUDED,
    }  # fmt: skip

    meeting = dt.date(2026, 10, 30)
    c_a, c_b, c_c = (run.candidate(x) for x in (a, b, c))
    run.step(
        "integrity_opinion",
        integrity([c_a, c_b, c_c], dt.date(2026, 10, 23), meeting, dt.date(2026, 10, 27)),
        dt.date(2026, 10, 27),
    )
    assert run.case.current_step == "decision"  # no audit or deliberation here
    votes_ = [vote(c_a, 10), vote(c_b, 8, 2), vote(c_c, 4, 5, 1)]
    run.step("decision", decision(meeting, members[:10], votes_), meeting)

    # Five working days from Monday 2 November: the notice ends on Friday.
    notice, after = notice_and_report(run, dt.date(2026, 11, 2), c_b, "198.51.100.3")
    assert (notice.end, notice.unit) == (dt.date(2026, 11, 6), "working_days")
    run.step("public_notice", {}, after, note="公示期满")
    run.step(
        "appointment",
        {"document_number": "青委〔2026〕50号", "document_date": "2026-11-12"},
        dt.date(2026, 11, 12),
    )
    run.step(
        "appointment_talk",
        talks([c_a, c_b], dt.date(2026, 11, 13), dt.date(2026, 11, 16)),
        dt.date(2026, 11, 16),
    )
    # 公开选拔的干部一律实行一年试用期: both on probation; 蒋涛 is not competent.
    run.step(
        "probation_end",
        {"assessments": [
            {"candidate": c_a.pk, "result": "competent", "assessed_on": "2027-10-30"},
            {"candidate": c_b.pk, "result": "not_competent", "assessed_on": "2027-10-30",
             "document": "青委〔2027〕58号"},
        ]},
        dt.date(2027, 11, 2),
    )  # fmt: skip

    assert run.statuses() == {
        "韩冰": CandidateStatus.CONFIRMED, "蒋涛": CandidateStatus.REMOVED,
        "宋佳": CandidateStatus.REJECTED, "唐亮": CandidateStatus.EXCLUDED,
        "曹老": CandidateStatus.EXCLUDED,
    }  # fmt: skip
    kept = Tenure.objects.get(cadre=a, post=post)
    assert (kept.start_date, kept.end_date, kept.method) == (meeting, None, "competitive")
    assert kept.probation_until == dt.date(2027, 10, 29)
    ended = Tenure.objects.get(cadre=b, post=post)
    assert (ended.start_date, ended.end_date) == (meeting, dt.date(2027, 11, 2))
    b.refresh_from_db()
    assert (b.level, b.level_since) == (Level.SUBSECTION_PRINCIPAL, dt.date(2020, 3, 1))
    assert b.current_post_title == "县财政局国库股股长"
    assert Event.objects.filter(
        event_type=EventType.TENURE_ENDED, subject_id=str(ended.pk)
    ).exists()
    assert_complete_record(run)
