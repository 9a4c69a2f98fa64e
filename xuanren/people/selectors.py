"""Reads of cadre records, always limited to the actor's scope. Lists never
grow their query count with the number of rows (select_related / prefetch)."""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Mapping
from dataclasses import dataclass
from functools import reduce
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils.translation import gettext as _

from xuanren.access.policy import has_perm, require_perm, unit_scope_q
from xuanren.common.dates import add_years, completed_years, latest_birth_for_age, today
from xuanren.common.errors import NotFound
from xuanren.org.models import Unit
from xuanren.people.models import (
    EDUCATION_RANK,
    Cadre,
    CadreStatus,
    Tenure,
    TrainingClass,
    TrainingClassParticipant,
)
from xuanren.people.retirement import (
    ORIGINAL_AGE_RULES,
    age_parts,
    latest_birth_retiring_by,
    original_retirement_age,
    retirement_age_months,
    statutory_retirement,
)
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


#: The cadre's records that cadre_get reads with the cadre (related name of
#: each list on Cadre).
CADRE_RECORDS = (
    "educations",
    "resume_entries",
    "tenures",
    "family_members",
    "assessments",
    "rewards_punishments",
    "trainings",
)


def cadre_get(*, actor: Any, pk: int, probes: Mapping[str, QuerySet[Any]] | None = None) -> Cadre:
    """One cadre with every record the detail page and API show, in a fixed
    number of queries at most; NotFound when outside the actor's scope.

    The cadre's row says which of its record lists have any row (an EXISTS
    column each), and only those are read: most cadres have no rewards or
    punishments, many no trainings (decision 0168). `probes`: more such
    columns for the caller, each a queryset of rows about OuterRef("pk"),
    readable afterwards with `cadre_has(cadre, name)`."""
    require_perm(actor, "people.view_cadre")
    columns = {
        f"has_{name}": Exists(
            getattr(Cadre, name).rel.related_model.objects.filter(cadre_id=OuterRef("pk"))
        )
        for name in CADRE_RECORDS
    }
    columns.update({f"has_{name}": Exists(qs) for name, qs in (probes or {}).items()})
    cadre = (
        Cadre.objects.filter(unit_scope_q(actor, prefix="unit__"), pk=pk)
        .select_related("unit__parent")
        .annotate(**columns)
        .first()
    )
    if cadre is None:
        raise NotFound(_("未找到该干部，或其不在您的管理范围内。"))
    querysets = {
        "tenures": Tenure.objects.select_related("post__unit"),
        "family_members": _family_qs(),
    }
    lookups = []
    for name in CADRE_RECORDS:
        model = getattr(Cadre, name).rel.related_model
        # An empty list is an empty queryset: its cache is set without a query.
        qs = querysets.get(name) if cadre_has(cadre, name) else model.objects.none()
        lookups.append(Prefetch(name, queryset=qs) if qs is not None else name)
    prefetch_related_objects([cadre], *lookups)
    return cadre


def cadre_has(cadre: Cadre, name: str) -> bool:
    """Whether cadre_get found rows for `name` (a record list or a probe);
    True when it was not asked."""
    return bool(getattr(cadre, f"has_{name}", True))


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


@dataclass(frozen=True)
class Retiring:
    """A cadre on the 临近退休 list with their statutory retirement."""

    cadre: Cadre
    original_age: int
    age_months: int  # the statutory age under the 2024 decision, in months
    retirement_date: dt.date

    @property
    def age_years_part(self) -> int:
        return age_parts(self.age_months)[0]

    @property
    def age_months_part(self) -> int:
        return age_parts(self.age_months)[1]


def retiring(cadre: Cadre) -> Retiring:
    """The statutory retirement of one cadre (docs/decisions/0080)."""
    original = original_retirement_age(
        sex=cadre.sex, level=cadre.level, identity=getattr(cadre, "identity", "") or ""
    )
    return Retiring(
        cadre=cadre,
        original_age=original,
        age_months=retirement_age_months(cadre.birth_date, original),
        retirement_date=statutory_retirement(cadre.birth_date, original_age=original),
    )


def _original_age_groups() -> list[tuple[Q, int]]:
    """ORIGINAL_AGE_RULES as database conditions: (who, original age), each
    row without the people of the rows before it (the first match applies, as
    in original_retirement_age). Without a recorded identity everyone counts
    as 公务员, so a row for other identities only (工人) matches nobody."""
    has_identity = any(f.name == "identity" for f in Cadre._meta.concrete_fields)
    groups: list[tuple[Q, int]] = []
    earlier: Q | None = None
    for rule in ORIGINAL_AGE_RULES:
        who = Q(sex=rule.sex)
        if rule.levels is not None:
            who &= Q(level__in=sorted(rule.levels))
        if rule.identities is not None:
            if has_identity:
                who &= Q(identity__in=sorted(rule.identities))
            elif "" not in rule.identities:
                continue
        groups.append((who if earlier is None else who & ~earlier, rule.age))
        earlier = who if earlier is None else earlier | who
    return groups


def _retirement_horizon(within_years: int) -> dt.date:
    return add_years(today(), within_years)


def _active_in_scope(actor: Any) -> QuerySet[Cadre]:
    return Cadre.objects.filter(unit_scope_q(actor, prefix="unit__"), status=CadreStatus.ACTIVE)


def approaching_age_limit(*, actor: Any, within_years: int = 1) -> QuerySet[Cadre]:
    """Active cadres whose statutory retirement date (2024 decision, by birth
    month) falls within `within_years` or has passed. Each original-age group
    compares the indexed birth_date with one bound
    (latest_birth_retiring_by), so the query stays an index range per group."""
    require_perm(actor, "people.view_cadre")
    horizon = _retirement_horizon(within_years)
    who = reduce(
        operator.or_,
        (
            group & Q(birth_date__lte=latest_birth_retiring_by(horizon, original))
            for group, original in _original_age_groups()
        ),
    )
    return _active_in_scope(actor).filter(who).select_related("unit").order_by("birth_date")


def training_classes(*, actor: Any) -> QuerySet[TrainingClass]:
    """The training classes recorded by units in the actor's scope."""
    require_perm(actor, "people.view_cadre")
    return (
        TrainingClass.objects.filter(unit_scope_q(actor, prefix="unit__"))
        .select_related("unit")
        .order_by("-start_date", "pk")
    )


def training_class_get(*, actor: Any, pk: int) -> TrainingClass:
    """One class with its participants in the actor's scope (others are not
    shown); NotFound when the class's unit is outside the scope."""
    found = (
        training_classes(actor=actor)
        .filter(pk=pk)
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=TrainingClassParticipant.objects.filter(
                    unit_scope_q(actor, prefix="cadre__unit__")
                )
                .select_related("cadre__unit")
                .order_by("pk"),
            )
        )
        .first()
    )
    if found is None:
        raise NotFound(_("未找到该培训班次，或其不在您的管理范围内。"))
    return found


def cadre_postings(cadre: Cadre) -> list[Any]:
    """A cadre already read through cadre_get (in scope): their 挂职 periods,
    newest first, with their host units, in one query."""
    from xuanren.people.models import TemporaryPosting

    return list(
        TemporaryPosting.objects.filter(cadre=cadre)
        .select_related("host_unit")
        .order_by("-start_date", "-pk")
    )
