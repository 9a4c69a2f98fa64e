"""待办 of the roles that own a step (docs/decisions/0064): the cases an
inspection team member is on, the integrity requests addressed to the
discipline commission, the audit requests addressed to the audit office.
Registered with `todo.source`; imported by the app's ready()."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from xuanren.access.policy import has_perm
from xuanren.procedure.assignments import (
    ANSWER_AUDIT,
    ANSWER_INTEGRITY,
    SERVE_TEAM,
    signature_state,
)
from xuanren.procedure.models import (
    AuditRequest,
    CaseStatus,
    InspectionTeamMember,
    IntegrityRequest,
)
from xuanren.procedure.todo import TodoItem, TodoKind, TodoQuery, source


def _latest_per_case(requests: Iterable[Any]) -> list[Any]:
    latest: dict[int, Any] = {}
    for r in requests:
        latest.setdefault(r.case_id, r)
    return list(latest.values())


def _probe_team(query: TodoQuery) -> QuerySet[Any] | None:
    if not has_perm(query.actor, SERVE_TEAM):
        return None
    return InspectionTeamMember.objects.filter(user=query.actor, case__status=CaseStatus.OPEN)


@source(probe=_probe_team)
def inspections_assigned(query: TodoQuery) -> Iterable[TodoItem]:
    """Cases whose inspection team the actor is on, until the inspection is
    recorded: record talks and coverage, upload the materials, sign."""
    if not has_perm(query.actor, SERVE_TEAM):
        return []
    members = (
        InspectionTeamMember.objects.filter(user=query.actor, case__status=CaseStatus.OPEN)
        .exclude(case__steps__step="inspection")
        .select_related("case__officer")
        .order_by("assigned_at", "id")
    )
    items = []
    for m in members:
        case = m.case
        signed = signature_state(case).get(query.actor.pk) == "signed"
        text = (
            _("%(number)s %(title)s：您是考察组%(r)s，请记录考察情况、上传考察材料并署名。")
            if not signed
            else _("%(number)s %(title)s：您是考察组%(r)s，已署名，待考察组完成考察环节。")
        ) % {
            "number": case.number,
            "title": case.title,
            "r": _("组长") if m.is_leader else _("成员"),
        }
        items.append(
            TodoItem(
                kind=TodoKind.INSPECTION_ASSIGNED,
                text=text,
                due=query.on if not signed else query.horizon,
                link=reverse("web:case_detail", args=[case.pk]),
                case=case,
                mine=True,
            )
        )
    return items


def _open_requests(query: TodoQuery, model: Any, step: str) -> list[Any]:
    """The latest request of each open case in scope not yet past `step`,
    with its case from the request's shared read of the open cases."""
    cases = {c.pk: c for c in query.open_cases()}
    if not cases:
        return []
    latest = _latest_per_case(
        model.objects.filter(case_id__in=cases)
        .exclude(case__steps__step=step)
        .order_by("case_id", "-sent_at", "-id")
    )
    for r in latest:
        r.case = cases[r.case_id]
    return latest


def _probe_requests(model: Any, perm: str, step: str) -> Any:
    """A request source's probe (decision 0166): requests of open cases not
    yet past the step, in any scope."""

    def probe(query: TodoQuery) -> QuerySet[Any] | None:
        if not has_perm(query.actor, perm):
            return None
        return model.objects.filter(case__status=CaseStatus.OPEN).exclude(case__steps__step=step)

    return probe


@source(probe=_probe_requests(IntegrityRequest, ANSWER_INTEGRITY, "integrity_opinion"))
def integrity_requests_open(query: TodoQuery) -> Iterable[TodoItem]:
    """Requests for the integrity opinion not yet answered, with their deadline."""
    if not has_perm(query.actor, ANSWER_INTEGRITY):
        return []
    items = []
    for r in _open_requests(query, IntegrityRequest, "integrity_opinion"):
        case = r.case
        items.append(
            TodoItem(
                kind=TodoKind.INTEGRITY_REQUESTED,
                text=_(
                    "%(number)s %(title)s：征求廉政意见（%(doc)s，%(sent)s 发函），"
                    "讨论决定会议拟于 %(meeting)s 召开，请于 %(deadline)s 前答复。"
                )
                % {
                    "number": case.number,
                    "title": case.title,
                    "doc": r.document,
                    "sent": f"{r.sent_on:%Y.%m.%d}",
                    "meeting": f"{r.meeting_date:%Y.%m.%d}",
                    "deadline": f"{r.deadline:%Y.%m.%d}",
                },
                due=r.deadline,
                link=reverse("web:integrity_answer", args=[r.pk]),
                case=case,
                mine=True,
            )
        )
    return items


@source(probe=_probe_requests(AuditRequest, ANSWER_AUDIT, "audit"))
def audit_requests_open(query: TodoQuery) -> Iterable[TodoItem]:
    """Audit requests whose conclusion is not yet recorded."""
    if not has_perm(query.actor, ANSWER_AUDIT):
        return []
    items = []
    for r in _open_requests(query, AuditRequest, "audit"):
        case = r.case
        due: dt.date = r.due_on or r.sent_on
        items.append(
            TodoItem(
                kind=TodoKind.AUDIT_REQUESTED,
                text=_(
                    "%(number)s %(title)s：委托经济责任审计（%(doc)s，%(sent)s 发函），请记录审计结论。"
                )
                % {
                    "number": case.number,
                    "title": case.title,
                    "doc": r.document,
                    "sent": f"{r.sent_on:%Y.%m.%d}",
                },
                due=due,
                link=reverse("web:audit_answer", args=[r.pk]),
                case=case,
                mine=True,
            )
        )
    return items
