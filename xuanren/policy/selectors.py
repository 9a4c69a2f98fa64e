"""Reads in the policy context: the rules in force for a post, explain() for
one cadre, screen() for everyone, and per-rule failure counts."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from xuanren.access.policy import require_perm, require_unit, unit_scope_q
from xuanren.common.dates import today
from xuanren.common.errors import NotFound
from xuanren.common.jit import without_jit as _without_jit
from xuanren.org.models import COUNTY_ORGAN_KINDS, TOWNSHIP_KINDS, Post
from xuanren.people.models import Cadre, CadreStatus
from xuanren.policy.compile import (
    needs_history,
    reads_subquery,
    rule_annotations,
    rule_pass_q,
    screen_queryset,
)
from xuanren.policy.models import ExceptionStatus, PostRulePacks, PromotionException, RulePack
from xuanren.policy.packs import packs_in_force
from xuanren.policy.rules import (
    EDUCATION_RANK,
    CadreFacts,
    EducationFact,
    Explanation,
    Finding,
    Measure,
    Op,
    PostFacts,
    ReserveFact,
    Rule,
    Sanction,
    TenureFact,
    compare,
    explain,
    ladder_summary,
    rule_from_data,
)


def unit_group(kind: str) -> str:
    if kind in TOWNSHIP_KINDS:
        return "township"
    if kind in COUNTY_ORGAN_KINDS:
        return "county_organ"
    return "other"


def post_facts(post: Post) -> PostFacts:
    return PostFacts(
        level=post.level,
        is_principal=post.is_principal,
        is_party_government_principal=post.is_party_government_principal,
        category=post.category,
        unit_kind=post.unit.kind,
        unit_group=unit_group(post.unit.kind),
        title=post.title,
        professional_requirement=post.professional_requirement,
    )


@lru_cache(maxsize=256)
def _parsed(pack_id: int, sha256: str) -> tuple[Rule, ...]:
    # Keyed by content hash, so an edited pack is parsed again.
    pack = RulePack.objects.get(pk=pack_id)
    return tuple(rule_from_data(r, pack=pack.code, default_source=pack.source) for r in pack.rules)


def pack_codes_for_post(post: Post) -> list[str]:
    return pack_codes_for_posts([post])[post.pk]


def pack_codes_for_posts(posts: list[Post]) -> dict[int, list[str]]:
    """Each post's own choice of packs, else the packs whose defaults name its
    level (two queries for any number of posts)."""
    chosen = dict(
        PostRulePacks.objects.filter(post__in=[p.pk for p in posts]).values_list(
            "post_id", "pack_codes"
        )
    )
    defaults = list(RulePack.objects.values_list("code", "default_for_levels"))
    return {
        p.pk: list(chosen[p.pk])
        if p.pk in chosen
        else sorted({code for code, levels in defaults if p.level in (levels or [])})
        for p in posts
    }


def rules_for_post(post: Post, ref: dt.date) -> list[Rule]:
    """The rules of the post's packs, each pack in the version in force at `ref`."""
    return rules_for_posts([post], ref)[post.pk]


def rules_for_posts(posts: list[Post], ref: dt.date) -> dict[int, list[Rule]]:
    """rules_for_post for many posts in three queries."""
    codes = pack_codes_for_posts(posts)
    wanted = {code for post_codes in codes.values() for code in post_codes}
    packs = packs_in_force(RulePack.objects.filter(code__in=wanted), ref)
    out: dict[int, list[Rule]] = {}
    for post_id, post_codes in codes.items():
        rules: list[Rule] = []
        for code in sorted(set(post_codes) & set(packs)):
            pack = packs[code]
            rules.extend(_parsed(pack.pk, pack.sha256))
        out[post_id] = rules
    return out


def approved_waivers(post: Post, cadre_ids: Iterable[int] | None = None) -> dict[str, set[int]]:
    """rule id → cadres holding an approved 破格 of that rule for this post."""
    qs = PromotionException.objects.filter(post=post, status=ExceptionStatus.APPROVED)
    if cadre_ids is not None:
        qs = qs.filter(cadre_id__in=list(cadre_ids))
    out: dict[str, set[int]] = defaultdict(set)
    for cadre_id, rule_ids in qs.values_list("cadre_id", "rule_ids"):
        for rid in rule_ids:
            out[rid].add(cadre_id)
    return out


FACT_FIELDS = (
    "id",
    "name",
    "sex",
    "birth_date",
    "level",
    "level_since",
    "work_start_date",
    "party_join_date",
    "political_status",
    "education_rank",
    "grassroots_months",
    "personal_matters_status",
    "archive_review_status",
    "health",
    "specialty",
    "rank",
    "rank_since",
    "education_since",
)


def cadre_facts(cadres: QuerySet[Cadre]) -> list[CadreFacts]:
    """Plain facts for every cadre of `cadres`: eight queries whatever the count."""
    rows = list(cadres.values(*FACT_FIELDS))
    ids = [r["id"] for r in rows]
    return _facts_for(rows, ids)


def _facts_for(rows: list[dict[str, Any]], ids: list[int]) -> list[CadreFacts]:
    from xuanren.people.models import (
        Assessment,
        Education,
        FamilyMember,
        RewardPunishment,
        Tenure,
        Training,
    )
    from xuanren.reserves.models import Member

    assessments: dict[int, dict[int, str]] = defaultdict(dict)
    sanctions: dict[int, list[Sanction]] = defaultdict(list)
    training: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    family: dict[int, list[tuple[str, bool]]] = defaultdict(list)
    findings: dict[int, list[Finding]] = defaultdict(list)
    tenures: dict[int, list[TenureFact]] = defaultdict(list)
    majors: dict[int, list[str]] = defaultdict(list)
    educations: dict[int, list[EducationFact]] = defaultdict(list)
    reserve: dict[int, list[ReserveFact]] = defaultdict(list)
    chunk = 20000  # keeps IN lists within SQLite's parameter limit
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        for cid, year, grade in Assessment.objects.filter(cadre_id__in=part).values_list(
            "cadre_id", "year", "grade"
        ):
            assessments[cid][year] = grade
        for cid, kind, cat, decided, until in RewardPunishment.objects.filter(
            cadre_id__in=part, kind__in=("punishment", "finding")
        ).values_list("cadre_id", "kind", "category", "decided_on", "effect_until"):
            if kind == "finding":
                findings[cid].append(Finding(cat, decided, until))
            else:
                sanctions[cid].append(Sanction(cat, decided, until))
        for cid, year, hours in Training.objects.filter(cadre_id__in=part).values_list(
            "cadre_id", "year", "hours"
        ):
            training[cid][year] += hours
        for cid, post_id, level, began, ended in Tenure.objects.filter(
            cadre_id__in=part
        ).values_list("cadre_id", "post_id", "post__level", "start_date", "end_date"):
            tenures[cid].append(TenureFact(post_id, level, began, ended))
        for cid, relation, emigrated in FamilyMember.objects.filter(cadre_id__in=part).values_list(
            "cadre_id", "relation", "emigrated"
        ):
            family[cid].append((relation, emigrated))
        for cid, major, level, ended in Education.objects.filter(cadre_id__in=part).values_list(
            "cadre_id", "major", "level", "end_date"
        ):
            if major:
                majors[cid].append(major)
            educations[cid].append(EducationFact(EDUCATION_RANK.get(level, 0), ended))
        for cid, listed_on, left_on, tier in Member.objects.filter(
            cadre_id__in=part, listed_on__isnull=False
        ).values_list("cadre_id", "listed_on", "left_on", "tier"):
            if listed_on is not None:
                reserve[cid].append(ReserveFact(listed_on, left_on, tier))
    return [
        CadreFacts(
            **row,
            assessments=assessments.get(row["id"], {}),
            sanctions=tuple(sanctions.get(row["id"], ())),
            training_hours=dict(training.get(row["id"], {})),
            family=tuple(family.get(row["id"], ())),
            findings=tuple(findings.get(row["id"], ())),
            tenures=tuple(tenures.get(row["id"], ())),
            majors=tuple(majors.get(row["id"], ())),
            educations=tuple(educations.get(row["id"], ())),
            reserve=tuple(reserve.get(row["id"], ())),
        )
        for row in rows
    ]


def promotion_exception_get(*, actor: Any, pk: int) -> PromotionException:
    """One 破格 request about a cadre in the actor's scope; NotFound otherwise."""
    require_perm(actor, "people.view_cadre")
    found = (
        PromotionException.objects.filter(unit_scope_q(actor, prefix="cadre__unit__"), pk=pk)
        .select_related("cadre", "post")
        .first()
    )
    if found is None:
        raise NotFound(_("未找到该破格提拔申请，或其不在您的管理范围内。"))
    return found


def explain_for(*, actor: Any, cadre: Cadre, post: Post, ref: dt.date | None = None) -> Explanation:
    """Why `cadre` is or is not eligible for `post` at `ref`, rule by rule."""
    require_unit(actor, "people.view_cadre", cadre.unit)
    require_unit(actor, "org.view_post", post.unit)
    ref = ref or today()
    facts = cadre_facts(Cadre.objects.filter(pk=cadre.pk))[0]
    waivers = approved_waivers(post, [cadre.pk])
    waived = frozenset(rid for rid, ids in waivers.items() if cadre.pk in ids)
    return explain(rules_for_post(post, ref), facts, post_facts(post), ref, waived)


def candidates_base(*, actor: Any, post: Post) -> QuerySet[Cadre]:
    """Who may be considered at all: active cadres in the actor's scope."""
    require_perm(actor, "people.view_cadre")
    require_unit(actor, "org.view_post", post.unit)
    return Cadre.objects.filter(unit_scope_q(actor, prefix="unit__"), status=CadreStatus.ACTIVE)


@dataclass(frozen=True)
class RuleCount:
    rule: Rule
    failing: int
    note: str = ""  # the ladder's rung for the post (rules.ladder_summary)


@dataclass(frozen=True)
class RuleLine:
    """A rule of the rules table, with its count when known (a background
    count not yet done: None; decision 0112)."""

    rule: Rule
    failing: int | None
    note: str = ""


@dataclass(frozen=True)
class Screening:
    """One post's screening at `ref` for one actor: the candidates, the rules
    and the approved waivers, each built once however often a page reads them."""

    post: Post
    ref: dt.date
    base: QuerySet[Cadre]  # who is considered at all
    rules: list[Rule]
    facts: PostFacts
    waivers: dict[str, set[int]]
    history: bool  # facts as of `ref` need the history (compile.needs_history)

    def eligible(self) -> QuerySet[Cadre]:
        """Every cadre of `base` that no rule fails, as one SQL query."""
        return screen_queryset(
            self.base, self.rules, self.facts, self.ref, self.waivers, self.history
        )

    def applicable(self) -> list[Rule]:
        """The rules that concern the post (the rules table's rows)."""
        return [r for r in self.rules if r.concerns(self.facts)]

    def rule_lines(self, counts: dict[str, int] | None) -> list[RuleLine]:
        """The rules table without running the aggregate: each applicable rule
        with its count from `counts` (rule id → failing; a background job's
        result), None where there is none yet. No query."""
        return [
            RuleLine(rule, (counts or {}).get(rule.id), ladder_summary(rule, self.post.level))
            for rule in self.applicable()
        ]

    def considered_up_to(self, limit: int) -> int:
        """How many candidates are considered, counted up to limit + 1 (a
        bounded read whatever the scope; exact when at most `limit`)."""
        return int(self.base.order_by()[: limit + 1].count())

    def failure_counts(self) -> list[RuleCount]:
        """How many candidates each applicable rule excludes, in one aggregate."""
        applicable = self.applicable()
        if not applicable:
            return []
        # For each rule, count the rows it does not pass.
        annotations = rule_annotations(applicable, self.ref, history=self.history)
        with _without_jit():
            counts = self._counts(applicable, annotations)
        return [
            RuleCount(rule, counts[f"r{i}"], ladder_summary(rule, self.post.level))
            for i, rule in enumerate(applicable)
        ]

    def _counts(self, applicable: list[Rule], annotations: dict[str, Any]) -> dict[str, int]:
        tests = [
            rule_pass_q(rule, self.facts, self.ref, self.waivers.get(rule.id, ()), per_row=True)
            for rule in applicable
        ]
        rows = self.base.annotate(**annotations)
        if not reads_subquery(annotations):
            # Each rule's count: FILTER (WHERE NOT its test), in one pass.
            return rows.aggregate(
                **{f"r{i}": Count("pk", filter=~Q(test)) for i, test in enumerate(tests)}
            )
        # A test reads a subquery column (training hours, posts held): Django
        # then aggregates over the rows as a subquery, and a test's own EXISTS
        # (a sanction, a finding) would name the cadre table from outside it
        # ("no such column: people_cadre.id" on SQLite, "missing FROM-clause
        # entry" on PostgreSQL). So each test becomes a column of the rows, 1
        # where it holds as a WHERE clause takes it (an unknown is not a pass),
        # and the aggregate counts the 0s. A little slower; the same counts.
        passes = {
            f"p{i}": Case(When(test, then=Value(1)), default=Value(0), output_field=IntegerField())
            for i, test in enumerate(tests)
        }
        return rows.annotate(**passes).aggregate(
            **{f"r{i}": Count("pk", filter=Q(**{f"p{i}": 0})) for i in range(len(tests))}
        )


def screening(*, actor: Any, post: Post, ref: dt.date | None = None) -> Screening:
    """The screening of `post` at `ref` (default today) in the actor's scope."""
    ref = ref or today()
    return Screening(
        post=post,
        ref=ref,
        base=candidates_base(actor=actor, post=post),
        rules=rules_for_post(post, ref),
        facts=post_facts(post),
        waivers=approved_waivers(post),
        history=needs_history(ref),
    )


def screen(*, actor: Any, post: Post, ref: dt.date | None = None) -> QuerySet[Cadre]:
    """Every cadre eligible for `post` at `ref`, as one SQL query."""
    return screening(actor=actor, post=post, ref=ref).eligible()


def failure_counts(*, actor: Any, post: Post, ref: dt.date | None = None) -> list[RuleCount]:
    """How many candidates each applicable rule excludes (one aggregate query)."""
    return screening(actor=actor, post=post, ref=ref).failure_counts()


@dataclass(frozen=True)
class PostVerdict:
    post: Post
    explanation: Explanation


def eligible_posts(
    *, actor: Any, cadre: Cadre, unit: Any, ref: dt.date | None = None, only_eligible: bool = True
) -> list[PostVerdict]:
    """The posts of `unit` (not its subtree) and the cadre's verdict for each."""
    from xuanren.org.selectors import post_list

    require_unit(actor, "people.view_cadre", cadre.unit)
    ref = ref or today()
    facts = cadre_facts(Cadre.objects.filter(pk=cadre.pk))[0]
    posts = list(post_list(actor=actor, unit=unit).filter(is_active=True))
    rules = rules_for_posts(posts, ref)
    # The cadre's approved 破格 for any of these posts, in one query.
    waived_by_post: dict[int, set[str]] = defaultdict(set)
    for post_id, rule_ids in PromotionException.objects.filter(
        cadre=cadre, post__in=posts, status=ExceptionStatus.APPROVED
    ).values_list("post_id", "rule_ids"):
        waived_by_post[post_id].update(rule_ids)
    out = []
    for post in posts:
        waived = frozenset(waived_by_post.get(post.pk, ()))
        verdict = explain(rules[post.pk], facts, post_facts(post), ref, waived)
        if verdict.eligible or not only_eligible:
            out.append(PostVerdict(post, verdict))
    return out


@dataclass(frozen=True)
class TrainingStanding:
    """A cadre's training hours against one training-hours rule in force: the
    hours of the rule's window (the `window_years` years up to `on`'s year)."""

    title: str
    source: str
    first_year: int
    last_year: int
    required: int
    word: str
    hours: int

    @property
    def met(self) -> bool:
        return compare(self.hours, self.op, self.required)

    op: Op = Op.GE


def training_standings(*, hours_by_year: dict[int, int], on: dt.date) -> list[TrainingStanding]:
    """The training-hours rules of every rule pack in force on `on`, each with
    the hours of `hours_by_year` in its window. The requirement is the rule's
    own value and source, so a changed pack changes the page (one query)."""
    packs = packs_in_force(RulePack.objects.all(), on)
    out: list[TrainingStanding] = []
    seen: set[str] = set()
    for code in sorted(packs):
        pack = packs[code]
        # Only the training rules are parsed: the page needs nothing else.
        for data in pack.rules:
            if data.get("measure") != Measure.TRAINING_HOURS.value:
                continue
            rule = rule_from_data(data, pack=pack.code, default_source=pack.source)
            cond = rule.condition
            if rule.measure is not Measure.TRAINING_HOURS or cond is None or rule.id in seen:
                continue
            seen.add(rule.id)
            first = on.year - cond.window_years + 1
            out.append(
                TrainingStanding(
                    title=rule.title,
                    source=rule.source,
                    first_year=first,
                    last_year=on.year,
                    required=cond.value,
                    word=cond.word,
                    hours=sum(h for y, h in hours_by_year.items() if first <= y <= on.year),
                    op=cond.op,
                )
            )
    return out
