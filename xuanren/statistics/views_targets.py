"""Structure targets (班子结构要求): the list, and the forms that add, change
and retire one (docs/decisions/0143). The forms only parse; the services
check the permission, the scope (out of scope: 404) and the terms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuanren.access.policy import has_perm, require_perm
from xuanren.common.dates import today
from xuanren.common.errors import Conflict, ValidationFailed
from xuanren.common.widgets import LongSelect, date_input
from xuanren.org.models import Level, UnitKind
from xuanren.statistics.models import StructureTargetKind
from xuanren.statistics.target_selectors import TargetRow, target_rows
from xuanren.statistics.target_services import (
    EDIT_TARGETS,
    TargetTerms,
    structure_target_add,
    structure_target_change,
    structure_target_retire,
    target_for_edit,
    terms_of,
)
from xuanren.supervision.forms import put_errors
from xuanren.web.forms import DATE_INPUT_FORMATS, unit_choices
from xuanren.web.pages import FORMS, SAFE, login_page
from xuanren.web.pickers import UnitField, scope_units

page = login_page(methods=SAFE)
form_page = login_page(methods=FORMS)
post_only = login_page(methods=["POST"])


class TargetForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("要求"), max_length=120)
    kind = forms.ChoiceField(label=gettext_lazy("类别"), choices=StructureTargetKind.choices)
    min_count = forms.IntegerField(
        label=gettext_lazy("至少人数"),
        required=False,
        min_value=1,
        max_value=20,
        help_text=gettext_lazy("至少人数与至少比例只填一项。"),
    )
    min_percent = forms.IntegerField(
        label=gettext_lazy("至少比例（%）"),
        required=False,
        min_value=1,
        max_value=100,
        help_text=gettext_lazy("按班子人数计算，达到比例即为符合（整数计算，不四舍五入）。"),
    )
    age_at_most = forms.IntegerField(
        label=gettext_lazy("年龄上限（周岁，含本数）"),
        required=False,
        min_value=1,
        max_value=99,
        help_text=gettext_lazy("仅年轻干部要求填写，例如 35 表示 35 周岁以下（含 35 周岁）。"),
    )
    levels = forms.MultipleChoiceField(
        label=gettext_lazy("构成班子的职务层次"),
        choices=Level.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    unit_kinds = forms.MultipleChoiceField(
        label=gettext_lazy("适用单位类别（不选为全部）"),
        required=False,
        choices=UnitKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    min_members = forms.IntegerField(
        label=gettext_lazy("班子人数达到时适用"), min_value=1, max_value=50, initial=1
    )
    unit = forms.TypedChoiceField(
        label=gettext_lazy("适用单位（含下级）"), required=False, coerce=int, widget=LongSelect
    )
    source = forms.CharField(
        label=gettext_lazy("依据文件标题"),
        max_length=300,
        help_text=gettext_lazy(
            "按文件自身的标题填写，例如 本县《关于进一步加强科级领导班子建设的意见》。"
        ),
    )
    source_article = forms.CharField(
        label=gettext_lazy("依据条款"),
        max_length=200,
        help_text=gettext_lazy("文件中的条款或项，例如 第三项（4）。"),
    )
    effective_from = forms.DateField(
        label=gettext_lazy("生效日期"), widget=date_input(), input_formats=DATE_INPUT_FORMATS
    )
    effective_to = forms.DateField(
        label=gettext_lazy("失效日期（不填为长期有效）"),
        required=False,
        widget=date_input(),
        input_formats=DATE_INPUT_FORMATS,
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = scope_units(actor)
        if units is None:  # too many for a <select>: the picker (decision 0109)
            self.fields["unit"] = UnitField(
                actor=actor, label=gettext_lazy("适用单位（含下级）"), empty_label=_("全部单位")
            )
            return
        field = self.fields["unit"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = unit_choices(units, blank=str(_("全部单位")))

    @property
    def unit_picker(self) -> bool:
        return not isinstance(self.fields["unit"].widget, forms.Select)

    def terms(self) -> TargetTerms:
        d = self.cleaned_data
        return TargetTerms(
            name=d["name"],
            kind=d["kind"],
            levels=list(d["levels"]),
            source=d["source"],
            source_article=d["source_article"],
            effective_from=d["effective_from"],
            min_count=d["min_count"],
            min_percent=d["min_percent"],
            age_at_most=d["age_at_most"],
            min_members=d["min_members"],
            unit_kinds=list(d["unit_kinds"]),
            unit_id=d["unit"] or None,
            effective_to=d["effective_to"],
        )


def _initial(terms: TargetTerms) -> dict[str, Any]:
    return {
        "name": terms.name,
        "kind": terms.kind,
        "min_count": terms.min_count,
        "min_percent": terms.min_percent,
        "age_at_most": terms.age_at_most,
        "levels": terms.levels,
        "unit_kinds": terms.unit_kinds,
        "min_members": terms.min_members,
        "unit": terms.unit_id or "",
        "source": terms.source,
        "source_article": terms.source_article,
        "effective_from": terms.effective_from,
        "effective_to": terms.effective_to,
    }


class RetireForm(forms.Form):
    last_day = forms.DateField(
        label=gettext_lazy("执行至（含当日）"),
        widget=date_input(),
        input_formats=DATE_INPUT_FORMATS,
    )


@page
def target_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    rows: list[TargetRow] = target_rows(actor=actor, on=today())
    return render(
        request,
        "statistics/targets.html",
        {"rows": rows, "may_edit": has_perm(actor, EDIT_TARGETS), "on": today()},
    )


@form_page
def target_add(request: HttpRequest) -> HttpResponse:
    actor = request.user
    require_perm(actor, EDIT_TARGETS)
    form = TargetForm(
        request.POST or None,
        actor=actor,
        initial={"effective_from": today(), "min_members": 1, "min_count": 1},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                structure_target_add(actor=actor, terms=form.terms())
            except ValidationFailed as exc:
                put_errors(form, exc)
            else:
                messages.success(request, _("班子结构要求已保存。"))
                return redirect("statistics:targets")
        status = 422
    return render(
        request,
        "statistics/target_form.html",
        {"form": form, "target": None, "retire_form": None},
        status=status,
    )


@form_page
def target_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    target = target_for_edit(actor=actor, pk=pk)
    form = TargetForm(request.POST or None, actor=actor, initial=_initial(terms_of(target)))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                structure_target_change(actor=actor, target=target, terms=form.terms())
            except (ValidationFailed, Conflict) as exc:
                put_errors(form, exc)
            else:
                messages.success(request, _("班子结构要求已修改。"))
                return redirect("statistics:targets")
        status = 422
    retire_form = RetireForm(initial={"last_day": today()})
    return render(
        request,
        "statistics/target_form.html",
        {"form": form, "target": target, "retire_form": retire_form},
        status=status,
    )


@post_only
def target_retire(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    target = target_for_edit(actor=actor, pk=pk)
    retire_form = RetireForm(request.POST)
    if retire_form.is_valid():
        try:
            structure_target_retire(
                actor=actor, target=target, last_day=retire_form.cleaned_data["last_day"]
            )
        except (ValidationFailed, Conflict) as exc:
            put_errors(retire_form, exc)
        else:
            messages.success(request, _("班子结构要求已停止执行。"))
            return redirect("statistics:targets")
    form = TargetForm(actor=actor, initial=_initial(terms_of(target)))
    return render(
        request,
        "statistics/target_form.html",
        {"form": form, "target": target, "retire_form": retire_form},
        status=422,
    )
