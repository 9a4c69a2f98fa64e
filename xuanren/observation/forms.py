"""The page forms of the track. They only shape input: every check is the
service's, and its messages are put back on these fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuanren.common.widgets import date_input
from xuanren.observation.models import ObservationOutcome, ObservationReason
from xuanren.org.models import Post
from xuanren.people.models import Tenure


class OpenForm(forms.Form):
    tenure = forms.TypedChoiceField(label=gettext_lazy("不适宜担任的职务"), coerce=int)
    reason_kind = forms.ChoiceField(
        label=gettext_lazy("察看原因"), choices=ObservationReason.choices
    )
    assessment_year = forms.IntegerField(
        label=gettext_lazy("考核年度"),
        required=False,
        min_value=1900,
        max_value=9999,
        help_text=gettext_lazy("察看原因为年度考核结果时填写。"),
    )
    reason = forms.CharField(
        label=gettext_lazy("情况说明"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    talk_date = forms.DateField(label=gettext_lazy("谈话日期"), widget=date_input())
    talked_by = forms.CharField(label=gettext_lazy("谈话人"), max_length=120)
    talk_record = forms.CharField(
        label=gettext_lazy("谈话记录"), widget=forms.Textarea(attrs={"rows": 6}), max_length=5000
    )
    document = forms.CharField(label=gettext_lazy("诫勉文号"), max_length=80, required=False)

    def __init__(self, *args: Any, tenures: list[Tenure], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["tenure"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [
            (t.pk, f"{t.post.unit.name}{t.post.title}（{t.start_date:%Y.%m.%d} 起）")
            for t in tenures
        ]


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("察看结论"),
        choices=ObservationOutcome.choices,
        widget=forms.RadioSelect,
    )
    decided_on = forms.DateField(label=gettext_lazy("结论日期"), widget=date_input())
    note = forms.CharField(
        label=gettext_lazy("结论说明"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
    document = forms.CharField(
        label=gettext_lazy("任免文号"),
        max_length=60,
        required=False,
        help_text=gettext_lazy("降职或转任时必填。"),
    )
    post = forms.TypedChoiceField(
        label=gettext_lazy("降职后担任的职务"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=gettext_lazy("降职时选择：原单位及其下属单位中低于原职务层次的职位。"),
    )
    rank = forms.CharField(
        label=gettext_lazy("转任的非领导职务（职级）"),
        max_length=30,
        required=False,
        help_text=gettext_lazy("转任非领导职务时填写，如“一级主任科员”。"),
    )

    def __init__(self, *args: Any, posts: list[Post], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["post"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("（不降职时不选）"))] + [
            (p.pk, f"{p.unit.name}{p.title}（{p.get_level_display()}）") for p in posts
        ]


class CorrectForm(forms.Form):
    """A correction of what was recorded (decision 0174); the outcome's
    wording only once the outcome is recorded. The service checks all."""

    reason = forms.CharField(
        label=gettext_lazy("情况说明"), widget=forms.Textarea(attrs={"rows": 3})
    )
    talked_by = forms.CharField(label=gettext_lazy("谈话人"), max_length=120)
    talk_record = forms.CharField(
        label=gettext_lazy("谈话记录"), widget=forms.Textarea(attrs={"rows": 4})
    )
    document = forms.CharField(label=gettext_lazy("诫勉文号"), max_length=80, required=False)
    outcome_note = forms.CharField(
        label=gettext_lazy("结论说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    outcome_document = forms.CharField(
        label=gettext_lazy("任免文号"), max_length=60, required=False
    )
    why = forms.CharField(label=gettext_lazy("更正原因"), max_length=500)

    def __init__(self, *args: Any, closed: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not closed:
            del self.fields["outcome_note"]
            del self.fields["outcome_document"]

    def changes(self) -> dict[str, str]:
        return {k: v for k, v in self.cleaned_data.items() if k != "why"}
