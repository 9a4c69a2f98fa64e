"""征询意见 and 一报告两评议 pages (docs/decisions/0130–0132): the rounds,
a round (tally, representatives, replies, opinions) with its print-out and
XLSX, an opinion with its assign and answer forms; the appraisals, one
appraisal with its forms, print-out and XLSX. The forms only parse; the
services check."""

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
from xuanren.access.names import display_name
from xuanren.access.policy import has_perm, require_perm, unit_in_scope, unit_scope_q
from xuanren.access.records import access_record
from xuanren.access.selectors import user_get, users_covering
from xuanren.common.dates import today
from xuanren.common.errors import Conflict, PermissionDenied, ValidationFailed
from xuanren.common.widgets import date_input
from xuanren.org.models import Unit
from xuanren.people.models import Cadre
from xuanren.supervision.appraisal_selectors import (
    MANAGE_APPRAISALS,
    appraisal_get,
    appraisal_result,
    appraisals,
)
from xuanren.supervision.appraisal_services import (
    appraisal_cadre_record,
    appraisal_create,
    appraisal_report_set,
    appraisal_work_record,
)
from xuanren.supervision.forms import put_errors
from xuanren.supervision.models_opinion import (
    AppraisedCadre,
    Opinion,
    OpinionCategory,
    OpinionRecipient,
    OpinionStatus,
)
from xuanren.supervision.opinion_export import appraisal_workbook, round_workbook, tally_lines
from xuanren.supervision.opinion_selectors import (
    MANAGE_ROUNDS,
    VIEW_ROUNDS,
    opinion_get,
    opinion_round_get,
    opinion_rounds,
    round_opinions,
    round_recipients,
    round_tally,
)
from xuanren.supervision.opinion_services import (
    RecipientIn,
    answering_unit,
    opinion_add,
    opinion_answer,
    opinion_assign,
    opinion_recipients_add,
    opinion_recipients_import,
    opinion_reply_record,
    opinion_round_create,
)
from xuanren.web.exports import XLSX_TYPE
from xuanren.web.forms import unit_choices
from xuanren.web.pages import SAFE, login_page
from xuanren.web.pickers import CadreField, PickerScope, UnitField

office = login_page(methods=["GET", "HEAD", "POST"])
reading = login_page(methods=SAFE)


def _units(actor: Any) -> list[tuple[str, str]]:
    units = Unit.objects.filter(unit_scope_q(actor)).order_by("path")[:2000]
    return unit_choices(units, blank=_("请选择"))


def _xlsx(data: bytes, name: str) -> HttpResponse:
    return HttpResponse(
        data,
        content_type=XLSX_TYPE,
        headers={"Content-Disposition": content_disposition_header(True, name) or ""},
    )


# ---- 征询意见 ---------------------------------------------------------------------------


class RoundForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("名称"), max_length=100)
    unit = forms.TypedChoiceField(label=gettext_lazy("组织单位（含下级）"), coerce=int)
    period_start = forms.DateField(label=gettext_lazy("征询期间自"), widget=date_input())
    period_end = forms.DateField(label=gettext_lazy("至"), widget=date_input())
    issued_on = forms.DateField(label=gettext_lazy("发出日期"), widget=date_input())
    reply_deadline = forms.DateField(label=gettext_lazy("回复截止日期"), widget=date_input())

    def __init__(self, actor: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = _units(actor)


class RecipientForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("姓名"), max_length=50)
    unit_name = forms.CharField(label=gettext_lazy("单位"), max_length=100, required=False)
    contact = forms.CharField(label=gettext_lazy("联系方式"), max_length=100, required=False)


class ImportForm(forms.Form):
    workbook = forms.FileField(
        label=gettext_lazy("党代表名单（XLSX，工作表“党代表”：姓名、单位、联系方式）")
    )


class ReplyForm(forms.Form):
    recipient = forms.TypedChoiceField(label=gettext_lazy("党代表"), coerce=int)
    returned_on = forms.DateField(
        label=gettext_lazy("回复日期（留空为未回复）"), widget=date_input(), required=False
    )

    def __init__(self, recipients: list[OpinionRecipient], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["recipient"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("请选择"))] + [
            (str(r.pk), f"{r.name}（{r.unit_name or '—'}）") for r in recipients
        ]


class OpinionForm(forms.Form):
    recipient = forms.TypedChoiceField(label=gettext_lazy("提出意见的党代表（已回复）"), coerce=int)
    category = forms.ChoiceField(label=gettext_lazy("类别"), choices=OpinionCategory.choices)
    text = forms.CharField(
        label=gettext_lazy("意见内容"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )
    cadre = CadreField(label=gettext_lazy("涉及干部（可不选）"), within_unit=False)

    def __init__(self, actor: Any, recipients: list[OpinionRecipient], *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        field = self.fields["recipient"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("请选择"))] + [
            (str(r.pk), f"{r.name}（{r.unit_name or '—'}）") for r in recipients if r.returned_on
        ]
        self.fields["concerning_unit"] = UnitField(
            actor=actor, label=gettext_lazy("涉及单位（可不选）"), empty_label=_("不涉及具体单位")
        )
        cadre = self.fields["cadre"]
        assert isinstance(cadre, CadreField)
        cadre.set_scope(PickerScope(actor=actor, within_unit=False))


@office
def opinion_round_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    rounds = list(opinion_rounds(actor=actor)[:200])
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
                created = opinion_round_create(
                    actor=actor,
                    unit=unit,
                    title=d["title"],
                    period_start=d["period_start"],
                    period_end=d["period_end"],
                    issued_on=d["issued_on"],
                    reply_deadline=d["reply_deadline"],
                )
            except ValidationFailed as exc:
                put_errors(form, exc)
            else:
                messages.success(request, _("征询意见已登记，请录入征询对象名单。"))
                return redirect("supervision:opinion_round", pk=created.pk)
        status = 422
    elif form is not None:
        form.initial = {"issued_on": today()}
    return render(
        request,
        "supervision/opinion_round_list.html",
        {"rounds": rounds, "form": form},
        status=status,
    )


ROUND_ACTIONS = ("recipient", "import", "reply", "opinion")


@office
def opinion_round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    round_ = opinion_round_get(actor=actor, pk=pk)
    recipients = list(round_recipients(actor=actor, round=round_))
    action = request.POST.get("action", "") if request.method == "POST" else ""
    data = request.POST if action else None

    def bound(name: str) -> Any:
        return data if action == name else None

    recipient_form = RecipientForm(bound("recipient"))
    import_form = ImportForm(bound("import"), request.FILES if action == "import" else None)
    reply_form = ReplyForm(recipients, bound("reply"))
    opinion_form = OpinionForm(actor, recipients, bound("opinion"))
    forms_by_action: dict[str, forms.Form] = {
        "recipient": recipient_form,
        "import": import_form,
        "reply": reply_form,
        "opinion": opinion_form,
    }
    status = 200
    if action:
        require_perm(actor, MANAGE_ROUNDS)
        if action not in ROUND_ACTIONS:
            raise PermissionDenied(_("无效的操作。"))
        form = forms_by_action[action]
        try:
            if form.is_valid():
                d = form.cleaned_data
                if action == "recipient":
                    opinion_recipients_add(
                        actor=actor,
                        round=round_,
                        people=[RecipientIn(d["name"], d["unit_name"], d["contact"])],
                    )
                    messages.success(request, _("已登记征询对象。"))
                elif action == "import":
                    upload = d["workbook"]
                    added = opinion_recipients_import(
                        actor=actor, round=round_, content=upload, filename=upload.name
                    )
                    messages.success(request, _("已导入党代表 %(n)d 名。") % {"n": len(added)})
                elif action == "reply":
                    who = next((r for r in recipients if r.pk == d["recipient"]), None)
                    if who is None:
                        raise ValidationFailed(_("请选择党代表。"))
                    opinion_reply_record(actor=actor, recipient=who, returned_on=d["returned_on"])
                    messages.success(request, _("已登记回复。"))
                else:
                    who = next((r for r in recipients if r.pk == d["recipient"]), None)
                    if who is None:
                        raise ValidationFailed(_("请选择党代表。"))
                    opinion_add(
                        actor=actor,
                        recipient=who,
                        text=d["text"],
                        category=d["category"],
                        cadre=Cadre.objects.filter(pk=d["cadre"]).first() if d["cadre"] else None,
                        concerning_unit=Unit.objects.filter(pk=d["concerning_unit"]).first()
                        if d["concerning_unit"]
                        else None,
                    )
                    messages.success(request, _("已登记意见。"))
                return redirect("supervision:opinion_round", pk=round_.pk)
        except ValidationFailed as exc:
            put_errors(form, exc)
            status = getattr(exc, "http_status", 422)
        except Conflict as exc:
            messages.error(request, exc.message)
            status = 409
        else:
            status = 422
    tally = round_tally(actor=actor, round=round_)
    return render(
        request,
        "supervision/opinion_round.html",
        {
            "round": round_,
            "tally": tally,
            "lines": tally_lines(tally),
            "recipients": recipients,
            "opinions": list(round_opinions(actor=actor, round=round_)),
            "may_manage": has_perm(actor, MANAGE_ROUNDS),
            **{f"{k}_form": v for k, v in forms_by_action.items()},
        },
        status=status,
    )


@reading
def opinion_round_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The tally alone, for printing."""
    actor = request.user
    round_ = opinion_round_get(actor=actor, pk=pk)
    tally = round_tally(actor=actor, round=round_)
    return render(
        request,
        "supervision/opinion_round_print.html",
        {
            "round": round_,
            "tally": tally,
            "lines": tally_lines(tally),
            "opinions": list(round_opinions(actor=actor, round=round_)),
        },
    )


@reading
def opinion_round_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    round_ = opinion_round_get(actor=actor, pk=pk)
    tally = round_tally(actor=actor, round=round_)
    data = round_workbook(
        round_,
        tally,
        list(round_recipients(actor=actor, round=round_)),
        list(round_opinions(actor=actor, round=round_)),
    )
    access_record(
        actor=actor,
        kind=AccessKind.EXPORT,
        subject=("supervision.opinionround", str(round_.pk)),
        label=round_.title,
        detail={"export": "opinion_round", "format": "xlsx"},
    )
    return _xlsx(data, f"{round_.title}.xlsx")


class AssignForm(forms.Form):
    assignee = forms.TypedChoiceField(label=gettext_lazy("承办人"), coerce=int)
    answer_due = forms.DateField(label=gettext_lazy("答复期限"), widget=date_input())

    def __init__(self, opinion: Opinion, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        users = users_covering(unit=answering_unit(opinion))
        field = self.fields["assignee"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("请选择"))] + [(str(u.pk), display_name(u)) for u in users]


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=gettext_lazy("答复内容"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )


@office
def opinion_page(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    opinion = opinion_get(actor=actor, pk=pk)
    round_ = opinion.recipient.round
    open_ = opinion.status != OpinionStatus.ANSWERED
    may_assign = open_ and has_perm(actor, MANAGE_ROUNDS) and unit_in_scope(actor, round_.unit)
    may_answer = open_ and (may_assign or opinion.assignee_id == actor.pk)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    assign = AssignForm(opinion, request.POST if action == "assign" else None)
    if opinion.assignee_id and not assign.is_bound:
        assign.initial = {"assignee": opinion.assignee_id, "answer_due": opinion.answer_due}
    answer = AnswerForm(request.POST if action == "answer" else None)
    status = 200
    if action:
        try:
            if action == "assign" and assign.is_valid():
                opinion_assign(
                    actor=actor,
                    opinion=opinion,
                    assignee=user_get(pk=assign.cleaned_data["assignee"]),
                    answer_due=assign.cleaned_data["answer_due"],
                )
                messages.success(request, _("意见已分派。"))
                return redirect("supervision:opinion", pk=opinion.pk)
            if action == "answer" and answer.is_valid():
                opinion_answer(actor=actor, opinion=opinion, answer=answer.cleaned_data["answer"])
                messages.success(request, _("意见已答复。"))
                return redirect("supervision:opinion", pk=opinion.pk)
            if action not in ("assign", "answer"):
                raise PermissionDenied(_("无效的操作。"))
        except ValidationFailed as exc:
            put_errors(assign if action == "assign" else answer, exc)
        except Conflict as exc:
            messages.error(request, exc.message)
        status = 422
    return render(
        request,
        "supervision/opinion.html",
        {
            "opinion": opinion,
            "round": round_,
            "assign": assign,
            "answer": answer,
            "may_assign": may_assign,
            "may_answer": may_answer,
            "may_view_round": has_perm(actor, VIEW_ROUNDS) and unit_in_scope(actor, round_.unit),
        },
        status=status,
    )


# ---- 一报告两评议 -------------------------------------------------------------------------


class AppraisalForm(forms.Form):
    unit = forms.TypedChoiceField(label=gettext_lazy("单位（含下级）"), coerce=int)
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=1990, max_value=9999)

    def __init__(self, actor: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = _units(actor)


class ReportForm(forms.Form):
    report = forms.CharField(
        label=gettext_lazy("选人用人工作报告"),
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=50_000,
    )


def _count(label: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=100_000, initial=0)


class WorkForm(forms.Form):
    held_on = forms.DateField(label=gettext_lazy("评议日期"), widget=date_input())
    participants = _count(gettext_lazy("参加评议人数"))
    good = _count(gettext_lazy("好"))
    fairly_good = _count(gettext_lazy("较好"))
    average = _count(gettext_lazy("一般"))
    poor = _count(gettext_lazy("差"))


class CadreCountsForm(forms.Form):
    row = forms.IntegerField(widget=forms.HiddenInput)
    participants = _count(gettext_lazy("参加评议人数"))
    agree = _count(gettext_lazy("认同"))
    mostly_agree = _count(gettext_lazy("基本认同"))
    disagree = _count(gettext_lazy("不认同"))


@office
def appraisal_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    rows = list(appraisals(actor=actor)[:200])
    may_manage = has_perm(actor, MANAGE_APPRAISALS)
    form = AppraisalForm(actor, request.POST or None) if may_manage else None
    status = 200
    if request.method == "POST":
        require_perm(actor, MANAGE_APPRAISALS)
        assert form is not None
        if form.is_valid():
            unit = Unit.objects.filter(pk=form.cleaned_data["unit"]).first()
            try:
                if unit is None:
                    raise ValidationFailed(_("请选择单位。"))
                created = appraisal_create(actor=actor, unit=unit, year=form.cleaned_data["year"])
            except ValidationFailed as exc:
                put_errors(form, exc)
            except Conflict as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("已登记，列出该年度新提拔干部 %(n)d 名。") % {"n": created.cadres.count()},
                )
                return redirect("supervision:appraisal", pk=created.pk)
        status = 422
    elif form is not None:
        form.initial = {"year": today().year - 1}
    return render(
        request, "supervision/appraisal_list.html", {"rows": rows, "form": form}, status=status
    )


def _appraisal_title(a: Any) -> str:
    return _("%(u)s%(y)d 年度一报告两评议") % {"u": a.unit.name, "y": a.year}


@office
def appraisal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    appraisal = appraisal_get(actor=actor, pk=pk)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    report = ReportForm(request.POST if action == "report" else None)
    if not report.is_bound:
        report.initial = {"report": appraisal.report}
    work = WorkForm(request.POST if action == "work" else None)
    if not work.is_bound:
        work.initial = {
            "held_on": appraisal.held_on,
            "participants": appraisal.participants,
            "good": appraisal.good,
            "fairly_good": appraisal.fairly_good,
            "average": appraisal.average,
            "poor": appraisal.poor,
        }
    counts = CadreCountsForm(request.POST if action == "cadre" else None)
    status = 200
    if action:
        require_perm(actor, MANAGE_APPRAISALS)
        try:
            if action == "report" and report.is_valid():
                appraisal_report_set(
                    actor=actor, appraisal=appraisal, report=report.cleaned_data["report"]
                )
                messages.success(request, _("报告已保存。"))
                return redirect("supervision:appraisal", pk=appraisal.pk)
            if action == "work" and work.is_valid():
                appraisal_work_record(actor=actor, appraisal=appraisal, **work.cleaned_data)
                messages.success(request, _("选人用人工作评议结果已保存。"))
                return redirect("supervision:appraisal", pk=appraisal.pk)
            if action == "cadre" and counts.is_valid():
                d = dict(counts.cleaned_data)
                row = AppraisedCadre.objects.filter(pk=d.pop("row"), appraisal=appraisal).first()
                if row is None:
                    raise ValidationFailed(_("该干部不在本次评议名单中。"))
                appraisal_cadre_record(actor=actor, row=row, **d)
                messages.success(request, _("新提拔干部评议结果已保存。"))
                return redirect("supervision:appraisal", pk=appraisal.pk)
            if action not in ("report", "work", "cadre"):
                raise PermissionDenied(_("无效的操作。"))
        except ValidationFailed as exc:
            target = {"report": report, "work": work}.get(action, counts)
            put_errors(target, exc)
            if action == "cadre":
                messages.error(request, str(exc))
        status = 422
    return render(
        request,
        "supervision/appraisal.html",
        {
            "appraisal": appraisal,
            "title": _appraisal_title(appraisal),
            "result": appraisal_result(actor=actor, appraisal=appraisal),
            "may_manage": has_perm(actor, MANAGE_APPRAISALS),
            "report_form": report,
            "work_form": work,
            "counts_form": counts,
        },
        status=status,
    )


@reading
def appraisal_print(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    appraisal = appraisal_get(actor=actor, pk=pk)
    return render(
        request,
        "supervision/appraisal_print.html",
        {
            "appraisal": appraisal,
            "title": _appraisal_title(appraisal),
            "result": appraisal_result(actor=actor, appraisal=appraisal),
        },
    )


@reading
def appraisal_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    appraisal = appraisal_get(actor=actor, pk=pk)
    title = _appraisal_title(appraisal)
    data = appraisal_workbook(title, appraisal_result(actor=actor, appraisal=appraisal))
    access_record(
        actor=actor,
        kind=AccessKind.EXPORT,
        subject=("supervision.appraisal", str(appraisal.pk)),
        label=title,
        detail={"export": "appraisal", "format": "xlsx"},
    )
    return _xlsx(data, f"{title}.xlsx")
