"""Forms of the 选任事项 pages: the case list's filters, opening a case, and
the data of each step. A step form only shapes what the user typed into the
step's `data`; whether the step may complete is for the guards to say."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from xuanren.org.models import Post
from xuanren.procedure.catalogue import STEPS
from xuanren.procedure.models import CaseStatus, Committee, ProcedureTemplate
from xuanren.web.forms import DATE_INPUT_FORMATS, post_choices

MAX_SEATS = 20
#: Rows of posts offered when opening a case, and rows of consultation comments
#: offered beyond those already typed.
POST_ROWS = 3
EXTRA_COMMENT_ROWS = 2
MAX_COMMENT_ROWS = 50


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# ---- the case list ----------------------------------------------------------------


class CaseFilterForm(forms.Form):
    q = forms.CharField(
        label=_("事项名称"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("名称中的文字"), "autocomplete": "off"}),
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *CaseStatus.choices]
    )
    step = forms.ChoiceField(
        label=_("当前环节"),
        required=False,
        choices=[("", _("全部")), *((code, name) for code, name in STEPS.items())],
    )

    def values(self) -> dict[str, str]:
        data = self.cleaned_data if self.is_valid() else {}
        return {k: data.get(k) or "" for k in ("q", "status", "step")}


# ---- opening a case -----------------------------------------------------------------


def template_label(template: ProcedureTemplate) -> str:
    return f"{template.name}（v{template.version}）"


class CaseOpenForm(forms.Form):
    """Title, template, committee and reference date; the posts come in rows
    (`PostRowFormSet`), each a post and its number of seats."""

    title = forms.CharField(label=_("事项名称"), max_length=200)
    template = forms.ChoiceField(label=_("程序模板"))
    committee = forms.TypedChoiceField(label=_("决定机构"), coerce=int)
    reference_date = forms.DateField(
        label=_("资格计算基准日"),
        widget=_date_input(),
        input_formats=DATE_INPUT_FORMATS,
        help_text=_("任职资格（年龄、任职年限等）按此日期计算。"),
    )

    def __init__(
        self,
        *args: Any,
        templates: Iterable[ProcedureTemplate] = (),
        committees: Iterable[Committee] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        template = self.fields["template"]
        assert isinstance(template, forms.ChoiceField)
        template.choices = [("", _("请选择程序模板"))] + [
            (t.code, template_label(t)) for t in templates
        ]
        committee = self.fields["committee"]
        assert isinstance(committee, forms.TypedChoiceField)
        committee.choices = [("", _("请选择决定机构"))] + [
            (str(c.pk), f"{c.name}（{c.get_kind_display()}）") for c in committees
        ]


class PostRowForm(forms.Form):
    post = forms.TypedChoiceField(label=_("职位"), required=False, coerce=int, empty_value=None)
    seats = forms.IntegerField(
        label=_("拟配人数"),
        required=False,
        min_value=1,
        max_value=MAX_SEATS,
        initial=1,
        widget=forms.NumberInput(attrs={"class": "seats"}),
    )

    def __init__(self, *args: Any, posts: Iterable[Post] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["post"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = post_choices(posts, blank=str(_("（不选）")))


class BasePostRowFormSet(forms.BaseFormSet):  # type: ignore[type-arg,unused-ignore]
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        chosen = [f.cleaned_data.get("post") for f in self.forms if f.cleaned_data.get("post")]
        if not chosen:
            raise forms.ValidationError(_("请至少选择一个职位。"))
        if len(set(chosen)) != len(chosen):
            raise forms.ValidationError(_("同一职位不能重复列入。"))


def post_rows(formset: forms.BaseFormSet) -> list[tuple[int, int]]:  # type: ignore[type-arg,unused-ignore]
    """(post id, seats) of every filled row of a valid PostRowFormSet."""
    return [
        (f.cleaned_data["post"], f.cleaned_data.get("seats") or 1)
        for f in formset.forms
        if f.cleaned_data.get("post")
    ]


PostRowFormSet = forms.formset_factory(
    PostRowForm, formset=BasePostRowFormSet, extra=POST_ROWS, max_num=10, absolute_max=10
)


# ---- step data ------------------------------------------------------------------------


def parse_json_object(text: str) -> dict[str, Any]:
    """The JSON object a user typed; a Chinese ValidationError otherwise."""
    text = text.strip()
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise forms.ValidationError(
            _("内容不是有效的 JSON：第 %(line)d 行第 %(col)d 列附近有误。"),
            params={"line": exc.lineno, "col": exc.colno},
        ) from exc
    if not isinstance(value, dict):
        raise forms.ValidationError(_("内容须为 JSON 对象（以 { 开头、以 } 结尾）。"))
    return value


def pretty_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False, default=str)


class JsonObjectField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 10, "class": "json", "spellcheck": "false"})

    def to_python(self, value: Any) -> Any:
        return parse_json_object(super().to_python(value) or "")

    def prepare_value(self, value: Any) -> Any:
        return pretty_json(value) if isinstance(value, dict) else value


class StepForm(forms.Form):
    """The note every step has; subclasses add the step's own fields and say
    how they become the record's `data`."""

    #: Whether the template shows the generic JSON editor (no own fields yet).
    generic: ClassVar[bool] = False

    note = forms.CharField(
        label=_("办理说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, template_params: dict[str, Any] | None = None, **kwargs: Any):
        self.template_params = template_params or {}
        super().__init__(*args, **kwargs)
        self.order_fields([name for name in self.fields if name != "note"] + ["note"])

    def step_data(self) -> dict[str, Any]:
        raise NotImplementedError


class MotionReason:
    VACANCY = "vacancy"
    STRUCTURE = "structure"
    DIGEST = "digest_over_quota"
    CHOICES = [
        (VACANCY, _("职位空缺")),
        (STRUCTURE, _("优化领导班子结构")),
        (DIGEST, _("消化超职数配备")),
    ]


class MotionForm(StepForm):
    reason = forms.ChoiceField(
        label=_("动议理由"), choices=MotionReason.CHOICES, widget=forms.RadioSelect
    )
    proposer = forms.CharField(label=_("提议人（单位或个人）"), max_length=100)
    explanation = forms.CharField(
        label=_("动议说明"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def step_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "reason": d["reason"],
            "proposer": d["proposer"].strip(),
            "explanation": d["explanation"].strip(),
        }


class PlanForm(StepForm):
    """方案: its content, the comments on the draft (征求意见稿) in repeated
    rows named consultation_from / consultation_comment, and the higher
    department's approval where the template asks for it."""

    content = forms.CharField(
        label=_("方案主要内容（职位、条件、方法、时间安排）"),
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    approval_body = forms.CharField(label=_("审批机关"), required=False, max_length=100)
    approval_document = forms.CharField(label=_("批准文件"), required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.comment_rows: list[tuple[str, str]] = []
        self.comment_errors: list[str] = []
        getlist = getattr(self.data, "getlist", None)
        if self.is_bound and getlist is not None:
            sources = getlist(self.add_prefix("consultation_from"))
            comments = getlist(self.add_prefix("consultation_comment"))
            self.comment_rows = [
                (a.strip(), b.strip())
                for a, b in zip(sources, comments, strict=False)
                if a.strip() or b.strip()
            ][:MAX_COMMENT_ROWS]

    @property
    def approval_required(self) -> bool:
        return bool(self.template_params.get("plan_approval_by_higher"))

    def blank_rows(self) -> range:
        return range(EXTRA_COMMENT_ROWS + (0 if self.comment_rows else 1))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for source, comment in self.comment_rows:
            if not source or not comment:
                self.comment_errors.append(
                    str(_("每条征求意见须同时填写征求对象和意见内容（“%(s)s”）。"))
                    % {"s": source or comment}
                )
        if self.comment_errors:
            raise forms.ValidationError(self.comment_errors)
        if bool(data.get("approval_body", "").strip()) != bool(
            data.get("approval_document", "").strip()
        ):
            self.add_error("approval_document", _("审批机关和批准文件须一并填写。"))
        return data

    def step_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        data: dict[str, Any] = {}
        if d["content"].strip():
            data["content"] = d["content"].strip()
        data["consultation"] = [{"from": a, "comment": b} for a, b in self.comment_rows]
        if d["approval_body"].strip():
            data["higher_approval"] = {
                "body": d["approval_body"].strip(),
                "document": d["approval_document"].strip(),
            }
        return data


PUBLICATION_CHANNELS = [
    ("notice_board", _("单位公示栏")),
    ("website", _("政府门户网站")),
    ("intranet", _("内部办公系统")),
    ("meeting", _("干部大会通报")),
    ("wechat", _("微信公众号")),
]


class PublicationForm(StepForm):
    text = forms.CharField(
        label=_("公告正文（职位、资格条件、方法程序）"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    channels = forms.MultipleChoiceField(
        label=_("发布渠道"), choices=PUBLICATION_CHANNELS, widget=forms.CheckboxSelectMultiple
    )
    date = forms.DateField(
        label=_("发布日期"), widget=_date_input(), input_formats=DATE_INPUT_FORMATS
    )

    def step_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        published: dt.date = d["date"]
        return {
            "text": d["text"].strip(),
            "channels": list(d["channels"]),
            "date": published.isoformat(),
        }


class JsonStepForm(StepForm):
    """Steps whose stage module has not yet defined its fields: the data as a
    JSON object, the guards listed beside it."""

    generic = True

    payload = JsonObjectField(
        label=_("环节内容（JSON 对象）"),
        required=False,
        help_text=_('按下列前置条件填写所需内容，例如 {"participants": 25}。'),
    )

    def step_data(self) -> dict[str, Any]:
        value = self.cleaned_data.get("payload") or {}
        assert isinstance(value, dict)
        return value


STEP_FORMS: dict[str, type[StepForm]] = {
    "motion": MotionForm,
    "plan": PlanForm,
    "publication": PublicationForm,
}


def step_form_class(step: str) -> type[StepForm]:
    return STEP_FORMS.get(step, JsonStepForm)


class CorrectionForm(forms.Form):
    payload = JsonObjectField(label=_("更正后的内容（JSON 对象）"), required=False)
    reason = forms.CharField(
        label=_("更正理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请写明更正理由。")},
    )


#: Labels of the data keys the first steps' forms write (and a few the later
#: steps are likely to), for showing a record as a definition list.
DATA_LABELS: dict[str, Any] = {
    "reason": _("动议理由"),
    "proposer": _("提议人"),
    "explanation": _("动议说明"),
    "content": _("方案主要内容"),
    "consultation": _("征求意见"),
    "from": _("征求对象"),
    "comment": _("意见"),
    "higher_approval": _("上级审批"),
    "body": _("审批机关"),
    "document": _("批准文件"),
    "text": _("正文"),
    "channels": _("发布渠道"),
    "date": _("日期"),
    "document_number": _("文号"),
    "document_date": _("文件日期"),
}

#: Labels of coded values, by key.
VALUE_LABELS: dict[str, dict[str, Any]] = {
    "reason": dict(MotionReason.CHOICES),
    "channels": dict(PUBLICATION_CHANNELS),
}
