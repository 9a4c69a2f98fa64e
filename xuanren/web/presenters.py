"""Purely presentational shaping of what the selectors return: table rows,
resume lines, highlights. No queries and no business rules here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.translation import gettext as _

from xuanren.common.dates import completed_years
from xuanren.org.models import Level, Post
from xuanren.org.quota import Counts, UnitQuota
from xuanren.people.formatting import ym
from xuanren.people.models import Cadre, RecordKind, RewardPunishment
from xuanren.policy.rules import Explanation, PostFacts, RuleResult, Status

if TYPE_CHECKING:
    from xuanren.policy.selectors import PostVerdict


def punishment_in_effect(record: RewardPunishment, on: dt.date) -> bool:
    """A punishment whose effect period (影响期) covers `on`."""
    return (
        record.kind == RecordKind.PUNISHMENT
        and record.effect_until is not None
        and record.decided_on <= on <= record.effect_until
    )


# A pk no table reaches, reversed once and replaced by each row's own.
_PK_MARK = 2_147_483_647


def pk_url(name: str) -> Callable[[int], str]:
    """The URL of a route taking one `pk`, for many rows: one reverse(), then
    a string replace per row (reverse() costs tens of microseconds a call)."""
    head, tail = reverse(name, args=[_PK_MARK]).split(str(_PK_MARK))
    return lambda pk: f"{head}{pk}{tail}"


def level_label(code: str) -> str:
    try:
        return str(Level(code).label)
    except ValueError:
        return code


@dataclass(frozen=True)
class QuotaRow:
    """One line of the 职数 table: a level of one unit, or a unit's subtree total."""

    unit_id: int
    unit_name: str
    depth: int
    item: str  # the level's name, or “含下级合计”
    is_total: bool
    approved: int
    filled: int
    vacant: int
    over_quota: int

    def cells(self) -> list[str | int]:
        return [
            self.unit_name,
            self.item,
            self.approved,
            self.filled,
            self.vacant,
            self.over_quota,
        ]


def quota_headers() -> list[str]:
    return [_("单位"), _("职务层次"), _("核定职数"), _("实有人数"), _("空缺"), _("超职数")]


def quota_rows(report: Iterable[UnitQuota]) -> list[QuotaRow]:
    """Every unit's levels, then the unit's subtree total, in tree order."""
    rows: list[QuotaRow] = []
    for unit in report:
        for level, counts in unit.level_rows:
            rows.append(_row(unit, level_label(level), counts, is_total=False))
        rows.append(_row(unit, _("含下级合计"), unit.subtree, is_total=True))
    return rows


def _row(unit: UnitQuota, item: str, counts: Counts, *, is_total: bool) -> QuotaRow:
    return QuotaRow(
        unit_id=unit.unit_id,
        unit_name=unit.name,
        depth=unit.depth,
        item=item,
        is_total=is_total,
        approved=counts.approved,
        filled=counts.filled,
        vacant=counts.vacant,
        over_quota=counts.over_quota,
    )


def report_totals(report: list[UnitQuota]) -> Counts:
    """The sum of the subtree totals of the report's top units (the scope's root,
    or several roots for an unrestricted user)."""
    total = Counts()
    if not report:
        return total
    top = min(u.depth for u in report)
    for unit in report:
        if unit.depth == top:
            total.add(unit.subtree)
    return total


# ---- 智能选人 ---------------------------------------------------------------------


def status_label(status: Status, *, exception: bool = False) -> str:
    """The verdict's word; an approved exception the source itself provides
    (e.g. training completed within a year) reads 例外, not 破格."""
    if status is Status.WAIVED and exception:
        return _("例外")
    return {
        Status.PASS: _("符合"),
        Status.FAIL: _("不符合"),
        Status.WAIVED: _("破格"),
        Status.NOT_APPLICABLE: _("不适用"),
    }[status]


#: Failures first: the panel answers “why not?” before anything else.
STATUS_ORDER = {Status.FAIL: 0, Status.WAIVED: 1, Status.PASS: 2, Status.NOT_APPLICABLE: 3}


@dataclass(frozen=True)
class VerdictRow:
    """One rule's verdict as the explanation panel shows it."""

    title: str
    status: str  # Status value, also the CSS modifier
    label: str  # 符合 / 不符合 / 破格 / 不适用
    sentence: str  # the rule's sentence without its trailing source
    source: str
    waivable: bool


@dataclass(frozen=True)
class ExplanationView:
    eligible: bool
    failed: int
    waived: int
    rows: list[VerdictRow]  # the rules that concern the post, failures first
    not_for_post: list[VerdictRow]  # rules of the packs that do not concern the post


def _verdict_row(result: RuleResult) -> VerdictRow:
    rule = result.rule
    return VerdictRow(
        title=rule.title,
        status=str(result.status),
        label=status_label(result.status, exception=bool(result.rule.exception)),
        # The source has its own line on the page; drop it from the sentence.
        sentence=result.sentence.replace(_("（来源：%(s)s）") % {"s": result.cited}, ""),
        source=result.cited,
        waivable=rule.waivable,
    )


def explanation_view(explanation: Explanation, post: PostFacts) -> ExplanationView:
    results = sorted(explanation.results, key=lambda r: STATUS_ORDER[r.status])
    concern = [r for r in results if r.rule.concerns(post)]
    other = [r for r in results if not r.rule.concerns(post)]
    return ExplanationView(
        eligible=explanation.eligible,
        failed=sum(r.status is Status.FAIL for r in results),
        waived=sum(r.status is Status.WAIVED for r in results),
        rows=[_verdict_row(r) for r in concern],
        not_for_post=[_verdict_row(r) for r in other],
    )


def assessment_years(ref: dt.date, n: int = 3) -> list[int]:
    """The n years before the reference year, oldest first (2023, 2024, 2025)."""
    return [ref.year - k for k in range(n, 0, -1)]


@dataclass(frozen=True)
class AssessmentRow:
    """One year of the cadre page's 年度考核: the grade on record and, when
    the year's assessment was held in the system, its composite and form."""

    year: int
    grade: Any  # people.Assessment or None
    line: Any  # assessment.selectors.Line or None


def assessment_rows(assessments: list[Any], lines: list[Any]) -> list[AssessmentRow]:
    graded = {a.year: a for a in assessments}
    held: dict[int, Any] = {}
    for line in lines:
        held.setdefault(line.assessed.round.year, line)
    return [
        AssessmentRow(year, graded.get(year), held.get(year))
        for year in sorted(graded.keys() | held.keys(), reverse=True)
    ]


@dataclass(frozen=True)
class CandidateRow:
    """One line of the eligible list (and of its spreadsheet)."""

    cadre: Cadre
    age: int
    years_at_level: int | None
    grades: list[str]  # one per assessment year; "" when none was recorded

    def cells(self) -> list[str | int]:
        c = self.cadre
        return [
            c.name,
            c.get_sex_display(),
            ym(c.birth_date),
            self.age,
            c.get_education_level_display(),
            c.current_post_title,
            c.get_level_display(),
            ym(c.level_since),
            "" if self.years_at_level is None else self.years_at_level,
            *self.grades,
            c.unit.name,
        ]


def candidate_row(cadre: Cadre, ref: dt.date, years: list[int]) -> CandidateRow:
    """Reads the cadre's prefetched assessments (no query of its own)."""
    by_year = {a.year: a for a in cadre.assessments.all()}
    return CandidateRow(
        cadre=cadre,
        age=completed_years(cadre.birth_date, ref),
        years_at_level=completed_years(cadre.level_since, ref) if cadre.level_since else None,
        # Only the shown years are labelled (a cadre may have decades of them).
        grades=[str(by_year[y].get_grade_display()) if y in by_year else "" for y in years],
    )


def candidate_headers(years: list[int]) -> list[str]:
    return [
        _("姓名"),
        _("性别"),
        _("出生年月"),
        _("年龄（周岁）"),
        _("学历"),
        _("现任职务"),
        _("职务层次"),
        _("任现职务层次时间"),
        _("任现职务层次年限"),
        *[_("%(y)d 年度考核") % {"y": y} for y in years],
        _("单位"),
    ]


@dataclass(frozen=True)
class PostVerdictRow:
    """可任职位: one post of a unit and whether the cadre qualifies for it."""

    post: Post
    eligible: bool
    waived: bool
    failed_titles: list[str]


def post_verdict_rows(verdicts: Iterable[PostVerdict]) -> list[PostVerdictRow]:
    return [
        PostVerdictRow(
            post=v.post,
            eligible=v.explanation.eligible,
            waived=any(r.status is Status.WAIVED for r in v.explanation.results),
            failed_titles=[r.rule.title for r in v.explanation.failed],
        )
        for v in verdicts
    ]
