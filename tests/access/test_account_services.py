"""Account changes go through the journalled services: administrators only
(a user may change their own password), refusals change nothing, and no
journal payload holds a password hash or a TOTP secret."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Group, User

from xuanren.access.models import Role, Scope
from xuanren.access.services import (
    scope_clear,
    scope_set,
    user_active_set,
    user_create,
    user_flags_set,
    user_password_set,
    user_profile_set,
    user_roles_set,
)
from xuanren.common.errors import PermissionDenied, ValidationFailed
from xuanren.journal.models import Event, EventType

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "Qing-shan-2026!"


def events(kind: EventType) -> list[Event]:
    return list(Event.objects.filter(event_type=kind).order_by("id"))


def no_secrets_in_journal(*users: User) -> None:
    text = json.dumps([e.payload for e in Event.objects.all()], ensure_ascii=False)
    for user in users:
        user.refresh_from_db()
        assert user.password not in text
        assert user.password.split("$")[-1] not in text


def test_user_create_with_roles_is_journalled(admin, personas):
    user = user_create(
        actor=admin,
        username="newhr",
        password=GOOD_PASSWORD,
        roles=[Role.UNIT_HR],
        last_name="李",
        first_name="明",
    )
    assert user.check_password(GOOD_PASSWORD)
    assert list(user.groups.values_list("name", flat=True)) == ["unit_hr"]
    [event] = events(EventType.USER_CREATED)
    assert event.subject_type == "auth.user" and event.subject_id == str(user.pk)
    assert event.payload == {
        "username": "newhr",
        "roles": ["unit_hr"],
        "is_staff": False,
        "is_superuser": False,
    }
    assert event.actor_id == admin.pk
    no_secrets_in_journal(user)


def test_user_create_refuses_bad_input_and_saves_nothing(admin, personas):
    before = (User.objects.count(), Event.objects.count())
    with pytest.raises(ValidationFailed) as caught:
        user_create(actor=admin, username="officer", password="123", roles=["boss"])
    fields = {e.field for e in caught.value.errors}
    assert fields == {"username", "password", "roles"}
    assert "已被使用" in str(caught.value)
    assert (User.objects.count(), Event.objects.count()) == before


@pytest.mark.parametrize("who", ["case_officer", "discipline", "other_unit_hr", "outsider"])
def test_only_administrators_change_accounts(personas, who):
    actor = getattr(personas, who)
    target = personas.committee_member
    before = (User.objects.count(), Event.objects.count())
    calls = [
        lambda: user_create(actor=actor, username="x1", password=GOOD_PASSWORD),
        lambda: user_roles_set(actor=actor, user=target, roles=[Role.CASE_OFFICER]),
        lambda: user_flags_set(actor=actor, user=target, is_staff=True, is_superuser=True),
        lambda: user_active_set(actor=actor, user=target, active=False),
        lambda: user_password_set(actor=actor, user=target, password=GOOD_PASSWORD),
        lambda: user_profile_set(actor=actor, user=target, first_name="x", last_name="", email=""),
        lambda: scope_clear(actor=actor, user=target),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    target.refresh_from_db()
    assert (target.is_superuser, target.is_active) == (False, True)
    assert list(target.groups.values_list("name", flat=True)) == ["committee_member"]
    assert target.check_password("pw-member-123")
    assert Scope.objects.filter(user=target).exists()
    assert (User.objects.count(), Event.objects.count()) == before


def test_roles_flags_active_profile_each_journalled(admin, personas):
    user = personas.committee_member
    user_roles_set(actor=admin, user=user, roles=[Role.CASE_OFFICER, Role.COMMITTEE_MEMBER])
    user_flags_set(actor=admin, user=user, is_staff=False, is_superuser=True)
    user_active_set(actor=admin, user=user, active=False)
    user_profile_set(actor=admin, user=user, first_name="芳", last_name="王", email="w@example.cn")
    [roles] = events(EventType.ROLE_ASSIGNED)
    assert roles.payload["before"] == ["committee_member"]
    assert roles.payload["after"] == ["case_officer", "committee_member"]
    [flags] = events(EventType.USER_FLAGS_SET)
    # A superuser is always staff.
    assert flags.payload["after"] == {"is_staff": True, "is_superuser": True}
    [active] = events(EventType.USER_ACTIVE_SET)
    assert active.payload == {"user": user.pk, "active": False}
    [profile] = events(EventType.USER_PROFILE_SET)
    assert profile.payload["after"] == {
        "first_name": "芳",
        "last_name": "王",
        "email": "w@example.cn",
    }
    # Unchanged values add no event.
    count = Event.objects.count()
    user_roles_set(actor=admin, user=user, roles=[Role.COMMITTEE_MEMBER, Role.CASE_OFFICER])
    user_active_set(actor=admin, user=user, active=False)
    assert Event.objects.count() == count


def test_roles_set_refuses_unknown_groups(admin, personas):
    Group.objects.create(name="superpowers")
    with pytest.raises(ValidationFailed):
        user_roles_set(actor=admin, user=personas.outsider, roles=["superpowers"])
    assert not personas.outsider.groups.exists()


def test_administrator_cannot_lock_themselves_out(admin):
    with pytest.raises(PermissionDenied):
        user_active_set(actor=admin, user=admin, active=False)
    with pytest.raises(PermissionDenied):
        user_flags_set(actor=admin, user=admin, is_staff=True, is_superuser=False)
    admin.refresh_from_db()
    assert admin.is_active and admin.is_superuser


def test_own_password_needs_the_current_one(personas):
    officer = personas.case_officer
    with pytest.raises(ValidationFailed) as caught:
        user_password_set(actor=officer, user=officer, password=GOOD_PASSWORD, old_password="wrong")
    assert {e.field for e in caught.value.errors} == {"old_password"}
    officer.refresh_from_db()
    assert officer.check_password("pw-officer-123")
    user_password_set(
        actor=officer, user=officer, password=GOOD_PASSWORD, old_password="pw-officer-123"
    )
    officer.refresh_from_db()
    assert officer.check_password(GOOD_PASSWORD)
    [event] = events(EventType.USER_PASSWORD_SET)
    assert event.payload == {"user": officer.pk, "by_self": True}
    no_secrets_in_journal(officer)


def test_admin_password_reset_is_journalled_without_the_hash(admin, personas):
    user_password_set(actor=admin, user=personas.outsider, password=GOOD_PASSWORD)
    [event] = events(EventType.USER_PASSWORD_SET)
    assert event.payload == {"user": personas.outsider.pk, "by_self": False}
    no_secrets_in_journal(personas.outsider)


def test_scope_set_and_clear_journalled(admin, personas, county):
    scope_set(actor=admin, user=personas.outsider, unit=county.town)
    scope_clear(actor=admin, user=personas.outsider)
    assert not Scope.objects.filter(user=personas.outsider).exists()
    [cleared] = events(EventType.USER_SCOPE_CLEARED)
    assert cleared.payload == {"user": personas.outsider.pk, "before": county.town.pk}


def test_password_change_page_goes_through_the_service(client, personas):
    client.force_login(personas.case_officer)
    response = client.post(
        "/password/",
        {
            "old_password": "pw-officer-123",
            "new_password1": GOOD_PASSWORD,
            "new_password2": GOOD_PASSWORD,
        },
    )
    assert response.status_code == 302
    personas.case_officer.refresh_from_db()
    assert personas.case_officer.check_password(GOOD_PASSWORD)
    assert len(events(EventType.USER_PASSWORD_SET)) == 1
    # Still logged in (session hash updated).
    assert client.get("/").status_code == 200
