"""The optional TOTP second factor: enrolment with a QR code and a code,
login with password then code, the required-role gate, and resets."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from xuanren.access.services import otp_reset
from xuanren.common.errors import PermissionDenied
from xuanren.journal.models import Event, EventType

pytestmark = pytest.mark.django_db


def code(device: TOTPDevice, offset: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def password_login(username: str) -> Client:
    client = Client()
    response = client.post(
        "/login/", {"username": username, "password": f"pw-{username}-123"}, REMOTE_ADDR="10.2.0.1"
    )
    assert response.status_code == 302
    return client


def test_enrol_with_qr_and_code(personas):
    client = Client()
    client.force_login(personas.case_officer)
    assert client.get("/account/2fa/qr.svg").status_code == 404  # nothing being set up
    assert client.post("/account/2fa/", {"action": "begin"}).status_code == 302
    device = TOTPDevice.objects.get(user=personas.case_officer)
    assert not device.confirmed
    page = client.get("/account/2fa/").content.decode()
    assert "/account/2fa/qr.svg" in page and "确认启用" in page
    qr = client.get("/account/2fa/qr.svg")
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml"
    assert qr.content.startswith(b"<svg")
    # A wrong code: refused, nothing confirmed, nothing journalled.
    response = client.post("/account/2fa/", {"action": "confirm", "otp_token": "000000"})
    assert response.status_code == 422
    assert "验证码不正确" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert not Event.objects.filter(event_type=EventType.OTP_ENROLLED).exists()
    device.throttle_reset()
    response = client.post("/account/2fa/", {"action": "confirm", "otp_token": code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    [event] = Event.objects.filter(event_type=EventType.OTP_ENROLLED)
    assert event.payload == {"user": personas.case_officer.pk, "device": device.pk}
    assert device.key not in json.dumps([e.payload for e in Event.objects.all()])


def test_login_then_code(personas):
    device = TOTPDevice.objects.create(user=personas.case_officer, name="phone", confirmed=True)
    client = password_login("officer")
    response = client.get("/cadres/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/2fa/verify/?next=")
    assert client.get("/api/v1/cadres").status_code == 403
    assert client.get("/api/v1/cadres").json()["code"] == "second_factor_required"
    response = client.post("/account/2fa/verify/", {"otp_token": "123", "next": "/cadres/"})
    assert response.status_code == 422
    assert client.get("/cadres/").status_code == 302
    device.refresh_from_db()
    device.throttle_reset()
    response = client.post("/account/2fa/verify/", {"otp_token": code(device), "next": "/cadres/"})
    assert response.status_code == 302 and response["Location"] == "/cadres/"
    assert client.get("/cadres/").status_code == 200


def test_verify_refuses_a_foreign_next(personas):
    device = TOTPDevice.objects.create(user=personas.case_officer, name="phone", confirmed=True)
    client = password_login("officer")
    response = client.post(
        "/account/2fa/verify/", {"otp_token": code(device), "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == "/"


def test_without_a_device_password_is_enough(personas):
    client = password_login("officer")
    assert client.get("/cadres/").status_code == 200


def test_required_roles_reach_only_enrolment(personas, settings):
    settings.XUANREN_REQUIRE_2FA_ROLES = ["case_officer", "administrator"]
    client = password_login("officer")
    response = client.get("/cadres/")
    assert response.status_code == 302 and response["Location"].startswith("/account/2fa/")
    assert client.get("/account/2fa/").status_code == 200
    assert client.post("/cadres/1/").status_code == 302
    assert client.get("/api/v1/cadres").status_code == 403
    # Another role is not gated.
    member = password_login("member")
    assert member.get("/cadres/").status_code == 200
    # Once enrolled and verified, the officer gets in.
    client.post("/account/2fa/", {"action": "begin"})
    device = TOTPDevice.objects.get(user=personas.case_officer)
    assert (
        client.post("/account/2fa/", {"action": "confirm", "otp_token": code(device)}).status_code
        == 302
    )
    assert client.get("/cadres/").status_code == 200


def test_required_role_cannot_remove_own_device(personas, settings):
    settings.XUANREN_REQUIRE_2FA_ROLES = ["case_officer"]
    officer = personas.case_officer
    TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)
    with pytest.raises(PermissionDenied):
        otp_reset(actor=officer, user=officer)
    assert TOTPDevice.objects.filter(user=officer).exists()


def test_other_users_cannot_reset_a_device(personas):
    TOTPDevice.objects.create(user=personas.committee_member, name="phone", confirmed=True)
    with pytest.raises(PermissionDenied):
        otp_reset(actor=personas.case_officer, user=personas.committee_member)
    assert TOTPDevice.objects.filter(user=personas.committee_member).exists()
    assert not Event.objects.filter(event_type=EventType.OTP_REMOVED).exists()


def test_administrator_reset_is_journalled(admin, personas):
    TOTPDevice.objects.create(user=personas.case_officer, name="phone", confirmed=True)
    assert otp_reset(actor=admin, user=personas.case_officer) == 1
    assert not TOTPDevice.objects.filter(user=personas.case_officer).exists()
    [event] = Event.objects.filter(event_type=EventType.OTP_REMOVED)
    assert event.payload == {"user": personas.case_officer.pk, "devices": 1}
    # After the reset the password alone logs in again.
    client = password_login("officer")
    assert client.get("/cadres/").status_code == 200


def test_admin_reset_action(admin, personas):
    TOTPDevice.objects.create(user=personas.case_officer, name="phone", confirmed=True)
    client = Client()
    client.force_login(admin)
    response = client.post(
        "/admin/auth/user/",
        {"action": "reset_second_factor", "_selected_action": [personas.case_officer.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.exists()
    assert Event.objects.filter(event_type=EventType.OTP_REMOVED).count() == 1
