"""Writing many rows into the database, fast: the machinery the seeder
(xuanren.synth) and the XLSX import (xuanren.exchange) share.

The per-row services validate, lock and journal every write, which is right
for people and far too slow for a million records. A caller that has already
checked its rows (the generator against the validators in tests/synth, the
import with people.validation) hands them to a DatabaseSink: COPY on
PostgreSQL, executemany elsewhere, inside the caller's transaction. Which
columns each table gets is the caller's (people.bulk.COLUMNS for the tables
of units and cadres); this module knows no model (docs/decisions/0097).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, models
from django.db.models import Max
from django.utils import timezone

#: One row: values in the order of the columns given with it.
Row = tuple[Any, ...]


class DatabaseSink:
    """Appends rows to the tables of the default database connection.

    Columns the caller does not give (fields added by other apps) are filled
    with the field's default, so the writers keep working as models grow.

    On PostgreSQL a writer thread runs the COPYs while the caller makes the
    next chunk: the database works on one core while Python works on the
    other. It uses the same connection, so everything stays in the caller's
    transaction; the main thread does not touch the connection until close().
    """

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self._plans: dict[type[models.Model], tuple[str, tuple[Any, ...]]] = {}
        self._queue: queue.Queue[tuple[str, list[Row]] | None] = queue.Queue(maxsize=24)
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        if self.postgres:
            connection.ensure_connection()
            self._raw = connection.connection
            self._thread = threading.Thread(target=self._copy_worker, name="bulk-copy", daemon=True)
            self._thread.start()

    def _copy_worker(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._error is not None:
                continue  # drain the queue; close() reports the first error
            sql, rows = item
            try:
                with self._raw.cursor() as cursor, cursor.copy(sql) as copy:
                    for row in rows:
                        copy.write_row(row)
            except BaseException as exc:
                self._error = exc

    def close(self, *, quiet: bool = False) -> None:
        """Wait for every queued COPY; raise the first error of the writer
        (unless `quiet`: the caller is already raising an error of its own)."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        if self._error is not None and not quiet:
            self._raise()

    def _raise(self) -> None:
        # As Django's own cursors do: psycopg's errors become django.db's.
        assert self._error is not None
        with connection.wrap_database_errors:
            raise self._error

    def _plan(
        self, model: type[models.Model], columns: Sequence[str]
    ) -> tuple[str, tuple[Any, ...]]:
        plan = self._plans.get(model)
        if plan is None:
            qn = connection.ops.quote_name
            meta = model._meta
            by_attname = {f.attname: f for f in meta.concrete_fields}
            given = [by_attname[c] for c in columns]
            names = [f.column for f in given]
            extra = []
            for field in meta.concrete_fields:
                if field in given:
                    continue
                names.append(field.column)
                extra.append(field.get_db_prep_save(_default(field), connection))
            cols = ", ".join(qn(n) for n in names)
            if self.postgres:
                sql = f"COPY {qn(meta.db_table)} ({cols}) FROM STDIN"
            else:
                marks = ", ".join(["%s"] * len(names))
                sql = f"INSERT INTO {qn(meta.db_table)} ({cols}) VALUES ({marks})"
            plan = self._plans[model] = (sql, tuple(extra))
        return plan

    def write(self, model: type[models.Model], columns: Sequence[str], rows: list[Row]) -> None:
        sql, extra = self._plan(model, columns)
        if extra:
            rows = [row + extra for row in rows]
        if self.postgres:
            if self._error is not None:
                self._raise()
            self._queue.put((sql, rows))
        else:
            with connection.cursor() as cursor:
                cursor.executemany(sql, rows)


def _default(field: models.Field[Any, Any]) -> Any:
    if field.has_default():
        return field.get_default()
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return timezone.now()
    if field.null:
        return None
    if field.empty_strings_allowed:
        return ""
    raise ValueError(f"{field.model.__name__}.{field.name} has no default for bulk loading")


def first_free_ids(models_: Sequence[type[models.Model]]) -> dict[type[models.Model], int]:
    """The first ID above every existing row of each model (and above the
    sequence, on PostgreSQL, so IDs of deleted rows are not reused)."""
    out = {}
    with connection.cursor() as cursor:
        for model in models_:
            top = model._default_manager.aggregate(m=Max("pk"))["m"] or 0
            table = model._meta.db_table
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT pg_sequence_last_value(pg_get_serial_sequence(%s, 'id'))", [table]
                )
                row = cursor.fetchone()
                top = max(top, (row and row[0]) or 0)
            elif connection.vendor == "sqlite":
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                row = cursor.fetchone()
                top = max(top, row[0] if row else 0)
            out[model] = top + 1
    return out


@contextmanager
def postgres_bulk_load(models_: Sequence[type[models.Model]]) -> Iterator[None]:
    """PostgreSQL's advice for populating a database: drop foreign keys and
    secondary indexes, load, then recreate them — one validating query per
    constraint and one sort per index instead of work for every row. Primary
    keys and unique constraints stay. Only for a load into empty tables: the
    DDL locks the tables against readers until commit. Definitions come from
    the catalog, so they are recreated exactly, whatever the migrations made."""
    qn = connection.ops.quote_name
    tables = [m._meta.db_table for m in models_]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])",
            [tables],
        )
        foreign_keys = cursor.fetchall()
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i "
            "WHERE indrelid = ANY(%s::regclass[]) AND NOT indisprimary AND NOT indisunique "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            [tables],
        )
        indexes = cursor.fetchall()
        for table, name, _definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {qn(name)}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {qn(name)} {definition}")
