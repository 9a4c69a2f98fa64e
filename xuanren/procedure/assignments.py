"""Who does which step (docs/decisions/0061–0065).

Which role completes a step is data in the template (`StepDef.role`). The case
officer with change rights in scope may complete any step (paper returns are
entered by the officer); a step's owner role completes its own step only for
the cases assigned to it:

- 考察组 (inspection_team): the members the officer assigned to this case;
- 纪委监委 (discipline_commission): cases in scope with a written request for
  the integrity opinion;
- 审计 (audit_office): cases in scope with an audit request.

Anyone else is refused: 403 when they may read the case, 404 when they may
not. Assignments also give read access (a team member reads the cases they
are on, whatever their unit scope). The services that make the assignments
live here too: the inspection team, its materials and signatures, and the
integrity and audit requests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xuanren.access.models import Role
from xuanren.access.names import display_name
from xuanren.access.policy import NOTHING, has_perm, require_unit, unit_in_scope, unit_scope_q
from xuanren.common.dates import today
from xuanren.common.errors import (
    Conflict,
    ErrorCollector,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from xuanren.journal.models import EventType
from xuanren.journal.services import journal_record
from xuanren.procedure.catalogue import DEFAULT_STEP_ROLE, STEPS
from xuanren.procedure.models import (
    AuditRequest,
    Candidate,
    CandidateStatus,
    Case,
    CaseStatus,
    CaseStep,
    InspectionMaterial,
    InspectionSignature,
    InspectionTeamMember,
    IntegrityRequest,
)

SERVE_TEAM = "procedure.serve_inspectionteam"
ANSWER_INTEGRITY = "procedure.answer_integrityrequest"
ANSWER_AUDIT = "procedure.answer_auditrequest"

#: The integrity answer (纪委监委's words) → the opinion stored in the step
#: (docs/decisions/0014 shape; `concerns` added, docs/decisions/0063).
INTEGRITY_ANSWERS = {"clear": "passed", "concerns": "concerns", "veto": "failed"}


#: File name extension → the attachment type `case_attachment_add` checks.
EXTENSIONS = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def content_type_for(name: str) -> str:
    """The attachment type of a file by its extension ("" when not accepted)."""
    return EXTENSIONS.get(name.rsplit(".", 1)[-1].lower() if "." in name else "", "")


def person_name(user: Any) -> str:
    """The person's real name, surname first (docs/decisions/0057)."""
    return display_name(user)


# ---- reading and completing by assignment ----------------------------------------------


def case_read_q(actor: Any) -> Q | None:
    """The cases the actor may read: in unit scope with `view_case`, and
    those assigned to them. None when the actor has no way to read any case
    (then the caller says 403)."""
    q = NOTHING
    anyway = False
    if has_perm(actor, "procedure.view_case"):
        in_scope = unit_scope_q(actor, prefix="unit__")
        if not in_scope:
            # Unrestricted (every unit): an empty Q would vanish from an OR.
            return in_scope
        q |= in_scope
        anyway = True
    if has_perm(actor, SERVE_TEAM):
        q |= Q(pk__in=InspectionTeamMember.objects.filter(user=actor).values("case_id"))
        anyway = True
    for perm, model in ((ANSWER_INTEGRITY, IntegrityRequest), (ANSWER_AUDIT, AuditRequest)):
        if has_perm(actor, perm):
            q |= unit_scope_q(actor, prefix="unit__") & Q(pk__in=model.objects.values("case_id"))
            anyway = True
    return q if anyway else None


def can_read_case(actor: Any, case: Case) -> bool:
    q = case_read_q(actor)
    return q is not None and Case.objects.filter(q, pk=case.pk).exists()


def can_change_case(actor: Any, case: Case) -> bool:
    return has_perm(actor, "procedure.change_case") and unit_in_scope(actor, case.unit)


def is_team_member(actor: Any, case: Case) -> bool:
    return has_perm(actor, SERVE_TEAM) and (
        InspectionTeamMember.objects.filter(case=case, user=actor).exists()
    )


def is_step_owner(actor: Any, case: Case, role: str) -> bool:
    """Whether the actor holds `role` for this case: assigned to it."""
    if role == Role.INSPECTION_TEAM:
        return is_team_member(actor, case)
    if role == Role.DISCIPLINE_COMMISSION:
        return (
            has_perm(actor, ANSWER_INTEGRITY)
            and unit_in_scope(actor, case.unit)
            and IntegrityRequest.objects.filter(case=case).exists()
        )
    if role == Role.AUDIT_OFFICE:
        return (
            has_perm(actor, ANSWER_AUDIT)
            and unit_in_scope(actor, case.unit)
            and AuditRequest.objects.filter(case=case).exists()
        )
    return False


def step_role(case: Case, step: str) -> str:
    from xuanren.procedure.services import template_def

    definition = template_def(case.template)
    if step not in {s.code for s in definition.steps}:
        return DEFAULT_STEP_ROLE
    return definition.step(step).role


def _refuse(actor: Any, case: Case, message: str) -> None:
    """403 when the actor may read the case (or may read no case at all:
    a missing permission, as `case_get` says it); 404 when it is out of reach."""
    q = case_read_q(actor)
    if q is None or Case.objects.filter(q, pk=case.pk).exists():
        raise PermissionDenied(message)
    raise NotFound(_("未找到该选任事项，或其不在您的管理范围内。"))


def may_complete_step(actor: Any, case: Case, step: str) -> bool:
    if can_change_case(actor, case):
        return True
    role = step_role(case, step)
    return role != DEFAULT_STEP_ROLE and is_step_owner(actor, case, role)


def require_step_actor(actor: Any, case: Case, step: str) -> None:
    """The one rule of who may complete `step` of `case` (every caller: web,
    API, commands). Out of the actor's reach: 404; readable but not theirs: 403."""
    if may_complete_step(actor, case, step):
        return
    role = step_role(case, step)
    name = str(STEPS.get(step, step))
    if role == DEFAULT_STEP_ROLE:
        message = _("“%(n)s”环节由组织部干部科办理，您不能办理。") % {"n": name}
    else:
        message = _(
            "“%(n)s”环节由%(r)s办理，本事项未交由您办理（未列入考察组或未收到征求、委托函），不能办理。"
        ) % {"n": name, "r": Role(role).label}
    _refuse(actor, case, message)


def require_attachment_actor(actor: Any, case: Case, step: CaseStep | None) -> None:
    """Who may add a file to a case: the officer; the owner role of the step
    record it belongs to; a team member for the inspection materials."""
    if can_change_case(actor, case):
        return
    if step is not None and may_complete_step(actor, case, step.step):
        return
    if step is None and is_team_member(actor, case):
        return
    _refuse(actor, case, _("您不能为本事项上传附件。"))


# ---- the inspection team (考察组) -------------------------------------------------------


def _step_not_done(case: Case, step: str, what: str) -> None:
    """The case is open, its template has `step` and it has not been completed."""
    if case.status != CaseStatus.OPEN:
        raise Conflict(
            _("该事项%(s)s，不能再%(w)s。") % {"s": case.get_status_display(), "w": what}
        )
    from xuanren.procedure.services import template_def

    if step not in {s.code for s in template_def(case.template).steps}:
        raise Conflict(
            _("本事项的程序没有“%(n)s”环节，不能%(w)s。") % {"n": STEPS[step], "w": what}
        )
    if case.steps.filter(step=step).exists():
        raise Conflict(_("“%(n)s”环节已经办理，不能再%(w)s。") % {"n": STEPS[step], "w": what})


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("template", "unit").get(pk=case.pk)


def team_of(case: Case) -> list[InspectionTeamMember]:
    return list(
        InspectionTeamMember.objects.filter(case=case)
        .select_related("user")
        .order_by("-is_leader", "id")
    )


@transaction.atomic
def inspection_team_member_add(
    *, actor: Any, case: Case, user: Any, is_leader: bool = False, duty: str = ""
) -> InspectionTeamMember:
    """The officer assigns a user account to the case's inspection team."""
    case = _lock(case)
    require_unit(actor, "procedure.change_case", case.unit)
    _step_not_done(case, "inspection", _("调整考察组"))
    out = ErrorCollector()
    if user is None or not user.is_active or not has_perm(user, SERVE_TEAM):
        out.add(
            "user",
            _("该账号不能担任考察组成员：须为启用的考察组或组织部干部科账号。"),
        )
    elif InspectionTeamMember.objects.filter(case=case, user=user).exists():
        out.add("user", _("%(n)s已在考察组中。") % {"n": person_name(user)})
    if is_leader and InspectionTeamMember.objects.filter(case=case, is_leader=True).exists():
        out.add("is_leader", _("考察组已有组长；一个考察组只设一名组长。"))
    out.raise_if_any(_("考察组成员未指派。"))
    member = InspectionTeamMember.objects.create(
        case=case,
        user=user,
        is_leader=is_leader,
        duty=duty.strip()[:100],
        assigned_by=actor,
        assigned_at=timezone.now(),
    )
    journal_record(
        actor=actor,
        event_type=EventType.TEAM_MEMBER_ADDED,
        subject=case,
        payload={"member": member.pk, "user": user.pk, "name": person_name(user),
                 "leader": is_leader, "duty": member.duty},
    )  # fmt: skip
    return member


@transaction.atomic
def inspection_team_member_remove(*, actor: Any, member: InspectionTeamMember) -> None:
    case = _lock(member.case)
    require_unit(actor, "procedure.change_case", case.unit)
    _step_not_done(case, "inspection", _("调整考察组"))
    payload = {"member": member.pk, "user": member.user_id, "name": person_name(member.user)}
    member.delete()
    journal_record(
        actor=actor, event_type=EventType.TEAM_MEMBER_REMOVED, subject=case, payload=payload
    )


def materials_of(case: Case) -> list[InspectionMaterial]:
    return list(
        InspectionMaterial.objects.filter(case=case)
        .select_related("attachment__uploaded_by")
        .order_by("id")
    )


def _material_digests(case: Case) -> list[str]:
    return [m.attachment.sha256 for m in materials_of(case)]


@transaction.atomic
def inspection_material_add(
    *, actor: Any, case: Case, name: str, content: bytes, content_type: str
) -> InspectionMaterial:
    """A team member (or the officer) uploads 考察材料 before the inspection
    step is completed; signatures given before it must be given again."""
    from xuanren.procedure.services import case_attachment_add

    case = _lock(case)
    require_attachment_actor(actor, case, None)
    _step_not_done(case, "inspection", _("上传考察材料"))
    attachment = case_attachment_add(
        actor=actor, case=case, name=name, content=content, content_type=content_type
    )
    material = InspectionMaterial.objects.create(case=case, attachment=attachment)
    journal_record(
        actor=actor,
        event_type=EventType.INSPECTION_MATERIAL_ADDED,
        subject=case,
        payload={"attachment": attachment.pk, "sha256": attachment.sha256},
    )
    return material


@transaction.atomic
def inspection_sign(*, actor: Any, case: Case) -> InspectionSignature:
    """A team member signs the inspection materials with their own login."""
    case = _lock(case)
    if not is_team_member(actor, case):
        _refuse(actor, case, _("只有本事项考察组成员可以在考察材料上署名。"))
    _step_not_done(case, "inspection", _("署名"))
    digests = _material_digests(case)
    if not digests:
        raise ValidationFailed(_("尚未上传考察材料：请先上传考察材料，再由考察组成员署名。"))
    latest = (
        InspectionSignature.objects.filter(case=case, user=actor)
        .order_by("-signed_at", "-id")
        .first()
    )
    if latest is not None and latest.materials == digests:
        raise Conflict(_("您已在当前的考察材料上署名，无须重复署名。"))
    signature = InspectionSignature.objects.create(
        case=case, user=actor, signed_at=timezone.now(), materials=digests
    )
    journal_record(
        actor=actor,
        event_type=EventType.INSPECTION_SIGNED,
        subject=case,
        payload={"signature": signature.pk, "materials": digests},
    )
    return signature


def signature_state(case: Case) -> dict[int, str]:
    """Per member's user id: "signed", "stale" (signed, then the materials
    changed) or "missing"."""
    digests = _material_digests(case)
    latest: dict[int, InspectionSignature] = {}
    for s in InspectionSignature.objects.filter(case=case).order_by("signed_at", "id"):
        latest[s.user_id] = s
    out: dict[int, str] = {}
    for m in team_of(case):
        sig = latest.get(m.user_id)
        out[m.user_id] = (
            "missing" if sig is None else "signed" if sig.materials == digests else "stale"
        )
    return out


def assigned_team_problems(case: Case, data: dict[str, Any], on: dt.date) -> list[str] | None:
    """What blocks the inspection report of a case with an assigned team
    (None for a case without one: the names in the step's data are checked
    instead). Every member has signed the current materials with their own
    login; the team has two or more members and one leader; the report has
    its date."""
    team = team_of(case)
    if not team:
        return None
    problems: list[str] = []
    if len(team) < 2:
        problems.append(_("考察组由两名以上成员组成：请再指派考察组成员。"))
    if not any(m.is_leader for m in team):
        problems.append(_("请指定考察组组长。"))
    if not _material_digests(case):
        problems.append(_("尚未上传考察材料：请考察组上传考察材料后逐一署名。"))
    else:
        state = signature_state(case)
        missing = [person_name(m.user) for m in team if state[m.user_id] == "missing"]
        stale = [person_name(m.user) for m in team if state[m.user_id] == "stale"]
        if missing:
            problems.append(
                _("考察材料缺少考察组成员%(n)s的署名：每名成员须用本人账号署名，并对考察材料负责。")
                % {"n": "、".join(missing)}
            )
        if stale:
            problems.append(_("%(n)s署名后考察材料有变动，须重新署名。") % {"n": "、".join(stale)})
    report = data.get("report") if isinstance(data.get("report"), dict) else {}
    raw = report.get("date") if isinstance(report, dict) else None
    try:
        when = dt.date.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        when = None
    if when is None or when > on:
        problems.append(_("请填写考察报告的日期（不晚于办理日期）。"))
    return problems


# ---- integrity requests (征求廉政意见) ---------------------------------------------------


def _inspection_candidates(case: Case, chosen: list[Candidate] | None) -> list[Candidate]:
    pool = {
        c.pk: c
        for c in Candidate.objects.filter(case=case, status=CandidateStatus.INSPECTION)
        .select_related("cadre", "post__unit")
        .order_by("id")
    }
    if chosen is None:
        return list(pool.values())
    return [pool[c.pk] for c in chosen if c.pk in pool] if chosen else []


def _check_candidates(
    out: ErrorCollector, chosen: list[Candidate] | None, picked: list[Candidate]
) -> None:
    if chosen is not None and len(picked) != len(chosen):
        out.add("candidates", _("所列人选须是本事项的考察对象。"))
    if not picked:
        out.add("candidates", _("没有考察对象：须先确定考察对象。"))


def _latest(model: Any, case: Case) -> Any:
    """The request in force: a later one replaces the earlier ones."""
    return (
        model.objects.filter(case=case)
        .prefetch_related("candidates__cadre", "candidates__post__unit")
        .order_by("-sent_at", "-id")
        .first()
    )


def _require_latest(model: Any, request: Any, message: str) -> None:
    latest = _latest(model, request.case)
    if latest is None or latest.pk != request.pk:
        raise Conflict(message)


def _per_candidate(
    out: ErrorCollector, request: Any, rows: list[dict[str, Any]], field: str, wrong: str
) -> Iterator[tuple[Candidate, dict[str, Any]]]:
    """Each answer row with its candidate of the request, one row per
    candidate; rows naming anyone else are refused with `wrong`."""
    wanted = {c.pk: c for c in request.candidates.all()}
    seen: set[int] = set()
    for row in rows:
        cid = row.get("candidate")
        c = wanted.get(cid) if isinstance(cid, int) else None
        if c is None or cid in seen:
            out.add(field, wrong)
            continue
        seen.add(c.pk)
        yield c, row


def _unanswered(request: Any, rows: list[dict[str, Any]]) -> list[Candidate]:
    given = {row.get("candidate") for row in rows}
    return [c for c in request.candidates.all() if c.pk not in given]


def _register(
    model: Any, event: EventType, *, actor: Any, case: Case, picked: list[Candidate], **fields: Any
) -> Any:
    """A request letter on record with its candidates, and its journal event
    (the letter's fields and the candidates, as before)."""
    request = model.objects.create(case=case, sent_by=actor, sent_at=timezone.now(), **fields)
    request.candidates.set(picked)
    journal_record(
        actor=actor,
        event_type=event,
        subject=case,
        payload={"request": request.pk, **fields, "candidates": [c.pk for c in picked]},
    )
    return request


def latest_integrity_request(case: Case) -> IntegrityRequest | None:
    return _latest(IntegrityRequest, case)


@transaction.atomic
def integrity_request_send(
    *,
    actor: Any,
    case: Case,
    document: str,
    sent_on: dt.date,
    meeting_date: dt.date,
    candidates: list[Candidate] | None = None,
) -> IntegrityRequest:
    """The officer records the written request for the integrity opinion.
    The deadline is the meeting date minus the template's
    `integrity_lead_days`; a request sent after it cannot be recorded for
    that meeting. A later request replaces the earlier one."""
    from xuanren.procedure.services import template_def

    case = _lock(case)
    require_unit(actor, "procedure.change_case", case.unit)
    _step_not_done(case, "integrity_opinion", _("征求廉政意见"))
    lead = int(template_def(case.template).parameters.get("integrity_lead_days", 3))
    deadline = meeting_date - dt.timedelta(days=lead)
    out = ErrorCollector()
    if not document.strip():
        out.add("document", _("廉政意见须书面征求：请填写征求函的文号。"))
    if sent_on > today():
        out.add("sent_on", _("发函日期不能晚于今天：只能登记已经发出的征求函。"))
    elif sent_on > deadline:
        out.add(
            "meeting_date",
            _("须至少在会议前 %(n)d 日书面征求：%(s)s 发函，会议最早可安排在 %(e)s。")
            % {
                "n": lead,
                "s": sent_on.isoformat(),
                "e": (sent_on + dt.timedelta(days=lead)).isoformat(),
            },
        )
    picked = _inspection_candidates(case, candidates)
    _check_candidates(out, candidates, picked)
    out.raise_if_any(_("廉政意见征求未登记。"))
    request = _register(
        IntegrityRequest, EventType.INTEGRITY_REQUESTED, actor=actor, case=case, picked=picked,
        document=document.strip(), sent_on=sent_on, meeting_date=meeting_date, deadline=deadline,
    )  # fmt: skip
    return request


def _iso(day: dt.date) -> str:
    return day.isoformat()


def integrity_answer_data(
    request: IntegrityRequest, answers: list[dict[str, Any]], returned_on: dt.date, document: str
) -> dict[str, Any]:
    """The integrity_opinion step's data (docs/decisions/0014) from the
    request and the commission's answers; refuses an incomplete answer."""
    out = ErrorCollector()
    opinions = []
    wrong = _("答复所列人选须是征求函中的人选，每人一条。")
    for c, row in _per_candidate(out, request, answers, "answers", wrong):
        answer = row.get("answer")
        reason = str(row.get("reason") or "").strip()
        if answer not in INTEGRITY_ANSWERS:
            out.add(
                "answers", _("请选择对%(n)s的意见：无问题、有问题或否决。") % {"n": c.cadre.name}
            )
            continue
        if answer != "clear" and not reason:
            out.add("answers", _("对%(n)s提出问题或否决，须写明理由。") % {"n": c.cadre.name})
        entry: dict[str, Any] = {
            "candidate": c.pk,
            "result": INTEGRITY_ANSWERS[answer],
            "returned_on": _iso(returned_on),
        }
        if document.strip():
            entry["document"] = document.strip()
        if reason:
            entry["reason"] = reason
        opinions.append(entry)
    for c in _unanswered(request, answers):
        out.add("answers", _("请答复对%(n)s的廉政意见。") % {"n": c.cadre.name})
    if returned_on < request.sent_on:
        out.add("returned_on", _("答复日期不能早于发函日期。"))
    if returned_on > today():
        out.add("returned_on", _("答复日期不能晚于今天。"))
    out.raise_if_any(_("廉政意见未答复。"))
    return {
        "request_document": request.document,
        "requested_on": _iso(request.sent_on),
        "planned_meeting_date": _iso(request.meeting_date),
        "opinions": opinions,
    }


@transaction.atomic
def integrity_request_answer(
    *,
    actor: Any,
    request: IntegrityRequest,
    answers: list[dict[str, Any]],
    returned_on: dt.date,
    document: str = "",
    note: str = "",
) -> CaseStep:
    """The discipline commission answers per candidate — clear, concerns or
    veto, a reason for the latter two — which completes the case's
    integrity_opinion step (its guards run as for every caller)."""
    from xuanren.procedure.services import case_step_complete

    case = request.case
    require_step_actor(actor, case, "integrity_opinion")
    _require_latest(
        IntegrityRequest, request, _("该征求函已被新的征求函取代，请答复最新的征求函。")
    )
    data = integrity_answer_data(request, answers, returned_on, document)
    return case_step_complete(
        actor=actor, case=case, step="integrity_opinion", data=data, note=note
    )


# ---- audit requests (经济责任审计) -------------------------------------------------------


def audit_candidates(case: Case) -> list[Candidate]:
    """The inspection candidates the template's `audit_for` names."""
    from xuanren.procedure.guards.decision import needs_audit
    from xuanren.procedure.services import template_def

    scope = template_def(case.template).parameters.get("audit_for", "principal")
    return [c for c in _inspection_candidates(case, None) if needs_audit(c.post, scope)]


def latest_audit_request(case: Case) -> AuditRequest | None:
    return _latest(AuditRequest, case)


@transaction.atomic
def audit_request_send(
    *,
    actor: Any,
    case: Case,
    document: str,
    sent_on: dt.date,
    due_on: dt.date | None = None,
    candidates: list[Candidate] | None = None,
) -> AuditRequest:
    """The officer commissions the audit of the candidates the template names
    (principal posts by default)."""
    case = _lock(case)
    require_unit(actor, "procedure.change_case", case.unit)
    _step_not_done(case, "audit", _("委托审计"))
    needed = audit_candidates(case)
    out = ErrorCollector()
    if not document.strip():
        out.add("document", _("请填写委托审计的函件文号。"))
    if sent_on > today():
        out.add("sent_on", _("发函日期不能晚于今天。"))
    if due_on is not None and due_on < sent_on:
        out.add("due_on", _("要求完成日期不能早于发函日期。"))
    if candidates is None:
        picked = needed
    else:
        ok = {c.pk for c in needed}
        picked = [c for c in needed if c.pk in {x.pk for x in candidates}]
        if any(c.pk not in ok for c in candidates):
            out.add("candidates", _("所列人选须是本事项须经经济责任审计的考察对象。"))
    if not picked:
        out.add("candidates", _("本事项没有须经经济责任审计的考察对象。"))
    out.raise_if_any(_("审计委托未登记。"))
    request = _register(
        AuditRequest, EventType.AUDIT_REQUESTED, actor=actor, case=case, picked=picked,
        document=document.strip(), sent_on=sent_on, due_on=due_on,
    )  # fmt: skip
    return request


def audit_answer_data(request: AuditRequest, audits: list[dict[str, Any]]) -> dict[str, Any]:
    out = ErrorCollector()
    rows = []
    wrong = _("审计结论所列人选须是委托函中的人选，每人一条。")
    for c, row in _per_candidate(out, request, audits, "audits", wrong):
        concluded = row.get("concluded_on")
        report = str(row.get("report") or "").strip()
        if not isinstance(concluded, dt.date):
            out.add("audits", _("请填写%(n)s的审计结论日期。") % {"n": c.cadre.name})
            continue
        if not report:
            out.add("audits", _("请填写%(n)s的审计报告文号。") % {"n": c.cadre.name})
        rows.append({"candidate": c.pk, "concluded_on": _iso(concluded), "report": report,
                     "problems": str(row.get("problems") or "").strip()})  # fmt: skip
    for c in _unanswered(request, audits):
        out.add("audits", _("请记录%(n)s的审计结论。") % {"n": c.cadre.name})
    out.raise_if_any(_("审计结论未记录。"))
    return {"audits": rows}


@transaction.atomic
def audit_request_answer(
    *,
    actor: Any,
    request: AuditRequest,
    audits: list[dict[str, Any]],
    attachment: dict[str, Any] | None,
    note: str = "",
) -> CaseStep:
    """The audit office records each conclusion with its report file, which
    completes the case's audit step (its guards run as for every caller)."""
    from xuanren.procedure.services import case_attachment_add, case_step_complete

    case = request.case
    require_step_actor(actor, case, "audit")
    _require_latest(
        AuditRequest, request, _("该审计委托已被新的委托取代，请按最新的委托记录结论。")
    )
    data = audit_answer_data(request, audits)
    if not attachment or not attachment.get("content"):
        raise ValidationFailed(_("审计结论未记录：请上传审计报告（结论）文件。"))
    record = case_step_complete(actor=actor, case=case, step="audit", data=data, note=note)
    case_attachment_add(actor=actor, case=case, step=record, **attachment)
    return record
