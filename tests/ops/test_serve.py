"""`xuanren serve`: gunicorn in production shape, serving pages and /static/."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.core.management import CommandError, call_command

from tests.ops.conftest import ROOT, Site, child_env, free_port


def test_serve_answers_pages_and_static_files_and_stops_cleanly(site: Site) -> None:
    port = free_port()
    log = site.var_dir / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "xuanren",
                "serve",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
            ],
            env=child_env(site.var_dir, site.database_url),
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        page = None
        while time.monotonic() < deadline:
            assert server.poll() is None, log.read_text(errors="replace")
            try:
                page = httpx.get(base + "/login/", timeout=10)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        assert page is not None, log.read_text(errors="replace")
        assert page.status_code == 200
        assert page.headers["server"] == "gunicorn"
        assert "登录" in page.text
        css = httpx.get(base + "/static/web/site.css", timeout=10)
        assert css.status_code == 200
        assert css.headers["content-type"].startswith("text/css")
        assert css.headers["x-content-type-options"] == "nosniff"
        assert httpx.get(base + "/static/web/missing.css", timeout=10).status_code == 404
    finally:
        server.terminate()  # TERM: gunicorn's graceful stop
        code = server.wait(30)
    text = log.read_text(errors="replace")
    assert code == 0, text
    assert "正在启动 gunicorn" in text
    assert '"GET /login/ HTTP/1.1" 200' in text  # the access log, on stdout
    assert "Shutting down: Master" in text


def _command(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("serve", *args, stdout=out)
    return out.getvalue()


def test_production_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("XUANREN_BIND", "XUANREN_WORKERS", "XUANREN_THREADS", "XUANREN_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    argv = _command("--print-command").split()
    opts = dict(zip(argv[3:-1:2], argv[4:-1:2], strict=False))
    assert argv[-1] == "xuanren.wsgi:application"
    assert opts["--bind"] == "127.0.0.1:8000"
    assert opts["--workers"] == str(2 * (os.cpu_count() or 1) + 1)
    assert opts["--max-requests"] == "10000"
    assert opts["--max-requests-jitter"] == "1000"
    assert opts["--access-logfile"] == "-"


def test_options_come_from_the_environment_and_the_command_line_wins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("XUANREN_WORKERS", "7")
    monkeypatch.setenv("XUANREN_BIND", "unix:/run/xuanren.sock")
    argv = _command("--print-command", "--threads", "4")
    assert "--workers 7 " in argv and "--threads 4 " in argv
    assert "--bind unix:/run/xuanren.sock " in argv
    monkeypatch.setenv("XUANREN_WORKERS", "many")
    with pytest.raises(CommandError, match="XUANREN_WORKERS 应为整数"):
        _command("--print-command")


def test_debug_settings_are_refused_unless_allowed(settings: Any) -> None:
    settings.DEBUG = True
    with pytest.raises(CommandError, match="调试模式"):
        _command("--print-command")
    assert "gunicorn" in _command("--print-command", "--allow-debug")


def test_production_static_files_must_be_collected_first(settings: Any, tmp_path: Path) -> None:
    settings.WHITENOISE_USE_FINDERS = False
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with pytest.raises(CommandError, match="collectstatic"):
        _command("--print-command")
    (tmp_path / "staticfiles.json").write_text("{}")
    assert "gunicorn" in _command("--print-command")
