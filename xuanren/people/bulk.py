"""The columns the bulk writers fill, table by table: the seeder
(xuanren.synth) generates rows in this order and the XLSX import
(xuanren.exchange) writes cadres and their education in it. A column not
listed (one added later by another app) is filled from the field's default
by xuanren.common.bulk.DatabaseSink (docs/decisions/0097)."""

from __future__ import annotations

from django.db import models

from xuanren.org.models import Post, Quota, Unit
from xuanren.people.models import (
    Assessment,
    Cadre,
    Education,
    FamilyMember,
    ResumeEntry,
    RewardPunishment,
    Tenure,
    Training,
)

#: The columns of each table, in the order of the rows; tables in the order
#: they are written (a row only points at rows of tables before it).
COLUMNS: dict[type[models.Model], tuple[str, ...]] = {
    Unit: (
        "id", "name", "short_name", "code", "kind", "level", "parent_id", "path", "depth",
        "sort_order", "establishment_document", "is_active", "name_initials", "name_pinyin",
    ),
    Post: (
        "id", "unit_id", "title", "level", "category", "is_principal",
        "is_party_government_principal", "professional_requirement", "counts_against_quota",
        "seats", "sort_order", "is_active", "title_initials", "title_pinyin",
    ),
    Quota: ("id", "unit_id", "level", "approved", "source"),
    Cadre: (
        "id", "name", "name_initials", "sex", "ethnicity", "birth_date", "native_place",
        "birthplace", "id_number", "political_status", "party_join_date", "party_full_date",
        "work_start_date", "health", "professional_title", "specialty", "unit_id",
        "current_post_title", "level", "level_since", "rank", "rank_since", "education_level",
        "education_rank", "personal_matters_status", "archive_review_status", "status",
        "grassroots_months", "identity",
    ),
    Education: (
        "id", "cadre_id", "kind", "level", "degree", "school", "major", "start_date", "end_date",
    ),
    ResumeEntry: ("id", "cadre_id", "start_date", "end_date", "text", "note"),
    Tenure: (
        "id", "cadre_id", "post_id", "start_date", "end_date", "document_number", "method",
        "probation_until",
    ),
    FamilyMember: (
        "id", "cadre_id", "relation", "name", "birth_date", "political_status",
        "work_unit_and_post", "related_cadre_id", "emigrated",
    ),
    Assessment: ("id", "cadre_id", "year", "grade"),
    RewardPunishment: (
        "id", "cadre_id", "kind", "category", "title", "decided_on", "effect_until", "document",
    ),
    Training: ("id", "cadre_id", "year", "hours", "title"),
}  # fmt: skip


MODELS_IN_ORDER = tuple(COLUMNS)
