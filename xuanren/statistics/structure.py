"""Structure analysis (干部队伍结构分析, issue 14): the cadres of a unit subtree
broken down by age band, sex, education, ethnicity, political status, level and
years at the level, as of a date; and each leadership team (领导班子) against
the structure targets (班子结构要求).

Reads only, always inside the actor's scope (people.view_cadre; a unit outside
the scope or unknown is NotFound). Every figure is counted by the database: one
query of conditional counts for the enumerable breakdowns, one GROUP BY for the
ethnic groups (free text), one grouped query of the teams; a fixed number of
queries whatever the number of cadres or units (docs/decisions/0118).

Facts as of the date are those of the qualification screening (policy.compile,
docs/decisions/0089): the level and its start date, and the education, from the
history when any record changed after the date; party membership not before
the date the cadre joined. Who is counted is today's record: the active cadres
whose unit is in the subtree now (the record keeps no history of a cadre's unit
or status) and who had started work by the date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from xuanren.access.policy import require_perm, scope_root, unit_scope_q
from xuanren.common.dates import latest_birth_for_age, today
from xuanren.common.errors import NotFound
from xuanren.common.jit import without_jit
from xuanren.org.models import LEVEL_RANK, Level, Unit
from xuanren.org.selectors import active_tenure_q
from xuanren.people.models import (
    EDUCATION_RANK,
    PARTY_STATUSES,
    Cadre,
    CadreStatus,
    EducationLevel,
    PoliticalStatus,
    Sex,
    Tenure,
)
from xuanren.policy.compile import (
    EDUCATION_AT,
    LEVEL_AT,
    LEVEL_SINCE_AT,
    education_annotation,
    level_annotations,
    needs_history,
)
from xuanren.statistics.models import StructureTarget
from xuanren.statistics.structure_rules import (
    AGE_BANDS,
    HAN,
    YEARS_BANDS,
    Band,
    TargetKind,
    TeamCount,
    age_band_label,
    miss_reason,
    share_text,
    target_met,
    years_band_label,
)

PARTY_AT = "_party_at"
NOT_RECORDED = "none"


@dataclass(frozen=True)
class Row:
    code: str
    label: str
    count: int
    share: str


@dataclass(frozen=True)
class Table:
    """One breakdown: its rows add up to `total` (everyone counted)."""

    key: str
    title: str
    chart: str  # "bar" or "pie"
    rows: list[Row]
    total: int


@dataclass(frozen=True)
class TeamMiss:
    unit_id: int
    unit_name: str
    target: str
    reason: str
    source: str


@dataclass(frozen=True)
class TargetSummary:
    code: str
    name: str
    source: str
    checked: int
    missed: int


@dataclass
class StructureReport:
    unit: Unit | None
    on: dt.date
    total: int
    tables: list[Table] = field(default_factory=list)
    targets: list[TargetSummary] = field(default_factory=list)
    misses: list[TeamMiss] = field(default_factory=list)


def structure_unit(*, actor: Any, unit_id: int | None) -> Unit | None:
    """The subtree's top unit in the actor's scope; None for the whole scope.
    Unknown or outside the scope: NotFound (the two look alike)."""
    require_perm(actor, "people.view_cadre")
    if unit_id is None:
        return None
    unit = Unit.objects.filter(unit_scope_q(actor), pk=unit_id).select_related("parent").first()
    if unit is None:
        raise NotFound(_("未找到该单位，或该单位不在您的管理范围内。"))
    return unit


def _population(actor: Any, unit: Unit | None, on: dt.date) -> QuerySet[Cadre]:
    qs = Cadre.objects.filter(
        unit_scope_q(actor, prefix="unit__"),
        Q(work_start_date__isnull=True) | Q(work_start_date__lte=on),
        status=CadreStatus.ACTIVE,
        birth_date__lte=on,
    )
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    return qs


def _party_at(on: dt.date) -> Case:
    """The political status on `on`: a party member who joined after it is not
    yet one (status unknown, "")."""
    joined_later = Q(political_status__in=list(PARTY_STATUSES), party_join_date__gt=on)
    return Case(
        When(joined_later, then=Value("")),
        default=F("political_status"),
        output_field=CharField(),
    )


def _band_q(column: str, band: Band, on: dt.date) -> Q:
    after, until = band.date_bounds(on)
    q = Q(**{f"{column}__lte": until if until is not None else on})
    if after is not None:
        q &= Q(**{f"{column}__gt": after})
    return q


def _counts(on: dt.date) -> dict[str, Count]:
    """Every enumerable breakdown as a conditional count (one pass)."""
    c: dict[str, Count] = {"total": Count("pk")}
    for band in AGE_BANDS:
        c[f"age:{band.code}"] = Count("pk", filter=_band_q("birth_date", band, on))
    for code, _label in Sex.choices:
        c[f"sex:{code}"] = Count("pk", filter=Q(sex=code))
    for code in EDUCATION_RANK:
        c[f"education:{code}"] = Count("pk", filter=Q(**{EDUCATION_AT: EDUCATION_RANK[code]}))
    for code, _label in PoliticalStatus.choices:
        c[f"party:{code}"] = Count("pk", filter=Q(**{PARTY_AT: code}))
    for code in LEVEL_RANK:
        c[f"level:{code}"] = Count("pk", filter=Q(**{LEVEL_AT: code}))
    held = ~Q(**{LEVEL_AT: ""})
    for band in YEARS_BANDS:
        c[f"years:{band.code}"] = Count("pk", filter=held & _band_q(LEVEL_SINCE_AT, band, on))
    c[f"years:{NOT_RECORDED}"] = Count("pk", filter=held & Q(**{f"{LEVEL_SINCE_AT}__isnull": True}))
    return c


def _table(key: str, title: str, chart: str, rows: list[tuple[str, str, int]], total: int) -> Table:
    shown = [Row(code, label, n, share_text(n, total)) for code, label, n in rows]
    return Table(key, title, chart, shown, total)


def _rest(total: int, counted: int) -> int:
    return max(total - counted, 0)


def _tables(counts: dict[str, int], ethnic: list[tuple[str, int]]) -> list[Table]:
    total = counts["total"]

    def pick(prefix: str, codes: list[tuple[str, str]]) -> list[tuple[str, str, int]]:
        return [(code, label, counts[f"{prefix}:{code}"]) for code, label in codes]

    age = pick("age", [(b.code, age_band_label(b)) for b in AGE_BANDS])
    sex = pick("sex", [(code, str(label)) for code, label in Sex.choices])
    education_labels = dict(EducationLevel.choices)
    education = pick("education", [(c, str(education_labels[c])) for c in EDUCATION_RANK])
    education.append((NOT_RECORDED, _("未记录"), _rest(total, sum(r[2] for r in education))))
    party = pick("party", [(code, str(label)) for code, label in PoliticalStatus.choices])
    party.append((NOT_RECORDED, _("不详"), _rest(total, sum(r[2] for r in party))))
    level_labels = dict(Level.choices)
    level = pick("level", [(c, str(level_labels[c])) for c in LEVEL_RANK])
    no_level = _rest(total, sum(r[2] for r in level))
    level.append((NOT_RECORDED, _("无职务层次"), no_level))
    years = pick("years", [(b.code, years_band_label(b)) for b in YEARS_BANDS])
    years.append((NOT_RECORDED, _("任现职务层次时间未记录"), counts[f"years:{NOT_RECORDED}"]))
    years.append(("no_level", _("无职务层次"), no_level))
    ethnic_rows = [
        (name or NOT_RECORDED, name or _("未填写"), n)
        for name, n in sorted(ethnic, key=lambda e: (e[0] != HAN, -e[1], e[0]))
    ]
    return [
        _table("age", _("年龄结构"), "bar", age, total),
        _table("sex", _("性别结构"), "pie", sex, total),
        _table("education", _("学历结构"), "bar", education, total),
        _table("ethnicity", _("民族结构"), "pie", ethnic_rows, total),
        _table("party", _("政治面貌"), "pie", party, total),
        _table("level", _("职务层次"), "bar", level, total),
        _table("years", _("任现职务层次年限"), "bar", years, total),
    ]


def structure_analysis(
    *, actor: Any, unit_id: int | None = None, on: dt.date | None = None
) -> StructureReport:
    """The breakdowns and the team checks of the subtree (the whole scope when
    `unit_id` is None) as of `on` (default today)."""
    unit = structure_unit(actor=actor, unit_id=unit_id)
    on = on or today()
    people = _population(actor, unit, on)
    history = needs_history(on)
    facts = {
        **level_annotations(on, history),
        **education_annotation(on, history),
        PARTY_AT: _party_at(on),
    }
    # Compiling the many FILTERs over the history's SubPlans cost PostgreSQL
    # seconds where counting costs a fraction of one (decision 0144).
    with without_jit():
        counts, ethnic = _tally(people, facts, history, on)
        targets, misses = team_checks(actor=actor, unit=unit, on=on)
    report = StructureReport(unit=unit, on=on, total=counts["total"])
    report.tables = _tables(counts, ethnic)
    report.targets, report.misses = targets, misses
    return report


def _tally(
    people: QuerySet[Cadre], facts: dict[str, Any], history: bool, on: dt.date
) -> tuple[dict[str, int], list[tuple[str, int]]]:
    if history:
        # The facts from the history are correlated subqueries: select them
        # once per cadre (DISTINCT makes Django aggregate over this query as
        # a subquery) instead of once per conditional count (3× faster).
        rows = people.annotate(**facts).values("pk", "sex", "birth_date", *facts).distinct()
        counts = rows.aggregate(**_counts(on))
    else:
        counts = people.alias(**facts).aggregate(**_counts(on))
    ethnic = [
        (row["ethnicity"], row["n"])
        for row in people.order_by().values("ethnicity").annotate(n=Count("pk"))
    ]
    return counts, ethnic


# ---- leadership teams --------------------------------------------------------------


def _matching_q(target: StructureTarget, on: dt.date) -> Q:
    if target.kind == TargetKind.WOMEN:
        return Q(cadre__sex=Sex.FEMALE)
    if target.kind == TargetKind.NON_PARTY:
        member = Q(cadre__political_status__in=list(PARTY_STATUSES)) & (
            Q(cadre__party_join_date__isnull=True) | Q(cadre__party_join_date__lte=on)
        )
        return ~member
    if target.kind == TargetKind.MINORITY:
        return ~Q(cadre__ethnicity=HAN) & ~Q(cadre__ethnicity="")
    assert target.age_at_most is not None
    return Q(cadre__birth_date__gt=latest_birth_for_age(on, target.age_at_most + 1))


def active_targets(on: dt.date, within: str = "") -> list[StructureTarget]:
    """The targets in force on `on` that bear on the teams of the subtree at
    path `within` ("": the whole tree): every unit's, and those of a unit in
    the subtree or above it."""
    in_force = StructureTarget.objects.filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=on), effective_from__lte=on
    ).select_related("unit")
    return [
        t
        for t in in_force
        if t.unit is None or t.unit.path.startswith(within) or within.startswith(t.unit.path)
    ]


def team_checks(
    *, actor: Any, unit: Unit | None, on: dt.date
) -> tuple[list[TargetSummary], list[TeamMiss]]:
    """Each unit's leadership team (the holders on `on` of the unit's posts at
    a target's levels) against each target in force on `on`: how many teams
    each target applies to, and the teams that miss one, with why. Two
    queries: the targets, and one grouped count of every team."""
    require_perm(actor, "people.view_cadre")
    root = unit or scope_root(actor)
    targets = active_targets(on, root.path if root is not None else "")
    if not targets:
        return [], []
    levels = sorted({lv for t in targets for lv in t.levels})
    tenures = Tenure.objects.filter(
        active_tenure_q(on),
        unit_scope_q(actor, prefix="post__unit__"),
        post__level__in=levels,
    )
    if unit is not None:
        tenures = tenures.filter(post__unit__path__startswith=unit.path)
    counts: dict[str, Count] = {}
    for i, t in enumerate(targets):
        at_levels = Q(post__level__in=list(t.levels))
        counts[f"size_{i}"] = Count("cadre", distinct=True, filter=at_levels)
        counts[f"match_{i}"] = Count("cadre", distinct=True, filter=at_levels & _matching_q(t, on))
    rows = (
        tenures.order_by()
        .values("post__unit_id", "post__unit__name", "post__unit__path", "post__unit__kind")
        .annotate(**counts)
        .order_by("post__unit__path")
    )
    checked = [0] * len(targets)
    missed = [0] * len(targets)
    misses: list[TeamMiss] = []
    for row in rows:
        for i, t in enumerate(targets):
            if t.unit_kinds and row["post__unit__kind"] not in t.unit_kinds:
                continue
            if not t.applies_to(row["post__unit__path"]):
                continue
            team = TeamCount(size=row[f"size_{i}"], matching=row[f"match_{i}"])
            met = target_met(t.spec, team)
            if met is None:
                continue
            checked[i] += 1
            if not met:
                missed[i] += 1
                misses.append(
                    TeamMiss(
                        unit_id=row["post__unit_id"],
                        unit_name=row["post__unit__name"],
                        target=t.name,
                        reason=miss_reason(t.spec, team),
                        source=t.citation,
                    )
                )
    summaries = [
        TargetSummary(t.code, t.name, t.citation, checked[i], missed[i])
        for i, t in enumerate(targets)
    ]
    return summaries, misses
