"""Reads of the standing reporting and consultation channel (常设举报咨询渠道,
DOMAIN §6, docs/decisions/0127–0129): the inbox of the discipline commission
and the cadre supervision office with its filters and counts, one entry, the
people an entry may be given to, and the entries that concern a cadre or a
case (for those who may read reports, in their scope)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from xuanren.access.policy import has_perm, require_perm, unit_in_scope, unit_scope_q
from xuanren.common.dates import today
from xuanren.common.errors import NotFound
from xuanren.org.models import Unit, path_and_ancestors
from xuanren.supervision.models import Report, ReportKind, ReportSource, ReportStatus
from xuanren.supervision.selectors import report_get

VIEW_REPORT = "supervision.view_report"
#: The default time to deal with an entry, counted from the day it came in:
#: setting XUANREN_CHANNEL_DUE_DAYS (docs/decisions/0128).
DEFAULT_DUE_DAYS = 60


def due_days() -> int:
    return int(getattr(settings, "XUANREN_CHANNEL_DUE_DAYS", DEFAULT_DUE_DAYS))


def default_due(received_on: dt.date) -> dt.date:
    return received_on + dt.timedelta(days=due_days())


def receiving_unit() -> Unit | None:
    """The unit whose supervision office runs the public channel: the unit
    with code XUANREN_CHANNEL_UNIT, else the first top-level unit (the
    county of a single-county installation)."""
    code = getattr(settings, "XUANREN_CHANNEL_UNIT", "")
    if code:
        found = Unit.objects.filter(code=code).first()
        if found is not None:
            return found
    return Unit.objects.filter(parent=None).order_by("path").first()


def _open() -> Q:
    return ~Q(status=ReportStatus.CLOSED)


def overdue_q(on: dt.date) -> Q:
    """Not closed and past its deadline."""
    return _open() & Q(due_on__lt=on)


#: The inbox filters' keys; "" means any.
@dataclass(frozen=True)
class ChannelFilters:
    status: str = ""
    source: str = ""
    kind: str = ""
    overdue: bool = False
    mine: bool = False

    def cleaned(self) -> ChannelFilters:
        """Unknown values read as "any" (a hand-edited address is not an error)."""
        return ChannelFilters(
            status=self.status if self.status in ReportStatus.values else "",
            source=self.source if self.source in ReportSource.values else "",
            kind=self.kind if self.kind in ReportKind.values else "",
            overdue=self.overdue,
            mine=self.mine,
        )


def _scoped(actor: Any) -> QuerySet[Report]:
    require_perm(actor, VIEW_REPORT)
    return Report.objects.filter(unit_scope_q(actor, prefix="unit__"), channel=True)


def channel_inbox(
    *, actor: Any, filters: ChannelFilters = ChannelFilters(), on: dt.date | None = None
) -> QuerySet[Report]:
    """The channel's entries in the actor's scope, filtered; overdue first
    among the open ones is left to the page (it sorts by deadline)."""
    f = filters.cleaned()
    qs = _scoped(actor)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.source:
        qs = qs.filter(source=f.source)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.overdue:
        qs = qs.filter(overdue_q(on or today()))
    if f.mine:
        qs = qs.filter(assigned_to=actor)
    return qs.select_related("assigned_to", "cadre", "case").order_by("-received_at", "-id")


@dataclass(frozen=True)
class ChannelCounts:
    total: int
    by_status: dict[str, int]
    by_source: dict[str, int]
    by_kind: dict[str, int]
    overdue: int
    mine: int


def channel_counts(*, actor: Any, on: dt.date | None = None) -> ChannelCounts:
    """The inbox's counts, in one query."""
    on = on or today()
    aggregates: dict[str, Any] = {
        "total": Count("pk"),
        "overdue": Count("pk", filter=overdue_q(on)),
    }
    aggregates["mine"] = Count("pk", filter=Q(assigned_to=actor) & _open())
    for value in ReportStatus.values:
        aggregates[f"status_{value}"] = Count("pk", filter=Q(status=value))
    for value in ReportSource.values:
        aggregates[f"source_{value}"] = Count("pk", filter=Q(source=value))
    for value in ReportKind.values:
        aggregates[f"kind_{value}"] = Count("pk", filter=Q(kind=value))
    row = _scoped(actor).aggregate(**aggregates)
    return ChannelCounts(
        total=row["total"],
        by_status={v: row[f"status_{v}"] for v in ReportStatus.values},
        by_source={v: row[f"source_{v}"] for v in ReportSource.values},
        by_kind={v: row[f"kind_{v}"] for v in ReportKind.values},
        overdue=row["overdue"],
        mine=row["mine"],
    )


def channel_get(*, actor: Any, pk: int) -> Report:
    """One channel entry (a notice report is read on its own page)."""
    report = report_get(actor=actor, pk=pk)
    if not report.channel:
        raise NotFound(_("未找到该举报咨询。"))
    return report


def may_handle(user: Any, kind: str) -> bool:
    """Who an entry may be given to: a report to someone who investigates
    reports (the discipline commission); a consultation also to the cadre
    supervision office, who answers it (docs/decisions/0129)."""
    if has_perm(user, "supervision.investigate_report"):
        return True
    return kind == ReportKind.CONSULTATION and has_perm(user, "supervision.assign_report")


def channel_assignable_users(*, unit: Unit, kind: str) -> list[Any]:
    """Active users who may be given an entry of `kind` read in `unit`: they
    hold the permission through a role (or directly) and `unit` is in their
    scope (their scope root is `unit` or one of its ancestors)."""
    codenames = ["investigate_report"]
    if kind == ReportKind.CONSULTATION:
        codenames.append("assign_report")
    perms = list(
        Permission.objects.filter(content_type__app_label="supervision", codename__in=codenames)
    )
    if not perms:
        return []
    q = Q(groups__permissions__in=perms) | Q(user_permissions__in=perms)
    users = get_user_model().objects.filter(
        q, is_active=True, scope__unit__path__in=path_and_ancestors(unit.path)
    )
    return list(users.distinct().order_by("username"))


def _concerning(actor: Any, link: Q) -> list[Report]:
    if not has_perm(actor, VIEW_REPORT):
        return []
    return list(
        Report.objects.filter(link, unit_scope_q(actor, prefix="unit__"))
        .select_related("assigned_to")
        .order_by("-received_at", "-id")[:50]
    )


def cadre_reports(*, actor: Any, cadre: Any) -> list[Report]:
    """The reports and consultations linked to `cadre`, and the notice
    reports about them as a candidate, for those who may read reports (in
    their scope); nobody else learns that any exist."""
    return _concerning(actor, Q(cadre=cadre) | Q(candidate__cadre=cadre))


def case_channel_reports(*, actor: Any, case: Any) -> list[Report]:
    """The channel's entries linked to `case` (the notice's own reports are
    listed on the case's notice page), for those who may read reports."""
    if not unit_in_scope(actor, case.unit):
        return []
    return _concerning(actor, Q(case=case, channel=True))


def link_targets(*, actor: Any, cadre_text: str, case_number: str) -> tuple[Any, Any]:
    """The cadre (by name, or by ID number when names repeat) and the case (by
    number) typed on the link form, among those the actor may read; a blank
    field is no link. Refused with the field's message otherwise."""
    from xuanren.common.errors import ErrorCollector
    from xuanren.people.models import Cadre
    from xuanren.procedure.models import Case

    out = ErrorCollector()
    cadre = case = None
    cadre_text, case_number = cadre_text.strip(), case_number.strip()
    if cadre_text:
        cadres = Cadre.objects.none()
        if has_perm(actor, "people.view_cadre"):
            cadres = Cadre.objects.filter(unit_scope_q(actor, prefix="unit__"))
        if len(cadre_text) == 18 and cadre_text[:17].isdigit():
            found = list(cadres.filter(id_number=cadre_text.upper())[:2])
        else:
            found = list(cadres.filter(name=cadre_text)[:2])
        if not found:
            out.add("cadre", _("您的管理范围内没有这名干部，请核对姓名或身份号码。"))
        elif len(found) > 1:
            out.add("cadre", _("有同名干部，请填写公民身份号码。"))
        else:
            cadre = found[0]
    if case_number:
        cases = Case.objects.none()
        if has_perm(actor, "procedure.view_case"):
            cases = Case.objects.filter(unit_scope_q(actor, prefix="unit__"))
        case = cases.filter(number=case_number).first()
        if case is None:
            out.add("case", _("您的管理范围内没有这个编号的选任事项。"))
    out.raise_if_any(_("关联未保存，请按提示修改。"))
    return cadre, case
