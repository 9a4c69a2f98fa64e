"""Who does which step (docs/decisions/0061–0065): a case's inspection team
(the officer assigns; members upload materials and sign with their own
login), the integrity request the discipline commission answers and the
audit request the audit office answers — each answer completes its step
through `case_step_complete`. Files travel as base64 in the JSON body.

(No `from __future__ import annotations` in the routers: ninja reads the
parameter annotations at import time.)"""

import base64
import binascii
import datetime as dt
from typing import Any, Literal

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict, Field

from xuanren.api.auth import actor_of
from xuanren.api.errors import ERROR_RESPONSES, ErrorOut
from xuanren.common.errors import FieldError, NotFound, ValidationFailed
from xuanren.procedure.assignments import (
    audit_request_answer,
    audit_request_send,
    content_type_for,
    inspection_material_add,
    inspection_sign,
    inspection_team_member_add,
    inspection_team_member_remove,
    integrity_request_answer,
    integrity_request_send,
    latest_audit_request,
    latest_integrity_request,
    person_name,
    signature_state,
    team_of,
)
from xuanren.procedure.models import (
    AuditRequest,
    Candidate,
    Case,
    InspectionTeamMember,
    IntegrityRequest,
)
from xuanren.procedure.selectors import case_get

router = Router(tags=["分工办理"])
WRITE_RESPONSES = {**ERROR_RESPONSES, 409: ErrorOut, 422: ErrorOut}


class TeamMemberIn(Schema):
    model_config = ConfigDict(extra="forbid")
    user: int = Field(description="成员的用户编号（须为考察组或组织部干部科账号）")
    is_leader: bool = Field(False, description="是否组长（一个考察组一名组长）")
    duty: str = Field("", description="身份，如单位职务")


class TeamMemberOut(Schema):
    id: int
    user: int
    name: str
    is_leader: bool
    duty: str
    signature: Literal["signed", "stale", "missing"] = Field(
        description="署名：signed 已在当前材料上署名；stale 署名后材料有变动；missing 未署名"
    )


class FileIn(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(description="文件名（扩展名决定类型：pdf、jpg、png、docx、xlsx）")
    content_base64: str = Field(description="文件内容，base64 编码")


class MaterialOut(Schema):
    id: int
    attachment: int
    name: str
    sha256: str


class SignatureOut(Schema):
    id: int
    user: int
    signed_at: dt.datetime
    materials: list[str]


class IntegrityRequestIn(Schema):
    model_config = ConfigDict(extra="forbid")
    document: str = Field(description="征求函文号")
    sent_on: dt.date = Field(description="发函日期")
    meeting_date: dt.date = Field(description="拟召开讨论决定会议日期")
    candidates: list[int] | None = Field(None, description="人选编号；不填为全部考察对象")


class RequestOut(Schema):
    id: int
    case: int
    document: str
    sent_on: dt.date
    deadline: dt.date | None = Field(None, description="答复期限（会议日期减廉政意见提前天数）")
    meeting_date: dt.date | None = None
    due_on: dt.date | None = None
    candidates: list[int]


class IntegrityAnswerRowIn(Schema):
    model_config = ConfigDict(extra="forbid")
    candidate: int
    answer: Literal["clear", "concerns", "veto"] = Field(
        description="clear 无问题；concerns 有问题（不否决）；veto 否决"
    )
    reason: str = Field("", description="理由；有问题或否决时必填")


class IntegrityAnswerIn(Schema):
    model_config = ConfigDict(extra="forbid")
    answers: list[IntegrityAnswerRowIn]
    returned_on: dt.date = Field(description="答复日期")
    document: str = Field("", description="答复文号")
    note: str = ""


class AuditRequestIn(Schema):
    model_config = ConfigDict(extra="forbid")
    document: str = Field(description="委托函文号")
    sent_on: dt.date
    due_on: dt.date | None = None
    candidates: list[int] | None = Field(
        None, description="人选编号；不填为模板要求审计的全部考察对象"
    )


class AuditRowIn(Schema):
    model_config = ConfigDict(extra="forbid")
    candidate: int
    concluded_on: dt.date
    report: str = Field(description="审计报告（结论）文号")
    problems: str = Field("", description="发现的问题；无则留空")


class AuditAnswerIn(Schema):
    model_config = ConfigDict(extra="forbid")
    audits: list[AuditRowIn]
    file: FileIn = Field(description="审计报告（结论）文件")
    note: str = ""


class StepDoneOut(Schema):
    case: int
    step: str
    seq: int
    record: int


def _team(case: Case) -> list[dict[str, Any]]:
    state = signature_state(case)
    return [
        {"id": m.pk, "user": m.user_id, "name": person_name(m.user), "is_leader": m.is_leader,
         "duty": m.duty, "signature": state.get(m.user_id, "missing")}
        for m in team_of(case)
    ]  # fmt: skip


def _file(f: FileIn) -> dict[str, Any]:
    try:
        content = base64.b64decode(f.content_base64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationFailed(
            _("文件内容不是有效的 base64 编码。"),
            errors=[FieldError("content_base64", _("请以 base64 编码提交文件内容。"))],
        ) from exc
    return {"name": f.name, "content": content, "content_type": content_type_for(f.name)}


def _candidates(case: Case, ids: list[int] | None) -> list[Candidate] | None:
    if ids is None:
        return None
    found = {c.pk: c for c in Candidate.objects.filter(case=case, pk__in=ids)}
    if len(found) != len(set(ids)):
        raise ValidationFailed(
            _("所列人选不属于本事项。"),
            errors=[FieldError("candidates", _("请列本事项的人选编号。"))],
        )
    return [found[i] for i in ids]


def _request_row(r: Any) -> dict[str, Any]:
    return {"id": r.pk, "case": r.case_id, "document": r.document, "sent_on": r.sent_on,
            "deadline": getattr(r, "deadline", None), "meeting_date": getattr(r, "meeting_date", None),
            "due_on": getattr(r, "due_on", None),
            "candidates": sorted(c.pk for c in r.candidates.all())}  # fmt: skip


def _step_done(record: Any) -> dict[str, Any]:
    return {"case": record.case_id, "step": record.step, "seq": record.seq, "record": record.pk}


@router.get(
    "/cases/{int:case_id}/team",
    summary="考察组",
    response={200: list[TeamMemberOut], **ERROR_RESPONSES},
)
def team(request: HttpRequest, case_id: int) -> Any:
    """考察组成员、组长及各成员是否已在当前考察材料上署名。"""
    return _team(case_get(actor=actor_of(request), pk=case_id))


@router.post(
    "/cases/{int:case_id}/team",
    summary="指派考察组成员",
    response={201: list[TeamMemberOut], **WRITE_RESPONSES},
)
def team_add(request: HttpRequest, case_id: int, payload: TeamMemberIn) -> Any:
    """组织部干部科指派考察组成员（考察环节办理前）。"""
    actor = actor_of(request)
    case = case_get(actor=actor, pk=case_id)
    user = get_user_model().objects.filter(pk=payload.user).first()
    if user is None:
        raise ValidationFailed(
            _("考察组成员未指派。"), errors=[FieldError("user", _("没有这个用户。"))]
        )
    inspection_team_member_add(
        actor=actor, case=case, user=user, is_leader=payload.is_leader, duty=payload.duty
    )
    return Status(201, _team(case))


@router.delete(
    "/cases/{int:case_id}/team/{int:member_id}",
    summary="调整出考察组",
    response={204: None, **WRITE_RESPONSES},
)
def team_remove(request: HttpRequest, case_id: int, member_id: int) -> Any:
    actor = actor_of(request)
    case = case_get(actor=actor, pk=case_id)
    member = InspectionTeamMember.objects.filter(case=case, pk=member_id).first()
    if member is None:
        raise NotFound(_("考察组中没有这名成员。"))
    inspection_team_member_remove(actor=actor, member=member)
    return Status(204, None)


@router.post(
    "/cases/{int:case_id}/team/materials",
    summary="上传考察材料",
    response={201: MaterialOut, **WRITE_RESPONSES},
)
def team_material(request: HttpRequest, case_id: int, payload: FileIn) -> Any:
    """考察组成员（或组织部干部科）上传考察材料；之后各成员须在当前材料上重新署名。"""
    actor = actor_of(request)
    case = case_get(actor=actor, pk=case_id)
    material = inspection_material_add(actor=actor, case=case, **_file(payload))
    a = material.attachment
    return Status(201, {"id": material.pk, "attachment": a.pk, "name": a.name, "sha256": a.sha256})


@router.post(
    "/cases/{int:case_id}/team/signatures",
    summary="在考察材料上署名",
    response={201: SignatureOut, **WRITE_RESPONSES},
)
def team_sign(request: HttpRequest, case_id: int) -> Any:
    """考察组成员用本人账号在当前考察材料上署名。"""
    actor = actor_of(request)
    case = case_get(actor=actor, pk=case_id)
    s = inspection_sign(actor=actor, case=case)
    return Status(
        201, {"id": s.pk, "user": s.user_id, "signed_at": s.signed_at, "materials": s.materials}
    )


@router.get(
    "/cases/{int:case_id}/integrity-request",
    summary="廉政意见征求",
    response={200: RequestOut, **ERROR_RESPONSES},
)
def integrity_request(request: HttpRequest, case_id: int) -> Any:
    r = latest_integrity_request(case_get(actor=actor_of(request), pk=case_id))
    if r is None:
        raise NotFound(_("本事项尚未书面征求廉政意见。"))
    return _request_row(r)


@router.post(
    "/cases/{int:case_id}/integrity-request",
    summary="书面征求廉政意见",
    response={201: RequestOut, **WRITE_RESPONSES},
)
def integrity_request_new(request: HttpRequest, case_id: int, payload: IntegrityRequestIn) -> Any:
    """组织部干部科登记征求函；答复期限为会议日期减模板规定的提前天数。"""
    actor = actor_of(request)
    case = case_get(actor=actor, pk=case_id)
    r = integrity_request_send(
        actor=actor, case=case, document=payload.document, sent_on=payload.sent_on,
        meeting_date=payload.meeting_date, candidates=_candidates(case, payload.candidates),
    )  # fmt: skip
    return Status(201, _request_row(r))


def _integrity(actor: Any, pk: int) -> IntegrityRequest:
    r = IntegrityRequest.objects.filter(pk=pk).select_related("case").first()
    if r is None:
        raise NotFound(_("未找到该征求函，或其不在您的管理范围内。"))
    case_get(actor=actor, pk=r.case_id)
    return r


@router.post(
    "/integrity-requests/{int:request_id}/answer",
    summary="答复廉政意见",
    response={201: StepDoneOut, **WRITE_RESPONSES},
)
def integrity_answer(request: HttpRequest, request_id: int, payload: IntegrityAnswerIn) -> Any:
    """纪委监委逐人答复：无问题、有问题或否决（后两者须写明理由）；即办理“廉政意见”环节。"""
    actor = actor_of(request)
    r = _integrity(actor, request_id)
    record = integrity_request_answer(
        actor=actor, request=r, answers=[a.model_dump() for a in payload.answers],
        returned_on=payload.returned_on, document=payload.document, note=payload.note,
    )  # fmt: skip
    return Status(201, _step_done(record))


@router.get(
    "/cases/{int:case_id}/audit-request",
    summary="经济责任审计委托",
    response={200: RequestOut, **ERROR_RESPONSES},
)
def audit_request(request: HttpRequest, case_id: int) -> Any:
    r = latest_audit_request(case_get(actor=actor_of(request), pk=case_id))
    if r is None:
        raise NotFound(_("本事项尚未委托经济责任审计。"))
    return _request_row(r)


@router.post(
    "/cases/{int:case_id}/audit-request",
    summary="委托经济责任审计",
    response={201: RequestOut, **WRITE_RESPONSES},
)
def audit_request_new(request: HttpRequest, case_id: int, payload: AuditRequestIn) -> Any:
    actor = actor_of(request)
    case = case_get(actor=actor, pk=case_id)
    r = audit_request_send(
        actor=actor, case=case, document=payload.document, sent_on=payload.sent_on,
        due_on=payload.due_on, candidates=_candidates(case, payload.candidates),
    )  # fmt: skip
    return Status(201, _request_row(r))


@router.post(
    "/audit-requests/{int:request_id}/answer",
    summary="记录审计结论",
    response={201: StepDoneOut, **WRITE_RESPONSES},
)
def audit_answer(request: HttpRequest, request_id: int, payload: AuditAnswerIn) -> Any:
    """审计机关逐人记录审计结论并上传审计报告文件；即办理“经济责任审计”环节。"""
    actor = actor_of(request)
    r = AuditRequest.objects.filter(pk=request_id).select_related("case").first()
    if r is None:
        raise NotFound(_("未找到该审计委托，或其不在您的管理范围内。"))
    case_get(actor=actor, pk=r.case_id)
    record = audit_request_answer(
        actor=actor, request=r, audits=[a.model_dump() for a in payload.audits],
        attachment=_file(payload.file), note=payload.note,
    )  # fmt: skip
    return Status(201, _step_done(record))
