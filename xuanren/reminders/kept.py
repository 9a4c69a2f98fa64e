"""待办's kept reminders computed from the records (decision 0195).

`expected_rows` is the truth: from a cadre's row, open tenures and the
candidacies that appointed them, the reminders that cadre has, each with a
due date that does not depend on today. `reminders_refresh` replaces a few
cadres' rows with them: every writer of those records calls it in its own
transaction, after the write (tenure_start, tenure_end, cadre_create,
cadre_update, candidate_add and candidate_set_status). Units and posts are
not edited once made, so their names, levels and paths stay as read. The
bulk writers (the seeder, the XLSX import, the demo's past years) call
`reminders_refresh_all` for the cadres they wrote. `reminders_differences`
is what `xuanren reminders` reports.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Q

from xuanren.people.models import CadreStatus
from xuanren.people.retirement import original_retirement_age, statutory_retirement
from xuanren.procedure.models import CandidateStatus
from xuanren.reminders.models import KeptReminder, ReminderKind
from xuanren.rotation.calc import reached_on
from xuanren.rotation.rules import AlertKind, Rule, pack

#: How many cadres one pass reads and writes (SQLite's parameter limit).
CHUNK = 2000

#: The candidacies whose probation is over (assessed): no reminder.
ASSESSED = frozenset({CandidateStatus.CONFIRMED, CandidateStatus.REMOVED})
#: The statuses of a candidate who was appointed: the probation reminder of
#: the tenure depends on them (its case, or its end once assessed).
APPOINTING = frozenset({CandidateStatus.APPOINTED, *ASSESSED})


@dataclass(frozen=True)
class Row:
    """One kept reminder, as compared with the table (the fields of ROW_FIELDS)."""

    cadre_id: int
    kind: str
    tenure_id: int | None
    due: dt.date
    path: str
    post_id: int | None
    case_id: int | None
    since: dt.date | None
    rule: str
    first: bool


ROW_FIELDS = (
    "cadre_id",
    "kind",
    "tenure_id",
    "due",
    "path",
    "post_id",
    "case_id",
    "since",
    "rule",
    "first",
)


def _applies(rule: Rule, level: str, principal: bool, title: str, unit_name: str) -> bool:
    """rotation.selectors._post_q in Python: the post's level, principal and
    sensitive-post keywords (in the post's title or its unit's name)."""
    if level not in rule.levels or (rule.principal_only and not principal):
        return False
    return not rule.keywords or any(k in title or k in unit_name for k in rule.keywords)


def _earliest(rules: Iterable[Rule], since: dt.date) -> tuple[Rule, dt.date] | None:
    """The rule reached first from `since` (the pack's first on a tie)."""
    best: tuple[Rule, dt.date] | None = None
    for rule in rules:
        due = reached_on(since, rule.months)
        if best is None or due < best[1]:
            best = (rule, due)
    return best


def _ids_q(ids: list[int], field: str) -> Q:
    """`field` among `ids` (sorted): a range when they run without a gap (a
    chunk of every cadre, or of cadres just written), which the database
    reads faster than a list of two thousand."""
    if ids and ids[-1] - ids[0] + 1 == len(ids):
        return Q(**{f"{field}__gte": ids[0], f"{field}__lte": ids[-1]})
    return Q(**{f"{field}__in": ids})


def _rows_of_chunk(ids: list[int], models: Any) -> list[Row]:
    cadre_model, tenure_model, candidate_model = models
    rules = pack().rules
    level_rules = [r for r in rules if r.kind == AlertKind.LEVEL_YEARS]
    post_kinds = (AlertKind.POST_YEARS, AlertKind.POST_TERMS)
    rows: list[Row] = []
    active: set[int] = set()
    for pk, status, birth, sex, level, since, identity, path in cadre_model.objects.filter(
        _ids_q(ids, "pk")
    ).values_list(
        "pk", "status", "birth_date", "sex", "level", "level_since", "identity", "unit__path"
    ):
        if status != CadreStatus.ACTIVE:
            continue
        active.add(pk)
        original = original_retirement_age(sex=sex, level=level, identity=identity or "")
        due = statutory_retirement(birth, original_age=original)
        rows.append(
            Row(pk, ReminderKind.RETIREMENT_DUE, None, due, path, None, None, None, "", True)
        )
        if since is not None:
            found = _earliest((r for r in level_rules if level in r.levels), since)
            if found is not None:
                rule, due = found
                rows.append(
                    Row(
                        pk,
                        ReminderKind.LEVEL_LIMIT_DUE,
                        None,
                        due,
                        path,
                        None,
                        None,
                        since,
                        rule.id,
                        True,
                    )
                )
    tenures = list(
        tenure_model.objects.filter(_ids_q(ids, "cadre"), end_date__isnull=True).values_list(
            "pk",
            "cadre_id",
            "post_id",
            "start_date",
            "probation_until",
            "post__level",
            "post__is_principal",
            "post__title",
            "post__unit__name",
            "post__unit__path",
        )
    )
    on_probation = [t for t in tenures if t[4] is not None]
    by_holder: dict[tuple[int, int], tuple[str, int]] = {}
    if on_probation:
        # the case that appointed each holder (its candidate for that post);
        # the newest when there are several, as 待办 has always read them
        for cadre_id, post_id, status, case_id in (
            candidate_model.objects.filter(
                cadre__in={t[1] for t in on_probation},
                post__in={t[2] for t in on_probation},
                status__in=APPOINTING,
            )
            .order_by("pk")
            .values_list("cadre_id", "post_id", "status", "case_id")
        ):
            by_holder[(cadre_id, post_id)] = (status, case_id)
    for pk, cadre_id, post_id, start, until, level, principal, title, unit_name, path in tenures:
        if until is not None:
            holder = by_holder.get((cadre_id, post_id))
            if holder is None or holder[0] not in ASSESSED:
                case_id = holder[1] if holder is not None else None
                rows.append(
                    Row(
                        cadre_id,
                        ReminderKind.PROBATION_ENDING,
                        pk,
                        until,
                        path,
                        post_id,
                        case_id,
                        start,
                        "",
                        True,
                    )
                )
        if cadre_id not in active:
            continue
        reached = []
        for kind in post_kinds:
            found = _earliest(
                (
                    r
                    for r in rules
                    if r.kind == kind and _applies(r, level, principal, title, unit_name)
                ),
                start,
            )
            if found is not None:
                reached.append(found)
        if reached:
            first = min(range(len(reached)), key=lambda i: reached[i][1])
            for i, (rule, due) in enumerate(reached):
                rows.append(
                    Row(
                        cadre_id,
                        ReminderKind.ROTATION_DUE,
                        pk,
                        due,
                        path,
                        post_id,
                        None,
                        start,
                        rule.id,
                        i == first,
                    )
                )
    return rows


def _live_models() -> tuple[Any, Any, Any]:
    from xuanren.people.models import Cadre, Tenure
    from xuanren.procedure.models import Candidate

    return Cadre, Tenure, Candidate


def expected_rows(
    cadre_ids: Iterable[int], *, apps: Any = None
) -> Iterator[tuple[list[int], list[Row]]]:
    """The reminders the records give, CHUNK cadres at a time: (the chunk's
    cadre ids, their rows). `apps`: a migration's historical models."""
    models = (
        (
            apps.get_model("people", "Cadre"),
            apps.get_model("people", "Tenure"),
            apps.get_model("procedure", "Candidate"),
        )
        if apps is not None
        else _live_models()
    )
    ids = sorted(set(cadre_ids))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        yield chunk, _rows_of_chunk(chunk, models)


def _write(chunk: list[int], rows: list[Row], model: Any, *, new: bool = False) -> None:
    """Replace the chunk's rows: one DELETE (none for cadres just written)
    and one COPY on PostgreSQL, one executemany elsewhere. Not bulk_create: at
    a million cadres building a model instance per row was most of the time."""
    if not new:
        model.objects.filter(_ids_q(chunk, "cadre")).delete()
    if not rows:
        return
    meta = model._meta
    qn = connection.ops.quote_name
    column = {f.attname: f.column for f in meta.concrete_fields}
    names = ", ".join(qn(column[f]) for f in ROW_FIELDS)
    table = qn(meta.db_table)
    values = [tuple(getattr(r, f) for f in ROW_FIELDS) for r in rows]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        else:
            adapt = connection.ops.adapt_datefield_value
            dates = [i for i, f in enumerate(ROW_FIELDS) if f in ("due", "since")]
            marks = ", ".join(["%s"] * len(ROW_FIELDS))
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({marks})",
                [tuple(adapt(v) if i in dates else v for i, v in enumerate(row)) for row in values],
            )


def reminders_refresh(cadre_ids: Iterable[int]) -> None:
    """Replace these cadres' kept reminders with what their records give, in
    the caller's transaction (a writer calls it after its write, with the
    cadre's row locked, so a second writer waits and then reads both)."""
    from xuanren.people.models import Cadre

    ids = sorted(set(cadre_ids))
    # In the caller's transaction (no savepoint), or its own when called alone.
    with transaction.atomic(savepoint=False):
        # The cadres' rows, when the writer has not locked them already: what
        # is read below is then what the last writer committed (read committed).
        list(Cadre.objects.select_for_update(of=("self",)).filter(pk__in=ids).values_list("pk"))
        for chunk, rows in expected_rows(ids):
            _write(chunk, rows, KeptReminder)


def reminders_refresh_all(
    cadre_ids: Iterable[int] | None = None, *, new: bool = False, apps: Any = None
) -> int:
    """Replace the kept reminders of `cadre_ids` (default: every cadre) in
    chunks: the seeder's and the import's cadres (`new`: just written, so
    none of theirs to delete), the migration; the number of rows written."""
    if apps is not None:
        cadre_model, model = (
            apps.get_model("people", "Cadre"),
            apps.get_model("reminders", "KeptReminder"),
        )
    else:
        cadre_model, model = _live_models()[0], KeptReminder
    if cadre_ids is None:
        cadre_ids = list(cadre_model.objects.order_by("pk").values_list("pk", flat=True))
    written = 0
    for chunk, rows in expected_rows(cadre_ids, apps=apps):
        _write(chunk, rows, model, new=new)
        written += len(rows)
    return written


@dataclass(frozen=True)
class ReminderDifference:
    """A cadre whose kept reminders differ from what its records give."""

    cadre_id: int
    kept: int
    recounted: int


def reminders_differences(cadre_ids: Iterable[int] | None = None) -> list[ReminderDifference]:
    """Every cadre (of `cadre_ids`, default all) whose kept rows differ from
    the records', in id order: one pass per CHUNK cadres."""
    from xuanren.people.models import Cadre

    if cadre_ids is None:
        cadre_ids = list(Cadre.objects.order_by("pk").values_list("pk", flat=True))
    found = []
    for chunk, rows in expected_rows(cadre_ids):
        kept: dict[int, list[Row]] = defaultdict(list)
        for values in KeptReminder.objects.filter(_ids_q(chunk, "cadre")).values_list(*ROW_FIELDS):
            kept[values[0]].append(Row(*values))
        fresh: dict[int, list[Row]] = defaultdict(list)
        for row in rows:
            fresh[row.cadre_id].append(row)
        for pk in chunk:
            if Counter(kept[pk]) != Counter(fresh[pk]):
                found.append(ReminderDifference(pk, len(kept[pk]), len(fresh[pk])))
    return found
