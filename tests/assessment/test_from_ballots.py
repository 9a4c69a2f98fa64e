"""年度考核 scores from a score evaluation meeting (decisions 0152, 0172): the
meeting started from the round, voted, counted, and its means per name ×
rater group × dimension imported through scores_record, hand-computed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from tests.assessment.conftest import TODAY
from tests.ballots.conftest import open_electronic
from xuanren.assessment.models import AssessedCadre, AssessmentRound, Score
from xuanren.assessment.services import RaterVoter, meeting_import, meeting_start
from xuanren.ballots import counting
from xuanren.ballots.models import Ballot, EvaluationScale, Meeting, MeetingStatus
from xuanren.ballots.services import (
    ballot_cast,
    meeting_abandon,
    meeting_close,
    meeting_codes_issue,
    meeting_create,
)
from xuanren.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from xuanren.journal.models import Event, EventType

pytestmark = pytest.mark.django_db

RATERS = [
    RaterVoter("领导甲", "superior"),
    RaterVoter("领导乙", "superior"),
    RaterVoter("干部甲", "peer"),
    RaterVoter("干部乙", "peer"),
    RaterVoter("干部丙", "peer"),
    RaterVoter("群众甲", "public"),
    RaterVoter("群众乙", "public"),
    RaterVoter("群众丙", "public"),
]


def test_score_mean_half_up_two_decimals_blank_not_counted() -> None:
    assert counting.score_mean({}) is None
    assert counting.score_mean({"90": 1, "85": 1}) == Decimal("87.50")
    assert counting.score_mean({"80": 1, "81": 2}) == Decimal("80.67")  # 242 / 3
    # 721 / 8 = 90.125: half up gives 90.13 (half even would give 90.12).
    assert counting.score_mean({"90": 7, "91": 1}) == Decimal("90.13")
    assert counting.score_mean({"0": 2, "100": 1}) == Decimal("33.33")


def _start(personas: Any, r: AssessmentRound, voters: list[RaterVoter] = RATERS) -> Meeting:
    return meeting_start(actor=personas.case_officer, round=r, meeting_date=TODAY, voters=voters)


def test_meeting_started_from_the_round_has_five_sections_and_the_rater_groups(
    personas: Any, town_round: AssessmentRound, seven: list[Any]
) -> None:
    m = _start(personas, town_round)
    assert (m.kind, m.scale, m.case_id, m.unit_id) == (
        "evaluation",
        EvaluationScale.SCORE,
        None,
        town_round.unit_id,
    )
    assert [s.title for s in m.sections.order_by("order")] == ["德", "能", "勤", "绩", "廉"]
    assert m.items.count() == 5 * 7
    assert sorted(set(m.voters.values_list("group", flat=True))) == sorted(
        ["上级领导", "同级干部", "党员群众"]
    )
    town_round.refresh_from_db()
    assert town_round.meeting_id == m.pk
    # One meeting at a time.
    with pytest.raises(Conflict, match="尚未结束"):
        _start(personas, town_round)
    # Abandoned, a new one may be started.
    meeting_abandon(actor=personas.case_officer, meeting=m, reason="日期改期")
    assert _start(personas, town_round).pk != m.pk


def test_voted_counted_and_imported_as_hand_computed(
    personas: Any, town_round: AssessmentRound, seven: list[Any]
) -> None:
    officer = personas.case_officer
    m = _start(personas, town_round)
    codes = {v.name: code for v, code in meeting_codes_issue(actor=officer, meeting=m)}
    passphrase = open_electronic(officer, m)
    wang = seven[0]

    def item(dimension_order: int) -> str:
        return str(m.items.get(section__order=dimension_order, cadre=wang).pk)

    virtue, integrity = item(1), item(5)
    ballots = {
        "领导甲": {virtue: "90", integrity: "95"},
        "领导乙": {virtue: "85", integrity: "94"},
        "干部甲": {virtue: "80"},
        "干部乙": {virtue: "81"},
        "干部丙": {virtue: "81", integrity: "60"},
        "群众甲": {virtue: "70"},
        "群众乙": {virtue: "71"},
        "群众丙": {},  # a blank ballot: valid, scores nobody
    }
    for name, marks in ballots.items():
        ballot_cast(actor=None, meeting=m, code=codes[name], content={"marks": marks})
    closed = meeting_close(actor=officer, meeting=m, passphrase=passphrase)
    assert closed.status == MeetingStatus.CLOSED
    assert not Score.objects.exists()  # the scores are the round's only through the import
    meeting_import(actor=officer, round=town_round)
    row = AssessedCadre.objects.get(round=town_round, cadre=wang)
    got = {(s.group, s.dimension): s.score for s in Score.objects.filter(assessed=row)}
    assert got == {
        ("superior", "virtue"): Decimal("87.50"),  # (90 + 85) / 2
        ("peer", "virtue"): Decimal("80.67"),  # (80 + 81 + 81) / 3
        ("public", "virtue"): Decimal("70.50"),  # (70 + 71) / 2, the blank not counted
        ("superior", "integrity"): Decimal("94.50"),  # (95 + 94) / 2
        ("peer", "integrity"): Decimal("60.00"),  # one ballot scored it
    }
    assert Score.objects.count() == 5  # nobody else was scored
    event = Event.objects.filter(event_type=EventType.ASSESSMENT_SCORES_RECORDED).get()
    assert event.payload["meeting"] == m.pk
    assert event.payload["source"] == "ballots"
    assert event.payload["cells"] == 5
    # Secrecy holds: the ballots carry a group and content, never a voter.
    assert {f.name for f in Ballot._meta.get_fields()} == {
        "id",
        "meeting",
        "group",
        "content",
        "valid",
    }
    with pytest.raises(Conflict, match="已经导入"):
        meeting_import(actor=officer, round=town_round)
    assert Event.objects.filter(event_type=EventType.ASSESSMENT_SCORES_RECORDED).count() == 1


def test_a_score_outside_0_to_100_or_not_whole_is_refused_at_the_cast(
    personas: Any, town_round: AssessmentRound, seven: list[Any]
) -> None:
    officer = personas.case_officer
    m = _start(personas, town_round, RATERS[:1])
    ((_v, code),) = meeting_codes_issue(actor=officer, meeting=m)
    open_electronic(officer, m)
    key = str(m.items.order_by("pk").first().pk)
    for bad in ("101", "-1", "50.5", "07", "九十"):
        with pytest.raises(ValidationFailed, match="不是本选票的选项"):
            ballot_cast(actor=None, meeting=m, code=code, content={"marks": {key: bad}})
    ballot_cast(actor=None, meeting=m, code=code, content={"marks": {key: "100"}})


def test_import_before_the_count_or_without_a_meeting_is_refused(
    personas: Any, town_round: AssessmentRound, seven: list[Any]
) -> None:
    with pytest.raises(Conflict, match="没有发起测评投票"):
        meeting_import(actor=personas.case_officer, round=town_round)
    _start(personas, town_round)
    with pytest.raises(Conflict, match="尚未计票"):
        meeting_import(actor=personas.case_officer, round=town_round)
    assert not Score.objects.exists()


def test_wrong_rater_group_saves_nothing(
    personas: Any, town_round: AssessmentRound, seven: list[Any]
) -> None:
    with pytest.raises(ValidationFailed) as info:
        _start(personas, town_round, [RaterVoter("某人", "职工群众")])
    assert "评分主体" in str(info.value)
    assert not Meeting.objects.exists()
    town_round.refresh_from_db()
    assert town_round.meeting_id is None


def test_score_meeting_only_for_an_evaluation_with_the_given_groups(
    personas: Any, county: Any, seven: list[Any]
) -> None:
    base = {
        "actor": personas.case_officer,
        "title": "测评",
        "unit": county.town,
        "meeting_date": dt.date(2026, 11, 20),
        "sections": [{"title": "德", "items": [{"name": seven[0].name, "cadre": seven[0]}]}],
        "scale": "score",
    }
    with pytest.raises(ValidationFailed, match="只用于民主测评"):
        meeting_create(kind="recommendation", voters=[{"name": "甲", "group": "上级领导"}], **base)
    with pytest.raises(ValidationFailed, match="逐张录入"):
        meeting_create(
            kind="evaluation",
            voters=[{"name": "甲", "group": "上级领导"}],
            groups=("上级领导",),
            method="paper",
            paper_mode="counts",
            **base,
        )
    assert not Meeting.objects.exists()


def test_scope_and_permission_nothing_changed(
    personas: Any, town_round: AssessmentRound, seven: list[Any]
) -> None:
    for actor, exc in ((personas.other_unit_hr, NotFound), (personas.discipline, PermissionDenied)):
        with pytest.raises(exc):
            meeting_start(actor=actor, round=town_round, meeting_date=TODAY, voters=RATERS)
        with pytest.raises(exc):
            meeting_import(actor=actor, round=town_round)
    assert not Meeting.objects.exists()
    town_round.refresh_from_db()
    assert town_round.meeting_id is None


def test_import_query_count(
    personas: Any,
    town_round: AssessmentRound,
    seven: list[Any],
    django_assert_max_num_queries: Any,
) -> None:
    officer = personas.case_officer
    m = _start(personas, town_round)
    codes = [code for _v, code in meeting_codes_issue(actor=officer, meeting=m)]
    passphrase = open_electronic(officer, m)
    items = [str(pk) for pk in m.items.values_list("pk", flat=True)]
    for n, code in enumerate(codes):
        marks = {i: str(60 + n) for i in items}
        ballot_cast(actor=None, meeting=m, code=code, content={"marks": marks})
    meeting_close(actor=officer, meeting=m, passphrase=passphrase)
    with django_assert_max_num_queries(20):
        meeting_import(actor=officer, round=town_round)
    assert Score.objects.count() == 7 * 15
    # superior: 60, 61 → 60.50; peer: 62, 63, 64 → 63.00; public: 65, 66, 67 → 66.00
    assert set(Score.objects.filter(group="superior").values_list("score", flat=True)) == {
        Decimal("60.50")
    }
    assert set(Score.objects.filter(group="peer").values_list("score", flat=True)) == {
        Decimal("63.00")
    }
