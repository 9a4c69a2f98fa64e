"""Reading the kept reminders (decision 0195): every kind an actor's 待办
lists, each one date range of the actor's scope, soonest first, in one query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from xuanren.access.policy import scope_path
from xuanren.people.models import Sex
from xuanren.reminders.models import KeptReminder


@dataclass(frozen=True)
class Range:
    """The rows of one kind due from `first` (None: no bound) to `last`, the
    soonest first, at most `limit`; `reached`: only the first row of each
    tenure or cadre (a count of people, not of rules)."""

    kind: str
    first: dt.date | None
    last: dt.date
    limit: int
    reached: bool = False


@dataclass(frozen=True)
class KeptUnit:
    pk: int
    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class KeptCadre:
    """The cadre's fields a reminder shows, and those retiring() and
    cadre_ages() compute from: read as plain values, not a model row (a
    province's 待办 shows about a hundred)."""

    pk: int
    name: str
    sex: str
    birth_date: dt.date
    level: str
    level_since: dt.date | None
    identity: str
    status: str
    current_post_title: str
    party_join_date: dt.date | None
    work_start_date: dt.date | None
    unit: KeptUnit

    def get_sex_display(self) -> str:
        return str(SEXES.get(self.sex, self.sex))


@dataclass(frozen=True)
class KeptPost:
    pk: int
    title: str
    level: str
    unit: KeptUnit

    def __str__(self) -> str:
        return f"{self.unit.name}{self.title}"


@dataclass(frozen=True)
class Reminder:
    """One kept reminder with what 待办 and the home page show of it."""

    pk: int
    kind: str
    due: dt.date
    cadre: KeptCadre
    post: KeptPost | None
    since: dt.date | None  # the tenure's start (post rules), level_since, ...
    case_id: int | None
    case_number: str
    case_officer_id: int | None
    rule: str


@dataclass
class KeptRead:
    #: per Range (in the order asked), its rows; none for a `reached` range
    rows: list[list[Reminder]] = field(default_factory=list)
    #: per Range, how many rows it found (up to its limit)
    counts: list[int] = field(default_factory=list)


SEXES = dict(Sex.choices)

#: What a reminder shows: the cadre (name, unit, post, ages, retirement), the
#: post and its unit, and the appointing case.
COLUMNS = (
    "id",
    "kind",
    "due",
    "since",
    "rule",
    "cadre_id",
    "cadre__name",
    "cadre__sex",
    "cadre__birth_date",
    "cadre__level",
    "cadre__level_since",
    "cadre__identity",
    "cadre__status",
    "cadre__current_post_title",
    "cadre__party_join_date",
    "cadre__work_start_date",
    "cadre__unit_id",
    "cadre__unit__name",
    "post_id",
    "post__title",
    "post__level",
    "post__unit_id",
    "post__unit__name",
    "case_id",
    "case__number",
    "case__officer_id",
)


def _union_sql(ranges: list[Range], path: str) -> tuple[str, list[Any]]:
    """Each range's row ids, the soonest first, as one UNION ALL of limited
    parts (each a subquery, which PostgreSQL and SQLite both take): no join,
    so it is planned in a moment, and written out rather than compiled by the
    ORM for every request (this is 待办's one read of these kinds)."""
    qn = connection.ops.quote_name
    table = qn(KeptReminder._meta.db_table)
    parts, params = [], []
    for i, r in enumerate(ranges):
        where = [f"{qn('kind')} = %s", f"{qn('due')} <= %s"]
        params_of = [r.kind, r.last]
        if r.first is not None:
            where.append(f"{qn('due')} >= %s")
            params_of.append(r.first)
        if r.reached:
            where.append(f"{qn('first')} = %s")
            params_of.append(True)
        if path:
            # the backend's own startswith (SQLite names its escape character)
            where.append(f"{qn('path')} {connection.operators['startswith']}")
            params_of.append(connection.ops.prep_for_like_query(path) + "%")
        parts.append(
            f"SELECT * FROM (SELECT {qn('id')}, {i} AS {qn('part')} FROM {table} "
            f"WHERE {' AND '.join(where)} ORDER BY {qn('due')}, {qn('id')} LIMIT {int(r.limit)}) "
            f"AS {qn(f'r{i}')}"
        )
        params += params_of
    return " UNION ALL ".join(parts), params


def _reminder(row: tuple[Any, ...]) -> Reminder:
    (pk, kind, due, since, rule, cadre_id, name, sex, birth, level, level_since, identity, status,
     post_title, party, work, unit_id, unit_name, post_id, title, post_level, post_unit_id,
     post_unit_name, case_id, case_number, officer_id) = row  # fmt: skip
    cadre = KeptCadre(
        pk=cadre_id,
        name=name,
        sex=sex,
        birth_date=birth,
        level=level,
        level_since=level_since,
        identity=identity,
        status=status,
        current_post_title=post_title,
        party_join_date=party,
        work_start_date=work,
        unit=KeptUnit(unit_id, unit_name),
    )
    post = None
    if post_id is not None:
        post = KeptPost(post_id, title, post_level, KeptUnit(post_unit_id, post_unit_name))
    return Reminder(
        pk=pk,
        kind=kind,
        due=due,
        cadre=cadre,
        post=post,
        since=since,
        case_id=case_id,
        case_number=case_number or "",
        case_officer_id=officer_id,
        rule=rule,
    )


def _details_sql(ranges: list[Range], union: str) -> str:
    """The ranges' rows with what they show (COLUMNS), joined by id to the
    ids of `union`; a `reached` range only counted (its part and how many, in
    the id column): one query, whose joins are planned once, not per range."""
    from xuanren.org.models import Post, Unit
    from xuanren.people.models import Cadre
    from xuanren.procedure.models import Case

    qn = connection.ops.quote_name

    def col(alias: str, model: Any, name: str) -> str:
        return f"{alias}.{qn(model._meta.get_field(name).column)}"

    tables = {
        "r": KeptReminder,
        "c": Cadre,
        "cu": Unit,
        "p": Post,
        "pu": Unit,
        "k": Case,
    }
    columns = []
    for name in COLUMNS:
        alias, field_name = "r", name
        if name.startswith("cadre__unit__"):
            alias, field_name = "cu", name.removeprefix("cadre__unit__")
        elif name.startswith("cadre__"):
            alias, field_name = "c", name.removeprefix("cadre__")
        elif name.startswith("post__unit__"):
            alias, field_name = "pu", name.removeprefix("post__unit__")
        elif name.startswith("post__"):
            alias, field_name = "p", name.removeprefix("post__")
        elif name.startswith("case__"):
            alias, field_name = "k", name.removeprefix("case__")
        columns.append(col(alias, tables[alias], field_name))
    shown = [i for i, r in enumerate(ranges) if not r.reached]
    counted = [i for i, r in enumerate(ranges) if r.reached]
    table = {alias: qn(model._meta.db_table) for alias, model in tables.items()}
    branches = []
    if shown:
        branches.append(
            f"SELECT f.{qn('part')}, {', '.join(columns)} FROM found f "
            f"JOIN {table['r']} r ON r.{qn('id')} = f.{qn('id')} "
            f"JOIN {table['c']} c ON c.{qn('id')} = {col('r', KeptReminder, 'cadre')} "
            f"JOIN {table['cu']} cu ON cu.{qn('id')} = {col('c', Cadre, 'unit')} "
            f"LEFT JOIN {table['p']} p ON p.{qn('id')} = {col('r', KeptReminder, 'post')} "
            f"LEFT JOIN {table['pu']} pu ON pu.{qn('id')} = {col('p', Post, 'unit')} "
            f"LEFT JOIN {table['k']} k ON k.{qn('id')} = {col('r', KeptReminder, 'case')} "
            f"WHERE f.{qn('part')} IN ({', '.join(map(str, shown))})"
        )
    if counted:
        nulls = ", ".join(["NULL"] * (len(COLUMNS) - 1))
        branches.append(
            f"SELECT f.{qn('part')}, COUNT(*), {nulls} FROM found f "
            f"WHERE f.{qn('part')} IN ({', '.join(map(str, counted))}) GROUP BY f.{qn('part')}"
        )
    return f"WITH found AS ({union}) " + " UNION ALL ".join(branches)


def kept_reminders(*, actor: Any, ranges: list[Range]) -> KeptRead:
    """The kept reminders of each range in the actor's scope (the caller has
    decided which kinds the actor may see), in one query: each range's first
    rows by an index range of its own, then what they show, joined by id. A
    `reached` range is only counted."""
    read = KeptRead(rows=[[] for _r in ranges], counts=[0 for _r in ranges])
    path = scope_path(actor)  # over the rows' own unit path
    if not ranges or path is None:
        return read
    union, params = _union_sql(ranges, path)
    with connection.cursor() as cursor:
        cursor.execute(_details_sql(ranges, union), params)
        found = cursor.fetchall()
    for row in found:
        index = row[0]
        if ranges[index].reached:
            read.counts[index] = row[1]
        else:
            read.counts[index] += 1
            read.rows[index].append(_reminder(row[1:]))
    for rows in read.rows:
        rows.sort(key=lambda r: (r.due, r.pk))
    return read
