"""Reads of units, posts and quotas, always limited to the actor's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from xuanren.access.policy import (
    is_unrestricted,
    require_perm,
    require_unit,
    scope_root,
    unit_scope_q,
)
from xuanren.common.dates import today
from xuanren.common.errors import NotFound
from xuanren.common.lookups import InArray
from xuanren.org.models import PATH_SEGMENT, Post, Quota, Unit
from xuanren.org.pinyin import pinyin_query
from xuanren.org.quota import Counts, UnitQuota, build_report


def unit_list(*, actor: Any, under: Unit | None = None) -> QuerySet[Unit]:
    """Units the actor may see, in tree order; `under` limits to a subtree."""
    require_perm(actor, "org.view_unit")
    qs = Unit.objects.filter(unit_scope_q(actor))
    if under is not None:
        qs = qs.filter(path__startswith=under.path)
    return qs.order_by("path")


def units_more_than(*, actor: Any, limit: int, under: Unit | None = None) -> bool:
    """Whether the actor's units (or `under`'s subtree) are more than `limit`:
    one query that stops counting at limit + 1."""
    return unit_list(actor=actor, under=under).order_by()[: limit + 1].count() > limit


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


#: The shortest word a trigram index can find inside a text (pg_trgm).
TRIGRAM_MIN = 3


def post_find(*, actor: Any, q: str, limit: int = 20) -> QuerySet[Post]:
    """Active posts in the actor's scope matching `q` (the post picker of
    智能选人; decisions 0111, 0140): every word of `q` (up to 4) is in the
    post's title or in its unit's name or short name, or — a word in pinyin —
    starts the title's or the unit name's initials or full pinyin ("cgz dwsj"
    → 城关镇 党委书记). In tree order, at most `limit`. One query.

    A word of three characters or more, or in pinyin, is matched on the
    post's own columns — the units that match it become a list of unit ids —
    so that on PostgreSQL every part can use an index (the trigram and
    pattern indexes of migration org 0004, the post's unit index) and a rare
    word does not read every post of a province. A shorter word has no
    trigram: it is matched through the join, where the tree order and the
    limit stop the read at the first matches (decision 0140)."""
    words = q.split()[:4]
    if not words:
        return Post.objects.none()
    qs = post_list(actor=actor).filter(is_active=True)
    for word in words:
        pinyin = pinyin_query(word)
        if len(word) < TRIGRAM_MIN and not pinyin:
            qs = qs.filter(
                Q(title__icontains=word)
                | Q(unit__name__icontains=word)
                | Q(unit__short_name__icontains=word)
            )
            continue
        units = Q(name__icontains=word) | Q(short_name__icontains=word)
        match = Q(title__icontains=word)
        if pinyin:
            units |= Q(name_initials__startswith=pinyin) | Q(name_pinyin__startswith=pinyin)
            match |= Q(title_initials__startswith=pinyin) | Q(title_pinyin__startswith=pinyin)
        unit_ids = Unit.objects.filter(unit_scope_q(actor), units).order_by().values("pk")
        qs = qs.filter(match | Q(InArray(F("unit_id"), unit_ids)))
    return qs[:limit]


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


# ---- one level of the tree at a time (issue 13, docs/decisions/0109) -----------------


@dataclass
class UnitLevel:
    """One level of the unit tree: the units shown (`anchors` first, then
    their direct children, in tree order), which of them have children of
    their own, and the quota rows of those units (own counts by level;
    subtree totals from grouped queries, not from the descendants' rows)."""

    anchors: list[Unit]
    units: list[Unit]
    with_children: set[int] = field(default_factory=set)
    quota: dict[int, UnitQuota] = field(default_factory=dict)
    top_depth: int = 0


def scope_top_depth(actor: Any) -> int:
    """The depth of the actor's top units (0 for an unrestricted user)."""
    root = None if is_unrestricted(actor) else scope_root(actor)
    return root.depth if root is not None else 0


def unit_level(
    *,
    actor: Any,
    under: Unit | None = None,
    quota: str = "",
    on: dt.date | None = None,
) -> UnitLevel:
    """`under` and its direct children, or the actor's top units (the scope's
    root; every parentless unit for an unrestricted user) and theirs.

    quota: "" (none), "own" (each unit's own counts) or "subtree" (own counts
    and subtree totals). A fixed number of queries whatever the size of the tree.
    """
    require_perm(actor, "org.view_unit")
    units_qs = Unit.objects.filter(unit_scope_q(actor))
    if under is not None:
        anchors = [under]
    elif is_unrestricted(actor):
        anchors = list(units_qs.filter(parent__isnull=True).order_by("path"))
    else:
        root = scope_root(actor)
        anchors = [root] if root is not None and actor.is_active else []
    children = list(units_qs.filter(parent__in=anchors).order_by("path")) if anchors else []
    units = sorted([*anchors, *children], key=lambda u: u.path)
    with_children = (
        set(
            units_qs.filter(parent__in=children)
            .order_by()
            .values_list("parent_id", flat=True)
            .distinct()
        )
        if children
        else set()
    )
    with_children |= {a.pk for a in anchors if any(c.parent_id == a.pk for c in children)}
    level = UnitLevel(
        anchors=anchors,
        units=units,
        with_children=with_children,
        top_depth=scope_top_depth(actor),
    )
    if quota and units:
        level.quota = _level_quota(
            actor=actor, anchors=anchors, units=units, on=on or today(), subtree=quota == "subtree"
        )
    return level


def _level_quota(
    *, actor: Any, anchors: list[Unit], units: list[Unit], on: dt.date, subtree: bool
) -> dict[int, UnitQuota]:
    from xuanren.people.models import Tenure

    require_perm(actor, "org.view_quota")
    approved = {
        (r["unit_id"], r["level"]): r["approved"]
        for r in Quota.objects.filter(unit__in=units).values("unit_id", "level", "approved")
    }
    filled = {
        (r["post__unit_id"], r["post__level"]): r["n"]
        for r in Tenure.objects.filter(
            active_tenure_q(on), post__unit__in=units, post__counts_against_quota=True
        )
        .values("post__unit_id", "post__level")
        .annotate(n=Count("id"))
    }
    rows = build_report([(u.pk, u.name, u.path, u.depth, u.kind) for u in units], approved, filled)
    if subtree:
        # One grouped query for the children's subtrees; an anchor's subtree is
        # its own counts plus its children's subtrees (every child of an anchor
        # in scope is shown, and the totals add up over a partition).
        by_id = {row.unit_id: row for row in rows}
        children = [u for u in units if u not in anchors]
        parents = {u.path[:-PATH_SEGMENT] for u in children}
        lengths = {len(u.path) for u in children}
        totals: dict[str, Counts] = {}
        for length in lengths:
            totals.update(subtree_counts(actor=actor, length=length, within=parents, on=on))
        for u in children:
            by_id[u.pk].subtree = totals.get(u.path, Counts())
        for anchor in anchors:
            row = by_id[anchor.pk]
            row.subtree = Counts()
            row.subtree.add(row.own)
            for u in children:
                if u.parent_id == anchor.pk:
                    row.subtree.add(by_id[u.pk].subtree)
    return {row.unit_id: row for row in rows}


def subtree_counts(*, actor: Any, length: int, within: set[str], on: dt.date) -> dict[str, Counts]:
    """Subtree totals of every unit whose path is `length` long and starts
    with one of `within` ("" for all), keyed by path: one grouped query.
    Vacancies and over-quota are taken per unit and level first, then summed,
    so they never net out (as build_report)."""
    from xuanren.people.models import Tenure

    require_perm(actor, "org.view_quota")
    q_scope = unit_scope_q(actor, prefix="unit__")
    t_scope = unit_scope_q(actor, prefix="post__unit__")
    prefixes = [p for p in within if p]
    if prefixes and len(prefixes) == len(within):
        q_scope &= reduce(or_, [Q(unit__path__startswith=p) for p in prefixes])
        t_scope &= reduce(or_, [Q(post__unit__path__startswith=p) for p in prefixes])
    approved_sql, approved_params = (
        Quota.objects.filter(q_scope)
        .order_by()
        .values(p=Substr("unit__path", 1, length), u=F("unit_id"), lv=F("level"), a=F("approved"))
        .query.sql_with_params()
    )
    filled_sql, filled_params = (
        Tenure.objects.filter(active_tenure_q(on), t_scope, post__counts_against_quota=True)
        .order_by()
        .values(p=Substr("post__unit__path", 1, length), u=F("post__unit_id"), lv=F("post__level"))
        .annotate(f=Count("id"))
        .query.sql_with_params()
    )
    sql = (
        "SELECT p, SUM(a), SUM(f),"
        " SUM(CASE WHEN a > f THEN a - f ELSE 0 END),"
        " SUM(CASE WHEN f > a THEN f - a ELSE 0 END)"
        " FROM (SELECT p, u, lv, SUM(a) AS a, SUM(f) AS f FROM ("
        f"SELECT p, u, lv, a, 0 AS f FROM ({approved_sql}) qa"
        " UNION ALL "
        f"SELECT p, u, lv, 0 AS a, f FROM ({filled_sql}) qf"
        ") x GROUP BY p, u, lv) g GROUP BY p"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (*approved_params, *filled_params))
        found = cursor.fetchall()
    return {
        path: Counts(approved=int(a), filled=int(f), vacant=int(v), over_quota=int(o))
        for path, a, f, v, o in found
        if len(path) == length
    }


def unit_find(*, actor: Any, q: str, limit: int = 20) -> list[Unit]:
    """Units in the actor's scope whose name or short name contains `q`, whose
    code starts with it, or whose name's pinyin initials or full pinyin start
    with it ("yl", "yunling" → 云岭县; the unit picker, decisions 0109 and
    0117), in tree order, at most `limit`. One query."""
    q = q.strip()
    if not q:
        return []
    match = Q(name__icontains=q) | Q(short_name__icontains=q) | Q(code__istartswith=q)
    pinyin = pinyin_query(q)
    if pinyin:
        match |= Q(name_initials__startswith=pinyin) | Q(name_pinyin__startswith=pinyin)
    return list(unit_list(actor=actor).filter(match).select_related("parent")[:limit])


def quota_totals(*, actor: Any, on: dt.date | None = None) -> Counts:
    """The scope's quota totals (the dashboard): the subtree totals of the
    actor's top units summed, in one grouped query."""
    require_perm(actor, "org.view_quota")
    on = on or today()
    if is_unrestricted(actor):
        length, within = PATH_SEGMENT, {""}
    else:
        root = scope_root(actor)
        if root is None or not actor.is_active:
            return Counts()
        length, within = len(root.path), {root.path[:-PATH_SEGMENT]}
    total = Counts()
    for counts in subtree_counts(actor=actor, length=length, within=within, on=on).values():
        total.add(counts)
    return total
