"""The live-server harness itself: a server that answers, logs in the demo
users, runs commands on its own database and reports its memory."""

from __future__ import annotations

from tests.security.conftest import LiveServer


def test_the_live_server_serves_the_demo(live_server: LiveServer) -> None:
    assert live_server.alive()
    officer = live_server.client("officer")
    assert officer.get("/").status_code == 200
    assert live_server.client().get("/").status_code == 302  # not logged in: to the login page
    assert live_server.sql("SELECT COUNT(*) FROM people_cadre")[0][0] > 0
    assert 50 * 1024**2 < live_server.rss() < 2 * 1024**3
    assert "GET / HTTP/1.1" in live_server.log()


def test_a_private_server_has_its_own_database(
    live_server: LiveServer, make_live_server: object
) -> None:
    private = make_live_server()  # type: ignore[operator]
    private.sql(
        "UPDATE people_cadre SET name = %s WHERE id = (SELECT MIN(id) FROM people_cadre)", ("甲",)
    )
    assert private.sql("SELECT COUNT(*) FROM people_cadre WHERE name = %s", ("甲",))[0][0] == 1
    assert live_server.sql("SELECT COUNT(*) FROM people_cadre WHERE name = %s", ("甲",))[0][0] == 0
    done = private.manage("journal", "verify")
    assert done.returncode in {0, 1}, done.stderr
