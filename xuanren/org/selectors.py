"""Reads of units, posts and quotas, always limited to the actor's scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from xuanren.access.policy import require_perm, require_unit, unit_scope_q
from xuanren.common.dates import today
from xuanren.common.errors import NotFound
from xuanren.org.models import Post, Quota, Unit
from xuanren.org.quota import UnitQuota, build_report


def unit_list(*, actor: Any, under: Unit | None = None) -> QuerySet[Unit]:
    """Units the actor may see, in tree order; `under` limits to a subtree."""
    require_perm(actor, "org.view_unit")
    qs = Unit.objects.filter(unit_scope_q(actor))
    if under is not None:
        qs = qs.filter(path__startswith=under.path)
    return qs.order_by("path")


def unit_get(*, actor: Any, pk: int) -> Unit:
    """One unit, or NotFound when it does not exist or lies outside the scope
    (the two are indistinguishable on purpose)."""
    require_perm(actor, "org.view_unit")
    unit = Unit.objects.filter(unit_scope_q(actor), pk=pk).select_related("parent").first()
    if unit is None:
        raise NotFound(_("未找到该单位，或该单位不在您的管理范围内。"))
    return unit


def post_list(*, actor: Any, unit: Unit | None = None, subtree: bool = False) -> QuerySet[Post]:
    require_perm(actor, "org.view_post")
    qs = Post.objects.filter(unit_scope_q(actor, prefix="unit__")).select_related("unit")
    if unit is not None:
        require_unit(actor, "org.view_post", unit)
        qs = qs.filter(unit__path__startswith=unit.path) if subtree else qs.filter(unit=unit)
    return qs.order_by("unit__path", "sort_order", "id")


def post_get(*, actor: Any, pk: int) -> Post:
    """One post in the actor's scope; NotFound otherwise (as unit_get)."""
    post = post_list(actor=actor).filter(pk=pk).first()
    if post is None:
        raise NotFound(_("未找到该职位，或该职位不在您的管理范围内。"))
    return post


def active_tenure_q(on: dt.date, prefix: str = "") -> Q:
    """Tenures in force on `on`: started on or before it, not yet ended."""
    return Q(**{f"{prefix}start_date__lte": on}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gt": on})
    )


def post_occupancy(*, posts: list[Post], on: dt.date | None = None) -> dict[int, int]:
    """How many people hold each post on `on` (one grouped query)."""
    from xuanren.people.models import Tenure

    on = on or today()
    rows = (
        Tenure.objects.filter(active_tenure_q(on), post__in=[p.pk for p in posts])
        .values("post_id")
        .annotate(n=Count("id"))
    )
    return {r["post_id"]: r["n"] for r in rows}


def quota_report(
    *, actor: Any, under: Unit | None = None, on: dt.date | None = None
) -> list[UnitQuota]:
    """职数 report: approved, filled, vacant, over-quota per unit and level, with
    subtree totals. Three grouped queries, whatever the number of units."""
    from xuanren.people.models import Tenure

    require_perm(actor, "org.view_quota")
    on = on or today()
    units = unit_list(actor=actor, under=under)
    scope = unit_scope_q(actor, prefix="unit__")
    if under is not None:
        scope &= Q(unit__path__startswith=under.path)
    approved = {
        (r["unit_id"], r["level"]): r["approved"]
        for r in Quota.objects.filter(scope).values("unit_id", "level", "approved")
    }
    post_scope = unit_scope_q(actor, prefix="post__unit__")
    if under is not None:
        post_scope &= Q(post__unit__path__startswith=under.path)
    filled = {
        (r["post__unit_id"], r["post__level"]): r["n"]
        for r in Tenure.objects.filter(
            active_tenure_q(on), post_scope, post__counts_against_quota=True
        )
        .values("post__unit_id", "post__level")
        .annotate(n=Count("id"))
    }
    return build_report(units.values_list("id", "name", "path", "depth", "kind"), approved, filled)
