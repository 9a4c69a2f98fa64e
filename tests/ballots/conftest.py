"""A case at its decision step with an n-member committee, and helpers that
run a voting meeting through the services as a teller and voters would."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.procedure.test_decision_stage import (
    MEETING,
    Run,
    make_committee,
    open_at_integrity,
    to_decision,
)
from xuanren.ballots.models import Meeting
from xuanren.ballots.services import (
    ballot_cast,
    meeting_attendance_set,
    meeting_codes_issue,
    meeting_count_key_create,
    meeting_create_for_decision,
    meeting_open,
)
from xuanren.procedure.models import Candidate, CommitteeMembership


def open_electronic(officer: Any, meeting: Meeting) -> str:
    """Make the count key and open the vote; the count passphrase (both halves)."""
    key = meeting_count_key_create(actor=officer, meeting=meeting)
    meeting_open(actor=officer, meeting=meeting)
    return key.first_half + key.second_half


@dataclass
class DecisionWorld:
    run: Run
    members: list[CommitteeMembership]
    candidates: list[Candidate]
    officer: Any
    meeting: Meeting | None = None
    codes: dict[int, str] = field(default_factory=dict)  # membership id → code
    passphrase: str = ""  # the count passphrase, both halves

    def create(self, method: str = "electronic", **kw: Any) -> Meeting:
        self.meeting = meeting_create_for_decision(
            actor=self.officer, case=self.run.case, meeting_date=MEETING, method=method, **kw
        )
        return self.meeting

    def voter_of(self, member: CommitteeMembership) -> Any:
        assert self.meeting is not None
        return self.meeting.voters.get(membership=member)

    def attend(self, present: list[CommitteeMembership]) -> None:
        assert self.meeting is not None
        meeting_attendance_set(
            actor=self.officer,
            meeting=self.meeting,
            present=[self.voter_of(m).pk for m in present],
        )

    def open(self) -> None:
        assert self.meeting is not None
        if self.meeting.method == "electronic":
            issued = meeting_codes_issue(actor=self.officer, meeting=self.meeting)
            self.codes = {v.membership_id or 0: code for v, code in issued}
            key = meeting_count_key_create(actor=self.officer, meeting=self.meeting)
            self.passphrase = key.first_half + key.second_half
        meeting_open(actor=self.officer, meeting=self.meeting)

    def item(self, candidate: Candidate) -> Any:
        assert self.meeting is not None
        return self.meeting.items.get(candidate=candidate)

    def cast(self, member: CommitteeMembership, marks: dict[Candidate, str]) -> str:
        assert self.meeting is not None
        content = {"marks": {str(self.item(c).pk): v for c, v in marks.items()}}
        return ballot_cast(
            actor=None, meeting=self.meeting, code=self.codes[member.pk], content=content
        )


@pytest.fixture
def decision_world(personas: Any, county: Any, admin: Any, make_cadre: Any):
    def build(n: int = 15, candidates: int = 1, cadres: tuple = ()) -> DecisionWorld:
        committee, members = make_committee(admin, county, n, cadres)
        run = open_at_integrity(personas, county, committee, [(county.town_deputy, candidates)])
        people = [
            run.inspect(make_cadre(county.town, name=f"人选{i + 1}"), county.town_deputy)
            for i in range(candidates)
        ]
        to_decision(run, people, members)
        return DecisionWorld(run, members, people, personas.case_officer)

    return build


ON_DAY = MEETING + dt.timedelta(days=1)


@pytest.fixture
def seat_world(personas: Any, county: Any, admin: Any, make_cadre: Any):
    """A case at its decision step: `candidates` inspected for one post with
    `seats` seats, a committee of `n`."""

    def build(n: int = 15, candidates: int = 2, seats: int = 1) -> DecisionWorld:
        committee, members = make_committee(admin, county, n)
        run = open_at_integrity(personas, county, committee, [(county.town_deputy, seats)])
        people = [
            run.inspect(make_cadre(county.town, name=name), county.town_deputy)
            for name in "甲乙丙丁"[:candidates]
        ]
        to_decision(run, people, members)
        return DecisionWorld(run, members, people, personas.case_officer)

    return build
