"""Every admin route that could change a user, a role, a permission, a
scope, a login lockout or a second factor either refuses or leaves a
journal event (docs/decisions/0040)."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.contrib import admin as admin_site_module
from django.contrib.auth.models import Group, Permission, User
from django.test import Client
from django.utils import timezone

from xuanren.access.models import AccessKind, AccessRecord, ApiToken, Scope
from xuanren.journal.models import Event, EventType

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "Qing-shan-2026!"

#: Account models: their admin pages must refuse every write, except the two
#: whose save paths call the services (tested below).
ACCOUNT_MODELS = {
    "auth.user",
    "auth.group",
    "auth.permission",
    "access.scope",
    "access.apitoken",
    "access.accessrecord",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
    "otp_totp.totpdevice",
}
THROUGH_SERVICES = {"auth.user", "access.scope"}


@pytest.fixture
def staff(admin) -> Client:
    client = Client()
    client.force_login(admin)
    return client


def test_account_admins_allow_no_direct_writes(admin, rf):
    request = rf.get("/admin/")
    request.user = admin
    registered = {m._meta.label_lower: a for m, a in admin_site_module.site._registry.items()}
    for label in ACCOUNT_MODELS - THROUGH_SERVICES:
        model_admin = registered.get(label)
        if model_admin is None:
            continue  # not in admin at all (permissions, logs, devices)
        assert not model_admin.has_add_permission(request), label
        assert not model_admin.has_change_permission(request), label
        assert not model_admin.has_delete_permission(request), label
    for label in THROUGH_SERVICES:
        assert not registered[label].has_delete_permission(request), label
    # Not in admin: permissions, axes' own pages, the device pages.
    for label in ("auth.permission", "axes.accesslog", "otp_totp.totpdevice"):
        assert label not in registered


@pytest.mark.parametrize(
    "url",
    [
        "/admin/auth/permission/",
        "/admin/otp_totp/totpdevice/",
        "/admin/otp_totp/totpdevice/add/",
        "/admin/axes/accesslog/",
    ],
)
def test_unregistered_account_pages_do_not_exist(staff, url):
    assert staff.post(url, {}).status_code == 404


def test_group_pages_refuse_writes(staff, personas):
    group = Group.objects.get(name="case_officer")
    perms = list(group.permissions.values_list("pk", flat=True))
    count = Event.objects.count()
    assert staff.post("/admin/auth/group/add/", {"name": "x"}).status_code == 403
    response = staff.post(
        f"/admin/auth/group/{group.pk}/change/",
        {"name": "renamed", "permissions": [Permission.objects.first().pk]},
    )
    assert response.status_code == 403
    assert staff.post(f"/admin/auth/group/{group.pk}/delete/", {"post": "yes"}).status_code == 403
    group.refresh_from_db()
    assert group.name == "case_officer"
    assert list(group.permissions.values_list("pk", flat=True)) == perms
    assert not Group.objects.filter(name="x").exists()
    assert Event.objects.count() == count


def test_read_only_account_pages_refuse_writes(staff, personas, admin):
    token = ApiToken.objects.create(user=admin, name="t", token_hash="0" * 64, prefix="xr_0000")
    record = AccessRecord.objects.create(
        at=timezone.now(), username="x", kind=AccessKind.CADRE, subject_type="people.cadre",
        subject_id="1", subject_label="张伟",
    )  # fmt: skip
    attempt = AccessAttempt.objects.create(
        username="officer", ip_address="10.1.1.1", failures_since_start=9,
        get_data="", post_data="", http_accept="", path_info="/login/", user_agent="t",
    )  # fmt: skip
    count = Event.objects.count()
    for base, pk in (
        ("/admin/access/apitoken/", token.pk),
        ("/admin/access/accessrecord/", record.pk),
        ("/admin/axes/accessattempt/", attempt.pk),
    ):
        assert staff.post(base + "add/", {}).status_code == 403, base
        assert staff.post(f"{base}{pk}/change/", {}).status_code == 403, base
        assert staff.post(f"{base}{pk}/delete/", {"post": "yes"}).status_code == 403, base
        response = staff.post(base, {"action": "delete_selected", "_selected_action": [pk]})
        assert response.status_code in (200, 302), base  # no such action: nothing happens
    assert ApiToken.objects.filter(pk=token.pk).exists()
    assert AccessRecord.objects.filter(pk=record.pk).exists()
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()
    assert Event.objects.count() == count


def test_user_add_through_the_service(staff, personas):
    group = Group.objects.get(name="unit_hr")
    response = staff.post(
        "/admin/auth/user/add/",
        {
            "username": "newhr",
            "password1": GOOD_PASSWORD,
            "password2": GOOD_PASSWORD,
            "usable_password": "true",
            "last_name": "李",
            "first_name": "明",
            "email": "",
            "groups": [group.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="newhr")
    assert user.check_password(GOOD_PASSWORD)
    assert list(user.groups.values_list("name", flat=True)) == ["unit_hr"]
    [event] = Event.objects.filter(event_type=EventType.USER_CREATED)
    assert event.payload["roles"] == ["unit_hr"]


def _change_form(user: User, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "last_name": user.last_name,
        "first_name": user.first_name,
        "email": user.email,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
        "is_superuser": "on" if user.is_superuser else "",
        "groups": list(user.groups.values_list("pk", flat=True)),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v != ""}


def test_user_change_through_the_services(staff, personas):
    user = personas.committee_member
    officer_group = Group.objects.get(name="case_officer")
    response = staff.post(
        f"/admin/auth/user/{user.pk}/change/",
        _change_form(user, last_name="王", is_active="", is_superuser="on",
                     groups=[officer_group.pk]),
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    user.refresh_from_db()
    assert (user.last_name, user.is_active, user.is_superuser, user.is_staff) == (
        "王", False, True, True,
    )  # fmt: skip
    assert list(user.groups.values_list("name", flat=True)) == ["case_officer"]
    kinds = set(
        Event.objects.filter(subject_type="auth.user", subject_id=str(user.pk)).values_list(
            "event_type", flat=True
        )
    )
    assert kinds == {
        EventType.USER_PROFILE_SET,
        EventType.USER_ACTIVE_SET,
        EventType.USER_FLAGS_SET,
        EventType.ROLE_ASSIGNED,
    }


def test_user_change_refused_by_the_service_changes_nothing(staff, admin):
    count = Event.objects.count()
    response = staff.post(
        f"/admin/auth/user/{admin.pk}/change/",
        _change_form(admin, last_name="改名", is_superuser="", is_staff="on"),
    )
    assert response.status_code == 302
    admin.refresh_from_db()
    assert admin.is_superuser and admin.last_name == ""
    assert Event.objects.count() == count
    page = staff.get(response["Location"]).content.decode()
    assert "不能取消自己的系统管理员身份" in page


def test_user_password_reset_through_the_service(staff, personas):
    user = personas.outsider
    response = staff.post(
        f"/admin/auth/user/{user.pk}/password/",
        {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(GOOD_PASSWORD)
    [event] = Event.objects.filter(event_type=EventType.USER_PASSWORD_SET)
    assert event.payload == {"user": user.pk, "by_self": False}


def test_user_password_cannot_be_made_unusable(staff, personas):
    user = personas.outsider
    response = staff.post(
        f"/admin/auth/user/{user.pk}/password/",
        {"usable_password": "false", "unset-password": "1"},
    )
    user.refresh_from_db()
    assert user.has_usable_password() and user.check_password("pw-outsider-123")
    assert response.status_code in (200, 302)
    assert not Event.objects.filter(event_type=EventType.USER_PASSWORD_SET).exists()


def test_user_delete_refused(staff, personas):
    user = personas.outsider
    assert staff.post(f"/admin/auth/user/{user.pk}/delete/", {"post": "yes"}).status_code == 403
    staff.post("/admin/auth/user/", {"action": "delete_selected", "_selected_action": [user.pk]})
    assert User.objects.filter(pk=user.pk).exists()


def test_user_actions_through_the_services(staff, personas, admin):
    user = personas.case_officer
    AccessAttempt.objects.create(
        username="officer", ip_address="10.1.1.1", failures_since_start=9,
        get_data="", post_data="", http_accept="", path_info="/login/", user_agent="t",
    )  # fmt: skip
    response = staff.post(
        "/admin/auth/user/", {"action": "unlock_login", "_selected_action": [user.pk]}
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="officer").exists()
    [unlocked] = Event.objects.filter(event_type=EventType.USER_UNLOCKED)
    assert unlocked.payload == {"username": "officer", "address": "", "cleared": 1}
    staff.post("/admin/auth/user/", {"action": "deactivate", "_selected_action": [user.pk]})
    user.refresh_from_db()
    assert not user.is_active
    assert Event.objects.filter(event_type=EventType.USER_ACTIVE_SET).count() == 1
    # Deactivating oneself is refused, with the reason.
    staff.post("/admin/auth/user/", {"action": "deactivate", "_selected_action": [admin.pk]})
    admin.refresh_from_db()
    assert admin.is_active


def test_address_unlock_from_the_attempts_page(staff, personas):
    attempt = AccessAttempt.objects.create(
        username="nobody", ip_address="10.9.9.9", failures_since_start=9,
        get_data="", post_data="", http_accept="", path_info="/login/", user_agent="t",
    )  # fmt: skip
    response = staff.post(
        "/admin/axes/accessattempt/", {"action": "unlock", "_selected_action": [attempt.pk]}
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    [event] = Event.objects.filter(event_type=EventType.USER_UNLOCKED)
    assert event.payload["address"] == "10.9.9.9"


def test_scope_admin_through_the_service(staff, personas, county):
    user = personas.outsider
    response = staff.post("/admin/access/scope/add/", {"user": user.pk, "unit": county.town.pk})
    assert response.status_code == 302
    assert Scope.objects.get(user=user).unit == county.town
    assert Event.objects.filter(event_type=EventType.USER_SCOPE_SET).count() == 1
    scope = Scope.objects.get(user=user)
    assert staff.post(f"/admin/access/scope/{scope.pk}/delete/", {"post": "yes"}).status_code == 403


def test_non_superuser_staff_cannot_reach_account_pages(personas):
    officer = personas.case_officer
    officer.is_staff = True
    officer.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(officer)
    count = Event.objects.count()
    response = client.post(
        "/admin/auth/user/add/",
        {"username": "sneaky", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD},
    )
    assert response.status_code == 403
    target = personas.outsider
    response = client.post(
        f"/admin/auth/user/{target.pk}/change/", _change_form(target, is_superuser="on")
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="sneaky").exists()
    target.refresh_from_db()
    assert not target.is_superuser
    assert Event.objects.count() == count
