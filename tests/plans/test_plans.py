"""工作方案 (issue 16, docs/decisions/0183–0186): the services and their
checks, 待办 items (due soon, overdue, done disappears), 备案, attachments
(permission first, oversize, wrong type), pages and API with their scope (out
of scope 404, may see but not change 403, nothing changed), XLSX, query
counts."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tests.api.conftest import API, field_errors, post_json
from tests.conftest import make_user
from xuanren.access.models import Role
from xuanren.common.errors import Conflict, PermissionDenied, ValidationFailed
from xuanren.journal.models import Event, EventType
from xuanren.journal.services import journal_verify
from xuanren.plans import services
from xuanren.plans.models import (
    PlanAttachment,
    PlanTask,
    ReportSubmission,
    TaskStatus,
    WorkPlan,
)
from xuanren.plans.recurrence import DueRule, RuleKind
from xuanren.plans.services import (
    phase_add,
    plan_acknowledge,
    plan_create,
    plan_file,
    report_add,
    report_submit,
    task_add,
    task_update,
)
from xuanren.procedure.todo import TodoKind, todo_for

pytestmark = pytest.mark.django_db
d = dt.date
PDF = b"%PDF-1.4\n%demo\n"
QUARTERLY = DueRule(kind=RuleKind.QUARTERLY, month=1, day=10)


@dataclass
class World:
    clock: Any
    county: Any
    officer: Any
    plan: WorkPlan
    task: PlanTask
    quarterly: Any


@pytest.fixture
def world(clock: Any, county: Any, personas: Any, settings: Any, tmp_path: Any) -> World:
    settings.MEDIA_ROOT = str(tmp_path)
    settings.XUANREN_PLAN_REMINDER_DAYS = 7
    clock.day = d(2026, 7, 1)
    officer = personas.case_officer
    plan = plan_create(
        actor=officer, unit=county.finance, title="2026年推行效能政府四项制度实施方案",
        year=2026, source_document="推行效能政府四项制度实施方案", starts_on=d(2026, 1, 1),
        ends_on=d(2026, 12, 31),
    )  # fmt: skip
    phase = phase_add(
        actor=officer,
        plan=plan,
        name="组织实施阶段",
        starts_on=d(2026, 4, 1),
        ends_on=d(2026, 11, 30),
    )
    task = task_add(
        actor=officer, plan=plan, phase=phase, title="召开动员会", office="办公室",
        deadline=d(2026, 7, 8), responsible=officer,
    )  # fmt: skip
    quarterly = report_add(
        actor=officer, plan=plan, title="重大项目进展情况", recipient="州政府督查室",
        office="办公室", rule=QUARTERLY, responsible=officer,
    )  # fmt: skip
    return World(clock, county, officer, plan, task, quarterly)


def _items(actor: Any, on: dt.date) -> list[Any]:
    kinds = {TodoKind.PLAN_TASK_DUE, TodoKind.PLAN_REPORT_DUE}
    return [i for i in todo_for(actor=actor, on=on) if i.kind in kinds]


# ---- services ------------------------------------------------------------------------


def test_create_and_journal(world: World) -> None:
    types = list(Event.objects.order_by("pk").values_list("event_type", flat=True))
    assert types[-4:] == [
        EventType.PLAN_CREATED, EventType.PLAN_PHASE_ADDED, EventType.PLAN_TASK_ADDED,
        EventType.PLAN_REPORT_ADDED,
    ]  # fmt: skip
    assert journal_verify().ok


def test_bad_input_saves_nothing(world: World) -> None:
    before = PlanTask.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        task_add(actor=world.officer, plan=world.plan, title=" ", office="",
                 deadline=d(2027, 1, 1))  # fmt: skip
    fields = {e.field for e in caught.value.errors}
    assert fields == {"title", "office", "deadline"}
    assert PlanTask.objects.count() == before
    with pytest.raises(ValidationFailed) as caught:
        report_add(actor=world.officer, plan=world.plan, title="x", recipient="y", office="z",
                   rule=DueRule(kind=RuleKind.QUARTERLY, month=1, day=32))  # fmt: skip
    assert {e.field for e in caught.value.errors} == {"rule_day"}
    with pytest.raises(ValidationFailed) as caught:
        report_add(actor=world.officer, plan=world.plan, title="x", recipient="y", office="z",
                   rule=DueRule(kind=RuleKind.YEARLY, month=13, day=20))  # fmt: skip
    assert {e.field for e in caught.value.errors} == {"rule_month"}
    with pytest.raises(ValidationFailed):
        plan_create(actor=world.officer, unit=world.county.finance, title="t", year=2026,
                    source_document="s", starts_on=d(2026, 12, 31), ends_on=d(2026, 1, 1))  # fmt: skip


def test_task_progress_done_on_the_day(world: World) -> None:
    with pytest.raises(ValidationFailed):
        task_update(actor=world.officer, task=world.task, status="done")
    with pytest.raises(ValidationFailed):  # tomorrow
        task_update(actor=world.officer, task=world.task, status="done", done_on=d(2026, 7, 2))
    task_update(actor=world.officer, task=world.task, status="done", progress="已召开",
                done_on=d(2026, 7, 1))  # fmt: skip
    world.task.refresh_from_db()
    assert (world.task.status, world.task.done_on) == (TaskStatus.DONE, d(2026, 7, 1))
    # Back to ongoing clears the day.
    task_update(actor=world.officer, task=world.task, status="ongoing")
    world.task.refresh_from_db()
    assert world.task.done_on is None


def test_submission_once_per_period(world: World) -> None:
    report_submit(actor=world.officer, report=world.quarterly, period_start=d(2026, 4, 1),
                  submitted_on=d(2026, 7, 1))  # fmt: skip
    with pytest.raises(Conflict):
        report_submit(actor=world.officer, report=world.quarterly, period_start=d(2026, 4, 1),
                      submitted_on=d(2026, 7, 1))  # fmt: skip
    with pytest.raises(ValidationFailed) as caught:  # not a period's first day
        report_submit(actor=world.officer, report=world.quarterly, period_start=d(2026, 4, 2),
                      submitted_on=d(2026, 7, 1))  # fmt: skip
    assert {e.field for e in caught.value.errors} == {"period_start"}
    sub = ReportSubmission.objects.get()
    assert sub.due == d(2026, 7, 10)


def test_filing_and_acknowledgement(world: World) -> None:
    with pytest.raises(Conflict):  # not filed yet
        plan_acknowledge(actor=world.officer, plan=world.plan, acknowledged_on=d(2026, 4, 3),
                         acknowledgement="已备案")  # fmt: skip
    plan_file(actor=world.officer, plan=world.plan, filed_to="县委组织部", filed_on=d(2026, 3, 30))
    with pytest.raises(ValidationFailed):  # before it was filed
        plan_acknowledge(actor=world.officer, plan=world.plan, acknowledged_on=d(2026, 3, 29),
                         acknowledgement="已备案")  # fmt: skip
    plan_acknowledge(actor=world.officer, plan=world.plan, acknowledged_on=d(2026, 3, 30),
                     acknowledgement="已收悉，予以备案。")  # fmt: skip
    with pytest.raises(Conflict):
        plan_file(actor=world.officer, plan=world.plan, filed_to="x", filed_on=d(2026, 4, 1))
    world.plan.refresh_from_db()
    assert world.plan.acknowledged_on == d(2026, 3, 30)
    assert Event.objects.filter(event_type=EventType.PLAN_ACKNOWLEDGED).count() == 1


def test_writes_need_the_permission_and_the_scope(world: World, personas: Any) -> None:
    other = make_user("officer_shiqiao", Role.CASE_OFFICER, world.county.other_town)
    for actor in (personas.discipline, other):
        with pytest.raises(PermissionDenied):
            task_update(actor=actor, task=world.task, status="ongoing")
        with pytest.raises(PermissionDenied):
            report_submit(actor=actor, report=world.quarterly, period_start=d(2026, 4, 1),
                          submitted_on=d(2026, 7, 1))  # fmt: skip
    world.task.refresh_from_db()
    assert world.task.status == TaskStatus.PENDING
    assert not ReportSubmission.objects.exists()


# ---- 待办 ----------------------------------------------------------------------------


def test_todo_due_soon_overdue_and_done_disappears(world: World, personas: Any) -> None:
    officer = world.officer
    # 1 July: the task (8 July) is within seven days; the Q1 report (10 April)
    # is overdue; Q2 (10 July) is nine days away: not yet.
    items = _items(officer, d(2026, 7, 1))
    texts = [i.text for i in items]
    assert [i.due for i in items] == [d(2026, 4, 10), d(2026, 7, 8)]
    assert "已逾期 82 天" in texts[0] and "2026年第一季度" in texts[0]
    assert "2026.07.08 前完成" in texts[1] and all(i.mine for i in items)
    # 3 July: Q2 (10 July) is exactly seven days away: listed.
    assert [i.due for i in _items(officer, d(2026, 7, 3))] == [
        d(2026, 4, 10), d(2026, 7, 8), d(2026, 7, 10),
    ]  # fmt: skip
    # Submitted and done: gone.
    report_submit(actor=officer, report=world.quarterly, period_start=d(2026, 1, 1),
                  submitted_on=d(2026, 7, 1))  # fmt: skip
    task_update(actor=officer, task=world.task, status="done", done_on=d(2026, 7, 1))
    assert [i.due for i in _items(officer, d(2026, 7, 3))] == [d(2026, 7, 10)]
    # The day after the task's deadline, had it not been done: overdue.
    task_update(actor=officer, task=world.task, status="ongoing")
    late = [i for i in _items(officer, d(2026, 7, 9)) if i.kind == TodoKind.PLAN_TASK_DUE]
    assert "已逾期 1 天" in late[0].text
    # Q4 comes due on 10 January next year, after the plan's end.
    assert d(2027, 1, 10) in [i.due for i in _items(officer, d(2027, 1, 5))]
    # Others: the discipline commission reads plans but gets no items; out of scope nothing.
    assert _items(personas.discipline, d(2026, 7, 1)) == []
    other = make_user("officer_shiqiao", Role.CASE_OFFICER, world.county.other_town)
    assert _items(other, d(2026, 7, 1)) == []


def test_todo_reminder_window_is_a_setting(world: World, settings: Any) -> None:
    settings.XUANREN_PLAN_REMINDER_DAYS = 0
    assert [i.due for i in _items(world.officer, d(2026, 7, 1))] == [d(2026, 4, 10)]


def test_todo_moved_deadline(world: World) -> None:
    rule = DueRule(kind=RuleKind.YEARLY, month=12, day=20, next_working_day=True)
    report_add(actor=world.officer, plan=world.plan, title="全年报告", recipient="审计部门",
               office="办公室", rule=rule)  # fmt: skip
    # 20 December 2026 is a Sunday: due Monday 21 December, listed from the 14th.
    dues = [i.due for i in _items(world.officer, d(2026, 12, 14))]
    assert d(2026, 12, 21) in dues
    assert d(2026, 12, 21) not in [i.due for i in _items(world.officer, d(2026, 12, 13))]


def test_todo_query_count_does_not_grow(world: World) -> None:
    officer = world.officer
    _items(officer, d(2026, 7, 1))
    with CaptureQueriesContext(connection) as one:
        _items(officer, d(2026, 7, 1))
    for n in range(3):
        plan = plan_create(actor=officer, unit=world.county.town, title=f"方案{n}", year=2026,
                           source_document="文件", starts_on=d(2026, 1, 1),
                           ends_on=d(2026, 12, 31))  # fmt: skip
        task_add(actor=officer, plan=plan, title="任务", office="办公室", deadline=d(2026, 7, 2))
        report_add(actor=officer, plan=plan, title="报告", recipient="县委组织部",
                   office="办公室", rule=QUARTERLY)  # fmt: skip
    with CaptureQueriesContext(connection) as four:
        items = _items(officer, d(2026, 7, 1))
    assert len(items) == 2 + 3 * 2
    assert len(four.captured_queries) == len(one.captured_queries)


# ---- attachments ---------------------------------------------------------------------


def test_attachment_stored_by_hash(world: World, tmp_path: Any) -> None:
    upload = SimpleUploadedFile("进展情况.pdf", PDF, content_type="application/pdf")
    sub = report_submit(actor=world.officer, report=world.quarterly, period_start=d(2026, 4, 1),
                        submitted_on=d(2026, 7, 1), files=[upload])  # fmt: skip
    att = PlanAttachment.objects.get(submission=sub)
    assert (att.name, att.size, att.content_type) == ("进展情况.pdf", len(PDF), "application/pdf")
    from xuanren.procedure.services import attachment_path

    assert attachment_path(att.sha256).read_bytes() == PDF


class Exploding(io.BytesIO):
    """An upload that fails the test if anything reads it."""

    name = "a.pdf"
    size = 10

    def read(self, *args: Any) -> bytes:
        raise AssertionError("read before the permission check")


def test_attack_permission_before_reading(world: World, personas: Any) -> None:
    with pytest.raises(PermissionDenied):
        report_submit(actor=personas.discipline, report=world.quarterly,
                      period_start=d(2026, 4, 1), submitted_on=d(2026, 7, 1),
                      files=[Exploding()])  # fmt: skip


def test_attack_oversize_and_wrong_type(world: World, monkeypatch: Any) -> None:
    monkeypatch.setattr(services, "MAX_ATTACHMENT_BYTES", 64)
    cases = [
        SimpleUploadedFile("big.pdf", PDF + b"x" * 64, content_type="application/pdf"),
        SimpleUploadedFile("run.exe", b"MZ\x90\x00", content_type="application/pdf"),
        SimpleUploadedFile("fake.pdf", b"MZ\x90\x00", content_type="application/pdf"),
        SimpleUploadedFile("noext", PDF, content_type="application/pdf"),
        SimpleUploadedFile("../../etc/passwd.png", PDF, content_type="image/png"),
    ]
    for upload in cases:
        with pytest.raises(ValidationFailed) as caught:
            report_submit(actor=world.officer, report=world.quarterly,
                          period_start=d(2026, 4, 1), submitted_on=d(2026, 7, 1),
                          files=[upload])  # fmt: skip
        assert {e.field for e in caught.value.errors} == {"attachments"}
    # A declared size over the limit is refused without reading.
    liar = Exploding()
    liar.size = 65
    with pytest.raises(ValidationFailed):
        report_submit(actor=world.officer, report=world.quarterly, period_start=d(2026, 4, 1),
                      submitted_on=d(2026, 7, 1), files=[liar])  # fmt: skip
    too_many = [SimpleUploadedFile(f"{i}.pdf", PDF) for i in range(6)]
    with pytest.raises(ValidationFailed):
        report_submit(actor=world.officer, report=world.quarterly, period_start=d(2026, 4, 1),
                      submitted_on=d(2026, 7, 1), files=too_many)  # fmt: skip
    assert not ReportSubmission.objects.exists() and not PlanAttachment.objects.exists()


# ---- pages ---------------------------------------------------------------------------


def test_pages(client: Client, world: World, personas: Any) -> None:
    client.force_login(world.officer)
    nav = client.get(reverse("web:dashboard")).content.decode()
    assert reverse("plans:plan_list") in nav
    listing = client.get(reverse("plans:plan_list")).content.decode()
    url = reverse("plans:plan", args=[world.plan.pk])
    assert url in listing
    page = client.get(url).content.decode()
    assert "每季度末的次月10日前" in page and "2027.01.10" in page and "已逾期" in page
    # Progress through the page.
    edit = reverse("plans:plan_edit_task", args=[world.task.pk])
    assert client.post(edit, {"status": "done", "progress": "", "done_on": ""}).status_code == 422
    assert (
        client.post(
            edit, {"status": "done", "progress": "已完成", "done_on": "2026-07-01"}
        ).status_code
        == 302
    )
    # A submission with a file.
    submit = reverse("plans:plan_submit", args=[world.quarterly.pk])
    assert "2026年第一季度" in client.get(submit).content.decode()
    response = client.post(submit, {
        "period_start": "2026-01-01", "submitted_on": "2026-07-01", "note": "",
        "attachments": SimpleUploadedFile("q1.pdf", PDF, content_type="application/pdf"),
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()
    att = PlanAttachment.objects.get()
    download: Any = client.get(reverse("plans:plan_attachment", args=[att.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    bad = client.post(submit, {
        "period_start": "2026-04-01", "submitted_on": "2026-07-01",
        "attachments": SimpleUploadedFile("x.exe", b"MZ", content_type="application/pdf"),
    })  # fmt: skip
    assert bad.status_code == 422 and "类型不允许" in bad.content.decode()
    # The forms that add to the plan.
    add = reverse("plans:plan_form", args=[world.plan.pk, "report"])
    body = {"title": "年度总结", "recipient": "县委组织部", "office": "办公室",
            "rule_kind": "yearly", "rule_month": "12", "rule_day": "25"}  # fmt: skip
    assert client.post(add, body).status_code == 302
    assert "每年12月25日前" in client.get(url).content.decode()
    assert (
        client.get(reverse("plans:plan_form", args=[world.plan.pk, "nothing"])).status_code == 404
    )
    # 备案 and its acknowledgement.
    assert client.post(reverse("plans:plan_form", args=[world.plan.pk, "file"]),
                       {"filed_to": "县委组织部", "filed_on": "2026-06-30"}).status_code == 302  # fmt: skip
    assert client.post(reverse("plans:plan_form", args=[world.plan.pk, "acknowledge"]),
                       {"acknowledged_on": "2026-07-01", "acknowledgement": "已备案"}).status_code == 302  # fmt: skip
    # New plan.
    new = reverse("plans:plan_new")
    assert client.get(new).status_code == 200
    made = client.post(new, {"unit": world.county.town.pk, "title": "集中教育", "year": "2026",
                             "source_document": "集中教育方案",
                             "starts_on": "2026-05-20", "ends_on": "2026-06-30"})  # fmt: skip
    assert made.status_code == 302


def test_xlsx(client: Client, world: World) -> None:
    task_add(actor=world.officer, plan=world.plan, title="=HYPERLINK(\"x\")", office="@办公室",
             deadline=d(2026, 8, 1))  # fmt: skip
    client.force_login(world.officer)
    response = client.get(reverse("plans:plan_xlsx", args=[world.plan.pk]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    tasks = [[c.value for c in row] for row in book["工作任务"].iter_rows()]
    assert tasks[3][:3] == ["组织实施阶段", "召开动员会", "办公室"]
    evil = next(r for r in tasks if r[1] == '=HYPERLINK("x")')
    assert book["工作任务"].cell(row=tasks.index(evil) + 1, column=2).data_type == "s"
    deadlines = [[c.value for c in row] for row in book["报送事项"].iter_rows()]
    assert [r[5] for r in deadlines[1:]] == ["2026-04-10", "2026-07-10", "2026-10-10", "2027-01-10"]


def test_page_scope(client: Client, world: World, personas: Any) -> None:
    url = reverse("plans:plan", args=[world.plan.pk])
    edit = reverse("plans:plan_edit_task", args=[world.task.pk])
    submit = reverse("plans:plan_submit", args=[world.quarterly.pk])
    add = reverse("plans:plan_form", args=[world.plan.pk, "task"])
    body = {"status": "done", "progress": "x", "done_on": "2026-07-01"}
    # The discipline commission reads but may not change: 403.
    client.force_login(personas.discipline)
    page = client.get(url)
    assert page.status_code == 200 and "登记进展" not in page.content.decode()
    assert client.post(edit, body).status_code == 403
    assert client.get(add).status_code == 403
    assert (
        client.post(
            submit, {"period_start": "2026-01-01", "submitted_on": "2026-07-01"}
        ).status_code
        == 403
    )
    # An officer of another town: 404 everywhere.
    other = make_user("officer_shiqiao", Role.CASE_OFFICER, world.county.other_town)
    client.force_login(other)
    for target in (url, edit, submit, add, reverse("plans:plan_xlsx", args=[world.plan.pk])):
        assert client.get(target).status_code == 404, target
    assert client.post(edit, body).status_code == 404
    assert url not in client.get(reverse("plans:plan_list")).content.decode()
    # A unit HR contact: no access at all, and no menu entry.
    client.force_login(personas.other_unit_hr)
    assert client.get(reverse("plans:plan_list")).status_code == 403
    assert reverse("plans:plan_list") not in client.get(reverse("web:dashboard")).content.decode()
    world.task.refresh_from_db()
    assert world.task.status == TaskStatus.PENDING and not ReportSubmission.objects.exists()


def test_detail_page_query_count_does_not_grow(client: Client, world: World) -> None:
    client.force_login(world.officer)
    url = reverse("plans:plan", args=[world.plan.pk])
    report_submit(actor=world.officer, report=world.quarterly, period_start=d(2026, 1, 1),
                  submitted_on=d(2026, 7, 1), files=[SimpleUploadedFile("q.pdf", PDF)])  # fmt: skip
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for n in range(3):
        task_add(actor=world.officer, plan=world.plan, title=f"任务{n}", office="办公室",
                 deadline=d(2026, 9, 1), responsible=world.officer)  # fmt: skip
        r = report_add(actor=world.officer, plan=world.plan, title=f"报告{n}", recipient="县委",
                       office="办公室", rule=QUARTERLY, responsible=world.officer)  # fmt: skip
        report_submit(actor=world.officer, report=r, period_start=d(2026, 1, 1),
                      submitted_on=d(2026, 7, 1),
                      files=[SimpleUploadedFile(f"{n}.pdf", PDF + bytes([n]))])  # fmt: skip
    with CaptureQueriesContext(connection) as four:
        assert client.get(url).status_code == 200
    assert len(four.captured_queries) == len(one.captured_queries)


# ---- API -----------------------------------------------------------------------------


def test_api(client: Client, world: World, personas: Any) -> None:
    client.force_login(world.officer)
    listed = client.get(API + "/plans").json()
    assert [p["id"] for p in listed] == [world.plan.pk]
    detail = client.get(f"{API}/plans/{world.plan.pk}").json()
    assert [x["due"] for x in detail["deadlines"]] == [
        "2026-04-10",
        "2026-07-10",
        "2026-10-10",
        "2027-01-10",
    ]
    assert detail["reports"][0]["rule"] == "每季度末的次月10日前"
    bad = post_json(client, f"/plans/{world.plan.pk}/reports", {
        "title": "x", "recipient": "y", "office": "z", "rule_kind": "quarterly", "rule_day": 0,
    })  # fmt: skip
    assert bad.status_code == 422 and "rule_day" in field_errors(bad)
    made = post_json(client, f"/plans/{world.plan.pk}/reports", {
        "title": "半年自查", "recipient": "同级人事部门", "office": "办公室",
        "rule_kind": "half_yearly", "rule_month": 0, "rule_day": 31,
    })  # fmt: skip
    assert made.status_code == 201
    assert "2026-06-30" in [x["due"] for x in made.json()["deadlines"]]
    task = post_json(client, f"/plans/{world.plan.pk}/tasks",
                     {"title": "自查", "office": "办公室", "deadline": "2026-06-25"})  # fmt: skip
    assert task.status_code == 201
    progress = post_json(client, f"/plans/tasks/{task.json()['id']}/progress",
                         {"status": "done", "done_on": "2026-06-25"})  # fmt: skip
    assert progress.status_code == 200 and progress.json()["status_label"] == "已完成"
    sub = post_json(client, f"/plans/reports/{world.quarterly.pk}/submissions",
                    {"period_start": "2026-01-01", "submitted_on": "2026-04-09"})  # fmt: skip
    assert sub.status_code == 201
    again = post_json(client, f"/plans/reports/{world.quarterly.pk}/submissions",
                      {"period_start": "2026-01-01", "submitted_on": "2026-04-09"})  # fmt: skip
    assert again.status_code == 409
    # Scope: 404 for another town's officer, 403 for who only reads.
    other = make_user("officer_shiqiao", Role.CASE_OFFICER, world.county.other_town)
    client.force_login(other)
    assert client.get(f"{API}/plans/{world.plan.pk}").status_code == 404
    assert (
        post_json(client, f"/plans/tasks/{world.task.pk}/progress", {"status": "done"}).status_code
        == 404
    )
    client.force_login(personas.discipline)
    assert client.get(f"{API}/plans/{world.plan.pk}").status_code == 200
    assert post_json(client, f"/plans/tasks/{world.task.pk}/progress",
                     {"status": "ongoing"}).status_code == 403  # fmt: skip
    world.task.refresh_from_db()
    assert world.task.status == TaskStatus.PENDING
