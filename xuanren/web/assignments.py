"""Pages of the roles that own a step (docs/decisions/0061–0065): the case's
inspection team (assigned by the officer; materials and signatures by its
members), the inspection recorded by the team, the integrity request and the
discipline commission's answer, the audit request and the audit office's
conclusion. Views are thin: every check is in `procedure.assignments` and
`case_step_complete`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from xuanren.access.models import Role
from xuanren.common.dates import today
from xuanren.common.errors import DomainError, FieldError, NotFound
from xuanren.common.widgets import date_input
from xuanren.procedure.assignments import (
    SERVE_TEAM,
    audit_candidates,
    audit_request_answer,
    audit_request_send,
    can_change_case,
    content_type_for,
    inspection_material_add,
    inspection_sign,
    inspection_team_member_add,
    inspection_team_member_remove,
    integrity_request_answer,
    integrity_request_send,
    is_team_member,
    latest_audit_request,
    latest_integrity_request,
    materials_of,
    may_complete_step,
    person_name,
    require_step_actor,
    signature_state,
    step_role,
    team_of,
)
from xuanren.procedure.models import (
    AuditRequest,
    Case,
    CaseStatus,
    InspectionTeamMember,
    IntegrityRequest,
)
from xuanren.procedure.selectors import case_get
from xuanren.procedure.services import (
    ATTACHMENT_MAX_BYTES,
    ATTACHMENT_TYPES,
    GuardBlocked,
    case_attachment_add,
    case_step_complete,
    template_def,
)
from xuanren.web.pages import FORMS, login_page

form_page = login_page(methods=FORMS)


def upload_of(upload: Any) -> dict[str, Any]:
    """An uploaded file as the attachment service takes it; refused here with
    the service's own words so that nothing is half done."""
    name = str(upload.name or "")
    content_type = content_type_for(name)
    if not content_type:
        raise forms.ValidationError(_("只接受 PDF、JPEG、PNG、DOCX、XLSX 文件。"))
    if upload.size > ATTACHMENT_MAX_BYTES:
        raise forms.ValidationError(_("文件超过 20 MB，请压缩或拆分后上传。"))
    content = upload.read()
    if not content:
        raise forms.ValidationError(_("文件为空。"))
    if not content.startswith(ATTACHMENT_TYPES[content_type]):
        raise forms.ValidationError(_("文件内容与其类型不符。"))
    return {"name": name, "content": content, "content_type": content_type}


def _date_field(label: Any, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=date_input())


# ---- forms ------------------------------------------------------------------------------


def team_candidates() -> Any:
    """Accounts that may serve on an inspection team (the role's permission)."""
    app, code = SERVE_TEAM.split(".")
    perm = Q(groups__permissions__codename=code, groups__permissions__content_type__app_label=app)
    return (
        get_user_model()
        .objects.filter(perm | Q(is_superuser=True), is_active=True)
        .distinct()
        .order_by("username")
    )


class UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return person_name(obj)


class TeamMemberForm(forms.Form):
    user = UserChoice(label=gettext_lazy("成员"), queryset=None)
    is_leader = forms.BooleanField(label=gettext_lazy("组长"), required=False)
    duty = forms.CharField(label=gettext_lazy("身份（如单位职务）"), max_length=100, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = team_candidates()  # type: ignore[attr-defined]


class MaterialForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("考察材料（PDF、JPEG、PNG、DOCX、XLSX）"))

    def clean_file(self) -> dict[str, Any]:
        return upload_of(self.cleaned_data["file"])


class IntegrityRequestForm(forms.Form):
    document = forms.CharField(label=gettext_lazy("征求函文号"), max_length=100)
    sent_on = _date_field(gettext_lazy("发函日期"))
    meeting_date = _date_field(gettext_lazy("拟召开讨论决定会议日期"))


class AuditRequestForm(forms.Form):
    document = forms.CharField(label=gettext_lazy("委托函文号"), max_length=100)
    sent_on = _date_field(gettext_lazy("发函日期"))
    due_on = _date_field(gettext_lazy("要求完成日期"), required=False)


ANSWER_CHOICES = [
    ("clear", gettext_lazy("无问题")),
    ("concerns", gettext_lazy("有问题（不否决）")),
    ("veto", gettext_lazy("否决")),
]


class IntegrityAnswerForm(forms.Form):
    returned_on = _date_field(gettext_lazy("答复日期"))
    document = forms.CharField(label=gettext_lazy("答复文号"), max_length=100, required=False)
    note = forms.CharField(
        label=gettext_lazy("说明"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, request_obj: IntegrityRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = list(
            request_obj.candidates.select_related("cadre", "post__unit").order_by("id")
        )
        for c in self.people:
            self.fields[f"answer_{c.pk}"] = forms.ChoiceField(
                label=_("%(n)s（拟任%(p)s）的意见") % {"n": c.cadre.name, "p": c.post},
                choices=ANSWER_CHOICES,
                widget=forms.RadioSelect,
            )
            self.fields[f"reason_{c.pk}"] = forms.CharField(
                label=_("理由（有问题或否决时必填）"),
                max_length=2000,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self) -> list[tuple[Any, Any, Any]]:
        return [(c, self[f"answer_{c.pk}"], self[f"reason_{c.pk}"]) for c in self.people]

    def answers(self) -> list[dict[str, Any]]:
        d = self.cleaned_data
        return [
            {"candidate": c.pk, "answer": d[f"answer_{c.pk}"], "reason": d[f"reason_{c.pk}"]}
            for c in self.people
        ]


class AuditAnswerForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("审计报告（结论）文件"))
    note = forms.CharField(
        label=gettext_lazy("说明"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, request_obj: AuditRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = list(
            request_obj.candidates.select_related("cadre", "post__unit").order_by("id")
        )
        for c in self.people:
            self.fields[f"concluded_{c.pk}"] = _date_field(
                _("%(n)s（拟任%(p)s）审计结论日期") % {"n": c.cadre.name, "p": c.post}
            )
            self.fields[f"report_{c.pk}"] = forms.CharField(label=_("审计报告文号"), max_length=100)
            self.fields[f"problems_{c.pk}"] = forms.CharField(
                label=_("发现的问题（无则留空）"),
                max_length=2000,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def clean_file(self) -> dict[str, Any]:
        return upload_of(self.cleaned_data["file"])

    def rows(self) -> list[tuple[Any, Any, Any, Any]]:
        return [
            (c, self[f"concluded_{c.pk}"], self[f"report_{c.pk}"], self[f"problems_{c.pk}"])
            for c in self.people
        ]

    def audits(self) -> list[dict[str, Any]]:
        d = self.cleaned_data
        return [
            {"candidate": c.pk, "concluded_on": d[f"concluded_{c.pk}"],
             "report": d[f"report_{c.pk}"], "problems": d[f"problems_{c.pk}"]}
            for c in self.people
        ]  # fmt: skip


# ---- the panel on the case page ---------------------------------------------------------


def panel_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    """What the case page shows of the team and the requests, for whoever
    reads it; forms only for who may use them."""
    actor = request.user
    codes = [s.code for s in template_def(case.template).steps]
    officer = can_change_case(actor, case)
    is_open = case.status == CaseStatus.OPEN
    done = set(case.steps.values_list("step", flat=True))
    out: dict[str, Any] = {"case": case, "officer": officer}
    if "inspection" in codes:
        team = team_of(case)
        state = signature_state(case) if team else {}
        open_ = is_open and "inspection" not in done
        member = is_team_member(actor, case)
        out["team"] = {
            "rows": [
                {"m": m, "name": person_name(m.user), "state": state.get(m.user_id, "missing")}
                for m in team
            ],
            "materials": materials_of(case),
            "open": open_,
            "add_form": TeamMemberForm(prefix="team") if officer and open_ else None,
            "material_form": MaterialForm(prefix="material")
            if (officer or member) and open_
            else None,
            "can_sign": member and open_,
            "can_record": member and open_ and case.current_step == "inspection",
        }
    if "integrity_opinion" in codes:
        r = latest_integrity_request(case)
        open_ = is_open and "integrity_opinion" not in done
        out["integrity"] = {
            "request": r,
            "candidates": list(r.candidates.all()) if r else [],
            "form": IntegrityRequestForm(prefix="integrity", initial={"sent_on": today()})
            if officer and open_
            else None,
            "can_answer": bool(r)
            and open_
            and case.current_step == "integrity_opinion"
            and (officer or may_complete_step(actor, case, "integrity_opinion")),
        }
    if "audit" in codes:
        a = latest_audit_request(case)
        open_ = is_open and "audit" not in done
        out["audit"] = {
            "request": a,
            "candidates": list(a.candidates.all()) if a else [],
            "needed": [c.cadre.name for c in audit_candidates(case)] if officer and open_ else [],
            "form": AuditRequestForm(prefix="audit", initial={"sent_on": today()})
            if officer and open_
            else None,
            "can_answer": bool(a)
            and open_
            and case.current_step == "audit"
            and (officer or may_complete_step(actor, case, "audit")),
        }
    return out


def step_owner(actor: Any, case: Case, step: str) -> dict[str, Any]:
    """Who does the current step, for a reader of the case page who may not
    complete it through the page's own form: the step's owner assigned to
    the case is sent to the page where they do their part; anyone else is
    told which role does it."""
    role = step_role(case, step)
    out: dict[str, Any] = {"mine": False, "role": str(Role(role).label), "url": "", "action": ""}
    if not may_complete_step(actor, case, step):
        return out
    out["mine"] = True
    if step == "inspection":
        out["url"] = reverse("web:inspection_record", args=[case.pk])
        out["action"] = _("记录考察情况并完成“考察”环节")
    elif step == "integrity_opinion":
        r = latest_integrity_request(case)
        if r is not None:
            out["url"] = reverse("web:integrity_answer", args=[r.pk])
            out["action"] = _("答复廉政意见")
    elif step == "audit":
        a = latest_audit_request(case)
        if a is not None:
            out["url"] = reverse("web:audit_answer", args=[a.pk])
            out["action"] = _("记录审计结论")
    return out


def _back(case: Case, anchor: str = "assignments") -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("web:case_detail", args=[case.pk]) + f"#{anchor}")


def _refused(request: HttpRequest, case: Case, exc: DomainError) -> HttpResponseRedirect:
    messages.error(request, "".join([exc.message, *(e.message for e in exc.errors)]))
    return _back(case)


def _form_refused(request: HttpRequest, case: Case, form: forms.Form) -> HttpResponseRedirect:
    text = "；".join(str(m) for errs in form.errors.values() for m in errs)
    messages.error(request, _("填写的内容有误：%(e)s") % {"e": text})
    return _back(case)


@form_page
@require_POST
def team_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_get(actor=request.user, pk=pk)
    form = TeamMemberForm(request.POST, prefix="team")
    if not form.is_valid():
        return _form_refused(request, case, form)
    d = form.cleaned_data
    try:
        member = inspection_team_member_add(
            actor=request.user, case=case, user=d["user"], is_leader=d["is_leader"], duty=d["duty"]
        )
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        return _refused(request, case, exc)
    messages.success(request, _("已将%(n)s指派到考察组。") % {"n": person_name(member.user)})
    return _back(case)


@form_page
@require_POST
def team_remove(request: HttpRequest, pk: int, member: int) -> HttpResponse:
    case = case_get(actor=request.user, pk=pk)
    found = InspectionTeamMember.objects.filter(case=case, pk=member).select_related("case").first()
    if found is None:
        raise NotFound(_("考察组中没有这名成员。"))
    try:
        inspection_team_member_remove(actor=request.user, member=found)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        return _refused(request, case, exc)
    messages.success(request, _("已将%(n)s调整出考察组。") % {"n": person_name(found.user)})
    return _back(case)


@form_page
@require_POST
def team_material(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_get(actor=request.user, pk=pk)
    form = MaterialForm(request.POST, request.FILES, prefix="material")
    if not form.is_valid():
        return _form_refused(request, case, form)
    try:
        inspection_material_add(actor=request.user, case=case, **form.cleaned_data["file"])
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        return _refused(request, case, exc)
    messages.success(request, _("考察材料已上传；考察组成员须在当前材料上署名。"))
    return _back(case)


@form_page
@require_POST
def team_sign(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_get(actor=request.user, pk=pk)
    try:
        inspection_sign(actor=request.user, case=case)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        return _refused(request, case, exc)
    messages.success(request, _("您已在考察材料上署名。"))
    return _back(case)


@transaction.atomic
def _complete_inspection(actor: Any, case: Case, data: dict[str, Any], cleaned: Any) -> None:
    record = case_step_complete(
        actor=actor, case=case, step="inspection", data=data,
        note=(cleaned.get("note") or "").strip(),
    )  # fmt: skip
    if cleaned.get("attachment"):
        case_attachment_add(actor=actor, case=case, step=record, **cleaned["attachment"])


@form_page
def inspection_record(request: HttpRequest, pk: int) -> HttpResponse:
    """The team records the inspection step (talks, coverage, report date)
    with the step's own form; the signatures are the members' own."""
    from xuanren.web.case_forms import step_form_class

    actor = request.user
    case = case_get(actor=actor, pk=pk)
    require_step_actor(actor, case, "inspection")
    definition = template_def(case.template)
    form_class = step_form_class("inspection")
    status = 200
    error = ""
    blocked: list[FieldError] = []
    if request.method == "POST" and case.current_step == "inspection":
        form = form_class(
            request.POST, request.FILES, prefix="step",
            template_params=definition.parameters, case=case,
        )  # fmt: skip
        if form.is_valid():
            data = form.step_data()
            data["team"] = [row for row in data.get("team", []) if row.get("name")]
            try:
                _complete_inspection(actor, case, data, form.cleaned_data)
            except GuardBlocked as exc:
                error, blocked, status = exc.message, exc.errors, 409
            except DomainError as exc:
                if isinstance(exc, NotFound):
                    raise
                error, status = str(exc), 409
            else:
                messages.success(request, _("“考察”环节已办理。"))
                return _back(case, "step-inspection")
        else:
            error, status = _("填写的内容有误，请按提示修改后再提交。"), 422
    else:
        form = form_class(
            prefix="step", template_params=definition.parameters, case=case,
            initial={"report_date": today()},
        )  # fmt: skip
    return render(
        request,
        "web/inspection_record.html",
        {
            "case": case,
            "form": form,
            "error": error,
            "blocked": blocked,
            "is_current": case.current_step == "inspection" and case.status == CaseStatus.OPEN,
            "team": [
                {"name": person_name(m.user), "m": m, "state": s}
                for m in team_of(case)
                for s in [signature_state(case).get(m.user_id, "missing")]
            ],
        },
        status=status,
    )


def _send(
    request: HttpRequest, pk: int, form_class: type[forms.Form], prefix: str, send: Any, done: str
) -> HttpResponse:
    """The officer registers a request (integrity, audit) from the case page."""
    case = case_get(actor=request.user, pk=pk)
    form = form_class(request.POST, prefix=prefix)
    if not form.is_valid():
        return _form_refused(request, case, form)
    try:
        send(actor=request.user, case=case, **form.cleaned_data)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        return _refused(request, case, exc)
    messages.success(request, done)
    return _back(case)


@form_page
@require_POST
def integrity_request(request: HttpRequest, pk: int) -> HttpResponse:
    return _send(request, pk, IntegrityRequestForm, "integrity", integrity_request_send,
                 _("已登记书面征求廉政意见；纪委监委将在待办中看到。"))  # fmt: skip


@form_page
@require_POST
def audit_request(request: HttpRequest, pk: int) -> HttpResponse:
    return _send(request, pk, AuditRequestForm, "audit", audit_request_send,
                 _("已登记经济责任审计委托；审计机关将在待办中看到。"))  # fmt: skip


def _request_for(request: HttpRequest, model: type, pk: int) -> Any:
    found = model.objects.filter(pk=pk).select_related("case").first()  # type: ignore[attr-defined]
    if found is None:
        raise NotFound(_("未找到该函件，或其不在您的管理范围内。"))
    case_get(actor=request.user, pk=found.case_id)  # 404 out of reach, 403 no permission
    return found


def _answer(
    request: HttpRequest,
    req: Any,
    *,
    step: str,
    form_class: Any,
    initial: dict[str, Any],
    submit: Any,
    done: str,
    template: str,
) -> HttpResponse:
    """The owner of `step` answers the request on its own page; a valid
    answer completes the step (its guards run as for every caller)."""
    actor = request.user
    case = req.case
    require_step_actor(actor, case, step)
    status, error, blocked = 200, "", []
    if request.method == "POST":
        form = form_class(request.POST, request.FILES, request_obj=req)
        if form.is_valid():
            try:
                submit(actor, req, form)
            except DomainError as exc:
                if isinstance(exc, NotFound):
                    raise
                error, blocked, status = exc.message, exc.errors, 409
            else:
                messages.success(request, done)
                return _back(case, f"step-{step}")
        else:
            error, status = _("填写的内容有误，请按提示修改后再提交。"), 422
    else:
        form = form_class(request_obj=req, initial=initial)
    return render(
        request,
        template,
        {"req": req, "case": case, "form": form, "error": error, "blocked": blocked,
         "answerable": case.current_step == step and case.status == CaseStatus.OPEN},
        status=status,
    )  # fmt: skip


@form_page
def integrity_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The discipline commission answers per candidate; this completes the
    integrity_opinion step."""

    def submit(actor: Any, req: IntegrityRequest, form: IntegrityAnswerForm) -> None:
        d = form.cleaned_data
        integrity_request_answer(
            actor=actor, request=req, answers=form.answers(),
            returned_on=d["returned_on"], document=d["document"], note=d["note"],
        )  # fmt: skip

    return _answer(
        request, _request_for(request, IntegrityRequest, pk), step="integrity_opinion",
        form_class=IntegrityAnswerForm, initial={"returned_on": today()}, submit=submit,
        done=_("廉政意见已答复，“廉政意见”环节已办理。"), template="web/integrity_answer.html",
    )  # fmt: skip


@form_page
def audit_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The audit office records each conclusion and the report file; this
    completes the audit step."""

    def submit(actor: Any, req: AuditRequest, form: AuditAnswerForm) -> None:
        audit_request_answer(
            actor=actor, request=req, audits=form.audits(),
            attachment=form.cleaned_data["file"], note=form.cleaned_data["note"],
        )  # fmt: skip

    return _answer(
        request, _request_for(request, AuditRequest, pk), step="audit",
        form_class=AuditAnswerForm, initial={}, submit=submit,
        done=_("审计结论已记录，“经济责任审计”环节已办理。"), template="web/audit_answer.html",
    )  # fmt: skip
