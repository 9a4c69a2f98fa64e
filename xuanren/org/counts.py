"""The per-unit counts (org.UnitCount, docs/decisions/0136): how the writers
keep them and how they are recounted from the records.

Every writer adds signed deltas in its own transaction through `counts_add`:
one upsert that adds to the row in the database (INSERT … ON CONFLICT DO
UPDATE SET n = n + excluded.n), never a value read first and written back, so
two officers writing in one unit at once both count. Rows are written in key
order, so two transactions touching the same rows cannot deadlock on them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, Q, Sum

#: (unit id, level); level "" is the unit's own row (its active cadres).
Key = tuple[int, str]
#: The four counts of a row, in the column order of FIELDS.
Values = tuple[int, int, int, int]
FIELDS = ("cadres", "posts", "approved", "filled")
ZERO: Values = (0, 0, 0, 0)


@dataclass(frozen=True)
class Difference:
    """A row whose kept counts differ from the records' (the recount's report)."""

    unit_id: int
    level: str
    kept: Values
    recounted: Values


def _upsert_sql() -> str:
    table = connection.ops.quote_name("org_unitcount")
    names = ", ".join(FIELDS)
    adds = ", ".join(f"{f} = {table}.{f} + excluded.{f}" for f in FIELDS)
    return (
        f"INSERT INTO {table} (unit_id, level, {names}) VALUES (%s, %s, %s, %s, %s, %s) "
        f"ON CONFLICT (unit_id, level) DO UPDATE SET {adds}"
    )


def counts_add(deltas: Mapping[Key, Values]) -> None:
    """Add signed deltas to the rows of `deltas` (created when missing), in
    the caller's transaction. Call it after the record's own write."""
    rows = [(unit_id, level, *d) for (unit_id, level), d in sorted(deltas.items()) if any(d)]
    if not rows:
        return
    with connection.cursor() as cursor:
        cursor.executemany(_upsert_sql(), rows)


def count_add(
    unit_id: int, level: str = "", *, cadres: int = 0, posts: int = 0, approved: int = 0,
    filled: int = 0,
) -> None:  # fmt: skip
    """One row's deltas (counts_add for a single unit and level)."""
    counts_add({(unit_id, level): (cadres, posts, approved, filled)})


class DeltaSum:
    """Deltas gathered row by row (a bulk writer's), then added at once."""

    def __init__(self) -> None:
        self.rows: dict[Key, list[int]] = defaultdict(lambda: [0, 0, 0, 0])

    def add(self, unit_id: int, level: str = "", **deltas: int) -> None:
        row = self.rows[(unit_id, level)]
        for name, value in deltas.items():
            row[FIELDS.index(name)] += value

    def save(self) -> None:
        counts_add({k: (v[0], v[1], v[2], v[3]) for k, v in self.rows.items()})


def grouped_counts(
    *, cadre: Any, post: Any, quota: Any, tenure: Any, min_unit_id: int = 0, using: str = "default"
) -> dict[Key, Values]:
    """The counts as the records give them, for units with an id of at least
    `min_unit_id`: four grouped queries. Takes the models so that the
    migration that creates the table can fill it with its historical ones."""
    out: dict[Key, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    active = cadre.objects.using(using).filter(status="active", unit_id__gte=min_unit_id)
    for unit_id, n in (
        active.order_by().values("unit_id").annotate(n=Count("id")).values_list("unit_id", "n")
    ):
        out[(unit_id, "")][0] = n
    posts = post.objects.using(using).filter(unit_id__gte=min_unit_id).order_by()
    for unit_id, level, n in (
        posts.values("unit_id", "level")
        .annotate(n=Count("id"))
        .values_list("unit_id", "level", "n")
    ):
        out[(unit_id, level)][1] = n
    quotas = quota.objects.using(using).filter(unit_id__gte=min_unit_id).order_by()
    for unit_id, level, n in (
        quotas.values("unit_id", "level")
        .annotate(n=Sum("approved"))
        .values_list("unit_id", "level", "n")
    ):
        out[(unit_id, level)][2] = n
    open_tenures = tenure.objects.using(using).filter(
        Q(end_date__isnull=True),
        post__counts_against_quota=True,
        post__unit_id__gte=min_unit_id,
    )
    for unit_id, level, n in (
        open_tenures.order_by()
        .values("post__unit_id", "post__level")
        .annotate(n=Count("id"))
        .values_list("post__unit_id", "post__level", "n")
    ):
        out[(unit_id, level)][3] = n
    return {k: (v[0], v[1], v[2], v[3]) for k, v in out.items() if any(v)}


def counts_from_records(*, min_unit_id: int = 0) -> dict[Key, Values]:
    from xuanren.org.models import Post, Quota
    from xuanren.people.models import Cadre, Tenure

    return grouped_counts(
        cadre=Cadre, post=Post, quota=Quota, tenure=Tenure, min_unit_id=min_unit_id
    )


def counts_kept() -> dict[Key, Values]:
    """The kept rows (all-zero rows left out: the same as no row)."""
    from xuanren.org.models import UnitCount

    rows = UnitCount.objects.order_by().values_list("unit_id", "level", *FIELDS)
    return {(r[0], r[1]): (r[2], r[3], r[4], r[5]) for r in rows if any(r[2:])}


def differences(kept: Mapping[Key, Values], recounted: Mapping[Key, Values]) -> list[Difference]:
    """Rows whose kept counts differ from the recounted ones, in key order."""
    return [
        Difference(key[0], key[1], kept.get(key, ZERO), recounted.get(key, ZERO))
        for key in sorted({*kept, *recounted})
        if kept.get(key, ZERO) != recounted.get(key, ZERO)
    ]


def corrections(found: Iterable[Difference]) -> dict[Key, Values]:
    """The deltas that turn each kept row into its recounted value."""
    return {
        (d.unit_id, d.level): (
            d.recounted[0] - d.kept[0],
            d.recounted[1] - d.kept[1],
            d.recounted[2] - d.kept[2],
            d.recounted[3] - d.kept[3],
        )
        for d in found
    }
