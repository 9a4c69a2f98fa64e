"""回头看 pages: the runs (with the form that starts one), a run's findings
grouped by kind, and a rectification task with its assign and close forms.
The forms only parse; the services check (docs/decisions/0124–0126)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuanren.access.names import display_name
from xuanren.access.policy import has_perm, require_perm, unit_in_scope
from xuanren.access.selectors import user_get, users_covering
from xuanren.common.dates import today
from xuanren.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from xuanren.common.widgets import LongSelect, date_input
from xuanren.org.models import Level
from xuanren.org.selectors import unit_get
from xuanren.supervision.forms import put_errors
from xuanren.supervision.lookback_report import lookback_report
from xuanren.supervision.lookback_selectors import (
    RUN_LOOKBACK,
    VIEW_RUNS,
    lookback_run_get,
    lookback_runs,
    rectification_get,
    run_findings,
)
from xuanren.supervision.lookback_services import (
    lookback_acknowledge,
    lookback_file,
    lookback_run_create,
    rectification_assign,
    rectification_close,
)
from xuanren.supervision.models import RectificationTask
from xuanren.web.forms import unit_choices
from xuanren.web.pages import login_page
from xuanren.web.pickers import UnitField, scope_units

office = login_page(methods=["GET", "HEAD", "POST"])


class RunForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("名称"), max_length=100)
    unit = forms.TypedChoiceField(
        label=gettext_lazy("单位（含下级）"), coerce=int, widget=LongSelect
    )
    start = forms.DateField(label=gettext_lazy("任职决定日期自"), widget=date_input())
    end = forms.DateField(label=gettext_lazy("至"), widget=date_input())
    levels = forms.MultipleChoiceField(
        label=gettext_lazy("职务层次（不选为全部）"),
        required=False,
        choices=Level.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, actor: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = scope_units(actor)
        if units is None:  # too many for a <select>: the picker (decision 0109)
            self.fields["unit"] = UnitField(
                actor=actor, label=gettext_lazy("单位（含下级）"), required=True
            )
            return
        field = self.fields["unit"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = unit_choices(units, blank=_("请选择"))

    @property
    def unit_picker(self) -> bool:
        return not isinstance(self.fields["unit"].widget, forms.Select)


class AssignForm(forms.Form):
    responsible = forms.TypedChoiceField(label=gettext_lazy("整改责任人"), coerce=int)
    deadline = forms.DateField(label=gettext_lazy("整改期限"), widget=date_input())

    def __init__(self, task: RectificationTask, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        users = users_covering(unit=task.finding.run.unit)
        field = self.fields["responsible"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("请选择"))] + [(str(u.pk), display_name(u)) for u in users]


class FileForm(forms.Form):
    filed_to = forms.CharField(label=gettext_lazy("报送备案机关"), max_length=100)
    filed_on = forms.DateField(label=gettext_lazy("报送日期"), widget=date_input())
    document = forms.CharField(label=gettext_lazy("报送文号"), max_length=100, required=False)
    report = forms.FileField(label=gettext_lazy("报送的报告文件"))


class AcknowledgeForm(forms.Form):
    acknowledged_on = forms.DateField(label=gettext_lazy("备案回执日期"), widget=date_input())
    acknowledgement = forms.CharField(label=gettext_lazy("备案回执"), max_length=200)


class CloseForm(forms.Form):
    outcome = forms.CharField(
        label=gettext_lazy("整改结果"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )


@office
def lookback_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    runs = list(lookback_runs(actor=actor)[:200])
    may_run = has_perm(actor, RUN_LOOKBACK)
    form = RunForm(actor, request.POST or None) if may_run else None
    status = 200
    if request.method == "POST":
        require_perm(actor, RUN_LOOKBACK)
        assert form is not None
        if form.is_valid():
            data = form.cleaned_data
            try:
                run = lookback_run_create(
                    actor=actor,
                    name=data["name"],
                    unit=unit_get(actor=actor, pk=data["unit"]),
                    start=data["start"],
                    end=data["end"],
                    levels=data["levels"],
                )
            except ValidationFailed as exc:
                put_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("回头看已完成：检查任职 %(n)d 人次，发现问题 %(f)d 个。")
                    % {"n": run.appointments, "f": run.findings.count()},
                )
                return redirect("supervision:lookback", pk=run.pk)
        status = 422
    elif form is not None:
        form.initial = {"start": today().replace(month=1, day=1), "end": today()}
    return render(
        request,
        "supervision/lookback_list.html",
        {"runs": runs, "form": form},
        status=status,
    )


MAX_REPORT_BYTES = 20 * 1024 * 1024


@office
def lookback_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The run's findings by kind; for the officer, 备案 (file the report,
    then record the acknowledgement)."""
    actor = request.user
    run = lookback_run_get(actor=actor, pk=pk)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    file_form = FileForm(
        request.POST if action == "file" else None, request.FILES if action == "file" else None
    )
    ack_form = AcknowledgeForm(request.POST if action == "acknowledge" else None)
    status = 200
    if action:
        require_perm(actor, RUN_LOOKBACK)
        try:
            if action == "file" and file_form.is_valid():
                upload = file_form.cleaned_data["report"]
                if upload.size > MAX_REPORT_BYTES:
                    raise ValidationFailed(_("报告文件不能超过 20 MB。"))
                d = file_form.cleaned_data
                lookback_file(
                    actor=actor,
                    run=run,
                    filed_to=d["filed_to"],
                    filed_on=d["filed_on"],
                    document=d["document"],
                    report=upload.read(),
                )
                messages.success(request, _("已记录报送备案。"))
                return redirect("supervision:lookback", pk=run.pk)
            if action == "acknowledge" and ack_form.is_valid():
                d = ack_form.cleaned_data
                lookback_acknowledge(
                    actor=actor,
                    run=run,
                    acknowledged_on=d["acknowledged_on"],
                    acknowledgement=d["acknowledgement"],
                )
                messages.success(request, _("已记录备案回执。"))
                return redirect("supervision:lookback", pk=run.pk)
            if action not in ("file", "acknowledge"):
                raise PermissionDenied(_("无效的操作。"))
        except ValidationFailed as exc:
            put_errors(file_form if action == "file" else ack_form, exc)
        except Conflict as exc:
            messages.error(request, exc.message)
        status = 422
    groups = run_findings(actor=actor, run=run)
    levels = dict(Level.choices)
    may_run = has_perm(actor, RUN_LOOKBACK)
    return render(
        request,
        "supervision/lookback_detail.html",
        {
            "run": run,
            "groups": groups,
            "levels": [str(levels.get(c, c)) for c in run.levels],
            "may_file": may_run and run.filed_on is None,
            "may_acknowledge": may_run and run.filed_on is not None and not run.acknowledged_on,
            "file_form": file_form,
            "ack_form": ack_form,
        },
        status=status,
    )


@office
def rectification_page(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    task = rectification_get(actor=actor, pk=pk)
    unit = task.finding.run.unit
    open_ = task.closed_at is None
    may_assign = open_ and has_perm(actor, RUN_LOOKBACK) and unit_in_scope(actor, unit)
    may_close = open_ and (may_assign or task.responsible_id == actor.pk)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    assign = AssignForm(task, request.POST if action == "assign" else None)
    if task.responsible_id and not assign.is_bound:
        assign.initial = {"responsible": task.responsible_id, "deadline": task.deadline}
    close = CloseForm(request.POST if action == "close" else None)
    status = 200
    if action:
        try:
            if action == "assign" and assign.is_valid():
                rectification_assign(
                    actor=actor,
                    task=task,
                    responsible=user_get(pk=assign.cleaned_data["responsible"]),
                    deadline=assign.cleaned_data["deadline"],
                )
                messages.success(request, _("整改任务已分派。"))
                return redirect("supervision:rectification", pk=task.pk)
            if action == "close" and close.is_valid():
                rectification_close(actor=actor, task=task, outcome=close.cleaned_data["outcome"])
                messages.success(request, _("整改任务已办结。"))
                return redirect("supervision:rectification", pk=task.pk)
            if action not in ("assign", "close"):
                raise PermissionDenied(_("无效的操作。"))
        except ValidationFailed as exc:
            put_errors(assign if action == "assign" else close, exc)
        except Conflict as exc:
            messages.error(request, exc.message)
        status = 422
    return render(
        request,
        "supervision/rectification.html",
        {
            "task": task,
            "finding": task.finding,
            "assign": assign,
            "close": close,
            "may_assign": may_assign,
            "may_close": may_close,
            "may_view_run": has_perm(actor, VIEW_RUNS) and unit_in_scope(actor, unit),
        },
        status=status,
    )


REPORT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


@office
def lookback_report_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in REPORT_TYPES:
        raise NotFound(_("没有这种格式的报告。"))
    run, data = lookback_report(actor=request.user, pk=pk, fmt=fmt)
    response = HttpResponse(data, content_type=REPORT_TYPES[fmt])
    name = quote(f"{run.name}.{fmt}")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response
