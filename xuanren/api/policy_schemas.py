"""Request and response shapes of the qualification-rule endpoints (rules in
force, explain, screening, eligible posts, 破格). Field names are the glossary's
English names; a rule's `status` is the stable code (pass / fail / waived /
not_applicable) with the Chinese word beside it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Literal

from django.utils.translation import gettext as _
from ninja import Schema
from ninja.conf import settings as ninja_settings
from pydantic import ConfigDict, Field

from xuanren.api.schemas import CadreListOut
from xuanren.api.xlsx_schemas import JobOut
from xuanren.policy.models import ExceptionReason
from xuanren.policy.rules import (
    EDUCATION_RANK,
    STATUS_WORDS,
    Explanation,
    Measure,
    PostFacts,
    Rule,
    RuleResult,
    Status,
)
from xuanren.policy.selectors import PostVerdict, RuleCount, RuleLine

_EDUCATION_CODES = {rank: code for code, rank in EDUCATION_RANK.items()}

# ---- rules in force ---------------------------------------------------------------


class LadderStepOut(Schema):
    to: str = Field(description="提任的职务层次代码")
    from_levels: list[str] = Field(
        description="可由哪些职务层次提任（代码；空字符串为未担任领导职务）"
    )
    ranks: list[str] = Field(description="视同下一级的职级；无则为空列表")
    years: int = Field(description="在下一级任职的年限（以上，含本数）；0 为不要求")
    source: str


class RuleOut(Schema):
    id: str
    title: str
    source: str
    pack: str = Field(description="规则包代码")
    measure: str
    comparator: str | None = Field(description="比较用语，如“不超过”“以上”；是否类条件为 null")
    value: int | str | None = Field(
        description="比较的数值；学历条件为学历代码（如 junior_college）；是否类条件为 null"
    )
    window_years: int | None = Field(description="培训学时的累计年数；其他条件为 null")
    waivable: bool = Field(description="可否破格")
    exception: str = Field(
        description="来源本身规定的例外（如提任后一年内完成培训），须经批准；无则为空字符串"
    )
    counted_levels: list[str] = Field(
        description="下一级任职职位数计入的职务层次代码；其他条件为空列表"
    )
    applies: bool = Field(description="是否适用于该职位")
    steps: list[LadderStepOut] = Field(
        default_factory=list,
        description="逐级提拔（measure 为 ladder）的各层次；其他条件为空列表。"
        "不在所列层次的较低层次属越级，只能破格，且不得越两级",
    )


def rule_row(rule: Rule, post: PostFacts) -> RuleOut:
    cond = rule.condition
    value: int | str | None = None
    if cond is not None:
        value = _EDUCATION_CODES[cond.value] if cond.measure is Measure.EDUCATION else cond.value
    return RuleOut(
        id=rule.id,
        title=rule.title,
        source=rule.source,
        pack=rule.pack,
        measure=str(rule.measure),
        comparator=cond.word if cond is not None else None,
        value=value,
        window_years=(
            cond.window_years
            if cond is not None and cond.measure is Measure.TRAINING_HOURS
            else None
        ),
        waivable=rule.waivable,
        exception=rule.exception,
        counted_levels=sorted(cond.levels) if cond is not None else [],
        applies=rule.concerns(post),
        steps=[
            LadderStepOut(
                to=step.to,
                from_levels=sorted(step.from_levels),
                ranks=sorted(step.ranks),
                years=step.years,
                source=step.source,
            )
            for step in rule.steps
        ],
    )


# ---- explain ----------------------------------------------------------------------


class RuleResultOut(Schema):
    rule_id: str
    title: str
    source: str
    waivable: bool
    status: Status = Field(description="pass / fail / waived / not_applicable")
    status_word: str = Field(description="符合 / 不符合 / 破格（来源本身的例外为“例外”） / 不适用")
    sentence: str = Field(description="逐条说明")
    missing: str = Field(description="因资料缺失而不符合时，缺失的字段；否则为空字符串")


def result_row(result: RuleResult) -> RuleResultOut:
    return RuleResultOut(
        rule_id=result.rule.id,
        title=result.rule.title,
        source=result.cited,
        waivable=result.rule.waivable,
        status=result.status,
        status_word=(
            str(_("例外"))
            if result.status is Status.WAIVED and result.rule.exception
            else str(STATUS_WORDS[result.status])
        ),
        sentence=result.sentence,
        missing=result.missing,
    )


class ExplainOut(Schema):
    cadre_id: int
    cadre_name: str
    post_id: int
    post_title: str
    ref_date: dt.date = Field(description="资格计算基准日")
    eligible: bool
    results: list[RuleResultOut]


def explain_row(explanation: Explanation, *, post_id: int, post_title: str) -> ExplainOut:
    return ExplainOut(
        cadre_id=explanation.cadre.id,
        cadre_name=explanation.cadre.name,
        post_id=post_id,
        post_title=post_title,
        ref_date=explanation.ref_date,
        eligible=explanation.eligible,
        results=[result_row(r) for r in explanation.results],
    )


# ---- screening ----------------------------------------------------------------------

#: `order` of GET /posts/{id}/screen → the ORDER BY it means.
SCREEN_ORDERS: dict[str, tuple[str, ...]] = {
    "unit": ("unit__path", "-level", "id"),
    "name": ("name_initials", "name", "id"),
    "age": ("-birth_date", "id"),
    "-age": ("birth_date", "id"),
}


class ScreenIn(Schema):
    ref_date: dt.date | None = Field(None, description="资格计算基准日，默认今天")
    limit: int = Field(
        ninja_settings.PAGINATION_PER_PAGE, ge=1, le=ninja_settings.PAGINATION_MAX_LIMIT
    )
    offset: int = Field(0, ge=0)
    order: Literal["unit", "name", "age", "-age"] = Field(
        "unit", description="unit 按单位；name 按姓名拼音；age 年轻者在前；-age 年长者在前"
    )


class FailureCountOut(Schema):
    rule_id: str
    title: str
    failing: int | None = Field(
        description="因该条件不符合而被排除的人数；null：人数正在后台统计（见 counts_job）"
    )


def failure_rows(counts: Sequence[RuleCount | RuleLine]) -> list[FailureCountOut]:
    return [
        FailureCountOut(rule_id=c.rule.id, title=c.rule.title, failing=c.failing) for c in counts
    ]


class ScreenOut(Schema):
    count: int = Field(description="符合全部条件的人数")
    items: list[CadreListOut]
    failure_counts: list[FailureCountOut] = Field(
        description="适用于该职位的各条件及其排除的人数。参与筛查的干部超过 "
        "XUANREN_SCREENING_BACKGROUND_CANDIDATES（默认 50000）人时人数在后台统计："
        "统计完成前 failing 为 null"
    )
    counts_considered: int | None = Field(
        description="统计排除人数时参与筛查的干部数；后台统计未完成时为 null"
    )
    counts_job: JobOut | None = Field(
        description="超过上述人数时：统计排除人数的后台任务（本人最近一次仍有效的统计，或本次"
        "开始的统计），GET links.status 查询进度，完成后再次请求本接口即得到人数；"
        "未超过时为 null（人数已在本次请求中统计）"
    )


# ---- eligible posts -------------------------------------------------------------------


class EligiblePostsIn(Schema):
    unit: int | None = Field(None, description="单位编号（不含下级单位）；默认为干部所在单位")
    ref_date: dt.date | None = Field(None, description="资格计算基准日，默认今天")
    all: bool = Field(False, description="true 时也列出不符合条件的职位")


class EligiblePostOut(Schema):
    post_id: int
    title: str
    unit_id: int
    unit_name: str
    level: str
    eligible: bool
    failed_rules: list[str] = Field(description="不符合的条件（标题）")
    failed_rule_ids: list[str]


def verdict_row(verdict: PostVerdict) -> EligiblePostOut:
    post = verdict.post
    failed = verdict.explanation.failed
    return EligiblePostOut(
        post_id=post.pk,
        title=post.title,
        unit_id=post.unit_id,
        unit_name=post.unit.name,
        level=post.level,
        eligible=verdict.explanation.eligible,
        failed_rules=[r.rule.title for r in failed],
        failed_rule_ids=[r.rule.id for r in failed],
    )


# ---- 破格 -------------------------------------------------------------------------------


class PromotionExceptionIn(Schema):
    """POST /promotion-exceptions: ask to waive some waivable rules for one
    cadre and one post."""

    model_config = ConfigDict(extra="forbid")

    cadre: int = Field(description="干部编号")
    post: int = Field(description="拟任职位编号")
    rule_ids: list[str] = Field(description="需要破格的条件（规则编号）")
    reason: ExceptionReason = Field(description="破格理由类别")
    explanation: str = Field(description="具体说明")


class PromotionExceptionDecisionIn(Schema):
    """POST /promotion-exceptions/{id}/decision: the approving body's decision."""

    model_config = ConfigDict(extra="forbid")

    approve: bool
    approving_body: str = Field(description="审批机关")
    document: str = Field("", description="批准文件；批准时必填")
    note: str = Field("", description="审批意见")


class PromotionExceptionOut(Schema):
    id: int
    cadre_id: int
    cadre_name: str
    post_id: int
    post_title: str
    rule_ids: list[str]
    reason: str
    explanation: str
    status: str = Field(description="requested 待审批 / approved 已批准 / refused 未批准")
    approving_body: str
    document: str
    decision_note: str
    requested_by_id: int
    requested_at: dt.datetime
    decided_by_id: int | None
    decided_on: dt.date | None

    @staticmethod
    def resolve_cadre_name(obj: Any) -> str:
        return str(obj.cadre.name)

    @staticmethod
    def resolve_post_title(obj: Any) -> str:
        return str(obj.post.title)
