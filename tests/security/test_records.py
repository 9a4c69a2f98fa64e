"""Every change of an account and every look at sensitive data is on the
record (live server): an administrator's admin action leaves a journal
event, a look at a cadre's page leaves an access-record row that the
discipline commission finds, and nobody else reads the access record."""

from __future__ import annotations

from collections.abc import Callable

from tests.security.conftest import LiveServer


def test_an_admin_action_on_an_account_is_journalled(
    make_live_server: Callable[[], LiveServer],
) -> None:
    server = make_live_server()
    (participant,) = server.sql("SELECT id FROM auth_user WHERE username = %s", ("participant",))[0]
    admin = server.client("admin")
    admin.get("/admin/auth/user/")
    done = admin.post(
        "/admin/auth/user/",
        data={"action": "deactivate", "_selected_action": [str(participant)], "index": "0"},
    )
    assert done.status_code == 302
    assert server.sql("SELECT is_active FROM auth_user WHERE id = %s", (participant,)) in (
        [(False,)],
        [(0,)],
    )
    events = server.sql(
        "SELECT e.actor_label FROM journal_event e WHERE e.event_type = %s AND e.subject_id = %s",
        ("access.user_active_set", str(participant)),
    )
    assert events == [("孙志刚",)]  # the demo administrator by name (decision 0057)
    # The deactivated account no longer logs in.
    anyone = server.client()
    anyone.get("/login/")
    refused = anyone.post(
        "/login/", data={"username": "participant", "password": "demo-participant"}
    )
    assert refused.status_code == 200 and "sessionid" not in anyone.cookies
    # A case officer cannot do it at all: the admin is not theirs.
    officer = server.client("officer")
    assert officer.get("/admin/auth/user/").status_code == 302  # to the admin login


def test_a_look_at_a_cadre_is_recorded_and_only_the_commission_reads_it(
    make_live_server: Callable[[], LiveServer],
) -> None:
    server = make_live_server()
    (cadre, name) = server.sql("SELECT id, name FROM people_cadre ORDER BY id LIMIT 1")[0]
    before = server.sql("SELECT COUNT(*) FROM access_accessrecord")[0][0]
    officer = server.client("officer")
    assert officer.get(f"/cadres/{cadre}/").status_code == 200
    rows = server.sql(
        "SELECT username, kind, subject_id, path, address FROM access_accessrecord ORDER BY id"
    )
    assert len(rows) == before + 1
    assert rows[-1] == ("officer", "cadre", str(cadre), f"/cadres/{cadre}/", "127.0.0.1")
    jiwei = server.client("jiwei")
    page = jiwei.get("/account/records/", params={"person": name})
    assert page.status_code == 200 and name in page.text and "王建华" in page.text
    for nosy in ("officer", "hr", "outsider"):
        assert server.client(nosy).get("/account/records/").status_code == 403
    # The record only grows: the commission's look added nothing to it.
    assert server.sql("SELECT COUNT(*) FROM access_accessrecord")[0][0] == before + 1
