"""Pages of the supervision context.

Public pages (no login, CSRF on): the notices running today, a notice with
the report form, the receipt shown once, and the status lookup. Officers'
pages (login; the selectors and services check permission and scope): a
case's notices and reports with the publish, assign, investigate and close
forms."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from xuanren.access.models import AccessKind
from xuanren.access.policy import has_perm, unit_in_scope
from xuanren.access.records import access_record, report_look_record
from xuanren.common.errors import (
    Conflict,
    DomainError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from xuanren.common.http import client_address
from xuanren.common.ratelimit import RateLimited
from xuanren.procedure.catalogue import STEPS
from xuanren.procedure.selectors import case_candidates, case_get
from xuanren.supervision.forms import (
    AssignForm,
    CloseForm,
    InvestigateForm,
    PublishForm,
    ReportForm,
    StatusForm,
    put_errors,
)
from xuanren.supervision.models import ReportStatus
from xuanren.supervision.selectors import (
    INBOX_TABS,
    assignable_users,
    attachment_get,
    attachment_path,
    case_notices,
    case_reports,
    format_receipt,
    notice_public_get,
    report_get,
    report_inbox,
    report_status_lookup,
    running_notices,
)
from xuanren.supervision.services import (
    lookup_rate_check,
    public_notice_publish,
    report_assign,
    report_close,
    report_investigate,
    report_submit,
)
from xuanren.web.pages import login_page

View = Callable[..., Any]
RECEIPT_SESSION_KEY = "supervision_receipt"


def public(view: View) -> View:
    """No login; a missing or ended notice is a Chinese 404 page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            return render(
                request,
                "supervision/public_message.html",
                {"title": _("未找到"), "message": exc.message},
                status=404,
            )

    return wrapped


office = login_page()  # login; refusals as the Chinese 403/404 pages


# ---- public pages -------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
@public
def notice_list(request: HttpRequest) -> HttpResponse:
    return render(request, "supervision/notice_list.html", {"notices": running_notices()})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@public
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = notice_public_get(pk=pk)
    status = 200
    if request.method == "POST":
        form = ReportForm(notice, request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                _report, receipt = report_submit(
                    notice=notice,
                    candidate_id=form.candidate_id(),
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
        form = ReportForm(notice)
    return render(
        request, "supervision/notice_detail.html", {"notice": notice, "form": form}, status=status
    )


@never_cache
@require_http_methods(["GET", "HEAD"])
@public
def receipt(request: HttpRequest) -> HttpResponse:
    """The receipt number, shown once: it is taken out of the session here."""
    number = request.session.pop(RECEIPT_SESSION_KEY, None)
    return render(
        request,
        "supervision/receipt.html",
        {"receipt": format_receipt(number) if number else ""},
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@public
def status_lookup(request: HttpRequest) -> HttpResponse:
    result = None
    status = 200
    if request.method == "POST":
        form = StatusForm(request.POST)
        if form.is_valid():
            client = client_address(request)
            try:
                lookup_rate_check(client)
                result = report_status_lookup(receipt=form.cleaned_data["receipt"])
            except RateLimited as exc:
                form.add_error(None, exc.message)
                status = 429
            except NotFound as exc:
                form.add_error("receipt", exc.message)
                status = 404
    else:
        form = StatusForm()
    return render(
        request, "supervision/status.html", {"form": form, "result": result}, status=status
    )


# ---- officers' pages ----------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@office
def case_page(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    case = case_get(actor=actor, pk=pk)
    notices = case_notices(actor=actor, case=case)
    may_publish = has_perm(actor, "supervision.add_publicnotice") and unit_in_scope(
        actor, case.unit
    )
    form = PublishForm()
    status = 200
    if request.method == "POST":
        form = PublishForm(request.POST)
        if form.is_valid():
            try:
                public_notice_publish(
                    actor=actor,
                    case=case,
                    start=form.cleaned_data["start"],
                    channels=form.channel_list(),
                    text=form.cleaned_data["text"],
                )
            except (ValidationFailed, Conflict) as exc:
                put_errors(form, exc)
                status = 422
            else:
                messages.success(request, _("任前公示已发布。"))
                return redirect("supervision:case", pk=case.pk)
        else:
            status = 422
    reports = None
    if has_perm(actor, "supervision.view_report"):
        reports = list(case_reports(actor=actor, case=case))
    context = {
        "case": case,
        "step_name": str(STEPS.get(case.current_step, "")),
        "notice": notices[0] if notices else None,
        "earlier": notices[1:],
        "reports": reports,
        "form": form if may_publish and case.current_step == "public_notice" else None,
    }
    return render(request, "supervision/case.html", context, status=status)


def _report_forms(report: Any, data: Any = None, action: str = "") -> dict[str, Any]:
    users = assignable_users(case=report.case)
    candidates = list(case_candidates(report.case))
    return {
        "assign": AssignForm(users, data if action == "assign" else None),
        "investigate": InvestigateForm(data if action == "investigate" else None),
        "close": CloseForm(candidates, data if action == "close" else None),
        "users": {str(u.pk): u for u in users},
        "candidates": {str(c.pk): c for c in candidates},
    }


def _act(request: HttpRequest, report: Any, action: str, forms: dict[str, Any]) -> str | None:
    """Run one officer action; the success message, or None when a form has errors."""
    actor = request.user
    form = forms.get(action)
    if form is None or not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        if action == "assign":
            report_assign(
                actor=actor,
                report=report,
                # Only someone the form offered (assignable_users) can be named.
                assignee=forms["users"].get(str(data["assignee"])),
                joint_with_discipline=data["joint"],
            )
            return _("已分派承办人。")
        if action == "investigate":
            report_investigate(actor=actor, report=report, note=data["note"])
            return _("已记录调查核实情况。")
        report_close(
            actor=actor,
            report=report,
            finding=data["finding"],
            text=data["text"],
            candidate=forms["candidates"].get(data["candidate"] or ""),
        )
        return _("举报已办结。")
    except DomainError as exc:
        if isinstance(exc, PermissionDenied | NotFound):
            raise
        put_errors(form, exc)
        return None


T = TypeVar("T")


def _scoped(actor: Any, perm: str, read: Callable[[], T], missing: str) -> T:
    """A report or attachment outside the actor's scope is "not found" (404)
    for someone who may read reports at all, so that its existence does not
    leak across units; without the permission it stays a 403."""
    try:
        return read()
    except PermissionDenied:
        if has_perm(actor, perm):
            raise NotFound(missing) from None
        raise


@require_http_methods(["GET", "HEAD", "POST"])
@office
def report_page(request: HttpRequest, pk: int) -> HttpResponseBase:
    actor = request.user
    report = _scoped(
        actor,
        "supervision.view_report",
        lambda: report_get(actor=actor, pk=pk),
        _("未找到该举报。"),
    )
    if report.channel:  # the standing channel's entry has its own page
        return redirect("supervision:channel_entry", pk=report.pk)
    status = 200
    action = request.POST.get("action", "") if request.method == "POST" else ""
    forms = _report_forms(report, request.POST if action else None, action)
    if action:
        done = _act(request, report, action, forms)
        if done is not None:
            messages.success(request, done)
            return redirect("supervision:report", pk=report.pk)
        status = 422
    # The page shows a named reporter and their phone: on the access record.
    report_look_record(actor=actor, report=report)
    unit = report.unit
    assert unit is not None
    context = {
        "report": report,
        "forms": forms,
        "may_assign": has_perm(actor, "supervision.assign_report")
        and unit_in_scope(actor, unit)
        and report.status in (ReportStatus.REGISTERED, ReportStatus.ASSIGNED),
        "may_investigate": has_perm(actor, "supervision.investigate_report")
        and (report.assigned_to_id == actor.pk or actor.is_superuser)
        and report.status in (ReportStatus.ASSIGNED, ReportStatus.INVESTIGATING),
        "may_close": has_perm(actor, "supervision.investigate_report")
        and (report.assigned_to_id == actor.pk or actor.is_superuser)
        and report.status == ReportStatus.INVESTIGATING,
    }
    return render(request, "supervision/report_detail.html", context, status=status)


@require_http_methods(["GET", "HEAD"])
@office
def inbox(request: HttpRequest) -> HttpResponse:
    """举报办理: the reports of cases in scope, for the case officer (who
    assigns) and the discipline commission (who investigates and closes);
    the actions are on each report's page. docs/decisions/0073."""
    actor = request.user
    may_assign = has_perm(actor, "supervision.assign_report")
    may_investigate = has_perm(actor, "supervision.investigate_report")
    default = "mine" if may_investigate else ("unassigned" if may_assign else "open")
    tab = request.GET.get("tab", default)
    if tab not in INBOX_TABS:
        tab = default
    reports = list(report_inbox(actor=actor, tab=tab)[:200])
    labels = {
        "mine": _("我承办的"),
        "unassigned": _("待分派"),
        "open": _("办理中"),
        "closed": _("已办结"),
    }
    tabs = [
        {"key": key, "label": labels[key], "count": report_inbox(actor=actor, tab=key).count()}
        for key in INBOX_TABS
        if key != "mine" or may_investigate
    ]
    return render(
        request,
        "supervision/inbox.html",
        {"tab": tab, "tabs": tabs, "reports": reports, "may_assign": may_assign},
    )


@require_http_methods(["GET", "HEAD"])
@office
def attachment_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    actor = request.user
    attachment = _scoped(
        actor,
        "supervision.view_report",
        lambda: attachment_get(actor=actor, pk=pk),
        _("未找到该附件。"),
    )
    access_record(
        actor=actor,
        kind=AccessKind.REPORT,
        subject=("supervision.report", str(attachment.report_id)),
        label=_("举报第 %(n)s 号的附件") % {"n": attachment.report_id},
        detail={"attachment": attachment.pk},
    )
    return FileResponse(
        default_storage.open(attachment_path(attachment), "rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
