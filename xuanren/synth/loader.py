"""Writing generated rows into the database, fast.

The per-row services validate, lock and journal every write, which is right
for people and far too slow for a million records; the generator is trusted
instead (its output is checked against the same validators in tests/synth).
Rows go in with COPY on PostgreSQL and with executemany elsewhere, all in one
transaction, so a failed seed leaves nothing behind; one journal event
records the whole seed.
"""

from __future__ import annotations

import datetime as dt
import queue
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from xuanren.common.errors import Conflict
from xuanren.journal.models import EventType
from xuanren.journal.services import cadre_fp_from_db, journal_record
from xuanren.org.models import Unit
from xuanren.people.models import Cadre
from xuanren.synth.generator import MODELS_IN_ORDER, Generator, Row, SeedConfig


class DatabaseSink:
    """Appends rows to the tables of the default database connection.

    Columns the generator does not produce (fields added by other apps) are
    filled with the field's default, so the seed keeps working as models grow.

    On PostgreSQL a writer thread runs the COPYs while the generator makes the
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
            self._thread = threading.Thread(target=self._copy_worker, name="seed-copy", daemon=True)
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
    raise ValueError(f"{field.model.__name__}.{field.name} has no default for seeding")


def _first_free_ids() -> dict[type[models.Model], int]:
    """The first ID above every existing row (and above the sequence, on
    PostgreSQL, so IDs of deleted rows are not reused)."""
    out = {}
    with connection.cursor() as cursor:
        for model in MODELS_IN_ORDER:
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
def _postgres_bulk_load(models_: Sequence[type[models.Model]]) -> Iterator[None]:
    """PostgreSQL's advice for populating a database: drop foreign keys and
    secondary indexes, load, then recreate them — one validating query per
    constraint and one sort per index instead of work for every row. Primary
    keys and unique constraints stay. Only for a seed into empty tables: the
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


def _used_id_numbers() -> set[int]:
    """Existing ID numbers (first 17 digits), so an appended county never
    repeats one; ints keep a million of them in a few dozen megabytes."""
    used = set()
    for number in Cadre.objects.values_list("id_number", flat=True).iterator(chunk_size=20_000):
        head = number[:17]
        if head.isdigit():
            used.add(int(head))
    return used


@dataclass(frozen=True)
class SeedResult:
    counts: dict[str, int]
    seconds: float
    root: Unit
    event_id: int


def database_is_empty() -> bool:
    return not (Unit.objects.exists() or Cadre.objects.exists())


def seed(
    *,
    cadres: int,
    units: int,
    seed: int,
    county_name: str = "",
    append: bool = False,
    as_of: dt.date | None = None,
    chunk_size: int = 5000,
) -> SeedResult:
    """Generate and insert a county (or several under one city) in one
    transaction. Refuses a database that already has units or cadres unless
    `append`, which adds a new top-level region beside the existing ones."""
    from xuanren.common.dates import today

    started = time.perf_counter()
    config = SeedConfig(
        cadres=cadres,
        units=units,
        seed=seed,
        as_of=as_of or today(),
        county_name=county_name,
        chunk_size=chunk_size,
    )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # IDs are assigned here, not by the sequences: keep other writers
            # out of these tables until the seed commits (readers go on).
            tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in MODELS_IN_ORDER)
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")
        empty = database_is_empty()
        if not empty and not append:
            raise Conflict(
                _(
                    "数据库中已有单位或干部记录，未生成数据。如需在现有数据旁再增加一个县，请使用 --append。"
                )
            )
        tops = Unit.objects.filter(parent=None)
        last_top = tops.order_by("-path").values_list("path", flat=True).first()
        first_ids = _first_free_ids()
        used_numbers = set() if empty else _used_id_numbers()
        bulk = empty and connection.vendor == "postgresql"
        with _postgres_bulk_load(MODELS_IN_ORDER) if bulk else nullcontext():
            sink = DatabaseSink()
            try:
                counts = Generator(
                    config,
                    sink,
                    first_ids=first_ids,
                    used_id_numbers=used_numbers,
                    top_index=0 if last_top is None else int(last_top, 36) + 1,
                    taken_names=list(tops.values_list("name", flat=True)),
                ).run()
            except BaseException:
                sink.close(quiet=True)
                raise
            sink.close()
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), list(MODELS_IN_ORDER)):
                cursor.execute(sql)
        root = Unit.objects.get(pk=first_ids[Unit])  # the first unit made is the root
        payload = {
            "seed": seed,
            "as_of": config.as_of.isoformat(),
            "root": root.pk,
            "root_name": root.name,
            "append": append,
            "counts": counts,
            # Read back: the generator writes cadre rows in more than one pass.
            "cadre_fp": cadre_fp_from_db(after=first_ids[Cadre] - 1),
        }
        event = journal_record(
            actor=None,
            event_type=EventType.SEED_LOADED,
            subject=("synth.seed", str(seed)),
            payload=payload,
        )
    if connection.vendor == "postgresql":
        # Fresh statistics, or the planner guesses from an empty table.
        with connection.cursor() as cursor:
            for model in MODELS_IN_ORDER:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return SeedResult(counts, time.perf_counter() - started, root, event.pk)
