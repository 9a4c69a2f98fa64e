"""XLSX pages: the import page (template download, upload, the error list or
the summary) and the exports (cadre list with the search page's filters,
花名册 of a unit). Thin: the reads and writes are the selectors and services
of xlsx_import / xlsx_export."""

from __future__ import annotations

import datetime as dt
from typing import IO, Any

from django import forms
from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from xuanren.common.dates import today
from xuanren.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from xuanren.common.widgets import date_input
from xuanren.exchange.job_kinds import (
    cadres_export_count,
    cadres_export_start,
    roster_export_count,
    roster_export_start,
)
from xuanren.exchange.jobs import (
    IMPORT_KINDS,
    can_cancel,
    can_retry,
    import_job_cancel,
    import_job_get,
    import_job_list,
    import_job_retry,
    is_interrupted,
    job_output_get,
    xlsx_upload,
)
from xuanren.exchange.models import ImportJob, JobKind, JobStatus
from xuanren.exchange.xlsx_export import cadre_list_export, roster_export
from xuanren.exchange.xlsx_import import XlsxImportFailed
from xuanren.exchange.xlsx_template import template_workbook
from xuanren.org.selectors import unit_get, unit_list
from xuanren.web.exports import XLSX_TYPE
from xuanren.web.forms import DATE_INPUT_FORMATS, CadreSearchForm, unit_choices
from xuanren.web.pages import login_page

TEMPLATE_NAME = "选任数据导入模板.xlsx"


_errors_as_pages = login_page()  # login; refusals as the Chinese 403/404 pages


def xlsx_file(target: IO[bytes] | bytes, filename: str) -> HttpResponseBase:
    """A download; a file object streams in blocks and is closed afterwards."""
    headers = {"Content-Disposition": content_disposition_header(True, filename) or ""}
    if isinstance(target, bytes):
        return HttpResponse(target, content_type=XLSX_TYPE, headers=headers)
    return FileResponse(target, as_attachment=True, filename=filename, content_type=XLSX_TYPE)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("工作簿文件"),
        help_text=gettext_lazy("按模板填写的 .xlsx 文件。"),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("只检查，不保存"),
        required=False,
    )


class RosterForm(forms.Form):
    unit = forms.TypedChoiceField(label=gettext_lazy("单位（含下级）"), coerce=int)
    on = forms.DateField(
        label=gettext_lazy("统计日期"),
        required=False,
        widget=date_input(),
        input_formats=DATE_INPUT_FORMATS,
    )

    def __init__(self, *args: Any, units: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = unit_choices(units, blank=str(_("请选择单位")))


def _units(actor: Any) -> list[Any]:
    try:
        return list(unit_list(actor=actor))
    except PermissionDenied:
        return []


def _page(
    request: HttpRequest, form: UploadForm, status: int = 200, **extra: Any
) -> HttpResponseBase:
    actor = request.user
    context = {
        "form": form,
        "roster_form": RosterForm(units=_units(actor), initial={"on": today()}),
        "background_rows": settings.XUANREN_XLSX_BACKGROUND_ROWS,
        "jobs": import_job_list(actor=actor, kinds=[JobKind.XLSX_IMPORT]),
        "export_jobs": import_job_list(
            actor=actor, kinds=[JobKind.CADRES_EXPORT, JobKind.ROSTER_EXPORT]
        ),
        **extra,
    }
    return render(request, "exchange/xlsx_index.html", context, status=status)


@_errors_as_pages
@require_http_methods(["GET", "HEAD", "POST"])
def xlsx_index(request: HttpRequest) -> HttpResponseBase:
    if request.method != "POST":
        return _page(request, UploadForm())
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, status=422)
    upload = form.cleaned_data["file"]
    try:
        # The service checks the permission, then the size and the limits,
        # before it reads the file; a large workbook becomes a background job.
        result = xlsx_upload(
            actor=request.user,
            content=upload,
            filename=upload.name or "",
            dry_run=form.cleaned_data["dry_run"],
        )
    except XlsxImportFailed as exc:
        return _page(request, form, status=422, failure=exc, row_errors=exc.row_errors)
    except ValidationFailed as exc:
        return _page(request, form, status=exc.http_status, failure=exc)
    if isinstance(result, ImportJob):
        return redirect("exchange:xlsx_job", pk=result.pk)
    return _page(request, UploadForm(), result=result, filename=upload.name)


#: Where a job's page leads back to, by kind.
BACK: dict[str, tuple[str, Any]] = {
    JobKind.XLSX_IMPORT: ("exchange:xlsx_index", gettext_lazy("返回表格导入导出")),
    JobKind.CADRES_EXPORT: ("exchange:xlsx_index", gettext_lazy("返回表格导入导出")),
    JobKind.ROSTER_EXPORT: ("exchange:xlsx_index", gettext_lazy("返回表格导入导出")),
    JobKind.LRMX_PREVIEW: ("exchange:lrmx_import", gettext_lazy("返回任免审批表导入")),
    JobKind.LRMX_CONFIRM: ("exchange:lrmx_import", gettext_lazy("返回任免审批表导入")),
}


def _job_context(job: ImportJob) -> dict[str, Any]:
    interrupted = is_interrupted(job)
    total = job.rows_total or 0
    if job.kind == JobKind.FORMS_ZIP:
        back = (reverse("web:case_detail", args=[job.params.get("case")]), _("返回选任事项"))
    else:
        name, text = BACK.get(job.kind, BACK[JobKind.XLSX_IMPORT])
        back = (reverse(name), str(text))
    return {
        "job": job,
        "importing": job.kind in IMPORT_KINDS,
        "retention_days": settings.XUANREN_IMPORT_RETENTION_DAYS,
        "back_url": back[0],
        "back_text": back[1],
        "interrupted": interrupted,
        "active": job.status in (JobStatus.QUEUED, JobStatus.RUNNING) and not interrupted,
        "percent": min(100, job.rows_done * 100 // total) if total else 0,
        "can_cancel": can_cancel(job),
        "can_retry": can_retry(job),
    }


@_errors_as_pages
@require_safe
def xlsx_job(request: HttpRequest, pk: int) -> HttpResponseBase:
    job = import_job_get(actor=request.user, pk=pk)
    return render(request, "exchange/xlsx_job.html", _job_context(job))


@_errors_as_pages
@require_safe
def xlsx_job_progress(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The progress block alone, polled by htmx every second while the job runs."""
    job = import_job_get(actor=request.user, pk=pk)
    return render(request, "exchange/_xlsx_job.html", _job_context(job))


@_errors_as_pages
@require_http_methods(["POST"])
def xlsx_job_cancel(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _job_action(request, pk, import_job_cancel)


@_errors_as_pages
@require_http_methods(["POST"])
def xlsx_job_retry(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _job_action(request, pk, import_job_retry)


def _job_action(request: HttpRequest, pk: int, action: Any) -> HttpResponseBase:
    try:
        action(actor=request.user, pk=pk)
    except Conflict as exc:
        job = import_job_get(actor=request.user, pk=pk)
        context = {**_job_context(job), "message": exc.message}
        return render(request, "exchange/xlsx_job.html", context, status=exc.http_status)
    return redirect("exchange:xlsx_job", pk=pk)


@_errors_as_pages
@require_safe
def job_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A finished job's file: only for who started the job and administrators."""
    job = job_output_get(actor=request.user, pk=pk)
    headers = {
        "Content-Disposition": content_disposition_header(True, job.output_name) or "",
        "Cache-Control": "no-store",  # personal data: never kept by a proxy
    }
    return HttpResponse(bytes(job.output), content_type=job.output_type, headers=headers)


def offer_background(
    request: HttpRequest, *, rows: int, threshold: int, what: str, unit_text: str
) -> HttpResponseBase:
    """A GET past the threshold: the page offering to produce the file in the
    background (a POST to the same address starts it); nothing is produced yet."""
    context = {"rows": rows, "threshold": threshold, "what": what, "unit_text": unit_text}
    return render(request, "exchange/job_offer.html", context)


@_errors_as_pages
@require_safe
def xlsx_template(request: HttpRequest) -> HttpResponseBase:
    return xlsx_file(template_workbook(), TEMPLATE_NAME)


@_errors_as_pages
@require_http_methods(["GET", "HEAD", "POST"])
def cadres_xlsx(request: HttpRequest) -> HttpResponseBase:
    """The cadre list with the search page's filters (same query string).
    Past XUANREN_EXPORT_BACKGROUND_ROWS rows the GET offers a background job
    and the POST (same query string) starts it."""
    actor = request.user
    form = CadreSearchForm(request.GET or None, units=_units(actor))
    filters = form.filters()
    filename = f"{_('干部信息')}-{today().isoformat()}.xlsx"
    threshold = settings.XUANREN_EXPORT_BACKGROUND_ROWS
    rows = cadres_export_count(actor=actor, filters=filters)
    if rows > threshold:
        if request.method == "POST":
            job = cadres_export_start(actor=actor, filters=filters, filename=filename)
            return redirect("exchange:xlsx_job", pk=job.pk)
        return offer_background(
            request, rows=rows, threshold=threshold, what=_("干部信息"), unit_text=_("行")
        )
    target, _rows = cadre_list_export(actor=actor, filters=filters)
    return xlsx_file(target, filename)


@_errors_as_pages
@require_http_methods(["GET", "HEAD", "POST"])
def roster_xlsx(request: HttpRequest) -> HttpResponseBase:
    actor = request.user
    try:
        unit_id = int(request.GET.get("unit", ""))
    except ValueError as exc:
        raise NotFound(_("请先选择单位。")) from exc
    unit = unit_get(actor=actor, pk=unit_id)
    on = None
    raw = request.GET.get("on", "")
    for fmt in DATE_INPUT_FORMATS:
        try:
            on = dt.datetime.strptime(raw, fmt).date()
            break
        except ValueError:
            continue
    on = on or today()
    filename = f"{_('干部花名册')}-{unit.name}-{on.isoformat()}.xlsx"
    threshold = settings.XUANREN_EXPORT_BACKGROUND_ROWS
    rows = roster_export_count(actor=actor, unit=unit, on=on)
    if rows > threshold:
        if request.method == "POST":
            job = roster_export_start(actor=actor, unit=unit, on=on, filename=filename)
            return redirect("exchange:xlsx_job", pk=job.pk)
        return offer_background(
            request, rows=rows, threshold=threshold, what=_("干部花名册"), unit_text=_("行")
        )
    target, _rows = roster_export(actor=actor, unit=unit, on=on)
    return xlsx_file(target, filename)
