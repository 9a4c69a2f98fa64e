"""Temporary postings (挂职锻炼, issue 15, docs/decisions/0158) entered,
corrected and removed through the people services, the page and the API: the
checks with their edges, the journal, scope (out of scope 404, may see but not
change 403, nothing changed) and the cadre page listing them."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.api.conftest import API, field_errors, post_json
from xuanren.common.errors import PermissionDenied, ValidationFailed
from xuanren.journal.models import Event, EventType
from xuanren.journal.services import journal_verify
from xuanren.people.models import Cadre, TemporaryPosting
from xuanren.people.posting_services import (
    temporary_posting_add,
    temporary_posting_change,
    temporary_posting_remove,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 9, 1)


@pytest.fixture
def cadre(clock: Any, county: Any, make_cadre: Any) -> Cadre:
    clock.day = TODAY
    return make_cadre(county.town, name="李娜", sex="female")


def _add(actor: Any, cadre: Cadre, **over: Any) -> TemporaryPosting:
    data: dict[str, Any] = {
        "host_name": "市发展和改革委员会",
        "post_title": "挂职副主任",
        "start_date": dt.date(2026, 3, 1),
        "end_date": dt.date(2026, 3, 31),
        **over,
    }
    return temporary_posting_add(actor=actor, cadre=cadre, **data)


def test_add_change_remove_are_journalled(personas: Any, cadre: Cadre, county: Any) -> None:
    officer = personas.case_officer
    row = _add(officer, cadre, host_name=" 市发展和改革委员会 ", note="一个月")
    assert (row.host, row.post_title, row.note) == ("市发展和改革委员会", "挂职副主任", "一个月")
    added = Event.objects.get(event_type=EventType.CADRE_RECORD_ADDED)
    assert added.payload["record"] == "temporaryposting"
    # Moved to a unit of the system; one day is a posting too (end on the start day).
    changed = temporary_posting_change(
        actor=officer,
        posting=row,
        host_unit=county.other_town,
        post_title="挂职副镇长",
        start_date=dt.date(2026, 3, 1),
        end_date=dt.date(2026, 3, 1),
    )
    assert changed.host == "石桥镇" and changed.host_name == ""
    event = Event.objects.get(event_type=EventType.CADRE_RECORD_CHANGED)
    assert event.payload["changes"]["host_unit"] == [None, county.other_town.pk]
    assert event.payload["changes"]["end_date"] == ["2026-03-31", "2026-03-01"]
    temporary_posting_change(
        actor=officer,
        posting=changed,
        host_unit=county.other_town,
        post_title="挂职副镇长",
        start_date=dt.date(2026, 3, 1),
        end_date=dt.date(2026, 3, 1),
    )
    assert Event.objects.filter(event_type=EventType.CADRE_RECORD_CHANGED).count() == 1
    temporary_posting_remove(actor=officer, posting=changed)
    assert not TemporaryPosting.objects.exists()
    removed = Event.objects.get(event_type=EventType.CADRE_RECORD_REMOVED)
    assert removed.payload["post_title"] == "挂职副镇长"
    assert journal_verify().ok


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"host_name": ""}, "host_name"),
        ({"post_title": " "}, "post_title"),
        ({"start_date": dt.date(2026, 9, 2)}, "start_date"),  # tomorrow
        ({"start_date": dt.date(2006, 1, 1)}, "start_date"),  # before work started (2007-08)
        ({"end_date": dt.date(2026, 2, 28)}, "end_date"),  # before the start
        ({"note": "长" * 201}, "note"),
    ],
)
def test_refusals_save_nothing(
    personas: Any, cadre: Cadre, over: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationFailed) as exc:
        _add(personas.case_officer, cadre, **over)
    assert field in {e.field for e in exc.value.errors}
    assert not TemporaryPosting.objects.exists()
    assert not Event.objects.filter(event_type=EventType.CADRE_RECORD_ADDED).exists()


def test_host_is_one_of_unit_or_name_and_not_the_own_unit(
    personas: Any, cadre: Cadre, county: Any
) -> None:
    with pytest.raises(ValidationFailed) as exc:
        _add(personas.case_officer, cadre, host_unit=county.finance)
    assert exc.value.errors[0].field == "host_name"
    with pytest.raises(ValidationFailed) as exc:
        _add(personas.case_officer, cadre, host_unit=county.town, host_name="")
    assert exc.value.errors[0].field == "host_unit"
    # A current posting: started, ending later.
    row = _add(personas.case_officer, cadre, end_date=dt.date(2027, 2, 28))
    assert row.end_date > TODAY


def test_only_who_may_change_the_cadre(personas: Any, cadre: Cadre) -> None:
    for actor in (personas.discipline, personas.committee_member, personas.other_unit_hr):
        with pytest.raises(PermissionDenied):
            _add(actor, cadre)
    assert not TemporaryPosting.objects.exists()


def test_the_page_adds_changes_and_removes(client: Client, personas: Any, cadre: Cadre) -> None:
    client.force_login(personas.case_officer)
    detail = client.get(reverse("web:cadre_detail", args=[cadre.pk])).content.decode()
    url = reverse("web:cadre_postings", args=[cadre.pk])
    assert url in detail
    body = {
        "host_unit": "",
        "host_name": "四川省某大型企业",
        "post_title": "挂职总经理助理",
        "start_date": "2026-04-01",
        "end_date": "2026-04-30",
        "note": "",
    }
    refused = client.post(url, {**body, "end_date": "2026-03-01"})
    assert refused.status_code == 422 and "应不早于开始日期" in refused.content.decode()
    response = client.post(url, body)
    assert response.status_code == 302 and response["Location"] == url
    row = TemporaryPosting.objects.get()
    edit = reverse("web:posting_edit", args=[cadre.pk, row.pk])
    assert client.get(edit).status_code == 200
    assert client.post(edit, {**body, "post_title": "挂职副总经理"}).status_code == 302
    detail = client.get(reverse("web:cadre_detail", args=[cadre.pk])).content.decode()
    assert "挂职副总经理" in detail and "2026.04.01 — 2026.04.30" in detail
    delete = reverse("web:posting_delete", args=[cadre.pk, row.pk])
    assert client.get(delete).status_code == 405
    assert client.post(delete).status_code == 302
    assert not TemporaryPosting.objects.exists()


def test_page_and_api_scope(
    client: Client, personas: Any, cadre: Cadre, county: Any, make_cadre: Any
) -> None:
    row = _add(personas.case_officer, cadre)
    url = reverse("web:cadre_postings", args=[cadre.pk])
    edit = reverse("web:posting_edit", args=[cadre.pk, row.pk])
    delete = reverse("web:posting_delete", args=[cadre.pk, row.pk])
    api = f"/cadres/{cadre.pk}/postings"
    # May see the cadre, not change it: 403.
    client.force_login(personas.discipline)
    assert client.get(url).status_code == 403
    assert client.post(delete).status_code == 403
    assert client.get(API + api).status_code == 200
    assert client.delete(API + f"{api}/{row.pk}").status_code == 403
    # Out of scope: 404.
    client.force_login(personas.other_unit_hr)
    assert client.get(url).status_code == 404
    assert client.get(edit).status_code == 404
    assert client.post(delete).status_code == 404
    assert client.get(API + api).status_code == 404
    assert client.delete(API + f"{api}/{row.pk}").status_code == 404
    # Another cadre's row: 404.
    client.force_login(personas.case_officer)
    other = make_cadre(county.town, name="周杰")
    assert client.get(reverse("web:posting_edit", args=[other.pk, row.pk])).status_code == 404
    assert client.delete(API + f"/cadres/{other.pk}/postings/{row.pk}").status_code == 404
    assert TemporaryPosting.objects.filter(pk=row.pk).count() == 1


def test_api(client: Client, personas: Any, cadre: Cadre, county: Any) -> None:
    client.force_login(personas.case_officer)
    base = f"/cadres/{cadre.pk}/postings"
    body = {
        "host_unit": county.other_town.pk,
        "post_title": "挂职副镇长",
        "start_date": "2026-05-01",
        "end_date": "2026-05-31",
    }
    bad = post_json(client, base, {**body, "post_title": ""})
    assert bad.status_code == 422 and "post_title" in field_errors(bad)
    made = post_json(client, base, body)
    assert made.status_code == 201, made.content
    assert made.json()["host"] == "石桥镇"
    pid = made.json()["id"]
    changed = client.put(
        API + f"{base}/{pid}",
        json.dumps({**body, "host_unit": None, "host_name": "市委组织部"}),
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["host"] == "市委组织部"
    assert [p["id"] for p in client.get(API + base).json()] == [pid]
    assert client.delete(API + f"{base}/{pid}").status_code == 204
    assert client.get(API + base).json() == []
