"""征询意见 and 一报告两评议 (issue 14): the rounds with their tally,
representatives, replies and opinions; the appraisals with their result.
The same selectors and services as the pages (out of scope: 404).

(No `from __future__ import annotations` in the routers: ninja reads the
parameter annotations at import time.)"""

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from xuanren.api.auth import actor_of
from xuanren.api.errors import ERROR_RESPONSES, ErrorOut
from xuanren.common.errors import NotFound, ValidationFailed
from xuanren.org.models import Unit
from xuanren.people.models import Cadre
from xuanren.supervision.appraisal_selectors import appraisal_get, appraisal_result, appraisals
from xuanren.supervision.appraisal_services import (
    appraisal_cadre_record,
    appraisal_create,
    appraisal_report_set,
    appraisal_work_record,
)
from xuanren.supervision.models_opinion import (
    Appraisal,
    AppraisedCadre,
    Opinion,
    OpinionRecipient,
    OpinionRound,
)
from xuanren.supervision.opinion_selectors import (
    RoundTally,
    opinion_get,
    opinion_round_get,
    opinion_rounds,
    round_opinions,
    round_recipients,
    round_tally,
)
from xuanren.supervision.opinion_services import (
    RecipientIn,
    opinion_add,
    opinion_answer,
    opinion_assign,
    opinion_recipients_add,
    opinion_recipients_import,
    opinion_reply_record,
    opinion_round_create,
)

router = Router(tags=["征询意见和一报告两评议"])
WRITE_RESPONSES = {**ERROR_RESPONSES, 409: ErrorOut, 422: ErrorOut}
#: Representatives per request: a round's whole list fits.
MAX_BATCH = 5000


class RoundIn(Schema):
    title: str
    unit: int
    period_start: dt.date
    period_end: dt.date
    issued_on: dt.date
    reply_deadline: dt.date


class RoundOut(Schema):
    id: int
    title: str
    unit_id: int
    period_start: dt.date
    period_end: dt.date
    issued_on: dt.date
    reply_deadline: dt.date


class CategoryOut(Schema):
    category: str
    label: str
    count: int
    share: str


class TallyOut(Schema):
    issued: int
    returned: int
    not_returned: int
    return_rate: str
    opinions: int
    answered: int
    unanswered: int
    categories: list[CategoryOut]


class RecipientBody(Schema):
    name: str
    unit_name: str = ""
    contact: str = ""


class RecipientOut(Schema):
    id: int
    name: str
    unit_name: str
    contact: str
    returned_on: dt.date | None


class OpinionOut(Schema):
    id: int
    recipient_id: int
    text: str
    category: str
    category_label: str
    cadre_id: int | None
    unit_id: int | None
    status: str
    status_label: str
    assignee_id: int | None
    answer_due: dt.date | None
    answer: str
    answered_on: dt.date | None


class RoundDetailOut(RoundOut):
    tally: TallyOut
    recipients: list[RecipientOut]
    opinions: list[OpinionOut]


class RecipientsIn(Schema):
    people: list[RecipientBody]


class ReplyIn(Schema):
    returned_on: dt.date | None


class OpinionIn(Schema):
    text: str
    category: str
    cadre: int | None = None
    unit: int | None = None


class AssignIn(Schema):
    assignee: int
    answer_due: dt.date


class AnswerIn(Schema):
    answer: str


def _round(r: OpinionRound) -> dict[str, Any]:
    return {
        "id": r.pk,
        "title": r.title,
        "unit_id": r.unit_id,
        "period_start": r.period_start,
        "period_end": r.period_end,
        "issued_on": r.issued_on,
        "reply_deadline": r.reply_deadline,
    }


def _tally(t: RoundTally) -> dict[str, Any]:
    return {
        "issued": t.issued,
        "returned": t.returned,
        "not_returned": t.not_returned,
        "return_rate": t.return_rate.percent,
        "opinions": t.opinions,
        "answered": t.answered,
        "unanswered": t.unanswered,
        "categories": [
            {"category": c.code, "label": c.label, "count": c.count, "share": c.share.percent}
            for c in t.categories
        ],
    }


def _recipient(r: OpinionRecipient) -> dict[str, Any]:
    return {
        "id": r.pk,
        "name": r.name,
        "unit_name": r.unit_name,
        "contact": r.contact,
        "returned_on": r.returned_on,
    }


def _opinion(o: Opinion) -> dict[str, Any]:
    return {
        "id": o.pk,
        "recipient_id": o.recipient_id,
        "text": o.text,
        "category": o.category,
        "category_label": o.get_category_display(),
        "cadre_id": o.cadre_id,
        "unit_id": o.concerning_unit_id,
        "status": o.status,
        "status_label": o.get_status_display(),
        "assignee_id": o.assignee_id,
        "answer_due": o.answer_due,
        "answer": o.answer,
        "answered_on": o.answered_on,
    }


def _recipient_of(actor: Any, round_id: int, recipient_id: int) -> OpinionRecipient:
    round_ = opinion_round_get(actor=actor, pk=round_id)
    found = OpinionRecipient.objects.filter(round=round_, pk=recipient_id).first()
    if found is None:
        raise NotFound(_("未找到该党代表，或其不在本次征询对象中。"))
    return found


@router.get(
    "/opinion-rounds", summary="征询意见列表", response={200: list[RoundOut], **ERROR_RESPONSES}
)
def rounds(request: HttpRequest) -> Any:
    """本人管理范围内的征询意见，最新的在前。"""
    return [_round(r) for r in opinion_rounds(actor=actor_of(request))[:200]]


@router.post(
    "/opinion-rounds", summary="登记征询意见书", response={201: RoundOut, **WRITE_RESPONSES}
)
def round_create(request: HttpRequest, payload: RoundIn) -> Any:
    actor = actor_of(request)
    unit = Unit.objects.filter(pk=payload.unit).first()
    if unit is None:
        raise NotFound(_("未找到该单位，或其不在您的管理范围内。"))
    data = payload.dict()
    data.pop("unit")
    return Status(201, _round(opinion_round_create(actor=actor, unit=unit, **data)))


@router.get(
    "/opinion-rounds/{int:round_id}",
    summary="征询意见：统计、征询对象和意见",
    response={200: RoundDetailOut, **ERROR_RESPONSES},
)
def round_detail(request: HttpRequest, round_id: int) -> Any:
    actor = actor_of(request)
    round_ = opinion_round_get(actor=actor, pk=round_id)
    return {
        **_round(round_),
        "tally": _tally(round_tally(actor=actor, round=round_)),
        "recipients": [_recipient(r) for r in round_recipients(actor=actor, round=round_)],
        "opinions": [_opinion(o) for o in round_opinions(actor=actor, round=round_)],
    }


@router.post(
    "/opinion-rounds/{int:round_id}/recipients",
    summary="登记征询对象",
    response={201: list[RecipientOut], **WRITE_RESPONSES},
)
def recipients_add(request: HttpRequest, round_id: int, payload: RecipientsIn) -> Any:
    actor = actor_of(request)
    round_ = opinion_round_get(actor=actor, pk=round_id)
    if len(payload.people) > MAX_BATCH:
        raise ValidationFailed(_("一次最多登记 %(n)d 名党代表。") % {"n": MAX_BATCH})
    people = [RecipientIn(p.name, p.unit_name, p.contact) for p in payload.people]
    added = opinion_recipients_add(actor=actor, round=round_, people=people, source="api")
    return Status(201, [_recipient(r) for r in added])


@router.post(
    "/opinion-rounds/{int:round_id}/recipients.xlsx",
    summary="从 XLSX 导入征询对象",
    response={201: list[RecipientOut], 413: ErrorOut, **WRITE_RESPONSES},
)
def recipients_import(request: HttpRequest, round_id: int, file: File[UploadedFile]) -> Any:
    """上传 .xlsx，工作表“党代表”，第 1 行列名：姓名、单位、联系方式。全部成功或全部不保存。"""
    actor = actor_of(request)
    round_ = opinion_round_get(actor=actor, pk=round_id)
    added = opinion_recipients_import(
        actor=actor, round=round_, content=file, filename=file.name or ""
    )
    return Status(201, [_recipient(r) for r in added])


@router.post(
    "/opinion-rounds/{int:round_id}/recipients/{int:recipient_id}/reply",
    summary="登记回复",
    response={200: RecipientOut, **WRITE_RESPONSES},
)
def reply(request: HttpRequest, round_id: int, recipient_id: int, payload: ReplyIn) -> Any:
    actor = actor_of(request)
    who = _recipient_of(actor, round_id, recipient_id)
    return _recipient(
        opinion_reply_record(actor=actor, recipient=who, returned_on=payload.returned_on)
    )


@router.post(
    "/opinion-rounds/{int:round_id}/recipients/{int:recipient_id}/opinions",
    summary="登记意见",
    response={201: OpinionOut, **WRITE_RESPONSES},
)
def opinion_create(
    request: HttpRequest, round_id: int, recipient_id: int, payload: OpinionIn
) -> Any:
    actor = actor_of(request)
    who = _recipient_of(actor, round_id, recipient_id)
    cadre = Cadre.objects.filter(pk=payload.cadre).first() if payload.cadre else None
    unit = Unit.objects.filter(pk=payload.unit).first() if payload.unit else None
    if payload.cadre and cadre is None:
        raise NotFound(_("未找到该干部，或其不在您的管理范围内。"))
    if payload.unit and unit is None:
        raise NotFound(_("未找到该单位，或其不在您的管理范围内。"))
    made = opinion_add(
        actor=actor,
        recipient=who,
        text=payload.text,
        category=payload.category,
        cadre=cadre,
        concerning_unit=unit,
    )
    return Status(201, _opinion(made))


@router.post(
    "/opinions/{int:opinion_id}/assign",
    summary="分派意见",
    response={200: OpinionOut, **WRITE_RESPONSES},
)
def opinion_assign_api(request: HttpRequest, opinion_id: int, payload: AssignIn) -> Any:
    actor = actor_of(request)
    found = opinion_get(actor=actor, pk=opinion_id)
    user = get_user_model().objects.filter(pk=payload.assignee).first()
    return _opinion(
        opinion_assign(actor=actor, opinion=found, assignee=user, answer_due=payload.answer_due)
    )


@router.post(
    "/opinions/{int:opinion_id}/answer",
    summary="答复意见",
    response={200: OpinionOut, **WRITE_RESPONSES},
)
def opinion_answer_api(request: HttpRequest, opinion_id: int, payload: AnswerIn) -> Any:
    actor = actor_of(request)
    found = opinion_get(actor=actor, pk=opinion_id)
    return _opinion(opinion_answer(actor=actor, opinion=found, answer=payload.answer))


# ---- 一报告两评议 -------------------------------------------------------------------------


class AppraisalIn(Schema):
    unit: int
    year: int


class AppraisalOut(Schema):
    id: int
    unit_id: int
    year: int
    held_on: dt.date | None
    report: str


class WorkOut(Schema):
    participants: int
    good: int
    fairly_good: int
    average: int
    poor: int
    not_rated: int
    satisfaction: str


class CadreOut(Schema):
    id: int
    cadre_id: int
    cadre_name: str
    post: str
    decided_on: dt.date
    participants: int
    agree: int
    mostly_agree: int
    disagree: int
    recognition: str
    disagreement: str
    flagged: bool


class AppraisalDetailOut(AppraisalOut):
    work: WorkOut
    threshold: str
    cadres: list[CadreOut]


class ReportIn(Schema):
    report: str


class WorkIn(Schema):
    held_on: dt.date
    participants: int
    good: int
    fairly_good: int
    average: int
    poor: int


class CadreIn(Schema):
    participants: int
    agree: int
    mostly_agree: int
    disagree: int


def _appraisal(a: Appraisal) -> dict[str, Any]:
    return {"id": a.pk, "unit_id": a.unit_id, "year": a.year, "held_on": a.held_on,
            "report": a.report}  # fmt: skip


@router.get(
    "/appraisals", summary="一报告两评议列表", response={200: list[AppraisalOut], **ERROR_RESPONSES}
)
def appraisal_list(request: HttpRequest) -> Any:
    return [_appraisal(a) for a in appraisals(actor=actor_of(request))[:200]]


@router.post(
    "/appraisals", summary="登记一报告两评议", response={201: AppraisalOut, **WRITE_RESPONSES}
)
def appraisal_new(request: HttpRequest, payload: AppraisalIn) -> Any:
    """登记单位某年度的一报告两评议，列出该年度新提拔的干部。"""
    actor = actor_of(request)
    unit = Unit.objects.filter(pk=payload.unit).first()
    if unit is None:
        raise NotFound(_("未找到该单位，或其不在您的管理范围内。"))
    return Status(201, _appraisal(appraisal_create(actor=actor, unit=unit, year=payload.year)))


def _detail(actor: Any, a: Appraisal) -> dict[str, Any]:
    result = appraisal_result(actor=actor, appraisal=a)
    w = result.work
    return {
        **_appraisal(a),
        "work": {
            "participants": w.participants, "good": w.good, "fairly_good": w.fairly_good,
            "average": w.average, "poor": w.poor, "not_rated": w.not_rated,
            "satisfaction": w.satisfaction.percent,
        },
        "threshold": result.threshold_text,
        "cadres": [
            {
                "id": c.row.pk, "cadre_id": c.row.cadre_id, "cadre_name": c.row.cadre.name,
                "post": c.row.post_text, "decided_on": c.row.decided_on,
                "participants": c.row.participants, "agree": c.row.agree,
                "mostly_agree": c.row.mostly_agree, "disagree": c.row.disagree,
                "recognition": c.result.recognition.percent,
                "disagreement": c.result.disagreement.percent, "flagged": c.result.flagged,
            }
            for c in result.cadres
        ],
    }  # fmt: skip


@router.get(
    "/appraisals/{int:appraisal_id}",
    summary="一报告两评议结果",
    response={200: AppraisalDetailOut, **ERROR_RESPONSES},
)
def appraisal_detail(request: HttpRequest, appraisal_id: int) -> Any:
    actor = actor_of(request)
    return _detail(actor, appraisal_get(actor=actor, pk=appraisal_id))


@router.post(
    "/appraisals/{int:appraisal_id}/report",
    summary="保存选人用人工作报告",
    response={200: AppraisalDetailOut, **WRITE_RESPONSES},
)
def appraisal_report(request: HttpRequest, appraisal_id: int, payload: ReportIn) -> Any:
    actor = actor_of(request)
    found = appraisal_get(actor=actor, pk=appraisal_id)
    return _detail(actor, appraisal_report_set(actor=actor, appraisal=found, report=payload.report))


@router.post(
    "/appraisals/{int:appraisal_id}/work",
    summary="录入选人用人工作评议票数",
    response={200: AppraisalDetailOut, **WRITE_RESPONSES},
)
def appraisal_work(request: HttpRequest, appraisal_id: int, payload: WorkIn) -> Any:
    actor = actor_of(request)
    found = appraisal_get(actor=actor, pk=appraisal_id)
    return _detail(actor, appraisal_work_record(actor=actor, appraisal=found, **payload.dict()))


@router.post(
    "/appraisals/{int:appraisal_id}/cadres/{int:row_id}",
    summary="录入新提拔干部评议票数",
    response={200: AppraisalDetailOut, **WRITE_RESPONSES},
)
def appraisal_cadre(request: HttpRequest, appraisal_id: int, row_id: int, payload: CadreIn) -> Any:
    actor = actor_of(request)
    found = appraisal_get(actor=actor, pk=appraisal_id)
    row = AppraisedCadre.objects.filter(appraisal=found, pk=row_id).first()
    if row is None:
        raise NotFound(_("该干部不在本次评议名单中。"))
    appraisal_cadre_record(actor=actor, row=row, **payload.dict())
    return _detail(actor, found)
