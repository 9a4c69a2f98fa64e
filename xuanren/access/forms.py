from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from xuanren.access.models import AccessKind
from xuanren.access.records import AccessRecordFilters
from xuanren.common.widgets import date_input


class CodeForm(forms.Form):
    otp_token = forms.CharField(
        label=gettext_lazy("验证码"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        help_text=gettext_lazy("手机认证器上当前显示的 6 位数字。"),
    )


class AccessRecordSearchForm(forms.Form):
    person = forms.CharField(label=gettext_lazy("查阅对象"), required=False, max_length=60)
    viewer = forms.CharField(label=gettext_lazy("查阅人"), required=False, max_length=150)
    kind = forms.ChoiceField(label=gettext_lazy("查阅类别"), required=False)
    date_from = forms.DateField(
        label=gettext_lazy("起始日期"),
        required=False,
        widget=date_input(),
    )
    date_to = forms.DateField(
        label=gettext_lazy("截止日期"),
        required=False,
        widget=date_input(),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", gettext_lazy("全部")), *AccessKind.choices]

    def filters(self) -> AccessRecordFilters:
        if not self.is_bound or not self.is_valid():
            return AccessRecordFilters()
        data = self.cleaned_data
        date_from: dt.date | None = data.get("date_from")
        date_to: dt.date | None = data.get("date_to")
        return AccessRecordFilters(
            person=data.get("person") or "",
            viewer=data.get("viewer") or "",
            kind=data.get("kind") or "",
            date_from=date_from,
            date_to=date_to,
            subject_type=self.data.get("subject_type", ""),
            subject_id=self.data.get("subject_id", ""),
        )
