"""The page forms of rotation and exchange (a page module: it uses the web
pickers). They only shape input: every check is the service's, and its
messages are put back on these fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuanren.common.widgets import date_input
from xuanren.org.models import Post
from xuanren.people.models import TemporaryPosting
from xuanren.rotation.models import EntryStatus, ExchangeKind
from xuanren.rotation.rules import AlertKind, AlertStage
from xuanren.web.pickers import CadreField, PickerScope, PostPicker, UnitField, post_label


def _post_choices(posts: list[Post]) -> list[tuple[str, str]]:
    return [("", _("（不选，填写名称）"))] + [(str(p.pk), str(p)) for p in posts]


class AlertFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("类别"),
        required=False,
        choices=[("", gettext_lazy("全部")), *AlertKind.choices],
    )
    only = forms.ChoiceField(
        label=gettext_lazy("状态"),
        required=False,
        choices=[("", gettext_lazy("全部")), *AlertStage.choices],
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"] = UnitField(actor=actor, label=gettext_lazy("单位（含下级）"))


class ExchangeForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("交流类别"), choices=ExchangeKind.choices)
    date = forms.DateField(label=gettext_lazy("交流时间"), widget=date_input())
    from_post = forms.TypedChoiceField(
        label=gettext_lazy("原职位"), coerce=int, required=False, empty_value=None
    )
    from_name = forms.CharField(
        label=gettext_lazy("原单位及职务（不在本系统的）"), max_length=120, required=False
    )
    to_post = forms.TypedChoiceField(
        label=gettext_lazy("交流到的职位"), coerce=int, required=False, empty_value=None
    )
    to_name = forms.CharField(
        label=gettext_lazy("交流到的单位及职务（不在本系统的）"), max_length=120, required=False
    )
    document = forms.CharField(label=gettext_lazy("文件文号"), max_length=80, required=False)
    posting = forms.TypedChoiceField(
        label=gettext_lazy("对应挂职（已登记的挂职锻炼）"),
        coerce=int,
        required=False,
        empty_value=None,
    )
    note = forms.CharField(label=gettext_lazy("备注"), max_length=200, required=False)

    def __init__(
        self, *args: Any, posts: list[Post], postings: list[TemporaryPosting], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for name in ("from_post", "to_post"):
            field = self.fields[name]
            assert isinstance(field, forms.TypedChoiceField)
            field.choices = _post_choices(posts)
        posting = self.fields["posting"]
        assert isinstance(posting, forms.TypedChoiceField)
        posting.choices = [("", _("（无）"))] + [
            (
                str(p.pk),
                f"{p.host}{p.post_title}（{p.start_date:%Y.%m.%d}—{p.end_date:%Y.%m.%d}）",
            )
            for p in postings
        ]


class PlanForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("计划名称"), max_length=120)
    year = forms.IntegerField(label=gettext_lazy("年度"))
    note = forms.CharField(
        label=gettext_lazy("说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"] = UnitField(
            actor=actor, label=gettext_lazy("单位"), required=True, empty_label=_("请选择单位")
        )


class EntryTargetForm(forms.Form):
    """Where a listed cadre is to rotate to: a post found with the scoped
    post picker (decisions 0111, 0140, 0190), or a destination named."""

    target_post = forms.IntegerField(
        label=gettext_lazy("拟轮岗到的职位"), required=False, min_value=1, widget=PostPicker
    )
    target_name = forms.CharField(
        label=gettext_lazy("拟轮岗去向（未选职位时填写）"), max_length=120, required=False
    )
    note = forms.CharField(label=gettext_lazy("备注"), max_length=200, required=False)

    def __init__(self, *args: Any, target: Post | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        widget = self.fields["target_post"].widget
        assert isinstance(widget, PostPicker)
        widget.label = post_label(target) if target is not None else ""


class EntryForm(EntryTargetForm):
    cadre = CadreField(label=gettext_lazy("轮岗干部"), within_unit=False)
    field_order = ["cadre", "target_post", "target_name", "note"]

    def __init__(self, *args: Any, actor: Any, target: Post | None = None, **kwargs: Any) -> None:
        super().__init__(*args, target=target, **kwargs)
        cadre = self.fields["cadre"]
        assert isinstance(cadre, CadreField)
        cadre.required = True
        cadre.set_scope(PickerScope(actor=actor, within_unit=False))


class ExchangeCorrectForm(ExchangeForm):
    reason = forms.CharField(
        label=gettext_lazy("更正原因"),
        max_length=200,
        help_text=gettext_lazy("如“文号录入错误”；记入操作日志。"),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("撤回原因"),
        max_length=200,
        help_text=gettext_lazy("如“重复登记”；记入操作日志。"),
    )


class EntryStatusForm(forms.Form):
    entry = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=gettext_lazy("状态"), choices=EntryStatus.choices)
    done_on = forms.DateField(label=gettext_lazy("完成日期"), widget=date_input(), required=False)
