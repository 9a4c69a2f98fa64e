"""Search and filter forms. Unit choices come from the caller (the units the
actor may see), so a form never offers a unit outside the actor's scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xuanren.org.models import Level, Unit
from xuanren.people.models import EducationLevel, Sex
from xuanren.people.selectors import CadreFilters

INDENT = "\u3000"  # a full-width space per level of depth


def unit_choices(units: Iterable[Unit], *, blank: str) -> list[tuple[str, str]]:
    rows = list(units)
    top = min((u.depth for u in rows), default=0)
    return [("", blank)] + [(str(u.pk), INDENT * (u.depth - top) + u.name) for u in rows]


class CadreSearchForm(forms.Form):
    q = forms.CharField(
        label=_("姓名"),
        required=False,
        max_length=30,
        widget=forms.TextInput(
            attrs={"placeholder": _("姓名或拼音首字母，如 zw"), "autocomplete": "off"}
        ),
    )
    unit = forms.TypedChoiceField(label=_("单位（含下级）"), required=False, coerce=int)
    level = forms.ChoiceField(
        label=_("职务层次"), required=False, choices=[("", _("全部")), *Level.choices]
    )
    sex = forms.ChoiceField(
        label=_("性别"), required=False, choices=[("", _("全部")), *Sex.choices]
    )
    age_min = forms.IntegerField(
        label=_("年龄自"), required=False, min_value=0, max_value=120, widget=forms.NumberInput
    )
    age_max = forms.IntegerField(
        label=_("至"), required=False, min_value=0, max_value=120, widget=forms.NumberInput
    )
    education_min = forms.ChoiceField(
        label=_("最低学历"),
        required=False,
        choices=[("", _("不限")), *EducationLevel.choices],
    )

    def __init__(self, *args: Any, units: Iterable[Unit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.TypedChoiceField)
        unit_field.choices = unit_choices(units, blank=str(_("全部单位")))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("age_min"), data.get("age_max")
        if low is not None and high is not None and low > high:
            self.add_error("age_max", _("年龄上限不能小于下限。"))
        return data

    def filters(self) -> CadreFilters:
        """The filters of a valid form; an invalid one searches nothing narrower
        than its valid fields."""
        data = self.cleaned_data if self.is_valid() else _valid_part(self)
        return CadreFilters(
            q=data.get("q") or "",
            unit_id=data.get("unit") or None,
            level=data.get("level") or "",
            sex=data.get("sex") or "",
            age_min=data.get("age_min"),
            age_max=data.get("age_max"),
            education_min=data.get("education_min") or "",
        )


def _valid_part(form: forms.Form) -> dict[str, Any]:
    return {k: v for k, v in getattr(form, "cleaned_data", {}).items() if k not in form.errors}


class QuotaFilterForm(forms.Form):
    under = forms.TypedChoiceField(label=_("单位（含下级）"), required=False, coerce=int)
    on = forms.DateField(
        label=_("统计日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%Y.%m.%d", "%Y/%m/%d"],
    )

    def __init__(self, *args: Any, units: Iterable[Unit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        under = self.fields["under"]
        assert isinstance(under, forms.TypedChoiceField)
        under.choices = unit_choices(units, blank=str(_("全部单位")))

    def values(self) -> tuple[int | None, dt.date | None]:
        data = self.cleaned_data if self.is_valid() else _valid_part(self)
        return data.get("under") or None, data.get("on")
