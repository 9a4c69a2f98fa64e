"""Units, posts and the quota report. Handlers only call selectors.

(No `from __future__ import annotations` in the routers: ninja reads the
parameter annotations at import time.)"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router

from xuanren.api.auth import actor_of
from xuanren.api.errors import ERROR_RESPONSES
from xuanren.api.schemas import PostOut, QuotaRowOut, UnitDetailOut, UnitOut, post_rows
from xuanren.org.selectors import post_list, post_occupancy, quota_report, unit_get, unit_list

router = Router(tags=["单位与职位"])


@router.get("/units", summary="单位列表", response={200: list[UnitOut], **ERROR_RESPONSES})
def units(request: HttpRequest, under: int | None = None) -> Any:
    """单位列表（树序），限于本人管理范围；`under` 只列该单位及其下级。"""
    actor = actor_of(request)
    root = unit_get(actor=actor, pk=under) if under is not None else None
    return unit_list(actor=actor, under=root)


@router.get(
    "/units/{int:unit_id}", summary="单位详情", response={200: UnitDetailOut, **ERROR_RESPONSES}
)
def unit_detail(request: HttpRequest, unit_id: int) -> Any:
    """单个单位；不存在或不在管理范围内均为 404。"""
    return unit_get(actor=actor_of(request), pk=unit_id)


@router.get(
    "/units/{int:unit_id}/posts",
    summary="单位职位及在任人数",
    response={200: list[PostOut], **ERROR_RESPONSES},
)
def unit_posts(request: HttpRequest, unit_id: int, on: dt.date | None = None) -> Any:
    """该单位的职位及在任人数（按 `on` 日期，默认今天）。"""
    actor = actor_of(request)
    posts = list(post_list(actor=actor, unit=unit_get(actor=actor, pk=unit_id)))
    return post_rows(posts, post_occupancy(posts=posts, on=on))


@router.get("/posts", summary="职位列表", response={200: list[PostOut], **ERROR_RESPONSES})
def posts(
    request: HttpRequest,
    unit: int | None = None,
    subtree: bool = False,
    on: dt.date | None = None,
) -> Any:
    """职位列表；`unit` 限于该单位（`subtree=true` 含下级单位）。"""
    actor = actor_of(request)
    scope = unit_get(actor=actor, pk=unit) if unit is not None else None
    rows = list(post_list(actor=actor, unit=scope, subtree=subtree))
    return post_rows(rows, post_occupancy(posts=rows, on=on))


@router.get(
    "/quota-report", summary="职数情况", response={200: list[QuotaRowOut], **ERROR_RESPONSES}
)
def quota(request: HttpRequest, under: int | None = None, on: dt.date | None = None) -> Any:
    """职数情况：各单位各层次核定、实配、空缺、超职数，及含下级单位的合计。"""
    actor = actor_of(request)
    root = unit_get(actor=actor, pk=under) if under is not None else None
    return quota_report(actor=actor, under=root, on=on)
