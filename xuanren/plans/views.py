"""Pages of the work plans (docs/decisions/0183–0186): the list, a plan's page
with its phases, tasks and deadlines, the forms that add to it, a task's
progress, a report's submission with attachments, 备案 and its
acknowledgement, and the XLSX. Out of scope 404, may see but not change 403
(checked before a request body is read); every check is the services'."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuanren.access.models import AccessKind
from xuanren.access.policy import has_perm, require_perm, require_unit, unit_in_scope
from xuanren.access.records import access_record
from xuanren.common.dates import today
from xuanren.common.errors import Conflict, DomainError, NotFound, ValidationFailed
from xuanren.common.widgets import date_input
from xuanren.org.models import Unit
from xuanren.plans.export import plan_workbook
from xuanren.plans.forms import (
    AcknowledgeForm,
    FileForm,
    PhaseForm,
    ProgressForm,
    ReportForm,
    SubmitForm,
    TaskForm,
)
from xuanren.plans.models import WorkPlan
from xuanren.plans.recurrence import DueRule, describe
from xuanren.plans.selectors import (
    LIST_LIMIT,
    MANAGE_PERM,
    attachment_get,
    phase_get,
    plan_get,
    plans,
    report_get,
    report_lines,
    responsible_choices,
    task_get,
)
from xuanren.plans.services import (
    phase_add,
    phase_edit,
    plan_acknowledge,
    plan_create,
    plan_edit,
    plan_file,
    report_add,
    report_edit,
    report_submit,
    report_withdraw,
    task_add,
    task_edit,
    task_update,
    task_withdraw,
)
from xuanren.supervision.forms import put_errors
from xuanren.web.exports import XLSX_TYPE
from xuanren.web.pages import FORMS, SAFE, login_page
from xuanren.web.pickers import UnitPicker


class PlanForm(forms.Form):
    unit = forms.IntegerField(label=gettext_lazy("制定单位"), min_value=1, widget=UnitPicker)
    title = forms.CharField(label=gettext_lazy("方案名称"), max_length=200)
    year = forms.IntegerField(label=gettext_lazy("年度"))
    source_document = forms.CharField(
        label=gettext_lazy("依据文件"),
        max_length=200,
        help_text=gettext_lazy("文件的正式名称及条目。"),
    )
    starts_on = forms.DateField(label=gettext_lazy("开始日期"), widget=date_input())
    ends_on = forms.DateField(label=gettext_lazy("结束日期"), widget=date_input())

    def __init__(self, actor: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        widget = self.fields["unit"].widget
        assert isinstance(widget, UnitPicker)
        widget.actor = actor


class PlanEditForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("方案名称"), max_length=200)
    source_document = forms.CharField(
        label=gettext_lazy("依据文件"),
        max_length=200,
        help_text=gettext_lazy("文件的正式名称及条目。"),
    )
    starts_on = forms.DateField(label=gettext_lazy("开始日期"), widget=date_input())
    ends_on = forms.DateField(label=gettext_lazy("结束日期"), widget=date_input())


def _may_manage(actor: Any, plan: WorkPlan) -> bool:
    return has_perm(actor, MANAGE_PERM) and unit_in_scope(actor, plan.unit)


@login_page(methods=SAFE)
def plan_list(request: HttpRequest) -> HttpResponse:
    rows = list(plans(actor=request.user)[: LIST_LIMIT + 1])
    context = {
        "rows": rows[:LIST_LIMIT],
        "more": len(rows) > LIST_LIMIT,
        "may_create": has_perm(request.user, MANAGE_PERM),
    }
    return render(request, "plans/list.html", context)


@login_page(methods=FORMS)
def plan_new(request: HttpRequest) -> HttpResponse:
    actor = request.user
    require_perm(actor, MANAGE_PERM)
    posting = request.method == "POST"
    on = today()
    form = PlanForm(
        actor,
        request.POST if posting else None,
        initial={"year": on.year, "starts_on": on.replace(month=1, day=1),
                 "ends_on": on.replace(month=12, day=31)},
    )  # fmt: skip
    status = 200
    if posting:
        status = 422
        if form.is_valid():
            d = form.cleaned_data
            unit = Unit.objects.filter(pk=d["unit"]).first()
            try:
                if unit is None:
                    raise NotFound(_("未找到该单位。"))
                made = plan_create(
                    actor=actor,
                    unit=unit,
                    title=d["title"],
                    year=d["year"],
                    source_document=d["source_document"],
                    starts_on=d["starts_on"],
                    ends_on=d["ends_on"],
                )
            except ValidationFailed as exc:
                put_errors(form, exc)
            except DomainError as exc:
                form.add_error("unit", exc.message)
            else:
                messages.success(request, _("工作方案已登记。"))
                return HttpResponseRedirect(reverse("plans:plan", args=[made.pk]))
    context = {"form": form, "heading": _("登记工作方案"), "plan": None}
    return render(request, "plans/form.html", context, status=status)


@login_page(methods=SAFE)
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    plan = plan_get(actor=actor, pk=pk)
    on = today()
    reports = list(plan.reports.all())
    lines = report_lines(plan, reports)
    context = {
        "plan": plan,
        "phases": list(plan.phases.all()),
        "tasks": list(plan.tasks.all()),
        "reports": [(r, describe(r.rule)) for r in reports],
        "lines": lines,
        "on": on,
        "may_manage": _may_manage(actor, plan),
    }
    return render(request, "plans/detail.html", context)


def _save(
    request: HttpRequest,
    form: forms.Form,
    plan: WorkPlan,
    heading: str,
    write: Callable[[dict[str, Any]], Any],
    done: str,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                write(form.cleaned_data)
            except ValidationFailed as exc:
                put_errors(form, exc)
            except Conflict as exc:
                form.add_error(None, exc.message)
                status = 409
            else:
                messages.success(request, done)
                return HttpResponseRedirect(reverse("plans:plan", args=[plan.pk]))
    context = {"form": form, "heading": heading, "plan": plan, **(extra or {})}
    return render(request, "plans/form.html", context, status=status)


def _people(actor: Any, picked: Any) -> Any:
    if picked is None:
        return None
    from django.contrib.auth import get_user_model

    allowed = {pk for pk, _label in responsible_choices(actor=actor)}
    return get_user_model().objects.filter(pk=picked).first() if picked in allowed else None


@login_page(methods=FORMS)
def plan_form(request: HttpRequest, pk: int, what: str) -> HttpResponse:
    """The forms that add to a plan: phase, task, report, 备案, 回执."""
    actor = request.user
    plan = plan_get(actor=actor, pk=pk)  # out of scope: 404
    require_unit(actor, MANAGE_PERM, plan.unit)  # may see, not change: 403
    data = request.POST if request.method == "POST" else None
    if what == "edit":
        form: forms.Form = PlanEditForm(
            data,
            initial={"title": plan.title, "source_document": plan.source_document,
                     "starts_on": plan.starts_on, "ends_on": plan.ends_on},
        )  # fmt: skip
        return _save(request, form, plan, _("修改工作方案"),
                     lambda d: plan_edit(actor=actor, plan=plan, **d), _("工作方案已修改。"))  # fmt: skip
    if what == "phase":
        form = PhaseForm(data)
        return _save(request, form, plan, _("增加方案阶段"),
                     lambda d: phase_add(actor=actor, plan=plan, **d), _("阶段已增加。"))  # fmt: skip
    if what == "task":
        phases = [(p.pk, p.name) for p in plan.phases.all()]
        people = responsible_choices(actor=actor)
        form = TaskForm(data, phases=phases, people=people)

        def add_task(d: dict[str, Any]) -> Any:
            phase = next((p for p in plan.phases.all() if p.pk == d["phase"]), None)
            return task_add(
                actor=actor, plan=plan, title=d["title"], office=d["office"],
                deadline=d["deadline"], phase=phase,
                responsible=_people(actor, d["responsible"]),
                source_article=d["source_article"],
            )  # fmt: skip

        return _save(request, form, plan, _("增加方案任务"), add_task, _("任务已增加。"))
    if what == "report":
        form = ReportForm(data, people=responsible_choices(actor=actor))

        def add_report(d: dict[str, Any]) -> Any:
            rule = DueRule(
                kind=d["rule_kind"],
                date=d["due_date"],
                month=d["rule_month"] or 0,
                day=d["rule_day"] or 0,
                next_working_day=d["next_working_day"],
            )
            return report_add(
                actor=actor, plan=plan, title=d["title"], recipient=d["recipient"],
                office=d["office"], rule=rule,
                responsible=_people(actor, d["responsible"]),
                source_article=d["source_article"],
            )  # fmt: skip

        return _save(request, form, plan, _("增加报送事项"), add_report, _("报送事项已增加。"))
    if what == "file":
        form = FileForm(data, initial={"filed_on": today()})
        return _save(request, form, plan, _("报送备案"),
                     lambda d: plan_file(actor=actor, plan=plan, **d), _("已登记报送备案。"))  # fmt: skip
    if what == "acknowledge":
        form = AcknowledgeForm(data, initial={"acknowledged_on": today()})
        return _save(request, form, plan, _("记录备案回执"),
                     lambda d: plan_acknowledge(actor=actor, plan=plan, **d),
                     _("已记录备案回执。"))  # fmt: skip
    raise NotFound(_("没有这个页面。"))


@login_page(methods=FORMS)
def plan_edit_task(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    task = task_get(actor=actor, pk=pk)
    require_unit(actor, MANAGE_PERM, task.plan.unit)
    form = ProgressForm(
        request.POST if request.method == "POST" else None,
        initial={"status": task.status, "progress": task.progress,
                 "done_on": task.done_on or today()},
    )  # fmt: skip
    return _save(
        request, form, task.plan, _("登记任务进展：%(t)s") % {"t": task.title},
        lambda d: task_update(actor=actor, task=task, **d), _("任务进展已登记。"),
    )  # fmt: skip


@login_page(methods=FORMS)
def plan_submit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    report = report_get(actor=actor, pk=pk)  # out of scope: 404
    require_unit(actor, MANAGE_PERM, report.plan.unit)  # before the body is read
    plan = report.plan
    lines = report_lines(plan, [report])
    periods = [
        (o.occurrence.period_start.isoformat(),
         f"{o.occurrence.label}（{o.occurrence.due:%Y.%m.%d} 前）")
        for o in lines if not o.done
    ]  # fmt: skip
    posting = request.method == "POST"
    form = SubmitForm(
        request.POST if posting else None,
        initial={"submitted_on": today(), "period_start": request.GET.get("period", "")},
        periods=periods,
    )
    files = request.FILES.getlist("attachments") if posting else []

    def submit(d: dict[str, Any]) -> Any:
        import datetime as dt

        return report_submit(
            actor=actor,
            report=report,
            period_start=dt.date.fromisoformat(d["period_start"]),
            submitted_on=d["submitted_on"],
            note=d["note"],
            files=files,
        )

    return _save(
        request, form, plan, _("登记报送：%(t)s") % {"t": report.title}, submit,
        _("报送已登记。"), extra={"files": True},
    )  # fmt: skip


@login_page(methods=SAFE)
def plan_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    plan = plan_get(actor=actor, pk=pk)
    data = plan_workbook(plan, list(plan.tasks.all()), report_lines(plan, list(plan.reports.all())))
    access_record(
        actor=actor,
        kind=AccessKind.EXPORT,
        subject=("plans.workplan", str(plan.pk)),
        label=plan.title,
        detail={"export": "work_plan", "format": "xlsx"},
    )
    return HttpResponse(
        data,
        content_type=XLSX_TYPE,
        headers={
            "Content-Disposition": content_disposition_header(True, f"{plan.title}.xlsx") or ""
        },
    )


@login_page(methods=SAFE)
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    from xuanren.procedure.services import attachment_path

    attachment = attachment_get(actor=request.user, pk=pk)
    return FileResponse(
        attachment_path(attachment.sha256).open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )


# ---- corrections (docs/decisions/0189) ----------------------------------------------


@login_page(methods=FORMS)
def phase_change(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    phase = phase_get(actor=actor, pk=pk)  # out of scope: 404
    require_unit(actor, MANAGE_PERM, phase.plan.unit)  # may see, not change: 403
    form = PhaseForm(
        request.POST if request.method == "POST" else None,
        initial={"name": phase.name, "starts_on": phase.starts_on, "ends_on": phase.ends_on},
    )
    return _save(
        request, form, phase.plan, _("修改方案阶段：%(n)s") % {"n": phase.name},
        lambda d: phase_edit(actor=actor, phase=phase, **d), _("阶段已修改。"),
    )  # fmt: skip


@login_page(methods=FORMS)
def task_change(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    task = task_get(actor=actor, pk=pk)
    require_unit(actor, MANAGE_PERM, task.plan.unit)
    plan = task.plan
    phases = list(plan.phases.all())
    form = TaskForm(
        request.POST if request.method == "POST" else None,
        phases=[(p.pk, p.name) for p in phases],
        people=responsible_choices(actor=actor),
        initial={"title": task.title, "phase": task.phase_id, "office": task.office,
                 "responsible": task.responsible_id, "deadline": task.deadline,
                 "source_article": task.source_article},
    )  # fmt: skip

    def edit(d: dict[str, Any]) -> Any:
        picked = _people(actor, d["responsible"])
        if d["responsible"] is not None and d["responsible"] == task.responsible_id:
            picked = task.responsible  # kept as it was, even from outside the choices
        return task_edit(
            actor=actor, task=task, title=d["title"], office=d["office"],
            deadline=d["deadline"], phase=next((p for p in phases if p.pk == d["phase"]), None),
            responsible=picked, source_article=d["source_article"],
        )  # fmt: skip

    return _save(request, form, plan, _("修改方案任务：%(t)s") % {"t": task.title}, edit,
                 _("任务已修改。"))  # fmt: skip


@login_page(methods=FORMS)
def task_remove(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    task = task_get(actor=actor, pk=pk)
    require_unit(actor, MANAGE_PERM, task.plan.unit)
    return _save(
        request, forms.Form(request.POST if request.method == "POST" else None), task.plan,
        _("撤回方案任务：%(t)s") % {"t": task.title},
        lambda d: task_withdraw(actor=actor, task=task), _("任务已撤回。"),
        extra={"confirm": _("撤回后该任务从方案中删除（记入操作日志）；已登记进展的任务不能撤回。")},
    )  # fmt: skip


@login_page(methods=FORMS)
def report_change(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    report = report_get(actor=actor, pk=pk)
    require_unit(actor, MANAGE_PERM, report.plan.unit)
    form = ReportForm(
        request.POST if request.method == "POST" else None,
        people=responsible_choices(actor=actor),
        initial={"title": report.title, "recipient": report.recipient, "office": report.office,
                 "responsible": report.responsible_id, "rule_kind": report.rule_kind,
                 "due_date": report.due_date, "rule_month": report.rule_month or None,
                 "rule_day": report.rule_day or None,
                 "next_working_day": report.next_working_day,
                 "source_article": report.source_article},
    )  # fmt: skip

    def edit(d: dict[str, Any]) -> Any:
        rule = DueRule(kind=d["rule_kind"], date=d["due_date"], month=d["rule_month"] or 0,
                       day=d["rule_day"] or 0, next_working_day=d["next_working_day"])  # fmt: skip
        picked = _people(actor, d["responsible"])
        if d["responsible"] is not None and d["responsible"] == report.responsible_id:
            picked = report.responsible
        return report_edit(
            actor=actor, report=report, title=d["title"], recipient=d["recipient"],
            office=d["office"], rule=rule, responsible=picked,
            source_article=d["source_article"],
        )  # fmt: skip

    return _save(request, form, report.plan, _("修改报送事项：%(t)s") % {"t": report.title},
                 edit, _("报送事项已修改。"))  # fmt: skip


@login_page(methods=FORMS)
def report_remove(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    report = report_get(actor=actor, pk=pk)
    require_unit(actor, MANAGE_PERM, report.plan.unit)
    return _save(
        request, forms.Form(request.POST if request.method == "POST" else None), report.plan,
        _("撤回报送事项：%(t)s") % {"t": report.title},
        lambda d: report_withdraw(actor=actor, report=report), _("报送事项已撤回。"),
        extra={"confirm": _("撤回后该报送事项从方案中删除（记入操作日志）；已有期间登记报送的不能撤回。")},
    )  # fmt: skip
