"""Schemas of the XLSX endpoints (xuanren/api/xlsx.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from ninja import Schema
from pydantic import Field

from xuanren.api.errors import FieldErrorOut
from xuanren.exchange.jobs import can_cancel, can_retry, is_interrupted
from xuanren.exchange.models import ImportJob, JobKind, JobStatus
from xuanren.exchange.xlsx_import import ImportResult


class RowErrorOut(Schema):
    sheet: str = Field(description="表名：单位、职位、职数、干部")
    row: int = Field(description="行号，与 Excel 中显示的一致（第 1 行为列名）")
    column: str = Field(description="列名；为空时指整行")
    cell: str = Field(description="单元格，如 干部!E12")
    message: str


class XlsxImportErrorOut(Schema):
    """422: the workbook has errors and nothing was saved; `rows` lists all of them."""

    code: str
    message: str
    errors: list[FieldErrorOut]
    rows: list[RowErrorOut] = []


class XlsxCountsOut(Schema):
    units: int
    posts: int
    quotas_created: int
    quotas_changed: int
    cadres: int
    educations: int


class XlsxImportOut(Schema):
    dry_run: bool = Field(description="true：只检查，未保存")
    counts: XlsxCountsOut
    sha256: str = Field(description="上传文件的 SHA-256")
    created: dict[str, list[list[int]]] = Field(
        description="新建记录的编号区间 [[首, 末], …]，按表；只检查时为空"
    )
    journal_event: int | None = Field(description="XLSX_IMPORTED 日志事件编号")
    warnings: list[RowErrorOut] = Field(description="不影响导入的提示")


def import_out(result: ImportResult) -> dict[str, Any]:
    return {
        "dry_run": result.dry_run,
        "counts": result.counts,
        "sha256": result.sha256,
        "created": result.created,
        "journal_event": result.event_id,
        "warnings": [w.as_dict() for w in result.warnings],
    }


class JobLinksOut(Schema):
    status: str = Field(description="查询本任务状态的地址 GET /api/v1/jobs/{id}")
    download: str | None = Field(
        description="生成文件的任务（导出、任免审批表打包）完成后：下载地址；其他情况为 null"
    )
    batch: str | None = Field(
        description="LRMX 导入任务完成后：导入批次 GET /api/v1/lrmx/batches/{id}；其他情况为 null"
    )


class JobOut(Schema):
    """202 of a large import, export or forms ZIP, and GET /jobs/{id}: a
    background job (docs/decisions/0104, 0116)."""

    id: int
    kind: str = Field(
        description="类型：xlsx_import XLSX 导入、lrmx_preview LRMX 导入检查（preview=false 时检查后"
        "一并导入）、lrmx_confirm LRMX 导入、forms_zip 任免审批表打包、cadres_export 干部名单导出、"
        "roster_export 干部花名册导出、screening_counts 资格筛查各条件排除人数统计"
    )
    kind_label: str = Field(description="类型的中文名称")
    status: str = Field(
        description="queued 排队中、running 进行中、succeeded 已完成、failed 未通过、cancelled 已取消"
    )
    stage: str = Field(description="waiting、reading、checking、saving、generating、done")
    rows_done: int = Field(description="已处理的行数（或文件数、份数）")
    rows_total: int
    percent: int = Field(description="rows_done / rows_total，整数百分比")
    interrupted: bool = Field(
        description="true：长时间没有进展（后台任务进程可能已停止），可重新执行"
    )
    can_cancel: bool = Field(description="true：可以取消（POST /api/v1/jobs/{id}/cancel）")
    can_retry: bool = Field(description="true：可以重新执行（POST /api/v1/jobs/{id}/retry）")
    upload_name: str = Field(description="上传的文件名，或将生成的文件名")
    created_at: dt.datetime
    finished_at: dt.datetime | None
    result: dict[str, Any] | None = Field(description="完成后：与同步处理相同的结果摘要")
    failure: dict[str, Any] | None = Field(
        description="未通过或取消时：code、message、errors、rows"
    )
    url: str = Field(
        description="查询本任务状态的地址（XLSX 导入任务为 /api/v1/xlsx/jobs/{id}，与 links.status 等效）"
    )
    links: JobLinksOut


#: The kinds whose outcome is a file to download.
FILE_KINDS = (JobKind.FORMS_ZIP, JobKind.CADRES_EXPORT, JobKind.ROSTER_EXPORT)


def job_out(job: ImportJob) -> dict[str, Any]:
    total = job.rows_total or 0
    status_url = reverse("api:job", kwargs={"job_id": job.pk})
    done = job.status == JobStatus.SUCCEEDED
    batch = (job.result or {}).get("batch") if done else None
    return {
        "id": job.pk,
        "kind": job.kind,
        "kind_label": str(job.get_kind_display()),
        "status": job.status,
        "stage": job.stage,
        "rows_done": job.rows_done,
        "rows_total": total,
        "percent": min(100, job.rows_done * 100 // total) if total else 0,
        "interrupted": is_interrupted(job),
        "can_cancel": can_cancel(job),
        "can_retry": can_retry(job),
        "upload_name": job.upload_name,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "result": job.result,
        "failure": job.failure,
        "url": (
            reverse("api:xlsx_job", kwargs={"job_id": job.pk})
            if job.kind == JobKind.XLSX_IMPORT
            else status_url
        ),
        "links": {
            "status": status_url,
            "download": (
                reverse("api:job_download", kwargs={"job_id": job.pk})
                if done and job.kind in FILE_KINDS
                else None
            ),
            "batch": (
                reverse("api:lrmx_batch", kwargs={"batch_id": batch})
                if isinstance(batch, int)
                else None
            ),
        },
    }
