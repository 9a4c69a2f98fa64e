"""Reads for voting meetings. Before a meeting is closed nothing here returns
ballot contents or any count of them — only how many have voted (进度);
`meeting_result` refuses until the close."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from xuanren.access.policy import require_perm, require_unit, unit_scope_q
from xuanren.ballots import counting
from xuanren.ballots.models import (
    BallotMethod,
    EvaluationScale,
    Item,
    Meeting,
    MeetingKind,
    MeetingStatus,
    PaperEntry,
    PaperMode,
    Voter,
)
from xuanren.common.errors import Conflict, NotFound
from xuanren.procedure import tally
from xuanren.procedure.guards.selection import PARTICIPANT_GROUPS
from xuanren.procedure.models import Candidate, CandidateStatus, CasePost

# ---- meetings ---------------------------------------------------------------------------


def meeting_list(*, actor: Any, case_id: int | None = None) -> QuerySet[Meeting]:
    require_perm(actor, "ballots.view_meeting")
    qs = Meeting.objects.filter(unit_scope_q(actor, prefix="unit__")).select_related("case")
    if case_id is not None:
        qs = qs.filter(case_id=case_id)
    return qs


def case_meetings_unfinished(case_id: int) -> QuerySet[Meeting]:
    """A case's meetings being set up or voting: they end with the case when
    it is terminated or withdrawn (docs/decisions/0077)."""
    return Meeting.objects.filter(
        case_id=case_id, status__in=[MeetingStatus.SETUP, MeetingStatus.OPEN]
    ).order_by("pk")


def meeting_get(*, actor: Any, pk: int) -> Meeting:
    meeting = Meeting.objects.select_related("unit", "case", "case__template").filter(pk=pk).first()
    if meeting is None:
        raise NotFound(_("投票会议不存在。"))
    try:
        require_unit(actor, "ballots.view_meeting", meeting.unit)
    except Exception as exc:
        raise NotFound(_("投票会议不存在。")) from exc
    return meeting


def meeting_voting(*, pk: int) -> Meeting:
    """For the voter's page and the voting endpoints (a code is the
    credential): the meeting only while its vote is open, never its ballots.
    A meeting being set up, counted or not there at all is one answer."""
    meeting = Meeting.objects.filter(pk=pk, status=MeetingStatus.OPEN).first()
    if meeting is None:
        raise NotFound(_("没有正在投票的会议：请核对投票页面地址，或向工作人员确认投票时间。"))
    return meeting


@dataclass(frozen=True)
class OpenBallot:
    """A meeting in which `user` may vote now with their own login."""

    meeting: Meeting
    present: bool  # recorded present (a decision meeting needs it to vote)
    recused_from: tuple[str, ...]  # names this voter does not vote on


def open_ballots_for(user: Any) -> list[OpenBallot]:
    """The user's open ballots: meetings voting now (status open, electronic)
    whose roster has this login and where they have not voted yet; oldest
    meeting date first. For home pages and 待办 (the "roles" work calls it):
    link each to `reverse("ballots:vote", args=[b.meeting.pk])`.

    A committee member is on a decision meeting's roster when their
    `CommitteeMembership.user` is this login on the meeting date; a
    participant when the meeting was set up with their login. Nothing here
    says what anyone voted; an anonymous user has none."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm("ballots.cast_ballot"):
        return []
    voters = (
        Voter.objects.filter(
            user=user,
            meeting__status=MeetingStatus.OPEN,
            meeting__method=BallotMethod.ELECTRONIC,
            participation__isnull=True,
        )
        .select_related("meeting", "meeting__case")
        .prefetch_related("recusals__item")
        .order_by("meeting__meeting_date", "meeting_id")
    )
    return [
        OpenBallot(
            meeting=v.meeting,
            present=v.present,
            recused_from=tuple(r.item.name for r in v.recusals.all()),
        )
        for v in voters
    ]


def voted_in(voter: Voter) -> bool:
    """Whether this roster entry has voted (never what)."""
    return hasattr(voter, "participation") and voter.participation is not None


@dataclass(frozen=True)
class Passed:
    candidate: int
    name: str
    agree: int


@dataclass(frozen=True)
class SeatsOver:
    """A post for which a counted decision meeting passed more candidates
    than it has seats (decision 0055)."""

    post_id: int
    post_name: str
    seats: int
    passed: tuple[Passed, ...]  # most agreeing votes first
    expected: tuple[int, ...]  # who takes the seats by 差额票决 (empty on a tie)
    tied: tuple[str, ...]  # names tied at the last seat


def seats_over(meeting: Meeting) -> list[SeatsOver]:
    """Posts of a counted decision meeting whose passed candidates outnumber
    the seats still free (planned seats less those approved earlier)."""
    if meeting.kind != MeetingKind.DECISION or meeting.case_id is None:
        return []
    decision = (meeting.result or {}).get("decision") or {}
    rows = [r for r in decision.get("candidates", []) if r.get("outcome") == "passed"]
    if not rows:
        return []
    cands = Candidate.objects.select_related("post", "post__unit", "cadre").in_bulk(
        [r["candidate"] for r in rows if r.get("candidate")]
    )
    seats = dict(CasePost.objects.filter(case_id=meeting.case_id).values_list("post_id", "seats"))
    for post_id in Candidate.objects.filter(
        case_id=meeting.case_id, status=CandidateStatus.APPROVED
    ).values_list("post_id", flat=True):
        seats[post_id] = seats.get(post_id, 0) - 1
    by_post: dict[int, list[tuple[int, Candidate]]] = {}
    for r in rows:
        c = cands.get(r.get("candidate"))
        if c is not None:
            by_post.setdefault(c.post_id, []).append((int(r["agree"]), c))
    out = []
    for post_id, passed in by_post.items():
        n = max(seats.get(post_id, 0), 0)
        if len(passed) <= n:
            continue
        passed.sort(key=lambda row: (-row[0], row[1].pk))
        tied: tuple[str, ...] = ()
        if n and passed[n - 1][0] == passed[n][0]:
            tied = tuple(c.cadre.name for a, c in passed if a == passed[n][0])
        out.append(
            SeatsOver(
                post_id=post_id,
                post_name=str(passed[0][1].post),
                seats=n,
                passed=tuple(Passed(c.pk, c.cadre.name, a) for a, c in passed),
                expected=() if tied else tuple(sorted(c.pk for _a, c in passed[:n])),
                tied=tied,
            )
        )
    return out


@dataclass(frozen=True)
class Progress:
    voted: int
    entitled: int
    present: int
    status: str


def meeting_progress(*, actor: Any, meeting: Meeting) -> Progress:
    """已投 / 应投: how many have voted, never what."""
    require_unit(actor, "ballots.view_meeting", meeting.unit)
    if meeting.method == BallotMethod.PAPER:
        voted = (
            PaperEntry.objects.filter(meeting=meeting, resolution=False)
            .exclude(serial="")
            .values("serial")
            .distinct()
            .count()
        )
    else:
        voted = meeting.participations.count()
    return Progress(
        voted=voted,
        entitled=meeting.voters.count(),
        # A cast does not write attendance (decision 0101): who has voted was
        # there; the count marks them present.
        present=meeting.voters.filter(Q(present=True) | Q(participation__isnull=False)).count(),
        status=meeting.status,
    )


def meeting_roster(*, actor: Any, meeting: Meeting) -> list[dict[str, Any]]:
    """The roster with attendance and whether each has voted (that they voted
    is public at the meeting; what they voted is not)."""
    require_unit(actor, "ballots.view_meeting", meeting.unit)
    voted = set(meeting.participations.values_list("voter_id", flat=True))
    recused: dict[int, list[str]] = {}
    for voter_id, name in Voter.objects.filter(meeting=meeting, recusals__isnull=False).values_list(
        "pk", "recusals__item__name"
    ):
        recused.setdefault(voter_id, []).append(name)
    return [
        {
            "id": v.pk,
            "name": v.name,
            "group": v.group,
            "present": v.present or v.pk in voted,
            "voted": v.pk in voted,
            "has_code": bool(v.code_hash),
            "recused_from": recused.get(v.pk, []),
        }
        for v in meeting.voters.order_by("id")
    ]


def meeting_result(*, actor: Any, meeting: Meeting) -> dict[str, Any]:
    """The published result: only once the meeting is closed."""
    require_unit(actor, "ballots.view_meeting", meeting.unit)
    if meeting.status != MeetingStatus.CLOSED:
        raise Conflict(_("投票尚未结束，结果在计票后公布；现在只能查看投票进度。"))
    return {
        "result": meeting.result,
        "receipts": meeting.receipts,
        "ballots": meeting.published_ballots,
        "ballot_digest": meeting.ballot_digest,
        "snapshot": meeting.snapshot,
    }


def receipt_published(*, meeting: Meeting, receipt: str) -> bool:
    """Anyone holding a receipt may check it is in the published list."""
    from xuanren.ballots.services import clean_code, format_code

    return (
        meeting.status == MeetingStatus.CLOSED
        and format_code(clean_code(receipt)) in meeting.receipts
    )


# ---- the ballot -------------------------------------------------------------------------


def options_of(meeting: Meeting) -> tuple[str, ...]:
    if meeting.kind == MeetingKind.DECISION:
        return counting.DECISION_OPTIONS
    if meeting.kind == MeetingKind.RECOMMENDATION:
        return counting.RECOMMENDATION_OPTIONS
    if meeting.scale == EvaluationScale.SATISFACTION:
        return counting.SATISFACTION
    if meeting.scale == EvaluationScale.SCORE:
        return counting.SCORES
    return counting.GRADES


def groups_of(meeting: Meeting) -> tuple[str, ...]:
    """The voters' groups a paper sheet may name: a score meeting's are its
    roster's (the rater groups of the assessment, decision 0172); any other
    meeting's the regulation's participant groups."""
    if meeting.scale == EvaluationScale.SCORE and meeting.kind == MeetingKind.EVALUATION:
        seen: dict[str, None] = {}
        for group in meeting.voters.order_by("id").values_list("group", flat=True):
            seen.setdefault(group, None)
        return tuple(seen)
    return PARTICIPANT_GROUPS


def score_means(meeting: Meeting) -> dict[str, dict[str, Decimal | None]]:
    """A closed score meeting's mean per name and voters' group (valid ballots
    only; a name left empty on a ballot is not counted): {item: {group: mean}}."""
    groups = meeting.result.get("groups", {})
    out: dict[str, dict[str, Decimal | None]] = {}
    for item in meeting.result.get("items", {}):
        out[item] = {
            g: counting.score_mean(counts.get("items", {}).get(item, {}))
            for g, counts in groups.items()
        }
    return out


def spec_of(meeting: Meeting) -> counting.BallotSpec:
    sections = tuple(
        counting.SectionSpec(str(s.pk), s.max_choices, s.write_ins)
        for s in meeting.sections.order_by("order")
    )
    items = {str(i.pk): str(i.section_id) for i in meeting.items.all()}
    return counting.BallotSpec(sections=sections, items=items, options=options_of(meeting))


def shape_of(meeting: Meeting) -> dict[str, Any]:
    """The ballot's shape: sections (id, limit, write-in slots) in order and
    names (id, section, deferred). Frozen on the meeting when its vote opens
    (`Meeting.ballot_shape`), as nothing of it may change after that."""
    return {
        "sections": [
            [s.pk, s.max_choices, s.write_ins] for s in meeting.sections.order_by("order")
        ],
        "items": [list(row) for row in meeting.items.values_list("pk", "section_id", "deferred")],
    }


def ballot_rules(
    meeting: Meeting, voter: Voter, *, recused: bool = True
) -> tuple[counting.BallotSpec, list[str]]:
    """The ballot's shape and the names this voter may not mark, in as few
    queries as a cast can afford (it is the hot path of a 10,000-voter
    meeting): none for an open meeting's frozen shape, and one for the
    voter's recusals unless `recused` says there are none."""
    shape = meeting.ballot_shape or shape_of(meeting)
    spec = counting.BallotSpec(
        sections=tuple(
            counting.SectionSpec(str(pk), limit, write_ins)
            for pk, limit, write_ins in shape["sections"]
        ),
        items={str(pk): str(section) for pk, section, _d in shape["items"]},
        options=options_of(meeting),
    )
    barred = [str(pk) for pk, _s, deferred in shape["items"] if deferred]
    if meeting.kind == MeetingKind.DECISION and recused:
        barred += [str(pk) for pk in voter.recusals.values_list("item_id", flat=True)]
    return spec, barred


def excluded_items(meeting: Meeting, voter: Voter) -> list[str]:
    """Names this voter may not mark: deferred ones, and those they are recused from."""
    deferred = [str(pk) for pk in meeting.items.filter(deferred=True).values_list("pk", flat=True)]
    recused = [str(pk) for pk in voter.recusals.values_list("item_id", flat=True)]
    return deferred + recused


def ballot_form(meeting: Meeting, voter: Voter | None) -> list[dict[str, Any]]:
    """The ballot as the voter's page shows it."""
    barred = set(excluded_items(meeting, voter)) if voter is not None else set()
    reasons = dict(voter.recusals.values_list("item_id", "reason")) if voter is not None else {}
    options = [(o, str(counting.OPTION_WORDS[o])) for o in options_of(meeting)]
    out = []
    for s in meeting.sections.order_by("order").prefetch_related("items"):
        out.append(
            {
                "id": s.pk,
                "title": s.title,
                "max_choices": s.max_choices,
                "write_ins": s.write_ins,
                "items": [
                    {
                        "id": i.pk,
                        "name": i.name,
                        "barred": str(i.pk) in barred,
                        "why": _("缓议") if i.deferred else reasons.get(i.pk, ""),
                    }
                    for i in s.items.order_by("order")
                ],
            }
        )
    return [{"options": options, "sections": out}]


def meeting_rules(meeting: Meeting) -> tally.Rules:
    """The case template's fractions; the regulation's defaults without a case."""
    if meeting.case is None:
        return tally.Rules()
    params = meeting.case.template.parameters
    values = {}
    for key in ("quorum", "majority", "deferral"):
        raw = params.get(key)
        if raw is not None:
            num, den = (int(x) for x in raw)
            values[key] = tally.Fraction(num, den)
    return tally.Rules(**values)


def serials_of(meeting: Meeting) -> list[str]:
    return [f"{meeting.pk:04d}-{n:04d}" for n in range(1, meeting.sheet_count + 1)]


# ---- paper ------------------------------------------------------------------------------


@dataclass
class PaperState:
    ballots: list[tuple[str, dict[str, Any], bool]] = field(default_factory=list)
    counts: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)
    entered: int = 0
    mismatched: list[str] = field(default_factory=list)
    single: list[str] = field(default_factory=list)


def _settled(entries: list[PaperEntry]) -> tuple[dict[str, Any] | None, str]:
    """What the entries of one sheet agree on: ("mismatch"/"single" if not)."""
    resolved = [e for e in entries if e.resolution]
    if resolved:
        return resolved[0].content, ""
    readings = [e for e in entries if not e.resolution]
    if len(readings) < 2:
        return None, "single"
    a, b = (counting.canonical("", e.content, True) for e in readings[:2])
    if a != b:
        return None, "mismatch"
    return readings[0].content, ""


def paper_sheets_state(meeting: Meeting) -> PaperState:
    """Which sheets are settled (two equal readings by two tellers, or a
    resolution) and the ballots they make; the problems that block the count."""
    state = PaperState()
    spec = spec_of(meeting)
    by_serial: dict[str, list[PaperEntry]] = {}
    for e in PaperEntry.objects.filter(meeting=meeting).order_by("serial", "id"):
        by_serial.setdefault(e.serial, []).append(e)
    if meeting.paper_mode == PaperMode.COUNTS:
        content, why = _settled(by_serial.get("", []))
        if not by_serial:
            state.problems.append(_("尚未录入票数：须由两名计票人分别录入。"))
        elif why == "single":
            state.problems.append(_("票数只录入了一次：须由另一名计票人再录入一次。"))
        elif why == "mismatch":
            state.problems.append(_("两名计票人录入的票数不一致：须复核认定后才能计票。"))
        state.counts = content
        return state
    if not by_serial:
        state.problems.append(_("尚未录入任何纸质票。"))
    deferred = [str(i.pk) for i in meeting.items.filter(deferred=True)]
    for serial, entries in sorted(by_serial.items()):
        state.entered += 1
        content, why = _settled(entries)
        if why == "single":
            state.single.append(serial)
            state.problems.append(
                _("票号 %(s)s 只录入了一次：须由另一名计票人再录入一次。") % {"s": serial}
            )
            continue
        if why == "mismatch":
            state.mismatched.append(serial)
            state.problems.append(
                _("票号 %(s)s 两次录入不一致：须复核认定后才能计票。") % {"s": serial}
            )
            continue
        assert content is not None
        group = str(content.get("group") or "")
        ballot = {"marks": content.get("marks", {}), "write_ins": content.get("write_ins", {})}
        clean, valid = counting.check(spec, ballot, deferred)
        state.ballots.append((group, clean, valid and not content.get("spoiled")))
    return state


# ---- results into the case ---------------------------------------------------------------


def decision_outcomes(
    meeting: Meeting, result: Mapping[str, Any], snapshot: Mapping[str, Any]
) -> dict[str, Any]:
    """Each candidate's counts and outcome by `tally.decide`, over the voters
    who should attend (the roster) and those present."""
    voters = snapshot["voters"]
    members = [str(v["id"]) for v in voters]
    present = [str(v["id"]) for v in voters if v["present"]]
    voted = {v["id"] for v in voters if v["voted"]}
    present_ids = {v["id"] for v in voters if v["present"]}
    paper = meeting.method == BallotMethod.PAPER
    items = list(meeting.items.order_by("section__order", "order").prefetch_related("recusals"))
    votes: dict[str, tally.CandidateVotes] = {}
    rows = []
    for item in items:
        recused = sorted(r.voter_id for r in item.recusals.all())
        took_part = [r for r in recused if (r in present_ids if paper else r in voted)]
        if item.deferred:
            agree = disagree = abstain = 0
        else:
            agree, disagree, abstain = counting.decision_counts(
                result, str(item.pk), len(took_part)
            )
        votes[str(item.pk)] = tally.CandidateVotes(
            agree=agree,
            disagree=disagree,
            abstain=abstain,
            defer_votes=item.defer_votes,
            recused=frozenset(str(r) for r in recused),
        )
        rows.append((item, recused))
    decided = tally.decide(
        members=members, present=present, votes=votes, rules=meeting_rules(meeting)
    )
    return {
        "members": decided.members,
        "present": decided.present,
        "quorum_met": decided.quorum_met,
        "quorum_needed": decided.quorum_needed,
        "candidates": [
            {
                "item": item.pk,
                "candidate": item.candidate_id,
                "name": item.name,
                "agree": decided.results[str(item.pk)].agree,
                "disagree": decided.results[str(item.pk)].disagree,
                "abstain": decided.results[str(item.pk)].abstain,
                "defer_votes": item.defer_votes,
                "recused": recused,
                "eligible_voters": decided.results[str(item.pk)].eligible_voters,
                "needed": decided.results[str(item.pk)].needed,
                "outcome": str(decided.results[str(item.pk)].outcome),
                "outcome_word": str(tally.OUTCOME_WORDS[decided.results[str(item.pk)].outcome]),
                "sentence": decided.results[str(item.pk)].sentence,
            }
            for item, recused in rows
        ],
    }


def step_data(meeting: Meeting) -> tuple[str, dict[str, Any]]:
    """The case step a closed meeting completes, and its data in the shape
    the step takes (docs/decisions/0013, 0014) plus how it was collected."""
    result = meeting.result
    voters = {v["id"]: v for v in meeting.snapshot.get("voters", [])}
    common: dict[str, Any] = {
        "method": meeting.method,
        "ballot_meeting": meeting.pk,
        "ballot_digest": meeting.ballot_digest,
    }
    if meeting.seat_choice:
        common["seat_choice"] = meeting.seat_choice
    if meeting.kind == MeetingKind.DECISION:
        decision = result["decision"]
        membership = {vid: v["membership"] for vid, v in voters.items()}
        items = {i.pk: i for i in meeting.items.select_related("candidate")}
        return "decision", {
            "meeting_date": meeting.meeting_date.isoformat(),
            "present": [v["membership"] for v in voters.values() if v["present"]],
            "votes": [
                {
                    "candidate": row["candidate"],
                    "post": items[row["item"]].candidate.post_id  # type: ignore[union-attr]
                    if items[row["item"]].candidate_id
                    else None,
                    "agree": row["agree"],
                    "disagree": row["disagree"],
                    "abstain": row["abstain"],
                    "defer_votes": row["defer_votes"],
                    "recused": [membership[r] for r in row["recused"]],
                }
                for row in decision["candidates"]
            ],
            **common,
        }
    participants: dict[str, int] = {}
    for v in voters.values():
        if v["present"] and v["group"]:
            participants[v["group"]] = participants.get(v["group"], 0) + 1
    groups = result.get("groups", {})
    sections = list(meeting.sections.order_by("order").prefetch_related("items"))
    if meeting.kind == MeetingKind.RECOMMENDATION:
        results = []
        for s in sections:
            for item in s.items.order_by("order"):
                if item.cadre_id is None:
                    continue
                for group in sorted(participants):
                    n = groups.get(group, {}).get("items", {}).get(str(item.pk), {})
                    results.append(
                        {
                            "cadre": item.cadre_id,
                            "post": s.post_id,
                            "group": group,
                            "kind": meeting.record_kind,
                            "signed": n.get(counting.CHOSEN, 0),
                        }
                    )
        return "recommendation", {
            "meetings": [
                {
                    "kind": meeting.record_kind,
                    "date": meeting.meeting_date.isoformat(),
                    "participants": participants,
                    "posts": [s.post_id for s in sections if s.post_id],
                }
            ],
            "results": results,
            "write_ins": result.get("write_ins", {}),
            **common,
        }
    results = []
    cases: dict[int | None, int] = {}
    if meeting.case is not None:
        cases = {c.cadre_id: c.post_id for c in meeting.case.candidates.all()}
    for s in sections:
        for item in s.items.order_by("order"):
            for group in sorted(participants):
                g = groups.get(group, {})
                grades = g.get("items", {}).get(str(item.pk), {})
                results.append(
                    {
                        "cadre": item.cadre_id,
                        "post": s.post_id or cases.get(item.cadre_id),
                        "group": group,
                        "votes": sum(grades.values()),
                        "grades": grades,
                    }
                )
    return "evaluation", {
        "meetings": [
            {
                "kind": "meeting",
                "date": meeting.meeting_date.isoformat(),
                "participants": participants,
            }
        ],
        "results": results,
        **common,
    }


def sheet_spec(*, actor: Any, meeting: Meeting) -> Any:
    """The printable sheets' specification for the documents module."""
    from xuanren.documents.ballot_sheets import BallotSheetSpec

    require_unit(actor, "ballots.view_meeting", meeting.unit)
    if meeting.method != BallotMethod.PAPER:
        raise Conflict(_("本次会议使用电子投票，没有纸质票。"))
    items = [
        i.name for i in meeting.items.filter(deferred=False).order_by("section__order", "order")
    ]
    words = [str(counting.OPTION_WORDS[o]) for o in options_of(meeting)]
    sections = list(meeting.sections.all())
    max_choices = (
        sections[0].max_choices
        if len(sections) == 1 and meeting.kind != MeetingKind.DECISION
        else None
    )
    seats = [
        _("%(p)s拟配 %(n)d 人，同意的不得超过 %(n)d 人，超过的为废票。")
        % {"p": s.title, "n": s.max_choices}
        for s in sections
        if s.max_choices
    ]
    instructions = {
        MeetingKind.DECISION: [
            _("同意的在“同意”栏内画“✓”，不同意的在“不同意”栏内画“×”，不画符号的视为弃权。"),
            _("每名人选单独表决。"),
            *seats,
        ],
        MeetingKind.RECOMMENDATION: [
            _("在同意推荐的人选对应栏内画“✓”；可在空白栏内另推荐人选。"),
            _("所推荐人数（含另推荐人选）超过限选人数的为无效票；空白票为有效票。"),
        ],
        MeetingKind.EVALUATION: [_("对每名测评对象只在一个等次栏内画“✓”。")],
    }[MeetingKind(meeting.kind)]
    return BallotSheetSpec(
        title=meeting.title,
        kind=meeting.kind,
        meeting_label=_("%(t)s（%(d)s）") % {"t": meeting.title, "d": meeting.meeting_date},
        serials=serials_of(meeting),
        items=items,
        columns=words if meeting.kind != MeetingKind.RECOMMENDATION else [_("推荐")],
        max_choices=max_choices,
        instructions=instructions,
    )


def voter_for_user(meeting: Meeting, actor: Any) -> Voter | None:
    if not getattr(actor, "is_authenticated", False):
        return None
    return meeting.voters.filter(user=actor).first()


def item_names(meeting: Meeting) -> dict[str, str]:
    return {str(i.pk): i.name for i in Item.objects.filter(meeting=meeting)}
