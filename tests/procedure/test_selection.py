"""The selection stage: recommendation, inspection candidates, the competitive
template's review and exams, and inspection. Every guard is shown blocking
(through case_step_complete, with the guard's code as the error's field) and
passing; effects change candidates' statuses with journal events."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tests.procedure.conftest import ON, open_case
from tests.step_data import MOTION, inspection_notice, publication, registration
from xuanren.common.errors import ValidationFailed
from xuanren.journal.models import Event, EventType
from xuanren.journal.services import journal_verify
from xuanren.org.models import Level, Post
from xuanren.org.services import post_create, quota_set
from xuanren.people.models import Cadre
from xuanren.people.services import (
    assessment_set,
    cadre_update,
    education_add,
    family_member_add,
)
from xuanren.policy.services import promotion_exception_decide, promotion_exception_request
from xuanren.procedure.catalogue import DEFINITION_DIR
from xuanren.procedure.guards.selection import required_count
from xuanren.procedure.models import Candidate, CandidateStatus, Case, CaseStep
from xuanren.procedure.services import (
    GuardBlocked,
    case_step_complete,
    case_step_correct,
    procedure_template_load,
)

pytestmark = pytest.mark.django_db

PLAN = {"consultation": [{"from": "城关镇党委", "comment": "同意"}]}
PLAN_HIGHER = {**PLAN, "higher_approval": {"body": "县委组织部", "document": "青组函〔2026〕3号"}}
MEETING = {
    "kind": "meeting",
    "date": "2026-11-10",
    "participants": {"领导班子成员": 7, "中层干部": 20},
}
TALK = {
    "kind": "talk",
    "date": "2026-11-11",
    "participants": {"领导班子成员": 7, "中层干部": 14},
    "staff_total": 30,
}


# ---- building blocks ----------------------------------------------------------------


def eligible(
    make_cadre: Any,
    admin: Any,
    unit: Any,
    name: str,
    *,
    sex: str = "male",
    birth: dt.date = dt.date(1990, 5, 1),
    **extra: Any,
) -> Cadre:
    """A cadre who passes every rule for 城关镇副镇长 at ON: a promotion (no
    level yet), 36, bachelor, 2025 competent, archive passed, matters verified."""
    cadre = make_cadre(
        unit, name=name, sex=sex, birth=birth, work_start=dt.date(2012, 8, 1), **extra
    )
    education_add(actor=admin, cadre=cadre, kind="full_time", level="bachelor", school="浙江大学")
    assessment_set(actor=admin, cadre=cadre, year=2025, grade="competent")
    return cadre_update(
        actor=admin,
        cadre=cadre,
        changes={"archive_review_status": "passed", "personal_matters_status": "verified"},
    )


def complete(case: Case, officer: Any, step: str, data: Any = None, on: dt.date = ON) -> CaseStep:
    return case_step_complete(actor=officer, case=case, step=step, data=data or {}, on=on)


def refused(case: Case, officer: Any, step: str, data: Any, on: dt.date = ON) -> dict[str, str]:
    """The step contract's problems by place in the data; nothing is stored."""
    with pytest.raises(ValidationFailed) as info:
        case_step_complete(actor=officer, case=case, step=step, data=data, on=on)
    case.refresh_from_db()
    assert case.current_step == step
    return {e.field: e.message for e in info.value.errors}


def blocked(
    case: Case, officer: Any, step: str, data: Any, on: dt.date = ON
) -> dict[str, list[str]]:
    """The blocking problems by guard code; the case stays at the step."""
    with pytest.raises(GuardBlocked) as info:
        case_step_complete(actor=officer, case=case, step=step, data=data, on=on)
    out: dict[str, list[str]] = defaultdict(list)
    for error in info.value.errors:
        out[error.field].append(error.message)
    case.refresh_from_db()
    assert case.current_step == step
    return out


def has(problems: dict[str, list[str]], code: str, text: str) -> bool:
    return any(text in message for message in problems.get(code, []))


def to_step(case: Case, officer: Any, plan: Any = None) -> None:
    """motion → plan → publication: the case then waits at recommendation/registration."""
    complete(case, officer, "motion", MOTION)
    complete(case, officer, "plan", plan or PLAN)
    complete(case, officer, "publication", publication(ON))


def rec_data(
    votes: Sequence[tuple[Cadre, Post | None, int]],
    meetings: list[Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Signed votes for each (cadre, post) in every group of every record."""
    meetings = meetings if meetings is not None else [MEETING, TALK]
    results = []
    for cadre, post, votes_ in votes:
        for rec in meetings:
            for group, size in rec["participants"].items():
                row = {"cadre": cadre.pk, "group": group, "kind": rec["kind"]}
                row["signed"] = min(votes_, size)
                if post is not None:
                    row["post"] = post.pk
                results.append(row)
    return {"meetings": meetings, "results": results, **extra}


def chosen(*pairs: tuple[Cadre, Post | None]) -> dict[str, Any]:
    rows = []
    for cadre, post in pairs:
        row: dict[str, Any] = {"cadre": cadre.pk}
        if post is not None:
            row["post"] = post.pk
        rows.append(row)
    return {"chosen": rows, "meeting": {"body": "县委组织部部务会", "date": "2026-11-26"}}


def entry(cadre: Cadre, rank: int | None = None, post: Post | None = None) -> dict[str, Any]:
    row: dict[str, Any] = {
        "cadre": cadre.pk,
        "talks": {"count": 25, "date": "2026-11-20"},
        "evaluation": {"participants": 40, "date": "2026-11-20"},
        "field_visits": [{"place": "城关镇", "date": "2026-11-21"}],
        "reports_investigated": True,
    }
    if rank is not None:
        row["rank"] = rank
    if post is not None:
        row["post"] = post.pk
    return row


def inspection_data(
    entries: list[dict[str, Any]],
    team: list[dict[str, Any]] | None = None,
    signed_by: list[str] | None = None,
) -> dict[str, Any]:
    team = team if team is not None else [{"name": "李组长"}, {"name": "王组员"}]
    return {
        "team": team,
        "candidates": entries,
        "report": {
            "date": "2026-11-25",
            "signed_by": signed_by if signed_by is not None else [m["name"] for m in team],
        },
    }


def statuses(case: Case) -> dict[str, str]:
    return {c.cadre.name: c.status for c in case.candidates.select_related("cadre")}


def template_version(name: str, version: int, replace: dict[str, str], tmp_path: Path) -> int:
    """Load a new version of a shipped template with some lines changed:
    `version` counts from the shipped one (2 = the next); returns its number."""
    text = (DEFINITION_DIR / f"{name}.toml").read_text(encoding="utf-8")
    shipped = int(re.search(r"^version = (\d+)$", text, re.M).group(1))
    version = shipped + version - 1
    text = re.sub(r"^version = \d+$", f"version = {version}", text, count=1, flags=re.M)
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new, 1)
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    assert procedure_template_load(actor=None, path=path) is not None
    return version


@pytest.fixture
def people(county: Any, make_cadre: Any, admin: Any) -> dict[str, Cadre]:
    return {name: eligible(make_cadre, admin, county.town, name) for name in ("甲", "乙", "丙")}


@pytest.fixture
def at_recommendation(personas: Any, county: Any, committee: Any) -> Case:
    case = open_case(personas, county, committee)
    to_step(case, personas.case_officer)
    return case


@pytest.fixture
def at_candidates(at_recommendation: Case, personas: Any, people: dict[str, Cadre]) -> Case:
    votes = [(people["甲"], None, 12), (people["乙"], None, 9), (people["丙"], None, 3)]
    complete(at_recommendation, personas.case_officer, "recommendation", rec_data(votes))
    return at_recommendation


@pytest.fixture
def at_inspection(at_candidates: Case, personas: Any, people: dict[str, Cadre]) -> Case:
    officer = personas.case_officer
    complete(
        at_candidates, officer, "candidates", chosen((people["甲"], None), (people["乙"], None))
    )
    complete(at_candidates, officer, "inspection_notice", inspection_notice(ON))
    return at_candidates


# ---- pure helpers -------------------------------------------------------------------


def test_required_count_rounds_up():
    assert [required_count(s, [13, 10]) for s in (1, 2, 3, 10)] == [2, 3, 4, 13]


# ---- recommendation -----------------------------------------------------------------


def test_signed_recommendations_blocks_without_results(at_recommendation, personas):
    assert refused(at_recommendation, personas.case_officer, "recommendation", {}) == {
        "meetings": "“推荐记录”：必须填写，请补上。"
    }
    data = {"meetings": [MEETING, TALK]}
    problems = blocked(at_recommendation, personas.case_officer, "recommendation", data)
    assert has(problems, "signed_recommendations", "尚未录入推荐结果")


def test_signed_recommendations_refuses_counted_phone_and_unsigned(
    at_recommendation, personas, people
):
    data = rec_data([(people["甲"], None, 10), (people["乙"], None, 5)])
    data["results"][0]["phone"] = 3
    data["results"][1]["signed"] = "否"
    data["not_counted"] = [{"kind": "letter", "count": 1}]
    # Phone, verbal and unsigned recommendations have no place in a result row:
    # the step's contract refuses them before the guards.
    assert refused(at_recommendation, personas.case_officer, "recommendation", data) == {
        "results.0.phone": "推荐结果第 1 行有一项不属于本环节的内容，请删去后再提交。",
        "results.1.signed": "推荐结果第 2 行“署名推荐票数”：应为整数，请填写数字。",
        "not_counted.0.kind": "不计票的推荐第 1 行“类别”：应为下列之一：未署名推荐、电话推荐、口头推荐。",
    }


def test_signed_recommendations_refuses_an_empty_count(at_recommendation, personas, people):
    data = rec_data([(people["甲"], None, 0)])
    problems = blocked(at_recommendation, personas.case_officer, "recommendation", data)
    assert has(problems, "signed_recommendations", "没有任何署名推荐票")


def test_results_per_group_blocks_unknown_groups_missing_talk_and_missing_results(
    at_recommendation, personas, people
):
    data = rec_data([(people["甲"], None, 10)], meetings=[MEETING])
    data["results"][0]["group"] = "群众"
    found = refused(at_recommendation, personas.case_officer, "recommendation", data)
    assert found["results.0.group"].startswith("推荐结果第 1 行“推荐人类别”：应为下列之一：")
    data["results"][0]["group"] = "中层干部"
    problems = blocked(at_recommendation, personas.case_officer, "recommendation", data)
    assert has(problems, "results_per_group", "尚未记录谈话推荐")
    assert has(
        problems, "results_per_group", "有“领导班子成员”类别的参加人员，但没有该类别的推荐结果"
    )
    assert "signed_recommendations" not in problems


def test_results_per_group_blocks_more_votes_than_participants(at_recommendation, personas, people):
    data = rec_data([(people["甲"], None, 10)])
    data["results"][0]["signed"] = 8  # 领导班子成员: 7 took part
    data["meetings"] = [{**MEETING, "date": "2027-01-01"}, TALK]
    problems = blocked(at_recommendation, personas.case_officer, "recommendation", data)
    assert has(problems, "results_per_group", "票数 8 超过“领导班子成员”类别的参加人数 7")
    assert has(problems, "results_per_group", "晚于办理日期")


def test_recommendation_passes_and_names_candidates(at_recommendation, personas, people):
    votes = [(people["甲"], None, 12), (people["乙"], None, 9), (people["丙"], None, 0)]
    data = rec_data(votes, not_counted=[{"kind": "phone", "count": 2, "note": "电话推荐丙"}])
    before = Event.objects.filter(event_type=EventType.CANDIDATE_ADDED).count()
    record = complete(at_recommendation, personas.case_officer, "recommendation", data)
    assert record.data["not_counted"][0]["kind"] == "phone"
    # Only signed recommendations name candidates: 丙 had none.
    assert statuses(at_recommendation) == {"甲": "nominated", "乙": "nominated"}
    assert Event.objects.filter(event_type=EventType.CANDIDATE_ADDED).count() == before + 2
    at_recommendation.refresh_from_db()
    assert at_recommendation.current_step == "candidates"


def test_talk_recommendation_covers_the_share_the_template_asks(
    personas, county, committee, people
):
    case = open_case(personas, county, committee)
    # The shipped county template asks 60% (学校党组织选拔中层干部做法).
    assert case.template.parameters["talk_coverage"] == [60, 100]
    officer = personas.case_officer
    to_step(case, officer)
    votes = [(people["甲"], None, 5), (people["乙"], None, 4)]
    short = {**TALK, "staff_total": 50, "participants": {"领导班子成员": 7, "中层干部": 13}}
    problems = blocked(case, officer, "recommendation", rec_data(votes, [MEETING, short]))
    assert problems["results_per_group"] == [
        "谈话推荐应覆盖在职人员的 60% 以上：在职 50 人，应至少谈话 30 人，现为 20 人。"
    ]
    unknown = {k: v for k, v in short.items() if k != "staff_total"}
    problems = blocked(case, officer, "recommendation", rec_data(votes, [MEETING, unknown]))
    assert has(problems, "results_per_group", "未填写应参加人数")
    enough = {**short, "participants": {"领导班子成员": 7, "中层干部": 23}}
    complete(case, officer, "recommendation", rec_data(votes, [MEETING, enough]))


# ---- choosing inspection candidates -------------------------------------------------


def test_differential_count_blocks_then_passes(at_candidates, personas, people):
    officer = personas.case_officer
    problems = blocked(at_candidates, officer, "candidates", chosen((people["甲"], None)))
    assert problems["differential_count"] == [
        "职位“城关镇副镇长”拟配 1 人，差额考察要求考察对象不少于拟配人数的 1.3 倍（向上取整）"
        "即 2 人，现为 1 人；请增加考察对象。"
    ]
    assert set(problems) == {"differential_count"}
    complete(
        at_candidates, officer, "candidates", chosen((people["甲"], None), (people["乙"], None))
    )


def test_choosing_candidates_changes_statuses_with_journal_events(at_candidates, personas, people):
    before = Event.objects.filter(event_type=EventType.CANDIDATE_STATUS_SET).count()
    complete(
        at_candidates,
        personas.case_officer,
        "candidates",
        chosen((people["甲"], None), (people["乙"], None)),
    )
    assert statuses(at_candidates) == {"甲": "inspection", "乙": "inspection", "丙": "excluded"}
    out = Candidate.objects.get(case=at_candidates, cadre=people["丙"])
    assert out.status_reason == "未确定为考察对象"
    events = Event.objects.filter(event_type=EventType.CANDIDATE_STATUS_SET).order_by("id")
    assert events.count() == before + 3
    assert events.last().payload["to"] == "excluded"
    assert journal_verify().ok


def test_candidates_qualified_names_the_failed_rule_and_the_person(
    at_recommendation, personas, people, make_cadre, admin, county
):
    old = eligible(make_cadre, admin, county.town, "老张", birth=dt.date(1985, 3, 2))
    officer = personas.case_officer
    votes = [(people["甲"], None, 10), (old, None, 8)]
    complete(at_recommendation, officer, "recommendation", rec_data(votes))
    problems = blocked(
        at_recommendation, officer, "candidates", chosen((people["甲"], None), (old, None))
    )
    [message] = problems["candidates_qualified"]
    assert message.startswith(
        "老张（拟任城关镇副镇长）不符合“乡镇新提拔副科级领导干部，男性不超过 40 周岁”："
    )
    assert "至基准日 2026-11-27 为 41 周岁" in message
    assert message.endswith("该条件属于基本资格条件，不得破格；请更换人选。")


def test_candidates_qualified_accepts_an_approved_exception(
    personas, county, committee, people, make_cadre, admin
):
    """破格: a deputy of 17 months fails the two-years rule for a principal post;
    an approved exception waives it, and the candidate carries it."""
    deputy = eligible(
        make_cadre,
        admin,
        county.town,
        "副职",
        level="section_deputy",
        level_since=dt.date(2025, 6, 1),
    )
    # The other candidate has been 副科 long enough (a 科员 would be 越级).
    senior = eligible(make_cadre, admin, county.town, "老副职", level="section_deputy",
                      level_since=dt.date(2022, 6, 1))  # fmt: skip
    officer = personas.case_officer
    case = open_case(personas, county, committee, posts=[(county.town_secretary, 1)])
    to_step(case, officer)
    votes = [(deputy, None, 15), (senior, None, 10)]
    complete(case, officer, "recommendation", rec_data(votes))
    data = chosen((deputy, None), (senior, None))
    problems = blocked(case, officer, "candidates", data)
    [message] = problems["candidates_qualified"]
    assert "副职（拟任城关镇党委书记）不符合“逐级提拔：" in message
    assert "该条件可以破格，但没有经上级组织部门批准的破格提拔" in message
    request = promotion_exception_request(
        actor=admin,
        cadre=deputy,
        post=county.town_secretary,
        rule_ids=["national.ladder"],
        reason="outstanding",
        explanation="工作实绩突出",
    )
    promotion_exception_decide(
        actor=admin,
        request=request,
        approve=True,
        approving_body="市委组织部",
        document="市组函〔2026〕9号",
    )
    complete(case, officer, "candidates", data)
    candidate = Candidate.objects.get(case=case, cadre=deputy)
    assert candidate.status == CandidateStatus.INSPECTION
    assert candidate.exception_id == request.pk
    assert "破格提拔，批准文件：市组函〔2026〕9号" in candidate.status_reason


def _decision_record(case: Case, officer: Any, days_ago: int) -> CaseStep:
    """An earlier case's decision, written directly (the decision stage has its
    own tests): only its date and the candidates' statuses matter here."""
    return CaseStep.objects.create(
        case=case,
        step="decision",
        seq=case.steps.count() + 1,
        completed_by=officer,
        completed_at=timezone.now() - dt.timedelta(days=days_ago),
        data={},
        journal_hash=f"test-{case.pk}",
    )


def test_not_rejected_last_time_blocks_then_a_later_decision_lifts_it(
    personas, county, committee, people
):
    officer = personas.case_officer
    earlier = open_case(personas, county, committee)
    Candidate.objects.create(
        case=earlier,
        cadre=people["甲"],
        post=county.town_deputy,
        status=CandidateStatus.REJECTED,
        added_at_step="candidates",
    )
    _decision_record(earlier, officer, days_ago=60)
    case = open_case(personas, county, committee)
    to_step(case, officer)
    votes = [(people["甲"], None, 10), (people["乙"], None, 8)]
    complete(case, officer, "recommendation", rec_data(votes))
    data = chosen((people["甲"], None), (people["乙"], None))
    problems = blocked(case, officer, "candidates", data)
    assert problems["not_rejected_last_time"] == [
        f"甲在上一次讨论决定（事项 {earlier.number}，"
        f"{(timezone.localdate() - dt.timedelta(days=60))}）中拟任“城关镇副镇长”未获通过；"
        "被否决的人选不得再列入下一次方案，请更换人选。"
    ]
    # A later decision on the same post, in which 甲 was not rejected, is now the last one.
    later = open_case(personas, county, committee)
    _decision_record(later, officer, days_ago=10)
    complete(case, officer, "candidates", data)


def test_recommendation_fresh_blocks_stale_results(personas, county, committee, people):
    """Valid for twelve months: formed on 2025-11-27, it has expired on 2026-11-27;
    a corrected record (formed a day later) is still valid that day."""
    officer = personas.case_officer
    case = open_case(personas, county, committee)
    to_step(case, officer)
    votes = [(people["甲"], None, 10), (people["乙"], None, 8)]
    old = [{**MEETING, "date": "2025-11-27"}, {**TALK, "date": "2025-11-28"}]
    record = complete(case, officer, "recommendation", rec_data(votes, old))
    data = chosen((people["甲"], None), (people["乙"], None))
    problems = blocked(case, officer, "candidates", data)
    assert problems["recommendation_fresh"] == [
        "民主推荐结果形成于 2025-11-27，有效期 12 个月（至 2026-11-26），至 2026-11-27 已过期，"
        "须重新进行民主推荐。"
    ]
    fixed = [{**MEETING, "date": "2025-11-28"}, {**TALK, "date": "2025-11-28"}]
    case_step_correct(
        actor=officer, record=record, data=rec_data(votes, fixed), note="会议推荐日期录错"
    )
    complete(case, officer, "candidates", data)


def test_recommendation_fresh_directed_recommendation_only_for_its_post(
    personas, county, committee, people
):
    officer = personas.case_officer
    case = open_case(
        personas, county, committee, posts=[(county.town_deputy, 1), (county.finance_deputy, 1)]
    )
    to_step(case, officer)
    town, finance = county.town_deputy, county.finance_deputy
    votes = [(people["甲"], town, 10), (people["乙"], town, 8), (people["丙"], finance, 6)]
    complete(case, officer, "recommendation", rec_data(votes))
    data = chosen(
        (people["甲"], town), (people["乙"], town), (people["甲"], finance), (people["丙"], finance)
    )
    problems = blocked(case, officer, "candidates", data)
    assert problems["recommendation_fresh"] == [
        "甲的民主推荐是对“城关镇副镇长”的定向推荐，只对该职位有效，"
        "不能作为拟任“青山县财政局副局长”的考察对象。"
    ]


def test_recommendation_fresh_without_a_recommendation(personas, county, committee, people):
    """A template without a recommendation step cannot satisfy the guard."""
    from xuanren.procedure.guards.registry import GuardContext
    from xuanren.procedure.guards.selection import recommendation_fresh
    from xuanren.procedure.services import template_def

    case = open_case(personas, county, committee)
    ctx = GuardContext(
        case=case, template=template_def(case.template), step="candidates", data={}, on=ON
    )
    assert recommendation_fresh(ctx) == [
        "本事项尚无民主推荐记录，不能确定考察对象；请先完成民主推荐。"
    ]


# ---- inspection ---------------------------------------------------------------------


def test_inspection_recorded_blocks_missing_methods_and_ranks(at_inspection, personas, people):
    officer = personas.case_officer
    incomplete = entry(people["甲"])
    del incomplete["field_visits"]
    incomplete["talks"] = {"count": 0, "date": "2026-11-20"}
    data = inspection_data([incomplete, entry(people["乙"]), entry(people["丙"])])
    assert refused(at_inspection, officer, "inspection", data) == {
        "candidates.0.talks.count": "考察情况第 1 行个别谈话“个别谈话人数”：应为不小于 1 的整数。",
        "candidates.0.field_visits": "考察情况第 1 行“实地走访”：必须填写，请补上。",
    }
    data = inspection_data([entry(people["甲"]), entry(people["乙"]), entry(people["丙"])])
    problems = blocked(at_inspection, officer, "inspection", data)
    assert has(problems, "inspection_recorded", "考察情况第 3 行不是本事项的考察对象")
    assert has(problems, "inspection_recorded", "差额考察 2 人，须对考察对象综合排序")
    problems = blocked(
        at_inspection, officer, "inspection", inspection_data([entry(people["乙"], 1)])
    )
    assert has(problems, "inspection_recorded", "甲（拟任城关镇副镇长）的考察情况尚未记录")


def test_report_signed_by_team_blocks_missing_and_outside_signatures(
    at_inspection, personas, people
):
    officer = personas.case_officer
    entries = [entry(people["甲"], 1), entry(people["乙"], 2)]
    data = inspection_data(entries, signed_by=["李组长", "赵某"])
    problems = blocked(at_inspection, officer, "inspection", data)
    assert problems["report_signed_by_team"] == [
        "考察材料缺少考察组成员王组员的署名：考察组成员均须在考察材料上署名，并对考察材料负责。",
        "赵某不是考察组成员，不能在考察材料上署名；如参加了考察，请先列入考察组。",
    ]
    alone = inspection_data(entries, team=[{"name": "李组长"}])
    problems = blocked(at_inspection, officer, "inspection", alone)
    assert has(problems, "report_signed_by_team", "考察组由两名以上成员组成")


def test_report_signed_by_team_detects_recusal(
    at_inspection, personas, people, make_cadre, admin, county
):
    officer = personas.case_officer
    wife = make_cadre(county.org_dept, name="组工干部", sex="female", birth=dt.date(1988, 1, 1))
    family_member_add(
        actor=admin, cadre=people["甲"], relation="spouse", name="组工干部", related_cadre=wife
    )
    entries = [entry(people["甲"], 1), entry(people["乙"], 2)]
    team = [{"name": "李组长"}, {"name": "组工干部", "cadre": wife.pk}]
    problems = blocked(at_inspection, officer, "inspection", inspection_data(entries, team))
    assert problems["report_signed_by_team"] == [
        "考察组成员组工干部与考察对象甲有配偶关系（见甲的家庭成员记录），"
        "应当回避，不得参加对其考察；请调整考察组。"
    ]
    # She inspects only 乙: no conflict.
    team[1]["candidates"] = [people["乙"].pk]
    complete(at_inspection, officer, "inspection", inspection_data(entries, team))


def test_four_musts_blocks_until_archive_matters_and_reports_are_done(
    at_inspection, personas, people, admin
):
    officer = personas.case_officer
    cadre_update(
        actor=admin,
        cadre=people["乙"],
        changes={"archive_review_status": "issues_found", "personal_matters_status": "reported"},
    )
    unchecked = entry(people["甲"], 1)
    unchecked["reports_investigated"] = False
    data = inspection_data([unchecked, entry(people["乙"], 2)])
    problems = blocked(at_inspection, officer, "inspection", data)
    assert problems["four_musts"] == [
        "甲（拟任城关镇副镇长）：尚未记录信访举报已查核；信访必查，有举报的须查清后再办理。",
        "乙（拟任城关镇副镇长）：干部档案尚未审核通过（现为“发现问题”）；档案必审，请先完成干部档案审核。",
        "乙（拟任城关镇副镇长）：个人有关事项报告尚未核实一致（现为“已报告”）；个人事项必核，请先完成查核。",
    ]
    cadre_update(
        actor=admin,
        cadre=people["乙"],
        changes={"archive_review_status": "passed", "personal_matters_status": "verified"},
    )
    complete(
        at_inspection,
        officer,
        "inspection",
        inspection_data([entry(people["甲"], 1), entry(people["乙"], 2)]),
    )


def test_county_template_from_motion_through_inspection(at_recommendation, personas, people):
    """The county-leading template driven step by step through the services."""
    officer = personas.case_officer
    case = at_recommendation
    votes = [(people["甲"], None, 12), (people["乙"], None, 9), (people["丙"], None, 3)]
    complete(case, officer, "recommendation", rec_data(votes))
    complete(case, officer, "candidates", chosen((people["甲"], None), (people["乙"], None)))
    complete(case, officer, "inspection_notice", inspection_notice(ON))
    complete(
        case,
        officer,
        "inspection",
        inspection_data([entry(people["乙"], 1), entry(people["甲"], 2)]),
    )
    case.refresh_from_db()
    assert case.current_step == "integrity_opinion"
    ranks = {c.cadre.name: c.rank for c in case.candidates.select_related("cadre")}
    assert ranks == {"乙": 1, "甲": 2, "丙": None}
    assert statuses(case) == {"甲": "inspection", "乙": "inspection", "丙": "excluded"}
    assert [s.step for s in case.steps.order_by("seq")] == [
        "motion", "plan", "publication", "recommendation",
        "candidates", "inspection_notice", "inspection",
    ]  # fmt: skip
    assert all(Event.objects.filter(hash=s.journal_hash).exists() for s in case.steps.all())
    assert journal_verify().ok


# ---- section-level: full directed recommendation ------------------------------------


@pytest.fixture
def office_posts(county: Any, admin: Any) -> tuple[Post, Post]:
    head = post_create(
        actor=admin, unit=county.town_office, title="综合股股长", level=Level.SUBSECTION_PRINCIPAL
    )
    deputy = post_create(
        actor=admin, unit=county.town_office, title="综合股副股长", level=Level.SUBSECTION_DEPUTY
    )
    quota_set(actor=admin, unit=county.town_office, level=Level.SUBSECTION_PRINCIPAL, approved=1)
    quota_set(actor=admin, unit=county.town_office, level=Level.SUBSECTION_DEPUTY, approved=1)
    return head, deputy


def test_section_level_full_directed_recommendation_through_inspection(
    personas, county, committee, make_cadre, admin, office_posts, tmp_path
):
    template_version(
        "section-level",
        2,
        {'recommendation_mode = "per_post"': 'recommendation_mode = "full_directed"'},
        tmp_path,
    )
    head, deputy = office_posts
    officer = personas.case_officer
    case = open_case(
        personas, county, committee, template="section-level", posts=[(head, 1), (deputy, 1)]
    )
    assert case.template.parameters["recommendation_mode"] == "full_directed"
    to_step(case, officer, PLAN_HIGHER)
    # 正股 needs two years as 副股; the deputies are 副股 since 2022.
    seniors = [
        eligible(
            make_cadre, admin, county.town_office, n,
            level="subsection_deputy", level_since=dt.date(2022, 3, 1),
        )
        for n in ("赵", "钱")
    ]  # fmt: skip
    juniors = [eligible(make_cadre, admin, county.town_office, n) for n in ("孙", "李")]
    votes = [(c, head, 9) for c in seniors] + [(c, deputy, 7) for c in juniors]
    # One recommendation per post is refused: a whole-unit adjustment recommends once.
    per_post = [
        {**MEETING, "posts": [head.pk]},
        {**MEETING, "posts": [deputy.pk]},
        TALK,
    ]
    problems = blocked(case, officer, "recommendation", rec_data(votes, per_post))
    assert problems["results_per_group"] == [
        "全额定向推荐应对本单位全部拟任职位一次推荐：会议推荐应只有一次，并覆盖本事项的全部职位。"
    ]
    complete(case, officer, "recommendation", rec_data(votes))
    nominated = {
        (c.cadre.name, c.post_id)
        for c in case.candidates.select_related("cadre")
        if c.status == CandidateStatus.NOMINATED
    }
    assert nominated == {("赵", head.pk), ("钱", head.pk), ("孙", deputy.pk), ("李", deputy.pk)}
    # A directed recommendation counts only for its post.
    crossed = chosen(
        (seniors[0], head), (juniors[0], head), (juniors[1], deputy), (seniors[1], deputy)
    )
    problems = blocked(case, officer, "candidates", crossed)
    assert has(
        problems, "recommendation_fresh", "孙的民主推荐是对“城关镇党政办综合股副股长”的定向推荐"
    )
    straight = chosen(
        (seniors[0], head), (seniors[1], head), (juniors[0], deputy), (juniors[1], deputy)
    )
    complete(case, officer, "candidates", straight)
    entries = [
        entry(seniors[0], 1, head), entry(seniors[1], 2, head),
        entry(juniors[0], 2, deputy), entry(juniors[1], 1, deputy),
    ]  # fmt: skip
    complete(case, officer, "inspection", inspection_data(entries))
    case.refresh_from_db()
    assert case.current_step == "decision"
    assert {c.cadre.name: c.rank for c in case.candidates.select_related("cadre")} == {
        "赵": 1, "钱": 2, "孙": 2, "李": 1,
    }  # fmt: skip


def test_full_directed_needs_one_unit(personas, county, committee, people, office_posts, tmp_path):
    template_version(
        "section-level",
        2,
        {'recommendation_mode = "per_post"': 'recommendation_mode = "full_directed"'},
        tmp_path,
    )
    head, _deputy = office_posts
    officer = personas.case_officer
    case = open_case(
        personas, county, committee, template="section-level",
        posts=[(head, 1), (county.town_deputy, 1)],
    )  # fmt: skip
    to_step(case, officer, PLAN_HIGHER)
    votes = [(people["甲"], head, 5), (people["乙"], county.town_deputy, 5)]
    problems = blocked(case, officer, "recommendation", rec_data(votes))
    assert has(problems, "results_per_group", "本事项的职位应属于同一单位（现涉及：")


# ---- section-level: higher approval and differential as template parameters --------
# 县关于选拔任用股级干部的规定第二项: “如对调整股级干部实行竞争上岗方法，所在党委（党组）
# 应将竞争上岗方案报县委组织部审批”; 考察对象“在民主推荐的基础上，集体研究确定” (no 差额).

COMPETITIVE_MESSAGE = (
    "方案采用竞争上岗方法的，须报上级组织部门审批同意后实施；请记录审批机关和批准文件。"
)


def test_section_level_plan_without_competition_needs_no_approval(personas, county, committee):
    officer = personas.case_officer
    case = open_case(personas, county, committee, template="section-level")
    assert case.template.parameters["plan_approval_by_higher"] == "competitive"
    complete(case, officer, "motion", MOTION)
    record = complete(case, officer, "plan", PLAN)
    assert "higher_approval" not in record.data and not record.data.get("competitive")


def test_section_level_competitive_plan_needs_approval(personas, county, committee):
    officer = personas.case_officer
    case = open_case(personas, county, committee, template="section-level")
    complete(case, officer, "motion", MOTION)
    problems = blocked(case, officer, "plan", {**PLAN, "competitive": True})
    assert problems == {"higher_approval": [COMPETITIVE_MESSAGE]}
    record = complete(case, officer, "plan", {**PLAN_HIGHER, "competitive": True})
    assert record.data["competitive"] is True


def test_section_level_approval_parameter_true_asks_always(personas, county, committee, tmp_path):
    template_version(
        "section-level",
        2,
        {'plan_approval_by_higher = "competitive"': "plan_approval_by_higher = true"},
        tmp_path,
    )
    officer = personas.case_officer
    case = open_case(personas, county, committee, template="section-level")
    complete(case, officer, "motion", MOTION)
    problems = blocked(case, officer, "plan", PLAN)
    assert problems == {
        "higher_approval": ["本类事项的方案须报上级组织部门审批；请记录审批机关和批准文件。"]
    }
    complete(case, officer, "plan", PLAN_HIGHER)


def test_section_level_approval_parameter_false_never_asks(personas, county, committee, tmp_path):
    template_version(
        "section-level",
        2,
        {'plan_approval_by_higher = "competitive"': "plan_approval_by_higher = false"},
        tmp_path,
    )
    officer = personas.case_officer
    case = open_case(personas, county, committee, template="section-level")
    complete(case, officer, "motion", MOTION)
    complete(case, officer, "plan", {**PLAN, "competitive": True})


def test_an_unknown_approval_parameter_is_refused(tmp_path):
    with pytest.raises(ValidationFailed, match="plan_approval_by_higher"):
        template_version(
            "section-level",
            2,
            {'plan_approval_by_higher = "competitive"': 'plan_approval_by_higher = "sometimes"'},
            tmp_path,
        )
    with pytest.raises(ValidationFailed, match="differential_required"):
        template_version(
            "section-level",
            2,
            {"differential_required = false": 'differential_required = "no"'},
            tmp_path,
        )


def test_section_level_one_candidate_per_seat_is_enough(
    personas, county, committee, people, office_posts
):
    head, deputy = office_posts
    officer = personas.case_officer
    case = open_case(
        personas, county, committee, template="section-level", posts=[(head, 1), (deputy, 1)]
    )
    assert case.template.parameters["differential_required"] is False
    to_step(case, officer)
    votes = [(people["甲"], deputy, 9), (people["乙"], head, 8)]
    complete(case, officer, "recommendation", rec_data(votes))
    # Fewer than the seats is still refused: nobody for the 股长 post.
    problems = blocked(case, officer, "candidates", chosen((people["甲"], deputy)))
    assert problems["differential_count"] == [
        "职位“城关镇党政办综合股股长”拟配 1 人，考察对象不少于拟配人数即 1 人，现为 0 人；"
        "请增加考察对象。"
    ]


def test_section_level_as_many_candidates_as_seats_passes(personas, county, committee, people):
    officer = personas.case_officer
    case = open_case(personas, county, committee, template="section-level")
    to_step(case, officer)
    complete(case, officer, "recommendation", rec_data([(people["甲"], None, 9)]))
    # edge: exactly as many as the seats (等额) passes
    complete(case, officer, "candidates", chosen((people["甲"], None)))


def test_section_level_differential_when_the_template_asks(
    personas, county, committee, people, tmp_path
):
    template_version(
        "section-level",
        2,
        {"differential_required = false": "differential_required = true"},
        tmp_path,
    )
    officer = personas.case_officer
    case = open_case(personas, county, committee, template="section-level")
    to_step(case, officer)
    complete(
        case,
        officer,
        "recommendation",
        rec_data([(people["甲"], None, 9), (people["乙"], None, 8)]),
    )
    problems = blocked(case, officer, "candidates", chosen((people["甲"], None)))
    assert problems["differential_count"] == [
        "职位“城关镇副镇长”拟配 1 人，差额考察要求考察对象不少于拟配人数的 1.3 倍（向上取整）"
        "即 2 人，现为 1 人；请增加考察对象。"
    ]
    complete(case, officer, "candidates", chosen((people["甲"], None), (people["乙"], None)))


# ---- competitive template -----------------------------------------------------------


@pytest.fixture
def competitive(personas: Any, county: Any, committee: Any) -> Case:
    case = open_case(personas, county, committee, template="competitive")
    officer = personas.case_officer
    complete(case, officer, "motion", {**MOTION, "explanation": "竞争上岗"})
    complete(case, officer, "plan", PLAN_HIGHER)
    complete(case, officer, "publication", publication(ON, "竞争上岗公告"))
    complete(case, officer, "registration", registration(ON))
    return case


def registrants(*rows: tuple[Cadre, bool, str]) -> dict[str, Any]:
    return {
        "registrants": [
            {"cadre": c.pk, "passed": passed, **({"reason": reason} if reason else {})}
            for c, passed, reason in rows
        ]
    }


def scores(*rows: tuple[Cadre, float, bool]) -> dict[str, Any]:
    return {
        "full_marks": 100,
        "scores": [{"cadre": c.pk, "score": s, "excluded": ex} for c, s, ex in rows],
    }


def test_competitive_from_registration_through_inspection(
    competitive, personas, people, make_cadre, admin, county
):
    officer = personas.case_officer
    case = competitive
    a, b, c = people["甲"], people["乙"], people["丙"]
    old = eligible(make_cadre, admin, county.town, "老张", birth=dt.date(1985, 3, 2))
    # qualification review: an over-age registrant marked as passed is refused …
    problems = blocked(
        case, officer, "qualification_review",
        registrants((a, True, ""), (b, True, ""), (c, True, ""), (old, True, "")),
    )  # fmt: skip
    assert has(problems, "candidates_qualified", "老张（拟任城关镇副镇长）不符合")
    found = refused(
        case, officer, "qualification_review",
        registrants((a, True, ""), (b, True, ""), (c, True, ""), (old, False, "")),
    )  # fmt: skip
    assert found == {"registrants.3": "报名人员第 4 行：资格审查不通过须写明理由。"}
    complete(
        case, officer, "qualification_review",
        registrants((a, True, ""), (b, True, ""), (c, True, ""), (old, False, "年龄超过 40 周岁")),
    )  # fmt: skip
    assert statuses(case) == {
        "甲": "nominated",
        "乙": "nominated",
        "丙": "nominated",
        "老张": "excluded",
    }
    assert (
        Candidate.objects.get(case=case, cadre=old).status_reason
        == "资格审查未通过：年龄超过 40 周岁"
    )
    # written exam: every candidate scored; only the lowest may be excluded.
    problems = blocked(case, officer, "written_exam", scores((a, 88, False), (b, 75, False)))
    assert problems["scores_recorded"] == ["丙（拟任城关镇副镇长）的笔试成绩尚未录入。"]
    problems = blocked(
        case, officer, "written_exam", scores((a, 88, True), (b, 75, False), (c, 60, False))
    )
    assert problems["scores_recorded"] == [
        "甲的成绩 88 分高于保留人选的最低分 60 分，不能排除；只能按成绩由低到高排除。"
    ]
    found = refused(
        case,
        officer,
        "written_exam",
        scores((a, 120, False), (b, 75, False), (c, 60, False), (old, 50, False)),
    )
    assert found == {"__all__": "成绩第 1 行高于满分 100，请核对。"}
    problems = blocked(
        case,
        officer,
        "written_exam",
        scores((a, 90, False), (b, 75, False), (c, 60, False), (old, 50, False)),
    )
    assert has(problems, "scores_recorded", "不是本事项拟任“城关镇副镇长”的在选人选")
    complete(case, officer, "written_exam", scores((a, 88, False), (b, 88, False), (c, 60, True)))
    ranks = {x.cadre.name: x.rank for x in case.candidates.select_related("cadre")}
    assert ranks == {"甲": 1, "乙": 1, "丙": 3, "老张": None}
    excluded = Candidate.objects.get(case=case, cadre=c)
    assert excluded.status == CandidateStatus.EXCLUDED
    assert excluded.status_reason == "笔试成绩 60 分，排名第 3，未进入下一环节"
    complete(case, officer, "interview", scores((a, 80, False), (b, 91.5, False)))
    assert {x.cadre.name: x.rank for x in case.candidates.filter(status="nominated")} == {
        "乙": 1,
        "甲": 2,
    }
    # democratic evaluation: every candidate has results in every group that took part.
    evaluation = {
        "meetings": [{"kind": "meeting", "date": "2026-11-24", "participants": {"中层干部": 30}}],
        "results": [{"cadre": a.pk, "group": "中层干部", "votes": 25}],
    }
    problems = blocked(case, officer, "evaluation", evaluation)
    assert problems["results_per_group"] == ["人选乙（拟任城关镇副镇长）没有民主测评结果。"]
    evaluation["results"].append({"cadre": b.pk, "group": "中层干部", "votes": 28})
    complete(case, officer, "evaluation", evaluation)
    # inspection: the remaining candidates become inspection candidates, ranked.
    complete(case, officer, "inspection", inspection_data([entry(b, 1), entry(a, 2)]))
    assert statuses(case) == {
        "甲": "inspection",
        "乙": "inspection",
        "丙": "excluded",
        "老张": "excluded",
    }
    assert Candidate.objects.get(case=case, cadre=b).rank == 1
    case.refresh_from_db()
    assert case.current_step == "integrity_opinion"
    assert journal_verify().ok


def test_competitive_inspection_needs_the_differential_count(competitive, personas, people):
    officer = personas.case_officer
    a, b = people["甲"], people["乙"]
    complete(
        competitive, officer, "qualification_review", registrants((a, True, ""), (b, True, ""))
    )
    complete(competitive, officer, "written_exam", scores((a, 90, False), (b, 70, True)))
    complete(competitive, officer, "interview", scores((a, 85, False)))
    evaluation = {
        "meetings": [{"date": "2026-11-24", "participants": {"中层干部": 30}}],
        "results": [{"cadre": a.pk, "group": "中层干部", "votes": 25}],
    }
    complete(competitive, officer, "evaluation", evaluation)
    problems = blocked(competitive, officer, "inspection", inspection_data([entry(a)]))
    assert problems["differential_count"] == [
        "职位“城关镇副镇长”拟配 1 人，差额考察要求考察对象不少于拟配人数的 1.3 倍（向上取整）"
        "即 2 人，现为 1 人；请增加考察对象。"
    ]
    assert set(problems) == {"differential_count"}


def test_scores_recorded_without_candidates(competitive, personas, people):
    officer = personas.case_officer
    complete(
        competitive,
        officer,
        "qualification_review",
        registrants((people["甲"], False, "学历不符"), (people["乙"], False, "学历不符")),
    )
    problems = blocked(competitive, officer, "written_exam", scores())
    assert problems["scores_recorded"] == [
        "本事项没有在选人选，不能录入笔试成绩；请先完成资格审查。"
    ]


def test_recusal_is_detected_on_a_relative_imported_from_lrmx(
    at_inspection, personas, people, make_cadre, admin, county
):
    """Issue 12: the spouse comes from an imported approval form (name and
    month of birth, no link given) and is linked to her cadre record."""
    from xuanren.exchange.lrmx import record_to_xml
    from xuanren.exchange.lrmx_records import record_from_cadre
    from xuanren.exchange.lrmx_services import lrmx_import_confirm, lrmx_import_preview

    officer = personas.case_officer
    wife = make_cadre(county.org_dept, name="组工干部", sex="female", birth=dt.date(1988, 1, 9))
    text = record_to_xml(record_from_cadre(Cadre.objects.get(pk=people["甲"].pk))).decode()
    item = (
        "<JiaTingChengYuan><Item><ChengWei>妻子</ChengWei><XingMing>组工干部</XingMing>"
        "<ChuShengRiQi>198801</ChuShengRiQi></Item></JiaTingChengYuan>"
    )
    text = re.sub(r"<JiaTingChengYuan>.*?</JiaTingChengYuan>", item, text, flags=re.S)
    batch = lrmx_import_preview(actor=admin, upload_name="甲.lrmx", data=text.encode())
    batch = lrmx_import_confirm(actor=admin, batch=batch, unit=None)
    assert batch.result[0]["saved"] is True, batch.result
    entries = [entry(people["甲"], 1), entry(people["乙"], 2)]
    team = [{"name": "李组长"}, {"name": "组工干部", "cadre": wife.pk}]
    problems = blocked(at_inspection, officer, "inspection", inspection_data(entries, team))
    assert problems["report_signed_by_team"] == [
        "考察组成员组工干部与考察对象甲有配偶关系（见甲的家庭成员记录），"
        "应当回避，不得参加对其考察；请调整考察组。"
    ]
