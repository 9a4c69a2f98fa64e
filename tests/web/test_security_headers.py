"""The response headers of issue 10, item 11, each on its own: no-store on
every application response (pages, fragments, API by session or token, the
public pages, errors), static files still cacheable, nosniff, Referrer-Policy,
Permissions-Policy and the CSP's exact directives."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.api.conftest import API
from xuanren.access.services import api_token_issue
from xuanren.common.headers import NO_STORE

pytestmark = pytest.mark.django_db


def assert_private(response: Any) -> None:
    assert response["Cache-Control"] == NO_STORE, response.get("Cache-Control")
    assert "Expires" not in response
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    policy = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy


def test_pages_to_a_logged_in_user_are_not_stored(client: Client, personas: Any) -> None:
    client.force_login(personas.case_officer)
    for url in ("/", "/cadres/", "/units/", "/quota/", "/cases/", "/todo/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_private(response)
    fragment = client.get("/cadres/", {"q": "x"}, headers={"HX-Request": "true"})
    assert_private(fragment)


def test_downloads_and_errors_are_not_stored(client: Client, personas: Any) -> None:
    client.force_login(personas.case_officer)
    csv = client.get("/quota/export.csv")
    assert csv.status_code == 200
    assert_private(csv)
    missing = client.get("/cadres/999999/")
    assert missing.status_code == 404
    assert_private(missing)


def test_public_pages_are_not_stored(client: Client, county: Any) -> None:
    for url in ("/public/", "/public/status/", "/login/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_private(response)
    looked_up = client.post("/public/status/", {"receipt": "NO-SUCH-RECEIPT"})
    assert_private(looked_up)


def test_api_answers_are_not_stored_by_session_or_token(client: Client, personas: Any) -> None:
    client.force_login(personas.case_officer)
    assert_private(client.get(f"{API}/cadres"))
    _token, plaintext = api_token_issue(
        actor=personas.case_officer, user=personas.case_officer, name="接口"
    )
    by_token = Client().get(f"{API}/cadres", headers={"Authorization": f"Bearer {plaintext}"})
    assert by_token.status_code == 200
    assert_private(by_token)
    assert_private(Client().get(f"{API}/cadres"))  # the 401 too


def test_static_files_keep_their_caching(client: Client) -> None:
    response = client.get("/static/web/site.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "private" not in response.get("Cache-Control", "")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_csp_is_strict(client: Client, personas: Any) -> None:
    client.force_login(personas.case_officer)
    csp = client.get("/")["Content-Security-Policy"]
    directives = {}
    for part in csp.split(";"):
        name, _sep, value = part.strip().partition(" ")
        if name:
            directives[name] = value
    assert directives == {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "font-src": "'self'",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }


def test_htmx_is_configured_for_the_csp(client: Client, personas: Any) -> None:
    """htmx would otherwise inject an inline <style> and may eval attribute code."""
    client.force_login(personas.case_officer)
    html = client.get("/").content.decode()
    assert '"includeIndicatorStyles": false' in html
    assert '"allowEval": false' in html


def test_the_admin_is_under_the_same_policy(client: Client, admin: Any) -> None:
    client.force_login(admin)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert_private(response)
