"""竞聘评分 services: the sheet from hand-computed scores, and every refusal
(weights, range, a judge not on the panel, entry after the sign-off, scope)."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from tests.competition.conftest import WEIGHTS, Setup, enter
from tests.conftest import make_user
from xuanren.access.models import Role
from xuanren.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from xuanren.competition.models import Competition, CompetitionStatus, PanelKind, Score
from xuanren.competition.selectors import competition_get, sheet_of
from xuanren.competition.services import (
    ScoreIn,
    competition_create,
    competition_sign_off,
    competition_weights_set,
    panel_member_add,
    panel_member_remove,
    scores_enter,
)
from xuanren.journal.models import Event, EventType


def test_weights_not_100_are_refused_and_nothing_is_saved(case, personas):
    with pytest.raises(ValidationFailed) as info:
        competition_create(actor=personas.case_officer, case=case,
                           weights={"written": 40, "speech": 50})  # fmt: skip
    assert "合计为 90%" in str(info.value)
    assert not Competition.objects.exists()


def test_weights_changed_later_must_still_sum_to_100(setup, personas):
    with pytest.raises(ValidationFailed):
        competition_weights_set(actor=personas.case_officer, competition=setup.competition,
                                weights={**WEIGHTS, "written": 50})  # fmt: skip
    assert {t.kind: t.weight for t in setup.competition.sub_tests.all()} == WEIGHTS
    competition_weights_set(actor=personas.case_officer, competition=setup.competition,
                            weights={**WEIGHTS, "written": 50, "speech": 15})  # fmt: skip
    assert setup.competition.sub_tests.get(kind="written").weight == 50


def test_the_sheet_from_three_judges_four_sub_tests(scored: Setup):
    sheet = sheet_of(scored.competition)
    assert sheet.complete and sheet.missing == 0
    [(_post, rows)] = sheet.posts
    by = {r.name: r for r in rows}
    # 甲: written (80 + 85 + 90.5) / 3 = 85.17, situational 78, group 90.33, speech 88.5;
    # 0.4×85.17 + 0.2×78 + 0.15×90.33 + 0.25×88.5 = 85.3425 → 85.34 (three judges: no trimming)
    assert [c.mean for c in by["甲"].cells] == [D("85.17"), D("78.00"), D("90.33"), D("88.50")]
    assert by["甲"].composite == D("85.34")
    # 乙: 89, 72, 85, 82 → 35.6 + 14.4 + 12.75 + 20.5 = 83.25
    # 丙: 85, 80, 80, 85 → 34 + 16 + 12 + 21.25 = 83.25: equal; 乙's written test is higher
    assert by["乙"].composite == by["丙"].composite == D("83.25")
    # 丁: 62, 66, 70, 61 → 24.8 + 13.2 + 10.5 + 15.25 = 63.75
    assert by["丁"].composite == D("63.75")
    assert [(r.name, r.rank, r.tied) for r in rows] == [
        ("甲", 1, False), ("乙", 2, False), ("丙", 3, False), ("丁", 4, False)]  # fmt: skip


def test_five_judges_trim_the_highest_and_lowest(setup: Setup, personas):
    officer = personas.case_officer
    for name in ("评委四", "评委五"):
        setup.judges.append(panel_member_add(actor=officer, competition=setup.competition,
                                             panel=PanelKind.JUDGE, name=name))  # fmt: skip
    written = ["95", "80", "70", "86", "82"]  # 70 and 95 dropped: (80 + 82 + 86) / 3 = 82.67
    for judge, w in zip(setup.judges, written, strict=True):
        enter(setup, officer, judge, {n: [w, "80", "80", "80"] for n in setup.candidates})
    row = sheet_of(setup.competition).posts[0][1][0]
    assert row.cells[0].mean == D("82.67") and row.cells[0].dropped == (D("70"), D("95"))
    # 0.4×82.67 + 0.6×80 = 33.068 + 48 = 81.068 → 81.07
    assert row.composite == D("81.07")
    # all four equal in everything: one shared rank
    assert {(r.rank, r.tied) for r in sheet_of(setup.competition).posts[0][1]} == {(1, True)}


@pytest.mark.parametrize("value", ["100.5", "-1", "85.55", "八十"])
def test_a_score_out_of_range_is_refused_and_the_grid_is_not_half_saved(setup, personas, value):
    with pytest.raises(ValidationFailed):
        enter(setup, personas.case_officer, setup.judges[0],
              {"甲": ["80", "80", "80", "80"], "乙": [value, "80", "80", "80"]})  # fmt: skip
    assert not Score.objects.exists()


def test_a_supervisor_or_another_competitions_judge_cannot_score(setup, personas):
    with pytest.raises(ValidationFailed) as info:
        enter(setup, personas.case_officer, setup.supervisor, {"甲": ["80", "80", "80", "80"]})
    assert "不是本次竞聘小组的评委" in str(info.value)
    assert not Score.objects.exists()


def test_one_person_sits_on_one_panel(setup, personas):
    with pytest.raises(Conflict):
        panel_member_add(actor=personas.case_officer, competition=setup.competition,
                         panel=PanelKind.SUPERVISOR, name="评委一")  # fmt: skip


def test_sign_off_refused_until_every_judge_scored_everyone(setup, personas):
    enter(setup, personas.case_officer, setup.judges[0], {"甲": ["80", "80", "80", "80"]})
    with pytest.raises(ValidationFailed) as info:
        competition_sign_off(actor=personas.case_officer, competition=setup.competition)
    assert "还有 44 个评分未录入" in str(info.value)
    setup.competition.refresh_from_db()
    assert setup.competition.status == CompetitionStatus.SCORING


def test_sign_off_locks_the_sheet_and_a_correction_after_is_refused(scored, personas):
    signed = competition_sign_off(actor=personas.discipline, competition=scored.competition)
    assert signed.status == CompetitionStatus.SIGNED_OFF
    assert [(r["name"], r["composite"], r["rank"]) for r in signed.result["rows"]] == [
        ("甲", "85.34", 1), ("乙", "83.25", 2), ("丙", "83.25", 3), ("丁", "63.75", 4)]  # fmt: skip
    assert signed.result["supervisors"] == [{"name": "监督员", "title": "县纪委监委"}]
    before = list(Score.objects.order_by("pk").values_list("value", flat=True))
    with pytest.raises(Conflict) as info:
        enter(scored, personas.case_officer, scored.judges[0], {"甲": ["99", "99", "99", "99"]})
    assert "已锁定" in str(info.value)
    assert list(Score.objects.order_by("pk").values_list("value", flat=True)) == before
    for refused in (
        lambda: competition_weights_set(actor=personas.case_officer,
                                        competition=scored.competition, weights=WEIGHTS),
        lambda: panel_member_add(actor=personas.case_officer, competition=scored.competition,
                                 panel=PanelKind.JUDGE, name="迟到评委"),
        lambda: panel_member_remove(actor=personas.case_officer, competition=scored.competition,
                                    member=scored.supervisor),
        lambda: competition_sign_off(actor=personas.case_officer, competition=scored.competition),
    ):  # fmt: skip
        with pytest.raises(Conflict):
            refused()
    kinds = list(Event.objects.filter(subject_type="competition.competition")
                 .values_list("event_type", flat=True))  # fmt: skip
    assert kinds.count(EventType.COMPETITION_SCORES_ENTERED) == 3
    assert kinds[-1] == EventType.COMPETITION_SIGNED_OFF


def test_a_judge_who_scored_cannot_be_taken_off(scored, personas):
    with pytest.raises(Conflict):
        panel_member_remove(actor=personas.case_officer, competition=scored.competition,
                            member=scored.judges[0])  # fmt: skip


def test_scope_out_of_scope_404_reader_403_and_nothing_changes(scored, personas, county: Any):
    comp = scored.competition
    elsewhere = make_user("officer_shiqiao", Role.CASE_OFFICER, county.other_town)
    with pytest.raises(NotFound):
        competition_get(actor=elsewhere, pk=comp.pk)
    with pytest.raises(NotFound):
        enter(scored, elsewhere, scored.judges[0], {"甲": ["1", "1", "1", "1"]})
    with pytest.raises(PermissionDenied):
        competition_get(actor=personas.outsider, pk=comp.pk)
    # the committee member reads it but may neither enter nor sign
    assert competition_get(actor=personas.committee_member, pk=comp.pk) == comp
    with pytest.raises(PermissionDenied):
        enter(scored, personas.committee_member, scored.judges[0], {"甲": ["1", "1", "1", "1"]})
    with pytest.raises(PermissionDenied):
        competition_sign_off(actor=personas.committee_member, competition=comp)
    # the discipline commission signs off but does not enter scores
    with pytest.raises(PermissionDenied):
        enter(scored, personas.discipline, scored.judges[0], {"甲": ["1", "1", "1", "1"]})
    comp.refresh_from_db()
    assert comp.status == CompetitionStatus.SCORING
    assert not Score.objects.filter(value=1).exists()


def test_a_zero_written_test_still_breaks_a_tie(setup: Setup, personas):
    """0 is a score: equal composites 60 and 60, written 0 against 100 → the 100 ranks first."""
    officer = personas.case_officer
    competition_weights_set(actor=officer, competition=setup.competition,
                            weights={"written": 50, "speech": 50})  # fmt: skip
    table = {"甲": ("0", "100"), "乙": ("100", "0"), "丙": ("50", "50"), "丁": ("50", "50")}
    for judge in setup.judges:
        scores_enter(actor=officer, competition=setup.competition, judge=judge,
                     scores=[ScoreIn(setup.candidates[n].pk, setup.tests[k].pk, v)
                             for n, (w, s) in table.items()
                             for k, v in (("written", w), ("speech", s))])  # fmt: skip
    rows = sheet_of(setup.competition).posts[0][1]
    assert [(r.name, r.composite, r.rank, r.tied) for r in rows] == [
        ("乙", D("50.00"), 1, False), ("丁", D("50.00"), 2, True), ("丙", D("50.00"), 2, True),
        ("甲", D("50.00"), 4, False)]  # fmt: skip


def test_a_judge_of_another_competition_cannot_score_here(
    setup: Setup, personas, county, committee
):
    from xuanren.procedure.services import case_open

    officer = personas.case_officer
    other_case = case_open(
        actor=officer, title="城关镇党委书记竞争上岗", template_code="competitive",
        unit=county.root, committee=committee, posts=[(county.town_secretary, 1)],
        reference_date=setup.case.reference_date,
    )  # fmt: skip
    other = competition_create(actor=officer, case=other_case, weights={"written": 100})
    stranger = panel_member_add(actor=officer, competition=other, panel=PanelKind.JUDGE,
                                name="外来评委")  # fmt: skip
    with pytest.raises(ValidationFailed) as info:
        enter(setup, officer, stranger, {"甲": ["80", "80", "80", "80"]})
    assert "外来评委不是本次竞聘小组的评委" in str(info.value)
    assert not Score.objects.exists()
