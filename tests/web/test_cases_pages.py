"""选任事项 pages: the list, opening a case, the case page with its timeline,
step forms, guards and corrections, the 纪实 and its JSON, and the to-do list."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import make_user
from tests.step_data import MOTION as MOTION_DATA
from tests.web.helpers import page_text
from tests.web.step_form_driver import step_form_fields
from xuanren.access.models import Role
from xuanren.journal.models import JournalHead
from xuanren.org.services import quota_set
from xuanren.people.models import Tenure
from xuanren.people.services import tenure_start
from xuanren.procedure.models import Case, CaseStep, Committee
from xuanren.procedure.services import (
    case_open,
    case_step_complete,
    committee_create,
    committee_member_add,
)
from xuanren.procedure.todo import TodoKind, todo_for
from xuanren.reminders.kept import reminders_refresh

pytestmark = pytest.mark.django_db

REF = dt.date(2026, 11, 27)


@pytest.fixture
def committee(county: Any, admin: Any) -> Committee:
    c = committee_create(
        actor=admin, unit=county.root, name="中共青山县委常委会", kind="standing_committee"
    )
    for i in range(11):
        committee_member_add(
            actor=admin, committee=c, name=f"常委{i}", start_date=dt.date(2021, 10, 1)
        )
    return c


def open_case(personas: Any, county: Any, committee: Committee, title: str = "") -> Case:
    return case_open(
        actor=personas.case_officer,
        title=title or "城关镇副镇长选任",
        template_code="county-leading",
        unit=county.root,
        committee=committee,
        posts=[(county.town_deputy, 1)],
        reference_date=REF,
    )


@pytest.fixture
def case(personas: Any, county: Any, committee: Committee) -> Case:
    return open_case(personas, county, committee)


@pytest.fixture
def officer(client: Any, personas: Any) -> Any:
    client.force_login(personas.case_officer)
    return client


def step_url(case: Case) -> str:
    return reverse("web:case_step", args=[case.pk])


def detail_url(case: Case) -> str:
    return reverse("web:case_detail", args=[case.pk])


MOTION = {
    "step": "motion",
    "step-reason": "vacancy",
    "step-proposer": "城关镇党委",
    "step-explanation": "原副镇长调任，职位空缺。",
    "step-note": "经部务会研究",
}
PLAN = {
    "step": "plan",
    "step-content": "差额推荐，择优考察。",
    "step-consultation_from": ["县纪委监委", "城关镇党委", ""],
    "step-consultation_comment": ["无意见", "建议注重基层经历", ""],
    "step-note": "",
}
PUBLICATION = {
    "step": "publication",
    "step-text": "城关镇副镇长 1 名，资格条件……，采取民主推荐、考察等方式。",
    "step-channels": ["notice_board", "intranet"],
    "step-date": "2026-11-20",
    "step-note": "",
}


def complete_first_three(client: Any, case: Case) -> None:
    for data in (MOTION, PLAN, PUBLICATION):
        response = client.post(step_url(case), data)
        assert response.status_code == 302, page_text(response)


# ---- pages render -------------------------------------------------------------------


def test_every_page_renders_for_the_case_officer(officer: Any, case: Case) -> None:
    complete_first_three(officer, case)
    for url in [
        reverse("web:case_list"),
        reverse("web:case_new"),
        detail_url(case),
        reverse("web:case_record", args=[case.pk]),
        reverse("web:case_record_json", args=[case.pk]),
        reverse("web:todo"),
        reverse("web:todo") + "?tab=all",
    ]:
        response = officer.get(url)
        assert response.status_code == 200, url
    text = page_text(officer.get(reverse("web:dashboard")))
    assert "选任事项" in text and "待办" in text


def test_case_list_shows_columns_filters_and_idle_cases(
    officer: Any, personas: Any, county: Any, committee: Committee
) -> None:
    first = open_case(personas, county, committee, title="城关镇副镇长选任")
    second = open_case(personas, county, committee, title="财政局副局长选任")
    Case.objects.filter(pk=second.pk).update(
        last_activity_at=timezone.now() - dt.timedelta(days=20)
    )
    response = officer.get(reverse("web:case_list"))
    text = page_text(response)
    for expected in [
        first.number,
        "城关镇副镇长选任",
        "县管领导干部选拔任用",
        "城关镇副镇长",
        "动议",
    ]:
        assert expected in text
    assert "20 天未办理" in text
    html = response.content.decode()
    assert html.count('class="idle"') == 1
    # Filters: text, status, current step.
    text = page_text(officer.get(reverse("web:case_list"), {"q": "财政"}))
    assert "财政局副局长选任" in text and "城关镇副镇长选任" not in text
    assert "共 0 件" in page_text(officer.get(reverse("web:case_list"), {"step": "plan"}))
    assert "共 2 件" in page_text(officer.get(reverse("web:case_list"), {"status": "open"}))
    # The htmx partial is only the results.
    partial = officer.get(reverse("web:case_list"), {"q": "城关"}, headers={"HX-Request": "true"})
    assert "<form" not in partial.content.decode()
    assert "城关镇副镇长选任" in page_text(partial)


# ---- opening a case -----------------------------------------------------------------


def test_open_a_case_through_the_form(
    officer: Any, county: Any, committee: Committee, personas: Any
) -> None:
    page = officer.get(reverse("web:case_new"))
    text = page_text(page)
    assert "县管领导干部选拔任用（v3）" in text
    assert "中共青山县委常委会" in text
    assert "副镇长（副科级）" in text
    data = {
        "title": "城关镇副镇长选任",
        "template": "county-leading",
        "committee": committee.pk,
        "reference_date": "2026-11-27",
        "posts-TOTAL_FORMS": "3",
        "posts-INITIAL_FORMS": "0",
        "posts-MIN_NUM_FORMS": "0",
        "posts-MAX_NUM_FORMS": "10",
        "posts-0-post": county.town_deputy.pk,
        "posts-0-seats": "1",
        "posts-1-post": "",
        "posts-1-seats": "1",
        "posts-2-post": "",
        "posts-2-seats": "1",
    }
    response = officer.post(reverse("web:case_new"), data)
    assert response.status_code == 302
    case = Case.objects.get()
    assert response["Location"] == detail_url(case)
    assert case.officer == personas.case_officer
    assert case.reference_date == REF
    assert case.current_step == "motion"
    assert [(cp.post, cp.seats) for cp in case.case_posts.all()] == [(county.town_deputy, 1)]
    page = officer.get(response["Location"])
    assert "已立项" in page_text(page)

    # No post chosen, the same post twice: refused with Chinese messages, nothing saved.
    empty = {**data, "posts-0-post": ""}
    response = officer.post(reverse("web:case_new"), empty)
    assert response.status_code == 422
    assert "请至少选择一个职位。" in page_text(response)
    twice = {**data, "posts-1-post": county.town_deputy.pk}
    response = officer.post(reverse("web:case_new"), twice)
    assert "同一职位不能重复列入。" in page_text(response)
    no_title = {**data, "title": ""}
    response = officer.post(reverse("web:case_new"), no_title)
    assert response.status_code == 422
    assert Case.objects.count() == 1


# ---- steps --------------------------------------------------------------------------


def test_complete_motion_plan_and_publication_through_the_forms(officer: Any, case: Case) -> None:
    page = page_text(officer.get(detail_url(case)))
    assert "当前环节" in page and "职数允许：不超职数配备、不混岗配备" in page
    assert "提议人（单位或个人）" in page

    response = officer.post(step_url(case), MOTION)
    assert response.status_code == 302
    assert response["Location"].endswith("#step-motion")
    motion = CaseStep.objects.get(case=case, step="motion")
    assert motion.data == {
        "reason": "vacancy",
        "proposer": "城关镇党委",
        "explanation": "原副镇长调任，职位空缺。",
    }
    assert motion.note == "经部务会研究"

    response = officer.post(step_url(case), PLAN)
    assert response.status_code == 302
    plan = CaseStep.objects.get(case=case, step="plan")
    assert plan.data["consultation"] == [
        {"from": "县纪委监委", "comment": "无意见"},
        {"from": "城关镇党委", "comment": "建议注重基层经历"},
    ]
    assert "higher_approval" not in plan.data

    response = officer.post(step_url(case), PUBLICATION)
    assert response.status_code == 302
    publication = CaseStep.objects.get(case=case, step="publication")
    assert publication.data["channels"] == ["notice_board", "intranet"]
    assert publication.data["date"] == "2026-11-20"

    case.refresh_from_db()
    assert case.current_step == "recommendation"
    text = page_text(officer.get(detail_url(case)))
    # Done steps: who, when (to the second), data as labelled values, short hash.
    assert "职位空缺" in text and "城关镇党委" in text
    assert "县纪委监委" in text and "建议注重基层经历" in text
    assert "单位公示栏、内部办公系统" in text
    assert motion.journal_hash[:12] in text
    assert re.search(r"办理时间：\d{4}\.\d\d\.\d\d \d\d:\d\d:\d\d", text)
    assert "办理人：officer" in text


def test_a_blocked_guard_shows_its_message_and_nothing_is_saved(
    officer: Any, case: Case, admin: Any, county: Any
) -> None:
    quota_set(actor=admin, unit=county.town, level="section_deputy", approved=0)
    journal_before = JournalHead.objects.get(pk=1).count
    response = officer.post(step_url(case), MOTION)
    assert response.status_code == 409
    text = page_text(response)
    assert "“动议”环节的前置条件未满足，不能办理。" in text
    assert "城关镇副科级核定职数 0 名，实有 0 名，本次拟配 1 名，将超职数配备。" in text
    # The message is next to its guard, and the user's input is kept.
    html = response.content.decode()
    guard = html[html.index('data-guard="quota_allows"') :]
    guard = guard[: guard.index("</li>")]
    assert "未满足" in guard and "将超职数配备" in guard
    assert 'value="城关镇党委"' in html
    assert "原副镇长调任，职位空缺。" in html
    assert not CaseStep.objects.exists()
    assert JournalHead.objects.get(pk=1).count == journal_before
    case.refresh_from_db()
    assert case.current_step == "motion"

    # Raising the quota lets the same submission through.
    quota_set(actor=admin, unit=county.town, level="section_deputy", approved=3)
    assert officer.post(step_url(case), MOTION).status_code == 302


def test_plan_without_comments_is_blocked_by_its_guard(officer: Any, case: Case) -> None:
    officer.post(step_url(case), MOTION)
    bare = {**PLAN, "step-consultation_from": [""], "step-consultation_comment": [""]}
    response = officer.post(step_url(case), bare)
    assert response.status_code == 409
    assert "方案征求意见稿的意见尚未记录（至少一条：征求对象及意见）。" in page_text(response)
    assert list(CaseStep.objects.values_list("step", flat=True)) == ["motion"]
    # A half-filled comment row is a form error, not a guard.
    half = {**PLAN, "step-consultation_from": ["县纪委监委"], "step-consultation_comment": [""]}
    response = officer.post(step_url(case), half)
    assert response.status_code == 422
    assert "每条征求意见须同时填写征求对象和意见内容" in page_text(response)


def test_section_level_plan_asks_approval_only_for_a_competitive_method(
    officer: Any, personas: Any, county: Any, committee: Committee
) -> None:
    """股级: the plan form offers 实行竞争上岗方法; ticked, the higher approval is
    required (409, nothing stored); not ticked, the plan passes without it."""
    case = case_open(
        actor=personas.case_officer, title="城关镇股级干部选任", template_code="section-level",
        unit=county.root, committee=committee, posts=[(county.town_deputy, 1)],
        reference_date=REF,
    )  # fmt: skip
    officer.post(step_url(case), MOTION)
    form = page_text(officer.get(detail_url(case)))
    assert "本方案实行竞争上岗方法（须报上级组织部门审批）" in form
    response = officer.post(step_url(case), {**PLAN, "step-competitive": "on"})
    assert response.status_code == 409
    assert "方案采用竞争上岗方法的，须报上级组织部门审批同意后实施" in page_text(response)
    assert list(CaseStep.objects.filter(case=case).values_list("step", flat=True)) == ["motion"]
    assert officer.post(step_url(case), PLAN).status_code == 302
    plan = CaseStep.objects.get(case=case, step="plan")
    assert "competitive" not in plan.data and "higher_approval" not in plan.data


def test_county_leading_plan_form_has_no_competitive_choice(officer: Any, case: Case) -> None:
    officer.post(step_url(case), MOTION)
    assert "本方案实行竞争上岗方法" not in page_text(officer.get(detail_url(case)))


def test_invalid_motion_form_keeps_the_input(officer: Any, case: Case) -> None:
    response = officer.post(step_url(case), {**MOTION, "step-proposer": ""})
    assert response.status_code == 422
    assert "这个字段是必填项。" in page_text(response)
    assert not CaseStep.objects.exists()


def test_only_the_current_step_has_a_form_and_other_steps_are_refused(
    officer: Any, case: Case
) -> None:
    html = officer.get(detail_url(case)).content.decode()
    assert html.count('name="step"') == 1
    assert 'name="step" value="motion"' in html
    for later in ("plan", "decision", "appointment"):
        response = officer.post(step_url(case), {**MOTION, "step": later})
        assert response.status_code == 409
        assert "环节须依次办理，不得跳过。" in page_text(response)
    assert not CaseStep.objects.exists()
    officer.post(step_url(case), MOTION)
    response = officer.post(step_url(case), MOTION)
    assert response.status_code == 409
    assert "“动议”环节已经办理" in page_text(response)
    response = officer.post(step_url(case), {"step": "nonsense"})
    assert "未知环节 nonsense。" in page_text(response)
    assert CaseStep.objects.count() == 1
    html = officer.get(detail_url(case)).content.decode()
    assert html.count('name="step"') == 1
    assert 'name="step" value="plan"' in html


def test_later_steps_have_their_own_forms(officer: Any, case: Case) -> None:
    complete_first_three(officer, case)
    page = page_text(officer.get(detail_url(case)))
    assert "环节内容（JSON 对象）" not in page
    assert "推荐结果（仅计署名推荐票）" in page and "不计票的推荐（留存备查）" in page
    assert "只计署名推荐，电话、口头推荐不计" in page  # the step's guards are listed
    response = officer.post(
        step_url(case),
        {"step": "recommendation", "step-meetings-TOTAL_FORMS": "1",
         "step-meetings-INITIAL_FORMS": "1", "step-meetings-0-kind": "meeting",
         "step-meetings-0-date": "2026-13-40", "step-meetings-0-g0": "-1",
         "step-results-TOTAL_FORMS": "0", "step-results-INITIAL_FORMS": "0",
         "step-not_counted-TOTAL_FORMS": "0", "step-not_counted-INITIAL_FORMS": "0"},
    )  # fmt: skip
    assert response.status_code == 422
    text = page_text(response)
    assert "表格中有填写错误" in text and "输入一个有效的日期。" in text
    assert CaseStep.objects.count() == 3


def test_correction_reopens_the_steps_own_form_prefilled(officer: Any, case: Case) -> None:
    officer.post(step_url(case), MOTION)
    motion = CaseStep.objects.get()
    url = reverse("web:case_correct", args=[case.pk, motion.pk])
    page = officer.get(detail_url(case)).content.decode()
    assert url in page and "更正此记录" in page
    assert "JSON 对象" not in page_text(officer.get(detail_url(case)))
    response = officer.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    # The motion form itself, with the stored values; no JSON editor.
    assert "JSON" not in page_text(response) and "payload" not in html
    fields = step_form_fields(html)
    assert fields["step-proposer"] == "城关镇党委"
    assert fields["step-reason"] == "vacancy"
    assert fields["step-explanation"] == "原副镇长调任，职位空缺。"
    fields["step-proposer"] = "城关镇党委、镇政府"
    response = officer.post(url, fields)
    assert response.status_code == 422
    assert "请写明更正理由。" in page_text(response)
    assert CaseStep.objects.count() == 1
    response = officer.post(url, {**fields, "c-reason": "提议人漏记镇政府"})
    assert response.status_code == 302
    correction = CaseStep.objects.get(corrects=motion)
    assert correction.data == {**motion.data, "proposer": "城关镇党委、镇政府"}
    motion.refresh_from_db()
    assert motion.data["proposer"] == "城关镇党委"  # the original stays as it was
    html = officer.get(detail_url(case)).content.decode()
    text = page_text(officer.get(detail_url(case)))
    assert "更正第 1 号记录" in text and "提议人漏记镇政府" in text
    # The correction is shown under the record it corrects.
    original = html.index('id="record-1"')
    assert original < html.index('id="record-2"') < html.index('id="step-plan"')


def test_correction_form_refuses_what_the_step_form_refuses(officer: Any, case: Case) -> None:
    officer.post(step_url(case), MOTION)
    motion = CaseStep.objects.get()
    url = reverse("web:case_correct", args=[case.pk, motion.pk])
    fields = step_form_fields(officer.get(url).content.decode())
    response = officer.post(url, {**fields, "step-proposer": "", "c-reason": "更正"})
    assert response.status_code == 422
    assert CaseStep.objects.count() == 1


def test_correction_page_out_of_scope_404_without_permission_403(
    officer: Any, case: Case, personas: Any, county: Any, client: Any
) -> None:
    officer.post(step_url(case), MOTION)
    motion = CaseStep.objects.get()
    url = reverse("web:case_correct", args=[case.pk, motion.pk])
    posted = {"step-reason": "vacancy", "step-proposer": "某", "c-reason": "x"}
    client.force_login(make_user("officer_shiqiao", Role.CASE_OFFICER, county.other_town))
    assert client.get(url).status_code == 404
    assert client.post(url, posted).status_code == 404
    client.force_login(personas.committee_member)
    assert client.get(url).status_code == 403
    assert client.post(url, posted).status_code == 403
    assert CaseStep.objects.count() == 1


# ---- 纪实 ---------------------------------------------------------------------------


def test_record_page_and_json_contain_every_step_and_journal_hash(officer: Any, case: Case) -> None:
    complete_first_three(officer, case)
    motion = CaseStep.objects.get(step="motion")
    url = reverse("web:case_correct", args=[case.pk, motion.pk])
    fields = step_form_fields(officer.get(url).content.decode())
    assert officer.post(url, {**fields, "c-reason": "补记"}).status_code == 302
    steps = list(CaseStep.objects.order_by("seq"))
    assert len(steps) == 4
    head = JournalHead.objects.get(pk=1)

    text = page_text(officer.get(reverse("web:case_record", args=[case.pk])))
    assert "干部选拔任用工作纪实" in text
    for record in steps:
        assert record.journal_hash in text
        assert f"第 {record.seq} 号" in text
    for name in ["动议", "选任方案", "职位公告"]:
        assert name in text
    assert "更正第 1 号记录" in text
    assert head.last_hash in text and str(head.count) in text
    assert "xuanren journal verify" in text
    assert re.search(r"\d{4}\.\d\d\.\d\d \d\d:\d\d:\d\d", text)

    response = officer.get(reverse("web:case_record_json", args=[case.pk]))
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    body = json.loads(response.content)
    assert body["case"]["number"] == case.number
    assert body["case"]["template"]["version"] == 3
    assert [s["step"] for s in body["steps"]] == ["motion", "plan", "publication", "motion"]
    assert [s["journal_hash"] for s in body["steps"]] == [r.journal_hash for r in steps]
    assert body["steps"][3]["corrects_seq"] == 1
    assert body["steps"][1]["data"]["consultation"][0]["from"] == "县纪委监委"
    assert body["steps"][0]["completed_at"].endswith("+08:00")
    assert body["journal"]["tip"] == JournalHead.objects.get(pk=1).last_hash
    assert body["journal"]["verify"] == "xuanren journal verify"


# ---- 待办 ---------------------------------------------------------------------------


def test_todo_lists_a_probation_ending_and_an_idle_case(
    officer: Any, personas: Any, admin: Any, county: Any, committee: Committee, make_cadre: Any
) -> None:
    holder = make_cadre(county.town, name="钱进", birth=dt.date(1988, 2, 2))
    tenure = tenure_start(
        actor=admin, cadre=holder, post=county.town_deputy, start_date=dt.date(2025, 1, 1)
    )
    on = timezone.localdate()
    Tenure.objects.filter(pk=tenure.pk).update(probation_until=on + dt.timedelta(days=10))
    reminders_refresh([tenure.cadre_id])  # as tenure_start would (decision 0195)
    # One far off, one ended: neither is due.
    other = make_cadre(county.finance, name="孙远", birth=dt.date(1987, 3, 3))
    far = tenure_start(
        actor=admin, cadre=other, post=county.finance_deputy, start_date=dt.date(2025, 6, 1)
    )
    Tenure.objects.filter(pk=far.pk).update(probation_until=on + dt.timedelta(days=60))
    reminders_refresh([far.cadre_id])  # as tenure_start would (decision 0195)
    idle = open_case(personas, county, committee, title="石桥镇副镇长选任")
    Case.objects.filter(pk=idle.pk).update(last_activity_at=timezone.now() - dt.timedelta(days=20))
    open_case(personas, county, committee, title="新近事项")

    items = todo_for(actor=personas.case_officer, on=on)
    kinds = [(i.kind, i.due) for i in items]
    assert (TodoKind.PROBATION_ENDING, on + dt.timedelta(days=10)) in kinds
    assert [i.case for i in items if i.kind == TodoKind.CASE_IDLE] == [idle]
    assert len(items) == 2
    mine = todo_for(actor=personas.case_officer, on=on, mine=True)
    assert [i.kind for i in mine] == [TodoKind.CASE_IDLE]

    # At most ITEMS_PER_KIND reminders, the soonest first, then a summary item
    # linking to the kind alone (decisions 0109, 0194).
    import xuanren.procedure.todo as todo_module

    Tenure.objects.filter(pk=far.pk).update(probation_until=on + dt.timedelta(days=5))
    reminders_refresh([far.cadre_id])  # as tenure_start would (decision 0195)
    both = [i for i in todo_for(actor=personas.case_officer, on=on)
            if i.kind == TodoKind.PROBATION_ENDING]  # fmt: skip
    assert [i.due for i in both] == [on + dt.timedelta(days=5), on + dt.timedelta(days=10)]
    assert not any(i.more for i in both)
    saved, todo_module.ITEMS_PER_KIND = todo_module.ITEMS_PER_KIND, 1
    try:
        one = [i for i in todo_for(actor=personas.case_officer, on=on)
               if i.kind == TodoKind.PROBATION_ENDING]  # fmt: skip
        page = page_text(officer.get(reverse("web:todo"), {"tab": "all"}))
        alone = todo_for(actor=personas.case_officer, on=on, kind=TodoKind.PROBATION_ENDING)
        alone_page = page_text(
            officer.get(reverse("web:todo"), {"tab": "all", "kind": TodoKind.PROBATION_ENDING})
        )
    finally:
        todo_module.ITEMS_PER_KIND = saved
    assert [(i.due, i.more) for i in one] == [
        (on + dt.timedelta(days=5), False),
        (on + dt.timedelta(days=5), True),  # sorted right after the last one shown
    ]
    assert one[1].text == "还有更多“试用期将满”事项，这里只列出最早到期的 1 项，点击查看全部。"
    assert one[1].link == reverse("web:todo") + "?tab=all&kind=probation_ending"
    assert "还有更多“试用期将满”事项" in page and "石桥镇副镇长选任已 20 天未办理" in page
    # the kind alone: both probations, nothing else, no summary
    assert [(i.kind, i.due, i.more) for i in alone] == [
        (TodoKind.PROBATION_ENDING, on + dt.timedelta(days=5), False),
        (TodoKind.PROBATION_ENDING, on + dt.timedelta(days=10), False),
    ]
    assert "只列出“试用期将满”，最早到期的至多 200 项。" in alone_page
    assert "钱进" in alone_page and "孙远" in alone_page and "已 20 天未办理" not in alone_page
    assert "还有更多" not in alone_page
    Tenure.objects.filter(pk=far.pk).update(probation_until=on + dt.timedelta(days=60))
    reminders_refresh([far.cadre_id])  # as tenure_start would (decision 0195)

    page = page_text(officer.get(reverse("web:todo"), {"tab": "all"}))
    assert "钱进任城关镇副镇长的试用期于" in page and "还有 10 天" in page
    assert "石桥镇副镇长选任已 20 天未办理，当前环节：动议。" in page
    assert "孙远" not in page and "新近事项" not in page
    assert "我经办的（1）" in page and "本部门全部（2）" in page
    mine_page = page_text(officer.get(reverse("web:todo")))
    assert "石桥镇副镇长选任" in mine_page and "钱进" not in mine_page

    # Someone else's cases are in the department's list, not in "mine".
    colleague = make_user("officer2", Role.CASE_OFFICER, county.root)
    theirs = todo_for(actor=colleague, on=on)
    assert len(theirs) == 2 and not any(i.mine for i in theirs)


# ---- permissions ----------------------------------------------------------------------


def test_outsider_gets_403_everywhere(client: Any, personas: Any, case: Case) -> None:
    client.force_login(personas.outsider)
    for url in [
        reverse("web:case_list"),
        reverse("web:case_new"),
        detail_url(case),
        reverse("web:case_record", args=[case.pk]),
        reverse("web:case_record_json", args=[case.pk]),
        reverse("web:todo"),
    ]:
        assert client.get(url).status_code == 403, url
    assert client.post(step_url(case), MOTION).status_code == 403
    assert not CaseStep.objects.exists()


def test_other_units_do_not_see_the_case(
    client: Any, personas: Any, county: Any, case: Case
) -> None:
    # The unit HR contact of 石桥镇 has no case permission at all.
    client.force_login(personas.other_unit_hr)
    assert client.get(detail_url(case)).status_code == 403
    # A case officer of 石桥镇 may work on cases, but not on this one (county level).
    shiqiao = make_user("officer_shiqiao", Role.CASE_OFFICER, county.other_town)
    client.force_login(shiqiao)
    for url in [
        detail_url(case),
        reverse("web:case_record", args=[case.pk]),
        reverse("web:case_record_json", args=[case.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "未找到该选任事项，或其不在您的管理范围内。" in page_text(response)
    assert client.post(step_url(case), MOTION).status_code == 404
    assert "共 0 件" in page_text(client.get(reverse("web:case_list")))
    assert not CaseStep.objects.exists()


def test_committee_member_can_view_but_not_complete(client: Any, personas: Any, case: Case) -> None:
    client.force_login(personas.committee_member)
    response = client.get(detail_url(case))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="step"' not in html
    assert "本环节由组织部干部科办理；您可以查看本事项，但不能办理本环节。" in page_text(response)
    assert client.get(reverse("web:case_record", args=[case.pk])).status_code == 200
    assert client.get(reverse("web:case_new")).status_code == 403
    response = client.post(step_url(case), MOTION)
    assert response.status_code == 403
    assert not CaseStep.objects.exists()
    case_step_complete(actor=personas.case_officer, case=case, step="motion", data=MOTION_DATA)
    motion = CaseStep.objects.get()
    assert "更正此记录" not in client.get(detail_url(case)).content.decode()
    response = client.post(
        reverse("web:case_correct", args=[case.pk, motion.pk]),
        {f"c{motion.pk}-payload": "{}", f"c{motion.pk}-reason": "试图更正"},
    )
    assert response.status_code == 403
    assert CaseStep.objects.count() == 1


def test_step_forms_need_csrf(personas: Any, case: Case) -> None:
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(personas.case_officer)
    assert strict.post(step_url(case), MOTION).status_code == 403
    assert not CaseStep.objects.exists()


# ---- query counts ---------------------------------------------------------------------


def _queries(client: Any, url: str) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_case_list_query_count_does_not_grow(
    officer: Any, personas: Any, county: Any, committee: Committee
) -> None:
    for i in range(2):
        open_case(personas, county, committee, title=f"甲{i}")
    few, response = _queries(officer, reverse("web:case_list"))
    assert len(response.context["rows"]) == 2
    for i in range(12):
        case_open(
            actor=personas.case_officer,
            title=f"乙{i}",
            template_code="section-level" if i % 2 else "county-leading",
            unit=county.root,
            committee=committee,
            posts=[(county.town_deputy, 1), (county.finance_deputy, 2)],
            reference_date=REF,
        )
    many, response = _queries(officer, reverse("web:case_list"))
    assert len(response.context["rows"]) == 14
    assert many == few


def test_case_list_names_a_cases_first_posts_and_counts_the_rest(
    officer: Any, personas: Any, county: Any, committee: Committee
) -> None:
    """A batch case (a year's history has fifty posts) shows its first
    CASE_LIST_POSTS posts in the order they were added and how many more
    (decision 0159); the queries do not grow with the posts."""
    from xuanren.procedure.models import CasePost
    from xuanren.web.cases import CASE_LIST_POSTS

    batch = open_case(personas, county, committee, title="批量调整")
    single = open_case(personas, county, committee, title="单个职位")
    few, _ = _queries(officer, reverse("web:case_list"))
    for post in [county.finance_head, county.finance_deputy, county.town_secretary]:
        CasePost.objects.create(case=batch, post=post, seats=1)  # rows written directly
    many, response = _queries(officer, reverse("web:case_list"))
    assert many == few
    rows = {row["case"].pk: row for row in response.context["rows"]}
    assert CASE_LIST_POSTS == 3
    assert [cp.post.title for cp in rows[batch.pk]["posts"]] == ["副镇长", "局长", "副局长"]
    assert rows[batch.pk]["more_posts"] == 1
    assert [cp.post.title for cp in rows[single.pk]["posts"]] == ["副镇长"]
    assert rows[single.pk]["more_posts"] == 0
    text = page_text(response)
    assert "城关镇副镇长" in text and "青山县财政局局长" in text and "青山县财政局副局长" in text
    assert "城关镇党委书记" not in text  # the fourth post: counted, not named
    assert text.count("等另 1 个职位") == 1


def test_todo_lists_notices_ending_and_recommendations_going_stale(
    officer: Any, personas: Any, county: Any, committee: Committee
) -> None:
    """Rows written directly (a case at these steps takes a whole procedure to
    reach through the services; the stage tests do that)."""
    from xuanren.supervision.models import PublicNotice

    on = timezone.localdate()
    at_notice = open_case(personas, county, committee, title="公示中的事项")
    Case.objects.filter(pk=at_notice.pk).update(current_step="public_notice")
    for start, end in [
        (on - dt.timedelta(days=20), on - dt.timedelta(days=13)),
        (on, on + dt.timedelta(days=6)),
    ]:
        PublicNotice.objects.create(
            case=at_notice,
            text="公示",
            start=start,
            end=end,
            length=7,
            unit="calendar_days",
            published_by=personas.case_officer,
            published_at=timezone.now() - dt.timedelta(days=(on - start).days),
        )
    recommended = open_case(personas, county, committee, title="推荐后的事项")
    Case.objects.filter(pk=recommended.pk).update(current_step="candidates")
    formed = on - dt.timedelta(days=350)
    CaseStep.objects.create(
        case=recommended,
        step="recommendation",
        seq=1,
        completed_by=personas.case_officer,
        completed_at=timezone.now() - dt.timedelta(days=340),
        data={"meetings": [{"date": formed.isoformat()}]},
        journal_hash="0" * 64,
    )
    fresh = open_case(personas, county, committee, title="新近推荐的事项")
    Case.objects.filter(pk=fresh.pk).update(current_step="candidates")
    CaseStep.objects.create(
        case=fresh,
        step="recommendation",
        seq=1,
        completed_by=personas.case_officer,
        completed_at=timezone.now(),
        data={"meetings": [{"date": on.isoformat()}]},
        journal_hash="1" * 64,
    )

    items = todo_for(actor=personas.case_officer, on=on)
    by_kind = {i.kind: i for i in items}
    assert set(by_kind) == {TodoKind.NOTICE_ENDING, TodoKind.RECOMMENDATION_STALE}
    notice = by_kind[TodoKind.NOTICE_ENDING]
    assert notice.due == on + dt.timedelta(days=6)  # the latest publication
    assert notice.case == at_notice and notice.mine
    stale = by_kind[TodoKind.RECOMMENDATION_STALE]
    assert stale.case == recommended
    assert stale.due < on + dt.timedelta(days=30)
    text = page_text(officer.get(reverse("web:todo")))
    assert "公示中的事项的任前公示于" in text
    assert "推荐后的事项的民主推荐结果有效期至" in text
    assert "新近推荐的事项" not in text


def test_the_voting_button_shows_only_to_who_may_open_the_meetings(
    client: Any, personas: Any, case: Case
) -> None:
    """The case page links a case's meetings only for roles that may read them:
    the committee member and the discipline commission read the case but not
    its meetings (the page would answer 403)."""
    meetings = reverse("ballots:case_meetings", args=[case.pk])
    client.force_login(personas.case_officer)
    assert meetings in client.get(detail_url(case)).content.decode()
    assert client.get(meetings).status_code == 200
    for reader in (personas.committee_member, personas.discipline):
        client.force_login(reader)
        page = client.get(detail_url(case))
        assert page.status_code == 200 and meetings not in page.content.decode()
        assert client.get(meetings).status_code == 403
