"""Reads of the work plans, always within the actor's scope (the plan's
unit): out of scope is NotFound, no permission is PermissionDenied. A
report's deadlines are computed (recurrence.occurrences) and matched with its
submissions: an occurrence without one is open."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from xuanren.access.policy import has_perm, require_perm, unit_scope_q
from xuanren.common.errors import NotFound
from xuanren.plans.models import (
    PlanPhase,
    PlanReport,
    PlanTask,
    ReportSubmission,
    TaskStatus,
    WorkPlan,
)
from xuanren.plans.recurrence import Occurrence, occurrences

VIEW_PERM = "plans.view_workplan"
MANAGE_PERM = "plans.manage_workplan"
LIST_LIMIT = 200


def reminder_days() -> int:
    return int(getattr(settings, "XUANREN_PLAN_REMINDER_DAYS", 7))


def _base(actor: Any) -> QuerySet[WorkPlan]:
    return WorkPlan.objects.filter(unit_scope_q(actor, prefix="unit__")).select_related("unit")


def plans(*, actor: Any, year: int | None = None) -> QuerySet[WorkPlan]:
    require_perm(actor, VIEW_PERM)
    rows = _base(actor)
    if year:
        rows = rows.filter(year=year)
    return rows.order_by("-year", "-pk")


def plan_get(*, actor: Any, pk: int) -> WorkPlan:
    require_perm(actor, VIEW_PERM)
    found = (
        _base(actor)
        .prefetch_related(
            "phases",
            "tasks__phase",
            "tasks__responsible",
            "reports__responsible",
            "reports__submissions__attachments",
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound(_("未找到该工作方案，或其制定单位不在您的管理范围内。"))
    return found


def task_get(*, actor: Any, pk: int) -> PlanTask:
    require_perm(actor, VIEW_PERM)
    found = (
        PlanTask.objects.filter(unit_scope_q(actor, prefix="plan__unit__"))
        .select_related("plan__unit", "phase", "responsible")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound(_("未找到该任务，或其方案不在您的管理范围内。"))
    return found


def phase_get(*, actor: Any, pk: int) -> PlanPhase:
    require_perm(actor, VIEW_PERM)
    found = (
        PlanPhase.objects.filter(unit_scope_q(actor, prefix="plan__unit__"))
        .select_related("plan__unit")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound(_("未找到该阶段，或其方案不在您的管理范围内。"))
    return found


def report_get(*, actor: Any, pk: int) -> PlanReport:
    require_perm(actor, VIEW_PERM)
    found = (
        PlanReport.objects.filter(unit_scope_q(actor, prefix="plan__unit__"))
        .select_related("plan__unit", "responsible")
        .prefetch_related("submissions__attachments")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound(_("未找到该报送事项，或其方案不在您的管理范围内。"))
    return found


def attachment_get(*, actor: Any, pk: int) -> Any:
    from xuanren.plans.models import PlanAttachment

    require_perm(actor, VIEW_PERM)
    found = (
        PlanAttachment.objects.filter(
            unit_scope_q(actor, prefix="submission__report__plan__unit__")
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound(_("未找到该附件，或其方案不在您的管理范围内。"))
    return found


@dataclass(frozen=True)
class DueLine:
    """One deadline of a report with what was submitted for it."""

    report: PlanReport
    occurrence: Occurrence
    submission: ReportSubmission | None

    @property
    def done(self) -> bool:
        return self.submission is not None

    def overdue(self, on: dt.date) -> bool:
        return self.submission is None and self.occurrence.due < on


def _calendar_for(plans_: list[WorkPlan]) -> Any:
    years: set[int] = set()
    for p in plans_:
        years.update(range(p.starts_on.year, p.ends_on.year + 2))
    from xuanren.workdays.calendar import MAX_YEAR
    from xuanren.workdays.selectors import working_calendar

    return working_calendar(y for y in years if y <= MAX_YEAR).is_working_day


def report_lines(plan: WorkPlan, reports: list[PlanReport], working: Any = None) -> list[DueLine]:
    """Every deadline of the plan's reports in order of due date (the reports'
    submissions prefetched)."""
    if working is None and any(r.next_working_day for r in reports):
        working = _calendar_for([plan])
    lines = []
    for report in reports:
        done = {s.period_start: s for s in report.submissions.all()}
        for occ in occurrences(report.rule, plan.starts_on, plan.ends_on, working):
            lines.append(DueLine(report, occ, done.get(occ.period_start)))
    lines.sort(key=lambda line: (line.occurrence.due, line.report.pk))
    return lines


@dataclass(frozen=True)
class DueItem:
    plan: WorkPlan
    task: PlanTask | None
    line: DueLine | None
    due: dt.date


def due_items(*, actor: Any, on: dt.date, limit: int = 100) -> list[DueItem]:
    """For 待办: tasks not done and report deadlines not submitted, due within
    XUANREN_PLAN_REMINDER_DAYS of `on` or already overdue, of the plans in
    the actor's scope, for who manages plans (docs/decisions/0185)."""
    if not (has_perm(actor, MANAGE_PERM) and has_perm(actor, VIEW_PERM)):
        return []
    horizon = on + dt.timedelta(days=reminder_days())
    items: list[DueItem] = []
    tasks = (
        PlanTask.objects.filter(unit_scope_q(actor, prefix="plan__unit__"))
        .exclude(status=TaskStatus.DONE)
        .filter(deadline__lte=horizon)
        .select_related("plan")
        # what the reminder shows and tests, not the task's and plan's whole rows
        .only("title", "office", "deadline", "status", "responsible", "plan__title")
        .order_by("deadline", "pk")[:limit]
    )
    items += [DueItem(t.plan, t, None, t.deadline) for t in tasks]
    # Plans with reports that have begun by the horizon, the latest first (an
    # old plan's missed deadline stays overdue until it is submitted).
    open_plans = list(
        _base(actor)
        .filter(reports__isnull=False, starts_on__lte=horizon)
        .distinct()
        .prefetch_related(Prefetch("reports", PlanReport.objects.prefetch_related("submissions")))
        .order_by("-starts_on", "-pk")[:limit]
    )
    working = (
        _calendar_for(open_plans)
        if any(r.next_working_day for p in open_plans for r in p.reports.all())
        else None
    )
    for plan in open_plans:
        for line in report_lines(plan, list(plan.reports.all()), working):
            if not line.done and line.occurrence.due <= horizon:
                items.append(DueItem(plan, None, line, line.occurrence.due))
    items.sort(key=lambda i: (i.due, i.plan.pk))
    return items[:limit]


def responsible_users(*, actor: Any) -> QuerySet[Any]:
    """Active users whose scope lies within the actor's: who may be named a
    task's or report's 责任人."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(is_active=True)
    return users.filter(unit_scope_q(actor, prefix="scope__unit__"))


def responsible_choices(*, actor: Any, limit: int = 300) -> list[tuple[int, str]]:
    """The choices of a task's or report's 责任人 (responsible_users)."""
    users = responsible_users(actor=actor).order_by("username")
    return [
        (u.pk, f"{u.get_full_name() or u.username}（{u.username}）")
        for u in users.only("pk", "username", "first_name", "last_name")[:limit]
    ]
