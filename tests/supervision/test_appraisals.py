"""一报告两评议 (issue 14, docs/decisions/0131–0132): 满意率 and 认同率 from
hand-computed totals, the threshold's edge (exactly a third is not flagged),
the promoted cadres listed from the cases, refusals, permissions, pages, the
export, the API and query counts."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tests.conftest import make_user
from tests.supervision.conftest import TODAY, full_cadre
from tests.supervision.test_lookback import Built, build_appointment
from xuanren.access.models import Role
from xuanren.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from xuanren.journal.models import Event, EventType
from xuanren.procedure.models import Committee
from xuanren.supervision.appraisal_selectors import (
    CadreResult,
    WorkResult,
    appraisal_get,
    appraisal_result,
)
from xuanren.supervision.appraisal_services import (
    appraisal_cadre_record,
    appraisal_create,
    appraisal_report_set,
    appraisal_work_record,
)
from xuanren.supervision.models_opinion import Appraisal, AppraisedCadre

THIRD = (1, 3)


# ---- the arithmetic, by hand -------------------------------------------------------------


def test_work_satisfaction_hand_computed() -> None:
    w = WorkResult(participants=100, good=60, fairly_good=25, average=10, poor=3)
    assert w.satisfaction.percent == "85.0%" and w.not_rated == 2
    assert w.share(w.poor).percent == "3.0%"
    # 2 of 3 is 66.666…% → 66.7%; nobody took part → "—"
    assert WorkResult(3, 1, 1, 1, 0).satisfaction.percent == "66.7%"
    assert WorkResult(0, 0, 0, 0, 0).satisfaction.percent == "—"


def test_cadre_recognition_and_the_third() -> None:
    r = CadreResult(30, agree=15, mostly_agree=5, disagree=10, threshold=THIRD)
    assert r.recognition.percent == "66.7%" and r.disagreement.percent == "33.3%"
    assert not r.flagged  # exactly a third is not more than a third
    assert CadreResult(30, 14, 5, 11, THIRD).flagged
    # 1 of 3 is exactly a third; 2 of 5 is over; 1 of 4 is under
    assert not CadreResult(3, 2, 0, 1, THIRD).flagged
    assert CadreResult(5, 3, 0, 2, THIRD).flagged
    assert not CadreResult(4, 3, 0, 1, THIRD).flagged
    nobody = CadreResult(0, 0, 0, 0, THIRD)
    assert nobody.recognition.percent == "—" and not nobody.flagged
    # a setting of one half
    assert not CadreResult(30, 10, 5, 15, (1, 2)).flagged
    assert CadreResult(30, 10, 4, 16, (1, 2)).flagged


# ---- with cases ------------------------------------------------------------------------------


@pytest.fixture
def promoted(
    personas: Any, county: Any, committee: Committee, make_cadre: Any, admin: Any
) -> list[Built]:
    """Two appointments decided in 2025, one in 2026."""
    out = []
    for name, day in (
        ("张伟", dt.date(2025, 3, 10)),
        ("王芳", dt.date(2025, 9, 1)),
        ("李强", dt.date(2026, 2, 1)),
    ):
        cadre = full_cadre(make_cadre, admin, county.town_office, name=name)
        out.append(build_appointment(personas, county, committee, cadre, decided=day))
    return out


def test_create_lists_the_years_promoted_cadres(
    personas: Any, county: Any, promoted: list[Built]
) -> None:
    officer = personas.case_officer
    a = appraisal_create(actor=officer, unit=county.root, year=2025)
    rows = list(AppraisedCadre.objects.filter(appraisal=a).order_by("decided_on"))
    assert [(r.cadre.name, r.decided_on) for r in rows] == [
        ("张伟", dt.date(2025, 3, 10)),
        ("王芳", dt.date(2025, 9, 1)),
    ]
    assert rows[0].post_text == "城关镇副镇长"
    # another subtree holds none of them
    other = appraisal_create(actor=officer, unit=county.finance, year=2025)
    assert not AppraisedCadre.objects.filter(appraisal=other).exists()
    with pytest.raises(Conflict):
        appraisal_create(actor=officer, unit=county.root, year=2025)
    with pytest.raises(ValidationFailed):
        appraisal_create(actor=officer, unit=county.root, year=TODAY.year + 1)
    assert Appraisal.objects.count() == 2


def test_record_results_and_flag(personas: Any, county: Any, promoted: list[Built]) -> None:
    officer = personas.case_officer
    a = appraisal_create(actor=officer, unit=county.root, year=2025)
    appraisal_report_set(actor=officer, appraisal=a, report="2025年度选人用人工作报告正文。")
    appraisal_work_record(
        actor=officer, appraisal=a, held_on=dt.date(2026, 1, 20),
        participants=120, good=80, fairly_good=30, average=8, poor=2,
    )  # fmt: skip
    first, second = AppraisedCadre.objects.filter(appraisal=a).order_by("decided_on")
    appraisal_cadre_record(
        actor=officer, row=first, participants=120, agree=70, mostly_agree=10, disagree=40
    )
    appraisal_cadre_record(
        actor=officer, row=second, participants=120, agree=70, mostly_agree=9, disagree=41
    )
    result = appraisal_result(actor=officer, appraisal=appraisal_get(actor=officer, pk=a.pk))
    assert result.work.satisfaction.percent == "91.7%"  # 110 / 120 = 91.666…%
    lines = {c.row.cadre.name: c.result for c in result.cadres}
    assert lines["张伟"].recognition.percent == "66.7%" and not lines["张伟"].flagged
    assert lines["王芳"].recognition.percent == "65.8%" and lines["王芳"].flagged
    assert [c.row.cadre.name for c in result.flagged] == ["王芳"]
    assert Event.objects.filter(event_type=EventType.APPRAISAL_RECORDED).count() == 4


def test_refusals_change_nothing(personas: Any, county: Any, promoted: list[Built]) -> None:
    officer = personas.case_officer
    a = appraisal_create(actor=officer, unit=county.root, year=2025)
    row = AppraisedCadre.objects.filter(appraisal=a).first()
    assert row is not None
    before = Event.objects.count()
    with pytest.raises(ValidationFailed):  # more ratings than participants
        appraisal_cadre_record(
            actor=officer, row=row, participants=10, agree=5, mostly_agree=5, disagree=1
        )
    with pytest.raises(ValidationFailed):  # negative
        appraisal_cadre_record(
            actor=officer, row=row, participants=10, agree=-1, mostly_agree=0, disagree=0
        )
    with pytest.raises(ValidationFailed):  # absurdly many
        appraisal_cadre_record(
            actor=officer, row=row, participants=10**9, agree=0, mostly_agree=0, disagree=0
        )
    with pytest.raises(ValidationFailed):  # held before the year appraised
        appraisal_work_record(
            actor=officer, appraisal=a, held_on=dt.date(2024, 12, 31),
            participants=10, good=1, fairly_good=1, average=1, poor=1,
        )  # fmt: skip
    with pytest.raises(ValidationFailed):  # in the future
        appraisal_work_record(
            actor=officer, appraisal=a, held_on=TODAY + dt.timedelta(1),
            participants=10, good=1, fairly_good=1, average=1, poor=1,
        )  # fmt: skip
    with pytest.raises(ValidationFailed):
        appraisal_report_set(actor=officer, appraisal=a, report="  ")
    with pytest.raises(ValidationFailed):
        appraisal_report_set(actor=officer, appraisal=a, report="长" * 50_001)
    assert Event.objects.count() == before
    row.refresh_from_db()
    a.refresh_from_db()
    assert (row.participants, row.agree, a.participants, a.report) == (0, 0, 0, "")


def test_permissions_and_scope(personas: Any, county: Any, promoted: list[Built]) -> None:
    officer, jiwei = personas.case_officer, personas.discipline
    with pytest.raises(PermissionDenied):
        appraisal_create(actor=jiwei, unit=county.root, year=2025)
    with pytest.raises(PermissionDenied):
        appraisal_create(actor=personas.outsider, unit=county.root, year=2025)
    town_officer = make_user("town_officer", Role.CASE_OFFICER, county.other_town)
    with pytest.raises(NotFound):
        appraisal_create(actor=town_officer, unit=county.root, year=2025)
    a = appraisal_create(actor=officer, unit=county.root, year=2025)
    assert appraisal_get(actor=jiwei, pk=a.pk) == a
    with pytest.raises(NotFound):
        appraisal_get(actor=town_officer, pk=a.pk)
    with pytest.raises(PermissionDenied):
        appraisal_report_set(actor=jiwei, appraisal=a, report="x")
    with pytest.raises(NotFound):
        appraisal_report_set(actor=town_officer, appraisal=a, report="x")
    row = AppraisedCadre.objects.filter(appraisal=a).first()
    assert row is not None
    with pytest.raises(NotFound):
        appraisal_cadre_record(
            actor=town_officer, row=row, participants=1, agree=1, mostly_agree=0, disagree=0
        )
    a.refresh_from_db()
    row.refresh_from_db()
    assert a.report == "" and row.participants == 0


# ---- pages, export, API -------------------------------------------------------------------------


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_pages_and_export(personas: Any, county: Any, promoted: list[Built]) -> None:
    officer = _client(personas.case_officer)
    made = officer.post(reverse("supervision:appraisals"), {"unit": county.root.pk, "year": 2025})
    assert made.status_code == 302
    a = Appraisal.objects.get()
    url = reverse("supervision:appraisal", args=[a.pk])
    assert officer.post(url, {"action": "report", "report": "报告正文"}).status_code == 302
    work = officer.post(
        url,
        {"action": "work", "held_on": "2026-01-20", "participants": 30, "good": 20,
         "fairly_good": 5, "average": 3, "poor": 1},
    )  # fmt: skip
    assert work.status_code == 302
    row = AppraisedCadre.objects.filter(appraisal=a).order_by("decided_on").first()
    assert row is not None
    saved = officer.post(
        url, {"action": "cadre", "row": row.pk, "participants": 30, "agree": 15,
              "mostly_agree": 4, "disagree": 11},
    )  # fmt: skip
    assert saved.status_code == 302
    too_many = officer.post(
        url, {"action": "cadre", "row": row.pk, "participants": 3, "agree": 3,
              "mostly_agree": 1, "disagree": 0},
    )  # fmt: skip
    assert too_many.status_code == 422
    page = officer.get(url).content.decode()
    assert "83.3%" in page and "不认同超过标准" in page and "报告正文" in page
    printed = officer.get(reverse("supervision:appraisal_print", args=[a.pk]))
    assert printed.status_code == 200 and "63.3%" in printed.content.decode()
    exported = officer.get(reverse("supervision:appraisal_xlsx", args=[a.pk]))
    book = load_workbook(io.BytesIO(exported.content))
    assert book.sheetnames == ["选人用人工作评议", "新提拔干部评议"]
    work_rows = list(book["选人用人工作评议"].iter_rows(values_only=True))
    assert list(work_rows[2]) == [30, 20, 5, 3, 1, 1, "83.3%"]
    cadre_rows = list(book["新提拔干部评议"].iter_rows(values_only=True))
    assert cadre_rows[2][0] == "张伟" and cadre_rows[2][-1] == "不认同超过标准"
    # readers read, do not write; out of scope is 404; no role 403
    jiwei = _client(personas.discipline)
    assert jiwei.get(url).status_code == 200
    assert jiwei.post(url, {"action": "report", "report": "改"}).status_code == 403
    town = _client(make_user("town_officer", Role.CASE_OFFICER, county.other_town))
    assert town.get(url).status_code == 404
    assert town.get(reverse("supervision:appraisal_xlsx", args=[a.pk])).status_code == 404
    assert _client(personas.outsider).get(reverse("supervision:appraisals")).status_code == 403
    a.refresh_from_db()
    assert a.report == "报告正文"


def test_api(personas: Any, county: Any, promoted: list[Built]) -> None:
    officer = _client(personas.case_officer)
    made = officer.post(
        "/api/v1/appraisals",
        {"unit": county.root.pk, "year": 2025},
        content_type="application/json",
    )
    assert made.status_code == 201
    aid = made.json()["id"]
    detail = officer.get(f"/api/v1/appraisals/{aid}").json()
    assert [c["cadre_name"] for c in detail["cadres"]] == ["张伟", "王芳"]
    row = detail["cadres"][0]["id"]
    saved = officer.post(
        f"/api/v1/appraisals/{aid}/cadres/{row}",
        {"participants": 9, "agree": 5, "mostly_agree": 1, "disagree": 3},
        content_type="application/json",
    )
    line = saved.json()["cadres"][0]
    assert (line["recognition"], line["disagreement"], line["flagged"]) == ("66.7%", "33.3%", False)
    work = officer.post(
        f"/api/v1/appraisals/{aid}/work",
        {"held_on": "2026-01-20", "participants": 8, "good": 4, "fairly_good": 2, "average": 1,
         "poor": 0},
        content_type="application/json",
    )  # fmt: skip
    assert work.json()["work"]["satisfaction"] == "75.0%" and work.json()["work"]["not_rated"] == 1
    bad = officer.post(
        f"/api/v1/appraisals/{aid}/cadres/{row}",
        {"participants": 1, "agree": 2, "mostly_agree": 0, "disagree": 0},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert officer.post(
        "/api/v1/appraisals", {"unit": county.root.pk, "year": 2025}, content_type="application/json"
    ).status_code == 409  # fmt: skip
    town = _client(make_user("town_officer", Role.CASE_OFFICER, county.other_town))
    assert town.get(f"/api/v1/appraisals/{aid}").status_code == 404
    assert _client(personas.discipline).post(
        f"/api/v1/appraisals/{aid}/report", {"report": "x"}, content_type="application/json"
    ).status_code == 403  # fmt: skip
    assert AppraisedCadre.objects.get(pk=row).participants == 9


def test_query_counts(personas: Any, county: Any, promoted: list[Built]) -> None:
    officer = type(personas.case_officer).objects.get(pk=personas.case_officer.pk)
    with CaptureQueriesContext(connection) as ctx:
        a = appraisal_create(actor=officer, unit=county.root, year=2025)
    created = len(ctx.captured_queries)
    officer = type(officer).objects.get(pk=officer.pk)
    with CaptureQueriesContext(connection) as ctx:
        found = appraisal_get(actor=officer, pk=a.pk)
        result = appraisal_result(actor=officer, appraisal=found)
    assert len(result.cadres) == 2
    # permissions (user's, groups'), scope, the appraisal, its cadres
    assert len(ctx.captured_queries) == 5
    # the promoted cadres are read in two queries and written in one, however many:
    # a year with one cadre costs what a year with two did
    officer = type(officer).objects.get(pk=officer.pk)
    with CaptureQueriesContext(connection) as ctx:
        appraisal_create(actor=officer, unit=county.root, year=2026)
    assert created == len(ctx.captured_queries) == 16
