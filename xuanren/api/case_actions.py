"""Ending a case before its last step: POST /cases/{id}/terminate, 终止
(`kind` terminate) or 撤回 (`kind` withdraw) with a reason. The handler only
reads the case through its selector and calls `case_terminate`, which
refuses a closed or already ended case (409) and a missing reason (422).

(No `from __future__ import annotations` in the routers: ninja reads the
parameter annotations at import time.)"""

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from pydantic import ConfigDict

from xuanren.access.policy import require_perm
from xuanren.api.auth import actor_of
from xuanren.api.case_schemas import step_name, user_name
from xuanren.api.errors import ERROR_RESPONSES, ErrorOut
from xuanren.procedure.models import Case
from xuanren.procedure.selectors import case_get
from xuanren.procedure.services import CaseEnd, case_terminate

router = Router(tags=["选任事项"])


class CaseTerminateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["terminate", "withdraw"] = Field(
        "terminate", description="terminate 终止 / withdraw 撤回"
    )
    reason: str = Field(description="终止或撤回的理由（必填）", max_length=2000)


class CaseEndOut(Schema):
    id: int
    number: str
    status: str = Field(description="abandoned 已终止 / withdrawn 已撤回")
    status_word: str
    ended_at: dt.datetime | None
    ended_by_name: str
    ended_at_step: str = Field(description="终止或撤回时的环节代码")
    ended_at_step_name: str
    reason: str


def case_end_row(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "number": case.number,
        "status": case.status,
        "status_word": str(case.get_status_display()),
        "ended_at": case.ended_at,
        "ended_by_name": user_name(case.ended_by),
        "ended_at_step": case.ended_at_step,
        "ended_at_step_name": step_name(case.ended_at_step) if case.ended_at_step else "",
        "reason": case.end_reason,
    }


@router.post(
    "/cases/{int:case_id}/terminate",
    summary="终止或撤回选任事项",
    response={200: CaseEndOut, **ERROR_RESPONSES, 409: ErrorOut, 422: ErrorOut},
)
def case_terminate_api(request: HttpRequest, case_id: int, payload: CaseTerminateIn) -> Any:
    """在任一环节终止（terminate）或撤回（withdraw）办理中的事项，须写明理由；
    已有的环节记录保持不变，记入纪实和日志。已办结、已终止或已撤回的事项返回 409。"""
    actor = actor_of(request)
    require_perm(actor, "procedure.change_case")
    case = case_get(actor=actor, pk=case_id)
    kind = CaseEnd.WITHDRAW if payload.kind == "withdraw" else CaseEnd.TERMINATE
    ended = case_terminate(actor=actor, case=case, reason=payload.reason, kind=kind)
    return case_end_row(ended)
