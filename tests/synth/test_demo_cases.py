"""The demo's cases: on a seeded county, build_demo_cases leaves one case at
each stage, all through the services, and the journal verifies."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache

from xuanren.journal.models import Event, EventType
from xuanren.journal.services import journal_verify
from xuanren.people.models import Tenure
from xuanren.procedure.models import (
    AuditRequest,
    CandidateStatus,
    Case,
    CaseStatus,
    MotionProposal,
    MotionProposalStatus,
)
from xuanren.procedure.selectors import case_record
from xuanren.procedure.services import template_def
from xuanren.procedure.todo import TodoKind, todo_for
from xuanren.statistics.selection import selection_report
from xuanren.statistics.selection_tally import Period
from xuanren.supervision.models import ReportStatus
from xuanren.supervision.selectors import running_notices
from xuanren.synth.cases import build_demo_cases
from xuanren.synth.demo import demo_users
from xuanren.synth.history import NUMBER_PREFIX
from xuanren.synth.loader import seed

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 11, 27)


@pytest.fixture(autouse=True)
def fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_cache() -> Any:
    cache.clear()  # the online report counts against a rate limit
    yield
    cache.clear()


@pytest.fixture
def county(monkeypatch: pytest.MonkeyPatch) -> Any:
    """A small county and the demo accounts (whose creation builds no case:
    the builder is called below, on a fixed day)."""
    root = seed(cadres=1500, units=60, seed=7, as_of=ON).root
    monkeypatch.setattr("xuanren.synth.demo.build_demo_cases", lambda **kwargs: [])
    demo_users()
    return root


def test_one_case_at_every_stage(county: Any, django_user_model: Any) -> None:
    admin = django_user_model.objects.get(username="admin")
    officer = django_user_model.objects.get(username="officer")
    built = build_demo_cases(admin=admin, county_root=county, on=ON)
    stages = {d.stage: d.case for d in built}
    assert list(stages) == [
        "confirmed", "probation", "public_notice", "decision", "inspection", "motion",
        "integrity_opinion", "audit",
    ]  # fmt: skip
    for stage, case in stages.items():
        case.refresh_from_db()
        assert case.officer == officer and case.unit.path.startswith(county.path), stage
    current = {stage: case.current_step for stage, case in stages.items()}
    assert current == {
        "confirmed": "", "probation": "probation_end", "public_notice": "public_notice",
        "decision": "decision", "inspection": "inspection", "motion": "motion",
        "integrity_opinion": "integrity_opinion", "audit": "audit",
    }  # fmt: skip
    templates = {stage: case.template.code for stage, case in stages.items()}
    assert set(templates.values()) == {"county-leading", "section-level", "competitive"}

    # Closed: confirmed after probation; its 纪实 lists every step with its event.
    closed = stages["confirmed"]
    assert closed.status == CaseStatus.CLOSED
    statuses = sorted(closed.candidates.values_list("status", flat=True))
    assert statuses == sorted(
        [CandidateStatus.CONFIRMED, CandidateStatus.REJECTED, CandidateStatus.EXCLUDED]
    )
    record = case_record(actor=officer, pk=closed.pk)
    assert [s.step for s in record.steps] == [s.code for s in template_def(closed.template).steps]
    for s in record.steps:
        event = Event.objects.get(hash=s.journal_hash)
        assert (event.event_type, event.payload["step"]) == (EventType.STEP_COMPLETED, s.step)
    winner = closed.candidates.get(status=CandidateStatus.CONFIRMED)
    decided = dt.date.fromisoformat(closed.steps.get(step="decision").data["meeting_date"])
    tenure = Tenure.objects.get(cadre=winner.cadre, post=winner.post)
    assert (tenure.start_date, tenure.end_date) == (decided, None)
    assert tenure.probation_until is not None and tenure.probation_until < ON
    assert closed.reports.get().status == ReportStatus.CLOSED

    # In probation, ending within the month: on the officer's to-do list.
    on_probation = stages["probation"].candidates.get(status=CandidateStatus.APPOINTED)
    until = Tenure.objects.get(cadre=on_probation.cadre, post=on_probation.post).probation_until
    assert until is not None and ON < until <= ON + dt.timedelta(days=30)
    kinds = {item.kind for item in todo_for(actor=officer, on=ON)}
    assert {TodoKind.PROBATION_ENDING, TodoKind.NOTICE_ENDING} <= kinds

    # The notice runs from today on the public page; a report is being handled.
    noticed = stages["public_notice"]
    (notice,) = running_notices(on=ON)
    assert notice.case_id == noticed.pk and notice.start == ON
    assert noticed.reports.get().status == ReportStatus.INVESTIGATING

    # Recusal is detectable: some of the standing committee are linked to cadres.
    # (The history adds the earlier terms of office, all ended.)
    members = closed.committee.memberships.filter(end_date=None)
    assert members.count() == 11 and members.exclude(cadre=None).exists()

    assert journal_verify().ok
    assert build_demo_cases(admin=admin, county_root=county, on=ON) == []  # idempotent
    # Eight stages, and the township HR contact's case where its unit has a
    # vacancy (xuanren/synth/role_tasks.py).
    hr_cases = MotionProposal.objects.filter(status=MotionProposalStatus.ACCEPTED).count()
    history = Case.objects.filter(number__startswith=NUMBER_PREFIX)
    assert hr_cases <= 1 and Case.objects.exclude(pk__in=history).count() == 8 + hr_cases

    # Thirteen years of past decisions at the seed's rates (issue 14), closed,
    # every step record reconciled with its event (journal_verify above).
    assert history.count() == 88 and not history.exclude(status=CaseStatus.CLOSED).exists()
    stats = selection_report(
        actor=officer, period=Period(dt.date(ON.year - 13, 1, 1), dt.date(ON.year - 1, 12, 31))
    ).stats
    d = stats.decisions
    assert 88 <= d.meetings <= 90 and 3154 <= d.put_to_vote <= 3160
    assert d.deferred.part >= 82 and d.deferred.percent == "2.6%"
    assert 5 <= d.rejected.part <= 7 and d.rejected.percent in ("0.1%", "0.2%")
    assert d.ballots > 30000 and d.against_or_abstaining.percent == "1.2%"
    assert stats.integrity.vetoes.part == 1
    assert stats.reports_received >= 32 and stats.reports_investigated.part >= 7
    assert stats.probation.ended >= 43 and stats.probation.removed.part == 1
    assert stats.deferred_after.passed_later.part > 30
    assert stats.deferred_after.punished_later.part >= 10
    assert [y.year for y in stats.years] == list(range(ON.year - 13, ON.year))
    assert all(6 <= y.decisions.meetings <= 9 for y in stats.years)

    # A round of opinion letters and last year's 一报告两评议 (issue 14).
    from xuanren.supervision.appraisal_selectors import appraisal_result
    from xuanren.supervision.models_opinion import Appraisal, OpinionRound
    from xuanren.supervision.opinion_selectors import round_tally

    (round_,) = OpinionRound.objects.all()
    tally = round_tally(actor=officer, round=round_)
    assert (tally.issued, tally.returned, tally.opinions, tally.answered) == (300, 262, 15, 9)
    (appraisal,) = Appraisal.objects.filter(year=ON.year - 1, unit=county)
    result = appraisal_result(actor=officer, appraisal=appraisal)
    assert result.cadres and all(c.row.participants == 126 for c in result.cadres)
    assert result.work.satisfaction.percent != "—"

    # Two finished training classes, each participant with the class's training row.
    from xuanren.people.models import TrainingClass

    classes = list(TrainingClass.objects.order_by("start_date"))
    assert [c.participants.count() for c in classes] == [24, 16]
    for made in classes:
        for p in made.participants.select_related("training"):
            row = p.training
            assert row is not None and row.cadre_id == p.cadre_id
            assert (row.year, row.hours) == (made.end_date.year, made.hours)

    # Last year's annual assessment of one county bureau, finished within its quota (decision 0150).
    from xuanren.assessment.models import AssessmentRound
    from xuanren.assessment.selectors import round_sheet

    (assessment,) = AssessmentRound.objects.all()
    sheet = round_sheet(actor=officer, round=assessment)
    assert assessment.year == ON.year - 1 and sheet.assessed >= 5
    assert sheet.confirmed == sheet.assessed and sheet.excellent <= sheet.quota
    # A cadre under observation (due within the month, in the officer's 待办) and
    # one whose observation ended with a move to a non-leadership post (issue 15).
    from xuanren.observation.models import Observation

    finished, running = Observation.objects.order_by("talk_date").select_related("ended_tenure")
    assert (finished.status, finished.outcome, finished.new_rank) == (
        "closed",
        "moved",
        "一级主任科员",
    )
    assert finished.ended_tenure is not None
    assert finished.ended_tenure.end_date == finished.outcome_on
    assert finished.cadre.rank == "一级主任科员"
    assert running.status == "open" and 0 < (running.ends_on - ON).days <= 30
    due = [i for i in todo_for(actor=officer, on=ON) if i.kind == TodoKind.OBSERVATION_DUE]
    assert [i.due for i in due] == [running.ends_on]

    # Three month-long temporary postings, one at a unit outside the system.
    from xuanren.people.models import TemporaryPosting

    postings = list(TemporaryPosting.objects.select_related("host_unit"))
    assert len(postings) == 3
    assert sum(p.host_unit is None for p in postings) == 1
    assert all((p.end_date - p.start_date).days == 29 and p.end_date < ON for p in postings)


def test_the_demo_command_builds_them(django_user_model: Any) -> None:
    """`xuanren demo` seeds, creates the accounts, then the cases (once)."""
    from io import StringIO

    from django.core.management import call_command

    live = Case.objects.exclude(number__startswith=NUMBER_PREFIX)
    history = Case.objects.filter(number__startswith=NUMBER_PREFIX)
    call_command("demo", "--no-serve", "--cadres", "1500", stdout=StringIO())
    assert live.count() == 9  # eight stages and the HR contact's case
    assert history.count() == 88  # and the past years' batches (issue 14)
    assert AuditRequest.objects.count() == 1
    call_command("demo", "--no-serve", "--cadres", "1500", stdout=StringIO())
    assert (live.count(), history.count()) == (9, 88)
    assert AuditRequest.objects.count() == 1
    assert journal_verify().ok
    # Every writer the demo went through (the seeder, the past years' cases,
    # the cases' appointments and probation assessments, the observations and
    # rotations) kept 待办's reminders as the records give them (decision 0195).
    from xuanren.reminders.kept import reminders_differences
    from xuanren.reminders.models import KeptReminder

    assert reminders_differences() == []
    assert KeptReminder.objects.filter(kind="probation_ending", case__isnull=False).exists()
    # Every demo account has a real name; the committee member is the member on record.
    from xuanren.access.names import display_name
    from xuanren.synth.demo import DEMO_NAMES

    users = {u.username: u for u in django_user_model.objects.all()}
    assert display_name(users["officer"]) == "王建华"
    assert all(display_name(users[name]) != name for name in DEMO_NAMES)
    member = users["member"]
    membership = member.committee_memberships.get()
    assert member.person.cadre is not None
    assert display_name(member) == membership.name == member.person.cadre.name


def test_the_demo_leaves_a_task_for_each_role(county: Any, django_user_model: Any) -> None:
    """Issue 11: a newcomer who logs in as any demo account sees something to
    do, and can open it."""
    from django.test import Client

    admin = django_user_model.objects.get(username="admin")
    build_demo_cases(admin=admin, county_root=county, on=ON)
    expected = {
        "admin": TodoKind.REPORT_TO_HANDLE,  # superuser: sees the department's lists
        "officer": TodoKind.PROBATION_ENDING,
        "jiwei": TodoKind.REPORT_TO_HANDLE,
        "member": TodoKind.BALLOT_OPEN,
        "participant": TodoKind.BALLOT_OPEN,
        # The unit's case is opened only where the unit has a vacancy
        # (decision 0069); the proposal waiting on the officer is always there.
        "hr": TodoKind.PROPOSAL_WAITING,
        "inspector": TodoKind.INSPECTION_ASSIGNED,
        "audit": TodoKind.AUDIT_REQUESTED,
    }
    for username, kind in expected.items():
        user = django_user_model.objects.get(username=username)
        kinds = {item.kind for item in todo_for(actor=user, on=ON)}
        assert kinds, username
        if username != "admin":
            assert kind in kinds, (username, kinds)
        client = Client()
        client.force_login(user)
        assert "暂无待办事项" not in client.get("/").content.decode(), username
    jiwei = django_user_model.objects.get(username="jiwei")
    assert TodoKind.INTEGRITY_DUE in {i.kind for i in todo_for(actor=jiwei, on=ON)}
    # an opinion of the demo round waits for its answer (docs/decisions/0130)
    assert TodoKind.OPINION_DUE in {i.kind for i in todo_for(actor=jiwei, on=ON)}

    # The audit office's task is the request of a principal post's case at
    # the audit step: listed on its home, and its answer page opens.
    auditor = django_user_model.objects.get(username="audit")
    (item,) = [i for i in todo_for(actor=auditor, on=ON) if i.kind == TodoKind.AUDIT_REQUESTED]
    (request,) = AuditRequest.objects.all()
    assert item.case == request.case and request.case.current_step == "audit"
    assert item.link == f"/audit/{request.pk}/"
    assert request.candidates.exists()
    assert all(c.post.is_principal for c in request.candidates.all())
    client = Client()
    client.force_login(auditor)
    home = client.get("/").content.decode()
    assert request.case.number in home and f"/audit/{request.pk}/" in home
    page = client.get(f"/audit/{request.pk}/")
    assert page.status_code == 200
    assert request.document in page.content.decode()
    # ...and the audit office can answer it: the case moves past the audit.
    from xuanren.procedure.assignments import audit_request_answer

    case = request.case
    clean = {"concluded_on": ON, "report": "审经责〔2026〕9号", "problems": ""}
    audit_request_answer(
        actor=auditor, request=request,
        audits=[{"candidate": c.pk, **clean} for c in request.candidates.all()],
        attachment={"name": "审计报告.pdf", "content": b"%PDF-1.4 demo",
                    "content_type": "application/pdf"},
    )  # fmt: skip
    case.refresh_from_db()
    assert case.current_step == "deliberation"
