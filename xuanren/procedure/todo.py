"""待办: what needs doing soon in the actor's scope, read from the records.

Each kind of item comes from one source function registered with `source`;
adding a kind is adding a function. Every role has a 待办 (its home page,
docs/decisions/0070): each source decides by itself whom it serves (a
permission) and what they may see (their scope, their own rows), so a source
returns nothing for a role it is not about. An item names its case where it
has one, so the page can show "mine" (cases where the actor is the officer,
the actor's own ballots and reports) apart from the whole department's list
(everything in scope). The standing, date-driven kinds (probation ends,
retirements, rotation and level limits) are read from rows their writers keep
(reminders.KeptReminder, docs/decisions/0195), all in one query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast, overload

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.signals import setting_changed
from django.db import connections
from django.db.models import Exists, QuerySet, TextChoices
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuanren.access.policy import has_perm, require_perm, scope_path, unit_scope_q
from xuanren.common.dates import SHANGHAI, add_months, add_years, today
from xuanren.procedure.catalogue import STEPS
from xuanren.procedure.models import (
    Case,
    CaseStatus,
    CaseStep,
    ProcedureTemplate,
)
from xuanren.reminders.selectors import KeptRead, Range, Reminder, kept_reminders

if TYPE_CHECKING:
    from xuanren.people.models import Cadre
    from xuanren.people.selectors import Retiring

#: A case with no step done or corrected for longer than this is idle.
IDLE_DAYS = 14


class TodoKind(TextChoices):
    PROBATION_ENDING = "probation_ending", gettext_lazy("试用期将满")
    CASE_IDLE = "case_idle", gettext_lazy("事项长期未办理")
    NOTICE_ENDING = "notice_ending", gettext_lazy("任前公示期将满")
    INTEGRITY_DUE = "integrity_due", gettext_lazy("廉政意见待回复")
    RECOMMENDATION_STALE = "recommendation_stale", gettext_lazy("民主推荐结果将过期")
    # the owner roles' tasks (xuanren/procedure/todo_roles.py, docs/decisions/0064)
    INSPECTION_ASSIGNED = "inspection_assigned", gettext_lazy("考察任务")
    INTEGRITY_REQUESTED = "integrity_requested", gettext_lazy("廉政意见征求待答复")
    AUDIT_REQUESTED = "audit_requested", gettext_lazy("经济责任审计待完成")
    BALLOT_OPEN = "ballot_open", gettext_lazy("待投票")
    REPORT_TO_ASSIGN = "report_to_assign", gettext_lazy("举报待分派")
    REPORT_TO_HANDLE = "report_to_handle", gettext_lazy("举报待调查核实")
    UNIT_CASE = "unit_case", gettext_lazy("本单位选任事项")
    PROPOSAL_WAITING = "proposal_waiting", gettext_lazy("动议建议待研究")
    TRAINING_OBLIGATION = "training_obligation", gettext_lazy("提任后培训待完成")
    RETIREMENT_DUE = "retirement_due", gettext_lazy("临近法定退休")
    RECTIFICATION_DUE = "rectification_due", gettext_lazy("回头看整改任务")
    OPINION_DUE = "opinion_due", gettext_lazy("征询意见待答复")
    CHANNEL_TO_ASSIGN = "channel_to_assign", gettext_lazy("举报咨询待分派")
    CHANNEL_DUE = "channel_due", gettext_lazy("举报咨询待办理")
    RESERVE_REVIEW_DUE = "reserve_review_due", gettext_lazy("后备干部名单待调整")
    OBSERVATION_DUE = "observation_due", gettext_lazy("察看期满待作结论")
    COMPETITION_SIGN_OFF = "competition_sign_off", gettext_lazy("竞聘评分待签字确认")
    PLAN_TASK_DUE = "plan_task_due", gettext_lazy("工作方案任务")
    PLAN_REPORT_DUE = "plan_report_due", gettext_lazy("工作方案报送事项")
    # 轮岗交流 (docs/decisions/0175, 0176)
    ROTATION_DUE = "rotation_due", gettext_lazy("任职年限达到交流规定")
    LEVEL_LIMIT_DUE = "level_limit_due", gettext_lazy("同一层次任职年限达到规定")
    OVERQUOTA_DUE = "overquota_due", gettext_lazy("超职数消化待落实")
    CLEANUP_PENDING = "cleanup_pending", gettext_lazy("凡进必考清理待定")


#: Who carries a case's steps (the organization department's case officer):
#: the officer's reminders (probation, idle cases, notices, stale results).
RUNS_CASES = "procedure.change_case"
#: The integrity-opinion item serves the officer (who requests the opinion)
#: and the discipline commission (who answers it).
INTEGRITY_PERMS = ("procedure.change_case", "supervision.investigate_report")

#: At most this many items of one kind in a 待办, the soonest (docs/decisions/
#: 0194): a province's reminders of one kind within a month are hundreds, and
#: beyond these one summary item links to the 待办 of that kind alone, which
#: lists up to KIND_ITEMS of it.
ITEMS_PER_KIND = 20
KIND_ITEMS = 200


@dataclass(frozen=True)
class TodoItem:
    kind: str
    text: str
    due: dt.date
    link: str  # the page where the item is dealt with
    case: Case | None
    mine: bool  # the actor is the officer of the item's case
    #: the summary of a kind's items beyond those listed (more_item)
    more: bool = False

    @property
    def kind_label(self) -> str:
        return str(TodoKind(self.kind).label)

    def overdue(self, on: dt.date) -> bool:
        return self.due < on


@dataclass(frozen=True)
class TodoQuery:
    actor: Any
    on: dt.date
    horizon: dt.date  # the last day looked ahead to
    #: the home page's 临近退休 panel: its retirements up to this day are read
    #: with 待办's kept reminders (home_todo), in the same query
    retirement_panel: dt.date | None = None
    #: reads shared by several sources within one request (open_cases, templates)
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    #: the kind listed alone (up to KIND_ITEMS of it), or "" for the whole 待办
    kind: str = ""

    def limit(self, kind: str) -> int:
        """How many items of `kind` a source lists before its summary item."""
        return KIND_ITEMS if kind == self.kind else ITEMS_PER_KIND

    def is_mine(self, case: Case | None) -> bool:
        return case is not None and case.officer_id == getattr(self.actor, "pk", None)

    def open_cases(self) -> list[Case]:
        """The open cases in the actor's scope, oldest first: one read shared
        by every case-based source of the request (decision 0166)."""
        if "open_cases" not in self.memo:
            self.memo["open_cases"] = list(
                Case.objects.filter(
                    unit_scope_q(self.actor, prefix="unit__"), status=CaseStatus.OPEN
                )
                # what the sources show and test, and the template's
                # parameters; its steps only where a source parses the whole
                # definition (template_of)
                .select_related("template")
                .only(
                    "number",
                    "title",
                    "unit",
                    "officer",
                    "template",
                    "status",
                    "current_step",
                    "last_activity_at",
                    "template__parameters",
                )
                .order_by("pk")
            )
        return cast("list[Case]", self.memo["open_cases"])

    def template_of(self, case: Case) -> ProcedureTemplate:
        """The case's whole procedure template (with its steps), read once for
        the open cases of the request (one query)."""
        templates = self.memo.get("templates")
        if templates is None or case.template_id not in templates:
            ids = {c.template_id for c in self.open_cases()} | {case.template_id}
            templates = self.memo["templates"] = ProcedureTemplate.objects.in_bulk(ids)
        return cast("ProcedureTemplate", templates[case.template_id])


Source = Callable[[TodoQuery], Iterable[TodoItem]]
SOURCES: list[Source] = []
#: A source's probe: rows that exist whenever the source has an item (the same
#: test or a looser one, e.g. without the scope). Every probe of a request is
#: asked in one query first, and a source whose probe finds nothing is not run
#: (decision 0160): most of a role's sources are usually empty (nothing
#: assigned to this login, no idle case), and each would cost a query.
#: A probe returns None when its source does not serve the actor (the
#: source's own permission test): that source runs as it is, without a query.
Probe = Callable[[TodoQuery], QuerySet[Any] | None]
PROBES: dict[Source, Probe] = {}


@overload
def source(fn: Source) -> Source: ...
@overload
def source(*, probe: Probe) -> Callable[[Source], Source]: ...
def source(fn: Source | None = None, *, probe: Probe | None = None) -> Any:
    """Register a source of 待办 items, with its probe when it has one."""

    def register(fn: Source) -> Source:
        SOURCES.append(fn)
        if probe is not None:
            PROBES[fn] = probe
        return fn

    return register(fn) if fn is not None else register


#: The probe query of a request, compiled (decision 0196): its SQL and
#: parameters and the sources of its columns, by what the probes are built
#: from. Building and compiling some twenty subqueries is most of the probes'
#: cost (about 9 ms of Python, against 1–2 ms in the database), and a probe
#: is a pure function of the actor (permissions, scope), the day and the
#: horizon. No record's data is kept here: only query text.
_PROBE_SQL: dict[tuple[Any, ...], tuple[str, tuple[Any, ...], list[Source]]] = {}
PROBE_SQL_ENTRIES = 1024


def _probe_key(query: TodoQuery) -> tuple[Any, ...]:
    actor = query.actor
    return (
        tuple(PROBES.items()),
        actor.pk,
        actor.is_active,
        # a superuser holds every permission (and reading them all is a query)
        True if actor.is_superuser else frozenset(actor.get_all_permissions()),
        scope_path(actor),
        query.on,
        query.horizon,
        timezone.localdate(timezone.now(), SHANGHAI),  # the idle cases' cutoff
    )


@receiver(setting_changed)
def _forget_probe_sql(**kwargs: Any) -> None:
    _PROBE_SQL.clear()  # a probe may read a setting (the reserve review months)


def _probe_sql(query: TodoQuery) -> tuple[str, tuple[Any, ...], list[Source]]:
    key = _probe_key(query)
    found = _PROBE_SQL.get(key)
    if found is not None:
        return found
    probes = {fn: qs for fn, probe in PROBES.items() if (qs := probe(query)) is not None}
    if len(probes) < 2:
        found = ("", (), [])
    else:
        keys = {f"p{i}": fn for i, fn in enumerate(probes)}
        rows = (
            get_user_model()
            ._default_manager.filter(pk=query.actor.pk)
            .values(**{k: Exists(probes[fn]) for k, fn in keys.items()})
        )
        sql, params = rows.query.sql_with_params()
        found = (sql, tuple(params), list(keys.values()))
    if len(_PROBE_SQL) >= PROBE_SQL_ENTRIES:
        _PROBE_SQL.clear()
    _PROBE_SQL[key] = found
    return found


def empty_sources(query: TodoQuery) -> set[Source]:
    """The sources whose probe finds nothing, asked in one query (on the
    actor's own row, which exists); no query when fewer than two sources have
    a probe for the actor (one probe would save nothing)."""
    sql, params, sources = _probe_sql(query)
    if not sources:
        return set()
    with connections[get_user_model()._default_manager.db].cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return set()
    return {fn for fn, found in zip(sources, row, strict=True) if not found}


def todo_for(
    *,
    actor: Any,
    on: dt.date | None = None,
    horizon_days: int = 30,
    mine: bool = False,
    kind: str = "",
) -> list[TodoItem]:
    """Every item due within `horizon_days` of `on` (and those already
    overdue), in the actor's scope, soonest first, at most ITEMS_PER_KIND of a
    kind and then its summary item; only the actor's own cases' items when
    `mine`; only the items of `kind` (up to KIND_ITEMS) when given. Every role
    has one; an account with no role at all (no permission) is refused."""
    on = on or today()
    query = TodoQuery(actor=actor, on=on, horizon=on + dt.timedelta(days=horizon_days), kind=kind)
    return _items(query, mine=mine)


def _items(query: TodoQuery, *, mine: bool = False) -> list[TodoItem]:
    if not has_any_role(query.actor):
        require_perm(query.actor, "procedure.view_case")  # the refusal, with its message
    empty = empty_sources(query)
    items = [item for fn in SOURCES if fn not in empty for item in fn(query)]
    if mine:
        items = [i for i in items if i.mine]
    if query.kind:
        items = [i for i in items if i.kind == query.kind]
    return sorted(items, key=lambda i: (i.due, i.kind, i.more, i.text))


def home_todo(*, actor: Any, on: dt.date) -> tuple[list[TodoItem], list[Retiring] | None]:
    """The home page's 待办 and its 临近退休 panel (the first RETIREMENT_ITEMS
    active cadres in scope whose statutory retirement falls within a year or
    has passed; None when the actor may not see cadres), the panel read with
    待办's kept reminders in one query (decision 0195)."""
    panel = add_years(on, 1)
    query = TodoQuery(
        actor=actor, on=on, horizon=on + dt.timedelta(days=30), retirement_panel=panel
    )
    items = _items(query) if has_any_role(actor) else []
    if not has_perm(actor, "people.view_cadre"):
        return items, None
    rows = _kept(query, TodoKind.RETIREMENT_DUE) or []
    return items, [r for r in retiring_of(rows) if r.retirement_date <= panel][:RETIREMENT_ITEMS]


def more_item(query: TodoQuery, kind: str, shown: list[TodoItem]) -> TodoItem:
    """The summary after the first query.limit(kind) items of a kind, when the
    source found more: sorted right after the last one shown, linking to the
    待办 of that kind alone (docs/decisions/0194)."""
    n = len(shown)
    return TodoItem(
        kind=kind,
        text=(
            _("还有更多“%(kind)s”事项，这里只列出最早到期的 %(n)d 项。")
            if kind == query.kind
            else _("还有更多“%(kind)s”事项，这里只列出最早到期的 %(n)d 项，点击查看全部。")
        )
        % {"kind": TodoKind(kind).label, "n": n},
        due=shown[-1].due if shown else query.on,
        link=reverse("web:todo") + f"?tab=all&kind={kind}",
        case=None,
        mine=any(i.mine for i in shown),
        more=True,
    )


def capped(
    query: TodoQuery, kind: str, items: list[TodoItem], more: bool = False
) -> list[TodoItem]:
    """A source's items, read up to query.limit(kind) + 1 soonest first: the
    first limit of them, and the summary item when there was one more (or
    when the source says so: `more`, rows read beyond the limit)."""
    limit = query.limit(kind)
    if len(items) <= limit and not more:
        return items
    return [*items[:limit], more_item(query, kind, items[:limit])]


def has_any_role(actor: Any) -> bool:
    """The actor holds at least one permission (a role, or superuser)."""
    return bool(
        getattr(actor, "is_authenticated", False)
        and actor.is_active
        and (actor.is_superuser or actor.get_all_permissions())
    )


def _case_link(case: Case) -> str:
    return reverse("web:case_detail", args=[case.pk])


# ---- probes (decision 0160): each the source's own test, or a looser one ---------------


def _probe_training(query: TodoQuery) -> QuerySet[Any] | None:
    from xuanren.policy.models import ExceptionStatus, PromotionException

    if not has_perm(query.actor, "people.change_cadre"):
        return None
    return PromotionException.objects.filter(
        status=ExceptionStatus.APPROVED, decided_on__isnull=False
    )


def _probe_idle(query: TodoQuery) -> QuerySet[Any] | None:
    if not has_perm(query.actor, RUNS_CASES):
        return None
    # Looser than idle_cases' own cutoff (now less IDLE_DAYS): the start of
    # the day IDLE_DAYS - 1 days before the clock's, so the probe depends on
    # the day only (its SQL is kept for the day, decision 0196).
    day = timezone.localdate(timezone.now(), SHANGHAI) - dt.timedelta(days=IDLE_DAYS - 1)
    start = dt.datetime.combine(day, dt.time.min, tzinfo=SHANGHAI)
    return Case.objects.filter(status=CaseStatus.OPEN, last_activity_at__lt=start)


def _probe_stale(query: TodoQuery) -> QuerySet[Any] | None:
    return Case.objects.filter(status=CaseStatus.OPEN, steps__step="recommendation").exclude(
        steps__step="candidates"
    )


def _probe_ballots(query: TodoQuery) -> QuerySet[Any] | None:
    from xuanren.ballots.models import MeetingStatus, Voter

    return Voter.objects.filter(
        user=query.actor, meeting__status=MeetingStatus.OPEN, participation__isnull=True
    )


def _probe_to_assign(query: TodoQuery) -> QuerySet[Any] | None:
    from xuanren.supervision.models import Report, ReportStatus

    if not has_perm(query.actor, "supervision.assign_report"):
        return None
    return Report.objects.filter(status=ReportStatus.REGISTERED, channel=False)


def _probe_to_handle(query: TodoQuery) -> QuerySet[Any] | None:
    from xuanren.supervision.models import Report, ReportStatus

    if not has_perm(query.actor, "supervision.investigate_report"):
        return None
    return Report.objects.filter(
        assigned_to=query.actor,
        status__in=[ReportStatus.ASSIGNED, ReportStatus.INVESTIGATING],
        channel=False,
    )


def _probe_rectifications(query: TodoQuery) -> QuerySet[Any] | None:
    from xuanren.supervision.models import RectificationTask

    return RectificationTask.objects.filter(responsible=query.actor, closed_at__isnull=True)


def _probe_opinions(query: TodoQuery) -> QuerySet[Any] | None:
    from xuanren.supervision.models import Opinion, OpinionStatus

    return Opinion.objects.filter(assignee=query.actor, status=OpinionStatus.ASSIGNED)


def _probe_reserve_reviews(query: TodoQuery) -> QuerySet[Any] | None:
    from xuanren.reserves.models import ReserveRound

    if not has_perm(query.actor, "reserves.manage_reserveround"):
        return None
    # A review falls due `months` after the list or its last review, so no
    # list fixed after this day is due by the horizon (a month's margin for
    # add_months at the ends of months).
    months = settings.XUANREN_RESERVE_REVIEW_MONTHS
    return ReserveRound.objects.filter(listed_on__lte=add_months(query.horizon, 1 - months))


def _probe_observations(query: TodoQuery) -> QuerySet[Any] | None:
    from xuanren.observation.models import Observation, ObservationStatus

    if not has_perm(query.actor, "observation.change_observation"):
        return None
    return Observation.objects.filter(status=ObservationStatus.OPEN, ends_on__lte=query.horizon)


def _probe_competitions(query: TodoQuery) -> QuerySet[Any] | None:
    from xuanren.competition.models import Competition, CompetitionStatus

    if not has_perm(query.actor, "competition.sign_off_competition"):
        return None
    return Competition.objects.filter(
        status=CompetitionStatus.SCORING,
        case__status=CaseStatus.OPEN,
        case__current_step="written_exam",
    )


def _probe_notices(query: TodoQuery) -> QuerySet[Any] | None:
    from xuanren.supervision.models import PublicNotice

    if not has_perm(query.actor, RUNS_CASES):
        return None
    return PublicNotice.objects.filter(
        case__status=CaseStatus.OPEN,
        case__current_step="public_notice",
        end__gte=query.on - dt.timedelta(days=IDLE_DAYS),
        end__lte=query.horizon,
    )


def _probe_integrity_due(query: TodoQuery) -> QuerySet[Any] | None:
    if not any(has_perm(query.actor, p) for p in INTEGRITY_PERMS):
        return None
    return Case.objects.filter(status=CaseStatus.OPEN, current_step="integrity_opinion")


def _may_see_probations(actor: Any) -> bool:
    return has_perm(actor, RUNS_CASES) and has_perm(actor, "people.view_cadre")


def _may_see_retirements(actor: Any) -> bool:
    return has_perm(actor, "people.change_cadre") and has_perm(actor, "people.view_cadre")


#: The rotation alert kinds behind each 待办 kind (decisions 0175, 0191).
ROTATION_KINDS: dict[str, frozenset[str]] = {
    TodoKind.ROTATION_DUE: frozenset({"post_years", "post_terms"}),
    TodoKind.LEVEL_LIMIT_DUE: frozenset({"level_years"}),
}


def kept_ranges(query: TodoQuery, *, retirement_panel: dt.date | None = None) -> list[Range]:
    """The kept reminders' ranges (decision 0195) the actor's 待办 reads: the
    kinds the actor may see (or only query.kind), each its first limit + 1
    rows due by the horizon, and for the rotation kinds the people who
    reached a rule before today, counted up to ROTATION_REACHED_COUNT + 1.
    `retirement_panel`: the home page's 临近退休 panel reads its retirements
    up to that day in the same query (its first RETIREMENT_ITEMS)."""
    from xuanren.rotation.rules import pack

    actor, on = query.actor, query.on

    def wanted(kind: str) -> bool:
        return not query.kind or query.kind == kind

    ranges = []
    k = TodoKind.PROBATION_ENDING
    if wanted(k) and _may_see_probations(actor):
        ranges.append(Range(k, on, query.horizon, query.limit(k) + 1))
    k = TodoKind.RETIREMENT_DUE
    if retirement_panel is not None or (wanted(k) and _may_see_retirements(actor)):
        last = on + dt.timedelta(days=RETIREMENT_NOTICE_DAYS)
        ranges.append(
            Range(
                k,
                None,
                max(last, retirement_panel or last),
                max(query.limit(k) + 1, RETIREMENT_ITEMS),
            )
        )
    if has_perm(actor, "rotation.add_rotationplan"):
        rules = pack().rules
        for alerts, kinds in ROTATION_KINDS.items():
            if wanted(alerts) and any(r.kind in kinds for r in rules):
                ranges.append(Range(alerts, on, query.horizon, query.limit(alerts) + 1))
                before = on - dt.timedelta(days=1)
                ranges.append(Range(alerts, None, before, ROTATION_REACHED_COUNT + 1, reached=True))
    return ranges


def _kept_read(query: TodoQuery) -> tuple[list[Range], KeptRead]:
    """The request's one read of the kept reminders (made on first use)."""
    read = query.memo.get("kept")
    if read is None:
        ranges = kept_ranges(query, retirement_panel=query.retirement_panel)
        read = query.memo["kept"] = (ranges, kept_reminders(actor=query.actor, ranges=ranges))
    return cast("tuple[list[Range], KeptRead]", read)


def _kept(query: TodoQuery, kind: str) -> list[Reminder] | None:
    """The kept rows of the kind's range, or None when the actor's 待办 has
    no such range."""
    ranges, read = _kept_read(query)
    for i, r in enumerate(ranges):
        if r.kind == kind and not r.reached:
            return read.rows[i]
    return None


def _kept_reached(query: TodoQuery, kind: str) -> int:
    """How many (up to the range's limit) reached the kind's rule before today."""
    ranges, read = _kept_read(query)
    return next((read.counts[i] for i, r in enumerate(ranges) if r.kind == kind and r.reached), 0)


@source
def probations_ending(query: TodoQuery) -> Iterable[TodoItem]:
    """Tenures whose probation (Tenure.probation_until) ends by the horizon and
    whose holder is still in the post and not yet assessed in a case: the
    kept reminders (decision 0195)."""
    rows = _kept(query, TodoKind.PROBATION_ENDING)
    if not rows:
        return []
    me = getattr(query.actor, "pk", None)
    items = []
    for r in rows:
        assert r.post is not None
        case = (
            # what the page shows of it: its number and link, and "mine"
            Case(pk=r.case_id, number=r.case_number, officer_id=cast(int, r.case_officer_id))
            if r.case_id is not None
            else None
        )
        text = _(
            "%(name)s任%(unit)s%(post)s的试用期于 %(date)s 届满（还有 %(n)d 天），请组织考核。"
        ) % {
            "name": r.cadre.name,
            "unit": r.post.unit.name,
            "post": r.post.title,
            "date": f"{r.due:%Y.%m.%d}",
            "n": (r.due - query.on).days,
        }
        items.append(
            TodoItem(
                kind=TodoKind.PROBATION_ENDING,
                text=text,
                due=r.due,
                link=_case_link(case)
                if case is not None
                else reverse("web:cadre_detail", args=[r.cadre.pk]),
                case=case,
                mine=case is not None and case.officer_id == me,
            )
        )
    return capped(query, TodoKind.PROBATION_ENDING, items)


@source(probe=_probe_training)
def training_obligations_due(query: TodoQuery) -> Iterable[TodoItem]:
    """Training owed after an approved exception to the training rule
    (docs/decisions/0090), for the roles that keep cadre records: due within
    NOTICE_DAYS days, and those overdue."""
    if not (
        has_perm(query.actor, "people.change_cadre") and has_perm(query.actor, "people.view_cadre")
    ):
        return []
    from xuanren.policy.obligations import NOTICE_DAYS, training_obligations

    horizon = query.on + dt.timedelta(days=NOTICE_DAYS)
    items = []
    for ob in training_obligations(actor=query.actor, on=query.on):
        if ob.due > horizon:
            continue
        text = _(
            "%(name)s于 %(start)s 任%(unit)s%(post)s，经批准提任后一年内完成培训，"
            "期限 %(date)s；%(first)d—%(last)d 年度已记录 %(done)d 学时，须达到 %(needed)d 学时。"
        ) % {
            "name": ob.cadre.name,
            "start": f"{ob.start:%Y.%m.%d}",
            "unit": ob.post.unit.name,
            "post": ob.post.title,
            "date": f"{ob.due:%Y.%m.%d}",
            "first": ob.first_year,
            "last": ob.last_year,
            "done": ob.hours_done,
            "needed": ob.hours_needed,
        }
        items.append(
            TodoItem(
                kind=TodoKind.TRAINING_OBLIGATION,
                text=text,
                due=ob.due,
                link=reverse("web:cadre_detail", args=[ob.cadre.pk]) + "#obligations",
                case=None,
                mine=False,
            )
        )
    return items


#: How far ahead 待办 lists cadres reaching the statutory retirement age, and
#: how many at most (the dashboard's 临近退休 list has them all, a year ahead).
RETIREMENT_NOTICE_DAYS = 90
#: One more than a kind's limit: the one more says the summary item is due.
RETIREMENT_ITEMS = ITEMS_PER_KIND + 1


@source
def retirements_due(query: TodoQuery) -> Iterable[TodoItem]:
    """Active cadres reaching the statutory retirement age (2024 decision, by
    birth month; people.retirement) within RETIREMENT_NOTICE_DAYS, or already
    past it, for the roles that keep cadre records: the kept reminders
    (decision 0195)."""
    if not _may_see_retirements(query.actor):
        return []
    rows = _kept(query, TodoKind.RETIREMENT_DUE) or []
    horizon = query.on + dt.timedelta(days=RETIREMENT_NOTICE_DAYS)
    items = []
    for r in retiring_of(rows):
        if r.retirement_date > horizon:
            continue
        text = _("%(name)s（%(unit)s）%(date)s 达到法定退休年龄 %(years)d 周岁%(months)s。") % {
            "name": r.cadre.name,
            "unit": r.cadre.unit.name,
            "date": f"{r.retirement_date:%Y.%m.%d}",
            "years": r.age_years_part,
            "months": _("%(n)d 个月") % {"n": r.age_months_part} if r.age_months_part else "",
        }
        items.append(
            TodoItem(
                kind=TodoKind.RETIREMENT_DUE,
                text=text,
                due=r.retirement_date,
                link=reverse("web:cadre_detail", args=[r.cadre.pk]),
                case=None,
                mine=False,
            )
        )
    return capped(query, TodoKind.RETIREMENT_DUE, items)


def retiring_of(rows: list[Reminder]) -> list[Retiring]:
    """The kept retirement reminders as the 临近退休 list shows them."""
    from xuanren.people.selectors import retiring

    # the cadre as read with the reminder: the fields retiring() reads
    return [retiring(cast("Cadre", r.cadre)) for r in rows]


@source(probe=_probe_idle)
def idle_cases(query: TodoQuery) -> Iterable[TodoItem]:
    """Open cases with no step done or corrected for more than IDLE_DAYS days."""
    if not has_perm(query.actor, RUNS_CASES):
        return []
    now = timezone.now()
    cutoff = now - dt.timedelta(days=IDLE_DAYS)
    items = []
    idle = [c for c in query.open_cases() if c.last_activity_at < cutoff]
    for case in sorted(idle, key=lambda c: c.last_activity_at):
        last = case.last_activity_at.astimezone(SHANGHAI).date()
        step = STEPS.get(case.current_step, case.current_step)
        items.append(
            TodoItem(
                kind=TodoKind.CASE_IDLE,
                text=_("%(number)s %(title)s已 %(n)d 天未办理，当前环节：%(step)s。")
                % {
                    "number": case.number,
                    "title": case.title,
                    "n": (query.on - last).days,
                    "step": step,
                },
                due=last + dt.timedelta(days=IDLE_DAYS),
                link=_case_link(case),
                case=case,
                mine=query.is_mine(case),
            )
        )
    return items


@source(probe=_probe_notices)
def notices_ending(query: TodoQuery) -> Iterable[TodoItem]:
    """任前公示 in force whose period ends by the horizon, on cases still at
    the public-notice step: the officer then checks the reports and completes
    the step. Read from the supervision app's notices (the latest publication
    of a case is the one in force)."""
    if not has_perm(query.actor, RUNS_CASES):
        return []
    try:
        from xuanren.supervision.models import PublicNotice
    except ImportError:  # an installation without the supervision app
        return []
    at_notice = {c.pk: c for c in query.open_cases() if c.current_step == "public_notice"}
    if not at_notice:
        return []
    notices = PublicNotice.objects.filter(
        case_id__in=at_notice,
        end__gte=query.on - dt.timedelta(days=IDLE_DAYS),
        end__lte=query.horizon,
    ).order_by("case_id", "-published_at", "-id")
    latest: dict[int, Any] = {}
    for notice in notices:
        latest.setdefault(notice.case_id, notice)
    items = []
    for notice in latest.values():
        case = at_notice[notice.case_id]
        items.append(
            TodoItem(
                kind=TodoKind.NOTICE_ENDING,
                text=_("%(number)s %(title)s的任前公示于 %(date)s 期满，请核查举报办理情况。")
                % {"number": case.number, "title": case.title, "date": f"{notice.end:%Y.%m.%d}"},
                due=notice.end,
                link=_case_link(case),
                case=case,
                mine=query.is_mine(case),
            )
        )
    return items


@source(probe=_probe_integrity_due)
def integrity_opinions_due(query: TodoQuery) -> Iterable[TodoItem]:
    """Cases waiting for the discipline commission's integrity opinions. The
    request and the returned opinions are recorded together when the step
    completes (docs/decisions/0014), so the item is due from the day the case
    reached the step: the request must go out in writing at least
    `integrity_lead_days` before the decision meeting."""
    if not any(has_perm(query.actor, p) for p in INTEGRITY_PERMS):
        return []
    items = []
    for case in query.open_cases():
        if case.current_step != "integrity_opinion":
            continue
        lead = int(case.template.parameters.get("integrity_lead_days", 3))
        since = case.last_activity_at.astimezone(SHANGHAI).date()
        items.append(
            TodoItem(
                kind=TodoKind.INTEGRITY_DUE,
                text=_(
                    "%(number)s %(title)s待征求、回复廉政意见：须至少在讨论决定会议 %(n)d 日前书面征求。"
                )
                % {"number": case.number, "title": case.title, "n": lead},
                due=since,
                link=_case_link(case),
                case=case,
                mine=query.is_mine(case),
            )
        )
    return items


@source(probe=_probe_stale)
def recommendations_going_stale(query: TodoQuery) -> Iterable[TodoItem]:
    """Democratic-recommendation results, valid for the template's
    recommendation_valid_months (one year, national pack), that run out by the
    horizon while the case has not yet chosen its inspection candidates (the
    step whose guard `recommendation_fresh` refuses stale results). The date
    the results were formed is read as that guard reads it."""
    from xuanren.procedure.guards.selection import recommendation_date
    from xuanren.procedure.services import template_def

    open_cases = {c.pk: c for c in query.open_cases()}
    if not open_cases:
        return []
    # The latest 民主推荐 record of each open case, and which have chosen
    # their inspection candidates, in one read.
    latest: dict[int, CaseStep] = {}
    chosen: set[int] = set()
    for record in CaseStep.objects.filter(
        case_id__in=open_cases, step__in=("recommendation", "candidates")
    ).order_by("case_id", "-seq"):
        if record.step == "candidates":
            chosen.add(record.case_id)
        else:
            latest.setdefault(record.case_id, record)
    items = []
    definitions: dict[int, Any] = {}  # parsed once per template
    for case in open_cases.values():
        if case.pk not in latest or case.pk in chosen:
            continue
        definition = definitions.get(case.template_id)
        if definition is None:
            definition = definitions[case.template_id] = template_def(query.template_of(case))
        if "recommendation_fresh" not in {g for s in definition.steps for g in s.guards}:
            continue
        months = int(definition.parameters.get("recommendation_valid_months", 12))
        done = latest.get(case.pk)
        if done is None:
            continue
        last_valid = add_months(recommendation_date(done), months) - dt.timedelta(days=1)
        if last_valid > query.horizon:
            continue
        items.append(
            TodoItem(
                kind=TodoKind.RECOMMENDATION_STALE,
                text=_(
                    "%(number)s %(title)s的民主推荐结果有效期至 %(date)s，"
                    "请在此前确定考察对象，逾期须重新推荐。"
                )
                % {
                    "number": case.number,
                    "title": case.title,
                    "date": f"{last_valid:%Y.%m.%d}",
                },
                due=last_valid,
                link=_case_link(case),
                case=case,
                mine=query.is_mine(case),
            )
        )
    return items


@source(probe=_probe_ballots)
def open_ballots(query: TodoQuery) -> Iterable[TodoItem]:
    """Voting meetings open now whose roster has the actor's own login and
    where the actor has not voted yet (committee members, meeting
    participants). Only the meeting's title and date: nothing about the
    names on the ballot or how anyone voted."""
    from xuanren.ballots.models import MeetingStatus, Voter

    if not getattr(query.actor, "is_authenticated", False):
        return []
    rows = (
        Voter.objects.filter(
            user=query.actor, meeting__status=MeetingStatus.OPEN, participation__isnull=True
        )
        .select_related("meeting")
        .order_by("meeting__meeting_date", "meeting_id")
    )
    return [
        TodoItem(
            kind=TodoKind.BALLOT_OPEN,
            text=_("%(title)s正在投票（会议日期 %(date)s），请凭本人账号投票。")
            % {"title": v.meeting.title, "date": f"{v.meeting.meeting_date:%Y.%m.%d}"},
            due=v.meeting.meeting_date,
            link=reverse("ballots:vote", args=[v.meeting_id]),
            case=None,
            mine=True,
        )
        for v in rows
    ]


def _report_due(report: Any) -> dt.date:
    """A report bars the public-notice step until it is closed: it is due by
    the end of the notice it came through, else from the day it came in."""
    if report.notice is not None:
        end: dt.date = report.notice.end
        return end
    return report.received_at.astimezone(SHANGHAI).date()


def _case_of(report: Any) -> Case:
    """A notice report's case (the standing channel's entries, which may have
    none, are listed by channel_items)."""
    case: Case | None = report.case
    assert case is not None
    return case


@source(probe=_probe_to_assign)
def reports_to_assign(query: TodoQuery) -> Iterable[TodoItem]:
    """举报 registered and not yet given to an investigator, for whoever
    assigns them (the case officer, docs/decisions/0015)."""
    if not has_perm(query.actor, "supervision.assign_report"):
        return []
    from xuanren.supervision.models import Report, ReportStatus

    reports = Report.objects.filter(
        unit_scope_q(query.actor, prefix="case__unit__"),
        status=ReportStatus.REGISTERED,
        channel=False,
    ).select_related("case__officer", "notice")
    return [
        TodoItem(
            kind=TodoKind.REPORT_TO_ASSIGN,
            text=_("%(number)s %(title)s收到一件举报（%(source)s），请分派承办人。")
            % {
                "number": _case_of(r).number,
                "title": _case_of(r).title,
                "source": r.get_source_display(),
            },
            due=_report_due(r),
            link=reverse("supervision:report", args=[r.pk]),
            case=r.case,
            mine=query.is_mine(r.case),
        )
        for r in reports
    ]


@source(probe=_probe_to_handle)
def reports_to_handle(query: TodoQuery) -> Iterable[TodoItem]:
    """举报 assigned to the actor and not yet closed: investigate, then close
    with a finding (the discipline commission, docs/decisions/0015)."""
    if not has_perm(query.actor, "supervision.investigate_report"):
        return []
    from xuanren.supervision.models import Report, ReportStatus

    reports = Report.objects.filter(
        unit_scope_q(query.actor, prefix="case__unit__"),
        assigned_to=query.actor,
        status__in=[ReportStatus.ASSIGNED, ReportStatus.INVESTIGATING],
        channel=False,
    ).select_related("case__officer", "notice")
    items = []
    for r in reports:
        if r.status == ReportStatus.ASSIGNED:
            what = _("请调查核实")
        else:
            what = _("正在调查核实，查清后请办结")
        items.append(
            TodoItem(
                kind=TodoKind.REPORT_TO_HANDLE,
                text=_("%(number)s %(title)s：关于%(about)s的举报（%(source)s），%(what)s。")
                % {
                    "number": _case_of(r).number,
                    "title": _case_of(r).title,
                    "about": r.about_name,
                    "source": r.get_source_display(),
                    "what": what,
                },
                due=_report_due(r),
                link=reverse("supervision:report", args=[r.pk]),
                case=r.case,
                mine=True,
            )
        )
    return items


@source
def channel_items(query: TodoQuery) -> Iterable[TodoItem]:
    """The standing channel (docs/decisions/0127): entries waiting for an
    assignee, for whoever assigns them (the cadre supervision office), due
    the day they came in; and the actor's own open entries, due on their
    deadline (overdue ones stay until closed)."""
    from xuanren.supervision.channel_todo import channel_todo

    return [
        TodoItem(
            kind=TodoKind.CHANNEL_DUE if row.mine else TodoKind.CHANNEL_TO_ASSIGN,
            text=row.text,
            due=row.due,
            link=row.link,
            case=None,
            mine=row.mine,
        )
        for row in channel_todo(actor=query.actor)
    ]


def _follows_unit_cases(actor: Any) -> bool:
    """A unit's HR contact: proposes for their unit and follows its cases
    through the unit case pages (someone who may read cases has the case
    list instead)."""
    return has_perm(actor, "procedure.view_motionproposal") and not has_perm(
        actor, "procedure.view_case"
    )


@source
def unit_cases(query: TodoQuery) -> Iterable[TodoItem]:
    """Open cases filling a post of the actor's unit, for its HR contact to
    follow (progress only, docs/decisions/0071)."""
    if not _follows_unit_cases(query.actor):
        return []
    cases = (
        Case.objects.filter(
            unit_scope_q(query.actor, prefix="case_posts__post__unit__"), status=CaseStatus.OPEN
        )
        .distinct()
        .order_by("opened_at", "pk")
    )
    return [
        TodoItem(
            kind=TodoKind.UNIT_CASE,
            text=_("%(number)s %(title)s正在办理，当前环节：%(step)s。")
            % {
                "number": case.number,
                "title": case.title,
                "step": STEPS.get(case.current_step, case.current_step),
            },
            due=query.on,
            link=reverse("web:unit_case_detail", args=[case.pk]),
            case=None,  # the officer's case page is not theirs to open
            mine=False,
        )
        for case in cases
    ]


@source
def proposals_waiting(query: TodoQuery) -> Iterable[TodoItem]:
    """The unit's motion proposals not yet decided by the organization
    department, for the HR contact who follows them."""
    if not _follows_unit_cases(query.actor):
        return []
    from xuanren.procedure.models import MotionProposal, MotionProposalStatus

    proposals = (
        MotionProposal.objects.filter(
            unit_scope_q(query.actor, prefix="unit__"), status=MotionProposalStatus.SUBMITTED
        )
        .prefetch_related("proposal_posts__post")
        .order_by("proposed_at", "pk")
    )
    return [
        TodoItem(
            kind=TodoKind.PROPOSAL_WAITING,
            text=_("%(date)s 提出的动议建议（%(posts)s）待组织部研究。")
            % {
                "date": f"{p.proposed_at.astimezone(SHANGHAI):%Y.%m.%d}",
                "posts": "、".join(pp.post.title for pp in p.proposal_posts.all()),
            },
            due=query.on,
            link=reverse("web:motion_proposals") + f"#proposal-{p.pk}",
            case=None,
            mine=p.proposed_by_id == getattr(query.actor, "pk", None),
        )
        for p in proposals
    ]


@source(probe=_probe_rectifications)
def rectifications_due(query: TodoQuery) -> Iterable[TodoItem]:
    """回头看 rectification tasks assigned to the actor and still open, due on
    their deadline (docs/decisions/0126)."""
    from xuanren.supervision.lookback_selectors import open_tasks_for

    return [
        TodoItem(
            kind=TodoKind.RECTIFICATION_DUE,
            text=_("%(run)s：%(name)s，%(what)s请整改并填写整改结果。")
            % {"run": t.finding.run.name, "name": t.finding.cadre.name, "what": t.finding.what},
            due=t.deadline,
            link=reverse("supervision:rectification", args=[t.pk]),
            case=t.finding.case,
            mine=True,
        )
        for t in open_tasks_for(actor=query.actor)
        if t.deadline is not None
    ]


@source(probe=_probe_opinions)
def opinions_due(query: TodoQuery) -> Iterable[TodoItem]:
    """征询意见 opinions assigned to the actor and not yet answered, due on
    their answer deadline (docs/decisions/0130)."""
    from xuanren.supervision.opinion_selectors import open_opinions_for

    return [
        TodoItem(
            kind=TodoKind.OPINION_DUE,
            text=_("%(round)s：党代表意见“%(text)s”请答复。")
            % {"round": o.recipient.round.title, "text": o.text[:40]},
            due=o.answer_due,
            link=reverse("supervision:opinion", args=[o.pk]),
            case=None,
            mine=True,
        )
        for o in open_opinions_for(actor=query.actor)
        if o.answer_due is not None
    ]


@source(probe=_probe_reserve_reviews)
def reserve_reviews_due(query: TodoQuery) -> Iterable[TodoItem]:
    """后备干部 lists due for their two-yearly review by the horizon (or
    overdue), for those who manage the rounds (docs/decisions/0154)."""
    from xuanren.reserves.selectors import due_reviews

    return [
        TodoItem(
            kind=TodoKind.RESERVE_REVIEW_DUE,
            text=_("%(round)s：名单于 %(d)s 确定，请调整充实。")
            % {"round": d.round.title, "d": f"{d.round.listed_on:%Y-%m-%d}"},
            due=d.due,
            link=reverse("reserves:reserve_review", args=[d.round.pk]),
            case=None,
            mine=True,
        )
        for d in due_reviews(actor=query.actor, on=query.horizon)
    ]


@source(probe=_probe_observations)
def observations_due(query: TodoQuery) -> Iterable[TodoItem]:
    """Observation periods after a warning talk (docs/decisions/0156) completed
    by the horizon, and those overdue (no outcome yet), for whoever records
    the outcome: confirm in post, demote, or move to a non-leadership post."""
    from xuanren.observation.selectors import observations_due as due

    items = []
    limit = query.limit(TodoKind.OBSERVATION_DUE) + 1
    for o in due(actor=query.actor, horizon=query.horizon, limit=limit):
        late = (query.on - o.ends_on).days
        text = _(
            "%(name)s（%(unit)s%(post)s）的察看期于 %(date)s 期满%(late)s，"
            "请作出结论：期满合格、降职或转任非领导职务。"
        ) % {
            "name": o.cadre.name,
            "unit": o.tenure.post.unit.name,
            "post": o.tenure.post.title,
            "date": f"{o.ends_on:%Y.%m.%d}",
            "late": _("，已逾期 %(n)d 天") % {"n": late} if late > 0 else "",
        }
        items.append(
            TodoItem(
                kind=TodoKind.OBSERVATION_DUE,
                text=text,
                due=o.ends_on,
                link=reverse("observation:observation", args=[o.pk]),
                case=None,
                mine=o.recorded_by_id == getattr(query.actor, "pk", None),
            )
        )
    return capped(query, TodoKind.OBSERVATION_DUE, items)


@source(probe=_probe_competitions)
def competitions_to_sign_off(query: TodoQuery) -> Iterable[TodoItem]:
    """竞聘评分 sheets not yet signed off while their case waits at the written
    exam, which reads the signed sheet (docs/decisions/0149): for those who
    record the supervision panel's sign-off (the officer, the discipline
    commission), due today."""
    if not has_perm(query.actor, "competition.sign_off_competition"):
        return []
    from xuanren.competition.models import Competition, CompetitionStatus

    waiting = Competition.objects.filter(
        unit_scope_q(query.actor, prefix="case__unit__"),
        status=CompetitionStatus.SCORING,
        case__status=CaseStatus.OPEN,
        case__current_step="written_exam",
    ).select_related("case__officer")[:50]
    return [
        TodoItem(
            kind=TodoKind.COMPETITION_SIGN_OFF,
            text=_("%(case)s：竞聘评分待录齐并由竞聘监督小组签字确认，笔试环节以评分表为准。")
            % {"case": c.case.title},
            due=query.on,
            link=reverse("competition:case", args=[c.case_id]),
            case=c.case,
            mine=query.is_mine(c.case),
        )
        for c in waiting
    ]


def _probe_plans(query: TodoQuery) -> QuerySet[Any] | None:
    from xuanren.plans.models import WorkPlan

    if not has_perm(query.actor, "plans.manage_workplan"):
        return None
    return WorkPlan.objects.all()


@source(probe=_probe_plans)
def plan_items_due(query: TodoQuery) -> Iterable[TodoItem]:
    """工作方案 tasks not done and reports not submitted, from
    XUANREN_PLAN_REMINDER_DAYS before their deadline, and overdue after it
    until done (docs/decisions/0185); for those who manage the plans, "mine"
    when the actor is the responsible person."""
    from xuanren.plans.selectors import due_items

    me = getattr(query.actor, "pk", None)
    items = []
    for d in due_items(actor=query.actor, on=query.on, limit=KIND_ITEMS + 1):
        late = (query.on - d.due).days
        when = (
            _("已逾期 %(n)d 天") % {"n": late}
            if late > 0
            else _("%(d)s 前完成") % {"d": f"{d.due:%Y.%m.%d}"}
        )
        if d.task is not None:
            text = _("%(plan)s：%(task)s（%(office)s），%(when)s。") % {
                "plan": d.plan.title,
                "task": d.task.title,
                "office": d.task.office,
                "when": when,
            }
            kind, mine = TodoKind.PLAN_TASK_DUE, d.task.responsible_id == me
        else:
            assert d.line is not None
            text = _("%(plan)s：%(report)s（%(period)s）报%(to)s，%(when)s。") % {
                "plan": d.plan.title,
                "report": d.line.report.title,
                "period": d.line.occurrence.label,
                "to": d.line.report.recipient,
                "when": when,
            }
            kind, mine = TodoKind.PLAN_REPORT_DUE, d.line.report.responsible_id == me
        items.append(
            TodoItem(
                kind=kind,
                text=text,
                due=d.due,
                link=reverse("plans:plan", args=[d.plan.pk]),
                case=None,
                mine=mine,
            )
        )
    kinds = (TodoKind.PLAN_TASK_DUE, TodoKind.PLAN_REPORT_DUE)
    return [x for k in kinds for x in capped(query, k, [i for i in items if i.kind == k])]


#: Cadres already past a rotation rule are one summary item per kind, counted
#: up to this many ("50 名以上" beyond).
ROTATION_REACHED_COUNT = 50


def _rotation_items(query: TodoQuery, todo_kind: str) -> list[TodoItem]:
    """Rotation alerts are standing conditions, not deadlines (decision 0191):
    a cadre who reaches a rule today or within the horizon is one item, due
    on the day (one per post and kind, the rule reached first); those who
    reached one before today are one summary item, due today, linking to the
    alert list, so years-old conditions do not fill the soonest-first 待办 and
    the home page. Both read from the kept reminders (decision 0195)."""
    from xuanren.rotation.rules import AlertKind, AlertStage, pack

    coming = _kept(query, todo_kind)
    if coming is None:
        return []
    kinds = ROTATION_KINDS[todo_kind]
    reached = _kept_reached(query, todo_kind)
    items = []
    if reached:
        rules = "、".join(str(AlertKind(k).label) for k in sorted(kinds))
        many = reached > ROTATION_REACHED_COUNT
        text = (
            _("%(n)d 名以上干部已达到“%(rule)s”规定，尚未交流，请查看轮岗交流提示。")
            if many
            else _("%(n)d 名干部已达到“%(rule)s”规定，尚未交流，请查看轮岗交流提示。")
        ) % {"n": min(reached, ROTATION_REACHED_COUNT), "rule": rules}
        link = reverse("rotation:alerts") + f"?only={AlertStage.REACHED}"
        if len(kinds) == 1:
            link += f"&kind={next(iter(kinds))}"
        items.append(
            TodoItem(kind=todo_kind, text=text, due=query.on, link=link, case=None, mine=True)
        )
    rules_by_id = {r.id: r for r in pack().rules}
    for a in coming:
        rule = rules_by_id.get(a.rule)
        if rule is None or a.since is None:
            continue  # a rule gone from the pack: the recount drops its rows
        where = (
            str(a.post)
            if a.post is not None
            else f"{a.cadre.unit.name}{a.cadre.current_post_title}"
        )
        text = _(
            "%(name)s（%(where)s）自 %(since)s 起任职，%(date)s 达到“%(rule)s”：%(what)s。"
        ) % {
            "name": a.cadre.name,
            "where": where,
            "since": f"{a.since:%Y.%m.%d}",
            "date": f"{a.due:%Y.%m.%d}",
            "rule": rule.kind_label,
            "what": rule.consequence,
        }
        items.append(
            TodoItem(
                kind=todo_kind,
                text=text,
                due=a.due,
                link=reverse("web:cadre_detail", args=[a.cadre.pk]) + "#rotation",
                case=None,
                mine=True,
            )
        )
    # the summary of those reached earlier stays; the upcoming are capped
    head = items[:1] if reached else []
    return [*head, *capped(query, todo_kind, items[len(head) :])]


@source
def rotation_due(query: TodoQuery) -> Iterable[TodoItem]:
    """Cadres whose years (or terms) in the same post reach a rotation rule
    by the horizon, and those past it (docs/decisions/0175, 0176), for who
    keeps the rotation plans."""
    return _rotation_items(query, TodoKind.ROTATION_DUE)


@source
def level_limits_due(query: TodoQuery) -> Iterable[TodoItem]:
    """Cadres whose years at the same level reach fifteen by the horizon, and
    those past it (docs/decisions/0175, 0176)."""
    return _rotation_items(query, TodoKind.LEVEL_LIMIT_DUE)


def _probe_overquota(query: TodoQuery) -> QuerySet[Any] | None:
    """The source's own test (a plan's people are few): a scope whose plans
    have nobody due, or nobody still in post, asks no query of its own."""
    from xuanren.workforce.selectors import items_due_qs

    if not has_perm(query.actor, "workforce.manage_digestionplan"):
        return None
    return items_due_qs(actor=query.actor, horizon=query.horizon, on=query.on)


@source(probe=_probe_overquota)
def overquota_due(query: TodoQuery) -> Iterable[TodoItem]:
    """People of an over-quota digestion plan (docs/decisions/0180) expected
    to leave the unit's level by the horizon, or overdue, who still hold a
    post of it today: for whoever manages the plans."""
    if not has_perm(query.actor, "workforce.manage_digestionplan"):
        return []
    from xuanren.workforce.selectors import items_due

    items = []
    limit = query.limit(TodoKind.OVERQUOTA_DUE) + 1  # the one more: its summary item (0194)
    for i in items_due(actor=query.actor, horizon=query.horizon, on=query.on, limit=limit):
        late = (query.on - i.expected_on).days
        text = _(
            "%(name)s（%(unit)s%(level)s超职数）预计于 %(date)s 通过%(means)s消化%(late)s，"
            "请落实任免或退休手续。"
        ) % {
            "name": i.cadre.name,
            "unit": i.plan.unit.name,
            "level": i.plan.get_level_display(),
            "date": f"{i.expected_on:%Y.%m.%d}",
            "means": i.get_means_display(),
            "late": _("，已逾期 %(n)d 天") % {"n": late} if late > 0 else "",
        }
        items.append(
            TodoItem(
                kind=TodoKind.OVERQUOTA_DUE,
                text=text,
                due=i.expected_on,
                link=reverse("workforce:plan", args=[i.plan_id]),
                case=None,
                mine=i.plan.created_by_id == getattr(query.actor, "pk", None),
            )
        )
    return capped(query, TodoKind.OVERQUOTA_DUE, items)


def _probe_cleanup_pending(query: TodoQuery) -> QuerySet[Any] | None:
    from xuanren.workforce.models import CleanupCase, CleanupOutcome
    from xuanren.workforce.selectors import CLEANUP_PENDING_DAYS

    if not has_perm(query.actor, "workforce.manage_entryrecord"):
        return None
    return CleanupCase.objects.filter(
        outcome=CleanupOutcome.PENDING,
        pending_since__lte=query.horizon - dt.timedelta(days=CLEANUP_PENDING_DAYS),
    )


@source(probe=_probe_cleanup_pending)
def cleanup_pending(query: TodoQuery) -> Iterable[TodoItem]:
    """凡进必考 cleanup cases still 待定 (docs/decisions/0188): due 90 days
    after the day the case became 待定, for whoever keeps the register."""
    if not has_perm(query.actor, "workforce.manage_entryrecord"):
        return []
    from xuanren.workforce.selectors import pending_cases_due

    items = []
    for case, due in pending_cases_due(actor=query.actor, horizon=query.horizon):
        late = (query.on - due).days
        text = _(
            "%(name)s（%(unit)s）的凡进必考清理自 %(since)s 起待定，应于 %(date)s 前作出处理%(late)s。"
        ) % {
            "name": case.cadre.name,
            "unit": case.cadre.unit.name,
            "since": f"{case.pending_since:%Y.%m.%d}",
            "date": f"{due:%Y.%m.%d}",
            "late": _("，已逾期 %(n)d 天") % {"n": late} if late > 0 else "",
        }
        items.append(
            TodoItem(
                kind=TodoKind.CLEANUP_PENDING,
                text=text,
                due=due,
                link=reverse("workforce:cadre_entry", args=[case.cadre_id]),
                case=None,
                mine=case.updated_by_id == getattr(query.actor, "pk", None),
            )
        )
    return items
