"""Cadre records. Handlers only call selectors and services."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from xuanren.access.policy import has_perm
from xuanren.access.records import cadre_look_record
from xuanren.api.auth import actor_of
from xuanren.api.errors import (
    ERROR_RESPONSES,
    PRECONDITION_RESPONSES,
    ErrorOut,
    etag_of,
    if_match_version,
)
from xuanren.api.schemas import (
    CadreChangesIn,
    CadreCreateIn,
    CadreDetailOut,
    CadreFiltersIn,
    CadreListOut,
    CadreSavedOut,
)
from xuanren.org.selectors import unit_get
from xuanren.people.models import Cadre
from xuanren.people.selectors import cadre_get, cadre_search
from xuanren.people.services import CadreInput, cadre_create, cadre_update

router = Router(tags=["干部"])

WRITE_RESPONSES = {**ERROR_RESPONSES, 409: ErrorOut, 422: ErrorOut}


def _saved(actor: Any, cadre: Cadre) -> dict[str, Any]:
    return {
        "cadre": cadre_get(actor=actor, pk=cadre.pk),
        "warnings": getattr(cadre, "warnings", []),
    }


@router.get("/cadres", summary="干部查询", response={200: list[CadreListOut], **ERROR_RESPONSES})
@paginate(LimitOffsetPagination)
def cadres(request: HttpRequest, filters: Query[CadreFiltersIn]) -> Any:
    """干部查询，限于本人管理范围；公民身份号码在列表中一律部分隐藏。"""
    return cadre_search(
        actor=actor_of(request),
        filters=filters.to_filters(),
    )


@router.get(
    "/cadres/{int:cadre_id}", summary="干部详情", response={200: CadreDetailOut, **ERROR_RESPONSES}
)
def cadre_detail(request: HttpRequest, cadre_id: int, response: HttpResponse) -> Any:
    """干部详情，含学历、简历、任职、家庭成员、考核、奖惩、培训。每次查看记入查阅记录。
    响应头 `ETag` 是记录的版本，修改时放在 `If-Match` 中提交。"""
    actor = actor_of(request)
    cadre = cadre_get(actor=actor, pk=cadre_id)
    cadre_look_record(
        actor=actor, cadre=cadre, full_id_number=has_perm(actor, "people.view_full_id_number")
    )
    response["ETag"] = etag_of(cadre.version)
    return cadre


@router.post("/cadres", summary="新建干部", response={201: CadreSavedOut, **WRITE_RESPONSES})
def cadre_new(request: HttpRequest, payload: CadreCreateIn, response: HttpResponse) -> Any:
    """新建干部；有误时返回 422 及逐项说明，什么也不保存。"""
    actor = actor_of(request)
    unit = unit_get(actor=actor, pk=payload.unit)
    cadre = cadre_create(actor=actor, unit=unit, data=CadreInput(**payload.values()))
    response["ETag"] = etag_of(cadre.version)
    return Status(201, _saved(actor, cadre))


@router.patch(
    "/cadres/{int:cadre_id}",
    summary="修改干部信息",
    response={200: CadreSavedOut, **WRITE_RESPONSES, **PRECONDITION_RESPONSES},
)
def cadre_change(
    request: HttpRequest, cadre_id: int, payload: CadreChangesIn, response: HttpResponse
) -> Any:
    """修改干部信息（只改提交的字段）；`unit` 调往其他单位。必须在 `If-Match` 头中提交读取时
    得到的 `ETag`：缺少时 428，记录已被他人修改时 412（说明谁在何时改了什么），均不保存。"""
    actor = actor_of(request)
    cadre = cadre_get(actor=actor, pk=cadre_id)
    expected = if_match_version(request)
    unit = unit_get(actor=actor, pk=payload.unit) if payload.unit is not None else None
    cadre = cadre_update(
        actor=actor,
        cadre=cadre,
        changes=payload.changes(),
        unit=unit,
        expected_version=expected,
    )
    response["ETag"] = etag_of(cadre.version)
    return _saved(actor, cadre)
