"""Against a live server process (issue 10, items 11-13): the security headers
on pages, API answers and static files; the Content-Security-Policy and pages
without inline code; a stale save through the API refused with 412; malformed
JSON answered in Chinese. A network observer or a shared cache sees no
storable private answer; a second editor never silently overwrites the first."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx

from tests.security.conftest import LiveServer
from tests.web.test_csp_pages import inline_problems

HAN = re.compile(r"[\u4e00-\u9fff]")


def first_cadre(server: LiveServer) -> int:
    return int(server.sql("SELECT MIN(id) FROM people_cadre")[0][0])


def assert_private(response: httpx.Response) -> None:
    assert response.headers["cache-control"] == "no-store, private", response.headers
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert "camera=()" in response.headers["permissions-policy"]


def test_pages_carry_the_csp_and_no_inline_code(live_server: LiveServer) -> None:
    officer = live_server.client("officer")
    cadre = first_cadre(live_server)
    for url in ("/", "/cadres/", f"/cadres/{cadre}/", "/units/", "/quota/", "/cases/", "/todo/"):
        response = officer.get(url)
        assert response.status_code == 200, url
        assert_private(response)
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert inline_problems(response.text) == [], url
    anonymous = live_server.client()
    for url in ("/login/", "/public/", "/public/status/"):
        response = anonymous.get(url)
        assert response.status_code == 200, url
        assert_private(response)
        assert "default-src 'self'" in response.headers["content-security-policy"]
        assert inline_problems(response.text) == [], url


def test_api_answers_are_private(live_server: LiveServer) -> None:
    officer = live_server.client("officer")
    listed = officer.get("/api/v1/cadres")
    assert listed.status_code == 200
    assert_private(listed)
    refused = live_server.client().get("/api/v1/cadres")
    assert refused.status_code == 401
    assert_private(refused)


def test_static_files_keep_their_caching(live_server: LiveServer) -> None:
    response = live_server.client().get("/static/web/site.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("cache-control", "")
    assert response.headers["x-content-type-options"] == "nosniff"
    script = live_server.client().get("/static/web/site.js")
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]


def test_a_stale_save_through_the_api_is_412(
    make_live_server: Callable[[], LiveServer],
) -> None:
    server = make_live_server()
    cadre = first_cadre(server)
    url = f"/api/v1/cadres/{cadre}"
    officer, admin = server.client("officer"), server.client("admin")
    seen = officer.get(url)
    assert seen.status_code == 200
    etag = seen.headers["etag"]
    assert re.fullmatch(r'"v\d+"', etag)

    # The administrator saves first, from the same version.
    first = admin.patch(url, json={"specialty": "管理员填写"}, headers={"If-Match": etag})
    assert first.status_code == 200, first.text
    assert first.headers["etag"] != etag

    # The officer's save from the old version is refused, saying who changed what.
    stale = officer.patch(url, json={"specialty": "办理人填写"}, headers={"If-Match": etag})
    assert stale.status_code == 412, stale.text
    body = stale.json()
    assert body["code"] == "stale_write"
    # the demo admin by their real name (decision 0057)
    assert "孙志刚" in body["message"] and "管理员填写" in body["message"]
    assert HAN.search(body["message"])
    # Without If-Match: 428, and nothing saved either way.
    blind = officer.patch(url, json={"specialty": "办理人填写"})
    assert blind.status_code == 428
    assert HAN.search(blind.json()["message"])
    rows = server.sql("SELECT specialty FROM people_cadre WHERE id = %s", (cadre,))
    assert rows == [("管理员填写",)]


def test_malformed_json_gets_a_chinese_error(live_server: LiveServer) -> None:
    officer = live_server.client("officer")
    cadre = first_cadre(live_server)
    before = live_server.sql("SELECT COUNT(*) FROM journal_event")[0][0]
    sent = {
        "not json": b"{name: x",
        "invalid utf-8": b'{"name": "\xff"}',
        "an array": b"[1, 2, 3]",
        "a string": b'"x"',
        "null": b"null",
    }
    for url, method in (("/api/v1/cadres", "POST"), (f"/api/v1/cadres/{cadre}", "PATCH")):
        for what, raw in sent.items():
            response = officer.request(
                method,
                url,
                content=raw,
                headers={"Content-Type": "application/json", "If-Match": '"v1"'},
            )
            assert response.status_code in (400, 422), (url, what, response.status_code)
            body = response.json()
            assert set(body) >= {"code", "message", "errors"}, body
            assert HAN.search(body["message"]), (what, body)
            assert "Cannot parse" not in response.text
            assert all(HAN.search(e["message"]) for e in body["errors"]), (what, body)
    assert live_server.sql("SELECT COUNT(*) FROM journal_event")[0][0] == before
    assert live_server.alive()
