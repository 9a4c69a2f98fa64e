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

from xuanren.common.errors import DomainError
from xuanren.common.widgets import date_input
from xuanren.org.models import Level, Post
from xuanren.people.models import TenureMethod
from xuanren.procedure.catalogue import STEPS
from xuanren.procedure.models import (
    Candidate,
    CandidateStatus,
    Case,
    CasePost,
    CaseStatus,
    CaseStep,
    Committee,
    CommitteeMembership,
    ProcedureTemplate,
)
from xuanren.procedure.services import ATTACHMENT_MAX_BYTES, ATTACHMENT_TYPES
from xuanren.web.forms import DATE_INPUT_FORMATS, post_choices
from xuanren.web.pickers import CadreField, PickerScope

MAX_SEATS = 20
#: Rows of posts offered when opening a case, and rows of consultation comments
#: offered beyond those already typed.
POST_ROWS = 3
EXTRA_COMMENT_ROWS = 2
MAX_COMMENT_ROWS = 50


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


def _template_and_committee_choices(
    form: forms.Form, templates: Iterable[ProcedureTemplate], committees: Iterable[Committee]
) -> None:
    """The template and committee pickers of the forms that open a case."""
    template = form.fields["template"]
    assert isinstance(template, forms.ChoiceField)
    template.choices = [("", _("请选择程序模板"))] + [
        (t.code, template_label(t)) for t in templates
    ]
    committee = form.fields["committee"]
    assert isinstance(committee, forms.TypedChoiceField)
    committee.choices = [("", _("请选择决定机构"))] + [
        (str(c.pk), f"{c.name}（{c.get_kind_display()}）") for c in committees
    ]


class CaseOpenForm(forms.Form):
    """Title, template, committee and reference date; the posts come in rows
    (`PostRowFormSet`), each a post and its number of seats."""

    title = forms.CharField(label=_("事项名称"), max_length=200)
    template = forms.ChoiceField(label=_("程序模板"))
    committee = forms.TypedChoiceField(label=_("决定机构"), coerce=int)
    reference_date = forms.DateField(
        label=_("资格计算基准日"),
        widget=date_input(),
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
        _template_and_committee_choices(self, templates, committees)


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


ATTACHMENT_EXTENSIONS = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


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

    attachment = forms.FileField(
        label=_("附件（PDF、JPEG、PNG、DOCX、XLSX，不超过 20 MB）"),
        required=False,
        help_text=_("如会议纪要、批复、报告的扫描件；按 SHA-256 留存，不会被覆盖。"),
    )

    def __init__(
        self,
        *args: Any,
        template_params: dict[str, Any] | None = None,
        case: Case | None = None,
        actor: Any = None,
        record: dict[str, Any] | None = None,
        **kwargs: Any,
    ):
        self.template_params = template_params or {}
        self.case = case
        self.actor = actor
        #: The stored data a correction starts from (the form then offers
        #: every candidate, not only those of the step's statuses).
        self.record = record
        if record is not None and not kwargs.get("initial"):
            kwargs["initial"] = self.initial_from(record, case)
        super().__init__(*args, **kwargs)
        tail = ["note", "attachment"]
        self.order_fields([name for name in self.fields if name not in tail] + tail)

    def clean_attachment(self) -> Any:
        """Type by extension and by the leading bytes, size: refused here so
        that the step is not completed with a file the service would refuse."""
        upload = self.cleaned_data.get("attachment")
        if not upload:
            return None
        name = str(upload.name or "")
        content_type = ATTACHMENT_EXTENSIONS.get(
            name.rsplit(".", 1)[-1].lower() if "." in name else ""
        )
        if content_type is None:
            raise forms.ValidationError(_("只接受 PDF、JPEG、PNG、DOCX、XLSX 文件。"))
        if upload.size > ATTACHMENT_MAX_BYTES:
            raise forms.ValidationError(_("文件超过 20 MB，请压缩或拆分后上传。"))
        content = upload.read()
        if not content:
            raise forms.ValidationError(_("文件为空。"))
        if not content.startswith(ATTACHMENT_TYPES[content_type]):
            raise forms.ValidationError(_("文件内容与其类型不符。"))
        return {"name": name, "content": content, "content_type": content_type}

    def step_data(self) -> dict[str, Any]:
        raise NotImplementedError

    #: Keys `step_data` writes only sometimes; with those it always writes,
    #: the keys a correction replaces (others, such as what a ballot or an
    #: effect added, are kept).
    optional_keys: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def initial_from(cls, data: dict[str, Any], case: Case | None) -> dict[str, Any]:
        """The form's own fields as `data` holds them (row sets: `row_initial`)."""
        return {k: v for k, v in data.items() if k in cls.base_fields}

    def corrected_data(self) -> dict[str, Any]:
        """The data of a correction: what the form now holds, plus the keys of
        the stored record the form does not write."""
        new = self.step_data()
        kept = {
            k: v
            for k, v in (self.record or {}).items()
            if k not in new and k not in self.optional_keys
        }
        return {**kept, **new}


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
    competitive = forms.BooleanField(
        label=_("本方案实行竞争上岗方法（须报上级组织部门审批）"), required=False
    )
    approval_body = forms.CharField(label=_("审批机关"), required=False, max_length=100)
    approval_document = forms.CharField(label=_("批准文件"), required=False, max_length=100)

    optional_keys = ("content", "higher_approval")

    @classmethod
    def initial_from(cls, data: dict[str, Any], case: Case | None) -> dict[str, Any]:
        approval = data.get("higher_approval") or {}
        return {
            "content": data.get("content", ""),
            "competitive": bool(data.get("competitive")),
            "approval_body": approval.get("body", ""),
            "approval_document": approval.get("document", ""),
            "consultation": [
                (str(c.get("from", "")), str(c.get("comment", "")))
                for c in data.get("consultation") or []
            ],
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.comment_rows: list[tuple[str, str]] = list(self.initial.get("consultation") or [])
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
        """Always, or (template parameter "competitive") when the plan adopts
        竞争上岗: the field is then marked and the help says so."""
        return self.template_params.get("plan_approval_by_higher") in (True, "competitive")

    @property
    def approval_if_competitive(self) -> bool:
        return self.template_params.get("plan_approval_by_higher") == "competitive"

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
        if self.approval_if_competitive and d.get("competitive"):
            data["competitive"] = True
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
        label=_("发布日期"), widget=date_input(), input_formats=DATE_INPUT_FORMATS
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

    @classmethod
    def initial_from(cls, data: dict[str, Any], case: Case | None) -> dict[str, Any]:
        return {"payload": data}


STEP_FORMS: dict[str, type[StepForm]] = {
    "motion": MotionForm,
    "plan": PlanForm,
    "publication": PublicationForm,
}


def step_form_class(step: str) -> type[StepForm]:
    return STEP_FORMS.get(step, JsonStepForm)


class CorrectionForm(forms.Form):
    """The reason of a correction; the corrected data comes from the step's
    own form, prefilled with the record (decision 0067)."""

    reason = forms.CharField(
        label=_("更正理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请写明更正理由。")},
    )


# ---- the later steps: rows of fields ----------------------------------------------------
#
# Each later step's form is a few fields of its own plus "row sets": repeated
# rows (a Django formset each) — one row per candidate, per committee member,
# per recommendation record … Rows are prefilled with the people the step is
# about; a row left blank is left out of the data. The forms check the type of
# every value (dates, whole numbers, choices from the case); what the guards
# check (who is missing, what is late) they leave to the guards, which say it
# in their own words next to the step.

GROUPS = (
    "领导班子成员",
    "中层干部",
    "下属单位主要负责人",
    "其他干部",
    "老同志代表",
    "代表",
    "职工群众",
)
#: Form field names of the participant groups (ASCII, stable).
GROUP_FIELDS = {f"g{i}": g for i, g in enumerate(GROUPS)}
RECORD_KIND_CHOICES = [("meeting", _("会议推荐")), ("talk", _("谈话推荐"))]
NOT_COUNTED_CHOICES = [
    ("unsigned", _("未署名推荐")),
    ("phone", _("电话推荐")),
    ("verbal", _("口头推荐")),
]
OPINION_CHOICES = [("", _("（未返回）")), ("passed", _("通过")), ("failed", _("未通过"))]
ASSESSMENT_CHOICES = [
    ("", _("（未考核）")),
    ("competent", _("胜任")),
    ("not_competent", _("不胜任")),
]
DECISION_METHOD_CHOICES = [
    ("", _("（不注明）")),
    ("electronic", _("电子表决")),
    ("paper", _("纸质票")),
    ("show_of_hands", _("举手表决")),
]
MAX_ROWS = 60

Choices = list[tuple[Any, Any]]


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _number(value: Any) -> int | float:
    """A form's Decimal as JSON wants it: whole numbers as int."""
    return int(value) if value == int(value) else float(value)


class RowForm(forms.Form):
    """One row of a row set. `key` names the field that says whom the row is
    about (prefilled, not counted when deciding whether the row is blank)."""

    key: ClassVar[str] = ""
    #: Fields a row that is used must have.
    needed: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        *args: Any,
        choices: dict[str, Choices] | None = None,
        pickers: dict[str, PickerScope] | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        for name, values in (choices or {}).items():
            if name in self.fields:
                self.fields[name].choices = values  # type: ignore[attr-defined]
        for name, scope in (pickers or {}).items():
            field = self.fields.get(name)
            if isinstance(field, CadreField):
                field.set_scope(scope)

    def is_deleted(self) -> bool:
        """The row was removed with its "删除" button."""
        return bool((getattr(self, "cleaned_data", {}) or {}).get("DELETE"))

    def is_blank(self) -> bool:
        return self.is_deleted() or self.is_empty()

    def is_empty(self) -> bool:
        """Nothing typed beyond the row's key (a checkbox counts only when it
        differs from how it was offered)."""
        d = getattr(self, "cleaned_data", {}) or {}
        for name, f in self.fields.items():
            if name in (self.key, "DELETE"):
                continue
            value = d.get(name)
            if isinstance(f, forms.BooleanField):
                if bool(value) != bool(self.initial.get(name, f.initial)):
                    return False
            elif value not in (None, "", [], ()):
                return False
        return True

    def clean(self) -> dict[str, Any]:
        d = super().clean() or {}
        if self.is_blank():
            return d
        if self.key and self.key in self.fields and d.get(self.key) in (None, ""):
            self.add_error(self.key, _("请选择。"))
        for name in self.needed:
            if d.get(name) in (None, "") and name not in self.errors:
                self.add_error(name, _("请填写。"))
        return d

    def row(self) -> dict[str, Any]:
        raise NotImplementedError


class RowFormSet(forms.BaseFormSet):  # type: ignore[type-arg,unused-ignore]
    """Rows added with "增加一行" and removed with "删除" (a hidden DELETE
    flag, set by the static script; a removed row is left out)."""

    deletion_widget = forms.HiddenInput


class RowSet:
    """A formset of `RowForm`s with a title; `rows()` the data of used rows."""

    def __init__(
        self,
        name: str,
        title: Any,
        form: type[RowForm],
        *,
        data: Any,
        prefix: str,
        initial: list[dict[str, Any]] | None = None,
        extra: int = 0,
        choices: dict[str, Choices] | None = None,
        pickers: dict[str, PickerScope] | None = None,
        help_text: Any = "",
    ) -> None:
        self.name = name
        self.title = title
        self.help_text = help_text
        factory = forms.formset_factory(
            form,
            formset=RowFormSet,
            extra=extra,
            can_delete=True,
            max_num=MAX_ROWS,
            absolute_max=MAX_ROWS,
            validate_max=True,
        )
        self.formset = factory(
            data,
            prefix=f"{prefix}-{name}",
            initial=initial or None,
            form_kwargs={"choices": choices or {}, "pickers": pickers or {}},
        )
        for field, scope in (pickers or {}).items():
            scope.load(self._values(field, data, initial or []))

    def _values(self, field: str, data: Any, initial: list[dict[str, Any]]) -> list[Any]:
        """The values a picker column holds (posted or offered), to load their
        labels in one query."""
        if data is None:
            return [row.get(field) for row in initial]
        head, tail = f"{self.formset.prefix}-", f"-{field}"
        return [v for k, v in data.items() if k.startswith(head) and k.endswith(tail)]

    def is_valid(self) -> bool:
        return self.formset.is_valid()

    def rows(self) -> list[dict[str, Any]]:
        out = []
        for f in self.formset.forms:
            if not getattr(f, "cleaned_data", None) or f.is_blank():
                continue
            out.append(f.row())
        return out

    def error_count(self) -> int:
        """Errors of the rows still in the table (a removed row's do not count)."""
        fs = self.formset
        if not fs.is_bound:
            return 0
        return len(fs.non_form_errors()) + sum(
            len(f.errors) for f in fs.forms if f.errors and not f.is_deleted()
        )

    def used_forms(self) -> list[RowForm]:
        return [
            f for f in self.formset.forms if getattr(f, "cleaned_data", None) and not f.is_blank()
        ]

    @property
    def headers(self) -> list[Any]:
        form = self.formset.empty_form
        return [f.label for f in form.visible_fields()]


class CaseStepForm(StepForm):
    """A later step's form: knows the case (its candidates, posts and
    committee) to offer pickers, and carries row sets."""

    #: Statuses of the candidates a per-candidate row set lists.
    row_statuses: ClassVar[tuple[str, ...]] = (CandidateStatus.INSPECTION,)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rowsets: list[RowSet] = []
        self.row_initial: dict[str, list[dict[str, Any]]] = (
            self.rows_from(self.record, self.case) if self.record is not None else {}
        )
        self._candidates: dict[tuple[str, ...], list[Candidate]] = {}
        self.build()

    @classmethod
    def rows_from(cls, data: dict[str, Any], case: Case | None) -> dict[str, list[dict[str, Any]]]:
        """The rows of each row set as `data` holds them (for a correction)."""
        return {}

    # -- pickers --
    def candidates(self, statuses: tuple[str, ...] | None = None) -> list[Candidate]:
        if self.case is None:
            return []
        wanted = self.row_statuses if statuses is None else statuses
        if self.record is not None:
            wanted = ()  # a correction: the candidates have moved on since
        if wanted in self._candidates:
            return self._candidates[wanted]
        qs = Candidate.objects.filter(case=self.case).select_related("cadre", "post__unit")
        if wanted:
            qs = qs.filter(status__in=wanted)
        found = list(qs.order_by("post_id", "rank", "id"))
        self._candidates[wanted] = found
        return found

    def candidate_choices(self, statuses: tuple[str, ...] | None = None) -> Choices:
        return [("", "—")] + [
            (c.pk, f"{c.cadre.name}（{c.post.unit.name}{c.post.title}）")
            for c in self.candidates(statuses)
        ]

    def members(self) -> list[CommitteeMembership]:
        if self.case is None:
            return []
        return list(
            CommitteeMembership.objects.filter(committee=self.case.committee_id).order_by(
                "start_date", "id"
            )
        )

    def member_choices(self) -> Choices:
        out: Choices = []
        for m in self.members():
            span = f"{m.start_date:%Y.%m}—{m.end_date:%Y.%m}" if m.end_date else ""
            out.append((m.pk, f"{m.name}{f'（{span}）' if span else ''}"))
        return out

    def post_choices(self) -> Choices:
        if self.case is None:
            return [("", "—")]
        posts = CasePost.objects.filter(case=self.case).select_related("post__unit")
        return [("", _("（全部职位）"))] + [
            (cp.post_id, f"{cp.post.unit.name}{cp.post.title}") for cp in posts
        ]

    def cadre_picker(self, within_unit: bool = True) -> PickerScope:
        """The cadres a picker may choose: active, in the actor's scope, and
        (`within_unit`) of the case's unit and below, for steps that name
        people who are not yet candidates (recommendation, registration)."""
        return PickerScope(actor=self.actor, case=self.case, within_unit=within_unit)

    def per_candidate(self, statuses: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
        return [{"candidate": c.pk} for c in self.candidates(statuses)]

    def add_rows(self, name: str, title: Any, form: type[RowForm], **kwargs: Any) -> RowSet:
        if name in self.row_initial:
            kwargs["initial"] = self.row_initial[name]
            kwargs["extra"] = 0 if self.row_initial[name] else 1
        rowset = RowSet(name, title, form, data=self.data if self.is_bound else None,
                        prefix=self.prefix or "step", **kwargs)  # fmt: skip
        self.rowsets.append(rowset)
        return rowset

    def rowset(self, name: str) -> RowSet:
        return next(r for r in self.rowsets if r.name == name)

    def build(self) -> None:
        """Add the step's row sets (subclasses)."""

    def is_valid(self) -> bool:
        ok = super().is_valid()
        rows_ok = [r.is_valid() for r in self.rowsets]  # every row set, to show every error
        return all(rows_ok) and ok

    @property
    def row_errors(self) -> bool:
        return any(r.error_count() for r in self.rowsets)

    def candidate_by_pk(self) -> dict[int, Candidate]:
        return {c.pk: c for c in self.candidates(())}

    def last_data(self, step: str) -> dict[str, Any] | None:
        """The data of the step's latest record (a correction if there is one),
        for prefilling a later step; None when the step was not done."""
        if self.case is None:
            return None
        record = (
            CaseStep.objects.filter(case=self.case, step=step).order_by("-seq").only("data").first()
        )
        return dict(record.data or {}) if record is not None else None

    def prefill(self, **fields: Any) -> None:
        """Initial values carried over from earlier steps (a new form only)."""
        if self.is_bound or self.record is not None:
            return
        for name, value in fields.items():
            if value not in (None, "", []) and not self.initial.get(name):
                self.initial[name] = value


def _date_field(label: Any, required: bool = False) -> forms.DateField:
    return forms.DateField(
        label=label, required=required, widget=date_input(), input_formats=DATE_INPUT_FORMATS
    )


def _count_field(label: Any, required: bool = False) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=0,
        max_value=100000,
        widget=forms.NumberInput(attrs={"class": "count"}),
    )


def _choice(label: Any, choices: Choices = (), required: bool = False) -> forms.ChoiceField:  # type: ignore[assignment]
    return forms.TypedChoiceField(
        label=label, required=required, choices=list(choices), coerce=int, empty_value=None
    )


def _text(label: Any, max_length: int = 200, required: bool = False) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=max_length)


def _candidate_keys(case: Case | None) -> dict[tuple[Any, Any], int]:
    """(cadre, post) → candidate id of the case: step data that names people
    by cadre and post, back to the candidate rows of the forms."""
    if case is None:
        return {}
    return {(c.cadre_id, c.post_id): c.pk for c in Candidate.objects.filter(case=case)}


def _candidate_by_cadre(case: Case | None) -> dict[Any, int]:
    out: dict[Any, int] = {}
    for (cadre, _post), pk in _candidate_keys(case).items():
        out.setdefault(cadre, pk)
    return out


# -- recommendation and evaluation --


class RecordRow(RowForm):
    key = "kind"
    needed = ("date",)
    kind = forms.ChoiceField(label=_("方式"), choices=RECORD_KIND_CHOICES)
    date = _date_field(_("日期"))
    post = _choice(_("职位"))
    staff_total = _count_field(_("应参加人数（谈话推荐）"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, group in GROUP_FIELDS.items():
            self.fields[name] = _count_field(group)

    def is_empty(self) -> bool:
        d = getattr(self, "cleaned_data", {}) or {}
        return not any(d.get(k) not in (None, "") for k in ("date", "post", "staff_total",
                                                            *GROUP_FIELDS))  # fmt: skip

    def row(self) -> dict[str, Any]:
        d = self.cleaned_data
        out: dict[str, Any] = {
            "kind": d["kind"],
            "date": _iso(d["date"]),
            "participants": {g: d[k] for k, g in GROUP_FIELDS.items() if d.get(k)},
        }
        if d.get("post"):
            out["posts"] = [d["post"]]
        if d.get("staff_total") is not None:
            out["staff_total"] = d["staff_total"]
        return out


class ResultRow(RowForm):
    """A cadre's signed ballots (or votes) from each group in one record."""

    key = "cadre"
    count_key: ClassVar[str] = "signed"
    cadre = CadreField(label=_("干部"))
    post = _choice(_("职位"))
    kind = forms.ChoiceField(label=_("方式"), choices=RECORD_KIND_CHOICES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, group in GROUP_FIELDS.items():
            self.fields[name] = _count_field(group)

    def is_empty(self) -> bool:
        d = getattr(self, "cleaned_data", {}) or {}
        return not d.get("cadre") and not any(d.get(k) for k in GROUP_FIELDS)

    def clean(self) -> dict[str, Any]:
        d = super().clean()
        if not self.is_blank() and not any(d.get(k) for k in GROUP_FIELDS):
            self.add_error(None, _("请至少填写一个群体的票数。"))
        return d

    def rows(self) -> list[dict[str, Any]]:
        d = self.cleaned_data
        out = []
        for k, group in GROUP_FIELDS.items():
            if not d.get(k):
                continue
            row: dict[str, Any] = {"cadre": d["cadre"]}
            if d.get("post"):
                row["post"] = d["post"]
            row["group"] = group
            if "kind" in self.fields:
                row["kind"] = d["kind"]
            row[self.count_key] = d[k]
            out.append(row)
        return out

    def row(self) -> dict[str, Any]:
        return {"rows": self.rows()}


class EvaluationResultRow(ResultRow):
    count_key = "votes"
    kind = None  # type: ignore[assignment]


class EvaluationRecordRow(RecordRow):
    kind = forms.ChoiceField(label=_("方式"), choices=[("meeting", _("会议测评"))])
    staff_total = None  # type: ignore[assignment]


class NotCountedRow(RowForm):
    key = "kind"
    needed = ("count",)
    kind = forms.ChoiceField(label=_("类别"), choices=NOT_COUNTED_CHOICES)
    count = _count_field(_("件数"))
    note_text = _text(_("说明"))

    def row(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"kind": d["kind"], "count": d["count"], "note": d["note_text"].strip()}


def _flatten(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for row in rows for r in row["rows"]]


class RecommendationForm(CaseStepForm):
    """民主推荐: the meeting and talk records with participants per group, the
    signed ballots per cadre and group, and what is kept but not counted."""

    record_form: ClassVar[type[RowForm]] = RecordRow
    result_form: ClassVar[type[RowForm]] = ResultRow

    optional_keys = ("not_counted",)

    @classmethod
    def rows_from(cls, data: dict[str, Any], case: Case | None) -> dict[str, list[dict[str, Any]]]:
        group_field = {g: k for k, g in GROUP_FIELDS.items()}
        meetings = []
        for m in data.get("meetings") or []:
            row: dict[str, Any] = {"kind": m.get("kind"), "date": m.get("date")}
            if m.get("posts"):
                row["post"] = m["posts"][0]
            if m.get("staff_total") is not None:
                row["staff_total"] = m["staff_total"]
            for group, n in (m.get("participants") or {}).items():
                if group in group_field:
                    row[group_field[group]] = n
            meetings.append(row)
        count_key = cls.result_form.count_key  # type: ignore[attr-defined]
        results: dict[tuple[Any, Any, Any], dict[str, Any]] = {}
        for r in data.get("results") or []:
            key = (r.get("cadre"), r.get("post"), r.get("kind"))
            row = results.setdefault(key, {"cadre": r.get("cadre"), "post": r.get("post"),
                                           "kind": r.get("kind") or "meeting"})  # fmt: skip
            if r.get("group") in group_field:
                row[group_field[r["group"]]] = r.get(count_key)
        not_counted = [
            {"kind": n.get("kind"), "count": n.get("count"), "note_text": n.get("note", "")}
            for n in data.get("not_counted") or []
        ]
        return {"meetings": meetings, "results": list(results.values()),
                "not_counted": not_counted}  # fmt: skip

    def build(self) -> None:
        posts = self.post_choices()
        self.add_rows(
            "meetings", _("推荐记录（会议推荐、谈话推荐；各群体参加人数）"), self.record_form,
            initial=[{"kind": "meeting"}, {"kind": "talk"}] if "staff_total" in
            self.record_form.base_fields else [{"kind": "meeting"}],
            extra=1, choices={"post": posts},
            help_text=_("“职位”留空表示该记录涵盖本事项全部职位。"),
        )  # fmt: skip
        self.add_rows(
            "results", _("推荐结果（仅计署名推荐票）"), self.result_form, extra=2,
            choices={"post": posts}, pickers={"cadre": self.cadre_picker()},
            help_text=_("每行一名干部在一种方式中的得票，按群体分列；按姓名、拼音首字母或身份证号后几位查找干部。"),
        )  # fmt: skip
        if self.result_form is ResultRow:
            self.add_rows("not_counted", _("不计票的推荐（留存备查）"), NotCountedRow, extra=1)

    def step_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "meetings": self.rowset("meetings").rows(),
            "results": _flatten(self.rowset("results").rows()),
        }
        if self.result_form is ResultRow:
            data["not_counted"] = self.rowset("not_counted").rows()
        return data


class EvaluationForm(RecommendationForm):
    """民主测评 (competitive template): the same shape, votes instead of signed ballots."""

    record_form = EvaluationRecordRow
    result_form = EvaluationResultRow


# -- choosing inspection candidates --


class CandidatesForm(CaseStepForm):
    chosen = forms.TypedMultipleChoiceField(
        label=_("确定为考察对象"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    meeting_body = _text(_("研究确定的会议"), required=True)
    meeting_date = _date_field(_("会议日期"), required=True)

    @classmethod
    def initial_from(cls, data: dict[str, Any], case: Case | None) -> dict[str, Any]:
        meeting = data.get("meeting") or {}
        by_key = _candidate_keys(case)
        return {
            "chosen": [by_key[k] for c in data.get("chosen") or []
                       if (k := (c.get("cadre"), c.get("post"))) in by_key],
            "meeting_body": meeting.get("body", ""),
            "meeting_date": meeting.get("date"),
        }  # fmt: skip

    def build(self) -> None:
        field = self.fields["chosen"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        counts = self.recommended_counts()
        field.choices = [
            (pk, f"{label}{counts.get(pk, '')}")
            for pk, label in self.candidate_choices((CandidateStatus.NOMINATED,))[1:]
        ]
        if self.case is not None and not self.is_bound:
            self.initial.setdefault("meeting_body", "")

    def recommended_counts(self) -> dict[int, str]:
        """Each nominated candidate's signed recommendations (民主推荐) or
        votes (民主测评), from the step before, to choose by."""
        out: dict[int, str] = {}
        rec = self.last_data("recommendation")
        key, word = "signed", _("署名推荐 %(n)d 票")
        if rec is None:
            rec, key, word = self.last_data("evaluation"), "votes", _("测评得票 %(n)d 票")
        if rec is None:
            return out
        totals: dict[tuple[Any, Any], int] = {}
        for r in rec.get("results") or []:
            k = (r.get("cadre"), r.get("post"))
            totals[k] = totals.get(k, 0) + int(r.get(key) or 0)
        for c in self.candidates(()):
            n = totals.get((c.cadre_id, c.post_id), totals.get((c.cadre_id, None)))
            if n is not None:
                out[c.pk] = "；" + str(word) % {"n": n}
        return out

    def step_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        by_pk = self.candidate_by_pk()
        return {
            "chosen": [
                {"cadre": by_pk[c].cadre_id, "post": by_pk[c].post_id}
                for c in d["chosen"]
                if c in by_pk
            ],
            "meeting": {"body": d["meeting_body"].strip(), "date": _iso(d["meeting_date"])},
        }


class InspectionNoticeForm(CaseStepForm):
    text = forms.CharField(
        label=_("考察预告内容"), max_length=8000, widget=forms.Textarea(attrs={"rows": 3})
    )
    published_on = _date_field(_("发布日期"), required=True)

    def step_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"text": d["text"].strip(), "published_on": _iso(d["published_on"])}


class RegistrationForm(CaseStepForm):
    closed_on = _date_field(_("报名截止日期"), required=True)

    def step_data(self) -> dict[str, Any]:
        return {"closed_on": _iso(self.cleaned_data["closed_on"])}


class RegistrantRow(RowForm):
    key = "cadre"
    cadre = CadreField(label=_("报名人"))
    post = _choice(_("报考职位"))
    refused = forms.BooleanField(label=_("资格审查不通过"), required=False)
    reason = _text(_("不通过理由"))

    def clean(self) -> dict[str, Any]:
        d = super().clean()
        if d.get("refused") and not (d.get("reason") or "").strip():
            self.add_error("reason", _("资格审查不通过须写明理由。"))
        return d

    def row(self) -> dict[str, Any]:
        d = self.cleaned_data
        out: dict[str, Any] = {"cadre": d["cadre"]}
        if d.get("post"):
            out["post"] = d["post"]
        if d.get("refused"):
            out |= {"passed": False, "reason": d["reason"].strip()}
        return out


class QualificationReviewForm(CaseStepForm):
    @classmethod
    def rows_from(cls, data: dict[str, Any], case: Case | None) -> dict[str, list[dict[str, Any]]]:
        return {"registrants": [
            {"cadre": r.get("cadre"), "post": r.get("post"),
             "refused": r.get("passed") is False, "reason": r.get("reason", "")}
            for r in data.get("registrants") or []
        ]}  # fmt: skip

    def build(self) -> None:
        self.add_rows("registrants", _("报名人员"), RegistrantRow, extra=2,
                      choices={"post": self.post_choices()},
                      pickers={"cadre": self.cadre_picker()})  # fmt: skip

    def step_data(self) -> dict[str, Any]:
        return {"registrants": self.rowset("registrants").rows()}


class ScoreRow(RowForm):
    key = "candidate"
    needed = ("score",)
    candidate = _choice(_("人选"))
    score = forms.DecimalField(label=_("成绩"), required=False, min_value=0, max_digits=7,
                               decimal_places=2)  # fmt: skip
    excluded = forms.BooleanField(label=_("不进入下一环节"), required=False)

    def row(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"candidate": d["candidate"], "score": _number(d["score"]),
                "excluded": bool(d["excluded"])}  # fmt: skip


class ScoresForm(CaseStepForm):
    row_statuses = (CandidateStatus.NOMINATED, CandidateStatus.INSPECTION)
    full_marks = forms.DecimalField(label=_("满分"), initial=100, min_value=1, max_digits=7,
                                    decimal_places=2)  # fmt: skip
    form = _text(_("考试（测试）形式"))

    optional_keys = ("form",)

    @classmethod
    def rows_from(cls, data: dict[str, Any], case: Case | None) -> dict[str, list[dict[str, Any]]]:
        by_cadre = _candidate_by_cadre(case)
        return {"scores": [
            {"candidate": by_cadre.get(r.get("cadre")), "score": r.get("score"),
             "excluded": bool(r.get("excluded"))}
            for r in data.get("scores") or []
        ]}  # fmt: skip

    #: The step the form is for (the signed 竞聘评分 sheet gives its column).
    step_code: ClassVar[str] = "written_exam"

    def from_sheet(self) -> list[dict[str, Any]] | None:
        """The rows of the case's signed 竞聘评分 sheet (docs/decisions/0149),
        which the service takes whatever is typed; None without one."""
        if self.case is None or self.record is not None:
            return None
        from xuanren.competition.selectors import step_scores

        try:
            data = step_scores(self.case, self.step_code, {})
        except DomainError:
            return None
        if data is None:
            return None
        by_cadre = {c.cadre_id: c.pk for c in self.candidates()}
        return [{"candidate": by_cadre.get(r["cadre"]), "score": r["score"]}
                for r in data["scores"]]  # fmt: skip

    def build(self) -> None:
        rows = self.from_sheet()
        self.add_rows("scores", _("成绩"), ScoreRow,
                      initial=self.per_candidate() if rows is None else rows,
                      choices={"candidate": self.candidate_choices()})  # fmt: skip

    def clean(self) -> dict[str, Any]:
        d = super().clean() or {}
        full = d.get("full_marks")
        if full is not None and self.rowset("scores").is_valid():
            for f in self.rowset("scores").formset.forms:
                score = (getattr(f, "cleaned_data", None) or {}).get("score")
                if score is not None and score > full:
                    f.add_error("score", _("成绩不能高于满分。"))
        return d

    def is_valid(self) -> bool:
        ok = super().is_valid()
        return ok and not self.rowset("scores").error_count()

    def step_data(self) -> dict[str, Any]:
        by_pk = self.candidate_by_pk()
        d = self.cleaned_data
        data: dict[str, Any] = {"full_marks": _number(d["full_marks"])}
        if d["form"].strip():
            data["form"] = d["form"].strip()
        data["scores"] = [
            {"cadre": by_pk[r["candidate"]].cadre_id, "score": r["score"],
             "excluded": r["excluded"]}
            for r in self.rowset("scores").rows()
            if r["candidate"] in by_pk
        ]  # fmt: skip
        return data


# -- inspection --


class InterviewScoresForm(ScoresForm):
    step_code = "interview"


class TeamRow(RowForm):
    key = ""
    needed = ("name",)
    name = _text(_("姓名"), max_length=50)
    role = _text(_("分工"), max_length=50)
    cadre = CadreField(label=_("干部档案（用于回避核查）"), within_unit=False)
    candidates = forms.TypedMultipleChoiceField(
        label=_("负责考察的对象（不选即全部）"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    signed = forms.BooleanField(label=_("在考察报告上签名"), required=False)

    def row(self) -> dict[str, Any]:
        d = self.cleaned_data
        out: dict[str, Any] = {"name": d["name"].strip()}
        if d["role"].strip():
            out["role"] = d["role"].strip()
        if d.get("cadre"):
            out["cadre"] = d["cadre"]
        if d.get("candidates"):
            out["candidates"] = list(d["candidates"])
        return out


class InspectedRow(RowForm):
    key = "candidate"
    needed = ("talks_count", "talks_date", "evaluation_participants", "evaluation_date",
              "visit_place", "visit_date")  # fmt: skip
    candidate = _choice(_("考察对象"))
    talks_count = _count_field(_("个别谈话人数"))
    talks_date = _date_field(_("谈话日期"))
    evaluation_participants = _count_field(_("民主测评人数"))
    evaluation_date = _date_field(_("测评日期"))
    visit_place = _text(_("实地走访地点"), max_length=100)
    visit_date = _date_field(_("走访日期"))
    reports_investigated = forms.BooleanField(label=_("有关举报已查核"), required=False)
    rank = forms.IntegerField(label=_("排序"), required=False, min_value=1, max_value=99)

    def row(self) -> dict[str, Any]:
        d = self.cleaned_data
        out: dict[str, Any] = {
            "candidate": d["candidate"],
            "talks": {"count": d["talks_count"], "date": _iso(d["talks_date"])},
            "evaluation": {"participants": d["evaluation_participants"],
                           "date": _iso(d["evaluation_date"])},
            "field_visits": [{"place": d["visit_place"].strip(), "date": _iso(d["visit_date"])}],
            "reports_investigated": bool(d["reports_investigated"]),
        }  # fmt: skip
        if d.get("rank"):
            out["rank"] = d["rank"]
        return out


class InspectionForm(CaseStepForm):
    row_statuses = (CandidateStatus.NOMINATED, CandidateStatus.INSPECTION)
    report_date = _date_field(_("考察报告日期"), required=True)

    @classmethod
    def initial_from(cls, data: dict[str, Any], case: Case | None) -> dict[str, Any]:
        return {"report_date": (data.get("report") or {}).get("date")}

    @classmethod
    def rows_from(cls, data: dict[str, Any], case: Case | None) -> dict[str, list[dict[str, Any]]]:
        signed = set((data.get("report") or {}).get("signed_by") or [])
        team = [
            {"name": t.get("name", ""), "role": t.get("role", ""), "cadre": t.get("cadre"),
             "candidates": t.get("candidates") or [], "signed": t.get("name") in signed}
            for t in data.get("team") or []
        ]  # fmt: skip
        by_key = _candidate_keys(case)
        rows = []
        for c in data.get("candidates") or []:
            talks, evaluation = c.get("talks") or {}, c.get("evaluation") or {}
            visit = (c.get("field_visits") or [{}])[0]
            rows.append({
                "candidate": by_key.get((c.get("cadre"), c.get("post"))),
                "talks_count": talks.get("count"), "talks_date": talks.get("date"),
                "evaluation_participants": evaluation.get("participants"),
                "evaluation_date": evaluation.get("date"),
                "visit_place": visit.get("place", ""), "visit_date": visit.get("date"),
                "reports_investigated": bool(c.get("reports_investigated")),
                "rank": c.get("rank"),
            })  # fmt: skip
        return {"team": team, "candidates": rows}

    def build(self) -> None:
        by_cadre = [(c.cadre_id, c.cadre.name) for c in self.candidates()]
        self.add_rows("team", _("考察组"), TeamRow, extra=2,
                      choices={"candidates": by_cadre},
                      pickers={"cadre": self.cadre_picker(within_unit=False)})  # fmt: skip
        self.add_rows("candidates", _("考察情况（每名考察对象）"), InspectedRow,
                      initial=self.per_candidate(),
                      choices={"candidate": self.candidate_choices()})  # fmt: skip

    def step_data(self) -> dict[str, Any]:
        by_pk = self.candidate_by_pk()
        team_forms = self.rowset("team").used_forms()
        rows = []
        for r in self.rowset("candidates").rows():
            c = by_pk.get(r.pop("candidate"))
            if c is not None:
                rows.append({"cadre": c.cadre_id, "post": c.post_id, **r})
        return {
            "team": [f.row() for f in team_forms],
            "candidates": rows,
            "report": {
                "date": _iso(self.cleaned_data["report_date"]),
                "signed_by": [
                    f.cleaned_data["name"].strip() for f in team_forms if f.cleaned_data["signed"]
                ],
            },
        }


# -- decision stage --


class OpinionRow(RowForm):
    key = "candidate"
    needed = ("result", "returned_on")
    candidate = _choice(_("考察对象"))
    result = forms.ChoiceField(label=_("廉政意见"), required=False, choices=OPINION_CHOICES)
    returned_on = _date_field(_("回复日期"))
    document = _text(_("回复文号"), max_length=100)

    def row(self) -> dict[str, Any]:
        d = self.cleaned_data
        out = {"candidate": d["candidate"], "result": d["result"],
               "returned_on": _iso(d["returned_on"])}  # fmt: skip
        if d["document"].strip():
            out["document"] = d["document"].strip()
        return out


class IntegrityOpinionForm(CaseStepForm):
    request_document = _text(_("征求意见函文号"), max_length=100, required=True)
    requested_on = _date_field(_("书面征求日期"), required=True)
    planned_meeting_date = _date_field(_("拟提交讨论决定的会议日期"), required=True)

    @classmethod
    def rows_from(cls, data: dict[str, Any], case: Case | None) -> dict[str, list[dict[str, Any]]]:
        return {
            "opinions": [
                {k: r.get(k) for k in ("candidate", "result", "returned_on", "document")}
                for r in data.get("opinions") or []
            ]
        }

    def build(self) -> None:
        self.add_rows("opinions", _("纪检监察机关的意见"), OpinionRow,
                      initial=self.per_candidate(),
                      choices={"candidate": self.candidate_choices()})  # fmt: skip

    def step_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "request_document": d["request_document"].strip(),
            "requested_on": _iso(d["requested_on"]),
            "planned_meeting_date": _iso(d["planned_meeting_date"]),
            "opinions": self.rowset("opinions").rows(),
        }


class AuditRow(RowForm):
    key = "candidate"
    needed = ("concluded_on", "report")
    candidate = _choice(_("考察对象"))
    concluded_on = _date_field(_("审计结论日期"))
    report = _text(_("审计报告文号"), max_length=100)
    problems = _text(_("发现的问题（无则留空）"), max_length=2000)

    def row(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"candidate": d["candidate"], "concluded_on": _iso(d["concluded_on"]),
                "report": d["report"].strip(), "problems": d["problems"].strip()}  # fmt: skip


class AuditForm(CaseStepForm):
    @classmethod
    def rows_from(cls, data: dict[str, Any], case: Case | None) -> dict[str, list[dict[str, Any]]]:
        return {
            "audits": [
                {k: r.get(k) for k in ("candidate", "concluded_on", "report", "problems")}
                for r in data.get("audits") or []
            ]
        }

    def build(self) -> None:
        self.add_rows(
            "audits", _("经济责任审计（须审计的人选）"), AuditRow,
            initial=self.per_candidate(), choices={"candidate": self.candidate_choices()},
            help_text=_("不需要审计的人选（非正职）该行留空。"),
        )  # fmt: skip

    def step_data(self) -> dict[str, Any]:
        return {"audits": self.rowset("audits").rows()}


class CirculatedRow(RowForm):
    key = "member"
    needed = ("on",)
    member = _choice(_("成员"))
    on = _date_field(_("送阅日期"))

    def row(self) -> dict[str, Any]:
        return {"member": self.cleaned_data["member"], "on": _iso(self.cleaned_data["on"])}


class DeliberationForm(CaseStepForm):
    planned_meeting_date = _date_field(_("拟召开会议日期"), required=True)
    plan_document = _text(_("酝酿的方案"), max_length=200, required=True)

    @classmethod
    def rows_from(cls, data: dict[str, Any], case: Case | None) -> dict[str, list[dict[str, Any]]]:
        return {
            "circulated": [
                {k: r.get(k) for k in ("member", "on")} for r in data.get("circulated") or []
            ]
        }

    def build(self) -> None:
        integrity = self.last_data("integrity_opinion") or {}
        self.prefill(planned_meeting_date=integrity.get("planned_meeting_date"))
        self.add_rows("circulated", _("方案送阅（每名成员）"), CirculatedRow,
                      initial=[{"member": m.pk} for m in self.members() if m.end_date is None],
                      extra=1, choices={"member": [("", "—"), *self.member_choices()]})  # fmt: skip

    def step_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "planned_meeting_date": _iso(d["planned_meeting_date"]),
            "plan_document": d["plan_document"].strip(),
            "circulated": self.rowset("circulated").rows(),
        }


class VoteRow(RowForm):
    key = "candidate"
    candidate = _choice(_("人选"))
    agree = _count_field(_("同意"))
    disagree = _count_field(_("不同意"))
    abstain = _count_field(_("弃权"))
    defer_votes = _count_field(_("赞成缓议"))
    recused = forms.TypedMultipleChoiceField(
        label=_("回避人员"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def is_empty(self) -> bool:
        return not (getattr(self, "cleaned_data", {}) or {}).get("candidate")

    def row(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "candidate": d["candidate"],
            **{k: d.get(k) or 0 for k in ("agree", "disagree", "abstain", "defer_votes")},
            "recused": list(d.get("recused") or []),
        }


class DecisionForm(CaseStepForm):
    #: A later meeting for deferred candidates: its date is not the planned one.
    resumed: ClassVar[bool] = False
    meeting_date = _date_field(_("会议日期"), required=True)
    present = forms.TypedMultipleChoiceField(
        label=_("到会成员"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    method = forms.ChoiceField(label=_("表决方式"), required=False, choices=DECISION_METHOD_CHOICES)

    optional_keys = ("method",)

    @classmethod
    def rows_from(cls, data: dict[str, Any], case: Case | None) -> dict[str, list[dict[str, Any]]]:
        keys = ("candidate", "agree", "disagree", "abstain", "defer_votes", "recused")
        return {"votes": [{k: r.get(k) for k in keys} for r in data.get("votes") or []]}

    def build(self) -> None:
        planned = (self.last_data("deliberation") or self.last_data("integrity_opinion") or {}).get(
            "planned_meeting_date"
        )
        if not self.resumed:
            self.prefill(meeting_date=planned)
        members = self.member_choices()
        field = self.fields["present"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = members
        self.add_rows("votes", _("逐一表决（每名考察对象）"), VoteRow,
                      initial=self.per_candidate(),
                      choices={"candidate": self.candidate_choices(), "recused": members},
                      help_text=_("应到会成员按会议日期在任的成员计算；回避人员的票不得计入。"))  # fmt: skip

    def step_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        by_pk = self.candidate_by_pk()
        votes = []
        for r in self.rowset("votes").rows():
            c = by_pk.get(r["candidate"])
            votes.append({"candidate": r["candidate"], "post": c.post_id if c else None,
                          **{k: v for k, v in r.items() if k != "candidate"}})  # fmt: skip
        data: dict[str, Any] = {
            "meeting_date": _iso(d["meeting_date"]),
            "present": list(d["present"]),
            "votes": votes,
        }
        if d.get("method"):
            data["method"] = d["method"]
        return data


class ResumedDecisionForm(DecisionForm):
    """A later meeting for the candidates deferred (缓议) at the decision."""

    row_statuses = (CandidateStatus.DEFERRED,)
    resumed = True


class PublicNoticeForm(CaseStepForm):
    """任前公示: the notice itself is published and its reports handled on the
    supervision pages; completing the step only asks the guards."""

    def step_data(self) -> dict[str, Any]:
        return {}


class AppointmentForm(CaseStepForm):
    document_number = _text(_("任职文号"), max_length=100, required=True)
    document_date = _date_field(_("任职文件日期"), required=True)
    method = forms.ChoiceField(label=_("任职方式"), required=False)

    optional_keys = ("method",)

    def build(self) -> None:
        competitive = bool(self.case and self.case.template.code == "competitive")
        methods = (
            (TenureMethod.COMPETITIVE, TenureMethod.OPEN_SELECTION)
            if competitive
            else (TenureMethod.APPOINTED, TenureMethod.ELECTED, TenureMethod.HIRED)
        )
        field = self.fields["method"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(m.value, m.label) for m in methods]

    def step_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        data = {"document_number": d["document_number"].strip(),
                "document_date": _iso(d["document_date"])}  # fmt: skip
        if d.get("method"):
            data["method"] = d["method"]
        return data


class TalkRow(RowForm):
    key = "candidate"
    needed = ("talk_on", "takes_office_on", "by")
    candidate = _choice(_("任职人员"))
    talk_on = _date_field(_("谈话日期"))
    takes_office_on = _date_field(_("到任日期"))
    by = _text(_("谈话人"), max_length=100)
    integrity_education = forms.BooleanField(label=_("进行廉政教育"), required=False,
                                             initial=True)  # fmt: skip

    def row(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"candidate": d["candidate"], "talk_on": _iso(d["talk_on"]),
                "takes_office_on": _iso(d["takes_office_on"]), "by": d["by"].strip(),
                "integrity_education": bool(d["integrity_education"])}  # fmt: skip


class AppointmentTalkForm(CaseStepForm):
    row_statuses = (CandidateStatus.APPOINTED,)

    @classmethod
    def rows_from(cls, data: dict[str, Any], case: Case | None) -> dict[str, list[dict[str, Any]]]:
        return {
            "talks": [
                {
                    k: r.get(k)
                    for k in (
                        "candidate",
                        "talk_on",
                        "takes_office_on",
                        "by",
                        "integrity_education",
                    )
                }
                for r in data.get("talks") or []
            ]
        }

    def build(self) -> None:
        self.add_rows("talks", _("任前谈话"), TalkRow,
                      initial=[{**r, "integrity_education": True} for r in self.per_candidate()],
                      choices={"candidate": self.candidate_choices()})  # fmt: skip

    def step_data(self) -> dict[str, Any]:
        return {"talks": self.rowset("talks").rows()}


class AssessmentRow(RowForm):
    key = "candidate"
    needed = ("result", "assessed_on")
    candidate = _choice(_("试用人员"))
    result = forms.ChoiceField(label=_("考核结果"), required=False, choices=ASSESSMENT_CHOICES)
    assessed_on = _date_field(_("考核日期"))
    document = _text(_("免职文号（不胜任时）"), max_length=100)
    restore_level = forms.ChoiceField(label=_("恢复的职务层次"), required=False)
    restore_level_since = _date_field(_("原层次任职时间"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["restore_level"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("（按原记录）")), *Level.choices]

    def clean(self) -> dict[str, Any]:
        d = super().clean()
        if d.get("result") == "not_competent" and not (d.get("document") or "").strip():
            self.add_error("document", _("不胜任的，须填写免去试任职务的文号。"))
        return d

    def row(self) -> dict[str, Any]:
        d = self.cleaned_data
        out: dict[str, Any] = {"candidate": d["candidate"], "result": d["result"],
                               "assessed_on": _iso(d["assessed_on"])}  # fmt: skip
        if d["document"].strip():
            out["document"] = d["document"].strip()
        if d.get("restore_level"):
            out["restore_level"] = d["restore_level"]
        if d.get("restore_level_since"):
            out["restore_level_since"] = _iso(d["restore_level_since"])
        return out


class ProbationEndForm(CaseStepForm):
    row_statuses = (CandidateStatus.APPOINTED,)

    def candidates(self, statuses: tuple[str, ...] | None = None) -> list[Candidate]:
        """Only the appointed on probation: a principal post appointed by
        promotion has none, and offering its holder a row would only be refused."""
        if self.case is None or self.record is not None:
            return super().candidates(statuses)
        if ("probation",) not in self._candidates:
            from xuanren.procedure.selectors import candidates_on_probation

            self._candidates[("probation",)] = candidates_on_probation(self.case)
        return self._candidates[("probation",)]

    @classmethod
    def rows_from(cls, data: dict[str, Any], case: Case | None) -> dict[str, list[dict[str, Any]]]:
        return {
            "assessments": [
                {
                    k: r.get(k)
                    for k in (
                        "candidate",
                        "result",
                        "assessed_on",
                        "document",
                        "restore_level",
                        "restore_level_since",
                    )
                }
                for r in data.get("assessments") or []
            ]
        }

    def build(self) -> None:
        none = self.case is not None and self.record is None and not self.candidates()
        self.add_rows("assessments", _("试用期满考核"), AssessmentRow,
                      initial=self.per_candidate(),
                      choices={"candidate": self.candidate_choices()},
                      help_text=_("本事项任职的人选都不实行试用期，无须记录考核结果，"
                                  "直接完成本环节即可。") if none else "")  # fmt: skip

    def step_data(self) -> dict[str, Any]:
        return {"assessments": self.rowset("assessments").rows()}


STEP_FORMS.update(
    {
        "recommendation": RecommendationForm,
        "evaluation": EvaluationForm,
        "candidates": CandidatesForm,
        "inspection_notice": InspectionNoticeForm,
        "registration": RegistrationForm,
        "qualification_review": QualificationReviewForm,
        "written_exam": ScoresForm,
        "interview": InterviewScoresForm,
        "inspection": InspectionForm,
        "integrity_opinion": IntegrityOpinionForm,
        "audit": AuditForm,
        "deliberation": DeliberationForm,
        "decision": DecisionForm,
        "public_notice": PublicNoticeForm,
        "appointment": AppointmentForm,
        "appointment_talk": AppointmentTalkForm,
        "probation_end": ProbationEndForm,
    }
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
    "competitive": _("实行竞争上岗方法"),
    "body": _("审批机关"),
    "document": _("批准文件"),
    "text": _("正文"),
    "channels": _("发布渠道"),
    "date": _("日期"),
    "document_number": _("文号"),
    "document_date": _("文件日期"),
    "meetings": _("推荐（测评）记录"),
    "kind": _("方式"),
    "participants": _("参加人数"),
    "posts": _("职位"),
    "staff_total": _("应参加人数"),
    "results": _("结果"),
    "cadre": _("干部"),
    "post": _("职位"),
    "group": _("群体"),
    "signed": _("署名推荐票"),
    "votes": _("票数"),
    "not_counted": _("不计票的推荐"),
    "count": _("数量"),
    "note": _("说明"),
    "chosen": _("确定的考察对象"),
    "meeting": _("会议"),
    "published_on": _("发布日期"),
    "closed_on": _("截止日期"),
    "registrants": _("报名人员"),
    "passed": _("通过"),
    "full_marks": _("满分"),
    "scores": _("成绩"),
    "score": _("成绩"),
    "excluded": _("不进入下一环节"),
    "form": _("形式"),
    "team": _("考察组"),
    "name": _("姓名"),
    "role": _("分工"),
    "candidates": _("考察对象"),
    "talks": _("谈话"),
    "evaluation": _("民主测评"),
    "field_visits": _("实地走访"),
    "place": _("地点"),
    "reports_investigated": _("有关举报已查核"),
    "rank": _("排序"),
    "report": _("报告"),
    "signed_by": _("签名"),
    "request_document": _("征求意见函文号"),
    "requested_on": _("征求日期"),
    "planned_meeting_date": _("拟开会日期"),
    "opinions": _("廉政意见"),
    "candidate": _("人选"),
    "result": _("结果"),
    "returned_on": _("回复日期"),
    "audits": _("经济责任审计"),
    "concluded_on": _("结论日期"),
    "problems": _("发现的问题"),
    "plan_document": _("方案"),
    "circulated": _("送阅"),
    "member": _("成员"),
    "on": _("日期"),
    "meeting_date": _("会议日期"),
    "present": _("到会成员"),
    "agree": _("同意"),
    "disagree": _("不同意"),
    "abstain": _("弃权"),
    "defer_votes": _("赞成缓议"),
    "recused": _("回避人员"),
    "method": _("方式"),
    "ballot_meeting": _("表决会议编号"),
    "ballot_digest": _("选票摘要（SHA-256）"),
    "talk_on": _("谈话日期"),
    "takes_office_on": _("到任日期"),
    "by": _("谈话人"),
    "integrity_education": _("廉政教育"),
    "assessments": _("考核"),
    "assessed_on": _("考核日期"),
    "restore_level": _("恢复的职务层次"),
    "restore_level_since": _("原层次任职时间"),
}

DECISION_METHODS: dict[str, Any] = {k: v for k, v in DECISION_METHOD_CHOICES if k}

#: Labels of coded values, by key.
VALUE_LABELS: dict[str, dict[str, Any]] = {
    "reason": dict(MotionReason.CHOICES),
    "channels": dict(PUBLICATION_CHANNELS),
    "kind": dict(RECORD_KIND_CHOICES + NOT_COUNTED_CHOICES),
    "result": {k: v for k, v in OPINION_CHOICES + ASSESSMENT_CHOICES if k},
    "method": {**DECISION_METHODS, **dict(TenureMethod.choices)},
    "restore_level": dict(Level.choices),
}


# ---- motion proposals (动议建议) ------------------------------------------------------


class MotionProposalForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("提议单位"), coerce=int)
    reasons = forms.CharField(
        label=_("动议理由"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如职位空缺、优化领导班子结构等；组织部门据此研究是否启动选任。"),
    )

    def __init__(self, *args: Any, units: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(u.pk, u.name) for u in units]


class MotionDecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("处理"),
        choices=[("accept", _("采纳并立项")), ("decline", _("不采纳"))],
        widget=forms.RadioSelect,
    )
    template = forms.ChoiceField(label=_("程序模板"), required=False)
    committee = forms.TypedChoiceField(
        label=_("决定机构"), required=False, coerce=int, empty_value=None
    )
    title = forms.CharField(label=_("事项名称（可不填）"), required=False, max_length=200)
    reference_date = _date_field(_("资格计算基准日（默认今天）"))
    reason = forms.CharField(
        label=_("处理意见（不采纳时必填）"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self,
        *args: Any,
        templates: Iterable[ProcedureTemplate] = (),
        committees: Iterable[Committee] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _template_and_committee_choices(self, templates, committees)

    def clean(self) -> dict[str, Any]:
        d = super().clean() or {}
        if d.get("decision") == "accept":
            if not d.get("template"):
                self.add_error("template", _("采纳并立项须选择程序模板。"))
            if not d.get("committee"):
                self.add_error("committee", _("请选择决定机构。"))
        elif d.get("decision") == "decline" and not (d.get("reason") or "").strip():
            self.add_error("reason", _("请写明不采纳的理由。"))
        return d
