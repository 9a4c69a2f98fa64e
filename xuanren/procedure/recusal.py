"""Recusal (回避) detected from the records, not only declared: a person must
leave a discussion, inspection or vote concerning a relative in the recusal
relations of DOMAIN §4 (spouse; lineal blood relatives; collateral blood
relatives within three generations; close in-laws). The link is found from
either side's family records, through `FamilyMember.related_cadre`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from xuanren.people.models import FamilyMember, Relation

RECUSAL_RELATIONS = frozenset(set(Relation.values) - {Relation.OTHER})


@dataclass(frozen=True)
class Conflict:
    person_cadre_id: int
    candidate_cadre_id: int
    relation: str  # as recorded on whichever side lists the other
    recorded_by: int  # the cadre whose family record holds the link


def conflicts(
    person_cadre_ids: Iterable[int], candidate_cadre_ids: Iterable[int]
) -> list[Conflict]:
    """Every recusal link between the people and the candidates (one query)."""
    people, candidates = set(person_cadre_ids), set(candidate_cadre_ids)
    if not people or not candidates:
        return []
    rows = FamilyMember.objects.filter(relation__in=sorted(RECUSAL_RELATIONS)).filter(
        cadre_id__in=people | candidates, related_cadre_id__in=people | candidates
    )
    found: set[Conflict] = set()
    for cadre_id, related_id, relation in rows.values_list(
        "cadre_id", "related_cadre_id", "relation"
    ):
        if cadre_id in people and related_id in candidates:
            found.add(Conflict(cadre_id, related_id, relation, cadre_id))
        if cadre_id in candidates and related_id in people:
            found.add(Conflict(related_id, cadre_id, relation, cadre_id))
    return sorted(found, key=lambda c: (c.person_cadre_id, c.candidate_cadre_id, c.recorded_by))
