"""Selection statistics (选人用人统计, issue 14): the arithmetic, in plain
Python over plain values, integers only — no ORM (the selector in
`selection.py` reads the records and hands them over).

Every share is a `Share` (part of whole) kept as two integers and shown as a
percentage with one decimal, rounded half up in integer arithmetic; a zero
whole shows as "—", never as a division error (docs/decisions/0121).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: The outcomes of a candidate put to the decision meeting (procedure.tally.Outcome).
PASSED, REJECTED, DEFERRED, NO_QUORUM = "passed", "rejected", "deferred", "no_quorum"
PUT_TO_VOTE = (PASSED, REJECTED, DEFERRED)


@dataclass(frozen=True)
class Share:
    """`part` of `whole`, exact."""

    part: int
    whole: int

    @property
    def per_mille(self) -> int | None:
        """Rounded half up: 5 of 3,150 → 2 (0.2%); None when whole is 0."""
        if self.whole <= 0:
            return None
        return (2000 * self.part + self.whole) // (2 * self.whole)

    @property
    def percent(self) -> str:
        """ "2.6%", or "—" when there is nothing to divide by."""
        pm = self.per_mille
        if pm is None:
            return "—"
        return f"{pm // 10}.{pm % 10}%"

    def __str__(self) -> str:
        return self.percent


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end


# ---- the decision meetings --------------------------------------------------------------


@dataclass(frozen=True)
class SheetRow:
    """One record of the decision step (讨论决定) as stored: its id, the record
    it corrects (None for an original), its sequence in the case, and its
    data (`meeting_date` and the derived `result_sheet`)."""

    record: int
    corrects: int | None
    seq: int
    case: int
    committee: int
    data: Mapping[str, Any]


@dataclass(frozen=True)
class Vote:
    """One candidate at one decision meeting, as the result sheet has it."""

    case: int
    committee: int
    day: dt.date
    candidate: int
    cadre: int
    outcome: str
    agree: int
    disagree: int
    abstain: int


def _day(value: Any) -> dt.date | None:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def votes_of(rows: Iterable[SheetRow]) -> list[Vote]:
    """The votes of each decision record in force: of a record and its
    corrections, the latest (highest seq) holds; its result sheet, or the
    latest earlier one when a correction carries none (an effect derives the
    sheet once; a correction keeps it)."""
    rows = list(rows)
    by_id = {r.record: r for r in rows}

    def root(r: SheetRow) -> int:
        seen = set()
        while r.corrects is not None and r.corrects in by_id and r.record not in seen:
            seen.add(r.record)
            r = by_id[r.corrects]
        return r.record

    chains: dict[int, list[SheetRow]] = {}
    for r in rows:
        chains.setdefault(root(r), []).append(r)
    votes: list[Vote] = []
    for chain in chains.values():
        chain.sort(key=lambda r: r.seq)
        latest = chain[-1]
        sheet: Mapping[str, Any] | None = None
        for r in reversed(chain):
            candidate = r.data.get("result_sheet")
            if isinstance(candidate, Mapping):
                sheet = candidate
                break
        if sheet is None:
            continue
        day = _day(latest.data.get("meeting_date")) or _day(sheet.get("meeting_date"))
        if day is None:
            continue
        for c in sheet.get("candidates") or ():
            if not isinstance(c, Mapping):
                continue
            votes.append(
                Vote(
                    case=latest.case,
                    committee=latest.committee,
                    day=day,
                    candidate=_count(c.get("candidate")),
                    cadre=_count(c.get("cadre")),
                    outcome=str(c.get("outcome", "")),
                    agree=_count(c.get("agree")),
                    disagree=_count(c.get("disagree")),
                    abstain=_count(c.get("abstain")),
                )
            )
    return votes


@dataclass(frozen=True)
class Decisions:
    """The decision meetings of a period (or of one year of it)."""

    meetings: int  # sittings: distinct (committee, date)
    put_to_vote: int  # candidates (人次) put to the meeting with a quorum
    deferred: Share
    rejected: Share
    passed: Share
    ballots: int  # votes cast on candidates: agree + disagree + abstain (张)
    against: Share  # disagree of ballots
    abstaining: Share  # abstain of ballots
    against_or_abstaining: Share


def decisions(votes: Iterable[Vote]) -> Decisions:
    sittings: set[tuple[int, dt.date]] = set()
    put = deferred = rejected = passed = agree = disagree = abstain = 0
    for v in votes:
        sittings.add((v.committee, v.day))
        if v.outcome not in PUT_TO_VOTE:
            continue
        put += 1
        deferred += v.outcome == DEFERRED
        rejected += v.outcome == REJECTED
        passed += v.outcome == PASSED
        agree += v.agree
        disagree += v.disagree
        abstain += v.abstain
    ballots = agree + disagree + abstain
    return Decisions(
        meetings=len(sittings),
        put_to_vote=put,
        deferred=Share(deferred, put),
        rejected=Share(rejected, put),
        passed=Share(passed, put),
        ballots=ballots,
        against=Share(disagree, ballots),
        abstaining=Share(abstain, ballots),
        against_or_abstaining=Share(disagree + abstain, ballots),
    )


# ---- what became of the deferred and the rejected ---------------------------------------


@dataclass(frozen=True)
class FollowUp:
    """Of the candidates deferred (or rejected) in the period, per event (人次):
    put to a later decision meeting and passed; put again and not passed;
    still deferred in a case that is still open (pending); not put again.
    The four add up to `total`. `punished_later`: a punishment (惩处) decided
    after that meeting, whatever happened in between."""

    total: int
    passed_later: Share
    again_not_passed: Share
    pending: Share
    not_again: Share
    punished_later: Share


def follow_up(
    events: Sequence[Vote],
    later_votes: Iterable[Vote],
    *,
    pending: frozenset[int] = frozenset(),
    punishments: Mapping[int, Iterable[dt.date]] | None = None,
) -> FollowUp:
    """`events`: the deferrals (or rejections) of the period; `later_votes`:
    every vote known from the period's start on (any case); `pending`: the
    candidates still deferred in an open case; `punishments`: cadre → the
    dates of their punishments."""
    by_cadre: dict[int, list[Vote]] = {}
    for v in later_votes:
        if v.outcome in PUT_TO_VOTE:
            by_cadre.setdefault(v.cadre, []).append(v)
    punished_on = {k: sorted(days) for k, days in (punishments or {}).items()}
    passed = again = waiting = none = punished = 0
    for e in events:
        after = [v for v in by_cadre.get(e.cadre, ()) if v.day > e.day]
        if any(v.outcome == PASSED for v in after):
            passed += 1
        elif after:
            again += 1
        elif e.candidate in pending:
            waiting += 1
        else:
            none += 1
        punished += any(d > e.day for d in punished_on.get(e.cadre, ()))
    n = len(events)
    return FollowUp(
        total=n,
        passed_later=Share(passed, n),
        again_not_passed=Share(again, n),
        pending=Share(waiting, n),
        not_again=Share(none, n),
        punished_later=Share(punished, n),
    )


# ---- integrity opinions and probation ---------------------------------------------------


@dataclass(frozen=True)
class StepRow:
    """A record of a step with per-candidate entries (integrity opinions,
    probation assessments): id, corrected record, seq, and its data."""

    record: int
    corrects: int | None
    seq: int
    data: Mapping[str, Any]


def in_force(rows: Iterable[StepRow]) -> list[StepRow]:
    """Of each record and its corrections, the latest."""
    rows = list(rows)
    by_id = {r.record: r for r in rows}
    latest: dict[int, StepRow] = {}
    for r in rows:
        root = r
        seen = set()
        while root.corrects is not None and root.corrects in by_id and root.record not in seen:
            seen.add(root.record)
            root = by_id[root.corrects]
        held = latest.get(root.record)
        if held is None or r.seq > held.seq:
            latest[root.record] = r
    return list(latest.values())


def _entries(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    raw = data.get(key)
    return [e for e in raw if isinstance(e, Mapping)] if isinstance(raw, list) else []


@dataclass(frozen=True)
class Integrity:
    opinions: int  # opinions returned in the period
    vetoes: Share  # 否决 (failed) of opinions
    concerns: Share  # 有问题 of opinions


def integrity(rows: Iterable[StepRow], period: Period) -> Integrity:
    """Each opinion is dated by its reply (returned_on)."""
    n = failed = concerns = 0
    for r in in_force(rows):
        for o in _entries(r.data, "opinions"):
            if _day(o.get("returned_on")) not in period:
                continue
            n += 1
            failed += o.get("result") == "failed"
            concerns += o.get("result") == "concerns"
    return Integrity(opinions=n, vetoes=Share(failed, n), concerns=Share(concerns, n))


@dataclass(frozen=True)
class Probation:
    ended: int  # assessments at the end of probation in the period
    removed: Share  # not competent → the probationary post removed


def probation(rows: Iterable[StepRow], period: Period) -> Probation:
    """Each assessment is dated by its assessed_on."""
    n = removed = 0
    for r in in_force(rows):
        for a in _entries(r.data, "assessments"):
            if _day(a.get("assessed_on")) not in period:
                continue
            n += 1
            removed += a.get("result") == "not_competent"
    return Probation(ended=n, removed=Share(removed, n))


# ---- the whole report -------------------------------------------------------------------


@dataclass(frozen=True)
class YearRow:
    year: int
    decisions: Decisions


@dataclass(frozen=True)
class SelectionStats:
    period: Period
    decisions: Decisions
    years: tuple[YearRow, ...]
    deferred_after: FollowUp
    rejected_after: FollowUp
    integrity: Integrity
    notices: int
    reports_received: int
    reports_investigated: Share
    probation: Probation


def by_year(votes: Iterable[Vote], period: Period) -> tuple[YearRow, ...]:
    """One row per calendar year of the period, oldest first (years with no
    meeting included, so a table shows the gaps)."""
    years: dict[int, list[Vote]] = {y: [] for y in range(period.start.year, period.end.year + 1)}
    for v in votes:
        if v.day in period:
            years[v.day.year].append(v)
    return tuple(YearRow(y, decisions(vs)) for y, vs in sorted(years.items()))


def selection_stats(
    *,
    period: Period,
    sheets: Iterable[SheetRow],
    integrity_rows: Iterable[StepRow],
    probation_rows: Iterable[StepRow],
    notices: int,
    reports_received: int,
    reports_investigated: int,
    pending: frozenset[int] = frozenset(),
    punishments: Mapping[int, Iterable[dt.date]] | None = None,
    votes: Sequence[Vote] | None = None,
) -> SelectionStats:
    """Everything from the records read: `sheets` may reach past the
    period's end (later meetings tell what became of the deferred).
    `votes`: votes_of(sheets) when the caller has them already (a province's
    history is read once, not twice)."""
    votes = votes_of(sheets) if votes is None else votes
    inside = [v for v in votes if v.day in period]
    return SelectionStats(
        period=period,
        decisions=decisions(inside),
        years=by_year(inside, period),
        deferred_after=follow_up(
            [v for v in inside if v.outcome == DEFERRED],
            votes,
            pending=pending,
            punishments=punishments,
        ),
        rejected_after=follow_up(
            [v for v in inside if v.outcome == REJECTED],
            votes,
            pending=pending,
            punishments=punishments,
        ),
        integrity=integrity(integrity_rows, period),
        notices=notices,
        reports_received=reports_received,
        reports_investigated=Share(reports_investigated, reports_received),
        probation=probation(probation_rows, period),
    )


def follow_up_subjects(votes: Iterable[Vote], period: Period) -> tuple[set[int], set[int]]:
    """(candidates deferred, cadres deferred or rejected) in the period, from
    votes_of(the sheets): what the selector asks the database about next."""
    candidates: set[int] = set()
    cadres: set[int] = set()
    for v in votes:
        if v.day in period and v.outcome in (DEFERRED, REJECTED):
            cadres.add(v.cadre)
            if v.outcome == DEFERRED:
                candidates.add(v.candidate)
    return candidates, cadres
