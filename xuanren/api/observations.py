"""诫勉谈话 and 察看期 (issue 15, docs/decisions/0156): the same selectors and
services as the pages (out of scope: 404; may read but not write: 403).

(No `from __future__ import annotations` in the routers: ninja reads the
parameter annotations at import time.)"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.responses import Status

from xuanren.api.auth import actor_of
from xuanren.api.errors import ERROR_RESPONSES, ErrorOut
from xuanren.common.errors import NotFound
from xuanren.exchange.views_xlsx import xlsx_file
from xuanren.observation.export import observations_export
from xuanren.observation.models import Observation, ObservationStatus
from xuanren.observation.selectors import observation_get, observations
from xuanren.observation.services import observation_close, observation_open
from xuanren.org.selectors import post_get
from xuanren.people.selectors import cadre_get

router = Router(tags=["诫勉谈话与察看期"])
WRITE_RESPONSES = {**ERROR_RESPONSES, 409: ErrorOut, 422: ErrorOut}


class ObservationIn(Schema):
    """A warning talk as `observation_open` takes it; `tenure` may be left out
    when the cadre holds one post. The checks are the service's (422)."""

    cadre: int
    talk_date: dt.date
    talked_by: str
    reason_kind: str
    reason: str
    talk_record: str
    assessment_year: int | None = None
    document: str = ""
    tenure: int | None = None


class OutcomeIn(Schema):
    """`outcome`: confirmed, demoted (with `post`, of a lower level) or moved
    (with `rank`, the non-leadership post's 职级); `document` for the last two."""

    outcome: str
    decided_on: dt.date
    note: str = ""
    document: str = ""
    post: int | None = None
    rank: str = ""


class ObservationOut(Schema):
    id: int
    cadre_id: int
    cadre_name: str
    tenure_id: int
    post_id: int
    post_name: str
    reason_kind: str
    reason_kind_label: str
    assessment_year: int | None
    reason: str
    talk_date: dt.date
    talked_by: str
    talk_record: str
    document: str
    warning_id: int
    warning_effect_until: dt.date | None
    ends_on: dt.date
    status: str
    status_label: str
    outcome: str
    outcome_label: str
    outcome_on: dt.date | None
    outcome_note: str
    outcome_document: str
    ended_tenure_id: int | None
    new_tenure_id: int | None
    new_rank: str


def _out(o: Observation) -> dict[str, Any]:
    return {
        "id": o.pk,
        "cadre_id": o.cadre_id,
        "cadre_name": o.cadre.name,
        "tenure_id": o.tenure_id,
        "post_id": o.tenure.post_id,
        "post_name": str(o.tenure.post),
        "reason_kind": o.reason_kind,
        "reason_kind_label": o.get_reason_kind_display(),
        "assessment_year": o.assessment_year,
        "reason": o.reason,
        "talk_date": o.talk_date,
        "talked_by": o.talked_by,
        "talk_record": o.talk_record,
        "document": o.document,
        "warning_id": o.warning_id,
        "warning_effect_until": o.warning.effect_until,
        "ends_on": o.ends_on,
        "status": o.status,
        "status_label": o.get_status_display(),
        "outcome": o.outcome,
        "outcome_label": o.get_outcome_display() if o.outcome else "",
        "outcome_on": o.outcome_on,
        "outcome_note": o.outcome_note,
        "outcome_document": o.outcome_document,
        "ended_tenure_id": o.ended_tenure_id,
        "new_tenure_id": o.new_tenure_id,
        "new_rank": o.new_rank,
    }


@router.get(
    "/observations",
    summary="察看期列表",
    response={200: list[ObservationOut], **ERROR_RESPONSES},
)
def observation_list(request: HttpRequest, status: str = "") -> Any:
    """本人管理范围内干部的察看期：察看中的按期满日期在前，已作结论的在后（最多 200 条）；
    `status` 为 open 或 closed 时只列该状态。"""
    if status not in ObservationStatus.values:
        status = ""
    rows = observations(actor=actor_of(request), status=status).select_related("warning")
    return [_out(o) for o in rows[:200]]


@router.get(
    "/observations/export.xlsx",
    summary="导出察看期列表（XLSX）",
    response={200: None, **ERROR_RESPONSES},
)
def observation_xlsx(request: HttpRequest, status: str = "") -> HttpResponseBase:
    """本人管理范围内干部的诫勉谈话和察看期（谈话日期、干部、单位、原因、察看期满、结论），
    不限条数；`status` 同列表。"""
    return xlsx_file(*observations_export(actor=actor_of(request), status=status))


@router.post(
    "/observations",
    summary="登记诫勉谈话",
    response={201: ObservationOut, **WRITE_RESPONSES},
)
def observation_new(request: HttpRequest, payload: ObservationIn) -> Any:
    """登记诫勉谈话，开始六个月察看期，并在干部奖惩情况中记入诫勉（影响期内不得列为考察对象）。
    有误时 422，已在察看期内时 409，均不保存。"""
    actor = actor_of(request)
    cadre = cadre_get(actor=actor, pk=payload.cadre)
    tenure = None
    if payload.tenure is not None:
        tenure = next((t for t in cadre.tenures.all() if t.pk == payload.tenure), None)
        if tenure is None:
            raise NotFound(_("该干部没有这条任职记录。"))
    made = observation_open(
        actor=actor,
        cadre=cadre,
        tenure=tenure,
        talk_date=payload.talk_date,
        talked_by=payload.talked_by,
        reason_kind=payload.reason_kind,
        reason=payload.reason,
        talk_record=payload.talk_record,
        assessment_year=payload.assessment_year,
        document=payload.document,
    )
    return Status(201, _out(observation_get(actor=actor, pk=made.pk)))


@router.get(
    "/observations/{int:observation_id}",
    summary="察看期详情",
    response={200: ObservationOut, **ERROR_RESPONSES},
)
def observation_detail(request: HttpRequest, observation_id: int) -> Any:
    """一次诫勉谈话、察看期及其结论。"""
    return _out(observation_get(actor=actor_of(request), pk=observation_id))


@router.post(
    "/observations/{int:observation_id}/outcome",
    summary="察看期满作出结论",
    response={200: ObservationOut, **WRITE_RESPONSES},
)
def observation_outcome(request: HttpRequest, observation_id: int, payload: OutcomeIn) -> Any:
    """察看期满（期满之日起）作出结论：confirmed 期满合格；demoted 降职（`post` 为低于原职务层次的职位，
    免去原职务、任新职务并调整职务层次）；moved 转任非领导职务（`rank` 为职级，免去原职务）。
    降职、转任须有任免文号。有误时 422，已作结论时 409。"""
    actor = actor_of(request)
    obs = observation_get(actor=actor, pk=observation_id)
    post = post_get(actor=actor, pk=payload.post) if payload.post is not None else None
    observation_close(
        actor=actor,
        observation=obs,
        outcome=payload.outcome,
        decided_on=payload.decided_on,
        note=payload.note,
        document=payload.document,
        post=post,
        rank=payload.rank,
    )
    return _out(observation_get(actor=actor, pk=obs.pk))
