"""Two officers confirming the last 优秀 of a round at once: the round's row
lock lets one in (PostgreSQL only; SQLite ignores select_for_update)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.assessment.conftest import fill
from tests.test_concurrency import run_at_once
from xuanren.assessment.models import AssessedCadre, AssessmentRound
from xuanren.assessment.services import grade_confirm, round_create
from xuanren.common.errors import Conflict
from xuanren.journal.services import journal_verify
from xuanren.people.models import Assessment

pytestmark = [pytest.mark.postgres]


@pytest.mark.django_db(transaction=True)
def test_the_last_excellent_place_goes_to_one(personas: Any, county: Any, seven: list[Any]) -> None:
    officer = personas.case_officer
    r: AssessmentRound = round_create(actor=officer, unit=county.town, year=2025)
    first = fill(officer, r, seven[0], "95")
    second = fill(officer, r, seven[1], "96")

    def confirm(row: AssessedCadre) -> Any:
        return lambda: grade_confirm(actor=officer, assessed=row, grade="excellent")

    results = run_at_once(confirm(first), confirm(second))
    assert sum(isinstance(x, AssessedCadre) for x in results) == 1, results
    assert sum(isinstance(x, Conflict) for x in results) == 1, results
    assert Assessment.objects.filter(grade="excellent").count() == 1
    assert AssessedCadre.objects.filter(round=r, grade="excellent").count() == 1
    assert journal_verify().ok
