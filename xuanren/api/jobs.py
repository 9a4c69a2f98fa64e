"""Background jobs of every kind (docs/decisions/0104, 0116, 0139): the status
of a job the caller started, the file a finished export or forms ZIP made,
and its cancel and retry (the web's services, the same rules).
A large XLSX import, LRMX upload or confirm, cadre or roster export and a
case's forms ZIP answer 202 with the job; its `links` lead here.

Only the requester and administrators see a job or download its file; for
anyone else it does not exist (404), whatever their roles. The selector
checks that before the stored file is read.

(No `from __future__ import annotations` in the routers: ninja reads the
parameter annotations at import time.)"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from ninja import Router

from xuanren.api.auth import actor_of
from xuanren.api.errors import ERROR_RESPONSES, ErrorOut
from xuanren.api.xlsx_schemas import JobOut, job_out
from xuanren.exchange.jobs import (
    import_job_cancel,
    import_job_get,
    import_job_retry,
    job_output_get,
)

router = Router(tags=["后台任务"])


@router.get(
    "/jobs/{int:job_id}",
    summary="后台任务的状态和进度",
    response={200: JobOut, **ERROR_RESPONSES},
    url_name="job",
)
def job(request: HttpRequest, job_id: int) -> Any:
    """本人提交的后台任务（系统管理员可查看全部），任何类型：XLSX 导入、LRMX 导入、干部名单和
    花名册导出、任免审批表打包。返回状态、已处理数和百分比；结束后给出结果或错误列表，生成文件的
    任务给出 links.download。他人的任务返回 404。"""
    return job_out(import_job_get(actor=actor_of(request), pk=job_id))


@router.get(
    "/jobs/{int:job_id}/download",
    summary="下载后台任务生成的文件",
    response=ERROR_RESPONSES,
    url_name="job_download",
    openapi_extra={
        "responses": {
            200: {
                "description": "XLSX 或 ZIP 文件",
                "content": {
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
                    "application/zip": {},
                },
            }
        }
    },
)
def job_download(request: HttpRequest, job_id: int) -> HttpResponse:
    """已完成的导出或打包任务生成的文件，只有提交人和系统管理员可以下载（他人 404）；
    任务未完成、已取消或文件已超过保留期限被清理时也返回 404。"""
    job = job_output_get(actor=actor_of(request), pk=job_id)
    headers = {
        "Content-Disposition": content_disposition_header(True, job.output_name) or "",
        "Cache-Control": "no-store",  # personal data: never kept by a proxy
    }
    return HttpResponse(bytes(job.output), content_type=job.output_type, headers=headers)


#: A cancel or retry the job's state refuses is 409, as other refused writes.
ACTION_RESPONSES: dict[int, Any] = {200: JobOut, 409: ErrorOut, **ERROR_RESPONSES}


@router.post(
    "/jobs/{int:job_id}/cancel",
    summary="取消后台任务",
    response=ACTION_RESPONSES,
    url_name="job_cancel",
)
def job_cancel(request: HttpRequest, job_id: int) -> Any:
    """取消本人提交的后台任务（系统管理员可取消全部）：排队中的任务立即取消；进行中的任务在下一次
    报告进度时停止，已保存的内容全部撤销（SQLite 上正在保存的任务不能取消）。已结束的任务返回 409，
    他人的任务返回 404。返回取消后的任务状态。"""
    return job_out(import_job_cancel(actor=actor_of(request), pk=job_id))


@router.post(
    "/jobs/{int:job_id}/retry",
    summary="重新执行后台任务",
    response=ACTION_RESPONSES,
    url_name="job_retry",
)
def job_retry(request: HttpRequest, job_id: int) -> Any:
    """重新执行已取消、因意外错误未完成或长时间没有进展（后台任务进程可能已停止）的任务，
    使用原来的上传文件和参数，并重新检查权限。正在进行、已完成或输入有错误（需修改后重新提交）
    的任务返回 409，他人的任务返回 404。返回重新排队的任务。"""
    return job_out(import_job_retry(actor=actor_of(request), pk=job_id))
