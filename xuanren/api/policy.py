"""Qualification rules: the rules in force for a post, explain for one cadre,
screening everyone, a cadre's eligible posts, and 破格 requests and decisions.
Handlers only call selectors and services.

(No `from __future__ import annotations` in the routers: ninja reads the
parameter annotations at import time.)"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status

from xuanren.api.auth import actor_of
from xuanren.api.errors import ERROR_RESPONSES, ErrorOut
from xuanren.api.policy_schemas import (
    SCREEN_ORDERS,
    EligiblePostOut,
    EligiblePostsIn,
    ExplainOut,
    PromotionExceptionDecisionIn,
    PromotionExceptionIn,
    PromotionExceptionOut,
    RuleOut,
    ScreenIn,
    ScreenOut,
    explain_row,
    failure_rows,
    rule_row,
    verdict_row,
)
from xuanren.api.xlsx_schemas import job_out
from xuanren.common.dates import today
from xuanren.exchange.job_kinds import screening_counts_or_job
from xuanren.org.selectors import post_get, unit_get
from xuanren.people.selectors import cadre_get
from xuanren.policy.selectors import (
    eligible_posts,
    explain_for,
    post_facts,
    promotion_exception_get,
    rules_for_post,
    screening,
)
from xuanren.policy.services import promotion_exception_decide, promotion_exception_request

router = Router(tags=["任职资格"])

WRITE_RESPONSES = {**ERROR_RESPONSES, 422: ErrorOut}


@router.get(
    "/posts/{int:post_id}/rules",
    summary="职位适用的任职资格条件",
    response={200: list[RuleOut], **ERROR_RESPONSES},
)
def post_rules(request: HttpRequest, post_id: int, ref_date: dt.date | None = None) -> Any:
    """该职位在基准日（`ref_date`，默认今天）有效的规则包中的全部条件；
    `applies` 表示该条件是否适用于这一职位。"""
    post = post_get(actor=actor_of(request), pk=post_id)
    facts = post_facts(post)
    return [rule_row(rule, facts) for rule in rules_for_post(post, ref_date or today())]


@router.get(
    "/posts/{int:post_id}/explain/{int:cadre_id}",
    summary="逐条说明干部是否符合职位任职资格",
    response={200: ExplainOut, **ERROR_RESPONSES},
)
def post_explain(
    request: HttpRequest, post_id: int, cadre_id: int, ref_date: dt.date | None = None
) -> Any:
    """该干部是否符合该职位的任职资格条件，逐条给出符合、不符合、破格或不适用及说明。"""
    actor = actor_of(request)
    post = post_get(actor=actor, pk=post_id)
    cadre = cadre_get(actor=actor, pk=cadre_id)
    explanation = explain_for(actor=actor, cadre=cadre, post=post, ref=ref_date)
    return explain_row(explanation, post_id=post.pk, post_title=post.title)


@router.get(
    "/posts/{int:post_id}/screen",
    summary="资格筛查",
    response={200: ScreenOut, **ERROR_RESPONSES},
)
def post_screen(request: HttpRequest, post_id: int, params: Query[ScreenIn]) -> Any:
    """管理范围内符合该职位全部任职资格条件的在职干部（分页），及各条件排除的人数。
    公民身份号码一律部分隐藏。参与筛查的干部超过 XUANREN_SCREENING_BACKGROUND_CANDIDATES
    （默认 50000）人时，排除人数不在本次请求中统计：返回各条件（failing 为 null）和统计它们的
    后台任务 counts_job——本人对同一职位、基准日和管理范围仍有效的统计（进行中，或
    XUANREN_SCREENING_COUNTS_MAX_AGE 秒内完成的，此时给出人数），没有时开始一个新的统计。"""
    actor = actor_of(request)
    post = post_get(actor=actor, pk=post_id)
    found = screening(actor=actor, post=post, ref=params.ref_date)
    eligible = found.eligible().select_related("unit").order_by(*SCREEN_ORDERS[params.order])
    counts = screening_counts_or_job(actor=actor, found=found)
    return {
        "count": eligible.count(),
        "items": list(eligible[params.offset : params.offset + params.limit]),
        "failure_counts": failure_rows(counts.lines),
        "counts_considered": counts.considered,
        "counts_job": job_out(counts.job) if counts.job is not None else None,
    }


@router.get(
    "/cadres/{int:cadre_id}/eligible-posts",
    summary="干部符合任职资格的职位",
    response={200: list[EligiblePostOut], **ERROR_RESPONSES},
)
def cadre_eligible_posts(
    request: HttpRequest, cadre_id: int, filters: Query[EligiblePostsIn]
) -> Any:
    """该干部对某单位（默认其所在单位，不含下级单位）各在用职位的资格结论；
    默认只列符合的职位，`all=true` 时全部列出并附不符合的条件。"""
    actor = actor_of(request)
    cadre = cadre_get(actor=actor, pk=cadre_id)
    unit = unit_get(actor=actor, pk=filters.unit) if filters.unit is not None else cadre.unit
    verdicts = eligible_posts(
        actor=actor, cadre=cadre, unit=unit, ref=filters.ref_date, only_eligible=not filters.all
    )
    return [verdict_row(v) for v in verdicts]


@router.post(
    "/promotion-exceptions",
    summary="提出破格提拔申请",
    response={201: PromotionExceptionOut, **WRITE_RESPONSES},
)
def promotion_exception_new(request: HttpRequest, payload: PromotionExceptionIn) -> Any:
    """为某干部拟任某职位申请对可破格的条件破格；不得破格的情形返回 422 及逐项说明。"""
    actor = actor_of(request)
    cadre = cadre_get(actor=actor, pk=payload.cadre)
    post = post_get(actor=actor, pk=payload.post)
    created = promotion_exception_request(
        actor=actor,
        cadre=cadre,
        post=post,
        rule_ids=payload.rule_ids,
        reason=payload.reason.value,
        explanation=payload.explanation,
    )
    return Status(201, created)


@router.post(
    "/promotion-exceptions/{int:exception_id}/decision",
    summary="审批破格提拔申请",
    response={200: PromotionExceptionOut, **WRITE_RESPONSES},
)
def promotion_exception_decision(
    request: HttpRequest, exception_id: int, payload: PromotionExceptionDecisionIn
) -> Any:
    """上级组织部门的审批结论；批准须填写审批机关和批准文件，只能审批一次。"""
    actor = actor_of(request)
    found = promotion_exception_get(actor=actor, pk=exception_id)
    return promotion_exception_decide(
        actor=actor,
        request=found,
        approve=payload.approve,
        approving_body=payload.approving_body,
        document=payload.document,
        note=payload.note,
    )
