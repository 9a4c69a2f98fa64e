"""LRMX (任免审批表 exchange file) endpoints: a cadre's file, and import with
a preview (docs/decisions/0026, 0027). Handlers only call lrmx_services.

(No `from __future__ import annotations` in the routers: ninja reads the
parameter annotations at import time.)"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router
from ninja.files import UploadedFile
from ninja.responses import Status

from xuanren.api.auth import actor_of
from xuanren.api.errors import ERROR_RESPONSES, ErrorOut
from xuanren.api.lrmx_schemas import LrmxBatchOut, LrmxConfirmIn
from xuanren.api.xlsx_schemas import JobOut, job_out
from xuanren.exchange.job_kinds import lrmx_confirm as lrmx_confirm_or_job
from xuanren.exchange.job_kinds import lrmx_upload
from xuanren.exchange.lrmx_services import (
    batch_get,
    lrmx_export,
    lrmx_import_confirm,
)
from xuanren.exchange.models import ImportBatch, ImportJob, ImportStatus
from xuanren.exchange.views_lrmx import lrmx_file_response
from xuanren.org.selectors import unit_get

router = Router(tags=["任免审批表 LRMX"])

WRITE_RESPONSES = {**ERROR_RESPONSES, 409: ErrorOut, 413: ErrorOut, 422: ErrorOut}


def _batch(batch: ImportBatch) -> dict[str, Any]:
    rows = batch.result if batch.status == ImportStatus.CONFIRMED else batch.preview
    return {
        "id": batch.pk,
        "status": batch.status,
        "upload_name": batch.upload_name,
        "upload_sha256": batch.upload_sha256,
        "created_at": batch.created_at,
        "confirmed_at": batch.confirmed_at,
        "target_unit": batch.target_unit_id,
        "files": rows,
    }


@router.get(
    "/cadres/{int:cadre_id}/lrmx",
    summary="导出任免审批表 LRMX 文件",
    response={200: None, **ERROR_RESPONSES},
)
def cadre_lrmx(request: HttpRequest, cadre_id: int) -> HttpResponse:
    """该干部的 .lrmx 文件（UTF-8 XML，根元素 Person）。文件含完整公民身份号码和照片，
    需有查看完整号码的权限。"""
    filename, data = lrmx_export(actor=actor_of(request), pk=cadre_id)
    return lrmx_file_response(filename, data)


@router.post(
    "/lrmx/import",
    summary="导入任免审批表（预览或直接导入）",
    response={200: LrmxBatchOut, 202: JobOut, **WRITE_RESPONSES},
)
def lrmx_import(
    request: HttpRequest,
    file: File[UploadedFile],
    preview: Form[bool] = True,
    unit: Form[int | None] = None,
) -> Any:
    """上传一个 .lrmx 文件或含多个 .lrmx 的 ZIP。preview=true（默认）只检查并返回每个文件的
    新建/差异/错误，不保存，之后可 POST /lrmx/batches/{id}/confirm 确认；preview=false 检查后
    立即导入（新建的干部建在 unit 单位）。每个文件要么整份保存，要么整份不保存。

    ZIP 中的 .lrmx 文件超过 XUANREN_LRMX_BACKGROUND_FILES（默认 50）个时在后台检查（preview=false
    时检查后一并导入）：返回 202 和任务，GET /jobs/{id} 查询进度，完成后 links.batch 为导入批次。"""
    actor = actor_of(request)
    # The permission, the size and the ZIP's directory first; many files become a job.
    result = lrmx_upload(
        actor=actor,
        upload_name=file.name or "upload",
        data=file,
        confirm=not preview,
        unit_pk=unit,
    )
    if isinstance(result, ImportJob):
        return Status(202, job_out(result))
    batch = result
    if not preview:
        target = unit_get(actor=actor, pk=unit) if unit is not None else None
        batch = lrmx_import_confirm(actor=actor, batch=batch, unit=target)
    return _batch(batch)


@router.get(
    "/lrmx/batches/{int:batch_id}",
    summary="导入批次",
    response={200: LrmxBatchOut, **ERROR_RESPONSES},
    url_name="lrmx_batch",
)
def lrmx_batch(request: HttpRequest, batch_id: int) -> Any:
    """本人上传的导入批次：预览或导入结果。"""
    return _batch(batch_get(actor=actor_of(request), pk=batch_id))


@router.post(
    "/lrmx/batches/{int:batch_id}/confirm",
    summary="确认导入",
    response={200: LrmxBatchOut, 202: JobOut, **WRITE_RESPONSES},
)
def lrmx_confirm(request: HttpRequest, batch_id: int, payload: LrmxConfirmIn) -> Any:
    """保存预览过的批次中没有错误的文件；本批有新建干部时需给出其所在单位 unit。
    文件超过 XUANREN_LRMX_BACKGROUND_FILES 个时在后台导入（全部文件在一个事务中）：返回 202 和
    任务；该批次已有导入任务未结束时返回 409。"""
    actor = actor_of(request)
    batch = batch_get(actor=actor, pk=batch_id)
    target = unit_get(actor=actor, pk=payload.unit) if payload.unit is not None else None
    done = lrmx_confirm_or_job(actor=actor, batch=batch, unit=target)
    if isinstance(done, ImportJob):
        return Status(202, job_out(done))
    return _batch(done)
