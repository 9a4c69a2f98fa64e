"""征询意见 reads: the rounds an actor may see (the round's unit in their
scope), a round's tally, representatives and opinions, an opinion (also to
its assignee) and the assignee's open opinions for 待办 (docs/decisions/0130).

The tally is integer arithmetic (`Share`, rounded half up to a tenth of a
per cent), so that the page, the print-out, the XLSX and the API agree."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from xuanren.access.policy import has_perm, require_perm, unit_scope_q
from xuanren.common.errors import NotFound
from xuanren.statistics.selection_tally import Share
from xuanren.supervision.models_opinion import (
    Opinion,
    OpinionCategory,
    OpinionRecipient,
    OpinionRound,
    OpinionStatus,
)

VIEW_ROUNDS = "supervision.view_opinionround"
MANAGE_ROUNDS = "supervision.manage_opinionround"


@dataclass(frozen=True)
class CategoryLine:
    code: str
    label: str
    count: int
    share: Share  # of all the round's opinions


@dataclass(frozen=True)
class RoundTally:
    issued: int
    returned: int
    opinions: int
    answered: int
    categories: list[CategoryLine]

    @property
    def not_returned(self) -> int:
        return self.issued - self.returned

    @property
    def return_rate(self) -> Share:
        return Share(self.returned, self.issued)

    @property
    def unanswered(self) -> int:
        return self.opinions - self.answered

    @property
    def answer_rate(self) -> Share:
        return Share(self.answered, self.opinions)


def tally_of(issued: int, returned: int, by_category: dict[str, int], answered: int) -> RoundTally:
    """The tally from the counts: every category in its order, zero included."""
    total = sum(by_category.values())
    lines = [
        CategoryLine(c.value, str(c.label), by_category.get(c.value, 0),
                     Share(by_category.get(c.value, 0), total))
        for c in OpinionCategory
    ]  # fmt: skip
    return RoundTally(issued, returned, total, answered, lines)


def opinion_rounds(*, actor: Any) -> QuerySet[OpinionRound]:
    """The rounds over units in the actor's scope, newest first, with counts."""
    require_perm(actor, VIEW_ROUNDS)
    return (
        OpinionRound.objects.filter(unit_scope_q(actor, prefix="unit__"))
        .select_related("unit")
        .annotate(
            issued=Count("recipients", distinct=True),
            returned=Count(
                "recipients", filter=Q(recipients__returned_on__isnull=False), distinct=True
            ),
            opinion_count=Count("recipients__opinions", distinct=True),
        )
    )


def opinion_round_get(*, actor: Any, pk: int) -> OpinionRound:
    """One round in scope; out of scope or unknown is NotFound."""
    found = opinion_rounds(actor=actor).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("未找到该征询意见，或其不在您的管理范围内。"))
    return found


def round_tally(*, actor: Any, round: OpinionRound) -> RoundTally:
    """The round's figures (two queries)."""
    require_perm(actor, VIEW_ROUNDS)
    counts = OpinionRecipient.objects.filter(round=round).aggregate(
        issued=Count("pk"), returned=Count("pk", filter=Q(returned_on__isnull=False))
    )
    by_category: dict[str, int] = {}
    answered = 0
    for category, status, n in (
        Opinion.objects.filter(recipient__round=round)
        .values_list("category", "status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        by_category[category] = by_category.get(category, 0) + n
        if status == OpinionStatus.ANSWERED:
            answered += n
    return tally_of(counts["issued"], counts["returned"], by_category, answered)


def round_recipients(*, actor: Any, round: OpinionRound) -> QuerySet[OpinionRecipient]:
    require_perm(actor, VIEW_ROUNDS)
    return (
        OpinionRecipient.objects.filter(round=round)
        .annotate(opinion_count=Count("opinions"))
        .order_by("pk")
    )


def round_opinions(*, actor: Any, round: OpinionRound) -> QuerySet[Opinion]:
    require_perm(actor, VIEW_ROUNDS)
    return (
        Opinion.objects.filter(recipient__round=round)
        .select_related("recipient", "cadre", "concerning_unit", "assignee", "answered_by")
        .order_by("pk")
    )


def opinion_get(*, actor: Any, pk: int) -> Opinion:
    """An opinion the actor may see: its round in scope with the view
    permission, or assigned to them."""
    opinion = (
        Opinion.objects.filter(pk=pk)
        .select_related(
            "recipient__round__unit", "cadre__unit", "concerning_unit", "assignee", "answered_by"
        )
        .first()
    )
    if opinion is None:
        raise NotFound(_("未找到该意见，或其不在您的管理范围内。"))
    own = opinion.assignee_id is not None and opinion.assignee_id == getattr(actor, "pk", None)
    visible = (
        has_perm(actor, VIEW_ROUNDS)
        and OpinionRound.objects.filter(
            unit_scope_q(actor, prefix="unit__"), pk=opinion.recipient.round_id
        ).exists()
    )
    if not (own or visible):
        raise NotFound(_("未找到该意见，或其不在您的管理范围内。"))
    return opinion


def open_opinions_for(*, actor: Any) -> QuerySet[Opinion]:
    """The opinions the actor is to answer (their 待办)."""
    return (
        Opinion.objects.filter(
            assignee=actor, status=OpinionStatus.ASSIGNED, answer_due__isnull=False
        )
        .select_related("recipient__round")
        # what the reminder shows, not the opinion's and its round's whole rows
        .only("text", "answer_due", "recipient__round__title")
        .order_by("answer_due", "pk")
    )
