"""Cadre records. Handlers only call selectors and services."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
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
    ParticipantIn,
    TrainingClassDetailOut,
    TrainingClassIn,
    TrainingClassOut,
    TrainingClassParticipantOut,
    TrainingIn,
    TrainingOut,
    TrainingsOut,
)
from xuanren.common.dates import today
from xuanren.common.errors import NotFound
from xuanren.org.selectors import unit_get
from xuanren.people.models import Cadre, Training
from xuanren.people.selectors import (
    cadre_get,
    cadre_search,
    training_class_get,
    training_classes,
)
from xuanren.people.services import (
    CadreInput,
    cadre_create,
    cadre_update,
    training_add,
    training_change,
    training_class_create,
    training_class_enrol,
    training_class_unenrol,
    training_remove,
)
from xuanren.policy.selectors import training_standings

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


# ---- training rows (教育培训) ----------------------------------------------------


def _training(cadre: Cadre, training_id: int) -> Training:
    found = next((t for t in cadre.trainings.all() if t.pk == training_id), None)
    if found is None:
        raise NotFound(_("该干部没有这条培训记录。"))
    return found


@router.get(
    "/cadres/{int:cadre_id}/trainings",
    summary="干部培训记录",
    response={200: TrainingsOut, **ERROR_RESPONSES},
)
def cadre_trainings(request: HttpRequest, cadre_id: int) -> Any:
    """干部的培训记录、各年度学时，以及现行规则包中培训学时条件的完成情况（要求及依据取自规则包）。"""
    cadre = cadre_get(actor=actor_of(request), pk=cadre_id)
    rows = list(cadre.trainings.all())
    by_year: dict[int, int] = {}
    for t in rows:
        by_year[t.year] = by_year.get(t.year, 0) + t.hours
    return {
        "trainings": rows,
        "hours_by_year": [{"year": y, "hours": h} for y, h in sorted(by_year.items())],
        "standings": training_standings(hours_by_year=by_year, on=today()),
    }


@router.post(
    "/cadres/{int:cadre_id}/trainings",
    summary="新增培训记录",
    response={201: TrainingOut, **WRITE_RESPONSES},
)
def cadre_training_add(request: HttpRequest, cadre_id: int, payload: TrainingIn) -> Any:
    """新增一条培训记录；学时须为正数且不超过 2000，年度不得晚于今年，须有培训名称。有误时 422，不保存。"""
    actor = actor_of(request)
    cadre = cadre_get(actor=actor, pk=cadre_id)
    record = training_add(
        actor=actor, cadre=cadre, year=payload.year, hours=payload.hours, title=payload.title
    )
    return Status(201, record)


@router.put(
    "/cadres/{int:cadre_id}/trainings/{int:training_id}",
    summary="修改培训记录",
    response={200: TrainingOut, **WRITE_RESPONSES},
)
def cadre_training_change(
    request: HttpRequest, cadre_id: int, training_id: int, payload: TrainingIn
) -> Any:
    """修改一条培训记录（年度、学时、名称一并提交）；检查同新增。"""
    actor = actor_of(request)
    cadre = cadre_get(actor=actor, pk=cadre_id)
    return training_change(
        actor=actor,
        training=_training(cadre, training_id),
        year=payload.year,
        hours=payload.hours,
        title=payload.title,
    )


@router.delete(
    "/cadres/{int:cadre_id}/trainings/{int:training_id}",
    summary="删除培训记录",
    response={204: None, **WRITE_RESPONSES},
)
def cadre_training_delete(request: HttpRequest, cadre_id: int, training_id: int) -> Any:
    """删除一条误录的培训记录；日志保留其内容。"""
    actor = actor_of(request)
    cadre = cadre_get(actor=actor, pk=cadre_id)
    training_remove(actor=actor, training=_training(cadre, training_id))
    return Status(204, None)


# ---- training classes (培训班次) ---------------------------------------------------


@router.get(
    "/training-classes",
    summary="培训班次",
    response={200: list[TrainingClassOut], **ERROR_RESPONSES},
)
@paginate(LimitOffsetPagination)
def training_class_list(request: HttpRequest) -> Any:
    """本人管理范围内单位登记的培训班次。"""
    return training_classes(actor=actor_of(request))


@router.post(
    "/training-classes",
    summary="新建培训班次",
    response={201: TrainingClassOut, **WRITE_RESPONSES},
)
def training_class_new(request: HttpRequest, payload: TrainingClassIn) -> Any:
    """登记一个培训班次（名称、主办单位、起止日期、学时）；有误时 422，不保存。"""
    actor = actor_of(request)
    unit = unit_get(actor=actor, pk=payload.unit)
    record = training_class_create(
        actor=actor,
        unit=unit,
        name=payload.name,
        organiser=payload.organiser,
        start_date=payload.start_date,
        end_date=payload.end_date,
        hours=payload.hours,
    )
    return Status(201, record)


@router.get(
    "/training-classes/{int:class_id}",
    summary="培训班次详情",
    response={200: TrainingClassDetailOut, **ERROR_RESPONSES},
)
def training_class_detail(request: HttpRequest, class_id: int) -> Any:
    """班次及本人管理范围内的学员，每名学员附其培训记录编号。"""
    return training_class_get(actor=actor_of(request), pk=class_id)


@router.post(
    "/training-classes/{int:class_id}/participants",
    summary="登记班次学员",
    response={201: TrainingClassParticipantOut, **WRITE_RESPONSES},
)
def training_class_participant_add(
    request: HttpRequest, class_id: int, payload: ParticipantIn
) -> Any:
    """登记一名结业学员：同时为其写入本班次学时的培训记录（结业年度）。班次未结业时 422，重复登记 409。"""
    actor = actor_of(request)
    klass = training_class_get(actor=actor, pk=class_id)
    cadre = cadre_get(actor=actor, pk=payload.cadre)
    return Status(201, training_class_enrol(actor=actor, training_class=klass, cadre=cadre))


@router.delete(
    "/training-classes/{int:class_id}/participants/{int:participant_id}",
    summary="移出班次学员",
    response={204: None, **WRITE_RESPONSES},
)
def training_class_participant_delete(
    request: HttpRequest, class_id: int, participant_id: int
) -> Any:
    """移出一名学员，并删除登记时为其写入的培训记录。"""
    actor = actor_of(request)
    klass = training_class_get(actor=actor, pk=class_id)
    found = next((p for p in klass.participants.all() if p.pk == participant_id), None)
    if found is None:
        raise NotFound(_("该班次没有这名学员，或其不在您的管理范围内。"))
    training_class_unenrol(actor=actor, participant=found)
    return Status(204, None)
