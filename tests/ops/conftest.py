"""Operations tests run the real `xuanren` commands in child processes, on a
database of their own: an SQLite file, or (when the suite runs with a
PostgreSQL DATABASE_URL) fresh PostgreSQL databases made for the test. One
migrated template per test process; each test starts from a copy."""

from __future__ import annotations

import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from tests.processes import child_env

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def with_dbname(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def _admin(url: str) -> psycopg.Connection[Any]:
    return psycopg.connect(with_dbname(url, "postgres"), autocommit=True)


def _unique() -> str:
    worker = re.sub(r"\W", "", os.environ.get("PYTEST_XDIST_WORKER", "main")) or "main"
    return f"{worker}_{os.getpid()}"


@dataclass
class Site:
    """A var folder (journal key, anchor file) and its database."""

    var_dir: Path
    database_url: str
    _made: list[str] = field(default_factory=list)

    def xuanren(
        self, *args: str, database_url: str | None = None, timeout: float = 300
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "xuanren", *args],
            env=child_env(self.var_dir, database_url or self.database_url),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def ok(self, *args: str, **kwargs: Any) -> str:
        done = self.xuanren(*args, **kwargs)
        assert done.returncode == 0, (args, done.stdout, done.stderr[-3000:])
        return done.stdout

    def add_units(self, *codes: str) -> None:
        """A few journal events, written through the service."""
        calls = "; ".join(
            f"unit_create(actor=root, name='单位{c}', code='{c}', kind='region', parent=None)"
            for c in codes
        )
        self.ok(
            "shell",
            "-c",
            "from django.contrib.auth.models import User; "
            "from xuanren.org.services import unit_create; "
            "root = User.objects.get_or_create(username='root', defaults="
            "{'is_superuser': True, 'is_staff': True})[0]; " + calls,
        )

    def empty_database(self, name: str) -> str:
        """A new, empty database beside this one (a URL)."""
        pg = postgres_url()
        if pg is None:
            return f"sqlite:///{self.var_dir / (name + '.sqlite3')}"
        db = f"xr_ops_{_unique()}_{name}"
        with _admin(pg) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{db}"')
        self._made.append(db)
        return with_dbname(pg, db)

    def sql(self, query: str, database_url: str | None = None) -> list[tuple[Any, ...]]:
        url = database_url or self.database_url
        if url.startswith("sqlite"):
            lite = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
            try:
                return [tuple(r) for r in lite.execute(query).fetchall()]
            finally:
                lite.close()
        with psycopg.connect(url, autocommit=True) as pg:
            cur = pg.execute(query.encode())
            return [tuple(r) for r in cur.fetchall()] if cur.description else []

    def drop(self) -> None:
        pg = postgres_url()
        if pg and self._made:
            with _admin(pg) as conn:
                for db in self._made:
                    conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


@pytest.fixture(scope="session")
def _template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    var_dir = tmp_path_factory.mktemp("ops-template")
    site = Site(var_dir, "")
    site.database_url = site.empty_database("tpl")
    site.ok("migrate", "--verbosity", "0", timeout=600)
    if site.database_url.startswith("sqlite"):
        with sqlite3.connect(site.database_url.removeprefix("sqlite:///")) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    yield site
    site.drop()


_copies = iter(range(1_000_000))


@pytest.fixture
def site(_template: Site, tmp_path: Path) -> Iterator[Site]:
    """A migrated database (with the migrations' journal events) of its own."""
    n = next(_copies)
    var_dir = tmp_path / "var"
    shutil.copytree(_template.var_dir, var_dir)
    pg = postgres_url()
    if pg is None:
        yield Site(var_dir, f"sqlite:///{var_dir / 'tpl.sqlite3'}")
        return
    tpl = urlsplit(_template.database_url).path.lstrip("/")
    db = f"xr_ops_{_unique()}_site{n}"
    with _admin(pg) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db}" TEMPLATE "{tpl}"')
    copy = Site(var_dir, with_dbname(pg, db), [db])
    yield copy
    copy.drop()
