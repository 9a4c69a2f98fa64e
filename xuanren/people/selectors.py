"""Reads of cadre records, always limited to the actor's scope. Lists never
grow their query count with the number of rows (select_related / prefetch)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from xuanren.access.policy import has_perm, require_perm, unit_scope_q
from xuanren.common.dates import completed_years, latest_birth_for_age, today
from xuanren.common.errors import NotFound
from xuanren.org.models import Unit
from xuanren.people.models import EDUCATION_RANK, Cadre, CadreStatus, Tenure
from xuanren.people.services import mask_id_number


@dataclass(frozen=True)
class CadreFilters:
    q: str = ""  # name prefix, pinyin initials prefix (ASCII), or the last 4–6 of the ID number
    unit_id: int | None = None  # the unit and everything below it
    level: str = ""
    sex: str = ""
    age_min: int | None = None
    age_max: int | None = None
    education_min: str = ""  # an EducationLevel code: that level or higher
    status: str = CadreStatus.ACTIVE
    ref_date: dt.date | None = None


def is_id_tail(q: str) -> bool:
    """4–6 trailing characters of an ID number (digits, the last may be X)."""
    return 4 <= len(q) <= 6 and q[:-1].isdigit() and (q[-1].isdigit() or q[-1] in "xX")


def cadre_search(*, actor: Any, filters: CadreFilters) -> QuerySet[Cadre]:
    """Cadres visible to the actor matching the filters, newest unit order.

    Every filter compares an indexed column with a value computed here (age
    bounds become birth-date bounds), so the database does no per-row work.
    """
    require_perm(actor, "people.view_cadre")
    qs = Cadre.objects.filter(unit_scope_q(actor, prefix="unit__")).select_related("unit")
    ref = filters.ref_date or today()
    q = filters.q.strip()
    if q:
        if is_id_tail(q):
            qs = qs.filter(id_number__endswith=q.upper())
        elif q.isascii():
            qs = qs.filter(name_initials__startswith=q.lower())
        else:
            qs = qs.filter(name__startswith=q)
    if filters.unit_id is not None:
        unit = Unit.objects.filter(pk=filters.unit_id).values_list("path", flat=True).first()
        qs = qs.filter(unit__path__startswith=unit) if unit else qs.none()
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.sex:
        qs = qs.filter(sex=filters.sex)
    if filters.age_min is not None:
        qs = qs.filter(birth_date__lte=latest_birth_for_age(ref, filters.age_min))
    if filters.age_max is not None:
        qs = qs.filter(birth_date__gt=latest_birth_for_age(ref, filters.age_max + 1))
    if filters.education_min:
        qs = qs.filter(education_rank__gte=EDUCATION_RANK.get(filters.education_min, 0))
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs.order_by("unit__path", "-level", "id")


def cadre_get(*, actor: Any, pk: int) -> Cadre:
    """One cadre with every record the detail page and API show, in a fixed
    number of queries; NotFound when outside the actor's scope."""
    require_perm(actor, "people.view_cadre")
    cadre = (
        Cadre.objects.filter(unit_scope_q(actor, prefix="unit__"), pk=pk)
        .select_related("unit")
        .prefetch_related(
            "educations",
            "resume_entries",
            Prefetch("tenures", queryset=Tenure.objects.select_related("post__unit")),
            Prefetch("family_members", queryset=_family_qs()),
            "assessments",
            "rewards_punishments",
            "trainings",
        )
        .first()
    )
    if cadre is None:
        raise NotFound(_("未找到该干部，或其不在您的管理范围内。"))
    return cadre


def _family_qs() -> QuerySet[Any]:
    from xuanren.people.models import FamilyMember

    return FamilyMember.objects.select_related("related_cadre__unit")


def shown_id_number(*, actor: Any, cadre: Cadre, full: bool = False) -> str:
    """The ID number as this actor may see it: masked in lists, in full on a
    detail page only with people.view_full_id_number."""
    if full and has_perm(actor, "people.view_full_id_number"):
        return cadre.id_number
    return mask_id_number(cadre.id_number)


@dataclass(frozen=True)
class Ages:
    """三龄: age, party age and working age, in completed years at `ref`."""

    age: int
    party_age: int | None
    working_age: int | None


def cadre_ages(cadre: Cadre, ref: dt.date | None = None) -> Ages:
    ref = ref or today()
    return Ages(
        age=completed_years(cadre.birth_date, ref),
        party_age=completed_years(cadre.party_join_date, ref) if cadre.party_join_date else None,
        working_age=completed_years(cadre.work_start_date, ref) if cadre.work_start_date else None,
    )


def approaching_age_limit(
    *, actor: Any, retire_age_male: int = 60, retire_age_female: int = 55, within_years: int = 1
) -> QuerySet[Cadre]:
    """Active cadres who reach retirement age within `within_years` (for the
    dashboard). Bounds are birth dates, so the query uses the birth-date index."""
    require_perm(actor, "people.view_cadre")
    ref = today()
    horizon = (
        ref.replace(year=ref.year + within_years) if not (ref.month == 2 and ref.day == 29) else ref
    )
    male = Q(sex="male", birth_date__lte=latest_birth_for_age(horizon, retire_age_male))
    female = Q(sex="female", birth_date__lte=latest_birth_for_age(horizon, retire_age_female))
    return (
        Cadre.objects.filter(unit_scope_q(actor, prefix="unit__"), status=CadreStatus.ACTIVE)
        .filter(male | female)
        .select_related("unit")
        .order_by("birth_date")
    )
