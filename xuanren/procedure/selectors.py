"""Reads in the procedure context: cases in scope, a case's timeline with the
guards of its current step, and the 纪实 (complete record) of a case."""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet, Subquery
from django.utils.translation import gettext as _

from xuanren.access.policy import NOTHING, has_perm, require_perm, require_unit, unit_scope_q
from xuanren.common.dates import today
from xuanren.common.errors import Conflict, FieldError, NotFound
from xuanren.journal.models import JournalHead
from xuanren.org.models import Post
from xuanren.procedure.assignments import case_read_q
from xuanren.procedure.catalogue import GUARDS, STEPS
from xuanren.procedure.guards import GuardContext, check
from xuanren.procedure.models import (
    Attachment,
    Candidate,
    Case,
    CaseStatus,
    CaseStep,
    Committee,
    MotionProposal,
    MotionProposalPost,
    MotionProposalStatus,
    ProcedureTemplate,
)


def case_list(*, actor: Any, status: str = "", step: str = "", q: str = "") -> QuerySet[Case]:
    require_perm(actor, "procedure.view_case")
    qs = Case.objects.filter(unit_scope_q(actor, prefix="unit__")).select_related(
        "template", "unit", "officer"
    )
    if status:
        qs = qs.filter(status=status)
    if step:
        qs = qs.filter(current_step=step)
    if q.strip():
        qs = qs.filter(title__contains=q.strip())
    return qs.order_by("-opened_at")


def case_get(*, actor: Any, pk: int) -> Case:
    # In scope, or assigned to the actor (inspection team, requests): 0061.
    readable = case_read_q(actor)
    if readable is None:
        require_perm(actor, "procedure.view_case")
    case = (
        Case.objects.filter(NOTHING if readable is None else readable, pk=pk)
        .select_related("template", "unit", "committee", "officer")
        .prefetch_related(
            "case_posts__post__unit",
            Prefetch(
                "candidates", queryset=Candidate.objects.select_related("cadre", "post__unit")
            ),
            Prefetch(
                "steps", queryset=CaseStep.objects.select_related("completed_by").order_by("seq")
            ),
        )
        .first()
    )
    if case is None:
        raise NotFound(_("未找到该选任事项，或其不在您的管理范围内。"))
    return case


@dataclass(frozen=True)
class GuardState:
    code: str
    title: str
    problems: tuple[str, ...]

    @property
    def holds(self) -> bool:
        return not self.problems


#: The code of the preview's first line: the step's data against its contract.
CONTRACT_CODE = "contract"


@dataclass(frozen=True)
class TimelineEntry:
    code: str
    name: str
    source: str
    state: str  # "done" | "current" | "pending"
    records: tuple[CaseStep, ...]
    guards: tuple[GuardState, ...]  # for the current step: each guard and what blocks it


def guard_preview(
    case: Case, step: str, data: dict[str, Any] | None = None, on: dt.date | None = None
) -> list[GuardState]:
    """The guards of `step` evaluated now, without completing anything."""
    from xuanren.competition.selectors import step_scores
    from xuanren.procedure.services import template_def

    definition = template_def(case.template)
    codes = definition.step(step).guards
    # A signed 竞聘评分 sheet gives the scores, as on completing (0149);
    # not signed yet, the guard says so.
    with contextlib.suppress(Conflict):
        data = step_scores(case, step, data) or data
    ctx = GuardContext(case=case, template=definition, step=step, data=data or {}, on=on or today())
    problems = check(ctx, codes)
    return [
        GuardState(code, str(GUARDS[code]), tuple(p for c, p in problems if c == code))
        for code in codes
    ]


def step_preview(
    *, actor: Any, case: Case, step: str, data: dict[str, Any] | None = None
) -> list[GuardState]:
    """The guards of `step` against the data a user is about to submit (or,
    without data, the records as they are), for someone who may change the
    case; nothing is saved. Guards only read; the savepoint is rolled back all
    the same so that a guard can never leave anything behind."""
    from django.db import transaction

    from xuanren.procedure import steps

    require_unit(actor, "procedure.change_case", case.unit)
    contract: list[GuardState] = []
    if data is not None:
        found = steps.problems(step, data)
        contract = [GuardState(CONTRACT_CODE, _("本环节的内容完整、格式正确"),
                               tuple(e.message for e in found))]  # fmt: skip
        if not found:
            data = steps.validate(step, data)
    with transaction.atomic():
        states = guard_preview(case, step, data)
        transaction.set_rollback(True)
    return contract + states


def case_timeline(case: Case, on: dt.date | None = None) -> list[TimelineEntry]:
    from xuanren.procedure.services import template_def

    definition = template_def(case.template)
    by_step: dict[str, list[CaseStep]] = {}
    for record in case.steps.all():
        by_step.setdefault(record.step, []).append(record)
    out = []
    for step in definition.steps:
        if step.code in by_step:
            state = "done"
        elif step.code == case.current_step and case.status == CaseStatus.OPEN:
            state = "current"
        else:
            state = "pending"
        guards = tuple(guard_preview(case, step.code, on=on)) if state == "current" else ()
        out.append(
            TimelineEntry(
                step.code,
                str(STEPS[step.code]),
                step.source,
                state,
                tuple(by_step.get(step.code, ())),
                guards,
            )
        )
    return out


@dataclass(frozen=True)
class CaseRecord:
    """纪实: every step with who, when, what and attachment hashes, and the
    journal's chain tip when the record was produced."""

    case: Case
    steps: tuple[CaseStep, ...]
    attachments: dict[int | None, tuple[Attachment, ...]]
    journal_tip: str
    journal_count: int
    journal_seq: int  # the id of the event at the tip: with journal_tip, an anchor on paper


def case_record(*, actor: Any, pk: int) -> CaseRecord:
    case = case_get(actor=actor, pk=pk)
    attachments: dict[int | None, list[Attachment]] = {}
    for a in Attachment.objects.filter(case=case).order_by("id"):
        attachments.setdefault(a.step_id, []).append(a)
    head = JournalHead.objects.filter(pk=1).first()
    return CaseRecord(
        case=case,
        steps=tuple(case.steps.all()),
        attachments={k: tuple(v) for k, v in attachments.items()},
        journal_tip=head.last_hash if head else "",
        journal_count=head.count if head else 0,
        journal_seq=head.last_seq if head else 0,
    )


def committee_list(*, actor: Any) -> QuerySet[Committee]:
    """The decision bodies of units in the actor's scope."""
    require_perm(actor, "procedure.view_committee")
    return Committee.objects.filter(unit_scope_q(actor, prefix="unit__")).order_by(
        "unit__path", "name", "id"
    )


def committee_get(*, actor: Any, pk: int) -> Committee:
    found = committee_list(actor=actor).filter(pk=pk).first()
    if found is None:
        raise NotFound(
            _("未找到该决定机构，或其不在您的管理范围内。"),
            errors=[FieldError("committee", _("未找到该决定机构。"))],
        )
    return found


def procedure_template_list(*, actor: Any, latest_only: bool = False) -> list[ProcedureTemplate]:
    """Procedure templates, every version (newest first per code), or only
    the newest version of each (what case_open uses)."""
    require_perm(actor, "procedure.view_case")
    templates = list(ProcedureTemplate.objects.order_by("code", "-version"))
    if not latest_only:
        return templates
    latest: dict[str, ProcedureTemplate] = {}
    for t in templates:
        latest.setdefault(t.code, t)
    return sorted(latest.values(), key=lambda t: t.name)


def case_candidates(case: Case) -> QuerySet[Candidate]:
    """The candidates of a case with their cadre and post (the caller holds
    the case, so its scope was already checked)."""
    return Candidate.objects.filter(case=case).select_related("cadre", "post__unit").order_by("id")


def motion_proposal_list(*, actor: Any, status: str = "") -> QuerySet[MotionProposal]:
    """Motion proposals of units in the actor's scope: a unit's HR contact
    sees their unit's, the organization department those it decides."""
    if not has_perm(actor, "procedure.add_case"):
        require_perm(actor, "procedure.view_motionproposal")
    qs = MotionProposal.objects.filter(unit_scope_q(actor, prefix="unit__")).select_related(
        "unit", "proposed_by", "decided_by", "case"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.prefetch_related(
        Prefetch(
            "proposal_posts",
            queryset=MotionProposalPost.objects.select_related("post__unit").order_by("id"),
        )
    ).order_by("-proposed_at", "-id")


def motion_proposals_waiting(
    *, actor: Any, limit: int = 20
) -> list[tuple[MotionProposal, list[Post]]]:
    """The latest `limit` submitted motion proposals in the actor's scope with
    their posts, for the home page, in one query: read through their posts
    (every proposal has one at least, motion_proposal_submit)."""
    require_perm(actor, "procedure.add_case")
    latest = (
        MotionProposal.objects.filter(
            unit_scope_q(actor, prefix="unit__"), status=MotionProposalStatus.SUBMITTED
        )
        .order_by("-proposed_at", "-id")
        .values("pk")[:limit]
    )
    found: dict[int, tuple[MotionProposal, list[Post]]] = {}
    for row in (
        MotionProposalPost.objects.filter(proposal__in=Subquery(latest))
        .select_related("proposal__unit", "post")
        .order_by("-proposal__proposed_at", "-proposal_id", "id")
    ):
        found.setdefault(row.proposal_id, (row.proposal, []))[1].append(row.post)
    return list(found.values())


def motion_proposal_get(*, actor: Any, pk: int) -> MotionProposal:
    found = motion_proposal_list(actor=actor).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("未找到该动议建议，或其不在您的管理范围内。"))
    return found


# ---- a unit's cases, for its HR contact (docs/decisions/0071) ----------------------

#: Steps whose content a unit's HR contact never sees: who was recommended
#: and how many votes, who was chosen and inspected, the integrity opinion,
#: the audit, the deliberation and the decision's votes, and the exams and
#: reviews that rank people. They see each step's name, state and date only.
#: The other steps' content is public or the unit's own (the motion, the
#: plan, the post's announcement, the public notice, the appointment), but
#: the page shows no step content at all (progress only).
CONFIDENTIAL_STEPS = frozenset(
    {
        "registration",
        "qualification_review",
        "written_exam",
        "interview",
        "recommendation",
        "evaluation",
        "candidates",
        "inspection_notice",
        "inspection",
        "integrity_opinion",
        "audit",
        "deliberation",
        "decision",
        "probation_end",
    }
)


def _unit_cases_q(actor: Any) -> Any:
    """Cases with a post in the actor's unit subtree."""
    return unit_scope_q(actor, prefix="case_posts__post__unit__")


def unit_case_list(*, actor: Any, status: str = "") -> QuerySet[Case]:
    """Cases filling a post of the actor's unit (its HR contact follows
    them): no case of another unit, whichever unit runs the case."""
    from xuanren.procedure.models import CasePost

    require_perm(actor, "procedure.view_motionproposal")
    ids = Case.objects.filter(_unit_cases_q(actor)).values("pk")
    qs = Case.objects.filter(pk__in=ids).select_related("template")
    if status:
        qs = qs.filter(status=status)
    return qs.prefetch_related(
        Prefetch("case_posts", queryset=CasePost.objects.select_related("post__unit"))
    ).order_by("-opened_at", "-pk")


@dataclass(frozen=True)
class ProgressEntry:
    code: str
    name: str
    state: str  # "done" | "current" | "pending"
    completed_on: dt.date | None  # the first completion (corrections do not move it)
    confidential: bool


def unit_case_progress(*, actor: Any, pk: int) -> tuple[Case, list[ProgressEntry]]:
    """One of the actor's unit's cases and its progress: each step of the
    template with its state and completion date, never a step's content.
    Another unit's case is "not found"."""
    from xuanren.common.dates import SHANGHAI
    from xuanren.procedure.services import template_def

    case = unit_case_list(actor=actor).filter(pk=pk).first()
    if case is None:
        raise NotFound(_("未找到该选任事项，或其不涉及本单位的职位。"))
    first_done: dict[str, dt.date] = {}
    for code, at in (
        CaseStep.objects.filter(case=case, corrects__isnull=True)
        .order_by("seq")
        .values_list("step", "completed_at")
    ):
        first_done.setdefault(code, at.astimezone(SHANGHAI).date())
    entries = []
    for step in template_def(case.template).steps:
        if step.code in first_done:
            state = "done"
        elif step.code == case.current_step and case.status == CaseStatus.OPEN:
            state = "current"
        else:
            state = "pending"
        entries.append(
            ProgressEntry(
                code=step.code,
                name=str(STEPS[step.code]),
                state=state,
                completed_on=first_done.get(step.code),
                confidential=step.code in CONFIDENTIAL_STEPS,
            )
        )
    return case, entries


def candidates_on_probation(case: Case) -> list[Candidate]:
    """The only candidates the probation_end step assesses, as its guard
    `probation_assessed` reads them."""
    from xuanren.procedure.guards.decision import on_probation

    return [p.candidate for p in on_probation(case)]
