"""Large XLSX imports in the background (docs/decisions/0100): the upload
becomes a job, the task reports its progress row by row, a cancel rolls
everything back, an interrupted job can be retried, and only its owner (and
administrators) can see or touch it."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.conftest import County, Personas
from xuanren.common.errors import Conflict, NotFound
from xuanren.exchange import jobs
from xuanren.exchange import xlsx_import as importer
from xuanren.exchange.jobs import (
    import_job_cancel,
    import_job_retry,
    import_job_run,
    import_job_start,
    xlsx_upload,
)
from xuanren.exchange.models import ImportJob, JobStage, JobStatus
from xuanren.exchange.xlsx_workbook import sample_cadre_rows, write_workbook
from xuanren.journal.models import Event, EventType
from xuanren.org.models import Unit
from xuanren.people.models import Cadre

ROWS = 30


def book(**sheets: Any) -> bytes:
    buffer = io.BytesIO()
    write_workbook(buffer, sheets)
    return buffer.getvalue()


def cadres_book(n: int = ROWS, seed: int = 5) -> bytes:
    return book(cadres=sample_cadre_rows(n, unit_codes=["C2", "T1"], seed=seed))


@pytest.fixture
def background(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.XUANREN_XLSX_BACKGROUND_ROWS = 10
    monkeypatch.setattr(importer, "PROGRESS_ROWS", 10)


def run(job: ImportJob) -> ImportJob:
    """The task body, as the worker calls it."""
    import_job_run.call(job.pk)
    job.refresh_from_db()
    return job


def events(kind: EventType) -> int:
    return Event.objects.filter(event_type=kind).count()


# ---- the upload ---------------------------------------------------------------------


@pytest.mark.usefixtures("background")
def test_a_large_upload_becomes_a_job_with_a_polling_progress_page(
    client: Client, county: County, personas: Personas
) -> None:
    client.force_login(personas.case_officer)
    upload = SimpleUploadedFile("大表.xlsx", cadres_book(), content_type="application/octet-stream")
    response = client.post(reverse("exchange:xlsx_index"), {"file": upload})
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("exchange:xlsx_job", args=[job.pk])
    assert job.status == JobStatus.QUEUED and job.rows_total == ROWS
    assert job.created_by == personas.case_officer
    assert DBTaskResult.objects.get(id=job.task_id).args_kwargs["args"] == [job.pk]
    assert events(EventType.IMPORT_JOB_STARTED) == 1
    assert Cadre.objects.count() == 0
    page = client.get(response["Location"]).content.decode()
    assert "排队中" in page and 'hx-trigger="every 1s"' in page and "取消导入" in page
    assert "<script" not in page.split("<main", 1)[-1] and 'style="' not in page
    index = client.get(reverse("exchange:xlsx_index")).content.decode()
    assert "我的后台导入" in index and response["Location"] in index


@pytest.mark.usefixtures("background")
def test_a_small_upload_is_still_imported_in_the_request(
    client: Client, county: County, personas: Personas
) -> None:
    client.force_login(personas.case_officer)
    upload = SimpleUploadedFile(
        "小表.xlsx", cadres_book(5), content_type="application/octet-stream"
    )
    response = client.post(reverse("exchange:xlsx_index"), {"file": upload})
    assert response.status_code == 200 and "已全部导入" in response.content.decode()
    assert Cadre.objects.count() == 5 and not ImportJob.objects.exists()


@pytest.mark.usefixtures("background")
def test_an_outsider_is_refused_before_anything_is_stored(
    county: County, personas: Personas
) -> None:
    from xuanren.common.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        xlsx_upload(actor=personas.outsider, content=cadres_book(), filename="a.xlsx")
    assert not ImportJob.objects.exists() and not DBTaskResult.objects.exists()


# ---- the task -------------------------------------------------------------------------


@pytest.mark.usefixtures("background")
def test_the_task_writes_its_progress_as_it_goes_then_the_result(
    client: Client, county: County, personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = import_job_start(
        actor=personas.case_officer, content=cadres_book(), filename="大表.xlsx", dry_run=False
    )
    seen: list[tuple[str, int, int]] = []

    class Watched(jobs.JobProgress):
        def __call__(self, stage: str, done: int, total: int) -> None:
            super().__call__(stage, done, total)
            row = ImportJob.objects.get(pk=self.job_id)
            seen.append((row.stage, row.rows_done, row.rows_total))

    monkeypatch.setattr(jobs, "JobProgress", Watched)
    job = run(job)
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 1
    checking = [(d, t) for s, d, t in seen if s == JobStage.CHECKING]
    assert checking == [(0, ROWS), (10, ROWS), (20, ROWS), (30, ROWS)]
    assert (JobStage.SAVING, 0, ROWS) in seen
    assert job.result is not None
    assert job.rows_done == ROWS and job.result["counts"]["cadres"] == ROWS
    assert Cadre.objects.count() == ROWS
    assert events(EventType.XLSX_IMPORTED) == 1
    client.force_login(personas.case_officer)
    page = client.get(reverse("exchange:xlsx_job_progress", args=[job.pk])).content.decode()
    assert "已全部导入" in page and f"干部：{ROWS} 人" in page and "hx-get" not in page


@pytest.mark.usefixtures("background")
def test_a_workbook_with_errors_ends_with_the_error_list_and_no_retry(
    client: Client, county: County, personas: Personas
) -> None:
    rows = sample_cadre_rows(ROWS, unit_codes=["C2"], seed=8)
    rows[3]["sex"] = "未知"
    job = import_job_start(
        actor=personas.case_officer, content=book(cadres=rows), filename="错.xlsx", dry_run=False
    )
    job = run(job)
    assert job.status == JobStatus.FAILED and Cadre.objects.count() == 0
    client.force_login(personas.case_officer)
    page = client.get(reverse("exchange:xlsx_job", args=[job.pk])).content.decode()
    assert "未导入任何数据" in page and "干部!B5" in page and "重新执行" not in page
    with pytest.raises(Conflict):
        import_job_retry(actor=personas.case_officer, pk=job.pk)


@pytest.mark.usefixtures("background")
def test_a_cancel_while_saving_rolls_everything_back_and_a_retry_succeeds(
    admin: User, county: County, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = book(
        units=[{"code": "R9", "name": "白水县", "kind": "党委政府（区域）"}],
        cadres=sample_cadre_rows(ROWS, unit_codes=["C2", "T1"], seed=6),
    )
    job = import_job_start(actor=admin, content=content, filename="大表.xlsx", dry_run=False)
    before = (Unit.objects.count(), Cadre.objects.count(), Event.objects.count())
    write_quotas = importer._write_quotas

    def then_cancel(*args: Any) -> Any:
        # The units are written by now, inside the import's transaction.
        assert Unit.objects.filter(code="R9").exists()
        ImportJob.objects.filter(pk=job.pk).update(cancel_requested=True)
        return write_quotas(*args)

    monkeypatch.setattr(importer, "_write_quotas", then_cancel)
    job = run(job)
    assert job.status == JobStatus.CANCELLED
    assert job.failure is not None
    assert "取消" in job.failure["message"]
    assert (Unit.objects.count(), Cadre.objects.count(), Event.objects.count()) == before
    monkeypatch.setattr(importer, "_write_quotas", write_quotas)
    import_job_retry(actor=admin, pk=job.pk)
    job = run(job)
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 2
    assert Unit.objects.filter(code="R9").exists() and Cadre.objects.count() == ROWS
    assert events(EventType.IMPORT_JOB_RETRIED) == 1


@pytest.mark.usefixtures("background")
def test_a_queued_job_cancelled_never_runs(county: County, personas: Personas) -> None:
    officer = personas.case_officer
    job = import_job_start(actor=officer, content=cadres_book(), filename="a.xlsx", dry_run=False)
    import_job_cancel(actor=officer, pk=job.pk)
    job = run(job)
    assert job.status == JobStatus.CANCELLED and job.attempts == 0
    assert Cadre.objects.count() == 0 and events(EventType.IMPORT_JOB_CANCELLED) == 1
    with pytest.raises(Conflict):
        import_job_cancel(actor=officer, pk=job.pk)


@pytest.mark.usefixtures("background")
def test_a_job_whose_worker_stopped_reporting_is_interrupted_and_can_be_retried(
    client: Client, county: County, personas: Personas, settings: Any
) -> None:
    officer = personas.case_officer
    job = import_job_start(actor=officer, content=cadres_book(), filename="a.xlsx", dry_run=False)
    # What a killed worker leaves: the job running, its transaction never committed.
    long_ago = timezone.now() - dt.timedelta(seconds=settings.XUANREN_JOB_STALE_SECONDS + 5)
    ImportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, stage=JobStage.SAVING, attempts=1, heartbeat_at=long_ago
    )
    client.force_login(officer)
    page = client.get(reverse("exchange:xlsx_job", args=[job.pk])).content.decode()
    assert "已中断" in page and "重新执行" in page and "hx-get" not in page
    response = client.post(reverse("exchange:xlsx_job_retry", args=[job.pk]))
    assert response.status_code == 302
    job = run(job)
    assert job.status == JobStatus.SUCCEEDED and Cadre.objects.count() == ROWS


@pytest.mark.usefixtures("background")
def test_a_running_job_is_not_retried(county: County, personas: Personas) -> None:
    officer = personas.case_officer
    job = import_job_start(actor=officer, content=cadres_book(), filename="a.xlsx", dry_run=False)
    ImportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, heartbeat_at=timezone.now()
    )
    with pytest.raises(Conflict):
        import_job_retry(actor=officer, pk=job.pk)
    assert DBTaskResult.objects.count() == 1


# ---- who may see it -------------------------------------------------------------------


@pytest.mark.usefixtures("background")
def test_only_the_owner_and_administrators_see_or_touch_a_job(
    client: Client, admin: User, county: County, personas: Personas
) -> None:
    job = import_job_start(
        actor=personas.case_officer, content=cadres_book(), filename="a.xlsx", dry_run=False
    )
    urls = {
        name: reverse(f"exchange:{name}", args=[job.pk])
        for name in ("xlsx_job", "xlsx_job_progress", "xlsx_job_cancel", "xlsx_job_retry")
    }
    for other in (personas.committee_member, personas.other_unit_hr):
        client.force_login(other)
        assert client.get(urls["xlsx_job"]).status_code == 404
        assert client.get(urls["xlsx_job_progress"]).status_code == 404
        assert client.post(urls["xlsx_job_cancel"]).status_code == 404
        assert client.post(urls["xlsx_job_retry"]).status_code == 404
        with pytest.raises(NotFound):
            import_job_cancel(actor=other, pk=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and not job.cancel_requested
    client.force_login(admin)
    assert client.get(urls["xlsx_job"]).status_code == 200
    assert client.post(urls["xlsx_job_cancel"]).status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED


@pytest.mark.usefixtures("background")
def test_a_running_job_shows_rows_and_percent_then_an_indeterminate_bar_while_saving(
    client: Client, county: County, personas: Personas
) -> None:
    officer = personas.case_officer
    job = import_job_start(actor=officer, content=cadres_book(), filename="a.xlsx", dry_run=False)
    ImportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING,
        stage=JobStage.CHECKING,
        rows_done=10,
        rows_total=ROWS,
        heartbeat_at=timezone.now(),
    )
    client.force_login(officer)
    url = reverse("exchange:xlsx_job_progress", args=[job.pk])
    page = client.get(url).content.decode()
    assert f'<progress max="{ROWS}" value="10">' in page
    assert f"已检查 10 / {ROWS} 行（33%）" in page and "正在检查" in page
    assert 'hx-trigger="every 1s"' in page and "取消导入" in page
    # "saving" is reported with no rows saved yet, just before the save opens.
    ImportJob.objects.filter(pk=job.pk).update(stage=JobStage.SAVING, rows_done=0)
    page = client.get(url).content.decode()
    assert "<progress></progress>" in page and "正在一次保存" in page
    # During the save on PostgreSQL, rows saved so far (decision 0106).
    ImportJob.objects.filter(pk=job.pk).update(stage=JobStage.SAVING, rows_done=15)
    page = client.get(url).content.decode()
    assert f'<progress max="{ROWS}" value="15">' in page
    assert f"已保存 15 / {ROWS} 行（50%），全部完成后才生效" in page
