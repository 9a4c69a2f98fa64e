"""A cadre's temporary postings (挂职锻炼) on the web: entry, correction and
removal through the people services (issue 15, docs/decisions/0158). Scoped as
the cadre edit page: out of scope 404, may see but not change 403. The host is
a unit of the actor's scope (the unit picker) or, outside it, a name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from xuanren.access.policy import require_unit
from xuanren.common.errors import NotFound, ValidationFailed
from xuanren.common.widgets import date_input
from xuanren.org.selectors import unit_get
from xuanren.people.models import Cadre, TemporaryPosting
from xuanren.people.posting_export import postings_export
from xuanren.people.posting_services import (
    temporary_posting_add,
    temporary_posting_change,
    temporary_posting_remove,
)
from xuanren.people.selectors import cadre_get, cadre_postings
from xuanren.web.exports import xlsx_bytes_response
from xuanren.web.pages import FORMS, SAFE, login_page
from xuanren.web.pickers import UnitField


class PostingForm(forms.Form):
    host_name = forms.CharField(
        label=gettext_lazy("系统外挂职单位名称"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("挂职单位不在本系统中时填写，如“市发展和改革委员会”。"),
    )
    post_title = forms.CharField(label=gettext_lazy("挂职职务"), max_length=60)
    start_date = forms.DateField(label=gettext_lazy("挂职开始"), widget=date_input())
    end_date = forms.DateField(label=gettext_lazy("挂职结束"), widget=date_input())
    note = forms.CharField(label=gettext_lazy("备注"), max_length=200, required=False)

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["host_unit"] = UnitField(
            actor=actor, label=_("挂职单位"), empty_label=_("选择本系统中的单位")
        )
        self.order_fields(["host_unit", "host_name"])


def _changeable(request: HttpRequest, pk: int) -> Cadre:
    cadre = cadre_get(actor=request.user, pk=pk)  # out of scope: 404
    require_unit(request.user, "people.change_cadre", cadre.unit)  # may see, not change: 403
    return cadre


def _row(cadre: Cadre, posting: int) -> TemporaryPosting:
    found = next((p for p in cadre_postings(cadre) if p.pk == posting), None)
    if found is None:
        raise NotFound(_("该干部没有这条挂职记录。"))
    return found


def _save(
    request: HttpRequest, form: PostingForm, cadre: Cadre, row: TemporaryPosting | None
) -> bool:
    d = form.cleaned_data
    values = {
        "host_unit": unit_get(actor=request.user, pk=d["host_unit"]) if d["host_unit"] else None,
        "host_name": d["host_name"],
        "post_title": d["post_title"],
        "start_date": d["start_date"],
        "end_date": d["end_date"],
        "note": d["note"],
    }
    try:
        if row is None:
            temporary_posting_add(actor=request.user, cadre=cadre, **values)
        else:
            temporary_posting_change(actor=request.user, posting=row, **values)
    except ValidationFailed as exc:
        for e in exc.errors:
            form.add_error(e.field if e.field in form.fields else None, e.message)
        if not exc.errors:
            form.add_error(None, exc.message)
        return False
    return True


@login_page(methods=FORMS)
def cadre_postings_page(request: HttpRequest, pk: int) -> HttpResponse:
    cadre = _changeable(request, pk)
    posting = request.method == "POST"
    form = PostingForm(request.POST if posting else None, actor=request.user)
    status = 200
    if posting:
        status = 422
        if form.is_valid() and _save(request, form, cadre, None):
            messages.success(request, _("挂职记录已保存。"))
            return HttpResponseRedirect(reverse("web:cadre_postings", args=[cadre.pk]))
    context = {"cadre": cadre, "form": form, "postings": cadre_postings(cadre)}
    return render(request, "web/cadre_postings.html", context, status=status)


@login_page(methods=FORMS)
def posting_edit(request: HttpRequest, pk: int, posting: int) -> HttpResponse:
    cadre = _changeable(request, pk)
    row = _row(cadre, posting)
    initial = {
        "host_unit": row.host_unit_id,
        "host_name": row.host_name,
        "post_title": row.post_title,
        "start_date": row.start_date,
        "end_date": row.end_date,
        "note": row.note,
    }
    posting_now = request.method == "POST"
    form = PostingForm(request.POST if posting_now else None, initial=initial, actor=request.user)
    status = 200
    if posting_now:
        status = 422
        if form.is_valid() and _save(request, form, cadre, row):
            messages.success(request, _("挂职记录已修改。"))
            return HttpResponseRedirect(reverse("web:cadre_postings", args=[cadre.pk]))
    context = {"cadre": cadre, "form": form, "row": row}
    return render(request, "web/posting_edit.html", context, status=status)


@login_page()
@require_POST
def posting_delete(request: HttpRequest, pk: int, posting: int) -> HttpResponse:
    cadre = _changeable(request, pk)
    row = _row(cadre, posting)
    temporary_posting_remove(actor=request.user, posting=row)
    messages.success(
        request, _("已删除挂职记录：%(h)s%(t)s。") % {"h": row.host, "t": row.post_title}
    )
    return HttpResponseRedirect(reverse("web:cadre_postings", args=[cadre.pk]))


@login_page(methods=SAFE)
def cadre_postings_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The cadre's 挂职 periods as XLSX (out of scope 404)."""
    return xlsx_bytes_response(*postings_export(actor=request.user, cadre_id=pk))
