"""后备干部 reads: the rounds an actor may see (the round's unit in their
scope), a round's nominees, list, reviews and counts, the review due for
待办, and whether a cadre is on a reserve list on a day (the fact 智能选人
filters on and the rules read; docs/decisions/0153–0155)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from xuanren.access.policy import has_perm, require_perm, unit_in_scope, unit_scope_q
from xuanren.common.dates import today
from xuanren.common.errors import NotFound
from xuanren.people.models import Cadre
from xuanren.reserves.calc import (
    MemberFacts,
    NomineeFacts,
    RoundCounts,
    passes,
    review_due,
    round_counts,
)
from xuanren.reserves.models import (
    InspectionResult,
    Member,
    Nomination,
    Nominee,
    ReserveRound,
    Review,
)

VIEW_ROUNDS = "reserves.view_reserveround"
MANAGE_ROUNDS = "reserves.manage_reserveround"


def _not_found() -> NotFound:
    return NotFound(_("未找到该后备干部选拔，或其不在您的管理范围内。"))


def reserve_rounds(*, actor: Any) -> QuerySet[ReserveRound]:
    """The rounds over units in the actor's scope, newest first, with counts."""
    require_perm(actor, VIEW_ROUNDS)
    return (
        ReserveRound.objects.filter(unit_scope_q(actor, prefix="unit__"))
        .select_related("unit")
        .annotate(
            nominee_count=Count("nominees", distinct=True),
            listed_count=Count(
                "nominees__memberships",
                filter=Q(nominees__memberships__left_on__isnull=True),
                distinct=True,
            ),
        )
    )


def reserve_round_get(*, actor: Any, pk: int) -> ReserveRound:
    """One round in scope; out of scope or unknown is NotFound."""
    require_perm(actor, VIEW_ROUNDS)
    found = (
        ReserveRound.objects.filter(unit_scope_q(actor, prefix="unit__"), pk=pk)
        .select_related("unit")
        .first()
    )
    if found is None:
        raise _not_found()
    return found


def nominee_get(*, actor: Any, round: ReserveRound, pk: int) -> Nominee:
    require_perm(actor, VIEW_ROUNDS)
    found = Nominee.objects.filter(round=round, pk=pk).select_related("cadre", "round").first()
    if found is None:
        raise NotFound(_("未找到该推荐人选。"))
    return found


def member_get(*, actor: Any, round: ReserveRound, pk: int) -> Member:
    require_perm(actor, VIEW_ROUNDS)
    found = (
        Member.objects.filter(nominee__round=round, pk=pk)
        .select_related("cadre", "nominee__round")
        .first()
    )
    if found is None:
        raise NotFound(_("未找到该后备干部。"))
    return found


@dataclass(frozen=True)
class NomineeLine:
    """A nominee as the round page shows them: channels, whether the test
    was passed, and where they stand."""

    nominee: Nominee
    channels: list[str]  # labels, in the channels' order
    passed: bool | None  # None: not tested
    listed: bool

    @property
    def listable(self) -> bool:
        return (
            bool(self.passed)
            and self.nominee.inspection == InspectionResult.PASSED
            and not self.listed
        )


def round_nominees(*, actor: Any, round: ReserveRound) -> list[NomineeLine]:
    """Every nominee of the round with their channels (three queries)."""
    require_perm(actor, VIEW_ROUNDS)
    from xuanren.reserves.models import Channel

    order = {c.value: i for i, c in enumerate(Channel)}
    labels = dict(Channel.choices)
    nominees = (
        Nominee.objects.filter(round=round)
        .select_related("cadre__unit")
        .prefetch_related(Prefetch("nominations", queryset=Nomination.objects.order_by()))
        .annotate(
            current=Exists(Member.objects.filter(nominee=OuterRef("pk"), left_on__isnull=True))
        )
        .order_by("cadre__unit__path", "cadre__name", "id")
    )
    out = []
    for n in nominees:
        codes = sorted({x.channel for x in n.nominations.all()}, key=lambda c: order.get(c, 9))
        out.append(
            NomineeLine(
                n,
                [str(labels.get(c, c)) for c in codes],
                None if n.score is None else passes(n.score, round.pass_line),
                bool(n.current),
            )
        )
    return out


def round_members(*, actor: Any, round: ReserveRound) -> QuerySet[Member]:
    """Everyone who is or was on the round's list, current first by tier."""
    require_perm(actor, VIEW_ROUNDS)
    return (
        Member.objects.filter(nominee__round=round)
        .select_related("cadre__unit", "nominee")
        .order_by(F("left_on").desc(nulls_first=True), "tier", "cadre__unit__path", "id")
    )


def round_reviews(*, actor: Any, round: ReserveRound) -> QuerySet[Review]:
    require_perm(actor, VIEW_ROUNDS)
    return Review.objects.filter(round=round).annotate(
        added_count=Count("added", distinct=True), left_count=Count("left", distinct=True)
    )


def counts_for(*, actor: Any, round: ReserveRound) -> RoundCounts:
    """The counts of each stage (three queries)."""
    require_perm(actor, VIEW_ROUNDS)
    channels: dict[int, set[str]] = {}
    for nominee_id, channel in Nomination.objects.filter(nominee__round=round).values_list(
        "nominee_id", "channel"
    ):
        channels.setdefault(nominee_id, set()).add(channel)
    nominees = [
        NomineeFacts(frozenset(channels.get(pk, ())), score, inspection)
        for pk, score, inspection in Nominee.objects.filter(round=round).values_list(
            "pk", "score", "inspection"
        )
    ]
    members = [
        MemberFacts(tier, left_on is not None, reason)
        for tier, left_on, reason in Member.objects.filter(nominee__round=round).values_list(
            "tier", "left_on", "leave_reason"
        )
    ]
    return round_counts(nominees, members, round.pass_line)


def next_review(round: ReserveRound) -> dt.date | None:
    """When the round's list is next due for review (None: not fixed yet)."""
    if round.listed_on is None:
        return None
    last = Review.objects.filter(round=round).aggregate(m=Max("held_on"))["m"]
    return review_due(round.listed_on, last, settings.XUANREN_RESERVE_REVIEW_MONTHS)


@dataclass(frozen=True)
class DueReview:
    round: ReserveRound
    due: dt.date


def due_reviews(*, actor: Any, on: dt.date | None = None) -> list[DueReview]:
    """The fixed lists in the actor's scope whose review is due by `on`
    (today), for 待办: those who manage rounds only."""
    if not has_perm(actor, MANAGE_ROUNDS):
        return []
    on = on or today()
    months = settings.XUANREN_RESERVE_REVIEW_MONTHS
    rounds = (
        ReserveRound.objects.filter(unit_scope_q(actor, prefix="unit__"), listed_on__isnull=False)
        .select_related("unit")
        .annotate(last_review=Max("reviews__held_on"))
        .order_by("listed_on", "id")
    )
    out = []
    for r in rounds:
        assert r.listed_on is not None
        due = review_due(r.listed_on, r.last_review, months)
        if due <= on:
            out.append(DueReview(r, due))
    return out


# ---- the fact: on a reserve list on a day --------------------------------------------


def on_list_q(ref: dt.date, *, prefix: str = "") -> Q:
    """Cadres (the query's rows, or `prefix` + "pk") on a fixed reserve list
    on `ref`: listed on or before it and not left by then."""
    listed = Member.objects.filter(
        Q(left_on__isnull=True) | Q(left_on__gt=ref),
        cadre=OuterRef(f"{prefix}pk"),
        listed_on__lte=ref,
    )
    return Q(Exists(listed))


def reserve_cadres(*, actor: Any, ref: dt.date | None = None) -> QuerySet[Cadre]:
    """The cadres in the actor's scope on a reserve list on `ref` (today)."""
    require_perm(actor, "people.view_cadre")
    return Cadre.objects.filter(unit_scope_q(actor, prefix="unit__")).filter(
        on_list_q(ref or today())
    )


def cadre_memberships(*, actor: Any, cadre: Cadre) -> list[Member]:
    """A cadre's places on reserve lists of the rounds the actor may see."""
    if not has_perm(actor, VIEW_ROUNDS) or not unit_in_scope(actor, cadre.unit):
        return []
    return list(
        Member.objects.filter(unit_scope_q(actor, prefix="nominee__round__unit__"), cadre=cadre)
        .select_related("nominee__round")
        .order_by("-nominee__round__year", "-id")
    )
