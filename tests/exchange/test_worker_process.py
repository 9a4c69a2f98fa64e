"""Real `xuanren worker` processes against a database of their own (a SQLite
file, or a fresh PostgreSQL database when the tests run on PostgreSQL):
an import enqueued from the upload, the worker killed halfway (nothing
saved, the job left running, then shown as interrupted), a retry that a
second worker finishes; and two workers sharing one queue, each task run
once (docs/decisions/0099, 0100)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dj_database_url
import pytest
from django.conf import settings
from django_tasks_db.models import DBTaskResult

from xuanren.exchange.xlsx_workbook import sample_cadre_rows, write_workbook

ROWS = 6000

SETUP = """
from django.contrib.auth.models import User
User.objects.create_superuser("admin", "admin@example.invalid", "pw-admin-123")
"""

UPLOAD = """
from django.contrib.auth.models import User
from xuanren.exchange.jobs import xlsx_upload
job = xlsx_upload(
    actor=User.objects.get(username="admin"), content=open({path!r}, "rb").read(), filename="大表.xlsx"
)
print("JOB", getattr(job, "pk", 0))
"""

RETRY = """
from django.contrib.auth.models import User
from xuanren.exchange.jobs import import_job_retry
import_job_retry(actor=User.objects.get(username="admin"), pk={pk})
"""


@dataclass
class WorkerDb:
    env: dict[str, str]
    query: Callable[[str], list[tuple[Any, ...]]]

    def run(self, *args: str, env: dict[str, str] | None = None, timeout: float = 300) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "xuanren", *args],
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def worker(self, *extra: str) -> subprocess.Popen[Any]:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "xuanren",
                "worker",
                "--no-startup-delay",
                "--interval",
                "0.1",
                *extra,
            ],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def upload(self, path: Path) -> int:
        out = self.run("shell", "-c", UPLOAD.format(path=str(path)))
        return int(out.split("JOB", 1)[1].split()[0])

    def job(self, pk: int) -> tuple[Any, ...]:
        rows = self.query(
            f"SELECT status, stage, rows_done, attempts FROM exchange_importjob WHERE id = {pk}"
        )
        return tuple(rows[0])

    def count(self, sql: str) -> int:
        return int(self.query(sql)[0][0])


@pytest.fixture(scope="module")
def worker_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorkerDb]:
    base = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "xuanren.settings",
        "XUANREN_JOURNAL_KEY": "worker-test-journal-key-0123456789abcdef",
        "XUANREN_XLSX_BACKGROUND_ROWS": "100",
    }
    default = settings.DATABASES["default"]
    if default["ENGINE"].endswith("sqlite3"):
        database = tmp_path_factory.mktemp("worker") / "xuanren.sqlite3"

        def query(sql: str) -> list[tuple[Any, ...]]:
            with sqlite3.connect(database, timeout=10) as db:
                return db.execute(sql).fetchall()

        db = WorkerDb({**base, "DATABASE_URL": f"sqlite:///{database}"}, query)
        db.run("migrate", "-v0")
        db.run("shell", "-c", SETUP)
        yield db
        return
    import psycopg

    url = os.environ["DATABASE_URL"]
    name = f"{dj_database_url.parse(url)['NAME']}_worker"
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    own = url.rsplit("/", 1)[0] + f"/{name}"

    def pg_query(sql: str) -> list[tuple[Any, ...]]:
        with psycopg.connect(own, autocommit=True) as conn:
            return conn.execute(sql).fetchall()

    db = WorkerDb({**base, "DATABASE_URL": own}, pg_query)
    db.run("migrate", "-v0")
    db.run("shell", "-c", SETUP)
    yield db
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_real_worker_killed_halfway_saves_nothing_and_a_retry_succeeds(
    worker_db: WorkerDb, tmp_path: Path
) -> None:
    db = worker_db
    workbook = tmp_path / "big.xlsx"
    rows = sample_cadre_rows(ROWS, unit_codes=["R9"], seed=9)
    write_workbook(
        workbook,
        {"units": [{"code": "R9", "name": "白水县", "kind": "党委政府（区域）"}], "cadres": rows},
    )
    cadres = db.count("SELECT count(*) FROM people_cadre")
    pk = db.upload(workbook)
    assert db.job(pk) == ("queued", "waiting", 0, 0)

    # The first worker is killed while it checks the rows (halfway).
    first = db.worker()
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            status, _stage, done, _attempts = db.job(pk)
            if status == "running" and done > 0:
                break
            assert status in ("queued", "running"), status
            time.sleep(0.02)
        else:
            pytest.fail("the worker did not start the import")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    status, _stage, done, _attempts = db.job(pk)
    assert status == "running" and 0 < done <= ROWS
    assert db.count("SELECT count(*) FROM people_cadre") == cadres
    assert db.count("SELECT count(*) FROM org_unit WHERE code = 'R9'") == 0

    # Past the stale limit the job may be retried; a worker in batch mode finishes it.
    db.run("shell", "-c", RETRY.format(pk=pk), env={"XUANREN_JOB_STALE_SECONDS": "0"})
    second = db.worker("--batch")
    try:
        second.wait(timeout=180)
    finally:
        if second.poll() is None:
            second.kill()
    assert second.returncode == 0, (second.stderr.read() if second.stderr else b"")[-3000:]
    assert db.job(pk) == ("succeeded", "done", ROWS + 1, 2)  # + the 单位 row
    assert db.count("SELECT count(*) FROM people_cadre") == cadres + ROWS
    assert db.count("SELECT count(*) FROM org_unit WHERE code = 'R9'") == 1


def test_two_workers_share_the_queue_and_run_each_task_once(
    worker_db: WorkerDb, tmp_path: Path
) -> None:
    db = worker_db
    code = "R8"
    units = [{"code": code, "name": "黑水县", "kind": "党委政府（区域）"}]
    first = tmp_path / "first.xlsx"
    write_workbook(first, {"units": units})
    assert db.upload(first) == 0  # one row: imported at once, no job
    cadres = db.count("SELECT count(*) FROM people_cadre")
    pks = []
    for n, region in enumerate(("330521", "330522", "330523", "330481")):
        path = tmp_path / f"{n}.xlsx"
        rows = sample_cadre_rows(150, unit_codes=[code], seed=20 + n, region=region)
        write_workbook(path, {"cadres": rows})
        pks.append(db.upload(path))
    workers = [db.worker("--batch"), db.worker("--batch")]
    try:
        for w in workers:
            w.wait(timeout=180)
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
    assert [db.job(pk) for pk in pks] == [("succeeded", "done", 150, 1)] * 4
    assert db.count("SELECT count(*) FROM people_cadre") == cadres + 600
    # Each task was claimed by exactly one worker.
    claims = db.query(
        f"SELECT worker_ids FROM {DBTaskResult._meta.db_table} WHERE status = 'SUCCESSFUL'"
    )
    ids = [c[0] if isinstance(c[0], list) else json.loads(c[0]) for c in claims]
    assert ids and all(len(worker_ids) == 1 for worker_ids in ids)
