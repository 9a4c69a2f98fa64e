"""Compiling rules to SQL (screen). Boundaries are computed here in Python —
age 45 or below at ref ⇔ birth_date > latest_birth_for_age(ref, 46) — so the
database only compares columns with constants, subqueries for the per-year
records, and nothing is evaluated per row in Python.

Each rule yields a Q for "passes", built only from positive comparisons (a
comparison with NULL is never true), so missing data fails exactly as in
explain(). tests/test_screen_agrees.py checks the two against each other.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Iterable
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import Contains, GreaterThan

from xuanren.common.dates import latest_birth_for_age
from xuanren.people.models import (
    Assessment,
    Cadre,
    Education,
    RewardPunishment,
    Tenure,
    Training,
)
from xuanren.policy.kept import assessment_bit
from xuanren.policy.rules import (
    DATE_MEASURES,
    EDUCATION_RANK,
    GOOD_GRADES,
    LEVEL_RANK,
    PARTY_STATUSES,
    SANCTION_CATEGORIES,
    Condition,
    Measure,
    Op,
    PostFacts,
    Rule,
    ascii_lower,
    ladder_waivable_levels,
    requirement_terms,
)

COMPLEMENT = {Op.GE: Op.LT, Op.LT: Op.GE, Op.LE: Op.GT, Op.GT: Op.LE}


def _normalise(op: Op, value: int) -> tuple[str, int]:
    """Any comparison on whole numbers as ">= n" or "< n"."""
    if op is Op.GE:
        return ">=", value
    if op is Op.GT:
        return ">=", value + 1
    if op is Op.LE:
        return "<", value + 1
    return "<", value


def training_alias(cond: Condition, ref: dt.date) -> str:
    return f"_training_{ref.year - cond.window_years + 1}_{ref.year}"


def posts_alias(cond: Condition) -> str:
    return "_posts_" + "_".join(sorted(cond.levels))


def reads_subquery(annotations: dict[str, Any]) -> bool:
    """Whether rule_annotations made a subquery column (training hours, posts
    held), over which Django aggregates as a subquery."""
    return any(name.startswith(("_training_", "_posts_")) for name in annotations)


# ---- facts as of `ref` (rules.facts_at, written as SQL) ------------------------------
# When no cadre's level or education began after `ref` (needs_history), each fact
# is the cadre's own column. Otherwise each is a CASE whose first branch is that
# column and whose others read the tenure and education history.

LEVEL_AT = "_level_at"
LEVEL_SINCE_AT = "_level_since_at"
EDUCATION_AT = "_education_at"
RANK_AT = "_rank_at"
RANK_SINCE_AT = "_rank_since_at"

#: The date measures' columns in SQL: the level's start as of `ref`.
SQL_DATE_COLUMNS = {**DATE_MEASURES, Measure.YEARS_AT_LEVEL: LEVEL_SINCE_AT}


def _rank_of(field: str) -> Case:
    return Case(
        *(When(**{field: code}, then=Value(rank)) for code, rank in LEVEL_RANK.items()),
        default=Value(0),
        output_field=IntegerField(),
    )


def _held_at(ref: dt.date, cadre: Any) -> QuerySet[Tenure]:
    return Tenure.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gt=ref),
        cadre=cadre,
        start_date__lte=ref,
        post__level__in=list(LEVEL_RANK),
    )


def _top_level_held(ref: dt.date, cadre: Any) -> Subquery:
    top = (
        _held_at(ref, cadre)
        .annotate(_r=_rank_of("post__level"))
        .order_by("-_r")
        .values("post__level")[:1]
    )
    return Subquery(top, output_field=CharField())


def level_annotations(ref: dt.date, history: bool = True) -> dict[str, Any]:
    """rules.level_at as two columns: the level held on `ref` and since when
    (without `history`, the cadre's own columns: see needs_history)."""
    if not history:
        return {LEVEL_AT: F("level"), LEVEL_SINCE_AT: F("level_since")}
    current = Q(level_since__isnull=True) | Q(level_since__lte=ref)
    from_history = Exists(_held_at(ref, OuterRef("pk")))
    since = (
        Tenure.objects.filter(
            cadre=OuterRef("pk"),
            start_date__lte=ref,
            post__level=_top_level_held(ref, OuterRef(OuterRef("pk"))),
        )
        .order_by()
        .values("cadre")
        .annotate(first=Min("start_date"))
        .values("first")
    )
    return {
        LEVEL_AT: Case(
            When(current, then=F("level")),
            When(from_history, then=_top_level_held(ref, OuterRef("pk"))),
            default=Value(""),
            output_field=CharField(),
        ),
        LEVEL_SINCE_AT: Case(
            When(current, then=F("level_since")),
            When(from_history, then=Subquery(since, output_field=DateField())),
            default=Value(None),
            output_field=DateField(),
        ),
    }


def needs_history(ref: dt.date) -> bool:
    """Whether any cadre's level or education began after `ref` (two indexed
    range probes). When none did, every fact as of `ref` is the cadre's own
    column, and screen() compares plain columns (bench/screening.py: the CASE
    expressions cost PostgreSQL's planner a 10× slower plan at 1M cadres)."""
    later = Cadre.objects.filter(level_since__gt=ref)
    if later.exists():
        return True
    return Cadre.objects.filter(education_since__gt=ref).exists()


def education_annotation(ref: dt.date, history: bool = True) -> dict[str, Any]:
    """rules.education_at: the highest education rank attained by `ref`."""
    if not history:
        return {EDUCATION_AT: F("education_rank")}
    ranked = Case(
        *(When(level=code, then=Value(rank)) for code, rank in EDUCATION_RANK.items()),
        default=Value(0),
        output_field=IntegerField(),
    )
    best = (
        Education.objects.filter(
            Q(end_date__isnull=True) | Q(end_date__lte=ref), cadre=OuterRef("pk")
        )
        .order_by()
        .values("cadre")
        .annotate(best=Max(ranked))
        .values("best")
    )
    return {
        EDUCATION_AT: Case(
            When(
                Q(education_since__isnull=True) | Q(education_since__lte=ref),
                then=F("education_rank"),
            ),
            default=Coalesce(Subquery(best, output_field=IntegerField()), Value(0)),
            output_field=IntegerField(),
        )
    }


def rank_annotations(ref: dt.date) -> dict[str, Case]:
    """The 职级 held on `ref` (none when it began after `ref`)."""
    held = Q(rank_since__isnull=True) | Q(rank_since__lte=ref)
    return {
        RANK_AT: Case(When(held, then=F("rank")), default=Value(""), output_field=CharField()),
        RANK_SINCE_AT: Case(
            When(held, then=F("rank_since")), default=Value(None), output_field=DateField()
        ),
    }


def condition_q(cond: Condition, ref: dt.date, op: Op | None = None) -> Q:
    """Q for `measure OP value` (OP defaults to the condition's own)."""
    kind, n = _normalise(op or cond.op, cond.value)
    m = cond.measure
    if m in SQL_DATE_COLUMNS:
        column = SQL_DATE_COLUMNS[m]
        # years >= n ⇔ start <= latest_birth_for_age(ref, n); years < n is its complement.
        if kind == ">=":
            return Q(**{f"{column}__lte": latest_birth_for_age(ref, n)})
        return Q(**{f"{column}__gt": latest_birth_for_age(ref, n)})
    if m is Measure.GRASSROOTS_YEARS:
        # whole years = months // 12, so years >= n ⇔ months >= 12 n.
        lookup = "gte" if kind == ">=" else "lt"
        return Q(**{f"grassroots_months__{lookup}": 12 * n})
    if m is Measure.EDUCATION:
        # rank 0 is "not recorded" and must never pass.
        if kind == ">=":
            return Q(**{f"{EDUCATION_AT}__gte": max(n, 1)})
        return Q(**{f"{EDUCATION_AT}__lt": n, f"{EDUCATION_AT}__gt": 0})
    if m is Measure.TRAINING_HOURS:
        lookup = "gte" if kind == ">=" else "lt"
        return Q(**{f"{training_alias(cond, ref)}__{lookup}": n})
    if m is Measure.LOWER_POSTS:
        lookup = "gte" if kind == ">=" else "lt"
        return Q(**{f"{posts_alias(cond)}__{lookup}": n})
    raise ValueError(m)


def _reads_level(rule: Rule) -> bool:
    return (
        rule.measure in (Measure.LADDER, Measure.YEARS_AT_LEVEL)
        or rule.when.promotion is not None
        or rule.when.level_is is not None
        or (
            rule.when.condition is not None
            and rule.when.condition.measure is Measure.YEARS_AT_LEVEL
        )
    )


def _reads_education(rule: Rule) -> bool:
    return any(
        c is not None and c.measure is Measure.EDUCATION
        for c in (rule.condition, rule.when.condition)
    )


def rule_annotations(
    rules: Iterable[Rule], ref: dt.date, post: PostFacts | None = None, history: bool = True
) -> dict[str, Any]:
    """The columns the rules read beyond the cadre's own (only for the rules
    that apply to `post`, when given): the level, education and 职级 as of
    `ref` (from the history unless `history` is False: see needs_history), one
    summed-hours subquery per distinct training window, and one count of posts
    held per distinct set of counted levels."""
    out: dict[str, Any] = {}
    for rule in rules:
        if post is not None and not rule.concerns(post):
            continue
        if _reads_level(rule) and LEVEL_AT not in out:
            out.update(level_annotations(ref, history))
        if _reads_education(rule) and EDUCATION_AT not in out:
            out.update(education_annotation(ref, history))
        if rule.measure is Measure.LADDER and any(s.ranks for s in rule.steps):
            out.update(rank_annotations(ref))
        conds = [rule.condition, rule.when.condition]
        for cond in conds:
            if cond is not None and cond.measure is Measure.LOWER_POSTS:
                held = (
                    Tenure.objects.filter(
                        cadre=OuterRef("pk"),
                        post__level__in=sorted(cond.levels),
                        start_date__lte=ref,
                    )
                    .order_by()
                    .values("cadre")
                    .annotate(n=Count("post", distinct=True))
                    .values("n")
                )
                out[posts_alias(cond)] = Coalesce(
                    Subquery(held, output_field=IntegerField()), Value(0)
                )
            if cond is None or cond.measure is not Measure.TRAINING_HOURS:
                continue
            first = ref.year - cond.window_years + 1
            hours = (
                Training.objects.filter(cadre=OuterRef("pk"), year__gte=first, year__lte=ref.year)
                .order_by()
                .values("cadre")
                .annotate(total=Sum("hours"))
                .values("total")
            )
            out[training_alias(cond, ref)] = Coalesce(
                Subquery(hours, output_field=IntegerField()), Value(0)
            )
    return out


def _flag_q(rule: Rule, ref: dt.date, per_row: bool = False) -> Q:
    measure = rule.measure
    if measure is Measure.PARTY_MEMBER:
        # A member on `ref`: joined by then (an unknown date counts as joined).
        return Q(political_status__in=sorted(PARTY_STATUSES)) & (
            Q(party_join_date__isnull=True) | Q(party_join_date__lte=ref)
        )
    if measure is Measure.LAST_ASSESSMENT:
        # The kept bit of last year (decision 0161); a year outside the kept
        # bits from the records.
        bit = assessment_bit(ref.year - 1)
        if bit is not None:
            return Q(GreaterThan(F("good_assessment_years").bitand(bit), 0))
        return Q(
            Exists(
                Assessment.objects.filter(
                    cadre=OuterRef("pk"), year=ref.year - 1, grade__in=sorted(GOOD_GRADES)
                )
            )
        )
    if measure is Measure.NO_SANCTION_IN_EFFECT:
        blocking = RewardPunishment.objects.filter(
            Q(effect_until__isnull=True) | Q(effect_until__gte=ref),
            cadre=OuterRef("pk"),
            category__in=sorted(SANCTION_CATEGORIES),
            decided_on__lte=ref,
        )
        return _unless_kept_clean(~Q(Exists(blocking)), per_row)
    if measure is Measure.PERSONAL_MATTERS_VERIFIED:
        return Q(personal_matters_status="verified")
    if measure is Measure.ARCHIVE_REVIEWED:
        return Q(archive_review_status="passed")
    if measure is Measure.SPOUSE_NOT_EMIGRATED:
        # Kept on the cadre row from the family records (policy.kept.family_abroad_q).
        return Q(family_abroad=False)
    if measure is Measure.NO_FINDING:
        in_force = RewardPunishment.objects.filter(
            Q(effect_until__isnull=True) | Q(effect_until__gte=ref),
            cadre=OuterRef("pk"),
            kind="finding",
            category=rule.finding,
            decided_on__lte=ref,
        )
        return _unless_kept_clean(~Q(Exists(in_force)), per_row)
    if measure is Measure.FIT_FOR_DUTY:
        return Q(health__in=sorted(rule.accepted))
    if measure is Measure.IN_RESERVE:
        from xuanren.reserves.selectors import on_list_q

        return on_list_q(ref)
    raise ValueError(measure)


def _unless_kept_clean(no_record_in_force: Q, per_row: bool) -> Q:
    """A sanction or finding rule's test. Evaluated per row (the exclusion
    counts' FILTER), the records are read only for a cadre who has one on
    record (decision 0161); in a WHERE, the NOT EXISTS alone, which
    PostgreSQL runs as one hash anti-join over the records (an OR with the
    kept column would be a per-row subplan whose estimated cost, though not
    its time, switches JIT compilation on)."""
    if per_row:
        return Q(discipline_records=False) | no_record_in_force
    return no_record_in_force


class AsciiLower(Func):
    """lower() of the ASCII letters only, as rules.ascii_lower folds."""

    function = "TRANSLATE"
    output_field = CharField()

    def __init__(self, expression: Any) -> None:
        super().__init__(expression, Value(string.ascii_uppercase), Value(string.ascii_lowercase))

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # SQLite's LIKE (Django's contains) already folds ASCII letters, and only those.
        return compiler.compile(self.source_expressions[0])


def _professional_q(post: PostFacts) -> Q:
    """Passes the 专业要求: a major of an education row, or the 熟悉专业, contains
    one of the terms the requirement lists, ASCII letters folded and nothing else
    (as explain() does on every database; docs/decisions/0088)."""
    terms = requirement_terms(post.professional_requirement)
    majors = Q()
    specialty = Q()
    for term in terms:
        needle = ascii_lower(term)
        majors |= Q(Contains(AsciiLower(F("major")), needle))
        specialty |= Q(Contains(AsciiLower(F("specialty")), needle))
    return Q(Exists(Education.objects.filter(majors, cadre=OuterRef("pk")))) | specialty


def _not_concerned_q(rule: Rule, post: PostFacts, ref: dt.date) -> Q | None:
    """Q for people the rule definitely does not concern (None: nobody)."""
    w = rule.when
    parts: list[Q] = []
    if w.sex is not None:
        parts.append(~Q(sex=w.sex))
    if w.promotion is not None:
        post_rank = LEVEL_RANK.get(post.level, 0)
        below = [code for code, rank in LEVEL_RANK.items() if rank < post_rank]
        promoted = Q(**{f"{LEVEL_AT}__in": [*below, ""]})
        parts.append(~promoted if w.promotion else promoted)
    if w.level_is is not None:
        parts.append(~Q(**{LEVEL_AT: w.level_is}))
    if w.condition is not None:
        # Known and false; unknown counts as concerned (missing data never helps).
        parts.append(condition_q(w.condition, ref, op=COMPLEMENT[w.condition.op]))
    if not parts:
        return None
    result = parts[0]
    for part in parts[1:]:
        result |= part
    return result


def _ladder_q(rule: Rule, post: PostFacts, ref: dt.date) -> tuple[Q, Q]:
    """(passes, may be waived) for the promotion ladder (rules._ladder): held a
    level or 职级 of the post's rung for its years; a 破格 covers a shortfall of
    years or a 越级 of one rung, never more (rules.ladder_jump_too_far)."""
    step = rule.step_to(post.level)
    assert step is not None  # concerns() holds
    on_rung = Q(**{f"{LEVEL_AT}__in": sorted(step.from_levels)})
    by_rank = Q(**{f"{RANK_AT}__in": sorted(step.ranks)}) if step.ranks else None
    if step.years:
        bound = latest_birth_for_age(ref, step.years)
        passes = on_rung & Q(**{f"{LEVEL_SINCE_AT}__lte": bound})
        if by_rank is not None:
            passes |= by_rank & Q(**{f"{RANK_SINCE_AT}__lte": bound})
    else:
        passes = on_rung if by_rank is None else on_rung | by_rank
    coverable = on_rung | Q(**{f"{LEVEL_AT}__in": sorted(ladder_waivable_levels(rule, post.level))})
    if by_rank is not None:
        coverable |= by_rank
    return passes, coverable


def rule_pass_q(
    rule: Rule,
    post: PostFacts,
    ref: dt.date,
    waived_ids: Iterable[int] = (),
    *,
    per_row: bool = False,
) -> Q:
    """Q for the cadres for whom `rule` does not fail (passes, waived or n/a);
    `per_row`: the form for a per-row test, as in an aggregate's FILTER
    (_unless_kept_clean), rather than a WHERE. The two select the same rows."""
    if not rule.concerns(post):
        return Q()
    coverable: Q | None = None
    if rule.measure is Measure.PROFESSIONAL:
        passes = _professional_q(post)
    elif rule.measure is Measure.LADDER:
        passes, coverable = _ladder_q(rule, post, ref)
    else:
        passes = (
            _flag_q(rule, ref, per_row)
            if rule.condition is None
            else condition_q(rule.condition, ref)
        )
    not_concerned = _not_concerned_q(rule, post, ref)
    if not_concerned is not None:
        passes |= not_concerned
    ids = sorted(set(waived_ids))
    if rule.waivable and ids:
        passes |= Q(pk__in=ids) if coverable is None else Q(pk__in=ids) & coverable
    return passes


def screen_queryset(
    base: QuerySet[Cadre],
    rules: Iterable[Rule],
    post: PostFacts,
    ref: dt.date,
    waivers: dict[str, set[int]] | None = None,
    history: bool | None = None,
) -> QuerySet[Cadre]:
    """`base` narrowed to the cadres no rule fails (`history`: whether facts
    as of `ref` need the history; None asks needs_history)."""
    rules = list(rules)
    waivers = waivers or {}
    if history is None:
        history = needs_history(ref)
    qs = base.annotate(**rule_annotations(rules, ref, post, history))
    for rule in rules:
        qs = qs.filter(rule_pass_q(rule, post, ref, waivers.get(rule.id, ())))
    return qs
