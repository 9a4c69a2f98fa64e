"""Reads of rotation and exchange, always within the actor's scope (the
cadre's unit, the plan's, or for a post rule's alert the post's unit,
decision 0192): out of scope is NotFound.

The alerts are read per rule as one range of an indexed start date (decision
0176): the open tenures whose start is on or before the rule's cut-off (the
partial index tenure_open_start_date), or the cadres whose 任现职务层次时间
is (cadre_level_since), soonest first, at most `limit` — never the whole
scope computed cadre by cadre."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from xuanren.access.policy import has_perm, require_perm, unit_scope_q
from xuanren.common.dates import add_months, today
from xuanren.common.errors import NotFound
from xuanren.org.models import Level, Post, Unit
from xuanren.people.models import Cadre, CadreStatus, Tenure
from xuanren.rotation.calc import Stage, completed_months, cutoff, reached_on, stage
from xuanren.rotation.models import (
    EntryStatus,
    ExchangeRecord,
    RotationPlan,
    RotationPlanEntry,
)
from xuanren.rotation.rules import AlertKind, AlertStage, Rule, pack, sensitive, window_months

ALERTS_PERM = "rotation.view_rotation_alerts"
PLANS_PERM = "rotation.view_rotationplan"
EXCHANGES_PERM = "rotation.view_exchangerecord"
#: How many alerts a list shows at most (each rule reads at most this many).
LIST_LIMIT = 200


@dataclass(frozen=True)
class Alert:
    rule: Rule
    cadre: Cadre
    #: The post held (post_years, post_terms); None for level_years.
    post: Post | None
    level: str
    since: dt.date
    due: dt.date
    stage: str
    served_months: int

    @property
    def stage_label(self) -> str:
        return str(AlertStage(self.stage).label)

    @property
    def where(self) -> str:
        if self.post is not None:
            return str(self.post)
        return f"{self.cadre.unit.name}{self.cadre.current_post_title}"

    @property
    def level_label(self) -> str:
        return str(Level(self.level).label) if self.level in Level.values else ""

    @property
    def served_text(self) -> str:
        years, months = divmod(self.served_months, 12)
        if months:
            return _("%(y)d 年 %(m)d 个月") % {"y": years, "m": months}
        return _("%(y)d 年") % {"y": years}

    @property
    def reached(self) -> bool:
        return self.stage == AlertStage.REACHED


def _post_q(rule: Rule) -> Q:
    q = Q(post__level__in=rule.levels)
    if rule.principal_only:
        q &= Q(post__is_principal=True)
    if rule.keywords:
        words = Q()
        for word in rule.keywords:
            words |= Q(post__title__contains=word) | Q(post__unit__name__contains=word)
        q &= words
    return q


def _level_q(rule: Rule) -> Q:
    return Q(level__in=rule.levels)


def _open_tenures(actor: Any) -> QuerySet[Tenure]:
    """The open tenures of active cadres in posts of the actor's scope. A
    post rule is about the post, so the scope is the post's unit (decision
    0192): the scope's units lead to their posts and each post to its open
    tenure by index, a few thousand rows for a county, where the cadre's unit
    made PostgreSQL read every cadre of the county first."""
    return Tenure.objects.filter(
        unit_scope_q(actor, prefix="post__unit__"),
        end_date__isnull=True,
        cadre__status=CadreStatus.ACTIVE,
    )


def _rule_rows(
    actor: Any, rule: Rule, on: dt.date, horizon: dt.date, unit: Unit | None, only: str, limit: int
) -> list[Alert]:
    last = cutoff(horizon, rule.months)
    first_approaching = cutoff(on, rule.months)  # starts after it are not reached yet
    alerts: list[Alert] = []
    if rule.kind in (AlertKind.POST_YEARS, AlertKind.POST_TERMS):
        tenures = _open_tenures(actor).filter(_post_q(rule), start_date__lte=last)
        if unit is not None:
            tenures = tenures.filter(post__unit__path__startswith=unit.path)
        if only == AlertStage.REACHED:
            tenures = tenures.filter(start_date__lte=first_approaching)
        elif only == AlertStage.APPROACHING:
            tenures = tenures.filter(start_date__gt=first_approaching)
        for t in tenures.select_related("cadre__unit", "post__unit").order_by("start_date", "pk")[
            :limit
        ]:
            alerts.append(_alert(rule, t.cadre, t.post, t.post.level, t.start_date, on))
        return alerts
    cadres = Cadre.objects.filter(
        unit_scope_q(actor, prefix="unit__"),
        status=CadreStatus.ACTIVE,
        level__in=rule.levels,
        level_since__lte=last,
    )
    if unit is not None:
        cadres = cadres.filter(unit__path__startswith=unit.path)
    if only == AlertStage.REACHED:
        cadres = cadres.filter(level_since__lte=first_approaching)
    elif only == AlertStage.APPROACHING:
        cadres = cadres.filter(level_since__gt=first_approaching)
    for c in cadres.select_related("unit").order_by("level_since", "pk")[:limit]:
        assert c.level_since is not None
        alerts.append(_alert(rule, c, None, c.level, c.level_since, on))
    return alerts


def _alert(
    rule: Rule, cadre: Cadre, post: Post | None, level: str, since: dt.date, on: dt.date
) -> Alert:
    got = stage(since, rule.months, on, window_months())
    return Alert(
        rule=rule,
        cadre=cadre,
        post=post,
        level=level,
        since=since,
        due=reached_on(since, rule.months),
        stage=AlertStage.REACHED if got is Stage.REACHED else AlertStage.APPROACHING,
        served_months=completed_months(since, on),
    )


def alerts(
    *,
    actor: Any,
    on: dt.date | None = None,
    kind: str = "",
    unit: Unit | None = None,
    only: str = "",
    horizon: dt.date | None = None,
    limit: int = LIST_LIMIT,
) -> list[Alert]:
    """The alerts in the actor's scope (of `unit`'s subtree, of one `kind`,
    only reached or only approaching), reached by `horizon` (by default the
    rotation window from `on`), soonest first: one query per rule."""
    require_perm(actor, ALERTS_PERM)
    on = on or today()
    horizon = horizon or add_months(on, window_months())
    found: list[Alert] = []
    for rule in pack().rules:
        if kind and rule.kind != kind:
            continue
        found += _rule_rows(actor, rule, on, horizon, unit, only, limit)
    found.sort(key=lambda a: (a.due, a.cadre.pk, a.rule.id))
    return found[:limit]


def cadre_alerts(*, actor: Any, cadre: Cadre, on: dt.date | None = None) -> list[Alert]:
    """The cadre's alerts, reached or approaching, for the cadre page: from
    the open tenures already read with the cadre (cadre_get prefetches them)
    and the cadre's level; [] for who may not read alerts."""
    if not has_perm(actor, ALERTS_PERM) or cadre.status != CadreStatus.ACTIVE:
        return []
    on = on or today()
    window = window_months()
    found: list[Alert] = []
    open_tenures = [t for t in cadre.tenures.all() if t.end_date is None and t.start_date <= on]
    for rule in pack().rules:
        if rule.kind == AlertKind.LEVEL_YEARS:
            since = cadre.level_since
            if (
                cadre.level in rule.levels
                and since is not None
                and stage(since, rule.months, on, window) is not Stage.NONE
            ):
                found.append(_alert(rule, cadre, None, cadre.level, since, on))
            continue
        for t in open_tenures:
            post = t.post
            if post.level not in rule.levels or (rule.principal_only and not post.is_principal):
                continue
            if not sensitive(rule, post.title, post.unit.name):
                continue
            if stage(t.start_date, rule.months, on, window) is not Stage.NONE:
                found.append(_alert(rule, cadre, post, post.level, t.start_date, on))
    return sorted(found, key=lambda a: (a.due, a.rule.id))


# --- exchange records ---------------------------------------------------------


def _exchanges(actor: Any) -> QuerySet[ExchangeRecord]:
    return ExchangeRecord.objects.filter(
        unit_scope_q(actor, prefix="cadre__unit__")
    ).select_related("cadre__unit", "from_post__unit", "to_post__unit", "posting__host_unit")


def cadre_exchanges(*, actor: Any, cadre: Cadre) -> list[ExchangeRecord]:
    """The cadre's exchange records for the cadre page, [] for who may not read them."""
    if not has_perm(actor, EXCHANGES_PERM):
        return []
    return list(_exchanges(actor).filter(cadre=cadre).order_by("-date", "-pk"))


def exchanges(*, actor: Any, cadre_id: int | None = None) -> QuerySet[ExchangeRecord]:
    require_perm(actor, EXCHANGES_PERM)
    rows = _exchanges(actor)
    if cadre_id is not None:
        rows = rows.filter(cadre_id=cadre_id)
    return rows.order_by("-date", "-pk")


# --- rotation plans -----------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    planned: int
    done: int
    cancelled: int

    @property
    def total(self) -> int:
        """Those still meant to rotate: planned and done (not the cancelled)."""
        return self.planned + self.done

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def plans(*, actor: Any) -> QuerySet[RotationPlan]:
    """The plans of units in the actor's scope, with each one's counts."""
    require_perm(actor, PLANS_PERM)
    return (
        RotationPlan.objects.filter(unit_scope_q(actor, prefix="unit__"))
        .select_related("unit")
        .annotate(
            n_planned=Count("entries", filter=Q(entries__status=EntryStatus.PLANNED)),
            n_done=Count("entries", filter=Q(entries__status=EntryStatus.DONE)),
            n_cancelled=Count("entries", filter=Q(entries__status=EntryStatus.CANCELLED)),
        )
        .order_by("-year", "unit__path", "pk")
    )


def plan_get(*, actor: Any, pk: int) -> RotationPlan:
    require_perm(actor, PLANS_PERM)
    found = (
        RotationPlan.objects.filter(unit_scope_q(actor, prefix="unit__"), pk=pk)
        .select_related("unit")
        .first()
    )
    if found is None:
        raise NotFound(_("未找到该轮岗计划，或其单位不在您的管理范围内。"))
    return found


def plan_entries(*, plan: RotationPlan) -> list[RotationPlanEntry]:
    return list(
        plan.entries.select_related(
            "cadre__unit", "from_post__unit", "target_post__unit", "exchange"
        ).order_by("status", "pk")
    )


def progress_of(entries: list[RotationPlanEntry]) -> Progress:
    by = {s: sum(1 for e in entries if e.status == s) for s in EntryStatus.values}
    return Progress(
        planned=by[EntryStatus.PLANNED],
        done=by[EntryStatus.DONE],
        cancelled=by[EntryStatus.CANCELLED],
    )


def plan_progress(plan: Any) -> Progress:
    """Progress of a plan read through `plans` (its annotated counts)."""
    return Progress(planned=plan.n_planned, done=plan.n_done, cancelled=plan.n_cancelled)


def cadre_plan_entries(*, actor: Any, cadre: Cadre) -> list[RotationPlanEntry]:
    if not has_perm(actor, PLANS_PERM):
        return []
    return list(
        RotationPlanEntry.objects.filter(unit_scope_q(actor, prefix="plan__unit__"), cadre=cadre)
        .select_related("plan", "target_post__unit")
        .order_by("-plan__year", "-pk")
    )


# --- corrections (docs/decisions/0190) ------------------------------------------


def exchange_get(*, actor: Any, pk: int) -> ExchangeRecord:
    """One exchange record of a cadre in the actor's scope; NotFound otherwise."""
    require_perm(actor, EXCHANGES_PERM)
    found = _exchanges(actor).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("未找到该交流记录，或该干部不在您的管理范围内。"))
    return found


def entry_get(*, actor: Any, pk: int) -> RotationPlanEntry:
    """One rotation-plan entry of a plan in the actor's scope; NotFound otherwise."""
    require_perm(actor, PLANS_PERM)
    found = (
        RotationPlanEntry.objects.filter(unit_scope_q(actor, prefix="plan__unit__"), pk=pk)
        .select_related("plan__unit", "cadre__unit", "from_post__unit", "target_post__unit")
        .first()
    )
    if found is None:
        raise NotFound(_("未找到该轮岗计划人员，或其计划不在您的管理范围内。"))
    return found
