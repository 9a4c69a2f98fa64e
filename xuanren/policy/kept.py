"""The record-based facts 智能选人 tests on every candidate, kept on the cadre
row (decision 0161): which years' assessments were 称职 or better, whether a
惩处 or 认定 is on record at all, and whether the 配偶（子女）已移居 case holds.

The screening's exclusion counts test each candidate once per rule; read from
the records, each rule was an index probe into a table of millions of rows for
every candidate. With these columns the assessment and family rules are column
tests, and the sanction and finding rules read the records only for the few
cadres who have one (compile._flag_q). The records stay the truth: every
writer of an assessment, reward-or-punishment or family record calls
`kept_facts_refresh` for its cadres in its own transaction, after the write and
with the cadre's row locked, and `kept_facts_recount` (the command
`xuanren screeningfacts`) compares the kept columns with the records.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BigIntegerField,
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Power

from xuanren.people.models import Assessment, Cadre, FamilyMember, RecordKind, RewardPunishment
from xuanren.policy.rules import CHILD_RELATIONS, GOOD_GRADES, SANCTION_CATEGORIES

#: Bit k of Cadre.good_assessment_years is the year ASSESSMENT_BASE_YEAR + k;
#: a year outside the 63 bits is read from the records (compile._flag_q).
ASSESSMENT_BASE_YEAR = 1980
ASSESSMENT_YEARS = 63

_LIVE: dict[tuple[str, str], Any] = {
    ("people", "Assessment"): Assessment,
    ("people", "RewardPunishment"): RewardPunishment,
    ("people", "FamilyMember"): FamilyMember,
}

#: The kept columns, in the order kept_facts_recount reports them.
KEPT_FIELDS = ("good_assessment_years", "discipline_records", "family_abroad")


def assessment_bit(year: int) -> int | None:
    """The bit of `year` in good_assessment_years (None: not kept)."""
    k = year - ASSESSMENT_BASE_YEAR
    return 1 << k if 0 <= k < ASSESSMENT_YEARS else None


def discipline_q(prefix: str = "") -> Q:
    """The records that discipline_records stands for: every record any
    sanction or finding rule may read (compile._flag_q)."""
    return Q(**{f"{prefix}category__in": sorted(SANCTION_CATEGORIES)}) | Q(
        **{f"{prefix}kind": RecordKind.FINDING}
    )


def family_abroad_q(family_model: Any = FamilyMember) -> Q:
    """Q over cadres: the spouse has emigrated, or there is no spouse and every
    child has (at least one child, rules._flag SPOUSE_NOT_EMIGRATED)."""
    children = sorted(CHILD_RELATIONS)
    family = family_model.objects.filter(cadre=OuterRef("pk"))
    at_home = family_model.objects.filter(cadre=OuterRef("cadre")).filter(
        Q(relation="spouse") | Q(relation__in=children, emigrated=False)
    )
    return Q(Exists(family.filter(relation="spouse", emigrated=True))) | Q(
        Exists(family.filter(relation__in=children, emigrated=True).filter(~Exists(at_home)))
    )


def _recomputed(apps: Any = None) -> dict[str, Any]:
    """The kept columns as expressions over the records, for an UPDATE or an
    annotation of the cadre rows (`apps`: a migration's historical models)."""

    def models(app: str, name: str) -> Any:
        return apps.get_model(app, name) if apps is not None else _LIVE[(app, name)]

    bits = (
        models("people", "Assessment")
        .objects.filter(
            cadre=OuterRef("pk"),
            grade__in=sorted(GOOD_GRADES),
            year__gte=ASSESSMENT_BASE_YEAR,
            year__lt=ASSESSMENT_BASE_YEAR + ASSESSMENT_YEARS,
        )
        .order_by()
        .values("cadre")
        # One row per cadre and year (assessment_one_per_year): a sum of distinct bits.
        .annotate(
            bits=Sum(
                Cast(Power(2, F("year") - ASSESSMENT_BASE_YEAR), BigIntegerField()),
                output_field=BigIntegerField(),
            )
        )
        .values("bits")
    )
    return {
        "good_assessment_years": Coalesce(Subquery(bits, output_field=BigIntegerField()), Value(0)),
        "discipline_records": Exists(
            models("people", "RewardPunishment").objects.filter(
                discipline_q(), cadre=OuterRef("pk")
            )
        ),
        "family_abroad": ExpressionWrapper(
            family_abroad_q(models("people", "FamilyMember")), output_field=BooleanField()
        ),
    }


#: How many cadres one UPDATE refreshes (SQLite's parameter limit; short locks).
CHUNK = 20000


def kept_facts_refresh(cadre_ids: Iterable[int]) -> None:
    """Recompute the kept columns of these cadres from their records, in the
    caller's transaction. A service calls it after writing a record, with the
    cadre's row locked (so a second writer waits and then reads both records)."""
    ids = sorted(set(cadre_ids))
    for start in range(0, len(ids), CHUNK):
        Cadre.objects.filter(pk__in=ids[start : start + CHUNK]).update(**_recomputed())


def kept_facts_refresh_all(cadres: QuerySet[Cadre] | None = None, apps: Any = None) -> int:
    """Recompute the kept columns of `cadres` (default: every cadre) in one
    UPDATE (the migration, the seeder's new cadres); the number of rows."""
    qs = Cadre.objects.all() if cadres is None else cadres
    return qs.update(**_recomputed(apps))


@dataclass(frozen=True)
class FactDifference:
    """A cadre whose kept columns differ from its records (KEPT_FIELDS order)."""

    cadre_id: int
    kept: tuple[int, bool, bool]
    recounted: tuple[int, bool, bool]


def kept_facts_differences(cadres: QuerySet[Cadre] | None = None) -> list[FactDifference]:
    """Every cadre of `cadres` (default: all) whose kept columns differ from
    what its records give, in id order (one query)."""
    qs = Cadre.objects.all() if cadres is None else cadres
    fresh = {f"_{name}": expr for name, expr in _recomputed().items()}
    differs = Q()
    for name in KEPT_FIELDS:
        differs |= ~Q(**{name: F(f"_{name}")})
    rows = (
        qs.annotate(**fresh).filter(differs).order_by("pk").values_list("pk", *KEPT_FIELDS, *fresh)
    )
    return [
        FactDifference(row[0], (row[1], row[2], row[3]), (row[4], bool(row[5]), bool(row[6])))
        for row in rows
    ]
