"""Downloads of generated documents. Thin: parse the request, call the
documents service (which checks permissions and journals), send the file."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
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
from xuanren.web.pages import FORMS, SAFE, login_page


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


@login_page(methods=FORMS, other_errors="documents/error.html")
def case_approval_forms(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The ZIP of a case's forms; past XUANREN_FORMS_BACKGROUND_COUNT forms the
    GET offers a background job and the POST starts it (docs/decisions/0104)."""
    from xuanren.exchange.job_kinds import forms_zip_count, forms_zip_start
    from xuanren.exchange.views_xlsx import offer_background

    threshold = settings.XUANREN_FORMS_BACKGROUND_COUNT
    count = forms_zip_count(actor=request.user, case_pk=pk)
    if count > threshold:
        if request.method == "POST":
            job = forms_zip_start(actor=request.user, case_pk=pk)
            return redirect("exchange:xlsx_job", pk=job.pk)
        return offer_background(
            request, rows=count, threshold=threshold, what=_("任免审批表"), unit_text=_("份")
        )
    if request.method == "POST":
        return redirect("documents:case_approval_forms", pk=pk)
    return file_response(approval_forms_zip_generate(actor=request.user, case_pk=pk))


@download
def case_notice(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    return file_response(notice_generate(actor=request.user, case_pk=pk, fmt=fmt))


@download
def case_record(request: HttpRequest, pk: int) -> HttpResponse:
    return file_response(case_record_generate(actor=request.user, case_pk=pk))
