"""A job's cancel and retry through the API, and the
screening's exclusion counts past the background threshold (decision 0139):
the same services as the web, the requester and administrators only (404
for anyone else, nothing changed), a refused action 409."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.api.conftest import API, bearer
from tests.conftest import County, Personas, make_user
from tests.exchange.test_background_jobs import cadres, count, run
from tests.web.test_candidates import (
    REF,
    Screening,
    make_candidate,
    screening,  # noqa: F401 (a fixture)
)
from xuanren.access.models import Role, Scope
from xuanren.access.services import api_token_issue
from xuanren.exchange.job_kinds import cadres_export_start
from xuanren.exchange.models import ImportJob, JobKind, JobStage, JobStatus
from xuanren.journal.models import Event, EventType
from xuanren.people.selectors import CadreFilters
from xuanren.policy.selectors import failure_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def thresholds(settings: Any) -> None:
    settings.XUANREN_EXPORT_BACKGROUND_ROWS = 3


def token(user: User, name: str = "任务") -> dict[str, Any]:
    _t, key = api_token_issue(actor=user, user=user, name=name)
    return bearer(key)


def export_job(officer: User, county: County) -> ImportJob:
    return cadres_export_start(
        actor=officer, filters=CadreFilters(unit_id=county.town.pk), filename="干部信息.xlsx"
    )


def state(job: ImportJob) -> Any:
    return ImportJob.objects.values(
        "status", "stage", "cancel_requested", "attempts", "rows_done", "finished_at"
    ).get(pk=job.pk)


# ---- cancel and retry ------------------------------------------------------------------


@pytest.mark.usefixtures("thresholds")
def test_cancel_a_queued_job_then_retry_it_then_it_runs(
    client: Client, county: County, personas: Personas, make_cadre: Any
) -> None:
    cadres(make_cadre, county, 4)
    officer = personas.case_officer
    auth = token(officer)
    job = export_job(officer, county)
    body = client.get(f"{API}/jobs/{job.pk}", **auth).json()
    assert body["can_cancel"] is True and body["can_retry"] is False
    cancelled = client.post(f"{API}/jobs/{job.pk}/cancel", **auth)
    assert cancelled.status_code == 200, cancelled.content
    body = cancelled.json()
    assert body["id"] == job.pk and body["status"] == "cancelled" and body["stage"] == "done"
    assert body["can_cancel"] is False and body["can_retry"] is True
    assert count(EventType.IMPORT_JOB_CANCELLED) == 1
    # The worker skips it; a second cancel is refused and changes nothing.
    assert run(job).status == JobStatus.CANCELLED and job.attempts == 0
    before = state(job)
    again = client.post(f"{API}/jobs/{job.pk}/cancel", **auth)
    assert again.status_code == 409
    assert again.json()["code"] == "conflict" and "不能取消" in again.json()["message"]
    assert state(job) == before and count(EventType.IMPORT_JOB_CANCELLED) == 1
    # The retry queues it again (a second task), and then it runs.
    retried = client.post(f"{API}/jobs/{job.pk}/retry", **auth)
    assert retried.status_code == 200, retried.content
    assert retried.json()["status"] == "queued" and retried.json()["stage"] == "waiting"
    assert retried.json()["can_cancel"] is True
    assert count(EventType.IMPORT_JOB_RETRIED) == 1 and DBTaskResult.objects.count() == 2
    job = run(job)
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 1
    assert count(EventType.DATA_EXPORTED) == 1
    # Finished: neither a cancel nor a retry; nothing changes.
    before = state(job)
    for action in ("cancel", "retry"):
        refused = client.post(f"{API}/jobs/{job.pk}/{action}", **auth)
        assert refused.status_code == 409, action
        assert refused.json()["message"]
    assert state(job) == before
    assert count(EventType.IMPORT_JOB_CANCELLED) == 1 and count(EventType.IMPORT_JOB_RETRIED) == 1


@pytest.mark.usefixtures("thresholds")
def test_cancel_a_running_job_stops_it_at_its_next_report(
    client: Client, county: County, personas: Personas, make_cadre: Any
) -> None:
    cadres(make_cadre, county, 4)
    officer = personas.case_officer
    job = export_job(officer, county)
    ImportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, stage=JobStage.GENERATING, heartbeat_at=timezone.now()
    )
    response = client.post(f"{API}/jobs/{job.pk}/cancel", **token(officer))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "running" and response.json()["can_cancel"] is False
    job.refresh_from_db()
    assert job.cancel_requested and job.status == JobStatus.RUNNING


@pytest.mark.usefixtures("thresholds")
def test_a_running_job_is_not_retried_and_an_interrupted_one_is(
    client: Client, county: County, personas: Personas, make_cadre: Any, settings: Any
) -> None:
    cadres(make_cadre, county, 4)
    officer = personas.case_officer
    auth = token(officer)
    job = export_job(officer, county)
    ImportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, attempts=1, heartbeat_at=timezone.now()
    )
    before = state(job)
    assert client.post(f"{API}/jobs/{job.pk}/retry", **auth).status_code == 409
    assert state(job) == before and DBTaskResult.objects.count() == 1
    # What a killed worker leaves: running, silent for longer than the limit.
    long_ago = timezone.now() - dt.timedelta(seconds=settings.XUANREN_JOB_STALE_SECONDS + 5)
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=long_ago)
    assert client.get(f"{API}/jobs/{job.pk}", **auth).json()["interrupted"] is True
    assert client.post(f"{API}/jobs/{job.pk}/cancel", **auth).status_code == 409
    retried = client.post(f"{API}/jobs/{job.pk}/retry", **auth)
    assert retried.status_code == 200 and retried.json()["status"] == "queued"
    assert run(job).status == JobStatus.SUCCEEDED


@pytest.mark.usefixtures("thresholds")
def test_only_the_requester_and_administrators_may_cancel_or_retry(
    client: Client, county: County, personas: Personas, make_cadre: Any, admin: User
) -> None:
    cadres(make_cadre, county, 4)
    officer = personas.case_officer
    job = export_job(officer, county)
    colleague = make_user("officer2", Role.CASE_OFFICER, county.root)  # the same scope
    others = [token(u, f"他人{u.pk}") for u in (colleague, personas.other_unit_hr)]
    others.append(token(personas.outsider, "无角色"))
    auth = token(officer)
    before, events = state(job), Event.objects.count()  # tokens issued (journaled) first
    for other in others:
        for action in ("cancel", "retry"):
            refused = client.post(f"{API}/jobs/{job.pk}/{action}", **other)
            assert refused.status_code == 404, (action, refused.content)
            assert refused.json()["code"] == "not_found"
    # No credentials: 401; an unknown job: 404; a GET is not an action.
    assert client.post(f"{API}/jobs/{job.pk}/cancel").status_code == 401
    assert client.post(f"{API}/jobs/{job.pk + 1000}/cancel", **auth).status_code == 404
    assert client.get(f"{API}/jobs/{job.pk}/cancel", **auth).status_code == 405
    assert client.post(f"{API}/jobs/x/cancel", **auth).status_code == 404
    assert state(job) == before and Event.objects.count() == events
    # An administrator may (the web's rule).
    client.force_login(admin)
    cancelled = client.post(f"{API}/jobs/{job.pk}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    event = Event.objects.get(event_type=EventType.IMPORT_JOB_CANCELLED)
    assert event.actor_id == admin.pk


@pytest.mark.usefixtures("thresholds")
def test_a_session_cancel_needs_the_csrf_token(
    county: County, personas: Personas, make_cadre: Any
) -> None:
    cadres(make_cadre, county, 4)
    officer = personas.case_officer
    job = export_job(officer, county)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(officer)
    refused = strict.post(f"{API}/jobs/{job.pk}/cancel")
    assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and not job.cancel_requested


@pytest.mark.usefixtures("thresholds")
def test_cancel_and_retry_query_counts(
    client: Client, county: County, personas: Personas, make_cadre: Any
) -> None:
    cadres(make_cadre, county, 4)
    officer = personas.case_officer
    auth = token(officer)
    job = export_job(officer, county)
    with CaptureQueriesContext(connection) as cancel:
        assert client.post(f"{API}/jobs/{job.pk}/cancel", **auth).status_code == 200
    with CaptureQueriesContext(connection) as retry:
        assert client.post(f"{API}/jobs/{job.pk}/retry", **auth).status_code == 200
    # Token, the job read and locked, the update, the journal (head, event);
    # the retry also enqueues the task and stores its id. The same on both databases.
    assert len(cancel.captured_queries) == 12, [q["sql"] for q in cancel.captured_queries]
    assert len(retry.captured_queries) == 14, [q["sql"] for q in retry.captured_queries]


def test_cancel_and_retry_are_in_the_openapi_document(client: Client) -> None:
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    for action in ("cancel", "retry"):
        operation = paths[f"/api/v1/jobs/{{job_id}}/{action}"]["post"]
        assert {"200", "401", "403", "404", "409"} <= set(operation["responses"])
        assert operation["summary"] and operation["description"]
    screen = paths["/api/v1/posts/{post_id}/screen"]["get"]["responses"]["200"]
    assert screen["content"]["application/json"]["schema"]


# ---- the screening's exclusion counts past the threshold (decision 0139) ---------------------


@pytest.fixture
def large(settings: Any) -> None:
    """A screening of more than 4 candidates counts in the background (the
    screening fixture has 5)."""
    settings.XUANREN_SCREENING_BACKGROUND_CANDIDATES = 4


def screen(client: Client, county: County, auth: dict[str, Any], **extra: Any) -> Any:
    params = {"ref_date": REF.isoformat(), **extra}
    return client.get(f"{API}/posts/{county.town_secretary.pk}/screen", params, **auth)


def counts_jobs() -> list[ImportJob]:
    return list(ImportJob.objects.filter(kind=JobKind.SCREENING_COUNTS).order_by("pk"))


def test_at_the_threshold_the_counts_are_made_in_the_request(
    client: Client,
    county: County,
    personas: Personas,
    screening: Screening,  # noqa: F811
    settings: Any,
) -> None:
    settings.XUANREN_SCREENING_BACKGROUND_CANDIDATES = 5  # the fixture's 5 candidates
    officer = personas.case_officer
    response = screen(client, county, token(officer))
    assert response.status_code == 200, response.content
    body = response.json()
    expected = failure_counts(actor=officer, post=county.town_secretary, ref=REF)
    assert [(f["rule_id"], f["failing"]) for f in body["failure_counts"]] == [
        (rc.rule.id, rc.failing) for rc in expected
    ]
    assert body["counts_considered"] == 5 and body["counts_job"] is None
    assert counts_jobs() == []


def test_past_the_threshold_the_api_answers_with_the_job_then_its_counts(
    client: Client,
    county: County,
    personas: Personas,
    screening: Screening,  # noqa: F811
    large: None,
) -> None:
    officer = personas.case_officer
    auth = token(officer)
    events = Event.objects.count()
    with CaptureQueriesContext(connection) as ctx:
        response = screen(client, county, auth)
    assert response.status_code == 200, response.content
    # No aggregate in the request.
    assert not any("FILTER" in q["sql"] or "COUNT(CASE" in q["sql"] for q in ctx.captured_queries)
    body = response.json()
    [job] = counts_jobs()
    assert job.created_by == officer and job.status == JobStatus.QUEUED
    assert job.params["post"] == county.town_secretary.pk and job.params["ref"] == REF.isoformat()
    assert Event.objects.count() == events + 1  # exchange.job_started
    assert body["count"] == len(body["items"]) == 3  # the list as before
    assert body["failure_counts"] and all(f["failing"] is None for f in body["failure_counts"])
    assert body["counts_considered"] is None
    assert body["counts_job"]["id"] == job.pk and body["counts_job"]["kind"] == "screening_counts"
    assert body["counts_job"]["links"]["status"] == f"{API}/jobs/{job.pk}"
    # Asked again (another page of the list) while it waits: the same job.
    again = screen(client, county, auth, offset=1).json()
    assert again["counts_job"]["id"] == job.pk and len(counts_jobs()) == 1
    # The worker counts; the next answer carries the counts, no new job.
    run(job)
    done = screen(client, county, auth).json()
    expected = failure_counts(actor=officer, post=county.town_secretary, ref=REF)
    assert [(f["rule_id"], f["failing"]) for f in done["failure_counts"]] == [
        (rc.rule.id, rc.failing) for rc in expected
    ]
    assert done["counts_considered"] == 5 and done["counts_job"]["status"] == "succeeded"
    assert len(counts_jobs()) == 1
    # The job's status endpoint shows it to its requester.
    status = client.get(f"{API}/jobs/{job.pk}", **auth).json()
    assert status["result"]["considered"] == 5
    # Another reference date is another count.
    screen(client, county, auth, ref_date="2025-01-01")
    assert len(counts_jobs()) == 2


def test_a_cancelled_or_too_old_count_is_started_again(
    client: Client,
    county: County,
    personas: Personas,
    screening: Screening,  # noqa: F811
    large: None,
    settings: Any,
) -> None:
    auth = token(personas.case_officer)
    first = screen(client, county, auth).json()["counts_job"]
    assert client.post(f"{API}/jobs/{first['id']}/cancel", **auth).status_code == 200
    second = screen(client, county, auth).json()["counts_job"]
    assert second["id"] != first["id"] and second["status"] == "queued"
    [_cancelled, job] = counts_jobs()
    run(job)
    assert screen(client, county, auth).json()["counts_job"]["id"] == job.pk
    ImportJob.objects.filter(pk=job.pk).update(
        finished_at=timezone.now()
        - dt.timedelta(seconds=settings.XUANREN_SCREENING_COUNTS_MAX_AGE + 5)
    )
    third = screen(client, county, auth).json()
    assert third["counts_job"]["id"] not in (first["id"], job.pk)
    assert all(f["failing"] is None for f in third["failure_counts"])


def test_counts_jobs_are_the_requesters_and_stay_in_scope(
    client: Client,
    county: County,
    personas: Personas,
    admin: User,
    screening: Screening,  # noqa: F811
    large: None,
) -> None:
    officer = personas.case_officer
    auth = token(officer)
    job_id = screen(client, county, auth).json()["counts_job"]["id"]
    run(ImportJob.objects.get(pk=job_id))
    colleague = make_user("officer2", Role.CASE_OFFICER, county.root)  # the same scope
    users = (colleague, admin, personas.other_unit_hr, personas.outsider)
    others = [token(user, f"他人{user.pk}") for user in users]
    before = (Event.objects.count(), ImportJob.objects.count())  # tokens issued first
    for other in others:
        for path in (f"/jobs/{job_id}", f"/jobs/{job_id}/download"):
            assert client.get(API + path, **other).status_code == 404, path
        for action in ("cancel", "retry"):
            assert client.post(f"{API}/jobs/{job_id}/{action}", **other).status_code == 404
    assert (Event.objects.count(), ImportJob.objects.count()) == before
    # Out of scope: 404, no role: 403 — and no job started.
    assert screen(client, county, others[2]).status_code == 404
    assert screen(client, county, others[3]).status_code == 403
    assert (Event.objects.count(), ImportJob.objects.count()) == before
    # The colleague's own screening is their own job, never the officer's counts.
    theirs = screen(client, county, others[0]).json()["counts_job"]
    assert theirs["id"] != job_id and theirs["status"] == "queued"
    # The requester's scope moves: the counts made for the county are not shown.
    Scope.objects.filter(user=officer).update(unit=county.town)
    assert client.get(f"{API}/jobs/{job_id}", **auth).status_code == 404


def test_background_screen_queries_do_not_grow(
    client: Client,
    admin: User,
    county: County,
    personas: Personas,
    make_cadre: Any,
    large: None,
) -> None:
    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            make_candidate(admin, make_cadre, county.town, name=f"候选{i}",
                           birth=dt.date(1986, 1, 1) + dt.timedelta(days=11 * i))  # fmt: skip

    auth = token(personas.case_officer)
    add(5, 0)
    screen(client, county, auth)  # starts the job, warms the parsed-rules cache
    run(counts_jobs()[0])
    with CaptureQueriesContext(connection) as few:
        assert screen(client, county, auth).status_code == 200
    add(10, 5)
    with CaptureQueriesContext(connection) as many:
        body = screen(client, county, auth).json()
    assert body["counts_considered"] == 5  # the result as counted
    assert len(many.captured_queries) == len(few.captured_queries)
