"""The cast path of decision 0101: six statements per cast, no chained event
per cast (the receipt with its MAC is the journal's entry, folded into the
chain at the count), attendance derived from participation, and `journal
verify` catching receipts forged, removed or missing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.ballots.conftest import open_electronic
from tests.ballots.test_paper_and_recommendation import recommendation_meeting
from xuanren.ballots.models import Participation, Receipt, SealedBallot, Voter
from xuanren.ballots.selectors import meeting_progress, meeting_roster, shape_of
from xuanren.ballots.services import (
    _receipt_mac,
    ballot_cast,
    meeting_abandon,
    meeting_close,
    meeting_codes_issue,
)
from xuanren.common.errors import Conflict, NotFound
from xuanren.journal.models import Event, EventType
from xuanren.journal.services import journal_verify

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def rec(personas, county, make_cadre):
    """An open electronic recommendation meeting: (meeting, codes by name, passphrase, items)."""
    officer = personas.case_officer
    m = recommendation_meeting(officer, county, make_cadre)
    codes = {v.name: code for v, code in meeting_codes_issue(actor=officer, meeting=m)}
    passphrase = open_electronic(officer, m)
    m.refresh_from_db()
    items = {i.name: str(i.pk) for i in m.items.all()}
    return m, codes, passphrase, items


def _api_cast(m, code, items, name="张甲"):
    return Client().post(
        f"{API}/ballots/meetings/{m.pk}/cast",
        {"code": code, "content": {"marks": {items[name]: "chosen"}}},
        content_type="application/json",
    )


def test_a_cast_through_the_api_is_six_statements_and_reads_no_shape(rec):
    m, codes, _p, items = rec
    assert _api_cast(m, codes["中层0"], items).status_code == 201  # warm
    with CaptureQueriesContext(connection) as ctx:
        response = _api_cast(m, codes["中层1"], items)
    assert response.status_code == 201, response.content
    statements = [q["sql"] for q in ctx.captured_queries]
    assert len(statements) <= 6, statements
    text = "\n".join(statements)
    # The shape is frozen on the meeting; no journal head, no count, and no
    # savepoint but the service's own transaction (BEGIN/COMMIT when served:
    # here the test's transaction makes it a savepoint).
    assert "ballots_section" not in text and "ballots_item" not in text
    assert "journal_" not in text and "COUNT(" not in text
    assert [s.split()[0] for s in statements if "SAVEPOINT" in s] == ["SAVEPOINT", "RELEASE"]
    assert "UPDATE" not in text  # attendance is not written per cast


def test_the_shape_is_frozen_when_the_vote_opens(rec):
    m, *_ = rec
    assert m.ballot_shape == shape_of(m) and m.ballot_shape["sections"]


def test_a_duplicate_and_a_wrong_code_and_a_closed_meeting_are_refused_with_nothing_written(rec):
    m, codes, passphrase, items = rec
    assert _api_cast(m, codes["中层0"], items).status_code == 201
    assert _api_cast(m, codes["中层0"], items).status_code == 409
    assert _api_cast(m, "AAAAA-AAAAA", items).status_code == 404
    assert (Participation.objects.count(), SealedBallot.objects.count()) == (1, 1)
    assert Receipt.objects.count() == 1
    meeting_close(actor=m.created_by, meeting=m, passphrase=passphrase)
    after = _api_cast(m, codes["中层1"], items)
    assert after.status_code == 404 and "没有正在投票的会议" in after.json()["message"]
    with pytest.raises(NotFound, match="没有正在投票的会议"):
        ballot_cast(actor=None, meeting=m.pk, code=codes["中层1"], content={})
    assert Participation.objects.count() == 1


def test_no_chained_event_per_cast_and_the_close_folds_the_receipts(rec):
    m, codes, passphrase, _items = rec
    before = Event.objects.count()
    receipts = [
        ballot_cast(actor=None, meeting=m, code=codes[n], content={}) for n in ("中层0", "中层1")
    ]
    assert Event.objects.count() == before  # the head row is not touched by a cast
    for code, mac in Receipt.objects.values_list("code", "mac"):
        assert mac == _receipt_mac(m.pk, code)
    assert journal_verify().ok
    meeting_close(actor=m.created_by, meeting=m, passphrase=passphrase)
    event = Event.objects.get(event_type=EventType.MEETING_CLOSED)
    assert event.payload["receipts"] == 2 and len(event.payload["receipts_digest"]) == 64
    assert not any(r.replace("-", "") in str(event.payload) for r in receipts)
    result = journal_verify()
    assert result.ok and result.reconciled["receipts"] == 2


def test_who_voted_counts_as_present_during_the_vote_and_is_marked_at_the_count(rec):
    m, codes, passphrase, _items = rec
    ballot_cast(actor=None, meeting=m, code=codes["中层0"], content={})
    voter = Voter.objects.get(meeting=m, name="中层0")
    assert voter.present is False  # nothing written to the voter's row by the cast
    officer = m.created_by
    assert meeting_progress(actor=officer, meeting=m).present == 1
    row = next(r for r in meeting_roster(actor=officer, meeting=m) if r["name"] == "中层0")
    assert row["present"] and row["voted"]
    closed = meeting_close(actor=officer, meeting=m, passphrase=passphrase)
    voter.refresh_from_db()
    assert voter.present is True and closed.snapshot["present"] == 1


def test_verify_finds_a_receipt_forged_during_the_vote(rec):
    m, codes, _p, _items = rec
    ballot_cast(actor=None, meeting=m, code=codes["中层0"], content={})
    # Ballot stuffing by someone with the database but not the journal key.
    voter = Voter.objects.get(meeting=m, name="中层1")
    Participation.objects.create(meeting=m, voter=voter)
    Receipt.objects.create(meeting=m, code="ZZZZZZZZZZ", mac="0" * 64)
    result = journal_verify()
    kinds = [f.kind for f in result.findings]
    assert not result.ok and kinds.count("receipt") >= 1
    assert "日志校验码不符" in result.reason


def test_verify_finds_a_cast_without_its_receipt(rec):
    m, codes, _p, _items = rec
    ballot_cast(actor=None, meeting=m, code=codes["中层0"], content={})
    Receipt.objects.filter(meeting=m).delete()
    result = journal_verify()
    assert not result.ok and "已有 1 人投票，回执却有 0 张" in result.reason


def test_verify_finds_a_receipt_removed_after_the_count(rec):
    m, codes, passphrase, _items = rec
    for n in ("中层0", "中层1"):
        ballot_cast(actor=None, meeting=m, code=codes[n], content={})
    meeting_close(actor=m.created_by, meeting=m, passphrase=passphrase)
    assert journal_verify().ok
    Receipt.objects.filter(meeting=m).first().delete()
    result = journal_verify()
    assert not result.ok and "计票后回执被增删或改动" in result.reason


def test_a_receipt_without_mac_from_before_the_change_is_not_a_finding(rec):
    m, codes, _p, _items = rec
    ballot_cast(actor=None, meeting=m, code=codes["中层0"], content={})
    # A meeting opened before decision 0101: no frozen shape, receipts unMACed.
    type(m).objects.filter(pk=m.pk).update(ballot_shape={})
    Receipt.objects.filter(meeting=m).update(mac="")
    assert journal_verify().ok
    # ...and casting into it still works (the shape is read from the tables).
    ballot_cast(actor=None, meeting=m, code=codes["中层1"], content={})
    assert Receipt.objects.filter(meeting=m).count() == 2


def test_abandoning_records_the_fold_of_the_discarded_receipts(rec):
    m, codes, _p, _items = rec
    ballot_cast(actor=None, meeting=m, code=codes["中层0"], content={})
    meeting_abandon(actor=m.created_by, meeting=m, reason="名单有误")
    event = Event.objects.filter(event_type=EventType.MEETING_UPDATED).latest("id")
    assert event.payload["receipts"] == 1 and len(event.payload["receipts_digest"]) == 64
    assert not Receipt.objects.exists()
    with pytest.raises(NotFound):
        ballot_cast(actor=None, meeting=m, code=codes["中层1"], content={})
    assert journal_verify().ok


def test_a_decision_voter_not_present_is_refused(decision_world):
    w = decision_world(15)
    (c,) = w.candidates
    w.create()
    w.attend(w.members[:10])
    w.open()
    with pytest.raises(Conflict, match="尚未登记到会"):
        w.cast(w.members[12], {c: "agree"})
    assert not Participation.objects.exists()
