"""A case's ZIP of approval forms past XUANREN_FORMS_BACKGROUND_COUNT is made
in the background (docs/decisions/0104, 0105): offered on the GET, started
by the POST, with progress per form, cancel, retry, the journal line when it
is made, and the file only for its requester and administrators."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.documents.test_downloads import case_with_candidates  # noqa: F401 — fixture
from tests.exchange.test_background_jobs import Recorder, run
from tests.procedure.conftest import committee  # noqa: F401 — fixture
from xuanren.documents import services
from xuanren.exchange.jobs import import_job_retry
from xuanren.exchange.models import ImportJob, JobKind, JobStatus
from xuanren.journal.models import Event, EventType

pytestmark = pytest.mark.django_db


@pytest.fixture
def quick_forms(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rendering is tested elsewhere; here a form is a few bytes."""
    settings.XUANREN_FORMS_BACKGROUND_COUNT = 1
    monkeypatch.setattr(services, "render_form", lambda form, fmt: f"{fmt}:{form.name}".encode())


def generated() -> int:
    return Event.objects.filter(event_type=EventType.DOCUMENT_GENERATED).count()


@pytest.mark.usefixtures("quick_forms")
def test_a_large_forms_zip_is_offered_then_made_in_the_background(
    client: Client,
    personas: Any,
    admin: Any,
    case_with_candidates: Any,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case = case_with_candidates
    officer = personas.case_officer
    url = reverse("documents:case_approval_forms", args=[case.pk])
    client.force_login(officer)
    offer = client.get(url)
    page = offer.content.decode()
    assert offer.status_code == 200 and "共 2 份" in page and "在后台生成" in page
    assert not ImportJob.objects.exists() and generated() == 0
    response = client.post(url)
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("exchange:xlsx_job", args=[job.pk])
    assert job.kind == JobKind.FORMS_ZIP and job.rows_total == 2
    assert job.params == {"case": case.pk} and job.upload_name.endswith(".zip")
    recorder = Recorder(monkeypatch)
    job = run(job)
    assert job.status == JobStatus.SUCCEEDED
    assert recorder.of("generating") == [(0, 2), (1, 2), (2, 2)]
    event = Event.objects.get(event_type=EventType.DOCUMENT_GENERATED)
    assert event.actor_id == officer.pk and event.payload["document"] == "approval_forms_zip"
    page = client.get(response["Location"]).content.decode()
    download = reverse("exchange:job_download", args=[job.pk])
    assert download in page and "返回选任事项" in page
    got = client.get(download)
    assert got.status_code == 200 and got["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(got.content)) as z:
        assert z.namelist() == [
            "01-张伟-城关镇副镇长.docx", "01-张伟-城关镇副镇长.pdf",
            "02-王芳-城关镇副镇长.docx", "02-王芳-城关镇副镇长.pdf",
        ]  # fmt: skip
    for other in (personas.other_unit_hr, personas.outsider, personas.committee_member):
        client.force_login(other)
        assert client.get(download).status_code == 404
        assert client.get(response["Location"]).status_code == 404
    client.force_login(admin)
    assert client.get(download).status_code == 200


@pytest.mark.usefixtures("quick_forms")
def test_a_cancelled_forms_zip_journals_nothing_and_a_retry_makes_it(
    personas: Any,
    case_with_candidates: Any,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from xuanren.exchange.job_kinds import forms_zip_start

    officer = personas.case_officer
    job = forms_zip_start(actor=officer, case_pk=case_with_candidates.pk)
    with monkeypatch.context() as patch:
        Recorder(patch, cancel_at=1, stage="generating")
        job = run(job)
    assert job.status == JobStatus.CANCELLED and bytes(job.output) == b""
    assert generated() == 0
    job = run(import_job_retry(actor=officer, pk=job.pk))
    assert job.status == JobStatus.SUCCEEDED and bytes(job.output)[:2] == b"PK"
    assert generated() == 1


@pytest.mark.usefixtures("quick_forms")
def test_a_case_out_of_scope_starts_no_job(
    client: Client,
    personas: Any,
    case_with_candidates: Any,  # noqa: F811
    settings: Any,
) -> None:
    url = reverse("documents:case_approval_forms", args=[case_with_candidates.pk])
    client.force_login(personas.other_unit_hr)
    # The case selector's refusal, as for the ZIP itself (no case rights: 403).
    assert client.post(url).status_code == 403
    assert client.get(url).status_code == 403
    assert not ImportJob.objects.exists()
    settings.XUANREN_FORMS_BACKGROUND_COUNT = 10
    client.force_login(personas.case_officer)
    small = client.get(url)
    assert small.status_code == 200 and small["Content-Type"] == "application/zip"
    assert not ImportJob.objects.exists()
