"""Upload attacks against a live server (issue 10, items 1 and 3).

Each attack is posted twice: by `outsider` (no role: refused with 403 before
a byte of content is read) and by `officer` (may import: refused with the
Chinese message naming the limit, 413 or 422, never 500). Afterwards the
server is alive, nothing of the upload is stored, and its resident memory
grew by less than 300 MB while the attack ran. The attack files are built in
memory (tests/security/attack_files.py)."""

from __future__ import annotations

import functools
import socket
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.security import attack_files as attacks
from tests.security.conftest import LiveServer

MB = 1024 * 1024
GROWTH_LIMIT = 300 * MB
XLSX = "/api/v1/xlsx/import"
LRMX = "/api/v1/lrmx/import"


@functools.cache
def attack(name: str) -> bytes:
    """The attack files, each built once per test process."""
    build: dict[str, Callable[[], bytes]] = {
        "dimension": attacks.dimension_bomb,
        "far_cell": attacks.far_cell,
        "million_rows": lambda: attacks.many_rows(1_000_000),
        "xlsx_bomb": lambda: attacks.xlsx_bomb(1024 * MB),
        "lrmx_bomb": lambda: attacks.zip_bomb("a.lrmx", 1024 * MB),
        "lrmx_many_small": lambda: attacks.many_small_lrmx(2000, 200_000),
        "members": lambda: attacks.many_members(100_000),
        "nested": lambda: attacks.nested(attacks.zip_bomb("b.lrmx", 1024 * MB)),
        "pdf_as_xlsx": lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"0" * 5000,
    }
    return build[name]()


def post(client: httpx.Client, path: str, name: str, filename: str) -> httpx.Response:
    return client.post(path, files={"file": (filename, attack(name), "application/octet-stream")})


def batches(server: LiveServer) -> int:
    return int(server.sql("SELECT COUNT(*) FROM exchange_importbatch")[0][0])


def refused_within_limits(
    server: LiveServer, path: str, name: str, filename: str
) -> httpx.Response:
    """Post as the officer while sampling memory; the answer, checked for
    status, server health, memory growth and that nothing was stored."""
    officer = server.client("officer")
    before_batches = batches(server)
    attack(name)  # built before the sampling starts
    baseline = server.rss()
    answers: list[httpx.Response] = []
    peak = server.peak_rss_during(lambda: answers.append(post(officer, path, name, filename)))
    response = answers[0]
    assert response.status_code in {413, 422}, (response.status_code, response.text[:500])
    body = response.json()
    assert set(body) >= {"code", "message", "errors"}
    assert server.alive()
    assert peak - baseline < GROWTH_LIMIT, f"grew by {(peak - baseline) / MB:.0f} MB"
    assert batches(server) == before_batches
    return response


def outsider_refused_first(server: LiveServer, path: str, name: str, filename: str) -> float:
    outsider = server.client("outsider")
    attack(name)
    started = time.perf_counter()
    response = post(outsider, path, name, filename)
    elapsed = time.perf_counter() - started
    assert response.status_code == 403, response.text[:500]
    assert response.json()["code"] == "permission_denied"
    assert server.alive()
    return elapsed


# ---- workbooks ----------------------------------------------------------------------


def test_the_issue_workbook_is_refused_by_its_dimension(live_server: LiveServer) -> None:
    content = attack("dimension")
    assert len(content) < 30 * 1024
    elapsed = outsider_refused_first(live_server, XLSX, "dimension", "bomb.xlsx")
    assert elapsed < 1.0
    response = refused_within_limits(live_server, XLSX, "dimension", "bomb.xlsx")
    assert response.status_code == 422
    assert response.json()["message"] == (
        "工作表“干部”声明的范围为 16384 列 × 1048576 行，超过上限 100 列 × 200000 行"
        "（设置项 XUANREN_XLSX_MAX_COLUMNS、XUANREN_XLSX_MAX_ROWS，不含第 1 行列名）。"
        "请删除多余的行列后重新上传。"
    )


def test_a_lying_dimension_does_not_hide_a_far_cell(live_server: LiveServer) -> None:
    outsider_refused_first(live_server, XLSX, "far_cell", "far.xlsx")
    response = refused_within_limits(live_server, XLSX, "far_cell", "far.xlsx")
    assert "1048576 行，超过上限 100 列 × 200000 行" in response.json()["message"]


def test_a_million_rows_of_data_are_refused_at_the_row_limit(live_server: LiveServer) -> None:
    # Parsing this workbook cell by cell takes tens of seconds; the outsider
    # is answered before any of it.
    elapsed = outsider_refused_first(live_server, XLSX, "million_rows", "rows.xlsx")
    assert elapsed < 3.0
    response = refused_within_limits(live_server, XLSX, "million_rows", "rows.xlsx")
    assert "超过上限 100 列 × 200000 行" in response.json()["message"]


def test_a_workbook_bomb_is_refused_by_its_directory(live_server: LiveServer) -> None:
    assert len(attack("xlsx_bomb")) < 1.1 * MB
    outsider_refused_first(live_server, XLSX, "xlsx_bomb", "bomb.xlsx")
    response = refused_within_limits(live_server, XLSX, "xlsx_bomb", "bomb.xlsx")
    assert "超过单个文件上限 250 MB" in response.json()["message"]


def test_a_file_that_is_not_a_workbook(live_server: LiveServer) -> None:
    outsider_refused_first(live_server, XLSX, "pdf_as_xlsx", "a.xlsx")
    response = refused_within_limits(live_server, XLSX, "pdf_as_xlsx", "a.xlsx")
    assert "文件内容与扩展名不符" in response.json()["message"]


# ---- LRMX archives ------------------------------------------------------------------


def test_the_1_mb_zip_of_1_gb_is_refused_by_its_directory(live_server: LiveServer) -> None:
    assert len(attack("lrmx_bomb")) < 1.1 * MB
    outsider_refused_first(live_server, LRMX, "lrmx_bomb", "bomb.zip")
    response = refused_within_limits(live_server, LRMX, "lrmx_bomb", "bomb.zip")
    assert "超过单个文件上限 5 MB" in response.json()["message"]


def test_the_small_zip_that_stored_400_mb_is_refused(live_server: LiveServer) -> None:
    assert len(attack("lrmx_many_small")) < 1 * MB
    outsider_refused_first(live_server, LRMX, "lrmx_many_small", "many.zip")
    response = refused_within_limits(live_server, LRMX, "lrmx_many_small", "many.zip")
    assert "整体压缩比" in response.json()["message"]
    assert "XUANREN_ZIP_MAX_RATIO" in response.json()["message"]


def test_a_zip_of_100000_members_is_refused_by_count(live_server: LiveServer) -> None:
    outsider_refused_first(live_server, LRMX, "members", "members.zip")
    response = refused_within_limits(live_server, LRMX, "members", "members.zip")
    assert response.json()["message"].startswith(
        "压缩包“members.zip”中有 100000 个文件，超过上限 2000 个"
    )


def test_a_zip_in_a_zip_is_refused(live_server: LiveServer) -> None:
    outsider_refused_first(live_server, LRMX, "nested", "nested.zip")
    response = refused_within_limits(live_server, LRMX, "nested", "nested.zip")
    assert "压缩包套压缩包" in response.json()["message"]


def test_the_web_pages_refuse_alike(live_server: LiveServer) -> None:
    outsider = live_server.client("outsider")
    files = {"file": ("bomb.xlsx", attack("dimension"), "application/octet-stream")}
    assert outsider.post("/exchange/xlsx/", files=files).status_code == 403
    officer = live_server.client("officer")
    response = officer.post("/exchange/xlsx/", files=files)
    assert response.status_code == 422
    assert "声明的范围为 16384 列 × 1048576 行" in response.text
    files = {"file": ("bomb.zip", attack("lrmx_bomb"), "application/octet-stream")}
    assert outsider.post("/exchange/lrmx/import/", files=files).status_code == 403
    response = officer.post("/exchange/lrmx/import/", files=files)
    assert response.status_code == 422
    assert "超过单个文件上限 5 MB" in response.text
    assert live_server.alive()


# ---- the request as a whole -------------------------------------------------------


def test_a_body_over_the_request_limit_is_refused_unread(live_server: LiveServer) -> None:
    """Content-Length says 2 GB, and no byte of the body is sent: the answer
    comes from the header alone."""
    host, port = live_server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(
            b"POST /api/v1/xlsx/import HTTP/1.1\r\n"
            b"Host: 127.0.0.1\r\n"
            b"Content-Type: multipart/form-data; boundary=x\r\n"
            b"Content-Length: 2147483648\r\n\r\n"
        )
        started = time.perf_counter()
        received = b""
        while b"XUANREN_UPLOAD_MAX_BYTES" not in received and time.perf_counter() - started < 5:
            chunk = conn.recv(65536)  # the answer may come in several segments
            if not chunk:
                break
            received += chunk
        elapsed = time.perf_counter() - started
        answer = received.decode("utf-8", "replace")
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    assert "XUANREN_UPLOAD_MAX_BYTES" in answer
    assert elapsed < 2.0
    assert live_server.alive()


@pytest.mark.parametrize("username", ["outsider", "officer"])
def test_every_attack_leaves_the_server_up(live_server: LiveServer, username: str) -> None:
    """All the attacks in a row from one account; the server answers after each."""
    client: Any = live_server.client(username)
    for path, name, filename in [
        (XLSX, "dimension", "a.xlsx"),
        (XLSX, "far_cell", "b.xlsx"),
        (LRMX, "lrmx_bomb", "c.zip"),
        (LRMX, "nested", "d.zip"),
    ]:
        response = post(client, path, name, filename)
        assert response.status_code in {403, 413, 422}
        assert live_server.alive()
