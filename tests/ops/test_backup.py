"""`xuanren backup` and `xuanren restore`: back up, restore into a fresh
database, verify the journal there; a tampered copy fails. On SQLite, and on
PostgreSQL when the suite runs with a PostgreSQL DATABASE_URL.

One round trip runs the real command line, each command in its own process;
the other tests run the same commands in this process (`in_process`, on the
`configured` site), where a process of their own would prove nothing more.
The journal events they work on are still written by `xuanren` processes
(`Site.add_units`), and restore still verifies in a `journal verify` child."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.ops.conftest import Site, in_process
from xuanren.common import backups
from xuanren.common.errors import DomainError


def ok(*args: str) -> str:
    done = in_process(*args)
    assert done.returncode == 0, (args, done.stdout, done.stderr[-3000:])
    return done.stdout


def _backup(site: Site | None, output: Path) -> Path:
    """`xuanren backup --output`: through the CLI with a site, else in process."""
    out = (
        site.ok("backup", "--output", str(output))
        if site
        else ok("backup", "--output", str(output))
    )
    assert "已备份数据库到" in out
    assert output.is_file()
    assert output.stat().st_mode & 0o077 == 0  # personal data: the owner's only
    return output


def test_backup_restore_verify_and_a_tampered_copy_fails(site: Site, tmp_path: Path) -> None:
    site.add_units("A1", "A2", "A3")
    events = site.sql("SELECT COUNT(*) FROM journal_event")[0][0]
    assert events >= 4
    dump = _backup(site, tmp_path / "one.bak")

    fresh = site.empty_database("fresh")
    out = site.ok("restore", str(dump), "--into", fresh)
    assert "恢复完成，核验通过" in out
    assert f"共校验 {events} 条记录" in out
    assert site.sql("SELECT code FROM org_unit ORDER BY code", fresh) == [
        ("A1",),
        ("A2",),
        ("A3",),
    ]
    assert site.ok("journal", "verify", database_url=fresh)

    # One event changed in the restored copy: its verification fails.
    middle = site.sql("SELECT id FROM journal_event ORDER BY id", fresh)[events // 2][0]
    site.sql(f"UPDATE journal_event SET actor_label = 'mallory' WHERE id = {middle}", fresh)
    done = site.xuanren("journal", "verify", database_url=fresh)
    assert done.returncode != 0
    assert f"第 {middle} 号记录" in done.stderr
    assert "记录被改动" in done.stderr


def test_restore_of_a_tampered_backup_exits_non_zero(configured: Site, tmp_path: Path) -> None:
    site = configured
    site.add_units("B1")
    last = site.sql("SELECT MAX(id) FROM journal_event")[0][0]
    site.sql(f"UPDATE journal_event SET actor_label = 'mallory' WHERE id = {last}")
    dump = _backup(None, tmp_path / "bad.bak")
    done = in_process("restore", str(dump), "--into", site.empty_database("bad"))
    assert done.returncode != 0
    assert "未通过操作日志核验" in done.stderr
    assert "记录被改动" in done.stderr
    assert "恢复完成" not in done.stdout


def test_restore_refuses_a_non_empty_database_unless_forced(
    configured: Site, tmp_path: Path
) -> None:
    site = configured
    dump = _backup(None, tmp_path / "a.bak")
    target = site.empty_database("busy")
    ok("restore", str(dump), "--into", target)
    done = in_process("restore", str(dump), "--into", target)
    assert done.returncode != 0
    assert "不是空的" in done.stderr and "--force" in done.stderr
    assert ok("restore", str(dump), "--into", target, "--force")


def test_an_older_backup_restores_and_the_anchor_moves_with_it(
    configured: Site, tmp_path: Path
) -> None:
    """Heads anchored after the backup are named, not held against it; restored
    into the configured database, the anchor file is cut at the restored head
    (the old one kept), so later writes (by another process) verify again."""
    site = configured
    site.add_units("D1")
    dump = _backup(None, tmp_path / "old.bak")
    kept_events = site.sql("SELECT COUNT(*) FROM journal_event")[0][0]
    site.add_units("D2", "D3")

    out = ok("restore", str(dump), "--into", site.empty_database("old"))
    assert re.search(r"锚定文件中另有 \d+ 个链头晚于此备份", out)

    done = in_process("restore", str(dump))
    assert done.returncode != 0 and "--force" in done.stderr  # the live one is not empty
    out = ok("restore", str(dump), "--force")
    assert "原锚定文件已另存为" in out
    assert site.sql("SELECT COUNT(*) FROM journal_event")[0][0] == kept_events
    assert list(site.var_dir.glob("journal.anchor.before-restore-*"))
    site.add_units("D4")
    assert "日志链完整" in site.ok("journal", "verify")


def test_backup_names_a_timestamped_file_under_the_var_dir(configured: Site) -> None:
    site = configured
    out = ok("backup")
    files = list((site.var_dir / "backups").glob("xuanren-*"))
    assert len(files) == 1
    assert re.fullmatch(r"xuanren-\d{8}-\d{6}\.(sqlite3|dump)", files[0].name)
    assert str(files[0]) in out


def test_restore_refuses_what_is_not_a_backup(configured: Site, tmp_path: Path) -> None:
    site = configured
    junk = tmp_path / "junk.bak"
    junk.write_text("not a backup")
    done = in_process("restore", str(junk), "--into", site.empty_database("junk"))
    assert done.returncode != 0
    assert "不是本系统的备份文件" in done.stderr
    done = in_process("restore", str(tmp_path / "missing.bak"))
    assert "找不到备份文件" in done.stderr


def test_a_missing_postgresql_tool_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backups.shutil, "which", lambda name: None)
    with pytest.raises(DomainError, match="找不到 PostgreSQL 的 pg_dump 命令"):
        backups._tool("pg_dump")


def test_a_backup_restores_only_into_the_same_kind_of_database(
    configured: Site, tmp_path: Path
) -> None:
    site = configured
    dump = _backup(None, tmp_path / "kind.bak")
    other = (
        f"sqlite:///{tmp_path / 'other.sqlite3'}"
        if site.database_url.startswith("postgres")
        else "postgres://nobody@127.0.0.1:1/none"
    )
    done = in_process("restore", str(dump), "--into", other)
    assert done.returncode != 0
    assert "只能恢复到同一种数据库" in done.stderr
    assert not (tmp_path / "other.sqlite3").exists()


def test_backup_refuses_a_missing_sqlite_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = backups.Database(vendor=backups.SQLITE, name=str(tmp_path / "no.sqlite3"))
    monkeypatch.setattr(backups, "database_of", lambda url=None: missing)
    with pytest.raises(DomainError, match="不存在，没有可备份的数据"):
        backups.backup_create(output=tmp_path / "x.bak")
    assert not (tmp_path / "no.sqlite3").exists()
