"""Request and response shapes. Field names are the glossary's English names;
choice fields carry the stable codes (e.g. level "section_deputy")."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from xuanren.org.models import Level, Post
from xuanren.org.quota import Counts, UnitQuota
from xuanren.people.models import Cadre, CadreStatus, EducationLevel, Sex
from xuanren.people.selectors import CadreFilters, cadre_ages, shown_id_number

# ---- units, posts, quota ------------------------------------------------------


class UnitOut(Schema):
    id: int
    name: str
    short_name: str
    code: str
    kind: str
    level: str
    parent_id: int | None
    depth: int
    sort_order: int
    is_active: bool


class UnitDetailOut(UnitOut):
    parent_name: str | None
    establishment_document: str

    @staticmethod
    def resolve_parent_name(obj: Any) -> str | None:
        return obj.parent.name if obj.parent_id else None


class PostOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    title: str
    level: str
    category: str
    is_principal: bool
    is_party_government_principal: bool
    professional_requirement: str
    counts_against_quota: bool
    seats: int
    sort_order: int
    is_active: bool
    occupied: int = Field(description="在任人数（按 on 日期）")


def post_rows(posts: list[Post], occupancy: dict[int, int]) -> list[PostOut]:
    """Posts with the number of people holding each (from post_occupancy)."""
    return [
        PostOut(
            id=p.pk,
            unit_id=p.unit_id,
            unit_name=p.unit.name,
            title=p.title,
            level=p.level,
            category=p.category,
            is_principal=p.is_principal,
            is_party_government_principal=p.is_party_government_principal,
            professional_requirement=p.professional_requirement,
            counts_against_quota=p.counts_against_quota,
            seats=p.seats,
            sort_order=p.sort_order,
            is_active=p.is_active,
            occupied=occupancy.get(p.pk, 0),
        )
        for p in posts
    ]


class CountsOut(Schema):
    approved: int = Field(description="核定职数")
    filled: int = Field(description="实配（在任且占职数）")
    vacant: int = Field(description="空缺")
    over_quota: int = Field(description="超职数")


class LevelCountsOut(CountsOut):
    level: str


class QuotaRowOut(Schema):
    unit_id: int
    name: str
    depth: int
    kind: str
    levels: list[LevelCountsOut] = Field(description="本单位各职务层次，层次高者在前")
    own: CountsOut = Field(description="本单位合计")
    subtree: CountsOut = Field(description="本单位及所有下级单位合计")

    @staticmethod
    def resolve_levels(obj: UnitQuota) -> list[dict[str, Any]]:
        return [_counts(c) | {"level": level} for level, c in obj.level_rows]

    @staticmethod
    def resolve_own(obj: UnitQuota) -> dict[str, int]:
        return _counts(obj.own)

    @staticmethod
    def resolve_subtree(obj: UnitQuota) -> dict[str, int]:
        return _counts(obj.subtree)


def _counts(c: Counts) -> dict[str, int]:
    return {
        "approved": c.approved,
        "filled": c.filled,
        "vacant": c.vacant,
        "over_quota": c.over_quota,
    }


# ---- cadres -------------------------------------------------------------------


class CadreFiltersIn(Schema):
    """The query of GET /cadres; the same filters as the search page."""

    q: str = Field("", description="姓名开头，或姓名拼音首字母开头")
    unit: int | None = Field(None, description="单位编号：该单位及其所有下级单位")
    level: Level | None = None
    sex: Sex | None = None
    age_min: int | None = Field(None, ge=0, le=150)
    age_max: int | None = Field(None, ge=0, le=150)
    education_min: EducationLevel | None = Field(None, description="该学历及以上")
    status: CadreStatus | Literal[""] = Field(
        CadreStatus.ACTIVE, description="空字符串表示不限状态"
    )
    ref_date: dt.date | None = Field(None, description="年龄计算基准日，默认今天")

    def to_filters(self) -> CadreFilters:
        """The selectors' filters (GET /cadres and the cadre export read the same)."""
        return CadreFilters(
            q=self.q,
            unit_id=self.unit,
            level=self.level or "",
            sex=self.sex or "",
            age_min=self.age_min,
            age_max=self.age_max,
            education_min=self.education_min or "",
            status=self.status,
            ref_date=self.ref_date,
        )


class CadreListOut(Schema):
    id: int
    name: str
    sex: str
    birth_date: dt.date
    age: int
    ethnicity: str
    political_status: str
    id_number: str = Field(description="列表中一律部分隐藏")
    unit_id: int
    unit_name: str
    current_post_title: str
    level: str
    level_since: dt.date | None
    rank: str
    education_level: str
    status: str

    @staticmethod
    def resolve_age(obj: Cadre) -> int:
        return cadre_ages(obj).age

    @staticmethod
    def resolve_unit_name(obj: Cadre) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_id_number(obj: Cadre, context: dict[str, Any]) -> str:
        return shown_id_number(actor=context["request"].auth, cadre=obj)


class EducationOut(Schema):
    id: int
    kind: str = Field(
        description="full_time 全日制教育、in_service 在职教育、party_school 党校教育"
    )
    level: str = Field(description="学历代码；学历原文无法识别时为空")
    level_text: str = Field(description="学历原文（党校学历或无法识别的学历），否则为空")
    degree: str
    school: str
    major: str
    start_date: dt.date | None
    end_date: dt.date | None


class ResumeEntryOut(Schema):
    id: int
    start_date: dt.date
    end_date: dt.date | None
    text: str
    note: str


class TenureOut(Schema):
    id: int
    post_id: int
    post_title: str
    unit_id: int
    unit_name: str
    level: str
    start_date: dt.date
    end_date: dt.date | None
    document_number: str
    method: str
    probation_until: dt.date | None

    @staticmethod
    def resolve_post_title(obj: Any) -> str:
        return str(obj.post.title)

    @staticmethod
    def resolve_unit_id(obj: Any) -> int:
        return int(obj.post.unit_id)

    @staticmethod
    def resolve_unit_name(obj: Any) -> str:
        return str(obj.post.unit.name)

    @staticmethod
    def resolve_level(obj: Any) -> str:
        return str(obj.post.level)


class FamilyMemberOut(Schema):
    id: int
    relation: str
    name: str
    birth_date: dt.date | None
    political_status: str
    work_unit_and_post: str
    related_cadre_id: int | None
    emigrated: bool


class AssessmentOut(Schema):
    id: int
    year: int
    grade: str


class RewardPunishmentOut(Schema):
    id: int
    kind: str
    category: str
    title: str
    decided_on: dt.date
    effect_until: dt.date | None
    document: str


class TrainingOut(Schema):
    id: int
    year: int
    hours: int
    title: str


class TrainingIn(Schema):
    """One training row as `training_add` and `training_change` take it; the
    checks (hours, year, title) are the service's, answered with 422."""

    year: int
    hours: int
    title: str


class TrainingStandingOut(Schema):
    """The hours of a training rule's window against its requirement."""

    title: str
    source: str
    first_year: int
    last_year: int
    required: int
    word: str
    hours: int
    met: bool


class YearHoursOut(Schema):
    year: int
    hours: int


class TrainingsOut(Schema):
    trainings: list[TrainingOut]
    hours_by_year: list[YearHoursOut]
    standings: list[TrainingStandingOut]


class TrainingClassIn(Schema):
    """A class as `training_class_create` takes it; `unit` records it (in scope)."""

    unit: int
    name: str
    organiser: str
    start_date: dt.date
    end_date: dt.date
    hours: int


class TrainingClassParticipantOut(Schema):
    id: int
    cadre: int
    cadre_name: str
    training: int | None

    @staticmethod
    def resolve_cadre(obj: Any) -> int:
        return int(obj.cadre_id)

    @staticmethod
    def resolve_cadre_name(obj: Any) -> str:
        return str(obj.cadre.name)

    @staticmethod
    def resolve_training(obj: Any) -> int | None:
        return obj.training_id


class TrainingClassOut(Schema):
    id: int
    unit: int
    name: str
    organiser: str
    start_date: dt.date
    end_date: dt.date
    hours: int

    @staticmethod
    def resolve_unit(obj: Any) -> int:
        return int(obj.unit_id)


class TrainingClassDetailOut(TrainingClassOut):
    participants: list[TrainingClassParticipantOut]

    @staticmethod
    def resolve_participants(obj: Any) -> list[Any]:
        return list(obj.participants.all())


class ParticipantIn(Schema):
    cadre: int


class CadreDetailOut(Schema):
    id: int
    name: str
    sex: str
    ethnicity: str
    birth_date: dt.date
    native_place: str
    birthplace: str
    id_number: str = Field(description="有“查看完整公民身份号码”权限时完整显示，否则部分隐藏")
    political_status: str
    party_join_date: dt.date | None
    party_full_date: dt.date | None
    work_start_date: dt.date | None
    age: int = Field(description="年龄（周岁，按今天）")
    party_age: int | None = Field(description="党龄（年）")
    working_age: int | None = Field(description="工龄（年）")
    health: str
    professional_title: str
    identity: str = Field(
        description="身份：civil_servant 公务员、reference_civil_servant 参照公务员法管理、public_institution 事业单位、state_enterprise 国有企业、other 其他；空为未记录"
    )
    specialty: str
    unit_id: int
    unit_name: str
    current_post_title: str
    level: str
    level_since: dt.date | None
    rank: str
    rank_since: dt.date | None
    grassroots_months: int | None = Field(description="基层工作经历（月）；未确定时为 null")
    education_level: str
    personal_matters_status: str
    archive_review_status: str
    status: str
    updated_at: dt.datetime
    version: int = Field(description="记录版本，同响应头 ETag；修改时以 If-Match 提交")
    educations: list[EducationOut]
    resume: list[ResumeEntryOut]
    tenures: list[TenureOut]
    family_members: list[FamilyMemberOut]
    assessments: list[AssessmentOut]
    rewards_punishments: list[RewardPunishmentOut]
    trainings: list[TrainingOut]

    @staticmethod
    def resolve_id_number(obj: Cadre, context: dict[str, Any]) -> str:
        return shown_id_number(actor=context["request"].auth, cadre=obj, full=True)

    @staticmethod
    def resolve_age(obj: Cadre) -> int:
        return cadre_ages(obj).age

    @staticmethod
    def resolve_party_age(obj: Cadre) -> int | None:
        return cadre_ages(obj).party_age

    @staticmethod
    def resolve_working_age(obj: Cadre) -> int | None:
        return cadre_ages(obj).working_age

    @staticmethod
    def resolve_unit_name(obj: Cadre) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_resume(obj: Cadre) -> list[Any]:
        return list(obj.resume_entries.all())


class FieldWarningOut(Schema):
    field: str
    message: str


class CadreSavedOut(Schema):
    cadre: CadreDetailOut
    warnings: list[FieldWarningOut] = Field(description="不阻止保存、但请核对的提示")


#: Text fields that may be left out of a change but never set to null.
TEXT_FIELDS = (
    "name",
    "sex",
    "id_number",
    "political_status",
    "ethnicity",
    "native_place",
    "birthplace",
    "health",
    "professional_title",
    "identity",
    "specialty",
    "current_post_title",
    "level",
    "rank",
    "personal_matters_status",
    "archive_review_status",
)


class CadreChangesIn(Schema):
    """PATCH /cadres/{id}: only the fields sent are changed; `unit` moves the
    cadre to another unit. Dates may be null to clear them."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    sex: str | None = None
    birth_date: dt.date | None = None
    id_number: str | None = None
    political_status: str | None = None
    ethnicity: str | None = None
    native_place: str | None = None
    birthplace: str | None = None
    party_join_date: dt.date | None = None
    party_full_date: dt.date | None = None
    work_start_date: dt.date | None = None
    health: str | None = None
    professional_title: str | None = None
    identity: str | None = Field(
        None,
        description="身份：civil_servant 公务员、reference_civil_servant 参照公务员法管理、public_institution 事业单位、state_enterprise 国有企业、other 其他；空为未记录",
    )
    specialty: str | None = None
    current_post_title: str | None = None
    level: str | None = None
    level_since: dt.date | None = None
    rank: str | None = None
    rank_since: dt.date | None = None
    grassroots_months: int | None = Field(None, ge=0)
    personal_matters_status: str | None = None
    archive_review_status: str | None = None
    unit: int | None = Field(None, description="调往的单位编号")

    @field_validator(*TEXT_FIELDS, mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise PydanticCustomError(
                "null_not_allowed",
                "{reason}",
                {"reason": _("此项不能为空；不修改时请不要提交该字段。")},
            )
        return value

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True, exclude={"unit"})


class CadreCreateIn(Schema):
    """POST /cadres: a new cadre in `unit`."""

    model_config = ConfigDict(extra="forbid")

    unit: int = Field(description="所在单位编号")
    name: str
    sex: str = Field(description="male / female")
    birth_date: dt.date
    id_number: str
    political_status: str
    ethnicity: str = "汉族"
    native_place: str = ""
    birthplace: str = ""
    party_join_date: dt.date | None = None
    party_full_date: dt.date | None = None
    work_start_date: dt.date | None = None
    health: str = "健康"
    professional_title: str = ""
    identity: str = Field(
        "",
        description="身份：civil_servant 公务员、reference_civil_servant 参照公务员法管理、public_institution 事业单位、state_enterprise 国有企业、other 其他；空为未记录",
    )
    specialty: str = ""
    current_post_title: str = ""
    level: str = ""
    level_since: dt.date | None = None
    rank: str = ""
    rank_since: dt.date | None = None
    grassroots_months: int | None = Field(None, ge=0, description="基层工作经历（月）")
    personal_matters_status: str = "not_reported"
    archive_review_status: str = "not_reviewed"

    def values(self) -> dict[str, Any]:
        return self.model_dump(exclude={"unit"})
