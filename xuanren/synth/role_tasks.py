"""Demo: at least one task waiting for each role (issue 11, "./xr demo leaves
at least one task waiting for each role"; docs/decisions/0070).

`build_demo_cases` (xuanren/synth/cases.py) already leaves, through the
services:

- officer / admin: a probation ending, a public notice running, a township's
  motion proposal to decide (待处理的动议建议);
- jiwei: an online report under investigation, assigned to them (举报办理),
  and a county case waiting at the integrity-opinion step (廉政意见待回复);
- participant: the township's recommendation meeting open for voting.

`demo_role_tasks` below adds what the cases do not:

- hr: a case of their township (a second proposal of theirs, accepted by the
  officer), which they follow on 本单位选任事项;
- member and participant: a county recommendation meeting open today with
  both on the roster, voting with their own login;
- jiwei: the integrity request of the case at the integrity step;
- audit: the audit request of the principal post's case at the audit step
  (docs/decisions/0076).

Each part runs in its own `transaction.atomic()` and is logged when skipped,
so one missing piece never stops the demo. (The inspection team's case and
the decision meeting the `member` votes in are built with the cases.)
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from xuanren.access.names import display_name
from xuanren.common.errors import DomainError
from xuanren.org.models import Level, Unit

log = logging.getLogger(__name__)

#: Other voters of the county meeting (names only; they would vote by code).
COUNTY_VOTERS = ("周建华", "吴国平", "郑志刚", "冯卫东", "褚红梅", "蒋立新")


def _user(username: str) -> Any:
    return User.objects.filter(username=username, is_active=True).first()


def demo_role_tasks(*, officer: Any, root: Unit, committee: Any, on: dt.date) -> list[str]:
    """Prepare the tasks listed in the module's docstring; returns what was
    prepared (for the log). Each part is skipped, and logged, when the
    generated county lacks what it needs."""
    done = []
    for name, part in (
        ("hr unit case", lambda: _hr_unit_case(officer=officer, committee=committee, on=on)),
        ("county meeting", lambda: _county_meeting(officer=officer, root=root, on=on)),
        ("integrity request", lambda: _integrity_request(officer=officer, on=on)),
        ("audit request", lambda: _audit_request(officer=officer, on=on)),
    ):
        try:
            with transaction.atomic():
                if part():
                    done.append(name)
        except (DomainError, LookupError) as exc:
            log.warning("demo role task %s skipped: %s", name, exc)
    return done


def _integrity_request(*, officer: Any, on: dt.date) -> bool:
    """The case waiting at the integrity step has its written request sent
    today for a meeting a week on: the discipline commission answers it
    from its own login (docs/decisions/0063)."""
    from xuanren.procedure.assignments import integrity_request_send
    from xuanren.procedure.models import Case, CaseStatus

    case = (
        Case.objects.filter(status=CaseStatus.OPEN, current_step="integrity_opinion")
        .order_by("pk")
        .first()
    )
    if case is None or officer is None:
        return False
    integrity_request_send(
        actor=officer,
        case=case,
        document="云组干函〔2026〕18号",
        sent_on=on,
        meeting_date=on + dt.timedelta(days=7),
    )
    return True


def _audit_request(*, officer: Any, on: dt.date) -> bool:
    """The principal post's case waiting at the audit step has its audit
    commissioned today, due in a fortnight: the audit office records the
    conclusions from its own login (docs/decisions/0065, 0076)."""
    from xuanren.procedure.assignments import audit_candidates, audit_request_send
    from xuanren.procedure.models import Case, CaseStatus

    at_audit = Case.objects.filter(status=CaseStatus.OPEN, current_step="audit").order_by("pk")
    case = next((c for c in at_audit if audit_candidates(c)), None)
    if case is None or officer is None:
        return False
    audit_request_send(
        actor=officer,
        case=case,
        document="云组干函〔2026〕21号",
        sent_on=on,
        due_on=on + dt.timedelta(days=14),
    )
    return True


def _hr_unit_case(*, officer: Any, committee: Any, on: dt.date) -> bool:
    """The township HR contact proposes filling one of its leading posts and
    the organization department accepts: a case of hr's unit, at its motion."""
    from xuanren.org.selectors import post_list
    from xuanren.procedure.services import motion_proposal_decide, motion_proposal_submit

    hr = _user("hr")
    if hr is None or officer is None or committee is None:
        return False
    from xuanren.procedure.guards.basic import seat_problem

    # A post with a vacancy: a motion for a full post is refused (decision 0069).
    candidates = (
        post_list(actor=hr)
        .filter(is_active=True, level__in=[Level.SECTION_DEPUTY, Level.SECTION_PRINCIPAL])
        .select_related("unit")
        .order_by("-pk")
    )
    post = next((p for p in candidates if seat_problem(p, 1, on) is None), None)
    if post is None:
        raise LookupError("no vacant leading post in the HR contact's unit")
    proposal = motion_proposal_submit(
        actor=hr,
        unit=post.unit,
        posts=[(post, 1)],
        reasons=f"{post.unit.name}{post.title}任职人员将到龄退出，建议提前启动选任。",
    )
    motion_proposal_decide(
        actor=officer,
        proposal=proposal,
        accept=True,
        template_code="county-leading",
        committee=committee,
        title=f"{post.unit.name}{post.title}选任",
        reference_date=on,
    )
    return True


def _county_meeting(*, officer: Any, root: Unit, on: dt.date) -> bool:
    """A county recommendation meeting (会议推荐) open today: the standing
    committee member `member` and the participant `participant` on the roster
    with their own logins, the others by name. Its count passphrase is not
    kept (the demo prints only the township meeting's), so it stays open."""
    from xuanren.ballots.models import MeetingKind
    from xuanren.ballots.services import meeting_count_key_create, meeting_create, meeting_open
    from xuanren.people.models import Cadre, CadreStatus

    member, participant = _user("member"), _user("participant")
    if officer is None or (member is None and participant is None):
        return False
    on_ballot = list(
        Cadre.objects.filter(
            unit__path__startswith=root.path,
            status=CadreStatus.ACTIVE,
            level=Level.SECTION_DEPUTY,
        )
        .exclude(candidacies__isnull=False)
        .order_by("-birth_date", "pk")[:3]
    )
    if len(on_ballot) < 2:
        raise LookupError("too few section-deputy cadres for the county meeting")
    roster: list[dict[str, Any]] = []
    if member is not None:
        roster.append(
            {"name": display_name(member), "group": "领导班子成员",
             "user": member}
        )  # fmt: skip
    if participant is not None:
        roster.append(
            {"name": display_name(participant),
             "group": "下属单位主要负责人", "user": participant}
        )  # fmt: skip
    roster += [{"name": n, "group": "下属单位主要负责人"} for n in COUNTY_VOTERS]
    meeting = meeting_create(
        actor=officer,
        kind=MeetingKind.RECOMMENDATION,
        title=f"{root.name}{on.year}年度正科级领导职务人选会议推荐",
        unit=root,
        meeting_date=on,
        sections=[
            {
                "title": "推荐人选",
                "max_choices": 1,
                "write_ins": False,
                "items": [{"name": c.name, "cadre": c} for c in on_ballot],
            }
        ],
        voters=roster,
    )
    meeting_count_key_create(actor=officer, meeting=meeting)
    meeting_open(actor=officer, meeting=meeting)
    return True
