"""Operations tests run the `xuanren` commands on a database of their own: an
SQLite file, or (when the suite runs with a PostgreSQL DATABASE_URL) fresh
PostgreSQL databases made for the test. One migrated template per test
process; each test starts from a copy.

The real command in a child process (`Site.xuanren`) where the process
boundary is what is tested; otherwise the same command in this process
(`configured`: the site as this process's configured database), which spares
a Python start-up (seconds of CPU each) per command (docs/decisions/0107)."""

from __future__ import annotations

import dataclasses
import io
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
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.processes import child_env
from xuanren.common import backups
from xuanren.common.management.commands import restore as restore_command

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


def in_process(*args: str) -> subprocess.CompletedProcess[str]:
    """`xuanren *args` run in this process, its outcome as the CLI gives it:
    a CommandError is written to stderr as Django's command line writes it,
    and its exit status is the return code."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command(*args, stdout=out, stderr=err)
    except CommandError as exc:
        err.write(f"CommandError: {exc}\n")
        code = exc.returncode
    return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())


@pytest.fixture
def configured(site: Site, monkeypatch: pytest.MonkeyPatch, settings: Any) -> Site:
    """The site as this process's configured database, for `in_process`
    commands: what `xuanren` reads from its environment at start-up (the
    database, the var folder with the journal key and anchor file) is the
    site's, and the children a command starts (restore's `journal verify`)
    see the site as `Site.xuanren`'s children do."""
    real = backups.database_of

    def database_of(url: str | None = None) -> backups.Database:
        # The configured one has no URL of its own (url ""), as in the CLI.
        return real(url) if url else dataclasses.replace(real(site.database_url), url="")

    monkeypatch.setattr(backups, "database_of", database_of)
    monkeypatch.setattr(restore_command, "database_of", database_of)
    settings.VAR_DIR = site.var_dir
    settings.JOURNAL_KEY = (
        (site.var_dir / "journal_key").read_text(encoding="utf-8").strip().encode()
    )
    settings.JOURNAL_ANCHOR = site.var_dir / "journal.anchor"
    for name in [n for n in os.environ if n.startswith(("DJANGO_", "XUANREN_"))]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "xuanren.settings")
    monkeypatch.setenv("DATABASE_URL", site.database_url)
    monkeypatch.setenv("XUANREN_VAR_DIR", str(site.var_dir))
    return site
