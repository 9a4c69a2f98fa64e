"""Qualification rules as plain data, and `explain`: evaluating them for one
person over plain facts, with a Chinese sentence per rule. No ORM here; the
SQL side (screen) is in compile.py and must agree with this file exactly.

Chinese legal counting: 以上/以下/以内/不超过/不低于 include the number itself;
超过/不满/低于/未满 exclude it.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuanren.common.dates import completed_years

# ---- comparators ---------------------------------------------------------------


class Op(enum.StrEnum):
    GE = ">="
    LE = "<="
    GT = ">"
    LT = "<"


COMPARATORS: dict[str, Op] = {
    "以上": Op.GE,
    "不低于": Op.GE,
    "至少": Op.GE,
    "以下": Op.LE,
    "以内": Op.LE,
    "不超过": Op.LE,
    "不高于": Op.LE,
    "超过": Op.GT,
    "高于": Op.GT,
    "不满": Op.LT,
    "未满": Op.LT,
    "低于": Op.LT,
}


def compare(value: int, op: Op, limit: int) -> bool:
    if op is Op.GE:
        return value >= limit
    if op is Op.LE:
        return value <= limit
    if op is Op.GT:
        return value > limit
    return value < limit


# ---- what a rule measures ----------------------------------------------------------


class Measure(enum.StrEnum):
    AGE = "age"  # 周岁 from birth_date
    WORKING_YEARS = "working_years"  # from work_start_date
    PARTY_YEARS = "party_years"  # from party_join_date
    YEARS_AT_LEVEL = "years_at_level"  # from level_since, at the cadre's current level
    GRASSROOTS_YEARS = "grassroots_years"  # grassroots_months // 12
    EDUCATION = "education"  # education rank, value is an EducationLevel code
    TRAINING_HOURS = "training_hours"  # sum over `window_years` years up to the reference year
    # distinct posts held (tenure begun by the reference date) at the condition's `levels`
    LOWER_POSTS = "lower_posts"
    PARTY_MEMBER = "party_member"  # political status is a CPC member
    LAST_ASSESSMENT = "last_assessment"  # last year's grade 称职 or better (or 不定等次)
    NO_SANCTION_IN_EFFECT = (
        "no_sanction_in_effect"  # no warning talk / handling / sanction in effect
    )
    PERSONAL_MATTERS_VERIFIED = "personal_matters_verified"
    ARCHIVE_REVIEWED = "archive_reviewed"
    SPOUSE_NOT_EMIGRATED = "spouse_not_emigrated"  # nor, with no spouse, all children
    # no finding of the rule's `finding` category in force on the reference date
    # (RewardPunishment of kind "finding": 纪委认定、民主推荐结果等)
    NO_FINDING = "no_finding"
    FIT_FOR_DUTY = "fit_for_duty"  # the recorded health is one of the rule's `accepted` values
    # the post's 专业要求 names a major the cadre studied or lists as 熟悉专业
    # (docs/decisions/0088); not applicable to a post without one
    PROFESSIONAL = "professional"
    # The promotion ladder (docs/decisions/0089): the post's level may be reached
    # only from the levels its step names, after the step's years there; any
    # other lower level is 越级, waivable by 破格 for one skipped level only.
    LADDER = "ladder"
    # On a fixed 后备干部 list on the reference date (docs/decisions/0155).
    IN_RESERVE = "in_reserve"


DATE_MEASURES: dict[Measure, str] = {
    Measure.AGE: "birth_date",
    Measure.WORKING_YEARS: "work_start_date",
    Measure.PARTY_YEARS: "party_join_date",
    Measure.YEARS_AT_LEVEL: "level_since",
}
NUMERIC_MEASURES = frozenset(
    {
        *DATE_MEASURES,
        Measure.GRASSROOTS_YEARS,
        Measure.EDUCATION,
        Measure.TRAINING_HOURS,
        Measure.LOWER_POSTS,
    }
)

MEASURE_WORDS: dict[Measure, tuple[Any, Any]] = {
    # (what it is called, unit)
    Measure.AGE: (gettext_lazy("年龄"), gettext_lazy("周岁")),
    Measure.WORKING_YEARS: (gettext_lazy("工龄"), gettext_lazy("年")),
    Measure.PARTY_YEARS: (gettext_lazy("党龄"), gettext_lazy("年")),
    Measure.YEARS_AT_LEVEL: (gettext_lazy("任现职务层次年限"), gettext_lazy("年")),
    Measure.GRASSROOTS_YEARS: (gettext_lazy("基层工作经历"), gettext_lazy("年")),
    Measure.TRAINING_HOURS: (gettext_lazy("培训学时"), gettext_lazy("学时")),
    Measure.EDUCATION: (gettext_lazy("学历"), ""),
    Measure.LOWER_POSTS: (gettext_lazy("下一级任职职位数"), gettext_lazy("个职位")),
}

MISSING_FIELD_WORDS: dict[str, Any] = {
    "birth_date": gettext_lazy("出生日期"),
    "work_start_date": gettext_lazy("参加工作时间"),
    "party_join_date": gettext_lazy("入党时间"),
    "level_since": gettext_lazy("任现职务层次时间"),
    "grassroots_months": gettext_lazy("基层工作经历"),
    "education_rank": gettext_lazy("学历"),
    "last_assessment": gettext_lazy("上一年度考核结果"),
    "punishment_effect_until": gettext_lazy("处分影响期截止日期"),
    "health": gettext_lazy("健康状况"),
    "majors": gettext_lazy("所学专业或熟悉专业"),
    "rank_since": gettext_lazy("任现职级时间"),
}

EDUCATION_RANK: dict[str, int] = {
    "postgraduate": 6,
    "bachelor": 5,
    "junior_college": 4,
    "secondary_vocational": 3,
    "high_school": 2,
    "junior_high_or_below": 1,
}
EDUCATION_WORDS: dict[int, Any] = {
    6: gettext_lazy("研究生"),
    5: gettext_lazy("大学本科"),
    4: gettext_lazy("大学专科"),
    3: gettext_lazy("中专"),
    2: gettext_lazy("高中"),
    1: gettext_lazy("初中及以下"),
}
FINDING_WORDS: dict[str, Any] = {
    "political_discipline": gettext_lazy("违反政治纪律和政治规矩"),
    "low_recognition": gettext_lazy("群众公认度不高"),
    "office_seeking": gettext_lazy("跑官要官、拉票贿选等非组织行为"),
}
GOOD_GRADES = frozenset({"excellent", "competent", "not_graded"})
SANCTION_CATEGORIES = frozenset(
    {"warning_talk", "organizational_handling", "party_discipline", "government_sanction"}
)
PARTY_STATUSES = frozenset({"cpc_member", "cpc_probationary"})
CHILD_RELATIONS = frozenset({"son", "daughter"})
LEVEL_RANK: dict[str, int] = {
    "bureau_principal": 8,
    "bureau_deputy": 7,
    "division_principal": 6,
    "division_deputy": 5,
    "section_principal": 4,
    "section_deputy": 3,
    "subsection_principal": 2,
    "subsection_deputy": 1,
}
LEVEL_WORDS: dict[str, Any] = {
    "bureau_principal": gettext_lazy("正厅级"),
    "bureau_deputy": gettext_lazy("副厅级"),
    "division_principal": gettext_lazy("正处级"),
    "division_deputy": gettext_lazy("副处级"),
    "section_principal": gettext_lazy("正科级"),
    "section_deputy": gettext_lazy("副科级"),
    "subsection_principal": gettext_lazy("正股级"),
    "subsection_deputy": gettext_lazy("副股级"),
}


# ---- the facts a rule reads --------------------------------------------------------


@dataclass(frozen=True)
class Sanction:
    category: str
    decided_on: dt.date
    effect_until: dt.date | None


@dataclass(frozen=True)
class Finding:
    """A recorded finding (e.g. of the discipline commission): in force from
    `decided_on` to `effect_until` inclusive, or without end when None."""

    category: str
    decided_on: dt.date
    effect_until: dt.date | None


@dataclass(frozen=True)
class TenureFact:
    """One post held: its level, from `start` until `end` (exclusive; None: still held)."""

    post_id: int
    level: str
    start: dt.date
    end: dt.date | None = None


@dataclass(frozen=True)
class EducationFact:
    """One education entry: its rank (EDUCATION_RANK, 0 for none) and graduation date."""

    rank: int
    end: dt.date | None = None


@dataclass(frozen=True)
class ReserveFact:
    """A place on a fixed reserve list: from `listed_on` until `left_on`
    (exclusive; None: still on it)."""

    listed_on: dt.date
    left_on: dt.date | None = None
    tier: str = ""

    def on(self, ref: dt.date) -> bool:
        return self.listed_on <= ref and (self.left_on is None or self.left_on > ref)


@dataclass(frozen=True)
class CadreFacts:
    """What the rules read about one cadre: plain values, loaded once."""

    id: int
    name: str
    sex: str
    birth_date: dt.date | None
    level: str = ""
    level_since: dt.date | None = None
    work_start_date: dt.date | None = None
    party_join_date: dt.date | None = None
    political_status: str = ""
    education_rank: int = 0
    grassroots_months: int | None = None
    personal_matters_status: str = ""
    archive_review_status: str = ""
    assessments: Mapping[int, str] = field(default_factory=dict)  # year → grade
    sanctions: Sequence[Sanction] = ()
    training_hours: Mapping[int, int] = field(default_factory=dict)  # year → hours
    family: Sequence[tuple[str, bool]] = ()  # (relation, emigrated)
    tenures: Sequence[TenureFact] = ()
    findings: Sequence[Finding] = ()
    health: str = ""
    specialty: str = ""  # 熟悉专业有何专长
    majors: Sequence[str] = ()  # the 专业 of each education row
    rank: str = ""  # 职级 as written
    rank_since: dt.date | None = None
    # The graduation date of the highest education (None: unknown, so held at any date).
    education_since: dt.date | None = None
    educations: Sequence[EducationFact] = ()
    reserve: Sequence[ReserveFact] = ()  # places on 后备干部 lists (docs/decisions/0155)

    def in_reserve(self, ref: dt.date) -> bool:
        """On a fixed reserve list on `ref`."""
        return any(r.on(ref) for r in self.reserve)


@dataclass(frozen=True)
class PostFacts:
    level: str
    is_principal: bool
    is_party_government_principal: bool
    category: str
    unit_kind: str
    unit_group: str  # "county_organ", "township" or "other"
    title: str = ""
    professional_requirement: str = ""  # 专业要求 as written


# ---- rules ----------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """A numeric comparison on one measure (used for rules and for `when`)."""

    measure: Measure
    op: Op
    value: int
    word: str  # the Chinese comparator as written in the pack
    window_years: int = 5  # training hours only
    levels: frozenset[str] = frozenset()  # lower posts only: the levels that count


@dataclass(frozen=True)
class LadderStep:
    """One rung of the promotion ladder: `to` is reached from one of `from_levels`
    ("" is 未担任领导职务) or, where the rules count them as equivalent, from one
    of the 职级 `ranks`, after `years` there."""

    to: str
    from_levels: frozenset[str]
    years: int
    source: str
    ranks: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Applies:
    """Which posts a rule is about (empty = any)."""

    levels: frozenset[str] = frozenset()
    principal: bool | None = None
    party_government_principal: bool | None = None
    unit_groups: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()

    def matches(self, post: PostFacts) -> bool:
        return (
            (not self.levels or post.level in self.levels)
            and (self.principal is None or post.is_principal == self.principal)
            and (
                self.party_government_principal is None
                or post.is_party_government_principal == self.party_government_principal
            )
            and (not self.unit_groups or post.unit_group in self.unit_groups)
            and (not self.categories or post.category in self.categories)
        )


@dataclass(frozen=True)
class When:
    """Which people a rule is about, among candidates for a matching post."""

    sex: str | None = None
    promotion: bool | None = None  # the cadre's level is below the post's
    level_is: str | None = None  # the cadre's current level is exactly this
    condition: Condition | None = None  # e.g. age 不满 30


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    source: str
    pack: str
    measure: Measure
    condition: Condition | None  # None for yes/no measures
    applies: Applies = Applies()
    when: When = When()
    waivable: bool = False
    finding: str = ""  # NO_FINDING: the finding category
    accepted: frozenset[str] = frozenset()  # FIT_FOR_DUTY: the health values that pass
    # An exception the source itself provides (e.g. training completed within a
    # year after the promotion): shown on failure, and on an approved exception
    # as the obligation it carries instead of "破格".
    exception: str = ""
    steps: tuple[LadderStep, ...] = ()  # LADDER: the rungs

    def step_to(self, level: str) -> LadderStep | None:
        return next((s for s in self.steps if s.to == level), None)

    def concerns(self, post: PostFacts) -> bool:
        """Whether the rule is about `post` at all: its `applies`, and for the
        专业 rule a post stating a requirement (docs/decisions/0088)."""
        if not self.applies.matches(post):
            return False
        if self.measure is Measure.LADDER:
            return self.step_to(post.level) is not None
        return self.measure is not Measure.PROFESSIONAL or bool(
            requirement_terms(post.professional_requirement)
        )


class Status(enum.StrEnum):
    PASS = "pass"
    FAIL = "fail"
    WAIVED = "waived"
    NOT_APPLICABLE = "not_applicable"


STATUS_WORDS = {
    Status.PASS: gettext_lazy("符合"),
    Status.FAIL: gettext_lazy("不符合"),
    Status.WAIVED: gettext_lazy("破格"),
    Status.NOT_APPLICABLE: gettext_lazy("不适用"),
}


@dataclass(frozen=True)
class RuleResult:
    rule: Rule
    status: Status
    sentence: str
    missing: str = ""  # the field whose absence failed the rule
    # The source the sentence cites when it is not the rule's own (a ladder
    # rung's); `cited` is what a page shows on the source line.
    source: str = ""

    @property
    def cited(self) -> str:
        return self.source or self.rule.source


@dataclass(frozen=True)
class Explanation:
    cadre: CadreFacts
    ref_date: dt.date
    results: tuple[RuleResult, ...]

    @property
    def eligible(self) -> bool:
        return all(r.status is not Status.FAIL for r in self.results)

    @property
    def failed(self) -> tuple[RuleResult, ...]:
        return tuple(r for r in self.results if r.status is Status.FAIL)


# ---- professional requirement (专业要求) -------------------------------------------

#: The separators between the majors a 专业要求 lists (docs/decisions/0088).
REQUIREMENT_SEPARATORS = re.compile(r"[、，,；;/／]")


def requirement_terms(requirement: str) -> tuple[str, ...]:
    """The majors or categories a 专业要求 lists, in order, blanks dropped."""
    terms = (t.strip() for t in REQUIREMENT_SEPARATORS.split(requirement or ""))
    return tuple(dict.fromkeys(t for t in terms if t))


def ascii_lower(text: str) -> str:
    # What SQLite's LIKE folds: ASCII letters only (docs/decisions/0088).
    return "".join(c.lower() if c.isascii() else c for c in text)


def matching_term(terms: Sequence[str], texts: Sequence[str]) -> str | None:
    """The first term contained in one of `texts` (ASCII letters case-insensitive)."""
    folded = [ascii_lower(t) for t in texts if t]
    for term in terms:
        needle = ascii_lower(term)
        if any(needle in text for text in folded):
            return term
    return None


def _professional(rule: Rule, facts: CadreFacts, post: PostFacts) -> tuple[bool, str, str]:
    terms = requirement_terms(post.professional_requirement)
    requirement = "、".join(terms)
    majors = [m.strip() for m in facts.majors if m.strip()]
    specialty = facts.specialty.strip()
    if not majors and not specialty:
        what = _("未填写所学专业和熟悉专业（职位专业要求：%(r)s）") % {"r": requirement}
        return False, _incomplete(what, rule), "majors"
    found = matching_term(terms, [*majors, specialty])
    have = _("所学专业：%(m)s；熟悉专业：%(s)s") % {
        "m": "、".join(majors) or _("未填写"),
        "s": specialty or _("未填写"),
    }
    if found is None:
        text = _("%(have)s，均不含职位专业要求所列的“%(r)s”") % {"have": have, "r": requirement}
        return False, text + _meets(False, rule), ""
    text = _("%(have)s，含职位专业要求所列的“%(t)s”") % {"have": have, "t": found}
    return True, text + _meets(True, rule), ""


# ---- facts as of a date (docs/decisions/0089) -------------------------------------
#
# The cadre's record holds today's level, education and political status; the
# history (tenures, education entries) gives them for an earlier date. A change
# dated on `ref` counts on `ref`, so a past appointment is re-checked with the
# facts of the day before its decision. compile.py writes the same as SQL.


def level_at(facts: CadreFacts, ref: dt.date) -> tuple[str, dt.date | None]:
    """The leadership level held on `ref` and since when: today's when it began
    by `ref` (or its date is unknown, so it counts as held on any date); else
    the highest level of the tenures in force on `ref`; else none."""
    if facts.level_since is None or facts.level_since <= ref:
        return facts.level, facts.level_since
    held = [
        t
        for t in facts.tenures
        if t.level in LEVEL_RANK and t.start <= ref and (t.end is None or t.end > ref)
    ]
    if not held:
        return "", None
    top = max(held, key=lambda t: LEVEL_RANK[t.level]).level
    return top, min(t.start for t in facts.tenures if t.level == top and t.start <= ref)


def education_at(facts: CadreFacts, ref: dt.date) -> int:
    """The highest education rank attained by `ref` (0: none recorded)."""
    if facts.education_since is None or facts.education_since <= ref:
        return facts.education_rank
    return max((e.rank for e in facts.educations if e.end is None or e.end <= ref), default=0)


def facts_at(facts: CadreFacts, ref: dt.date) -> CadreFacts:
    """`facts` with the level, 职级, education and party membership of `ref`."""
    level, since = level_at(facts, ref)
    rank_held = facts.rank_since is None or facts.rank_since <= ref
    joined = facts.party_join_date is None or facts.party_join_date <= ref
    status = facts.political_status
    if status in PARTY_STATUSES and not joined:
        status = ""
    return replace(
        facts,
        level=level,
        level_since=since,
        education_rank=education_at(facts, ref),
        rank=facts.rank if rank_held else "",
        rank_since=facts.rank_since if rank_held else None,
        political_status=status,
    )


def ladder_path(rule: Rule, start: str, target: str) -> list[str] | None:
    """The shortest chain of ladder rungs from `start` up to `target`, both
    included (None: the ladder does not lead from `start` to `target`)."""
    previous: dict[str, str] = {}
    frontier = [target]
    seen = {target}
    while frontier:
        following = []
        for level in frontier:
            step = rule.step_to(level)
            for lower in sorted(step.from_levels) if step else ():
                if lower not in seen:
                    seen.add(lower)
                    previous[lower] = level
                    following.append(lower)
        frontier = following
    if start not in seen:
        return None
    path = [start]
    while path[-1] != target:
        path.append(previous[path[-1]])
    return path


def skipped_levels(rule: Rule, start: str, target: str) -> list[str] | None:
    """The rungs a promotion from `start` to `target` jumps over ([]: none;
    None: not on the ladder at all, treated as more than one level)."""
    path = ladder_path(rule, start, target)
    return None if path is None else path[1:-1]


#: 破格 may jump one level of the ladder, never two (DOMAIN §4).
MAX_SKIPPED_LEVELS = 1


def ladder_waivable_levels(rule: Rule, target: str) -> frozenset[str]:
    """The lower levels from which an approved 破格 can cover a 越级 to `target`."""
    out = set()
    for level in ("", *LEVEL_RANK):
        skipped = skipped_levels(rule, level, target)
        if skipped is not None and 0 < len(skipped) <= MAX_SKIPPED_LEVELS:
            out.add(level)
    return frozenset(out)


def level_words(level: str) -> str:
    return str(LEVEL_WORDS[level]) if level in LEVEL_WORDS else _("未担任领导职务")


def _ladder_need(step: LadderStep) -> str:
    froms = "、".join(
        level_words(code) for code in sorted(step.from_levels, key=lambda c: -LEVEL_RANK.get(c, 0))
    )
    if step.ranks:
        froms = _("%(levels)s或职级%(ranks)s") % {
            "levels": froms,
            "ranks": "、".join(sorted(step.ranks)),
        }
    if step.years:
        return _("提任%(to)s应当由%(from)s任职%(n)d年以上") % {
            "to": level_words(step.to),
            "from": froms,
            "n": step.years,
        }
    return _("提任%(to)s应当由%(from)s提任") % {"to": level_words(step.to), "from": froms}


def ladder_summary(rule: Rule, target: str) -> str:
    """The rung to `target` in one sentence, with what 破格 may and may not cover."""
    step = rule.step_to(target)
    if step is None:
        return ""
    text = _ladder_need(step)
    coverable = ladder_waivable_levels(rule, target)
    if coverable:
        froms = "、".join(
            level_words(code) for code in sorted(coverable, key=lambda c: -LEVEL_RANK.get(c, 0))
        )
        text += _("；由%(from)s提任属越级（越一级），须经批准破格提拔") % {"from": froms}
    below = [c for c in ("", *LEVEL_RANK) if LEVEL_RANK.get(c, 0) < LEVEL_RANK[target]]
    if any(c not in step.from_levels and c not in coverable for c in below):
        text += _("；不得越两级提拔")
    return text + _("（来源：%(s)s）") % {"s": step.source or rule.source}


def _ladder(rule: Rule, facts: CadreFacts, post: PostFacts, ref: dt.date) -> tuple[bool, str, str]:
    """(passes, sentence, missing) for the promotion ladder; a 越级 of more than
    one level is marked by ladder_jump_too_far()."""
    step = rule.step_to(post.level)
    assert step is not None  # concerns() holds
    src = _("（来源：%(s)s）") % {"s": step.source or rule.source}
    need = _("逐级提拔要求（%(n)s）") % {"n": _ladder_need(step)}
    held = (
        _("现任%(l)s") % {"l": LEVEL_WORDS[facts.level]}
        if facts.level in LEVEL_WORDS
        else _("未担任领导职务")
    )
    paths: list[tuple[str, dt.date | None, str]] = []  # (what is held, since, its field)
    if facts.level in step.from_levels:
        paths.append((held, facts.level_since, "level_since"))
    if facts.rank and facts.rank in step.ranks:
        paths.append((_("现任职级%(r)s") % {"r": facts.rank}, facts.rank_since, "rank_since"))
    if not paths:
        skipped = skipped_levels(rule, facts.level, post.level)
        if skipped is None:
            gap = _("不在提任%(to)s的逐级路径上") % {"to": level_words(post.level)}
        else:
            gap = _("越过%(levels)s，属越级提拔") % {
                "levels": "、".join(level_words(code) for code in skipped)
            }
        text = _("%(held)s，%(gap)s，不符合%(need)s") % {"held": held, "gap": gap, "need": need}
        return False, text + src, ""
    missing = ""
    sentences = []
    for have, since, field_name in paths:
        if not step.years:
            return True, _("%(have)s，符合%(need)s") % {"have": have, "need": need} + src, ""
        if since is None:
            missing = missing or field_name
            sentences.append(
                _("%(have)s，未填写任职时间，无法认定%(need)s") % {"have": have, "need": need}
            )
            continue
        years = completed_years(since, ref)
        words = {"have": have, "start": _d(since), "ref": _d(ref), "n": years, "need": need}
        if years >= step.years:
            text = _("%(have)s，自 %(start)s 起算至基准日 %(ref)s 满 %(n)d 年，符合%(need)s")
            return True, text % words + src, ""
        sentences.append(
            _("%(have)s，自 %(start)s 起算至基准日 %(ref)s 满 %(n)d 年，不符合%(need)s") % words
        )
    return False, "；".join(sentences) + src, missing


def ladder_jump_too_far(rule: Rule, facts: CadreFacts, post: PostFacts) -> bool:
    """A 越级 over more than one rung, which no 破格 covers."""
    step = rule.step_to(post.level)
    if step is None or facts.level in step.from_levels:
        return False
    if facts.rank and facts.rank in step.ranks:
        return False
    skipped = skipped_levels(rule, facts.level, post.level)
    return skipped is None or len(skipped) > MAX_SKIPPED_LEVELS


# ---- evaluation --------------------------------------------------------------------


def _d(day: dt.date) -> str:
    return day.isoformat()


def measured(facts: CadreFacts, cond: Condition, ref: dt.date) -> tuple[int | None, str]:
    """The number a condition compares, or (None, missing field name)."""
    m = cond.measure
    if m in DATE_MEASURES:
        name = DATE_MEASURES[m]
        start = getattr(facts, name)
        return (None, name) if start is None else (completed_years(start, ref), "")
    if m is Measure.GRASSROOTS_YEARS:
        months = facts.grassroots_months
        return (None, "grassroots_months") if months is None else (months // 12, "")
    if m is Measure.EDUCATION:
        rank = facts.education_rank
        return (None, "education_rank") if rank <= 0 else (rank, "")
    if m is Measure.TRAINING_HOURS:
        first = ref.year - cond.window_years + 1
        return sum(h for y, h in facts.training_hours.items() if first <= y <= ref.year), ""
    if m is Measure.LOWER_POSTS:
        posts = {t.post_id for t in facts.tenures if t.level in cond.levels and t.start <= ref}
        return len(posts), ""
    raise ValueError(m)


def is_promotion(facts: CadreFacts, post: PostFacts) -> bool:
    return LEVEL_RANK.get(facts.level, 0) < LEVEL_RANK.get(post.level, 0)


def _when_holds(rule: Rule, facts: CadreFacts, post: PostFacts, ref: dt.date) -> bool | None:
    """True/False whether the rule concerns this person; None when the data to
    decide is missing (then the rule applies: missing data never helps)."""
    w = rule.when
    if w.sex is not None and facts.sex != w.sex:
        return False
    if w.promotion is not None and is_promotion(facts, post) != w.promotion:
        return False
    if w.level_is is not None and facts.level != w.level_is:
        return False
    if w.condition is not None:
        value, _missing = measured(facts, w.condition, ref)
        if value is None:
            return None
        return compare(value, w.condition.op, w.condition.value)
    return True


SUFFIX_WORDS = frozenset({"以上", "以下", "以内"})
#: The comparators as the packs write them, for translation.
COMPARATOR_WORDS: dict[str, Any] = {
    "以上": gettext_lazy("以上"),
    "不低于": gettext_lazy("不低于"),
    "至少": gettext_lazy("至少"),
    "以下": gettext_lazy("以下"),
    "以内": gettext_lazy("以内"),
    "不超过": gettext_lazy("不超过"),
    "不高于": gettext_lazy("不高于"),
    "超过": gettext_lazy("超过"),
    "高于": gettext_lazy("高于"),
    "不满": gettext_lazy("不满"),
    "未满": gettext_lazy("未满"),
    "低于": gettext_lazy("低于"),
}
GRADE_WORDS: dict[str, Any] = {
    "excellent": gettext_lazy("优秀"),
    "competent": gettext_lazy("称职"),
    "basically_competent": gettext_lazy("基本称职"),
    "incompetent": gettext_lazy("不称职"),
    "not_graded": gettext_lazy("不定等次"),
}


def _limit_words(cond: Condition) -> str:
    """ "45周岁以下" but "不超过45周岁": the words go where Chinese puts them."""
    if cond.measure is Measure.EDUCATION:
        amount = str(EDUCATION_WORDS[cond.value])
    else:
        amount = _("%(n)d%(unit)s") % {"n": cond.value, "unit": MEASURE_WORDS[cond.measure][1]}
    word = str(COMPARATOR_WORDS.get(cond.word, cond.word))
    if cond.word in SUFFIX_WORDS:
        return _("%(amount)s%(word)s") % {"amount": amount, "word": word}
    return _("%(word)s%(amount)s") % {"amount": amount, "word": word}


def _src(rule: Rule) -> str:
    return _("（来源：%(s)s）") % {"s": rule.source}


def _meets(ok: bool, rule: Rule) -> str:
    """ "，符合“title”" or "，不符合“title”" followed by the source."""
    if ok:
        return _("，符合“%(t)s”") % {"t": rule.title} + _src(rule)
    return _("，不符合“%(t)s”") % {"t": rule.title} + _src(rule)


def _numeric_sentence(
    rule: Rule, facts: CadreFacts, cond: Condition, value: int, ref: dt.date, ok: bool
) -> str:
    m = cond.measure
    if m is Measure.AGE:
        sex = {"male": _("男"), "female": _("女")}.get(facts.sex, "")
        assert facts.birth_date is not None
        have = _("%(sex)s，%(birth)s 生，至基准日 %(ref)s 为 %(n)d 周岁") % {
            "sex": sex,
            "birth": _d(facts.birth_date),
            "ref": _d(ref),
            "n": value,
        }
    elif m in DATE_MEASURES:
        start = getattr(facts, DATE_MEASURES[m])
        have = _("自 %(start)s 起算，至基准日 %(ref)s %(what)s满 %(n)d 年") % {
            "start": _d(start),
            "ref": _d(ref),
            "what": MEASURE_WORDS[m][0],
            "n": value,
        }
        if m is Measure.YEARS_AT_LEVEL:
            have = _("现任%(level)s，") % {"level": LEVEL_WORDS.get(facts.level, "")} + have
    elif m is Measure.GRASSROOTS_YEARS:
        have = _("基层工作经历 %(m)s 个月，计 %(n)d 年") % {
            "m": facts.grassroots_months,
            "n": value,
        }
    elif m is Measure.EDUCATION:
        have = _("最高学历为%(e)s") % {"e": EDUCATION_WORDS.get(value, "")}
    elif m is Measure.LOWER_POSTS:
        levels = "、".join(
            str(LEVEL_WORDS[code]) for code in sorted(cond.levels, key=lambda c: -LEVEL_RANK[c])
        )
        have = _("至基准日 %(ref)s 在%(levels)s任职 %(n)d 个职位") % {
            "ref": _d(ref),
            "levels": levels,
            "n": value,
        }
    else:
        have = _("%(a)d—%(b)d 年累计培训 %(n)d 学时") % {
            "a": ref.year - cond.window_years + 1,
            "b": ref.year,
            "n": value,
        }
    verdict = _("符合") if ok else _("不符合")
    need = _("“%(t)s”（%(l)s）") % {"t": rule.title, "l": _limit_words(cond)}
    return _("%(have)s，%(verdict)s%(need)s") % {
        "have": have,
        "verdict": verdict,
        "need": need,
    } + _src(rule)


def _incomplete(what: str, rule: Rule) -> str:
    return _("资料不全：%(what)s，无法认定“%(t)s”") % {"what": what, "t": rule.title} + _src(rule)


def _flag(rule: Rule, facts: CadreFacts, ref: dt.date) -> tuple[bool, str, str]:
    """(passes, sentence, missing) for the yes/no measures."""
    m = rule.measure
    if m is Measure.PARTY_MEMBER:
        ok = facts.political_status in PARTY_STATUSES
        return ok, (_("系中共党员") if ok else _("不是中共党员")) + _meets(ok, rule), ""
    if m is Measure.LAST_ASSESSMENT:
        year = ref.year - 1
        grade = facts.assessments.get(year)
        if grade is None:
            what = _("未录入 %(y)d 年度考核结果") % {"y": year}
            return False, _incomplete(what, rule), "last_assessment"
        ok = grade in GOOD_GRADES
        text = _("%(y)d 年度考核%(g)s") % {"y": year, "g": GRADE_WORDS.get(grade, grade)}
        return ok, text + _meets(ok, rule), ""
    if m is Measure.NO_SANCTION_IN_EFFECT:
        for s in facts.sanctions:
            if s.category not in SANCTION_CATEGORIES or s.decided_on > ref:
                continue
            if s.effect_until is None:
                what = _("%(d)s 的处理未填写影响期截止日期") % {"d": _d(s.decided_on)}
                return False, _incomplete(what, rule), "punishment_effect_until"
            if s.effect_until >= ref:
                text = _("%(d)s 受到的处理影响期至 %(u)s，基准日仍在影响期内") % {
                    "d": _d(s.decided_on),
                    "u": _d(s.effect_until),
                }
                return False, text + _meets(False, rule), ""
        return True, _("基准日不在诫勉、组织处理或处分影响期内") + _meets(True, rule), ""
    if m is Measure.PERSONAL_MATTERS_VERIFIED:
        ok = facts.personal_matters_status == "verified"
        text = _("个人有关事项报告已核实一致") if ok else _("个人有关事项报告未经核实一致")
        return ok, text + _meets(ok, rule), ""
    if m is Measure.ARCHIVE_REVIEWED:
        ok = facts.archive_review_status == "passed"
        text = _("干部档案已审核通过") if ok else _("干部档案未审核通过")
        return ok, text + _meets(ok, rule), ""
    if m is Measure.SPOUSE_NOT_EMIGRATED:
        spouses = [e for r, e in facts.family if r == "spouse"]
        children = [e for r, e in facts.family if r in CHILD_RELATIONS]
        if any(spouses):
            return False, _("配偶已移居国（境）外") + _meets(False, rule), ""
        if not spouses and children and all(children):
            return False, _("无配偶，子女均已移居国（境）外") + _meets(False, rule), ""
        text = _("不属于配偶已移居国（境）外或无配偶而子女均已移居的情形")
        return True, text + _meets(True, rule), ""
    if m is Measure.NO_FINDING:
        what = FINDING_WORDS.get(rule.finding, rule.finding)
        for f in facts.findings:
            if f.category != rule.finding or f.decided_on > ref:
                continue
            if f.effect_until is None or f.effect_until >= ref:
                until = (
                    _("影响期至 %(u)s") % {"u": _d(f.effect_until)}
                    if f.effect_until
                    else _("未定影响期截止日期")
                )
                text = _("%(d)s 认定%(w)s（%(u)s），基准日仍在影响期内") % {
                    "d": _d(f.decided_on),
                    "w": what,
                    "u": until,
                }
                return False, text + _meets(False, rule), ""
        text = _("基准日无在影响期内的“%(w)s”认定") % {"w": what}
        return True, text + _meets(True, rule), ""
    if m is Measure.IN_RESERVE:
        ok = facts.in_reserve(ref)
        text = _("基准日在后备干部名单中") if ok else _("基准日不在后备干部名单中")
        return ok, text + _meets(ok, rule), ""
    if m is Measure.FIT_FOR_DUTY:
        if not facts.health.strip():
            return False, _incomplete(_("未填写健康状况"), rule), "health"
        ok = facts.health.strip() in rule.accepted
        text = _("健康状况：%(h)s") % {"h": facts.health.strip()}
        return ok, text + _meets(ok, rule), ""
    raise ValueError(m)


def evaluate(
    rule: Rule, facts: CadreFacts, post: PostFacts, ref: dt.date, waived: bool = False
) -> RuleResult:
    no_rung = rule.measure is Measure.LADDER and rule.step_to(post.level) is None
    if not rule.applies.matches(post) or no_rung:
        text = _("“%(t)s”不适用于该职位") % {"t": rule.title}
        return RuleResult(rule, Status.NOT_APPLICABLE, text + _src(rule))
    # None (cannot tell whether the person is concerned) counts as concerned.
    if _when_holds(rule, facts, post, ref) is False:
        text = _("“%(t)s”不适用于本人") % {"t": rule.title}
        return RuleResult(rule, Status.NOT_APPLICABLE, text + _src(rule))
    cited = ""  # the rule's own source
    if rule.measure is Measure.PROFESSIONAL:
        if not requirement_terms(post.professional_requirement):
            text = _("该职位无专业要求，“%(t)s”不适用") % {"t": rule.title}
            return RuleResult(rule, Status.NOT_APPLICABLE, text + _src(rule))
        ok, sentence, missing = _professional(rule, facts, post)
    elif rule.measure is Measure.LADDER:
        ok, sentence, missing = _ladder(rule, facts, post, ref)
        step = rule.step_to(post.level)
        cited = step.source if step is not None else ""
        if not ok and ladder_jump_too_far(rule, facts, post):
            sentence += _("；破格提拔不得越两级")
            return RuleResult(rule, Status.FAIL, sentence, missing, source=cited)
    elif rule.condition is None:
        ok, sentence, missing = _flag(rule, facts, ref)
    else:
        value, missing = measured(facts, rule.condition, ref)
        if value is None:
            ok = False
            what = _("未填写%(f)s") % {"f": MISSING_FIELD_WORDS.get(missing, missing)}
            sentence = _incomplete(what, rule)
        else:
            ok = compare(value, rule.condition.op, rule.condition.value)
            sentence = _numeric_sentence(rule, facts, rule.condition, value, ref, ok)
    if ok:
        return RuleResult(rule, Status.PASS, sentence, source=cited)
    if waived and rule.waivable:
        if rule.exception:
            note = _("；已经批准适用例外：%(e)s") % {"e": rule.exception}
            return RuleResult(rule, Status.WAIVED, sentence + note, source=cited)
        return RuleResult(rule, Status.WAIVED, sentence + _("；已经批准破格"), source=cited)
    if rule.exception:
        sentence += _("；例外：%(e)s（须经批准）") % {"e": rule.exception}
    return RuleResult(rule, Status.FAIL, sentence, missing, source=cited)


def fails(rule: Rule, facts: CadreFacts, post: PostFacts, ref: dt.date) -> bool:
    """Whether `evaluate` gives FAIL (no waiver), without writing its sentence:
    a numeric rule is measured and compared only, the others are evaluated.
    For bulk checks that read no sentence (the demo history's choice of
    candidates); `facts` are those of `ref` (facts_at)."""
    cond = rule.condition
    if rule.measure in (Measure.LADDER, Measure.PROFESSIONAL) or cond is None:
        return evaluate(rule, facts, post, ref).status is Status.FAIL
    if not rule.applies.matches(post) or _when_holds(rule, facts, post, ref) is False:
        return False
    value, _missing = measured(facts, cond, ref)
    return value is None or not compare(value, cond.op, cond.value)


def explain(
    rules: Sequence[Rule],
    facts: CadreFacts,
    post: PostFacts,
    ref: dt.date,
    waived: frozenset[str] = frozenset(),
) -> Explanation:
    """Every rule's verdict for one person and one post at `ref`, on the facts
    of `ref` (facts_at)."""
    facts = facts_at(facts, ref)
    return Explanation(
        facts, ref, tuple(evaluate(r, facts, post, ref, r.id in waived) for r in rules)
    )


# ---- reading rules from pack data ------------------------------------------------


class RuleDataError(ValueError):
    """A rule pack's data is malformed; the message names the rule and field."""


def _condition(data: Mapping[str, Any], where: str) -> Condition:
    try:
        measure = Measure(data["measure"])
    except (KeyError, ValueError) as exc:
        raise RuleDataError(f"{where}：measure 无效（{data.get('measure')!r}）") from exc
    word = data.get("comparator", "")
    if word not in COMPARATORS:
        raise RuleDataError(
            f"{where}：comparator 应为 {'、'.join(COMPARATORS)} 之一，现为 {word!r}"
        )
    raw = data.get("value")
    if measure is Measure.EDUCATION:
        if raw not in EDUCATION_RANK:
            raise RuleDataError(f"{where}：学历 value 无效（{raw!r}）")
        value = EDUCATION_RANK[raw]
    elif isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
        value = raw
    else:
        raise RuleDataError(f"{where}：value 应为非负整数，现为 {raw!r}")
    levels = frozenset(str(code) for code in data.get("counted_levels", ()))
    if levels - set(LEVEL_RANK):
        raise RuleDataError(
            f"{where}：counted_levels 含未知层次 {sorted(levels - set(LEVEL_RANK))}"
        )
    if measure is Measure.LOWER_POSTS and not levels:
        raise RuleDataError(f"{where}：counted_levels 不能为空")
    return Condition(
        measure, COMPARATORS[word], value, word, int(data.get("window_years", 5)), levels
    )


def _steps(data: Mapping[str, Any], where: str, default_source: str) -> tuple[LadderStep, ...]:
    """The rungs of a ladder rule; each names a known level reached from known
    levels ("" for 未担任领导职务, only without years) after whole years."""
    raw_steps = data.get("steps")
    if not raw_steps:
        raise RuleDataError(f"{where}：steps 不能为空")
    out: list[LadderStep] = []
    for raw in raw_steps:
        to = str(raw.get("to", ""))
        if to not in LEVEL_RANK:
            raise RuleDataError(f"{where}：steps.to 含未知层次 {to!r}")
        if any(s.to == to for s in out):
            raise RuleDataError(f"{where}：层次 {to} 的 steps 重复")
        froms = frozenset(str(code) for code in raw.get("from", ()))
        unknown = froms - set(LEVEL_RANK) - {""}
        if not froms or unknown:
            raise RuleDataError(f"{where}：层次 {to} 的 from 为空或含未知层次 {sorted(unknown)}")
        if any(LEVEL_RANK.get(code, 0) >= LEVEL_RANK[to] for code in froms):
            raise RuleDataError(f"{where}：层次 {to} 的 from 不得含同级或更高层次")
        years = raw.get("years", 0)
        if not isinstance(years, int) or isinstance(years, bool) or years < 0:
            raise RuleDataError(f"{where}：层次 {to} 的 years 应为非负整数，现为 {years!r}")
        if "" in froms and years:
            raise RuleDataError(f"{where}：层次 {to} 由未担任领导职务者提任时不能要求任职年限")
        out.append(
            LadderStep(
                to=to,
                from_levels=froms,
                years=years,
                source=str(raw.get("source") or data.get("source") or default_source),
                ranks=frozenset(str(r) for r in raw.get("ranks", ())),
            )
        )
    return tuple(out)


def rule_from_data(data: Mapping[str, Any], *, pack: str, default_source: str) -> Rule:
    rid = str(data.get("id", "")).strip()
    if not rid:
        raise RuleDataError(f"规则包 {pack}：有规则缺少 id")
    where = f"规则包 {pack} 规则 {rid}"
    title = str(data.get("title", "")).strip()
    if not title:
        raise RuleDataError(f"{where}：缺少 title")
    try:
        measure = Measure(str(data.get("measure")))
    except ValueError as exc:
        raise RuleDataError(f"{where}：measure 无效（{data.get('measure')!r}）") from exc
    condition = _condition(data, where) if measure in NUMERIC_MEASURES else None
    a = data.get("applies", {})
    applies = Applies(
        levels=frozenset(a.get("levels", ())),
        principal=a.get("principal"),
        party_government_principal=a.get("party_government_principal"),
        unit_groups=frozenset(a.get("unit_groups", ())),
        categories=frozenset(a.get("categories", ())),
    )
    unknown_levels = applies.levels - set(LEVEL_RANK)
    if unknown_levels:
        raise RuleDataError(f"{where}：applies.levels 含未知层次 {sorted(unknown_levels)}")
    w = data.get("when", {})
    when = When(
        sex=w.get("sex"),
        promotion=w.get("promotion"),
        level_is=w.get("level_is"),
        condition=_condition(w["condition"], where + " when") if "condition" in w else None,
    )
    finding = str(data.get("finding", ""))
    if measure is Measure.NO_FINDING and finding not in FINDING_WORDS:
        raise RuleDataError(
            f"{where}：finding 应为 {'、'.join(FINDING_WORDS)} 之一，现为 {finding!r}"
        )
    steps = _steps(data, where, default_source) if measure is Measure.LADDER else ()
    accepted = frozenset(str(v) for v in data.get("accepted", ()))
    if measure is Measure.FIT_FOR_DUTY and not accepted:
        raise RuleDataError(f"{where}：accepted 不能为空")
    return Rule(
        id=rid,
        title=title,
        source=str(data.get("source") or default_source),
        pack=pack,
        measure=measure,
        condition=condition,
        applies=applies,
        when=when,
        waivable=bool(data.get("waivable", False)),
        finding=finding,
        accepted=accepted,
        exception=str(data.get("exception", "")),
        steps=steps,
    )
