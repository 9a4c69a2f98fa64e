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
from collections.abc import Iterable

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from xuanren.common.dates import latest_birth_for_age
from xuanren.people.models import (
    Assessment,
    Cadre,
    Education,
    FamilyMember,
    RewardPunishment,
    Tenure,
    Training,
)
from xuanren.policy.rules import (
    CHILD_RELATIONS,
    DATE_MEASURES,
    GOOD_GRADES,
    LEVEL_RANK,
    PARTY_STATUSES,
    SANCTION_CATEGORIES,
    Condition,
    Measure,
    Op,
    PostFacts,
    Rule,
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


def condition_q(cond: Condition, ref: dt.date, op: Op | None = None) -> Q:
    """Q for `measure OP value` (OP defaults to the condition's own)."""
    kind, n = _normalise(op or cond.op, cond.value)
    m = cond.measure
    if m in DATE_MEASURES:
        column = DATE_MEASURES[m]
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
            return Q(education_rank__gte=max(n, 1))
        return Q(education_rank__lt=n, education_rank__gt=0)
    if m is Measure.TRAINING_HOURS:
        lookup = "gte" if kind == ">=" else "lt"
        return Q(**{f"{training_alias(cond, ref)}__{lookup}": n})
    if m is Measure.LOWER_POSTS:
        lookup = "gte" if kind == ">=" else "lt"
        return Q(**{f"{posts_alias(cond)}__{lookup}": n})
    raise ValueError(m)


def training_annotations(
    rules: Iterable[Rule], ref: dt.date, post: PostFacts | None = None
) -> dict[str, Coalesce]:
    """One summed-hours subquery per distinct training window in `rules`, and
    one count of posts held per distinct set of counted levels (only the rules
    that apply to `post`, when given)."""
    out: dict[str, Coalesce] = {}
    for rule in rules:
        if post is not None and not rule.concerns(post):
            continue
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


def _flag_q(rule: Rule, ref: dt.date) -> Q:
    measure = rule.measure
    if measure is Measure.PARTY_MEMBER:
        return Q(political_status__in=sorted(PARTY_STATUSES))
    if measure is Measure.LAST_ASSESSMENT:
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
        return ~Q(Exists(blocking))
    if measure is Measure.PERSONAL_MATTERS_VERIFIED:
        return Q(personal_matters_status="verified")
    if measure is Measure.ARCHIVE_REVIEWED:
        return Q(archive_review_status="passed")
    if measure is Measure.SPOUSE_NOT_EMIGRATED:
        # Two top-level NOT EXISTS: PostgreSQL turns those into anti-joins,
        # while an OR of subqueries stays a per-row filter (6× slower at 1M).
        children = sorted(CHILD_RELATIONS)
        family = FamilyMember.objects.filter(cadre=OuterRef("pk"))
        # "No spouse and all children emigrated": an emigrated child with
        # nobody at home (no spouse, no child who has stayed).
        at_home = FamilyMember.objects.filter(cadre=OuterRef("cadre")).filter(
            Q(relation="spouse") | Q(relation__in=children, emigrated=False)
        )
        all_children_gone = family.filter(relation__in=children, emigrated=True).filter(
            ~Exists(at_home)
        )
        return ~Q(Exists(family.filter(relation="spouse", emigrated=True))) & ~Q(
            Exists(all_children_gone)
        )
    if measure is Measure.NO_FINDING:
        in_force = RewardPunishment.objects.filter(
            Q(effect_until__isnull=True) | Q(effect_until__gte=ref),
            cadre=OuterRef("pk"),
            kind="finding",
            category=rule.finding,
            decided_on__lte=ref,
        )
        return ~Q(Exists(in_force))
    if measure is Measure.FIT_FOR_DUTY:
        return Q(health__in=sorted(rule.accepted))
    raise ValueError(measure)


def _professional_q(post: PostFacts) -> Q:
    """Passes the 专业要求: a major of an education row, or the 熟悉专业, contains
    one of the terms the requirement lists (icontains: SQLite folds ASCII only,
    as explain() does; docs/decisions/0088)."""
    terms = requirement_terms(post.professional_requirement)
    majors = Q()
    specialty = Q()
    for term in terms:
        majors |= Q(major__icontains=term)
        specialty |= Q(specialty__icontains=term)
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
        promoted = Q(level__in=[*below, ""])
        parts.append(~promoted if w.promotion else promoted)
    if w.level_is is not None:
        parts.append(~Q(level=w.level_is))
    if w.condition is not None:
        # Known and false; unknown counts as concerned (missing data never helps).
        parts.append(condition_q(w.condition, ref, op=COMPLEMENT[w.condition.op]))
    if not parts:
        return None
    result = parts[0]
    for part in parts[1:]:
        result |= part
    return result


def rule_pass_q(rule: Rule, post: PostFacts, ref: dt.date, waived_ids: Iterable[int] = ()) -> Q:
    """Q for the cadres for whom `rule` does not fail (passes, waived or n/a)."""
    if not rule.concerns(post):
        return Q()
    if rule.measure is Measure.PROFESSIONAL:
        passes = _professional_q(post)
    else:
        passes = _flag_q(rule, ref) if rule.condition is None else condition_q(rule.condition, ref)
    not_concerned = _not_concerned_q(rule, post, ref)
    if not_concerned is not None:
        passes |= not_concerned
    ids = sorted(set(waived_ids))
    if rule.waivable and ids:
        passes |= Q(pk__in=ids)
    return passes


def screen_queryset(
    base: QuerySet[Cadre],
    rules: Iterable[Rule],
    post: PostFacts,
    ref: dt.date,
    waivers: dict[str, set[int]] | None = None,
) -> QuerySet[Cadre]:
    """`base` narrowed to the cadres no rule fails."""
    rules = list(rules)
    waivers = waivers or {}
    qs = base.annotate(**training_annotations(rules, ref, post))
    for rule in rules:
        qs = qs.filter(rule_pass_q(rule, post, ref, waivers.get(rule.id, ())))
    return qs
