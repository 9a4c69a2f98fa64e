"""Reads behind every document, with the permission checks: a cadre through
people.selectors.cadre_get (people.view_cadre and the unit scope), a case
through procedure.selectors.case_get / case_record (procedure.view_case and
scope), a notice additionally needs supervision.view_publicnotice for the
case's unit. Out of scope is NotFound (404), a missing permission is
PermissionDenied (403), as everywhere else."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from xuanren.access.names import display_name
from xuanren.access.policy import require_unit
from xuanren.common.dates import today
from xuanren.common.errors import NotFound
from xuanren.documents.approval_form import ApprovalForm, FormContext, build_approval_form
from xuanren.documents.issuer import issuing_body
from xuanren.people.selectors import cadre_get
from xuanren.procedure.models import Candidate, CandidateStatus, Case
from xuanren.procedure.selectors import CaseRecord, case_candidates, case_get, case_record
from xuanren.supervision.models import PublicNotice
from xuanren.supervision.selectors import latest_notice
from xuanren.supervision.strokes import by_strokes


def person_label(user: Any) -> str:
    return display_name(user)


def _post_label(candidate: Candidate) -> str:
    return f"{candidate.post.unit.name}{candidate.post.title}"


def approval_form_get(
    *, actor: Any, cadre_pk: int, context: FormContext, on: dt.date | None = None
) -> ApprovalForm:
    """The form for one cadre. With a case in the context (a case the actor
    may see), the case's reference date and the cadre's proposed post in it
    fill what the officer left blank, and the template names the submitting
    unit (呈报单位, documents.issuer)."""
    on = on or today()
    cadre = cadre_get(actor=actor, pk=cadre_pk)
    if context.case_id is not None:
        case = case_get(actor=actor, pk=context.case_id)
        mine = [c for c in case.candidates.all() if c.cadre_id == cadre.pk]
        if not mine:
            raise NotFound(
                _("%(n)s不是选任事项“%(c)s”的人选。") % {"n": cadre.name, "c": case.title}
            )
        context = replace(
            context,
            proposed_post=context.proposed_post or _post_label(mine[0]),
            reference_date=context.reference_date or case.reference_date,
            submitting_unit=context.submitting_unit or issuing_body(case, "approval_form"),
        )
    if not context.filled_by:
        context = replace(context, filled_by=person_label(actor))
    return build_approval_form(cadre, context, on=on)


#: Candidates no approval form is made for in a case's batch.
NO_FORM = frozenset({CandidateStatus.EXCLUDED, CandidateStatus.REJECTED})


@dataclass(frozen=True)
class CaseForms:
    case: Case
    forms: list[tuple[Candidate, ApprovalForm]]


def case_approval_form_count(*, actor: Any, case_pk: int) -> tuple[Case, int]:
    """The case (in the actor's scope) and how many forms its ZIP would hold,
    without building them: decides whether the ZIP is made in the background."""
    case = case_get(actor=actor, pk=case_pk)
    return case, sum(1 for c in case_candidates(case) if c.status not in NO_FORM)


def case_approval_forms(*, actor: Any, case_pk: int, on: dt.date | None = None) -> CaseForms:
    """One form per candidacy of the case (a cadre proposed for two posts gets
    two), excluded and rejected candidates left out; each cadre read through
    cadre_get, so a candidate outside the actor's scope refuses the batch."""
    on = on or today()
    case = case_get(actor=actor, pk=case_pk)
    forms = []
    for candidate in case_candidates(case):
        if candidate.status in NO_FORM:
            continue
        context = FormContext(
            proposed_post=_post_label(candidate),
            reference_date=case.reference_date,
            filled_by=person_label(actor),
            submitting_unit=issuing_body(case, "approval_form"),
            case_id=case.pk,
        )
        cadre = cadre_get(actor=actor, pk=candidate.cadre_id)
        forms.append((candidate, build_approval_form(cadre, context, on=on)))
    if not forms:
        raise NotFound(_("该选任事项还没有人选，无法生成任免审批表。"))
    return CaseForms(case, forms)


@dataclass(frozen=True)
class NoticeDocument:
    """The notice as posted: the published text, persons by surname strokes."""

    case: Case
    notice: PublicNotice
    title: str
    persons: list[dict[str, Any]]
    issuer: str
    issued_on: dt.date


def notice_document_get(*, actor: Any, case_pk: int) -> NoticeDocument:
    case = case_get(actor=actor, pk=case_pk)
    require_unit(actor, "supervision.view_publicnotice", case.unit)
    notice = latest_notice(case)
    if notice is None:
        raise NotFound(_("该选任事项尚未发布任前公示，请先在“任前公示”环节发布。"))
    with translation.override(settings.LANGUAGE_CODE):
        title = _("任前公示")
    # The stored persons were ordered by the same rule when published; sorting
    # again keeps the document right even for a notice stored otherwise.
    persons = by_strokes(list(notice.persons), name=lambda p: str(p.get("name", "")))
    return NoticeDocument(
        case=case,
        notice=notice,
        title=title,
        persons=persons,
        issuer=issuing_body(case, "notice"),
        issued_on=notice.start,
    )


def case_record_document(*, actor: Any, case_pk: int) -> CaseRecord:
    return case_record(actor=actor, pk=case_pk)
