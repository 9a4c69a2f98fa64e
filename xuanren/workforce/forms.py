"""The page forms. They only shape input: every check is the service's, and
its messages are put back on these fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from xuanren.common.widgets import date_input
from xuanren.workforce.models import CleanupOutcome, DigestionMeans, EntryMethod


class ItemForm(forms.Form):
    cadre = forms.TypedChoiceField(label=gettext_lazy("超职数干部"), coerce=int)
    means = forms.ChoiceField(label=gettext_lazy("消化方式"), choices=DigestionMeans.choices)
    expected_on = forms.DateField(
        label=gettext_lazy("预计消化日期"),
        widget=date_input(),
        required=False,
        help_text=gettext_lazy("到龄退休按法定退休日期计算，不必填写。"),
    )
    note = forms.CharField(label=gettext_lazy("说明"), max_length=200, required=False)

    def __init__(self, choices: list[tuple[int, str]], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["cadre"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "—"), *choices]


class EntryForm(forms.Form):
    method = forms.ChoiceField(label=gettext_lazy("进人方式"), choices=EntryMethod.choices)
    entered_on = forms.DateField(label=gettext_lazy("进入时间"), widget=date_input())
    document = forms.CharField(label=gettext_lazy("文件文号"), max_length=80, required=False)
    note = forms.CharField(label=gettext_lazy("说明"), max_length=200, required=False)
    correction_reason = forms.CharField(
        label=gettext_lazy("更正理由"),
        max_length=500,
        required=False,
        help_text=gettext_lazy("修改已登记的进人方式、进入时间或文号时必填。"),
    )


class CleanupForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("处理结果"), choices=CleanupOutcome.choices)
    reason = forms.CharField(
        label=gettext_lazy("情况和理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    decided_on = forms.DateField(
        label=gettext_lazy("处理日期"), widget=date_input(), required=False
    )
    document = forms.CharField(label=gettext_lazy("文件文号"), max_length=80, required=False)
    correction_reason = forms.CharField(
        label=gettext_lazy("更正理由"),
        max_length=500,
        required=False,
        help_text=gettext_lazy("修改已作出的处理结果、处理日期或文号时必填。"),
    )
