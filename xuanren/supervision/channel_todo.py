"""The standing channel's rows of 待办 (docs/decisions/0127): what the
procedure's to-do list shows, read here so the list does not need to know the
channel's states."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xuanren.access.policy import has_perm, unit_scope_q
from xuanren.supervision.models import Report, ReportStatus


@dataclass(frozen=True)
class ChannelTodo:
    text: str
    due: dt.date
    link: str
    mine: bool  # assigned to the actor (else: waiting for an assignee)


def _next(status: str) -> str:
    if status == ReportStatus.ASSIGNED:
        return _("请办理")
    if status == ReportStatus.INVESTIGATING:
        return _("正在调查核实，查清后请答复或办结")
    return _("已答复，请办结")


def channel_todo(*, actor: Any) -> list[ChannelTodo]:
    """Entries waiting for an assignee (for who may assign them) and the
    actor's own open entries, in one query."""
    if not has_perm(actor, "supervision.view_report"):
        return []
    wanted = (
        Q(assigned_to=actor) & ~Q(status=ReportStatus.CLOSED) & ~Q(status=ReportStatus.REGISTERED)
    )
    if has_perm(actor, "supervision.assign_report"):
        wanted |= Q(status=ReportStatus.REGISTERED)
    rows = Report.objects.filter(wanted, unit_scope_q(actor, prefix="unit__"), channel=True).only(
        "pk", "kind", "source", "status", "about_name", "received_at", "due_on", "assigned_to"
    )
    items = []
    for r in rows:
        what = r.get_kind_display()
        about = _("关于%(n)s的") % {"n": r.about_name} if r.about_name else ""
        link = reverse("supervision:channel_entry", args=[r.pk])
        received = timezone.localdate(r.received_at)
        if r.status == ReportStatus.REGISTERED:
            items.append(
                ChannelTodo(
                    text=_("收到%(about)s%(what)s（%(source)s，第 %(n)s 号），请分派承办人。")
                    % {"about": about, "what": what, "source": r.get_source_display(), "n": r.pk},
                    due=received,
                    link=link,
                    mine=False,
                )
            )
            continue
        items.append(
            ChannelTodo(
                text=_("%(about)s%(what)s（%(source)s，第 %(n)s 号），%(next)s。")
                % {
                    "about": about,
                    "what": what,
                    "source": r.get_source_display(),
                    "n": r.pk,
                    "next": _next(r.status),
                },
                due=r.due_on or received,
                link=link,
                mine=True,
            )
        )
    return items
