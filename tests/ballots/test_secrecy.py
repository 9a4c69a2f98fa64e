"""Secrecy by construction: the schema holds nothing that links a voter to a
choice, a full vote leaves nothing that does, nobody sees results before the
close, closing is idempotent, and a tally killed halfway leaves nothing."""

from __future__ import annotations

import hashlib

import pytest
from django.db import models

from xuanren.ballots import counting, services
from xuanren.ballots.models import (
    Ballot,
    Meeting,
    MeetingStatus,
    Participation,
    Receipt,
    SealedBallot,
    Voter,
)
from xuanren.ballots.selectors import meeting_progress, meeting_result
from xuanren.ballots.services import ballot_cast, meeting_close
from xuanren.common.errors import Conflict, NotFound
from xuanren.journal.models import Event, EventType
from xuanren.journal.services import journal_verify

pytestmark = pytest.mark.django_db


def test_the_ballot_table_has_no_voter_no_time_no_sequence():
    fields = {f.name: f for f in Ballot._meta.get_fields() if f.concrete}
    assert set(fields) == {"id", "meeting", "group", "content", "valid"}
    assert isinstance(fields["id"], models.UUIDField) and fields["id"].primary_key
    assert not any(isinstance(f, models.DateTimeField | models.DateField) for f in fields.values())
    assert not any(isinstance(f, models.AutoField | models.BigAutoField) for f in fields.values())
    related = {f.related_model for f in fields.values() if f.is_relation}
    assert related == {Meeting}  # no path to a voter, a user or a receipt
    assert not Ballot._meta.ordering
    receipt_fields = {f.name for f in Receipt._meta.get_fields() if f.concrete}
    # The MAC makes the receipt the journal's entry for the cast (decision
    # 0101); it is computed from the meeting and the code alone.
    assert receipt_fields == {"id", "meeting", "code", "mac"}
    # The participation says who voted and nothing else.
    part_fields = {f.name for f in Participation._meta.get_fields() if f.concrete}
    assert part_fields == {"id", "meeting", "voter"}
    # A sealed ballot: a random id, the meeting and an opaque box; nothing else.
    sealed_fields = {f.name for f in SealedBallot._meta.get_fields() if f.concrete}
    assert sealed_fields == {"id", "meeting", "box"}
    # Nothing points at a ballot or a receipt.
    for model in (Ballot, Receipt, SealedBallot):
        assert not [f for f in model._meta.get_fields() if f.is_relation and f.auto_created]


def test_a_full_vote_leaves_no_link_between_voter_and_choice(decision_world, admin):
    w = decision_world(15, candidates=1)
    (c,) = w.candidates
    m = w.create()
    w.attend(w.members[:15])
    w.open()
    choices = {}
    receipts = []
    for n, member in enumerate(w.members):
        choice = "agree" if n % 3 else "disagree"
        choices[member.pk] = choice
        receipts.append(w.cast(member, {c: choice}))
    before = list(SealedBallot.objects.filter(meeting=m).values_list("id", flat=True))
    # While the vote runs there is no plain ballot, and the boxes are all the
    # same size whatever they hold.
    assert not Ballot.objects.filter(meeting=m).exists()
    boxes = [bytes(b) for b in SealedBallot.objects.filter(meeting=m).values_list("box", flat=True)]
    assert len(boxes) == 15 and len({len(b) for b in boxes}) == 1
    assert not any(b"agree" in b or b"marks" in b for b in boxes)
    # Before the close: only progress, never a count of choices.
    progress = meeting_progress(actor=w.officer, meeting=m)
    assert (progress.voted, progress.entitled) == (15, 15)
    with pytest.raises(Conflict, match="投票尚未结束"):
        meeting_result(actor=w.officer, meeting=m)
    with pytest.raises(Conflict, match="投票尚未结束"):
        meeting_result(actor=admin, meeting=m)  # not even a superuser
    # A cast takes no chained event (decision 0101): its journal entry is the
    # receipt, whose MAC is over the meeting and the code — not the voter.
    assert not Event.objects.filter(event_type=EventType.BALLOT_CAST).exists()
    for code, mac in Receipt.objects.filter(meeting=m).values_list("code", "mac"):
        assert mac == services._receipt_mac(m.pk, code)
    assert journal_verify().ok
    closed = meeting_close(actor=w.officer, meeting=m, passphrase=w.passphrase)
    after = list(Ballot.objects.filter(meeting=m).values_list("id", flat=True))
    assert not set(before) & set(after)  # every ballot row written with a new id
    assert not SealedBallot.objects.filter(meeting=m).exists()  # the boxes are destroyed
    assert bytes(Meeting.objects.get(pk=m.pk).count_locked_key) == b""  # and the key
    assert sorted(closed.receipts) == sorted(receipts) == closed.receipts
    # The published ballots recount to the tally and hash to the digest.
    lines = closed.published_ballots
    assert hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest() == closed.ballot_digest
    agree = sum('"agree"' in line for line in lines)
    assert agree == sum(v == "agree" for v in choices.values())
    event = Event.objects.get(event_type=EventType.MEETING_CLOSED)
    assert event.payload["ballot_digest"] == closed.ballot_digest
    # The close folds the receipts into the chain: their number and the digest
    # of their sorted codes, which says nothing of the order they came in.
    plain = sorted(r.replace("-", "") for r in receipts)
    assert event.payload["receipts"] == 15
    assert event.payload["receipts_digest"] == hashlib.sha256("\n".join(plain).encode()).hexdigest()
    assert "agree" not in str(event.payload["receipts_digest"])
    # No column of a ballot holds a voter, user or membership id next to a
    # choice: the columns Participation and Ballot share are the meeting (the
    # same for all) and `id` — a random UUID on one side, a number on the other.
    shared = {f.column for f in Ballot._meta.concrete_fields} & {
        f.column for f in Participation._meta.concrete_fields
    }
    assert shared == {"id", "meeting_id"}
    part_ids = {str(p) for p in Participation.objects.values_list("id", flat=True)}
    assert not part_ids & {str(b) for b in after}
    assert journal_verify().ok


def test_codes_are_one_time_and_only_hashed(decision_world):
    w = decision_world(15)
    (c,) = w.candidates
    m = w.create()
    w.attend(w.members[:10])
    w.open()
    code = w.codes[w.members[0].pk]
    voter = Voter.objects.get(meeting=m, membership=w.members[0])
    assert code not in voter.code_hash and code.replace("-", "") not in voter.code_hash
    w.cast(w.members[0], {c: "agree"})
    with pytest.raises(Conflict, match="已经投过票"):
        w.cast(w.members[0], {c: "disagree"})
    with pytest.raises(NotFound, match="投票码不正确"):
        ballot_cast(actor=None, meeting=m, code="AAAAA-AAAAA", content={})
    assert SealedBallot.objects.filter(meeting=m).count() == 1
    assert Ballot.objects.filter(meeting=m).count() == 0  # plain only from the count on
    # Lower case and without the dash works too (read off a slip).
    ballot_cast(
        actor=None,
        meeting=m,
        code=w.codes[w.members[1].pk].replace("-", "").lower(),
        content={},
    )


def test_close_is_idempotent_and_casting_after_close_is_refused(decision_world):
    w = decision_world(15)
    (c,) = w.candidates
    m = w.create()
    w.attend(w.members[:10])
    w.open()
    for member in w.members[:10]:
        w.cast(member, {c: "agree"})
    first = meeting_close(actor=w.officer, meeting=m, passphrase=w.passphrase)
    ids = set(Ballot.objects.filter(meeting=m).values_list("id", flat=True))
    second = meeting_close(actor=w.officer, meeting=m, passphrase=w.passphrase)
    assert (second.result, second.receipts, second.ballot_digest) == (
        first.result,
        first.receipts,
        first.ballot_digest,
    )
    assert set(Ballot.objects.filter(meeting=m).values_list("id", flat=True)) == ids
    assert Event.objects.filter(event_type=EventType.MEETING_CLOSED).count() == 1
    # After the close the meeting is not voting: the same answer as for no
    # meeting at all (decision 0048), whoever asks.
    with pytest.raises(NotFound, match="没有正在投票的会议"):
        w.cast(w.members[10], {c: "agree"})
    assert Participation.objects.filter(meeting=m).count() == 10


def test_a_tally_killed_halfway_leaves_nothing_half_written(decision_world, monkeypatch):
    w = decision_world(15)
    (c,) = w.candidates
    m = w.create()
    w.attend(w.members[:10])
    w.open()
    for member in w.members[:10]:
        w.cast(member, {c: "agree"})
    before = sorted(Ballot.objects.filter(meeting=m).values_list("id", flat=True))
    receipts = sorted(Receipt.objects.filter(meeting=m).values_list("id", flat=True))

    def boom(*args, **kwargs):
        raise RuntimeError("killed during the tally")

    # The ballots have been deleted and re-inserted when the count is killed.
    monkeypatch.setattr(counting, "count", boom)
    with pytest.raises(RuntimeError):
        meeting_close(actor=w.officer, meeting=m, passphrase=w.passphrase)
    m.refresh_from_db()
    assert m.status == MeetingStatus.OPEN and m.result == {} and m.ballot_digest == ""
    assert sorted(Ballot.objects.filter(meeting=m).values_list("id", flat=True)) == before
    assert sorted(Receipt.objects.filter(meeting=m).values_list("id", flat=True)) == receipts
    assert not Event.objects.filter(event_type=EventType.MEETING_CLOSED).exists()
    monkeypatch.undo()
    assert meeting_close(actor=w.officer, meeting=m, passphrase=w.passphrase).result["cast"] == 10
    assert services.counting is counting


def test_a_meeting_opened_before_sealing_finishes_as_it_began(decision_world):
    """An upgrade during a vote: the meeting was opened without a count key;
    its ballots stay plain rows and are counted without a passphrase."""
    w = decision_world(15)
    (c,) = w.candidates
    m = w.create()
    w.attend(w.members[:10])
    w.open()
    Meeting.objects.filter(pk=m.pk).update(count_public_key=b"", count_locked_key=b"")
    for member in w.members[:10]:
        w.cast(member, {c: "agree"})
    assert Ballot.objects.filter(meeting=m).count() == 10
    assert not SealedBallot.objects.filter(meeting=m).exists()
    closed = meeting_close(actor=w.officer, meeting=m)
    assert closed.result["cast"] == 10
    assert closed.result["decision"]["candidates"][0]["outcome"] == "passed"


def test_compacting_after_the_count_never_undoes_it(monkeypatch, caplog):
    """The tables are compacted after the count commits; if that fails, it is
    logged and the count stands (the boxes and the key are gone anyway)."""
    from django.db import DatabaseError

    def broken_cursor() -> None:
        raise DatabaseError("no space left on device")

    monkeypatch.setattr(services.connection, "cursor", broken_cursor)
    services._compact_after_count()  # no exception
    assert "compacting the ballot tables after a count failed" in caplog.text
