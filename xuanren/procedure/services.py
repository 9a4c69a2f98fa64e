"""Writes in the procedure context: templates, committees, cases and steps.
A step completes only through `case_step_complete`, only when it is the case's
current step, and only when every guard of the step holds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xuanren.access.policy import require_unit, unit_in_scope
from xuanren.common.dates import today
from xuanren.common.errors import (
    Conflict,
    DomainError,
    ErrorCollector,
    FieldError,
    ValidationFailed,
)
from xuanren.common.migrating import after_full_migrate
from xuanren.common.versioned import versioned_create
from xuanren.journal.models import EventType
from xuanren.journal.services import journal_record
from xuanren.org.models import Post, Unit
from xuanren.people.models import Cadre
from xuanren.procedure import steps
from xuanren.procedure.assignments import require_attachment_actor, require_step_actor
from xuanren.procedure.catalogue import (
    DEFINITION_DIR,
    STEPS,
    DefinitionError,
    TemplateDef,
    digest,
    parse_template,
    read_template_file,
)
from xuanren.procedure.effects import apply_effects
from xuanren.procedure.guards import GuardContext, check
from xuanren.procedure.guards.basic import seat_problem
from xuanren.procedure.models import (
    Attachment,
    Candidate,
    CandidateStatus,
    Case,
    CasePost,
    CaseStatus,
    CaseStep,
    Committee,
    CommitteeKind,
    CommitteeMembership,
    CommitteeRole,
    MotionProposal,
    MotionProposalPost,
    MotionProposalStatus,
    ProcedureTemplate,
)


class GuardBlocked(DomainError):
    """A step's guards do not hold; `errors` lists each blocking problem with
    the guard's code as its field."""

    code = "guard_blocked"
    http_status = 409


# ---- templates ----------------------------------------------------------------------


@transaction.atomic
def procedure_template_load(*, actor: Any, path: Path) -> ProcedureTemplate | None:
    try:
        _definition, data = read_template_file(path)
    except DefinitionError as exc:
        raise ValidationFailed(str(exc)) from exc
    return versioned_create(
        actor=actor,
        model=ProcedureTemplate,
        code=data["code"],
        version=data["version"],
        sha256=digest(data),
        fields={
            "name": data["name"],
            "source": data["source"],
            "effective_from": data["effective_from"],
            "parameters": data["parameters"],
            "steps": data["steps"],
        },
        event_type=EventType.PROCEDURE_TEMPLATE_LOADED,
        what=_("程序模板"),
        file_name=path.name,
    )


@after_full_migrate("xuanren.procedure")
def sync_templates_after_migrate() -> None:
    for path in sorted(DEFINITION_DIR.glob("*.toml")):
        procedure_template_load(actor=None, path=path)


def template_def(template: ProcedureTemplate) -> TemplateDef:
    data = {
        "code": template.code,
        "version": template.version,
        "name": template.name,
        "source": template.source,
        "effective_from": template.effective_from,
        "parameters": template.parameters,
        "steps": template.steps,
    }
    return parse_template(data, where=str(template))


# ---- committees ---------------------------------------------------------------------


@transaction.atomic
def committee_create(*, actor: Any, unit: Unit, name: str, kind: CommitteeKind | str) -> Committee:
    require_unit(actor, "procedure.add_committee", unit)
    out = ErrorCollector()
    if not name.strip():
        out.add("name", _("请填写决定机构名称。"))
    if kind not in CommitteeKind.values:
        out.add("kind", _("请选择决定机构类别。"))
    out.raise_if_any(_("决定机构信息有误，未保存。"))
    committee = Committee.objects.create(unit=unit, name=name.strip(), kind=kind)
    journal_record(
        actor=actor,
        event_type=EventType.COMMITTEE_CREATED,
        subject=committee,
        payload={"unit": unit.pk, "name": committee.name, "kind": kind},
    )
    return committee


@transaction.atomic
def committee_member_add(
    *,
    actor: Any,
    committee: Committee,
    name: str,
    start_date: dt.date,
    end_date: dt.date | None = None,
    role: CommitteeRole | str = CommitteeRole.MEMBER,
    user: Any = None,
    cadre: Cadre | None = None,
) -> CommitteeMembership:
    require_unit(actor, "procedure.add_committee", committee.unit)
    out = ErrorCollector()
    if not name.strip():
        out.add("name", _("请填写成员姓名。"))
    if end_date is not None and end_date <= start_date:
        out.add("end_date", _("截止日期应晚于起始日期。"))
    if role not in CommitteeRole.values:
        out.add("role", _("请选择职务。"))
    overlapping = CommitteeMembership.objects.filter(
        committee=committee, start_date__lt=end_date or dt.date.max
    )
    overlapping = overlapping.exclude(end_date__lte=start_date)
    if cadre is not None and overlapping.filter(cadre=cadre).exists():
        out.add("cadre", _("该干部在这段时间已是本机构成员。"))
    if user is not None and overlapping.filter(user=user).exists():
        out.add("user", _("该用户在这段时间已是本机构成员。"))
    out.raise_if_any(_("成员信息有误，未保存。"))
    membership = CommitteeMembership.objects.create(
        committee=committee,
        name=name.strip(),
        start_date=start_date,
        end_date=end_date,
        role=role,
        user=user,
        cadre=cadre,
    )
    journal_record(
        actor=actor,
        event_type=EventType.COMMITTEE_MEMBER_ADDED,
        subject=committee,
        payload={
            "membership": membership.pk,
            "name": membership.name,
            "start": start_date,
            "end": end_date,
        },
    )
    return membership


# ---- cases and steps ----------------------------------------------------------------


@transaction.atomic
def case_open(
    *,
    actor: Any,
    title: str,
    template_code: str,
    unit: Unit,
    committee: Committee,
    posts: list[tuple[Post, int]],
    reference_date: dt.date | None = None,
) -> Case:
    """Open a case; its first step (motion) is then completed like any other."""
    require_unit(actor, "procedure.add_case", unit)
    out = ErrorCollector()
    if not title.strip():
        out.add("title", _("请填写事项名称。"))
    template = ProcedureTemplate.objects.filter(code=template_code).order_by("-version").first()
    if template is None:
        out.add("template", _("未知的程序模板 %(c)s。") % {"c": template_code})
    if not posts:
        out.add("posts", _("请至少选择一个职位。"))
    require_unit(actor, "procedure.view_committee", committee.unit)
    for post, seats in posts:
        require_unit(actor, "org.view_post", post.unit)
        if seats < 1:
            out.add("posts", _("拟配人数至少为 1。"))
    if len({p.pk for p, _s in posts}) != len(posts):
        out.add("posts", _("同一职位不能重复列入。"))
    for post, seats in posts:
        # A post without a vacancy would leave the case stuck at 动议 (quota_allows).
        occupied = seat_problem(post, seats, today()) if seats >= 1 else None
        if occupied:
            out.add("posts", occupied)
    out.raise_if_any(_("不能立项。"))
    assert template is not None
    now = timezone.now()
    year = today().year
    serial = Case.objects.filter(number__startswith=f"XR{year}-").count() + 1
    case = Case.objects.create(
        number=f"XR{year}-{serial:05d}",
        title=title.strip(),
        template=template,
        unit=unit,
        committee=committee,
        reference_date=reference_date or today(),
        officer=actor,
        current_step=template_def(template).steps[0].code,
        opened_at=now,
        last_activity_at=now,
    )
    CasePost.objects.bulk_create(CasePost(case=case, post=p, seats=s) for p, s in posts)
    journal_record(
        actor=actor,
        event_type=EventType.CASE_OPENED,
        subject=case,
        payload={
            "number": case.number,
            "template": [template.code, template.version],
            "posts": [[p.pk, s] for p, s in posts],
            "reference_date": case.reference_date,
        },
    )
    return case


@transaction.atomic
def case_step_complete(
    *,
    actor: Any,
    case: Case,
    step: str,
    data: dict[str, Any] | None = None,
    note: str = "",
    on: dt.date | None = None,
) -> CaseStep:
    """Complete `step` of `case`: refused unless it is the case's current step
    and every guard holds. Two officers completing the same step at once: the
    case row lock lets one in; the other then finds the step already done."""
    case = Case.objects.select_for_update().select_related("template", "unit").get(pk=case.pk)
    require_step_actor(actor, case, step)
    if step not in STEPS:
        raise ValidationFailed(_("未知环节 %(s)s。") % {"s": step})
    name = str(STEPS[step])
    if case.status != CaseStatus.OPEN:
        raise Conflict(_("该事项%(s)s，不能再办理环节。") % {"s": case.get_status_display()})
    if step != case.current_step:
        current = str(STEPS.get(case.current_step, case.current_step))
        done = case.steps.filter(step=step).exists()
        if done:
            raise Conflict(
                _("“%(n)s”环节已经办理（可能刚被他人办理），请刷新后查看。") % {"n": name}
            )
        raise Conflict(
            _("当前应办理“%(c)s”环节，不能跳到“%(n)s”：环节须依次办理，不得跳过。")
            % {"c": current, "n": name}
        )
    definition = template_def(case.template)
    data = steps.validate(step, _from_sheet(case, step, data))
    ctx = GuardContext(case=case, template=definition, step=step, data=data, on=on or today())
    problems = check(ctx, definition.step(step).guards)
    if problems:
        raise GuardBlocked(
            _("“%(n)s”环节的前置条件未满足，不能办理。") % {"n": name},
            errors=[FieldError(code, message) for code, message in problems],
        )
    record = _record_step(actor, case, ctx, note)
    now = record.completed_at
    index = definition.index(step)
    if index + 1 < len(definition.steps):
        case.current_step = definition.steps[index + 1].code
    else:
        case.current_step = ""
        case.status = CaseStatus.CLOSED
    case.last_activity_at = now
    case.save(update_fields=["current_step", "status", "last_activity_at"])
    return record


def _from_sheet(case: Case, step: str, data: dict[str, Any] | None) -> dict[str, Any] | None:
    """The written exam's and the interview's scores read from the case's
    signed 竞聘评分 sheet when it has one (docs/decisions/0149); otherwise the
    data as submitted (typed scores, for cases without a sheet)."""
    from xuanren.competition.selectors import step_scores

    return step_scores(case, step, data) or data


def _record_step(actor: Any, case: Case, ctx: GuardContext, note: str) -> CaseStep:
    """Write the step record and its journal event (the guards held), store
    the event's hash on the record, and run the step's effects."""
    now = timezone.now()
    seq = case.steps.count() + 1
    record = CaseStep(
        case=case,
        step=ctx.step,
        seq=seq,
        completed_by=actor,
        completed_at=now,
        data=ctx.data,
        note=note,
        journal_hash="",
    )
    record.save(force_insert=True)
    payload: dict[str, Any] = {
        "step": ctx.step, "seq": seq, "record": record.pk, "data": ctx.data, "note": note,
    }  # fmt: skip
    if ctx.resumed:
        payload["resumed"] = True
    event = journal_record(
        actor=actor, event_type=EventType.STEP_COMPLETED, subject=case, payload=payload
    )
    CaseStep.objects.filter(pk=record.pk).update(journal_hash=event.hash)
    record.journal_hash = event.hash
    apply_effects(ctx, record, actor)
    return record


def decision_resumable(case: Case) -> bool:
    """Whether candidates deferred (缓议) at the case's decision meeting may be
    put to a later meeting now: the case is open, its decision is recorded,
    the next step has not been completed, and someone is deferred."""
    if case.status != CaseStatus.OPEN or not case.current_step:
        return False
    codes = [s.code for s in template_def(case.template).steps]
    if "decision" not in codes or codes.index("decision") + 1 >= len(codes):
        return False
    if case.current_step != codes[codes.index("decision") + 1]:
        return False
    return Candidate.objects.filter(case=case, status=CandidateStatus.DEFERRED).exists()


@transaction.atomic
def case_decision_resume(
    *,
    actor: Any,
    case: Case,
    data: dict[str, Any] | None = None,
    note: str = "",
    on: dt.date | None = None,
) -> CaseStep:
    """Put candidates deferred (缓议) at the decision meeting to a later meeting
    of the same committee: a further `decision` record of the same case,
    checked by the decision step's guards (quorum, majority, recusal; the
    candidates voted on are exactly the deferred ones), with the same effects.
    Only after the decision and before the next step is completed; the case
    stays at its current step (docs/decisions/0019)."""
    case = Case.objects.select_for_update().select_related("template", "unit").get(pk=case.pk)
    require_unit(actor, "procedure.change_case", case.unit)
    if not decision_resumable(case):
        raise Conflict(
            _("现在不能再次讨论决定：须在讨论决定之后、下一环节办理之前，且有缓议的人选。")
        )
    definition = template_def(case.template)
    data = steps.validate("decision", data)
    ctx = GuardContext(
        case=case, template=definition, step="decision", data=data, on=on or today(), resumed=True
    )
    problems = check(ctx, definition.step("decision").guards)
    if problems:
        raise GuardBlocked(
            _("“%(n)s”环节的前置条件未满足，不能办理。") % {"n": STEPS["decision"]},
            errors=[FieldError(code, message) for code, message in problems],
        )
    record = _record_step(actor, case, ctx, note)
    case.last_activity_at = record.completed_at
    case.save(update_fields=["last_activity_at"])
    return record


@transaction.atomic
def case_step_correct(*, actor: Any, record: CaseStep, data: dict[str, Any], note: str) -> CaseStep:
    """Record a correction of a completed step: a new entry pointing at the one
    it corrects; the original stays as it was."""
    case = Case.objects.select_for_update().get(pk=record.case_id)
    require_unit(actor, "procedure.change_case", case.unit)
    if not note.strip():
        raise ValidationFailed(
            _("更正须写明理由。"), errors=[FieldError("note", _("请写明更正理由。"))]
        )
    # Derived keys (the result sheet, appointments, outcomes) stay as the
    # effect wrote them; the submitted part is checked against the contract.
    derived = {k: data[k] for k in steps.DERIVED.get(record.step, ()) if k in data}
    submitted = {k: v for k, v in data.items() if k not in derived}
    data = {**steps.validate(record.step, submitted), **derived}
    now = timezone.now()
    seq = case.steps.count() + 1
    correction = CaseStep(
        case=case, step=record.step, seq=seq, completed_by=actor, completed_at=now,
        data=data, note=note.strip(), corrects=record, journal_hash="",
    )  # fmt: skip
    correction.save(force_insert=True)
    event = journal_record(
        actor=actor,
        event_type=EventType.STEP_CORRECTED,
        subject=case,
        payload={
            "step": record.step,
            "seq": seq,
            "corrects": record.pk,
            "data": data,
            "note": correction.note,
        },
    )
    CaseStep.objects.filter(pk=correction.pk).update(journal_hash=event.hash)
    correction.journal_hash = event.hash
    case.last_activity_at = now
    case.save(update_fields=["last_activity_at"])
    return correction


ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
ATTACHMENT_TYPES = {
    "application/pdf": b"%PDF",
    "image/jpeg": b"\xff\xd8\xff",
    "image/png": b"\x89PNG",
    # DOCX/XLSX are ZIP containers.
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": b"PK\x03\x04",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": b"PK\x03\x04",
}


def attachment_path(sha256: str) -> Path:
    from django.conf import settings

    return Path(settings.MEDIA_ROOT) / "attachments" / sha256[:2] / sha256


@transaction.atomic
def case_attachment_add(
    *,
    actor: Any,
    case: Case,
    name: str,
    content: bytes,
    content_type: str,
    step: CaseStep | None = None,
) -> Attachment:
    """Keep a file by its SHA-256: the same content is stored once and a stored
    file is never overwritten; the record names it by hash for the 纪实."""
    import hashlib

    require_attachment_actor(actor, case, step)
    out = ErrorCollector()
    if not name.strip():
        out.add("name", _("请给出文件名。"))
    if not content:
        out.add("content", _("文件为空。"))
    elif len(content) > ATTACHMENT_MAX_BYTES:
        out.add("content", _("文件超过 20 MB，请压缩或拆分后上传。"))
    magic = ATTACHMENT_TYPES.get(content_type)
    if magic is None:
        out.add("content_type", _("只接受 PDF、JPEG、PNG、DOCX、XLSX 文件。"))
    elif content and not content.startswith(magic):
        out.add("content", _("文件内容与其类型不符。"))
    if step is not None and step.case_id != case.pk:
        out.add("step", _("环节记录不属于本事项。"))
    out.raise_if_any(_("附件未保存。"))
    sha = hashlib.sha256(content).hexdigest()
    path = attachment_path(sha)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(content)
        tmp.replace(path)  # atomic: a reader never sees half a file
    attachment = Attachment.objects.create(
        case=case,
        step=step,
        name=name.strip()[:200],
        content_type=content_type,
        size=len(content),
        sha256=sha,
        uploaded_by=actor,
    )
    journal_record(
        actor=actor,
        event_type=EventType.ATTACHMENT_ADDED,
        subject=case,
        payload={"attachment": attachment.pk, "name": attachment.name, "sha256": sha, "size": len(content),
                 "step": step.pk if step else None},
    )  # fmt: skip
    return attachment


# ---- motion proposals (动议建议) ------------------------------------------------------


@transaction.atomic
def motion_proposal_submit(
    *, actor: Any, unit: Unit, posts: list[tuple[Post, int]], reasons: str
) -> MotionProposal:
    """A unit's HR contact proposes filling posts of a unit in their scope;
    the organization department decides (`motion_proposal_decide`)."""
    require_unit(actor, "procedure.add_motionproposal", unit)
    out = ErrorCollector()
    if not reasons.strip():
        out.add("reasons", _("请写明动议理由（职位空缺、优化班子结构等）。"))
    if not posts:
        out.add("posts", _("请至少选择一个职位。"))
    if len({p.pk for p, _s in posts}) != len(posts):
        out.add("posts", _("同一职位不能重复列入。"))
    for post, seats in posts:
        if not unit_in_scope(actor, post.unit):
            out.add("posts", _("职位“%(p)s”不属于您所在单位，不能为其提出动议。") % {"p": post})
        elif post.unit_id != unit.pk and not post.unit.path.startswith(unit.path):
            out.add("posts", _("职位“%(p)s”不属于%(u)s。") % {"p": post, "u": unit.name})
        if not post.is_active:
            out.add("posts", _("职位“%(p)s”已撤销。") % {"p": post})
        if seats < 1:
            out.add("posts", _("拟配人数至少为 1。"))
    out.raise_if_any(_("动议建议未提交。"))
    proposal = MotionProposal.objects.create(
        unit=unit, reasons=reasons.strip(), proposed_by=actor, proposed_at=timezone.now()
    )
    MotionProposalPost.objects.bulk_create(
        MotionProposalPost(proposal=proposal, post=p, seats=s) for p, s in posts
    )
    journal_record(
        actor=actor,
        event_type=EventType.MOTION_PROPOSED,
        subject=proposal,
        payload={
            "unit": unit.pk,
            "posts": [[p.pk, s] for p, s in posts],
            "reasons": proposal.reasons,
        },
    )
    return proposal


@transaction.atomic
def motion_proposal_decide(
    *,
    actor: Any,
    proposal: MotionProposal,
    accept: bool,
    reason: str = "",
    template_code: str = "",
    committee: Committee | None = None,
    title: str = "",
    reference_date: dt.date | None = None,
) -> MotionProposal:
    """The organization department accepts a proposal — a case is opened with
    its posts (`case_open`: template, committee, title) — or declines it with
    a reason. A proposal is decided once."""
    proposal = MotionProposal.objects.select_for_update().select_related("unit").get(pk=proposal.pk)
    require_unit(actor, "procedure.add_case", proposal.unit)
    if proposal.status != MotionProposalStatus.SUBMITTED:
        raise Conflict(
            _("该动议建议已处理（%(s)s），不能再次处理。") % {"s": proposal.get_status_display()}
        )
    case = None
    if accept:
        if committee is None:
            raise ValidationFailed(
                _("采纳动议建议须选择决定机构。"),
                errors=[FieldError("committee", _("请选择决定机构。"))],
            )
        posts = [
            (pp.post, pp.seats)
            for pp in proposal.proposal_posts.select_related("post__unit").order_by("id")
        ]
        case = case_open(
            actor=actor,
            title=title.strip() or _("%(u)s动议：%(p)s") % {
                "u": proposal.unit.name, "p": "、".join(p.title for p, _s in posts)
            },
            template_code=template_code,
            unit=committee.unit,
            committee=committee,
            posts=posts,
            reference_date=reference_date,
        )  # fmt: skip
        proposal.status = MotionProposalStatus.ACCEPTED
    else:
        if not reason.strip():
            raise ValidationFailed(
                _("不采纳动议建议须写明理由。"),
                errors=[FieldError("reason", _("请写明不采纳的理由。"))],
            )
        proposal.status = MotionProposalStatus.DECLINED
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.decision_reason = reason.strip()
    proposal.case = case
    proposal.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "case"])
    journal_record(
        actor=actor,
        event_type=EventType.MOTION_PROPOSAL_DECIDED,
        subject=proposal,
        payload={
            "status": proposal.status,
            "reason": proposal.decision_reason,
            "case": case.pk if case else None,
        },
    )
    return proposal


# ---- ending a case early: 终止 / 撤回 --------------------------------------------------------


class CaseEnd:
    """How a case is ended before its last step (decision 0068)."""

    TERMINATE = "terminate"
    WITHDRAW = "withdraw"


@transaction.atomic
def case_terminate(*, actor: Any, case: Case, reason: str, kind: str = CaseEnd.TERMINATE) -> Case:
    """End an open case at whatever step it is: 终止 (the department stops the
    selection) or 撤回 (the case is withdrawn, e.g. opened by mistake or its
    proposal taken back). Needs a reason; the records stay as they are; a
    closed, terminated or withdrawn case cannot be ended again."""
    case = Case.objects.select_for_update().select_related("unit").get(pk=case.pk)
    require_unit(actor, "procedure.change_case", case.unit)
    if kind not in (CaseEnd.TERMINATE, CaseEnd.WITHDRAW):
        raise ValidationFailed(
            _("请选择终止或撤回。"), errors=[FieldError("kind", _("请选择终止或撤回。"))]
        )
    word = _("终止") if kind == CaseEnd.TERMINATE else _("撤回")
    if not reason.strip():
        raise ValidationFailed(
            _("%(w)s选任事项须写明理由。") % {"w": word},
            errors=[FieldError("reason", _("请写明%(w)s的理由。") % {"w": word})],
        )
    if case.status != CaseStatus.OPEN:
        raise Conflict(
            _("该事项%(s)s，不能再%(w)s。") % {"s": case.get_status_display(), "w": word}
        )
    now = timezone.now()
    case.status = CaseStatus.ABANDONED if kind == CaseEnd.TERMINATE else CaseStatus.WITHDRAWN
    case.ended_at = now
    case.ended_by = actor
    case.ended_at_step = case.current_step
    case.end_reason = reason.strip()
    case.last_activity_at = now
    case.save(
        update_fields=[
            "status", "ended_at", "ended_by", "ended_at_step", "end_reason", "last_activity_at",
        ]
    )  # fmt: skip
    journal_record(
        actor=actor,
        event_type=(
            EventType.CASE_TERMINATED if kind == CaseEnd.TERMINATE else EventType.CASE_WITHDRAWN
        ),
        subject=case,
        payload={"status": case.status, "step": case.ended_at_step, "reason": case.end_reason},
    )
    _abandon_case_meetings(actor=actor, case=case, word=word)
    return case


def _abandon_case_meetings(*, actor: Any, case: Case, word: str) -> None:
    """The case's meetings being set up or voting (decision, evaluation,
    recommendation) are abandoned with the case, in its transaction, through
    the ballots service: nobody votes on an ended case (decision 0077)."""
    from xuanren.ballots.selectors import case_meetings_unfinished
    from xuanren.ballots.services import meeting_abandon

    reason = _("选任事项已%(w)s：%(r)s") % {"w": word, "r": case.end_reason}
    if len(reason) > 200:
        reason = reason[:199] + "…"
    for meeting in case_meetings_unfinished(case.pk):
        meeting_abandon(actor=actor, meeting=meeting, reason=reason)
