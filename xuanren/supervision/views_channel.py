"""Pages of the standing reporting and consultation channel (docs/decisions/
0127–0129).

Public (no login, CSRF on): the form for a report or a consultation; the
receipt and status pages are the notice reports' own. Officers (login; the
selectors and services check permission and scope): the inbox with its
filters and counts, registering a call, letter or visit, and one entry with
the link, assign, investigate, reply and close forms."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from xuanren.access.policy import has_perm, is_unrestricted, unit_in_scope
from xuanren.access.records import report_look_record
from xuanren.common.dates import today
from xuanren.common.errors import (
    Conflict,
    DomainError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from xuanren.common.http import client_address
from xuanren.common.ratelimit import RateLimited
from xuanren.supervision.channel_forms import (
    ChannelAssignForm,
    ChannelCloseForm,
    ChannelFilterForm,
    ChannelPublicForm,
    ChannelRegisterForm,
    LinkForm,
    ReplyForm,
)
from xuanren.supervision.channel_selectors import (
    ChannelFilters,
    channel_assignable_users,
    channel_counts,
    channel_get,
    channel_inbox,
    due_days,
    link_targets,
)
from xuanren.supervision.channel_services import (
    channel_assign,
    channel_close,
    channel_link,
    channel_register,
    channel_reply,
    channel_submit,
    needs_reply,
)
from xuanren.supervision.forms import InvestigateForm, put_errors
from xuanren.supervision.models import Report, ReportStatus
from xuanren.supervision.selectors import format_receipt
from xuanren.supervision.services import report_investigate
from xuanren.supervision.views import RECEIPT_SESSION_KEY, _scoped, office, public

#: The receipt number of an entry the office has just registered, shown once
#: on the entry's page so it can be read out or written to the reporter.
STAFF_RECEIPT_KEY = "supervision_channel_receipt"
INBOX_LIMIT = 200


# ---- public page --------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@public
def channel_public(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = ChannelPublicForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                _report, receipt = channel_submit(
                    kind=data["kind"],
                    about_name=data["about_name"],
                    content=data["content"],
                    anonymous=data["identity"] == "anonymous",
                    reporter_name=data["reporter_name"],
                    reporter_phone=data["reporter_phone"],
                    files=data["attachments"],
                    client=client_address(request),
                )
            except RateLimited as exc:
                form.add_error(None, exc.message)
                status = 429
            except (ValidationFailed, Conflict) as exc:
                put_errors(form, exc)
                status = 422
            else:
                request.session[RECEIPT_SESSION_KEY] = receipt
                return redirect("supervision:receipt")
        else:
            status = 422
    else:
        form = ChannelPublicForm()
    return render(request, "supervision/channel_public.html", {"form": form}, status=status)


# ---- officers' pages ----------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
@office
def channel_inbox_page(request: HttpRequest) -> HttpResponse:
    """举报咨询: the channel's entries in scope, for the discipline commission
    and the cadre supervision office, with filters and counts."""
    actor = request.user
    form = ChannelFilterForm(request.GET or None)
    # A value the form does not offer reads as "any" (ChannelFilters.cleaned),
    # the other filters still apply.
    get = request.GET
    filters = ChannelFilters(
        status=get.get("status", ""),
        source=get.get("source", ""),
        kind=get.get("kind", ""),
        overdue=bool(get.get("overdue")),
        mine=bool(get.get("mine")),
    ).cleaned()
    on = today()
    entries = list(channel_inbox(actor=actor, filters=filters, on=on)[:INBOX_LIMIT])
    counts = channel_counts(actor=actor, on=on)
    labels = {
        "status": dict(ReportStatus.choices),
    }
    context = {
        "form": form,
        "entries": entries,
        "counts": counts,
        "status_counts": [(labels["status"][k], n) for k, n in counts.by_status.items()],
        "on": on,
        "limit": INBOX_LIMIT,
        "may_register": has_perm(actor, "supervision.add_report"),
    }
    return render(request, "supervision/channel_inbox.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@office
def channel_new(request: HttpRequest) -> HttpResponse:
    actor = request.user
    if not has_perm(actor, "supervision.add_report"):
        raise PermissionDenied(_("您没有登记举报咨询的权限。"))
    status = 200
    if request.method == "POST":
        form = ChannelRegisterForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                report, receipt = channel_register(
                    actor=actor,
                    kind=data["kind"],
                    source=data["source"],
                    received_on=data["received_on"],
                    about_name=data["about_name"],
                    content=data["content"],
                    anonymous=data["identity"] == "anonymous",
                    reporter_name=data["reporter_name"],
                    reporter_phone=data["reporter_phone"],
                    files=data["attachments"],
                )
            except (ValidationFailed, Conflict) as exc:
                put_errors(form, exc)
                status = 422
            else:
                request.session[STAFF_RECEIPT_KEY] = [report.pk, receipt]
                messages.success(request, _("已登记。"))
                return redirect("supervision:channel_entry", pk=report.pk)
        else:
            status = 422
    else:
        form = ChannelRegisterForm(initial={"source": "phone"})
    return render(request, "supervision/channel_new.html", {"form": form}, status=status)


def _forms(report: Report, data: Any, action: str) -> dict[str, Any]:
    assert report.unit is not None
    users = channel_assignable_users(unit=report.unit, kind=report.kind)
    bound = {key: data if action == key else None for key in ("link", "assign", "reply")}
    initial_link = {
        "cadre": report.cadre.name if report.cadre else "",
        "case": report.case.number if report.case else "",
    }
    return {
        "link": LinkForm(bound["link"], initial=initial_link),
        "assign": ChannelAssignForm(users, bound["assign"]),
        "investigate": InvestigateForm(data if action == "investigate" else None),
        "reply": ReplyForm(bound["reply"], initial={"replied_on": today()}),
        "close": ChannelCloseForm(report.kind, data if action == "close" else None),
        "users": {str(u.pk): u for u in users},
    }


def _act(request: HttpRequest, report: Report, action: str, forms: dict[str, Any]) -> str | None:
    actor = request.user
    form = forms.get(action)
    if form is None or not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        if action == "link":
            cadre, case = link_targets(
                actor=actor, cadre_text=data["cadre"], case_number=data["case"]
            )
            channel_link(actor=actor, report=report, cadre=cadre, case=case)
            return _("已保存关联。")
        if action == "assign":
            channel_assign(
                actor=actor,
                report=report,
                # Only someone the form offered can be named.
                assignee=forms["users"].get(str(data["assignee"])),
                due_on=data["due_on"],
            )
            return _("已分派承办人。")
        if action == "investigate":
            report_investigate(actor=actor, report=report, note=data["note"])
            return _("已记录调查核实情况。")
        if action == "reply":
            channel_reply(
                actor=actor,
                report=report,
                text=data["text"],
                replied_on=data["replied_on"],
                reply_channel=data["reply_channel"],
            )
            return _("已记录答复。")
        channel_close(actor=actor, report=report, finding=data["finding"], text=data["text"])
        return _("已办结。")
    except DomainError as exc:
        if isinstance(exc, PermissionDenied | NotFound):
            raise
        put_errors(form, exc)
        return None


@require_http_methods(["GET", "HEAD", "POST"])
@office
def channel_entry(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    report = _scoped(
        actor,
        "supervision.view_report",
        lambda: channel_get(actor=actor, pk=pk),
        _("未找到该举报咨询。"),
    )
    action = request.POST.get("action", "") if request.method == "POST" else ""
    forms = _forms(report, request.POST if action else None, action)
    status = 200
    if action:
        done = _act(request, report, action, forms)
        if done is not None:
            messages.success(request, done)
            return redirect("supervision:channel_entry", pk=report.pk)
        status = 422
    receipt = ""
    shown = request.session.get(STAFF_RECEIPT_KEY)
    if isinstance(shown, list) and len(shown) == 2 and shown[0] == report.pk:
        receipt = format_receipt(str(shown[1]))
        del request.session[STAFF_RECEIPT_KEY]
    # The page shows a named reporter and their phone: on the access record.
    report_look_record(actor=actor, report=report)
    unit = report.unit
    assert unit is not None
    in_scope = unit_in_scope(actor, unit)
    handler = report.assigned_to_id == actor.pk or is_unrestricted(actor)
    open_states = (ReportStatus.REGISTERED, ReportStatus.ASSIGNED, ReportStatus.INVESTIGATING)
    on = today()
    context = {
        "report": report,
        "forms": forms,
        "receipt": receipt,
        "received_on": timezone.localdate(report.received_at),
        "overdue": report.due_on is not None
        and report.status != ReportStatus.CLOSED
        and report.due_on < on,
        "due_days": due_days(),
        "needs_reply": needs_reply(report),
        "may_link": has_perm(actor, "supervision.add_report")
        and in_scope
        and report.status != ReportStatus.CLOSED,
        "may_assign": has_perm(actor, "supervision.assign_report")
        and in_scope
        and report.status in open_states,
        "may_investigate": has_perm(actor, "supervision.investigate_report")
        and handler
        and report.status in (ReportStatus.ASSIGNED, ReportStatus.INVESTIGATING),
        "may_reply": handler
        and needs_reply(report)
        and (
            report.status == ReportStatus.INVESTIGATING
            or (report.kind == "consultation" and report.status == ReportStatus.ASSIGNED)
        ),
        "may_close": handler
        and report.status
        == (ReportStatus.REPLIED if needs_reply(report) else ReportStatus.INVESTIGATING),
    }
    return render(request, "supervision/channel_entry.html", context, status=status)
