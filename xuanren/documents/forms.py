"""The optional case context of an approval form (GET parameters)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xuanren.documents.approval_form import FormContext


class FormContextForm(forms.Form):
    case = forms.IntegerField(label=_("选任事项编号（内部）"), required=False, min_value=1)
    proposed_post = forms.CharField(label=_("拟任职务"), required=False, max_length=200)
    removed_post = forms.CharField(label=_("拟免职务"), required=False, max_length=200)
    reasons = forms.CharField(label=_("任免理由"), required=False, max_length=500)
    submitting_unit = forms.CharField(label=_("呈报单位"), required=False, max_length=100)
    reference_date = forms.DateField(label=_("计算年龄时间"), required=False)

    def context(self) -> FormContext:
        d = self.cleaned_data
        return FormContext(
            proposed_post=d.get("proposed_post") or "",
            removed_post=d.get("removed_post") or "",
            reasons=d.get("reasons") or "",
            submitting_unit=d.get("submitting_unit") or "",
            reference_date=d.get("reference_date"),
            case_id=d.get("case"),
        )
