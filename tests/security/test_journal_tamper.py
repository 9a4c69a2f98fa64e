"""The journal as evidence against a database administrator (issue 10, item 6):
each tamper case is done with plain SQL on a private live server's database,
and `xuanren journal verify` must exit non-zero with a Chinese message naming
the first broken record. The attacker has the database, not the key and not
the anchor file (both live outside it). Runs on SQLite and PostgreSQL (the DB
kind of the test run)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.security.conftest import LiveServer
from xuanren.journal.chain import GENESIS, canonical, iter_fp_runs, link_hash


@pytest.fixture
def server(make_live_server: Callable[[], LiveServer]) -> Iterator[LiveServer]:
    private = make_live_server()
    yield private
    private.stop()


def verify(server: LiveServer, *args: str) -> subprocess.CompletedProcess[str]:
    return server.manage("journal", "verify", *args)


def assert_caught(server: LiveServer, *fragments: str) -> str:
    done = verify(server)
    assert done.returncode != 0, done.stdout
    message = done.stderr
    assert "日志核验未通过" in message, message
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    return message


def events(server: LiveServer) -> list[int]:
    return [r[0] for r in server.sql("SELECT id FROM journal_event ORDER BY id")]


def middle(server: LiveServer) -> int:
    ids = events(server)
    return ids[len(ids) // 2]


def _utc(value: Any) -> str:
    """occurred_at as the chain hashes it, from either database's raw value."""
    if isinstance(value, str):  # SQLite: naive UTC text
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return str(value.astimezone(dt.UTC).isoformat())


def recompute_without_key(server: LiveServer, *, start: int, version: int) -> None:
    """What an administrator who knows the algorithm but not the key can do:
    relink every event from `start` with plain SHA-256, and fix the head."""
    rows = server.sql(
        "SELECT id, occurred_at, actor_id, actor_label, event_type, subject_type, subject_id,"
        " payload, prev_hash FROM journal_event WHERE id >= %s ORDER BY id",
        (start,),
    )
    prev = rows[0][8] if start > 1 else GENESIS
    for pk, at, actor_id, label, event_type, st, sid, payload, _prev in rows:
        text = canonical(
            seq=pk,
            occurred_at=_utc(at),
            actor_id=actor_id,
            actor_label=label,
            event_type=event_type,
            subject_type=st,
            subject_id=sid,
            payload=json.loads(payload) if isinstance(payload, str) else payload,
        )
        new = link_hash(prev, text)
        server.sql(
            "UPDATE journal_event SET prev_hash = %s, hash = %s, version = %s WHERE id = %s",
            (prev, new, version, pk),
        )
        prev = new
    server.sql("UPDATE journal_journalhead SET last_hash = %s", (prev,))


def last_fingerprint_event(server: LiveServer, cadre: int) -> int:
    last = 0
    for pk, payload in server.sql("SELECT id, payload FROM journal_event ORDER BY id"):
        data = json.loads(payload) if isinstance(payload, str) else payload
        if any(c == cadre for c, _fp in iter_fp_runs(data.get("cadre_fp") or [])):
            last = pk
    assert last, "every demo cadre is fingerprinted by some event"
    return last


# ---- untampered -----------------------------------------------------------------------------


def test_the_untampered_demo_verifies_clean_and_its_writes_are_anchored(server: LiveServer):
    done = verify(server)
    assert done.returncode == 0, done.stderr
    assert "日志链完整" in done.stdout and "均与日志相符" in done.stdout
    anchored = (server.var_dir / "journal.anchor").read_text().splitlines()
    assert anchored, "the demo's commits were anchored"
    # A change through the live server is anchored by the server process itself.
    officer = server.client("officer")
    cadre = server.sql("SELECT MIN(id) FROM people_cadre")[0][0]
    headers = {}
    etag = officer.get(f"/api/v1/cadres/{cadre}").headers.get("etag")
    if etag:
        headers["If-Match"] = etag
    response = officer.patch(
        f"/api/v1/cadres/{cadre}", json={"native_place": "浙江杭州"}, headers=headers
    )
    assert response.status_code == 200, response.text
    last_id, last_hash = server.sql("SELECT id, hash FROM journal_event ORDER BY id DESC LIMIT 1")[
        0
    ]
    lines = (server.var_dir / "journal.anchor").read_text().splitlines()
    assert lines[-1].split("\t")[1:3] == [str(last_id), last_hash]
    done = verify(server)
    assert done.returncode == 0, done.stderr
    # The 纪实 prints the head; a printed head is checked like an anchor entry.
    case = server.sql("SELECT MIN(id) FROM procedure_case")[0][0]
    record = officer.get(f"/cases/{case}/record/")
    assert record.status_code == 200
    assert f'id="journal-seq">{last_id}<' in record.text
    assert f"--head {last_id} {last_hash}" in record.text
    done = verify(server, "--head", str(last_id), last_hash)
    assert done.returncode == 0, done.stderr
    done = verify(server, "--head", str(last_id), "0" * 64)
    assert done.returncode != 0 and "打印的纪实" in done.stderr


# ---- the seven tamper cases -------------------------------------------------------------------


def test_a_edit_a_row(server: LiveServer):
    victim = middle(server)
    server.sql("UPDATE journal_event SET actor_label = %s WHERE id = %s", ("someone", victim))
    assert_caught(server, f"第 {victim} 号记录", "被改动")


def test_b_delete_the_last(server: LiveServer):
    last = events(server)[-1]
    server.sql("DELETE FROM journal_event WHERE id = %s", (last,))
    assert_caught(server, f"第 {last} 号", "删除")


def test_c_delete_one_in_the_middle(server: LiveServer):
    ids = events(server)
    victim = ids[len(ids) // 2]
    after = ids[len(ids) // 2 + 1]
    server.sql("DELETE FROM journal_event WHERE id = %s", (victim,))
    assert_caught(server, f"第 {after} 号记录", "被删除")


def test_d_edit_a_business_row(server: LiveServer):
    cadre = server.sql("SELECT MAX(id) FROM people_cadre")[0][0]
    server.sql("UPDATE people_cadre SET name = %s WHERE id = %s", ("篡改者", cadre))
    last = last_fingerprint_event(server, cadre)
    message = assert_caught(server, "篡改者", f"编号 {cadre}", "绕过系统改动")
    assert f"第 {last} 号记录" in message


def test_e_delete_the_last_and_fix_the_head(server: LiveServer):
    ids = events(server)
    last, before = ids[-1], ids[-2]
    (before_hash,) = server.sql("SELECT hash FROM journal_event WHERE id = %s", (before,))[0]
    server.sql("DELETE FROM journal_event WHERE id = %s", (last,))
    server.sql(
        "UPDATE journal_journalhead SET last_hash = %s, count = count - 1, last_seq = %s",
        (before_hash, before),
    )
    assert_caught(server, f"只到第 {before} 号", f"记到第 {last} 号", "删除")


def test_f_edit_a_row_and_recompute_the_chain_keeping_the_version(server: LiveServer):
    victim = middle(server)
    server.sql("UPDATE journal_event SET actor_label = %s WHERE id = %s", ("someone", victim))
    recompute_without_key(server, start=victim, version=2)
    assert_caught(server, f"第 {victim} 号记录", "被改动")


def test_f_edit_a_row_and_recompute_the_tail_as_unkeyed(server: LiveServer):
    victim = middle(server)
    server.sql("UPDATE journal_event SET actor_label = %s WHERE id = %s", ("someone", victim))
    recompute_without_key(server, start=victim, version=1)
    assert_caught(server, f"第 {victim} 号记录", "无密钥")


def test_f_edit_a_row_and_recompute_the_whole_chain_as_unkeyed(server: LiveServer):
    """The whole chain relinked without the key from the first event: it is
    consistent in itself, but not with the anchor outside the database."""
    victim = middle(server)
    last = events(server)[-1]
    server.sql("UPDATE journal_event SET actor_label = %s WHERE id = %s", ("someone", victim))
    recompute_without_key(server, start=events(server)[0], version=1)
    assert_caught(server, f"第 {last} 号记录", "锚定文件", "重算")


def test_g_wipe_the_journal(server: LiveServer):
    last = events(server)[-1]
    server.sql("DELETE FROM journal_event")
    server.sql("UPDATE journal_journalhead SET last_hash = %s, count = 0, last_seq = 0", (GENESIS,))
    assert_caught(server, f"记到第 {last} 号", "清空")


# ---- reconciliation -------------------------------------------------------------------------


def test_a_closed_meetings_result_digest_changed(server: LiveServer):
    meeting = server.sql("SELECT MIN(id) FROM ballots_meeting WHERE status = 'closed'")[0][0]
    assert meeting is not None, "the demo has a closed meeting"
    event = server.sql(
        "SELECT id FROM journal_event WHERE event_type = 'ballots.meeting_closed'"
        " AND subject_id = %s",
        (str(meeting),),
    )[0][0]
    server.sql("UPDATE ballots_meeting SET ballot_digest = %s WHERE id = %s", ("f" * 64, meeting))
    assert_caught(server, f"编号 {meeting}", f"第 {event} 号记录", "选票摘要")


def test_a_case_step_record_changed(server: LiveServer):
    step, case_number, seq, event = server.sql(
        "SELECT s.id, c.number, s.seq, e.id FROM procedure_casestep s"
        " JOIN procedure_case c ON c.id = s.case_id"
        " JOIN journal_event e ON e.hash = s.journal_hash ORDER BY s.id LIMIT 1"
    )[0]
    server.sql("UPDATE procedure_casestep SET note = %s WHERE id = %s", ("事后补记", step))
    assert_caught(server, case_number, f"第 {seq} 号环节记录", f"第 {event} 号记录")


def test_a_cadre_row_inserted_without_an_event(server: LiveServer):
    """A cadre row copied in by SQL has no event carrying its fingerprint."""
    columns = [
        r[0]
        for r in server.sql(
            "SELECT name FROM pragma_table_info('people_cadre')"
            if server.database_url.startswith("sqlite")
            else "SELECT column_name FROM information_schema.columns"
            " WHERE table_name = 'people_cadre'"
        )
        if r[0] not in {"id", "id_number", "name"}
    ]
    top = server.sql("SELECT MAX(id) FROM people_cadre")[0][0]
    listed = ", ".join(columns)
    server.sql(
        f"INSERT INTO people_cadre (id, id_number, name, {listed})"
        f" SELECT %s, %s, %s, {listed} FROM people_cadre WHERE id = %s",
        (top + 1, "110101199001011237", "凭空者", top),
    )
    assert_caught(server, "凭空者", f"编号 {top + 1}", "没有记录其信息的事件")
