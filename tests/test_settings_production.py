"""Production settings refuse to start without their environment (issue 10,
item 11): each of SECRET_KEY, DATABASE_URL and XUANREN_ALLOWED_HOSTS missing
(or blank) stops `django.setup()` with a Chinese message naming it; with all
of them present the settings load and `check --deploy` is clean."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SETUP = "import django; django.setup(); from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])"

#: Each required variable with the words its message must contain.
REQUIRED = {
    "SECRET_KEY": "SECRET_KEY",
    "DATABASE_URL": "DATABASE_URL",
    "XUANREN_ALLOWED_HOSTS": "XUANREN_ALLOWED_HOSTS",
}


def production_env(tmp_path: Path, **overrides: str | None) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "XUANREN_", "PYTEST_")) and k not in REQUIRED
    }
    env.update(
        DJANGO_SETTINGS_MODULE="xuanren.settings_production",
        SECRET_KEY="test-" + "k" * 60,
        DATABASE_URL="postgres://xuanren@127.0.0.1:5432/xuanren",
        XUANREN_ALLOWED_HOSTS="xuanren.example.org",
        # Another part of issue 10 makes the journal key required too.
        XUANREN_JOURNAL_KEY="test-journal-key-" + "j" * 40,
        XUANREN_VAR_DIR=str(tmp_path / "var"),
    )
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize("name", sorted(REQUIRED))
@pytest.mark.parametrize("value", [None, "", "   "])
def test_each_missing_variable_stops_start_up(tmp_path: Path, name: str, value: str | None) -> None:
    result = run([sys.executable, "-c", SETUP], production_env(tmp_path, **{name: value}))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert REQUIRED[name] in last
    assert "生产环境必须" in last
    assert "django.db.backends" not in result.stdout  # never reached a database setting


def test_all_present_loads(tmp_path: Path) -> None:
    result = run([sys.executable, "-c", SETUP], production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.postgresql"
    # Nothing generated on the side: no local secret key file.
    assert not (tmp_path / "var" / "secret_key").exists()


def test_deploy_check_is_clean(tmp_path: Path) -> None:
    result = run(
        [sys.executable, "-m", "xuanren", "check", "--deploy", "--fail-level", "WARNING"],
        production_env(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
