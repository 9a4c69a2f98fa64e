"""A cadre's training rows (教育培训) on the web: entry, correction and removal,
each through the people services; the page shows the hours per year and the
training-hours rules in force with their own requirement and source (issue 15).
Scoped as the cadre edit page: out of scope 404, may see but not change 403."""

from __future__ import annotations

from collections import defaultdict
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
from xuanren.common.dates import today
from xuanren.common.errors import NotFound, ValidationFailed
from xuanren.people.models import Cadre, Training
from xuanren.people.selectors import cadre_get
from xuanren.people.services import training_add, training_change, training_remove
from xuanren.policy.selectors import TrainingStanding, training_standings
from xuanren.web.pages import FORMS, login_page


class TrainingForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=1, max_value=9999)
    title = forms.CharField(label=gettext_lazy("培训名称"), max_length=120)
    hours = forms.IntegerField(label=gettext_lazy("学时"), min_value=-(10**6), max_value=10**6)


def hours_by_year(trainings: list[Training]) -> dict[int, int]:
    out: dict[int, int] = defaultdict(int)
    for t in trainings:
        out[t.year] += t.hours
    return dict(sorted(out.items(), reverse=True))


def training_summary(trainings: list[Training]) -> dict[str, Any]:
    """The hours per year and the standing against each training rule in force."""
    by_year = hours_by_year(trainings)
    standings: list[TrainingStanding] = training_standings(hours_by_year=by_year, on=today())
    return {"hours_by_year": by_year, "standings": standings}


def _changeable(request: HttpRequest, pk: int) -> Cadre:
    cadre = cadre_get(actor=request.user, pk=pk)  # out of scope: 404
    require_unit(request.user, "people.change_cadre", cadre.unit)  # may see, not change: 403
    return cadre


def _row(cadre: Cadre, training: int) -> Training:
    found = next((t for t in cadre.trainings.all() if t.pk == training), None)
    if found is None:
        raise NotFound(_("该干部没有这条培训记录。"))
    return found


def _service_errors(form: forms.Form, exc: ValidationFailed) -> None:
    for e in exc.errors:
        form.add_error(e.field if e.field in form.fields else None, e.message)
    if not exc.errors:
        form.add_error(None, exc.message)


@login_page(methods=FORMS)
def cadre_trainings(request: HttpRequest, pk: int) -> HttpResponse:
    cadre = _changeable(request, pk)
    form = TrainingForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            d = form.cleaned_data
            try:
                training_add(
                    actor=request.user,
                    cadre=cadre,
                    year=d["year"],
                    hours=d["hours"],
                    title=d["title"],
                )
            except ValidationFailed as exc:
                _service_errors(form, exc)
            else:
                messages.success(request, _("培训记录已保存。"))
                return HttpResponseRedirect(reverse("web:cadre_trainings", args=[cadre.pk]))
    trainings = list(cadre.trainings.all())
    context = {"cadre": cadre, "form": form, "trainings": trainings, **training_summary(trainings)}
    return render(request, "web/cadre_trainings.html", context, status=status)


@login_page(methods=FORMS)
def training_edit(request: HttpRequest, pk: int, training: int) -> HttpResponse:
    cadre = _changeable(request, pk)
    row = _row(cadre, training)
    initial = {"year": row.year, "title": row.title, "hours": row.hours}
    form = TrainingForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            d = form.cleaned_data
            try:
                training_change(
                    actor=request.user,
                    training=row,
                    year=d["year"],
                    hours=d["hours"],
                    title=d["title"],
                )
            except ValidationFailed as exc:
                _service_errors(form, exc)
            else:
                messages.success(request, _("培训记录已修改。"))
                return HttpResponseRedirect(reverse("web:cadre_trainings", args=[cadre.pk]))
    context = {"cadre": cadre, "form": form, "row": row}
    return render(request, "web/training_edit.html", context, status=status)


@login_page()
@require_POST
def training_delete(request: HttpRequest, pk: int, training: int) -> HttpResponse:
    cadre = _changeable(request, pk)
    row = _row(cadre, training)
    training_remove(actor=request.user, training=row)
    messages.success(
        request, _("已删除培训记录：%(y)d 年 %(t)s。") % {"y": row.year, "t": row.title}
    )
    return HttpResponseRedirect(reverse("web:cadre_trainings", args=[cadre.pk]))
