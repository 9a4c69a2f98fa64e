"""Backups and restores of the whole database (decision 0095).

SQLite: the online backup API (a consistent copy while the server runs).
PostgreSQL: `pg_dump --format=custom`, restored with `pg_restore --clean
--if-exists --no-owner` in one transaction. A restored copy is then checked by
`xuanren journal verify` run against it (its own process, so that the copy is
the only database it sees), with the anchor file cut at the copy's last event.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dj_database_url
from django.conf import settings
from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext as _

from xuanren.common.errors import Conflict, DomainError

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
_SQLITE_MAGIC = b"SQLite format 3\x00"
_PGDUMP_MAGIC = b"PGDMP"
_KIND_NAMES = {SQLITE: "SQLite", POSTGRESQL: "PostgreSQL"}


class BackupError(DomainError):
    """A backup or restore that cannot be done as asked."""


@dataclass(frozen=True)
class Database:
    vendor: str
    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""
    #: The DATABASE_URL a child process needs to reach it; "" is the configured one.
    url: str = ""

    @property
    def label(self) -> str:
        if self.vendor == SQLITE:
            return self.name
        return f"{self.host or 'localhost'}:{self.port or 5432}/{self.name}"

    def pg_args(self) -> list[str]:
        args = ["--dbname", self.name]
        if self.host:
            args += ["--host", self.host]
        if self.port:
            args += ["--port", str(self.port)]
        if self.user:
            args += ["--username", self.user]
        return args

    def pg_env(self) -> dict[str, str]:
        """The password goes through the environment, never on a command line."""
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env


def _from_settings(conf: Mapping[str, object], url: str) -> Database:
    engine = str(conf.get("ENGINE", ""))
    if engine.endswith("sqlite3"):
        vendor = SQLITE
    elif "postgresql" in engine:
        vendor = POSTGRESQL
    else:
        raise BackupError(
            _("不支持备份这种数据库（%(engine)s）：只支持 SQLite 和 PostgreSQL。")
            % {"engine": engine}
        )
    return Database(
        vendor=vendor,
        name=str(conf.get("NAME") or ""),
        user=str(conf.get("USER") or ""),
        password=str(conf.get("PASSWORD") or ""),
        host=str(conf.get("HOST") or ""),
        port=str(conf.get("PORT") or ""),
        url=url,
    )


def database_of(url: str | None = None) -> Database:
    """The configured database (None), or the one a DATABASE_URL names."""
    if not url:
        return _from_settings(settings.DATABASES["default"], "")
    try:
        conf = dj_database_url.parse(url)
    except ValueError as exc:
        raise BackupError(
            _(
                "无法识别数据库地址：%(error)s。格式如 postgres://用户@主机:5432/库名 或 sqlite:////路径/文件。"
            )
            % {"error": exc}
        ) from None
    return _from_settings(conf, url)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            _(
                "找不到 PostgreSQL 的 %(tool)s 命令。请安装与数据库服务器同一大版本的客户端工具"
                "（Debian：apt-get install postgresql-client），并确保它在 PATH 中。"
            )
            % {"tool": name}
        )
    return path


def _run(argv: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(
            _("%(what)s失败（%(tool)s 退出码 %(code)d）：%(err)s")
            % {
                "what": what,
                "tool": Path(argv[0]).name,
                "code": done.returncode,
                "err": done.stderr.strip()[-2000:],
            }
        )


def backup_dir() -> Path:
    return Path(settings.VAR_DIR) / "backups"


def default_backup_path(vendor: str) -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    suffix = "sqlite3" if vendor == SQLITE else "dump"
    return backup_dir() / f"xuanren-{stamp}.{suffix}"


def _private_dir(path: Path) -> None:
    """Backups hold personal data: the folder and the file are the owner's only."""
    if not path.exists():
        path.mkdir(parents=True, mode=0o700)


def backup_create(*, output: Path | None = None) -> Path:
    """A consistent copy of the configured database; the file written."""
    db = database_of()
    if db.vendor == SQLITE and not Path(db.name).is_file():
        raise BackupError(
            _("数据库文件 %(path)s 不存在，没有可备份的数据。请检查 DATABASE_URL。")
            % {"path": db.name}
        )
    target = output if output is not None else default_backup_path(db.vendor)
    if target.is_dir():
        target = target / default_backup_path(db.vendor).name
    if target.exists():
        raise BackupError(
            _("备份文件 %(path)s 已存在，不会覆盖。请换一个文件名或先移走它。") % {"path": target}
        )
    _private_dir(target.parent)
    partial = target.with_name(target.name + ".partial")
    try:
        if db.vendor == SQLITE:
            source = sqlite3.connect(db.name)
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)
                # One self-contained file: no -wal/-shm beside it.
                copy.execute("PRAGMA journal_mode=DELETE")
            finally:
                copy.close()
                source.close()
        else:
            _run(
                [_tool("pg_dump"), "--format=custom", "--file", str(partial), *db.pg_args()],
                db.pg_env(),
                _("备份数据库"),
            )
        partial.chmod(0o600)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def _backup_vendor(path: Path) -> str:
    with path.open("rb") as f:
        head = f.read(16)
    if head.startswith(_SQLITE_MAGIC):
        return SQLITE
    if head.startswith(_PGDUMP_MAGIC):
        return POSTGRESQL
    raise BackupError(
        _("%(path)s 不是本系统的备份文件（既不是 SQLite 数据库，也不是 pg_dump 自定义格式）。")
        % {"path": path}
    )


def _pg_connect(db: Database) -> Any:
    import psycopg

    return psycopg.connect(
        dbname=db.name,
        user=db.user or None,
        password=db.password or None,
        host=db.host or None,
        port=db.port or None,
        autocommit=True,
    )


def table_count(db: Database) -> int:
    """How many tables the database holds (0: empty or not created yet)."""
    if db.vendor == SQLITE:
        if not Path(db.name).exists():
            return 0
        lite = sqlite3.connect(db.name)
        try:
            return int(
                lite.execute(
                    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'"
                    " AND name NOT LIKE 'sqlite_%'"
                ).fetchone()[0]
            )
        finally:
            lite.close()
    import psycopg

    try:
        with _pg_connect(db) as pg:
            row = pg.execute(
                "SELECT COUNT(*) FROM pg_tables"
                " WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
            ).fetchone()
    except psycopg.OperationalError as exc:
        raise BackupError(
            _(
                "无法连接目标数据库 %(db)s：%(error)s。如数据库尚未创建，请先创建一个空库"
                "（如 createdb -O 用户 库名）。"
            )
            % {"db": db.label, "error": str(exc).strip()}
        ) from None
    return int(row[0]) if row else 0


def last_event_seq(db: Database) -> int:
    """The highest journal event number in that database (0: none)."""
    query = "SELECT COALESCE(MAX(id), 0) FROM journal_event"
    if db.vendor == SQLITE:
        lite = sqlite3.connect(db.name)
        try:
            return int(lite.execute(query).fetchone()[0])
        except sqlite3.OperationalError:
            return 0
        finally:
            lite.close()
    import psycopg

    with _pg_connect(db) as pg:
        try:
            row = pg.execute(query).fetchone()
        except psycopg.errors.UndefinedTable:
            return 0
    return int(row[0]) if row else 0


def restore_load(*, source: Path, into: Database, force: bool = False) -> None:
    """Load a backup into a database; refuses a non-empty one unless `force`."""
    if not source.is_file():
        raise BackupError(_("找不到备份文件 %(path)s。") % {"path": source})
    vendor = _backup_vendor(source)
    if vendor != into.vendor:
        raise BackupError(
            _("备份文件是 %(from)s 的，目标数据库是 %(to)s：只能恢复到同一种数据库。")
            % {"from": _KIND_NAMES[vendor], "to": _KIND_NAMES[into.vendor]}
        )
    tables = table_count(into)
    if tables and not force:
        raise Conflict(
            _(
                "目标数据库 %(db)s 不是空的（有 %(n)d 张表），恢复会覆盖其中的全部数据。"
                "请先停止服务并另行备份它；确要覆盖时加 --force。"
            )
            % {"db": into.label, "n": tables}
        )
    connections.close_all()
    if into.vendor == SQLITE:
        Path(into.name).parent.mkdir(parents=True, exist_ok=True)
        backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        target = sqlite3.connect(into.name)
        try:
            backup.backup(target)
        finally:
            target.close()
            backup.close()
        return
    _run(
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            *into.pg_args(),
            str(source),
        ],
        into.pg_env(),
        _("恢复数据库"),
    )


@dataclass(frozen=True)
class RestoreCheck:
    ok: bool
    output: str  # what `journal verify` printed (stdout, then stderr)
    last_seq: int  # the copy's last journal event
    anchored_later: int  # anchor entries past the copy (written after the backup)


def _anchor_cut(path: Path | None, last_seq: int, into: Path) -> tuple[Path | None, int]:
    """A copy of the anchor file without the heads after `last_seq` (the
    copy predates them). Lines that do not verify are kept, so that verify
    reports them."""
    from xuanren.journal.chain import parse_anchor_line
    from xuanren.journal.services import journal_key

    if path is None or not path.exists():
        return None, 0
    key = journal_key()
    later = 0
    with path.open(encoding="ascii", errors="replace") as lines, into.open("w") as out:
        for line in lines:
            entry = parse_anchor_line(key, line)
            if entry is not None and entry.seq > last_seq:
                later += 1
                continue
            out.write(line)
    return into, later


def restore_verify(*, into: Database) -> RestoreCheck:
    """`xuanren journal verify` on the restored copy, in a child process."""
    from xuanren.journal.services import anchor_path

    last_seq = last_event_seq(into)
    with tempfile.TemporaryDirectory(prefix="xuanren-restore-") as tmp:
        cut, later = _anchor_cut(anchor_path(), last_seq, Path(tmp) / "journal.anchor")
        env = dict(os.environ)
        if cut is not None:  # without one, verify names the configured (missing) file
            env["XUANREN_JOURNAL_ANCHOR"] = str(cut)
        if into.url:
            env["DATABASE_URL"] = into.url
        env.setdefault("DJANGO_SETTINGS_MODULE", "xuanren.settings")
        done = subprocess.run(
            [sys.executable, "-m", "xuanren", "journal", "verify"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    output = "\n".join(part.strip() for part in (done.stdout, done.stderr) if part.strip())
    return RestoreCheck(done.returncode == 0, output, last_seq, later)


def anchor_replace(*, last_seq: int) -> tuple[Path, Path] | None:
    """After a verified restore into the configured database: the anchor file
    cut at the restored copy's last event, the old one kept beside it (the
    heads it has past the copy can never be matched again). The pair (kept,
    new), or None without an anchor file."""
    from xuanren.journal.services import anchor_path

    path = anchor_path()
    if path is None or not path.exists():
        return None
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    kept = path.with_name(f"{path.name}.before-restore-{stamp}")
    path.replace(kept)
    cut, _later = _anchor_cut(kept, last_seq, path)
    assert cut is not None
    return kept, path
