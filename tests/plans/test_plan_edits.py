"""Corrections in the work plans (issue 16, docs/decisions/0189): a plan, a
phase, a task and a report due edited (journalled old → new); a task or a
report withdrawn while nothing is recorded against it; a submitted period
never dropped; pages with their scope (out of scope 404, may see but not
change 403, nothing changed); the plan page's queries."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.api.conftest import API, field_errors, post_json
from tests.conftest import make_user
from xuanren.access.models import Role
from xuanren.common.errors import Conflict, PermissionDenied, ValidationFailed
from xuanren.journal.models import Event, EventType
from xuanren.journal.services import journal_verify
from xuanren.plans.models import PlanPhase, PlanReport, PlanTask, TaskStatus, WorkPlan
from xuanren.plans.recurrence import DueRule, RuleKind
from xuanren.plans.services import (
    phase_add,
    phase_edit,
    plan_create,
    plan_edit,
    report_add,
    report_edit,
    report_submit,
    report_withdraw,
    task_add,
    task_edit,
    task_update,
    task_withdraw,
)

pytestmark = pytest.mark.django_db
d = dt.date
QUARTERLY = DueRule(kind=RuleKind.QUARTERLY, month=1, day=10)
HALF_YEARLY = DueRule(kind=RuleKind.HALF_YEARLY, month=1, day=10)


@dataclass
class World:
    county: Any
    officer: Any
    plan: WorkPlan
    phase: PlanPhase
    task: PlanTask
    quarterly: PlanReport


@pytest.fixture
def world(clock: Any, county: Any, personas: Any, settings: Any, tmp_path: Any) -> World:
    settings.MEDIA_ROOT = str(tmp_path)
    clock.day = d(2026, 7, 1)
    officer = personas.case_officer
    plan = plan_create(
        actor=officer, unit=county.finance, title="2026年推行效能政府四项制度实施方案",
        year=2026, source_document="推行效能政府四项制度实施方案", starts_on=d(2026, 1, 1),
        ends_on=d(2026, 12, 31),
    )  # fmt: skip
    phase = phase_add(actor=officer, plan=plan, name="组织实施阶段", starts_on=d(2026, 4, 1),
                      ends_on=d(2026, 11, 30))  # fmt: skip
    task = task_add(actor=officer, plan=plan, phase=phase, title="召开动员会", office="办公室",
                    deadline=d(2026, 7, 8), responsible=officer)  # fmt: skip
    quarterly = report_add(actor=officer, plan=plan, title="重大项目进展情况",
                           recipient="州政府督查室", office="办公室", rule=QUARTERLY)  # fmt: skip
    return World(county, officer, plan, phase, task, quarterly)


def _last(kind: EventType) -> Event:
    return Event.objects.filter(event_type=kind).latest("pk")


def _submit(world: World, period: dt.date) -> None:
    report_submit(actor=world.officer, report=world.quarterly, period_start=period,
                  submitted_on=d(2026, 7, 1))  # fmt: skip


# ---- services ------------------------------------------------------------------------


def test_plan_edit_journals_old_and_new(world: World) -> None:
    plan_edit(actor=world.officer, plan=world.plan, title="2026年效能政府四项制度实施方案",
              source_document="推行效能政府四项制度实施方案", starts_on=d(2026, 1, 1),
              ends_on=d(2026, 11, 30))  # fmt: skip
    world.plan.refresh_from_db()
    assert world.plan.ends_on == d(2026, 11, 30)
    changes = _last(EventType.PLAN_EDITED).payload["changes"]
    assert set(changes) == {"title", "ends_on"}
    assert changes["ends_on"] == ["2026-12-31", "2026-11-30"]
    assert journal_verify().ok


def test_plan_edit_keeps_what_is_inside(world: World) -> None:
    # The phase ends on 11-30: a plan ending 11-29 would leave it outside.
    with pytest.raises(ValidationFailed) as caught:
        plan_edit(actor=world.officer, plan=world.plan, title=world.plan.title,
                  source_document="x", starts_on=d(2026, 1, 1), ends_on=d(2026, 11, 29))  # fmt: skip
    assert "starts_on" in {e.field for e in caught.value.errors}
    # Q1 submitted: a plan starting 04-01 has no Q1 any more: refused.
    _submit(world, d(2026, 1, 1))
    with pytest.raises(ValidationFailed) as caught:
        plan_edit(actor=world.officer, plan=world.plan, title="改名", source_document="x",
                  starts_on=d(2026, 4, 1), ends_on=d(2026, 12, 31))  # fmt: skip
    assert any("已报送的期间不能删除" in e.message for e in caught.value.errors)
    world.plan.refresh_from_db()
    assert (world.plan.title, world.plan.starts_on) == (
        "2026年推行效能政府四项制度实施方案",
        d(2026, 1, 1),
    )
    assert not Event.objects.filter(event_type=EventType.PLAN_EDITED).exists()


def test_phase_edit(world: World) -> None:
    phase_edit(actor=world.officer, phase=world.phase, name="实施阶段",
               starts_on=d(2026, 4, 1), ends_on=d(2026, 12, 31))  # the plan's last day  # fmt: skip
    assert PlanPhase.objects.get(pk=world.phase.pk).ends_on == d(2026, 12, 31)
    assert _last(EventType.PLAN_PHASE_EDITED).payload["changes"]["name"] == [
        "组织实施阶段",
        "实施阶段",
    ]
    with pytest.raises(ValidationFailed):  # the day after the plan
        phase_edit(actor=world.officer, phase=world.phase, name="实施阶段",
                   starts_on=d(2026, 4, 1), ends_on=d(2027, 1, 1))  # fmt: skip
    assert PlanPhase.objects.get(pk=world.phase.pk).ends_on == d(2026, 12, 31)


def test_task_edit_on_the_last_day_and_after(world: World) -> None:
    task_edit(actor=world.officer, task=world.task, title="召开全县动员会", office="综合股",
              deadline=d(2026, 12, 31), phase=None, responsible=None)  # fmt: skip
    task = PlanTask.objects.get(pk=world.task.pk)
    assert (task.title, task.office, task.deadline, task.phase_id, task.responsible_id) == (
        "召开全县动员会", "综合股", d(2026, 12, 31), None, None,
    )  # fmt: skip
    changes = _last(EventType.PLAN_TASK_EDITED).payload["changes"]
    assert changes["responsible"] == [world.officer.pk, None]
    assert changes["phase"] == [world.phase.pk, None]
    other = plan_create(actor=world.officer, unit=world.county.finance, title="另一方案",
                        year=2026, source_document="另一文件", starts_on=d(2026, 1, 1),
                        ends_on=d(2026, 12, 31))  # fmt: skip
    alien = phase_add(actor=world.officer, plan=other, name="别的阶段",
                      starts_on=d(2026, 1, 1), ends_on=d(2026, 2, 1))  # fmt: skip
    with pytest.raises(ValidationFailed) as caught:
        task_edit(actor=world.officer, task=world.task, title="", office="综合股",
                  deadline=d(2027, 1, 1), phase=alien)  # fmt: skip
    assert {e.field for e in caught.value.errors} == {"title", "deadline", "phase"}
    assert PlanTask.objects.get(pk=world.task.pk).title == "召开全县动员会"


def test_task_withdraw_only_without_progress(world: World) -> None:
    second = task_add(actor=world.officer, plan=world.plan, title="印发通知", office="办公室",
                      deadline=d(2026, 8, 1))  # fmt: skip
    task_withdraw(actor=world.officer, task=second)
    assert not PlanTask.objects.filter(pk=second.pk).exists()
    assert _last(EventType.PLAN_TASK_WITHDRAWN).payload["title"] == "印发通知"
    task_update(actor=world.officer, task=world.task, status=TaskStatus.ONGOING, progress="筹备中")
    with pytest.raises(Conflict) as caught:
        task_withdraw(actor=world.officer, task=world.task)
    assert "已登记进展" in caught.value.message
    assert PlanTask.objects.filter(pk=world.task.pk).exists()
    assert journal_verify().ok


def test_report_edit_and_submitted_periods(world: World) -> None:
    report_edit(actor=world.officer, report=world.quarterly, title="重大项目进展",
                recipient="州政府督查室", office="办公室", rule=HALF_YEARLY)  # fmt: skip
    changes = _last(EventType.PLAN_REPORT_EDITED).payload["changes"]
    assert changes["rule_kind"] == ["quarterly", "half_yearly"]
    report_edit(actor=world.officer, report=world.quarterly, title="重大项目进展",
                recipient="州政府督查室", office="办公室", rule=QUARTERLY)  # fmt: skip
    _submit(world, d(2026, 4, 1))  # Q2: no half-year starts on 04-01
    with pytest.raises(ValidationFailed) as caught:
        report_edit(actor=world.officer, report=world.quarterly, title="重大项目进展",
                    recipient="州政府督查室", office="办公室", rule=HALF_YEARLY)  # fmt: skip
    assert "rule_kind" in {e.field for e in caught.value.errors}
    assert PlanReport.objects.get(pk=world.quarterly.pk).rule_kind == RuleKind.QUARTERLY
    # A rule keeping every submitted period is fine (10th → 15th).
    report_edit(actor=world.officer, report=world.quarterly, title="重大项目进展",
                recipient="州政府督查室", office="办公室",
                rule=DueRule(kind=RuleKind.QUARTERLY, month=1, day=15))  # fmt: skip
    assert PlanReport.objects.get(pk=world.quarterly.pk).rule_day == 15


def test_report_withdraw(world: World) -> None:
    once = report_add(actor=world.officer, plan=world.plan, title="总结", recipient="县委",
                      office="办公室", rule=DueRule(kind=RuleKind.ONCE, date=d(2026, 12, 25)))  # fmt: skip
    report_withdraw(actor=world.officer, report=once)
    assert not PlanReport.objects.filter(pk=once.pk).exists()
    _submit(world, d(2026, 1, 1))
    with pytest.raises(Conflict) as caught:
        report_withdraw(actor=world.officer, report=world.quarterly)
    assert "已报送的期间不能删除" in caught.value.message
    assert PlanReport.objects.filter(pk=world.quarterly.pk).exists()


def test_corrections_need_the_permission_and_the_scope(world: World, personas: Any) -> None:
    other = make_user("officer_shiqiao", Role.CASE_OFFICER, world.county.other_town)
    for actor in (personas.discipline, other):
        with pytest.raises(PermissionDenied):
            plan_edit(actor=actor, plan=world.plan, title="x", source_document="x",
                      starts_on=d(2026, 1, 1), ends_on=d(2026, 12, 31))  # fmt: skip
        with pytest.raises(PermissionDenied):
            task_edit(actor=actor, task=world.task, title="x", office="x", deadline=d(2026, 8, 1))
        with pytest.raises(PermissionDenied):
            task_withdraw(actor=actor, task=world.task)
        with pytest.raises(PermissionDenied):
            report_withdraw(actor=actor, report=world.quarterly)
        with pytest.raises(PermissionDenied):
            phase_edit(actor=actor, phase=world.phase, name="x", starts_on=d(2026, 4, 1),
                       ends_on=d(2026, 5, 1))  # fmt: skip
    assert WorkPlan.objects.get().title == "2026年推行效能政府四项制度实施方案"
    assert PlanTask.objects.get().title == "召开动员会" and PlanReport.objects.count() == 1
    assert PlanPhase.objects.get().name == "组织实施阶段"


# ---- pages ---------------------------------------------------------------------------


def test_pages(client: Client, world: World) -> None:
    client.force_login(world.officer)
    url = reverse("plans:plan", args=[world.plan.pk])
    page = client.get(url).content.decode()
    for name, arg in (("task_edit", world.task.pk), ("task_withdraw", world.task.pk),
                      ("report_edit", world.quarterly.pk), ("phase_edit", world.phase.pk),
                      ("report_withdraw", world.quarterly.pk)):  # fmt: skip
        assert reverse(f"plans:{name}", args=[arg]) in page, name
    edit = reverse("plans:plan_form", args=[world.plan.pk, "edit"])
    assert "推行效能政府四项制度实施方案" in client.get(edit).content.decode()
    body = {"title": "新名称", "source_document": "推行效能政府四项制度实施方案",
            "starts_on": "2026-01-01", "ends_on": "2026-12-31"}  # fmt: skip
    assert client.post(edit, body).status_code == 302
    assert WorkPlan.objects.get().title == "新名称"
    task = reverse("plans:task_edit", args=[world.task.pk])
    assert "召开动员会" in client.get(task).content.decode()
    bad = client.post(task, {"title": "召开动员会", "office": "办公室", "deadline": "2027-01-01"})
    assert bad.status_code == 422 and "不在方案期间" in bad.content.decode()
    ok = client.post(task, {"title": "召开动员会", "office": "综合股", "deadline": "2026-07-08",
                            "responsible": str(world.officer.pk)})  # fmt: skip
    assert ok.status_code == 302 and PlanTask.objects.get().office == "综合股"
    report = reverse("plans:report_edit", args=[world.quarterly.pk])
    assert client.get(report).status_code == 200
    assert client.post(report, {"title": "进展情况", "recipient": "州政府督查室", "office": "办公室",
                                "rule_kind": "quarterly", "rule_month": "1",
                                "rule_day": "10"}).status_code == 302  # fmt: skip
    phase = reverse("plans:phase_edit", args=[world.phase.pk])
    assert client.post(phase, {"name": "实施", "starts_on": "2026-04-01",
                               "ends_on": "2026-11-30"}).status_code == 302  # fmt: skip
    _submit(world, d(2026, 1, 1))
    refused = client.post(reverse("plans:report_withdraw", args=[world.quarterly.pk]))
    assert refused.status_code == 409 and "已报送的期间不能删除" in refused.content.decode()
    assert (
        reverse("plans:report_withdraw", args=[world.quarterly.pk])
        not in client.get(url).content.decode()
    )
    withdraw = reverse("plans:task_withdraw", args=[world.task.pk])
    assert "确认撤回" in client.get(withdraw).content.decode()
    assert client.post(withdraw).status_code == 302 and not PlanTask.objects.exists()


def test_page_scope(client: Client, world: World, personas: Any) -> None:
    targets = [
        reverse("plans:plan_form", args=[world.plan.pk, "edit"]),
        reverse("plans:phase_edit", args=[world.phase.pk]),
        reverse("plans:task_edit", args=[world.task.pk]),
        reverse("plans:task_withdraw", args=[world.task.pk]),
        reverse("plans:report_edit", args=[world.quarterly.pk]),
        reverse("plans:report_withdraw", args=[world.quarterly.pk]),
    ]
    body = {"title": "x", "office": "x", "deadline": "2026-08-01", "name": "x",
            "starts_on": "2026-04-01", "ends_on": "2026-05-01", "source_document": "x"}  # fmt: skip
    client.force_login(personas.discipline)  # reads, may not change: 403
    page = client.get(reverse("plans:plan", args=[world.plan.pk])).content.decode()
    assert "撤回" not in page and "修改方案" not in page
    for target in targets:
        assert client.get(target).status_code == 403, target
        assert client.post(target, body).status_code == 403, target
    client.force_login(make_user("officer_shiqiao", Role.CASE_OFFICER, world.county.other_town))
    for target in targets:  # out of scope: 404
        assert client.get(target).status_code == 404, target
        assert client.post(target, body).status_code == 404, target
    assert WorkPlan.objects.get().title == "2026年推行效能政府四项制度实施方案"
    assert PlanTask.objects.get().title == "召开动员会" and PlanReport.objects.count() == 1
    assert PlanPhase.objects.get().name == "组织实施阶段"


def test_attack_responsible_outside_the_choices(client: Client, world: World, admin: Any) -> None:
    """A 责任人 posted by id who is not among the page's choices is not set."""
    client.force_login(world.officer)
    task = reverse("plans:task_edit", args=[world.task.pk])
    response = client.post(task, {"title": "召开动员会", "office": "办公室",
                                  "deadline": "2026-07-08", "responsible": str(admin.pk)})  # fmt: skip
    assert response.status_code == 422
    assert PlanTask.objects.get().responsible_id == world.officer.pk


def test_plan_page_queries_same_with_the_correction_links(
    client: Client, world: World, personas: Any
) -> None:
    """The edit and withdraw links cost no query: the page of who manages
    (with the links) reads as many as the page of who only reads."""
    _submit(world, d(2026, 1, 1))
    url = reverse("plans:plan", args=[world.plan.pk])
    counts = []
    for user in (world.officer, personas.discipline):
        client.force_login(user)
        client.get(url)
        with CaptureQueriesContext(connection) as seen:
            assert client.get(url).status_code == 200
        counts.append(len(seen.captured_queries))
    assert counts[0] == counts[1]


# ---- API -----------------------------------------------------------------------------


def _put(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.put(API + url, json.dumps(data), content_type="application/json")


PLAN_BODY = {"title": "2026年效能制度实施方案", "source_document": "推行效能政府四项制度实施方案",
             "starts_on": "2026-01-01", "ends_on": "2026-12-31"}  # fmt: skip
PHASE_BODY = {"name": "总结阶段", "starts_on": "2026-12-01", "ends_on": "2026-12-31"}
TASK_BODY = {"title": "召开动员会", "office": "综合股", "deadline": "2026-07-08"}
REPORT_BODY = {"title": "重大项目进展", "recipient": "州政府督查室", "office": "办公室",
               "rule_kind": "quarterly", "rule_month": 1, "rule_day": 15}  # fmt: skip


def test_api_corrections(client: Client, world: World) -> None:
    client.force_login(world.officer)
    plan = _put(client, f"/plans/{world.plan.pk}", PLAN_BODY)
    assert plan.status_code == 200 and plan.json()["title"] == "2026年效能制度实施方案"
    assert _last(EventType.PLAN_EDITED).payload["changes"]["title"][1] == "2026年效能制度实施方案"
    # The phases, tasks and deadlines must stay inside: 422, nothing saved.
    bad = _put(client, f"/plans/{world.plan.pk}", {**PLAN_BODY, "ends_on": "2026-06-30"})
    assert bad.status_code == 422 and "starts_on" in field_errors(bad)
    assert WorkPlan.objects.get().ends_on == d(2026, 12, 31)

    added = post_json(client, f"/plans/{world.plan.pk}/phases", PHASE_BODY)
    assert added.status_code == 201
    assert [p["name"] for p in added.json()["phases"]] == ["组织实施阶段", "总结阶段"]
    phase = _put(client, f"/plans/phases/{world.phase.pk}",
                 {"name": "实施阶段", "starts_on": "2026-04-01", "ends_on": "2026-11-30"})  # fmt: skip
    assert phase.status_code == 200 and "实施阶段" in [p["name"] for p in phase.json()["phases"]]

    task = _put(client, f"/plans/tasks/{world.task.pk}",
                {**TASK_BODY, "phase": world.phase.pk, "responsible": world.officer.pk})  # fmt: skip
    assert task.status_code == 200
    assert task.json()["office"] == "综合股" and task.json()["phase_id"] == world.phase.pk
    late = _put(client, f"/plans/tasks/{world.task.pk}", {**TASK_BODY, "deadline": "2027-01-01"})
    assert late.status_code == 422 and "deadline" in field_errors(late)

    report = _put(client, f"/plans/reports/{world.quarterly.pk}", REPORT_BODY)
    assert report.status_code == 200
    assert report.json()["deadlines"][0]["due"] == "2026-04-15"

    # Withdrawn while nothing is recorded against it; then 409.
    assert client.delete(f"{API}/plans/tasks/{world.task.pk}").status_code == 204
    assert not PlanTask.objects.exists()
    assert _last(EventType.PLAN_TASK_WITHDRAWN).payload["title"] == "召开动员会"
    _submit(world, d(2026, 1, 1))
    refused = client.delete(f"{API}/plans/reports/{world.quarterly.pk}")
    assert refused.status_code == 409 and "已报送的期间不能删除" in refused.json()["message"]
    assert PlanReport.objects.filter(pk=world.quarterly.pk).exists()
    assert journal_verify().ok


def test_api_corrections_scope(client: Client, world: World, personas: Any) -> None:
    calls = [
        ("put", f"/plans/{world.plan.pk}", PLAN_BODY),
        ("post", f"/plans/{world.plan.pk}/phases", PHASE_BODY),
        ("put", f"/plans/phases/{world.phase.pk}", PHASE_BODY),
        ("put", f"/plans/tasks/{world.task.pk}", TASK_BODY),
        ("delete", f"/plans/tasks/{world.task.pk}", None),
        ("put", f"/plans/reports/{world.quarterly.pk}", REPORT_BODY),
        ("delete", f"/plans/reports/{world.quarterly.pk}", None),
    ]
    before = Event.objects.count()
    other = make_user("officer_shiqiao", Role.CASE_OFFICER, world.county.other_town)
    for user, status in ((personas.discipline, 403), (other, 404), (personas.outsider, 403)):
        client.force_login(user)
        for method, url, body in calls:
            if method == "put":
                response = _put(client, url, body or {})
            elif method == "post":
                response = post_json(client, url, body or {})
            else:
                response = client.delete(API + url)
            assert response.status_code == status, (user.username, method, url)
    assert Event.objects.count() == before
    assert WorkPlan.objects.get().title == "2026年推行效能政府四项制度实施方案"
    assert PlanTask.objects.get().office == "办公室" and PlanReport.objects.count() == 1
    assert [p.name for p in PlanPhase.objects.all()] == ["组织实施阶段"]


def test_api_attack_responsible_outside_the_scope(
    client: Client, world: World, admin: Any, county: Any
) -> None:
    """An API caller names a 责任人 by id: one outside the officer's scope is
    refused by the service (422, nothing saved), as the page's choices refuse
    them; the person a task already names may stay."""
    client.force_login(world.officer)
    town_hr = make_user("hr_town", Role.UNIT_HR, county.town)  # within the county: allowed
    for who in (admin.pk,):
        refused = _put(client, f"/plans/tasks/{world.task.pk}", {**TASK_BODY, "responsible": who})
        assert refused.status_code == 422 and "responsible" in field_errors(refused)
        made = post_json(client, f"/plans/{world.plan.pk}/tasks", {**TASK_BODY, "responsible": who})
        assert made.status_code == 422
    assert PlanTask.objects.get().responsible_id == world.officer.pk
    with pytest.raises(ValidationFailed) as caught:  # the service refuses, for every caller
        report_add(actor=world.officer, plan=world.plan, title="总结", recipient="县委",
                   office="办公室", rule=QUARTERLY, responsible=admin)  # fmt: skip
    assert "管理范围" in caught.value.errors[0].message
    assert PlanReport.objects.count() == 1
    ok = _put(client, f"/plans/tasks/{world.task.pk}", {**TASK_BODY, "responsible": town_hr.pk})
    assert ok.status_code == 200 and ok.json()["responsible_id"] == town_hr.pk
    # A person named before (here by the administrator) may be kept as they are.
    task_edit(actor=admin, task=world.task, title="召开动员会", office="综合股",
              deadline=d(2026, 7, 8), responsible=admin)  # fmt: skip
    kept = _put(client, f"/plans/tasks/{world.task.pk}", {**TASK_BODY, "responsible": admin.pk})
    assert kept.status_code == 200 and kept.json()["responsible_id"] == admin.pk
