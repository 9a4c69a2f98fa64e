"""The selection statistics' arithmetic on hand-built values (no database):
shares as exact integers, meetings, deferrals, rejections, ballots, what
became of the deferred and the rejected, integrity vetoes and probation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from xuanren.statistics.selection_tally import (
    Period,
    Share,
    SheetRow,
    StepRow,
    Vote,
    by_year,
    decisions,
    follow_up,
    integrity,
    probation,
    selection_stats,
    votes_of,
)

D = dt.date
MARCH = D(2025, 3, 1)
YEAR = Period(D(2025, 1, 1), D(2025, 12, 31))


def vote(
    cadre: int,
    outcome: str,
    day: dt.date = MARCH,
    *,
    committee: int = 1,
    agree: int = 0,
    disagree: int = 0,
    abstain: int = 0,
    candidate: int | None = None,
) -> Vote:
    return Vote(
        case=1,
        committee=committee,
        day=day,
        candidate=candidate if candidate is not None else cadre * 10,
        cadre=cadre,
        outcome=outcome,
        agree=agree,
        disagree=disagree,
        abstain=abstain,
    )


def sheet(
    record: int, day: str, rows: list[dict[str, Any]], *, corrects: int | None = None, seq: int = 1
) -> SheetRow:
    return SheetRow(
        record=record,
        corrects=corrects,
        seq=seq,
        case=1,
        committee=7,
        data={"meeting_date": day, "result_sheet": {"meeting_date": day, "candidates": rows}},
    )


# ---- shares ----------------------------------------------------------------------------


def test_shares_are_exact_and_rounded_half_up() -> None:
    assert Share(82, 3154).percent == "2.6%"  # the seed's deferrals
    assert Share(5, 3154).percent == "0.2%"
    assert Share(450, 36000).percent == "1.3%"  # 12.5‰ rounds up
    assert Share(449, 36000).percent == "1.2%"
    assert Share(1, 2000).per_mille == 1 and Share(1, 2001).per_mille == 0
    assert Share(3, 3).percent == "100.0%" and Share(0, 7).percent == "0.0%"


def test_a_zero_denominator_is_a_dash_not_an_error() -> None:
    assert Share(0, 0).per_mille is None
    assert Share(0, 0).percent == "—" == str(Share(0, 0))


# ---- decision meetings -----------------------------------------------------------------


def test_meetings_are_sittings_of_a_committee_on_a_day() -> None:
    votes = [
        vote(1, "passed", agree=9, disagree=1, abstain=1),
        vote(2, "deferred", candidate=20),  # same sitting, other case or not
        vote(3, "rejected", D(2025, 3, 1), committee=2, agree=3, disagree=5),
        vote(4, "passed", D(2025, 6, 1), agree=11),
        vote(5, "no_quorum", D(2025, 7, 1)),  # a sitting, but nobody put to a vote
    ]
    d = decisions(votes)
    assert d.meetings == 4
    assert d.put_to_vote == 4
    assert (d.passed.part, d.deferred.part, d.rejected.part) == (2, 1, 1)
    assert d.deferred.whole == 4 and d.deferred.percent == "25.0%"
    assert d.ballots == 9 + 1 + 1 + 3 + 5 + 11 == 30
    assert d.against == Share(6, 30) and d.abstaining == Share(1, 30)
    assert d.against_or_abstaining == Share(7, 30)
    assert d.against_or_abstaining.percent == "23.3%"


def test_no_meeting_gives_zeros_and_dashes() -> None:
    d = decisions([])
    assert (d.meetings, d.put_to_vote, d.ballots) == (0, 0, 0)
    assert d.deferred.percent == d.against_or_abstaining.percent == "—"


def test_the_record_in_force_is_the_latest_correction_with_its_sheet() -> None:
    row = {"candidate": 10, "cadre": 1, "outcome": "passed", "agree": 9, "disagree": 2}
    fixed = {**row, "disagree": 1, "abstain": 1}
    original = sheet(1, "2025-03-01", [row])
    # A correction without a result sheet keeps the original's; its date holds.
    bare = SheetRow(2, 1, 2, 1, 7, {"meeting_date": "2025-03-02"})
    votes = votes_of([original, bare])
    assert len(votes) == 1 and votes[0].day == D(2025, 3, 2) and votes[0].disagree == 2
    # A later correction with its own sheet replaces both.
    votes = votes_of([original, bare, sheet(3, "2025-03-02", [fixed], corrects=2, seq=3)])
    assert [(v.disagree, v.abstain) for v in votes] == [(1, 1)]
    # Unreadable rows are left out, not guessed.
    assert votes_of([SheetRow(9, None, 1, 1, 7, {"meeting_date": "2025-03-02"})]) == []


def test_years_of_the_period_each_with_its_figures_gaps_included() -> None:
    votes = [vote(1, "deferred", D(2023, 5, 1)), vote(2, "passed", D(2025, 5, 1), agree=9)]
    rows = by_year(votes, Period(D(2023, 1, 1), D(2025, 12, 31)))
    assert [r.year for r in rows] == [2023, 2024, 2025]
    assert [r.decisions.put_to_vote for r in rows] == [1, 0, 1]
    assert rows[0].decisions.deferred.percent == "100.0%"
    assert rows[1].decisions.deferred.percent == "—"


# ---- what became of them ----------------------------------------------------------------


def test_follow_up_of_the_deferred() -> None:
    first = D(2025, 3, 1)
    events = [
        vote(1, "deferred", first),  # put again later and passed
        vote(2, "deferred", first),  # put again, deferred again
        vote(3, "deferred", first, candidate=30),  # still deferred in an open case
        vote(4, "deferred", first),  # never put again
        vote(5, "deferred", first),  # punished afterwards, never put again
    ]
    later = [
        *events,
        vote(1, "passed", D(2026, 1, 5)),  # after the period: it still counts
        vote(2, "deferred", D(2025, 9, 1)),
        vote(9, "passed", D(2025, 9, 1)),  # somebody else
        vote(4, "passed", D(2024, 1, 1)),  # before: not what became of them
    ]
    f = follow_up(
        events,
        later,
        pending=frozenset({30}),
        punishments={5: [D(2025, 10, 1)], 4: [D(2020, 1, 1)], 1: [first]},
    )
    assert f.total == 5
    assert f.passed_later == Share(1, 5)
    assert f.again_not_passed == Share(1, 5)
    assert f.pending == Share(1, 5)
    assert f.not_again == Share(2, 5)
    assert f.punished_later == Share(1, 5)  # the same day or before does not count


def test_follow_up_of_nobody_is_all_dashes() -> None:
    f = follow_up([], [vote(1, "passed")])
    assert f.total == 0 and f.passed_later.percent == f.punished_later.percent == "—"


def test_a_candidate_deferred_then_passed_later_in_the_same_case() -> None:
    rows = [
        sheet(1, "2025-03-01", [{"candidate": 10, "cadre": 1, "outcome": "deferred"}]),
        sheet(
            2,
            "2025-04-01",
            [{"candidate": 10, "cadre": 1, "outcome": "passed", "agree": 8, "disagree": 3}],
            seq=2,
        ),
    ]
    stats = selection_stats(
        period=YEAR,
        sheets=rows,
        integrity_rows=[],
        probation_rows=[],
        notices=0,
        reports_received=0,
        reports_investigated=0,
    )
    d = stats.decisions
    assert (d.meetings, d.put_to_vote, d.deferred.part, d.passed.part) == (2, 2, 1, 1)
    assert d.ballots == 11 and d.against_or_abstaining == Share(3, 11)
    assert stats.deferred_after.total == 1
    assert stats.deferred_after.passed_later == Share(1, 1)
    assert stats.rejected_after.total == 0
    assert stats.reports_investigated.percent == "—"


# ---- integrity and probation ----------------------------------------------------------


def test_integrity_vetoes_dated_by_the_reply() -> None:
    rows = [
        StepRow(1, None, 1, {"opinions": [
            {"candidate": 1, "result": "passed", "returned_on": "2025-02-01"},
            {"candidate": 2, "result": "failed", "returned_on": "2025-02-01"},
            {"candidate": 3, "result": "concerns", "returned_on": "2025-02-01"},
            {"candidate": 4, "result": "failed", "returned_on": "2024-12-31"},
        ]}),
        # Corrected: the correction's opinions hold.
        StepRow(2, None, 1, {"opinions": [
            {"candidate": 5, "result": "failed", "returned_on": "2025-05-01"}]}),
        StepRow(3, 2, 2, {"opinions": [
            {"candidate": 5, "result": "passed", "returned_on": "2025-05-01"}]}),
    ]  # fmt: skip
    i = integrity(rows, YEAR)
    assert i.opinions == 4
    assert i.vetoes == Share(1, 4) and i.concerns == Share(1, 4)
    assert integrity([], YEAR).vetoes.percent == "—"


def test_probations_ended_and_removed() -> None:
    rows = [
        StepRow(1, None, 1, {"assessments": [
            {"candidate": 1, "result": "competent", "assessed_on": "2025-06-01"},
            {"candidate": 2, "result": "not_competent", "assessed_on": "2025-06-01"},
            {"candidate": 3, "result": "competent", "assessed_on": "2026-01-02"},
        ]}),
    ]  # fmt: skip
    p = probation(rows, YEAR)
    assert p.ended == 2 and p.removed == Share(1, 2) and p.removed.percent == "50.0%"
