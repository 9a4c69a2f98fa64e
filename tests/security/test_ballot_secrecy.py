"""Ballot secrecy against whoever can read the database, a backup or the
server's log (docs/decisions/0048), on a live server.

Twenty voters cast ballots in a known order, each with content no other
ballot has (a write-in name of their own and their own set of marks). A full
dump taken during the vote must hold no ballot content at all; after the
count, the linkages an attacker would try (physical row order, transaction
ids, ids, the journal, the log) must match voters to their ballots no better
than chance."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.security.conftest import LiveServer

API = "/api/v1"
VOTERS = 20
# Chance gives one correct pairing on average; 7 or more happens by chance
# about once in 12,000 tries of one strategy.
MOST_BY_CHANCE = 6
WRITE_INS = [f"秘{chr(0x4E00 + 37 * n)}{chr(0x4E00 + 53 * n + 7)}" for n in range(VOTERS)]


def _json(response: httpx.Response, status: int) -> Any:
    assert response.status_code == status, response.text[:2000]
    return response.json()


def _setup_meeting(server: LiveServer) -> tuple[int, list[str], list[str], str]:
    """A recommendation meeting of the county with six names (up to three
    chosen) and write-ins; its codes in roster order, its item ids and the
    count passphrase."""
    officer = server.client("officer")
    (root,) = server.sql("SELECT MIN(id) FROM org_unit WHERE parent_id IS NULL")[0]
    meeting = _json(
        officer.post(
            f"{API}/ballots/meetings",
            json={
                "kind": "recommendation",
                "title": "保密性测试民主推荐",
                "unit": root,
                "meeting_date": "2026-12-01",
                "sections": [
                    {
                        "title": "副局长",
                        "max_choices": 3,
                        "write_ins": True,
                        "items": [{"name": f"人选{i}"} for i in range(6)],
                    }
                ],
                "voters": [{"name": f"参加人{n:02d}", "group": "中层干部"} for n in range(VOTERS)],
            },
        ),
        201,
    )
    mid = meeting["id"]
    codes = _json(officer.post(f"{API}/ballots/meetings/{mid}/codes", json={}), 200)
    key = _json(officer.post(f"{API}/ballots/meetings/{mid}/count-key", json={}), 201)
    _json(officer.post(f"{API}/ballots/meetings/{mid}/open", json={}), 200)
    form = _json(httpx.post(f"{server.url}{API}/ballots/meetings/{mid}/ballot",
                            json={"code": codes[0]["code"]}), 200)  # fmt: skip
    items = [str(i["id"]) for i in form["sections"][0]["items"]]
    section = str(form["sections"][0]["id"])
    by_voter = sorted(codes, key=lambda c: c["voter"])
    return (
        mid,
        [c["code"] for c in by_voter],
        [section, *items],
        key["first_half"] + key["second_half"],
    )


def _contents(section_and_items: list[str]) -> list[dict[str, Any]]:
    section, *items = section_and_items
    subsets = [s for k in (0, 1, 2) for s in itertools.combinations(items, k)]
    return [
        {"marks": dict.fromkeys(subsets[n % len(subsets)], "chosen"), "write_ins": {section: [w]}}
        for n, w in enumerate(WRITE_INS)
    ]


def _dump(server: LiveServer) -> str:
    """Every row of every table as text: what a copy of the database holds."""
    if server.database_url.startswith("sqlite"):
        tables = [r[0] for r in server.sql("SELECT name FROM sqlite_master WHERE type = 'table'")]
    else:
        tables = [
            r[0] for r in server.sql("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ]
    out = []
    for table in tables:
        for row in server.sql(f'SELECT * FROM "{table}"'):
            out.append(f"{table}: " + " | ".join(_text(v) for v in row))
    return "\n".join(out)


def _text(value: Any) -> str:
    if isinstance(value, bytes | memoryview):
        raw = bytes(value)
        return raw.decode("utf-8", "replace") + " " + raw.hex()
    return str(value)


def _file_bytes(server: LiveServer) -> bytes:
    if not server.database_url.startswith("sqlite"):
        return b""
    db = Path(server.database_url.removeprefix("sqlite:///"))
    return b"".join(p.read_bytes() for p in (db, Path(f"{db}-wal")) if p.exists())


def _physical(server: LiveServer, table: str, columns: str, meeting: int) -> list[tuple[Any, ...]]:
    """Rows in the order they lie on disk, with the transaction id on PostgreSQL."""
    if server.database_url.startswith("sqlite"):
        return server.sql(
            f"SELECT {columns}, rowid, 0 FROM {table} WHERE meeting_id = %s ORDER BY rowid",
            (meeting,),
        )
    return server.sql(
        f"SELECT {columns}, ctid::text, xmin::text::bigint FROM {table} "
        "WHERE meeting_id = %s ORDER BY ctid",
        (meeting,),
    )


def _links(guess: list[int], truth: list[int]) -> int:
    return sum(g == t for g, t in zip(guess, truth, strict=False))


@pytest.fixture
def voted(make_live_server: Callable[[], LiveServer]) -> dict[str, Any]:
    server = make_live_server()
    mid, codes, shape, passphrase = _setup_meeting(server)
    contents = _contents(shape)
    voter_ids = sorted(
        r[0] for r in server.sql("SELECT id FROM ballots_voter WHERE meeting_id = %s", (mid,))
    )
    for code, content in zip(codes, contents, strict=True):  # a known order
        with httpx.Client(base_url=server.url) as anyone:
            _json(
                anyone.post(
                    f"{API}/ballots/meetings/{mid}/cast", json={"code": code, "content": content}
                ),
                201,
            )
    return {
        "server": server,
        "meeting": mid,
        "codes": codes,
        "voters": voter_ids,
        "passphrase": passphrase,
    }


def test_during_the_vote_no_copy_of_the_database_or_log_holds_any_content(voted):
    server, mid = voted["server"], voted["meeting"]
    dump = _dump(server)
    raw = _file_bytes(server)
    log = server.log()
    for name in WRITE_INS:
        assert name not in dump, "a write-in name in the database"
        assert name.encode() not in raw, "a write-in name in the database file"
        assert name not in log
    for code in voted["codes"]:
        assert code not in log and code.replace("-", "") not in log
    # What is there: who voted (participation), sealed boxes of one size, no plain ballot.
    assert server.sql("SELECT COUNT(*) FROM ballots_ballot WHERE meeting_id = %s", (mid,)) == [(0,)]
    boxes = _physical(server, "ballots_sealedballot", "box", mid)
    assert len(boxes) == VOTERS and len({len(bytes(b[0])) for b in boxes}) == 1
    # The journal's entry for each cast is its receipt (decision 0101): the
    # meeting, a random code and a MAC of the two; no chained event per cast.
    events = server.sql(
        "SELECT COUNT(*) FROM journal_event WHERE event_type = %s AND subject_id = %s",
        ("ballots.cast", str(mid)),
    )
    assert events == [(0,)]
    receipts = server.sql("SELECT code, mac FROM ballots_receipt WHERE meeting_id = %s", (mid,))
    assert len(receipts) == VOTERS and all(len(mac) == 64 for _code, mac in receipts)


def test_after_the_count_no_linkage_beats_chance(voted):
    server, mid = voted["server"], voted["meeting"]
    boxes_before = [bytes(b[0]) for b in _physical(server, "ballots_sealedballot", "box", mid)]
    participations = _physical(server, "ballots_participation", "voter_id", mid)
    on_pg = not server.database_url.startswith("sqlite")
    filenode = "SELECT pg_relation_filenode('ballots_sealedballot')"
    before_node = server.sql(filenode) if on_pg else None
    officer = server.client("officer")
    wrong = officer.post(f"{API}/ballots/meetings/{mid}/close", json={"passphrase": "X" * 20})
    assert wrong.status_code == 422 and "计票密码不正确" in wrong.json()["message"]
    closed = _json(
        officer.post(
            f"{API}/ballots/meetings/{mid}/close", json={"passphrase": voted["passphrase"]}
        ),
        200,
    )
    assert closed["result"]["cast"] == VOTERS
    # Truth: voter i (roster order) wrote in WRITE_INS[i].
    name_of_voter = {v: WRITE_INS[i] for i, v in enumerate(voted["voters"])}
    ballots = _physical(server, "ballots_ballot", "id, content", mid)
    written = [_write_in(row[1]) for row in ballots]
    assert sorted(written) == sorted(WRITE_INS)
    voter_order = [p[0] for p in participations]  # the cast order, as the disk kept it
    truth_by_row = [WRITE_INS.index(w) for w in written]
    # 1. physical order of the ballots against the order of participation
    guess = [WRITE_INS.index(name_of_voter[v]) for v in voter_order]
    assert _links(guess, truth_by_row) <= MOST_BY_CHANCE
    # 2. the ballots' ids sorted, against the cast order
    by_id = [WRITE_INS.index(_write_in(r[1])) for r in sorted(ballots, key=lambda r: str(r[0]))]
    assert _links(guess, by_id) <= MOST_BY_CHANCE
    # 3. transaction ids: every plain ballot was written by one transaction
    assert len({r[-1] for r in ballots}) == 1
    # 4. the boxes are gone, and with them the locked key
    # (the demo's other open meeting keeps its own sealed ballots)
    assert server.sql(
        "SELECT COUNT(*) FROM ballots_sealedballot WHERE meeting_id = %s", (mid,)
    ) == [(0,)]
    locked = server.sql("SELECT count_locked_key FROM ballots_meeting WHERE id = %s", (mid,))
    assert bytes(locked[0][0] or b"") == b""
    raw = _file_bytes(server)
    assert not any(box[:48] in raw for box in boxes_before), "an opened box left on disk"
    if on_pg:  # the table was rewritten: its old file, with the dead boxes, is gone
        assert server.sql(filenode) != before_node
    # 5. the journal and the log still name nobody with a choice
    log = server.log()
    for code in voted["codes"]:
        assert code not in log and code.replace("-", "") not in log
    events = server.sql(
        "SELECT payload FROM journal_event WHERE subject_id = %s AND event_type = %s",
        (str(mid), "ballots.meeting_closed"),
    )
    assert len(events) == 1 and "voter" not in str(events[0][0])


def _write_in(content: Any) -> str:
    data = json.loads(content) if isinstance(content, str) else content
    ((name,),) = data["write_ins"].values()
    return str(name)
