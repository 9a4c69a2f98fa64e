"""The other background jobs (docs/decisions/0104–0106): LRMX uploads and
confirms, large XLSX exports, the API's large import; thresholds, progress,
cancel, retry, the produced file only for its requester, the ZIP limits
before any job, and (PostgreSQL) progress seen from another connection
while the save's transaction is still open."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from tests.api.conftest import API
from tests.conftest import County, Personas
from tests.exchange.test_lrmx_import import export, wipe, zipped
from tests.exchange.test_xlsx_jobs import book
from tests.exchange.test_xlsx_pages import bearer
from xuanren.access.services import api_token_issue
from xuanren.common.errors import NotFound, PermissionDenied
from xuanren.common.uploads import UploadRefused, UploadTooLarge
from xuanren.exchange import jobs, xlsx_export
from xuanren.exchange import xlsx_import as importer
from xuanren.exchange.job_kinds import (
    cadres_export_start,
    lrmx_confirm,
    lrmx_upload,
)
from xuanren.exchange.jobs import import_job_retry, import_job_run, job_output_get
from xuanren.exchange.lrmx_services import lrmx_import_preview
from xuanren.exchange.models import ImportBatch, ImportJob, ImportStatus, JobKind, JobStatus
from xuanren.exchange.xlsx_workbook import sample_cadre_rows
from xuanren.journal.models import Event, EventType
from xuanren.people.models import Cadre
from xuanren.people.selectors import CadreFilters

pytestmark = pytest.mark.django_db


@pytest.fixture
def thresholds(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.XUANREN_EXPORT_BACKGROUND_ROWS = 3
    settings.XUANREN_LRMX_BACKGROUND_FILES = 2
    settings.XUANREN_FORMS_BACKGROUND_COUNT = 1
    monkeypatch.setattr(xlsx_export, "PROGRESS_ROWS", 2)


class Recorder:
    """Replaces the task's progress callback: records each report (stage,
    done, total) and, from `cancel_at` reports of `stage` on, sets the job's
    cancel flag first, as the page would."""

    def __init__(
        self, monkeypatch: pytest.MonkeyPatch, cancel_at: int = 0, stage: str = ""
    ) -> None:
        self.reports: list[tuple[str, int, int]] = []
        recorder = self

        class Watched(jobs.JobProgress):
            def __call__(self, stage_: str, done: int, total: int) -> None:
                recorder.reports.append((stage_, done, total))
                if cancel_at and stage_ == stage and done >= cancel_at:
                    ImportJob.objects.filter(pk=self.job_id).update(cancel_requested=True)
                super().__call__(stage_, done, total)

        monkeypatch.setattr(jobs, "JobProgress", Watched)

    def of(self, stage: str) -> list[tuple[int, int]]:
        return [(d, t) for s, d, t in self.reports if s == stage]


def run(job: ImportJob) -> ImportJob:
    import_job_run.call(job.pk)
    job.refresh_from_db()
    return job


def count(kind: EventType) -> int:
    return Event.objects.filter(event_type=kind).count()


def cadres(make_cadre: Any, county: County, n: int, **extra: Any) -> list[Cadre]:
    names = ["王一", "王二", "王三", "王四", "王五", "王六"]
    return [
        make_cadre(county.town, name=names[i], birth=dt.date(1980, 1, 1 + i), **extra)
        for i in range(n)
    ]


# ---- large exports ----------------------------------------------------------------------


@pytest.mark.usefixtures("thresholds")
def test_a_large_cadre_export_is_offered_then_made_in_the_background_without_formulas(
    client: Client, county: County, personas: Personas, make_cadre: Any, admin: User
) -> None:
    cadres(make_cadre, county, 4, current_post_title="=1+1")
    monkeypatch = pytest.MonkeyPatch()
    recorder = Recorder(monkeypatch)
    officer = personas.case_officer
    client.force_login(officer)
    url = reverse("exchange:xlsx_cadres")
    offer = client.get(url, {"unit": county.town.pk})
    page = offer.content.decode()
    assert offer.status_code == 200 and "在后台生成" in page and "共 4 行" in page
    assert 'style="' not in page and not ImportJob.objects.exists()
    assert count(EventType.DATA_EXPORTED) == 0
    response = client.post(f"{url}?unit={county.town.pk}")
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("exchange:xlsx_job", args=[job.pk])
    assert job.kind == JobKind.CADRES_EXPORT and job.rows_total == 4
    assert job.params["filters"]["unit_id"] == county.town.pk
    assert count(EventType.IMPORT_JOB_STARTED) == 1
    page = client.get(response["Location"]).content.decode()
    assert "排队中" in page and "取消生成" in page and "干部名单导出：“干部信息-" in page
    job = run(job)
    monkeypatch.undo()
    assert job.status == JobStatus.SUCCEEDED and job.rows_done == 4
    assert recorder.of("generating") == [(0, 4), (2, 4), (4, 4)]
    page = client.get(reverse("exchange:xlsx_job_progress", args=[job.pk])).content.decode()
    download = reverse("exchange:job_download", args=[job.pk])
    assert "已生成" in page and download in page and "hx-get" not in page
    got = client.get(download)
    assert got.status_code == 200 and got["Content-Type"] == xlsx_export_type()
    assert "no-store" in got["Cache-Control"] and "attachment" in got["Content-Disposition"]
    content = b"".join(got)
    xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml  # formulas are never written (issue 10)
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    posts = [row[9] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert posts == ["=1+1"] * 4
    event = Event.objects.get(event_type=EventType.DATA_EXPORTED)
    assert event.actor_id == officer.pk and event.payload["rows"] == 4
    # Only the requester and administrators: anyone else gets 404, and nothing changes.
    client.force_login(personas.other_unit_hr)
    for name in ("xlsx_job", "xlsx_job_progress", "job_download"):
        assert client.get(reverse(f"exchange:{name}", args=[job.pk])).status_code == 404
    for name in ("xlsx_job_cancel", "xlsx_job_retry"):
        assert client.post(reverse(f"exchange:{name}", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 1
    client.force_login(admin)
    assert client.get(download).status_code == 200
    client.force_login(officer)
    index = client.get(reverse("exchange:xlsx_index")).content.decode()
    assert "我的后台导出" in index and reverse("exchange:xlsx_job", args=[job.pk]) in index


def xlsx_export_type() -> str:
    from xuanren.web.exports import XLSX_TYPE

    return XLSX_TYPE


@pytest.mark.usefixtures("thresholds")
def test_a_small_export_is_still_a_download(
    client: Client, county: County, personas: Personas, make_cadre: Any
) -> None:
    cadres(make_cadre, county, 3)
    client.force_login(personas.case_officer)
    got = client.get(reverse("exchange:xlsx_cadres"), {"unit": county.town.pk})
    assert got.status_code == 200 and got["Content-Type"] == xlsx_export_type()
    got = client.get(reverse("exchange:xlsx_roster"), {"unit": county.town.pk})
    assert got.status_code == 200 and got["Content-Type"] == xlsx_export_type()
    assert not ImportJob.objects.exists() and count(EventType.DATA_EXPORTED) == 2


@pytest.mark.usefixtures("thresholds")
def test_a_large_roster_is_made_in_the_background(
    client: Client, county: County, personas: Personas, make_cadre: Any
) -> None:
    cadres(make_cadre, county, 4)
    client.force_login(personas.case_officer)
    url = reverse("exchange:xlsx_roster")
    assert "在后台生成" in client.get(url, {"unit": county.town.pk}).content.decode()
    response = client.post(f"{url}?unit={county.town.pk}&on=2026-11-01")
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.kind == JobKind.ROSTER_EXPORT
    assert job.params == {"unit": county.town.pk, "on": "2026-11-01"}
    job = run(job)
    assert job.status == JobStatus.SUCCEEDED and job.result == {"rows": 4}
    sheet = load_workbook(io.BytesIO(bytes(job.output))).active
    assert sheet is not None and "截至 2026-11-01" in str(sheet["A1"].value)
    assert Event.objects.get(event_type=EventType.DATA_EXPORTED).payload["list"] == "roster"


@pytest.mark.usefixtures("thresholds")
def test_a_cancelled_export_makes_no_file_and_journals_no_export_then_a_retry_does(
    client: Client, county: County, personas: Personas, make_cadre: Any
) -> None:
    cadres(make_cadre, county, 4)
    officer = personas.case_officer
    job = cadres_export_start(
        actor=officer, filters=CadreFilters(unit_id=county.town.pk), filename="干部信息.xlsx"
    )
    monkeypatch = pytest.MonkeyPatch()
    Recorder(monkeypatch, cancel_at=2, stage="generating")
    job = run(job)
    monkeypatch.undo()
    assert job.status == JobStatus.CANCELLED and bytes(job.output) == b""
    assert count(EventType.DATA_EXPORTED) == 0
    with pytest.raises(NotFound):
        job_output_get(actor=officer, pk=job.pk)
    client.force_login(officer)
    page = client.get(reverse("exchange:xlsx_job", args=[job.pk])).content.decode()
    assert "已取消，未生成文件。" in page and "重新执行" in page
    job = import_job_retry(actor=officer, pk=job.pk)
    job = run(job)
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 2
    assert count(EventType.DATA_EXPORTED) == 1 and bytes(job.output)[:2] == b"PK"


@pytest.mark.usefixtures("thresholds")
def test_an_export_job_rechecks_the_scope_when_it_runs(
    county: County, personas: Personas, make_cadre: Any
) -> None:
    """The worker exports as the requester: someone who cannot export gets
    nothing, before or after the job is queued."""
    cadres(make_cadre, county, 4)
    with pytest.raises(PermissionDenied):
        cadres_export_start(actor=personas.outsider, filters=CadreFilters(), filename="x.xlsx")
    assert not ImportJob.objects.exists() and not DBTaskResult.objects.exists()


# ---- LRMX ---------------------------------------------------------------------------------


def lrmx_zip(make_cadre: Any, county: County, n: int) -> bytes:
    made = cadres(make_cadre, county, n)
    files = {f"{c.name}.lrmx": export(c) for c in made}
    for c in made:
        wipe(c)
    return zipped(files)


@pytest.mark.usefixtures("thresholds")
def test_a_zip_of_many_lrmx_files_is_checked_then_saved_in_the_background(
    client: Client, county: County, admin: User, make_cadre: Any, personas: Personas
) -> None:
    upload = lrmx_zip(make_cadre, county, 3)
    monkeypatch = pytest.MonkeyPatch()
    recorder = Recorder(monkeypatch)
    client.force_login(admin)
    response = client.post(
        reverse("exchange:lrmx_import"), {"file": SimpleUploadedFile("干部.zip", upload)}
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("exchange:xlsx_job", args=[job.pk])
    assert job.kind == JobKind.LRMX_PREVIEW and job.rows_total == 3
    assert not ImportBatch.objects.exists()
    job = run(job)
    assert job.status == JobStatus.SUCCEEDED and job.result is not None
    assert recorder.of("checking") == [(1, 3), (2, 3), (3, 3)]
    batch = ImportBatch.objects.get(pk=job.result["batch"])
    assert [row["action"] for row in batch.preview] == ["create"] * 3
    page = client.get(reverse("exchange:xlsx_job", args=[job.pk])).content.decode()
    assert "检查完毕：共 3 个文件，其中 0 个有错误" in page
    assert reverse("exchange:lrmx_batch", args=[batch.pk]) in page
    index = client.get(reverse("exchange:lrmx_import")).content.decode()
    assert "我的后台导入" in index and "LRMX 导入检查" in index
    # The confirm: more files than the threshold, so a job too.
    response = client.post(
        reverse("exchange:lrmx_confirm", args=[batch.pk]), {"unit": county.finance.pk}
    )
    confirm = ImportJob.objects.get(kind=JobKind.LRMX_CONFIRM)
    assert response["Location"] == reverse("exchange:xlsx_job", args=[confirm.pk])
    # Another importer neither sees nor touches the job: 404, nothing changes.
    other = Client()
    other.force_login(personas.case_officer)
    for name in ("xlsx_job", "xlsx_job_progress", "job_download"):
        assert other.get(reverse(f"exchange:{name}", args=[confirm.pk])).status_code == 404
    for name in ("xlsx_job_cancel", "xlsx_job_retry"):
        assert other.post(reverse(f"exchange:{name}", args=[confirm.pk])).status_code == 404
    confirm.refresh_from_db()
    assert confirm.status == JobStatus.QUEUED and not confirm.cancel_requested
    page = client.get(reverse("exchange:lrmx_batch", args=[batch.pk])).content.decode()
    assert "本批正在后台导入" in page and '<button type="submit" class="primary">' not in page
    again = client.post(
        reverse("exchange:lrmx_confirm", args=[batch.pk]), {"unit": county.finance.pk}
    )
    assert again.status_code == 422 and "请勿重复提交" in again.content.decode()
    assert Cadre.objects.count() == 0
    confirm = run(confirm)
    monkeypatch.undo()
    assert confirm.status == JobStatus.SUCCEEDED and confirm.result == {
        "batch": batch.pk,
        "files": 3,
        "saved": 3,
    }
    assert recorder.of("saving") == [(0, 3)]
    assert recorder.of("writing") == [(1, 3), (2, 3), (3, 3)]
    assert Cadre.objects.filter(unit=county.finance).count() == 3
    assert count(EventType.LRMX_IMPORTED) == 3
    batch.refresh_from_db()
    assert batch.status == ImportStatus.CONFIRMED
    page = client.get(reverse("exchange:xlsx_job", args=[confirm.pk])).content.decode()
    assert "导入完毕：保存了 3 / 3 个文件" in page


@pytest.mark.usefixtures("thresholds")
def test_a_cancel_during_the_lrmx_save_rolls_every_file_back_and_a_retry_saves_them(
    county: County, admin: User, make_cadre: Any
) -> None:
    batch = lrmx_import_preview(
        actor=admin, upload_name="干部.zip", data=lrmx_zip(make_cadre, county, 3)
    )
    job = lrmx_confirm(actor=admin, batch=batch, unit=county.finance)
    assert isinstance(job, ImportJob)
    before = (Cadre.objects.count(), Event.objects.count())
    monkeypatch = pytest.MonkeyPatch()
    Recorder(monkeypatch, cancel_at=2, stage="writing")
    job = run(job)
    monkeypatch.undo()
    assert job.status == JobStatus.CANCELLED and job.failure is not None
    assert "未保存任何内容" in job.failure["message"]
    # Two files were saved inside the transaction; the cancel rolled them back.
    assert (Cadre.objects.count(), Event.objects.count()) == before
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEWED and len(batch.files) == 3
    job = run(import_job_retry(actor=admin, pk=job.pk))
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 2
    assert Cadre.objects.count() == 3 and count(EventType.LRMX_IMPORTED) == 3


@pytest.mark.usefixtures("thresholds")
def test_few_lrmx_files_are_still_checked_in_the_request(
    county: County, admin: User, make_cadre: Any
) -> None:
    batch = lrmx_upload(actor=admin, upload_name="z.zip", data=lrmx_zip(make_cadre, county, 2))
    assert isinstance(batch, ImportBatch) and len(batch.preview) == 2
    done = lrmx_confirm(actor=admin, batch=batch, unit=county.finance)
    assert isinstance(done, ImportBatch) and done.status == ImportStatus.CONFIRMED
    assert not ImportJob.objects.exists()


def bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(3):
            archive.writestr(f"{i}.lrmx", b"\0" * 2_000_000)
    return buffer.getvalue()


@pytest.mark.usefixtures("thresholds")
@pytest.mark.parametrize(
    ("case", "needle"),
    [
        ("members", "XUANREN_ZIP_MAX_MEMBERS"),
        ("ratio", "压缩比"),
        ("size", "超过上限"),
    ],
)
def test_a_hostile_zip_is_refused_before_a_job_is_made_or_a_file_parsed(
    county: County,
    admin: User,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    case: str,
    needle: str,
) -> None:
    """The ZIP limits apply to the upload before anything is stored or
    queued: too many members and an over-compressed member from the
    directory alone, an oversized upload from its declared size."""
    parsed: list[bytes] = []
    from xuanren.exchange import lrmx_services

    monkeypatch.setattr(lrmx_services, "record_from_xml", parsed.append)
    if case == "members":
        settings.XUANREN_ZIP_MAX_MEMBERS = 3
        data = zipped({f"{i}.lrmx": b"<Person/>" for i in range(4)})
    elif case == "ratio":
        data = bomb()
    else:
        settings.XUANREN_LRMX_MAX_UPLOAD_BYTES = 1000
        data = zipped({f"{i}.lrmx": bytes(range(256)) * 2 for i in range(3)})
    error = UploadTooLarge if case == "size" else UploadRefused
    with pytest.raises(error) as refused:
        lrmx_upload(actor=admin, upload_name="z.zip", data=SimpleUploadedFile("z.zip", data))
    assert needle in refused.value.message, refused.value.message
    assert not parsed
    assert not ImportJob.objects.exists() and not ImportBatch.objects.exists()
    assert not DBTaskResult.objects.exists()


@pytest.mark.usefixtures("thresholds")
def test_an_outsider_uploading_lrmx_is_refused_before_anything_is_stored(
    county: County, personas: Personas, admin: User, make_cadre: Any
) -> None:
    with pytest.raises(PermissionDenied):
        lrmx_upload(
            actor=personas.outsider, upload_name="z.zip", data=lrmx_zip(make_cadre, county, 3)
        )
    assert not ImportJob.objects.exists() and not DBTaskResult.objects.exists()


# ---- the API ------------------------------------------------------------------------------


def test_the_api_answers_a_large_import_with_202_and_a_status_endpoint_for_its_owner(
    client: Client, county: County, personas: Personas, settings: Any
) -> None:
    settings.XUANREN_XLSX_BACKGROUND_ROWS = 10
    officer = personas.case_officer
    _t, key = api_token_issue(actor=officer, user=officer, name="导入")
    content = book(cadres=sample_cadre_rows(30, unit_codes=["C2"], seed=21))
    upload = SimpleUploadedFile("大表.xlsx", content)
    response = client.post(f"{API}/xlsx/import", {"file": upload}, **bearer(key))
    assert response.status_code == 202, response.content
    body = response.json()
    job = ImportJob.objects.get()
    assert body["id"] == job.pk and body["status"] == "queued" and body["rows_total"] == 30
    assert body["url"] == f"{API}/xlsx/jobs/{job.pk}" and Cadre.objects.count() == 0
    status = client.get(body["url"], **bearer(key))
    assert status.status_code == 200 and status.json()["status"] == "queued"
    run(job)
    body = client.get(f"{API}/xlsx/jobs/{job.pk}", **bearer(key)).json()
    assert body["status"] == "succeeded" and body["percent"] == 100
    assert body["result"]["counts"]["cadres"] == 30 and Cadre.objects.count() == 30
    _t, other = api_token_issue(
        actor=personas.other_unit_hr, user=personas.other_unit_hr, name="他人"
    )
    refused = client.get(f"{API}/xlsx/jobs/{job.pk}", **bearer(other))
    assert refused.status_code == 404 and "message" in refused.json()
    assert client.get(f"{API}/xlsx/jobs/{job.pk + 1}", **bearer(key)).status_code == 404
    spec = client.get(f"{API}/openapi.json").json()
    assert "get" in spec["paths"]["/api/v1/xlsx/jobs/{job_id}"]
    assert "202" in spec["paths"]["/api/v1/xlsx/import"]["post"]["responses"]


# ---- PostgreSQL: progress seen during the save -------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_progress_inside_the_save_is_seen_from_another_connection_before_the_commit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The save is one transaction; its progress goes through a connection of
    its own (decision 0106), so a reader elsewhere sees the rows move while
    the cadres themselves are not yet visible there."""
    admin = User.objects.create_superuser("pgadmin", "pg@example.invalid", "pw-admin-123")
    monkeypatch.setattr(importer, "CHUNK", 10)
    content = book(
        units=[{"code": "R9", "name": "白水县", "kind": "党委政府（区域）"}],
        cadres=sample_cadre_rows(30, unit_codes=["R9"], seed=9),
    )
    job = jobs.import_job_start(
        actor=admin, content=content, filename="大表.xlsx", dry_run=False, rows=30
    )
    seen: list[tuple[str, int, int]] = []
    table = ImportJob._meta.db_table
    cadre_table = Cadre._meta.db_table

    class Watched(jobs.JobProgress):
        def __call__(self, stage: str, done: int, total: int) -> None:
            super().__call__(stage, done, total)
            if stage != "writing":
                return
            assert connection.in_atomic_block  # inside the save
            other = connections.create_connection("default")
            try:
                with other.cursor() as cursor:
                    cursor.execute(f"SELECT stage, rows_done FROM {table} WHERE id = %s", [job.pk])
                    stage_seen, done_seen = cursor.fetchone()
                    cursor.execute(f"SELECT count(*) FROM {cadre_table}")
                    seen.append((stage_seen, done_seen, cursor.fetchone()[0]))
            finally:
                other.close()

    monkeypatch.setattr(jobs, "JobProgress", Watched)
    job = run(job)
    assert job.status == JobStatus.SUCCEEDED and Cadre.objects.count() == 30
    # The unit's row, then each chunk of 10 cadres, then the end; rows done
    # moving while no cadre is visible outside the save's transaction yet.
    assert [d for _s, d, _c in seen] == [1, 11, 21, 31, 31]
    assert {(s, c) for s, _d, c in seen} == {("saving", 0)}
