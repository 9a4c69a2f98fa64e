"""Load on the ballot box (issues 5 and 13): 1,500 voters cast recommendation
ballots through the HTTP API of the production server on loopback, backed by
PostgreSQL.

The script drops and creates its own database (default xuanren_h2b), migrates
it, sets up a recommendation meeting (two posts, five names each, write-ins
allowed, participants in three groups), issues one-time codes and opens the
vote; starts the server under test on a free port of 127.0.0.1 — by default
`xuanren serve` (gunicorn, `--server-workers` processes of `--server-threads`
threads, persistent connections), or `--server pooled` (a thread pool around
wsgiref) or `--server runserver` for comparison — and waits until it answers
HTTP; then `--workers` client threads cast every voter's ballot once with http.client (one new
connection and one request per voter, random choices within the limits, some write-ins, some blank) and,
mixed in, re-send `--duplicates` already used codes, which must be refused
(409). It then closes the meeting through the service and checks:

- every accepted cast got a distinct receipt, and the published receipts are
  exactly those (none lost, none extra);
- the count equals what was sent, name by name and group by group (every
  ballot counted once);
- no duplicate was accepted; 1,500 participations and 1,500 ballots;
- all casts finished within `--limit` seconds (default 60).

Queries per cast: two more voters are cast in this process, after the load and
before the close, through the same URL with Django's test client under
CaptureQueriesContext (the whole request: view, selector and service); the
second, warm one is reported with its distinct statements.

It prints p50/p99 latency, throughput, queries per cast and the load average as
Markdown, for docs/performance.md.

    uv run python bench/vote_load.py
    uv run python bench/vote_load.py --voters 10000 --limit 120
    uv run python bench/vote_load.py --server-workers 5 --server-threads 2 --keep
    uv run python bench/vote_load.py --server runserver
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from seed_bench import recreate_database, setup_django  # noqa: E402  (bench/ on sys.path)

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
    """One voter's cast: a new connection (each voter is their own device),
    one request, closed. http.client directly: urllib's opener machinery cost
    the client more CPU than the server spent on the request, on the same two
    cores."""
    parts = urlsplit(url)
    data = json.dumps(body).encode()
    start = time.perf_counter()
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)
    try:
        conn.request(
            "POST",
            parts.path,
            body=data,
            headers={"Content-Type": "application/json", "Connection": "close"},
        )
        resp = conn.getresponse()
        status, raw = resp.status, resp.read()
    finally:
        conn.close()
    try:
        payload = json.loads(raw or b"{}")
    except ValueError:
        payload = {"body": raw[:300].decode(errors="replace")}
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


def wait_for(port: int, proc: subprocess.Popen[bytes], seconds: float = 60) -> None:
    """Until the server answers an HTTP request (any status): gunicorn's master
    accepts connections before its workers have loaded the application."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited before it was ready (see {LOG})")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/", timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answered
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server did not start (see {LOG})")


def server_command(args: argparse.Namespace, port: int) -> list[str]:
    if args.server == "gunicorn":
        return [
            sys.executable,
            "-m",
            "xuanren",
            "serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.server_workers),
            "--threads",
            str(args.server_threads),
        ]
    if args.server == "pooled":
        return [sys.executable, __file__, "--serve", str(port), "--workers", str(args.workers)]
    return [sys.executable, "-m", "xuanren", "runserver", f"127.0.0.1:{port}", "--noreload"]


def stop(server: subprocess.Popen[bytes]) -> None:
    """TERM (gunicorn: graceful stop of its workers), then KILL if it hangs."""
    if server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


def queries_per_cast(
    url: str, probes: list[tuple[str, str, dict[str, Any]]]
) -> tuple[list[str], list[int], list[str]]:
    """Cast the probe voters in this process through the same URL (the whole
    request under CaptureQueriesContext): their receipts, the query count of
    each and the statements of the last one."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(REMOTE_ADDR="127.0.0.1")
    path = urlsplit(url).path
    receipts: list[str] = []
    counts: list[int] = []
    statements: list[str] = []
    for code, _group, content in probes:
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(
                path, {"code": code, "content": content}, content_type="application/json"
            )
        if response.status_code != 201:
            raise SystemExit(f"probe cast answered {response.status_code}: {response.content!r}")
        counts.append(len(ctx.captured_queries))
        statements = [q["sql"] for q in ctx.captured_queries]
        receipts.append(response.json()["receipt"])
    return receipts, counts, statements


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--voters", type=int, default=1500)
    parser.add_argument("--workers", type=int, default=16, help="client threads")
    parser.add_argument("--duplicates", type=int, default=100)
    parser.add_argument("--limit", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--server",
        choices=["gunicorn", "pooled", "runserver"],
        default="gunicorn",
        help="the server under test (default: `xuanren serve`, gunicorn)",
    )
    parser.add_argument(
        "--server-workers", type=int, default=3, help="gunicorn worker processes (default 3)"
    )
    parser.add_argument(
        "--server-threads", type=int, default=4, help="threads per gunicorn worker (default 4)"
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
    if not 0 < args.server_workers <= 16 or not 0 < args.server_threads <= 32:
        raise SystemExit("--server-workers 1..16, --server-threads 1..32")
    load_start = os.getloadavg()

    setup_django(args.database_url, recreate=True)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    # Two more voters, cast in this process to count the queries of a cast.
    meeting_id, codes, shape, passphrase = setup(args.voters + 2)
    connection.close()

    port = free_port()
    # runserver starts a thread per request: persistent connections would leak.
    keep = "0" if args.server == "runserver" else "600"
    env = {**os.environ, "XUANREN_DEBUG": "0", "XUANREN_CONN_MAX_AGE": keep}
    log = open(LOG, "wb")  # noqa: SIM115 (closed after the server stops)
    server = subprocess.Popen(
        server_command(args, port), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        wait_for(port, server)
        url = f"http://127.0.0.1:{port}/api/v1/ballots/meetings/{meeting_id}/cast"
        rnd = random.Random(args.seed)
        everyone = [(code, group, ballot(rnd, shape)) for code, group in codes]
        sent, probes = everyone[:-2], everyone[-2:]
        codes = codes[:-2]
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
        stop(server)
        log.close()
    load_end = os.getloadavg()

    probe_receipts, probe_counts, statements = queries_per_cast(url, probes)
    for receipt, (_code, group, content) in zip(probe_receipts, probes, strict=True):
        accepted.append((receipt, group, content))
    loaded = len(sent)  # cast over HTTP during the load
    sent = sent + probes

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
    if args.server == "gunicorn":
        server_desc = f"gunicorn ({args.server_workers} workers × {args.server_threads} threads)"
    else:
        server_desc = args.server
    print(f"command: {' '.join(sys.argv)}")
    print(f"server: {server_desc}; client threads: {args.workers}")
    print(
        "load average (1, 5, 15 min): start {}, end {}".format(
            *(" ".join(f"{x:.2f}" for x in la) for la in (load_start, load_end))
        )
    )
    print(
        "| voters | duplicates refused | wall time | throughput | p50 | p99 "
        "| queries per cast | close |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {loaded:,} | {dup_results.count(409)}/{len(dup_results)} "
        f"| {elapsed:.1f} s | {loaded / elapsed:.0f} casts/s | {p50:.0f} ms | {p99:.0f} ms "
        f"| {probe_counts[-1]} (cold: {probe_counts[0]}) | {close_seconds:.2f} s |"
    )
    control = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")
    data = [q for q in statements if not q.startswith(control)]
    print(
        f"statements of one cast: {len(statements)}, of which {len(data)} read or write data "
        f"(the others: BEGIN, COMMIT, savepoints)"
    )
    for n, sql in enumerate(statements, 1):
        print(f"  {n:2d}. {sql if len(sql) <= 200 else sql[:200] + ' …'}")
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
