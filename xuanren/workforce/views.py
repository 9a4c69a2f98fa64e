"""Pages of the over-quota digestion plans and the 凡进必考 records
(docs/decisions/0179–0182). Out of scope 404, may read but not change 403;
every check is the services'."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuanren.access.models import AccessKind
from xuanren.access.policy import has_perm, require_perm, require_unit, unit_in_scope
from xuanren.access.records import access_record
from xuanren.common.dates import today
from xuanren.common.errors import Conflict, NotFound, ValidationFailed
from xuanren.common.widgets import date_input
from xuanren.org.models import Level, Unit
from xuanren.org.selectors import active_tenure_q
from xuanren.people.models import Cadre, Tenure
from xuanren.people.selectors import cadre_get
from xuanren.supervision.forms import put_errors
from xuanren.web.exports import XLSX_TYPE
from xuanren.web.pages import FORMS, SAFE, login_page
from xuanren.web.pickers import UnitPicker
from xuanren.workforce.export import cleanup_workbook, plan_workbook
from xuanren.workforce.forms import CleanupForm, EntryForm, ItemForm
from xuanren.workforce.models import CleanupOutcome, DigestionPlan
from xuanren.workforce.selectors import (
    CLEANUP_VIEW,
    LIST_LIMIT,
    cleanup_cases,
    cleanup_counts,
    cleanup_of,
    corrections_of,
    entry_counts,
    entry_of,
    overquota_figures,
    plan_get,
    plan_view,
    plans,
)
from xuanren.workforce.services import (
    ENTRY_PERM,
    PLAN_PERM,
    cleanup_record,
    digestion_item_add,
    digestion_item_remove,
    digestion_plan_create,
    entry_set,
)


# The plan form uses the web layer's unit picker, so it lives with the pages.
class PlanForm(forms.Form):
    # The picker searches the scope; the service checks the unit chosen.
    unit = forms.IntegerField(label=gettext_lazy("单位"), min_value=1, widget=UnitPicker)
    level = forms.ChoiceField(label=gettext_lazy("职务层次"), choices=Level.choices)
    baseline_on = forms.DateField(
        label=gettext_lazy("基准日期"),
        widget=date_input(),
        help_text=gettext_lazy("超职数按该日的任职记录计算。"),
    )
    target_on = forms.DateField(label=gettext_lazy("计划消化完毕日期"), widget=date_input())
    document = forms.CharField(label=gettext_lazy("方案文号"), max_length=80, required=False)
    note = forms.CharField(
        label=gettext_lazy("说明"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, actor: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        widget = self.fields["unit"].widget
        assert isinstance(widget, UnitPicker)
        widget.actor = actor


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": content_disposition_header(True, name) or ""}


def _since(request: HttpRequest, rows: list[DigestionPlan]) -> dt.date:
    """The figures' first day: ?since=, else the earliest plan's baseline,
    else the first day of this year."""
    raw = request.GET.get("since", "")
    try:
        return min(dt.date.fromisoformat(raw), today())
    except ValueError:
        pass
    if rows:
        return min(p.baseline_on for p in rows)
    return dt.date(today().year, 1, 1)


@login_page(methods=FORMS)
def plan_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    rows = list(plans(actor=actor)[: LIST_LIMIT + 1])
    may_manage = has_perm(actor, PLAN_PERM)
    if request.method == "POST":
        require_perm(actor, PLAN_PERM)
    form = PlanForm(actor, request.POST or None) if may_manage else None
    status = 200
    if request.method == "POST":
        assert form is not None
        status = 422
        if form.is_valid():
            d = form.cleaned_data
            unit = Unit.objects.filter(pk=d["unit"]).first()
            try:
                if unit is None or not unit_in_scope(actor, unit):
                    raise ValidationFailed(_("请选择您管理范围内的单位。"))
                made = digestion_plan_create(
                    actor=actor,
                    unit=unit,
                    level=d["level"],
                    baseline_on=d["baseline_on"],
                    target_on=d["target_on"],
                    document=d["document"],
                    note=d["note"],
                )
            except ValidationFailed as exc:
                put_errors(form, exc)
            except Conflict as exc:
                form.add_error(None, exc.message)
                status = 409
            else:
                messages.success(request, _("超职数消化计划已登记，请列出消化人员。"))
                return redirect("workforce:plan", pk=made.pk)
    elif form is not None:
        form.initial = {"baseline_on": today()}
    since = _since(request, rows)
    figures = (
        overquota_figures(actor=actor, since=since) if has_perm(actor, "org.view_quota") else None
    )
    context = {
        "rows": rows[:LIST_LIMIT],
        "more": len(rows) > LIST_LIMIT,
        "form": form,
        "figures": figures,
        "figure_lines": figures.lines() if figures else [],
    }
    return render(request, "workforce/plan_list.html", context, status=status)


def _candidates(plan: DigestionPlan) -> list[tuple[int, str]]:
    """Cadres holding a post of the plan's unit and level on its baseline day
    and not yet on the plan (the item form's choices; one query)."""
    taken = plan.items.values("cadre_id")
    found = (
        Tenure.objects.filter(
            active_tenure_q(plan.baseline_on),
            post__unit_id=plan.unit_id,
            post__level=plan.level,
            post__counts_against_quota=True,
        )
        .exclude(cadre_id__in=taken)
        .select_related("cadre", "post")
        .order_by("cadre__name", "pk")
    )
    seen: dict[int, str] = {}
    for t in found:
        seen.setdefault(t.cadre_id, f"{t.cadre.name}（{t.post.title}，{t.start_date:%Y.%m.%d} 起）")
    return list(seen.items())


@login_page(methods=FORMS)
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    plan = plan_get(actor=actor, pk=pk)  # out of scope: 404
    may_manage = has_perm(actor, PLAN_PERM) and unit_in_scope(actor, plan.unit)
    posting = request.method == "POST"
    if posting:
        require_unit(actor, PLAN_PERM, plan.unit)  # may see, not change: 403
    form = None
    status = 200
    if may_manage:
        form = ItemForm(_candidates(plan), request.POST if posting else None)
    if posting and request.POST.get("action") == "remove":
        raw = request.POST.get("item", "")
        item = plan.items.filter(pk=int(raw)).first() if raw.isdigit() and len(raw) < 10 else None
        if item is None:
            raise NotFound(_("该消化人员已不在本计划中，请刷新页面。"))
        digestion_item_remove(actor=actor, item=item)
        messages.success(request, _("已移出消化人员。"))
        return redirect("workforce:plan", pk=plan.pk)
    if posting:
        assert form is not None
        status = 422
        if form.is_valid():
            d = form.cleaned_data
            cadre = Cadre.objects.filter(pk=d["cadre"]).first()
            try:
                if cadre is None:
                    raise ValidationFailed(_("请选择超职数干部。"))
                digestion_item_add(
                    actor=actor,
                    plan=plan,
                    cadre=cadre,
                    means=d["means"],
                    expected_on=d["expected_on"],
                    note=d["note"],
                )
            except ValidationFailed as exc:
                put_errors(form, exc)
            except Conflict as exc:
                form.add_error(None, exc.message)
                status = 409
            else:
                messages.success(request, _("已列入消化人员。"))
                return redirect("workforce:plan", pk=plan.pk)
    view = plan_view(plan=plan)
    context = {
        "view": view,
        "plan": plan,
        "form": form,
        "may_manage": may_manage,
        "chart": view.chart,
        "on": today(),
    }
    return render(request, "workforce/plan_detail.html", context, status=status)


@login_page(methods=SAFE)
def plan_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    plan = plan_get(actor=actor, pk=pk)
    data = plan_workbook(plan_view(plan=plan))
    access_record(
        actor=actor,
        kind=AccessKind.EXPORT,
        subject=("workforce.digestionplan", str(plan.pk)),
        label=str(plan),
        detail={"export": "digestion_plan", "format": "xlsx"},
    )
    return HttpResponse(data, content_type=XLSX_TYPE, headers=_attachment(f"{plan}.xlsx"))


@login_page(methods=SAFE)
def entry_register(request: HttpRequest) -> HttpResponse:
    actor = request.user
    outcome = request.GET.get("outcome", "")
    if outcome not in CleanupOutcome.values:
        outcome = ""
    cases = list(cleanup_cases(actor=actor, outcome=outcome)[: LIST_LIMIT + 1])
    context = {
        "counts": cleanup_counts(actor=actor).lines(),
        "methods": entry_counts(actor=actor)
        if has_perm(actor, "workforce.view_entryrecord")
        else [],
        "cases": cases[:LIST_LIMIT],
        "more": len(cases) > LIST_LIMIT,
        "outcome": outcome,
        "outcomes": CleanupOutcome.choices,
    }
    return render(request, "workforce/entry_register.html", context)


@login_page(methods=SAFE)
def entry_xlsx(request: HttpRequest) -> HttpResponse:
    actor = request.user
    data = cleanup_workbook(cleanup_counts(actor=actor), list(cleanup_cases(actor=actor)))
    access_record(
        actor=actor,
        kind=AccessKind.EXPORT,
        subject=("workforce.cleanupcase", "register"),
        label=_("凡进必考清理登记"),
        detail={"export": "cleanup_register", "format": "xlsx"},
    )
    return HttpResponse(
        data, content_type=XLSX_TYPE, headers=_attachment(_("凡进必考清理登记.xlsx"))
    )


@login_page(methods=FORMS)
def cadre_entry(request: HttpRequest, cadre: int) -> HttpResponse:
    actor = request.user
    require_perm(actor, "workforce.view_entryrecord")
    person = cadre_get(actor=actor, pk=cadre)  # out of scope: 404
    posting = request.method == "POST"
    if posting:
        require_unit(actor, ENTRY_PERM, person.unit)  # may see, not change: 403
    may_manage = has_perm(actor, ENTRY_PERM) and unit_in_scope(actor, person.unit)
    record = entry_of(actor=actor, cadre=person)
    case = cleanup_of(actor=actor, cadre=person)
    action = request.POST.get("action", "") if posting else ""
    entry_form = cleanup_form = None
    if may_manage:
        entry_initial: dict[str, Any] = {}
        if record is not None:
            entry_initial = {
                "method": record.method,
                "entered_on": record.entered_on,
                "document": record.document,
                "note": record.note,
            }
        elif person.work_start_date:
            entry_initial = {"entered_on": person.work_start_date}
        cleanup_initial: dict[str, Any] = {}
        if case is not None:
            cleanup_initial = {
                "outcome": case.outcome,
                "reason": case.reason,
                "decided_on": case.decided_on,
                "document": case.document,
            }
        entry_form = EntryForm(request.POST if action == "entry" else None, initial=entry_initial)
        cleanup_form = CleanupForm(
            request.POST if action == "cleanup" else None, initial=cleanup_initial
        )
    status = 200
    if posting:
        status = 422
        try:
            if action == "entry" and entry_form is not None and entry_form.is_valid():
                d = entry_form.cleaned_data
                entry_set(actor=actor, cadre=person, method=d["method"],
                          entered_on=d["entered_on"], document=d["document"], note=d["note"],
                          correction_reason=d["correction_reason"])  # fmt: skip
                messages.success(request, _("进人方式已登记。"))
                return redirect("workforce:cadre_entry", cadre=person.pk)
            if action == "cleanup" and cleanup_form is not None and cleanup_form.is_valid():
                d = cleanup_form.cleaned_data
                cleanup_record(actor=actor, cadre=person, outcome=d["outcome"], reason=d["reason"],
                               decided_on=d["decided_on"], document=d["document"],
                               correction_reason=d["correction_reason"])  # fmt: skip
                messages.success(request, _("清理登记已保存。"))
                return redirect("workforce:cadre_entry", cadre=person.pk)
        except ValidationFailed as exc:
            target = entry_form if action == "entry" else cleanup_form
            assert target is not None
            put_errors(target, exc)
    context = {
        "cadre": person,
        "record": record,
        "case": case,
        "entry_form": entry_form,
        "cleanup_form": cleanup_form,
        "may_read_cleanup": has_perm(actor, CLEANUP_VIEW),
        "corrections": corrections_of(actor=actor, cadre=person),
    }
    return render(request, "workforce/cadre_entry.html", context, status=status)
