"""Thirteen years of past selection work for the demo county, at the rates
seed §8 reports (issue 14, docs/decisions/0123): 88 decision meetings of the
standing committee; about 3,150 candidates (人次) put to them, 82 deferred
(≈2.6%) and 5 rejected; about 1.2% of the ballots against or abstaining; one
integrity veto; 32 reports, 7 investigated; 43 on probation, 1 removed; of
the deferred, some put again and passed later and 10 punished later.

Written as the real records — one closed case per meeting (历史批次) with its
candidates, its integrity opinion, decision and probation step records, its
public notice, the reports received — in bulk, except the journal: every
step record gets its STEP_COMPLETED event (marked `history`) through
`journal_record`, so `xuanren journal verify` reconciles them
as it does any record. Deterministic (one seed); skipped when the history is
there already.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from xuanren.common.dates import SHANGHAI
from xuanren.journal.models import EventType
from xuanren.journal.services import journal_record
from xuanren.org.models import Post, Unit
from xuanren.people.models import Cadre, CadreStatus, RecordCategory, RecordKind, RewardPunishment
from xuanren.procedure.models import (
    Candidate,
    CandidateStatus,
    Case,
    CasePost,
    CaseStatus,
    CaseStep,
    Committee,
    ProcedureTemplate,
)
from xuanren.supervision.models import Finding, PublicNotice, Report, ReportSource, ReportStatus

YEARS = 13
MEETINGS = 88
PUT_TO_VOTE = 3154  # 82 deferrals are 2.6% of it
DEFERRED = 82
REJECTED = 5
AGAINST_SHARE = (12, 1000)  # of the ballots, against or abstaining (≈1.2%)
REPORTS, INVESTIGATED = 32, 7
ON_PROBATION, REMOVED = 43, 1
PUNISHED_AFTER_DEFERRAL = 10
PASSED_AFTER_DEFERRAL = 55
MEMBERS = 11
NUMBER_PREFIX = "LS"  # 历史: apart from the XR numbers case_open gives


@dataclass
class _Slot:
    cadre: Cadre
    post: Post
    outcome: str  # passed / deferred / rejected / excluded (integrity veto)
    candidate: Candidate | None = None
    votes: tuple[int, int, int] = (0, 0, 0)


@dataclass
class _Meeting:
    day: dt.date
    present: int
    slots: list[_Slot] = field(default_factory=list)
    case: Case | None = None


def _at(day: dt.date, hour: int = 16) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)


def _workday(rng: random.Random, year: int, taken: set[dt.date]) -> dt.date:
    while True:
        day = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(20, 350))
        if day.weekday() < 5 and day not in taken:
            taken.add(day)
            return day


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    base, extra = divmod(total, parts)
    sizes = [base] * parts
    for i in rng.sample(range(parts), extra):
        sizes[i] += 1
    return sizes


def history_exists() -> bool:
    return Case.objects.filter(number__startswith=NUMBER_PREFIX).exists()


def build_selection_history(
    *, officer: Any, jiwei: Any, root: Unit, committee: Committee, on: dt.date, seed: int = 14
) -> int:
    """Write the history before `on`'s year; the number of cases written
    (0 when it exists, or when the county has too few cadres or posts)."""
    if history_exists():
        return 0
    rng = random.Random(seed)
    members = set(committee.memberships.exclude(cadre=None).values_list("cadre_id", flat=True))
    cadres = list(
        Cadre.objects.filter(unit__path__startswith=root.path, status=CadreStatus.ACTIVE)
        .exclude(pk__in=members)
        .only("pk", "name")
        .order_by("pk")
    )
    posts = list(
        Post.objects.filter(unit__path__startswith=root.path).select_related("unit").order_by("pk")
    )
    template = ProcedureTemplate.objects.filter(code="county-leading").order_by("-version").first()
    if len(cadres) < 500 or not posts or template is None:
        return 0
    meetings = _plan(rng, cadres, posts, on)
    with transaction.atomic():
        _write(rng, meetings, officer=officer, jiwei=jiwei, root=root, committee=committee,
               template=template, on=on)  # fmt: skip
    return len(meetings)


def _plan(
    rng: random.Random, cadres: Sequence[Cadre], posts: Sequence[Post], on: dt.date
) -> list[_Meeting]:
    """Meetings, their candidates and outcomes, and the ballots, in order."""
    first = on.year - YEARS
    per_year = _split(MEETINGS, YEARS, rng)
    taken: set[dt.date] = set()
    days = sorted(
        _workday(rng, first + y, taken) for y, n in enumerate(per_year) for _i in range(n)
    )
    sizes = _split(PUT_TO_VOTE, MEETINGS, rng)
    slots_total = sum(sizes)
    deferred = set(rng.sample(range(slots_total), DEFERRED))
    rejected = set(rng.sample(sorted(set(range(slots_total)) - deferred), REJECTED))
    meetings: list[_Meeting] = []
    index = 0
    pool = list(cadres)  # the deferred leave it: never drawn again by chance
    for day, size in zip(days, sizes, strict=True):
        m = _Meeting(day=day, present=MEMBERS if rng.random() < 0.8 else MEMBERS - 1)
        for cadre in rng.sample(pool, size):
            outcome = "deferred" if index in deferred else "rejected" if index in rejected else ""
            m.slots.append(_Slot(cadre, rng.choice(posts), outcome or "passed"))
            if outcome == "deferred":
                pool.remove(cadre)
            index += 1
        meetings.append(m)
    # Some of the deferred are put to one of the next meetings and pass: they
    # take the place of somebody passed there (the totals stay as planned).
    events = [(i, s) for i, m in enumerate(meetings) for s in m.slots if s.outcome == "deferred"]
    for i, s in rng.sample(events, min(PASSED_AFTER_DEFERRAL, len(events))):
        if i + 1 >= len(meetings):
            continue
        later = meetings[rng.randrange(i + 1, min(i + 4, len(meetings)))]
        there = {t.cadre.pk for t in later.slots}
        if s.cadre.pk in there:
            continue
        place = rng.choice([t for t in later.slots if t.outcome == "passed"])
        place.cadre = s.cadre
    # One integrity veto (廉政鉴定，否决1名): a candidate left out before the vote.
    vetoed = rng.choice(meetings[: MEETINGS // 2])
    cadre = rng.choice(cadres)
    vetoed.slots.append(_Slot(cadre, rng.choice(posts), "excluded"))
    _ballots(rng, meetings)
    return meetings


def _ballots(rng: random.Random, meetings: list[_Meeting]) -> None:
    """Agree / disagree / abstain per candidate: a rejected one gets fewer
    than a majority of the members; of all ballots about 1.2% are against or
    abstaining, spread over the passed ones without taking any below it."""
    voted = [(m, s) for m in meetings for s in m.slots if s.outcome in ("passed", "rejected")]
    total = sum(m.present for m, _s in voted)
    target = total * AGAINST_SHARE[0] // AGAINST_SHARE[1]
    need = MEMBERS // 2 + 1
    marks: dict[int, list[int]] = {}  # id(slot) → [disagree, abstain]
    for m, s in voted:
        if s.outcome == "rejected":
            agree = rng.randrange(need - 3, need)
            disagree = rng.randrange(0, m.present - agree + 1)
            marks[id(s)] = [disagree, m.present - agree - disagree]
            target -= m.present - agree
        else:
            marks[id(s)] = [0, 0]
    passed = [(m, s) for m, s in voted if s.outcome == "passed"]
    while target > 0:
        m, s = rng.choice(passed)
        d = marks[id(s)]
        if m.present - d[0] - d[1] - 1 < need:
            continue
        d[0 if rng.random() < 0.55 else 1] += 1
        target -= 1
    for m, s in voted:
        disagree, abstain = marks[id(s)]
        s.votes = (m.present - disagree - abstain, disagree, abstain)


def _write(
    rng: random.Random,
    meetings: list[_Meeting],
    *,
    officer: Any,
    jiwei: Any,
    root: Unit,
    committee: Committee,
    template: ProcedureTemplate,
    on: dt.date,
) -> None:
    serial: dict[int, int] = {}
    cases = []
    for m in meetings:
        serial[m.day.year] = serial.get(m.day.year, 0) + 1
        n = serial[m.day.year]
        opened = _at(m.day - dt.timedelta(days=60), 9)
        m.case = Case(
            number=f"{NUMBER_PREFIX}{m.day.year}-{n:03d}",
            title=f"{m.day.year}年第{n}批干部调整（历史记录）",
            template=template,
            unit=root,
            committee=committee,
            reference_date=m.day - dt.timedelta(days=60),
            officer=officer,
            status=CaseStatus.CLOSED,
            current_step="",
            opened_at=opened,
            last_activity_at=_at(m.day + dt.timedelta(days=20)),
        )
        cases.append(m.case)
    Case.objects.bulk_create(cases)
    case_posts = []
    candidates = []
    status = {
        "passed": CandidateStatus.APPOINTED,
        "deferred": CandidateStatus.DEFERRED,
        "rejected": CandidateStatus.REJECTED,
        "excluded": CandidateStatus.EXCLUDED,
    }
    for m in meetings:
        assert m.case is not None
        for post in {s.post.pk: s.post for s in m.slots}.values():
            case_posts.append(CasePost(case=m.case, post=post, seats=1))
        for s in m.slots:
            s.candidate = Candidate(
                case=m.case, cadre=s.cadre, post=s.post, status=status[s.outcome],
                added_at_step="recommendation",
            )  # fmt: skip
            candidates.append(s.candidate)
    CasePost.objects.bulk_create(case_posts)
    Candidate.objects.bulk_create(candidates)
    probation = _probation(rng, meetings, on)
    seats = list(committee.memberships.order_by("pk").values_list("pk", flat=True))
    for m in meetings:
        assert m.case is not None
        _step(m.case, 1, "integrity_opinion", m.day - dt.timedelta(days=3), jiwei,
              _integrity_data(m))  # fmt: skip
        _step(m.case, 2, "decision", m.day, officer, _decision_data(m, seats),
              derived={"result_sheet": _sheet(m)})  # fmt: skip
        rows = probation.get(id(m), [])
        if rows:
            day = max(dt.date.fromisoformat(r["assessed_on"]) for r in rows)
            _step(m.case, 3, "probation_end", day, officer, {"assessments": rows})
    _notices_and_reports(rng, meetings, officer=officer, jiwei=jiwei)
    _punishments(rng, meetings, on)


def _step(
    case: Case,
    seq: int,
    step: str,
    day: dt.date,
    actor: Any,
    data: dict[str, Any],
    derived: dict[str, Any] | None = None,
) -> None:
    record = CaseStep.objects.create(
        case=case, step=step, seq=seq, completed_by=actor, completed_at=_at(day), data=data,
        note="历史记录", journal_hash="",
    )  # fmt: skip
    event = journal_record(
        actor=actor,
        event_type=EventType.STEP_COMPLETED,
        subject=case,
        payload={"step": step, "seq": seq, "record": record.pk, "data": data,
                 "note": record.note, "history": True},
    )  # fmt: skip
    CaseStep.objects.filter(pk=record.pk).update(
        journal_hash=event.hash, data={**data, **(derived or {})}
    )


def _integrity_data(m: _Meeting) -> dict[str, Any]:
    returned = (m.day - dt.timedelta(days=3)).isoformat()
    return {
        "request_document": f"历史〔{m.day.year}〕征求意见",
        "requested_on": (m.day - dt.timedelta(days=10)).isoformat(),
        "planned_meeting_date": m.day.isoformat(),
        "opinions": [
            {
                "candidate": s.candidate.pk,  # type: ignore[union-attr]
                "result": "failed" if s.outcome == "excluded" else "passed",
                "returned_on": returned,
                "document": "",
                "reason": "廉政鉴定未通过" if s.outcome == "excluded" else "",
            }
            for s in m.slots
        ],
    }


def _decision_data(m: _Meeting, members: list[int]) -> dict[str, Any]:
    return {
        "meeting_date": m.day.isoformat(),
        "present": members[: m.present],
        "votes": [
            {"candidate": s.candidate.pk, "post": s.post.pk, "agree": s.votes[0],  # type: ignore[union-attr]
             "disagree": s.votes[1], "abstain": s.votes[2],
             "defer_votes": m.present if s.outcome == "deferred" else 0, "recused": []}
            for s in m.slots if s.outcome != "excluded"
        ],
    }  # fmt: skip


def _sheet(m: _Meeting) -> dict[str, Any]:
    return {
        "meeting_date": m.day.isoformat(),
        "members_count": MEMBERS,
        "present_count": m.present,
        "quorum_needed": -(-MEMBERS * 2 // 3),
        "candidates": [
            {"candidate": s.candidate.pk, "cadre": s.cadre.pk, "name": s.cadre.name,  # type: ignore[union-attr]
             "post": s.post.pk, "outcome": s.outcome, "status": s.outcome,
             "agree": s.votes[0], "disagree": s.votes[1], "abstain": s.votes[2],
             "defer_votes": m.present if s.outcome == "deferred" else 0, "recused": [],
             "eligible_voters": m.present, "needed": MEMBERS // 2 + 1}
            for s in m.slots if s.outcome != "excluded"
        ],
    }  # fmt: skip


def _probation(
    rng: random.Random, meetings: list[_Meeting], on: dt.date
) -> dict[int, list[dict[str, Any]]]:
    """43 of the passed, assessed a year after their meeting (before `on`'s
    year, so the thirteen years hold them all); 1 removed."""
    pool = [
        (m, s)
        for m in meetings
        for s in m.slots
        if s.outcome == "passed" and m.day + dt.timedelta(days=370) < dt.date(on.year, 1, 1)
    ]
    chosen = rng.sample(pool, ON_PROBATION)
    removed = {id(s) for _m, s in rng.sample(chosen, REMOVED)}
    out: dict[int, list[dict[str, Any]]] = {}
    changed = []
    for m, s in chosen:
        assert s.candidate is not None
        competent = id(s) not in removed
        s.candidate.status = CandidateStatus.CONFIRMED if competent else CandidateStatus.REMOVED
        changed.append(s.candidate)
        row: dict[str, Any] = {
            "candidate": s.candidate.pk,
            "result": "competent" if competent else "not_competent",
            "assessed_on": (m.day + dt.timedelta(days=370)).isoformat(),
            "document": "" if competent else f"历史〔{m.day.year + 1}〕免职",
            "restore_level": None,
            "restore_level_since": None,
        }
        out.setdefault(id(m), []).append(row)
    Candidate.objects.bulk_update(changed, ["status"])
    return out


def _notices_and_reports(
    rng: random.Random, meetings: list[_Meeting], *, officer: Any, jiwei: Any
) -> None:
    notices = []
    for m in meetings:
        start = m.day + dt.timedelta(days=3)
        names = [
            {"name": s.cadre.name, "proposed_post": str(s.post)}
            for s in m.slots
            if s.outcome == "passed"
        ]
        notices.append(
            PublicNotice(
                case=m.case,
                text=f"{m.day.year}年干部任前公示（历史记录）",
                start=start,
                end=start + dt.timedelta(days=7),
                length=5,
                unit="working_days",
                persons=names[:50],
                channels=["举报电话：12380"],
                published_by=officer,
                published_at=_at(start, 9),
            )
        )
    PublicNotice.objects.bulk_create(notices)
    reports = []
    investigated = set(rng.sample(range(REPORTS), INVESTIGATED))
    for i, (m, notice) in enumerate(
        sorted(
            rng.sample(list(zip(meetings, notices, strict=True)), REPORTS), key=lambda x: x[0].day
        )
    ):
        s = rng.choice([s for s in m.slots if s.outcome == "passed"])
        received = _at(notice.start + dt.timedelta(days=rng.randrange(0, 5)), 10)
        looked = i in investigated
        assert m.case is not None
        token = f"history-report-{m.case.number}-{i}"
        reports.append(
            Report(
                notice=notice,
                case=m.case,
                candidate=s.candidate,
                about_name=s.cadre.name,
                content="反映该同志工作作风问题（历史记录）。",
                source=rng.choice([ReportSource.LETTER, ReportSource.PHONE, ReportSource.VISIT]),
                receipt_hash=hashlib.sha256(token.encode()).hexdigest(),
                status=ReportStatus.CLOSED,
                registered_by=officer,
                received_at=received,
                assigned_to=jiwei if looked else None,
                assigned_at=received + dt.timedelta(days=1) if looked else None,
                joint_with_discipline=looked,
                investigating_at=received + dt.timedelta(days=2) if looked else None,
                investigation_note="经调查核实，反映问题不属实。" if looked else "",
                finding=Finding.NONE,
                finding_text="不影响任用。" if looked else "反映内容不具体，经初核不影响任用。",
                closed_by=jiwei if looked else officer,
                closed_at=received + dt.timedelta(days=5),
            )
        )
    Report.objects.bulk_create(reports)


def _punishments(rng: random.Random, meetings: list[_Meeting], on: dt.date) -> None:
    """10 of the deferred, never put again, punished later (seed §8: 82名…10名
    犯了错误), long enough ago that no punishment is in force on `on`."""
    put_again = {s.cadre.pk for m in meetings for s in m.slots if s.outcome == "passed"}
    # (A deferred cadre is drawn again only when put again on purpose, _plan.)
    pool = [
        (m, s)
        for m in meetings
        for s in m.slots
        if s.outcome == "deferred"
        and s.cadre.pk not in put_again
        and m.day + dt.timedelta(days=900) < on
    ]
    rows = []
    for m, s in rng.sample(pool, min(PUNISHED_AFTER_DEFERRAL, len(pool))):
        decided = m.day + dt.timedelta(days=rng.randrange(90, 400))
        rows.append(
            RewardPunishment(
                cadre=s.cadre,
                kind=RecordKind.PUNISHMENT,
                category=rng.choice(
                    [RecordCategory.PARTY_DISCIPLINE, RecordCategory.GOVERNMENT_SANCTION]
                ),
                title="党内警告处分",
                decided_on=decided,
                effect_until=decided + dt.timedelta(days=365),
                document=f"历史〔{decided.year}〕处分",
            )
        )
    RewardPunishment.objects.bulk_create(rows)
