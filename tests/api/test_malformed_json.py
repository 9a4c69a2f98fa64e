"""Malformed request bodies (issue 10, item 13): whatever arrives instead of a
JSON object — not JSON, invalid UTF-8, the wrong top-level type, nothing, too
much — is answered in the project's error shape with a Chinese message, on
every endpoint alike, and saves nothing."""

import re

import pytest

from tests.api.conftest import API, if_match
from xuanren.journal.models import Event

pytestmark = pytest.mark.django_db

ENGLISH = re.compile(r"[A-Za-z]{4,}")


@pytest.fixture
def endpoints(county, make_cadre):
    cadre = make_cadre(county.town)
    return [
        ("post", "/cadres", {}),
        ("patch", f"/cadres/{cadre.pk}", if_match(cadre)),
        ("post", "/cases", {}),
        ("post", "/motion-proposals", {}),
        ("post", "/ballots/meetings", {}),
    ]


def send(client, method, url, body, content_type="application/json", **extra):
    return getattr(client, method)(API + url, body, content_type=content_type, **extra)


def assert_chinese_error(response, status, code):
    assert response.status_code == status, (response.status_code, response.content)
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) >= {"code", "message", "errors"}
    assert body["code"] == code
    texts = [body["message"], *(e["message"] for e in body["errors"])]
    for text in texts:
        assert re.search(r"[\u4e00-\u9fff]", text), text
        # Only the names a client must use (JSON, UTF-8, Content-Type) may be Latin.
        leftover = ENGLISH.sub(
            lambda m: (
                ""
                if m.group(0) in {"JSON", "Content", "Type", "application", "json"}
                else m.group(0)
            ),
            text,
        )
        assert not ENGLISH.search(leftover), text
    return body


@pytest.mark.parametrize(
    "raw, where",
    [
        (b"{not json", "第 1 行第 2 列"),
        (b'{"name": "x",}', "第 1 行第 14 列"),
        (b"{'name': 'x'}", "第 1 行第 2 列"),
    ],
)
def test_not_json_is_400_in_chinese(client, admin, endpoints, raw, where):
    client.force_login(admin)
    before = Event.objects.count()
    for method, url, extra in endpoints:
        body = assert_chinese_error(send(client, method, url, raw, **extra), 400, "malformed_json")
        assert "JSON" in body["message"]
        assert where in body["errors"][0]["message"]
    assert Event.objects.count() == before


def test_invalid_utf8_is_400_in_chinese(client, admin, endpoints):
    client.force_login(admin)
    for method, url, extra in endpoints:
        body = assert_chinese_error(
            send(client, method, url, b'{"name": "\xff\xfe"}', **extra), 400, "malformed_json"
        )
        assert "UTF-8" in body["errors"][0]["message"]
        assert "第 11 个字节" in body["errors"][0]["message"]


def test_a_json_body_sent_as_another_type_is_still_read_or_refused_in_chinese(
    client, admin, endpoints
):
    client.force_login(admin)
    for method, url, extra in endpoints:
        response = send(client, method, url, b"name=x&sex=male", "text/plain", **extra)
        assert_chinese_error(response, 400, "malformed_json")


@pytest.mark.parametrize("raw", [b"[1, 2]", b'"text"', b"123", b"null", b"true"])
def test_wrong_top_level_type_is_422_in_chinese(client, admin, endpoints, raw):
    client.force_login(admin)
    before = Event.objects.count()
    for method, url, extra in endpoints:
        body = assert_chinese_error(
            send(client, method, url, raw, **extra), 422, "validation_failed"
        )
        assert any("JSON 对象" in e["message"] for e in body["errors"]), body
    assert Event.objects.count() == before


def test_empty_body_is_422_in_chinese(client, admin, endpoints):
    client.force_login(admin)
    for method, url, extra in endpoints:
        body = assert_chinese_error(
            send(client, method, url, b"", **extra), 422, "validation_failed"
        )
        assert "请求内容为空" in body["errors"][0]["message"]


def test_oversize_body_is_413_in_chinese(client, admin, endpoints, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    client.force_login(admin)
    raw = b'{"name": "' + b"x" * 8000 + b'"}'
    before = Event.objects.count()
    for method, url, extra in endpoints:
        body = assert_chinese_error(
            send(client, method, url, raw, **extra), 413, "request_too_large"
        )
        assert "4 KB" in body["message"]
    assert Event.objects.count() == before
