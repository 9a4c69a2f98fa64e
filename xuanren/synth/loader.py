"""Writing generated rows into the database, fast.

The per-row services validate, lock and journal every write, which is right
for people and far too slow for a million records; the generator is trusted
instead (its output is checked against the same validators in tests/synth).
Rows go in through xuanren.common.bulk (COPY on PostgreSQL, executemany
elsewhere), all in one transaction, so a failed seed leaves nothing behind;
one journal event records the whole seed.
"""

from __future__ import annotations

import datetime as dt
import time
from contextlib import nullcontext
from dataclasses import dataclass

from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils.translation import gettext as _

from xuanren.common.bulk import DatabaseSink, first_free_ids, postgres_bulk_load
from xuanren.common.errors import Conflict
from xuanren.journal.models import EventType
from xuanren.journal.services import cadre_fp_from_db, journal_record
from xuanren.org.counts import counts_add, counts_from_records
from xuanren.org.models import Unit, UnitCount
from xuanren.people.bulk import MODELS_IN_ORDER
from xuanren.people.models import Cadre
from xuanren.policy.kept import kept_facts_refresh_all
from xuanren.reminders.kept import reminders_refresh_all
from xuanren.synth.generator import Generator, SeedConfig


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
        first_ids = first_free_ids(MODELS_IN_ORDER)
        used_numbers = set() if empty else _used_id_numbers()
        bulk = empty and connection.vendor == "postgresql"
        with postgres_bulk_load(MODELS_IN_ORDER) if bulk else nullcontext():
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
        # The per-unit counts of the new units, from what was just written
        # (decision 0136): the units are new, so no other writer has counted them.
        counts_add(counts_from_records(min_unit_id=first_ids[Unit]))
        # The screening's kept facts of the new cadres, from their records (decision 0161).
        kept_facts_refresh_all(Cadre.objects.filter(pk__gte=first_ids[Cadre]))
        # 待办's kept reminders of the new cadres (decision 0195).
        reminders_refresh_all(
            Cadre.objects.filter(pk__gte=first_ids[Cadre]).values_list("pk", flat=True), new=True
        )
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
            analysed = [m._meta.db_table for m in MODELS_IN_ORDER] + [UnitCount._meta.db_table]
            for table in analysed:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
    return SeedResult(counts, time.perf_counter() - started, root, event.pk)
