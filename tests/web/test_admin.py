"""The Django admin: a read-only view of the records for administrators."""

from __future__ import annotations

from django.contrib import admin as django_admin
from django.test import RequestFactory
from django.urls import reverse

from xuanren.access.models import Scope
from xuanren.journal.models import Event, EventType
from xuanren.people.models import Cadre


def test_admin_pages_render(client, admin, world):
    client.force_login(admin)
    for model in [
        "org/unit",
        "org/post",
        "org/quota",
        "people/cadre",
        "journal/event",
        "access/scope",
    ]:
        response = client.get(f"/admin/{model}/")
        assert response.status_code == 200, model
    detail = client.get(f"/admin/people/cadre/{world.zhang.pk}/change/")
    assert detail.status_code == 200
    assert world.zhang.id_number not in detail.content.decode()


def test_event_admin_is_read_only(admin, world):
    model_admin = django_admin.site._registry[Event]
    request = RequestFactory().get("/admin/")
    request.user = admin
    event = Event.objects.first()
    assert model_admin.has_view_permission(request, event)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)
    cadre_admin = django_admin.site._registry[Cadre]
    assert not cadre_admin.has_change_permission(request, world.zhang)


def test_event_admin_refuses_writes(client, admin, world):
    client.force_login(admin)
    event = Event.objects.first()
    assert client.get("/admin/journal/event/add/").status_code == 403
    assert (
        client.post(f"/admin/journal/event/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert Event.objects.filter(pk=event.pk).exists()


def test_scope_change_in_admin_is_journaled(client, admin, personas, county):
    client.force_login(admin)
    scope = Scope.objects.get(user=personas.other_unit_hr)
    before = scope.unit_id
    response = client.post(
        f"/admin/access/scope/{scope.pk}/change/",
        {"user": personas.other_unit_hr.pk, "unit": county.town.pk},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    scope.refresh_from_db()
    assert scope.unit_id == county.town.pk
    event = Event.objects.order_by("-id").first()
    assert event.event_type == EventType.USER_SCOPE_SET
    assert event.payload == {
        "user": personas.other_unit_hr.pk,
        "unit": county.town.pk,
        "before": before,
    }


def test_non_staff_cannot_use_admin(client, personas):
    client.force_login(personas.case_officer)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
