"""Training rows (教育培训) entered, corrected and removed through the people
services, the web page and the API (issue 15): the checks with their edges, the
journal, scope (out of scope 404, may see but not change 403, nothing changed),
query counts, and the Done-when line — training entered in the browser changes
a screening verdict of the national training rule."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.api.conftest import API, post_json
from xuanren.common.dates import today
from xuanren.common.errors import PermissionDenied, ValidationFailed
from xuanren.journal.models import Event, EventType
from xuanren.journal.services import journal_verify
from xuanren.org.models import Level
from xuanren.org.services import post_create, quota_set
from xuanren.people.models import Cadre, Training
from xuanren.people.services import (
    TRAINING_MAX_HOURS,
    cadre_update,
    training_add,
    training_change,
    training_remove,
)
from xuanren.policy.rules import Status
from xuanren.policy.selectors import explain_for, training_standings

pytestmark = pytest.mark.django_db
RULE = "national.training"


@pytest.fixture
def cadre(county: Any, make_cadre: Any) -> Cadre:
    return make_cadre(county.town, name="李娜")


def errors_of(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {e.field: e.message for e in exc.value.errors}


# ---- services ------------------------------------------------------------------


def test_add_change_remove_are_journalled(personas: Any, cadre: Cadre) -> None:
    officer = personas.case_officer
    year = today().year
    row = training_add(actor=officer, cadre=cadre, year=year, hours=56, title=" 县管干部培训班 ")
    assert (row.year, row.hours, row.title) == (year, 56, "县管干部培训班")
    changed = training_change(
        actor=officer, training=row, year=year - 1, hours=60, title="县管干部培训班"
    )
    assert (changed.year, changed.hours) == (year - 1, 60)
    event = Event.objects.filter(event_type=EventType.CADRE_RECORD_CHANGED).get()
    assert event.payload["changes"] == {"year": [year, year - 1], "hours": [56, 60]}
    # Saving the same values changes nothing and journals nothing.
    training_change(actor=officer, training=row, year=year - 1, hours=60, title="县管干部培训班")
    assert Event.objects.filter(event_type=EventType.CADRE_RECORD_CHANGED).count() == 1
    training_remove(actor=officer, training=row)
    assert not Training.objects.filter(pk=row.pk).exists()
    removed = Event.objects.filter(event_type=EventType.CADRE_RECORD_REMOVED).get()
    assert removed.payload["title"] == "县管干部培训班" and removed.payload["hours"] == 60
    assert journal_verify().ok


@pytest.mark.parametrize(
    ("year_offset", "hours", "title", "field"),
    [
        (0, 0, "专题班", "hours"),
        (0, -5, "专题班", "hours"),
        (0, TRAINING_MAX_HOURS + 1, "专题班", "hours"),
        (1, 10, "专题班", "year"),  # next year: not yet taken
        (0, 10, "  ", "title"),
        (0, 10, "班" * 121, "title"),
    ],
)
def test_add_refuses_and_saves_nothing(
    personas: Any, cadre: Cadre, year_offset: int, hours: int, title: str, field: str
) -> None:
    before = Event.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        training_add(
            actor=personas.case_officer,
            cadre=cadre,
            year=today().year + year_offset,
            hours=hours,
            title=title,
        )
    assert field in errors_of(exc)
    assert not Training.objects.exists() and Event.objects.count() == before


def test_edges_that_pass(personas: Any, cadre: Cadre) -> None:
    officer = personas.case_officer
    training_add(actor=officer, cadre=cadre, year=today().year, hours=1, title="一学时")
    training_add(
        actor=officer, cadre=cadre, year=today().year, hours=TRAINING_MAX_HOURS, title="班" * 120
    )
    assert Training.objects.filter(cadre=cadre).count() == 2


def test_year_before_birth_is_refused(personas: Any, cadre: Cadre) -> None:
    with pytest.raises(ValidationFailed) as exc:
        training_add(
            actor=personas.case_officer,
            cadre=cadre,
            year=cadre.birth_date.year,
            hours=10,
            title="x",
        )
    assert "出生" in errors_of(exc)["year"]


def test_change_refuses_and_keeps_the_row(personas: Any, cadre: Cadre) -> None:
    row = training_add(actor=personas.case_officer, cadre=cadre, year=2025, hours=8, title="x")
    with pytest.raises(ValidationFailed):
        training_change(actor=personas.case_officer, training=row, year=2025, hours=0, title="x")
    row.refresh_from_db()
    assert row.hours == 8


def test_service_scope(personas: Any, cadre: Cadre) -> None:
    row = training_add(actor=personas.case_officer, cadre=cadre, year=2025, hours=8, title="x")
    for actor in (personas.other_unit_hr, personas.committee_member, personas.outsider):
        with pytest.raises(PermissionDenied):
            training_add(actor=actor, cadre=cadre, year=2025, hours=8, title="y")
        with pytest.raises(PermissionDenied):
            training_change(actor=actor, training=row, year=2025, hours=9, title="x")
        with pytest.raises(PermissionDenied):
            training_remove(actor=actor, training=row)
    assert list(Training.objects.values_list("hours", flat=True)) == [8]


def test_standings_read_the_rule_pack(clock: Any) -> None:
    """The requirement is the pack's own: 550 hours over five years, with its source."""
    clock.day = dt.date(2026, 6, 1)
    [s] = training_standings(hours_by_year={2021: 300, 2022: 250, 2026: 299}, on=clock.day)
    assert (s.first_year, s.last_year, s.required, s.hours) == (2022, 2026, 550, 549)
    assert not s.met and "第八条第（五）项" in s.source
    [s] = training_standings(hours_by_year={2022: 250, 2026: 300}, on=clock.day)
    assert s.met and s.hours == 550  # edge: exactly 550 is 以上


# ---- web ---------------------------------------------------------------------------


def test_the_page_adds_changes_and_removes(client: Client, personas: Any, cadre: Cadre) -> None:
    client.force_login(personas.case_officer)
    detail = client.get(reverse("web:cadre_detail", args=[cadre.pk])).content.decode()
    url = reverse("web:cadre_trainings", args=[cadre.pk])
    assert url in detail
    year = today().year
    response = client.post(url, {"year": year, "hours": 40, "title": "党史专题班"})
    assert response.status_code == 302 and response["Location"] == url
    row = Training.objects.get(cadre=cadre)
    html = client.get(url).content.decode()
    assert "党史专题班" in html and "550" in html and "依据" in html
    edit = reverse("web:training_edit", args=[cadre.pk, row.pk])
    assert client.get(edit).status_code == 200
    assert client.post(edit, {"year": year, "hours": 48, "title": "党史专题班"}).status_code == 302
    row.refresh_from_db()
    assert row.hours == 48
    delete = reverse("web:training_delete", args=[cadre.pk, row.pk])
    assert client.get(delete).status_code == 405
    assert client.post(delete).status_code == 302
    assert not Training.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"year": "2025", "hours": "0", "title": "x"}, "学时应为正数"),
        ({"year": "2025", "hours": "99999", "title": "x"}, "不应超过"),
        ({"year": "9999", "hours": "8", "title": "x"}, "尚未到来"),
        ({"year": "2025", "hours": "8", "title": ""}, "必填"),
        ({"year": "2025", "hours": "8", "title": "班" * 5000}, "120"),
        ({"year": "abc", "hours": "8", "title": "x"}, "整数"),
    ],
)
def test_the_page_refuses_bad_input(
    client: Client, personas: Any, cadre: Cadre, data: dict[str, str], message: str
) -> None:
    client.force_login(personas.case_officer)
    before = Event.objects.count()
    response = client.post(reverse("web:cadre_trainings", args=[cadre.pk]), data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Training.objects.exists() and Event.objects.count() == before


def test_page_scope_and_roles(client: Client, personas: Any, cadre: Cadre, admin: Any) -> None:
    row = training_add(actor=admin, cadre=cadre, year=2025, hours=8, title="原有")
    urls = [
        reverse("web:cadre_trainings", args=[cadre.pk]),
        reverse("web:training_edit", args=[cadre.pk, row.pk]),
    ]
    delete = reverse("web:training_delete", args=[cadre.pk, row.pk])
    body = {"year": "2025", "hours": "99", "title": "篡改"}
    before = Event.objects.count()
    for persona, status in (("other_unit_hr", 404), ("committee_member", 403)):
        client.force_login(getattr(personas, persona))
        for url in urls:
            assert client.get(url).status_code == status, (persona, url)
            assert client.post(url, body).status_code == status, (persona, url)
        assert client.post(delete).status_code == status
    client.logout()
    assert client.post(urls[0], body).status_code == 302  # to the login page
    client.force_login(personas.outsider)
    assert client.post(urls[0], body).status_code in (403, 404)
    assert client.post(delete).status_code in (403, 404)
    assert list(Training.objects.values_list("title", "hours")) == [("原有", 8)]
    assert Event.objects.count() == before


def test_a_row_of_another_cadre_is_404(
    client: Client, personas: Any, cadre: Cadre, county: Any, make_cadre: Any, admin: Any
) -> None:
    other = make_cadre(county.town, name="王强")
    row = training_add(actor=admin, cadre=other, year=2025, hours=8, title="别人的")
    client.force_login(personas.case_officer)
    assert client.post(reverse("web:training_delete", args=[cadre.pk, row.pk])).status_code == 404
    assert Training.objects.filter(pk=row.pk).exists()


def test_page_query_count_is_flat(client: Client, personas: Any, cadre: Cadre, admin: Any) -> None:
    client.force_login(personas.case_officer)
    url = reverse("web:cadre_trainings", args=[cadre.pk])
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    training_add(actor=admin, cadre=cadre, year=2024, hours=8, title="一")
    one = count()
    for i in range(5):
        training_add(actor=admin, cadre=cadre, year=2020 + i, hours=8, title=f"班{i}")
    assert count() == one


def test_add_query_count(personas: Any, cadre: Cadre) -> None:
    training_add(actor=personas.case_officer, cadre=cadre, year=2024, hours=8, title="热身")
    with CaptureQueriesContext(connection) as ctx:
        training_add(actor=personas.case_officer, cadre=cadre, year=2025, hours=8, title="一")
    assert len(ctx.captured_queries) <= 12


# ---- API ---------------------------------------------------------------------------


def put_json(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.put(API + url, json.dumps(data), content_type="application/json")


def test_api_list_add_change_remove(client: Client, personas: Any, cadre: Cadre) -> None:
    client.force_login(personas.case_officer)
    base = f"/cadres/{cadre.pk}/trainings"
    response = post_json(client, base, {"year": 2025, "hours": 300, "title": "中青班"})
    assert response.status_code == 201, response.content
    tid = response.json()["id"]
    listed = client.get(API + base).json()
    assert [t["title"] for t in listed["trainings"]] == ["中青班"]
    assert listed["hours_by_year"] == [{"year": 2025, "hours": 300}]
    [standing] = listed["standings"]
    assert standing["required"] == 550 and standing["hours"] == 300 and not standing["met"]
    response = put_json(client, f"{base}/{tid}", {"year": 2025, "hours": 550, "title": "中青班"})
    assert response.status_code == 200 and response.json()["hours"] == 550
    assert client.get(API + base).json()["standings"][0]["met"]
    assert client.delete(f"{API}{base}/{tid}").status_code == 204
    assert not Training.objects.exists()


def test_api_refuses_bad_input(client: Client, personas: Any, cadre: Cadre) -> None:
    client.force_login(personas.case_officer)
    base = f"/cadres/{cadre.pk}/trainings"
    for body in (
        {"year": 2025, "hours": 0, "title": "x"},
        {"year": 2025, "hours": 10**12, "title": "x"},
        {"year": 10**9, "hours": 8, "title": "x"},
        {"year": 2025, "hours": 8, "title": "班" * 10000},
        {"year": 2025, "hours": "many", "title": "x"},
        {"year": 2025},
    ):
        response = post_json(client, base, body)
        assert response.status_code == 422, body
    assert not Training.objects.exists()


def test_api_scope_and_roles(client: Client, personas: Any, cadre: Cadre, admin: Any) -> None:
    row = training_add(actor=admin, cadre=cadre, year=2025, hours=8, title="原有")
    base = f"/cadres/{cadre.pk}/trainings"
    body = {"year": 2025, "hours": 99, "title": "篡改"}
    before = Event.objects.count()
    client.force_login(personas.other_unit_hr)
    assert client.get(API + base).status_code == 404
    assert post_json(client, base, body).status_code == 404
    assert put_json(client, f"{base}/{row.pk}", body).status_code == 404
    assert client.delete(f"{API}{base}/{row.pk}").status_code == 404
    client.force_login(personas.committee_member)
    assert client.get(API + base).status_code == 200  # may see
    assert post_json(client, base, body).status_code == 403
    assert put_json(client, f"{base}/{row.pk}", body).status_code == 403
    assert client.delete(f"{API}{base}/{row.pk}").status_code == 403
    client.force_login(personas.outsider)
    assert post_json(client, base, body).status_code == 403
    assert client.delete(f"{API}{base}/{row.pk}").status_code == 403
    client.force_login(personas.case_officer)
    assert client.delete(f"{API}{base}/{row.pk + 1000}").status_code == 404
    assert list(Training.objects.values_list("title", "hours")) == [("原有", 8)]
    assert Event.objects.count() == before


# ---- the Done-when line: training entered in the browser changes a verdict -----------


def test_training_entered_on_the_page_changes_the_screening_verdict(
    client: Client, personas: Any, admin: Any, county: Any, make_cadre: Any
) -> None:
    quota_set(actor=admin, unit=county.root, level=Level.DIVISION_DEPUTY, approved=5)
    post = post_create(
        actor=admin, unit=county.root, title="副县长", level=Level.DIVISION_DEPUTY, seats=5
    )
    cadre = cadre_update(
        actor=admin,
        cadre=make_cadre(county.finance, name="张伟"),
        changes={"level": Level.SECTION_PRINCIPAL, "level_since": dt.date(2018, 1, 1)},
    )
    officer = personas.case_officer

    def verdict() -> Status:
        explanation = explain_for(actor=officer, cadre=cadre, post=post, ref=today())
        return next(r.status for r in explanation.results if r.rule.id == RULE)

    assert verdict() is Status.FAIL
    client.force_login(officer)
    url = reverse("web:cadre_trainings", args=[cadre.pk])
    this_year = today().year
    client.post(url, {"year": this_year - 1, "hours": 300, "title": "县委党校中青班"})
    client.post(url, {"year": this_year, "hours": 249, "title": "专题研讨班"})
    assert verdict() is Status.FAIL  # 549: one hour short
    client.post(url, {"year": this_year, "hours": 1, "title": "补学"})
    assert verdict() is Status.PASS  # exactly 550 within five years
    assert "已达到" in client.get(url).content.decode()
