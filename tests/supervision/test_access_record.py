"""A report page showing the reporter's name writes one access-record row;
an anonymous report's page writes none."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.supervision.test_pages import csrf_client, login, post_report
from xuanren.access.models import AccessKind, AccessRecord
from xuanren.supervision.models import Report

pytestmark = pytest.mark.django_db


def test_named_report_page_is_recorded(personas, notice, notice_case):
    post_report(
        csrf_client(),
        notice,
        {
            "about": str(notice_case.zhang.pk),
            "identity": "named",
            "reporter_name": "赵六",
            "reporter_phone": "13900000000",
        },
    )
    report = Report.objects.get()
    assert not report.anonymous
    url = reverse("supervision:report", args=[report.pk])
    response = login(personas, "case_officer").get(url)
    assert response.status_code == 200 and "赵六" in response.content.decode()
    [record] = AccessRecord.objects.all()
    assert (record.kind, record.subject_type, record.subject_id) == (
        AccessKind.REPORT, "supervision.report", str(report.pk),
    )  # fmt: skip
    assert record.username == "officer" and record.path == url
    assert "赵六" not in record.subject_label  # the record names the report, not the reporter


def test_anonymous_report_page_is_not_recorded(personas, notice, notice_case):
    post_report(csrf_client(), notice, {"about": str(notice_case.zhang.pk)})
    report = Report.objects.get()
    assert report.anonymous
    response = login(personas, "case_officer").get(reverse("supervision:report", args=[report.pk]))
    assert response.status_code == 200
    assert not AccessRecord.objects.exists()


def test_refused_report_page_writes_nothing(personas, notice, notice_case):
    post_report(csrf_client(), notice, {"about": str(notice_case.zhang.pk), "identity": "named",
                                        "reporter_name": "赵六", "reporter_phone": "13900000000"})  # fmt: skip
    report = Report.objects.get()
    url = reverse("supervision:report", args=[report.pk])
    assert login(personas, "committee_member").get(url).status_code == 403
    assert Client().get(url).status_code == 302
    assert not AccessRecord.objects.exists()


def test_attachment_download_is_recorded(personas, notice, notice_case):
    from django.core.files.uploadedfile import SimpleUploadedFile

    png = SimpleUploadedFile("照片.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 16)
    post_report(csrf_client(), notice, {"about": str(notice_case.zhang.pk), "attachments": [png]})
    report = Report.objects.get()
    attachment = report.attachments.get()
    url = reverse("supervision:attachment", args=[attachment.pk])
    assert login(personas, "other_unit_hr").get(url).status_code == 403
    assert not AccessRecord.objects.exists()
    assert login(personas, "discipline").get(url).status_code == 200
    [record] = AccessRecord.objects.all()
    assert (record.kind, record.subject_id, record.detail) == (
        AccessKind.REPORT, str(report.pk), {"attachment": attachment.pk},
    )  # fmt: skip


def test_named_report_in_admin_is_recorded(personas, notice, notice_case, admin):
    post_report(csrf_client(), notice, {"about": str(notice_case.zhang.pk), "identity": "named",
                                        "reporter_name": "赵六", "reporter_phone": "13900000000"})  # fmt: skip
    report = Report.objects.get()
    client = Client()
    client.force_login(admin)
    assert client.get(f"/admin/supervision/report/{report.pk}/change/").status_code == 200
    [record] = AccessRecord.objects.all()
    assert (record.kind, record.subject_id, record.username) == (
        AccessKind.REPORT, str(report.pk), "admin",
    )  # fmt: skip
