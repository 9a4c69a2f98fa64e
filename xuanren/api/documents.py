"""Documents: the 干部任免审批表 of a cadre (PDF or DOCX), a case's forms as
a ZIP, its public notice (PDF or DOCX) and its 纪实 (PDF). Each answer is the
file itself; producing one records a DOCUMENT_GENERATED journal event.

(No `from __future__ import annotations` in the routers: ninja reads the
parameter annotations at import time.)"""

from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status

from xuanren.api.auth import actor_of
from xuanren.api.document_schemas import ApprovalFormIn
from xuanren.api.errors import ERROR_RESPONSES, ErrorOut
from xuanren.api.xlsx_schemas import JobOut, job_out
from xuanren.documents.services import (
    approval_form_generate,
    approval_forms_zip_generate,
    case_record_generate,
    notice_generate,
)
from xuanren.documents.views import file_response
from xuanren.exchange.job_kinds import forms_zip_count, forms_zip_start

router = Router(tags=["文书"])

FILE_RESPONSES = {**ERROR_RESPONSES, 422: ErrorOut}


@router.get(
    "/cadres/{pk}/approval-form.{fmt}",
    summary="干部任免审批表",
    response=FILE_RESPONSES,
    openapi_extra={
        "responses": {
            200: {
                "description": "PDF 或 DOCX 文件",
                "content": {
                    "application/pdf": {},
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {},
                },
            }
        }
    },
)
def approval_form(
    request: HttpRequest, pk: int, fmt: Literal["pdf", "docx"], params: Query[ApprovalFormIn]
) -> Any:
    """一名干部的干部任免审批表（A4 两页），可附选任事项、拟任/拟免职务、任免理由、呈报单位和计算年龄时间。"""
    return file_response(
        approval_form_generate(
            actor=actor_of(request), cadre_pk=pk, context=params.context(), fmt=fmt
        )
    )


@router.get(
    "/cases/{pk}/approval-forms.zip",
    summary="选任事项全部人选的任免审批表（ZIP）",
    response={202: JobOut, **FILE_RESPONSES},
    openapi_extra={"responses": {200: {"description": "ZIP", "content": {"application/zip": {}}}}},
)
def case_approval_forms(request: HttpRequest, pk: int) -> Any:
    """事项每名人选（已排除、未通过的除外）的任免审批表，DOCX 和 PDF 各一份，打包为 ZIP。

    超过 XUANREN_FORMS_BACKGROUND_COUNT（默认 10）份时在后台打包：返回 202 和任务，完成后从
    links.download 下载（只有本人和系统管理员可以下载）；该事项的打包任务尚未结束时再次请求，
    返回同一个任务。"""
    actor = actor_of(request)
    if forms_zip_count(actor=actor, case_pk=pk) > settings.XUANREN_FORMS_BACKGROUND_COUNT:
        return Status(202, job_out(forms_zip_start(actor=actor, case_pk=pk, reuse=True)))
    return file_response(approval_forms_zip_generate(actor=actor, case_pk=pk))


@router.get(
    "/cases/{pk}/notice.{fmt}",
    summary="任前公示（张贴用）",
    response=FILE_RESPONSES,
    openapi_extra={"responses": {200: {"description": "PDF 或 DOCX 文件"}}},
)
def case_notice(request: HttpRequest, pk: int, fmt: Literal["pdf", "docx"]) -> Any:
    """事项最近一次发布的任前公示，按姓氏笔画排列。"""
    return file_response(notice_generate(actor=actor_of(request), case_pk=pk, fmt=fmt))


@router.get(
    "/cases/{pk}/record.pdf",
    summary="纪实（PDF）",
    response=FILE_RESPONSES,
    openapi_extra={"responses": {200: {"description": "PDF", "content": {"application/pdf": {}}}}},
)
def case_record(request: HttpRequest, pk: int) -> Any:
    """事项的全部环节记录、办理人、时间、附件哈希和日志链末端哈希。"""
    return file_response(case_record_generate(actor=actor_of(request), case_pk=pk))
