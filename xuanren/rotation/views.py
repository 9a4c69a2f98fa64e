"""Pages of rotation and exchange (docs/decisions/0175–0178): the alert list
with its filters and XLSX, the rotation plans with their progress, and the
exchange form from the cadre page. Out of scope 404, may see but not change
403; every check is the services'."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from xuanren.access.models import AccessKind
from xuanren.access.policy import has_perm, require_unit, unit_in_scope
from xuanren.access.records import access_record
from xuanren.common.dates import today
from xuanren.common.errors import Conflict, NotFound, ValidationFailed
from xuanren.org.models import Post, Unit
from xuanren.org.selectors import post_list, unit_get
from xuanren.people.models import TemporaryPosting
from xuanren.people.selectors import cadre_get
from xuanren.rotation.rules import pack, window_months
from xuanren.rotation.selectors import (
    LIST_LIMIT,
    alerts,
    entry_get,
    exchange_get,
    plan_entries,
    plan_get,
    plan_progress,
    plans,
    progress_of,
)
from xuanren.rotation.services import (
    EXCHANGE_PERM,
    PLAN_ADD_PERM,
    PLAN_CHANGE_PERM,
    exchange_record_add,
    exchange_record_correct,
    exchange_record_withdraw,
    rotation_plan_add,
    rotation_plan_create,
    rotation_plan_entry_edit,
    rotation_plan_entry_remove,
    rotation_plan_entry_set,
)
from xuanren.rotation.views_forms import (
    AlertFilterForm,
    EntryForm,
    EntryStatusForm,
    EntryTargetForm,
    ExchangeCorrectForm,
    ExchangeForm,
    PlanForm,
    ReasonForm,
)
from xuanren.rotation.views_xlsx import alerts_xlsx
from xuanren.supervision.forms import put_errors
from xuanren.web.pages import FORMS, SAFE, login_page


def _filters(request: HttpRequest) -> tuple[AlertFilterForm, str, str, Unit | None]:
    form = AlertFilterForm(request.GET or None, actor=request.user)
    kind = only = ""
    unit = None
    if form.is_valid():
        kind = form.cleaned_data["kind"] or ""
        only = form.cleaned_data["only"] or ""
        if form.cleaned_data.get("unit"):
            unit = unit_get(actor=request.user, pk=form.cleaned_data["unit"])
    return form, kind, only, unit


@login_page(methods=SAFE)
def alert_list(request: HttpRequest) -> HttpResponse:
    form, kind, only, unit = _filters(request)
    rows = alerts(actor=request.user, kind=kind, only=only, unit=unit, limit=LIST_LIMIT + 1)
    context = {
        "form": form,
        "rows": rows[:LIST_LIMIT],
        "more": len(rows) > LIST_LIMIT,
        "rules": pack().rules,
        "window": window_months(),
        "query": request.GET.urlencode(),
    }
    return render(request, "rotation/alerts.html", context)


@login_page(methods=SAFE)
def alert_xlsx(request: HttpRequest) -> HttpResponse:
    _form, kind, only, unit = _filters(request)
    rows = alerts(actor=request.user, kind=kind, only=only, unit=unit, limit=LIST_LIMIT)
    access_record(
        actor=request.user,
        kind=AccessKind.EXPORT,
        subject=("rotation.alerts", str(unit.pk) if unit else "all"),
        label=_("轮岗交流提示"),
        detail={"export": "rotation_alerts", "format": "xlsx", "kind": kind, "only": only},
    )
    return alerts_xlsx(rows, f"{_('轮岗交流提示')}-{today():%Y%m%d}.xlsx")


@login_page(methods=FORMS)
def plan_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    may_add = has_perm(actor, PLAN_ADD_PERM)
    posting = request.method == "POST"
    form = PlanForm(request.POST if posting else None, actor=actor, initial={"year": today().year})
    status = 200
    if posting:
        status = 422
        if form.is_valid():
            d = form.cleaned_data
            unit = unit_get(actor=actor, pk=d["unit"])
            try:
                made = rotation_plan_create(
                    actor=actor, unit=unit, title=d["title"], year=d["year"], note=d["note"]
                )
            except ValidationFailed as exc:
                put_errors(form, exc)
            else:
                messages.success(request, _("轮岗计划已建立，请列入轮岗干部。"))
                return HttpResponseRedirect(reverse("rotation:plan", args=[made.pk]))
    rows = [{"plan": p, "progress": plan_progress(p)} for p in plans(actor=actor)[:LIST_LIMIT]]
    context = {"rows": rows, "form": form if (may_add or posting) else None}
    return render(request, "rotation/plans.html", context, status=status)


def _target(actor: Any, request: HttpRequest) -> Post | None:
    """The post the picker chose: an active post of the actor's scope, or
    None (the service then asks for one or a named destination)."""
    raw = request.POST.get("target_post", "") if request.method == "POST" else ""
    if not raw.isdigit():
        return None
    return post_list(actor=actor).filter(pk=int(raw), is_active=True).first()


@login_page(methods=FORMS)
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    plan = plan_get(actor=actor, pk=pk)  # out of scope: 404
    posting = request.method == "POST"
    if posting:
        require_unit(actor, PLAN_CHANGE_PERM, plan.unit)  # may see, not change: 403
    may_change = has_perm(actor, PLAN_CHANGE_PERM) and unit_in_scope(actor, plan.unit)
    action = request.POST.get("action", "") if posting else ""
    target = _target(actor, request) if action == "add" else None
    entry_form = EntryForm(request.POST if action == "add" else None, actor=actor, target=target)
    status_form = EntryStatusForm(request.POST if action == "status" else None)
    status = 200
    entries = plan_entries(plan=plan)
    if action == "add":
        status = 422
        if entry_form.is_valid():
            d = entry_form.cleaned_data
            try:
                if d["target_post"] and target is None:
                    raise NotFound(_("所选职位不在您的管理范围内，请重新查找选择。"))
                rotation_plan_add(
                    actor=actor,
                    plan=plan,
                    cadre=cadre_get(actor=actor, pk=d["cadre"]),
                    target_post=target,
                    target_name=d["target_name"],
                    note=d["note"],
                )
            except ValidationFailed as exc:
                put_errors(entry_form, exc)
            except NotFound as exc:
                entry_form.add_error("target_post", exc.message)
            except Conflict as exc:
                entry_form.add_error(None, exc.message)
                status = 409
            else:
                messages.success(request, _("已列入轮岗计划。"))
                return HttpResponseRedirect(reverse("rotation:plan", args=[plan.pk]))
    elif action == "status":
        status = 422
        if status_form.is_valid():
            d = status_form.cleaned_data
            entry = next((e for e in entries if e.pk == d["entry"]), None)
            if entry is None:
                raise NotFound(_("该人员不在这个轮岗计划中。"))
            exchange = (
                entry.cadre.exchange_records.filter(date__lte=d["done_on"])
                .order_by("-date", "-pk")
                .first()
                if d["done_on"]
                else None
            )
            try:
                rotation_plan_entry_set(
                    actor=actor,
                    entry=entry,
                    status=d["status"],
                    done_on=d["done_on"],
                    exchange=exchange,
                )
            except ValidationFailed as exc:
                put_errors(status_form, exc)
            else:
                messages.success(request, _("轮岗情况已登记。"))
                return HttpResponseRedirect(reverse("rotation:plan", args=[plan.pk]))
    elif posting:
        status = 400
    context = {
        "plan": plan,
        "entries": entries,
        "progress": progress_of(entries),
        "may_change": may_change,
        "entry_form": entry_form,
        "status_form": status_form,
        "on": today(),
    }
    return render(request, "rotation/plan.html", context, status=status)


@login_page(methods=FORMS)
def exchange_new(request: HttpRequest, cadre: int) -> HttpResponse:
    actor = request.user
    person = cadre_get(actor=actor, pk=cadre)  # out of scope: 404
    require_unit(actor, EXCHANGE_PERM, person.unit)  # may see, not record: 403
    seen: dict[int, Post] = {}
    for t in person.tenures.all():
        seen.setdefault(t.post_id, t.post)
    posts = list(seen.values())
    postings = list(TemporaryPosting.objects.filter(cadre=person).select_related("host_unit"))
    posting_form = request.method == "POST"
    form = ExchangeForm(
        request.POST if posting_form else None,
        initial={"date": today()},
        posts=posts,
        postings=postings,
    )
    status = 200
    if posting_form:
        status = 422
        if form.is_valid():
            d = form.cleaned_data
            try:
                exchange_record_add(
                    actor=actor, cadre=person, **_exchange_fields(d, seen, postings)
                )
            except ValidationFailed as exc:
                put_errors(form, exc)
            else:
                messages.success(request, _("交流记录已登记。"))
                return _back(person.pk)
    context = {"cadre": person, "form": form}
    return render(request, "rotation/exchange_new.html", context, status=status)


# ---- corrections (docs/decisions/0190) ----------------------------------------------


def _exchange_fields(
    d: dict[str, Any], seen: dict[int, Post], postings: list[TemporaryPosting]
) -> dict[str, Any]:
    """An exchange form's cleaned data as the services' keywords (the same
    for recording and for correcting a record): the posts and the posting
    chosen among the cadre's own."""
    return {
        "kind": d["kind"],
        "date": d["date"],
        "from_post": seen.get(d["from_post"]) if d["from_post"] else None,
        "from_name": d["from_name"],
        "to_post": seen.get(d["to_post"]) if d["to_post"] else None,
        "to_name": d["to_name"],
        "document": d["document"],
        "posting": next((p for p in postings if p.pk == d["posting"]), None),
        "note": d["note"],
    }


def _cadre_posts(person: Any) -> dict[int, Post]:
    seen: dict[int, Post] = {}
    for t in person.tenures.select_related("post__unit"):
        seen.setdefault(t.post_id, t.post)
    return seen


def _back(cadre_pk: int) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("web:cadre_detail", args=[cadre_pk]) + "#rotation")


@login_page(methods=FORMS)
def exchange_correct(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    record = exchange_get(actor=actor, pk=pk)  # out of scope: 404
    person = record.cadre
    require_unit(actor, EXCHANGE_PERM, person.unit)  # may see, not correct: 403
    seen = _cadre_posts(person)
    for post in (record.from_post, record.to_post):
        if post is not None:
            seen.setdefault(post.pk, post)
    postings = list(TemporaryPosting.objects.filter(cadre=person).select_related("host_unit"))
    posting = request.method == "POST"
    form = ExchangeCorrectForm(
        request.POST if posting else None,
        initial={"kind": record.kind, "date": record.date, "from_post": record.from_post_id,
                 "from_name": record.from_name, "to_post": record.to_post_id,
                 "to_name": record.to_name, "document": record.document,
                 "posting": record.posting_id, "note": record.note},
        posts=list(seen.values()),
        postings=postings,
    )  # fmt: skip
    status = 200
    if posting:
        status = 422
        if form.is_valid():
            d = form.cleaned_data
            try:
                exchange_record_correct(
                    actor=actor,
                    record=record,
                    reason=d["reason"],
                    **_exchange_fields(d, seen, postings),
                )
            except ValidationFailed as exc:
                put_errors(form, exc)
            except Conflict as exc:
                form.add_error(None, exc.message)
                status = 409
            else:
                messages.success(request, _("交流记录已更正。"))
                return _back(person.pk)
    context = {"cadre": person, "form": form, "heading": _("更正交流记录"), "record": record}
    return render(request, "rotation/exchange_change.html", context, status=status)


@login_page(methods=FORMS)
def exchange_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    record = exchange_get(actor=actor, pk=pk)
    person = record.cadre
    require_unit(actor, EXCHANGE_PERM, person.unit)
    posting = request.method == "POST"
    form = ReasonForm(request.POST if posting else None)
    status = 200
    if posting:
        status = 422
        if form.is_valid():
            try:
                exchange_record_withdraw(
                    actor=actor, record=record, reason=form.cleaned_data["reason"]
                )
            except ValidationFailed as exc:
                put_errors(form, exc)
            except Conflict as exc:
                form.add_error(None, exc.message)
                status = 409
            else:
                messages.success(request, _("交流记录已撤回。"))
                return _back(person.pk)
    context = {"cadre": person, "form": form, "heading": _("撤回交流记录"), "record": record,
               "withdraw": True}  # fmt: skip
    return render(request, "rotation/exchange_change.html", context, status=status)


@login_page(methods=FORMS)
def entry_change(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit (action=edit) or remove (action=remove) a cadre listed on a plan,
    while still planned."""
    actor = request.user
    entry = entry_get(actor=actor, pk=pk)  # out of scope: 404
    require_unit(actor, PLAN_CHANGE_PERM, entry.plan.unit)  # may see, not change: 403
    posting = request.method == "POST"
    action = request.POST.get("action", "edit") if posting else ""
    target = _target(actor, request) if action == "edit" else entry.target_post
    form = EntryTargetForm(
        request.POST if action == "edit" else None,
        target=target,
        initial={"target_post": entry.target_post_id, "target_name": entry.target_name,
                 "note": entry.note},
    )  # fmt: skip
    status = 200
    back = HttpResponseRedirect(reverse("rotation:plan", args=[entry.plan_id]))
    if action == "remove":
        try:
            rotation_plan_entry_remove(actor=actor, entry=entry)
        except Conflict as exc:
            form.add_error(None, exc.message)
            status = 409
        else:
            messages.success(request, _("已移出轮岗计划。"))
            return back
    elif action == "edit":
        status = 422
        if form.is_valid():
            d = form.cleaned_data
            try:
                if d["target_post"] and target is None:
                    raise NotFound(_("所选职位不在您的管理范围内，请重新查找选择。"))
                rotation_plan_entry_edit(actor=actor, entry=entry, target_post=target,
                                         target_name=d["target_name"], note=d["note"])  # fmt: skip
            except ValidationFailed as exc:
                put_errors(form, exc)
            except NotFound as exc:
                form.add_error("target_post", exc.message)
            except Conflict as exc:
                form.add_error(None, exc.message)
                status = 409
            else:
                messages.success(request, _("轮岗计划人员已修改。"))
                return back
    elif posting:
        status = 400
    context = {"entry": entry, "plan": entry.plan, "form": form}
    return render(request, "rotation/entry_change.html", context, status=status)
