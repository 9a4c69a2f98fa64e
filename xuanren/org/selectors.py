"""Reads of units, posts and quotas, always limited to the actor's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Case, Count, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from xuanren.access.policy import (
    has_perm,
    is_unrestricted,
    require_perm,
    require_unit,
    scope_root,
    unit_scope_q,
)
from xuanren.common.dates import today
from xuanren.common.errors import NotFound
from xuanren.common.lookups import InArray
from xuanren.org.models import PATH_SEGMENT, Post, Quota, Unit, UnitCount
from xuanren.org.pinyin import pinyin_query
from xuanren.org.quota import Counts, UnitQuota, build_report, level_counts


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
    require_perm(actor, "org.view_quota")
    # The tenures dated after the day under the anchors, read once for the
    # units' own rows and the children's subtrees (decision 0137).
    dated = _dated(_within_q(actor, "post__unit__", {a.path for a in anchors}), on)
    # Each unit's own counts by level: its kept rows, corrected for the day.
    pairs = _kept_pairs(units, on, dated)
    approved = {k: a for k, (a, _f) in pairs.items()}
    filled = {k: f for k, (_a, f) in pairs.items()}
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
            totals.update(
                subtree_counts(actor=actor, length=length, within=parents, on=on, dated=dated)
            )
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


# ---- the kept per-unit counts (org.UnitCount, decisions 0136 and 0137) -----------
#
# A kept row's `filled` counts the open tenures (no 免职时间). In force on a
# day `on` are the tenures begun by then and not ended by then; the two differ
# only by the tenures dated after `on` — open ones that start later, closed
# ones that end later — which are few for today (one indexed query reads them,
# grouped by unit and level). Vacancies and over-quota are taken per unit and
# level before they are summed, so the pairs those tenures touch are
# corrected one by one.

#: (unit id, unit path, level) → in force on the day minus open.
Dated = dict[tuple[int, str, str], int]


def _vacant() -> Case:
    return Case(When(approved__gt=F("filled"), then=F("approved") - F("filled")), default=0)


def _over() -> Case:
    return Case(When(filled__gt=F("approved"), then=F("filled") - F("approved")), default=0)


def _dated(unit_q: Q, on: dt.date) -> Dated:
    """The tenures that make `on` differ from the kept counts (one grouped
    query); `unit_q` on a Unit relation prefixed "post__unit__"."""
    from xuanren.people.models import Tenure

    rows = (
        Tenure.objects.filter(unit_q, post__counts_against_quota=True)
        .filter(
            Q(end_date__isnull=True, start_date__gt=on) | Q(start_date__lte=on, end_date__gt=on)
        )
        .order_by()
        .values("post__unit_id", "post__unit__path", "post__level")
        .annotate(d=Sum(Case(When(end_date__isnull=True, then=Value(-1)), default=Value(1))))
        .values_list("post__unit_id", "post__unit__path", "post__level", "d")
    )
    return {(u, path, level): d for u, path, level, d in rows if d}


def _kept_of(dated: Dated) -> dict[tuple[int, str], tuple[int, int]]:
    """The kept (approved, filled) of the pairs in `dated` (one query, none
    when there are none)."""
    if not dated:
        return {}
    wanted = {(u, level) for u, _path, level in dated}
    rows = UnitCount.objects.filter(
        unit_id__in={u for u, _l in wanted}, level__in={lv for _u, lv in wanted}
    ).values_list("unit_id", "level", "approved", "filled")
    return {(u, lv): (a, f) for u, lv, a, f in rows if (u, lv) in wanted}


def _correct(totals: dict[str, Counts], dated: Dated, key_of: Any) -> None:
    """Move `totals` (by key_of(path); None: not counted) from the kept counts
    to the day's."""
    kept = _kept_of(dated)
    for (u, path, level), d in dated.items():
        key = key_of(path)
        if key is None:
            continue
        approved, filled = kept.get((u, level), (0, 0))
        before, after = level_counts(approved, filled), level_counts(approved, filled + d)
        row = totals.setdefault(key, Counts())
        row.filled += d
        row.vacant += after.vacant - before.vacant
        row.over_quota += after.over_quota - before.over_quota


def _kept_pairs(
    units: list[Unit], on: dt.date, dated: Dated | None = None
) -> dict[tuple[int, str], tuple[int, int]]:
    """(approved, filled on `on`) of each level of `units`: their kept rows,
    corrected for the day (`dated`: already read, covering `units`)."""
    pairs = {
        (u, lv): (a, f)
        for u, lv, a, f in UnitCount.objects.filter(unit__in=units)
        .exclude(level="")
        .values_list("unit_id", "level", "approved", "filled")
    }
    if dated is None:
        dated = _dated(Q(post__unit__in=units), on)
    ids = {u.pk for u in units}
    for (u, _path, level), d in dated.items():
        if u not in ids:
            continue
        a, f = pairs.get((u, level), (0, 0))
        pairs[(u, level)] = (a, f + d)
    # A level with no quota and nobody in force is no row of the report (a
    # kept row may exist for its posts alone).
    return {k: v for k, v in pairs.items() if any(v)}


def _within_q(actor: Any, prefix: str, within: set[str]) -> Q:
    """The actor's scope, limited to the subtrees of `within` unless one of
    them is "" (all), on a Unit relation `prefix`."""
    q = unit_scope_q(actor, prefix=prefix)
    prefixes = [p for p in within if p]
    if prefixes and len(prefixes) == len(within):
        q &= reduce(or_, [Q(**{f"{prefix}path__startswith": p}) for p in prefixes])
    return q


def subtree_counts(
    *, actor: Any, length: int, within: set[str], on: dt.date, dated: Dated | None = None
) -> dict[str, Counts]:
    """Subtree totals of every unit whose path is `length` long and starts
    with one of `within` ("" for all), keyed by path: one grouped query over
    the kept counts (and the day's correction; `dated`: already read, covering
    `within`). Vacancies and over-quota are taken per unit and level first,
    then summed, so they never net out (as build_report)."""
    require_perm(actor, "org.view_quota")
    found = (
        UnitCount.objects.filter(_within_q(actor, "unit__", within))
        .exclude(level="")
        .order_by()
        .values(p=Substr("unit__path", 1, length))
        .annotate(a=Sum("approved"), f=Sum("filled"), v=Sum(_vacant()), o=Sum(_over()))
        .values_list("p", "a", "f", "v", "o")
    )
    totals = {
        path: Counts(approved=int(a), filled=int(f), vacant=int(v), over_quota=int(o))
        for path, a, f, v, o in found
        if len(path) == length
    }
    if dated is None:
        dated = _dated(_within_q(actor, "post__unit__", within), on)
    prefixes = tuple(within)

    def key_of(path: str) -> str | None:
        return path[:length] if len(path) >= length and path.startswith(prefixes) else None

    _correct(totals, dated, key_of)
    return totals


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


@dataclass
class UnitFigures:
    """The home page's 工作概况 of a scope; None: the actor may not read it."""

    posts: int | None
    cadres: int | None
    quota: Counts | None


FIGURE_PERMS = ("org.view_post", "people.view_cadre", "org.view_quota")


def unit_figures(*, actor: Any, on: dt.date | None = None) -> UnitFigures:
    """Posts, active cadres and 职数 totals of the actor's scope: one
    aggregate over the kept per-unit counts (and, for the quota, the day's
    correction: decision 0137), whatever the size of the scope. Each figure
    is there when the actor may read it; at least one is required."""
    allowed = {perm: has_perm(actor, perm) for perm in FIGURE_PERMS}
    if not any(allowed.values()):
        require_perm(actor, FIGURE_PERMS[0])
    on = on or today()
    found = UnitCount.objects.filter(unit_scope_q(actor, prefix="unit__")).aggregate(
        c=Sum("cadres"), p=Sum("posts"), a=Sum("approved"), f=Sum("filled"),
        v=Sum(_vacant()), o=Sum(_over()),
    )  # fmt: skip
    n = {k: int(v or 0) for k, v in found.items()}
    quota = None
    if allowed["org.view_quota"]:
        totals = {"": Counts(approved=n["a"], filled=n["f"], vacant=n["v"], over_quota=n["o"])}
        dated = _dated(unit_scope_q(actor, prefix="post__unit__"), on)
        _correct(totals, dated, lambda _path: "")
        quota = totals[""]
    return UnitFigures(
        posts=n["p"] if allowed["org.view_post"] else None,
        cadres=n["c"] if allowed["people.view_cadre"] else None,
        quota=quota,
    )
