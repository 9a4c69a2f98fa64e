"""Guards and effects of the decision stage (DOMAIN §3 steps 8–11, 13–14):
integrity opinion, economic-responsibility audit, deliberation, the decision
meeting, appointment, appointment talk and the end of probation.

The shape of each step's `data` is fixed in docs/decisions/0014. Dates in the
data are ISO strings (YYYY-MM-DD); candidates and committee members are named
by their ids. Keys an effect writes (`result_sheet`, `appointments`,
`outcomes`) are derived here and may not be submitted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from xuanren.common.dates import add_months
from xuanren.org.models import LEVEL_RANK, Level, Post
from xuanren.org.selectors import active_tenure_q
from xuanren.people.models import Cadre, Relation, Tenure, TenureMethod
from xuanren.people.services import cadre_update, tenure_end, tenure_start
from xuanren.procedure import tally
from xuanren.procedure.candidates import candidate_set_status
from xuanren.procedure.effects import effect
from xuanren.procedure.guards.registry import GuardContext, guard
from xuanren.procedure.models import (
    Candidate,
    CandidateStatus,
    Case,
    CasePost,
    CaseStep,
    CommitteeMembership,
)
from xuanren.procedure.recusal import Conflict as RecusalLink
from xuanren.procedure.recusal import conflicts

# ---- reading the submitted data ----------------------------------------------------


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _entries(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    raw = data.get(key)
    if not isinstance(raw, list):
        return []
    return [e for e in raw if isinstance(e, dict)]


def _by_candidate(
    data: dict[str, Any], key: str, pool: dict[int, Any], message: str, problems: list[str]
) -> dict[int, dict[str, Any]]:
    """The rows of data[key] keyed by candidate id; a row naming anyone
    outside `pool` is reported with `message` (which takes %(i)s)."""
    out: dict[int, dict[str, Any]] = {}
    for entry in _entries(data, key):
        cid = _int(entry.get("candidate"))
        if cid is None or cid not in pool:
            problems.append(message % {"i": entry.get("candidate")})
            continue
        out[cid] = entry
    return out


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def probation_last_day(start: dt.date, months: int) -> dt.date:
    """The last day of a probation of `months` from `start` (inclusive, as
    `Tenure.probation_until` is read elsewhere): one year from 2026-11-20 runs
    to 2027-11-19, one year from 2024-02-29 to 2025-02-28, one month from
    2026-01-31 to 2026-02-28 (common.dates.add_months)."""
    return add_months(start, months) - dt.timedelta(days=1)


# ---- reading the case ----------------------------------------------------------------


def _label(c: Candidate) -> str:
    return _("%(n)s（拟任%(p)s）") % {"n": c.cadre.name, "p": c.post}


def _candidates(case: Case, status: CandidateStatus | None = None) -> list[Candidate]:
    qs = Candidate.objects.filter(case=case).select_related("cadre", "post__unit")
    if status is not None:
        qs = qs.filter(status=status)
    return list(qs.order_by("id"))


def members_on(case: Case, day: dt.date) -> list[CommitteeMembership]:
    """Who should attend a meeting of the case's committee on `day` (应到会成员):
    memberships in force that day (start ≤ day < end)."""
    return list(
        CommitteeMembership.objects.filter(committee_id=case.committee_id, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=day))
        .order_by("id")
    )


def _names(members: Iterable[CommitteeMembership]) -> str:
    return "、".join(m.name for m in members)


def _step_codes(ctx: GuardContext) -> list[str]:
    return [s.code for s in ctx.template.steps]


def _add_to_record(record: CaseStep, key: str, value: Any) -> None:
    """Store what an effect derived beside the submitted data, in the step's own
    transaction (like the record's journal hash); the submitted part is what the
    step's journal event holds, and each derived fact has its own event."""
    data = {**record.data, key: value}
    CaseStep.objects.filter(pk=record.pk).update(data=data)
    record.data = data


#: Titles of the keys the effects derive (never submitted).
DERIVED_TITLES = {
    "result_sheet": _lazy("表决结果"),
    "appointments": _lazy("任职情况"),
    "outcomes": _lazy("考核处理结果"),
}


def _refuse_derived(ctx: GuardContext, key: str) -> list[str]:
    if key in ctx.data:
        return [
            _("“%(k)s”由系统根据本环节的记录计算生成，请勿填写。")
            % {"k": DERIVED_TITLES.get(key, _lazy("计算结果"))}
        ]
    return []


# ---- 8. integrity opinion (廉政意见) ---------------------------------------------------


def _lead_time_problems(
    ctx: GuardContext, request: dict[str, Any], meeting: dt.date | None, *, actual: bool
) -> list[str]:
    lead = int(ctx.template.parameters.get("integrity_lead_days", 3))
    requested = _date(request.get("requested_on"))
    problems: list[str] = []
    if requested is None:
        problems.append(_("请填写书面征求廉政意见的日期。"))
    elif requested > ctx.on:
        problems.append(
            _("征求廉政意见的日期 %(d)s 晚于今天：只能记录已经发出的征求函。")
            % {"d": requested.isoformat()}
        )
    if meeting is None:
        if not actual:
            problems.append(_("请填写拟召开讨论决定会议的日期。"))
        return problems
    if requested is None:
        return problems
    gap = (meeting - requested).days
    if gap < lead:
        earliest = requested + dt.timedelta(days=lead)
        which = _("讨论决定会议（实际召开）") if actual else _("拟召开的讨论决定会议")
        problems.append(
            _(
                "廉政意见于 %(r)s 书面征求，距%(w)s日期 %(m)s 仅 %(g)d 日，不足 %(n)d 日："
                "须至少在会议前 %(n)d 日书面征求纪委监委意见。请将会议安排在 %(e)s 或以后。"
            )
            % {
                "r": requested.isoformat(),
                "w": which,
                "m": meeting.isoformat(),
                "g": gap,
                "n": lead,
                "e": earliest.isoformat(),
            }
        )
    return problems


@guard("integrity_requested_in_time")
def integrity_requested_in_time(ctx: GuardContext) -> list[str]:
    """Requested in writing at least `integrity_lead_days` before the decision
    meeting (seed §8). In the integrity step: against the planned meeting date;
    in the decision step: against the meeting's actual date."""
    if ctx.step != "integrity_opinion":
        record = ctx.done("integrity_opinion")
        if record is None:
            return [_("没有书面征求廉政意见的记录：须先办理“廉政意见”环节。")]
        return _lead_time_problems(
            ctx, record.data, _date(ctx.data.get("meeting_date")), actual=True
        )
    problems = []
    if not _text(ctx.data.get("request_document")):
        problems.append(_("廉政意见须书面征求：请填写征求函的文号。"))
    problems += _lead_time_problems(
        ctx, ctx.data, _date(ctx.data.get("planned_meeting_date")), actual=False
    )
    return problems


# `concerns` (有问题，不否决) is recorded for the meeting and needs a reason (0063).
INTEGRITY_RESULTS = ("passed", "concerns", "failed")


@guard("integrity_passed")
def integrity_passed(ctx: GuardContext) -> list[str]:
    """Every inspection candidate has the discipline commission's returned
    opinion; a failed one is no block here: the effect excludes the candidate
    (党风廉政一票否决, seed §2, §8)."""
    inspection = {c.pk: c for c in _candidates(ctx.case, CandidateStatus.INSPECTION)}
    requested = _date(ctx.data.get("requested_on"))
    problems: list[str] = []
    seen: set[int] = set()
    for entry in _entries(ctx.data, "opinions"):
        cid = _int(entry.get("candidate"))
        c = inspection.get(cid) if cid is not None else None
        if c is None:
            problems.append(
                _("廉政意见所列人选（编号 %(i)s）不是本事项的考察对象，请核对。")
                % {"i": entry.get("candidate")}
            )
            continue
        if c.pk in seen:
            problems.append(_("%(c)s的廉政意见重复填写，请只保留一条。") % {"c": _label(c)})
            continue
        seen.add(c.pk)
        if entry.get("result") not in INTEGRITY_RESULTS:
            problems.append(_("请填写%(c)s的廉政意见结论（通过或未通过）。") % {"c": _label(c)})
        elif entry.get("result") == "concerns" and not _text(entry.get("reason")):
            problems.append(_("纪委监委对%(c)s提出问题，须写明理由。") % {"c": _label(c)})
        returned = _date(entry.get("returned_on"))
        if returned is None:
            problems.append(_("请填写纪委监委回复%(c)s廉政意见的日期。") % {"c": _label(c)})
        elif returned > ctx.on:
            problems.append(
                _("%(c)s的廉政意见回复日期 %(d)s 晚于今天，请核对。")
                % {"c": _label(c), "d": returned.isoformat()}
            )
        elif requested is not None and returned < requested:
            problems.append(
                _("%(c)s的廉政意见回复日期 %(d)s 早于征求日期 %(r)s，请核对。")
                % {"c": _label(c), "d": returned.isoformat(), "r": requested.isoformat()}
            )
    for c in inspection.values():
        if c.pk not in seen:
            problems.append(
                _("尚未收到纪委监委对%(c)s的廉政意见：须待书面回复后再办理本环节。")
                % {"c": _label(c)}
            )
    return problems


@effect("integrity_opinion")
def integrity_exclude_failed(ctx: GuardContext, record: CaseStep, actor: Any) -> None:
    failed = {
        _int(e.get("candidate"))
        for e in _entries(ctx.data, "opinions")
        if e.get("result") == "failed"
    }
    for c in _candidates(ctx.case, CandidateStatus.INSPECTION):
        if c.pk in failed:
            candidate_set_status(
                actor=actor,
                candidate=c,
                status=CandidateStatus.EXCLUDED,
                reason=_("廉政意见未通过（一票否决）"),
                step=ctx.step,
            )


# ---- 9. economic-responsibility audit (经济责任审计) ---------------------------------


AUDIT_SCOPES = ("principal", "all", "none")


def needs_audit(post: Post, scope: str) -> bool:
    return scope == "all" or (scope == "principal" and post.is_principal)


@guard("audit_concluded")
def audit_concluded(ctx: GuardContext) -> list[str]:
    """For the posts the template names (`audit_for`: principal posts by
    default), each candidate's audit concluded without problems (seed §2)."""
    scope = ctx.template.parameters.get("audit_for", "principal")
    if scope not in AUDIT_SCOPES:
        return [_("程序模板关于须经济责任审计人选的参数有误：请联系系统管理员。")]
    inspection = {c.pk: c for c in _candidates(ctx.case, CandidateStatus.INSPECTION)}
    problems: list[str] = []
    audits = _by_candidate(
        ctx.data,
        "audits",
        inspection,
        _("审计记录所列人选（编号 %(i)s）不是本事项的考察对象，请核对。"),
        problems,
    )
    for c in inspection.values():
        if not needs_audit(c.post, scope):
            continue
        audit = audits.get(c.pk)
        if audit is None:
            problems.append(
                _(
                    "%(c)s须经经济责任审计，审计结论尚未记录："
                    "请待审计机关出具审计结论后记录结论日期和文号。"
                )
                % {"c": _label(c)}
            )
            continue
        concluded = _date(audit.get("concluded_on"))
        if concluded is None:
            problems.append(_("请填写%(c)s经济责任审计的结论日期。") % {"c": _label(c)})
        elif concluded > ctx.on:
            problems.append(
                _("%(c)s的审计结论日期 %(d)s 晚于今天：审计须已经结束。")
                % {"c": _label(c), "d": concluded.isoformat()}
            )
        if not _text(audit.get("report")):
            problems.append(_("请填写%(c)s的审计报告（结论）文号。") % {"c": _label(c)})
        finding = _text(audit.get("problems"))
        if finding:
            problems.append(
                _(
                    "%(c)s的经济责任审计发现问题：%(f)s。审计无问题方可列入任免方案；"
                    "问题经整改并由审计机关认定后，请重新记录审计结论。"
                )
                % {"c": _label(c), "f": finding}
            )
    return problems


# ---- 10. deliberation (酝酿) -----------------------------------------------------------


def _circulation_problems(
    ctx: GuardContext, plan: dict[str, Any], meeting: dt.date, *, actual: bool
) -> list[str]:
    members = members_on(ctx.case, meeting)
    committee = ctx.case.committee
    if not members:
        return [
            _("%(d)s %(c)s没有在任成员：请先维护决定机构的成员及任期。")
            % {"d": meeting.isoformat(), "c": committee}
        ]
    known = dict(CommitteeMembership.objects.filter(committee=committee).values_list("pk", "name"))
    problems: list[str] = []
    sent: dict[int, dt.date] = {}
    for entry in _entries(plan, "circulated"):
        mid = _int(entry.get("member"))
        if mid is None or mid not in known:
            problems.append(
                _("送达记录中的成员（编号 %(i)s）不是%(c)s的成员，请核对。")
                % {"i": entry.get("member"), "c": committee}
            )
            continue
        day = _date(entry.get("on"))
        if day is None:
            problems.append(_("请填写任免方案送达%(m)s的日期。") % {"m": known[mid]})
        elif day > ctx.on:
            problems.append(
                _("任免方案送达%(m)s的日期 %(d)s 晚于今天，请核对。")
                % {"m": known[mid], "d": day.isoformat()}
            )
        else:
            sent[mid] = day
    missing = [m for m in members if m.pk not in sent]
    late = [m for m in members if m.pk in sent and sent[m.pk] >= meeting]
    which = _("讨论决定会议（实际召开）") if actual else _("讨论决定会议")
    if missing:
        problems.append(
            _("任免方案尚未送达%(w)s（%(d)s）应到会的成员：%(n)s。须在会前送达每一位应到会成员。")
            % {"w": which, "d": meeting.isoformat(), "n": _names(missing)}
        )
    if late:
        problems.append(
            _("任免方案送达%(n)s的日期不在%(w)s日期 %(d)s 之前：须在会前送达。")
            % {"n": _names(late), "w": which, "d": meeting.isoformat()}
        )
    return problems


@guard("plan_circulated")
def plan_circulated(ctx: GuardContext) -> list[str]:
    """The appointment plan reached every member who should attend (membership
    in force on the meeting date) before that date (seed §2, §8). In the
    decision step: against the actual meeting date."""
    if ctx.step != "deliberation":
        record = ctx.done("deliberation")
        if record is None:
            return [_("没有酝酿环节的记录：须先办理“酝酿”环节。")]
        meeting = _date(ctx.data.get("meeting_date"))
        return (
            [] if meeting is None else _circulation_problems(ctx, record.data, meeting, actual=True)
        )
    meeting = _date(ctx.data.get("planned_meeting_date"))
    if meeting is None:
        return [_("请填写拟召开讨论决定会议的日期。")]
    return _circulation_problems(ctx, ctx.data, meeting, actual=False)


# ---- 11. decision (讨论决定) -----------------------------------------------------------

VOTE_COUNTS = ("agree", "disagree", "abstain", "defer_votes")


@dataclass
class Vote:
    candidate_id: int
    post_id: int | None
    agree: int = 0
    disagree: int = 0
    abstain: int = 0
    defer_votes: int = 0
    recused: list[int] = field(default_factory=list)


@dataclass
class Meeting:
    """The decision step's input as submitted, parsed; `problems` are the
    ones of form (missing date, a count that is not a whole number …)."""

    day: dt.date | None
    members: list[CommitteeMembership]
    present: list[int]
    votes: list[Vote]
    problems: list[str]

    def present_members(self) -> list[CommitteeMembership]:
        wanted = set(self.present)
        return [m for m in self.members if m.pk in wanted]


def read_meeting(
    ctx: GuardContext, memberships: Iterable[CommitteeMembership] | None = None
) -> Meeting:
    """The decision data parsed; the members who should attend are read for
    the meeting day, or picked from the committee's `memberships` when the
    caller has read them (the 回头看, for many cases at once)."""
    data = ctx.data
    problems: list[str] = []
    day = _date(data.get("meeting_date"))
    if day is None:
        problems.append(_("请填写讨论决定会议的日期。"))
    elif day > ctx.on:
        problems.append(
            _("会议日期 %(d)s 晚于今天：表决结果须在会后记录。") % {"d": day.isoformat()}
        )
    present: list[int] = []
    raw_present = data.get("present")
    if not isinstance(raw_present, list) or not raw_present:
        problems.append(_("请填写到会成员。"))
    else:
        for value in raw_present:
            mid = _int(value)
            if mid is None:
                problems.append(_("到会成员应以成员编号填写（%(v)s 无效）。") % {"v": value})
            elif mid in present:
                problems.append(_("到会成员（编号 %(i)d）重复填写。") % {"i": mid})
            else:
                present.append(mid)
    votes: list[Vote] = []
    for n, entry in enumerate(_entries(data, "votes"), start=1):
        cid = _int(entry.get("candidate"))
        if cid is None:
            problems.append(_("表决记录第 %(n)d 条未注明人选。") % {"n": n})
            continue
        vote = Vote(candidate_id=cid, post_id=_int(entry.get("post")))
        if entry.get("post") not in (None, "") and vote.post_id is None:
            problems.append(_("表决记录第 %(n)d 条的职位编号无效。") % {"n": n})
        for key in VOTE_COUNTS:
            raw = entry.get(key, 0)
            count = _int(raw) if raw not in (None, "") else 0
            if count is None:
                problems.append(
                    _("表决记录第 %(n)d 条的票数“%(v)s”不是非负整数。") % {"n": n, "v": raw}
                )
                count = 0
            setattr(vote, key, count)
        raw_recused = entry.get("recused") or []
        if not isinstance(raw_recused, list):
            raw_recused = [raw_recused]
        for value in raw_recused:
            mid = _int(value)
            if mid is None:
                problems.append(_("表决记录第 %(n)d 条的回避人员编号无效。") % {"n": n})
            elif mid not in vote.recused:
                vote.recused.append(mid)
        votes.append(vote)
    if day is None:
        members = []
    elif memberships is None:
        members = members_on(ctx.case, day)
    else:
        members = sorted(
            (
                m
                for m in memberships
                if m.start_date <= day and (m.end_date is None or m.end_date > day)
            ),
            key=lambda m: m.pk,
        )
    return Meeting(day, members, present, votes, problems)


def _rules(parameters: dict[str, Any]) -> tally.Rules:
    """The template's fractions; ValueError names the bad parameter."""
    fractions = {}
    for key in ("quorum", "majority", "deferral"):
        raw: Any = parameters.get(key)
        try:
            num, den = (int(x) for x in raw)
            fractions[key] = tally.Fraction(num, den)
        except (TypeError, ValueError) as exc:
            raise ValueError(key) from exc
    return tally.Rules(**fractions)


def _vote_key(vote: Vote, candidates: dict[int, Candidate]) -> str:
    """The candidate's name and post as the tally names it; the id is added
    only when two candidates of the case would read the same."""
    c = candidates.get(vote.candidate_id)
    if c is None:
        return _("人选编号 %(i)d") % {"i": vote.candidate_id}
    label = _label(c)
    if any(o.pk != c.pk and _label(o) == label for o in candidates.values()):
        label += _("（人选编号 %(i)d）") % {"i": c.pk}
    return label


def _decide(
    ctx: GuardContext, meeting: Meeting, candidates: dict[int, Candidate]
) -> tally.MeetingResult:
    """The one arithmetic: `tally.decide` over the members who should attend on
    the meeting date, those present (of them), and each candidate's votes."""
    member_ids = {m.pk for m in meeting.members}
    votes = {
        _vote_key(v, candidates): tally.CandidateVotes(
            agree=v.agree,
            disagree=v.disagree,
            abstain=v.abstain,
            defer_votes=v.defer_votes,
            recused=frozenset(str(r) for r in v.recused),
        )
        for v in meeting.votes
    }
    return tally.decide(
        members=[str(m) for m in sorted(member_ids)],
        present=[str(p) for p in meeting.present if p in member_ids],
        votes=votes,
        rules=_rules(ctx.template.parameters),
    )


@dataclass
class Seats:
    """Who takes the seats: per post, the passed candidates by agree votes;
    those beyond the post's planned seats are not appointed (差额票决)."""

    beyond: dict[int, int] = field(default_factory=dict)  # candidate → seats of the post
    ties: list[str] = field(default_factory=list)


def _allocate_seats(
    ctx: GuardContext,
    meeting: Meeting,
    result: tally.MeetingResult,
    candidates: dict[int, Candidate],
) -> Seats:
    seats = dict(CasePost.objects.filter(case=ctx.case).values_list("post_id", "seats"))
    # Seats already taken by candidates approved at an earlier meeting of the
    # case (a deferred candidate voted on later) are not free.
    for post_id in seats:
        seats[post_id] -= sum(
            1
            for c in candidates.values()
            if c.post_id == post_id and c.status == CandidateStatus.APPROVED
        )
    passed: dict[int, list[tuple[int, Candidate]]] = {}
    for v in meeting.votes:
        c = candidates.get(v.candidate_id)
        r = result.results.get(_vote_key(v, candidates))
        if c is None or r is None or r.outcome is not tally.Outcome.PASSED:
            continue
        passed.setdefault(c.post_id, []).append((r.agree, c))
    out = Seats()
    for post_id, rows in passed.items():
        n = max(seats.get(post_id, 0), 0)
        if len(rows) <= n:
            continue
        rows.sort(key=lambda row: -row[0])
        if n and rows[n - 1][0] == rows[n][0]:
            tied = [c for agree, c in rows if agree == rows[n][0]]
            out.ties.append(
                _(
                    "%(p)s拟配 %(s)d 人，%(n)s同意票相同（%(a)d 票）而超过拟配人数："
                    "须就得票相同的人选再次表决。"
                )
                % {
                    "p": rows[0][1].post,
                    "s": n,
                    "n": "、".join(c.cadre.name for c in tied),
                    "a": rows[n][0],
                }
            )
            continue
        for _agree, c in rows[n:]:
            out.beyond[c.pk] = n
    return out


def _recheck_meeting_date(ctx: GuardContext, meeting: Meeting) -> list[str]:
    """The integrity lead time and the plan's circulation were checked against
    the planned meeting date; the decision step checks them again against the
    actual date, unless the template already lists those guards here."""
    if meeting.day is None:
        return []
    here = ctx.template.step(ctx.step).guards
    steps = _step_codes(ctx)
    problems: list[str] = []
    if "integrity_opinion" in steps and "integrity_requested_in_time" not in here:
        problems += integrity_requested_in_time(ctx)
    if "deliberation" in steps and "plan_circulated" not in here:
        problems += plan_circulated(ctx)
    return problems


@guard("quorum_and_majority")
def quorum_and_majority(ctx: GuardContext) -> list[str]:
    """Quorum and each candidate's result, computed only by `tally.decide` with
    the template's fractions (seed §3, §8; Reg. 2019); who should attend is
    derived from the committee's memberships on the meeting date."""
    meeting = read_meeting(ctx)
    problems = [*meeting.problems, *_refuse_derived(ctx, "result_sheet")]
    if meeting.day is None:
        return problems
    if not meeting.members:
        problems.append(
            _("%(d)s %(c)s没有在任成员：请先维护决定机构的成员及任期。")
            % {"d": meeting.day.isoformat(), "c": ctx.case.committee}
        )
        return problems
    member_ids = {m.pk for m in meeting.members}
    strangers = [p for p in meeting.present if p not in member_ids]
    if strangers:
        names = dict(CommitteeMembership.objects.filter(pk__in=strangers).values_list("pk", "name"))
        problems.append(
            _("%(n)s不是 %(d)s %(c)s的在任成员，不能计入到会人数。")
            % {
                "n": "、".join(names.get(p, f"#{p}") for p in strangers),
                "d": meeting.day.isoformat(),
                "c": ctx.case.committee,
            }
        )
    candidates = {c.pk: c for c in _candidates(ctx.case)}
    try:
        result = _decide(ctx, meeting, candidates)
    except ValueError as exc:  # TallyError, or a bad template fraction
        if isinstance(exc, tally.TallyError):
            problems.append(_("表决数据有误：%(e)s请核对后重新填写。") % {"e": exc})
        else:
            problems.append(_("程序模板参数 %(k)s 不是有效的分数：请联系系统管理员。") % {"k": exc})
        return problems + _recheck_meeting_date(ctx, meeting)
    if not result.quorum_met:
        problems.append(
            _(
                "应到会成员 %(m)d 人，实到 %(p)d 人，未达到法定到会人数（至少 %(q)d 人），"
                "不得表决：请在到会人数达到后再开会表决。"
            )
            % {"m": result.members, "p": result.present, "q": result.quorum_needed}
        )
    else:
        problems += _allocate_seats(ctx, meeting, result, candidates).ties
    return problems + _recheck_meeting_date(ctx, meeting)


@guard("no_additions_at_meeting")
def no_additions_at_meeting(ctx: GuardContext) -> list[str]:
    """The candidates voted on are exactly the case's inspection candidates
    left after the integrity opinion and the audit, each for the post they
    were inspected for: nothing added or changed at the meeting (Reg. 2019)."""
    meeting = read_meeting(ctx)
    every = {c.pk: c for c in _candidates(ctx.case)}
    # A later meeting of the same case takes up only those deferred (缓议) before.
    due = CandidateStatus.DEFERRED if ctx.resumed else CandidateStatus.INSPECTION
    inspection = [c for c in every.values() if c.status == due]
    if not inspection:
        if ctx.resumed:
            return [_("本事项没有缓议的人选，无须再次讨论决定。")]
        return [_("本事项没有可提交讨论决定的考察对象（均已排除或尚未确定），不能办理讨论决定。")]
    case_posts = set(CasePost.objects.filter(case=ctx.case).values_list("post_id", flat=True))
    problems: list[str] = []
    seen: set[int] = set()
    for v in meeting.votes:
        c = every.get(v.candidate_id)
        if c is None:
            problems.append(
                _("表决名单中的人选（编号 %(i)d）不是本事项的人选：会上不得临时动议、增加人选。")
                % {"i": v.candidate_id}
            )
            continue
        if c.status != due:
            problems.append(
                _("%(c)s不在提交会议的考察对象中（现为“%(s)s”%(r)s）：会上不得临时增加人选。")
                % {
                    "c": _label(c),
                    "s": c.get_status_display(),
                    "r": f"：{c.status_reason}" if c.status_reason else "",
                }
            )
        if v.post_id is not None and v.post_id != c.post_id:
            post = Post.objects.select_related("unit").filter(pk=v.post_id).first()
            problems.append(
                _("%(n)s考察时拟任%(a)s，表决时为%(b)s：会上不得改变拟任职位。")
                % {"n": c.cadre.name, "a": c.post, "b": post or f"#{v.post_id}"}
            )
            if v.post_id not in case_posts:
                problems.append(
                    _("%(b)s不在本事项的职位中：会上不得增加职位。")
                    % {"b": post or f"#{v.post_id}"}
                )
        if c.pk in seen:
            problems.append(_("%(c)s重复列入表决：每名人选只单独表决一次。") % {"c": _label(c)})
        seen.add(c.pk)
    for c in inspection:
        if c.pk not in seen:
            problems.append(
                _("%(c)s未列入表决：须对每名考察对象逐一表决（可以缓议），不得整体表决或遗漏。")
                % {"c": _label(c)}
            )
    return problems


@guard("recusal_respected")
def recusal_respected(ctx: GuardContext) -> list[str]:
    """A member with a recusal link to a candidate (DOMAIN §4, detected from the
    family records by `recusal.conflicts`), or the candidate in person, leaves
    that candidate's discussion and vote: listed among the recused, and no
    more votes counted than the members left."""
    meeting = read_meeting(ctx)
    if meeting.day is None:
        return []
    present = meeting.present_members()
    ids = [v.candidate_id for v in meeting.votes]
    candidates = {
        c.pk: c for c in Candidate.objects.filter(case=ctx.case, pk__in=ids).select_related("cadre")
    }
    found = conflicts(
        [m.cadre_id for m in present if m.cadre_id is not None],
        [c.cadre_id for c in candidates.values()],
    )
    recorded_by = dict(
        Cadre.objects.filter(pk__in={link.recorded_by for link in found}).values_list("pk", "name")
    )
    return recusal_problems(meeting, candidates, found, recorded_by)


def recusal_problems(
    meeting: Meeting,
    candidates: dict[int, Candidate],
    found: Iterable[RecusalLink],
    recorded_by: dict[int, str],
) -> list[str]:
    """recusal_respected on what it reads: the meeting, the case's candidates
    voted on (with their cadres), the recusal links between the members
    present and them, and the names of the cadres whose family records hold
    the links (the 回头看 reads these for many cases at once)."""
    if meeting.day is None:
        return []
    present = meeting.present_members()
    found = list(found)
    problems: list[str] = []
    for v in meeting.votes:
        c = candidates.get(v.candidate_id)
        if c is None:
            continue
        recused = set(v.recused)
        for m in present:
            if m.pk in recused or m.cadre_id is None:
                continue
            if m.cadre_id == c.cadre_id:
                problems.append(
                    _("%(m)s本人是人选，须回避对本人的讨论和表决：请将其列入回避人员。")
                    % {"m": m.name}
                )
            for link in found:
                if link.person_cadre_id == m.cadre_id and link.candidate_cadre_id == c.cadre_id:
                    problems.append(
                        _(
                            "%(m)s与人选%(c)s有回避关系（%(r)s，见%(b)s的家庭成员记录），"
                            "须回避对%(c)s的讨论和表决：请将%(m)s列入该人选的回避人员，其票不得计入。"
                        )
                        % {
                            "m": m.name,
                            "c": c.cadre.name,
                            "r": Relation(link.relation).label,
                            "b": recorded_by.get(link.recorded_by, ""),
                        }
                    )
        voters = len([m for m in present if m.pk not in recused])
        if recused & {m.pk for m in present}:
            counted = v.agree + v.disagree + v.abstain
            if counted > voters:
                problems.append(
                    _(
                        "%(c)s：回避后参加表决的为 %(v)d 人，却计入同意、不同意、弃权共 %(n)d 票："
                        "回避人员的票不得计入，请核对。"
                    )
                    % {"c": c.cadre.name, "v": voters, "n": counted}
                )
            if v.defer_votes > voters:
                problems.append(
                    _(
                        "%(c)s：回避后参加讨论的为 %(v)d 人，却计入缓议 %(n)d 票："
                        "回避人员不得参加对该人选的缓议表决。"
                    )
                    % {"c": c.cadre.name, "v": voters, "n": v.defer_votes}
                )
    return problems


OUTCOME_STATUS = {
    tally.Outcome.PASSED: CandidateStatus.APPROVED,
    tally.Outcome.REJECTED: CandidateStatus.REJECTED,
    tally.Outcome.DEFERRED: CandidateStatus.DEFERRED,
}


@effect("decision")
def decision_apply_results(ctx: GuardContext, record: CaseStep, actor: Any) -> None:
    """Each candidate → APPROVED / REJECTED / DEFERRED with the result sentence;
    the result sheet is stored in the record's data."""
    meeting = read_meeting(ctx)
    assert meeting.day is not None  # the guards held
    candidates = {c.pk: c for c in _candidates(ctx.case)}
    result = _decide(ctx, meeting, candidates)
    seats = _allocate_seats(ctx, meeting, result, candidates)
    rows = []
    for v in meeting.votes:
        c = candidates[v.candidate_id]
        r = result.results[_vote_key(v, candidates)]
        status = OUTCOME_STATUS[r.outcome]
        sentence = r.sentence
        if c.pk in seats.beyond:
            status = CandidateStatus.EXCLUDED
            sentence += _(
                "但同意票少于同一职位得票在前的 %(s)d 人，未列为拟任人选（差额票决）。"
            ) % {"s": seats.beyond[c.pk]}
        candidate_set_status(
            actor=actor,
            candidate=c,
            status=status,
            reason=_("讨论决定（%(d)s）：%(s)s") % {"d": meeting.day.isoformat(), "s": sentence},
            step=ctx.step,
        )
        rows.append(
            {
                "candidate": c.pk,
                "cadre": c.cadre_id,
                "name": c.cadre.name,
                "post": c.post_id,
                "outcome": r.outcome.value,
                "status": status.value,
                "agree": r.agree,
                "disagree": r.disagree,
                "abstain": r.abstain,
                "defer_votes": v.defer_votes,
                "recused": sorted(v.recused),
                "eligible_voters": r.eligible_voters,
                "needed": r.needed,
                "sentence": sentence,
            }
        )
    params = ctx.template.parameters
    _add_to_record(
        record,
        "result_sheet",
        {
            "meeting_date": meeting.day.isoformat(),
            "members": [m.pk for m in meeting.members],
            "present": [m.pk for m in meeting.present_members()],
            "members_count": result.members,
            "present_count": result.present,
            "quorum_needed": result.quorum_needed,
            "rules": {k: list(params[k]) for k in ("quorum", "majority", "deferral")},
            "candidates": rows,
        },
    )


# ---- 13. appointment (任职) and the appointment talk (任前谈话) ------------------------

COMPETITIVE_METHODS = (TenureMethod.COMPETITIVE, TenureMethod.OPEN_SELECTION)
OTHER_METHODS = (TenureMethod.APPOINTED, TenureMethod.ELECTED, TenureMethod.HIRED)
PROBATION_SCOPES = ("all", "promoted_non_principal", "none")


def probation_scope(ctx: GuardContext) -> str:
    """`probation_for` of the template, or by default: every appointment of the
    competitive template (seed §2: 公开选拔的干部一律实行一年试用期); otherwise a
    promotion to a non-principal post (national rule: non-elected deputies
    and internal-unit leaders)."""
    default = "all" if ctx.template.code == "competitive" else "promoted_non_principal"
    return str(ctx.template.parameters.get("probation_for", default))


def decision_date(ctx: GuardContext) -> dt.date | None:
    record = ctx.done("decision")
    return _date(record.data.get("meeting_date")) if record is not None else None


def _allowed_methods(ctx: GuardContext) -> tuple[str, ...]:
    competitive = ctx.template.code == "competitive"
    return COMPETITIVE_METHODS if competitive else OTHER_METHODS


def _method(ctx: GuardContext) -> str:
    return _text(ctx.data.get("method")) or _allowed_methods(ctx)[0]


@guard("method_allowed")
def method_allowed(ctx: GuardContext) -> list[str]:
    """The appointment's method is one this kind of case uses (the competitive
    template: 竞争上岗 or 公开选拔; the others: 委任, 选任 or 聘任), and the
    template's probation rule is one the system knows."""
    problems = []
    allowed = _allowed_methods(ctx)
    if _method(ctx) not in allowed:
        problems.append(
            _("本类事项的任职方式应为：%(m)s，请重新选择。")
            % {"m": "、".join(str(TenureMethod(m).label) for m in allowed)}
        )
    if probation_scope(ctx) not in PROBATION_SCOPES:
        problems.append(
            _("程序模板关于试用期适用范围的参数有误，不能确定谁须试用：请联系系统管理员。")
        )
    return problems


@guard("approved_within_seats")
def approved_within_seats(ctx: GuardContext) -> list[str]:
    """The decision is recorded (tenures count from its date) and no post has
    more approved candidates than its planned seats."""
    problems = []
    if decision_date(ctx) is None:
        problems.append(
            _("找不到讨论决定会议的日期：任职时间自讨论决定之日起计算，须先办理讨论决定。")
        )
    approved = _candidates(ctx.case, CandidateStatus.APPROVED)
    seats = dict(CasePost.objects.filter(case=ctx.case).values_list("post_id", "seats"))
    per_post: dict[int, list[Candidate]] = {}
    for c in approved:
        per_post.setdefault(c.post_id, []).append(c)
    for post_id, people in per_post.items():
        if len(people) > seats.get(post_id, 0):
            problems.append(
                _("%(p)s拟配 %(s)d 人，讨论决定通过 %(n)d 人（%(who)s）：请核对讨论决定结果。")
                % {
                    "p": people[0].post,
                    "s": seats.get(post_id, 0),
                    "n": len(people),
                    "who": "、".join(c.cadre.name for c in people),
                }
            )
    return problems


@effect("appointment")
def appointment_start_tenures(ctx: GuardContext, record: CaseStep, actor: Any) -> None:
    """Every approved candidate (not suspended or dropped during the notice)
    takes the post: a tenure from the decision meeting's date (tenure counts
    from the committee's decision, DOMAIN §4), with the document number, the
    template's method and, where it applies, probation. The guards
    (`method_allowed`, `approved_within_seats`) have checked what this reads."""
    start = decision_date(ctx)
    assert start is not None, "approved_within_seats holds"
    method = _method(ctx)
    scope = probation_scope(ctx)
    months = int(ctx.template.parameters["probation_months"])
    document = _text(ctx.data.get("document_number"))
    approved = _candidates(ctx.case, CandidateStatus.APPROVED)
    rows = []
    for c in approved:
        cadre = Cadre.objects.get(pk=c.cadre_id)
        former = {
            "former_level": cadre.level,
            "former_level_since": _iso(cadre.level_since),
            "former_post_title": cadre.current_post_title,
        }
        promoted = LEVEL_RANK.get(c.post.level, 0) > LEVEL_RANK.get(cadre.level, 0)
        probation = scope == "all" or (
            scope == "promoted_non_principal" and promoted and not c.post.is_principal
        )
        ended = _end_previous_tenures(ctx, cadre, c.post, start, document, actor)
        until = probation_last_day(start, months) if probation else None
        tenure = tenure_start(
            actor=actor,
            cadre=cadre,
            post=c.post,
            start_date=start,
            document_number=document,
            method=method,
            probation_until=until,
        )
        reason = _("任职：%(doc)s，任职时间自讨论决定之日 %(s)s 起计算") % {
            "doc": document,
            "s": start.isoformat(),
        }
        if until is not None:
            reason += _("，试用期至 %(u)s") % {"u": until.isoformat()}
        candidate_set_status(
            actor=actor,
            candidate=c,
            status=CandidateStatus.APPOINTED,
            reason=reason,
            step=ctx.step,
        )
        rows.append(
            {
                "candidate": c.pk,
                "cadre": c.cadre_id,
                "post": c.post_id,
                "tenure": tenure.pk,
                "start_date": start.isoformat(),
                "document_number": document,
                "method": method,
                "probation_until": _iso(until),
                **former,
                **({"ended_tenures": ended} if ended else {}),
            }
        )
    _add_to_record(record, "appointments", rows)


def _end_previous_tenures(
    ctx: GuardContext, cadre: Cadre, post: Post, start: dt.date, document: str, actor: Any
) -> list[int]:
    """With the template parameter `end_previous_tenure` (default off), the
    appointee leaves the posts they hold elsewhere on the day the new tenure
    starts (任新职、免原职, one document). Off by default: a cadre may hold
    concurrent posts (兼任), and a removal usually has its own document."""
    if not ctx.template.parameters.get("end_previous_tenure"):
        return []
    ended = []
    running = Tenure.objects.filter(active_tenure_q(start), cadre=cadre).exclude(post=post)
    for tenure in running.order_by("start_date", "id"):
        tenure_end(actor=actor, tenure=tenure, end_date=start, document_number=document)
        ended.append(tenure.pk)
    return ended


@guard("talks_before_office")
def talks_before_office(ctx: GuardContext) -> list[str]:
    """Every appointed candidate had the appointment talk with integrity
    education after the decision and before taking office."""
    appointed = {c.pk: c for c in _candidates(ctx.case, CandidateStatus.APPOINTED)}
    decided = decision_date(ctx)
    errors: list[str] = []
    talks = _by_candidate(
        ctx.data,
        "talks",
        appointed,
        _("谈话记录所列人选（编号 %(i)s）不是本事项已任职的人选，请核对。"),
        errors,
    )
    for c in appointed.values():
        entry = talks.get(c.pk)
        if entry is None:
            errors.append(
                _("%(c)s尚无任前谈话记录：须在到任前进行任前谈话和廉政教育，记录后再办理。")
                % {"c": _label(c)}
            )
            continue
        talk = _date(entry.get("talk_on"))
        office = _date(entry.get("takes_office_on"))
        if talk is None:
            errors.append(_("请填写%(c)s任前谈话的日期。") % {"c": _label(c)})
        if office is None:
            errors.append(_("请填写%(c)s到任（履职）的日期。") % {"c": _label(c)})
        if talk is not None:
            if talk > ctx.on:
                errors.append(
                    _("%(c)s的任前谈话日期 %(d)s 晚于今天：只能记录已经进行的谈话。")
                    % {"c": _label(c), "d": talk.isoformat()}
                )
            if decided is not None and talk < decided:
                errors.append(
                    _("%(c)s的任前谈话日期 %(d)s 早于讨论决定日期 %(k)s，请核对。")
                    % {"c": _label(c), "d": talk.isoformat(), "k": decided.isoformat()}
                )
            if office is not None and talk > office:
                errors.append(
                    _("%(c)s于 %(o)s 到任，任前谈话却在 %(d)s：任前谈话须在到任前进行。")
                    % {"c": _label(c), "o": office.isoformat(), "d": talk.isoformat()}
                )
        if not _text(entry.get("by")):
            errors.append(_("请填写%(c)s任前谈话的谈话人。") % {"c": _label(c)})
        if entry.get("integrity_education") is not True:
            errors.append(
                _("%(c)s的任前谈话须包括廉政教育：请在谈话中进行并记录。") % {"c": _label(c)}
            )
    return errors


# ---- 14. end of probation (试用期满考核) ------------------------------------------------

PROBATION_RESULTS = ("competent", "not_competent")


@dataclass
class OnProbation:
    candidate: Candidate
    tenure: Tenure
    former_level: str | None  # None: not known from the appointment record
    former_level_since: dt.date | None
    former_post_title: str | None


def on_probation(case: Case) -> list[OnProbation]:
    """The case's appointed candidates whose tenure runs a probation: the
    tenure the appointment record names, else the latest on the post (a
    promotion to a principal post of the county template has none)."""
    record = case.steps.filter(step="appointment").order_by("-seq").first()
    rows = {
        _int(r.get("candidate")): r
        for r in (record.data.get("appointments", []) if record is not None else [])
        if isinstance(r, dict)
    }
    out = []
    for c in _candidates(case, CandidateStatus.APPOINTED):
        row = rows.get(c.pk)
        tenure = None
        tenure_id = _int(row.get("tenure")) if row is not None else None
        if tenure_id is not None:
            tenure = Tenure.objects.filter(pk=tenure_id).first()
        if tenure is None:
            tenure = (
                Tenure.objects.filter(cadre_id=c.cadre_id, post_id=c.post_id)
                .order_by("-start_date")
                .first()
            )
        if tenure is None or tenure.probation_until is None:
            continue
        out.append(
            OnProbation(
                c,
                tenure,
                row.get("former_level") if row is not None else None,
                _date(row.get("former_level_since")) if row is not None else None,
                row.get("former_post_title") if row is not None else None,
            )
        )
    return out


def _former_level(p: OnProbation, entry: dict[str, Any]) -> tuple[str, dt.date | None] | None:
    """The level to restore: as the assessment states it, else as the
    appointment recorded it, else the level of the cadre's previous tenure."""
    if "restore_level" in entry:
        return _text(entry.get("restore_level")), _date(entry.get("restore_level_since"))
    if p.former_level is not None:
        return p.former_level, p.former_level_since
    previous = (
        Tenure.objects.filter(cadre_id=p.tenure.cadre_id, start_date__lt=p.tenure.start_date)
        .exclude(pk=p.tenure.pk)
        .select_related("post")
        .order_by("-start_date")
        .first()
    )
    if previous is None:
        return None
    level = previous.post.level
    first = (
        Tenure.objects.filter(
            cadre_id=p.tenure.cadre_id, post__level=level, start_date__lt=p.tenure.start_date
        )
        .order_by("start_date")
        .first()
    )
    return level, first.start_date if first else previous.start_date


@guard("probation_assessed")
def probation_assessed(ctx: GuardContext) -> list[str]:
    """Every appointed candidate on probation has ended it on the step's date
    and has an assessment: competent or not competent (seed §8)."""
    problems = _refuse_derived(ctx, "outcomes")
    assessed_now = {p.candidate.pk: p for p in on_probation(ctx.case)}
    entries = _by_candidate(
        ctx.data,
        "assessments",
        assessed_now,
        _("考核记录所列人选（编号 %(i)s）不是本事项试用期内的人选，请核对。"),
        problems,
    )
    for p in assessed_now.values():
        label = _label(p.candidate)
        until = p.tenure.probation_until
        assert until is not None
        if ctx.on <= until:
            problems.append(
                _("%(c)s的试用期至 %(u)s 届满，尚未期满：请于 %(n)s 起办理试用期满考核。")
                % {
                    "c": label,
                    "u": until.isoformat(),
                    "n": (until + dt.timedelta(days=1)).isoformat(),
                }
            )
        entry = entries.get(p.candidate.pk)
        if entry is None:
            problems.append(_("请记录%(c)s的试用期满考核结果（称职或不称职）。") % {"c": label})
            continue
        if entry.get("result") not in PROBATION_RESULTS:
            problems.append(_("%(c)s的考核结果应为称职或不称职，请重新选择。") % {"c": label})
        assessed = _date(entry.get("assessed_on"))
        if assessed is None:
            problems.append(_("请填写%(c)s试用期满考核的日期。") % {"c": label})
        elif assessed > ctx.on:
            problems.append(
                _("%(c)s的考核日期 %(d)s 晚于今天，请核对。")
                % {"c": label, "d": assessed.isoformat()}
            )
        if entry.get("result") == "not_competent":
            former = _former_level(p, entry)
            if former is None:
                problems.append(
                    _("%(c)s考核不称职，须恢复试用前的职务层次：请填写原职务层次及任该层次时间。")
                    % {"c": label}
                )
            elif former[0] and former[0] not in Level.values:
                problems.append(
                    _("%(c)s的原职务层次“%(l)s”无效，请重新选择。") % {"c": label, "l": former[0]}
                )
    return problems


@effect("probation_end")
def probation_end_apply(ctx: GuardContext, record: CaseStep, actor: Any) -> None:
    """Competent → CONFIRMED (the tenure keeps its probation date as history);
    not competent → REMOVED: the probationary tenure ends and the cadre's level
    goes back to the one held before (seed §8)."""
    entries = {_int(e.get("candidate")): e for e in _entries(ctx.data, "assessments")}
    rows = []
    for p in on_probation(ctx.case):
        entry = entries[p.candidate.pk]
        until = p.tenure.probation_until
        assert until is not None
        if entry["result"] == "competent":
            candidate_set_status(
                actor=actor,
                candidate=p.candidate,
                status=CandidateStatus.CONFIRMED,
                reason=_("试用期（至 %(u)s）满考核称职，正式任职。") % {"u": until.isoformat()},
                step=ctx.step,
            )
            rows.append({"candidate": p.candidate.pk, "result": "competent"})
            continue
        former = _former_level(p, entry)
        assert former is not None
        level, since = former
        tenure_end(
            actor=actor,
            tenure=p.tenure,
            end_date=ctx.on,
            document_number=_text(entry.get("document")),
        )
        changes: dict[str, Any] = {"level": level, "level_since": since}
        if p.former_post_title is not None:
            changes["current_post_title"] = p.former_post_title
        cadre_update(actor=actor, cadre=p.candidate.cadre, changes=changes)
        level_name = str(Level(level).label) if level else _("无")
        candidate_set_status(
            actor=actor,
            candidate=p.candidate,
            status=CandidateStatus.REMOVED,
            reason=_("试用期满考核不称职，免去试任职务，恢复原职务层次（%(l)s）。")
            % {"l": level_name},
            step=ctx.step,
        )
        rows.append(
            {
                "candidate": p.candidate.pk,
                "result": "not_competent",
                "tenure_ended": p.tenure.pk,
                "end_date": ctx.on.isoformat(),
                "restored_level": level,
                "restored_level_since": _iso(since),
            }
        )
    _add_to_record(record, "outcomes", rows)
