"""Demo cases (选任事项) for `xuanren demo`: a newcomer sees the whole
procedure, from a case just opened to one closed after the end of probation.

Everything goes through the services, as an officer would do it: the county's
standing committee and a unit's party group are created with their members
(some linked to the cadres who sit on them, so recusal is detected from the
family records), and each case completes its steps with `case_step_complete`,
its guards holding. Posts are ones left vacant, within the approved number
(职数), for the whole life of the case. Candidates are cadres of the generated
county who meet the post's rules at the case's reference date except the two
the procedure itself settles (凡提四必: the generated county verifies the
personal matters of its leaders only, so nobody could be promoted to a first
leading post otherwise): their archive and personal-matters report must not
be found wanting, the officer records both verified (`cadre_update`) before
the step that checks qualification, and `policy.selectors.screen` must then
pass them.

The cases are dated backwards from `on` so that each is at its stage today:

- a 股级 case just opened (at the motion; a county case where no 股级 post is free);
- a county case at the inspection (candidates chosen, the inspection notice out);
- a 竞争上岗 case waiting for the decision meeting;
- a county case whose public notice runs from today (on /public/), with one
  online report under investigation; its decision was taken by an electronic
  secret vote (表决), the meeting's result applied to the case;
- a 股级 case appointed, whose probation ends within the month (待办);
- a county case closed: appointed, probation ended, confirmed;
- a county case waiting for the integrity opinions (jiwei's 待办);
- a county case of a principal post at the economic-responsibility audit
  (the audit office's 待办, its request sent by `demo_role_tasks`).

Besides the cases, one recommendation meeting (民主推荐) of a township is open
for voting: the demo participant is on its roster (own login), the others
hold one-time codes (docs/decisions/0030).

Public notices cannot be back-dated (`public_notice_publish` refuses a start
before today), so the two older notices are published with the supervision
services' "today" set to the day they ran: the history of a demo, not a
back-dated record (a patch of the module's `today` while the demo is built,
before any server runs). Nothing else is bypassed.

Idempotent: nothing is built when the database already has a case. A stage
whose posts or people cannot be found in a small county is skipped and logged;
the others are still built.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from xuanren.access.names import display_name
from xuanren.ballots.models import Meeting, MeetingKind, Recusal
from xuanren.ballots.services import (
    ballot_cast,
    meeting_attendance_set,
    meeting_close,
    meeting_codes_issue,
    meeting_count_key_create,
    meeting_create,
    meeting_create_for_decision,
    meeting_open,
    meeting_result_apply,
)
from xuanren.common.errors import DomainError
from xuanren.org.models import LEVEL_RANK, TOWNSHIP_KINDS, Level, Post, Quota, Unit, UnitKind
from xuanren.people.models import PARTY_STATUSES, Cadre, CadreStatus, ResumeEntry, Tenure
from xuanren.people.services import cadre_update
from xuanren.policy.compile import screen_queryset
from xuanren.policy.rules import Measure
from xuanren.policy.selectors import (
    approved_waivers,
    candidates_base,
    explain_for,
    post_facts,
    rules_for_post,
    screen,
)
from xuanren.procedure.guards.decision import probation_last_day
from xuanren.procedure.models import (
    Candidate,
    Case,
    CaseStep,
    Committee,
    CommitteeKind,
    CommitteeMembership,
)
from xuanren.procedure.recusal import conflicts
from xuanren.procedure.services import (
    case_open,
    case_step_complete,
    committee_create,
    committee_member_add,
)
from xuanren.supervision import services as supervision
from xuanren.supervision.models import PublicNotice

log = logging.getLogger(__name__)

#: Names for committee members who are not linked to a cadre record.
MEMBER_NAMES = ("周建华", "吴国平", "郑志刚", "冯卫东", "褚红梅", "蒋立新", "沈晓燕", "韩志强",
                "杨光明", "朱海燕", "秦文斌")  # fmt: skip
TEAM = [{"name": "陈立群", "role": "组长"}, {"name": "周晓燕"}, {"name": "吴昊"}]
CHANNELS = ["举报电话：12380", "来信地址：县委组织部干部监督科", "网上举报：本公示页面"]
MEETING_GROUPS = {"领导班子成员": 7, "中层干部": 18, "其他干部": 30}
TALK_GROUPS = {"领导班子成员": 7, "中层干部": 15}
#: Units whose posts the demo fills: organs and townships, and their internal offices.
ORGANS = (UnitKind.PARTY_ORGAN, UnitKind.GOVERNMENT_DEPARTMENT, UnitKind.OTHER_ORGAN,
          UnitKind.TOWNSHIP, UnitKind.STREET_OFFICE)  # fmt: skip
#: Checked during the procedure (凡提四必), recorded before qualification is checked.
FOUR_MUSTS = frozenset({Measure.ARCHIVE_REVIEWED, Measure.PERSONAL_MATTERS_VERIFIED})


@dataclass(frozen=True)
class DemoCase:
    stage: str
    label: str
    case: Case


def _iso(day: dt.date) -> str:
    return day.isoformat()


@contextmanager
def _as_of(day: dt.date) -> Iterator[None]:
    """The supervision services' today, for a notice published in the demo's past."""
    with mock.patch.object(supervision, "today", lambda: day):
        yield


# ---- the demo county: people, posts, committees -------------------------------------


@dataclass
class _Demo:
    admin: Any
    officer: Any
    jiwei: Any
    root: Unit
    on: dt.date
    used_units: set[int] = field(default_factory=set)
    used_cadres: set[int] = field(default_factory=set)
    # What decides who is eligible for a post (see `_eligible`), where too few
    # were: a post alike in all of it fails too, as the used cadres only grow.
    too_few: set[tuple[Any, ...]] = field(default_factory=set)
    standing: tuple[Committee, list[CommitteeMembership]] | None = None

    def ago(self, days: int) -> dt.date:
        return self.on - dt.timedelta(days=days)

    # posts and people ----------------------------------------------------

    def _vacant_posts(
        self, levels: Sequence[str], principal: bool, since: dt.date, seats: int, anywhere: bool
    ) -> Iterator[Post]:
        """Posts of the county free for `seats` more holders from `since` on,
        within their unit's approved number, in units no other demo case uses."""
        posts = (
            Post.objects.filter(
                is_active=True,
                level__in=list(levels),
                is_principal=principal,
                unit__path__startswith=self.root.path,
                unit__is_active=True,
            )
            .exclude(unit_id__in=self.used_units)
            .select_related("unit")
            .order_by("pk")
        )
        if not anywhere:
            posts = posts.filter(
                Q(unit__kind__in=ORGANS)
                | Q(unit__kind=UnitKind.INTERNAL_OFFICE, unit__parent__kind__in=ORGANS)
            )
        live = Q(end_date__isnull=True) | Q(end_date__gt=since)
        for post in posts[:400]:
            if post.tenures.filter(live).count() + seats > post.seats:
                continue
            if post.counts_against_quota:
                quota = Quota.objects.filter(unit=post.unit, level=post.level).first()
                filled = Tenure.objects.filter(
                    live,
                    post__unit=post.unit,
                    post__level=post.level,
                    post__counts_against_quota=True,
                ).count()
                if quota is None or filled + seats > quota.approved:
                    continue
            yield post

    def _base(self, post: Post, first_post: bool) -> QuerySet[Cadre]:
        """Who might be promoted to `post`: of a lower level (`first_post`:
        holding no leading post yet), personal matters reported and the
        archive not found wanting (the procedure verifies both, 凡提四必),
        with what a public notice states about them."""
        rank = LEVEL_RANK[post.level]
        lower = [""] if first_post else ["", *(lv for lv, r in LEVEL_RANK.items() if r < rank)]
        base = (
            candidates_base(actor=self.officer, post=post)
            .filter(level__in=lower, work_start_date__isnull=False)
            .filter(personal_matters_status__in=["reported", "verified"])
            .exclude(archive_review_status="issues_found")
            .filter(Exists(ResumeEntry.objects.filter(cadre=OuterRef("pk"))))
            .filter(Q(party_join_date__isnull=False) | ~Q(political_status__in=PARTY_STATUSES))
            .exclude(native_place="")
            .exclude(current_post_title="")
            .exclude(education_level="")
            .exclude(pk__in=self.used_cadres)
        )
        if first_post:
            base = base.exclude(Exists(Tenure.objects.filter(cadre=OuterRef("pk"), end_date=None)))
        return base

    def _meeting_rules(self, post: Post, ref: dt.date, first_post: bool) -> QuerySet[Cadre]:
        """`_base` narrowed to those who meet every rule of the post at `ref`
        but the two checks the procedure makes itself."""
        rules = [r for r in rules_for_post(post, ref) if r.measure not in FOUR_MUSTS]
        return screen_queryset(
            self._base(post, first_post), rules, post_facts(post), ref, approved_waivers(post)
        )

    def _eligible(self, post: Post, ref: dt.date, count: int, first_post: bool) -> list[Cadre]:
        """`count` people for `post`, those of the post's own organ or township
        first; none when too few (see `_base`, `_meeting_rules`, whose query
        this builds from the same parts)."""
        from xuanren.procedure.guards.basic import FITTING_IDENTITIES, post_type

        # 不准混岗配备: only people whose 身份 is recorded and fits the post's
        # type (a blank one is refused, docs/decisions/0091).
        fits = FITTING_IDENTITIES[post_type(post)]
        rules = [r for r in rules_for_post(post, ref) if r.measure not in FOUR_MUSTS]
        facts, waivers = post_facts(post), approved_waivers(post)
        # Everything the query below reads of the post (screen_queryset reads
        # its facts, not the post): a post alike in all of it finds no more.
        key = (
            LEVEL_RANK[post.level], first_post, ref, facts, tuple(sorted(fits)),
            tuple(r.id for r in rules), tuple(sorted((k, tuple(sorted(v))) for k, v in waivers.items())),
        )  # fmt: skip
        if key in self.too_few:
            return []
        qs = screen_queryset(self._base(post, first_post), rules, facts, ref, waivers)
        found = list(qs.filter(identity__in=fits).select_related("unit").order_by("pk")[:300])
        if len(found) < count:
            self.too_few.add(key)
            return []
        home = post.unit.path[: len(self.root.path) + 4]
        found.sort(key=lambda c: (not c.unit.path.startswith(home), c.pk))
        return found[:count]

    def pick(
        self,
        *,
        levels: Sequence[str],
        principal: bool,
        since: dt.date,
        count: int,
        first_post: bool = False,
        anywhere: bool = False,
    ) -> tuple[Post, list[Cadre]]:
        """A vacant post and `count` people for it (see `_eligible`); with
        `count` 0, just the post. Posts of organs and townships (and their
        offices) unless `anywhere`."""
        for post in self._vacant_posts(levels, principal, since, 1, anywhere):
            people = self._eligible(post, since, count, first_post) if count else []
            if people or not count:
                self.used_units.add(post.unit_id)
                self.used_cadres.update(c.pk for c in people)
                return post, people
        raise LookupError(f"no vacant post at {list(levels)} with {count} eligible people")

    def verify(self, post: Post, ref: dt.date, people: Sequence[Cadre]) -> None:
        """凡提四必: the officer records the archive reviewed and the personal
        matters verified; then everyone passes `screen` for the post."""
        for cadre in people:
            cadre_update(
                actor=self.officer,
                cadre=cadre,
                changes={"archive_review_status": "passed", "personal_matters_status": "verified"},
            )
        passing = screen(actor=self.officer, post=post, ref=ref).filter(
            pk__in=[c.pk for c in people]
        )
        if passing.count() != len(people):
            raise LookupError(f"not everyone passes screen() for {post}")

    def ineligible(self, post: Post, ref: dt.date) -> tuple[Cadre, str]:
        """Someone who registers but fails a condition of the post, and the
        reason the qualification review gives."""
        cadre = (
            self._base(post, False)
            .exclude(pk__in=self._meeting_rules(post, ref, False).values("pk"))
            .order_by("pk")
            .first()
        )
        if cadre is None:
            raise LookupError(f"nobody ineligible for {post}")
        self.used_cadres.add(cadre.pk)
        verdict = explain_for(actor=self.officer, cadre=cadre, post=post, ref=ref)
        failed = [r.rule.title for r in verdict.failed if r.rule.measure not in FOUR_MUSTS]
        return cadre, f"不符合“{failed[0]}”" if failed else "不符合任职资格条件"

    # committees ----------------------------------------------------------

    def _committee(
        self,
        unit: Unit,
        name: str,
        kind: str,
        linked: list[Cadre],
        size: int,
        login: Any = None,
    ) -> tuple[Committee, list[CommitteeMembership]]:
        committee = committee_create(actor=self.admin, unit=unit, name=name, kind=kind)
        start = dt.date(self.on.year - 4, 10, 1)
        taken = {c.name for c in linked}
        names: list[tuple[str, Cadre | None]] = [(c.name, c) for c in linked]
        names += [(n, None) for n in MEMBER_NAMES if n not in taken][: max(0, size - len(linked))]
        roles = ["secretary", "deputy_secretary"]
        members = [
            committee_member_add(
                actor=self.admin,
                committee=committee,
                name=n,
                start_date=start,
                role=roles[i] if i < len(roles) else "member",
                cadre=cadre,
                # The last member with a cadre record votes with the demo
                # `member` login (docs/decisions/0053), the account linked to
                # that record (decision 0057).
                user=login if i == max(len(linked) - 1, 0) else None,
            )
            for i, (n, cadre) in enumerate(names)
        ]
        self.used_cadres.update(c.pk for c in linked)
        return committee, members

    def standing_committee(self) -> tuple[Committee, list[CommitteeMembership]]:
        """The county's standing committee (常委会): eleven members, the
        county's leaders among them linked to their cadre records."""
        if self.standing is None:
            leaders = list(
                Cadre.objects.filter(
                    unit__path__startswith=self.root.path,
                    status=CadreStatus.ACTIVE,
                    level__in=[Level.DIVISION_PRINCIPAL, Level.DIVISION_DEPUTY],
                ).order_by("pk")[:4]
            )
            self.standing = self._committee(
                self.root,
                f"中共{self.root.name}委常委会",
                CommitteeKind.STANDING_COMMITTEE,
                leaders,
                11,
                login=_user("member", None),
            )
        return self.standing

    def unit_committee(self, unit: Unit) -> tuple[Committee, list[CommitteeMembership]]:
        """A unit's party committee or party group, its leaders linked."""
        leaders = list(
            Cadre.objects.filter(
                status=CadreStatus.ACTIVE,
                tenures__end_date=None,
                tenures__post__unit=unit,
                level__in=[Level.SECTION_PRINCIPAL, Level.SECTION_DEPUTY],
            )
            .exclude(pk__in=self.used_cadres)
            .distinct()
            .order_by("pk")[:4]
        )
        if unit.kind in TOWNSHIP_KINDS:
            name, kind = f"中共{unit.name}委员会", CommitteeKind.PARTY_COMMITTEE
        elif unit.kind == UnitKind.PARTY_ORGAN:
            meeting = "部务会" if unit.name.endswith("部") else "室务会"
            name, kind = f"{unit.name}{meeting}", CommitteeKind.DEPARTMENT_MEETING
        elif unit.kind in ORGANS:
            name, kind = f"中共{unit.name}党组", CommitteeKind.PARTY_COMMITTEE
        else:  # schools, hospitals, companies
            name, kind = f"中共{unit.name}委员会", CommitteeKind.PARTY_COMMITTEE
        return self._committee(unit, name, kind, leaders, 7)


def _deciding_unit(post: Post) -> Unit:
    """The unit whose party body decides a 股级 post: an internal office's parent."""
    unit = post.unit
    if unit.kind == UnitKind.INTERNAL_OFFICE and unit.parent is not None:
        return unit.parent
    return unit


# ---- driving a case -----------------------------------------------------------------


class _Run:
    def __init__(self, demo: _Demo, case: Case) -> None:
        self.demo = demo
        self.case = case

    def step(self, code: str, data: dict[str, Any], on: dt.date) -> CaseStep:
        record = case_step_complete(
            actor=self.demo.officer, case=self.case, step=code, data=data, on=on
        )
        self.case.refresh_from_db()
        return record

    def at(self, code: str) -> bool:
        return self.case.current_step == code

    def candidates(self, cadres: Sequence[Cadre]) -> list[Candidate]:
        by_cadre = {c.cadre_id: c for c in Candidate.objects.filter(case=self.case)}
        return [by_cadre[c.pk] for c in cadres]


def _open(
    demo: _Demo,
    *,
    title: str,
    template: str,
    unit: Unit,
    committee: Committee,
    post: Post,
    reference: dt.date,
) -> _Run:
    case = case_open(
        actor=demo.officer,
        title=title,
        template_code=template,
        unit=unit,
        committee=committee,
        posts=[(post, 1)],
        reference_date=reference,
    )
    return _Run(demo, case)


def _motion(explanation: str) -> dict[str, Any]:
    """动议 as the step's contract takes it (steps/motion.py)."""
    return {"reason": "vacancy", "proposer": "县委组织部", "explanation": explanation}


def _publication(text: str, day: dt.date) -> dict[str, Any]:
    """职位公告 as the step's contract takes it (steps/publication.py)."""
    return {"text": text, "channels": ["notice_board", "website"], "date": _iso(day)}


def _recommendation(people: Sequence[Cadre], post: Post, start: dt.date) -> dict[str, Any]:
    """Meeting and talk recommendation; the earlier people get more signed ballots."""
    records: list[dict[str, Any]] = [
        {"kind": "meeting", "date": _iso(start), "participants": MEETING_GROUPS},
        {"kind": "talk", "date": _iso(start + dt.timedelta(days=1)), "participants": TALK_GROUPS,
         "staff_total": 30},
    ]  # fmt: skip
    results = []
    for i, cadre in enumerate(people):
        for kind, groups in (("meeting", MEETING_GROUPS), ("talk", TALK_GROUPS)):
            for group, size in groups.items():
                signed = max(1, size * (8 - 2 * i) // 10)
                results.append({"cadre": cadre.pk, "post": post.pk, "group": group,
                                "kind": kind, "signed": signed})  # fmt: skip
    return {
        "meetings": records,
        "results": results,
        "not_counted": [{"kind": "phone", "count": 1, "note": "电话推荐，不计入"}],
    }


def _inspection(people: Sequence[Cadre], post: Post, start: dt.date) -> dict[str, Any]:
    place = post.unit.parent.name if post.unit.parent else post.unit.name
    return {
        "team": TEAM,
        "candidates": [
            {"cadre": c.pk, "post": post.pk, "rank": i,
             "talks": {"count": 26, "date": _iso(start)},
             "evaluation": {"participants": 43, "date": _iso(start)},
             "field_visits": [{"place": place, "date": _iso(start + dt.timedelta(days=1))}],
             "reports_investigated": True}
            for i, c in enumerate(people, start=1)
        ],
        "report": {"date": _iso(start + dt.timedelta(days=3)), "signed_by": [m["name"] for m in TEAM]},
    }  # fmt: skip


def _integrity(
    candidates: Sequence[Candidate], requested: dt.date, meeting: dt.date, returned: dt.date
) -> dict[str, Any]:
    return {
        "request_document": f"组函〔{requested.year}〕{requested.timetuple().tm_yday % 90 + 10}号",
        "requested_on": _iso(requested),
        "planned_meeting_date": _iso(meeting),
        "opinions": [
            {"candidate": c.pk, "result": "passed", "returned_on": _iso(returned),
             "document": f"纪函〔{returned.year}〕{returned.timetuple().tm_yday % 60 + 5}号"}
            for c in candidates
        ],
    }  # fmt: skip


def _decision(
    members: list[CommitteeMembership], meeting: dt.date, candidates: Sequence[Candidate]
) -> dict[str, Any]:
    """All but the last member present; the first candidate passes, the
    others are rejected; members related to a candidate (or the candidate)
    leave that candidate's vote."""
    present = members[:-1] if len(members) > 5 else members
    needed = len(members) // 2 + 1
    links = conflicts(
        [m.cadre_id for m in present if m.cadre_id is not None], [c.cadre_id for c in candidates]
    )
    votes = []
    for i, c in enumerate(candidates):
        recused = [
            m.pk
            for m in present
            if m.cadre_id is not None
            and (
                m.cadre_id == c.cadre_id
                or any(
                    link.person_cadre_id == m.cadre_id and link.candidate_cadre_id == c.cadre_id
                    for link in links
                )
            )
        ]
        voters = len(present) - len(recused)
        if i == 0:
            agree, disagree, abstain = voters - 1, 1, 0
            if agree < needed:
                raise LookupError("too many members recused to pass")
        else:
            agree = min(2, voters)
            disagree = max(0, voters - agree - 1)
            abstain = voters - agree - disagree
        votes.append({"candidate": c.pk, "post": c.post_id, "agree": agree,
                      "disagree": disagree, "abstain": abstain, "recused": recused})  # fmt: skip
    return {
        "meeting_date": _iso(meeting),
        "present": [m.pk for m in present],
        "votes": votes,
        "method": "paper",
    }


def _decision_by_ballot(
    run: _Run, meeting_date: dt.date, candidates: Sequence[Candidate]
) -> Meeting:
    """The decision step taken at an electronic decision meeting, as `_decision`
    lays it out: all but the last member present, each with a one-time code;
    the first candidate passes (one member disagrees, the two who agree to
    another name leave it unmarked), the others get two agreeing votes and
    are rejected; recused members leave a name unmarked
    (the ballot bars it). The closed meeting's result completes the step."""
    officer = run.demo.officer
    meeting = meeting_create_for_decision(actor=officer, case=run.case, meeting_date=meeting_date)
    voters = list(meeting.voters.order_by("id"))
    present = voters[:-1] if len(voters) > 5 else voters
    meeting_attendance_set(actor=officer, meeting=meeting, present=[v.pk for v in present])
    codes = {
        v.pk: code
        for v, code in meeting_codes_issue(
            actor=officer, meeting=meeting, voters=[v.pk for v in present]
        )
    }
    key = meeting_count_key_create(actor=officer, meeting=meeting)
    meeting_open(actor=officer, meeting=meeting)
    first = {c.pk for c in candidates[:1]}
    items = list(meeting.items.order_by("section__order", "order"))
    recused = set(Recusal.objects.filter(voter__meeting=meeting).values_list("voter_id", "item_id"))
    for n, voter in enumerate(present):
        marks: dict[str, str] = {}
        for item in items:
            if (voter.pk, item.pk) in recused:
                continue
            if item.candidate_id in first:
                # The two who agree to the second leave the first unmarked: one
                # seat, at most one agreeing vote (docs/decisions/0055).
                if n >= 2:
                    marks[str(item.pk)] = "disagree" if n == len(present) - 1 else "agree"
            elif n < 2:
                marks[str(item.pk)] = "agree"
            elif n < len(present) - 1:
                marks[str(item.pk)] = "disagree"  # the last present abstains
        ballot_cast(
            actor=AnonymousUser(), meeting=meeting, content={"marks": marks}, code=codes[voter.pk]
        )
    meeting_close(actor=officer, meeting=meeting, passphrase=key.first_half + key.second_half)
    meeting_result_apply(actor=officer, meeting=meeting, on=meeting_date)
    run.case.refresh_from_db()
    meeting.refresh_from_db()
    return meeting


def _publish(run: _Run, start: dt.date) -> PublicNotice:
    with _as_of(start):
        return supervision.public_notice_publish(
            actor=run.demo.officer, case=run.case, start=start, channels=CHANNELS
        )


def _after_notice(
    run: _Run, start: dt.date, about: Candidate, document: str, meeting: dt.date, stop: str
) -> None:
    """The notice from `start`, a letter report closed as not affecting the
    appointment, the appointment and its talk, and the end of probation
    unless `stop` is "probation_end"."""
    demo = run.demo
    notice = _publish(run, start)
    report, _receipt = supervision.report_register(
        actor=demo.officer,
        case=run.case,
        content="来信反映该同志分管工作中存在作风简单的问题，请组织核实。",
        source="letter",
        anonymous=True,
        candidate=about,
    )
    supervision.report_assign(actor=demo.officer, report=report, assignee=demo.jiwei)
    supervision.report_investigate(
        actor=demo.jiwei, report=report, note="与所在单位班子成员及部分干部个别谈话核实。"
    )
    supervision.report_close(
        actor=demo.jiwei, report=report, finding="none", text="反映问题查无实据，不影响任用。"
    )
    run.step("public_notice", {}, notice.end + dt.timedelta(days=1))
    appointed = notice.end + dt.timedelta(days=4)
    run.step(
        "appointment",
        {"document_number": document, "document_date": _iso(appointed)},
        appointed,
    )
    office = appointed + dt.timedelta(days=3)
    run.step(
        "appointment_talk",
        {"talks": [{"candidate": about.pk, "talk_on": _iso(appointed + dt.timedelta(days=1)),
                    "takes_office_on": _iso(office), "by": "组织部部长",
                    "integrity_education": True}]},
        office,
    )  # fmt: skip
    if stop == "probation_end":
        return
    end = probation_last_day(meeting, 12) + dt.timedelta(days=3)
    run.step(
        "probation_end",
        {"assessments": [{"candidate": about.pk, "result": "competent",
                          "assessed_on": _iso(end - dt.timedelta(days=1))}]},
        end,
    )  # fmt: skip


# ---- the county-leading template ----------------------------------------------------


def _county_leading(
    demo: _Demo,
    *,
    motion: dt.date,
    meeting: dt.date,
    principal: bool,
    stop: str,
    ballot: bool = False,
) -> Case:
    """A county case from the motion to `stop` (the step left current), or
    to the end when `stop` is empty. `meeting` is the decision meeting's date;
    with `ballot` the decision is taken by an electronic secret vote."""
    post, people = demo.pick(
        levels=[Level.SECTION_PRINCIPAL if principal else Level.SECTION_DEPUTY],
        principal=principal,
        since=motion,
        count=3,
        first_post=not principal,
    )
    committee, members = demo.standing_committee()
    run = _open(
        demo, title=f"{post.unit.name}{post.title}选任", template="county-leading",
        unit=demo.root, committee=committee, post=post, reference=motion,
    )  # fmt: skip

    def on(days: int) -> dt.date:
        return motion + dt.timedelta(days=days)

    def before(days: int) -> dt.date:
        return meeting - dt.timedelta(days=days)

    def audits() -> dict[str, Any]:
        if not principal:
            return {"audits": []}  # only principal posts are audited
        return {"audits": [
            {"candidate": c.pk, "concluded_on": _iso(before(7)),
             "report": f"审经责〔{meeting.year}〕8号", "problems": ""}
            for c in run.candidates(people[:2])
        ]}  # fmt: skip

    steps: list[tuple[str, Callable[[], dict[str, Any]], dt.date]] = [
        ("motion", lambda: _motion(f"{post.unit.name}{post.title}空缺"), motion),
        ("plan", lambda: {"consultation": [{"from": "县委主要领导", "comment": "同意"}]}, on(5)),
        ("publication", lambda: _publication("职位、资格条件和方法程序公告", on(7)), on(7)),
        ("recommendation", lambda: _recommendation(people, post, on(12)), on(14)),
        ("candidates", lambda: {"chosen": [{"cadre": c.pk, "post": post.pk} for c in people[:2]],
                                "meeting": {"body": "县委组织部部务会", "date": _iso(on(19))}},
         on(19)),
        ("inspection_notice", lambda: {"text": "考察预告", "published_on": _iso(on(20))}, on(20)),
        ("inspection", lambda: _inspection(people[:2], post, on(26)), on(30)),
        ("integrity_opinion",
         lambda: _integrity(run.candidates(people[:2]), before(10), meeting, before(6)),
         before(6)),
        ("audit", audits, before(5)),
        ("deliberation", lambda: {"planned_meeting_date": _iso(meeting),
                                  "plan_document": "干部任免方案（酝酿稿）",
                                  "circulated": [{"member": m.pk, "on": _iso(before(3))}
                                                 for m in members]},
         before(3)),
        ("decision", lambda: _decision(members, meeting, run.candidates(people[:2])), meeting),
    ]  # fmt: skip
    for code, data, day in steps:
        if run.at(stop):
            return run.case
        if code == "candidates":
            demo.verify(post, motion, people[:2])
        if code == "decision" and ballot:
            _decision_by_ballot(run, meeting, run.candidates(people[:2]))
            continue
        run.step(code, data(), day)
    winner = run.candidates(people[:1])[0]
    start = meeting + dt.timedelta(days=2)
    if stop != "public_notice":
        _after_notice(
            run, start, winner, f"{demo.root.name[0]}委〔{start.year}〕45号", meeting, stop
        )
        return run.case
    # The notice runs from `start`; an online report is being investigated.
    notice = _publish(run, start)
    with _as_of(start):
        report, _receipt = supervision.report_submit(
            notice=notice,
            content="反映该同志在项目验收中把关不严，请组织核实。",
            anonymous=True,
            client="demo",
            candidate_id=winner.pk,
        )
    supervision.report_assign(
        actor=demo.officer, report=report, assignee=demo.jiwei, joint_with_discipline=True
    )
    supervision.report_investigate(
        actor=demo.jiwei, report=report, note="调阅项目验收资料，约谈项目负责人。"
    )
    return run.case


# ---- the section-level and competitive templates ------------------------------------


def _section_level(
    demo: _Demo, *, motion: dt.date, meeting: dt.date, stop: str, anywhere: bool = False
) -> Case:
    # A first promotion: 副股 (正股 asks two years as 副股), not a principal post.
    levels = [Level.SUBSECTION_DEPUTY]
    if stop == "motion":
        levels.append(Level.SUBSECTION_PRINCIPAL)
    count = 0 if stop == "motion" else 2
    post, people = demo.pick(
        levels=levels,
        principal=False,
        since=motion,
        count=count,
        first_post=True,
        anywhere=anywhere,
    )
    unit = _deciding_unit(post)
    demo.used_units.add(unit.pk)
    committee, members = demo.unit_committee(unit)
    run = _open(
        demo, title=f"{post.unit.name}{post.title}选任（股级）", template="section-level",
        unit=unit, committee=committee, post=post, reference=motion,
    )  # fmt: skip
    if stop == "motion":
        return run.case

    def on(days: int) -> dt.date:
        return motion + dt.timedelta(days=days)

    run.step("motion", _motion(f"{post.title}空缺"), motion)
    run.step(
        "plan",
        {"consultation": [{"from": committee.name, "comment": "同意"}],
         "higher_approval": {"body": "县委组织部", "document": f"组函〔{on(5).year}〕30号"}},
        on(5),
    )  # fmt: skip
    run.step("publication", _publication("股级职位及资格条件公告", on(7)), on(7))
    run.step("recommendation", _recommendation(people, post, on(12)), on(14))
    demo.verify(post, motion, people)
    run.step(
        "candidates",
        {"chosen": [{"cadre": c.pk, "post": post.pk} for c in people],
         "meeting": {"body": committee.name, "date": _iso(on(19))}},
        on(19),
    )  # fmt: skip
    run.step("inspection", _inspection(people, post, on(24)), on(28))
    run.step("decision", _decision(members, meeting, run.candidates(people)), meeting)
    winner = run.candidates(people[:1])[0]
    start = meeting + dt.timedelta(days=2)
    _after_notice(
        run, start, winner, f"{unit.short_name or unit.name}〔{start.year}〕12号", meeting, stop
    )
    return run.case


def _competitive(demo: _Demo, *, motion: dt.date, meeting: dt.date) -> Case:
    """竞争上岗 up to the decision meeting, planned for `meeting`."""
    post, people = demo.pick(levels=[Level.SECTION_DEPUTY], principal=False, since=motion,
                             count=3)  # fmt: skip
    committee, _members = demo.standing_committee()
    run = _open(
        demo, title=f"{post.unit.name}{post.title}竞争上岗", template="competitive",
        unit=demo.root, committee=committee, post=post, reference=motion,
    )  # fmt: skip

    def on(days: int) -> dt.date:
        return motion + dt.timedelta(days=days)

    run.step("motion", _motion(f"{post.title}空缺，实行竞争上岗"), motion)
    run.step(
        "plan",
        {"consultation": [{"from": f"{post.unit.name}党组", "comment": "同意"}],
         "higher_approval": {"body": "市委组织部", "document": f"市组函〔{on(5).year}〕18号"}},
        on(5),
    )  # fmt: skip
    run.step("publication", _publication("竞争上岗公告", on(7)), on(7))
    run.step("registration", {"closed_on": _iso(on(15))}, on(16))
    demo.verify(post, motion, people)
    refused, reason = demo.ineligible(post, motion)
    run.step(
        "qualification_review",
        {"registrants": [{"cadre": c.pk, "post": post.pk} for c in people]
         + [{"cadre": refused.pk, "post": post.pk, "passed": False,
             "reason": reason}]},
        on(19),
    )  # fmt: skip
    # 竞聘评分: three judges, four sub-tests, signed off; the written exam and
    # the interview read the signed sheet (docs/decisions/0147–0149).
    from xuanren.synth.competition import build_demo_competition

    build_demo_competition(officer=demo.officer, jiwei=demo.jiwei, case=run.case, people=people)
    run.step(
        "written_exam",
        {"form": "闭卷笔试", "scores": [{"cadre": people[2].pk, "excluded": True}]},
        on(24),
    )  # fmt: skip
    kept = people[:2]
    run.step("interview", {"form": "管理情景模拟测试、无领导小组讨论、竞岗演说及答辩"}, on(30))
    groups = {"中层干部": 40, "其他干部": 60}
    run.step(
        "evaluation",
        {"meetings": [{"kind": "meeting", "date": _iso(on(34)), "participants": groups}],
         "results": [{"cadre": c.pk, "group": g, "votes": n * share // 10}
                     for c, share in zip(kept, (9, 8), strict=True) for g, n in groups.items()]},
        on(34),
    )  # fmt: skip
    run.step("inspection", _inspection(kept, post, on(38)), on(41))
    requested = meeting - dt.timedelta(days=8)
    returned = meeting - dt.timedelta(days=4)
    run.step(
        "integrity_opinion",
        _integrity(run.candidates(kept), requested, meeting, returned),
        returned,
    )
    return run.case


def _just_opened(demo: _Demo) -> Case:
    """A 股级 case opened today: in an organ or township if one has a 股级
    post free, else in any unit; else a county case."""
    for anywhere in (False, True):
        try:
            return _section_level(
                demo, motion=demo.on, meeting=demo.on, stop="motion", anywhere=anywhere
            )
        except LookupError:  # raised before anything is written
            continue
    return _county_leading(demo, motion=demo.on, meeting=demo.on, principal=False, stop="motion")


# ---- entry point --------------------------------------------------------------------


def _user(username: str, default: Any) -> Any:
    return User.objects.filter(username=username, is_active=True).first() or default


def build_demo_cases(
    *, admin: Any, county_root: Unit, on: dt.date, with_history: bool = True
) -> list[DemoCase]:
    """Cases at every stage for the demo county; nothing when a case exists.
    `with_history`: also the thirteen years of past decisions (the demo has
    them; a test that reads only the live cases skips their build, seconds
    each, docs/decisions/0142)."""
    if Case.objects.exists():
        return []
    demo = _Demo(
        admin=admin,
        officer=_user("officer", admin),
        jiwei=_user("jiwei", admin),
        root=county_root,
        on=on,
    )
    stages: list[tuple[str, str, Callable[[], Case]]] = [
        ("confirmed", "试用期满考核称职、已办结",
         lambda: _county_leading(demo, motion=demo.ago(445), meeting=demo.ago(400),
                                 principal=False, stop="")),
        ("probation", "已任职、试用期内（股级）",
         lambda: _section_level(demo, motion=demo.ago(380), meeting=demo.ago(340),
                                stop="probation_end")),
        ("public_notice", "任前公示中",
         lambda: _county_leading(demo, motion=demo.ago(50), meeting=demo.ago(2),
                                 principal=True, stop="public_notice", ballot=True)),
        ("decision", "待讨论决定（竞争上岗，表决会议投票中）",
         lambda: _competitive(demo, motion=demo.ago(48), meeting=on)),
        ("inspection", "考察中",
         lambda: _county_leading(demo, motion=demo.ago(25), meeting=on, principal=False,
                                 stop="inspection")),
        ("motion", "刚立项", lambda: _just_opened(demo)),
        # jiwei's 待办: a case waiting for the integrity opinions (docs/decisions/0070).
        ("integrity_opinion", "待回复廉政意见",
         lambda: _county_leading(demo, motion=demo.ago(40), meeting=on + dt.timedelta(days=7),
                                 principal=False, stop="integrity_opinion")),
        # audit's 待办: a principal post's case at the audit step; the request
        # to the audit office is sent by demo_role_tasks (docs/decisions/0076).
        ("audit", "待经济责任审计",
         lambda: _county_leading(demo, motion=demo.ago(42), meeting=on + dt.timedelta(days=10),
                                 principal=True, stop="audit")),
    ]  # fmt: skip
    demo.standing_committee()  # its members are nobody's candidates
    built = []
    for stage, label, build in stages:
        try:
            with transaction.atomic():
                case = build()
        except (DomainError, LookupError) as exc:
            log.warning("demo case %s skipped: %s", stage, exc)
            continue
        built.append(DemoCase(stage, label, case))
    _demo_motion_proposal()
    _demo_recommendation_meeting(demo)
    for built_case in built:
        if built_case.stage == "decision":
            _demo_decision_meeting(demo, built_case.case)
    _demo_inspection_team(demo, built)
    from xuanren.synth.role_tasks import demo_role_tasks

    demo_role_tasks(
        officer=demo.officer, root=demo.root, committee=demo.standing_committee()[0], on=on
    )
    if not with_history:
        return built
    # Thirteen years of past decisions for the selection statistics (issue 14).
    from xuanren.synth.history import build_selection_history

    build_selection_history(
        officer=demo.officer, jiwei=demo.jiwei, root=demo.root,
        committee=demo.standing_committee()[0], on=on,
    )  # fmt: skip
    # A round of opinion letters and last year's 一报告两评议 (issue 14).
    from xuanren.synth.opinions import build_demo_opinions

    build_demo_opinions(officer=demo.officer, jiwei=demo.jiwei, root=demo.root, on=on)

    # The standing reporting and consultation channel (issue 14, decision 0127).
    from xuanren.synth.channel import build_channel_demo

    build_channel_demo(officer=demo.officer, jiwei=demo.jiwei, root=demo.root, on=on)

    # Two finished training classes with their participants (issue 15, decision 0146).
    from xuanren.synth.training import build_demo_training

    build_demo_training(officer=demo.officer, root=demo.root, on=on)

    # Last year's annual assessment of one county bureau (issue 15, decision 0150).
    from xuanren.synth.assessment import build_demo_assessment

    build_demo_assessment(officer=demo.officer, root=demo.root, on=on)
    # A 三荐双考 round of reserve cadres with its list (issue 15, decision 0153).
    from xuanren.synth.reserves import build_demo_reserves

    build_demo_reserves(officer=demo.officer, root=demo.root, on=on)
    # A cadre under observation after a warning talk, and one whose
    # observation ended with an outcome (issue 15, decision 0156).
    from xuanren.synth.observation import build_demo_observations

    build_demo_observations(officer=demo.officer, root=demo.root, on=on)

    # Temporary postings of a month (issue 15, decision 0158).
    from xuanren.synth.postings import build_demo_postings

    build_demo_postings(officer=demo.officer, root=demo.root, on=on)

    # Work plans: seed §1's plan with its deadlines, one report overdue, and
    # seed §4's campaign with a report coming due (issue 16, decision 0183).
    from xuanren.synth.plans import build_demo_plans

    build_demo_plans(officer=demo.officer, root=demo.root, on=on)
    # Rotation alerts, a rotation plan with its progress, exchange records (issue 16).
    from xuanren.synth.rotation import build_demo_rotation

    build_demo_rotation(officer=demo.officer, root=demo.root, on=on)
    # An over-quota digestion plan, entry methods and the 凡进必考 cleanup
    # register (issue 16, decisions 0179–0182).
    from xuanren.synth.workforce import build_demo_workforce

    build_demo_workforce(officer=demo.officer, root=demo.root, on=on)
    return built


def _demo_inspection_team(demo: _Demo, built: list[DemoCase]) -> None:
    """The case under inspection has its team: the demo inspector leads it
    with the officer, so the inspector's 待办 shows it (docs/decisions/0062)."""
    from xuanren.procedure.assignments import inspection_team_member_add

    inspector = _user("inspector", None)
    case = next((d.case for d in built if d.stage == "inspection"), None)
    if case is None or inspector is None:
        return
    try:
        with transaction.atomic():
            inspection_team_member_add(
                actor=demo.officer, case=case, user=inspector, is_leader=True, duty="考察组组长"
            )
            inspection_team_member_add(
                actor=demo.officer, case=case, user=demo.officer, duty="组织部干部科"
            )
    except DomainError as exc:
        log.warning("demo inspection team skipped: %s", exc)


def _demo_motion_proposal() -> None:
    """A township's HR contact has proposed filling a post: it waits on the
    officer's 待办 (docs/decisions/0018)."""
    from xuanren.org.selectors import post_list
    from xuanren.procedure.services import motion_proposal_submit

    hr = _user("hr", None)
    if hr is None:
        return
    post = post_list(actor=hr).filter(is_active=True).select_related("unit").first()
    if post is None:
        return
    try:
        with transaction.atomic():
            motion_proposal_submit(
                actor=hr,
                unit=post.unit,
                posts=[(post, 1)],
                reasons=f"{post.unit.name}{post.title}拟于近期调整，建议启动选任。",
            )
    except DomainError as exc:
        log.warning("demo motion proposal skipped: %s", exc)


# ---- an open recommendation meeting -------------------------------------------------

#: Roster groups of the demo recommendation meeting, in the order names are dealt.
ROSTER_GROUPS = ("领导班子成员", "中层干部", "中层干部", "其他干部", "其他干部", "其他干部")
ROSTER_SIZE = 12


def _demo_count_key_file() -> Path:
    return Path(settings.VAR_DIR) / "demo-count-passphrase.txt"


def save_demo_count_key(meeting: Meeting, first: str, second: str) -> None:
    """Demo only: the open demo meetings' count passphrases are kept in var/
    (one line per meeting) so that every `./xr demo` can print them and the
    demo votes can be counted. A real meeting's passphrase is shown once to
    the tellers and never stored (docs/decisions/0048)."""
    path = _demo_count_key_file()
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    kept = [line for line in lines if line.split()[:1] != [str(meeting.pk)]]
    path.write_text(
        "".join(f"{line}\n" for line in [*kept, f"{meeting.pk} {first} {second}"]),
        encoding="utf-8",
    )
    path.chmod(0o600)


def demo_count_key(meeting: Meeting) -> tuple[str, str] | None:
    path = _demo_count_key_file()
    if not path.exists():
        return None
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == str(meeting.pk):
            return parts[1], parts[2]
    return None


def demo_recommendation_meeting() -> Meeting | None:
    """The demo's open recommendation meeting: the one whose roster has the
    demo participant's login."""
    return (
        Meeting.objects.filter(
            kind=MeetingKind.RECOMMENDATION,
            status="open",
            case=None,
            voters__user__username="participant",
        )
        .order_by("pk")
        .first()
    )


def _demo_recommendation_meeting(demo: _Demo) -> Meeting | None:
    """A township's recommendation meeting (民主推荐), open for voting today:
    four of its youngest cadres on the ballot (two choices, write-ins allowed), the
    demo participant on the roster with their own login, the others with
    one-time codes. Not tied to a case: its result is for the officer to read
    (no step is completed by it)."""
    from xuanren.access.models import Scope

    participant = _user("participant", None)
    if participant is None:
        return None
    scope = Scope.objects.filter(user=participant).select_related("unit").first()
    town = scope.unit if scope is not None else demo.root
    staff = Cadre.objects.filter(
        unit__path__startswith=town.path, status=CadreStatus.ACTIVE
    ).exclude(pk__in=demo.used_cadres)
    # The youngest on the ballot (优秀年轻干部); their colleagues vote.
    on_ballot = list(staff.order_by("-birth_date", "pk")[:4])
    others = list(staff.exclude(pk__in=[c.pk for c in on_ballot]).order_by("pk")[:ROSTER_SIZE])
    if len(on_ballot) < 2:
        log.warning("demo recommendation meeting skipped: too few cadres in %s", town)
        return None
    roster: list[dict[str, Any]] = [
        {"name": display_name(participant) or "参会人员",
         "group": "中层干部", "user": participant},
    ]  # fmt: skip
    names = [c.name for c in others] + [
        n for n in MEMBER_NAMES if n not in {c.name for c in others}
    ]
    for i, name in enumerate(names[: ROSTER_SIZE - 1]):
        roster.append({"name": name, "group": ROSTER_GROUPS[i % len(ROSTER_GROUPS)]})
    try:
        with transaction.atomic():
            meeting = meeting_create(
                actor=demo.officer,
                kind=MeetingKind.RECOMMENDATION,
                title=f"{town.name}{demo.on.year}年度优秀年轻干部民主推荐",
                unit=town,
                meeting_date=demo.on,
                sections=[
                    {
                        "title": "推荐人选",
                        "max_choices": 2,
                        "write_ins": True,
                        "items": [{"name": c.name, "cadre": c} for c in on_ballot],
                    },
                ],
                voters=roster,
            )
            meeting_codes_issue(
                actor=demo.officer,
                meeting=meeting,
                voters=list(meeting.voters.filter(user=None).values_list("pk", flat=True)),
            )
            key = meeting_count_key_create(actor=demo.officer, meeting=meeting)
            save_demo_count_key(meeting, key.first_half, key.second_half)
            return meeting_open(actor=demo.officer, meeting=meeting)
    except DomainError as exc:
        log.warning("demo recommendation meeting skipped: %s", exc)
        return None


# ---- an open decision meeting -----------------------------------------------------


def demo_decision_meeting() -> Meeting | None:
    """The demo's open decision meeting: the one whose roster has the demo
    member's login."""
    return (
        Meeting.objects.filter(
            kind=MeetingKind.DECISION, status="open", voters__user__username="member"
        )
        .order_by("pk")
        .first()
    )


def _demo_decision_meeting(demo: _Demo, case: Case) -> Meeting | None:
    """The competitive case's decision meeting, held today and voting
    (docs/decisions/0053): all members but the last present, codes for those
    without a login, three of them have voted by code (one seat: at most one
    agreeing vote each), and the demo `member` — on the roster with their own
    login — has not, so their 待办 shows it."""
    officer = demo.officer
    try:
        with transaction.atomic():
            meeting = meeting_create_for_decision(actor=officer, case=case, meeting_date=demo.on)
            voters = list(meeting.voters.order_by("id"))
            present = voters[:-1] if len(voters) > 5 else voters
            meeting_attendance_set(actor=officer, meeting=meeting, present=[v.pk for v in present])
            issued = meeting_codes_issue(
                actor=officer, meeting=meeting, voters=[v.pk for v in voters if v.user_id is None]
            )
            codes = {v.pk: code for v, code in issued}
            key = meeting_count_key_create(actor=officer, meeting=meeting)
            save_demo_count_key(meeting, key.first_half, key.second_half)
            meeting_open(actor=officer, meeting=meeting)
            items = list(meeting.items.order_by("section__order", "order"))
            recused = set(
                Recusal.objects.filter(voter__meeting=meeting).values_list("voter_id", "item_id")
            )
            early = [v for v in present if v.user_id is None][:3]
            for n, voter in enumerate(early):
                marks = {
                    str(item.pk): "agree" if i == 0 else "disagree"
                    for i, item in enumerate(items)
                    if (voter.pk, item.pk) not in recused
                }
                if n == 2:
                    marks = {}  # abstains on every name
                ballot_cast(
                    actor=AnonymousUser(),
                    meeting=meeting,
                    content={"marks": marks},
                    code=codes[voter.pk],
                )
            meeting.refresh_from_db()
            return meeting
    except DomainError as exc:
        log.warning("demo decision meeting skipped: %s", exc)
        return None
