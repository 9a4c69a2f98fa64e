"""Training classes (培训班次) on the web: the classes of the actor's scope with
a form to record one, and a class's page with its participants, the scoped
cadre picker to enrol one who completed it (which writes their training row)
and a button to take one off (which removes that row). Issue 15."""

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

from xuanren.common.errors import Conflict, NotFound, ValidationFailed
from xuanren.common.widgets import date_input
from xuanren.org.selectors import unit_get
from xuanren.people.models import TrainingClass
from xuanren.people.selectors import cadre_get, training_class_get, training_classes
from xuanren.people.services import (
    training_class_create,
    training_class_enrol,
    training_class_unenrol,
)
from xuanren.web.pages import FORMS, login_page
from xuanren.web.pickers import CadreField, PickerScope, UnitField

LIST_MAX = 200


class TrainingClassForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("班次名称"), max_length=120)
    organiser = forms.CharField(label=gettext_lazy("主办单位"), max_length=120)
    start_date = forms.DateField(label=gettext_lazy("开班日期"), widget=date_input())
    end_date = forms.DateField(label=gettext_lazy("结业日期"), widget=date_input())
    hours = forms.IntegerField(label=gettext_lazy("学时"), min_value=-(10**6), max_value=10**6)

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"] = UnitField(
            actor=actor, required=True, label=_("登记单位"), empty_label=_("请选择单位")
        )


class EnrolForm(forms.Form):
    cadre = CadreField(within_unit=False, required=True, label=gettext_lazy("结业学员"))

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["cadre"]
        assert isinstance(field, CadreField)
        field.set_scope(PickerScope(actor=actor, within_unit=False))


def _errors_to(form: forms.Form, exc: ValidationFailed) -> None:
    for e in exc.errors:
        form.add_error(e.field if e.field in form.fields else None, e.message)
    if not exc.errors:
        form.add_error(None, exc.message)


@login_page(methods=FORMS)
def class_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    classes = list(training_classes(actor=actor)[:LIST_MAX])
    posting = request.method == "POST"
    form = TrainingClassForm(request.POST if posting else None, actor=actor)
    status = 200
    if posting:
        status = 422
        if form.is_valid():
            d = form.cleaned_data
            try:
                created = training_class_create(
                    actor=actor,
                    unit=unit_get(actor=actor, pk=d["unit"]),
                    name=d["name"],
                    organiser=d["organiser"],
                    start_date=d["start_date"],
                    end_date=d["end_date"],
                    hours=d["hours"],
                )
            except ValidationFailed as exc:
                _errors_to(form, exc)
            else:
                messages.success(request, _("培训班次已登记。"))
                return HttpResponseRedirect(reverse("web:training_class", args=[created.pk]))
    context = {"classes": classes, "form": form, "more": len(classes) == LIST_MAX}
    return render(request, "web/training_classes.html", context, status=status)


def _detail(request: HttpRequest, klass: TrainingClass, form: EnrolForm, status: int) -> Any:
    context = {"klass": klass, "participants": list(klass.participants.all()), "form": form}
    return render(request, "web/training_class.html", context, status=status)


@login_page(methods=FORMS)
def class_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    klass = training_class_get(actor=actor, pk=pk)  # out of scope: 404
    posting = request.method == "POST"
    form = EnrolForm(request.POST if posting else None, actor=actor)
    if not posting:
        return _detail(request, klass, form, 200)
    if form.is_valid():
        try:
            participant = training_class_enrol(
                actor=actor,
                training_class=klass,
                cadre=cadre_get(actor=actor, pk=form.cleaned_data["cadre"]),
            )
        except (ValidationFailed, Conflict) as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("已登记学员%(c)s，并记入其 %(y)d 年培训 %(h)d 学时。")
                % {"c": participant.cadre.name, "y": klass.end_date.year, "h": klass.hours},
            )
            return HttpResponseRedirect(reverse("web:training_class", args=[klass.pk]))
    return _detail(request, klass, form, 422)


@login_page()
@require_POST
def participant_remove(request: HttpRequest, pk: int, participant: int) -> HttpResponse:
    klass = training_class_get(actor=request.user, pk=pk)
    found = next((p for p in klass.participants.all() if p.pk == participant), None)
    if found is None:
        raise NotFound(_("该班次没有这名学员，或其不在您的管理范围内。"))
    training_class_unenrol(actor=request.user, participant=found)
    messages.success(
        request, _("已将%(c)s移出班次，并删除了登记时记入的培训记录。") % {"c": found.cadre.name}
    )
    return HttpResponseRedirect(reverse("web:training_class", args=[klass.pk]))
