"""Writes of the supervision context: publishing a case's public notice
(任前公示) and handling reports (举报): registered → assigned → investigating
→ closed with a finding that the case's notice guards and effects read.
Every change is journalled in its own transaction.

Reporters are protected: the journal keeps a report's content hash, never the
reporter's name, phone or the text itself."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xuanren.access.names import display_name
from xuanren.access.policy import has_perm, is_unrestricted, require_unit, unit_in_scope
from xuanren.common.dates import today
from xuanren.common.errors import Conflict, ErrorCollector, PermissionDenied
from xuanren.common.ratelimit import RateLimit
from xuanren.journal.models import EventType
from xuanren.journal.services import journal_record
from xuanren.procedure.catalogue import STEPS
from xuanren.procedure.models import Candidate, Case, CaseStatus
from xuanren.procedure.services import template_def
from xuanren.supervision.content import (
    approved_candidates,
    approved_exception,
    notice_persons,
    person_gaps,
)
from xuanren.supervision.models import (
    Finding,
    PublicNotice,
    Report,
    ReportAttachment,
    ReportSource,
    ReportStatus,
)
from xuanren.supervision.selectors import (
    INVESTIGATE,
    RECEIPT_ALPHABET,
    RECEIPT_LENGTH,
    attachment_path,
    latest_notice,
    receipt_hash,
)
from xuanren.workdays.selectors import notice_period_end

NOTICE_STEP = "public_notice"

#: Attachment types a report may carry: extension → (content type, leading bytes).
ALLOWED_TYPES: dict[str, tuple[str, bytes]] = {
    "pdf": ("application/pdf", b"%PDF-"),
    "jpg": ("image/jpeg", b"\xff\xd8\xff"),
    "jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    "png": ("image/png", b"\x89PNG\r\n\x1a\n"),
}
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_ATTACHMENTS = 5
MAX_CONTENT_CHARS = 5000

#: Public report submissions per client address, and status look-ups:
#: (count, seconds); settings XUANREN_REPORT_RATE and XUANREN_LOOKUP_RATE.
REPORT_RATE = RateLimit("report", "XUANREN_REPORT_RATE", (5, 3600))
LOOKUP_RATE = RateLimit("lookup", "XUANREN_LOOKUP_RATE", (30, 3600))


def lookup_rate_check(client: str) -> None:
    """Count one status look-up by `client`; refuse past the allowance."""
    LOOKUP_RATE.check(client, _("查询过于频繁，请稍后再试。"))
    LOOKUP_RATE.count(client)


# ---- public notice ------------------------------------------------------------------


def _default_text(case: Case, start: dt.date, end: dt.date, length: int, unit: str) -> str:
    unit_name = _("个工作日") if unit == "working_days" else _("天")
    return _(
        "经%(body)s研究，拟任用下列同志。为广泛听取意见，现予以任前公示。"
        "公示期为 %(start)s 至 %(end)s（%(n)s%(unit)s）。"
        "公示期间，个人和单位可通过下列方式反映拟任人选在德、能、勤、绩、廉等方面的情况和问题。"
        "反映问题应实事求是，提倡署名反映并提供联系方式，以便调查核实和反馈。"
    ) % {
        "body": case.committee.name,
        "start": f"{start.year}年{start.month}月{start.day}日",
        "end": f"{end.year}年{end.month}月{end.day}日",
        "n": length,
        "unit": unit_name,
    }


def _digest(value: Any) -> str:
    body = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


@transaction.atomic
def public_notice_publish(
    *,
    actor: Any,
    case: Case,
    start: dt.date,
    channels: Sequence[str],
    text: str = "",
) -> PublicNotice:
    """Publish the notice of every candidate APPROVED in the decision, for the
    template's notice length counted from `start`. Refused unless the case is
    at its public_notice step and the content is complete. Publishing again
    replaces the earlier notice and restarts the period."""
    case = (
        Case.objects.select_for_update()
        .select_related("template", "unit", "committee")
        .get(pk=case.pk)
    )
    require_unit(actor, "supervision.add_publicnotice", case.unit)
    if case.status != CaseStatus.OPEN or case.current_step != NOTICE_STEP:
        current = str(STEPS.get(case.current_step, case.current_step or _("（已办结）")))
        raise Conflict(
            _("该事项当前环节是“%(c)s”，只有在“任前公示”环节才能发布任前公示。") % {"c": current}
        )
    out = ErrorCollector()
    if start < today():
        out.add("start", _("公示开始日期不能早于今天（不得倒签）。"))
    cleaned = [c.strip() for c in channels if c.strip()]
    if not cleaned:
        out.add("channels", _("请至少填写一种举报受理方式（电话、地址或信箱）。"))
    params = template_def(case.template).parameters
    length, unit = int(params["notice_length"]), str(params["notice_unit"])
    period = notice_period_end(start, length, unit)
    persons = notice_persons(case)
    if not persons:
        out.add("persons", _("没有经讨论决定通过的人选，不能发布任前公示。"))
    candidates = {c.pk: c for c in approved_candidates(case)}
    for person in persons:
        expected = approved_exception(candidates[person["candidate"]]) is not None
        gaps = person_gaps(person, exception_expected=expected)
        if gaps:
            out.add(
                "persons",
                _("%(n)s的公示内容缺少：%(g)s，请先在干部信息中补全。")
                % {"n": person["name"], "g": "、".join(gaps)},
            )
    out.raise_if_any(_("任前公示内容不完整，未发布。"))
    previous = latest_notice(case)
    notice = PublicNotice.objects.create(
        case=case,
        text=text.strip() or _default_text(case, start, period.end, length, unit),
        start=start,
        end=period.end,
        length=length,
        unit=unit,
        calendar_warning=period.warning,
        persons=persons,
        channels=cleaned,
        published_by=actor,
        published_at=timezone.now(),
    )
    journal_record(
        actor=actor,
        event_type=EventType.NOTICE_PUBLISHED,
        subject=notice,
        payload={
            "case": case.pk,
            "start": start,
            "end": period.end,
            "length": length,
            "unit": unit,
            "warning": period.warning,
            "candidates": [p["candidate"] for p in persons],
            "channels": cleaned,
            "content_sha256": _digest({"text": notice.text, "persons": persons}),
            "replaces": previous.pk if previous else None,
        },
    )
    return notice


# ---- attachments --------------------------------------------------------------------


@dataclass(frozen=True)
class _Checked:
    name: str
    content_type: str
    data: bytes
    sha256: str


def _read(upload: Any) -> bytes:
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(MAX_ATTACHMENT_BYTES + 1)
    return bytes(data)


def _check_uploads(files: Sequence[Any], out: ErrorCollector) -> list[_Checked]:
    """Type by extension AND by the file's leading bytes; size at most 5 MB."""
    if len(files) > MAX_ATTACHMENTS:
        out.add("attachments", _("附件最多 %(n)s 个。") % {"n": MAX_ATTACHMENTS})
        return []
    checked = []
    for upload in files:
        name = str(getattr(upload, "name", "") or "").rsplit("/", 1)[-1][-200:]
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        size = getattr(upload, "size", None)
        if ext not in ALLOWED_TYPES:
            out.add(
                "attachments",
                _("附件“%(n)s”的类型不允许：只接受 PDF、JPG、PNG 文件。") % {"n": name},
            )
            continue
        if size is not None and size > MAX_ATTACHMENT_BYTES:
            out.add("attachments", _("附件“%(n)s”超过 5 MB。") % {"n": name})
            continue
        data = _read(upload)
        if len(data) > MAX_ATTACHMENT_BYTES:
            out.add("attachments", _("附件“%(n)s”超过 5 MB。") % {"n": name})
            continue
        content_type, magic = ALLOWED_TYPES[ext]
        if not data.startswith(magic):
            out.add(
                "attachments",
                _("附件“%(n)s”的内容与其类型不符：只接受 PDF、JPG、PNG 文件。") % {"n": name},
            )
            continue
        checked.append(_Checked(name, content_type, data, hashlib.sha256(data).hexdigest()))
    return checked


def _store(report: Report, files: list[_Checked]) -> list[ReportAttachment]:
    """Keep each file under its SHA-256; a file already kept is not written again."""
    rows = []
    for f in files:
        row = ReportAttachment(
            report=report,
            name=f.name,
            content_type=f.content_type,
            size=len(f.data),
            sha256=f.sha256,
        )
        path = attachment_path(row)
        if not default_storage.exists(path):
            saved = default_storage.save(path, ContentFile(f.data))
            if saved != path:  # another request stored the same content meanwhile
                default_storage.delete(saved)
        row.save()
        rows.append(row)
    return rows


# ---- reports ------------------------------------------------------------------------


def _new_receipt() -> str:
    while True:
        receipt = "".join(secrets.choice(RECEIPT_ALPHABET) for _i in range(RECEIPT_LENGTH))
        if not Report.objects.filter(receipt_hash=receipt_hash(receipt)).exists():
            return receipt


def _validate_reporter(
    *, anonymous: bool, name: str, phone: str, out: ErrorCollector
) -> tuple[str, str]:
    if anonymous:
        return "", ""
    name, phone = name.strip(), phone.strip()
    if not name:
        out.add("reporter_name", _("署名举报请填写姓名；不愿留名的请选择匿名举报。"))
    elif len(name) > 30:
        out.add("reporter_name", _("姓名不超过 30 个字。"))
    digits = phone.replace("-", "").replace(" ", "")
    if not (digits.isdigit() and 7 <= len(digits) <= 20):
        out.add("reporter_phone", _("请填写联系电话（7 至 20 位数字），以便反馈查核结果。"))
    return name, phone


def _validate_content(content: str, out: ErrorCollector) -> str:
    content = content.strip()
    if len(content) < 10:
        out.add("content", _("请写明反映的具体问题（至少 10 个字）。"))
    elif len(content) > MAX_CONTENT_CHARS:
        out.add("content", _("举报内容不超过 %(n)s 字。") % {"n": MAX_CONTENT_CHARS})
    return content


def _create_report(
    *,
    actor: Any,
    notice: PublicNotice | None,
    case: Case,
    candidate: Candidate | None,
    about_name: str,
    content: str,
    source: str,
    anonymous: bool,
    reporter_name: str,
    reporter_phone: str,
    files: list[_Checked],
) -> tuple[Report, str]:
    receipt = _new_receipt()
    report = Report.objects.create(
        notice=notice,
        case=case,
        unit=case.unit,
        candidate=candidate,
        about_name=about_name,
        content=content,
        source=source,
        anonymous=anonymous,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        receipt_hash=receipt_hash(receipt),
        registered_by=actor,
        received_at=timezone.now(),
    )
    stored = _store(report, files)
    journal_record(
        actor=actor,
        event_type=EventType.REPORT_RECEIVED,
        subject=report,
        payload={
            "case": case.pk,
            "notice": notice.pk if notice else None,
            "candidate": candidate.pk if candidate else None,
            "source": source,
            "anonymous": anonymous,
            "content_sha256": hashlib.sha256(content.encode()).hexdigest(),
            "attachments": [a.sha256 for a in stored],
        },
    )
    return report, receipt


@transaction.atomic
def report_submit(
    *,
    notice: PublicNotice,
    content: str,
    anonymous: bool,
    client: str,
    candidate_id: int | None = None,
    about_name: str = "",
    reporter_name: str = "",
    reporter_phone: str = "",
    files: Sequence[Any] = (),
) -> tuple[Report, str]:
    """A report from the public page: no login. Returns the report and its
    receipt number, which is shown to the reporter once and kept only as a
    hash. At most REPORT_RATE submissions per client address."""
    REPORT_RATE.check(client, _("提交过于频繁，请一小时后再试。也可拨打公示所列电话或来信反映。"))
    notice = PublicNotice.objects.select_related("case").get(pk=notice.pk)
    current = latest_notice(notice.case)
    on = today()
    if (
        current is None
        or current.pk != notice.pk
        or notice.case.status != CaseStatus.OPEN
        or not notice.start <= on <= notice.end
    ):
        raise Conflict(
            _("该公示不在公示期内，网上举报已关闭。如需反映问题，请通过公示所列电话或来信反映。")
        )
    out = ErrorCollector()
    candidate = None
    if candidate_id is not None:
        person = next((p for p in notice.persons if p.get("candidate") == candidate_id), None)
        if person is None:
            out.add("about", _("请从本公示的拟任人选中选择被反映人。"))
        else:
            candidate = Candidate.objects.filter(pk=candidate_id, case=notice.case).first()
            about_name = person["name"]
    else:
        about_name = about_name.strip()
        if not about_name:
            out.add("about", _("请选择或填写被反映人的姓名。"))
        elif len(about_name) > 30:
            out.add("about_name", _("姓名不超过 30 个字。"))
    content = _validate_content(content, out)
    reporter_name, reporter_phone = _validate_reporter(
        anonymous=anonymous, name=reporter_name, phone=reporter_phone, out=out
    )
    checked = _check_uploads(list(files), out)
    out.raise_if_any(_("举报未提交，请按提示修改。"))
    result = _create_report(
        actor=None,
        notice=notice,
        case=notice.case,
        candidate=candidate,
        about_name=about_name,
        content=content,
        source=ReportSource.ONLINE,
        anonymous=anonymous,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        files=checked,
    )
    REPORT_RATE.count(client)
    return result


@transaction.atomic
def report_register(
    *,
    actor: Any,
    case: Case,
    content: str,
    source: ReportSource | str,
    anonymous: bool,
    candidate: Candidate | None = None,
    about_name: str = "",
    reporter_name: str = "",
    reporter_phone: str = "",
    files: Sequence[Any] = (),
) -> tuple[Report, str]:
    """A report received by letter, phone or visit, registered by the case
    officer against the case (and its notice in force, if any)."""
    require_unit(actor, "supervision.add_report", case.unit)
    out = ErrorCollector()
    if source not in ReportSource.values:
        out.add("source", _("请选择举报来源。"))
    if candidate is not None:
        if candidate.case_id != case.pk:
            out.add("about", _("被反映人不是本事项的人选。"))
        about_name = candidate.cadre.name
    elif not about_name.strip():
        out.add("about", _("请选择或填写被反映人的姓名。"))
    content = _validate_content(content, out)
    reporter_name, reporter_phone = _validate_reporter(
        anonymous=anonymous, name=reporter_name, phone=reporter_phone, out=out
    )
    checked = _check_uploads(list(files), out)
    out.raise_if_any(_("举报未登记，请按提示修改。"))
    return _create_report(
        actor=actor,
        notice=latest_notice(case),
        case=case,
        candidate=candidate,
        about_name=about_name.strip()[:30],
        content=content,
        source=str(source),
        anonymous=anonymous,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        files=checked,
    )


def _locked(report: Report) -> Report:
    return Report.objects.select_for_update(of=("self",)).select_related("unit").get(pk=report.pk)


def _require_assignee(actor: Any, report: Report) -> None:
    # A report is read in its unit's scope: its case's, or for the standing
    # channel the receiving unit or that of what it concerns (decision 0127).
    assert report.unit is not None
    require_unit(actor, INVESTIGATE, report.unit)
    if report.assigned_to_id != actor.pk and not is_unrestricted(actor):
        raise PermissionDenied(_("该举报由他人承办，只有承办人可以调查核实和办结。"))


@transaction.atomic
def report_assign(
    *, actor: Any, report: Report, assignee: Any, joint_with_discipline: bool = False
) -> Report:
    """Give the report to someone who may investigate it (reassigning is
    possible until the investigation starts)."""
    report = _locked(report)
    assert report.unit is not None
    require_unit(actor, "supervision.assign_report", report.unit)
    if report.channel:
        raise Conflict(_("常设渠道的举报咨询须在其办理页面分派，并确定办理期限。"))
    if report.status not in (ReportStatus.REGISTERED, ReportStatus.ASSIGNED):
        raise Conflict(_("该举报%(s)s，不能再分派。") % {"s": report.get_status_display()})
    if (
        assignee is None
        or not has_perm(assignee, INVESTIGATE)
        or not unit_in_scope(assignee, report.unit)
    ):
        raise PermissionDenied(_("承办人须有调查核实举报的权限，且该事项在其管理范围内。"))
    before = report.assigned_to_id
    report.assigned_to = assignee
    report.joint_with_discipline = joint_with_discipline
    report.status = ReportStatus.ASSIGNED
    report.assigned_at = timezone.now()
    report.save(update_fields=["assigned_to", "joint_with_discipline", "status", "assigned_at"])
    journal_record(
        actor=actor,
        event_type=EventType.REPORT_ASSIGNED,
        subject=report,
        payload={
            "case": report.case_id,
            "to": assignee.pk,
            "from": before,
            "joint_with_discipline": joint_with_discipline,
        },
    )
    return report


@transaction.atomic
def report_investigate(*, actor: Any, report: Report, note: str) -> Report:
    """The assignee records the investigation (started, or a further entry).
    Entries are appended, never replaced."""
    report = _locked(report)
    _require_assignee(actor, report)
    if report.status not in (ReportStatus.ASSIGNED, ReportStatus.INVESTIGATING):
        raise Conflict(
            _("该举报%(s)s，不能记录调查核实情况。") % {"s": report.get_status_display()}
        )
    note = note.strip()
    if not note:
        out = ErrorCollector()
        out.add("note", _("请写明调查核实的方式和情况。"))
        out.raise_if_any(_("调查核实情况未记录。"))
    now = timezone.now()
    stamp = timezone.localtime(now).strftime("%Y.%m.%d %H:%M")
    entry = f"[{stamp} {display_name(actor)}] {note}"
    report.investigation_note = (
        f"{report.investigation_note}\n\n{entry}" if report.investigation_note else entry
    )
    if report.status == ReportStatus.ASSIGNED:
        report.status = ReportStatus.INVESTIGATING
        report.investigating_at = now
    report.save(update_fields=["investigation_note", "status", "investigating_at"])
    journal_record(
        actor=actor,
        event_type=EventType.REPORT_INVESTIGATING,
        subject=report,
        payload={"case": report.case_id, "note_sha256": hashlib.sha256(note.encode()).hexdigest()},
    )
    return report


@transaction.atomic
def report_close(
    *,
    actor: Any,
    report: Report,
    finding: Finding | str,
    text: str,
    candidate: Candidate | None = None,
) -> Report:
    """Close with a finding: none (does not affect the appointment), suspend
    or drop. An affecting finding must name the candidate it concerns; the
    public_notice step then suspends or drops that candidate."""
    report = _locked(report)
    _require_assignee(actor, report)
    if report.channel:
        raise Conflict(_("常设渠道的举报咨询须在其办理页面办结。"))
    if report.status != ReportStatus.INVESTIGATING:
        raise Conflict(
            _("该举报%(s)s；须先记录调查核实情况，再办结。") % {"s": report.get_status_display()}
        )
    out = ErrorCollector()
    if finding not in Finding.values:
        out.add("finding", _("请选择查核结论。"))
    if not text.strip():
        out.add("text", _("请写明查核结论的依据。"))
    if candidate is not None and candidate.case_id != report.case_id:
        out.add("candidate", _("所涉人选不是本事项的人选。"))
    target = candidate or report.candidate
    if finding in (Finding.SUSPEND, Finding.DROP) and target is None:
        out.add("candidate", _("影响任用的结论须指明所涉人选。"))
    out.raise_if_any(_("举报未办结。"))
    report.finding = str(finding)
    report.finding_text = text.strip()
    report.candidate = target
    report.status = ReportStatus.CLOSED
    report.closed_by = actor
    report.closed_at = timezone.now()
    report.save(
        update_fields=["finding", "finding_text", "candidate", "status", "closed_by", "closed_at"]
    )
    journal_record(
        actor=actor,
        event_type=EventType.REPORT_CLOSED,
        subject=report,
        payload={
            "case": report.case_id,
            "finding": report.finding,
            "candidate": target.pk if target else None,
            "text_sha256": hashlib.sha256(report.finding_text.encode()).hexdigest(),
        },
    )
    return report
