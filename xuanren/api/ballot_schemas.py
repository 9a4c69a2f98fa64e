"""Request and response shapes of the ballot endpoints (投票会议、名单、进度、
投票、纸质票录入、计票结果). Statuses are stable codes."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from xuanren.ballots.models import Meeting


class DecisionMeetingIn(Schema):
    case: int
    meeting_date: dt.date
    method: Literal["electronic", "paper"] = "electronic"
    paper_mode: Literal["sheets", "counts"] = "sheets"
    sheet_count: int = Field(0, ge=0)


class ItemIn(Schema):
    name: str
    cadre: int | None = None


class SectionIn(Schema):
    title: str = ""
    post: int | None = None
    max_choices: int | None = None
    write_ins: bool = False
    items: list[ItemIn] = []


class VoterIn(Schema):
    name: str
    group: str = ""
    user: int | None = None


class MeetingIn(Schema):
    kind: Literal["recommendation", "evaluation"]
    title: str
    unit: int
    case: int | None = None
    meeting_date: dt.date
    method: Literal["electronic", "paper"] = "electronic"
    paper_mode: Literal["sheets", "counts"] = "sheets"
    sheet_count: int = Field(0, ge=0)
    scale: Literal["grades", "satisfaction"] = "grades"
    record_kind: Literal["meeting", "talk"] = "meeting"
    sections: list[SectionIn]
    voters: list[VoterIn]


class MeetingOut(Schema):
    id: int
    kind: str
    title: str
    unit: int
    case: int | None
    meeting_date: dt.date
    method: str
    paper_mode: str
    status: str
    ballot_digest: str
    applied_step: int | None
    abandon_reason: str = ""
    seat_choice: list[dict[str, Any]] = []


def meeting_row(m: Meeting) -> dict[str, Any]:
    return {
        "id": m.pk,
        "kind": m.kind,
        "title": m.title,
        "unit": m.unit_id,
        "case": m.case_id,
        "meeting_date": m.meeting_date,
        "method": m.method,
        "paper_mode": m.paper_mode,
        "status": m.status,
        "ballot_digest": m.ballot_digest,
        "applied_step": m.applied_step_id,
        "abandon_reason": m.abandon_reason,
        "seat_choice": m.seat_choice,
    }


class RosterOut(Schema):
    id: int
    name: str
    group: str
    present: bool
    voted: bool
    has_code: bool
    recused_from: list[str]


class AttendanceIn(Schema):
    present: list[int]


class CodesIn(Schema):
    voters: list[int] | None = None


class CodeOut(Schema):
    voter: int
    name: str
    code: str


class ProgressOut(Schema):
    voted: int
    entitled: int
    present: int
    status: str


class BallotIn(Schema):
    code: str = ""
    content: dict[str, Any]


class ReceiptOut(Schema):
    receipt: str


class CodeIn(Schema):
    code: str


class CountKeyOut(Schema):
    """The count passphrase in two halves, shown this once and never stored."""

    first_half: str
    second_half: str


class CloseIn(Schema):
    """The tellers' count passphrase (both halves, in order); empty for paper."""

    passphrase: str = ""


class PaperIn(Schema):
    serial: str = ""
    content: dict[str, Any]


class PaperOut(Schema):
    id: int
    serial: str
    resolution: bool


class DeferralIn(Schema):
    item: int
    votes: int = Field(ge=0)


class ResultOut(Schema):
    result: dict[str, Any]
    receipts: list[str]
    ballots: list[str]
    ballot_digest: str
    snapshot: dict[str, Any]


class ApplyIn(Schema):
    extra: dict[str, Any] = {}
    on: dt.date | None = None


class ApplyOut(Schema):
    case: int
    step: str
    record: int


class BallotFormOut(Schema):
    meeting: int
    title: str
    kind: str
    status: str
    options: list[list[str]]
    sections: list[dict[str, Any]]


class OpenBallotOut(Schema):
    """A meeting voting now in which the caller may vote with their own login."""

    meeting: int
    title: str
    kind: str
    meeting_date: dt.date
    present: bool
    recused_from: list[str]


class AbandonIn(Schema):
    reason: str


class SeatChoiceIn(Schema):
    post: int
    candidates: list[int]
    reason: str


class SeatsIn(Schema):
    choices: list[SeatChoiceIn]


class PassedOut(Schema):
    candidate: int
    name: str
    agree: int


class SeatsOverOut(Schema):
    """A post whose passed candidates outnumber its seats; `expected` are
    those who take the seats by agreeing votes (empty on a tie)."""

    post: int
    post_name: str
    seats: int
    passed: list[PassedOut]
    expected: list[int]
    tied: list[str]
