"""PostgreSQL: the same voter's code sent twice at the same moment — exactly
one ballot is accepted; and a close racing casts loses no ballot."""

from __future__ import annotations

import pytest

from tests.test_concurrency import run_at_once
from xuanren.ballots.models import Ballot, Participation, Receipt, SealedBallot
from xuanren.ballots.services import ballot_cast, meeting_close
from xuanren.common.errors import Conflict, NotFound

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def test_same_code_twice_at_once_exactly_one_succeeds(decision_world):
    w = decision_world(15)
    (c,) = w.candidates
    m = w.create()
    w.attend(w.members[:10])
    w.open()
    code = w.codes[w.members[0].pk]
    item = str(w.item(c).pk)

    def cast():
        return ballot_cast(actor=None, meeting=m, code=code, content={"marks": {item: "agree"}})

    results = run_at_once(cast, cast, cast)
    receipts = [r for r in results if isinstance(r, str)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(receipts) == 1 and len(refused) == 2, results
    assert Participation.objects.filter(meeting=m).count() == 1
    assert SealedBallot.objects.filter(meeting=m).count() == 1  # one box, sealed until the count
    assert Receipt.objects.filter(meeting=m).count() == 1


def test_close_racing_casts_counts_every_accepted_ballot(decision_world):
    w = decision_world(15)
    (c,) = w.candidates
    m = w.create()
    w.attend(w.members)
    w.open()
    item = str(w.item(c).pk)

    def cast(member):
        return lambda: ballot_cast(
            actor=None, meeting=m, code=w.codes[member.pk], content={"marks": {item: "agree"}}
        )

    results = run_at_once(
        *(cast(member) for member in w.members[:8]),
        lambda: meeting_close(actor=w.officer, meeting=m, passphrase=w.passphrase),
    )
    accepted = sum(isinstance(r, str) for r in results[:8])
    # A cast that loses the race is refused: a conflict while the close holds
    # the meeting, or, once it has closed, the answer for no open meeting
    # (decision 0048) — never an error of another kind, never half-written.
    assert all(isinstance(r, str | Conflict | NotFound) for r in results[:8]), results
    m.refresh_from_db()
    assert m.result["cast"] == accepted == Participation.objects.filter(meeting=m).count()
    assert Ballot.objects.filter(meeting=m).count() == accepted
