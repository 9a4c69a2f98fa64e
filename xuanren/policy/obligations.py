"""Obligations an approved exception carries (docs/decisions/0090).

A rule may state its own exception (`Rule.exception`): for `national.training`
someone promoted without the required training hours "应当在提任后一年内完成
培训". Once the cadre takes up the post (a Tenure of that post starting on or
after the approval), the training is due within one year of the start: the
year's last day is the day before add_months(start, 12) (xuanren/common/dates).
It is met when the training rule itself, measured at that day (the hours of
its window of years ending with that day's year), reaches the rule's value.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from xuanren.access.policy import require_perm, unit_scope_q
from xuanren.common.dates import add_months, today
from xuanren.org.models import Post
from xuanren.people.models import Cadre, CadreStatus, Tenure, Training
from xuanren.policy.models import ExceptionStatus, PromotionException, RulePack
from xuanren.policy.packs import packs_in_force
from xuanren.policy.rules import Measure, Rule, rule_from_data

#: The 待办 shows an obligation from this many days before its last day.
NOTICE_DAYS = 60


@dataclass(frozen=True)
class TrainingObligation:
    """Training to complete within a year of taking up a post, after an
    approved exception to the training rule."""

    exception: PromotionException
    cadre: Cadre
    post: Post
    rule: Rule
    start: dt.date  # the tenure's start: the promotion
    due: dt.date  # the last day of the year after it
    first_year: int  # the years whose recorded hours count, inclusive
    last_year: int
    hours_done: int
    hours_needed: int
    on: dt.date  # the day the obligation was read

    @property
    def fulfilled(self) -> bool:
        return self.hours_done >= self.hours_needed

    @property
    def overdue(self) -> bool:
        return not self.fulfilled and self.due < self.on

    @property
    def hours_short(self) -> int:
        return max(self.hours_needed - self.hours_done, 0)

    @property
    def days_left(self) -> int:
        return (self.due - self.on).days


def training_due(start: dt.date) -> dt.date:
    """The last day of the year that starts on `start` (提任后一年内)."""
    return add_months(start, 12) - dt.timedelta(days=1)


def _obligation_rules(
    exceptions: list[PromotionException], starts: dict[int, dt.date]
) -> dict[int, list[Rule]]:
    """exception pk → its waived rules that carry a training obligation, as
    the post's packs state them on the tenure's start (three queries)."""
    from xuanren.policy.selectors import pack_codes_for_posts

    posts = list({e.post_id: e.post for e in exceptions}.values())
    codes = pack_codes_for_posts(posts)
    wanted = {c for post_codes in codes.values() for c in post_codes}
    packs = list(RulePack.objects.filter(code__in=wanted))
    parsed: dict[int, tuple[Rule, ...]] = {}
    out: dict[int, list[Rule]] = {}
    for exc in exceptions:
        in_force = packs_in_force(packs, starts[exc.pk])
        waived = set(exc.rule_ids)
        found: list[Rule] = []
        for code in sorted(set(codes[exc.post_id]) & set(in_force)):
            pack = in_force[code]
            if pack.pk not in parsed:
                parsed[pack.pk] = tuple(
                    rule_from_data(r, pack=pack.code, default_source=pack.source)
                    for r in pack.rules
                )
            found.extend(
                r
                for r in parsed[pack.pk]
                if r.id in waived
                and r.exception
                and r.measure is Measure.TRAINING_HOURS
                and r.condition is not None
            )
        out[exc.pk] = found
    return out


def training_obligations(
    *,
    actor: Any,
    on: dt.date | None = None,
    cadre: Cadre | None = None,
    include_fulfilled: bool = False,
) -> list[TrainingObligation]:
    """The training obligations of active cadres in the actor's scope (of one
    cadre when given), soonest due first; the met ones only when
    `include_fulfilled`. Seven queries whatever the number."""
    require_perm(actor, "people.view_cadre")
    on = on or today()
    exceptions_qs = PromotionException.objects.filter(
        unit_scope_q(actor, prefix="cadre__unit__"),
        status=ExceptionStatus.APPROVED,
        decided_on__isnull=False,
        cadre__status=CadreStatus.ACTIVE,
    ).select_related("cadre__unit", "post__unit")
    if cadre is not None:
        exceptions_qs = exceptions_qs.filter(cadre=cadre)
    exceptions = list(exceptions_qs.order_by("decided_on", "pk"))
    if not exceptions:
        return []
    # Each exception's appointment: the first tenure of that cadre on that
    # post starting on or after the approval.
    tenure_starts: dict[tuple[int, int], list[dt.date]] = defaultdict(list)
    for cadre_id, post_id, start in (
        Tenure.objects.filter(
            cadre_id__in={e.cadre_id for e in exceptions},
            post_id__in={e.post_id for e in exceptions},
        )
        .order_by("start_date")
        .values_list("cadre_id", "post_id", "start_date")
    ):
        tenure_starts[(cadre_id, post_id)].append(start)
    starts: dict[int, dt.date] = {}
    for exc in exceptions:
        assert exc.decided_on is not None
        decided = exc.decided_on
        began = next((s for s in tenure_starts[(exc.cadre_id, exc.post_id)] if s >= decided), None)
        if began is not None:
            starts[exc.pk] = began
    appointed = [e for e in exceptions if e.pk in starts]
    if not appointed:
        return []
    rules = _obligation_rules(appointed, starts)
    hours: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for cadre_id, year, h in Training.objects.filter(
        cadre_id__in={e.cadre_id for e in appointed}
    ).values_list("cadre_id", "year", "hours"):
        hours[cadre_id][year] += h
    out: list[TrainingObligation] = []
    seen: set[tuple[int, int, str, dt.date]] = set()
    for exc in appointed:
        start = starts[exc.pk]
        for rule in rules[exc.pk]:
            key = (exc.cadre_id, exc.post_id, rule.id, start)
            if key in seen:  # two approvals for one appointment: one obligation
                continue
            seen.add(key)
            assert rule.condition is not None
            due = training_due(start)
            first = due.year - rule.condition.window_years + 1
            done = sum(h for y, h in hours[exc.cadre_id].items() if first <= y <= due.year)
            obligation = TrainingObligation(
                exception=exc,
                cadre=exc.cadre,
                post=exc.post,
                rule=rule,
                start=start,
                due=due,
                first_year=first,
                last_year=due.year,
                hours_done=done,
                hours_needed=rule.condition.value,
                on=on,
            )
            if include_fulfilled or not obligation.fulfilled:
                out.append(obligation)
    return sorted(out, key=lambda o: (o.due, o.cadre.pk, o.rule.id))
