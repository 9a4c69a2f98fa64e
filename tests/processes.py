"""What a test needs to start the product as a separate process (a server, a
command): the environment of the child, cut loose from the test's own."""

from __future__ import annotations

import os
from pathlib import Path


def child_env(var_dir: Path, database_url: str, **extra: str) -> dict[str, str]:
    """This environment without pytest's, Django's and the product's own
    variables, pointed at `database_url` and `var_dir`, plus `extra`."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_", "XUANREN_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="xuanren.settings",
        DATABASE_URL=database_url,
        XUANREN_VAR_DIR=str(var_dir),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env
