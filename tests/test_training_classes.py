"""Training classes (培训班次, issue 15): a class with participants; enrolling a
cadre who completed it writes their Training row for the year the class ends,
taking them off removes that row. Checks, journal, scope, and the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import API, post_json
from xuanren.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from xuanren.journal.models import Event, EventType
from xuanren.journal.services import journal_verify
from xuanren.people.models import Cadre, Training, TrainingClass, TrainingClassParticipant
from xuanren.people.selectors import training_class_get
from xuanren.people.services import (
    training_class_create,
    training_class_enrol,
    training_class_unenrol,
    training_remove,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cadre(county: Any, make_cadre: Any) -> Cadre:
    return make_cadre(county.town, name="李娜")


@pytest.fixture
def klass(personas: Any, county: Any, clock: Any) -> TrainingClass:
    clock.day = dt.date(2026, 12, 6)
    return training_class_create(
        actor=personas.case_officer,
        unit=county.root,
        name="2026 年秋季中青年干部培训班",
        organiser="县委党校",
        start_date=dt.date(2026, 9, 1),
        end_date=dt.date(2026, 11, 30),
        hours=320,
    )


def test_enrol_writes_the_row_and_unenrol_removes_it(
    personas: Any, klass: TrainingClass, cadre: Cadre
) -> None:
    officer = personas.case_officer
    participant = training_class_enrol(actor=officer, training_class=klass, cadre=cadre)
    row = Training.objects.get(cadre=cadre)
    assert (row.year, row.hours, row.title) == (2026, 320, "2026 年秋季中青年干部培训班")
    assert participant.training == row
    with pytest.raises(Conflict):
        training_class_enrol(actor=officer, training_class=klass, cadre=cadre)
    assert Training.objects.filter(cadre=cadre).count() == 1
    training_class_unenrol(actor=officer, participant=participant)
    assert not Training.objects.exists() and not TrainingClassParticipant.objects.exists()
    kinds = list(Event.objects.order_by("pk").values_list("event_type", flat=True))
    assert kinds[-4:] == [
        EventType.CADRE_RECORD_ADDED,
        EventType.TRAINING_CLASS_ENROLLED,
        EventType.CADRE_RECORD_REMOVED,
        EventType.TRAINING_CLASS_UNENROLLED,
    ]
    assert journal_verify().ok


def test_unenrol_after_the_row_was_removed_by_hand(
    personas: Any, klass: TrainingClass, cadre: Cadre
) -> None:
    officer = personas.case_officer
    participant = training_class_enrol(actor=officer, training_class=klass, cadre=cadre)
    training_remove(actor=officer, training=Training.objects.get(cadre=cadre))
    participant.refresh_from_db()
    assert participant.training is None
    training_class_unenrol(actor=officer, participant=participant)
    assert not TrainingClassParticipant.objects.exists()


def test_a_class_not_yet_ended_takes_no_participant(
    personas: Any, klass: TrainingClass, cadre: Cadre, clock: Any
) -> None:
    clock.day = dt.date(2026, 11, 29)  # the day before the class ends
    with pytest.raises(ValidationFailed, match="结业后才能登记"):
        training_class_enrol(actor=personas.case_officer, training_class=klass, cadre=cadre)
    clock.day = dt.date(2026, 11, 30)  # edge: the last day counts
    training_class_enrol(actor=personas.case_officer, training_class=klass, cadre=cadre)
    assert Training.objects.filter(cadre=cadre, year=2026).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": " "}, "name"),
        ({"name": "班" * 121}, "name"),
        ({"organiser": ""}, "organiser"),
        ({"end_date": dt.date(2026, 8, 31)}, "end_date"),
        ({"hours": 0}, "hours"),
        ({"hours": 2001}, "hours"),
    ],
)
def test_create_refuses(personas: Any, county: Any, changes: dict[str, Any], field: str) -> None:
    data: dict[str, Any] = {
        "name": "班",
        "organiser": "县委党校",
        "start_date": dt.date(2026, 9, 1),
        "end_date": dt.date(2026, 9, 5),
        "hours": 40,
        **changes,
    }
    with pytest.raises(ValidationFailed) as exc:
        training_class_create(actor=personas.case_officer, unit=county.root, **data)
    assert field in {e.field for e in exc.value.errors}
    assert not TrainingClass.objects.exists()


def test_scope(personas: Any, klass: TrainingClass, cadre: Cadre, county: Any) -> None:
    hr = personas.other_unit_hr
    with pytest.raises(NotFound):
        training_class_get(actor=hr, pk=klass.pk)
    with pytest.raises(PermissionDenied):
        training_class_enrol(actor=hr, training_class=klass, cadre=cadre)
    with pytest.raises(PermissionDenied):
        training_class_enrol(actor=personas.committee_member, training_class=klass, cadre=cadre)
    with pytest.raises(PermissionDenied):
        training_class_create(
            actor=hr, unit=county.root, name="x", organiser="y",
            start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 1, 2), hours=8,
        )  # fmt: skip
    assert not Training.objects.exists() and TrainingClass.objects.count() == 1


def test_api(
    client: Client, personas: Any, county: Any, cadre: Cadre, clock: Any, make_cadre: Any
) -> None:
    clock.day = dt.date(2026, 12, 6)
    client.force_login(personas.case_officer)
    body = {
        "unit": county.root.pk,
        "name": "乡村振兴专题班",
        "organiser": "市委组织部",
        "start_date": "2026-10-10",
        "end_date": "2026-10-14",
        "hours": 40,
    }
    response = post_json(client, "/training-classes", body)
    assert response.status_code == 201, response.content
    cid = response.json()["id"]
    assert post_json(client, "/training-classes", {**body, "hours": 0}).status_code == 422
    assert post_json(client, "/training-classes", {**body, "name": "x" * 5000}).status_code == 422
    added = post_json(client, f"/training-classes/{cid}/participants", {"cadre": cadre.pk})
    assert added.status_code == 201, added.content
    again = post_json(client, f"/training-classes/{cid}/participants", {"cadre": cadre.pk})
    assert again.status_code == 409
    with CaptureQueriesContext(connection) as one:
        detail = client.get(f"{API}/training-classes/{cid}")
    assert detail.json()["participants"][0]["cadre_name"] == "李娜"
    assert Training.objects.get(cadre=cadre).hours == 40
    assert [c["name"] for c in client.get(f"{API}/training-classes").json()["items"]] == [
        "乡村振兴专题班"
    ]
    # Others out of scope: 404, and nothing changes.
    pid = added.json()["id"]
    client.force_login(personas.other_unit_hr)
    assert client.get(f"{API}/training-classes/{cid}").status_code == 404
    assert client.get(f"{API}/training-classes").json()["items"] == []
    assert client.delete(f"{API}/training-classes/{cid}/participants/{pid}").status_code == 404
    client.force_login(personas.committee_member)
    assert client.delete(f"{API}/training-classes/{cid}/participants/{pid}").status_code == 403
    client.force_login(personas.outsider)
    assert client.get(f"{API}/training-classes").status_code == 403
    assert Training.objects.filter(cadre=cadre).count() == 1
    client.force_login(personas.case_officer)
    # The detail's queries do not grow with participants.
    for name in ("王强", "赵敏", "陈刚"):
        more = make_cadre(county.town, name=name)
        post_json(client, f"/training-classes/{cid}/participants", {"cadre": more.pk})
    with CaptureQueriesContext(connection) as four:
        assert len(client.get(f"{API}/training-classes/{cid}").json()["participants"]) == 4
    assert len(four.captured_queries) == len(one.captured_queries)
    deleted = client.delete(f"{API}/training-classes/{cid}/participants/{pid}")
    assert deleted.status_code == 204
    assert not Training.objects.filter(cadre=cadre).exists()
    assert Training.objects.count() == 3
    assert len(one.captured_queries) <= 12


# ---- pages -------------------------------------------------------------------------


def test_pages_record_a_class_enrol_and_remove(
    client: Client, personas: Any, county: Any, cadre: Cadre, clock: Any
) -> None:
    from django.urls import reverse

    clock.day = dt.date(2026, 12, 6)
    client.force_login(personas.case_officer)
    url = reverse("web:training_classes")
    assert client.get(url).status_code == 200
    body = {
        "unit": county.root.pk,
        "name": "党纪学习教育读书班",
        "organiser": "县纪委",
        "start_date": "2026-05-06",
        "end_date": "2026-05-10",
        "hours": "32",
    }
    bad = client.post(url, {**body, "end_date": "2026-05-01"})
    assert bad.status_code == 422 and "结业日期不能早于开班日期" in bad.content.decode()
    assert client.post(url, {**body, "hours": "0"}).status_code == 422
    assert not TrainingClass.objects.exists()
    created = client.post(url, body)
    assert created.status_code == 302
    klass = TrainingClass.objects.get()
    page = reverse("web:training_class", args=[klass.pk])
    assert created["Location"] == page
    html = client.get(page).content.decode()
    assert "党纪学习教育读书班" in html and 'name="cadre"' in html
    from tests.web.test_csp_pages import inline_problems

    assert not inline_problems(html)
    assert not inline_problems(client.get(url).content.decode())
    assert client.post(page, {"cadre": cadre.pk}).status_code == 302
    row = Training.objects.get(cadre=cadre)
    assert (row.year, row.hours) == (2026, 32)
    again = client.post(page, {"cadre": cadre.pk})
    assert again.status_code == 422 and "已是该班次的学员" in again.content.decode()
    assert client.post(page, {"cadre": "999999"}).status_code == 422  # not in the picker's scope
    participant = TrainingClassParticipant.objects.get()
    remove = reverse("web:training_class_participant_remove", args=[klass.pk, participant.pk])
    assert client.get(remove).status_code == 405
    assert client.post(remove).status_code == 302
    assert not Training.objects.exists()


def test_pages_scope(
    client: Client, personas: Any, klass: TrainingClass, cadre: Cadre, county: Any
) -> None:
    from django.urls import reverse

    participant = training_class_enrol(
        actor=personas.case_officer, training_class=klass, cadre=cadre
    )
    page = reverse("web:training_class", args=[klass.pk])
    remove = reverse("web:training_class_participant_remove", args=[klass.pk, participant.pk])
    before = Event.objects.count()
    client.force_login(personas.other_unit_hr)
    assert client.get(page).status_code == 404
    assert client.post(page, {"cadre": cadre.pk}).status_code == 404
    assert client.post(remove).status_code == 404
    assert klass.name not in client.get(reverse("web:training_classes")).content.decode()
    client.force_login(personas.committee_member)
    assert client.get(page).status_code == 200  # may see
    assert client.post(page, {"cadre": cadre.pk}).status_code == 403
    assert client.post(remove).status_code == 403
    client.force_login(personas.outsider)
    assert client.get(page).status_code in (403, 404)
    assert client.post(remove).status_code in (403, 404)
    assert Training.objects.filter(cadre=cadre).count() == 1
    assert Event.objects.count() == before
