"""Reads of the digestion plans and the 凡进必考 records, always within the
actor's scope (the plan's unit, the cadre's unit): out of scope is NotFound,
no permission is PermissionDenied."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from xuanren.access.policy import has_perm, require_perm, unit_scope_q
from xuanren.common.dates import today
from xuanren.common.errors import NotFound
from xuanren.org.selectors import active_tenure_q, quota_report
from xuanren.people.models import Cadre, Tenure
from xuanren.workforce.models import (
    CleanupCase,
    CleanupOutcome,
    DigestionItem,
    DigestionPlan,
    EntryMethod,
    EntryRecord,
)
from xuanren.workforce.overquota import (
    ProgressRow,
    Sector,
    SectorFigures,
    level_series,
    plan_days,
    progress_rows,
    sector_totals,
)

PLAN_VIEW = "workforce.view_digestionplan"
ENTRY_VIEW = "workforce.view_entryrecord"
CLEANUP_VIEW = "workforce.view_cleanupcase"
LIST_LIMIT = 200


def plans(*, actor: Any) -> QuerySet[DigestionPlan]:
    require_perm(actor, PLAN_VIEW)
    return (
        DigestionPlan.objects.filter(unit_scope_q(actor, prefix="unit__"))
        .select_related("unit")
        .annotate(n_items=Count("items"))
        .order_by("unit__path", "level", "pk")
    )


def plan_get(*, actor: Any, pk: int) -> DigestionPlan:
    require_perm(actor, PLAN_VIEW)
    found = (
        DigestionPlan.objects.filter(unit_scope_q(actor, prefix="unit__"), pk=pk)
        .select_related("unit")
        .first()
    )
    if found is None:
        raise NotFound(_("未找到该超职数消化计划，或其单位不在您的管理范围内。"))
    return found


@dataclass
class ItemLine:
    item: DigestionItem
    #: The day the cadre stopped holding a post of the plan's unit and level
    #: (None: still holds one on the day).
    left_on: dt.date | None
    overdue: bool


@dataclass
class PlanView:
    plan: DigestionPlan
    items: list[ItemLine]
    rows: list[ProgressRow]
    current: int
    digested: int

    @property
    def chart(self) -> dict[str, Any]:
        """The figures for the page's line chart (its table carries the same)."""
        return {
            "labels": [f"{r.day:%Y.%m.%d}" for r in self.rows],
            "actual": [r.actual for r in self.rows],
            "planned": [r.planned for r in self.rows],
            "actual_label": _("实际超职数"),
            "planned_label": _("计划超职数"),
        }


def plan_view(*, plan: DigestionPlan, on: dt.date | None = None) -> PlanView:
    """The plan's people with whether each has left the unit's level, and
    the monthly progress counted from the records: four queries."""
    on = on or today()
    items = list(plan.items.select_related("cadre__unit").order_by("expected_on", "pk"))
    held = set(
        Tenure.objects.filter(
            active_tenure_q(on),
            cadre__in=[i.cadre_id for i in items],
            post__unit_id=plan.unit_id,
            post__level=plan.level,
            post__counts_against_quota=True,
        ).values_list("cadre_id", flat=True)
    )
    ended: dict[int, dt.date] = {}
    for cadre_id, end in (
        Tenure.objects.filter(
            cadre__in=[i.cadre_id for i in items if i.cadre_id not in held],
            post__unit_id=plan.unit_id,
            post__level=plan.level,
            end_date__isnull=False,
            end_date__lte=on,
        )
        .order_by("end_date")
        .values_list("cadre_id", "end_date")
    ):
        if end is not None:
            ended[cadre_id] = end
    lines = [
        ItemLine(
            item=i,
            left_on=None if i.cadre_id in held else ended.get(i.cadre_id),
            overdue=i.cadre_id in held and i.expected_on < on,
        )
        for i in items
    ]
    days = [d for d in plan_days(plan.baseline_on, plan.target_on) if d <= on]
    if on not in days and on > plan.baseline_on:
        days.append(on)
    series = {
        s.day: s.over for s in level_series(unit_id=plan.unit_id, level=plan.level, days=days)
    }
    rows = progress_rows(
        baseline_on=plan.baseline_on,
        baseline_over=plan.baseline_over,
        target_on=plan.target_on,
        expected=[i.expected_on for i in items],
        series=series,
        on=on,
    )
    current = series.get(on, series.get(max(days), 0) if days else 0)
    return PlanView(
        plan=plan,
        items=lines,
        rows=rows,
        current=current,
        digested=max(plan.baseline_over - current, 0),
    )


def items_due_qs(*, actor: Any, horizon: dt.date, on: dt.date) -> QuerySet[DigestionItem]:
    """Plan people of the actor's scope expected to leave by `horizon` (and
    overdue) who still hold a post of the plan's unit and level on `on`:
    items_due's test, and 待办's probe of it."""
    still = Tenure.objects.filter(
        active_tenure_q(on),
        cadre_id=OuterRef("cadre_id"),
        post__unit_id=OuterRef("plan__unit_id"),
        post__level=OuterRef("plan__level"),
        post__counts_against_quota=True,
    )
    return DigestionItem.objects.filter(
        unit_scope_q(actor, prefix="plan__unit__"), expected_on__lte=horizon
    ).filter(Exists(still))


def items_due(*, actor: Any, horizon: dt.date, on: dt.date, limit: int = 50) -> list[DigestionItem]:
    """Plan people expected to leave by `horizon` (and overdue) who still hold
    a post of the plan's unit and level on `on`, soonest first (待办)."""
    if not (has_perm(actor, PLAN_VIEW) and has_perm(actor, "workforce.manage_digestionplan")):
        return []
    return list(
        items_due_qs(actor=actor, horizon=horizon, on=on)
        .select_related("cadre", "plan__unit")
        .order_by("expected_on", "pk")[:limit]
    )


@dataclass
class OverquotaFigures:
    """The seed §2 figures of a scope: vacancies and over-quota by sector on
    `since` and on `on`, and how many over-quota were digested in between."""

    since: dt.date
    on: dt.date
    before: dict[str, SectorFigures]
    now: dict[str, SectorFigures]
    sectors: list[tuple[str, str]] = field(default_factory=list)

    def lines(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for key, label in self.sectors:
            b, n = self.before[key], self.now[key]
            out.append(
                {
                    "label": label,
                    "vacant_before": b.vacant,
                    "over_before": b.over,
                    "digested": max(b.over - n.over, 0),
                    "vacant_now": n.vacant,
                    "over_now": n.over,
                }
            )
        keys = ("vacant_before", "over_before", "digested", "vacant_now", "over_now")
        total = {k: sum(int(line[k]) for line in out) for k in keys}
        out.append({"label": _("合计"), **total})
        return out


def overquota_figures(*, actor: Any, since: dt.date, on: dt.date | None = None) -> OverquotaFigures:
    """From the quota report of the actor's scope on two days (three grouped
    queries each): vacancies of county organs and townships, over-quota
    cadres, and those digested since."""
    require_perm(actor, "org.view_quota")
    on = on or today()
    return OverquotaFigures(
        since=since,
        on=on,
        before=sector_totals(quota_report(actor=actor, on=since)),
        now=sector_totals(quota_report(actor=actor, on=on)),
        sectors=[
            (Sector.COUNTY, _("县级机关")),
            (Sector.TOWNSHIP, _("乡镇（街道）")),
            (Sector.OTHER, _("其他单位")),
        ],
    )


# ---- 凡进必考 ----------------------------------------------------------------------


def entry_of(*, actor: Any, cadre: Cadre) -> EntryRecord | None:
    """The cadre's entry record for the cadre page, None when there is none
    or the actor may not read it."""
    if not has_perm(actor, ENTRY_VIEW):
        return None
    return EntryRecord.objects.filter(
        unit_scope_q(actor, prefix="cadre__unit__"), cadre=cadre
    ).first()


def cleanup_of(*, actor: Any, cadre: Cadre) -> CleanupCase | None:
    if not has_perm(actor, CLEANUP_VIEW):
        return None
    return CleanupCase.objects.filter(
        unit_scope_q(actor, prefix="cadre__unit__"), cadre=cadre
    ).first()


def cleanup_cases(*, actor: Any, outcome: str = "") -> QuerySet[CleanupCase]:
    require_perm(actor, CLEANUP_VIEW)
    rows = CleanupCase.objects.filter(unit_scope_q(actor, prefix="cadre__unit__")).select_related(
        "cadre__unit"
    )
    if outcome:
        rows = rows.filter(outcome=outcome)
    return rows.order_by("cadre__unit__path", "cadre__name", "pk")


@dataclass(frozen=True)
class Correction:
    """One correction of a cadre's entry record or cleanup outcome, old → new."""

    on: dt.datetime
    by: str
    what: str
    before: str
    after: str
    reason: str


def _entry_text(v: dict[str, Any] | None) -> str:
    if not v:
        return "—"
    parts = [
        str(EntryMethod(v["method"]).label) if v.get("method") in EntryMethod.values else "—",
        (v.get("entered_on") or "").replace("-", "."),
        v.get("document") or "",
    ]
    return "，".join(p for p in parts if p)


def _cleanup_text(v: dict[str, Any] | None) -> str:
    if not v:
        return "—"
    parts = [
        str(CleanupOutcome(v["outcome"]).label)
        if v.get("outcome") in CleanupOutcome.values
        else "—",
        (v.get("decided_on") or "").replace("-", "."),
        v.get("document") or "",
    ]
    return "，".join(p for p in parts if p)


def corrections_of(*, actor: Any, cadre: Cadre) -> list[Correction]:
    """The corrections of `cadre`'s entry record (and of the cleanup outcome
    when the actor may read the register), newest first, from the journal
    (decision 0187; one query). The caller has scoped `cadre`."""
    require_perm(actor, "workforce.view_entryrecord")
    from xuanren.journal.models import Event, EventType
    from xuanren.journal.services import subject_of

    kinds = [EventType.WORKFORCE_ENTRY_CORRECTED]
    if has_perm(actor, CLEANUP_VIEW):
        kinds.append(EventType.WORKFORCE_CLEANUP_CORRECTED)
    subject_type, subject_id = subject_of(cadre)
    out = []
    for e in Event.objects.filter(
        subject_type=subject_type, subject_id=subject_id, event_type__in=kinds
    ).order_by("-occurred_at", "-pk")[:LIST_LIMIT]:
        p = e.payload
        entry = e.event_type == EventType.WORKFORCE_ENTRY_CORRECTED
        text = _entry_text if entry else _cleanup_text
        out.append(
            Correction(
                on=e.occurred_at,
                by=e.actor_label,
                what=_("进人方式") if entry else _("清理处理结果"),
                before=text(p.get("before")),
                after=text(p.get("after")),
                reason=str(p.get("reason", "")),
            )
        )
    return out


#: A 待定 cleanup case comes to the 待办 this many days after it became 待定
#: (docs/decisions/0188).
CLEANUP_PENDING_DAYS = 90


def pending_cases_due(
    *, actor: Any, horizon: dt.date, limit: int = 50
) -> list[tuple[CleanupCase, dt.date]]:
    """待定 cases of the scope whose decision is due by `horizon` (and
    overdue), with the day due, soonest first (待办; one query)."""
    if not (has_perm(actor, CLEANUP_VIEW) and has_perm(actor, "workforce.manage_entryrecord")):
        return []
    rows = (
        CleanupCase.objects.filter(
            unit_scope_q(actor, prefix="cadre__unit__"),
            outcome=CleanupOutcome.PENDING,
            pending_since__lte=horizon - dt.timedelta(days=CLEANUP_PENDING_DAYS),
        )
        .select_related("cadre__unit")
        .order_by("pending_since", "pk")[:limit]
    )
    out = []
    for case in rows:
        assert case.pending_since is not None
        out.append((case, case.pending_since + dt.timedelta(days=CLEANUP_PENDING_DAYS)))
    return out


@dataclass
class CleanupCounts:
    """The seed's counts: cleaned in all, admitted, not included, not
    admitted (removed and not yet removed), pending."""

    by_outcome: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_outcome.values())

    @property
    def not_admitted(self) -> int:
        return self.by_outcome.get(CleanupOutcome.REMOVED, 0) + self.by_outcome.get(
            CleanupOutcome.NOT_REMOVED, 0
        )

    def lines(self) -> list[tuple[str, int]]:
        lines = [(_("清理人数"), self.total)]
        lines += [(str(o.label), self.by_outcome.get(o.value, 0)) for o in CleanupOutcome]
        lines.append((_("未录用合计（已清退 + 未清退）"), self.not_admitted))
        return lines


def cleanup_counts(*, actor: Any) -> CleanupCounts:
    """Counts by outcome in the actor's scope: one grouped query."""
    require_perm(actor, CLEANUP_VIEW)
    rows = (
        CleanupCase.objects.filter(unit_scope_q(actor, prefix="cadre__unit__"))
        .order_by()
        .values_list("outcome")
        .annotate(n=Count("id"))
    )
    return CleanupCounts(by_outcome=dict(rows))


def entry_counts(*, actor: Any) -> list[tuple[str, str, int]]:
    """Active cadres of the scope by entry method, and those not recorded:
    (key, label, count). Two queries."""
    require_perm(actor, ENTRY_VIEW)
    from xuanren.people.models import CadreStatus

    scope = unit_scope_q(actor, prefix="cadre__unit__")
    found = dict(
        EntryRecord.objects.filter(scope, cadre__status=CadreStatus.ACTIVE)
        .order_by()
        .values_list("method")
        .annotate(n=Count("id"))
        .values_list("method", "n")
    )
    active = Cadre.objects.filter(
        unit_scope_q(actor, prefix="unit__"), status=CadreStatus.ACTIVE
    ).count()
    lines = [(m.value, str(m.label), found.get(m.value, 0)) for m in EntryMethod]
    lines.append(("", _("未登记"), max(active - sum(found.values()), 0)))
    return lines
