"""回头看 reads: the appointments a run covers and every fact its checks
need, read in a fixed number of queries per case, and the runs, findings and
tasks an actor may see (scope: the run's unit subtree inside the actor's).

The re-check itself: the rules in force on the decision date against the
cadre's facts as of that date (policy `explain`, the same as the candidate
search); the procedure from the 纪实 through the procedure's own guards
(`recusal_respected`, `notice_full_length`) and tally (quorum); the archive
checks of `lookback`."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from xuanren.access.policy import has_perm, require_perm, unit_scope_q
from xuanren.common.dates import SHANGHAI
from xuanren.common.errors import NotFound
from xuanren.journal.models import Event, EventType
from xuanren.org.models import Unit
from xuanren.people.models import Cadre, Education, ResumeEntry, Tenure
from xuanren.policy.models import ExceptionStatus, PromotionException, RulePack
from xuanren.policy.packs import packs_in_force
from xuanren.policy.rules import EDUCATION_RANK, Status, explain
from xuanren.policy.selectors import _parsed, cadre_facts, pack_codes_for_posts, post_facts
from xuanren.procedure.catalogue import TemplateDef
from xuanren.procedure.guards.decision import _rules, read_meeting, recusal_problems
from xuanren.procedure.guards.notice import notice_length_problems
from xuanren.procedure.guards.registry import GuardContext
from xuanren.procedure.models import (
    Candidate,
    CandidateStatus,
    Case,
    CaseStep,
    CommitteeMembership,
)
from xuanren.procedure.recusal import Conflict as RecusalLink
from xuanren.procedure.recusal import conflicts
from xuanren.procedure.services import template_def
from xuanren.supervision.lookback import (
    ARCHIVE_FIELDS,
    SOURCE_PROCEDURE,
    Appointment,
    ArchiveFacts,
    Problem,
    RecordChange,
    Span,
    archive_problems,
    change_problems,
    missing_steps,
    quorum_problem,
)
from xuanren.supervision.models import (
    LookbackFinding,
    LookbackRun,
    PublicNotice,
    RectificationTask,
)

VIEW_RUNS = "supervision.view_lookbackrun"
RUN_LOOKBACK = "supervision.run_lookback"

#: The candidates who were appointed (and later confirmed or removed).
APPOINTED = (CandidateStatus.APPOINTED, CandidateStatus.CONFIRMED, CandidateStatus.REMOVED)
#: The steps a case must have recorded up to its appointment; later steps
#: (probation end) are not part of the appointment.
LAST_STEP = "appointment"


def _parse_day(value: Any) -> dt.date | None:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SHANGHAI).date()


def _latest(records: list[CaseStep], code: str) -> CaseStep | None:
    found = [r for r in records if r.step == code]
    return max(found, key=lambda r: r.seq) if found else None


def decision_day(records: list[CaseStep]) -> dt.date | None:
    """The committee's meeting date, or the day the decision was recorded."""
    record = _latest(records, "decision")
    if record is None:
        record = _latest(records, LAST_STEP)
        if record is None:
            return None
        return _parse_day(record.data.get("document_date")) or _local_day(record.completed_at)
    return _parse_day(record.data.get("meeting_date")) or _local_day(record.completed_at)


def _decision_days(cases: QuerySet[Any], start: dt.date) -> dict[int, dt.date]:
    """Each case's decision day (`decision_day`) when it may fall on or after
    `start`, in two queries: a day is recorded on or after itself, so the
    records completed before `start` are not read, except to know which
    cases were decided before it."""
    since = dt.datetime.combine(start, dt.time.min, tzinfo=SHANGHAI)
    steps = CaseStep.objects.filter(case_id__in=cases, step__in=("decision", LAST_STEP))
    decided_before = set(
        steps.filter(step="decision", completed_at__lt=since).values_list("case_id", flat=True)
    )
    recent: dict[int, list[CaseStep]] = defaultdict(list)
    for r in steps.filter(completed_at__gte=since).only(
        "case_id", "step", "seq", "data", "completed_at"
    ):
        recent[r.case_id].append(r)
    out = {}
    for case_id, rows in recent.items():
        if case_id in decided_before and not any(r.step == "decision" for r in rows):
            continue  # decided before `start`; only its appointment recorded since
        day = decision_day(rows)
        if day is not None:
            out[case_id] = day
    return out


def _required(tdef: TemplateDef) -> list[tuple[str, str]]:
    codes = [s.code for s in tdef.steps]
    last = codes.index(LAST_STEP) if LAST_STEP in codes else len(codes) - 1
    return [(s.code, str(s.name)) for s in tdef.steps[: last + 1]]


@dataclass
class CaseFacts:
    """What the procedure re-check reads besides the 纪实, for many cases at
    once (`_case_facts`): each committee's memberships, each case's notice in
    force, the candidates voted on, the recusal links between the members
    present and them, and the names of the cadres holding those links."""

    memberships: dict[int, list[CommitteeMembership]] = field(default_factory=dict)
    notices: dict[int, PublicNotice] = field(default_factory=dict)
    candidates: dict[int, dict[int, Candidate]] = field(default_factory=dict)
    links: list[RecusalLink] = field(default_factory=list)
    names: dict[int, str] = field(default_factory=dict)


def _decision_context(case: Case, record: CaseStep) -> GuardContext:
    data = {k: v for k, v in record.data.items() if k != "result_sheet"}
    return GuardContext(
        case, template_def(case.template), "decision", data, _local_day(record.completed_at)
    )


def _case_facts(cases: dict[int, Case], records: dict[int, list[CaseStep]]) -> CaseFacts:
    """CaseFacts for `cases` in five queries whatever their number."""
    out = CaseFacts()
    committees = {c.committee_id for c in cases.values() if c.committee_id is not None}
    for m in CommitteeMembership.objects.filter(committee_id__in=committees).order_by("pk"):
        out.memberships.setdefault(m.committee_id, []).append(m)
    for notice in PublicNotice.objects.filter(case_id__in=list(cases)).order_by(
        "case_id", "-published_at", "-id"
    ):
        out.notices.setdefault(notice.case_id, notice)
    voted: dict[int, set[int]] = {}
    present: set[int] = set()
    for case_id, case in cases.items():
        decision = _latest(records[case_id], "decision")
        if decision is None:
            continue
        ctx = _decision_context(case, decision)
        meeting = read_meeting(ctx, out.memberships.get(case.committee_id, []))
        voted[case_id] = {v.candidate_id for v in meeting.votes}
        present |= {m.cadre_id for m in meeting.present_members() if m.cadre_id is not None}
    ids = {pk for pks in voted.values() for pk in pks}
    for c in Candidate.objects.filter(case_id__in=list(voted), pk__in=ids).select_related("cadre"):
        out.candidates.setdefault(c.case_id, {})[c.pk] = c
    out.links = conflicts(
        present, {c.cadre_id for cs in out.candidates.values() for c in cs.values()}
    )
    out.names = dict(
        Cadre.objects.filter(pk__in={link.recorded_by for link in out.links}).values_list(
            "pk", "name"
        )
    )
    return out


def procedure_problems(
    case: Case, records: list[CaseStep], on: dt.date, facts: CaseFacts | None = None
) -> list[Problem]:
    """The case's 纪实 re-read: required steps, quorum, recusal, notice length
    (with the procedure's own guards on the stored data)."""
    if facts is None:
        facts = _case_facts({case.pk: case}, {case.pk: records})
    tdef = template_def(case.template)
    source = f"{tdef.name}（{tdef.source}）" if tdef.source else tdef.name
    out = missing_steps(_required(tdef), {r.step for r in records}, on, source)
    decision = _latest(records, "decision")
    if decision is not None:
        ctx = _decision_context(case, decision)
        meeting = read_meeting(ctx, facts.memberships.get(case.committee_id, []))
        try:
            rules = _rules(tdef.parameters)
        except ValueError:
            rules = None
        if rules is not None and meeting.day is not None:
            present = len(meeting.present_members())
            out += quorum_problem(len(meeting.members), present, rules.quorum, on)
        candidates = facts.candidates.get(case.pk, {})
        cadres = {c.cadre_id for c in candidates.values()}
        links = [link for link in facts.links if link.candidate_cadre_id in cadres]
        out += [
            Problem("procedure", p, on, str(SOURCE_PROCEDURE))
            for p in recusal_problems(meeting, candidates, links, facts.names)
        ]
    notice = _latest(records, "public_notice")
    if notice is not None:
        out += [
            Problem("procedure", p, on, str(SOURCE_PROCEDURE))
            for p in notice_length_problems(
                facts.notices.get(case.pk), _local_day(notice.completed_at)
            )
        ]
    return out


def _archive_facts(cadre_ids: list[int]) -> dict[int, ArchiveFacts]:
    ranks: dict[int, list[int]] = defaultdict(list)
    for cid, level in Education.objects.filter(cadre_id__in=cadre_ids).values_list(
        "cadre_id", "level"
    ):
        if level:
            ranks[cid].append(EDUCATION_RANK.get(level, 0))
    resume: dict[int, list[Span]] = defaultdict(list)
    for cid, start, end, text in ResumeEntry.objects.filter(cadre_id__in=cadre_ids).values_list(
        "cadre_id", "start_date", "end_date", "text"
    ):
        resume[cid].append(Span(start, end, text))
    tenures: dict[int, list[Span]] = defaultdict(list)
    for cid, start, end, unit, title in Tenure.objects.filter(cadre_id__in=cadre_ids).values_list(
        "cadre_id", "start_date", "end_date", "post__unit__name", "post__title"
    ):
        tenures[cid].append(Span(start, end, f"{unit}{title}"))
    out = {}
    for row in Cadre.objects.filter(pk__in=cadre_ids).values(
        "id",
        "name",
        "sex",
        "birth_date",
        "id_number",
        "party_join_date",
        "work_start_date",
        "education_rank",
    ):
        cid = row["id"]
        out[cid] = ArchiveFacts(
            name=row["name"],
            birth_date=row["birth_date"],
            id_number=row["id_number"],
            sex=row["sex"],
            party_join_date=row["party_join_date"],
            work_start_date=row["work_start_date"],
            education_rank=row["education_rank"],
            education_ranks=tuple(ranks.get(cid, ())),
            resume=tuple(resume.get(cid, ())),
            tenures=tuple(tenures.get(cid, ())),
        )
    return out


def _record_changes(cadre_ids: list[int]) -> dict[int, list[RecordChange]]:
    """The archive fields changed after entry, from the journal (one query)."""
    out: dict[int, list[RecordChange]] = defaultdict(list)
    events = Event.objects.filter(
        event_type=EventType.CADRE_UPDATED,
        subject_type="people.cadre",
        subject_id__in=[str(i) for i in cadre_ids],
    ).order_by("pk")
    for subject_id, occurred_at, payload in events.values_list(
        "subject_id", "occurred_at", "payload"
    ):
        changes = payload.get("changes") if isinstance(payload, dict) else None
        if not isinstance(changes, dict):
            continue
        for name, pair in changes.items():
            if name in ARCHIVE_FIELDS and isinstance(pair, list) and len(pair) == 2:
                out[int(subject_id)].append(
                    RecordChange(name, _local_day(occurred_at), pair[0], pair[1])
                )
    return out


def _waivers(chosen: list[tuple[Candidate, dt.date]]) -> dict[tuple[int, int], frozenset[str]]:
    """(post, cadre) → the rules an approved 破格 waives, for every
    appointment at once (one query)."""
    pairs = {(c.post_id, c.cadre_id) for c, _day in chosen}
    out: dict[tuple[int, int], set[str]] = defaultdict(set)
    rows = PromotionException.objects.filter(
        status=ExceptionStatus.APPROVED,
        post_id__in={p for p, _c in pairs},
        cadre_id__in={c for _p, c in pairs},
    ).values_list("post_id", "cadre_id", "rule_ids")
    for post_id, cadre_id, rule_ids in rows:
        out[(post_id, cadre_id)].update(rule_ids)
    return {key: frozenset(ids) for key, ids in out.items()}


def _rules_by_day(chosen: list[tuple[Candidate, dt.date]]) -> dict[tuple[int, dt.date], list[Any]]:
    """(post, day) → the post's rules in force that day: the packs read once
    for all appointments (rules_for_posts per day reads them again)."""
    posts = list({c.post_id: c.post for c, _day in chosen}.values())
    codes = pack_codes_for_posts(posts)
    wanted = {code for post_codes in codes.values() for code in post_codes}
    packs = list(RulePack.objects.filter(code__in=wanted))
    out: dict[tuple[int, dt.date], list[Any]] = {}
    for c, day in chosen:
        if (c.post_id, day) in out:
            continue
        in_force = packs_in_force(packs, day)
        rules: list[Any] = []
        for code in sorted(set(codes[c.post_id]) & set(in_force)):
            rules.extend(_parsed(in_force[code].pk, in_force[code].sha256))
        out[(c.post_id, day)] = rules
    return out


def _rule_problems(
    candidate: Candidate, facts: Any, on: dt.date, rules: list[Any], waived: frozenset[str]
) -> list[Problem]:
    post = candidate.post
    found = explain(rules, facts, post_facts(post), on, waived)
    return [
        Problem(
            "rule",
            _("任%(p)s：%(s)s") % {"p": post, "s": r.sentence},
            on,
            str(r.cited),
        )
        for r in found.results
        if r.status is Status.FAIL
    ]


def lookback_appointments(
    *, actor: Any, unit: Unit, start: dt.date, end: dt.date, levels: Iterable[str]
) -> list[Appointment]:
    """Every appointment decided between `start` and `end` (inclusive) to a
    post of `unit`'s subtree at `levels` (all when empty), in a case the
    actor may see, each with its problems. The caller has checked the
    permission and that `unit` is in scope."""
    wanted = list(levels)
    candidates = Candidate.objects.filter(
        unit_scope_q(actor, prefix="case__unit__"),
        post__unit__path__startswith=unit.path,
        status__in=APPOINTED,
    )
    if wanted:
        candidates = candidates.filter(post__level__in=wanted)
    days = _decision_days(candidates.values("case_id"), start)
    in_period = sorted(pk for pk, day in days.items() if start <= day <= end)
    records: dict[int, list[CaseStep]] = defaultdict(list)
    for r in CaseStep.objects.filter(case_id__in=in_period).order_by("case_id", "seq"):
        records[r.case_id].append(r)
    chosen = [
        (c, days[c.case_id])
        for c in candidates.filter(case_id__in=in_period)
        .select_related("post__unit", "case__template", "case__committee", "cadre")
        .order_by("case_id", "pk")
    ]
    cadre_ids = sorted({c.cadre_id for c, _day in chosen})
    facts = {f.id: f for f in cadre_facts(Cadre.objects.filter(pk__in=cadre_ids))}
    archive = _archive_facts(cadre_ids)
    changes = _record_changes(cadre_ids)
    rules = _rules_by_day(chosen)
    waivers = _waivers(chosen)
    cases = {c.case_id: c.case for c, _day in chosen}
    case_facts = _case_facts(cases, records)
    by_case: dict[int, list[Problem]] = {}
    out = []
    for c, day in chosen:
        if c.case_id not in by_case:
            by_case[c.case_id] = procedure_problems(c.case, records[c.case_id], day, case_facts)
        found = Appointment(c.pk, c.case_id, c.cadre_id, day)
        found.problems += _rule_problems(
            c,
            facts[c.cadre_id],
            day,
            rules[(c.post_id, day)],
            waivers.get((c.post_id, c.cadre_id), frozenset()),
        )
        found.problems += by_case[c.case_id]
        found.problems += archive_problems(archive[c.cadre_id], day)
        found.problems += change_problems(changes.get(c.cadre_id, ()), day)
        out.append(found)
    return out


# ---- runs, findings and tasks -----------------------------------------------------


def lookback_runs(*, actor: Any) -> QuerySet[LookbackRun]:
    """The runs over units in the actor's scope, newest first, with counts."""
    require_perm(actor, VIEW_RUNS)
    return (
        LookbackRun.objects.filter(unit_scope_q(actor, prefix="unit__"))
        .select_related("unit", "created_by")
        .annotate(
            finding_count=Count("findings"),
            open_count=Count("findings", filter=Q(findings__task__closed_at__isnull=True)),
        )
    )


def lookback_run_get(*, actor: Any, pk: int) -> LookbackRun:
    """One run in scope; out of scope or unknown is NotFound."""
    run = lookback_runs(actor=actor).filter(pk=pk).first()
    if run is None:
        raise NotFound(_("未找到该回头看，或其不在您的管理范围内。"))
    return run


@dataclass(frozen=True)
class FindingGroup:
    kind: str
    label: str
    findings: list[LookbackFinding]


def run_findings(*, actor: Any, run: LookbackRun) -> list[FindingGroup]:
    """The run's findings with their tasks, grouped by kind (one query)."""
    from xuanren.supervision.models import LookbackKind

    require_perm(actor, VIEW_RUNS)
    rows = list(
        LookbackFinding.objects.filter(run=run)
        .select_related("cadre", "case", "task__responsible", "candidate__post__unit")
        .order_by("kind", "case_id", "cadre_id", "pk")
    )
    groups = []
    for kind in LookbackKind:
        found = [f for f in rows if f.kind == kind.value]
        if found:
            groups.append(FindingGroup(kind.value, str(kind.label), found))
    return groups


def rectification_get(*, actor: Any, pk: int) -> RectificationTask:
    """A task the actor may see: in scope with the view permission, or their own."""
    task = (
        RectificationTask.objects.filter(pk=pk)
        .select_related("finding__run__unit", "finding__cadre", "finding__case", "responsible")
        .first()
    )
    if task is None:
        raise NotFound(_("未找到该整改任务，或其不在您的管理范围内。"))
    own = task.responsible_id is not None and task.responsible_id == getattr(actor, "pk", None)
    visible = (
        has_perm(actor, VIEW_RUNS)
        and (
            LookbackRun.objects.filter(unit_scope_q(actor, prefix="unit__"), pk=task.finding.run_id)
        ).exists()
    )
    if not (own or visible):
        raise NotFound(_("未找到该整改任务，或其不在您的管理范围内。"))
    return task


def open_tasks_for(*, actor: Any) -> QuerySet[RectificationTask]:
    """The open tasks the actor answers for (their 待办)."""
    return (
        RectificationTask.objects.filter(
            responsible=actor, closed_at__isnull=True, deadline__isnull=False
        )
        .select_related("finding__cadre", "finding__run", "finding__case")
        .order_by("deadline", "pk")
    )
