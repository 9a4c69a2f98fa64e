"""`xuanren cleanup`: every retention purge, counted; `--dry-run` deletes
nothing; the journal and the access record are never touched."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from axes.models import AccessFailureLog, AccessLog
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.utils import timezone

from xuanren.access.models import AccessRecord
from xuanren.common.errors import ValidationFailed
from xuanren.common.retention import cleanup_run
from xuanren.exchange.models import ImportBatch, ImportKind
from xuanren.journal.models import Event, EventType

pytestmark = pytest.mark.django_db


def _batch(user: User, days: float) -> ImportBatch:
    batch = ImportBatch.objects.create(
        kind=ImportKind.values[0], upload_name="a.lrmx", upload_sha256="0" * 64, created_by=user
    )
    ImportBatch.objects.filter(pk=batch.pk).update(
        created_at=timezone.now() - dt.timedelta(days=days)
    )
    return batch


def _session(key: str, days: float) -> None:
    Session.objects.create(
        session_key=key, session_data="", expire_date=timezone.now() + dt.timedelta(days=days)
    )


def _login(model: Any, days: float) -> None:
    row = model.objects.create(username="u", ip_address="127.0.0.1", user_agent="t")
    model.objects.filter(pk=row.pk).update(attempt_time=timezone.now() - dt.timedelta(days=days))


def _access_record(days: float) -> None:
    AccessRecord.objects.create(
        at=timezone.now() - dt.timedelta(days=days),
        username="u",
        kind=AccessRecord._meta.get_field("kind").choices[0][0],  # type: ignore[index]
        subject_type="people.cadre",
        subject_id="1",
        subject_label="张三",
    )


@pytest.fixture
def aged() -> dict[str, Any]:
    """Old and recent rows of each kind, an old audit record and the journal."""
    user = User.objects.create(username="importer")
    kept = {"batch": _batch(user, 2).pk}
    _batch(user, 8)
    _batch(user, 30)
    _session("expired1", -1)
    _session("expired2", -0.01)
    _session("live", 1)
    for model in (AccessLog, AccessFailureLog):
        _login(model, 400)
        _login(model, 100)
    _access_record(3000)
    return kept


def _counts(purged: Any) -> dict[str, int]:
    return {p.key: p.count for p in purged}


def test_dry_run_counts_and_deletes_nothing(aged: dict[str, Any], capsys: Any) -> None:
    events = Event.objects.count()
    call_command("cleanup", "--dry-run")
    out = capsys.readouterr().out
    assert "过期导入批次（超过 7 天）：将删除 2 条" in out
    assert "过期会话（已过期）：将删除 2 条" in out
    assert "过期登录日志（超过 365 天）：将删除 1 条" in out
    assert "过期登录失败日志（超过 365 天）：将删除 1 条" in out
    assert "试运行：未删除任何数据" in out
    assert ImportBatch.objects.count() == 3
    assert Session.objects.count() == 3
    assert AccessLog.objects.count() == AccessFailureLog.objects.count() == 2
    assert Event.objects.count() == events  # not even the purge event


def test_cleanup_deletes_what_is_past_retention_and_keeps_the_audit_records(
    aged: dict[str, Any], capsys: Any
) -> None:
    events = Event.objects.count()
    call_command("cleanup")
    out = capsys.readouterr().out
    assert "过期导入批次（超过 7 天）：已删除 2 条" in out
    assert "过期会话（已过期）：已删除 2 条" in out
    assert list(ImportBatch.objects.values_list("pk", flat=True)) == [aged["batch"]]
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]
    assert AccessLog.objects.count() == AccessFailureLog.objects.count() == 1
    assert AccessRecord.objects.count() == 1  # the audit record stays, however old
    assert Event.objects.count() == events + 1  # the import purge's own event
    assert Event.objects.filter(event_type=EventType.IMPORTS_PURGED).get().payload["deleted"] == 2
    assert _counts(cleanup_run()) == {
        "imports": 0,
        "sessions": 0,
        "logins": 0,
        "login_failures": 0,
        "job_files": 0,
        "task_results": 0,
    }


def test_retention_periods_are_settings(aged: dict[str, Any], settings: Any) -> None:
    settings.XUANREN_IMPORT_RETENTION_DAYS = 1
    settings.XUANREN_LOGIN_LOG_RETENTION_DAYS = 180
    assert _counts(cleanup_run(dry_run=True)) == {
        "imports": 3,
        "sessions": 2,
        "logins": 1,
        "login_failures": 1,
        "job_files": 0,
        "task_results": 0,
    }


def test_login_logs_are_kept_at_least_six_months(aged: dict[str, Any], settings: Any) -> None:
    settings.XUANREN_LOGIN_LOG_RETENTION_DAYS = 90
    with pytest.raises(ValidationFailed, match="至少保留 180 天"):
        cleanup_run()
    with pytest.raises(CommandError, match="XUANREN_LOGIN_LOG_RETENTION_DAYS=90 太短"):
        call_command("cleanup")
    assert ImportBatch.objects.count() == 3  # nothing deleted
    assert AccessLog.objects.count() == 2


def test_finished_background_imports_lose_their_upload_but_keep_their_row() -> None:
    """The uploaded workbook (personal data) of a job finished over the
    retention period is emptied; the row, which the journal names, stays; a
    recent job and one that never finished keep theirs."""
    from xuanren.exchange.models import ImportJob

    user = User.objects.create(username="importer")
    now = timezone.now()

    def job(finished_days: float | None) -> ImportJob:
        finished = None if finished_days is None else now - dt.timedelta(days=finished_days)
        return ImportJob.objects.create(
            upload_name="big.xlsx", upload_sha256="0" * 64, content=b"PK...", created_by=user,
            finished_at=finished,
        )  # fmt: skip

    old, recent, unfinished = job(8), job(2), job(None)
    purged = _counts(cleanup_run(dry_run=True))
    assert purged["job_files"] == 1
    assert bytes(ImportJob.objects.get(pk=old.pk).content) == b"PK..."
    assert _counts(cleanup_run())["job_files"] == 1
    contents = {j.pk: bytes(j.content) for j in ImportJob.objects.all()}
    assert contents == {old.pk: b"", recent.pk: b"PK...", unfinished.pk: b"PK..."}


def test_finished_background_jobs_lose_the_file_they_produced() -> None:
    """An export or a ZIP of forms made in the background (decision 0105) is
    emptied after the retention period like an upload; a recent one stays."""
    from xuanren.exchange.models import ImportJob, JobKind, JobStatus

    user = User.objects.create(username="exporter")
    now = timezone.now()

    def job(finished_days: float) -> ImportJob:
        return ImportJob.objects.create(
            kind=JobKind.CADRES_EXPORT, status=JobStatus.SUCCEEDED, upload_name="干部信息.xlsx",
            upload_sha256="", content=b"", output=b"PK-out", output_name="干部信息.xlsx",
            created_by=user, finished_at=now - dt.timedelta(days=finished_days),
        )  # fmt: skip

    old, recent = job(8), job(2)
    assert _counts(cleanup_run())["job_files"] == 1
    outputs = {j.pk: bytes(j.output) for j in ImportJob.objects.all()}
    assert outputs == {old.pk: b"", recent.pk: b"PK-out"}
    assert _counts(cleanup_run())["job_files"] == 0  # nothing left to empty
