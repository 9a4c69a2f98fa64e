"""Load on the ballot box (issue 5): 1,500 voters cast recommendation ballots
through the HTTP API of a server on loopback, backed by PostgreSQL.

The script drops and creates its own database (default xuanren_h2b), migrates
it, sets up a recommendation meeting (two posts, five names each, write-ins
allowed, participants in three groups), issues one-time codes and opens the
vote; starts `xuanren runserver` (threaded, no reloader) on 127.0.0.1; then
`--workers` threads cast every voter's ballot once with urllib (one request
per voter, random choices within the limits, some write-ins, some blank) and,
mixed in, re-send `--duplicates` already used codes, which must be refused
(409). It then closes the meeting through the service and checks:

- every accepted cast got a distinct receipt, and the published receipts are
  exactly those (none lost, none extra);
- the count equals what was sent, name by name and group by group (every
  ballot counted once);
- no duplicate was accepted; 1,500 participations and 1,500 ballots;
- all casts finished within `--limit` seconds (default 60).

It prints p50/p99 latency and throughput as Markdown, for docs/performance.md.

    uv run python bench/vote_load.py
    uv run python bench/vote_load.py --voters 3000 --workers 32 --keep
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from seed_bench import recreate_database  # noqa: E402  (bench/ on sys.path)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/xuanren_h2b"
LOG = Path("/tmp/xuanren_vote_load_server.log")
GROUPS = ("中层干部", "其他干部", "职工群众")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def setup(voters: int) -> tuple[int, list[tuple[str, str]], dict[str, Any], str]:
    """The meeting, its (code, group) list, its ballot shape and its count passphrase."""
    from django.contrib.auth.models import User

    from xuanren.ballots.services import (
        meeting_codes_issue,
        meeting_count_key_create,
        meeting_create,
        meeting_open,
    )
    from xuanren.org.models import UnitKind
    from xuanren.org.services import unit_create

    admin = User.objects.create_superuser("bench-admin", "b@example.invalid", "pw-bench-123")
    unit = unit_create(
        actor=admin, name="负载测试镇", code="LOAD", kind=UnitKind.TOWNSHIP, parent=None
    )
    meeting = meeting_create(
        actor=admin,
        kind="recommendation",
        title="负载测试民主推荐会",
        unit=unit,
        meeting_date=dt.date(2026, 11, 27),
        sections=[
            {
                "title": f"职位{s}",
                "max_choices": 2,
                "write_ins": True,
                "items": [{"name": f"人选{s}-{i}"} for i in range(1, 6)],
            }
            for s in (1, 2)
        ],
        voters=[{"name": f"参加人{n:05d}", "group": GROUPS[n % 3]} for n in range(voters)],
    )
    issued = meeting_codes_issue(actor=admin, meeting=meeting)
    key = meeting_count_key_create(actor=admin, meeting=meeting)
    meeting_open(actor=admin, meeting=meeting)
    shape = {
        str(s.pk): [str(i.pk) for i in s.items.order_by("order")]
        for s in meeting.sections.order_by("order")
    }
    passphrase = key.first_half + key.second_half
    return meeting.pk, [(code, v.group) for v, code in issued], shape, passphrase


def ballot(rnd: random.Random, shape: dict[str, list[str]]) -> dict[str, Any]:
    if rnd.random() < 0.05:
        return {"marks": {}, "write_ins": {}}  # blank, valid
    marks: dict[str, str] = {}
    write_ins: dict[str, list[str]] = {}
    for section, items in shape.items():
        chosen = rnd.sample(items, rnd.randint(0, 2))
        marks.update(dict.fromkeys(chosen, "chosen"))
        if len(chosen) < 2 and rnd.random() < 0.1:
            write_ins[section] = [rnd.choice(["另推甲", "另推乙"])]
    return {"marks": marks, "write_ins": write_ins}


def post(url: str, body: dict[str, Any]) -> tuple[int, dict[str, Any], float]:
    data = json.dumps(body).encode()
    req = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json"}, method="POST"
    )
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            status, payload = resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            status, payload = exc.code, json.loads(raw or b"{}")
        except ValueError:
            status, payload = exc.code, {"body": raw[:300].decode(errors="replace")}
    return status, payload, time.perf_counter() - start


def serve(port: int, threads: int) -> None:
    """The server under test: Django's WSGI application behind wsgiref with a
    fixed pool of threads, so each thread keeps its database connection
    (XUANREN_CONN_MAX_AGE) as a production server's workers would; Django's
    runserver starts a thread — and a connection — per request instead."""
    import socketserver
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    from django.core.wsgi import get_wsgi_application

    pool = ThreadPoolExecutor(threads)

    class PooledServer(WSGIServer):
        request_queue_size = 256

        def process_request(self, request: Any, client_address: Any) -> None:
            pool.submit(self._handle, request, client_address)

        def _handle(self, request: Any, client_address: Any) -> None:
            try:
                self.finish_request(request, client_address)
            except Exception:
                self.handle_error(request, client_address)
            finally:
                self.shutdown_request(request)

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    assert issubclass(PooledServer, socketserver.BaseServer)
    httpd = make_server(
        "127.0.0.1",
        port,
        get_wsgi_application(),
        server_class=PooledServer,
        handler_class=QuietHandler,
    )
    httpd.serve_forever()


def wait_for(port: int, proc: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("the server exited before it was ready")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--voters", type=int, default=1500)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--duplicates", type=int, default=100)
    parser.add_argument("--limit", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--server", choices=["pooled", "runserver"], default="pooled", help="the server under test"
    )
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)  # internal: run the server
    args = parser.parse_args()
    if args.serve:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xuanren.settings")
        import django

        django.setup()
        serve(args.serve, args.workers)
        return 0
    if not 0 < args.voters <= 20000 or not 0 < args.workers <= 64:
        raise SystemExit("--voters 1..20000, --workers 1..64")

    os.environ["DATABASE_URL"] = args.database_url
    # Another database than var/'s: its own anchor file (decision 0038).
    os.environ.setdefault(
        "XUANREN_JOURNAL_ANCHOR",
        os.path.join(tempfile.gettempdir(), f"xuanren-bench-{os.getpid()}.anchor"),
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xuanren.settings")
    recreate_database(args.database_url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    meeting_id, codes, shape, passphrase = setup(args.voters)
    connection.close()

    port = free_port()
    pooled = args.server == "pooled"
    env = {**os.environ, "XUANREN_DEBUG": "0", "XUANREN_CONN_MAX_AGE": "600" if pooled else "0"}
    command = (
        [sys.executable, __file__, "--serve", str(port), "--workers", str(args.workers)]
        if pooled
        else [sys.executable, "-m", "xuanren", "runserver", f"127.0.0.1:{port}", "--noreload"]
    )
    server = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(LOG, "wb"),  # noqa: SIM115 (closed with the process)
    )
    try:
        wait_for(port, server)
        url = f"http://127.0.0.1:{port}/api/v1/ballots/meetings/{meeting_id}/cast"
        rnd = random.Random(args.seed)
        sent = [(code, group, ballot(rnd, shape)) for code, group in codes]
        dup_codes = [code for code, _g in rnd.sample(codes, min(args.duplicates, len(codes)))]
        lock = threading.Lock()
        accepted: list[tuple[str, str, dict[str, Any]]] = []
        latencies: list[float] = []
        statuses: Counter[int] = Counter()
        dup_done = threading.Event()
        done: set[str] = set()

        def cast(job: tuple[str, str, dict[str, Any]]) -> None:
            code, group, content = job
            status, payload, seconds = post(url, {"code": code, "content": content})
            with lock:
                statuses[status] += 1
                latencies.append(seconds)
                if status == 201:
                    accepted.append((payload["receipt"], group, content))
                    done.add(code)

        dup_results: list[int] = []

        def duplicates() -> None:
            # Re-send codes already used, while the others are still voting.
            for code in dup_codes:
                while code not in done and len(latencies) < len(sent):
                    time.sleep(0.01)
                status, _p, _s = post(url, {"code": code, "content": {}})
                dup_results.append(status)
            dup_done.set()

        dup_thread = threading.Thread(target=duplicates)
        start = time.perf_counter()
        dup_thread.start()
        with ThreadPoolExecutor(args.workers) as pool:
            list(pool.map(cast, sent))
        elapsed = time.perf_counter() - start
        dup_thread.join(timeout=60)
    finally:
        server.terminate()
        server.wait(timeout=30)

    from django.contrib.auth.models import User

    from xuanren.ballots.models import Ballot, Meeting, Participation
    from xuanren.ballots.services import meeting_close

    admin = User.objects.get(username="bench-admin")
    t0 = time.perf_counter()
    meeting = meeting_close(
        actor=admin, meeting=Meeting.objects.get(pk=meeting_id), passphrase=passphrase
    )
    close_seconds = time.perf_counter() - t0

    problems = []
    receipts = [r for r, _g, _c in accepted]
    if len(accepted) != len(sent):
        problems.append(f"accepted {len(accepted)} of {len(sent)} casts: {dict(statuses)}")
    if len(set(receipts)) != len(receipts):
        problems.append("a receipt was given twice")
    if meeting.receipts != sorted(receipts):
        problems.append("published receipts differ from those handed out")
    if any(s != 409 for s in dup_results):
        problems.append(f"duplicate casts answered {Counter(dup_results)}")
    if Participation.objects.filter(meeting=meeting).count() != len(accepted):
        problems.append("participations differ from accepted casts")
    if Ballot.objects.filter(meeting=meeting).count() != len(accepted):
        problems.append("ballots differ from accepted casts")
    expected: Counter[tuple[str, str]] = Counter()
    expected_write: Counter[str] = Counter()
    for _r, group, content in accepted:
        for item in content["marks"]:
            expected[group, item] += 1
            expected["", item] += 1
        for names in content["write_ins"].values():
            expected_write.update(names)
    result = meeting.result
    for (group, item), n in expected.items():
        got = (result["groups"][group] if group else result)["items"][item]["chosen"]
        if got != n:
            problems.append(f"{group or '合计'} {item}: counted {got}, sent {n}")
    counted_write: Counter[str] = Counter()
    for names in result["write_ins"].values():
        counted_write.update(names)
    if counted_write != expected_write:
        problems.append(f"write-ins counted {dict(counted_write)}, sent {dict(expected_write)}")
    if result["cast"] != len(accepted):
        problems.append(f"cast {result['cast']} != accepted {len(accepted)}")
    if elapsed > args.limit:
        problems.append(f"casting took {elapsed:.1f} s, over the {args.limit:.0f} s limit")

    lat = sorted(latencies)
    p50 = statistics.median(lat) * 1000
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
    print(f"server: {args.server}")
    print("| voters | workers | duplicates refused | wall time | throughput | p50 | p99 | close |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {len(sent):,} | {args.workers} | {dup_results.count(409)}/{len(dup_results)} "
        f"| {elapsed:.1f} s | {len(sent) / elapsed:.0f} casts/s | {p50:.0f} ms | {p99:.0f} ms "
        f"| {close_seconds:.2f} s |"
    )
    print(f"digest {meeting.ballot_digest}")
    connection.close()
    if not args.keep:
        recreate_database(args.database_url, drop_only=True)
    if problems:
        print("FAILED:")
        for p in problems:
            print(" -", p)
        return 1
    print("OK: every ballot counted once, none lost, no duplicate accepted")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
