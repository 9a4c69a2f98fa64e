"""XLSX endpoints: the import template, importing a filled-in workbook (all
or nothing, every error listed), and exports of the cadre list and of a
unit's 花名册. Handlers only call the exchange services.

(No `from __future__ import annotations` in the routers: ninja reads the
parameter annotations at import time.)"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from ninja import File, Form, Query, Router
from ninja.files import UploadedFile
from ninja.responses import Status

from xuanren.api.auth import actor_of
from xuanren.api.errors import ERROR_RESPONSES, ErrorOut
from xuanren.api.schemas import CadreFiltersIn
from xuanren.api.xlsx_schemas import (
    JobOut,
    XlsxImportErrorOut,
    XlsxImportOut,
    import_out,
    job_out,
)
from xuanren.common.dates import today
from xuanren.exchange.job_kinds import (
    cadres_export_count,
    cadres_export_start,
    roster_export_count,
    roster_export_start,
)
from xuanren.exchange.jobs import import_job_get, xlsx_upload
from xuanren.exchange.models import ImportJob
from xuanren.exchange.views_xlsx import TEMPLATE_NAME, xlsx_file
from xuanren.exchange.xlsx_export import cadre_list_export, roster_export
from xuanren.exchange.xlsx_template import template_workbook
from xuanren.org.selectors import unit_get

router = Router(tags=["表格导入导出 XLSX"])


@router.get("/xlsx/template.xlsx", summary="下载导入模板", response={200: None, **ERROR_RESPONSES})
def xlsx_template(request: HttpRequest) -> HttpResponseBase:
    """导入模板：单位、职位、职数、干部四张表，“说明”表逐列说明格式和可选值。"""
    return xlsx_file(template_workbook(), TEMPLATE_NAME)


@router.post(
    "/xlsx/import",
    summary="导入工作簿（全部成功或全部不保存）",
    response={
        200: XlsxImportOut,
        202: JobOut,
        409: ErrorOut,
        413: ErrorOut,
        422: XlsxImportErrorOut,
        **ERROR_RESPONSES,
    },
)
def xlsx_import(request: HttpRequest, file: File[UploadedFile], dry_run: Form[bool] = False) -> Any:
    """上传按模板填写的 .xlsx。整个工作簿一并检查：有任何错误返回 422，`rows` 列出每一处错误
    （表、行、列、单元格、问题及修改方法），什么也不保存；没有错误则在一个事务中全部保存，
    记一条 XLSX_IMPORTED 日志。dry_run=true 只检查不保存。

    数据行超过 XUANREN_XLSX_BACKGROUND_ROWS（默认 2000）行的工作簿在后台导入：返回 202 和
    任务（id、类型、状态、进度、links），之后 GET /jobs/{id}（或 /xlsx/jobs/{id}）查询进度和结果
    （同样全部成功或全部不保存）。"""
    result = xlsx_upload(
        actor=actor_of(request), content=file, filename=file.name or "", dry_run=dry_run
    )
    if isinstance(result, ImportJob):
        return Status(202, job_out(result))
    return import_out(result)


@router.get(
    "/xlsx/jobs/{int:job_id}",
    summary="后台任务的状态和进度（GET /jobs/{id} 的别名）",
    response={200: JobOut, **ERROR_RESPONSES},
    url_name="xlsx_job",
)
def xlsx_job(request: HttpRequest, job_id: int) -> Any:
    """与 GET /jobs/{id} 相同：本人提交的后台任务（系统管理员可查看全部）的状态、已处理行数和
    百分比；结束后给出结果，或错误列表（rows 同导入的 422）。他人的任务返回 404。"""
    return job_out(import_job_get(actor=actor_of(request), pk=job_id))


EXPORT_RESPONSES: dict[int, Any] = {200: None, 202: JobOut, **ERROR_RESPONSES}
EXPORT_OPENAPI: dict[str, Any] = {
    "responses": {
        200: {
            "description": "XLSX 文件",
            "content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}},
        }
    }
}


@router.get(
    "/xlsx/cadres.xlsx",
    summary="导出干部名单",
    response=EXPORT_RESPONSES,
    openapi_extra=EXPORT_OPENAPI,
)
def cadres_xlsx(request: HttpRequest, filters: Query[CadreFiltersIn]) -> Any:
    """与 GET /cadres 相同的筛选条件下的全部干部；公民身份号码仅对有查看完整号码权限者完整显示；
    有查看进人方式登记权限者另有进人方式、进入时间、进人文件文号、进人方式说明四列。
    每次导出记一条 DATA_EXPORTED 日志。

    超过 XUANREN_EXPORT_BACKGROUND_ROWS（默认 5000）行时在后台生成：返回 202 和任务，完成后从
    links.download 下载（只有本人和系统管理员可以下载）；同样条件的任务尚未结束时再次请求，返回
    同一个任务。"""
    actor = actor_of(request)
    cadre_filters = filters.to_filters()
    if cadres_export_count(actor=actor, filters=cadre_filters) > (
        settings.XUANREN_EXPORT_BACKGROUND_ROWS
    ):
        job = cadres_export_start(
            actor=actor, filters=cadre_filters, filename="cadres.xlsx", reuse=True
        )
        return Status(202, job_out(job))
    target, _rows = cadre_list_export(actor=actor, filters=cadre_filters)
    return xlsx_file(target, "cadres.xlsx")


@router.get(
    "/xlsx/units/{int:unit_id}/roster.xlsx",
    summary="导出单位干部花名册",
    response=EXPORT_RESPONSES,
    openapi_extra=EXPORT_OPENAPI,
)
def roster_xlsx(request: HttpRequest, unit_id: int, on: dt.date | None = None) -> Any:
    """该单位及其下级单位在职干部的花名册（出生年月、学历学位、入党和参加工作时间、现任职务等）。
    每次导出记一条 DATA_EXPORTED 日志。超过 XUANREN_EXPORT_BACKGROUND_ROWS 行时同干部名单导出，
    返回 202 和任务。"""
    actor = actor_of(request)
    unit = unit_get(actor=actor, pk=unit_id)
    on = on or today()
    filename = f"roster-{unit.code}.xlsx"
    if roster_export_count(actor=actor, unit=unit, on=on) > settings.XUANREN_EXPORT_BACKGROUND_ROWS:
        job = roster_export_start(actor=actor, unit=unit, on=on, filename=filename, reuse=True)
        return Status(202, job_out(job))
    target, _rows = roster_export(actor=actor, unit=unit, on=on)
    return xlsx_file(target, filename)
