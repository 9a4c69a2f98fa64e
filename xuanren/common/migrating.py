"""The shipped data (roles, rule packs, procedure templates, structure
targets) is written after `migrate` by post_migrate handlers that need every
app's tables. `migrate APP` on an empty database stops part-way, yet Django
still sends post_migrate to every app, so each handler first asks whether the
whole schema is there; the full `migrate` that must follow writes the data."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor


def fully_migrated(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether every migration this version knows is applied to the database."""
    executor = MigrationExecutor(connections[using])
    return not executor.migration_plan(executor.loader.graph.leaf_nodes())


def after_full_migrate(app_name: str) -> Callable[[Callable[[], None]], Callable[..., None]]:
    """A post_migrate handler that runs `sync()` for `app_name` only, and only
    once the whole schema is migrated."""

    def wrap(sync: Callable[[], None]) -> Callable[..., None]:
        @wraps(sync)
        def handler(sender: Any, *, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
            if getattr(sender, "name", "") == app_name and fully_migrated(using):
                sync()

        return handler

    return wrap
