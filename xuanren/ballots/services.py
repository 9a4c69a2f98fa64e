"""Writes for voting meetings: setup, attendance, deferral, voter codes,
casting, paper entry, close (the tally) and applying a result to its case.

Permissions: `ballots.add_meeting` to set a meeting up, `ballots.change_meeting`
to run it (the teller: attendance, codes, paper entry, close); both held by the
case officer, who is the teller by default (docs/decisions/0020). Voting needs
either a one-time code (the code is the credential) or one's own login on the
roster with `ballots.cast_ballot`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from django.conf import settings
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xuanren.access.policy import has_perm, require_perm, require_unit
from xuanren.ballots import counting, sealing
from xuanren.ballots.models import (
    Ballot,
    BallotMethod,
    EvaluationScale,
    Item,
    Meeting,
    MeetingKind,
    MeetingStatus,
    PaperEntry,
    PaperMode,
    Participation,
    Receipt,
    Recusal,
    SealedBallot,
    Section,
    Voter,
)
from xuanren.ballots.selectors import (
    ballot_rules,
    decision_outcomes,
    groups_of,
    meeting_rules,
    paper_sheets_state,
    seats_over,
    serials_of,
    shape_of,
    spec_of,
)
from xuanren.common import dates
from xuanren.common.errors import (
    Conflict,
    ErrorCollector,
    FieldError,
    NotFound,
    ValidationFailed,
)
from xuanren.common.ratelimit import RateLimit
from xuanren.journal.models import EventType
from xuanren.journal.services import journal_entry_mac, journal_fold, journal_record
from xuanren.org.models import Post, Unit
from xuanren.people.models import Cadre
from xuanren.procedure import tally
from xuanren.procedure.guards.decision import members_on
from xuanren.procedure.guards.selection import PARTICIPANT_GROUPS
from xuanren.procedure.models import Candidate, CandidateStatus, Case, CasePost, CaseStep
from xuanren.procedure.recusal import conflicts

log = logging.getLogger(__name__)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a slip
CODE_LENGTH = 10
RECEIPT_LENGTH = 10


def _random_code(n: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(n))


def format_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def clean_code(raw: str) -> str:
    return "".join(ch for ch in raw.upper() if ch.isalnum())


def code_hash(meeting_id: int, code: str) -> str:
    """Keyed hash: the stored value neither reveals the code nor lets someone
    holding the table alone try all codes."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{meeting_id}:{clean_code(code)}".encode(), hashlib.sha256).hexdigest()


def _locked(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("unit", "case")
        .get(pk=meeting.pk)
    )


def _must_be(meeting: Meeting, *statuses: str) -> None:
    if meeting.status not in statuses:
        words = {
            MeetingStatus.SETUP: _("会议尚未开始投票。"),
            MeetingStatus.OPEN: _("会议正在投票，不能再修改设置。"),
            MeetingStatus.CLOSED: _("会议已结束投票并计票，不能再更改。"),
            MeetingStatus.ABANDONED: _("会议已作废，不能再办理：如需表决请新建会议。"),
        }
        raise Conflict(words[MeetingStatus(meeting.status)])


# ---- setup ------------------------------------------------------------------------------


@transaction.atomic
def meeting_create(
    *,
    actor: Any,
    kind: MeetingKind | str,
    title: str,
    unit: Unit,
    meeting_date: dt.date,
    sections: Sequence[dict[str, Any]],
    voters: Sequence[dict[str, Any]],
    method: BallotMethod | str = BallotMethod.ELECTRONIC,
    paper_mode: PaperMode | str = PaperMode.SHEETS,
    sheet_count: int = 0,
    scale: EvaluationScale | str = EvaluationScale.GRADES,
    case: Case | None = None,
    record_kind: str = "meeting",
    groups: Sequence[str] = (),
) -> Meeting:
    """A meeting with its ballot (`sections`: title, post, max_choices,
    write_ins, items [{name, cadre, candidate}] in the required order) and its
    roster (`voters`: name, group, user, membership). A score meeting
    (decision 0172) is an evaluation whose voters' groups are `groups` (the
    rater groups of an annual assessment) instead of the participant groups."""
    require_unit(actor, "ballots.add_meeting", unit)
    if case is not None:
        require_unit(actor, "procedure.view_case", case.unit)
    out = ErrorCollector()
    if kind not in MeetingKind.values:
        out.add("kind", _("未知的会议类别。"))
    if method not in BallotMethod.values:
        out.add("method", _("投票方式应为电子投票或纸质票。"))
    if paper_mode not in PaperMode.values:
        out.add("paper_mode", _("未知的纸质票录入方式。"))
    if scale not in EvaluationScale.values:
        out.add("scale", _("未知的测评等次。"))
    if not title.strip():
        out.add("title", _("请填写会议名称。"))
    if not sections or not any(s.get("items") or s.get("write_ins") for s in sections):
        out.add("sections", _("选票上至少要有一名人选。"))
    if not voters:
        out.add("voters", _("请填写应参加投票的人员名单。"))
    if method == BallotMethod.PAPER and paper_mode == PaperMode.SHEETS and sheet_count < 1:
        out.add("sheet_count", _("纸质票逐张录入时，请填写印制票数。"))
    if method == BallotMethod.PAPER and sheet_count > 5000:
        out.add("sheet_count", _("印制票数不能超过 5000 张。"))
    for n, s in enumerate(sections, start=1):
        mc = s.get("max_choices")
        if mc is not None and (not isinstance(mc, int) or mc < 1):
            out.add("sections", _("第 %(n)d 栏的限选人数应为正整数。") % {"n": n})
        if kind == MeetingKind.RECOMMENDATION and mc is None:
            out.add("sections", _("推荐票第 %(n)d 栏须注明限选人数。") % {"n": n})
        for item in s.get("items") or []:
            if not str(item.get("name", "")).strip():
                out.add("sections", _("第 %(n)d 栏有未填姓名的人选。") % {"n": n})
    is_score = scale == EvaluationScale.SCORE
    if is_score and kind != MeetingKind.EVALUATION:
        out.add("scale", _("百分制评分只用于民主测评。"))
    if is_score and method == BallotMethod.PAPER and paper_mode == PaperMode.COUNTS:
        out.add("paper_mode", _("百分制评分须逐张录入纸质票（按人选录入票数无法算出平均分）。"))
    if is_score:
        for v in voters:
            if v.get("group") not in groups:
                out.add(
                    "voters",
                    _("%(n)s的评分主体“%(g)s”不在规定类别中（%(all)s）。")
                    % {"n": v.get("name", ""), "g": v.get("group", ""), "all": "、".join(groups)},
                )
    elif kind in (MeetingKind.RECOMMENDATION, MeetingKind.EVALUATION):
        for v in voters:
            if v.get("group") not in PARTICIPANT_GROUPS:
                out.add(
                    "voters",
                    _("%(n)s的参加人员类别“%(g)s”不在规定类别中（%(all)s）。")
                    % {
                        "n": v.get("name", ""),
                        "g": v.get("group", ""),
                        "all": "、".join(PARTICIPANT_GROUPS),
                    },
                )
    users = [v["user"].pk for v in voters if v.get("user") is not None]
    if len(set(users)) != len(users):
        out.add("voters", _("同一账号在名单中出现了两次。"))
    out.raise_if_any(_("不能新建投票会议。"))
    if case is not None and kind == MeetingKind.DECISION:
        _no_other_decision_meeting(case)
    meeting = Meeting.objects.create(
        kind=kind,
        title=title.strip(),
        unit=unit,
        case=case,
        committee=case.committee if case is not None and kind == MeetingKind.DECISION else None,
        meeting_date=meeting_date,
        method=method,
        paper_mode=paper_mode,
        sheet_count=sheet_count if method == BallotMethod.PAPER else 0,
        scale=scale,
        record_kind=record_kind,
        created_by=actor,
    )
    for order, s in enumerate(sections, start=1):
        section = Section.objects.create(
            meeting=meeting,
            order=order,
            title=str(s.get("title") or "").strip() or _("人选"),
            post=s.get("post"),
            max_choices=s.get("max_choices"),
            write_ins=bool(s.get("write_ins")),
        )
        Item.objects.bulk_create(
            Item(
                meeting=meeting,
                section=section,
                order=i,
                name=str(item["name"]).strip(),
                cadre=item.get("cadre"),
                candidate=item.get("candidate"),
            )
            for i, item in enumerate(s.get("items") or [], start=1)
        )
    Voter.objects.bulk_create(
        Voter(
            meeting=meeting,
            name=str(v["name"]).strip(),
            group=str(v.get("group") or ""),
            user=v.get("user"),
            membership=v.get("membership"),
        )
        for v in voters
    )
    if kind == MeetingKind.DECISION:
        _detect_recusals(meeting)
    journal_record(
        actor=actor,
        event_type=EventType.MEETING_CREATED,
        subject=meeting,
        payload={
            "kind": meeting.kind,
            "title": meeting.title,
            "case": case.pk if case else None,
            "meeting_date": meeting_date,
            "method": meeting.method,
            "voters": Voter.objects.filter(meeting=meeting).count(),
            "items": [
                [i.pk, i.name, i.section.order]
                for i in Item.objects.filter(meeting=meeting).select_related("section")
            ],
            "recusals": list(
                Recusal.objects.filter(voter__meeting=meeting).values_list("voter_id", "item_id")
            ),
        },
    )
    return meeting


def _no_other_decision_meeting(case: Case) -> None:
    """One decision meeting of a case at a time (decision 0056): a second is
    refused while another is being set up or voting. The case row is locked
    first, so two tellers creating at once cannot both pass the check."""
    Case.objects.select_for_update().filter(pk=case.pk).first()
    running = (
        Meeting.objects.filter(case=case, kind=MeetingKind.DECISION)
        .exclude(status__in=[MeetingStatus.CLOSED, MeetingStatus.ABANDONED])
        .order_by("pk")
        .first()
    )
    if running is not None:
        raise Conflict(
            _(
                "本事项已有未结束的讨论决定表决会议“%(t)s”（%(d)s，%(s)s）：一个事项同一时间"
                "只能有一个表决会议，请先完成计票或将其作废后再新建。"
            )
            % {
                "t": running.title,
                "d": running.meeting_date.isoformat(),
                "s": running.get_status_display(),
            }
        )


def _detect_recusals(meeting: Meeting) -> None:
    """A member whose cadre record is the candidate, or has a recusal relation
    with the candidate (procedure.recusal), leaves that candidate's vote."""
    voters = [v for v in meeting.voters.select_related("membership") if v.membership]
    items = [i for i in meeting.items.all() if i.cadre_id is not None]
    by_cadre: dict[int, list[Voter]] = {}
    for v in voters:
        assert v.membership is not None
        if v.membership.cadre_id is not None:
            by_cadre.setdefault(v.membership.cadre_id, []).append(v)
    rows: dict[tuple[int, int], str] = {}
    for item in items:
        for v in by_cadre.get(item.cadre_id or 0, []):
            rows[v.pk, item.pk] = _("本人是人选")
    links = conflicts(list(by_cadre), [i.cadre_id for i in items if i.cadre_id])
    for link in links:
        for item in items:
            if item.cadre_id != link.candidate_cadre_id:
                continue
            for v in by_cadre.get(link.person_cadre_id, []):
                rows.setdefault((v.pk, item.pk), _("亲属关系：%(r)s") % {"r": link.relation})
    Recusal.objects.bulk_create(
        Recusal(voter_id=v, item_id=i, reason=reason) for (v, i), reason in sorted(rows.items())
    )


@transaction.atomic
def meeting_create_for_decision(
    *,
    actor: Any,
    case: Case,
    meeting_date: dt.date,
    method: BallotMethod | str = BallotMethod.ELECTRONIC,
    paper_mode: PaperMode | str = PaperMode.SHEETS,
    sheet_count: int = 0,
) -> Meeting:
    """The decision (表决) meeting of a case: the committee's members on the
    meeting date are the roster, the case's inspection candidates (ranked
    first, in rank order) are the names, one vote each."""
    require_unit(actor, "procedure.view_case", case.unit)
    members = members_on(case, meeting_date)
    candidates = list(
        Candidate.objects.filter(case=case, status=CandidateStatus.INSPECTION)
        .select_related("cadre", "post", "post__unit")
        .order_by("post_id", "rank", "id")
    )
    if not candidates:
        raise ValidationFailed(_("本事项没有考察对象，不能组织表决。"))
    if not members:
        raise ValidationFailed(
            _("%(d)s 决定机构没有在任成员：请先维护成员及任期。") % {"d": meeting_date}
        )
    return meeting_create(
        actor=actor,
        kind=MeetingKind.DECISION,
        title=_("%(c)s讨论决定表决") % {"c": case.title},
        unit=case.unit,
        meeting_date=meeting_date,
        method=method,
        paper_mode=paper_mode,
        sheet_count=sheet_count,
        case=case,
        sections=decision_sections(case, candidates),
        voters=[{"name": m.name, "user": m.user, "membership": m} for m in members],
    )


def decision_sections(case: Case, candidates: Sequence[Candidate]) -> list[dict[str, Any]]:
    """One section per post, its candidates in rank order; a ballot may agree
    to at most as many of them as the post has seats still free (the case's
    planned seats less the candidates already approved for it at an earlier
    meeting of the case) — decision 0055."""
    seats = dict(CasePost.objects.filter(case=case).values_list("post_id", "seats"))
    approved: dict[int, int] = {}
    for post_id in Candidate.objects.filter(case=case, status=CandidateStatus.APPROVED).values_list(
        "post_id", flat=True
    ):
        approved[post_id] = approved.get(post_id, 0) + 1
    by_post: dict[int, list[Candidate]] = {}
    for c in candidates:
        by_post.setdefault(c.post_id, []).append(c)
    out = []
    for post_id, rows in by_post.items():
        free = seats.get(post_id)
        out.append(
            {
                "title": str(rows[0].post),
                "post": rows[0].post,
                "max_choices": max(free - approved.get(post_id, 0), 1) if free else None,
                "items": [
                    {
                        "name": _("%(n)s（拟任%(p)s）") % {"n": c.cadre.name, "p": c.post},
                        "cadre": c.cadre,
                        "candidate": c,
                    }
                    for c in rows
                ],
            }
        )
    return out


@transaction.atomic
def meeting_create_for_case(
    *,
    actor: Any,
    case: Case,
    kind: MeetingKind | str,
    meeting_date: dt.date,
    participants: Sequence[tuple[str, str]],
    method: BallotMethod | str = BallotMethod.ELECTRONIC,
    sheet_count: int = 0,
    scale: EvaluationScale | str = EvaluationScale.GRADES,
) -> Meeting:
    """A recommendation (推荐) or evaluation (测评) meeting of a case: one
    section per case post with the post's running candidates (a
    recommendation allows as many choices as the post has seats, and
    write-ins); `participants` are (name, group) pairs."""
    require_unit(actor, "procedure.view_case", case.unit)
    if kind not in (MeetingKind.RECOMMENDATION, MeetingKind.EVALUATION):
        raise ValidationFailed(_("从事项新建的会议只能是民主推荐或民主测评。"))
    running = (CandidateStatus.NOMINATED, CandidateStatus.INSPECTION)
    names: dict[int, list[Cadre]] = {}
    for c in (
        Candidate.objects.filter(case=case, status__in=running)
        .select_related("cadre")
        .order_by("rank", "id")
    ):
        names.setdefault(c.post_id, []).append(c.cadre)
    sections = recommendation_sections(case, names, write_ins=kind == MeetingKind.RECOMMENDATION)
    if kind == MeetingKind.EVALUATION:
        for s in sections:
            s["max_choices"] = None
    word = _("民主推荐") if kind == MeetingKind.RECOMMENDATION else _("民主测评")
    return meeting_create(
        actor=actor,
        kind=kind,
        title=_("%(c)s%(w)s") % {"c": case.title, "w": word},
        unit=case.unit,
        meeting_date=meeting_date,
        method=method,
        sheet_count=sheet_count,
        scale=scale,
        case=case,
        sections=sections,
        voters=[{"name": n, "group": g} for n, g in participants],
    )


def recommendation_sections(
    case: Case, names: dict[int, list[Cadre]], write_ins: bool = True
) -> list[dict[str, Any]]:
    """One section per case post: its seats are the allowed choices."""
    out = []
    for cp in case.case_posts.select_related("post", "post__unit").order_by("id"):
        post: Post = cp.post
        out.append(
            {
                "title": str(post),
                "post": post,
                "max_choices": cp.seats,
                "write_ins": write_ins,
                "items": [{"name": c.name, "cadre": c} for c in names.get(post.pk, [])],
            }
        )
    return out


# ---- before and during voting ----------------------------------------------------------


@transaction.atomic
def meeting_attendance_set(*, actor: Any, meeting: Meeting, present: Sequence[int]) -> Meeting:
    """Who is present (到会), by voter id. Somebody who has voted stays present."""
    meeting = _locked(meeting)
    require_unit(actor, "ballots.change_meeting", meeting.unit)
    _must_be(meeting, MeetingStatus.SETUP, MeetingStatus.OPEN)
    roster = set(meeting.voters.values_list("pk", flat=True))
    wanted = set(present)
    if not wanted <= roster:
        raise ValidationFailed(_("到会人员不在本次会议的名单中。"))
    voted = set(meeting.participations.values_list("voter_id", flat=True))
    if voted - wanted:
        raise Conflict(_("已投票的人员不能登记为未到会。"))
    meeting.voters.update(present=False)
    meeting.voters.filter(pk__in=wanted).update(present=True)
    journal_record(
        actor=actor,
        event_type=EventType.ATTENDANCE_RECORDED,
        subject=meeting,
        payload={"present": sorted(wanted), "entitled": len(roster)},
    )
    return meeting


@transaction.atomic
def meeting_deferral_record(*, actor: Any, meeting: Meeting, item: Item, votes: int) -> Item:
    """The members present who voted to defer (缓议) a candidate, before the
    ballot opens; more than the template's share of those present defers it,
    and the name is then not voted on."""
    meeting = _locked(meeting)
    require_unit(actor, "ballots.change_meeting", meeting.unit)
    _must_be(meeting, MeetingStatus.SETUP)
    if meeting.kind != MeetingKind.DECISION or item.meeting_id != meeting.pk:
        raise ValidationFailed(_("只有讨论决定表决中的人选可以缓议。"))
    present = meeting.voters.filter(present=True).count()
    eligible = present - item.recusals.filter(voter__present=True).count()
    if votes < 0 or votes > eligible:
        raise ValidationFailed(_("缓议票数应在 0 到参加讨论的 %(p)d 人之间。") % {"p": eligible})
    rules = meeting_rules(meeting)
    item.defer_votes = votes
    item.deferred = tally.more_than(votes, present, rules.deferral)
    item.save(update_fields=["defer_votes", "deferred"])
    journal_record(
        actor=actor,
        event_type=EventType.MEETING_UPDATED,
        subject=meeting,
        payload={"deferral": {"item": item.pk, "votes": votes, "deferred": item.deferred}},
    )
    return item


@transaction.atomic
def meeting_codes_issue(
    *, actor: Any, meeting: Meeting, voters: Sequence[int] | None = None
) -> list[tuple[Voter, str]]:
    """New one-time codes for the given voters (default: all without a vote).
    The codes are returned once, for the slips; only their hashes are kept."""
    meeting = _locked(meeting)
    require_unit(actor, "ballots.change_meeting", meeting.unit)
    _must_be(meeting, MeetingStatus.SETUP, MeetingStatus.OPEN)
    if meeting.method != BallotMethod.ELECTRONIC:
        raise Conflict(_("纸质票会议不发放投票码。"))
    rows = meeting.voters.filter(participation__isnull=True).order_by("id")
    if voters is not None:
        rows = rows.filter(pk__in=voters)
    out: list[tuple[Voter, str]] = []
    used = set(meeting.voters.exclude(code_hash="").values_list("code_hash", flat=True))
    for voter in rows:
        code = _random_code(CODE_LENGTH)
        while code_hash(meeting.pk, code) in used:
            code = _random_code(CODE_LENGTH)
        voter.code_hash = code_hash(meeting.pk, code)
        used.add(voter.code_hash)
        out.append((voter, format_code(code)))
    Voter.objects.bulk_update([v for v, _c in out], ["code_hash"], batch_size=500)
    journal_record(
        actor=actor,
        event_type=EventType.VOTER_CODES_ISSUED,
        subject=meeting,
        payload={"voters": [v.pk for v, _c in out]},
    )
    return out


@transaction.atomic
def meeting_count_key_create(*, actor: Any, meeting: Meeting) -> sealing.CountKey:
    """Make the meeting's count key (docs/decisions/0048): the ballots will be
    sealed to its public half; its private half is kept only locked under a
    passphrase that is returned here once, in two halves for two tellers, and
    never stored. Made again before the vote opens, it replaces the old one."""
    meeting = _locked(meeting)
    require_unit(actor, "ballots.change_meeting", meeting.unit)
    _must_be(meeting, MeetingStatus.SETUP)
    if meeting.method != BallotMethod.ELECTRONIC:
        raise Conflict(_("纸质票会议不需要计票密钥。"))
    key = sealing.make_count_key()
    meeting.count_public_key = key.public_key
    meeting.count_locked_key = key.locked_private_key
    meeting.save(update_fields=["count_public_key", "count_locked_key"])
    journal_record(
        actor=actor,
        event_type=EventType.COUNT_KEY_MADE,
        subject=meeting,
        payload={"public_key": key.public_key.hex()},
    )
    return key


@transaction.atomic
def meeting_open(*, actor: Any, meeting: Meeting) -> Meeting:
    """Start the vote. A decision meeting needs its quorum present (不足法定
    人数不得表决); an electronic one needs its count key."""
    meeting = _locked(meeting)
    require_unit(actor, "ballots.change_meeting", meeting.unit)
    _must_be(meeting, MeetingStatus.SETUP)
    now = dates.today()
    if meeting.meeting_date > now:
        raise Conflict(
            _(
                "会议日期为 %(d)s，今天（%(t)s）还不能开始投票：请在会议当天开始投票；"
                "如会议提前举行，请将本会议作废，按实际日期新建会议。"
            )
            % {"d": meeting.meeting_date.isoformat(), "t": now.isoformat()}
        )
    if meeting.kind == MeetingKind.DECISION:
        members = meeting.voters.count()
        present = meeting.voters.filter(present=True).count()
        rules = meeting_rules(meeting)
        if not tally.at_least(present, members, rules.quorum):
            raise Conflict(
                _(
                    "应到会成员 %(m)d 人，实到 %(p)d 人，未达到法定到会人数（至少 %(q)d 人），"
                    "不得表决：请先登记到会人员。"
                )
                % {"m": members, "p": present, "q": tally.least_quorum(members, rules.quorum)}
            )
    if meeting.method == BallotMethod.ELECTRONIC and not meeting.has_count_key:
        raise Conflict(_("请先生成计票密钥并交两名计票人分别保管，再开始投票：选票将用它密封。"))
    meeting.status = MeetingStatus.OPEN
    meeting.ballot_shape = shape_of(meeting)
    meeting.save(update_fields=["status", "ballot_shape"])
    journal_record(actor=actor, event_type=EventType.MEETING_OPENED, subject=meeting, payload={})
    return meeting


# ---- casting ----------------------------------------------------------------------------


#: Wrong codes allowed per address, and per meeting from all addresses, in
#: ten minutes (settings XUANREN_BALLOT_CODE_RATE / _MEETING_RATE).
CODE_TRIES_PER_CLIENT = RateLimit("ballot-code", "XUANREN_BALLOT_CODE_RATE", (10, 600))
CODE_TRIES_PER_MEETING = RateLimit(
    "ballot-code-meeting", "XUANREN_BALLOT_CODE_MEETING_RATE", (200, 600)
)


def _code_limits(meeting_id: int, client: str) -> list[tuple[RateLimit, str]]:
    return [(CODE_TRIES_PER_CLIENT, client or "-"), (CODE_TRIES_PER_MEETING, str(meeting_id))]


def find_voter(*, meeting: Meeting, code: str | None, actor: Any, client: str = "") -> Voter:
    """The voter a code (or, without a code, the logged-in user) stands for.
    Wrong codes are counted per client address and per meeting; past the
    limit every code is refused for a while, the right one too."""
    voters = Voter.objects.filter(meeting_id=meeting.pk)
    if code is not None:
        limits = _code_limits(meeting.pk, client)
        for limit, who in limits:
            limit.check(
                who,
                _("投票码输错次数过多，请 %(m)d 分钟后再试，或向工作人员核对投票码。")
                % {"m": limit.minutes},
            )
        voter = (
            voters.filter(code_hash=code_hash(meeting.pk, code)).first()
            if clean_code(code)
            else None
        )
        if voter is None:
            for limit, who in limits:
                limit.count(who)
            raise NotFound(_("投票码不正确：请核对投票码条上的号码后重新输入。"))
        return voter
    require_perm(actor, "ballots.cast_ballot")
    voter = voters.filter(user=actor).first()
    if voter is None:
        raise NotFound(_("您不在本次会议的投票人名单中：请凭投票码投票或联系工作人员。"))
    return voter


def code_enter(*, meeting: Meeting, code: str, client: str = "") -> Voter:
    """The code-entry step, before the ballot is shown (decision 0054): an
    unknown code is refused (and counted against the rate limits), and so is a
    code whose holder has already voted — at entry, not only at the final
    submit. Past the limit every code is refused, the right one too."""
    voter = find_voter(meeting=meeting, code=code, actor=None, client=client)
    if Participation.objects.filter(voter_id=voter.pk).exists():
        raise Conflict(_("该投票码已经投过票，每人只能投一次：如非本人所投，请立即告知工作人员。"))
    return voter


def ballot_check(
    meeting: Meeting, voter: Voter, content: dict[str, Any], *, recused: bool = True
) -> tuple[dict[str, Any], counting.BallotSpec]:
    """Check a ballot without casting it (the confirm step shows it only when
    this passes; `ballot_cast` calls it again): the canonical content and the
    ballot's shape, or
    ValidationFailed naming what is wrong. A ballot that agrees to more
    candidates of a post than it has seats, or chooses more names than a
    section allows, is refused (decision 0055)."""
    spec, excluded = ballot_rules(meeting, voter, recused=recused)
    try:
        clean, valid = counting.check(spec, content, excluded)
    except counting.BallotError as exc:
        raise ValidationFailed(str(exc)) from exc
    if not valid:
        over = set(counting.over_limit(spec, clean))
        sections = [s for s in meeting.sections.order_by("order") if str(s.pk) in over]
        if meeting.kind == MeetingKind.DECISION:
            lines = [
                _("%(p)s拟配 %(n)d 人，最多只能对 %(n)d 名人选投同意票。")
                % {"p": s.title, "n": s.max_choices}
                for s in sections
            ]
            summary = _("同意的人数超过拟配人数，请减少同意票后再投。")
        else:
            lines = [
                _("%(p)s限选 %(n)d 人，所选超过限选人数。") % {"p": s.title, "n": s.max_choices}
                for s in sections
            ]
            summary = _("所选人数超过限选人数，请减少后再投：超过限选人数的选票无效。")
        raise ValidationFailed(summary, errors=[FieldError("content", line) for line in lines])
    return clean, spec


@dataclass(frozen=True)
class _CastRow:
    """What a cast needs of the voter and the meeting, read in one statement."""

    voter: Voter
    meeting: Meeting
    voted: bool
    recused: bool


def _cast_row(meeting_id: int, *, code: str | None, actor: Any) -> _CastRow | None:
    """The voter (by code, or by login) with their meeting, whether they have
    voted and whether they are recused from anything, in one statement. On
    PostgreSQL the meeting row is share-locked (decision 0020): the close (FOR
    UPDATE) waits for casts in progress, and a cast that started after the
    close committed sees the meeting closed. The voter is not locked: a second
    cast of the same voter is stopped by the participation's unique key."""
    v, m = Voter._meta.db_table, Meeting._meta.db_table
    p, r = Participation._meta.db_table, Recusal._meta.db_table
    if code is not None:
        who, arg = "v.code_hash = %s", code_hash(meeting_id, code)
    else:
        who, arg = "v.user_id = %s", actor.pk
    lock = " FOR SHARE OF m" if connection.vendor == "postgresql" else ""
    sql = (
        f'SELECT v.id, v."group", v.present, m.status, m.method, m.kind, m.scale,'
        f" m.unit_id, m.count_public_key, m.ballot_shape,"
        f" EXISTS (SELECT 1 FROM {p} p WHERE p.voter_id = v.id),"
        f" EXISTS (SELECT 1 FROM {r} r WHERE r.voter_id = v.id)"
        f" FROM {v} v JOIN {m} m ON m.id = v.meeting_id"
        f" WHERE v.meeting_id = %s AND {who}{lock}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [meeting_id, arg])
        row = cursor.fetchone()
    if row is None:
        return None
    (vid, group, present, status, method, kind, scale, unit_id, public, shape, voted, recused) = row
    if isinstance(shape, str):  # SQLite hands JSON back as text
        shape = json.loads(shape)
    meeting = Meeting(
        pk=meeting_id,
        status=status,
        method=method,
        kind=kind,
        scale=scale,
        unit_id=unit_id,
        count_public_key=bytes(public or b""),
        ballot_shape=shape or {},
    )
    voter = Voter(pk=vid, meeting_id=meeting_id, group=group, present=bool(present))
    return _CastRow(voter, meeting, bool(voted), bool(recused))


def _no_cast_row(meeting_id: int, *, code: str | None, actor: Any, client: str) -> NoReturn:
    """Why no voter was found (the error path may take a few more queries):
    no open meeting, a wrong code (counted against the rate limits), or a
    login not on the roster."""
    meeting = Meeting.objects.filter(pk=meeting_id, status=MeetingStatus.OPEN).first()
    if meeting is None:
        raise NotFound(_("没有正在投票的会议：请核对投票页面地址，或向工作人员确认投票时间。"))
    find_voter(meeting=meeting, code=code, actor=actor, client=client)
    raise NotFound(_("投票码不正确：请核对投票码条上的号码后重新输入。"))  # pragma: no cover


@transaction.atomic
def ballot_cast(
    *,
    actor: Any,
    meeting: Meeting | int,
    content: dict[str, Any],
    code: str | None = None,
    client: str = "",
) -> str:
    """Cast one ballot; returns its receipt code. Written: the participation
    (voter, meeting — unique, a second cast is refused), the ballot sealed to
    the meeting's count key under a random id, and an unlinked receipt that
    is also the journal's entry for the cast: it carries the journal MAC, and
    the count folds every receipt into the chain (decision 0101) — never the
    voter (docs/decisions/0048).

    Six statements on PostgreSQL with a frozen ballot shape: BEGIN, the voter
    with the meeting, and an insert each into participations, sealed ballots
    and receipts, COMMIT. `meeting` may be the id alone (the code endpoint
    reads the meeting here, with the voter)."""
    meeting_id = meeting if isinstance(meeting, int) else meeting.pk
    if code is not None:
        _check_code_limits(meeting_id, client)
    else:
        require_perm(actor, "ballots.cast_ballot")
    found = _cast_row(meeting_id, code=code, actor=actor)
    if found is None:
        _no_cast_row(meeting_id, code=code, actor=actor, client=client)
    voter, meeting = found.voter, found.meeting
    if meeting.status != MeetingStatus.OPEN:
        raise NotFound(_("没有正在投票的会议：请核对投票页面地址，或向工作人员确认投票时间。"))
    if meeting.method != BallotMethod.ELECTRONIC:
        raise Conflict(_("本次会议使用纸质票。"))
    if found.voted:
        raise Conflict(_("该投票码（账号）已经投过票，每人只能投一次。"))
    if meeting.kind == MeetingKind.DECISION and not voter.present:
        raise Conflict(_("您尚未登记到会，请先向工作人员登记。"))
    clean, spec = ballot_check(meeting, voter, content, recused=found.recused)
    if not _participation_insert(meeting_id, voter.pk):
        # Another cast of this voter committed while this one was checking.
        raise Conflict(_("该投票码（账号）已经投过票，每人只能投一次。"))
    if meeting.has_count_key:
        box = sealing.seal(
            bytes(meeting.count_public_key), voter.group, clean, counting.padded_size(spec)
        )
        _insert(SealedBallot, id=uuid.uuid4(), meeting_id=meeting_id, box=box)
    else:
        # A meeting opened before ballots were sealed (an upgrade during a
        # vote) finishes the way it began: plain rows, shuffled at the count.
        Ballot.objects.create(
            id=uuid.uuid4(), meeting_id=meeting_id, group=voter.group, content=clean
        )
    receipt = _random_code(RECEIPT_LENGTH)
    mac = _receipt_mac(meeting_id, receipt)
    _insert(Receipt, id=uuid.uuid4(), meeting_id=meeting_id, code=receipt, mac=mac)
    return format_code(receipt)


def _insert(model: type[models.Model], **values: Any) -> None:
    """One plain INSERT for the cast's rows: the ORM's create (instance,
    signals, compiler) cost more CPU than the database did on this path.
    Values go through each field's own conversion, so UUIDs and bytes are
    stored as `create` would store them."""
    by_name = {f.attname: f for f in model._meta.concrete_fields}
    fields = [by_name[name] for name in values]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    params = [
        f.get_db_prep_save(v, connection) for f, v in zip(fields, values.values(), strict=True)
    ]
    marks = ", ".join(["%s"] * len(params))
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {model._meta.db_table} ({columns}) VALUES ({marks})", params)


def _check_code_limits(meeting_id: int, client: str) -> None:
    for limit, who in _code_limits(meeting_id, client):
        limit.check(
            who,
            _("投票码输错次数过多，请 %(m)d 分钟后再试，或向工作人员核对投票码。")
            % {"m": limit.minutes},
        )


def _participation_insert(meeting_id: int, voter_id: int) -> bool:
    """Record that the voter has voted; False when they already had (the
    unique key, without a savepoint: ON CONFLICT DO NOTHING on both
    databases). A concurrent cast of the same voter waits here for the other
    transaction and then finds the conflict."""
    table = Participation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (meeting_id, voter_id) VALUES (%s, %s)"
            " ON CONFLICT (voter_id) DO NOTHING RETURNING id",
            [meeting_id, voter_id],
        )
        return cursor.fetchone() is not None


def _receipt_mac(meeting_id: int, code: str) -> str:
    return journal_entry_mac(
        event_type=EventType.BALLOT_CAST,
        subject=(Meeting._meta.label_lower, str(meeting_id)),
        token=code,
    )


def receipts_fold(meeting: Meeting) -> dict[str, Any]:
    """The journal's fold of a meeting's receipts (their number and digest),
    recorded by the event that ends its vote."""
    codes = Receipt.objects.filter(meeting_id=meeting.pk).values_list("code", flat=True)
    return journal_fold(codes)


# ---- paper ------------------------------------------------------------------------------


def _paper_meeting(actor: Any, meeting: Meeting) -> Meeting:
    meeting = _locked(meeting)
    require_unit(actor, "ballots.change_meeting", meeting.unit)
    _must_be(meeting, MeetingStatus.OPEN)
    if meeting.method != BallotMethod.PAPER:
        raise Conflict(_("本次会议使用电子投票，没有纸质票可录入。"))
    return meeting


def _paper_content(meeting: Meeting, serial: str, content: dict[str, Any]) -> dict[str, Any]:
    spec = spec_of(meeting)
    if meeting.paper_mode == PaperMode.COUNTS:
        if serial:
            raise ValidationFailed(_("按人选录入票数时不填票号。"))
        problems = counting.check_counts(spec, content)
        if problems:
            raise ValidationFailed(_("录入的票数不成立。"), errors=_errors(problems))
        return dict(content)
    if serial not in serials_of(meeting):
        raise ValidationFailed(_("票号 %(s)s 不是本次会议印制的选票。") % {"s": serial})
    spoiled = bool(content.get("spoiled"))
    group = str(content.get("group") or "")
    if group and group not in groups_of(meeting):
        raise ValidationFailed(_("参加人员类别“%(g)s”不在规定类别中。") % {"g": group})
    deferred = [str(pk) for pk in meeting.items.filter(deferred=True).values_list("pk", flat=True)]
    try:
        clean, _valid = counting.check(spec, content, deferred)
    except counting.BallotError as exc:
        raise ValidationFailed(str(exc)) from exc
    return {**clean, "spoiled": spoiled, "group": group}


def _errors(problems: list[str]) -> Any:
    return [FieldError("content", p) for p in problems]


@transaction.atomic
def paper_entry_record(
    *, actor: Any, meeting: Meeting, content: dict[str, Any], serial: str = ""
) -> PaperEntry:
    """One teller's reading of a sheet (or of the counts). Each sheet is entered
    by two different tellers; entering it again replaces one's own reading."""
    meeting = _paper_meeting(actor, meeting)
    clean = _paper_content(meeting, serial, content)
    others = PaperEntry.objects.filter(meeting=meeting, serial=serial, resolution=False).exclude(
        teller=actor
    )
    if others.count() >= 2:
        raise Conflict(_("该票已由两名计票人录入，不能再由第三人录入；如不一致请复核认定。"))
    entry, _created = PaperEntry.objects.update_or_create(
        meeting=meeting, serial=serial, teller=actor, resolution=False, defaults={"content": clean}
    )
    journal_record(
        actor=actor,
        event_type=EventType.PAPER_ENTRY_RECORDED,
        subject=meeting,
        payload={"serial": serial, "content": clean},
    )
    return entry


@transaction.atomic
def paper_entry_resolve(
    *, actor: Any, meeting: Meeting, content: dict[str, Any], serial: str = ""
) -> PaperEntry:
    """A mismatch settled: a person other than the two tellers reads the sheet
    again and records what it says."""
    meeting = _paper_meeting(actor, meeting)
    clean = _paper_content(meeting, serial, content)
    tellers = set(
        PaperEntry.objects.filter(meeting=meeting, serial=serial, resolution=False).values_list(
            "teller_id", flat=True
        )
    )
    if actor.pk in tellers:
        raise Conflict(_("复核认定须由两名录入人以外的人员办理。"))
    entry, _created = PaperEntry.objects.update_or_create(
        meeting=meeting,
        serial=serial,
        resolution=True,
        defaults={"content": clean, "teller": actor},
    )
    journal_record(
        actor=actor,
        event_type=EventType.PAPER_ENTRY_RESOLVED,
        subject=meeting,
        payload={"serial": serial, "content": clean},
    )
    return entry


# ---- close ------------------------------------------------------------------------------


#: Wrong count passphrases per meeting in ten minutes.
PASSPHRASE_TRIES = RateLimit("count-passphrase", "XUANREN_COUNT_PASSPHRASE_RATE", (10, 600))


def _open_boxes(meeting: Meeting, passphrase: str) -> list[tuple[str, dict[str, Any], bool]]:
    """Unlock the count key with the tellers' passphrase and open every sealed
    ballot of the meeting: (group, content, valid) rows, in the boxes' order."""
    who = str(meeting.pk)
    PASSPHRASE_TRIES.check(
        who,
        _("计票密码输错次数过多，请 %(m)d 分钟后再试。") % {"m": PASSPHRASE_TRIES.minutes},
    )
    try:
        private = sealing.unlock(bytes(meeting.count_locked_key), passphrase)
    except sealing.SealingError as exc:
        PASSPHRASE_TRIES.count(who)
        raise ValidationFailed(
            _("计票密码不正确：请两名计票人核对各自保管的半段密码后重新输入。")
        ) from exc
    rows: list[tuple[str, dict[str, Any], bool]] = []
    for box in SealedBallot.objects.filter(meeting=meeting).values_list("box", flat=True):
        try:
            group, content = sealing.unseal(private, bytes(box))
        except sealing.SealingError as exc:
            raise Conflict(
                _("票箱中有一张选票无法用本会议的计票密钥打开，不能计票：请联系系统管理员。")
            ) from exc
        rows.append((group, content, True))
    return rows


def _compact_after_count() -> None:
    """After the count commits: the opened boxes' old rows leave the disk
    (PostgreSQL rewrites the tables; SQLite runs with secure_delete and
    truncates its write-ahead log). Best effort: the boxes cannot be opened
    any more in any case, as the locked key is erased with them, so a failure
    here is logged and the count stands."""
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                for model in (SealedBallot, Receipt):
                    cursor.execute(f"VACUUM FULL {model._meta.db_table}")
            elif connection.vendor == "sqlite":
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except DatabaseError:
        log.exception("compacting the ballot tables after a count failed")


@transaction.atomic
def meeting_close(*, actor: Any, meeting: Meeting, passphrase: str = "") -> Meeting:
    """End the vote and count. An electronic meeting's sealed ballots are
    opened with the tellers' passphrase, written as plain ballots in random
    order and destroyed with the locked count key; receipts are rewritten in
    random order too. The tally, the sorted receipts, the sorted ballots and
    their SHA-256 digest are published, and the digest journalled. Closing a
    closed meeting returns it as it is: the count is never run twice."""
    meeting = _locked(meeting)
    require_unit(actor, "ballots.change_meeting", meeting.unit)
    if meeting.status == MeetingStatus.CLOSED:
        return meeting
    _must_be(meeting, MeetingStatus.OPEN)
    spec = spec_of(meeting)
    receipts: list[tuple[str, str]] = []
    if meeting.method == BallotMethod.PAPER:
        state = paper_sheets_state(meeting)
        if state.problems:
            raise Conflict(
                _("纸质票录入尚未完成或存在不一致，不能计票。"), errors=_errors(state.problems)
            )
        rows = state.ballots
        counts_entry = state.counts
    else:
        if meeting.has_count_key:
            rows = _open_boxes(meeting, passphrase)
        else:  # opened before ballots were sealed: its plain rows, as they were cast
            rows = list(
                Ballot.objects.filter(meeting=meeting).values_list("group", "content", "valid")
            )
        receipts = list(Receipt.objects.filter(meeting=meeting).values_list("code", "mac"))
        counts_entry = None
    # Written in random order, in this one transaction: neither the physical
    # order, the ids nor the transaction ids of the plain ballots follow arrival.
    shuffle = secrets.SystemRandom().shuffle
    shuffle(rows)
    shuffle(receipts)
    SealedBallot.objects.filter(meeting=meeting).delete()
    Ballot.objects.filter(meeting=meeting).delete()
    Receipt.objects.filter(meeting=meeting).delete()
    Ballot.objects.bulk_create(
        [Ballot(id=uuid.uuid4(), meeting=meeting, group=g, content=c, valid=v) for g, c, v in rows],
        batch_size=500,
    )
    Receipt.objects.bulk_create(
        [Receipt(id=uuid.uuid4(), meeting=meeting, code=r, mac=mac) for r, mac in receipts],
        batch_size=500,
    )
    meeting.count_locked_key = b""
    transaction.on_commit(_compact_after_count)
    if counts_entry is not None:
        result = counting.counts_result(spec, counts_entry)
        lines = [counting.canonical("", counts_entry, True)]
    else:
        result = counting.count(spec, rows)
        lines = counting.published(rows)
    # Whoever voted was there: casts do not write attendance (decision 0101).
    meeting.voters.filter(participation__isnull=False, present=False).update(present=True)
    voters = list(meeting.voters.order_by("id"))
    voted = set(meeting.participations.values_list("voter_id", flat=True))
    if meeting.method == BallotMethod.ELECTRONIC and len(voted) != result["cast"]:
        # Cannot happen: each cast writes both rows in one transaction.
        raise Conflict(_("投票登记数与选票数不一致，不能计票：请联系系统管理员。"))
    snapshot = {
        "entitled": len(voters),
        "present": sum(1 for v in voters if v.present),
        "voted": len(voted),
        "voters": [
            {
                "id": v.pk,
                "name": v.name,
                "group": v.group,
                "membership": v.membership_id,
                "present": v.present,
                "voted": v.pk in voted,
            }
            for v in voters
        ],
    }
    meeting.snapshot = snapshot
    if meeting.kind == MeetingKind.DECISION:
        result["decision"] = decision_outcomes(meeting, result, snapshot)
    meeting.result = result
    codes = [r for r, _mac in receipts]
    meeting.receipts = [format_code(r) for r in sorted(codes)]
    meeting.published_ballots = lines
    meeting.ballot_digest = counting.digest(lines)
    meeting.status = MeetingStatus.CLOSED
    meeting.closed_at = timezone.now()
    meeting.save()
    journal_record(
        actor=actor,
        event_type=EventType.MEETING_CLOSED,
        subject=meeting,
        payload={
            "ballot_digest": meeting.ballot_digest,
            "receipts": len(receipts),
            # The casts' journal entries (the receipts), folded into the chain.
            "receipts_digest": journal_fold(codes)["digest"],
            "entitled": snapshot["entitled"],
            "present": snapshot["present"],
            "voted": snapshot["voted"],
            "result": result,
        },
    )
    return meeting


# ---- into the case ----------------------------------------------------------------------


@transaction.atomic
def meeting_result_apply(
    *,
    actor: Any,
    meeting: Meeting,
    extra: dict[str, Any] | None = None,
    on: dt.date | None = None,
) -> CaseStep:
    """Complete the case's step from a closed meeting's result, in the shape
    the step already takes, with `method`, `ballot_meeting` and
    `ballot_digest`. A recommendation also needs its talk record: `extra`'s
    `meetings` and `results` are added to the meeting's own."""
    from xuanren.ballots.selectors import step_data
    from xuanren.procedure.services import case_step_complete

    meeting = _locked(meeting)
    require_unit(actor, "ballots.change_meeting", meeting.unit)
    if meeting.status != MeetingStatus.CLOSED:
        raise Conflict(_("会议尚未计票，结果不能计入事项。"))
    if meeting.case is None:
        raise Conflict(_("本次会议不属于任何选任事项。"))
    if meeting.applied_step_id is not None:
        raise Conflict(_("本次会议的结果已经计入事项。"))
    if meeting.kind == MeetingKind.DECISION and seats_over(meeting) and not meeting.seat_choice:
        raise Conflict(
            _(
                "有职位通过的人选多于拟配人数：请先确定拟任人选并说明理由（计票台“确定拟任人选”），"
                "再计入事项。"
            )
        )
    step, data = step_data(meeting)
    for key, value in (extra or {}).items():
        if key in ("meetings", "results", "not_counted") and isinstance(value, list):
            data[key] = [*data.get(key, []), *value]
        elif key not in data:
            data[key] = value
    record = case_step_complete(actor=actor, case=meeting.case, step=step, data=data, on=on)
    meeting.applied_step = record
    meeting.save(update_fields=["applied_step"])
    journal_record(
        actor=actor,
        event_type=EventType.RESULT_APPLIED,
        subject=meeting,
        payload={"case": meeting.case.pk, "step": step, "record": record.pk},
    )
    return record


@transaction.atomic
def meeting_abandon(*, actor: Any, meeting: Meeting, reason: str) -> Meeting:
    """Abandon (作废) a meeting that is being set up or voting, with a reason:
    a meeting opened by mistake or on a wrong roster must not block its case
    (decision 0056). Ballots already cast are destroyed unread with the count
    key — sealed boxes, receipts, plain rows — so nothing of their content
    survives; who voted stays recorded as before. A counted meeting cannot be
    abandoned."""
    meeting = _locked(meeting)
    require_unit(actor, "ballots.change_meeting", meeting.unit)
    _must_be(meeting, MeetingStatus.SETUP, MeetingStatus.OPEN)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(
            _("请填写作废原因。"), errors=[FieldError("reason", _("请填写作废原因。"))]
        )
    if len(reason) > 200:
        raise ValidationFailed(
            _("作废原因不能超过 200 个字。"),
            errors=[FieldError("reason", _("作废原因不能超过 200 个字。"))],
        )
    discarded = (
        SealedBallot.objects.filter(meeting=meeting).count()
        + Ballot.objects.filter(meeting=meeting).count()
    )
    fold = receipts_fold(meeting)
    SealedBallot.objects.filter(meeting=meeting).delete()
    Ballot.objects.filter(meeting=meeting).delete()
    Receipt.objects.filter(meeting=meeting).delete()
    meeting.count_locked_key = b""
    meeting.status = MeetingStatus.ABANDONED
    meeting.abandon_reason = reason
    meeting.closed_at = timezone.now()
    meeting.save(update_fields=["count_locked_key", "status", "abandon_reason", "closed_at"])
    if discarded:
        transaction.on_commit(_compact_after_count)
    journal_record(
        actor=actor,
        event_type=EventType.MEETING_UPDATED,
        subject=meeting,
        payload={
            "abandoned": reason,
            "discarded_ballots": discarded,
            "receipts": fold["count"],
            "receipts_digest": fold["digest"],
        },
    )
    return meeting


@transaction.atomic
def meeting_seats_choose(
    *, actor: Any, meeting: Meeting, choices: Sequence[dict[str, Any]]
) -> Meeting:
    """Record who takes the seats of each post for which the counted decision
    meeting passed more candidates than seats (decision 0055): `choices` are
    {"post": id, "candidates": [candidate ids], "reason": text}. By 差额票决
    the seats go to the candidates with the most agreeing votes: a choice that
    names others is refused, and a tie at the last seat must be voted again.
    The result cannot be applied to the case until this is recorded."""
    meeting = _locked(meeting)
    require_unit(actor, "ballots.change_meeting", meeting.unit)
    if meeting.kind != MeetingKind.DECISION or meeting.case is None:
        raise Conflict(_("只有选任事项的讨论决定表决需要确定拟任人选。"))
    if meeting.status != MeetingStatus.CLOSED:
        raise Conflict(_("会议尚未计票，不能确定拟任人选。"))
    if meeting.applied_step_id is not None:
        raise Conflict(_("本次会议的结果已经计入事项，不能再更改拟任人选。"))
    overs = seats_over(meeting)
    if not overs:
        raise Conflict(_("各职位通过的人选均未超过拟配人数，无须确定拟任人选。"))
    out = ErrorCollector()
    by_post: dict[int, dict[str, Any]] = {}
    for given in choices:
        post = given.get("post")
        if not isinstance(post, int) or isinstance(post, bool):
            out.add("choices", _("请选择职位。"))
            continue
        by_post[post] = given
    known = {o.post_id for o in overs}
    for post in sorted(set(by_post) - known):
        out.add("choices", _("职位编号 %(p)d 通过的人选未超过拟配人数，无须确定。") % {"p": post})
    stored = []
    for over in overs:
        if over.tied:
            raise Conflict(
                _(
                    "%(p)s拟配 %(s)d 人，%(n)s同意票相同而超过拟配人数：不能指定，"
                    "须就得票相同的人选再次表决（新建表决会议）。"
                )
                % {"p": over.post_name, "s": over.seats, "n": "、".join(over.tied)}
            )
        choice = by_post.get(over.post_id)
        if choice is None:
            out.add(
                "choices",
                _("%(p)s通过 %(n)d 人，超过拟配 %(s)d 人：请确定拟任人选并说明理由。")
                % {"p": over.post_name, "n": len(over.passed), "s": over.seats},
            )
            continue
        raw = choice.get("candidates")
        chosen = [c for c in raw if isinstance(c, int)] if isinstance(raw, list) else []
        reason = str(choice.get("reason") or "").strip()
        names = {p.candidate: p.name for p in over.passed}
        if sorted(chosen) != sorted(over.expected):
            out.add(
                "choices",
                _("%(p)s拟配 %(s)d 人：按差额票决，应由同意票多的%(e)s任职，不能另行指定。")
                % {
                    "p": over.post_name,
                    "s": over.seats,
                    "e": "、".join(names[c] for c in over.expected),
                },
            )
        if not reason:
            out.add("choices", _("%(p)s：请填写确定拟任人选的理由。") % {"p": over.post_name})
        elif len(reason) > 200:
            out.add("choices", _("%(p)s：理由不能超过 200 个字。") % {"p": over.post_name})
        stored.append({"post": over.post_id, "candidates": sorted(chosen), "reason": reason})
    out.raise_if_any(_("不能确定拟任人选。"))
    meeting.seat_choice = stored
    meeting.save(update_fields=["seat_choice"])
    journal_record(
        actor=actor,
        event_type=EventType.MEETING_UPDATED,
        subject=meeting,
        payload={"seat_choice": stored},
    )
    return meeting


def can_run(actor: Any, meeting: Meeting) -> bool:
    from xuanren.access.policy import unit_in_scope

    return has_perm(actor, "ballots.change_meeting") and unit_in_scope(actor, meeting.unit)
