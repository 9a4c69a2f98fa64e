"""年度考核 services: a round with its weights, scores from paper, the
composite, the grade confirmed within the 优秀 quota and written into the
cadre's record, where the rules read it (decisions 0150–0152)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.assessment.conftest import TODAY, fill
from xuanren.assessment.models import AssessedCadre, AssessmentRound, Score
from xuanren.assessment.selectors import round_sheet
from xuanren.assessment.services import (
    ScoreEntry,
    grade_confirm,
    report_set,
    round_create,
    round_weights_set,
    scores_record,
)
from xuanren.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from xuanren.journal.models import Event, EventType
from xuanren.journal.services import journal_verify
from xuanren.people.models import Assessment
from xuanren.policy.rules import Status
from xuanren.policy.selectors import explain_for

pytestmark = pytest.mark.django_db

GROUPS = {"superior": 40, "peer": 30, "public": 30}
DIMS = {"virtue": 20, "ability": 20, "diligence": 15, "achievement": 30, "integrity": 15}


def test_round_lists_the_units_cadres_with_the_default_weights(
    town_round: AssessmentRound, seven: list[Any], county: Any, make_cadre: Any
) -> None:
    r = town_round
    assert r.group_weights() == GROUPS
    assert r.dimension_weights() == DIMS
    assert (r.band_excellent, r.band_competent, r.band_basic, r.excellent_share) == (90, 75, 60, 15)
    assert set(r.cadres.values_list("cadre_id", flat=True)) == {c.pk for c in seven}
    event = Event.objects.filter(event_type=EventType.ASSESSMENT_ROUND_CREATED).get()
    assert event.payload["cadres"] == 7


def test_second_round_for_the_same_year_is_a_conflict(
    personas: Any, county: Any, town_round: AssessmentRound
) -> None:
    with pytest.raises(Conflict):
        round_create(actor=personas.case_officer, unit=county.town, year=2025)
    assert AssessmentRound.objects.count() == 1


@pytest.mark.parametrize(
    ("groups", "dims", "field"),
    [
        ({"superior": 40, "peer": 30, "public": 29}, DIMS, "group_weights"),  # 99
        ({"superior": 40, "peer": 30, "public": 31}, DIMS, "group_weights"),  # 101
        (GROUPS, {**DIMS, "integrity": 20}, "dimension_weights"),  # 105
        (GROUPS, {**DIMS, "integrity": -15, "achievement": 60}, "dimension_weights.integrity"),
        ({"superior": 100}, DIMS, "group_weights.peer"),
        ({**GROUPS, "masses": 0}, DIMS, "group_weights"),
    ],
)
def test_weights_not_summing_to_100_are_refused(
    personas: Any, county: Any, seven: list[Any], groups: Any, dims: Any, field: str
) -> None:
    with pytest.raises(ValidationFailed) as exc:
        round_create(
            actor=personas.case_officer,
            unit=county.town,
            year=2025,
            group_weights=groups,
            dimension_weights=dims,
        )
    assert field in {e.field for e in exc.value.errors}
    assert not AssessmentRound.objects.exists()


def test_weights_changed_then_frozen_by_a_confirmed_grade(
    personas: Any, town_round: AssessmentRound, seven: list[Any]
) -> None:
    officer = personas.case_officer
    with pytest.raises(ValidationFailed, match="考核权重有误"):
        round_weights_set(
            actor=officer,
            round=town_round,
            group_weights={"superior": 50, "peer": 30, "public": 30},
            dimension_weights=DIMS,
        )
    town_round.refresh_from_db()
    assert town_round.w_superior == 40
    round_weights_set(
        actor=officer,
        round=town_round,
        group_weights={"superior": 50, "peer": 25, "public": 25},
        dimension_weights=DIMS,
    )
    town_round.refresh_from_db()
    assert (town_round.w_superior, town_round.w_peer) == (50, 25)
    row = fill(officer, town_round, seven[0], "80")
    grade_confirm(actor=officer, assessed=row, grade="competent")
    with pytest.raises(Conflict):
        round_weights_set(
            actor=officer, round=town_round, group_weights=GROUPS, dimension_weights=DIMS
        )
    town_round.refresh_from_db()
    assert town_round.w_superior == 50


def test_the_sheet_computes_the_composite_by_hand(
    personas: Any, town_round: AssessmentRound, seven: list[Any]
) -> None:
    officer = personas.case_officer
    row = AssessedCadre.objects.get(round=town_round, cadre=seven[0])
    superior = dict(zip(DIMS, ["90", "92", "88", "95", "90"], strict=True))
    entries = [ScoreEntry(row.pk, "superior", d, Decimal(v)) for d, v in superior.items()]
    entries += [ScoreEntry(row.pk, "peer", d, Decimal("85")) for d in DIMS]
    entries += [ScoreEntry(row.pk, "public", d, Decimal("80")) for d in DIMS]
    scores_record(actor=officer, round=town_round, entries=entries)
    line = round_sheet(actor=officer, round=town_round).lines[0]
    # 上级 91.60 × 40% + 同级 85 × 30% + 群众 80 × 30% = 36.64 + 25.50 + 24.00
    assert line.group_cells == [Decimal("91.60"), Decimal("85.00"), Decimal("80.00")]
    assert line.composite == Decimal("86.14")
    assert line.proposed == "competent"
    # Weights 50/25/25: 45.80 + 21.25 + 20.00 = 87.05
    round_weights_set(
        actor=officer,
        round=town_round,
        group_weights={"superior": 50, "peer": 25, "public": 25},
        dimension_weights=DIMS,
    )
    town_round.refresh_from_db()
    assert round_sheet(actor=officer, round=town_round).lines[0].composite == Decimal("87.05")


@pytest.mark.parametrize("bad", ["100.01", "-1", "85.123", "NaN", "abc"])
def test_bad_scores_save_nothing(
    personas: Any, town_round: AssessmentRound, seven: list[Any], bad: str
) -> None:
    row = AssessedCadre.objects.get(round=town_round, cadre=seven[0])
    entries = [
        ScoreEntry(row.pk, "superior", "virtue", Decimal("88")),
        ScoreEntry(row.pk, "peer", "virtue", bad),
    ]
    with pytest.raises(ValidationFailed):
        scores_record(actor=personas.case_officer, round=town_round, entries=entries)
    assert not Score.objects.exists()


def test_a_cell_is_cleared_and_scores_of_another_round_refused(
    personas: Any, town_round: AssessmentRound, seven: list[Any], county: Any, make_cadre: Any
) -> None:
    officer = personas.case_officer
    row = fill(officer, town_round, seven[0], "90")
    scores_record(
        actor=officer, round=town_round, entries=[ScoreEntry(row.pk, "public", "integrity", None)]
    )
    assert Score.objects.filter(assessed=row).count() == 14
    make_cadre(county.finance, name="周明")
    other = round_create(actor=officer, unit=county.finance, year=2025)
    with pytest.raises(ValidationFailed):
        scores_record(
            actor=officer, round=other, entries=[ScoreEntry(row.pk, "peer", "virtue", Decimal(1))]
        )
    assert Score.objects.filter(assessed=row).count() == 14


def test_band_line_exactly_90_may_be_excellent_and_89_99_may_not(
    personas: Any, town_round: AssessmentRound, seven: list[Any]
) -> None:
    officer = personas.case_officer
    low = fill(officer, town_round, seven[1], "89.99")
    with pytest.raises(ValidationFailed, match="低于优秀分数线 90"):
        grade_confirm(actor=officer, assessed=low, grade="excellent")
    on_line = fill(officer, town_round, seven[0], "90")
    grade_confirm(actor=officer, assessed=on_line, grade="excellent")
    assert Assessment.objects.get(cadre=seven[0], year=2025).grade == "excellent"
    assert not Assessment.objects.filter(cadre=seven[1]).exists()


def test_quota_seven_at_15_percent_one_excellent_the_second_refused(
    personas: Any, town_round: AssessmentRound, seven: list[Any]
) -> None:
    officer = personas.case_officer
    first = fill(officer, town_round, seven[0], "95")
    second = fill(officer, town_round, seven[1], "96")
    sheet = round_sheet(actor=officer, round=town_round)
    assert (sheet.assessed, sheet.quota, sheet.excellent) == (7, 1, 0)
    grade_confirm(actor=officer, assessed=first, grade="excellent")  # exactly at the limit
    with pytest.raises(Conflict, match="优秀等次最多 1 人"):
        grade_confirm(actor=officer, assessed=second, grade="excellent")  # above it
    second.refresh_from_db()
    assert second.grade == ""
    assert not Assessment.objects.filter(cadre=seven[1]).exists()
    # Re-confirming the one 优秀 is not a second one.
    grade_confirm(actor=officer, assessed=first, grade="excellent")
    # Lowering the first frees the place.
    grade_confirm(actor=officer, assessed=first, grade="competent")
    grade_confirm(actor=officer, assessed=second, grade="excellent")
    assert dict(Assessment.objects.values_list("cadre_id", "grade")) == {
        seven[0].pk: "competent",
        seven[1].pk: "excellent",
    }
    assert round_sheet(actor=officer, round=town_round).quota_full
    assert journal_verify().ok


def test_six_assessed_at_15_percent_allow_no_excellent(
    personas: Any, county: Any, seven: list[Any]
) -> None:
    officer = personas.case_officer
    seven[6].status = "left"
    seven[6].save(update_fields=["status"])
    r = round_create(actor=officer, unit=county.town, year=2025)
    row = fill(officer, r, seven[0], "99")
    with pytest.raises(Conflict, match="最多 0 人"):
        grade_confirm(actor=officer, assessed=row, grade="excellent")


def test_a_grade_needs_all_scores_except_not_graded(
    personas: Any, town_round: AssessmentRound, seven: list[Any]
) -> None:
    officer = personas.case_officer
    row = AssessedCadre.objects.get(round=town_round, cadre=seven[2])
    with pytest.raises(ValidationFailed, match="评分尚未录全"):
        grade_confirm(actor=officer, assessed=row, grade="competent")
    grade_confirm(actor=officer, assessed=row, grade="not_graded")
    assert Assessment.objects.get(cadre=seven[2]).grade == "not_graded"


def test_confirmed_grade_flows_into_the_rule_that_reads_assessments(
    personas: Any, town_round: AssessmentRound, seven: list[Any], county: Any
) -> None:
    officer = personas.case_officer
    cadre = seven[3]

    def verdict() -> tuple[Status, str]:
        e = explain_for(actor=officer, cadre=cadre, post=county.town_deputy, ref=TODAY)
        found = next(r for r in e.results if r.rule.id == "national.negative.assessment")
        return found.status, found.missing

    assert verdict() == (Status.FAIL, "last_assessment")  # no 2025 grade on record
    row = fill(officer, town_round, cadre, "58")
    grade_confirm(actor=officer, assessed=row, grade="incompetent")
    assert verdict() == (Status.FAIL, "")
    # The officer corrects the grade: 基本称职 still fails, 称职 passes.
    grade_confirm(actor=officer, assessed=row, grade="basically_competent")
    assert verdict() == (Status.FAIL, "")
    grade_confirm(actor=officer, assessed=row, grade="competent")
    assert verdict() == (Status.PASS, "")
    kinds = list(Event.objects.order_by("-pk").values_list("event_type", flat=True)[:2])
    assert kinds == [EventType.ASSESSMENT_GRADE_CONFIRMED, EventType.CADRE_RECORD_ADDED]


def test_a_confirmed_cadre_is_not_rescored(
    personas: Any, town_round: AssessmentRound, seven: list[Any]
) -> None:
    officer = personas.case_officer
    row = fill(officer, town_round, seven[0], "80")
    grade_confirm(actor=officer, assessed=row, grade="competent")
    with pytest.raises(ValidationFailed, match="等次已经确定"):
        fill(officer, town_round, seven[0], "81")
    assert set(Score.objects.filter(assessed=row).values_list("score", flat=True)) == {
        Decimal("80.00")
    }


def test_report_is_recorded_and_journalled(
    personas: Any, town_round: AssessmentRound, seven: list[Any]
) -> None:
    row = AssessedCadre.objects.get(round=town_round, cadre=seven[0])
    with pytest.raises(ValidationFailed):
        report_set(actor=personas.case_officer, assessed=row, report="  ")
    report_set(actor=personas.case_officer, assessed=row, report="一年来，认真履行职责……")
    row.refresh_from_db()
    assert row.report.startswith("一年来")
    assert Event.objects.filter(event_type=EventType.ASSESSMENT_REPORT_RECORDED).count() == 1


def test_scope_out_of_scope_404_reader_403_nothing_changed(
    personas: Any, town_round: AssessmentRound, seven: list[Any]
) -> None:
    row = fill(personas.case_officer, town_round, seven[0], "92")
    with pytest.raises(NotFound):
        grade_confirm(actor=personas.other_unit_hr, assessed=row, grade="excellent")
    with pytest.raises(PermissionDenied):
        grade_confirm(actor=personas.discipline, assessed=row, grade="excellent")
    with pytest.raises(PermissionDenied):
        round_create(actor=personas.discipline, unit=town_round.unit, year=2024)
    row.refresh_from_db()
    assert row.grade == ""
    assert not Assessment.objects.exists()
    assert AssessmentRound.objects.count() == 1


def test_grade_and_record_are_one_transaction(
    personas: Any, town_round: AssessmentRound, seven: list[Any], monkeypatch: Any
) -> None:
    """The cadre's record refusing the grade leaves the round's grade unset."""
    officer = personas.case_officer
    row = fill(officer, town_round, seven[0], "80")

    def refuse(**kwargs: Any) -> None:
        raise ValidationFailed("考核信息有误，未保存。")

    monkeypatch.setattr("xuanren.assessment.services.assessment_set", refuse)
    with pytest.raises(ValidationFailed):
        grade_confirm(actor=officer, assessed=row, grade="competent")
    row.refresh_from_db()
    assert (row.grade, row.confirmed_by) == ("", None)
    assert not Event.objects.filter(event_type=EventType.ASSESSMENT_GRADE_CONFIRMED).exists()
