from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from xuanren.assessment.models import AssessedCadre, AssessmentRound
from xuanren.assessment.scoring import DIMENSIONS, GROUPS
from xuanren.assessment.services import ScoreEntry, round_create, scores_record

TODAY = dt.date(2026, 12, 6)
NAMES = ["王芳", "李强", "张敏", "刘洋", "陈静", "杨帆", "赵磊"]


@pytest.fixture
def seven(county: Any, make_cadre: Any, clock: Any) -> list[Any]:
    """Seven cadres of 城关镇 (15% of 7 = 1.05: one 优秀)."""
    clock.day = TODAY
    return [make_cadre(county.town, name=n) for n in NAMES]


@pytest.fixture
def town_round(personas: Any, county: Any, seven: list[Any]) -> AssessmentRound:
    return round_create(actor=personas.case_officer, unit=county.town, year=2025)


def fill(actor: Any, r: AssessmentRound, cadre: Any, score: str) -> AssessedCadre:
    """Every cell of `cadre` at `score` (so the composite is `score`)."""
    row = AssessedCadre.objects.get(round=r, cadre=cadre)
    scores_record(
        actor=actor,
        round=r,
        entries=[ScoreEntry(row.pk, g, d, Decimal(score)) for g in GROUPS for d in DIMENSIONS],
    )
    return row
