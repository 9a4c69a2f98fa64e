"""Password guessing against a live server (issue 10, item 8): one address
against one account, and one address against many accounts. Each attack
gets a private server, since it locks the loopback address out."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from tests.security.conftest import LiveServer

LOCKED = 429


def guess(client: httpx.Client, username: str, password: str) -> httpx.Response:
    return client.post("/login/", data={"username": username, "password": password})


def fresh(server: LiveServer) -> httpx.Client:
    client = server.client()
    client.get("/login/")  # the CSRF cookie
    return client


def test_brute_force_one_account(make_live_server: Callable[[], LiveServer]) -> None:
    server = make_live_server()
    admin = server.client("admin")  # an administrator's session from before the attack
    attacker = fresh(server)
    started = time.monotonic()
    statuses = [guess(attacker, "officer", f"guess-{i:02d}").status_code for i in range(30)]
    elapsed = time.monotonic() - started
    assert statuses[:4] == [200] * 4  # "wrong password"
    assert set(statuses[5:]) == {LOCKED}
    assert elapsed < 60  # answered quickly, not by hanging the server
    refused = guess(attacker, "officer", "demo-officer")
    assert refused.status_code == LOCKED
    assert "登录已暂停" in refused.text and "30 分钟" in refused.text
    assert "sessionid" not in attacker.cookies
    assert attacker.get("/").status_code == 302  # not logged in
    # Failures are recorded per account and per address; no password is stored.
    rows = server.sql("SELECT username, failures_since_start, post_data FROM axes_accessattempt")
    assert rows and max(r[1] for r in rows) >= 5
    assert not any("guess-" in (r[2] or "") for r in rows)
    # The administrator (already logged in) unlocks through the admin action:
    user_id = server.sql("SELECT id FROM auth_user WHERE username = %s", ("officer",))[0][0]
    admin.get("/admin/auth/user/")
    done = admin.post(
        "/admin/auth/user/",
        data={"action": "unlock_login", "_selected_action": str(user_id)},
    )
    assert done.status_code == 302
    # The address is still locked (it guessed too); the shell command clears it, journalled.
    unlocked = server.manage("login_unlock", "--by", "admin", "--address", "127.0.0.1")
    assert unlocked.returncode == 0, unlocked.stderr
    events = server.sql(
        "SELECT COUNT(*) FROM journal_event WHERE event_type = %s", ("access.user_unlocked",)
    )
    assert events[0][0] == 2
    assert guess(fresh(server), "officer", "demo-officer").status_code == 302
    assert server.alive()


def test_brute_force_many_accounts(make_live_server: Callable[[], LiveServer]) -> None:
    server = make_live_server()
    member = server.client("member")  # logged in before the attack
    attacker = fresh(server)
    accounts = ["officer", "member", "jiwei", "audit", "inspector", "hr", "participant"]
    # Four guesses an account stay below the account's limit (5); the address's
    # own limit (20 failures) stops the sweep.
    statuses = [guess(attacker, name, "123456").status_code for name in accounts * 4]
    assert statuses[:20] == [200] * 20
    assert set(statuses[20:]) == {LOCKED}
    # From this address even a right password of an untouched account is refused.
    assert guess(fresh(server), "outsider", "demo-outsider").status_code == LOCKED
    # Sessions opened before are not thrown out.
    assert member.get("/").status_code == 200
    assert server.alive()
