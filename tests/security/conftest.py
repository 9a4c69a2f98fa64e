"""A live server for attack tests: a real `xuanren` server process on its own
demo database, with a cap on its address space, its memory sampled while an
attack runs, and its output (the access log included) in a file.

The demo county is built once per test process into a template (an SQLite
file, or a PostgreSQL template database when the suite runs on PostgreSQL);
each server starts from a copy, so a test that tampers with the database has
a private one (`make_live_server()`), while read-mostly attacks share one
(`live_server`).

Nothing here reaches beyond the loopback address.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import psutil
import psycopg
import pytest

from tests.processes import child_env

ROOT = Path(__file__).resolve().parents[2]
#: The server's address space is capped, so a runaway allocation fails inside
#: the server (and the test sees it) instead of taking the machine down.
ADDRESS_SPACE_CAP = int(os.environ.get("XR_SECURITY_AS_CAP", str(4 * 1024**3)))
START_TIMEOUT = 60.0
DEMO_CADRES = "200"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _worker() -> str:
    """Unique per test process: several runs may share one PostgreSQL server."""
    worker = re.sub(r"\W", "", os.environ.get("PYTEST_XDIST_WORKER", "main")) or "main"
    return f"{worker}_{os.getpid()}"


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def _with_dbname(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def _admin_conn(url: str) -> psycopg.Connection[Any]:
    return psycopg.connect(_with_dbname(url, "postgres"), autocommit=True)


def _limit_address_space() -> None:  # runs in the child before exec
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_CAP, ADDRESS_SPACE_CAP))


def _env(var_dir: Path, database_url: str) -> dict[str, str]:
    return child_env(var_dir, database_url, XUANREN_LOG_LEVEL="INFO")


@dataclass
class LiveServer:
    url: str
    database_url: str
    var_dir: Path
    log_path: Path
    process: subprocess.Popen[bytes]
    _clients: list[httpx.Client] = field(default_factory=list)

    # ---- the process ------------------------------------------------------
    def alive(self) -> bool:
        if self.process.poll() is not None:
            return False
        try:
            return httpx.get(self.url + "/public/", timeout=10).status_code == 200
        except httpx.HTTPError:
            return False

    def rss(self) -> int:
        proc = psutil.Process(self.process.pid)
        return int(
            proc.memory_info().rss + sum(c.memory_info().rss for c in proc.children(recursive=True))
        )

    def peak_rss_during(self, fn: Callable[[], Any]) -> int:
        """Run fn() while sampling the server's resident memory; the peak seen."""
        peak = self.rss()
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                try:
                    peak = max(peak, self.rss())
                except psutil.Error:
                    return
                done.wait(0.01)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            fn()
        finally:
            done.set()
            sampler.join()
        return peak

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    # ---- talking to it ----------------------------------------------------
    def client(self, username: str | None = None) -> httpx.Client:
        """A client with cookies; logged in through the login form as the demo
        user when a name is given. Unsafe requests carry the CSRF token."""

        def add_csrf(request: httpx.Request) -> None:
            if request.method not in {"GET", "HEAD", "OPTIONS"}:
                token = client.cookies.get("csrftoken")
                if token and "x-csrftoken" not in request.headers:
                    request.headers["X-CSRFToken"] = token
                request.headers.setdefault("Referer", self.url + "/")

        client = httpx.Client(base_url=self.url, timeout=120, event_hooks={"request": [add_csrf]})
        self._clients.append(client)
        if username is not None:
            client.get("/login/")
            response = client.post(
                "/login/",
                data={"username": username, "password": f"demo-{username}"},
            )
            assert response.status_code == 302, (username, response.status_code)
        return client

    def manage(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """`xuanren <args>` against this server's database and var folder."""
        return subprocess.run(
            [sys.executable, "-m", "xuanren", *args],
            env=_env(self.var_dir, self.database_url),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def sql(self, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Raw SQL on the server's database, autocommit; `%s` placeholders."""
        if self.database_url.startswith("sqlite"):
            lite = sqlite3.connect(
                self.database_url.removeprefix("sqlite:///"), isolation_level=None
            )
            try:
                return [tuple(r) for r in lite.execute(query.replace("%s", "?"), params).fetchall()]
            finally:
                lite.close()
        with psycopg.connect(self.database_url, autocommit=True) as pg:
            cur = pg.execute(query.encode(), params)
            return [tuple(r) for r in cur.fetchall()] if cur.description else []

    def stop(self) -> None:
        for c in self._clients:
            c.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@dataclass
class _Template:
    var_dir: Path
    database_url: str


def _build_template(base: Path) -> _Template:
    var_dir = base / "template-var"
    var_dir.mkdir(parents=True)
    pg = _postgres_url()
    if pg:
        name = f"xr_sec_tpl_{_worker()}"
        with _admin_conn(pg) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            db.execute(f'CREATE DATABASE "{name}"')
        database_url = _with_dbname(pg, name)
    else:
        database_url = f"sqlite:///{var_dir / 'xuanren.sqlite3'}"
    done = subprocess.run(
        [sys.executable, "-m", "xuanren", "demo", "--no-serve", "--cadres", DEMO_CADRES],
        env=_env(var_dir, database_url),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    (var_dir / "demo-output.txt").write_text(done.stdout, encoding="utf-8")
    return _Template(var_dir, database_url)


def _copy(template: _Template, base: Path, n: int) -> tuple[Path, str]:
    var_dir = base / f"server-{n}"
    shutil.copytree(template.var_dir, var_dir)
    pg = _postgres_url()
    if not pg:
        db = var_dir / "xuanren.sqlite3"
        # The template was closed cleanly; fold a leftover WAL into the copy.
        with sqlite3.connect(db) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return var_dir, f"sqlite:///{db}"
    tpl = urlsplit(template.database_url).path.lstrip("/")
    name = f"xr_sec_{_worker()}_{n}"
    with _admin_conn(pg) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{tpl}"')
    return var_dir, _with_dbname(pg, name)


def _start(var_dir: Path, database_url: str) -> LiveServer:
    port = _free_port()
    log_path = var_dir / "server.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "xuanren",
            "runserver",
            f"127.0.0.1:{port}",
            "--noreload",
            "--insecure",
        ],
        env=_env(var_dir, database_url),
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=_limit_address_space,  # noqa: PLW1509 - no threads in the child yet
    )
    server = LiveServer(
        url=f"http://127.0.0.1:{port}",
        database_url=database_url,
        var_dir=var_dir,
        log_path=log_path,
        process=process,
    )
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError("the server did not start:\n" + server.log()[-4000:])
        try:
            if httpx.get(server.url + "/public/", timeout=5).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.stop()
    raise AssertionError("the server did not answer in time:\n" + server.log()[-4000:])


class _Factory:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.template: _Template | None = None
        self.servers: list[LiveServer] = []
        self.databases: list[str] = []

    def __call__(self) -> LiveServer:
        if self.template is None:
            self.template = _build_template(self.base)
            self.databases.append(self.template.database_url)
        var_dir, database_url = _copy(self.template, self.base, len(self.servers))
        if database_url.startswith("postgres"):
            self.databases.append(database_url)
        server = _start(var_dir, database_url)
        self.servers.append(server)
        return server

    def close(self) -> None:
        for server in self.servers:
            server.stop()
        pg = _postgres_url()
        if pg:
            with _admin_conn(pg) as conn:
                for url in self.databases:
                    name = urlsplit(url).path.lstrip("/")
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def _live_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Factory]:
    factory = _Factory(tmp_path_factory.mktemp("live"))
    yield factory
    factory.close()


@pytest.fixture(scope="session")
def live_server(_live_servers: _Factory) -> LiveServer:
    """One server per test process, shared by the attacks that leave the
    database as they found it (or only add to it)."""
    return _live_servers()


@pytest.fixture
def make_live_server(_live_servers: _Factory) -> Callable[[], LiveServer]:
    """A private server on a fresh copy of the demo database."""
    return _live_servers


@pytest.fixture(autouse=True)
def _live_server_helper() -> Iterator[None]:
    """pytest-django's own `live_server` (an in-process test server) has a
    helper that expects its object; here `live_server` is a separate process,
    so the helper is replaced by one that does nothing."""
    yield
