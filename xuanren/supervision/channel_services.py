"""Writes of the standing reporting and consultation channel (DOMAIN §6,
"咨询和举报电话…核实、答复"; docs/decisions/0127–0129).

An entry is a report (举报) or a consultation (咨询) not tied to a case: sent
from the public form, or registered by the cadre supervision office from a
call, a letter or a visit. registered → assigned (to a person, with a
deadline) → investigating → replied (named reporters and consultations) →
closed with a conclusion. The office may link it to a cadre and/or a case it
concerns. Journal events carry hashes of the texts, never the reporter's name
or phone (as the notice reports, services.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xuanren.access.policy import (
    has_perm,
    is_unrestricted,
    require_perm,
    require_unit,
    scope_root,
    unit_in_scope,
)
from xuanren.common.dates import today
from xuanren.common.errors import Conflict, ErrorCollector, NotFound, PermissionDenied
from xuanren.journal.models import EventType
from xuanren.journal.services import journal_record
from xuanren.org.models import Unit
from xuanren.people.models import Cadre
from xuanren.procedure.models import Case
from xuanren.supervision.channel_selectors import (
    VIEW_REPORT,
    default_due,
    may_handle,
    receiving_unit,
)
from xuanren.supervision.models import (
    CHANNEL_FINDINGS,
    Finding,
    ReplyChannel,
    Report,
    ReportKind,
    ReportSource,
    ReportStatus,
)
from xuanren.supervision.selectors import receipt_hash
from xuanren.supervision.services import (
    REPORT_RATE,
    _check_uploads,
    _Checked,
    _new_receipt,
    _store,
    _validate_content,
    _validate_reporter,
)

MAX_ABOUT = 30
MAX_REPLY = 2000
MAX_TEXT = 2000
#: How far ahead a deadline may be set (a year).
MAX_DUE_DAYS = 366
#: The sources the office registers by hand; the online form is the public page's.
STAFF_SOURCES = (ReportSource.LETTER, ReportSource.PHONE, ReportSource.VISIT)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def received_moment(day: dt.date) -> dt.datetime:
    """When an entry received on `day` came in: now, on the real day; 9:00
    of an earlier day (a letter registered later, or a replayed day under
    common.dates.frozen_today), so its date is always `day`."""
    if day == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9)))


def _validate_kind_about(kind: str, about_name: str, out: ErrorCollector) -> str:
    if kind not in ReportKind.values:
        out.add("kind", _("请选择是举报还是咨询。"))
        return ""
    about_name = about_name.strip()
    if len(about_name) > MAX_ABOUT:
        out.add("about_name", _("被反映人姓名不超过 %(n)s 个字。") % {"n": MAX_ABOUT})
    elif kind == ReportKind.REPORT and not about_name:
        out.add("about_name", _("举报请填写被反映人的姓名（或单位）。"))
    return about_name


def _create(
    *,
    actor: Any,
    unit: Unit,
    kind: str,
    source: str,
    about_name: str,
    content: str,
    anonymous: bool,
    reporter_name: str,
    reporter_phone: str,
    files: list[_Checked],
    received_at: dt.datetime,
    cadre: Cadre | None = None,
    case: Case | None = None,
) -> tuple[Report, str]:
    receipt = _new_receipt()
    report = Report.objects.create(
        channel=True,
        unit=unit,
        kind=kind,
        cadre=cadre,
        case=case,
        about_name=about_name,
        content=content,
        source=source,
        anonymous=anonymous,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        receipt_hash=receipt_hash(receipt),
        registered_by=actor,
        received_at=received_at,
    )
    stored = _store(report, files)
    journal_record(
        actor=actor,
        event_type=EventType.REPORT_RECEIVED,
        subject=report,
        payload={
            "channel": True,
            "kind": kind,
            "unit": unit.pk,
            "case": case.pk if case else None,
            "cadre": cadre.pk if cadre else None,
            "source": source,
            "anonymous": anonymous,
            "content_sha256": _sha(content),
            "attachments": [a.sha256 for a in stored],
        },
    )
    return report, receipt


@transaction.atomic
def channel_submit(
    *,
    kind: ReportKind | str,
    content: str,
    anonymous: bool,
    client: str,
    about_name: str = "",
    reporter_name: str = "",
    reporter_phone: str = "",
    files: Sequence[Any] = (),
) -> tuple[Report, str]:
    """A report or consultation from the public page: no login. Returns the
    entry and its receipt number (shown once, kept as a hash). The same
    allowance per client address as the notice-report form (REPORT_RATE)."""
    REPORT_RATE.check(client, _("提交过于频繁，请一小时后再试。也可拨打举报咨询电话或来信反映。"))
    unit = receiving_unit()
    if unit is None:
        raise Conflict(_("网上举报咨询暂未开通，请拨打举报咨询电话或来信反映。"))
    out = ErrorCollector()
    about_name = _validate_kind_about(str(kind), about_name, out)
    content = _validate_content(content, out)
    reporter_name, reporter_phone = _validate_reporter(
        anonymous=anonymous, name=reporter_name, phone=reporter_phone, out=out
    )
    checked = _check_uploads(list(files), out)
    out.raise_if_any(_("未提交，请按提示修改。"))
    result = _create(
        actor=None,
        unit=unit,
        kind=str(kind),
        source=ReportSource.ONLINE,
        about_name=about_name,
        content=content,
        anonymous=anonymous,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        files=checked,
        received_at=received_moment(today()),
    )
    REPORT_RATE.count(client)
    return result


def _check_links(actor: Any, cadre: Cadre | None, case: Case | None, out: ErrorCollector) -> None:
    """A cadre or case linked must be one the actor may read; one outside
    the scope is "not found", so that its existence does not leak."""
    if cadre is not None and not (
        has_perm(actor, "people.view_cadre") and unit_in_scope(actor, cadre.unit)
    ):
        raise NotFound(_("未找到该干部，或其不在您的管理范围内。"))
    if case is not None and not (
        has_perm(actor, "procedure.view_case") and unit_in_scope(actor, case.unit)
    ):
        raise NotFound(_("未找到该选任事项，或其不在您的管理范围内。"))


@transaction.atomic
def channel_register(
    *,
    actor: Any,
    kind: ReportKind | str,
    source: ReportSource | str,
    content: str,
    anonymous: bool,
    received_on: dt.date | None = None,
    about_name: str = "",
    reporter_name: str = "",
    reporter_phone: str = "",
    cadre: Cadre | None = None,
    case: Case | None = None,
    files: Sequence[Any] = (),
) -> tuple[Report, str]:
    """An entry received by phone, letter or visit, registered by the cadre
    supervision office. It is read in the office's scope (its scope root, or
    the public channel's unit for an unrestricted account). Returns the entry
    and its receipt number, to be given to the reporter."""
    require_perm(actor, "supervision.add_report")
    unit = scope_root(actor) if not is_unrestricted(actor) else receiving_unit()
    if unit is None:
        raise PermissionDenied(_("您没有管理范围，不能登记举报咨询。"))
    require_unit(actor, "supervision.add_report", unit)
    out = ErrorCollector()
    if source not in STAFF_SOURCES:
        out.add("source", _("请选择来信、来电或来访。"))
    about_name = _validate_kind_about(str(kind), about_name, out)
    content = _validate_content(content, out)
    reporter_name, reporter_phone = _validate_reporter(
        anonymous=anonymous, name=reporter_name, phone=reporter_phone, out=out
    )
    on = today()
    received_on = received_on or on
    if received_on > on:
        out.add("received_on", _("收到日期不能晚于今天。"))
    elif (on - received_on).days > MAX_DUE_DAYS:
        out.add("received_on", _("收到日期不能早于一年前。"))
    _check_links(actor, cadre, case, out)
    checked = _check_uploads(list(files), out)
    out.raise_if_any(_("举报咨询未登记，请按提示修改。"))
    received_at = received_moment(received_on)
    return _create(
        actor=actor,
        unit=unit,
        kind=str(kind),
        source=str(source),
        about_name=about_name or (cadre.name if cadre else ""),
        content=content,
        anonymous=anonymous,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        files=checked,
        received_at=received_at,
        cadre=cadre,
        case=case,
    )


def _locked(actor: Any, report: Report) -> Report:
    """The entry, locked; not found unless it is a channel entry the actor may read."""
    found = (
        Report.objects.select_for_update(of=("self",))
        .select_related("unit")
        .filter(pk=report.pk, channel=True)
        .first()
    )
    if found is None or found.unit is None:
        raise NotFound(_("未找到该举报咨询。"))
    if not has_perm(actor, VIEW_REPORT) or not unit_in_scope(actor, found.unit):
        if has_perm(actor, VIEW_REPORT):
            raise NotFound(_("未找到该举报咨询。"))
        raise PermissionDenied(_("您没有办理举报咨询的权限。"))
    return found


@transaction.atomic
def channel_link(*, actor: Any, report: Report, cadre: Cadre | None, case: Case | None) -> Report:
    """Say which cadre and/or case the entry concerns (None removes a link).
    A report linked to an open case must be closed before the case's public
    notice step completes (the notice guard reads every report of the case)."""
    report = _locked(actor, report)
    require_unit(actor, "supervision.add_report", report.unit)  # type: ignore[arg-type]
    if report.status == ReportStatus.CLOSED:
        raise Conflict(_("该举报咨询已办结，不能再修改关联。"))
    _check_links(actor, cadre, case, ErrorCollector())
    before = {"cadre": report.cadre_id, "case": report.case_id}
    report.cadre = cadre
    report.case = case
    report.save(update_fields=["cadre", "case"])
    journal_record(
        actor=actor,
        event_type=EventType.REPORT_LINKED,
        subject=report,
        payload={
            "cadre": cadre.pk if cadre else None,
            "case": case.pk if case else None,
            "before": before,
        },
    )
    return report


@transaction.atomic
def channel_assign(
    *, actor: Any, report: Report, assignee: Any, due_on: dt.date | None = None
) -> Report:
    """Give the entry to the person who deals with it, by `due_on` (default:
    XUANREN_CHANNEL_DUE_DAYS from the day it came in, decision 0128).
    Reassigning, or moving the deadline, is possible until it is replied to."""
    report = _locked(actor, report)
    unit = report.unit
    assert unit is not None
    require_unit(actor, "supervision.assign_report", unit)
    if report.status not in (
        ReportStatus.REGISTERED,
        ReportStatus.ASSIGNED,
        ReportStatus.INVESTIGATING,
    ):
        raise Conflict(_("该举报咨询%(s)s，不能再分派。") % {"s": report.get_status_display()})
    if (
        assignee is None
        or not may_handle(assignee, report.kind)
        or not unit_in_scope(assignee, unit)
    ):
        raise PermissionDenied(_("承办人须有办理该类举报咨询的权限，且其在承办人的管理范围内。"))
    received_on = timezone.localdate(report.received_at)
    due_on = due_on or default_due(received_on)
    out = ErrorCollector()
    if due_on < today():
        out.add("due_on", _("办理期限不能早于今天。"))
    elif (due_on - received_on).days > MAX_DUE_DAYS:
        out.add("due_on", _("办理期限不能超过收到之日起一年。"))
    out.raise_if_any(_("未分派，请按提示修改。"))
    before = report.assigned_to_id
    report.assigned_to = assignee
    report.due_on = due_on
    if report.status == ReportStatus.REGISTERED:
        report.status = ReportStatus.ASSIGNED
    report.assigned_at = timezone.now()
    report.save(update_fields=["assigned_to", "due_on", "status", "assigned_at"])
    journal_record(
        actor=actor,
        event_type=EventType.REPORT_ASSIGNED,
        subject=report,
        payload={"channel": True, "to": assignee.pk, "from": before, "due_on": due_on},
    )
    return report


def _require_handler(actor: Any, report: Report) -> None:
    if report.assigned_to_id != actor.pk and not is_unrestricted(actor):
        raise PermissionDenied(_("该举报咨询由他人承办，只有承办人可以答复和办结。"))


def needs_reply(report: Report) -> bool:
    """A named reporter and every consultation get an answer; an anonymous
    report only its status by the receipt number."""
    return report.kind == ReportKind.CONSULTATION or not report.anonymous


@transaction.atomic
def channel_reply(
    *,
    actor: Any,
    report: Report,
    text: str,
    replied_on: dt.date,
    reply_channel: ReplyChannel | str,
) -> Report:
    """The assignee records the answer given to the reporter: what was said,
    on which day and how. A report is answered after its investigation; a
    consultation may be answered at once. The reply can be read with the
    receipt number."""
    report = _locked(actor, report)
    _require_handler(actor, report)
    if not needs_reply(report):
        raise Conflict(_("匿名举报无法答复举报人；举报人可凭回执编号查询办理状态。请直接办结。"))
    allowed = [ReportStatus.INVESTIGATING]
    if report.kind == ReportKind.CONSULTATION:
        allowed.append(ReportStatus.ASSIGNED)
    if report.status not in allowed:
        raise Conflict(
            _("该举报咨询%(s)s，不能答复；举报须先调查核实。") % {"s": report.get_status_display()}
        )
    out = ErrorCollector()
    text = text.strip()
    if not text:
        out.add("text", _("请填写答复内容。"))
    elif len(text) > MAX_REPLY:
        out.add("text", _("答复内容不超过 %(n)s 字。") % {"n": MAX_REPLY})
    if reply_channel not in ReplyChannel.values:
        out.add("reply_channel", _("请选择答复方式。"))
    if replied_on > today():
        out.add("replied_on", _("答复日期不能晚于今天。"))
    elif replied_on < timezone.localdate(report.received_at):
        out.add("replied_on", _("答复日期不能早于收到日期。"))
    out.raise_if_any(_("答复未记录，请按提示修改。"))
    report.reply_text = text
    report.replied_on = replied_on
    report.reply_channel = str(reply_channel)
    report.replied_by = actor
    report.status = ReportStatus.REPLIED
    report.save(update_fields=["reply_text", "replied_on", "reply_channel", "replied_by", "status"])
    journal_record(
        actor=actor,
        event_type=EventType.REPORT_REPLIED,
        subject=report,
        payload={
            "replied_on": replied_on,
            "reply_channel": str(reply_channel),
            "text_sha256": _sha(text),
        },
    )
    return report


@transaction.atomic
def channel_close(*, actor: Any, report: Report, finding: Finding | str, text: str) -> Report:
    """Close with the conclusion: a report verified as true, partly true or
    unfounded; a consultation answered. Those who get a reply must have had
    it first; an anonymous report closes after its investigation."""
    report = _locked(actor, report)
    _require_handler(actor, report)
    expected = ReportStatus.REPLIED if needs_reply(report) else ReportStatus.INVESTIGATING
    if report.status != expected:
        if expected == ReportStatus.REPLIED:
            message = _("该举报咨询%(s)s；须先答复反映人，再办结。")
        else:
            message = _("该举报%(s)s；须先记录调查核实情况，再办结。")
        raise Conflict(message % {"s": report.get_status_display()})
    out = ErrorCollector()
    if finding not in CHANNEL_FINDINGS[report.kind]:
        out.add("finding", _("请选择办理结论。"))
    text = text.strip()
    if not text:
        out.add("text", _("请写明办理结论的依据。"))
    elif len(text) > MAX_TEXT:
        out.add("text", _("结论依据不超过 %(n)s 字。") % {"n": MAX_TEXT})
    out.raise_if_any(_("举报咨询未办结。"))
    report.finding = str(finding)
    report.finding_text = text
    report.status = ReportStatus.CLOSED
    report.closed_by = actor
    report.closed_at = timezone.now()
    report.save(update_fields=["finding", "finding_text", "status", "closed_by", "closed_at"])
    journal_record(
        actor=actor,
        event_type=EventType.REPORT_CLOSED,
        subject=report,
        payload={"channel": True, "finding": report.finding, "text_sha256": _sha(text)},
    )
    return report
