"""The background jobs besides the XLSX import (docs/decisions/0104): an LRMX
upload checked and an LRMX batch confirmed, the ZIP of a case's approval
forms, and large XLSX exports.

Each kind has a start (the permission and the input checked in the request,
exactly as the synchronous path checks them, then `job_start`) and a runner
the task calls with the requester as the actor, so the permissions are
checked again when it runs. The runners call the same services as the
synchronous path with a `progress` callback: all or nothing, the same
journal events (LRMX_IMPORTED, DOCUMENT_GENERATED, DATA_EXPORTED), the same
formula-free cells. A produced file is kept on the job row (decision 0105).
智能选人's exclusion counts for a large scope are a job too (decision 0112):
no file, the counts are its result.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from xuanren.common.errors import Conflict
from xuanren.common.uploads import check_size, read_bounded
from xuanren.exchange.jobs import JobProgress, is_interrupted, job_start
from xuanren.exchange.lrmx_services import (
    _require_importer,
    batch_get,
    confirm_precheck,
    lrmx_file_count,
    lrmx_import_confirm,
    lrmx_import_preview,
)
from xuanren.exchange.models import ImportBatch, ImportJob, JobKind, JobStatus
from xuanren.org.models import Post, Unit
from xuanren.people.selectors import CadreFilters, cadre_search

if TYPE_CHECKING:
    from xuanren.policy.selectors import RuleLine, Screening

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP_TYPE = "application/zip"


# ---- LRMX: the upload's checks, and the confirm ------------------------------------


def lrmx_upload(
    *,
    actor: Any,
    upload_name: str,
    data: bytes | IO[bytes],
    confirm: bool = False,
    unit_pk: int | None = None,
) -> ImportBatch | ImportJob:
    """The LRMX import page's upload: the permission, the size and the ZIP's
    directory (its limits) first, before anything is extracted; up to
    XUANREN_LRMX_BACKGROUND_FILES files are checked here (the batch is
    returned, and the caller confirms it if it wants to), more become a job
    whose result is the same batch. With `confirm` (the API's preview=false)
    the job also saves the batch's files when their checks are done, new
    cadres in the unit `unit_pk` (read through its selector here, before the
    upload is stored)."""
    _require_importer(actor)
    limit = settings.XUANREN_LRMX_MAX_UPLOAD_BYTES
    check_size(data, limit=limit, what=_("上传文件"), setting="XUANREN_LRMX_MAX_UPLOAD_BYTES")
    files = lrmx_file_count(upload_name, data)
    if files <= settings.XUANREN_LRMX_BACKGROUND_FILES:
        return lrmx_import_preview(actor=actor, upload_name=upload_name, data=data)
    params: dict[str, Any] = {}
    if confirm:
        from xuanren.org.selectors import unit_get

        if unit_pk is not None:
            unit_get(actor=actor, pk=unit_pk)  # the scope, before anything is stored
        params = {"confirm": True, "unit": unit_pk}
    content = read_bounded(data, limit=limit, what=_("上传文件"))
    return job_start(
        actor=actor,
        kind=JobKind.LRMX_PREVIEW,
        name=upload_name,
        content=content,
        params=params,
        total=files,
    )


def run_lrmx_preview(job: ImportJob, progress: JobProgress) -> dict[str, Any]:
    batch = lrmx_import_preview(
        actor=job.created_by,
        upload_name=job.upload_name,
        data=bytes(job.content),
        progress=progress,
        total=job.rows_total,
    )
    errors = sum(1 for row in batch.preview if row["action"] == "error")
    result = {"batch": batch.pk, "files": len(batch.preview), "errors": errors}
    if job.params.get("confirm"):
        done = _confirm(job, batch, progress)
        result["saved"] = sum(1 for row in done.result if row.get("saved"))
    return {"result": result}


def _confirm(job: ImportJob, batch: ImportBatch, progress: JobProgress) -> ImportBatch:
    from xuanren.org.selectors import unit_get

    actor = job.created_by
    unit_pk = job.params.get("unit")
    unit = unit_get(actor=actor, pk=unit_pk) if unit_pk is not None else None
    progress("saving", 0, len(batch.preview))  # before the save's transaction opens
    return lrmx_import_confirm(actor=actor, batch=batch, unit=unit, progress=progress)


def lrmx_confirm(*, actor: Any, batch: ImportBatch, unit: Unit | None) -> ImportBatch | ImportJob:
    """Confirm a previewed batch: up to XUANREN_LRMX_BACKGROUND_FILES files
    here, more as a job (refused at once, as the confirm would be, when the
    batch cannot be confirmed or a confirm job for it is already under way)."""
    batch = batch_get(actor=actor, pk=batch.pk)
    if len(batch.files) <= settings.XUANREN_LRMX_BACKGROUND_FILES:
        return lrmx_import_confirm(actor=actor, batch=batch, unit=unit)
    confirm_precheck(actor=actor, batch=batch, unit=unit)
    if lrmx_confirm_job(batch) is not None:
        raise Conflict(_("该批次已在后台导入中，请勿重复提交。"))
    return job_start(
        actor=actor,
        kind=JobKind.LRMX_CONFIRM,
        name=batch.upload_name,
        params={"batch": batch.pk, "unit": unit.pk if unit is not None else None},
        total=len(batch.preview),
    )


def lrmx_confirm_job(batch: ImportBatch) -> ImportJob | None:
    """The confirm job of this batch that is queued or running, if any."""
    return (
        ImportJob.objects.defer("content", "output")
        .filter(
            kind=JobKind.LRMX_CONFIRM,
            params__batch=batch.pk,
            status__in=[JobStatus.QUEUED, JobStatus.RUNNING],
        )
        .first()
    )


def run_lrmx_confirm(job: ImportJob, progress: JobProgress) -> dict[str, Any]:
    batch = batch_get(actor=job.created_by, pk=job.params["batch"])
    batch = _confirm(job, batch, progress)
    saved = sum(1 for row in batch.result if row.get("saved"))
    return {"result": {"batch": batch.pk, "files": len(batch.result), "saved": saved}}


# ---- the ZIP of a case's approval forms ----------------------------------------------


def forms_zip_count(*, actor: Any, case_pk: int) -> int:
    from xuanren.documents.selectors import case_approval_form_count

    return case_approval_form_count(actor=actor, case_pk=case_pk)[1]


def forms_zip_start(*, actor: Any, case_pk: int, reuse: bool = False) -> ImportJob:
    """The ZIP made in the background: the case read through its selector
    (scope) first; the forms are built and their cadres read when it runs.
    With `reuse` (the API's GET) the actor's same job still queued or running
    is answered instead of a second one."""
    from xuanren.documents.selectors import case_approval_form_count
    from xuanren.documents.services import approval_forms_zip_name

    case, count = case_approval_form_count(actor=actor, case_pk=case_pk)
    if reuse and (same := pending_job(actor, JobKind.FORMS_ZIP, {"case": case.pk})):
        return same
    return job_start(
        actor=actor,
        kind=JobKind.FORMS_ZIP,
        name=approval_forms_zip_name(case),
        params={"case": case.pk},
        total=count,
    )


def run_forms_zip(job: ImportJob, progress: JobProgress) -> dict[str, Any]:
    from xuanren.documents.services import approval_forms_zip_generate

    progress("generating", 0, job.rows_total)
    made = approval_forms_zip_generate(
        actor=job.created_by, case_pk=job.params["case"], progress=progress
    )
    return {
        "output": made.data,
        "output_name": made.filename,
        "output_type": made.content_type,
        "result": {"bytes": len(made.data)},
    }


# ---- large exports ------------------------------------------------------------------------


def filters_params(filters: CadreFilters) -> dict[str, Any]:
    return {
        k: (v.isoformat() if isinstance(v, dt.date) else v)
        for k, v in asdict(filters).items()
        if v not in (None, "")
    }


def filters_from(params: dict[str, Any]) -> CadreFilters:
    values = dict(params)
    if values.get("ref_date"):
        values["ref_date"] = dt.date.fromisoformat(values["ref_date"])
    return CadreFilters(**values)


def cadres_export_count(*, actor: Any, filters: CadreFilters) -> int:
    return cadre_search(actor=actor, filters=filters).count()


def cadres_export_start(
    *, actor: Any, filters: CadreFilters, filename: str, reuse: bool = False
) -> ImportJob:
    rows = cadres_export_count(actor=actor, filters=filters)  # the permission and scope
    params = {"filters": filters_params(filters)}
    if reuse and (same := pending_job(actor, JobKind.CADRES_EXPORT, params)):
        return same
    return job_start(
        actor=actor, kind=JobKind.CADRES_EXPORT, name=filename, params=params, total=rows
    )


def run_cadres_export(job: ImportJob, progress: JobProgress) -> dict[str, Any]:
    from xuanren.exchange.xlsx_export import cadre_list_export

    progress("generating", 0, job.rows_total)
    target, rows = cadre_list_export(
        actor=job.created_by,
        filters=filters_from(job.params["filters"]),
        progress=progress,
        total=job.rows_total,
    )
    return _output(job, target, rows)


def roster_export_count(*, actor: Any, unit: Unit, on: dt.date) -> int:
    from xuanren.exchange.xlsx_export import roster_cadres

    return roster_cadres(actor=actor, unit=unit, on=on).count()


def roster_export_start(
    *, actor: Any, unit: Unit, on: dt.date, filename: str, reuse: bool = False
) -> ImportJob:
    """`unit` was read with unit_get (scope) by the caller."""
    rows = roster_export_count(actor=actor, unit=unit, on=on)
    params = {"unit": unit.pk, "on": on.isoformat()}
    if reuse and (same := pending_job(actor, JobKind.ROSTER_EXPORT, params)):
        return same
    return job_start(
        actor=actor, kind=JobKind.ROSTER_EXPORT, name=filename, params=params, total=rows
    )


def pending_job(actor: Any, kind: str, params: dict[str, Any]) -> ImportJob | None:
    """The actor's job of this kind and these params still queued or running:
    an API GET asked twice answers the same job instead of making another
    (docs/decisions/0116)."""
    jobs = ImportJob.objects.defer("content", "output").filter(
        created_by_id=actor.pk, kind=kind, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
    )
    for job in jobs.order_by("-pk")[:20]:
        if job.params == params and not is_interrupted(job):
            return job
    return None


def run_roster_export(job: ImportJob, progress: JobProgress) -> dict[str, Any]:
    from xuanren.exchange.xlsx_export import roster_export
    from xuanren.org.selectors import unit_get

    actor = job.created_by
    unit = unit_get(actor=actor, pk=job.params["unit"])
    progress("generating", 0, job.rows_total)
    target, rows = roster_export(
        actor=actor,
        unit=unit,
        on=dt.date.fromisoformat(job.params["on"]),
        progress=progress,
        total=job.rows_total,
    )
    return _output(job, target, rows)


def _output(job: ImportJob, target: IO[bytes], rows: int) -> dict[str, Any]:
    try:
        data = target.read()
    finally:
        target.close()
    return {
        "output": data,
        "output_name": job.upload_name,
        "output_type": XLSX_TYPE,
        "result": {"rows": rows},
        "rows_done": rows,
        "rows_total": rows,
    }


# ---- 智能选人's exclusion counts for a large scope (decision 0112) -------------------------


def screening_scope_key(actor: Any) -> str:
    """The actor's scope as a job's result is tied to it: a count made for
    one scope is never shown for another."""
    from xuanren.access.policy import is_unrestricted, scope_root

    if is_unrestricted(actor):
        return "all"
    root = scope_root(actor)
    if root is None or not actor.is_active:
        return "none"
    return f"unit:{root.pk}:{root.path}"


def _counts_jobs(actor: Any) -> Any:
    return ImportJob.objects.defer("content", "output").filter(
        kind=JobKind.SCREENING_COUNTS, created_by_id=getattr(actor, "pk", None)
    )


def _counts_key(actor: Any, post: Post, ref: dt.date) -> dict[str, Any]:
    return {"post": post.pk, "ref": ref.isoformat(), "scope": screening_scope_key(actor)}


def in_background(considered: int) -> bool:
    """Whether a screening of this many candidates (Screening.considered_up_to
    XUANREN_SCREENING_BACKGROUND_CANDIDATES) counts its exclusions in a job."""
    return considered > settings.XUANREN_SCREENING_BACKGROUND_CANDIDATES


def screening_counts_job(*, actor: Any, post: Post, ref: dt.date) -> ImportJob | None:
    """The actor's latest counts job for `post` at `ref` in their current
    scope, while it is of use: queued or running, failed or cancelled (to be
    started again), or finished within XUANREN_SCREENING_COUNTS_MAX_AGE
    seconds. `post` was read with post_get (scope). One query."""
    from django.utils import timezone

    key = _counts_key(actor, post, ref)
    job = (
        _counts_jobs(actor)
        .filter(params__post=key["post"], params__ref=key["ref"], params__scope=key["scope"])
        .order_by("-created_at", "-id")
        .first()
    )
    if job is None or job.status != JobStatus.SUCCEEDED or job.finished_at is None:
        return job
    age = timezone.now() - job.finished_at
    return job if age.total_seconds() <= settings.XUANREN_SCREENING_COUNTS_MAX_AGE else None


def screening_counts_job_get(*, actor: Any, pk: int) -> tuple[ImportJob, Post, dt.date]:
    """A counts job with its post and reference date, for its requester only
    (anyone else, administrators included: 404), while the post is in their
    scope and the scope is the one it was counted for."""
    from xuanren.common.errors import NotFound
    from xuanren.org.selectors import post_get

    job = _counts_jobs(actor).filter(pk=pk).first()
    if job is None or job.params.get("scope") != screening_scope_key(actor):
        raise NotFound(_("没有找到该统计，或您无权查看。"))
    post = post_get(actor=actor, pk=job.params["post"])
    return job, post, dt.date.fromisoformat(job.params["ref"])


@transaction.atomic
def screening_counts_start(
    *, actor: Any, post: Post, ref: dt.date, found: Screening | None = None
) -> ImportJob | None:
    """Count a large screening's exclusions in the background: the
    permission and the scope checked as the page checks them (`post` read
    with post_get), the job of the same post, date and scope that is still
    queued or running returned instead of a second one. None when the
    screening is small enough to be counted in the request. `found`: the
    caller's screening of the same actor, post and date, not built twice."""
    from xuanren.exchange.jobs import is_interrupted
    from xuanren.policy.selectors import screening

    if found is None or found.post.pk != post.pk or found.ref != ref:
        found = screening(actor=actor, post=post, ref=ref)
    limit = settings.XUANREN_SCREENING_BACKGROUND_CANDIDATES
    if not in_background(found.considered_up_to(limit)):
        return None
    under_way = screening_counts_job(actor=actor, post=post, ref=ref)
    if (
        under_way is not None
        and under_way.status in (JobStatus.QUEUED, JobStatus.RUNNING)
        and not is_interrupted(under_way)
    ):
        return under_way
    return job_start(
        actor=actor,
        kind=JobKind.SCREENING_COUNTS,
        name=f"{post.unit.name}{post.title}",
        params=_counts_key(actor, post, ref),
        total=1,
    )


@dataclass(frozen=True)
class ScreeningCounts:
    """A screening's exclusion counts as the API answers them (decision 0139):
    `lines` each applicable rule with its count (None while a background job
    counts), `job` that job past the threshold, `considered` how many
    candidates were counted (None while not known)."""

    lines: list[RuleLine]
    job: ImportJob | None
    considered: int | None


def screening_counts_or_job(*, actor: Any, found: Screening) -> ScreeningCounts:
    """The API's `failure_counts`: up to XUANREN_SCREENING_BACKGROUND_CANDIDATES
    candidates counted here, as before; past it never in the request, but by
    the actor's job for the same post, date and scope — the one finished
    within XUANREN_SCREENING_COUNTS_MAX_AGE (its counts), the one queued or
    running, or, when there is none of use (none, too old, failed, cancelled,
    interrupted), a new one started (screening_counts_start: permission, scope,
    journal). `found` is the caller's screening (post read with post_get)."""
    from xuanren.exchange.jobs import is_interrupted
    from xuanren.policy.selectors import RuleLine

    considered = found.considered_up_to(settings.XUANREN_SCREENING_BACKGROUND_CANDIDATES)
    if not in_background(considered):
        lines = [RuleLine(rc.rule, rc.failing, rc.note) for rc in found.failure_counts()]
        return ScreeningCounts(lines=lines, job=None, considered=considered)
    job = screening_counts_job(actor=actor, post=found.post, ref=found.ref)
    of_use = job is not None and (
        job.status == JobStatus.SUCCEEDED
        or (job.status in (JobStatus.QUEUED, JobStatus.RUNNING) and not is_interrupted(job))
    )
    if not of_use:
        job = screening_counts_start(actor=actor, post=found.post, ref=found.ref, found=found)
    done = job is not None and job.status == JobStatus.SUCCEEDED and job.result is not None
    result: dict[str, Any] = (job.result or {}) if done and job is not None else {}
    return ScreeningCounts(
        lines=found.rule_lines(result.get("counts") if done else None),
        job=job,
        considered=result.get("considered") if done else None,
    )


def run_screening_counts(job: ImportJob, progress: JobProgress) -> dict[str, Any]:
    """The aggregate of the 智能选人 fragment, as the requester, in their
    scope now; refused when that scope is no longer the one asked about."""
    from xuanren.common.errors import NotFound
    from xuanren.org.selectors import post_get
    from xuanren.policy.selectors import screening

    actor = job.created_by
    if job.params.get("scope") != screening_scope_key(actor):
        raise NotFound(_("您的管理范围已变化，请重新统计。"))
    post = post_get(actor=actor, pk=job.params["post"])
    found = screening(actor=actor, post=post, ref=dt.date.fromisoformat(job.params["ref"]))
    progress("checking", 0, 1)
    counts = found.failure_counts()
    considered = found.base.count()
    return {
        "result": {
            "considered": considered,
            "counts": {rc.rule.id: rc.failing for rc in counts},
        },
        "rows_done": 1,
        "rows_total": 1,
    }
