"""回头看 (issue 14): each finding kind on hand-built appointments, a clean
appointment with none, the rectification tasks, permissions and query counts.

A past appointment is built as the procedure would have left it: the case's
纪实 rows (CaseStep, written directly: the steps' own tests cover how they are
completed), the published notice, and the candidate APPOINTED."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import make_user
from tests.supervision.conftest import TODAY, full_cadre
from xuanren.access.models import Role
from xuanren.common.dates import SHANGHAI
from xuanren.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from xuanren.journal.models import Event, EventType
from xuanren.people.models import Cadre
from xuanren.people.services import cadre_update
from xuanren.policy.services import post_rule_packs_set
from xuanren.procedure import tally
from xuanren.procedure.candidates import candidate_add
from xuanren.procedure.models import Candidate, CandidateStatus, Case, CaseStep, Committee
from xuanren.procedure.services import case_open, template_def
from xuanren.procedure.todo import todo_for
from xuanren.supervision.lookback import (
    ArchiveFacts,
    RecordChange,
    Span,
    archive_problems,
    change_problems,
    missing_steps,
    quorum_problem,
)
from xuanren.supervision.lookback_selectors import lookback_run_get, run_findings
from xuanren.supervision.lookback_services import (
    lookback_run_create,
    rectification_assign,
    rectification_close,
)
from xuanren.supervision.models import (
    LookbackFinding,
    LookbackRun,
    NoticeUnit,
    PublicNotice,
    RectificationTask,
)

DECIDED = dt.date(2025, 6, 10)
PERIOD = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))


# ---- pure checks ------------------------------------------------------------------


def _facts(**kw: Any) -> ArchiveFacts:
    from xuanren.people.idnumbers import build_id_number

    birth = kw.pop("birth_date", dt.date(1985, 3, 2))
    return ArchiveFacts(
        name="张伟",
        birth_date=birth,
        id_number=kw.pop("id_number", build_id_number("330421", birth, 11, "male")),
        party_join_date=kw.pop("party_join_date", dt.date(2008, 6, 1)),
        work_start_date=kw.pop("work_start_date", dt.date(2007, 8, 1)),
        **kw,
    )


def test_archive_clean_facts_have_no_problem() -> None:
    facts = _facts(
        education_rank=5,
        education_ranks=(5,),
        resume=(Span(dt.date(2007, 8, 1), None, "城关镇"),),
        tenures=(Span(dt.date(2015, 3, 1), None, "城关镇党政办主任"),),
    )
    assert archive_problems(facts, DECIDED) == []


def test_birth_date_that_disagrees_with_the_id_number() -> None:
    from xuanren.people.idnumbers import build_id_number

    number = build_id_number("330421", dt.date(1985, 3, 2), 11, "male")
    problems = archive_problems(_facts(birth_date=dt.date(1986, 3, 2), id_number=number), DECIDED)
    assert [p.kind for p in problems] == ["archive"]
    assert "1985-03-02" in problems[0].what and "1986-03-02" in problems[0].what
    assert problems[0].as_of == DECIDED


def test_party_entry_under_eighteen_and_work_under_sixteen() -> None:
    problems = archive_problems(
        _facts(party_join_date=dt.date(2003, 3, 1), work_start_date=dt.date(2001, 3, 1)),
        DECIDED,
    )
    assert len(problems) == 2
    assert "未满十八周岁" in problems[0].what and "党章" in problems[0].source
    assert "未满十六周岁" in problems[1].what
    # the eighteenth birthday itself is old enough
    assert archive_problems(_facts(party_join_date=dt.date(2003, 3, 2)), DECIDED) == []


def test_education_and_tenure_against_resume() -> None:
    problems = archive_problems(
        _facts(
            education_rank=6,
            education_ranks=(5,),
            resume=(Span(dt.date(2007, 8, 1), dt.date(2014, 12, 31), "城关镇科员"),),
            tenures=(
                Span(dt.date(2014, 12, 15), None, "城关镇党政办副主任"),
                Span(dt.date(2016, 1, 1), None, "城关镇党政办主任"),
                Span(dt.date(2026, 1, 1), None, "任后"),  # after the decision: not checked
            ),
        ),
        DECIDED,
    )
    assert len(problems) == 2
    assert "最高学历" in problems[0].what
    assert "城关镇党政办主任" in problems[1].what and "简历" in problems[1].what


def test_record_changes_and_missing_steps_and_quorum() -> None:
    changes = [
        RecordChange("birth_date", dt.date(2024, 5, 1), "1985-03-02", "1986-03-02"),
        RecordChange("name", dt.date(2024, 5, 1), "张伟", "张玮"),  # not an archive date
    ]
    found = change_problems(changes, DECIDED)
    assert len(found) == 1 and found[0].kind == "record_changed"
    assert "出生日期" in found[0].what and "2024年5月1日" in found[0].what
    steps = [("motion", "动议"), ("decision", "讨论决定")]
    missing = missing_steps(steps, {"motion"}, DECIDED, "模板")
    assert [m.what for m in missing] == ["纪实中没有“讨论决定”环节的记录。"]
    two_thirds = tally.Fraction(2, 3)
    assert quorum_problem(11, 8, two_thirds, DECIDED) == []
    assert "至少 8 人" in quorum_problem(11, 7, two_thirds, DECIDED)[0].what


# ---- hand-built appointments -------------------------------------------------------


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI)


@dataclass
class Built:
    case: Case
    candidate: Candidate


def build_appointment(
    personas: Any,
    county: Any,
    committee: Committee,
    cadre: Cadre,
    *,
    decided: dt.date = DECIDED,
    present: int = 11,
    skip: tuple[str, ...] = (),
    notice_completed: dt.date | None = None,
) -> Built:
    officer = personas.case_officer
    case = case_open(
        actor=officer,
        title="城关镇副镇长选任",
        template_code="county-leading",
        unit=county.root,
        committee=committee,
        posts=[(county.town_deputy, 1)],
        reference_date=decided,
    )
    candidate = candidate_add(
        actor=officer,
        case=case,
        cadre=cadre,
        post=county.town_deputy,
        step="candidates",
        status=CandidateStatus.APPOINTED,
    )
    members = list(committee.memberships.order_by("pk").values_list("pk", flat=True))
    tdef = template_def(case.template)
    notice_start = decided + dt.timedelta(days=1)
    seq = 0
    for step in tdef.steps:
        if step.code in skip or step.code in ("appointment_talk", "probation_end"):
            continue
        seq += 1
        data: dict[str, Any] = {}
        day = decided - dt.timedelta(days=30) + dt.timedelta(days=seq)
        if step.code == "decision":
            day = decided
            data = {
                "meeting_date": decided.isoformat(),
                "present": members[:present],
                "votes": [{"candidate": candidate.pk, "agree": present}],
            }
        elif step.code == "public_notice":
            day = notice_completed or notice_start + dt.timedelta(days=8)
        elif step.code == "appointment":
            day = notice_start + dt.timedelta(days=9)
            data = {"document_number": "青组〔2025〕1号", "document_date": day.isoformat()}
        CaseStep.objects.create(
            case=case,
            step=step.code,
            seq=seq,
            completed_by=officer,
            completed_at=_at(day),
            data=data,
            journal_hash="0" * 64,
        )
    PublicNotice.objects.create(
        case=case,
        text="公示",
        start=notice_start,
        end=notice_start + dt.timedelta(days=6),
        length=7,
        unit=NoticeUnit.CALENDAR_DAYS,
        persons=[],
        channels=["举报电话"],
        published_by=officer,
        published_at=_at(notice_start),
    )
    Case.objects.filter(pk=case.pk).update(current_step="appointment_talk")
    return Built(case, candidate)


@pytest.fixture
def packs(county: Any, admin: Any) -> None:
    # Only the county's own conditions for 副科 (age and education).
    post_rule_packs_set(actor=admin, post=county.town_deputy, pack_codes=["county-leading-rules"])


@pytest.fixture
def clean(
    personas: Any, county: Any, committee: Committee, make_cadre: Any, admin: Any, packs: None
) -> Built:
    cadre = full_cadre(make_cadre, admin, county.town_office, name="张伟")
    return build_appointment(personas, county, committee, cadre)


def _run(actor: Any, county: Any, **kw: Any) -> LookbackRun:
    return lookback_run_create(
        actor=actor,
        name="2025年度选任工作回头看",
        unit=kw.pop("unit", county.root),
        start=kw.pop("start", PERIOD[0]),
        end=kw.pop("end", PERIOD[1]),
        **kw,
    )


def _whats(run: LookbackRun) -> list[tuple[str, str]]:
    return list(LookbackFinding.objects.filter(run=run).values_list("kind", "what"))


def test_clean_appointment_has_no_finding(personas: Any, county: Any, clean: Built) -> None:
    run = _run(personas.case_officer, county)
    assert run.appointments == 1
    assert _whats(run) == []
    event = Event.objects.filter(event_type=EventType.LOOKBACK_RUN).get()
    assert event.payload["appointments"] == 1 and event.payload["findings"] == {}


def test_appointments_outside_the_period_level_or_subtree_are_left_out(
    personas: Any, county: Any, clean: Built
) -> None:
    assert _run(personas.case_officer, county, end=dt.date(2025, 6, 9)).appointments == 0
    assert _run(personas.case_officer, county, levels=["section_principal"]).appointments == 0
    assert _run(personas.case_officer, county, unit=county.finance).appointments == 0
    assert (
        _run(personas.case_officer, county, unit=county.town).appointments == 1
    )  # the post's unit
    assert _run(personas.case_officer, county, levels=["section_deputy"]).appointments == 1


def test_rule_not_met_as_of_the_decision_date(
    personas: Any, county: Any, committee: Committee, make_cadre: Any, admin: Any, packs: None
) -> None:
    # 40 on the decision date, born 1985-03-02: over the township 副科 limit?
    old = full_cadre(make_cadre, admin, county.town_office, name="李强", birth=dt.date(1975, 3, 2))
    build_appointment(personas, county, committee, old)
    run = _run(personas.case_officer, county)
    rules = LookbackFinding.objects.filter(run=run, kind="rule")
    assert rules.count() >= 1
    finding = rules.first()
    assert finding is not None
    assert finding.as_of == DECIDED and "周岁" in finding.what and finding.source
    assert finding.cadre_id == old.pk


def test_missing_step_quorum_and_short_notice(
    personas: Any, county: Any, committee: Committee, make_cadre: Any, admin: Any, packs: None
) -> None:
    cadre = full_cadre(make_cadre, admin, county.town_office, name="张伟")
    build_appointment(
        personas,
        county,
        committee,
        cadre,
        skip=("audit",),
        present=7,
        notice_completed=DECIDED + dt.timedelta(days=5),
    )
    run = _run(personas.case_officer, county)
    kinds = sorted(k for k, _w in _whats(run))
    assert kinds == ["procedure", "procedure", "step_missing"]
    whats = " ".join(w for _k, w in _whats(run))
    assert "经济责任审计" in whats
    assert "实到 7 人" in whats
    assert "尚未期满" in whats


def test_archive_inconsistency_and_changed_record(
    personas: Any, county: Any, committee: Committee, make_cadre: Any, admin: Any, packs: None
) -> None:
    cadre = full_cadre(make_cadre, admin, county.town_office, name="张伟")
    # The party entry date changed after entry (journalled); the birth date
    # disagrees with the ID number (as a record loaded before the checks).
    cadre_update(actor=admin, cadre=cadre, changes={"party_join_date": dt.date(2009, 6, 1)})
    Cadre.objects.filter(pk=cadre.pk).update(birth_date=dt.date(1986, 3, 2))
    build_appointment(personas, county, committee, cadre)
    run = _run(personas.case_officer, county)
    by_kind = dict(_whats(run))
    assert "身份号码" in by_kind["archive"]
    assert "入党时间" in by_kind["record_changed"]


# ---- tasks and 待办 -----------------------------------------------------------------


@pytest.fixture
def finding_task(
    personas: Any, county: Any, committee: Committee, make_cadre: Any, admin: Any, packs: None
) -> RectificationTask:
    cadre = full_cadre(make_cadre, admin, county.town_office, name="张伟")
    build_appointment(personas, county, committee, cadre, skip=("audit",))
    run = _run(personas.case_officer, county)
    return RectificationTask.objects.get(finding__run=run)


def test_each_finding_has_a_task_that_appears_in_todo(
    personas: Any, clock: Any, finding_task: RectificationTask
) -> None:
    discipline = personas.discipline
    assert finding_task.responsible is None and finding_task.closed_at is None
    deadline = TODAY + dt.timedelta(days=10)
    rectification_assign(
        actor=personas.case_officer, task=finding_task, responsible=discipline, deadline=deadline
    )
    items = [i for i in todo_for(actor=discipline) if i.kind == "rectification_due"]
    assert len(items) == 1 and "经济责任审计" in items[0].text
    assert items[0].due == deadline
    clock.day = deadline
    item = next(i for i in todo_for(actor=discipline) if i.kind == "rectification_due")
    assert not item.overdue(deadline)  # due on the deadline day itself
    assert item.overdue(deadline + dt.timedelta(days=1))
    # nobody else's 待办
    assert not [i for i in todo_for(actor=personas.case_officer) if i.kind == "rectification_due"]
    rectification_close(actor=discipline, task=finding_task, outcome="已补充审计并归档。")
    finding_task.refresh_from_db()
    assert finding_task.closed_at is not None and finding_task.closed_by == discipline
    assert not [i for i in todo_for(actor=discipline) if i.kind == "rectification_due"]
    with pytest.raises(Conflict):
        rectification_close(actor=discipline, task=finding_task, outcome="再次")


def test_assign_refusals_change_nothing(
    personas: Any, county: Any, finding_task: RectificationTask
) -> None:
    officer = personas.case_officer
    with pytest.raises(ValidationFailed):
        rectification_assign(
            actor=officer,
            task=finding_task,
            responsible=personas.other_unit_hr,  # 石桥镇's scope does not cover the county
            deadline=TODAY - dt.timedelta(days=1),
        )
    with pytest.raises(PermissionDenied):  # may read, may not assign
        rectification_assign(
            actor=personas.discipline,
            task=finding_task,
            responsible=personas.discipline,
            deadline=TODAY,
        )
    with pytest.raises(NotFound):
        rectification_assign(
            actor=personas.other_unit_hr,
            task=finding_task,
            responsible=personas.other_unit_hr,
            deadline=TODAY,
        )
    with pytest.raises(PermissionDenied):  # neither responsible nor the officer
        rectification_close(actor=personas.discipline, task=finding_task, outcome="x")
    with pytest.raises(NotFound):
        rectification_close(actor=personas.outsider, task=finding_task, outcome="x")
    finding_task.refresh_from_db()
    assert finding_task.responsible is None and finding_task.closed_at is None
    assert not Event.objects.filter(
        event_type__in=[EventType.RECTIFICATION_ASSIGNED, EventType.RECTIFICATION_CLOSED]
    ).exists()


def test_run_permissions_and_scope(personas: Any, county: Any, clean: Built) -> None:
    with pytest.raises(PermissionDenied):
        _run(personas.discipline, county)
    with pytest.raises(PermissionDenied):
        _run(personas.outsider, county)
    town_officer = make_user("town_officer", Role.CASE_OFFICER, county.other_town)
    with pytest.raises(NotFound):
        _run(town_officer, county)
    with pytest.raises(ValidationFailed):
        _run(personas.case_officer, county, end=TODAY + dt.timedelta(days=1))
    assert not LookbackRun.objects.exists()
    run = _run(personas.case_officer, county)
    assert lookback_run_get(actor=personas.discipline, pk=run.pk) == run
    with pytest.raises(NotFound):
        lookback_run_get(actor=town_officer, pk=run.pk)


def test_query_counts(
    personas: Any, county: Any, committee: Committee, make_cadre: Any, admin: Any, packs: None
) -> None:
    for name in ("张伟", "王芳"):
        cadre = full_cadre(make_cadre, admin, county.town_office, name=name)
        build_appointment(personas, county, committee, cadre, skip=("audit",))
    officer = personas.case_officer
    run = _run(officer, county)
    assert LookbackFinding.objects.filter(run=run).count() == 2
    officer = type(officer).objects.get(pk=officer.pk)
    with CaptureQueriesContext(connection) as ctx:
        found = lookback_run_get(actor=officer, pk=run.pk)
        groups = run_findings(actor=officer, run=found)
        names = [f.task.responsible for g in groups for f in g.findings]
    assert len(names) == 2
    # permissions (user, groups), scope, the run, the findings: whatever their number
    assert len(ctx.captured_queries) == 5


def test_a_run_reads_in_queries_that_do_not_grow_with_the_appointments(
    personas: Any, county: Any, committee: Committee, make_cadre: Any, admin: Any, packs: None
) -> None:
    """Facts, 纪实, rules, waivers, notices, memberships and recusal links are
    read for all appointments at once (decision 0134): four appointments in
    four cases decided on different days take the queries one takes."""
    officer = personas.case_officer

    def queries() -> tuple[int, int]:
        actor = type(officer).objects.get(pk=officer.pk)
        with CaptureQueriesContext(connection) as ctx:
            run = _run(actor, county)
        return run.appointments, len(ctx.captured_queries)

    first = full_cadre(make_cadre, admin, county.town_office, name="张伟")
    build_appointment(personas, county, committee, first, skip=("audit",))
    queries()  # the rule packs are parsed once per process
    one = queries()
    for n, name in enumerate(("王芳", "李强", "赵敏"), start=1):
        cadre = full_cadre(make_cadre, admin, county.town_office, name=name)
        decided = DECIDED + dt.timedelta(days=7 * n)
        build_appointment(personas, county, committee, cadre, decided=decided, skip=("audit",))
    four = queries()
    assert (one[0], four[0]) == (1, 4)
    assert four[1] == one[1]


# ---- pages and API ----------------------------------------------------------------


def _client(user: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_pages_list_run_and_task(
    personas: Any, county: Any, finding_task: RectificationTask
) -> None:
    from django.urls import reverse

    officer = _client(personas.case_officer)
    run = finding_task.finding.run
    listing = officer.get(reverse("supervision:lookback_list"))
    assert listing.status_code == 200
    assert run.name in listing.content.decode() and "开展回头看" in listing.content.decode()
    page = officer.get(reverse("supervision:lookback", args=[run.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "程序环节缺失" in body and "经济责任审计" in body and "待分派" in body
    task_url = reverse("supervision:rectification", args=[finding_task.pk])
    deadline = TODAY + dt.timedelta(days=5)
    done = officer.post(
        task_url,
        {"action": "assign", "responsible": personas.discipline.pk, "deadline": deadline},
    )
    assert done.status_code == 302
    finding_task.refresh_from_db()
    assert finding_task.responsible == personas.discipline and finding_task.deadline == deadline
    # the discipline commission reads the run, has no start form, closes its own task
    jiwei = _client(personas.discipline)
    listing = jiwei.get(reverse("supervision:lookback_list"))
    assert listing.status_code == 200 and "开始检查" not in listing.content.decode()
    assert jiwei.post(reverse("supervision:lookback_list"), {"name": "x"}).status_code == 403
    closed = jiwei.post(task_url, {"action": "close", "outcome": "已补做审计。"})
    assert closed.status_code == 302
    finding_task.refresh_from_db()
    assert finding_task.outcome == "已补做审计。"


def test_run_form_with_the_unit_picker_for_a_large_scope(
    personas: Any, county: Any, clean: Built, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beyond the <select>'s limit the form has the unit picker (decision
    0135); a unit outside the scope is a form error and starts nothing."""
    from django.urls import reverse

    monkeypatch.setattr("xuanren.web.pickers.UNIT_SELECT_MAX", 1)
    url = reverse("supervision:lookback_list")
    form = {"name": "回头看", "start": PERIOD[0], "end": PERIOD[1]}
    officer = _client(personas.case_officer)
    page = officer.get(url).content.decode()
    assert reverse("web:unit_picker") in page and "pickers.js" in page
    town_officer = _client(make_user("town_officer", Role.CASE_OFFICER, county.other_town))
    refused = town_officer.post(url, {**form, "unit": county.root.pk})
    assert refused.status_code == 422 and not LookbackRun.objects.exists()
    assert officer.post(url, {**form, "unit": "x" * 5000}).status_code == 422
    done = officer.post(url, {**form, "unit": county.root.pk})
    assert done.status_code == 302
    assert LookbackRun.objects.get().appointments == 1


def test_pages_refuse_out_of_scope_and_without_role(
    personas: Any, county: Any, finding_task: RectificationTask
) -> None:
    from django.urls import reverse

    run = finding_task.finding.run
    town_officer = make_user("town_officer", Role.CASE_OFFICER, county.other_town)
    other = _client(town_officer)
    assert other.get(reverse("supervision:lookback", args=[run.pk])).status_code == 404
    task_url = reverse("supervision:rectification", args=[finding_task.pk])
    assert other.get(task_url).status_code == 404
    refused = other.post(
        task_url, {"action": "assign", "responsible": town_officer.pk, "deadline": TODAY}
    )
    assert refused.status_code == 404
    outsider = _client(personas.outsider)
    assert outsider.get(reverse("supervision:lookback_list")).status_code == 403
    assert outsider.get(task_url).status_code == 404
    finding_task.refresh_from_db()
    assert finding_task.responsible is None


def test_api_run_findings_and_tasks(
    personas: Any, county: Any, committee: Committee, make_cadre: Any, admin: Any, packs: None
) -> None:
    cadre = full_cadre(make_cadre, admin, county.town_office, name="张伟")
    build_appointment(personas, county, committee, cadre, skip=("audit",))
    officer = _client(personas.case_officer)
    created = officer.post(
        "/api/v1/lookback/runs",
        {"name": "回头看", "unit": county.root.pk, "start": "2025-01-01", "end": "2025-12-31"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    run_id = created.json()["id"]
    detail = officer.get(f"/api/v1/lookback/runs/{run_id}").json()
    assert detail["appointments"] == 1
    [finding] = detail["findings"]
    assert finding["kind"] == "step_missing" and finding["kind_label"] == "程序环节缺失"
    task_id = finding["task"]["id"]
    assigned = officer.post(
        f"/api/v1/lookback/tasks/{task_id}/assign",
        {"responsible": personas.discipline.pk, "deadline": TODAY.isoformat()},
        content_type="application/json",
    )
    assert assigned.status_code == 200 and assigned.json()["deadline"] == TODAY.isoformat()
    town_officer = make_user("town_officer", Role.CASE_OFFICER, county.other_town)
    other = _client(town_officer)
    assert other.get(f"/api/v1/lookback/runs/{run_id}").status_code == 404
    refused = other.post(
        f"/api/v1/lookback/tasks/{task_id}/close",
        {"outcome": "x"},
        content_type="application/json",
    )
    assert refused.status_code == 404
    assert RectificationTask.objects.get(pk=task_id).closed_at is None
    bad = officer.post(
        "/api/v1/lookback/runs",
        {"name": "", "unit": county.root.pk, "start": "2025-12-31", "end": "2025-01-01"},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert LookbackRun.objects.count() == 1


def test_report_docx_and_pdf(personas: Any, county: Any, finding_task: RectificationTask) -> None:
    import io

    import docx
    from django.urls import reverse

    run = finding_task.finding.run
    officer = _client(personas.case_officer)
    got = officer.get(reverse("supervision:lookback_report", args=[run.pk, "docx"]))
    assert got.status_code == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(got.content)).paragraphs)
    assert run.name in text and "程序环节缺失" in text and "经济责任审计" in text
    assert "待分派" in text
    pdf = officer.get(reverse("supervision:lookback_report", args=[run.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert Event.objects.filter(event_type=EventType.DOCUMENT_GENERATED).count() == 2
    town_officer = make_user("town_officer", Role.CASE_OFFICER, county.other_town)
    other = _client(town_officer)
    assert (
        other.get(reverse("supervision:lookback_report", args=[run.pk, "docx"])).status_code == 404
    )
    assert Event.objects.filter(event_type=EventType.DOCUMENT_GENERATED).count() == 2


def test_filing_and_acknowledgement(
    personas: Any, county: Any, finding_task: RectificationTask
) -> None:
    import hashlib

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    run = finding_task.finding.run
    url = reverse("supervision:lookback", args=[run.pk])
    jiwei = _client(personas.discipline)
    assert jiwei.get(url).status_code == 200
    refused = jiwei.post(
        url, {"action": "acknowledge", "acknowledged_on": TODAY, "acknowledgement": "x"}
    )
    assert refused.status_code == 403
    officer = _client(personas.case_officer)
    early = officer.post(
        url, {"action": "acknowledge", "acknowledged_on": TODAY, "acknowledgement": "回执"}
    )
    assert early.status_code == 422
    run.refresh_from_db()
    assert run.acknowledged_on is None
    report = b"%PDF-1.7 report"
    filed = officer.post(
        url,
        {
            "action": "file",
            "filed_to": "中共青山市委组织部",
            "filed_on": TODAY,
            "document": "青组〔2026〕9号",
            "report": SimpleUploadedFile("report.pdf", report, content_type="application/pdf"),
        },
    )
    assert filed.status_code == 302
    acked = officer.post(
        url,
        {
            "action": "acknowledge",
            "acknowledged_on": TODAY,
            "acknowledgement": "市委组织部干部监督处已备案",
        },
    )
    assert acked.status_code == 302
    run.refresh_from_db()
    assert run.filed_to == "中共青山市委组织部" and run.filed_on == TODAY
    assert run.filed_sha256 == hashlib.sha256(report).hexdigest()
    assert run.acknowledged_on == TODAY and "已备案" in run.acknowledgement
    assert "已备案" in officer.get(url).content.decode()
    events = Event.objects.filter(
        event_type__in=[EventType.LOOKBACK_FILED, EventType.LOOKBACK_ACKNOWLEDGED]
    )
    assert events.count() == 2
