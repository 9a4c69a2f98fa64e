"""Adding candidates to a case and changing their status: only from inside a
step's transaction (guards and effects), each change journalled."""

from __future__ import annotations

from typing import Any

from xuanren.journal.models import EventType
from xuanren.journal.services import journal_record
from xuanren.org.models import Post
from xuanren.people.models import Cadre
from xuanren.procedure.models import Candidate, CandidateStatus, Case
from xuanren.reminders.kept import APPOINTING, reminders_refresh


def candidate_add(
    *,
    actor: Any,
    case: Case,
    cadre: Cadre,
    post: Post,
    step: str,
    status: CandidateStatus = CandidateStatus.NOMINATED,
    exception: Any = None,
) -> Candidate:
    candidate, created = Candidate.objects.get_or_create(
        case=case,
        cadre=cadre,
        post=post,
        defaults={"status": status, "added_at_step": step, "exception": exception},
    )
    if not created:
        return candidate_set_status(
            actor=actor, candidate=candidate, status=status, reason="", step=step
        )
    if status in APPOINTING:
        reminders_refresh([cadre.pk])  # decision 0195
    journal_record(
        actor=actor,
        event_type=EventType.CANDIDATE_ADDED,
        subject=case,
        payload={
            "candidate": candidate.pk,
            "cadre": cadre.pk,
            "post": post.pk,
            "status": status,
            "step": step,
        },
    )
    return candidate


def candidate_set_status(
    *, actor: Any, candidate: Candidate, status: CandidateStatus, reason: str, step: str
) -> Candidate:
    if candidate.status == status and candidate.status_reason == reason:
        return candidate
    before = candidate.status
    candidate.status = status
    candidate.status_reason = reason[:200]
    candidate.save(update_fields=["status", "status_reason"])
    if before in APPOINTING or status in APPOINTING:
        # a probation's case, or its end once assessed (decision 0195)
        reminders_refresh([candidate.cadre_id])
    journal_record(
        actor=actor,
        event_type=EventType.CANDIDATE_STATUS_SET,
        subject=candidate.case,
        payload={
            "candidate": candidate.pk,
            "from": before,
            "to": status,
            "reason": reason,
            "step": step,
        },
    )
    return candidate
