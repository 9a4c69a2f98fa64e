"""The demo's annual assessment is built through the services: one finished
round within its quota, each grade in the cadre's record, once."""

from __future__ import annotations

from typing import Any

import pytest

from tests.assessment.conftest import TODAY
from xuanren.assessment.models import AssessmentRound
from xuanren.assessment.selectors import round_sheet
from xuanren.journal.services import journal_verify
from xuanren.people.models import Assessment
from xuanren.people.services import assessment_set
from xuanren.synth.assessment import build_demo_assessment

pytestmark = pytest.mark.django_db


def test_demo_round_is_finished_within_its_quota(
    personas: Any, county: Any, seven: list[Any]
) -> None:
    officer = personas.case_officer
    # One cadre already holds a 2025 grade on record: the demo keeps it.
    assessment_set(actor=officer, cadre=seven[2], year=2025, grade="basically_competent")
    assert build_demo_assessment(officer=officer, root=county.root, on=TODAY) == 7
    r = AssessmentRound.objects.get()
    assert (r.unit, r.year) == (county.town, 2025)
    sheet = round_sheet(actor=officer, round=r)
    assert sheet.confirmed == 7 and sheet.excellent <= sheet.quota == 1
    assert all(line.composite is not None and line.assessed.report for line in sheet.lines)
    grades = dict(Assessment.objects.filter(year=2025).values_list("cadre_id", "grade"))
    assert grades == {line.assessed.cadre_id: line.assessed.grade for line in sheet.lines}
    assert grades[seven[2].pk] == "basically_competent"
    assert build_demo_assessment(officer=officer, root=county.root, on=TODAY) == 0
    assert journal_verify().ok
