"""The public pages work without login (CSRF on) and show only running
notices; the officers' pages check permission and scope.

Cases reach the public_notice step by setting Case.current_step directly,
with APPROVED candidates created through candidate_add (see conftest)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.supervision.conftest import TODAY, publish
from tests.web.helpers import page_text
from xuanren.journal.services import journal_verify
from xuanren.supervision.models import PublicNotice, Report, ReportStatus

pytestmark = pytest.mark.django_db

CONTENT = "该同志在任职期间存在违规收受礼金的问题，请组织核查。"


def csrf_client() -> Client:
    return Client(enforce_csrf_checks=True)


def post_report(client: Client, notice: PublicNotice, data: dict, **extra):
    client.get(reverse("supervision:notice", args=[notice.pk]))
    token = client.cookies["csrftoken"].value
    body = {"csrfmiddlewaretoken": token, "identity": "anonymous", "content": CONTENT, **data}
    return client.post(reverse("supervision:notice", args=[notice.pk]), body, **extra)


def login(personas, who: str) -> Client:
    client = Client()
    client.force_login(getattr(personas, who))
    return client


# ---- public pages -------------------------------------------------------------------


def test_list_shows_running_notices_to_anyone(personas, notice, notice_case):
    response = Client().get(reverse("supervision:notice_list"))
    assert response.status_code == 200
    text = page_text(response)
    assert "王芳，拟任城关镇副镇长" in text and "张伟，拟任城关镇副镇长" in text
    assert text.index("王芳") < text.index("张伟")  # 按姓氏笔画
    assert 'name="viewport"' in response.content.decode()


def test_ended_and_future_notices_are_not_shown(personas, notice_case, clock):
    notice = publish(personas, notice_case.case, start=TODAY + dt.timedelta(days=2))
    assert "王芳" not in page_text(Client().get(reverse("supervision:notice_list")))
    assert Client().get(reverse("supervision:notice", args=[notice.pk])).status_code == 404
    clock.day = notice.end
    assert "王芳" in page_text(Client().get(reverse("supervision:notice_list")))
    clock.day = notice.end + dt.timedelta(days=1)
    assert "目前没有正在公示的干部" in page_text(Client().get(reverse("supervision:notice_list")))
    response = Client().get(reverse("supervision:notice", args=[notice.pk]))
    assert response.status_code == 404
    assert "该公示不存在或不在公示期内" in page_text(response)


def test_notice_page_shows_the_content_and_the_form(notice, notice_case):
    response = Client().get(reverse("supervision:notice", args=[notice.pk]))
    text = page_text(response)
    for fact in ("1986.05", "浙江嘉善", "大学本科，学士学位", "2008.06 入党", "举报电话：0571-12380",
                 "2007.08— 城关镇党政办科员、副主任、主任", "城关镇副镇长"):  # fmt: skip
        assert fact in text
    assert 'enctype="multipart/form-data"' in response.content.decode()
    assert "csrfmiddlewaretoken" in response.content.decode()


def test_report_without_csrf_token_refused(notice, notice_case):
    response = csrf_client().post(
        reverse("supervision:notice", args=[notice.pk]),
        {"about": str(notice_case.zhang.pk), "identity": "anonymous", "content": CONTENT},
    )
    assert response.status_code == 403
    assert not Report.objects.exists()


def test_report_receipt_shown_once_then_status_lookup(personas, notice, notice_case):
    client = csrf_client()
    response = post_report(client, notice, {"about": str(notice_case.zhang.pk)})
    assert response.status_code == 302
    assert response["Location"] == reverse("supervision:receipt")
    receipt_page = client.get(reverse("supervision:receipt"))
    match = re.search(r'id="receipt-number">([0-9A-Z-]{14})<', receipt_page.content.decode())
    assert match, page_text(receipt_page)
    number = match.group(1)
    assert (
        "no-cache" in receipt_page["Cache-Control"] or "no-store" in receipt_page["Cache-Control"]
    )
    again = client.get(reverse("supervision:receipt"))
    assert number not in again.content.decode()
    assert "回执编号已显示过" in page_text(again)
    report = Report.objects.get()
    assert (report.candidate, report.anonymous) == (notice_case.zhang, True)

    token = client.cookies["csrftoken"].value
    lookup = client.post(
        reverse("supervision:status"), {"csrfmiddlewaretoken": token, "receipt": number}
    )
    assert lookup.status_code == 200
    assert "已受理" in page_text(lookup)
    missing = client.post(
        reverse("supervision:status"), {"csrfmiddlewaretoken": token, "receipt": "0000-0000-0000"}
    )
    assert missing.status_code == 404
    assert "未查到该回执编号" in page_text(missing)


def test_named_report_with_an_attachment_through_the_page(notice, notice_case):
    client = csrf_client()
    png = SimpleUploadedFile("照片.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 16)
    response = post_report(
        client,
        notice,
        {
            "about": "other",
            "about_name": "某局长",
            "identity": "named",
            "reporter_name": "李明",
            "reporter_phone": "13900001111",
            "attachments": [png],
        },
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.about_name, report.reporter_name, report.candidate) == ("某局长", "李明", None)
    assert report.attachments.get().name == "照片.png"


def test_attachment_of_a_wrong_type_refused_on_the_page(notice, notice_case):
    client = csrf_client()
    exe = SimpleUploadedFile("工具.exe", b"MZ\x00\x00")
    response = post_report(
        client, notice, {"about": str(notice_case.zhang.pk), "attachments": [exe]}
    )
    assert response.status_code == 422
    assert "只接受 PDF、JPG、PNG 文件" in page_text(response)
    assert not Report.objects.exists()


def test_rate_limit_on_the_page(notice, notice_case):
    client = csrf_client()
    for _i in range(5):
        response = post_report(client, notice, {"about": str(notice_case.zhang.pk)})
        assert response.status_code == 302
    response = post_report(client, notice, {"about": str(notice_case.zhang.pk)})
    assert response.status_code == 429
    assert "提交过于频繁" in page_text(response)
    # Another address (REMOTE_ADDR; X-Forwarded-For is not trusted by default).
    other = post_report(
        csrf_client(), notice, {"about": str(notice_case.zhang.pk)}, REMOTE_ADDR="192.0.2.7"
    )
    assert other.status_code == 302
    spoofed = post_report(
        client, notice, {"about": str(notice_case.zhang.pk)}, HTTP_X_FORWARDED_FOR="192.0.2.8"
    )
    assert spoofed.status_code == 429


def test_proxy_hops_setting_reads_the_forwarded_address(notice, notice_case, settings):
    settings.XUANREN_PROXY_HOPS = 1
    client = csrf_client()
    for i in range(6):
        response = post_report(
            client,
            notice,
            {"about": str(notice_case.zhang.pk)},
            HTTP_X_FORWARDED_FOR=f"spoof, 198.51.100.{i}",
        )
        assert response.status_code == 302


# ---- officers' pages ----------------------------------------------------------------


def test_officer_publishes_from_the_case_page(personas, notice_case):
    client = login(personas, "case_officer")
    url = reverse("supervision:case", args=[notice_case.case.pk])
    assert "发布任前公示" in page_text(client.get(url))
    response = client.post(
        url, {"start": TODAY.isoformat(), "channels": "举报电话：12380\n来信：县委组织部"}
    )
    assert response.status_code == 302
    notice = PublicNotice.objects.get()
    assert notice.channels == ["举报电话：12380", "来信：县委组织部"]
    page = page_text(client.get(url))
    assert "任前公示已发布" in page and "王芳" in page


def test_publish_errors_shown_on_the_case_page(personas, notice_case):
    client = login(personas, "case_officer")
    url = reverse("supervision:case", args=[notice_case.case.pk])
    response = client.post(url, {"start": "2026-11-01", "channels": "电话"})
    assert response.status_code == 422
    assert "不得倒签" in page_text(response)


@pytest.mark.parametrize("who", ["outsider", "other_unit_hr"])
def test_case_page_refused_outside_role_or_scope(personas, notice, notice_case, who):
    response = login(personas, who).get(reverse("supervision:case", args=[notice_case.case.pk]))
    assert response.status_code in (403, 404)


def test_committee_member_sees_the_notice_but_not_the_reports(personas, notice, notice_case):
    Report.objects.create(
        case=notice_case.case, about_name="张伟", content=CONTENT, receipt_hash="x" * 64,
        received_at=notice.published_at,
    )  # fmt: skip
    page = page_text(
        login(personas, "committee_member").get(
            reverse("supervision:case", args=[notice_case.case.pk])
        )
    )
    assert "王芳" in page and "没有收到举报" not in page and "被反映人" not in page
    assert "发布任前公示" not in page


def test_officer_pages_need_login(notice, notice_case):
    response = Client().get(reverse("supervision:case", args=[notice_case.case.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_report_handled_through_the_pages(personas, notice, notice_case):
    post_report(csrf_client(), notice, {"about": str(notice_case.zhang.pk)})
    report = Report.objects.get()
    url = reverse("supervision:report", args=[report.pk])
    officer = login(personas, "case_officer")
    assert "分派" in page_text(officer.get(url))
    response = officer.post(
        url, {"action": "assign", "assignee": str(personas.discipline.pk), "joint": "on"}
    )
    assert response.status_code == 302
    jiwei = login(personas, "discipline")
    assert jiwei.post(url, {"action": "investigate", "note": "谈话 3 人。"}).status_code == 302
    response = jiwei.post(url, {"action": "close", "finding": "drop", "text": ""})
    assert response.status_code == 422
    response = jiwei.post(
        url, {"action": "close", "finding": "drop", "text": "查实。", "candidate": ""}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.finding, report.joint_with_discipline) == (
        ReportStatus.CLOSED,
        "drop",
        True,
    )
    case_page = page_text(officer.get(reverse("supervision:case", args=[notice_case.case.pk])))
    assert "不予任用" in case_page
    assert login(personas, "outsider").get(url).status_code == 403
    assert journal_verify().ok


def test_attachment_download_checks_permission(personas, notice, notice_case):
    png = SimpleUploadedFile("照片.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 16)
    post_report(csrf_client(), notice, {"about": str(notice_case.zhang.pk), "attachments": [png]})
    attachment = Report.objects.get().attachments.get()
    url = reverse("supervision:attachment", args=[attachment.pk])
    response = login(personas, "discipline").get(url)
    assert response.status_code == 200
    assert response.getvalue().startswith(b"\x89PNG")
    assert login(personas, "other_unit_hr").get(url).status_code == 403


def test_reports_outside_the_scope_are_not_found(personas, notice, notice_case, county):
    """A discipline officer of another town may read reports, but not this
    case's: its report and attachment pages are 404, as if absent (no
    existence leaks across units); without the permission it stays 403."""
    from tests.conftest import make_user
    from xuanren.access.models import Role

    png = SimpleUploadedFile("照片.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 16)
    post_report(csrf_client(), notice, {"about": str(notice_case.zhang.pk), "attachments": [png]})
    report = Report.objects.get()
    report_url = reverse("supervision:report", args=[report.pk])
    attachment_url = reverse("supervision:attachment", args=[report.attachments.get().pk])
    elsewhere = Client()
    elsewhere.force_login(make_user("jiwei_shiqiao", Role.DISCIPLINE_COMMISSION, county.other_town))
    for url in (report_url, attachment_url):
        assert elsewhere.get(url).status_code == 404
        assert login(personas, "discipline").get(url).status_code == 200
        assert login(personas, "other_unit_hr").get(url).status_code == 403
    assert "未找到该举报" in page_text(elsewhere.get(report_url))
