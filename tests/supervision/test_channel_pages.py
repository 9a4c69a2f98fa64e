"""The standing channel's pages and API (docs/decisions/0127–0129): the public
form and the status look-up, the office's inbox, register and entry pages,
the links on the cadre and case pages, and /api/v1/channel/; each refusal
with its exact status and nothing changed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.conftest import make_user
from tests.supervision.conftest import TODAY
from xuanren.access.models import AccessRecord, Role
from xuanren.supervision.channel_services import (
    channel_assign,
    channel_link,
    channel_register,
    channel_reply,
)
from xuanren.supervision.models import Report, ReportKind, ReportStatus
from xuanren.supervision.services import report_investigate

pytestmark = pytest.mark.django_db

CONTENT = "反映该同志在乡镇工作期间违规收受下属礼金，请组织核查。"


def client_for(user: Any = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def named_entry(personas: Any, **kwargs: Any) -> Report:
    kwargs.setdefault("kind", ReportKind.REPORT)
    report, _receipt = channel_register(
        actor=personas.case_officer,
        source="letter",
        content=CONTENT,
        anonymous=False,
        about_name="张某",
        reporter_name="李明",
        reporter_phone="13805710001",
        **kwargs,
    )
    return report


def state(report: Report) -> tuple[Any, ...]:
    report.refresh_from_db()
    return (report.status, report.assigned_to_id, report.due_on, report.cadre_id, report.reply_text)


# ---- public ---------------------------------------------------------------------------


def test_public_form_receipt_shown_once_and_status_with_reply(personas, county):
    anonymous = client_for()
    page = anonymous.get(reverse("supervision:channel_public"))
    assert page.status_code == 200 and "举报和咨询" in page.content.decode()
    sent = anonymous.post(
        reverse("supervision:channel_public"),
        {
            "kind": "consultation",
            "content": "请问乡科级副职晋升需要满足哪些任职年限条件？",
            "identity": "anonymous",
        },
    )
    assert sent.status_code == 302 and sent["Location"] == reverse("supervision:receipt")
    receipt_page = anonymous.get(reverse("supervision:receipt")).content.decode()
    number = receipt_page.split('id="receipt-number">')[1].split("<")[0]
    assert len(number) == 14
    assert (
        'id="receipt-number"' not in anonymous.get(reverse("supervision:receipt")).content.decode()
    )
    entry = Report.objects.get()
    assert entry.channel and entry.kind == "consultation" and entry.unit == county.root
    officer = personas.case_officer
    channel_assign(actor=officer, report=entry, assignee=officer)
    channel_reply(
        actor=officer, report=entry, text="可以报名参加。", replied_on=TODAY, reply_channel="sms"
    )
    status = anonymous.post(reverse("supervision:status"), {"receipt": number})
    body = status.content.decode()
    assert status.status_code == 200 and "已答复" in body and "可以报名参加。" in body


def test_public_form_refusals(personas, county, settings):
    anonymous = client_for()
    url = reverse("supervision:channel_public")
    missing = anonymous.post(url, {"kind": "report", "content": CONTENT, "identity": "anonymous"})
    assert missing.status_code == 422 and "被反映人" in missing.content.decode()
    too_long = anonymous.post(
        url,
        {"kind": "report", "about_name": "张某", "content": "x" * 6000, "identity": "anonymous"},
    )
    assert too_long.status_code == 422
    bad_file = anonymous.post(
        url,
        {
            "kind": "report",
            "about_name": "张某",
            "content": CONTENT,
            "identity": "anonymous",
            "attachments": [SimpleUploadedFile("a.png", b"not a png at all")],
        },
    )
    assert bad_file.status_code == 422
    named_without_phone = anonymous.post(
        url,
        {
            "kind": "report",
            "about_name": "张某",
            "content": CONTENT,
            "identity": "named",
            "reporter_name": "李明",
        },
    )
    assert named_without_phone.status_code == 422
    assert Report.objects.count() == 0
    settings.XUANREN_REPORT_RATE = (1, 3600)
    ok = {"kind": "report", "about_name": "张某", "content": CONTENT, "identity": "anonymous"}
    assert anonymous.post(url, ok).status_code == 302
    assert anonymous.post(url, ok).status_code == 429
    assert Report.objects.count() == 1


# ---- the office's pages ---------------------------------------------------------------


def test_inbox_filters_counts_and_who_may_open_it(personas, county):
    entry = named_entry(personas)
    url = reverse("supervision:channel_inbox")
    for user in (personas.case_officer, personas.discipline):
        page = client_for(user).get(url)
        body = page.content.decode()
        assert page.status_code == 200 and "共 1 件" in body
        assert reverse("supervision:channel_entry", args=[entry.pk]) in body
        assert "李明" not in body  # the list never names the reporter
    filtered = client_for(personas.discipline).get(url, {"overdue": "on", "source": "zzz"})
    assert filtered.status_code == 200 and "没有符合条件的举报咨询" in filtered.content.decode()
    assert client_for(personas.committee_member).get(url).status_code == 403
    assert client_for(personas.outsider).get(url).status_code == 403
    assert client_for().get(url).status_code == 302  # to the login page


def test_register_page_shows_the_receipt_once(personas, county):
    officer = client_for(personas.case_officer)
    url = reverse("supervision:channel_new")
    assert officer.get(url).status_code == 200
    done = officer.post(
        url,
        {
            "kind": "report",
            "source": "phone",
            "about_name": "张某",
            "content": CONTENT,
            "identity": "anonymous",
        },
    )
    entry = Report.objects.get()
    assert done.status_code == 302
    assert done["Location"] == reverse("supervision:channel_entry", args=[entry.pk])
    first = officer.get(done["Location"]).content.decode()
    assert 'id="receipt-number"' in first
    assert 'id="receipt-number"' not in officer.get(done["Location"]).content.decode()
    bad = officer.post(url, {"kind": "report", "source": "online", "content": CONTENT})
    assert bad.status_code == 422
    assert client_for(personas.discipline).get(url).status_code == 403
    assert client_for(personas.committee_member).post(url, {}).status_code == 403
    assert Report.objects.count() == 1


def test_entry_page_workflow_through_the_forms(personas, county, make_cadre):
    cadre = make_cadre(county.town_office, name="赵强")
    entry = named_entry(personas)
    url = reverse("supervision:channel_entry", args=[entry.pk])
    officer = client_for(personas.case_officer)
    page = officer.get(url)
    assert page.status_code == 200 and "李明" in page.content.decode()
    assert AccessRecord.objects.filter(subject_id=str(entry.pk)).exists()
    linked = officer.post(url, {"action": "link", "cadre": "赵强", "case": ""})
    assert linked.status_code == 302
    due = TODAY + dt.timedelta(days=10)
    assigned = officer.post(
        url, {"action": "assign", "assignee": personas.discipline.pk, "due_on": due}
    )
    assert assigned.status_code == 302
    assert state(entry)[:4] == (ReportStatus.ASSIGNED, personas.discipline.pk, due, cadre.pk)
    jiwei = client_for(personas.discipline)
    assert jiwei.post(url, {"action": "investigate", "note": "约谈。"}).status_code == 302
    replied = jiwei.post(
        url,
        {"action": "reply", "text": "经核实不实。", "replied_on": TODAY, "reply_channel": "phone"},
    )
    assert replied.status_code == 302
    closed = jiwei.post(url, {"action": "close", "finding": "unfounded", "text": "查无实据。"})
    assert closed.status_code == 302
    assert state(entry)[0] == ReportStatus.CLOSED
    # the old report page sends a channel entry to its own page
    old = officer.get(reverse("supervision:report", args=[entry.pk]))
    assert old.status_code == 302 and old["Location"] == url


def test_entry_page_attacks_change_nothing(personas, county):
    entry = named_entry(personas)
    url = reverse("supervision:channel_entry", args=[entry.pk])
    before = state(entry)
    town_officer = make_user("town_officer", Role.CASE_OFFICER, county.town)
    assert client_for(town_officer).get(url).status_code == 404
    post = {"action": "assign", "assignee": town_officer.pk}
    assert client_for(town_officer).post(url, post).status_code == 404
    member = client_for(personas.committee_member)
    assert member.get(url).status_code == 403
    assert member.post(url, post).status_code == 403
    assert client_for(personas.outsider).get(url).status_code == 403
    # jiwei may read it but not assign: the form is not offered, the post is refused
    jiwei = client_for(personas.discipline)
    refused = jiwei.post(url, {"action": "assign", "assignee": personas.discipline.pk})
    assert refused.status_code == 403
    # someone the form does not offer (the office does not investigate reports)
    wrong = client_for(personas.case_officer).post(
        url, {"action": "assign", "assignee": personas.case_officer.pk}
    )
    assert wrong.status_code == 422
    huge = client_for(personas.case_officer).post(url, {"action": "link", "cadre": "张" * 200})
    assert huge.status_code == 422
    assert state(entry) == before
    assert (
        client_for(personas.case_officer)
        .get(reverse("supervision:channel_entry", args=[999999]))
        .status_code
        == 404
    )


def test_cadre_and_case_pages_link_entries_only_for_report_readers(
    personas, county, make_cadre, notice_case
):
    cadre = make_cadre(county.town_office, name="赵强")
    entry = named_entry(personas)
    channel_link(actor=personas.case_officer, report=entry, cadre=cadre, case=notice_case.case)
    link = reverse("supervision:channel_entry", args=[entry.pk])
    cadre_url = reverse("web:cadre_detail", args=[cadre.pk])
    case_url = reverse("web:case_detail", args=[notice_case.case.pk])
    for user in (personas.case_officer, personas.discipline):
        for url in (cadre_url, case_url):
            body = client_for(user).get(url).content.decode()
            assert "相关举报咨询" in body and link in body and "李明" not in body
    # a notice report about the cadre as a candidate is listed on their page too
    from xuanren.supervision.services import report_register

    notice_report, _r = report_register(
        actor=personas.case_officer,
        case=notice_case.case,
        content=CONTENT,
        source="letter",
        anonymous=True,
        candidate=notice_case.zhang,
    )
    zhang_page = client_for(personas.discipline).get(
        reverse("web:cadre_detail", args=[notice_case.zhang.cadre_id])
    )
    assert reverse("supervision:report", args=[notice_report.pk]) in zhang_page.content.decode()
    for url in (cadre_url, case_url):
        page = client_for(personas.committee_member).get(url)
        assert page.status_code == 200
        assert "相关举报咨询" not in page.content.decode()


# ---- API ------------------------------------------------------------------------------


def test_api_register_assign_reply_close(personas, county):
    officer = client_for(personas.case_officer)
    created = officer.post(
        "/api/v1/channel/entries",
        {
            "kind": "report",
            "source": "visit",
            "content": CONTENT,
            "anonymous": False,
            "about_name": "张某",
            "reporter_name": "李明",
            "reporter_phone": "13805710001",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    entry_id = body["entry"]["id"]
    assert len(body["receipt"]) == 14 and body["entry"]["status_label"] == "已受理"
    listed = officer.get("/api/v1/channel/entries", {"source": "visit"}).json()
    assert [e["id"] for e in listed] == [entry_id] and "reporter_name" not in listed[0]
    assert officer.get("/api/v1/channel/counts").json()["by_source"]["visit"] == 1
    assigned = officer.post(
        f"/api/v1/channel/entries/{entry_id}/assign",
        {"assignee": personas.discipline.pk},
        content_type="application/json",
    )
    assert assigned.status_code == 200
    assert assigned.json()["due_on"] == (TODAY + dt.timedelta(days=60)).isoformat()
    jiwei = client_for(personas.discipline)
    detail = jiwei.get(f"/api/v1/channel/entries/{entry_id}").json()
    assert detail["reporter_name"] == "李明"
    note = jiwei.post(
        f"/api/v1/channel/entries/{entry_id}/investigate",
        {"note": "约谈。"},
        content_type="application/json",
    )
    assert note.status_code == 200 and note.json()["status"] == "investigating"
    reply = jiwei.post(
        f"/api/v1/channel/entries/{entry_id}/reply",
        {"text": "经核实不实。", "replied_on": TODAY.isoformat(), "reply_channel": "phone"},
        content_type="application/json",
    )
    assert reply.status_code == 200 and reply.json()["status_label"] == "已答复"
    early = jiwei.post(
        f"/api/v1/channel/entries/{entry_id}/close",
        {"finding": "answered", "text": "x"},
        content_type="application/json",
    )
    assert early.status_code == 422
    closed = jiwei.post(
        f"/api/v1/channel/entries/{entry_id}/close",
        {"finding": "true", "text": "属实，已移交处理。"},
        content_type="application/json",
    )
    assert closed.status_code == 200 and closed.json()["finding_label"] == "反映属实"


def test_api_attacks(personas, county):
    entry = named_entry(personas)
    url = f"/api/v1/channel/entries/{entry.pk}"
    before = state(entry)
    town_officer = make_user("town_officer", Role.CASE_OFFICER, county.town)
    other = client_for(town_officer)
    assert other.get(url).status_code == 404
    assert (
        other.post(
            f"{url}/assign", {"assignee": town_officer.pk}, content_type="application/json"
        ).status_code
        == 404
    )
    member = client_for(personas.committee_member)
    assert member.get(url).status_code == 403
    assert member.get("/api/v1/channel/entries").status_code == 403
    assert (
        member.post(
            "/api/v1/channel/entries",
            {"kind": "report", "source": "phone", "content": CONTENT, "about_name": "张某"},
            content_type="application/json",
        ).status_code
        == 403
    )
    assert client_for().get(url).status_code == 401
    officer = client_for(personas.case_officer)
    wrong_role = officer.post(
        f"{url}/assign", {"assignee": personas.case_officer.pk}, content_type="application/json"
    )
    assert wrong_role.status_code == 403
    no_user = officer.post(f"{url}/assign", {"assignee": 999999}, content_type="application/json")
    assert no_user.status_code == 403
    invalid = officer.post(
        "/api/v1/channel/entries",
        {"kind": "report", "source": "phone", "content": "x" * 6000, "about_name": "张" * 40},
        content_type="application/json",
    )
    assert invalid.status_code == 422
    fields = {e["field"] for e in invalid.json()["errors"]}
    assert {"content", "about_name"} <= fields
    assert officer.post(f"{url}/assign", {}, content_type="application/json").status_code == 422
    assert state(entry) == before
    assert Report.objects.count() == 1
    # a notice report is not reachable through the channel's API
    assert officer.get("/api/v1/channel/entries/999999").status_code == 404


def test_investigating_consultation_can_still_be_answered(personas, county):
    """A consultation given to the discipline commission may be looked into first."""
    entry = named_entry(personas, kind=ReportKind.CONSULTATION)
    jiwei = personas.discipline
    channel_assign(actor=personas.case_officer, report=entry, assignee=jiwei)
    report_investigate(actor=jiwei, report=entry, note="查阅文件。")
    channel_reply(actor=jiwei, report=entry, text="答", replied_on=TODAY, reply_channel="letter")
    assert state(entry)[0] == ReportStatus.REPLIED
