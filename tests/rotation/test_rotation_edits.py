"""Corrections in rotation and exchange (issue 16, docs/decisions/0190): an
exchange record corrected or withdrawn with a reason (journalled old → new),
a planned rotation entry edited or removed, the plan form's target post by
the scoped post picker; pages with their scope (404, 403, nothing changed)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.api.conftest import API, field_errors, post_json
from tests.conftest import make_user
from xuanren.access.models import Role
from xuanren.common.errors import Conflict, PermissionDenied, ValidationFailed
from xuanren.journal.models import Event, EventType
from xuanren.journal.services import journal_verify
from xuanren.people.services import tenure_start
from xuanren.rotation.models import EntryStatus, ExchangeRecord, RotationPlanEntry
from xuanren.rotation.services import (
    exchange_record_add,
    exchange_record_correct,
    exchange_record_withdraw,
    rotation_plan_add,
    rotation_plan_create,
    rotation_plan_entry_edit,
    rotation_plan_entry_remove,
    rotation_plan_entry_set,
)

pytestmark = pytest.mark.django_db
ON = dt.date(2026, 9, 1)


@pytest.fixture
def deputy(clock: Any, county: Any, make_cadre: Any, admin: Any) -> Any:
    clock.day = ON
    cadre = make_cadre(county.finance, name="赵副局长")
    tenure_start(
        actor=admin, cadre=cadre, post=county.finance_deputy, start_date=dt.date(2016, 9, 2)
    )
    return cadre


@pytest.fixture
def record(deputy: Any, county: Any, personas: Any) -> ExchangeRecord:
    return exchange_record_add(
        actor=personas.case_officer, cadre=deputy, kind="cross_department",
        date=dt.date(2026, 8, 3), from_post=county.finance_deputy, to_name="县审计局副局长",
        document="青组干〔2026〕8号",
    )  # fmt: skip


def _correct(actor: Any, record: ExchangeRecord, county: Any, **over: Any) -> ExchangeRecord:
    data: dict[str, Any] = {
        "reason": "文号录入错误", "kind": "cross_department", "date": dt.date(2026, 8, 3),
        "from_post": county.finance_deputy, "to_name": "县审计局副局长",
        "document": "青组干〔2026〕18号", **over,
    }  # fmt: skip
    return exchange_record_correct(actor=actor, record=record, **data)


def test_exchange_correct_journals_old_and_new(record: Any, county: Any, personas: Any) -> None:
    _correct(personas.case_officer, record, county)
    assert ExchangeRecord.objects.get().document == "青组干〔2026〕18号"
    event = Event.objects.get(event_type=EventType.EXCHANGE_CORRECTED)
    assert event.payload["reason"] == "文号录入错误"
    assert event.payload["changes"] == {"document": ["青组干〔2026〕8号", "青组干〔2026〕18号"]}
    with pytest.raises(Conflict):  # nothing changed
        _correct(personas.case_officer, record, county)
    assert journal_verify().ok


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"reason": "  "}, "reason"),
        ({"date": ON + dt.timedelta(days=1)}, "date"),  # tomorrow
        ({"to_name": "=1+1"}, "to_name"),
        ({"kind": "sideways"}, "kind"),
    ],
)
def test_exchange_correct_refusals_change_nothing(
    record: Any, county: Any, personas: Any, over: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        _correct(personas.case_officer, record, county, **over)
    assert field in {e.field for e in caught.value.errors}
    assert ExchangeRecord.objects.get().document == "青组干〔2026〕8号"
    assert not Event.objects.filter(event_type=EventType.EXCHANGE_CORRECTED).exists()


def test_exchange_correct_on_the_day(record: Any, county: Any, personas: Any) -> None:
    _correct(personas.case_officer, record, county, date=ON)  # today is allowed
    assert ExchangeRecord.objects.get().date == ON


def test_exchange_withdraw(record: Any, deputy: Any, county: Any, personas: Any) -> None:
    officer = personas.case_officer
    with pytest.raises(ValidationFailed):  # a reason is required
        exchange_record_withdraw(actor=officer, record=record, reason="")
    plan = rotation_plan_create(actor=officer, unit=county.finance, title="轮岗计划", year=2026)
    entry = rotation_plan_add(actor=officer, plan=plan, cadre=deputy, target_name="县审计局")
    rotation_plan_entry_set(actor=officer, entry=entry, status="done", done_on=ON, exchange=record)
    with pytest.raises(Conflict) as caught:  # the basis of a done rotation
        exchange_record_withdraw(actor=officer, record=record, reason="重复登记")
    assert "轮岗计划" in caught.value.message and ExchangeRecord.objects.exists()
    rotation_plan_entry_set(actor=officer, entry=entry, status="planned")
    exchange_record_withdraw(actor=officer, record=record, reason="重复登记")
    assert not ExchangeRecord.objects.exists()
    event = Event.objects.get(event_type=EventType.EXCHANGE_WITHDRAWN)
    assert (event.payload["reason"], event.payload["document"]) == ("重复登记", "青组干〔2026〕8号")
    assert journal_verify().ok


def test_exchange_corrections_need_permission_and_scope(
    record: Any, county: Any, personas: Any
) -> None:
    for actor in (personas.discipline, personas.other_unit_hr, personas.committee_member):
        with pytest.raises(PermissionDenied):
            _correct(actor, record, county)
        with pytest.raises(PermissionDenied):
            exchange_record_withdraw(actor=actor, record=record, reason="x")
    assert ExchangeRecord.objects.get().document == "青组干〔2026〕8号"


def test_entry_edit_and_remove_while_planned(deputy: Any, county: Any, personas: Any) -> None:
    officer = personas.case_officer
    plan = rotation_plan_create(actor=officer, unit=county.finance, title="轮岗计划", year=2026)
    entry = rotation_plan_add(actor=officer, plan=plan, cadre=deputy, target_name="县审计局")
    rotation_plan_entry_edit(actor=officer, entry=entry, target_post=county.finance_head)
    entry.refresh_from_db()
    assert (entry.target_post_id, entry.target_name) == (county.finance_head.pk, "")
    changes = Event.objects.get(event_type=EventType.ROTATION_PLAN_ENTRY_EDITED).payload["changes"]
    assert changes["target_post"] == [None, county.finance_head.pk]
    with pytest.raises(ValidationFailed):  # the post held now
        rotation_plan_entry_edit(actor=officer, entry=entry, target_post=county.finance_deputy)
    with pytest.raises(ValidationFailed):  # no destination
        rotation_plan_entry_edit(actor=officer, entry=entry)
    with pytest.raises(PermissionDenied):
        rotation_plan_entry_remove(actor=personas.committee_member, entry=entry)
    rotation_plan_entry_set(actor=officer, entry=entry, status="cancelled")
    with pytest.raises(Conflict):
        rotation_plan_entry_edit(actor=officer, entry=entry, target_name="别处")
    with pytest.raises(Conflict):
        rotation_plan_entry_remove(actor=officer, entry=entry)
    assert RotationPlanEntry.objects.get().status == EntryStatus.CANCELLED
    rotation_plan_entry_set(actor=officer, entry=entry, status="planned")
    rotation_plan_entry_remove(actor=officer, entry=entry)
    assert not RotationPlanEntry.objects.exists()
    assert Event.objects.filter(event_type=EventType.ROTATION_PLAN_ENTRY_REMOVED).count() == 1
    assert journal_verify().ok


# ---- pages ---------------------------------------------------------------------------


def test_exchange_pages(client: Client, record: Any, deputy: Any, personas: Any) -> None:
    client.force_login(personas.case_officer)
    cadre_page = client.get(reverse("web:cadre_detail", args=[deputy.pk])).content.decode()
    correct = reverse("rotation:exchange_correct", args=[record.pk])
    withdraw = reverse("rotation:exchange_withdraw", args=[record.pk])
    assert correct in cadre_page and withdraw in cadre_page
    assert "青组干〔2026〕8号" in client.get(correct).content.decode()
    body = {"kind": "cross_department", "date": "2026-08-03", "to_name": "县审计局副局长",
            "from_post": str(deputy.tenures.get().post_id), "document": "青组干〔2026〕18号"}  # fmt: skip
    assert client.post(correct, body).status_code == 422  # no reason
    assert client.post(correct, {**body, "reason": "文号有误"}).status_code == 302
    assert ExchangeRecord.objects.get().document == "青组干〔2026〕18号"
    assert client.post(withdraw, {"reason": ""}).status_code == 422
    assert client.post(withdraw, {"reason": "重复登记"}).status_code == 302
    assert not ExchangeRecord.objects.exists()


def test_exchange_page_scope(client: Client, record: Any, personas: Any) -> None:
    targets = [reverse("rotation:exchange_correct", args=[record.pk]),
               reverse("rotation:exchange_withdraw", args=[record.pk])]  # fmt: skip
    client.force_login(personas.committee_member)  # reads, may not change
    for target in targets:
        assert client.get(target).status_code == 403
        assert client.post(target, {"reason": "x"}).status_code == 403
    client.force_login(personas.other_unit_hr)  # another town: 404
    for target in targets:
        assert client.get(target).status_code == 404
        assert client.post(target, {"reason": "x"}).status_code == 404
    assert ExchangeRecord.objects.get().document == "青组干〔2026〕8号"


def test_plan_page_post_picker_and_entry_pages(
    client: Client, deputy: Any, county: Any, personas: Any
) -> None:
    officer = personas.case_officer
    plan = rotation_plan_create(actor=officer, unit=county.finance, title="轮岗计划", year=2026)
    url = reverse("rotation:plan", args=[plan.pk])
    client.force_login(officer)
    page = client.get(url).content.decode()
    assert 'name="post_q"' in page and '<select name="target_post"' not in page
    added = client.post(url, {"action": "add", "cadre": deputy.pk,
                              "target_post": county.finance_head.pk})  # fmt: skip
    assert added.status_code == 302
    entry = RotationPlanEntry.objects.get()
    assert entry.target_post_id == county.finance_head.pk
    change = reverse("rotation:entry_change", args=[entry.pk])
    assert change in client.get(url).content.decode()
    assert str(county.finance_head.title) in client.get(change).content.decode()
    assert (
        client.post(change, {"action": "edit", "target_post": "", "target_name": ""}).status_code
        == 422
    )
    edited = client.post(change, {"action": "edit", "target_post": "", "target_name": "县审计局"})
    assert edited.status_code == 302
    entry.refresh_from_db()
    assert (entry.target_post_id, entry.target_name) == (None, "县审计局")
    assert client.post(change, {"action": "dance"}).status_code == 400
    client.force_login(personas.committee_member)
    assert client.post(change, {"action": "remove"}).status_code == 403
    client.force_login(personas.other_unit_hr)
    assert client.get(change).status_code == 404
    assert client.post(change, {"action": "remove"}).status_code == 404
    assert RotationPlanEntry.objects.exists()
    client.force_login(officer)
    assert client.post(change, {"action": "remove"}).status_code == 302
    assert not RotationPlanEntry.objects.exists()


def test_attack_target_post_outside_the_scope(
    client: Client, county: Any, make_cadre: Any, admin: Any, clock: Any
) -> None:
    """A post id of another unit posted by hand is refused; nothing saved."""
    clock.day = ON
    officer = make_user("officer_town", Role.CASE_OFFICER, county.town)
    cadre = make_cadre(county.town, name="钱副镇长")
    tenure_start(actor=admin, cadre=cadre, post=county.town_deputy, start_date=dt.date(2020, 1, 6))
    plan = rotation_plan_create(actor=officer, unit=county.town, title="镇计划", year=2026)
    client.force_login(officer)
    response = client.post(reverse("rotation:plan", args=[plan.pk]),
                           {"action": "add", "cadre": cadre.pk,
                            "target_post": county.finance_head.pk})  # fmt: skip
    assert response.status_code == 422 and "不在您的管理范围内" in response.content.decode()
    assert str(county.finance_head.title) not in response.content.decode()
    assert not RotationPlanEntry.objects.exists()


# ---- API -----------------------------------------------------------------------------


def _put(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.put(API + url, json.dumps(data), content_type="application/json")


def _correction(county: Any, **over: Any) -> dict[str, Any]:
    return {"reason": "文号录入错误", "kind": "cross_department", "date": "2026-08-03",
            "from_post": county.finance_deputy.pk, "to_name": "县审计局副局长",
            "document": "青组干〔2026〕18号", **over}  # fmt: skip


def test_api_exchange_correct_and_withdraw(
    client: Client, record: Any, county: Any, personas: Any
) -> None:
    client.force_login(personas.case_officer)
    url = f"/rotation/exchanges/{record.pk}"
    done = _put(client, url, _correction(county))
    assert done.status_code == 200 and done.json()["document"] == "青组干〔2026〕18号"
    event = Event.objects.get(event_type=EventType.EXCHANGE_CORRECTED)
    assert event.payload["changes"] == {"document": ["青组干〔2026〕8号", "青组干〔2026〕18号"]}
    assert _put(client, url, _correction(county)).status_code == 409  # nothing changed
    bad = _put(client, url, _correction(county, reason=" ", date="2026-09-02"))  # tomorrow
    assert bad.status_code == 422 and {"reason", "date"} <= set(field_errors(bad))
    assert ExchangeRecord.objects.get().date == dt.date(2026, 8, 3)
    assert post_json(client, f"{url}/withdraw", {"reason": ""}).status_code == 422
    assert post_json(client, f"{url}/withdraw", {"reason": "重复登记"}).status_code == 204
    assert not ExchangeRecord.objects.exists()
    assert (
        Event.objects.get(event_type=EventType.EXCHANGE_WITHDRAWN).payload["reason"] == "重复登记"
    )
    assert journal_verify().ok


def test_api_entry_edit_and_remove(client: Client, deputy: Any, county: Any, personas: Any) -> None:
    officer = personas.case_officer
    plan = rotation_plan_create(actor=officer, unit=county.finance, title="轮岗计划", year=2026)
    entry = rotation_plan_add(actor=officer, plan=plan, cadre=deputy, target_name="县审计局")
    client.force_login(officer)
    url = f"/rotation/plans/{plan.pk}/entries/{entry.pk}"
    edited = _put(client, url, {"target_post": county.finance_head.pk})
    assert edited.status_code == 200
    assert edited.json()["entries"][0]["target_post_id"] == county.finance_head.pk
    held = _put(client, url, {"target_post": county.finance_deputy.pk})  # the post held now
    assert held.status_code == 422 and "target_post" in field_errors(held)
    # Another plan's path: 404.
    other = rotation_plan_create(actor=officer, unit=county.finance, title="另一计划", year=2026)
    assert client.delete(f"{API}/rotation/plans/{other.pk}/entries/{entry.pk}").status_code == 404
    rotation_plan_entry_set(actor=officer, entry=entry, status="cancelled")
    assert _put(client, url, {"target_name": "别处"}).status_code == 409
    assert client.delete(API + url).status_code == 409
    rotation_plan_entry_set(actor=officer, entry=entry, status="planned")
    assert client.delete(API + url).status_code == 204
    assert not RotationPlanEntry.objects.exists()


def test_api_rotation_corrections_scope(
    client: Client, record: Any, deputy: Any, county: Any, personas: Any
) -> None:
    officer = personas.case_officer
    plan = rotation_plan_create(actor=officer, unit=county.finance, title="轮岗计划", year=2026)
    entry = rotation_plan_add(actor=officer, plan=plan, cadre=deputy, target_name="县审计局")
    entry_url = f"/rotation/plans/{plan.pk}/entries/{entry.pk}"
    before = Event.objects.count()
    for user, status in (
        (personas.committee_member, 403),  # reads, may not change
        (personas.other_unit_hr, 404),  # another town
        (personas.outsider, 403),
    ):
        client.force_login(user)
        calls = [
            _put(client, f"/rotation/exchanges/{record.pk}", _correction(county)),
            post_json(client, f"/rotation/exchanges/{record.pk}/withdraw", {"reason": "x"}),
            _put(client, entry_url, {"target_name": "别处"}),
            client.delete(API + entry_url),
        ]
        assert [c.status_code for c in calls] == [status] * 4, user.username
    assert Event.objects.count() == before
    assert ExchangeRecord.objects.get().document == "青组干〔2026〕8号"
    assert RotationPlanEntry.objects.get().target_name == "县审计局"


def test_api_attack_a_post_outside_the_scope(
    client: Client, record: Any, county: Any, personas: Any
) -> None:
    """A post id outside a town officer's scope, in a correction: 404, nothing saved."""
    town = make_user("officer_town", Role.CASE_OFFICER, county.town)
    client.force_login(town)
    assert _put(client, f"/rotation/exchanges/{record.pk}", _correction(county)).status_code == 404
    client.force_login(personas.case_officer)
    far = _put(client, f"/rotation/exchanges/{record.pk}",
               _correction(county, to_post=999_999, to_name=""))  # fmt: skip
    assert far.status_code == 404
    assert ExchangeRecord.objects.get().document == "青组干〔2026〕8号"
