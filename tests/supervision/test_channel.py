"""The standing reporting and consultation channel (docs/decisions/0127–0129):
public submission and office registration, linking, assignment with a
deadline, investigation, the reply and the close; each refusal changes
nothing; the inbox's filters and counts, 待办, and the demo entries."""

from __future__ import annotations

import datetime as dt
import hashlib
import types
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import make_user
from tests.supervision.conftest import TODAY
from xuanren.access.models import Role
from xuanren.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from xuanren.common.ratelimit import RateLimited
from xuanren.journal.models import Event, EventType
from xuanren.journal.services import journal_verify
from xuanren.procedure.guards.notice import reports_closed
from xuanren.procedure.todo import TodoKind, todo_for
from xuanren.supervision.channel_selectors import (
    ChannelFilters,
    cadre_reports,
    case_channel_reports,
    channel_counts,
    channel_inbox,
    link_targets,
)
from xuanren.supervision.channel_services import (
    channel_assign,
    channel_close,
    channel_link,
    channel_register,
    channel_reply,
    channel_submit,
)
from xuanren.supervision.models import Finding, Report, ReportKind, ReportStatus
from xuanren.supervision.selectors import ChannelStatus, report_status_lookup
from xuanren.supervision.services import report_assign, report_investigate

pytestmark = pytest.mark.django_db

CONTENT = "反映该同志在乡镇工作期间违规收受下属礼金，请组织核查。"
QUESTION = "请问乡科级副职晋升需要满足哪些任职年限条件？"


def submit(**kwargs: Any) -> tuple[Report, str]:
    kwargs.setdefault("kind", ReportKind.REPORT)
    kwargs.setdefault("content", CONTENT)
    kwargs.setdefault("anonymous", True)
    kwargs.setdefault("about_name", "张某")
    kwargs.setdefault("client", "10.0.0.1")
    return channel_submit(**kwargs)


def register(actor: Any, **kwargs: Any) -> Report:
    kwargs.setdefault("kind", ReportKind.REPORT)
    kwargs.setdefault("source", "phone")
    kwargs.setdefault("content", CONTENT)
    kwargs.setdefault("anonymous", False)
    kwargs.setdefault("about_name", "张某")
    kwargs.setdefault("reporter_name", "李明")
    kwargs.setdefault("reporter_phone", "13805710001")
    report, _receipt = channel_register(actor=actor, **kwargs)
    return report


def fields(report: Report) -> tuple[Any, ...]:
    report.refresh_from_db()
    return (
        report.status,
        report.assigned_to_id,
        report.due_on,
        report.reply_text,
        report.finding,
        report.cadre_id,
        report.case_id,
    )


# ---- submission and registration ----------------------------------------------------


def test_public_report_is_received_with_a_receipt_kept_as_a_hash(personas, county):
    report, receipt = submit(anonymous=False, reporter_name="李明", reporter_phone="13805710001")
    assert report.channel and report.case is None and report.unit == county.root
    assert report.kind == ReportKind.REPORT and report.source == "online"
    assert report.status == ReportStatus.REGISTERED and report.registered_by is None
    assert report.receipt_hash == hashlib.sha256(receipt.encode()).hexdigest()
    event = Event.objects.get(event_type=EventType.REPORT_RECEIVED)
    body = str(event.payload)
    assert event.payload["channel"] is True and event.payload["kind"] == "report"
    assert "李明" not in body and "13805710001" not in body and CONTENT not in body
    assert journal_verify().ok


def test_public_consultation_needs_no_name_but_a_report_does(personas, county):
    consultation, _r = submit(kind=ReportKind.CONSULTATION, content=QUESTION, about_name="")
    assert consultation.kind == ReportKind.CONSULTATION and consultation.about_name == ""
    with pytest.raises(ValidationFailed) as exc:
        submit(about_name="")
    assert exc.value.errors[0].field == "about_name"
    with pytest.raises(ValidationFailed):
        submit(kind="complaint")
    with pytest.raises(ValidationFailed):
        submit(content="x" * 5001)
    with pytest.raises(ValidationFailed):
        submit(files=[SimpleUploadedFile("a.exe", b"MZ" + b"0" * 10)])
    with pytest.raises(ValidationFailed):  # a PNG that is not one
        submit(files=[SimpleUploadedFile("a.png", b"%PDF-1.7 not a png")])
    assert Report.objects.count() == 1


def test_public_submissions_are_rate_limited_per_client(personas, county, settings):
    settings.XUANREN_REPORT_RATE = (2, 3600)
    submit()
    submit()
    with pytest.raises(RateLimited):
        submit()
    submit(client="10.0.0.2")
    assert Report.objects.count() == 3


def test_office_registers_a_call_in_its_scope(personas, county):
    report = register(personas.case_officer, received_on=TODAY - dt.timedelta(days=3))
    assert report.channel and report.unit == county.root and report.source == "phone"
    assert report.registered_by == personas.case_officer
    assert report.received_at.date() == TODAY - dt.timedelta(days=3)
    town_officer = make_user("town_officer", Role.CASE_OFFICER, county.town)
    assert register(town_officer).unit == county.town


def test_register_refusals_change_nothing(personas, county):
    officer = personas.case_officer
    with pytest.raises(ValidationFailed) as exc:
        register(officer, source="online")
    assert exc.value.errors[0].field == "source"
    with pytest.raises(ValidationFailed):
        register(officer, received_on=TODAY + dt.timedelta(days=1))
    with pytest.raises(ValidationFailed):  # a named entry needs a phone
        register(officer, reporter_phone="")
    for actor in (personas.committee_member, personas.discipline, personas.outsider):
        with pytest.raises(PermissionDenied):
            register(actor)
    assert Report.objects.count() == 0


# ---- links --------------------------------------------------------------------------


def test_link_to_a_cadre_and_a_case_in_scope(personas, county, make_cadre, notice_case):
    officer = personas.case_officer
    cadre = make_cadre(county.town_office, name="赵强")
    report = register(officer)
    found_cadre, found_case = link_targets(
        actor=officer, cadre_text="赵强", case_number=notice_case.case.number
    )
    channel_link(actor=officer, report=report, cadre=found_cadre, case=found_case)
    report.refresh_from_db()
    assert report.cadre == cadre and report.case == notice_case.case
    event = Event.objects.filter(event_type=EventType.REPORT_LINKED).get()
    assert event.payload["cadre"] == cadre.pk
    assert cadre_reports(actor=officer, cadre=cadre) == [report]
    assert case_channel_reports(actor=personas.discipline, case=notice_case.case) == [report]
    # those who may not read reports learn nothing
    assert cadre_reports(actor=personas.committee_member, cadre=cadre) == []
    assert case_channel_reports(actor=personas.committee_member, case=notice_case.case) == []


def test_link_refusals(personas, county, make_cadre):
    officer = personas.case_officer
    make_cadre(county.town_office, name="赵强")
    make_cadre(county.finance, name="赵强")
    outside = make_cadre(county.other_town, name="钱进")
    report = register(officer)
    with pytest.raises(ValidationFailed) as exc:
        link_targets(actor=officer, cadre_text="赵强", case_number="")
    assert "同名" in exc.value.errors[0].message
    with pytest.raises(ValidationFailed):
        link_targets(actor=officer, cadre_text="", case_number="NO-SUCH")
    town_officer = make_user("town_officer", Role.CASE_OFFICER, county.town)
    own = register(town_officer)
    with pytest.raises(NotFound):  # another township's cadre
        channel_link(actor=town_officer, report=own, cadre=outside, case=None)
    with pytest.raises(NotFound):  # an entry outside the town officer's scope
        channel_link(actor=town_officer, report=report, cadre=None, case=None)
    with pytest.raises(PermissionDenied):  # reads reports, does not register them
        channel_link(actor=personas.discipline, report=report, cadre=None, case=None)
    assert fields(report)[5:] == (None, None) and fields(own)[5:] == (None, None)


# ---- workflow -----------------------------------------------------------------------


def test_named_report_assigned_investigated_replied_and_closed(personas, county):
    officer, jiwei = personas.case_officer, personas.discipline
    report = register(officer)
    report = channel_assign(actor=officer, report=report, assignee=jiwei)
    assert report.status == ReportStatus.ASSIGNED
    assert report.due_on == TODAY + dt.timedelta(days=60)  # the default, decision 0128
    with pytest.raises(Conflict):  # a report is investigated before it is answered
        channel_reply(
            actor=jiwei, report=report, text="已查清", replied_on=TODAY, reply_channel="phone"
        )
    report = report_investigate(actor=jiwei, report=report, note="约谈知情人。")
    assert report.status == ReportStatus.INVESTIGATING
    with pytest.raises(Conflict):  # a named reporter is answered before closing
        channel_close(actor=jiwei, report=report, finding=Finding.UNFOUNDED, text="不实")
    report = channel_reply(
        actor=jiwei,
        report=report,
        text="经核实，反映不实。",
        replied_on=TODAY,
        reply_channel="phone",
    )
    assert report.status == ReportStatus.REPLIED and report.replied_by == jiwei
    with pytest.raises(ValidationFailed):  # a report is not "answered"
        channel_close(actor=jiwei, report=report, finding=Finding.ANSWERED, text="x")
    report = channel_close(actor=jiwei, report=report, finding=Finding.UNFOUNDED, text="查无实据")
    assert report.status == ReportStatus.CLOSED and report.closed_by == jiwei
    kinds = list(Event.objects.order_by("id").values_list("event_type", flat=True))
    assert kinds[-5:] == [
        EventType.REPORT_RECEIVED,
        EventType.REPORT_ASSIGNED,
        EventType.REPORT_INVESTIGATING,
        EventType.REPORT_REPLIED,
        EventType.REPORT_CLOSED,
    ]
    replied = Event.objects.get(event_type=EventType.REPORT_REPLIED)
    assert "经核实" not in str(replied.payload)
    assert journal_verify().ok


def test_consultation_answered_by_the_office_at_once(personas, county):
    officer = personas.case_officer
    report = register(officer, kind=ReportKind.CONSULTATION, content=QUESTION, about_name="")
    report = channel_assign(actor=officer, report=report, assignee=officer)
    report = channel_reply(
        actor=officer, report=report, text="已电话解答。", replied_on=TODAY, reply_channel="phone"
    )
    report = channel_close(actor=officer, report=report, finding=Finding.ANSWERED, text="已解答")
    assert report.status == ReportStatus.CLOSED


def test_anonymous_report_gets_no_reply_and_closes_after_investigation(personas, county):
    officer, jiwei = personas.case_officer, personas.discipline
    report, receipt = submit()
    channel_assign(actor=officer, report=report, assignee=jiwei)
    report_investigate(actor=jiwei, report=report, note="调阅档案。")
    with pytest.raises(Conflict):
        channel_reply(
            actor=jiwei, report=report, text="答复", replied_on=TODAY, reply_channel="phone"
        )
    channel_close(actor=jiwei, report=report, finding=Finding.PARTLY, text="部分属实")
    status = report_status_lookup(receipt=receipt)
    assert isinstance(status, ChannelStatus)
    assert status.status == "已办结" and status.reply_text == "" and status.replied_on is None


def test_status_lookup_shows_the_reply_never_the_finding(personas, county):
    officer = personas.case_officer
    report, receipt = submit(kind=ReportKind.CONSULTATION, content=QUESTION, about_name="")
    channel_assign(actor=officer, report=report, assignee=officer)
    assert report_status_lookup(receipt=receipt).status == "正在办理"
    channel_reply(
        actor=officer, report=report, text="可以报名。", replied_on=TODAY, reply_channel="sms"
    )
    status = report_status_lookup(receipt=receipt)
    assert isinstance(status, ChannelStatus)
    assert status.status == "已答复" and status.reply_text == "可以报名。"
    assert status.replied_on == TODAY and status.kind == "咨询"
    assert set(vars(status)) == {
        "status",
        "received_on",
        "closed_on",
        "kind",
        "reply_text",
        "replied_on",
    }


def test_assign_refusals_change_nothing(personas, county):
    officer, jiwei = personas.case_officer, personas.discipline
    report = register(officer)
    before = fields(report)
    with pytest.raises(PermissionDenied):  # the office does not investigate reports
        channel_assign(actor=officer, report=report, assignee=officer)
    with pytest.raises(PermissionDenied):  # jiwei does not assign
        channel_assign(actor=jiwei, report=report, assignee=jiwei)
    town_jiwei = make_user("town_jiwei", Role.DISCIPLINE_COMMISSION, county.town)
    with pytest.raises(PermissionDenied):  # the entry is outside the assignee's scope
        channel_assign(actor=officer, report=report, assignee=town_jiwei)
    with pytest.raises(ValidationFailed):
        channel_assign(
            actor=officer, report=report, assignee=jiwei, due_on=TODAY - dt.timedelta(days=1)
        )
    with pytest.raises(ValidationFailed):
        channel_assign(
            actor=officer, report=report, assignee=jiwei, due_on=TODAY + dt.timedelta(days=400)
        )
    town_officer = make_user("town_officer", Role.CASE_OFFICER, county.town)
    with pytest.raises(NotFound):
        channel_assign(actor=town_officer, report=report, assignee=jiwei)
    with pytest.raises(PermissionDenied):
        channel_assign(actor=personas.outsider, report=report, assignee=jiwei)
    with pytest.raises(Conflict):  # the notice reports' service is not the channel's
        report_assign(actor=officer, report=report, assignee=jiwei)
    assert fields(report) == before


def test_only_the_assignee_replies_and_closes(personas, county):
    officer, jiwei = personas.case_officer, personas.discipline
    other_jiwei = make_user("jiwei2", Role.DISCIPLINE_COMMISSION, county.root)
    report = register(officer)
    channel_assign(actor=officer, report=report, assignee=jiwei)
    report_investigate(actor=jiwei, report=report, note="约谈。")
    before = fields(report)
    with pytest.raises(PermissionDenied):
        channel_reply(
            actor=other_jiwei, report=report, text="x", replied_on=TODAY, reply_channel="phone"
        )
    with pytest.raises(PermissionDenied):
        channel_close(actor=other_jiwei, report=report, finding=Finding.TRUE, text="x")
    with pytest.raises(ValidationFailed):
        channel_reply(actor=jiwei, report=report, text="", replied_on=TODAY, reply_channel="fax")
    with pytest.raises(ValidationFailed):
        channel_reply(
            actor=jiwei,
            report=report,
            text="x",
            replied_on=TODAY + dt.timedelta(days=1),
            reply_channel="phone",
        )
    with pytest.raises(ValidationFailed):
        channel_reply(
            actor=jiwei, report=report, text="x" * 2001, replied_on=TODAY, reply_channel="phone"
        )
    assert fields(report) == before


def test_closed_entry_cannot_be_reassigned_or_relinked(personas, county):
    officer = personas.case_officer
    report = register(officer, kind=ReportKind.CONSULTATION, content=QUESTION)
    channel_assign(actor=officer, report=report, assignee=officer)
    channel_reply(actor=officer, report=report, text="答", replied_on=TODAY, reply_channel="phone")
    channel_close(actor=officer, report=report, finding=Finding.ANSWERED, text="已解答")
    with pytest.raises(Conflict):
        channel_assign(actor=officer, report=report, assignee=officer)
    with pytest.raises(Conflict):
        channel_link(actor=officer, report=report, cadre=None, case=None)


def test_a_linked_report_bars_the_notice_step_a_consultation_does_not(personas, notice_case):
    officer = personas.case_officer
    consultation = register(officer, kind=ReportKind.CONSULTATION, content=QUESTION)
    channel_link(actor=officer, report=consultation, cadre=None, case=notice_case.case)
    ctx = types.SimpleNamespace(case=notice_case.case)
    assert reports_closed(ctx) == []  # type: ignore[arg-type]
    report = register(officer)
    channel_link(actor=officer, report=report, cadre=None, case=notice_case.case)
    assert len(reports_closed(ctx)) == 1  # type: ignore[arg-type]


# ---- inbox, counts, 待办 -------------------------------------------------------------


@pytest.fixture
def entries(personas: Any, county: Any, clock: Any) -> dict[str, Report]:
    """Four entries: waiting, an overdue report, a consultation, a closed one."""
    officer, jiwei = personas.case_officer, personas.discipline
    waiting, _r = submit()
    clock.day = TODAY - dt.timedelta(days=70)
    late = register(officer, source="letter")
    channel_assign(actor=officer, report=late, assignee=jiwei)
    clock.day = TODAY
    asking = register(officer, kind=ReportKind.CONSULTATION, content=QUESTION, source="visit")
    channel_assign(actor=officer, report=asking, assignee=officer)
    done = register(officer, kind=ReportKind.CONSULTATION, content=QUESTION)
    channel_assign(actor=officer, report=done, assignee=officer)
    channel_reply(actor=officer, report=done, text="答", replied_on=TODAY, reply_channel="phone")
    channel_close(actor=officer, report=done, finding=Finding.ANSWERED, text="已解答")
    return {"waiting": waiting, "late": late, "asking": asking, "done": done}


def test_inbox_filters_and_counts(personas, county, entries):
    jiwei = personas.discipline

    def ids(**f: Any) -> set[int]:
        return {r.pk for r in channel_inbox(actor=jiwei, filters=ChannelFilters(**f))}

    assert ids() == {r.pk for r in entries.values()}
    assert ids(overdue=True) == {entries["late"].pk}
    assert ids(source="visit") == {entries["asking"].pk}
    assert ids(kind="consultation") == {entries["asking"].pk, entries["done"].pk}
    assert ids(status="closed") == {entries["done"].pk}
    assert ids(mine=True) == {entries["late"].pk}
    assert ids(status="bogus") == ids()  # an unknown value reads as "any"
    counts = channel_counts(actor=jiwei)
    assert counts.total == 4 and counts.overdue == 1 and counts.mine == 1
    assert counts.by_status["registered"] == 1 and counts.by_status["closed"] == 1
    assert counts.by_source == {"online": 1, "letter": 1, "phone": 1, "visit": 1}
    assert counts.by_kind == {"report": 2, "consultation": 2}
    # out of scope and without the permission
    town_jiwei = make_user("town_jiwei", Role.DISCIPLINE_COMMISSION, county.town)
    assert list(channel_inbox(actor=town_jiwei)) == []
    with pytest.raises(PermissionDenied):
        channel_inbox(actor=personas.committee_member)


def test_inbox_and_counts_query_counts(personas, county, entries):
    jiwei = type(personas.discipline).objects.get(pk=personas.discipline.pk)
    with CaptureQueriesContext(connection) as ctx:
        listed = list(channel_inbox(actor=jiwei))
        names = [r.assigned_to for r in listed]
        channel_counts(actor=jiwei)
    assert len(names) == 4
    # permissions (user, groups), scope, the list, the counts
    assert len(ctx.captured_queries) == 5


def test_assign_query_count(personas, county):
    officer = type(personas.case_officer).objects.get(pk=personas.case_officer.pk)
    jiwei = type(personas.discipline).objects.get(pk=personas.discipline.pk)
    report = register(officer)
    officer.has_perm("supervision.assign_report")  # the permission caches filled
    jiwei.has_perm("supervision.investigate_report")
    with CaptureQueriesContext(connection) as ctx:
        channel_assign(actor=officer, report=report, assignee=jiwei)
    # two savepoints, the lock, the assignee's scope, the update; the journal:
    # its savepoint, head lock, event insert and hash, head update, release
    assert len(ctx.captured_queries) == 11


def test_todo_lists_waiting_and_due_entries(personas, county, entries):
    officer, jiwei = personas.case_officer, personas.discipline
    jiwei_items = [i for i in todo_for(actor=jiwei) if i.kind == TodoKind.CHANNEL_DUE]
    assert len(jiwei_items) == 1
    [late] = jiwei_items
    entries["late"].refresh_from_db()
    assert late.due == entries["late"].due_on and late.overdue(TODAY)
    assert late.link.endswith(f"/manage/channel/{entries['late'].pk}/")
    officer_items = todo_for(actor=officer)
    kinds = [i.kind for i in officer_items]
    assert kinds.count(TodoKind.CHANNEL_TO_ASSIGN) == 1
    assert kinds.count(TodoKind.CHANNEL_DUE) == 1  # the consultation the office answers
    assert not [i for i in todo_for(actor=personas.committee_member) if "channel" in i.kind]


# ---- demo ---------------------------------------------------------------------------


def test_demo_entries_of_each_source_in_various_states(personas, county, make_cadre):
    from xuanren.synth.channel import build_channel_demo

    for name in ("甲一", "乙二", "丙三"):
        make_cadre(county.town_office, name=name)
    made = build_channel_demo(
        officer=personas.case_officer, jiwei=personas.discipline, root=county.root, on=TODAY
    )
    assert made == 48
    for source in ("online", "letter", "phone", "visit"):
        assert Report.objects.filter(channel=True, source=source).count() == 12
    statuses = set(Report.objects.values_list("status", flat=True))
    assert statuses == set(ReportStatus.values)
    assert channel_counts(actor=personas.discipline).overdue > 0
    assert Report.objects.filter(cadre__isnull=False).exists()
    assert (
        build_channel_demo(
            officer=personas.case_officer, jiwei=personas.discipline, root=county.root, on=TODAY
        )
        == 0
    )
    assert journal_verify().ok
