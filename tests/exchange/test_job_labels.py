"""Each kind of background job has its own Chinese name wherever a job is
shown (docs/decisions/0115): an export's page and its journal events never
call it an import."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests.conftest import County, Personas
from tests.exchange.test_background_jobs import cadres, run
from xuanren.exchange.job_kinds import cadres_export_start, roster_export_start
from xuanren.exchange.jobs import (
    import_job_cancel,
    import_job_retry,
    import_job_start,
    job_event_summary,
)
from xuanren.exchange.models import ImportJob, JobKind
from xuanren.journal.models import Event, EventType
from xuanren.people.selectors import CadreFilters

pytestmark = pytest.mark.django_db


def main(page: str) -> str:
    """The page's own content (the menu, and the link back to the page named
    表格导入导出, name the section, not the job)."""
    found = re.search(r"<main.*?</main>", page, re.S)
    assert found is not None
    return found.group(0).replace(">返回表格导入导出</a>", "")


def test_every_kind_has_its_own_label() -> None:
    labels = [str(label) for label in JobKind.labels]
    assert len(set(labels)) == len(labels)
    assert dict(zip(JobKind.values, labels, strict=True)) == {
        "xlsx_import": "XLSX 导入",
        "lrmx_preview": "LRMX 导入检查",
        "lrmx_confirm": "LRMX 导入",
        "forms_zip": "任免审批表打包",
        "cadres_export": "干部名单导出",
        "roster_export": "干部花名册导出",
        "screening_counts": "智能选人不符合人数统计",
    }


def test_an_export_jobs_page_and_journal_events_never_say_import(
    client: Client, county: County, personas: Personas, make_cadre: Any, admin: User
) -> None:
    cadres(make_cadre, county, 2)
    officer = personas.case_officer
    job = cadres_export_start(
        actor=officer, filters=CadreFilters(unit_id=county.town.pk), filename="干部信息.xlsx"
    )
    client.force_login(officer)
    page_url = reverse("exchange:xlsx_job", args=[job.pk])
    pages = [client.get(page_url).content.decode()]  # queued
    import_job_cancel(actor=officer, pk=job.pk)
    pages.append(client.get(page_url).content.decode())  # cancelled
    import_job_retry(actor=officer, pk=job.pk)
    run(job)
    pages.append(client.get(page_url).content.decode())  # done
    for page in pages:
        assert "干部名单导出：“干部信息.xlsx”" in page
        assert "导入" not in main(page), main(page)
        assert "<title>干部名单导出" in page
    events = list(Event.objects.filter(subject_id=str(job.pk), subject_type="exchange.importjob"))
    assert [e.event_type for e in events] == [
        EventType.IMPORT_JOB_STARTED,
        EventType.IMPORT_JOB_CANCELLED,
        EventType.IMPORT_JOB_RETRIED,
    ]
    for event in events:
        assert event.payload["kind"] == "cadres_export"
        label = event.get_event_type_display()
        summary = job_event_summary(event.event_type, event.payload)
        assert "导入" not in label and "后台任务" in label
        assert summary == "干部名单导出：干部信息.xlsx"
    # The journal's list in the admin shows the kind beside the event.
    client.force_login(admin)
    listing = client.get(reverse("admin:journal_event_changelist")).content.decode()
    assert "干部名单导出：干部信息.xlsx" in listing and "提交后台任务" in listing
    index = client.get(reverse("exchange:xlsx_index")).content.decode()
    assert "干部名单导出" not in index  # the admin started nothing
    client.force_login(officer)
    index = client.get(reverse("exchange:xlsx_index")).content.decode()
    assert "<td>干部名单导出</td>" in index


def test_a_roster_and_an_import_are_named_as_what_they_are(
    client: Client, county: County, personas: Personas, make_cadre: Any
) -> None:
    import datetime as dt

    cadres(make_cadre, county, 2)
    officer = personas.case_officer
    roster = roster_export_start(
        actor=officer, unit=county.town, on=dt.date(2026, 11, 1), filename="花名册.xlsx"
    )
    upload = import_job_start(actor=officer, content=b"PK", filename="大表.xlsx", dry_run=False)
    client.force_login(officer)
    page = main(client.get(reverse("exchange:xlsx_job", args=[roster.pk])).content.decode())
    assert "干部花名册导出：“花名册.xlsx”" in page and "导入" not in page
    page = main(client.get(reverse("exchange:xlsx_job", args=[upload.pk])).content.decode())
    assert "XLSX 导入：“大表.xlsx”" in page
    started = Event.objects.filter(event_type=EventType.IMPORT_JOB_STARTED)
    summaries = {job_event_summary(e.event_type, e.payload) for e in started}
    assert summaries == {"干部花名册导出：花名册.xlsx", "XLSX 导入：大表.xlsx"}


def test_events_recorded_before_the_kind_was_in_every_payload() -> None:
    started, cancelled = EventType.IMPORT_JOB_STARTED, EventType.IMPORT_JOB_CANCELLED
    assert job_event_summary(started, {"file": "a.xlsx"}) == "XLSX 导入：a.xlsx"
    assert job_event_summary(cancelled, {"file": "a.xlsx"}) == "后台任务：a.xlsx"
    assert job_event_summary(EventType.DATA_EXPORTED, {"file": "a.xlsx"}) == ""
    assert not ImportJob.objects.exists()
