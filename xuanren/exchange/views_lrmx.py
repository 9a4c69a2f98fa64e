"""LRMX pages: export a cadre's file, upload files, preview, confirm.
Thin: every read and write is a call into lrmx_services."""

from __future__ import annotations

import contextlib
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from xuanren.common.errors import DomainError, PermissionDenied
from xuanren.exchange.job_kinds import lrmx_confirm as lrmx_confirm_or_job
from xuanren.exchange.job_kinds import lrmx_confirm_job, lrmx_upload
from xuanren.exchange.jobs import import_job_list
from xuanren.exchange.lrmx_services import (
    batch_get,
    batch_needs_unit,
    lrmx_export,
    lrmx_import_cancel,
)
from xuanren.exchange.models import ImportJob, ImportStatus, JobKind
from xuanren.org.models import Unit
from xuanren.org.selectors import unit_get, unit_list
from xuanren.web.pages import login_page

LRMX_TYPE = "application/xml; charset=utf-8"


_refusals = login_page()  # login; refusals as the Chinese 403/404 pages


def lrmx_file_response(filename: str, data: bytes) -> HttpResponse:
    return HttpResponse(
        data,
        content_type=LRMX_TYPE,
        headers={"Content-Disposition": content_disposition_header(True, filename) or ""},
    )


@require_safe
@_refusals
def cadre_lrmx(request: HttpRequest, pk: int) -> HttpResponse:
    filename, data = lrmx_export(actor=request.user, pk=pk)
    return lrmx_file_response(filename, data)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("任免审批表文件"),
        help_text=gettext_lazy("一个 .lrmx 文件，或包含多个 .lrmx 文件的 ZIP 压缩包。"),
    )


class ConfirmForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=gettext_lazy("新建干部所在单位"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=gettext_lazy("（请选择）"),
    )

    def __init__(self, *args: Any, units: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units


@require_http_methods(["GET", "HEAD", "POST"])
@_refusals
def lrmx_import(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        # The service checks the permission, then the size and the limits,
        # before it reads the file.
        # Many files: checked in the background (docs/decisions/0104).
        try:
            batch = lrmx_upload(actor=request.user, upload_name=upload.name, data=upload)
        except PermissionDenied:
            raise
        except DomainError as exc:
            form.add_error("file", exc.message)
            status = exc.http_status
        else:
            if isinstance(batch, ImportJob):
                return redirect("exchange:xlsx_job", pk=batch.pk)
            return redirect("exchange:lrmx_batch", pk=batch.pk)
    elif request.method == "POST":
        status = 422
    jobs = import_job_list(actor=request.user, kinds=[JobKind.LRMX_PREVIEW, JobKind.LRMX_CONFIRM])
    return render(request, "exchange/lrmx_import.html", {"form": form, "jobs": jobs}, status=status)


def _batch_context(request: HttpRequest, batch: Any, form: ConfirmForm | None) -> dict[str, Any]:
    rows = batch.result if batch.status == ImportStatus.CONFIRMED else batch.preview
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["action"]] = counts.get(row["action"], 0) + 1
    return {
        "batch": batch,
        "rows": rows,
        "counts": counts,
        "saved": sum(1 for row in rows if row.get("saved")),
        "needs_unit": batch_needs_unit(batch),
        "savable": any(row["action"] != "error" for row in batch.preview),
        "form": form,
        "previewed": batch.status == ImportStatus.PREVIEWED,
        "confirm_job": lrmx_confirm_job(batch),
    }


def _units(actor: Any) -> Any:
    try:
        return unit_list(actor=actor)
    except PermissionDenied:
        return Unit.objects.none()


@require_safe
@_refusals
def lrmx_batch(request: HttpRequest, pk: int) -> HttpResponse:
    batch = batch_get(actor=request.user, pk=pk)
    form = ConfirmForm(units=_units(request.user))
    return render(request, "exchange/lrmx_batch.html", _batch_context(request, batch, form))


@require_POST
@_refusals
def lrmx_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    batch = batch_get(actor=actor, pk=pk)
    form = ConfirmForm(request.POST, units=_units(actor))
    if form.is_valid():
        chosen = form.cleaned_data["unit"]
        try:
            unit = unit_get(actor=actor, pk=chosen.pk) if chosen is not None else None
            done = lrmx_confirm_or_job(actor=actor, batch=batch, unit=unit)
        except PermissionDenied:
            raise
        except DomainError as exc:
            form.add_error(None, exc.message)
            for error in exc.errors:
                form.add_error("unit" if error.field == "unit" else None, error.message)
        else:
            if isinstance(done, ImportJob):
                return redirect("exchange:xlsx_job", pk=done.pk)
            return redirect("exchange:lrmx_batch", pk=batch.pk)
    context = _batch_context(request, batch, form)
    return render(request, "exchange/lrmx_batch.html", context, status=422)


@require_POST
@_refusals
def lrmx_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    batch = batch_get(actor=request.user, pk=pk)
    # Already confirmed or cancelled: the batch page says which.
    with contextlib.suppress(DomainError):
        lrmx_import_cancel(actor=request.user, batch=batch)
    return redirect("exchange:lrmx_batch", pk=batch.pk)
