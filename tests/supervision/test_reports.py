"""Reports (举报): submitted without login with a receipt number kept only as
a hash, rate-limited per client, attachments checked for type and size and
kept by SHA-256; registered → assigned → investigating → closed by the
people whose role allows it; every change journalled without the reporter's
identity.

Cases reach the public_notice step by setting Case.current_step directly,
with APPROVED candidates created through candidate_add (see conftest)."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.supervision.conftest import TODAY
from xuanren.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from xuanren.common.ratelimit import RateLimited
from xuanren.journal.models import Event, EventType
from xuanren.journal.services import journal_verify
from xuanren.procedure.models import Case, CaseStatus
from xuanren.supervision.models import Finding, Report, ReportAttachment, ReportStatus
from xuanren.supervision.selectors import (
    RECEIPT_ALPHABET,
    case_reports,
    format_receipt,
    report_get,
    report_status_lookup,
    running_notices,
)
from xuanren.supervision.services import (
    report_assign,
    report_close,
    report_investigate,
    report_register,
    report_submit,
)

pytestmark = pytest.mark.django_db

CONTENT = "该同志在任职期间存在违规收受礼金的问题，请组织核查。"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"0" * 64


def submit(notice, **kwargs):
    kwargs.setdefault("content", CONTENT)
    kwargs.setdefault("anonymous", True)
    kwargs.setdefault("client", "10.0.0.1")
    return report_submit(notice=notice, **kwargs)


# ---- submission and receipt ---------------------------------------------------------


def test_anonymous_report_with_a_receipt_kept_only_as_a_hash(notice, notice_case):
    report, receipt = submit(notice, candidate_id=notice_case.zhang.pk)
    assert len(receipt) == 12 and set(receipt) <= set(RECEIPT_ALPHABET)
    assert report.receipt_hash == hashlib.sha256(receipt.encode()).hexdigest()
    assert report.candidate == notice_case.zhang
    assert report.about_name == "张伟"
    assert report.status == ReportStatus.REGISTERED
    assert report.registered_by is None
    row = Report.objects.filter(pk=report.pk).values().get()
    assert receipt not in str(row)


def test_receipts_differ(notice, notice_case):
    receipts = {submit(notice, about_name="张伟", client=f"10.0.0.{i}")[1] for i in range(4)}
    assert len(receipts) == 4


def test_status_lookup_by_receipt_says_only_the_status(personas, notice, notice_case):
    report, receipt = submit(notice, candidate_id=notice_case.zhang.pk)
    typed = format_receipt(receipt).lower().replace("0", "o")  # as a person might type it
    status = report_status_lookup(receipt=typed)
    assert status.status == "已受理"
    assert status.received_on == timezone.localdate()
    assert status.closed_on is None
    report_assign(actor=personas.case_officer, report=report, assignee=personas.discipline)
    assert report_status_lookup(receipt=receipt).status == "正在办理"
    report_investigate(actor=personas.discipline, report=report, note="谈话。")
    report_close(
        actor=personas.discipline, report=report, finding=Finding.DROP, text="查实收受礼金。"
    )
    status = report_status_lookup(receipt=receipt)
    assert (status.status, status.closed_on) == ("已办结", timezone.localdate())
    assert set(vars(status)) == {"status", "received_on", "closed_on"}  # never the finding


def test_unknown_receipt_not_found(notice):
    with pytest.raises(NotFound, match="未查到该回执编号"):
        report_status_lookup(receipt="ABCD-EFGH-JKMN")
    with pytest.raises(NotFound):
        report_status_lookup(receipt="short")


def test_named_report_needs_name_and_phone(notice, notice_case):
    with pytest.raises(ValidationFailed) as info:
        submit(notice, candidate_id=notice_case.zhang.pk, anonymous=False)
    assert {e.field for e in info.value.errors} == {"reporter_name", "reporter_phone"}
    report, _r = submit(
        notice,
        candidate_id=notice_case.zhang.pk,
        anonymous=False,
        reporter_name="李明",
        reporter_phone="0571-88001234",
    )
    assert (report.anonymous, report.reporter_name) == (False, "李明")


def test_anonymous_report_keeps_no_identity(notice, notice_case):
    report, _r = submit(notice, about_name="张伟", reporter_name="李明", reporter_phone="123")
    assert (report.reporter_name, report.reporter_phone) == ("", "")


def test_report_must_name_someone_and_say_something(notice, notice_case):
    with pytest.raises(ValidationFailed) as info:
        submit(notice, content="太短")
    assert {e.field for e in info.value.errors} == {"about", "content"}
    with pytest.raises(ValidationFailed) as info:
        submit(notice, candidate_id=999999)
    assert info.value.errors[0].message == "请从本公示的拟任人选中选择被反映人。"


def test_no_online_report_outside_the_notice_period(notice, notice_case, clock):
    clock.day = notice.end + dt.timedelta(1)
    with pytest.raises(Conflict, match="网上举报已关闭"):
        submit(notice, candidate_id=notice_case.zhang.pk)


def test_rate_limited_per_client(notice, notice_case):
    for _i in range(5):
        submit(notice, about_name="张伟", client="203.0.113.9")
    with pytest.raises(RateLimited, match="提交过于频繁"):
        submit(notice, about_name="张伟", client="203.0.113.9")
    submit(notice, about_name="张伟", client="203.0.113.10")  # another client is not affected
    assert Report.objects.count() == 6


def test_invalid_submissions_do_not_use_up_the_allowance(notice, notice_case):
    for _i in range(6):
        with pytest.raises(ValidationFailed):
            submit(notice, content="短", client="203.0.113.9")
    submit(notice, about_name="张伟", client="203.0.113.9")


# ---- attachments --------------------------------------------------------------------


def test_attachments_kept_by_sha256_never_overwritten(notice, notice_case, media_root):
    files = [
        SimpleUploadedFile("照片.png", PNG, content_type="image/png"),
        SimpleUploadedFile("材料.PDF", PDF, content_type="application/pdf"),
    ]
    report, _r = submit(notice, about_name="张伟", files=files)
    rows = list(report.attachments.order_by("id"))
    assert [(a.name, a.content_type, a.size) for a in rows] == [
        ("照片.png", "image/png", len(PNG)),
        ("材料.PDF", "application/pdf", len(PDF)),
    ]
    sha = hashlib.sha256(PNG).hexdigest()
    stored = Path(media_root) / "reports" / sha[:2] / f"{sha}.png"
    assert stored.read_bytes() == PNG
    before = stored.stat().st_mtime_ns
    _again, _r = submit(
        notice, about_name="张伟", files=[SimpleUploadedFile("再次.png", PNG)], client="10.0.0.2"
    )
    assert stored.stat().st_mtime_ns == before  # the same content is not written again
    assert list((Path(media_root) / "reports" / sha[:2]).iterdir()) == [stored]
    assert ReportAttachment.objects.filter(sha256=sha).count() == 2


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("病毒.exe", b"MZ" + b"\x00" * 10, "类型不允许"),
        ("说明.docx", b"PK\x03\x04", "类型不允许"),
        ("伪装.pdf", b"MZ" + b"\x00" * 10, "内容与其类型不符"),
        ("伪装.jpg", PNG, "内容与其类型不符"),
        ("太大.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024), "超过 5 MB"),
    ],
)
def test_attachment_type_and_size_refused(notice, notice_case, name, data, message):
    with pytest.raises(ValidationFailed) as info:
        submit(notice, about_name="张伟", files=[SimpleUploadedFile(name, data)])
    assert info.value.errors[0].field == "attachments"
    assert message in info.value.errors[0].message
    assert not Report.objects.exists()


def test_at_most_five_attachments(notice, notice_case):
    files = [SimpleUploadedFile(f"{i}.png", PNG) for i in range(6)]
    with pytest.raises(ValidationFailed, match="举报未提交"):
        submit(notice, about_name="张伟", files=files)


# ---- handling -----------------------------------------------------------------------


def test_assign_investigate_close_by_their_roles(personas, notice, notice_case):
    report, _r = submit(notice, candidate_id=notice_case.zhang.pk)
    with pytest.raises(PermissionDenied):  # the discipline commission does not assign
        report_assign(actor=personas.discipline, report=report, assignee=personas.discipline)
    with pytest.raises(PermissionDenied, match="承办人须有调查核实举报的权限"):
        report_assign(actor=personas.case_officer, report=report, assignee=personas.other_unit_hr)
    report = report_assign(
        actor=personas.case_officer,
        report=report,
        assignee=personas.discipline,
        joint_with_discipline=True,
    )
    assert (report.status, report.assigned_to, report.joint_with_discipline) == (
        ReportStatus.ASSIGNED,
        personas.discipline,
        True,
    )
    with pytest.raises(Conflict, match="须先记录调查核实情况"):
        report_close(actor=personas.discipline, report=report, finding="none", text="无。")
    with pytest.raises(PermissionDenied):  # case officers do not investigate
        report_investigate(actor=personas.case_officer, report=report, note="谈话。")
    report = report_investigate(actor=personas.discipline, report=report, note="谈话 3 人。")
    report = report_investigate(actor=personas.discipline, report=report, note="调阅账目。")
    assert report.status == ReportStatus.INVESTIGATING
    assert "谈话 3 人。" in report.investigation_note and "调阅账目。" in report.investigation_note
    with pytest.raises(Conflict, match="不能再分派"):
        report_assign(actor=personas.case_officer, report=report, assignee=personas.discipline)
    with pytest.raises(ValidationFailed) as info:
        report_close(actor=personas.discipline, report=report, finding="maybe", text="")
    assert {e.field for e in info.value.errors} == {"finding", "text"}
    report = report_close(
        actor=personas.discipline, report=report, finding=Finding.SUSPEND, text="有待进一步核实。"
    )
    assert (report.status, report.finding, report.closed_by) == (
        ReportStatus.CLOSED,
        Finding.SUSPEND,
        personas.discipline,
    )
    events = list(
        Event.objects.filter(subject_type="supervision.report", subject_id=str(report.pk))
        .order_by("id")
        .values_list("event_type", flat=True)
    )
    assert events == [
        EventType.REPORT_RECEIVED,
        EventType.REPORT_ASSIGNED,
        EventType.REPORT_INVESTIGATING,
        EventType.REPORT_INVESTIGATING,
        EventType.REPORT_CLOSED,
    ]
    assert journal_verify().ok


def test_only_the_assignee_investigates(personas, notice, notice_case):
    from tests.conftest import make_user
    from xuanren.access.models import Role

    colleague = make_user("jiwei2", Role.DISCIPLINE_COMMISSION, personas.discipline.scope.unit)
    report, _r = submit(notice, candidate_id=notice_case.zhang.pk)
    report_assign(actor=personas.case_officer, report=report, assignee=personas.discipline)
    with pytest.raises(PermissionDenied, match="只有承办人"):
        report_investigate(actor=colleague, report=report, note="谈话。")


def test_an_affecting_finding_names_the_candidate(personas, notice, notice_case):
    report, _r = submit(notice, about_name="某某某")
    report_assign(actor=personas.case_officer, report=report, assignee=personas.discipline)
    report_investigate(actor=personas.discipline, report=report, note="谈话。")
    with pytest.raises(ValidationFailed) as info:
        report_close(actor=personas.discipline, report=report, finding=Finding.DROP, text="属实。")
    assert info.value.errors[0].message == "影响任用的结论须指明所涉人选。"
    report_close(actor=personas.discipline, report=report, finding=Finding.NONE, text="查无此人。")


def test_the_journal_keeps_no_reporter_identity_or_text(personas, notice, notice_case):
    submit(
        notice,
        candidate_id=notice_case.zhang.pk,
        anonymous=False,
        reporter_name="李明",
        reporter_phone="13900001111",
    )
    (event,) = Event.objects.filter(event_type=EventType.REPORT_RECEIVED)
    text = str(event.payload)
    assert "李明" not in text and "13900001111" not in text and CONTENT not in text
    assert event.payload["content_sha256"] == hashlib.sha256(CONTENT.encode()).hexdigest()
    assert event.actor_label == "system"


def test_officer_registers_a_letter(personas, notice, notice_case):
    report, receipt = report_register(
        actor=personas.case_officer,
        case=notice_case.case,
        candidate=notice_case.wang,
        content="来信反映该同志长期不在岗，请核实。",
        source="letter",
        anonymous=True,
    )
    assert (report.source, report.notice, report.registered_by) == (
        "letter",
        notice,
        personas.case_officer,
    )
    assert report_status_lookup(receipt=receipt).status == "已受理"
    with pytest.raises(PermissionDenied):
        report_register(
            actor=personas.discipline,
            case=notice_case.case,
            about_name="王芳",
            content="来信反映该同志长期不在岗，请核实。",
            source="letter",
            anonymous=True,
        )


# ---- reads --------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["outsider", "other_unit_hr", "committee_member"])
def test_reports_are_read_only_by_officers_and_the_discipline_commission(
    personas, notice, notice_case, who
):
    report, _r = submit(notice, about_name="张伟")
    actor = getattr(personas, who)
    with pytest.raises(PermissionDenied):
        case_reports(actor=actor, case=notice_case.case)
    with pytest.raises(PermissionDenied):
        report_get(actor=actor, pk=report.pk)
    for reader in (personas.case_officer, personas.discipline):
        assert list(case_reports(actor=reader, case=notice_case.case)) == [report]


def test_running_notices_only(personas, notice, notice_case):
    assert running_notices() == [notice]
    assert running_notices(on=TODAY - dt.timedelta(days=1)) == []  # not started
    assert running_notices(on=notice.end) == [notice]
    assert running_notices(on=notice.end + dt.timedelta(days=1)) == []  # ended
    Case.objects.filter(pk=notice_case.case.pk).update(status=CaseStatus.ABANDONED)
    assert running_notices() == []
