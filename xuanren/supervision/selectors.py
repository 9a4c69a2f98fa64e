"""Reads of the supervision context.

Public reads (no actor): the notices running today and a report's status by
its receipt number, which says only where the report stands, never what was
found. Officers' reads check the permission and the case's unit scope."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from xuanren.access.policy import require_unit
from xuanren.common.dates import today
from xuanren.common.errors import NotFound
from xuanren.org.models import path_and_ancestors
from xuanren.procedure.models import Case, CaseStatus
from xuanren.supervision.models import PublicNotice, Report, ReportAttachment, ReportStatus

RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32
RECEIPT_LENGTH = 12
_RECEIPT_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})

INVESTIGATE = "supervision.investigate_report"


# ---- receipt numbers ----------------------------------------------------------------


def normalize_receipt(raw: str) -> str:
    """A receipt number as typed: case, spaces, dashes and look-alike letters
    (O for 0, I and L for 1) do not matter."""
    cleaned = "".join(ch for ch in raw.upper() if ch.isalnum())
    return cleaned.translate(_RECEIPT_LOOKALIKES)


def receipt_hash(receipt: str) -> str:
    return hashlib.sha256(normalize_receipt(receipt).encode()).hexdigest()


def format_receipt(receipt: str) -> str:
    """XXXX-XXXX-XXXX, as the reporter is shown it."""
    r = normalize_receipt(receipt)
    return "-".join(r[i : i + 4] for i in range(0, len(r), 4))


# ---- notices ------------------------------------------------------------------------


def latest_notice(case: Case) -> PublicNotice | None:
    """The publication in force for `case` (a later one replaces an earlier)."""
    return PublicNotice.objects.filter(case=case).order_by("-published_at", "-id").first()


def _in_force() -> QuerySet[PublicNotice]:
    """Each open case's latest publication."""
    newest = PublicNotice.objects.filter(case=OuterRef("case")).order_by("-published_at", "-id")
    return PublicNotice.objects.filter(
        pk=Subquery(newest.values("pk")[:1]), case__status=CaseStatus.OPEN
    )


def running_notices(*, on: dt.date | None = None) -> list[PublicNotice]:
    """Public: the notices running on `on` (today), newest first."""
    on = on or today()
    return list(
        _in_force()
        .filter(start__lte=on, end__gte=on)
        .select_related("case__committee")
        .order_by("-start", "-id")
    )


def notice_public_get(*, pk: int, on: dt.date | None = None) -> PublicNotice:
    """Public: one running notice; NotFound for any other (ended, not yet
    started, replaced)."""
    on = on or today()
    found = _in_force().filter(pk=pk, start__lte=on, end__gte=on).select_related("case").first()
    if found is None:
        raise NotFound(_("该公示不存在或不在公示期内。"))
    return found


def case_notices(*, actor: Any, case: Case) -> list[PublicNotice]:
    require_unit(actor, "supervision.view_publicnotice", case.unit)
    return list(
        PublicNotice.objects.filter(case=case)
        .select_related("published_by")
        .order_by("-published_at", "-id")
    )


# ---- reports ------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicStatus:
    """What a reporter learns from their receipt number, and nothing more."""

    status: str
    received_on: dt.date
    closed_on: dt.date | None


@dataclass(frozen=True)
class ChannelStatus(PublicStatus):
    """A standing-channel entry's status, with the answer given to a named
    reporter or to a consultation (docs/decisions/0127); never the finding."""

    kind: str
    reply_text: str
    replied_on: dt.date | None


def public_status_label(status: str) -> str:
    if status == ReportStatus.CLOSED:
        return _("已办结")
    if status == ReportStatus.REGISTERED:
        return _("已受理")
    if status == ReportStatus.REPLIED:
        return _("已答复")
    return _("正在办理")


def report_status_lookup(*, receipt: str) -> PublicStatus:
    """Public: the status of the report with this receipt number."""
    from django.utils import timezone

    normalized = normalize_receipt(receipt)
    report = None
    if len(normalized) == RECEIPT_LENGTH and all(ch in RECEIPT_ALPHABET for ch in normalized):
        report = Report.objects.filter(receipt_hash=receipt_hash(normalized)).first()
    if report is None:
        raise NotFound(_("未查到该回执编号，请核对后重新输入。"))

    def local(moment: dt.datetime | None) -> dt.date | None:
        return timezone.localdate(moment) if moment else None

    received = local(report.received_at)
    assert received is not None
    closed_on = local(report.closed_at) if report.status == ReportStatus.CLOSED else None
    status = public_status_label(report.status)
    if report.channel:
        return ChannelStatus(
            status=status,
            received_on=received,
            closed_on=closed_on,
            kind=report.get_kind_display(),
            reply_text=report.reply_text,
            replied_on=report.replied_on,
        )
    return PublicStatus(status=status, received_on=received, closed_on=closed_on)


def case_reports(*, actor: Any, case: Case) -> QuerySet[Report]:
    require_unit(actor, "supervision.view_report", case.unit)
    return (
        Report.objects.filter(case=case)
        .select_related("candidate__cadre", "assigned_to", "notice")
        .order_by("-received_at", "-id")
    )


def report_get(*, actor: Any, pk: int) -> Report:
    report = (
        Report.objects.filter(pk=pk)
        .select_related(
            "unit",
            "case__unit",
            "case__template",
            "candidate__cadre",
            "candidate__post__unit",
            "assigned_to",
            "closed_by",
            "registered_by",
            "notice",
        )
        .prefetch_related("attachments")
        .first()
    )
    if report is None:
        raise NotFound(_("未找到该举报。"))
    if report.unit is None:  # never for a report written by a service
        raise NotFound(_("未找到该举报。"))
    require_unit(actor, "supervision.view_report", report.unit)
    return report


def attachment_get(*, actor: Any, pk: int) -> ReportAttachment:
    attachment = ReportAttachment.objects.filter(pk=pk).select_related("report__unit").first()
    if attachment is None or attachment.report.unit is None:
        raise NotFound(_("未找到该附件。"))
    require_unit(actor, "supervision.view_report", attachment.report.unit)
    return attachment


def attachment_path(attachment: ReportAttachment) -> str:
    """Where the file is kept (relative to MEDIA_ROOT): by content, never overwritten."""
    ext = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[
        attachment.content_type
    ]
    return f"reports/{attachment.sha256[:2]}/{attachment.sha256}.{ext}"


def assignable_users(*, case: Case) -> list[Any]:
    """Active users who may investigate reports on `case`: they hold the
    permission through a role (or directly; a superuser's blanket permissions
    do not put them on the list) and the case's unit is in their scope."""
    user_model = get_user_model()
    perm = Permission.objects.filter(
        content_type__app_label="supervision", codename="investigate_report"
    ).first()
    if perm is None:
        return []
    q = Q(groups__permissions=perm) | Q(user_permissions=perm)
    # In scope = the user's scope root is the case's unit or one of its
    # ancestors; ancestors' paths are prefixes of the unit's path (one query).
    ancestors = path_and_ancestors(case.unit.path)
    users = user_model.objects.filter(q, is_active=True, scope__unit__path__in=ancestors)
    return list(users.distinct().order_by("username"))


# ---- the report inbox (docs/decisions/0073) -----------------------------------------

#: The inbox's views: the reports the actor handles, those waiting for an
#: assignee, those being dealt with, and the closed ones.
INBOX_TABS = ("mine", "unassigned", "open", "closed")


def report_inbox(*, actor: Any, tab: str = "mine") -> QuerySet[Report]:
    """Reports of cases in the actor's scope, for those who may read reports
    (the case officer who assigns, the discipline commission who investigates
    and closes). `mine`: assigned to the actor and not closed."""
    from xuanren.access.policy import require_perm, unit_scope_q

    require_perm(actor, "supervision.view_report")
    qs = Report.objects.filter(unit_scope_q(actor, prefix="unit__")).select_related(
        "case", "notice", "assigned_to"
    )
    # The standing channel's entries have their own inbox (views_channel).
    qs = qs.filter(channel=False)
    if tab == "mine":
        qs = qs.filter(assigned_to=actor).exclude(status=ReportStatus.CLOSED)
    elif tab == "unassigned":
        qs = qs.filter(status=ReportStatus.REGISTERED)
    elif tab == "open":
        qs = qs.exclude(status=ReportStatus.CLOSED)
    elif tab == "closed":
        qs = qs.filter(status=ReportStatus.CLOSED)
    return qs.order_by("-received_at", "-id")
