"""Downloads of generated documents. Thin: parse the request, call the
documents service (which checks permissions and journals), send the file."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from xuanren.documents.forms import FormContextForm
from xuanren.documents.services import (
    GeneratedFile,
    approval_form_generate,
    approval_forms_zip_generate,
    case_record_generate,
    notice_generate,
)
from xuanren.web.pages import SAFE, login_page


def file_response(generated: GeneratedFile) -> HttpResponse:
    return HttpResponse(
        generated.data,
        content_type=generated.content_type,
        headers={
            "Content-Disposition": content_disposition_header(True, generated.filename) or "",
            "Cache-Control": "no-store",  # personal data: never kept by a proxy
        },
    )


download = login_page(
    methods=SAFE, other_errors="documents/error.html"
)  # login; refusals as the Chinese 403/404 pages


@download
def approval_form(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    form = FormContextForm(request.GET)
    if not form.is_valid():
        errors = "；".join(str(e) for errs in form.errors.values() for e in errs)
        return render(
            request,
            "documents/error.html",
            {"message": _("任免审批表参数有误：%(e)s") % {"e": errors}},
            status=400,
        )
    return file_response(
        approval_form_generate(actor=request.user, cadre_pk=pk, context=form.context(), fmt=fmt)
    )


@download
def case_approval_forms(request: HttpRequest, pk: int) -> HttpResponse:
    return file_response(approval_forms_zip_generate(actor=request.user, case_pk=pk))


@download
def case_notice(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    return file_response(notice_generate(actor=request.user, case_pk=pk, fmt=fmt))


@download
def case_record(request: HttpRequest, pk: int) -> HttpResponse:
    return file_response(case_record_generate(actor=request.user, case_pk=pk))
