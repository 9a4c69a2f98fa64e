"""`xuanren seed` on a database that has not been migrated (docs/decisions/0098):
it migrates an empty or partly migrated database first, and refuses, saying
what to do, a database in a state it cannot judge. Each case runs the real
command in a subprocess against a fresh SQLite file (and a var folder of its
own: the journal key and anchor file of the checkout are never touched).

The files are SQLite whatever database the suite runs on: on the PostgreSQL
run these tests would repeat the SQLite run exactly, so they run on SQLite
only (docs/decisions/0107)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.processes import child_env

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="SQLite files whatever the suite's database: the SQLite run covers them",
)


def xuanren(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return python(db, "-m", "xuanren", *args)


def python(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    var_dir = db.parent / "var"
    var_dir.mkdir(exist_ok=True)
    env = child_env(var_dir, f"sqlite:///{db}")
    if args[0] != "-m":
        args = ("-c", *args)
    return subprocess.run(
        [sys.executable, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_seed_migrates_an_empty_database_first(tmp_path: Path) -> None:
    db = tmp_path / "fresh.sqlite3"
    result = xuanren(db, "seed", "--cadres", "20", "--units", "4")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "先执行" in result.stdout and "个迁移" in result.stdout
    assert "已生成" in result.stdout
    assert count(db, "people_cadre") == 20
    assert count(db, "org_unit") == 4

    # Up to date now: a second seed migrates nothing and refuses as before.
    again = xuanren(db, "seed", "--cadres", "20", "--units", "4")
    assert again.returncode != 0
    assert "个迁移" not in again.stdout
    assert "--append" in again.stderr and "Traceback" not in again.stderr
    assert count(db, "people_cadre") == 20

    # Migrations this version does not know (a newer version's database).
    with sqlite3.connect(db) as conn:
        conn.execute(
            "INSERT INTO django_migrations (app, name, applied) "
            "VALUES ('people', '9999_from_the_future', '2030-01-01')"
        )
    newer = xuanren(db, "seed", "--cadres", "20", "--units", "4", "--append")
    assert newer.returncode != 0
    assert "Traceback" not in newer.stderr
    assert "本版本没有的迁移" in newer.stderr and "people.9999_from_the_future" in newer.stderr
    assert count(db, "people_cadre") == 20


def test_seed_finishes_a_partly_migrated_database(tmp_path: Path) -> None:
    db = tmp_path / "partly.sqlite3"
    # `migrate APP` stops part-way yet Django sends post_migrate to every app:
    # the shipped data waits for the whole schema instead of failing on the
    # missing tables (it once ended in a traceback).
    partial = xuanren(db, "migrate", "journal")
    assert partial.returncode == 0, partial.stderr
    assert "Traceback" not in partial.stderr
    assert count(db, "journal_event") == 0
    with sqlite3.connect(db) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "journal_event" in tables and "org_unit" not in tables
    assert count(db, "auth_group") == 0  # no role yet: the schema is not whole
    result = xuanren(db, "seed", "--cadres", "10", "--units", "3")
    assert result.returncode == 0, result.stderr
    assert "个迁移" in result.stdout
    assert count(db, "people_cadre") == 10
    # The migrate that finished the schema wrote the shipped data.
    assert count(db, "auth_group") == 8
    assert count(db, "policy_rulepack") > 0
    assert count(db, "procedure_proceduretemplate") > 0


def test_seed_refuses_tables_without_migration_records(tmp_path: Path) -> None:
    db = tmp_path / "odd.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE people_cadre (id integer PRIMARY KEY, name text)")
    result = xuanren(db, "seed", "--cadres", "10", "--units", "3")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "没有迁移记录" in result.stderr and "DATABASE_URL" in result.stderr
    with sqlite3.connect(db) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "org_unit" not in tables  # nothing was migrated
