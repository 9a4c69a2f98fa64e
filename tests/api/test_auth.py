"""Authentication: session (with CSRF on writes) and bearer tokens; the token
services store only a hash, check permission and write the journal."""

import hashlib

import pytest
from django.conf import settings
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory

from tests.api.conftest import API, bearer, cadre_body, post_json
from tests.conftest import make_user
from xuanren.access.models import ApiToken, Role
from xuanren.access.services import api_token_issue, api_token_revoke, api_token_user
from xuanren.common.errors import PermissionDenied, ValidationFailed
from xuanren.journal.models import Event, EventType
from xuanren.journal.services import journal_verify
from xuanren.people.models import Cadre

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "/units",
    "/units/1",
    "/units/1/posts",
    "/posts",
    "/quota-report",
    "/cadres",
    "/cadres/1",
]


@pytest.mark.parametrize("url", ENDPOINTS)
def test_anonymous_gets_401(client, county, url):
    response = client.get(API + url)
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "not_authenticated"
    assert "登录" in body["message"]


def test_anonymous_write_gets_401_and_saves_nothing(client, county):
    assert post_json(client, "/cadres", {"unit": county.town.pk}).status_code == 401
    assert client.patch(f"{API}/cadres/1", "{}", content_type="application/json").status_code == 401
    assert Cadre.objects.count() == 0


def test_token_authenticates(client, personas, make_cadre, county):
    make_cadre(county.town)
    _token, plaintext = api_token_issue(
        actor=personas.case_officer, user=personas.case_officer, name="数据交换"
    )
    response = client.get(f"{API}/cadres", **bearer(plaintext))
    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_revoked_token_gets_401(client, personas, county):
    token, plaintext = api_token_issue(
        actor=personas.case_officer, user=personas.case_officer, name="数据交换"
    )
    assert client.get(f"{API}/units", **bearer(plaintext)).status_code == 200
    api_token_revoke(actor=personas.case_officer, token=token)
    assert client.get(f"{API}/units", **bearer(plaintext)).status_code == 401


@pytest.mark.parametrize(
    "header", ["Bearer wrong-token", "Bearer ", "Token abc", "Basic b2ZmaWNlcjpwdw=="]
)
def test_bad_authorization_headers_get_401(client, county, header):
    assert client.get(f"{API}/units", HTTP_AUTHORIZATION=header).status_code == 401


def test_token_of_inactive_user_gets_401(client, personas, county):
    _token, plaintext = api_token_issue(
        actor=personas.case_officer, user=personas.case_officer, name="x"
    )
    personas.case_officer.is_active = False
    personas.case_officer.save()
    assert client.get(f"{API}/units", **bearer(plaintext)).status_code == 401


def _csrf(client: Client) -> str:
    """Give the client a CSRF cookie; return the matching header value."""
    request = RequestFactory().get("/")
    token = get_token(request)
    client.cookies[settings.CSRF_COOKIE_NAME] = request.META["CSRF_COOKIE"]
    return token


def _new_cadre(county) -> dict:
    return cadre_body(county.town)


def test_session_write_needs_csrf(personas, county):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.case_officer)
    refused = post_json(client, "/cadres", _new_cadre(county))
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    assert Cadre.objects.count() == 0
    accepted = post_json(client, "/cadres", _new_cadre(county), HTTP_X_CSRFTOKEN=_csrf(client))
    assert accepted.status_code == 201, accepted.content


def test_session_read_needs_no_csrf(personas, county):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.case_officer)
    assert client.get(f"{API}/units").status_code == 200


def test_token_write_needs_no_csrf(personas, county):
    client = Client(enforce_csrf_checks=True)
    _token, plaintext = api_token_issue(
        actor=personas.case_officer, user=personas.case_officer, name="导入"
    )
    response = post_json(client, "/cadres", _new_cadre(county), **bearer(plaintext))
    assert response.status_code == 201, response.content
    event = Event.objects.filter(event_type=EventType.CADRE_CREATED).latest("id")
    assert event.actor_id == personas.case_officer.pk


# ---- the token services ---------------------------------------------------------


def test_issue_stores_only_the_hash_and_journals(personas):
    user = personas.committee_member
    before = Event.objects.count()
    token, plaintext = api_token_issue(actor=user, user=user, name="  报表系统 ")
    token.refresh_from_db()
    assert token.name == "报表系统"
    assert token.token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert token.prefix == plaintext[:8]
    assert len(plaintext) > 30
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert plaintext not in str(stored)
    event = Event.objects.get(event_type=EventType.API_TOKEN_ISSUED)
    assert Event.objects.count() == before + 1
    assert event.actor_id == user.pk
    assert event.subject_id == str(token.pk)
    assert event.payload["user"] == user.pk
    assert plaintext not in str(event.payload)
    assert journal_verify().ok


def test_each_token_is_different(personas):
    user = personas.case_officer
    _a, first = api_token_issue(actor=user, user=user, name="a")
    _b, second = api_token_issue(actor=user, user=user, name="b")
    assert first != second
    assert api_token_user(token=first) == user
    assert api_token_user(token=second) == user


def test_issue_for_someone_else_needs_permission(personas):
    before = ApiToken.objects.count(), Event.objects.count()
    with pytest.raises(PermissionDenied):
        api_token_issue(actor=personas.committee_member, user=personas.case_officer, name="冒名")
    with pytest.raises(PermissionDenied):
        api_token_issue(actor=None, user=personas.case_officer, name="匿名")
    assert (ApiToken.objects.count(), Event.objects.count()) == before


def test_administrators_issue_for_others(personas, admin):
    token, _ = api_token_issue(actor=admin, user=personas.case_officer, name="由超级用户签发")
    assert token.user == personas.case_officer
    sysadmin = make_user("sysadmin", Role.ADMINISTRATOR, None)
    token, _ = api_token_issue(actor=sysadmin, user=personas.discipline, name="由管理员签发")
    assert token.user == personas.discipline
    event = Event.objects.filter(event_type=EventType.API_TOKEN_ISSUED).latest("id")
    assert event.actor_id == sysadmin.pk


def test_issue_validates(personas, admin):
    with pytest.raises(ValidationFailed) as info:
        api_token_issue(actor=personas.case_officer, user=personas.case_officer, name="  ")
    assert [e.field for e in info.value.errors] == ["name"]
    personas.outsider.is_active = False
    personas.outsider.save()
    with pytest.raises(ValidationFailed) as info:
        api_token_issue(actor=admin, user=personas.outsider, name="x")
    assert [e.field for e in info.value.errors] == ["user"]
    assert ApiToken.objects.count() == 0


def test_revoke_permission_and_journal(personas, admin):
    owner = personas.case_officer
    token, plaintext = api_token_issue(actor=owner, user=owner, name="a")
    with pytest.raises(PermissionDenied):
        api_token_revoke(actor=personas.committee_member, token=token)
    assert api_token_user(token=plaintext) == owner
    before = Event.objects.count()
    revoked = api_token_revoke(actor=admin, token=token)
    assert revoked.revoked_at is not None
    assert api_token_user(token=plaintext) is None
    assert Event.objects.count() == before + 1
    event = Event.objects.latest("id")
    assert event.subject_id == str(token.pk)
    assert event.actor_id == admin.pk
    # A second revocation changes nothing and writes nothing.
    api_token_revoke(actor=owner, token=token)
    assert Event.objects.count() == before + 1
    assert journal_verify().ok


def test_owner_revokes_own_token(personas):
    owner = personas.committee_member
    token, plaintext = api_token_issue(actor=owner, user=owner, name="a")
    api_token_revoke(actor=owner, token=token)
    assert api_token_user(token=plaintext) is None
