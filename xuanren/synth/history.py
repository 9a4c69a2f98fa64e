"""Thirteen years of past selection work for the demo county, at the rates
seed §8 reports (issue 14, docs/decisions/0123): 88 decision meetings of the
standing committee; about 3,150 candidates (人次) put to them, 82 deferred
(≈2.6%) and 5 rejected; about 1.2% of the ballots against or abstaining; one
integrity veto; 32 reports, 7 investigated; 43 on probation, 1 removed; of
the deferred, some put again and passed later and 10 punished later.

Written as the real records — one closed case per meeting (历史批次) with its
candidates, a record of every step of the procedure up to the appointment
talk (and the probation assessment), its public notice, the reports
received — in bulk. Every step record gets its STEP_COMPLETED event (marked
`history`) through `journal_record_many`, so `xuanren journal verify`
reconciles them as it does any record. Deterministic (one seed); skipped
when the history is there already.

The procedures are complete and every appointed candidate meets the rules in
force on the decision day (the policy app's own `evaluate`), so a 回头看 over
a past year finds only the few flaws put there on purpose, each year
(docs/decisions/0133): one appointment whose candidate did not meet a rule
that day; one case with a step left out of its 纪实; one case whose
procedure was irregular (the appointment made before the notice period
ended, or the decision taken without its quorum); one cadre whose education
records name a higher education than their record; and one cadre whose work
start date was corrected after entry (修改干部信息). The flawed cases decide
one appointment each, so each flaw is one finding.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from xuanren.common.dates import SHANGHAI
from xuanren.common.errors import DomainError
from xuanren.journal.models import EventType
from xuanren.journal.services import journal_record_many, update_many
from xuanren.org.models import Post, Unit
from xuanren.people.models import (
    Cadre,
    CadreStatus,
    Education,
    EducationKind,
    RecordCategory,
    RecordKind,
    RewardPunishment,
)
from xuanren.people.services import cadre_update
from xuanren.policy.kept import kept_facts_refresh
from xuanren.policy.models import RulePack
from xuanren.policy.packs import packs_in_force
from xuanren.policy.rules import EDUCATION_RANK, CadreFacts, Rule, facts_at, fails
from xuanren.policy.selectors import _parsed, cadre_facts, pack_codes_for_posts, post_facts
from xuanren.procedure.models import (
    Candidate,
    CandidateStatus,
    Case,
    CasePost,
    CaseStatus,
    CaseStep,
    Committee,
    CommitteeMembership,
    ProcedureTemplate,
)
from xuanren.procedure.recusal import conflicts
from xuanren.reminders.kept import reminders_refresh
from xuanren.supervision.models import Finding, PublicNotice, Report, ReportSource, ReportStatus
from xuanren.synth.data import MALE_CHARS, SURNAMES
from xuanren.workdays.selectors import notice_period_end

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
HELD_OUT = 2 * PUNISHED_AFTER_DEFERRAL  # deferred never put again
MEMBERS = 11
NUMBER_PREFIX = "LS"  # 历史: apart from the XR numbers case_open gives


#: Per year, the flawed cases' kinds (one appointment each) and the steps a
#: step-missing case leaves out, in turn.
FLAWED_CASES = ("step_missing", "procedure")
LEFT_OUT = ("publication", "inspection_notice", "audit", "deliberation", "plan")
#: The steps recorded, each dated from the meeting (days before it; the
#: notice and the steps after it follow the notice).
BEFORE_MEETING = {
    "motion": 58, "plan": 55, "publication": 50, "recommendation": 42, "candidates": 36,
    "inspection_notice": 32, "inspection": 25, "integrity_opinion": 3, "audit": 2,
    "deliberation": 1, "decision": 0,
}  # fmt: skip
NOTICE_DAYS = 7
MAX_RANK = max(EDUCATION_RANK.values())  # the template's notice length (calendar days)


@dataclass
class _Slot:
    cadre: Cadre
    post: Post
    outcome: str  # passed / deferred / rejected / excluded (integrity veto)
    candidate: Candidate | None = None
    votes: tuple[int, int, int] = (0, 0, 0)
    flaw: str = ""  # rule / archive / record_changed: the deliberate flaw


@dataclass
class _Meeting:
    day: dt.date
    present: int
    slots: list[_Slot] = field(default_factory=list)
    case: Case | None = None
    flaw: str = ""  # step_missing / procedure: the case's deliberate flaw


class _Rules:
    """Whether a cadre meets a post's rules on a day: the policy app's own
    `evaluate` on the facts of that day (as the 回头看 re-checks), with the
    packs read once and each pack in the version in force that day."""

    def __init__(self, cadres: Any, posts: Sequence[Post]) -> None:
        self.facts = {f.id: f for f in cadre_facts(cadres)}
        self.post_facts = {p.pk: post_facts(p) for p in posts}
        self.codes = pack_codes_for_posts(list(posts))
        self.packs = list(RulePack.objects.all())
        self._in_force: dict[dt.date, dict[str, RulePack]] = {}
        self._rules: dict[tuple[int, tuple[tuple[str, int], ...]], list[Rule]] = {}
        self._at: dict[tuple[int, dt.date], CadreFacts] = {}
        self._last_failed: dict[int, str] = {}

    def rules(self, post_id: int, day: dt.date) -> list[Rule]:
        packs = self._in_force.get(day)
        if packs is None:
            packs = self._in_force[day] = packs_in_force(self.packs, day)
        key = (post_id, tuple(sorted((code, p.pk) for code, p in packs.items())))
        if key not in self._rules:
            found: list[Rule] = []
            for code in sorted(set(self.codes[post_id]) & set(packs)):
                found.extend(_parsed(packs[code].pk, packs[code].sha256))
            # A rule that does not concern the post cannot fail: not evaluated.
            self._rules[key] = [r for r in found if r.concerns(self.post_facts[post_id])]
        return self._rules[key]

    def failed(self, cadre_id: int, post_id: int, day: dt.date, *, all_: bool = False) -> int:
        """How many rules the cadre fails (the first only, unless `all_`)."""
        facts = self._at.get((cadre_id, day))
        if facts is None:
            facts = self._at[(cadre_id, day)] = facts_at(self.facts[cadre_id], day)
        rules = self.rules(post_id, day)
        hint = self._last_failed.get(cadre_id)
        if hint is not None:  # a cadre failing a rule fails it again: try it first
            rules = sorted(rules, key=lambda r: r.id != hint)
        n = 0
        for rule in rules:
            if fails(rule, facts, self.post_facts[post_id], day):
                self._last_failed[cadre_id] = rule.id
                n += 1
                if not all_:
                    break
        return n


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


def _notice_end(start: dt.date) -> dt.date:
    return notice_period_end(start, NOTICE_DAYS, "calendar_days").end


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
    in_county = Cadre.objects.filter(unit__path__startswith=root.path, status=CadreStatus.ACTIVE)
    cadres = list(in_county.exclude(pk__in=members).only("pk", "name").order_by("pk"))
    posts = list(
        Post.objects.filter(unit__path__startswith=root.path).select_related("unit").order_by("pk")
    )
    template = ProcedureTemplate.objects.filter(code="county-leading").order_by("-version").first()
    if len(cadres) < 500 or not posts or template is None:
        return 0
    check = _Rules(in_county.exclude(pk__in=members), posts)
    # Nobody with a recusal link to a member is put (the members in office
    # since the term began would have had to leave the vote).
    linked = {c.candidate_cadre_id for c in conflicts(members, [c.pk for c in cadres])}
    with translation.override(None):  # the rules' sentences are not read: no catalogue look-ups
        meetings = _plan(rng, check, [c for c in cadres if c.pk not in linked], posts, on)
    with transaction.atomic():
        _write(rng, meetings, officer=officer, jiwei=jiwei, root=root, committee=committee,
               template=template, on=on)  # fmt: skip
        _archive_flaws(rng, meetings, officer=officer)
    return len(meetings)


def _pick(
    rng: random.Random,
    check: _Rules,
    cadres: Sequence[Cadre],
    posts: Sequence[Post],
    day: dt.date,
    busy: set[int],
    *,
    failing: int = 0,
) -> tuple[Cadre, Post] | None:
    """A cadre of `cadres` (not `busy`) and a post they meet the rules of on
    `day` (with `failing`: that fail exactly so many rules)."""
    for _i in range(600):
        cadre, post = rng.choice(cadres), rng.choice(posts)
        if cadre.pk in busy:
            continue
        if failing == 0 and check.failed(cadre.pk, post.pk, day) == 0:
            return cadre, post
        if failing and check.failed(cadre.pk, post.pk, day, all_=True) == failing:
            return cadre, post
    return None


def _plan(
    rng: random.Random,
    check: _Rules,
    cadres: Sequence[Cadre],
    posts: Sequence[Post],
    on: dt.date,
) -> list[_Meeting]:
    """Meetings, their candidates and outcomes, and the ballots, in order.
    Everybody put meets the rules on the meeting day; the deliberate flaws
    are marked on their meeting or slot."""
    first = on.year - YEARS
    per_year = _split(MEETINGS, YEARS, rng)
    taken: set[dt.date] = set()
    by_year = [sorted(_workday(rng, first + y, taken) for _i in range(n)) for y, n in enumerate(per_year)]  # fmt: skip
    days = [day for year in by_year for day in year]
    flawed: dict[dt.date, str] = {}
    for year in by_year:
        for day, kind in zip(rng.sample(year, len(FLAWED_CASES)), FLAWED_CASES, strict=True):
            flawed[day] = kind
    normal = [day for day in days if day not in flawed]
    sizes = dict(zip(normal, _split(PUT_TO_VOTE - len(flawed), len(normal), rng), strict=True))
    slots_total = sum(sizes.values())
    deferred = set(rng.sample(range(slots_total), DEFERRED))
    rejected = set(rng.sample(sorted(set(range(slots_total)) - deferred), REJECTED))
    # The cadres of the archive flaws are appointed once only (the archive
    # review reports a cadre at each of their appointments).
    good = {f.id for f in check.facts.values()
            if f.personal_matters_status == "verified" and f.archive_review_status == "passed"}  # fmt: skip
    pool = [c for c in cadres if c.pk in good]
    reserved = rng.sample(pool, 2 * YEARS + 6)
    pool = [c for c in pool if c not in reserved]
    outsiders = [c for c in cadres if c.pk not in good]
    meetings: list[_Meeting] = []
    held_out: set[int] = set()
    index = 0
    for day in days:
        m = _Meeting(day=day, present=MEMBERS if rng.random() < 0.8 else MEMBERS - 1)
        m.flaw = flawed.get(day, "")
        if m.flaw == "procedure" and day.year % 2:
            m.present = 7  # the flaw: fewer than two thirds of the eleven members
        busy: set[int] = set()
        for _i in range(1 if m.flaw else sizes[day]):
            outcome = "passed"
            if not m.flaw:
                outcome = (
                    "deferred"
                    if index in deferred
                    else "rejected"
                    if index in rejected
                    else outcome
                )
                index += 1
            pair = (
                _pick(rng, check, pool, posts, day, busy)
                or _pick(rng, check, outsiders, posts, day, busy)
                or (rng.choice([c for c in cadres if c.pk not in busy]), rng.choice(posts))
            )  # (the last: nobody fits, a finding; not on a county of the demo's size)
            m.slots.append(_Slot(pair[0], pair[1], outcome))
            busy.add(pair[0].pk)
            if outcome == "deferred" and len(held_out) < HELD_OUT and pair[0] in pool:
                # Some of the deferred leave the pool: never put again, they
                # are those punished later (_punishments).
                pool.remove(pair[0])
                held_out.add(pair[0].pk)
        meetings.append(m)
    _flawed_slots(rng, check, meetings, reserved, outsiders, posts)
    # Some of the deferred are put to one of the next meetings and pass: they
    # take the place of somebody passed there (the totals stay as planned),
    # for a post whose rules they meet that day.
    events = [
        (i, s)
        for i, m in enumerate(meetings)
        for s in m.slots
        if s.outcome == "deferred" and s.cadre.pk not in held_out
    ]
    for i, s in rng.sample(events, min(PASSED_AFTER_DEFERRAL, len(events))):
        if i + 1 >= len(meetings):
            continue
        later = meetings[rng.randrange(i + 1, min(i + 4, len(meetings)))]
        there = {t.cadre.pk for t in later.slots}
        if s.cadre.pk in there or later.flaw:
            continue
        places = [t for t in later.slots if t.outcome == "passed" and not t.flaw]
        rng.shuffle(places)
        for place in places[:20]:
            if check.failed(s.cadre.pk, place.post.pk, later.day) == 0:
                place.cadre = s.cadre
                break
    # One integrity veto (廉政鉴定，否决1名): a candidate left out before the vote.
    vetoed = rng.choice([m for m in meetings[: MEETINGS // 2] if not m.flaw])
    there = {s.cadre.pk for s in vetoed.slots}
    vetoed.slots.append(
        _Slot(
            rng.choice([c for c in outsiders if c.pk not in there]), rng.choice(posts), "excluded"
        )
    )
    _ballots(rng, meetings)
    return meetings


def _flawed_slots(
    rng: random.Random,
    check: _Rules,
    meetings: list[_Meeting],
    reserved: list[Cadre],
    outsiders: list[Cadre],
    posts: Sequence[Post],
) -> None:
    """In each year, one passed slot goes to a cadre failing exactly one rule
    that day, and two to cadres of their own (the archive flaws)."""
    years = sorted({m.day.year for m in meetings})
    for year in years:
        held = [m for m in meetings if m.day.year == year and not m.flaw]
        for flaw in ("rule", "archive", "record_changed"):
            m = rng.choice(held)
            busy = {s.cadre.pk for s in m.slots}
            slot = rng.choice([s for s in m.slots if s.outcome == "passed" and not s.flaw])
            if flaw == "rule":
                pair = _pick(rng, check, outsiders, posts, m.day, busy, failing=1)
            elif flaw == "archive":  # an education record above the record's: not a graduate yet
                fit = [c for c in reserved if check.facts[c.pk].education_rank < MAX_RANK]
                pair = _pick(rng, check, fit, posts, m.day, busy)
            else:
                fit = [c for c in reserved if check.facts[c.pk].work_start_date is not None]
                pair = _pick(rng, check, fit, posts, m.day, busy)
            if pair is None:
                continue
            slot.cadre, slot.post, slot.flaw = pair[0], pair[1], flaw
            (outsiders if flaw == "rule" else reserved).remove(pair[0])


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
    # the appointing case of a probation (decision 0195)
    reminders_refresh([c.cadre_id for c in candidates if c.status == CandidateStatus.APPOINTED])
    probation = _probation(rng, meetings, on)
    seats = _terms(rng, committee, meetings[0].day)
    records: list[CaseStep] = []
    entered: list[dict[str, Any]] = []
    for m in meetings:
        assert m.case is not None
        present = [
            pk for pk, start, end in seats if start <= m.day and (end is None or end > m.day)
        ]
        steps = _records(m, present[: m.present], probation.get(id(m), []), officer, jiwei)
        for seq, (step, day, actor, data, extra) in enumerate(steps, start=1):
            # Stored with what completion derives (the result sheet); the
            # event holds the data as entered, as step_complete writes them.
            records.append(
                CaseStep(case=m.case, step=step, seq=seq, completed_by=actor, completed_at=_at(day),
                         data={**data, **extra}, note="历史记录", journal_hash="")
            )  # fmt: skip
            entered.append(data)
    CaseStep.objects.bulk_create(records, batch_size=500)
    for actor in {officer.pk: officer, jiwei.pk: jiwei}.values():
        mine = [
            (r, d) for r, d in zip(records, entered, strict=True) if r.completed_by_id == actor.pk
        ]
        events = journal_record_many(
            actor=actor,
            entries=[
                (EventType.STEP_COMPLETED, r.case,
                 {"step": r.step, "seq": r.seq, "record": r.pk, "data": d, "note": r.note,
                  "history": True})
                for r, d in mine
            ],
        )  # fmt: skip
        for (r, _d), event in zip(mine, events, strict=True):
            r.journal_hash = event.hash
    update_many(CaseStep, ("journal_hash",), [(r.journal_hash, r.pk) for r in records])
    _notices_and_reports(rng, meetings, officer=officer, jiwei=jiwei)
    _punishments(rng, meetings, on)


def _terms(
    rng: random.Random, committee: Committee, first: dt.date
) -> list[tuple[int, dt.date, dt.date | None]]:
    """The committee's memberships (id, start, end), with the earlier terms of
    office (five years each, eleven members, by name) added back to `first`."""
    rows = list(committee.memberships.order_by("pk").values_list("pk", "start_date", "end_date"))
    begun = min((start for _pk, start, _end in rows), default=first)
    added = []
    while begun > first:
        earlier = begun.replace(year=begun.year - 5)
        for _i in range(MEMBERS):
            surname = rng.choice([name for name, _w in SURNAMES[:20]])
            given = "".join(rng.choice(MALE_CHARS) for _j in range(rng.choice((1, 2))))
            added.append(
                CommitteeMembership(committee=committee, name=surname + given,
                                    start_date=earlier, end_date=begun)
            )  # fmt: skip
        begun = earlier
    CommitteeMembership.objects.bulk_create(added)
    return sorted([*rows, *((m.pk, m.start_date, m.end_date) for m in added)])


def _records(
    m: _Meeting,
    present: list[int],
    assessments: list[dict[str, Any]],
    officer: Any,
    jiwei: Any,
) -> list[tuple[str, dt.date, Any, dict[str, Any], dict[str, Any]]]:
    """Every step of the case up to the appointment talk, in the template's
    order (step, day, actor, data, data derived on completion); the flawed
    case leaves one out or completes the notice on its last day."""
    day, year = m.day, m.day.year
    before = {step: day - dt.timedelta(days=n) for step, n in BEFORE_MEETING.items()}
    notice_end = _notice_end(day + dt.timedelta(days=3))
    early = m.flaw == "procedure" and year % 2 == 0  # appointed before the notice ended
    noticed = notice_end if early else notice_end + dt.timedelta(days=1)
    appointed = noticed + dt.timedelta(days=1)
    plan = _("%(y)s年第%(n)s批干部调整方案（历史记录）") % {
        "y": year,
        "n": m.case.number[-3:] if m.case else "",
    }
    out: list[tuple[str, dt.date, Any, dict[str, Any], dict[str, Any]]] = [
        ("motion", before["motion"], officer,
         {"reason": "vacancy", "proposer": _("县委组织部"), "explanation": _("职位空缺，按干部管理权限动议。")}, {}),
        ("plan", before["plan"], officer, {"content": plan}, {}),
        ("publication", before["publication"], officer,
         {"text": _("职位及任职条件公告（历史记录）"), "channels": ["notice_board"],
          "date": before["publication"].isoformat()}, {}),
        ("recommendation", before["recommendation"], officer, {"meetings": []}, {}),
        ("candidates", before["candidates"], officer, {"chosen": []}, {}),
        ("inspection_notice", before["inspection_notice"], officer,
         {"text": _("考察预告（历史记录）"), "published_on": before["inspection_notice"].isoformat()}, {}),
        ("inspection", before["inspection"], officer, {}, {}),
        ("integrity_opinion", before["integrity_opinion"], jiwei, _integrity_data(m), {}),
        ("audit", before["audit"], officer, {"audits": []}, {}),
        ("deliberation", before["deliberation"], officer,
         {"planned_meeting_date": day.isoformat(), "plan_document": plan}, {}),
        ("decision", day, officer, _decision_data(m, present), {"result_sheet": _sheet(m)}),
        ("public_notice", noticed, officer, {}, {}),
        ("appointment", appointed, officer,
         {"document_number": _("历史〔%(y)s〕任字%(n)s号") % {"y": year, "n": m.case.number[-3:] if m.case else ""},
          "document_date": appointed.isoformat()}, {}),
        ("appointment_talk", appointed + dt.timedelta(days=1), officer, {"talks": []}, {}),
    ]  # fmt: skip
    if m.flaw == "step_missing":
        left_out = LEFT_OUT[year % len(LEFT_OUT)]
        out = [row for row in out if row[0] != left_out]
    if assessments:
        last = max(dt.date.fromisoformat(r["assessed_on"]) for r in assessments)
        out.append(("probation_end", last, officer, {"assessments": assessments}, {}))
    return out


def _archive_flaws(rng: random.Random, meetings: list[_Meeting], *, officer: Any) -> None:
    """The archive flaws, written on the cadres put for them: an education
    record naming a higher education than the cadre's record (entered later,
    never reconciled), and a work start date corrected through 修改干部信息
    after the record was entered (the journal keeps the change)."""
    levels = {rank: level for level, rank in EDUCATION_RANK.items()}
    flawed = [(m, s) for m in meetings for s in m.slots if s.flaw in ("archive", "record_changed")]
    for m, s in flawed:
        cadre = Cadre.objects.get(pk=s.cadre.pk)
        if s.flaw == "archive":
            rank = min(cadre.education_rank + 1, MAX_RANK)
            ended = m.day - dt.timedelta(days=rng.randrange(200, 900))
            Education.objects.create(
                cadre=cadre, kind=EducationKind.IN_SERVICE, level=levels[rank],
                school=_("省委党校"), major=_("经济管理"),
                start_date=ended.replace(year=ended.year - 2), end_date=ended,
            )  # fmt: skip
            continue
        assert cadre.work_start_date is not None
        for shift in (-61, 61):
            try:
                cadre_update(
                    actor=officer,
                    cadre=cadre,
                    changes={"work_start_date": cadre.work_start_date + dt.timedelta(days=shift)},
                )
            except DomainError:
                continue
            break


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
    reminders_refresh([c.cadre_id for c in changed])  # assessed: no reminder (decision 0195)
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
                end=_notice_end(start),
                length=NOTICE_DAYS,
                unit="calendar_days",
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
    last_put: dict[int, dt.date] = {}  # each cadre's last meeting
    for m in meetings:
        for s in m.slots:
            last_put[s.cadre.pk] = m.day
    pool = [
        (m, s)
        for m in meetings
        for s in m.slots
        if s.outcome == "deferred"
        and last_put[s.cadre.pk] == m.day  # never put again after it
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
    kept_facts_refresh([row.cadre_id for row in rows])  # decision 0161
