"""Login throttling (django-axes): per account and per address, on the login
form and the admin login; a Chinese lockout page; unlock by an administrator
through the journalled service."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from xuanren.access.services import login_unlock
from xuanren.common.errors import PermissionDenied
from xuanren.journal.models import Event, EventType

pytestmark = pytest.mark.django_db


def attempt(client: Client, username: str, password: str, address: str, url: str = "/login/"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_thirty_wrong_passwords_lock_the_account(personas):
    client = Client()
    statuses = [attempt(client, "officer", f"guess-{i}", "10.0.0.1").status_code for i in range(30)]
    # Five failures are answered as wrong passwords, then every attempt is refused.
    assert statuses[:4] == [200] * 4
    assert set(statuses[5:]) == {429}
    response = attempt(client, "officer", "pw-officer-123", "10.0.0.1")
    assert response.status_code == 429
    assert not logged_in(client)
    text = response.content.decode()
    assert "登录已暂停" in text and "30 分钟" in text
    assert "Account locked" not in text


def test_account_locked_whatever_the_address(personas):
    for i in range(5):
        attempt(Client(), "officer", "wrong", f"10.0.1.{i}")
    client = Client()
    assert attempt(client, "officer", "pw-officer-123", "10.0.2.1").status_code == 429
    assert not logged_in(client)
    # Another account from another address is not affected.
    other = Client()
    assert attempt(other, "member", "pw-member-123", "10.0.2.2").status_code == 302
    assert logged_in(other)


def test_address_locked_whatever_the_accounts(personas, settings):
    # Five colleagues behind one gateway mistyping once each lock nobody out.
    for name in ("officer", "member", "jiwei", "outsider", "nosuchuser"):
        attempt(Client(), name, "wrong", "10.0.3.1")
    first = Client()
    assert attempt(first, "hr_shiqiao", "pw-hr_shiqiao-123", "10.0.3.1").status_code == 302
    # A sweep of many accounts from one address is locked at the address's own limit.
    assert settings.XUANREN_LOGIN_ADDRESS_FAILURE_LIMIT == 20
    statuses = [attempt(Client(), f"guess{i}", "wrong", "10.0.3.1").status_code for i in range(16)]
    assert statuses[:15] == [200] * 15 and statuses[15] == 429
    client = Client()
    assert attempt(client, "hr_shiqiao", "pw-hr_shiqiao-123", "10.0.3.1").status_code == 429
    assert not logged_in(client)
    # The same account from another address logs in (its own count is 0).
    elsewhere = Client()
    assert attempt(elsewhere, "hr_shiqiao", "pw-hr_shiqiao-123", "10.0.3.2").status_code == 302


def test_admin_login_goes_through_axes(admin, personas):
    for _ in range(5):
        attempt(Client(), "admin", "wrong", "10.0.4.1", url="/admin/login/")
    client = Client()
    response = attempt(client, "admin", "pw-admin-123", "10.0.4.2", url="/admin/login/")
    assert response.status_code == 429
    assert not logged_in(client)


def test_failures_below_the_limit_still_allow_the_right_password(personas):
    for _ in range(4):
        attempt(Client(), "officer", "wrong", "10.0.5.1")
    client = Client()
    assert attempt(client, "officer", "pw-officer-123", "10.0.5.2").status_code == 302
    assert logged_in(client)


def test_unlock_by_an_administrator_is_journalled(admin, personas):
    for i in range(6):
        attempt(Client(), "officer", "wrong", f"10.0.6.{i}")
    assert attempt(Client(), "officer", "pw-officer-123", "10.0.7.1").status_code == 429
    cleared = login_unlock(actor=admin, username="officer")
    assert cleared >= 1
    [event] = Event.objects.filter(event_type=EventType.USER_UNLOCKED)
    assert event.payload["username"] == "officer" and event.actor_id == admin.pk
    assert event.subject_id == str(personas.case_officer.pk)
    client = Client()
    assert attempt(client, "officer", "pw-officer-123", "10.0.7.1").status_code == 302
    assert logged_in(client)


def test_unlock_by_address(admin, personas):
    for i in range(20):
        attempt(Client(), f"user{i}", "wrong", "10.0.8.1")
    assert attempt(Client(), "member", "pw-member-123", "10.0.8.1").status_code == 429
    login_unlock(actor=admin, address="10.0.8.1")
    client = Client()
    assert attempt(client, "member", "pw-member-123", "10.0.8.1").status_code == 302


def test_only_administrators_unlock(personas):
    for i in range(5):
        attempt(Client(), "member", "wrong", f"10.0.9.{i}")
    with pytest.raises(PermissionDenied):
        login_unlock(actor=personas.case_officer, username="member")
    assert attempt(Client(), "member", "pw-member-123", "10.0.9.9").status_code == 429
    assert not Event.objects.filter(event_type=EventType.USER_UNLOCKED).exists()


def test_lockout_setting_changes_the_limit(personas, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for i in range(2):
        attempt(Client(), "officer", "wrong", f"10.0.10.{i}")
    assert attempt(Client(), "officer", "pw-officer-123", "10.0.10.5").status_code == 429


def test_wrong_api_tokens_are_throttled_per_address(personas, settings):
    from django.core.cache import cache

    cache.clear()
    settings.XUANREN_API_BAD_TOKEN_RATE = (3, 600)
    client = Client()
    bad: dict[str, Any] = {"HTTP_AUTHORIZATION": "Bearer xr_wrong", "REMOTE_ADDR": "10.4.0.1"}
    statuses = [client.get("/api/v1/cadres", **bad).status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 429, 429]
    response = client.get("/api/v1/cadres", **bad)
    assert response.json()["code"] == "rate_limited" and "令牌" in response.json()["message"]
    # Another address is not affected.
    other: dict[str, Any] = {"HTTP_AUTHORIZATION": "Bearer xr_wrong", "REMOTE_ADDR": "10.4.0.2"}
    assert client.get("/api/v1/cadres", **other).status_code == 401
    cache.clear()
