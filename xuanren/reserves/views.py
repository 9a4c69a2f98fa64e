"""后备干部 pages (docs/decisions/0153–0155): the rounds, a round (counts of
each stage, nominees, the list, who left it, the reviews, and its forms), the
review form and the XLSX. The forms only parse; the services check."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuanren.access.models import AccessKind
from xuanren.access.policy import has_perm, require_perm, unit_in_scope
from xuanren.access.records import access_record
from xuanren.common.dates import today
from xuanren.common.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from xuanren.common.widgets import date_input
from xuanren.org.models import Level, Unit
from xuanren.people.models import Cadre
from xuanren.reserves.export import count_lines, round_workbook
from xuanren.reserves.models import (
    Channel,
    InspectionResult,
    LeaveReason,
    Member,
    SubjectMode,
    Tier,
)
from xuanren.reserves.selectors import (
    MANAGE_ROUNDS,
    NomineeLine,
    counts_for,
    next_review,
    reserve_round_get,
    reserve_rounds,
    round_members,
    round_nominees,
    round_reviews,
)
from xuanren.reserves.services import (
    AddIn,
    LeaveIn,
    reserve_inspection_record,
    reserve_list_fix,
    reserve_member_add,
    reserve_member_leave,
    reserve_member_remove,
    reserve_nominate,
    reserve_review_record,
    reserve_round_create,
    reserve_subjects_set,
    reserve_test_record,
)
from xuanren.supervision.forms import put_errors
from xuanren.web.exports import XLSX_TYPE
from xuanren.web.pages import SAFE, login_page
from xuanren.web.pickers import CadreField, PickerScope, UnitPicker

office = login_page(methods=["GET", "HEAD", "POST"])
reading = login_page(methods=SAFE)
LIST_MAX = 200


def _choices(items: list[tuple[int, str]]) -> list[tuple[str, str]]:
    return [("", _("请选择"))] + [(str(pk), label) for pk, label in items]


class RoundForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("名称"), max_length=100)
    # The picker searches the scope (no page lists a province's units); the
    # service checks the unit chosen.
    unit = forms.IntegerField(
        label=gettext_lazy("组织单位（含下级）"), min_value=1, widget=UnitPicker
    )
    year = forms.IntegerField(label=gettext_lazy("年度"))
    pass_line = forms.CharField(
        label=gettext_lazy("测试合格分数线（满分 100，达到即合格）"), max_length=10
    )

    def __init__(self, actor: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        widget = self.fields["unit"].widget
        assert isinstance(widget, UnitPicker)
        widget.actor = actor


class NominateForm(forms.Form):
    cadre = CadreField(label=gettext_lazy("被推荐干部"), within_unit=False)
    channel = forms.ChoiceField(label=gettext_lazy("推荐渠道"), choices=Channel.choices)
    nominated_on = forms.DateField(label=gettext_lazy("推荐日期"), widget=date_input())
    note = forms.CharField(label=gettext_lazy("推荐说明"), max_length=200, required=False)

    def __init__(self, actor: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cadre = self.fields["cadre"]
        assert isinstance(cadre, CadreField)
        cadre.set_scope(PickerScope(actor=actor, within_unit=False))


class NomineeChoiceForm(forms.Form):
    nominee = forms.TypedChoiceField(label=gettext_lazy("推荐人选"), coerce=int)

    def __init__(self, lines: list[NomineeLine], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["nominee"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = _choices(
            [
                (x.nominee.pk, f"{x.nominee.cadre.name}（{x.nominee.cadre.unit.name}）")
                for x in lines
            ]
        )


class TestForm(NomineeChoiceForm):
    """The total, or one field per subject when the round has subjects
    (decision 0173: the service computes the total)."""

    score = forms.CharField(label=gettext_lazy("测试成绩（政治、科技、法律、经济，满分 100）"),
                            max_length=10)  # fmt: skip
    tested_on = forms.DateField(label=gettext_lazy("测试日期"), widget=date_input())

    def __init__(self, lines: list[NomineeLine], round_: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(lines, *args, **kwargs)
        self.subjects = [str(x["name"]) for x in round_.subjects]
        if not self.subjects:
            return
        del self.fields["score"]
        weighted = round_.subject_mode == SubjectMode.WEIGHTED
        for n, x in enumerate(round_.subjects):
            label = (
                _("%(s)s成绩（百分制，权重 %(p)d%%）") if weighted else _("%(s)s成绩（满分 %(p)d）")
            ) % {"s": x["name"], "p": x["points"]}
            self.fields[f"subject_{n}"] = forms.CharField(label=label, max_length=10)
        self.order_fields(["nominee", *(f"subject_{n}" for n in range(len(self.subjects)))])

    def subject_scores(self) -> dict[str, str] | None:
        if not self.subjects:
            return None
        return {name: self.cleaned_data[f"subject_{n}"] for n, name in enumerate(self.subjects)}


class SubjectsForm(forms.Form):
    """The test's subjects, one a line: 科目，分值. The service checks them."""

    mode = forms.ChoiceField(label=gettext_lazy("科目计分方式"), choices=SubjectMode.choices)
    subjects = forms.CharField(
        label=gettext_lazy(
            "测试科目，每行一科：科目名称，分值（各科分值合计 100；不设科目则清空）"
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=2000,
    )

    def lines(self) -> list[tuple[str, str]]:
        out = []
        for line in self.cleaned_data["subjects"].splitlines():
            parts = [p.strip() for p in line.replace("，", ",").replace("\t", ",").split(",")]
            if parts and parts[0]:
                out.append((parts[0], parts[1] if len(parts) > 1 else ""))
        return out


class InspectionForm(NomineeChoiceForm):
    result = forms.ChoiceField(
        label=gettext_lazy("考察结果"),
        choices=[(InspectionResult.PASSED, InspectionResult.PASSED.label),
                 (InspectionResult.FAILED, InspectionResult.FAILED.label)],
    )  # fmt: skip
    inspected_on = forms.DateField(label=gettext_lazy("考察日期"), widget=date_input())
    note = forms.CharField(
        label=gettext_lazy("考察意见（不合格时必填）"), max_length=500, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip


class MemberForm(NomineeChoiceForm):
    tier = forms.ChoiceField(label=gettext_lazy("培养期"), choices=Tier.choices)
    target_level = forms.ChoiceField(
        label=gettext_lazy("拟培养职务层次"), choices=[("", "—"), *Level.choices], required=False
    )
    target_post = forms.CharField(
        label=gettext_lazy("拟培养方向（职位）"), max_length=100, required=False
    )


class FixForm(forms.Form):
    listed_on = forms.DateField(label=gettext_lazy("名单确定日期"), widget=date_input())


class LeaveForm(forms.Form):
    member = forms.TypedChoiceField(label=gettext_lazy("后备干部"), coerce=int)
    left_on = forms.DateField(label=gettext_lazy("退出日期"), widget=date_input())
    reason = forms.ChoiceField(label=gettext_lazy("退出原因"), choices=LeaveReason.choices)
    note = forms.CharField(label=gettext_lazy("说明（原因为“其他”时必填）"), max_length=200,
                           required=False)  # fmt: skip

    def __init__(self, members: list[Member], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["member"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = _choices([(m.pk, m.cadre.name) for m in members])


class RemoveForm(forms.Form):
    member = forms.IntegerField()


@office
def round_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    rounds = list(reserve_rounds(actor=actor)[:LIST_MAX])
    may_manage = has_perm(actor, MANAGE_ROUNDS)
    form = RoundForm(actor, request.POST or None) if may_manage else None
    status = 200
    if request.method == "POST":
        require_perm(actor, MANAGE_ROUNDS)
        assert form is not None
        if form.is_valid():
            d = form.cleaned_data
            unit = Unit.objects.filter(pk=d["unit"]).first()
            try:
                if unit is None:
                    raise ValidationFailed(_("请选择单位。"))
                created = reserve_round_create(
                    actor=actor,
                    unit=unit,
                    year=d["year"],
                    title=d["title"],
                    pass_line=d["pass_line"],
                )
            except ValidationFailed as exc:
                put_errors(form, exc)
            else:
                messages.success(request, _("后备干部选拔已登记，请登记“三荐”人选。"))
                return redirect("reserves:reserve_round", pk=created.pk)
        status = 422
    elif form is not None:
        form.initial = {"year": today().year, "pass_line": "60"}
    return render(
        request, "reserves/round_list.html", {"rounds": rounds, "form": form}, status=status
    )


ACTIONS = ("subjects", "nominate", "test", "inspection", "member", "fix", "leave", "remove")


@office
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    round_ = reserve_round_get(actor=actor, pk=pk)
    lines = round_nominees(actor=actor, round=round_)
    members = list(round_members(actor=actor, round=round_))
    current = [m for m in members if m.left_on is None]
    action = request.POST.get("action", "") if request.method == "POST" else ""

    def bound(name: str) -> Any:
        return request.POST if action == name else None

    unlisted = [x for x in lines if not x.listed]
    built: dict[str, forms.Form] = {
        "nominate": NominateForm(actor, bound("nominate")),
        "subjects": SubjectsForm(bound("subjects")),
        "test": TestForm(unlisted, round_, bound("test")),
        "inspection": InspectionForm(unlisted, bound("inspection")),
        "member": MemberForm([x for x in lines if x.listable], bound("member")),
        "fix": FixForm(bound("fix")),
        "leave": LeaveForm(current, bound("leave")),
        "remove": RemoveForm(bound("remove")),
    }
    status = 200
    if action:
        require_perm(actor, MANAGE_ROUNDS)
        if action not in ACTIONS:
            raise PermissionDenied(_("无效的操作。"))
        form = built[action]
        try:
            if form.is_valid():
                _act(request, actor, round_, action, form, lines, members)
                return redirect("reserves:reserve_round", pk=round_.pk)
            status = 422
        except ValidationFailed as exc:
            put_errors(form, exc)
            status = 422
        except Conflict as exc:
            messages.error(request, exc.message)
            status = 409
    elif not request.POST:
        for name, field in (("test", "tested_on"), ("inspection", "inspected_on"),
                            ("nominate", "nominated_on"), ("fix", "listed_on"),
                            ("leave", "left_on")):  # fmt: skip
            built[name].initial = {field: today()}
        built["subjects"].initial = {
            "mode": round_.subject_mode,
            "subjects": "\n".join(f"{x['name']}，{x['points']}" for x in round_.subjects),
        }
    counts = counts_for(actor=actor, round=round_)
    return render(
        request,
        "reserves/round.html",
        {
            "round": round_,
            "counts": counts,
            "count_lines": count_lines(counts),
            "lines": lines,
            "current": current,
            "left": [m for m in members if m.left_on is not None],
            "reviews": list(round_reviews(actor=actor, round=round_)),
            "next_review": next_review(round_),
            "may_manage": has_perm(actor, MANAGE_ROUNDS) and unit_in_scope(actor, round_.unit),
            **{f"{k}_form": v for k, v in built.items()},
        },
        status=status,
    )


def _act(
    request: HttpRequest,
    actor: Any,
    round_: Any,
    action: str,
    built_form: forms.Form,
    lines: list[NomineeLine],
    members: list[Member],
) -> None:
    """One of the round page's actions, through its service."""
    d = built_form.cleaned_data
    nominee = next((x.nominee for x in lines if x.nominee.pk == d.get("nominee")), None)
    member = next((m for m in members if m.pk == d.get("member")), None)
    if action in ("test", "inspection", "member") and nominee is None:
        raise ValidationFailed(_("请选择推荐人选。"))
    if action in ("leave", "remove") and member is None:
        raise ValidationFailed(_("请选择后备干部。"))
    if action == "nominate":
        cadre = Cadre.objects.filter(pk=d["cadre"]).first() if d["cadre"] else None
        if cadre is None:
            raise ValidationFailed(_("请选择被推荐干部。"))
        reserve_nominate(actor=actor, round=round_, cadre=cadre, channel=d["channel"],
                         nominated_on=d["nominated_on"], note=d["note"])  # fmt: skip
        messages.success(request, _("已登记推荐。"))
    elif action == "subjects":
        form = built_form
        assert isinstance(form, SubjectsForm)
        reserve_subjects_set(actor=actor, round=round_, mode=d["mode"], subjects=form.lines())
        messages.success(request, _("测试科目已保存。"))
    elif action == "test":
        assert nominee is not None
        assert isinstance(built_form, TestForm)
        reserve_test_record(actor=actor, nominee=nominee, score=d.get("score"),
                            tested_on=d["tested_on"],
                            subject_scores=built_form.subject_scores())  # fmt: skip
        messages.success(request, _("已登记测试成绩。"))
    elif action == "inspection":
        assert nominee is not None
        reserve_inspection_record(actor=actor, nominee=nominee, result=d["result"],
                                  inspected_on=d["inspected_on"], note=d["note"])  # fmt: skip
        messages.success(request, _("已登记考察结果。"))
    elif action == "member":
        assert nominee is not None
        reserve_member_add(actor=actor, nominee=nominee, tier=d["tier"],
                           target_level=d["target_level"], target_post=d["target_post"])  # fmt: skip
        messages.success(request, _("已列入名单。"))
    elif action == "fix":
        reserve_list_fix(actor=actor, round=round_, listed_on=d["listed_on"])
        messages.success(request, _("后备干部名单已确定。"))
    elif action == "leave":
        assert member is not None
        reserve_member_leave(actor=actor, member=member, left_on=d["left_on"],
                             reason=d["reason"], note=d["note"])  # fmt: skip
        messages.success(request, _("已登记退出。"))
    else:
        assert member is not None
        reserve_member_remove(actor=actor, member=member)
        messages.success(request, _("已移出名单。"))


STAY = "stay"
NOT_ADDED = ""


class ReviewForm(forms.Form):
    held_on = forms.DateField(label=gettext_lazy("调整日期"), widget=date_input())
    note = forms.CharField(
        label=gettext_lazy("调整说明"), max_length=500, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip

    def __init__(
        self, current: list[Member], addable: list[NomineeLine], *args: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        stay = [(STAY, _("保留")), *((r.value, _("退出：%(r)s") % {"r": r.label})
                                   for r in LeaveReason)]  # fmt: skip
        for m in current:
            self.fields[f"member_{m.pk}"] = forms.ChoiceField(
                label=f"{m.cadre.name}（{m.get_tier_display()}）", choices=stay, initial=STAY
            )
            self.fields[f"member_{m.pk}_note"] = forms.CharField(
                label=_("%(n)s 退出说明") % {"n": m.cadre.name}, max_length=200, required=False
            )
        tiers = [(NOT_ADDED, _("不列入")), *((t.value, _("列入：%(t)s") % {"t": t.label})
                                          for t in Tier)]  # fmt: skip
        for x in addable:
            self.fields[f"nominee_{x.nominee.pk}"] = forms.ChoiceField(
                label=_("%(n)s（测试 %(s)s 分，考察合格）")
                % {"n": x.nominee.cadre.name, "s": x.nominee.score},
                choices=tiers,
                required=False,
            )


@office
def review_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The review of a fixed list: each current member stays or leaves with a
    reason; nominees who passed both and are not listed may be added."""
    actor = request.user
    round_ = reserve_round_get(actor=actor, pk=pk)
    require_perm(actor, MANAGE_ROUNDS)
    members = [m for m in round_members(actor=actor, round=round_) if m.left_on is None]
    addable = [x for x in round_nominees(actor=actor, round=round_) if x.listable]
    form = ReviewForm(members, addable, request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            leaving = [
                LeaveIn(m, d[f"member_{m.pk}"], d[f"member_{m.pk}_note"])
                for m in members
                if d[f"member_{m.pk}"] != STAY
            ]
            adding = [
                AddIn(x.nominee, d[f"nominee_{x.nominee.pk}"])
                for x in addable
                if d.get(f"nominee_{x.nominee.pk}")
            ]
            try:
                reserve_review_record(actor=actor, round=round_, held_on=d["held_on"],
                                      note=d["note"], leaving=leaving, adding=adding)  # fmt: skip
            except ValidationFailed as exc:
                _review_errors(form, exc, members, leaving, addable, adding)
                status = 422
            except Conflict as exc:
                messages.error(request, exc.message)
                status = 409
            else:
                messages.success(request, _("名单调整已登记。"))
                return redirect("reserves:reserve_round", pk=round_.pk)
        else:
            status = 422
    else:
        form.initial["held_on"] = today()
    return render(
        request,
        "reserves/review.html",
        {"round": round_, "form": form, "members": members, "addable": addable},
        status=status,
    )


def _review_errors(
    form: forms.Form,
    exc: DomainError,
    members: list[Member],
    leaving: list[LeaveIn],
    addable: list[NomineeLine],
    adding: list[AddIn],
) -> None:
    """The service's errors (leaving.N, adding.N) on the rows' own fields."""
    for error in exc.errors or []:
        head, _dot, rest = error.field.partition(".")
        number = rest.split(".")[0]
        target: str | None = error.field if error.field in form.fields else None
        if head == "leaving" and number.isdigit() and int(number) <= len(leaving):
            target = f"member_{leaving[int(number) - 1].member.pk}"
            if rest.endswith(".note"):
                target += "_note"
        elif head == "adding" and number.isdigit() and int(number) <= len(adding):
            target = f"nominee_{adding[int(number) - 1].nominee.pk}"
        form.add_error(target, error.message)
    if not exc.errors:
        form.add_error(None, exc.message)


@reading
def round_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    round_ = reserve_round_get(actor=actor, pk=pk)
    data = round_workbook(
        round_,
        counts_for(actor=actor, round=round_),
        round_nominees(actor=actor, round=round_),
        list(round_members(actor=actor, round=round_)),
    )
    access_record(
        actor=actor,
        kind=AccessKind.EXPORT,
        subject=("reserves.reserveround", str(round_.pk)),
        label=round_.title,
        detail={"export": "reserve_round", "format": "xlsx"},
    )
    return HttpResponse(
        data,
        content_type=XLSX_TYPE,
        headers={
            "Content-Disposition": content_disposition_header(True, f"{round_.title}.xlsx") or ""
        },
    )
