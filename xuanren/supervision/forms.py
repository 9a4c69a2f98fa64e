"""Forms of the supervision pages. They only parse what was typed; the
services validate it and their errors are put back on the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xuanren.access.names import display_name
from xuanren.common.errors import DomainError
from xuanren.common.widgets import date_input
from xuanren.supervision.models import Finding, PublicNotice

ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleans to a list (empty when none)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


def put_errors(form: forms.Form, exc: DomainError) -> None:
    """A service's field errors on the form's fields (the rest on the form)."""
    if not exc.errors:
        form.add_error(None, exc.message)
    for error in exc.errors:
        form.add_error(error.field if error.field in form.fields else None, error.message)


OTHER = "other"


class ReportForm(forms.Form):
    about = forms.ChoiceField(label=_("反映对象"), widget=forms.RadioSelect)
    about_name = forms.CharField(label=_("其他人员姓名"), max_length=30, required=False)
    content = forms.CharField(
        label=_("反映的问题"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=5000,
        help_text=_("请写明时间、地点、事情经过和知情人等，以便调查核实。"),
    )
    identity = forms.ChoiceField(
        label=_("举报方式"),
        choices=[("anonymous", _("匿名举报")), ("named", _("署名举报"))],
        initial="anonymous",
        widget=forms.RadioSelect,
    )
    reporter_name = forms.CharField(label=_("姓名"), max_length=30, required=False)
    reporter_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    attachments = MultipleFileField(
        label=_("附件"),
        required=False,
        help_text=_("可选，最多 5 个，每个不超过 5 MB，只接受 PDF、JPG、PNG。"),
    )

    def __init__(self, notice: PublicNotice, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [
            (str(p["candidate"]), f"{p['name']}（{_('拟任')}{p['proposed_post']}）")
            for p in notice.persons
        ]
        choices.append((OTHER, str(_("其他人员（请填写姓名）"))))
        about = self.fields["about"]
        assert isinstance(about, forms.ChoiceField)
        about.choices = choices

    def candidate_id(self) -> int | None:
        about = self.cleaned_data["about"]
        return None if about == OTHER else int(about)


class StatusForm(forms.Form):
    receipt = forms.CharField(
        label=_("回执编号"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "XXXX-XXXX-XXXX"}),
    )


class PublishForm(forms.Form):
    start = forms.DateField(label=_("公示开始日期"), widget=date_input())
    channels = forms.CharField(
        label=_("举报受理方式"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一种，例如：举报电话 0571-12380；来信地址；电子信箱。"),
    )
    text = forms.CharField(
        label=_("公示正文"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("可不填，系统按公示期自动生成。"),
    )

    def channel_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["channels"].splitlines()]


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label=_("承办人"))
    joint = forms.BooleanField(label=_("会同纪委监委调查"), required=False)

    def __init__(self, users: list[Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(str(u.pk), display_name(u)) for u in users]


class InvestigateForm(forms.Form):
    note = forms.CharField(label=_("调查核实情况"), widget=forms.Textarea(attrs={"rows": 4}))


class CloseForm(forms.Form):
    finding = forms.ChoiceField(label=_("查核结论"), choices=Finding.choices)
    text = forms.CharField(label=_("结论依据"), widget=forms.Textarea(attrs={"rows": 4}))
    candidate = forms.ChoiceField(label=_("所涉人选"), required=False)

    def __init__(self, candidates: list[Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["candidate"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—")] + [
            (str(c.pk), f"{c.cadre.name}（{c.post.unit.name}{c.post.title}）") for c in candidates
        ]
