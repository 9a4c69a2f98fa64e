"""The page forms of the work plans. They only shape input: every check is
the service's, and its messages are put back on these fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuanren.common.widgets import date_input
from xuanren.plans.models import TaskStatus
from xuanren.plans.recurrence import RuleKind


def _people(choices: list[tuple[int, str]]) -> list[tuple[str, str]]:
    return [("", _("（不指定）"))] + [(str(pk), label) for pk, label in choices]


class PhaseForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("阶段名称"), max_length=100)
    starts_on = forms.DateField(label=gettext_lazy("开始日期"), widget=date_input())
    ends_on = forms.DateField(label=gettext_lazy("结束日期"), widget=date_input())


class TaskForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("工作任务"), max_length=300)
    phase = forms.TypedChoiceField(
        label=gettext_lazy("所属阶段"), coerce=int, required=False, empty_value=None
    )
    office = forms.CharField(label=gettext_lazy("责任科室"), max_length=100)
    responsible = forms.TypedChoiceField(
        label=gettext_lazy("责任人"), coerce=int, required=False, empty_value=None
    )
    deadline = forms.DateField(label=gettext_lazy("完成时限"), widget=date_input())
    source_article = forms.CharField(label=gettext_lazy("方案条目"), max_length=100, required=False)

    def __init__(
        self,
        *args: Any,
        phases: list[tuple[int, str]],
        people: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        phase = self.fields["phase"]
        assert isinstance(phase, forms.TypedChoiceField)
        phase.choices = [("", _("（不分阶段）"))] + [(str(pk), n) for pk, n in phases]
        person = self.fields["responsible"]
        assert isinstance(person, forms.TypedChoiceField)
        person.choices = _people(people)


class ProgressForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("进展状态"), choices=TaskStatus.choices)
    progress = forms.CharField(
        label=gettext_lazy("工作进展"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
    )
    done_on = forms.DateField(label=gettext_lazy("完成日期"), widget=date_input(), required=False)


class ReportForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("报送事项"), max_length=300)
    recipient = forms.CharField(label=gettext_lazy("报送对象"), max_length=200)
    office = forms.CharField(label=gettext_lazy("责任科室"), max_length=100)
    responsible = forms.TypedChoiceField(
        label=gettext_lazy("责任人"), coerce=int, required=False, empty_value=None
    )
    rule_kind = forms.ChoiceField(label=gettext_lazy("时限规则"), choices=RuleKind.choices)
    due_date = forms.DateField(
        label=gettext_lazy("报送时限（指定日期）"), widget=date_input(), required=False
    )
    rule_month = forms.IntegerField(
        label=gettext_lazy("月份"),
        required=False,
        help_text=gettext_lazy(
            "每年：报送的月份（1–12）；每季度、每半年：期末后的第几个月（0 为期末当月，1 为次月）。"
        ),
    )
    rule_day = forms.IntegerField(
        label=gettext_lazy("日"),
        required=False,
        help_text=gettext_lazy("1–31；超过当月天数时按当月最后一天（“月底前”填 31）。"),
    )
    next_working_day = forms.BooleanField(
        label=gettext_lazy("逢节假日顺延至下一个工作日"), required=False
    )
    source_article = forms.CharField(label=gettext_lazy("方案条目"), max_length=100, required=False)

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        person = self.fields["responsible"]
        assert isinstance(person, forms.TypedChoiceField)
        person.choices = _people(people)


class SubmitForm(forms.Form):
    period_start = forms.ChoiceField(label=gettext_lazy("报送期间"))
    submitted_on = forms.DateField(label=gettext_lazy("报送日期"), widget=date_input())
    note = forms.CharField(
        label=gettext_lazy("报送说明"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )

    def __init__(self, *args: Any, periods: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["period_start"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = periods


class FileForm(forms.Form):
    filed_to = forms.CharField(label=gettext_lazy("报送备案机关"), max_length=100)
    filed_on = forms.DateField(label=gettext_lazy("报送日期"), widget=date_input())
    filed_document = forms.CharField(label=gettext_lazy("报送文号"), max_length=100, required=False)


class AcknowledgeForm(forms.Form):
    acknowledged_on = forms.DateField(label=gettext_lazy("回执日期"), widget=date_input())
    acknowledgement = forms.CharField(label=gettext_lazy("备案回执"), max_length=200)
