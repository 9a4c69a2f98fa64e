"""A real `xuanren worker` process against a file SQLite database: an import
enqueued from the upload, the worker killed halfway (nothing saved, the job
left running and then shown as interrupted), a retry, and a second worker
that finishes it (docs/decisions/0100)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from xuanren.exchange.xlsx_workbook import sample_cadre_rows, write_workbook

ROWS = 6000

SETUP = """
from django.contrib.auth.models import User
from xuanren.exchange.jobs import xlsx_upload
admin = User.objects.create_superuser("admin", "admin@example.invalid", "pw-admin-123")
job = xlsx_upload(actor=admin, content=open({path!r}, "rb").read(), filename="大表.xlsx")
print(job.pk)
"""

RETRY = """
from django.contrib.auth.models import User
from xuanren.exchange.jobs import import_job_retry
import_job_retry(actor=User.objects.get(username="admin"), pk={pk})
"""

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the worker test uses its own SQLite file"
)


def xuanren(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "xuanren", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def worker(env: dict[str, str], *extra: str) -> subprocess.Popen[Any]:
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
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_a_real_worker_killed_halfway_saves_nothing_and_a_retry_succeeds(tmp_path: Path) -> None:
    database = tmp_path / "xuanren.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "xuanren.settings",
        "XUANREN_JOURNAL_KEY": "worker-test-journal-key-0123456789abcdef",
        "XUANREN_XLSX_BACKGROUND_ROWS": "100",
    }
    workbook = tmp_path / "big.xlsx"
    rows = sample_cadre_rows(ROWS, unit_codes=["R9"], seed=9)
    write_workbook(
        workbook,
        {"units": [{"code": "R9", "name": "白水县", "kind": "党委政府（区域）"}], "cadres": rows},
    )
    xuanren(env, "migrate", "-v0", timeout=300)
    pk = int(xuanren(env, "shell", "-c", SETUP.format(path=str(workbook))).split()[-1])

    def job() -> tuple[str, str, int]:
        with sqlite3.connect(database, timeout=10) as db:
            row = db.execute(
                "SELECT status, stage, rows_done FROM exchange_importjob WHERE id = ?", (pk,)
            ).fetchone()
        return row[0], row[1], row[2]

    def count(table: str) -> int:
        with sqlite3.connect(database, timeout=10) as db:
            return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    assert job() == ("queued", "waiting", 0)

    # The first worker is killed while it checks the rows (halfway).
    first = worker(env)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            status, _stage, done = job()
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
    status, _stage, done = job()
    assert status == "running" and 0 < done <= ROWS
    assert count("people_cadre") == 0 and count("org_unit") == 0

    # Past the stale limit the job may be retried; a worker run in batch mode finishes it.
    xuanren({**env, "XUANREN_JOB_STALE_SECONDS": "0"}, "shell", "-c", RETRY.format(pk=pk))
    second = worker(env, "--batch")
    try:
        second.wait(timeout=180)
    finally:
        if second.poll() is None:
            second.kill()
    assert second.returncode == 0, (second.stderr.read() if second.stderr else b"")[-3000:]
    assert job() == ("succeeded", "done", ROWS + 1)  # the 单位 row too
    assert count("people_cadre") == ROWS and count("org_unit") == 1
