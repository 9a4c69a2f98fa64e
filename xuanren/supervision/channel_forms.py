"""Forms of the standing channel's pages (docs/decisions/0127). They only
parse what was typed; the channel services validate it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xuanren.access.names import display_name
from xuanren.common.widgets import date_input
from xuanren.supervision.forms import MultipleFileField
from xuanren.supervision.models import (
    CHANNEL_FINDINGS,
    Finding,
    ReplyChannel,
    ReportKind,
    ReportSource,
    ReportStatus,
)

IDENTITY = [("anonymous", _("匿名")), ("named", _("署名"))]
STAFF_SOURCE_CHOICES = [
    (s.value, s.label) for s in (ReportSource.PHONE, ReportSource.LETTER, ReportSource.VISIT)
]


class _EntryFields(forms.Form):
    kind = forms.ChoiceField(
        label=_("类别"),
        choices=ReportKind.choices,
        initial=ReportKind.REPORT,
        widget=forms.RadioSelect,
    )
    about_name = forms.CharField(
        label=_("被反映人"),
        max_length=30,
        required=False,
        help_text=_("举报须填写被反映人的姓名（或单位）；咨询可不填。"),
    )
    content = forms.CharField(
        label=_("反映的问题或咨询的事项"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=5000,
    )
    identity = forms.ChoiceField(
        label=_("署名"), choices=IDENTITY, initial="anonymous", widget=forms.RadioSelect
    )
    reporter_name = forms.CharField(label=_("姓名"), max_length=30, required=False)
    reporter_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    attachments = MultipleFileField(
        label=_("附件"),
        required=False,
        help_text=_("可选，最多 5 个，每个不超过 5 MB，只接受 PDF、JPG、PNG。"),
    )


class ChannelPublicForm(_EntryFields):
    """The public page: a report or a consultation, sent online."""


class ChannelRegisterForm(_EntryFields):
    """The office registers a call, a letter or a visit."""

    source = forms.ChoiceField(label=_("来源"), choices=STAFF_SOURCE_CHOICES)
    received_on = forms.DateField(label=_("收到日期"), widget=date_input(), required=False)
    field_order = ["kind", "source", "received_on"]


class ChannelFilterForm(forms.Form):
    """The inbox's filters (GET); anything unknown reads as "any"."""

    status = forms.ChoiceField(
        label=_("状态"), choices=[("", _("全部")), *ReportStatus.choices], required=False
    )
    source = forms.ChoiceField(
        label=_("来源"), choices=[("", _("全部")), *ReportSource.choices], required=False
    )
    kind = forms.ChoiceField(
        label=_("类别"), choices=[("", _("全部")), *ReportKind.choices], required=False
    )
    overdue = forms.BooleanField(label=_("只看超期"), required=False)
    mine = forms.BooleanField(label=_("只看我承办的"), required=False)


class LinkForm(forms.Form):
    cadre = forms.CharField(
        label=_("所涉干部"),
        max_length=30,
        required=False,
        help_text=_("填写干部姓名或公民身份号码；同名的请填身份号码。留空表示不关联。"),
    )
    case = forms.CharField(
        label=_("所涉选任事项编号"),
        max_length=40,
        required=False,
        help_text=_("留空表示不关联。"),
    )


class ChannelAssignForm(forms.Form):
    assignee = forms.ChoiceField(label=_("承办人"))
    due_on = forms.DateField(
        label=_("办理期限"),
        widget=date_input(),
        required=False,
        help_text=_("不填则按默认办理期限计算。"),
    )

    def __init__(self, users: list[Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(str(u.pk), display_name(u)) for u in users]


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("答复内容"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )
    replied_on = forms.DateField(label=_("答复日期"), widget=date_input())
    reply_channel = forms.ChoiceField(label=_("答复方式"), choices=ReplyChannel.choices)


class ChannelCloseForm(forms.Form):
    finding = forms.ChoiceField(label=_("办理结论"))
    text = forms.CharField(
        label=_("结论依据"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )

    def __init__(self, kind: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["finding"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(v, Finding(v).label) for v in CHANNEL_FINDINGS[kind]]
