"""Cases (选任事项): the list, a case with its posts, candidates and current
step, its step records, completing a step, corrections, the guards of a step,
the 纪实 as JSON, and the procedure templates. Handlers only call the
procedure selectors and services; a step completes only through
`case_step_complete`, which refuses any step but the current one (409
conflict) and any step whose guards do not hold (409 guard_blocked, each
blocking guard named in `errors`).

(No `from __future__ import annotations` in the routers: ninja reads the
parameter annotations at import time.)"""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from xuanren.access.policy import require_perm
from xuanren.api.auth import actor_of
from xuanren.api.case_schemas import (
    STEP_BODIES,
    CandidateOut,
    CaseCreateIn,
    CaseDetailOut,
    CaseFiltersIn,
    CaseListOut,
    CaseRecordOut,
    CaseStepOut,
    CorrectionIn,
    DecisionResumeIn,
    GuardPreviewIn,
    GuardPreviewOut,
    GuardsIn,
    MotionDecisionIn,
    MotionProposalIn,
    MotionProposalOut,
    ProcedureTemplateOut,
    StepIn,
    candidate_rows,
    case_detail,
    guard_rows,
    motion_proposal_row,
    record_body,
    step_name,
    template_row,
)
from xuanren.api.errors import ERROR_RESPONSES, ErrorOut
from xuanren.common.errors import Conflict, FieldError, NotFound, ValidationFailed
from xuanren.org.selectors import post_get, unit_get
from xuanren.procedure.selectors import (
    case_get,
    case_list,
    case_record,
    case_timeline,
    committee_get,
    guard_preview,
    motion_proposal_get,
    motion_proposal_list,
    procedure_template_list,
    step_preview,
)
from xuanren.procedure.services import (
    case_decision_resume,
    case_open,
    case_step_complete,
    case_step_correct,
    motion_proposal_decide,
    motion_proposal_submit,
    template_def,
)

router = Router(tags=["选任事项"])

#: Writes may also be refused as out of order / already done / guard blocked
#: (409) or as malformed (422).
WRITE_RESPONSES = {**ERROR_RESPONSES, 409: ErrorOut, 422: ErrorOut}


def _detail(actor: Any, pk: int) -> dict[str, Any]:
    case = case_get(actor=actor, pk=pk)
    return case_detail(case, case_timeline(case))


@router.get("/cases", summary="选任事项列表", response={200: list[CaseListOut], **ERROR_RESPONSES})
@paginate(LimitOffsetPagination)
def cases(request: HttpRequest, filters: Query[CaseFiltersIn]) -> Any:
    """选任事项，限于本人管理范围，立项晚者在前；可按状态、当前环节、名称筛选。"""
    f = filters
    return case_list(actor=actor_of(request), status=f.status, step=f.step, q=f.q)


@router.post("/cases", summary="选任事项立项", response={201: CaseDetailOut, **WRITE_RESPONSES})
def case_new(request: HttpRequest, payload: CaseCreateIn) -> Any:
    """立项：程序模板（最新版本）、主办单位、决定机构、职位及拟配人数、资格计算基准日。
    立项后当前环节为动议，动议与其他环节一样通过 POST /cases/{id}/steps 办理。"""
    actor = actor_of(request)
    # Without the right to open cases at all, say so before looking anything up.
    require_perm(actor, "procedure.add_case")
    unit = unit_get(actor=actor, pk=payload.unit)
    committee = committee_get(actor=actor, pk=payload.committee)
    posts = [(post_get(actor=actor, pk=p.post), p.seats) for p in payload.posts]
    case = case_open(
        actor=actor,
        title=payload.title,
        template_code=payload.template,
        unit=unit,
        committee=committee,
        posts=posts,
        reference_date=payload.reference_date,
    )
    return Status(201, _detail(actor, case.pk))


@router.get(
    "/cases/{int:case_id}", summary="选任事项详情", response={200: CaseDetailOut, **ERROR_RESPONSES}
)
def case_detail_view(request: HttpRequest, case_id: int) -> Any:
    """事项概况、职位、人选、各环节状态，及当前环节的前置条件是否满足。
    不存在或不在管理范围内均为 404。"""
    return _detail(actor_of(request), case_id)


@router.get(
    "/cases/{int:case_id}/steps",
    summary="环节记录",
    response={200: list[CaseStepOut], **ERROR_RESPONSES},
)
def case_steps(request: HttpRequest, case_id: int) -> Any:
    """本事项的全部环节记录（含更正），按顺序：办理人、办理时间、内容、说明、日志哈希。"""
    return list(case_get(actor=actor_of(request), pk=case_id).steps.all())


@router.post(
    "/cases/{int:case_id}/steps",
    summary="办理环节",
    response={201: CaseStepOut, **WRITE_RESPONSES},
)
def case_step_new(request: HttpRequest, case_id: int, payload: StepIn) -> Any:
    """办理当前环节。不是当前环节（跳过或已办理）返回 409 `conflict`；前置条件不满足
    返回 409 `guard_blocked`，`errors` 中逐条列出（`field` 为前置条件代码），
    什么也不保存。"""
    actor = actor_of(request)
    case = case_get(actor=actor, pk=case_id)
    record = case_step_complete(
        actor=actor, case=case, step=payload.step, data=payload.data, note=payload.note
    )
    return Status(201, record)


def _typed_step_endpoint(code: str) -> None:
    """POST /cases/{id}/steps/{code}: one endpoint per step, its request body
    the step's contract (published in OpenAPI)."""
    body = STEP_BODIES[code]

    def handler(request: HttpRequest, case_id: int, payload: body) -> Any:  # type: ignore[valid-type]
        actor = actor_of(request)
        case = case_get(actor=actor, pk=case_id)
        record = case_step_complete(
            actor=actor,
            case=case,
            step=code,
            data=payload.data,  # type: ignore[attr-defined]
            note=payload.note,  # type: ignore[attr-defined]
        )
        return Status(201, record)

    handler.__name__ = f"case_step_{code}"
    handler.__doc__ = (
        f"办理“{step_name(code)}”环节（须为当前环节）。`data` 按本环节的内容格式提交；"
        "内容不完整或有误返回 422 `validation_failed`，`errors` 逐条说明（`field` 为内容中的位置，"
        "如 results.2.signed）；不是当前环节返回 409 `conflict`；前置条件不满足返回 409 "
        "`guard_blocked`。什么也不保存。"
    )
    router.post(
        f"/cases/{{int:case_id}}/steps/{code}",
        summary=f"办理环节：{step_name(code)}",
        response={201: CaseStepOut, **WRITE_RESPONSES},
        operation_id=f"case_step_{code}",
        url_name=f"case_step_{code}",
    )(handler)


for _code in STEP_BODIES:
    _typed_step_endpoint(_code)


@router.post(
    "/cases/{int:case_id}/steps/{int:record_id}/corrections",
    summary="更正环节记录",
    response={201: CaseStepOut, **WRITE_RESPONSES},
)
def case_step_correction(
    request: HttpRequest, case_id: int, record_id: int, payload: CorrectionIn
) -> Any:
    """更正一条环节记录：新增一条指向原记录的记录并写明理由，原记录保持不变。"""
    actor = actor_of(request)
    case = case_get(actor=actor, pk=case_id)
    record = next((r for r in case.steps.all() if r.pk == record_id), None)
    if record is None:
        raise NotFound(_("本事项没有这条环节记录。"))
    return Status(
        201, case_step_correct(actor=actor, record=record, data=payload.data, note=payload.note)
    )


@router.get(
    "/cases/{int:case_id}/guards",
    summary="环节前置条件",
    response={200: GuardPreviewOut, **ERROR_RESPONSES, 422: ErrorOut},
)
def case_guards(request: HttpRequest, case_id: int, params: Query[GuardsIn]) -> Any:
    """当前环节（或 `step` 指定的环节）的各前置条件此刻是否满足，不满足的说明原因。
    只按已记录的情况核验；依赖本环节提交内容的条件在办理时按提交的内容核验。"""
    case = case_get(actor=actor_of(request), pk=case_id)
    step = params.step or case.current_step
    if not step:
        raise ValidationFailed(
            _("该事项已没有待办环节。"),
            errors=[FieldError("step", _("请指定要查看的环节。"))],
        )
    if step not in {s.code for s in template_def(case.template).steps}:
        raise ValidationFailed(
            _("本事项的程序模板没有“%(n)s”环节。") % {"n": step_name(step)},
            errors=[FieldError("step", _("本事项的程序模板没有这个环节。"))],
        )
    guards = guard_rows(guard_preview(case, step))
    return {
        "case_id": case.pk,
        "step": step,
        "step_name": step_name(step),
        "is_current": step == case.current_step,
        "holds": all(g.holds for g in guards),
        "guards": guards,
    }


@router.get(
    "/cases/{int:case_id}/candidates",
    summary="人选",
    response={200: list[CandidateOut], **ERROR_RESPONSES},
)
def case_candidates(request: HttpRequest, case_id: int) -> Any:
    """本事项的人选及其状态（按职位、排序）。"""
    case = case_get(actor=actor_of(request), pk=case_id)
    return candidate_rows(list(case.candidates.all()))


@router.get(
    "/cases/{int:case_id}/record",
    summary="纪实",
    response={200: CaseRecordOut, **ERROR_RESPONSES},
)
def case_record_view(request: HttpRequest, case_id: int) -> Any:
    """纪实：每一条环节记录（办理人、时间、内容、说明、更正、附件哈希、日志哈希），
    事项被终止或撤回时的方式、经办人、时间和理由，及生成时日志链的最新哈希和事件总数。"""
    return record_body(case_record(actor=actor_of(request), pk=case_id), timezone.now())


@router.get(
    "/procedure-templates",
    summary="程序模板",
    response={200: list[ProcedureTemplateOut], **ERROR_RESPONSES},
)
def procedure_templates(request: HttpRequest) -> Any:
    """全部程序模板及其各版本：参数、环节、各环节的前置条件及依据。"""
    templates = procedure_template_list(actor=actor_of(request))
    return [template_row(t, template_def(t)) for t in templates]


@router.post(
    "/cases/{int:case_id}/guards/preview",
    summary="按拟提交内容预检前置条件",
    response={200: GuardPreviewOut, **ERROR_RESPONSES, 409: ErrorOut},
)
def case_guards_preview(request: HttpRequest, case_id: int, payload: GuardPreviewIn) -> Any:
    """当前环节的各前置条件按 `data`（拟提交的本环节内容）核验的结果；什么也不保存。
    须有办理本事项的权限；事项已办结时返回 409。"""
    actor = actor_of(request)
    case = case_get(actor=actor, pk=case_id)
    if not case.current_step:
        raise Conflict(_("该事项已没有待办环节。"))
    step = case.current_step
    guards = guard_rows(step_preview(actor=actor, case=case, step=step, data=payload.data))
    return {
        "case_id": case.pk,
        "step": step,
        "step_name": step_name(step),
        "is_current": True,
        "holds": all(g.holds for g in guards),
        "guards": guards,
    }


@router.post(
    "/cases/{int:case_id}/decision/resume",
    summary="缓议人选再次讨论决定",
    response={201: CaseStepOut, **WRITE_RESPONSES},
)
def case_decision_resume_new(request: HttpRequest, case_id: int, payload: DecisionResumeIn) -> Any:
    """讨论决定时缓议的人选，在下一环节办理前提交再次讨论决定：新增一条讨论决定记录，
    前置条件与讨论决定相同（只对缓议的人选表决）；事项的当前环节不变。"""
    actor = actor_of(request)
    case = case_get(actor=actor, pk=case_id)
    record = case_decision_resume(actor=actor, case=case, data=payload.data, note=payload.note)
    return Status(201, record)


# ---- 动议建议 ---------------------------------------------------------------------------


@router.get(
    "/motion-proposals",
    summary="动议建议列表",
    response={200: list[MotionProposalOut], **ERROR_RESPONSES},
)
def motion_proposals(request: HttpRequest, status: str = "") -> Any:
    """本人管理范围内单位的动议建议（单位干部人事联络员只见本单位的），新者在前。"""
    return [
        motion_proposal_row(p) for p in motion_proposal_list(actor=actor_of(request), status=status)
    ]


@router.post(
    "/motion-proposals",
    summary="提出动议建议",
    response={201: MotionProposalOut, **WRITE_RESPONSES},
)
def motion_proposal_new(request: HttpRequest, payload: MotionProposalIn) -> Any:
    """单位干部人事联络员为本单位职位提出选任动议建议，由组织部门研究处理。"""
    actor = actor_of(request)
    require_perm(actor, "procedure.add_motionproposal")
    unit = unit_get(actor=actor, pk=payload.unit)
    posts = [(post_get(actor=actor, pk=p.post), p.seats) for p in payload.posts]
    proposal = motion_proposal_submit(actor=actor, unit=unit, posts=posts, reasons=payload.reasons)
    return Status(201, motion_proposal_row(motion_proposal_get(actor=actor, pk=proposal.pk)))


@router.post(
    "/motion-proposals/{int:proposal_id}/decision",
    summary="处理动议建议",
    response={200: MotionProposalOut, **WRITE_RESPONSES},
)
def motion_proposal_decision(
    request: HttpRequest, proposal_id: int, payload: MotionDecisionIn
) -> Any:
    """组织部门采纳（按建议的职位立项，须给出程序模板和决定机构）或不采纳（须写明理由）。
    已处理的再次处理返回 409。"""
    actor = actor_of(request)
    require_perm(actor, "procedure.add_case")
    proposal = motion_proposal_get(actor=actor, pk=proposal_id)
    committee = committee_get(actor=actor, pk=payload.committee) if payload.committee else None
    motion_proposal_decide(
        actor=actor,
        proposal=proposal,
        accept=payload.accept,
        reason=payload.reason,
        template_code=payload.template,
        committee=committee,
        title=payload.title,
        reference_date=payload.reference_date,
    )
    return motion_proposal_row(motion_proposal_get(actor=actor, pk=proposal_id))
