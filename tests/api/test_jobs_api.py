"""Long work through the API runs in the background past the web's
thresholds (docs/decisions/0104, 0116): LRMX ZIP uploads and confirms,
cadre and roster exports and a case's forms ZIP answer 202 with the job;
one status endpoint for every kind (the XLSX one stays as an alias); a
download endpoint for a finished job's file, only for its requester and
administrators (404 for anyone else, before the file is read)."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from tests.api.conftest import API, bearer
from tests.conftest import County, Personas
from tests.documents.conftest import full_cadre  # noqa: F401 — fixture
from tests.documents.test_downloads import case_with_candidates  # noqa: F401 — fixture
from tests.exchange.test_background_jobs import Recorder, cadres, count, lrmx_zip, run
from tests.procedure.conftest import committee  # noqa: F401 — fixture
from xuanren.access.services import api_token_issue
from xuanren.documents import services as document_services
from xuanren.exchange import job_kinds, jobs, xlsx_export
from xuanren.exchange.models import ImportBatch, ImportJob, ImportStatus, JobKind
from xuanren.journal.models import EventType
from xuanren.people.models import Cadre

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def thresholds(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.XUANREN_EXPORT_BACKGROUND_ROWS = 3
    settings.XUANREN_LRMX_BACKGROUND_FILES = 2
    settings.XUANREN_FORMS_BACKGROUND_COUNT = 1
    monkeypatch.setattr(xlsx_export, "PROGRESS_ROWS", 2)
    # Rendering is tested elsewhere; here a form is a few bytes.
    monkeypatch.setattr(
        document_services, "render_form", lambda form, fmt: f"{fmt}:{form.name}".encode()
    )


def token(user: User, name: str = "任务") -> dict[str, Any]:
    _t, key = api_token_issue(actor=user, user=user, name=name)
    return bearer(key)


def status_of(client: Client, job_id: int, auth: dict[str, Any]) -> Any:
    response = client.get(f"{API}/jobs/{job_id}", **auth)
    assert response.status_code == 200, response.content
    return response.json()


def refused_to_others(client: Client, personas: Personas, job: ImportJob) -> None:
    """Another user, one with no role, and an unknown id: 404 on the status
    and the download, and the job is unchanged."""
    before = ImportJob.objects.values("status", "attempts", "rows_done").get(pk=job.pk)
    for user in (personas.other_unit_hr, personas.outsider):
        auth = token(user, f"他人{user.pk}")
        for path in (f"/jobs/{job.pk}", f"/jobs/{job.pk}/download", f"/xlsx/jobs/{job.pk}"):
            got = client.get(API + path, **auth)
            assert got.status_code == 404, (user, path, got.content)
            assert got.json()["code"] == "not_found" and got.json()["message"]
    assert ImportJob.objects.values("status", "attempts", "rows_done").get(pk=job.pk) == before


# ---- exports ------------------------------------------------------------------------------


@pytest.mark.usefixtures("thresholds")
def test_small_exports_are_still_files_in_the_request(
    client: Client, county: County, personas: Personas, make_cadre: Any
) -> None:
    cadres(make_cadre, county, 3)
    auth = token(personas.case_officer)
    got = client.get(f"{API}/xlsx/cadres.xlsx", {"unit": county.town.pk}, **auth)
    assert got.status_code == 200 and got["Content-Type"] == XLSX
    got = client.get(f"{API}/xlsx/units/{county.town.pk}/roster.xlsx", **auth)
    assert got.status_code == 200 and got["Content-Type"] == XLSX
    assert not ImportJob.objects.exists() and count(EventType.DATA_EXPORTED) == 2


@pytest.mark.usefixtures("thresholds")
def test_a_large_cadre_export_answers_202_then_reports_progress_then_downloads(
    client: Client,
    county: County,
    personas: Personas,
    make_cadre: Any,
    admin: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cadres(make_cadre, county, 4)
    officer = personas.case_officer
    auth = token(officer)
    url = f"{API}/xlsx/cadres.xlsx"
    response = client.get(url, {"unit": county.town.pk}, **auth)
    assert response.status_code == 202, response.content
    body = response.json()
    job = ImportJob.objects.get()
    assert body["id"] == job.pk and body["kind"] == "cadres_export"
    assert body["kind_label"] == "干部名单导出" and body["status"] == "queued"
    assert body["rows_total"] == 4 and body["percent"] == 0
    assert body["links"] == {"status": f"{API}/jobs/{job.pk}", "download": None, "batch": None}
    assert body["url"] == f"{API}/jobs/{job.pk}"
    assert count(EventType.DATA_EXPORTED) == 0 and count(EventType.IMPORT_JOB_STARTED) == 1
    # Asked again while it is queued: the same job, not a second one.
    again = client.get(url, {"unit": county.town.pk}, **auth)
    assert again.status_code == 202 and again.json()["id"] == job.pk
    assert ImportJob.objects.count() == 1 and DBTaskResult.objects.count() == 1
    # Other filters are another job.
    other = client.get(url, {"unit": str(county.town.pk), "sex": "male"}, **auth)
    assert other.status_code == 202 and other.json()["id"] != job.pk
    ImportJob.objects.exclude(pk=job.pk).delete()
    # Nothing to download before it is done; the alias answers the same.
    assert client.get(f"{API}/jobs/{job.pk}/download", **auth).status_code == 404
    assert client.get(f"{API}/xlsx/jobs/{job.pk}", **auth).json()["status"] == "queued"
    recorder = Recorder(monkeypatch)
    seen: list[tuple[str, str, int, int]] = []

    class Polled(jobs.JobProgress):  # the Recorder's, wrapped
        """While the task runs, the client polls: the job is running and moving."""

        def __call__(self, stage: str, done: int, total: int) -> None:
            super().__call__(stage, done, total)
            now = status_of(client, job.pk, auth)
            seen.append((now["status"], now["stage"], now["rows_done"], now["percent"]))

    monkeypatch.setattr(jobs, "JobProgress", Polled)
    run(job)
    assert seen == [
        ("running", "generating", 0, 0),
        ("running", "generating", 2, 50),
        ("running", "generating", 4, 100),
    ]
    assert recorder.of("generating") == [(0, 4), (2, 4), (4, 4)]
    body = status_of(client, job.pk, auth)
    assert body["status"] == "succeeded" and body["percent"] == 100
    assert body["result"] == {"rows": 4} and body["finished_at"]
    assert body["links"]["download"] == f"{API}/jobs/{job.pk}/download"
    got = client.get(body["links"]["download"], **auth)
    assert got.status_code == 200 and got["Content-Type"] == XLSX
    assert "no-store" in got["Cache-Control"] and "attachment" in got["Content-Disposition"]
    assert got.content[:2] == b"PK" and count(EventType.DATA_EXPORTED) == 1
    refused_to_others(client, personas, job)
    client.force_login(admin)
    assert client.get(f"{API}/jobs/{job.pk}/download").status_code == 200
    assert client.get(f"{API}/jobs/{job.pk}").json()["status"] == "succeeded"


@pytest.mark.usefixtures("thresholds")
def test_a_large_roster_answers_202_and_its_file_is_the_requesters(
    client: Client, county: County, personas: Personas, make_cadre: Any
) -> None:
    cadres(make_cadre, county, 4)
    auth = token(personas.case_officer)
    url = f"{API}/xlsx/units/{county.town.pk}/roster.xlsx"
    response = client.get(url, {"on": "2026-11-01"}, **auth)
    assert response.status_code == 202, response.content
    job = ImportJob.objects.get()
    assert job.kind == JobKind.ROSTER_EXPORT and response.json()["kind_label"] == "干部花名册导出"
    assert job.params == {"unit": county.town.pk, "on": "2026-11-01"}
    assert job.upload_name == "roster-T1.xlsx"
    run(job)
    body = status_of(client, job.pk, auth)
    assert body["status"] == "succeeded" and body["result"] == {"rows": 4}
    got = client.get(body["links"]["download"], **auth)
    assert got.status_code == 200 and got["Content-Type"] == XLSX
    assert "roster-T1.xlsx" in got["Content-Disposition"]
    refused_to_others(client, personas, job)


@pytest.mark.usefixtures("thresholds")
def test_an_export_refused_by_scope_or_role_makes_no_job(
    client: Client, county: County, personas: Personas, make_cadre: Any
) -> None:
    cadres(make_cadre, county, 4)
    refused = client.get(f"{API}/xlsx/cadres.xlsx", **token(personas.outsider))
    assert refused.status_code == 403 and refused.json()["message"]
    other = token(personas.other_unit_hr, "他人")
    got = client.get(f"{API}/xlsx/units/{county.town.pk}/roster.xlsx", **other)
    assert got.status_code == 404
    assert not ImportJob.objects.exists() and not DBTaskResult.objects.exists()


# ---- the forms ZIP ------------------------------------------------------------------------


@pytest.mark.usefixtures("thresholds")
def test_a_large_forms_zip_answers_202_and_a_small_one_is_a_file(
    client: Client,
    personas: Personas,
    admin: User,
    settings: Any,
    case_with_candidates: Any,  # noqa: F811
) -> None:
    case = case_with_candidates
    auth = token(personas.case_officer)
    url = f"{API}/cases/{case.pk}/approval-forms.zip"
    settings.XUANREN_FORMS_BACKGROUND_COUNT = 2
    small = client.get(url, **auth)
    assert small.status_code == 200 and small["Content-Type"] == "application/zip"
    assert not ImportJob.objects.exists()
    settings.XUANREN_FORMS_BACKGROUND_COUNT = 1
    response = client.get(url, **auth)
    assert response.status_code == 202, response.content
    job = ImportJob.objects.get()
    body = response.json()
    assert body["kind"] == "forms_zip" and body["kind_label"] == "任免审批表打包"
    assert body["rows_total"] == 2 and job.params == {"case": case.pk}
    assert client.get(url, **auth).json()["id"] == job.pk  # the same job while it runs
    run(job)
    body = status_of(client, job.pk, auth)
    assert body["status"] == "succeeded" and body["rows_done"] == 2
    got = client.get(body["links"]["download"], **auth)
    assert got.status_code == 200 and got["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(got.content)) as z:
        assert len(z.namelist()) == 4
    refused_to_others(client, personas, job)
    client.force_login(admin)
    assert client.get(body["links"]["download"]).status_code == 200


# ---- LRMX ---------------------------------------------------------------------------------


@pytest.mark.usefixtures("thresholds")
def test_few_lrmx_files_through_the_api_are_still_checked_in_the_request(
    client: Client, county: County, personas: Personas, make_cadre: Any
) -> None:
    upload = SimpleUploadedFile("z.zip", lrmx_zip(make_cadre, county, 2))
    response = client.post(f"{API}/lrmx/import", {"file": upload}, **token(personas.case_officer))
    assert response.status_code == 200, response.content
    assert len(response.json()["files"]) == 2 and not ImportJob.objects.exists()


@pytest.mark.usefixtures("thresholds")
def test_a_large_lrmx_zip_is_checked_then_confirmed_in_the_background_through_the_api(
    client: Client,
    county: County,
    personas: Personas,
    make_cadre: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    officer = personas.case_officer
    auth = token(officer)
    upload = SimpleUploadedFile("干部.zip", lrmx_zip(make_cadre, county, 3))
    response = client.post(f"{API}/lrmx/import", {"file": upload}, **auth)
    assert response.status_code == 202, response.content
    job = ImportJob.objects.get()
    assert response.json()["kind"] == "lrmx_preview" and job.rows_total == 3
    assert not ImportBatch.objects.exists()
    recorder = Recorder(monkeypatch)
    run(job)
    assert recorder.of("checking") == [(1, 3), (2, 3), (3, 3)]
    body = status_of(client, job.pk, auth)
    batch = ImportBatch.objects.get()
    assert body["status"] == "succeeded" and body["result"]["batch"] == batch.pk
    assert body["links"]["batch"] == f"{API}/lrmx/batches/{batch.pk}"
    assert body["links"]["download"] is None
    assert client.get(f"{API}/jobs/{job.pk}/download", **auth).status_code == 404
    assert client.get(body["links"]["batch"], **auth).status_code == 200
    # The confirm: more files than the threshold, a job too; a second is refused.
    confirm_url = f"{API}/lrmx/batches/{batch.pk}/confirm"
    payload = {"unit": county.finance.pk}
    confirm = client.post(confirm_url, payload, content_type="application/json", **auth)
    assert confirm.status_code == 202, confirm.content
    confirm_job = ImportJob.objects.get(kind=JobKind.LRMX_CONFIRM)
    assert confirm.json()["id"] == confirm_job.pk
    again = client.post(confirm_url, payload, content_type="application/json", **auth)
    assert again.status_code == 409 and "请勿重复提交" in again.json()["message"]
    assert Cadre.objects.count() == 0
    refused_to_others(client, personas, confirm_job)
    run(confirm_job)
    body = status_of(client, confirm_job.pk, auth)
    assert body["status"] == "succeeded"
    assert body["result"] == {"batch": batch.pk, "files": 3, "saved": 3}
    assert Cadre.objects.filter(unit=county.finance).count() == 3
    assert count(EventType.LRMX_IMPORTED) == 3


@pytest.mark.usefixtures("thresholds")
def test_a_large_lrmx_zip_with_preview_false_is_checked_and_saved_by_one_job(
    client: Client, county: County, personas: Personas, make_cadre: Any
) -> None:
    officer = personas.case_officer
    auth = token(officer)
    upload = SimpleUploadedFile("干部.zip", lrmx_zip(make_cadre, county, 3))
    response = client.post(
        f"{API}/lrmx/import",
        {"file": upload, "preview": "false", "unit": county.finance.pk},
        **auth,
    )
    assert response.status_code == 202, response.content
    job = ImportJob.objects.get()
    assert job.params == {"confirm": True, "unit": county.finance.pk}
    run(job)
    body = status_of(client, job.pk, auth)
    assert body["status"] == "succeeded"
    assert body["result"] == {
        "batch": ImportBatch.objects.get().pk,
        "files": 3,
        "errors": 0,
        "saved": 3,
    }
    assert ImportBatch.objects.get().status == ImportStatus.CONFIRMED
    assert Cadre.objects.filter(unit=county.finance).count() == 3
    client.force_login(officer)
    page = client.get(reverse("exchange:xlsx_job", args=[job.pk])).content.decode()
    assert "导入完毕：保存了 3 / 3 个文件" in page


@pytest.mark.usefixtures("thresholds")
def test_a_large_lrmx_upload_is_refused_before_anything_is_stored(
    client: Client,
    county: County,
    personas: Personas,
    make_cadre: Any,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No role: 403; a unit out of scope: 404; an upload over the limit: 413 —
    each before the upload is stored, a job made or a file parsed."""
    parsed: list[Any] = []
    from xuanren.exchange import lrmx_services

    data = lrmx_zip(make_cadre, county, 3)
    monkeypatch.setattr(lrmx_services, "record_from_xml", parsed.append)
    monkeypatch.setattr(job_kinds, "job_start", never)
    refused = client.post(
        f"{API}/lrmx/import",
        {"file": SimpleUploadedFile("z.zip", data)},
        **token(personas.outsider),
    )
    assert refused.status_code == 403
    auth = token(personas.other_unit_hr, "镇")
    elsewhere = client.post(
        f"{API}/lrmx/import",
        {"file": SimpleUploadedFile("z.zip", data), "preview": "false", "unit": county.finance.pk},
        **auth,
    )
    assert elsewhere.status_code == 404, elsewhere.content
    settings.XUANREN_LRMX_MAX_UPLOAD_BYTES = 1000
    large = client.post(
        f"{API}/lrmx/import",
        {"file": SimpleUploadedFile("z.zip", data)},
        **token(personas.case_officer),
    )
    assert large.status_code == 413 and "超过上限" in large.json()["message"]
    assert not parsed
    assert not ImportJob.objects.exists() and not ImportBatch.objects.exists()
    assert not DBTaskResult.objects.exists()


def never(**kwargs: Any) -> None:
    raise AssertionError("no job may be made")


# ---- OpenAPI -------------------------------------------------------------------------------


def test_the_job_endpoints_and_the_202s_are_in_the_openapi_document(client: Client) -> None:
    spec = client.get(f"{API}/openapi.json").json()
    paths = spec["paths"]
    assert "get" in paths["/api/v1/jobs/{job_id}"]
    assert "get" in paths["/api/v1/jobs/{job_id}/download"]
    assert "get" in paths["/api/v1/xlsx/jobs/{job_id}"]
    for path, method in [
        ("/api/v1/xlsx/import", "post"),
        ("/api/v1/lrmx/import", "post"),
        ("/api/v1/lrmx/batches/{batch_id}/confirm", "post"),
        ("/api/v1/xlsx/cadres.xlsx", "get"),
        ("/api/v1/xlsx/units/{unit_id}/roster.xlsx", "get"),
        ("/api/v1/cases/{pk}/approval-forms.zip", "get"),
    ]:
        assert "202" in paths[path][method]["responses"], path
    download = paths["/api/v1/jobs/{job_id}/download"]["get"]["responses"]
    assert "404" in download and "200" in download
