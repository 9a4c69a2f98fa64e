"""Background jobs: large XLSX imports (docs/decisions/0100), LRMX uploads
and confirms, the ZIP of a case's approval forms and large exports
(docs/decisions/0104–0106). One job model (ImportJob, with a `kind`), one
task, one progress page, one cancel and one retry for every kind.

A workbook past XUANREN_XLSX_BACKGROUND_ROWS data rows is not imported in
the request: `xlsx_upload` checks the permission, the size and the
workbook's limits exactly as the import does, stores the upload in an
ImportJob and enqueues `import_job_run` (a task on Django's Tasks API, run
by `xuanren worker`). The task runs the same `xlsx_import`, all or nothing,
and writes its progress on the job row as it checks the rows; the page polls
it. Smaller workbooks are imported in the request, as before.

Progress and the cancel flag: while the rows are read and checked no
transaction is open, so each progress write is its own short autocommit
transaction the page can read at once. The save is one transaction; inside
it the task only reads the cancel flag (and raises, which rolls it all
back). A worker killed mid-save never commits; its job stops reporting and
is shown as interrupted after XUANREN_JOB_STALE_SECONDS, with a retry.
On PostgreSQL the progress made inside the save is written through a second
connection of its own, so the page sees it move (docs/decisions/0106).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from dataclasses import asdict
from typing import IO, Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xuanren.access.policy import is_unrestricted
from xuanren.common.errors import Conflict, DomainError, NotFound
from xuanren.common.tasks import task
from xuanren.common.uploads import check_size, check_workbook, read_bounded
from xuanren.exchange.models import ImportJob, JobKind, JobStage, JobStatus
from xuanren.exchange.xlsx_columns import SHEETS
from xuanren.exchange.xlsx_import import (
    ImportResult,
    XlsxImportFailed,
    require_xlsx_importer,
    xlsx_import,
)
from xuanren.journal.models import EventType
from xuanren.journal.services import journal_record

logger = logging.getLogger(__name__)

#: The failure codes a retry may follow (a workbook with errors fails again).
RETRYABLE = ("error",)

#: Kinds that import (their page speaks of 导入); the others produce a file.
IMPORT_KINDS = (JobKind.XLSX_IMPORT, JobKind.LRMX_PREVIEW, JobKind.LRMX_CONFIRM)
#: Kinds whose save is one transaction (a cancel on SQLite stops at its start).
SAVING_KINDS = (JobKind.XLSX_IMPORT, JobKind.LRMX_CONFIRM)


class ImportCancelled(DomainError):
    code = "cancelled"
    http_status = 409


def cancelled_message(kind: str) -> str:
    if kind in IMPORT_KINDS:
        return _("已按要求取消导入，未保存任何内容。")
    return _("已按要求取消，未生成文件。")


#: The journal events of a job; their payload's `kind` names the job's kind.
JOB_EVENTS = (
    EventType.IMPORT_JOB_STARTED,
    EventType.IMPORT_JOB_CANCELLED,
    EventType.IMPORT_JOB_RETRIED,
)


def job_event_summary(event_type: str, payload: dict[str, Any]) -> str:
    """What a job's journal event is about, in words: "干部名单导出：干部信息.xlsx".
    Before every payload named its kind, a start without one was an XLSX
    import; a cancel or retry without one says only 后台任务. Empty for other
    events."""
    if event_type not in JOB_EVENTS:
        return ""
    kind = payload.get("kind")
    if not kind and event_type == EventType.IMPORT_JOB_STARTED:
        kind = JobKind.XLSX_IMPORT
    label = JobKind(kind).label if kind in JobKind.values else _("后台任务")
    return _("%(kind)s：%(file)s") % {"kind": label, "file": payload.get("file", "")}


# ---- the upload: in the request or in the background ----------------------------


def xlsx_upload(
    *, actor: Any, content: bytes | IO[bytes], filename: str = "", dry_run: bool = False
) -> ImportResult | ImportJob:
    """The import page's upload: the permission, the size and the workbook's
    limits first (before a cell is parsed), then a small workbook is imported
    here and its ImportResult returned; a large one becomes an ImportJob."""
    require_xlsx_importer(actor)
    limit = settings.XUANREN_XLSX_MAX_UPLOAD_BYTES
    check_size(content, limit=limit, what=_("工作簿"), setting="XUANREN_XLSX_MAX_UPLOAD_BYTES")
    rows = check_workbook(content, name=filename or _("工作簿"), sheets=[s.name for s in SHEETS])
    if rows <= settings.XUANREN_XLSX_BACKGROUND_ROWS:
        return xlsx_import(actor=actor, content=content, filename=filename, dry_run=dry_run)
    data = read_bounded(content, limit=limit, what=_("工作簿"))
    return import_job_start(
        actor=actor, content=data, filename=filename, dry_run=dry_run, rows=rows
    )


@transaction.atomic
def import_job_start(
    *, actor: Any, content: bytes, filename: str, dry_run: bool, rows: int = 0
) -> ImportJob:
    """Store the upload and enqueue its import, in one transaction with the
    journal event: the worker sees the task only once the job is committed."""
    require_xlsx_importer(actor)
    return job_start(
        actor=actor,
        kind=JobKind.XLSX_IMPORT,
        name=filename,
        content=content,
        dry_run=dry_run,
        total=rows,
    )


@transaction.atomic
def job_start(
    *,
    actor: Any,
    kind: str,
    name: str,
    content: bytes = b"",
    params: dict[str, Any] | None = None,
    dry_run: bool = False,
    total: int = 0,
) -> ImportJob:
    """A job of any kind, its task enqueued and its journal event, in one
    transaction. The caller has checked the permission and the input."""
    job = ImportJob.objects.create(
        kind=kind,
        upload_name=name[:255],
        upload_sha256=hashlib.sha256(content).hexdigest() if content else "",
        content=content,
        params=params or {},
        dry_run=dry_run,
        rows_total=total,
        created_by=actor,
    )
    _enqueue(job)
    payload: dict[str, Any] = {
        "kind": kind,
        "file": job.upload_name[:200],
        "sha256": job.upload_sha256,
        "dry_run": dry_run,
    }
    if kind != JobKind.XLSX_IMPORT:
        payload["params"] = job.params
    journal_record(
        actor=actor, event_type=EventType.IMPORT_JOB_STARTED, subject=job, payload=payload
    )
    return job


def _enqueue(job: ImportJob) -> None:
    result = import_job_run.enqueue(job.pk)
    job.task_id = str(result.id)
    job.save(update_fields=["task_id"])


# ---- reads ----------------------------------------------------------------------


def import_job_get(*, actor: Any, pk: int) -> ImportJob:
    """The job, for the user who started it and for administrators; 404 for anyone else."""
    jobs = ImportJob.objects.defer("content", "output")
    mine = Q(created_by_id=getattr(actor, "pk", None))
    if is_unrestricted(actor):
        # 智能选人's counts are the requester's own, administrators' too (decision 0112).
        jobs = jobs.filter(mine | ~Q(kind=JobKind.SCREENING_COUNTS))
    else:
        jobs = jobs.filter(mine)
    job = jobs.filter(pk=pk).first()
    if job is None or not _counts_still_theirs(actor, job):
        raise NotFound(_("没有找到该后台任务，或您无权查看。"))
    return job


def _counts_still_theirs(actor: Any, job: ImportJob) -> bool:
    """A screening's counts were made for the requester's scope then: once
    that scope changed they are not shown (decision 0112), here either."""
    if job.kind != JobKind.SCREENING_COUNTS:
        return True
    from xuanren.exchange.job_kinds import screening_scope_key

    return bool(job.params.get("scope") == screening_scope_key(actor))


def job_output_get(*, actor: Any, pk: int) -> ImportJob:
    """A finished job's file, for the same people as the job; 404 when there is
    none (not finished, cancelled, or emptied by the cleanup)."""
    job = import_job_get(actor=actor, pk=pk)
    full = ImportJob.objects.defer("content").get(pk=job.pk)
    if full.status != JobStatus.SUCCEEDED or not full.output:
        raise NotFound(_("该后台任务没有可下载的文件（未完成，或已超过保留期限被清理）。"))
    return full


def import_job_list(*, actor: Any, limit: int = 5, kinds: Any = None) -> list[ImportJob]:
    """The actor's own latest jobs (the import page links to them)."""
    if not getattr(actor, "is_authenticated", False):
        return []
    jobs = ImportJob.objects.defer("content", "output").filter(created_by_id=actor.pk)
    if kinds is not None:
        jobs = jobs.filter(kind__in=list(kinds))
    return list(jobs.order_by("-created_at", "-id")[:limit])


def is_interrupted(job: ImportJob, now: dt.datetime | None = None) -> bool:
    """A running job whose worker has not reported for XUANREN_JOB_STALE_SECONDS."""
    if job.status != JobStatus.RUNNING:
        return False
    seen = job.heartbeat_at or job.started_at or job.created_at
    limit = dt.timedelta(seconds=settings.XUANREN_JOB_STALE_SECONDS)
    return (now or timezone.now()) - seen > limit


def can_cancel(job: ImportJob) -> bool:
    if job.status == JobStatus.QUEUED:
        return True
    if job.status != JobStatus.RUNNING or job.cancel_requested or is_interrupted(job):
        return False
    # On SQLite the save holds the database's only write lock: a cancel could
    # not be written until it ends (docs/decisions/0100).
    return not (job.stage == JobStage.SAVING and connection.vendor == "sqlite")


def can_retry(job: ImportJob) -> bool:
    if job.status == JobStatus.CANCELLED:
        return True
    if job.status == JobStatus.FAILED:
        return (job.failure or {}).get("code") in RETRYABLE
    return is_interrupted(job)


# ---- cancel and retry ---------------------------------------------------------------


@transaction.atomic
def import_job_cancel(*, actor: Any, pk: int) -> ImportJob:
    """A queued job is cancelled at once; a running one at its next progress
    report, and whatever it had saved is rolled back."""
    job = import_job_get(actor=actor, pk=pk)
    job = ImportJob.objects.select_for_update().defer("content", "output").get(pk=job.pk)
    if not can_cancel(job):
        raise Conflict(_("该后台任务已结束或正在保存，不能取消。请刷新页面查看最新状态。"))
    job.cancel_requested = True
    fields = ["cancel_requested"]
    if job.status == JobStatus.QUEUED:
        job.status = JobStatus.CANCELLED
        job.stage = JobStage.DONE
        job.finished_at = timezone.now()
        fields += ["status", "stage", "finished_at"]
    job.save(update_fields=fields)
    journal_record(
        actor=actor,
        event_type=EventType.IMPORT_JOB_CANCELLED,
        subject=job,
        payload={"kind": job.kind, "file": job.upload_name[:200], "rows_done": job.rows_done},
    )
    return job


@transaction.atomic
def import_job_retry(*, actor: Any, pk: int) -> ImportJob:
    """Run the job again: after a cancel, an unexpected error, or a worker
    that stopped reporting (killed: its transaction never committed)."""
    job = import_job_get(actor=actor, pk=pk)
    job = ImportJob.objects.select_for_update().defer("content", "output").get(pk=job.pk)
    if not can_retry(job):
        raise Conflict(
            _("该后台任务不能重新执行：它正在进行、已经完成，或输入有错误需修改后重新提交。")
        )
    if job.kind == JobKind.XLSX_IMPORT:
        require_xlsx_importer(actor)
    # The other kinds check the requester's permissions again when they run.
    job.status = JobStatus.QUEUED
    job.stage = JobStage.WAITING
    job.rows_done = 0
    job.cancel_requested = False
    job.result = None
    job.failure = None
    job.started_at = None
    job.heartbeat_at = None
    job.finished_at = None
    job.save()
    _enqueue(job)
    journal_record(
        actor=actor,
        event_type=EventType.IMPORT_JOB_RETRIED,
        subject=job,
        payload={"kind": job.kind, "file": job.upload_name[:200], "attempts": job.attempts},
    )
    return job


# ---- progress -------------------------------------------------------------------------

STAGES = {
    "reading": JobStage.READING,
    "checking": JobStage.CHECKING,
    "saving": JobStage.SAVING,
    "writing": JobStage.SAVING,
    "generating": JobStage.GENERATING,
}


class JobProgress:
    """The `progress(stage, done, total)` callback of one attempt of a job.

    Outside a save ("reading", "checking", "saving" — reported just before
    the save's transaction opens — and "generating") each report is an
    autocommit UPDATE on the task's own connection. "writing" is reported
    from inside the save's transaction, where an UPDATE on that connection
    would stay invisible until the commit: on PostgreSQL it goes through a
    second connection of its own, committed at once, so the page sees the
    rows move during the save; on SQLite, where a second writer would wait
    for the save's lock, it is not written (docs/decisions/0106). Progress is
    best effort: a failed report never fails the job. Each report then reads
    the cancel flag on the task's connection and raises ImportCancelled."""

    def __init__(self, job_id: int, attempt: int, kind: str) -> None:
        self.job_id = job_id
        self.attempt = attempt
        self.kind = kind
        self.jobs = ImportJob.objects.filter(pk=job_id, attempts=attempt)
        self._aside: Any = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        fields = {
            "stage": STAGES.get(stage, JobStage.CHECKING),
            "rows_done": done,
            "rows_total": total,
            "heartbeat_at": timezone.now(),
        }
        if stage == "writing":
            self._write_aside(fields)
        else:
            self.jobs.update(**fields)
        if self.jobs.filter(cancel_requested=True).exists():
            raise ImportCancelled(cancelled_message(self.kind))

    def _write_aside(self, fields: dict[str, Any]) -> None:
        if connection.vendor != "postgresql":
            return
        table = connection.ops.quote_name(ImportJob._meta.db_table)
        try:
            if self._aside is None:
                self._aside = connections.create_connection(DEFAULT_DB_ALIAS)
                with self._aside.cursor() as cursor:
                    # Never wait behind a lock: a report may be skipped, the job not held up.
                    cursor.execute("SET lock_timeout = '1s'")
            with self._aside.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET stage = %s, rows_done = %s, rows_total = %s, "
                    "heartbeat_at = %s WHERE id = %s AND attempts = %s",
                    [
                        str(fields["stage"]),
                        fields["rows_done"],
                        fields["rows_total"],
                        fields["heartbeat_at"],
                        self.job_id,
                        self.attempt,
                    ],
                )
        except DatabaseError:
            logger.warning("progress of job %s not written", self.job_id, exc_info=True)

    def close(self) -> None:
        if self._aside is not None:
            self._aside.close()
            self._aside = None


# ---- the task --------------------------------------------------------------------------


def result_data(result: ImportResult) -> dict[str, Any]:
    """What the summary shows, as JSON."""
    data = asdict(result)
    data["warnings"] = [w.as_dict() for w in result.warnings]
    data.pop("timings", None)
    return data


def _run_xlsx(job: ImportJob, progress: JobProgress) -> dict[str, Any]:
    result = xlsx_import(
        actor=job.created_by,
        content=bytes(job.content),
        filename=job.upload_name,
        dry_run=job.dry_run,
        progress=progress,
    )
    return {"result": result_data(result)}


def _runners() -> dict[str, Callable[[ImportJob, JobProgress], dict[str, Any]]]:
    from xuanren.exchange import job_kinds

    return {
        JobKind.XLSX_IMPORT: _run_xlsx,
        JobKind.LRMX_PREVIEW: job_kinds.run_lrmx_preview,
        JobKind.LRMX_CONFIRM: job_kinds.run_lrmx_confirm,
        JobKind.FORMS_ZIP: job_kinds.run_forms_zip,
        JobKind.CADRES_EXPORT: job_kinds.run_cadres_export,
        JobKind.ROSTER_EXPORT: job_kinds.run_roster_export,
        JobKind.SCREENING_COUNTS: job_kinds.run_screening_counts,
    }


@task()
def import_job_run(job_id: int) -> str:
    """Run a stored job; the job row says how far it got and how it ended."""
    claimed = ImportJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING,
        stage=JobStage.READING,
        attempts=F("attempts") + 1,
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    if not claimed:
        return "skipped"  # cancelled before it started, or run by another worker
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    mine = ImportJob.objects.filter(pk=job_id, attempts=job.attempts)
    progress = JobProgress(job_id, job.attempts, job.kind)
    outcome: dict[str, Any]
    try:
        produced = _runners()[job.kind](job, progress)
    except ImportCancelled as exc:
        outcome = {"status": JobStatus.CANCELLED, "failure": exc.as_dict()}
    except XlsxImportFailed as exc:
        outcome = {"status": JobStatus.FAILED, "failure": exc.as_dict()}
    except DomainError as exc:
        outcome = {"status": JobStatus.FAILED, "failure": exc.as_dict()}
    except Exception as exc:
        failure = {
            "code": "error",
            "message": _(
                "后台任务出错（%(e)s），未保存任何内容。可点“重新执行”再试；如仍出错，请联系系统管理员。"
            )
            % {"e": type(exc).__name__},
            "errors": [],
        }
        mine.update(
            status=JobStatus.FAILED,
            stage=JobStage.DONE,
            failure=failure,
            finished_at=timezone.now(),
        )
        raise
    else:
        outcome = {"status": JobStatus.SUCCEEDED, "rows_done": F("rows_total"), **produced}
    finally:
        progress.close()
    mine.update(stage=JobStage.DONE, finished_at=timezone.now(), **outcome)
    return str(outcome["status"])
