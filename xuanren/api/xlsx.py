"""XLSX endpoints: the import template, importing a filled-in workbook (all
or nothing, every error listed), and exports of the cadre list and of a
unit's 花名册. Handlers only call the exchange services.

(No `from __future__ import annotations` in the routers: ninja reads the
parameter annotations at import time.)"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import reverse
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
from xuanren.exchange.jobs import import_job_get, xlsx_upload
from xuanren.exchange.models import ImportJob
from xuanren.exchange.views_xlsx import TEMPLATE_NAME, xlsx_file
from xuanren.exchange.xlsx_export import cadre_list_export, roster_export
from xuanren.exchange.xlsx_template import template_workbook
from xuanren.org.selectors import unit_get
from xuanren.people.selectors import CadreFilters

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
    任务（id、状态、进度），之后 GET /xlsx/jobs/{id} 查询进度和结果（同样全部成功或全部不保存）。"""
    result = xlsx_upload(
        actor=actor_of(request), content=file, filename=file.name or "", dry_run=dry_run
    )
    if isinstance(result, ImportJob):
        return Status(202, job_out(result, _job_url(result)))
    return import_out(result)


def _job_url(job: ImportJob) -> str:
    return reverse("api:xlsx_job", kwargs={"job_id": job.pk})


@router.get(
    "/xlsx/jobs/{int:job_id}",
    summary="后台导入任务的状态和进度",
    response={200: JobOut, **ERROR_RESPONSES},
    url_name="xlsx_job",
)
def xlsx_job(request: HttpRequest, job_id: int) -> Any:
    """本人提交的后台任务（系统管理员可查看全部）：状态、已处理行数和百分比；结束后给出结果，
    或错误列表（rows 同导入的 422）。他人的任务返回 404。"""
    job = import_job_get(actor=actor_of(request), pk=job_id)
    return job_out(job, _job_url(job))


@router.get("/xlsx/cadres.xlsx", summary="导出干部名单", response={200: None, **ERROR_RESPONSES})
def cadres_xlsx(request: HttpRequest, filters: Query[CadreFiltersIn]) -> HttpResponseBase:
    """与 GET /cadres 相同的筛选条件下的全部干部；公民身份号码仅对有查看完整号码权限者完整显示。
    每次导出记一条 DATA_EXPORTED 日志。"""
    f = filters
    target, _rows = cadre_list_export(
        actor=actor_of(request),
        filters=CadreFilters(
            q=f.q,
            unit_id=f.unit,
            level=f.level or "",
            sex=f.sex or "",
            age_min=f.age_min,
            age_max=f.age_max,
            education_min=f.education_min or "",
            status=f.status,
            ref_date=f.ref_date,
        ),
    )
    return xlsx_file(target, "cadres.xlsx")


@router.get(
    "/xlsx/units/{int:unit_id}/roster.xlsx",
    summary="导出单位干部花名册",
    response={200: None, **ERROR_RESPONSES},
)
def roster_xlsx(request: HttpRequest, unit_id: int, on: dt.date | None = None) -> HttpResponseBase:
    """该单位及其下级单位在职干部的花名册（出生年月、学历学位、入党和参加工作时间、现任职务等）。
    每次导出记一条 DATA_EXPORTED 日志。"""
    actor = actor_of(request)
    unit = unit_get(actor=actor, pk=unit_id)
    target, _rows = roster_export(actor=actor, unit=unit, on=on)
    return xlsx_file(target, f"roster-{unit.code}.xlsx")
