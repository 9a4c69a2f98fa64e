"""Reads of the poor-performance track, always within the actor's scope (the
cadre's unit): out of scope is NotFound, no permission is PermissionDenied."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from xuanren.access.policy import has_perm, require_perm, unit_scope_q
from xuanren.common.errors import NotFound
from xuanren.observation.models import Observation, ObservationStatus
from xuanren.people.models import Cadre

VIEW_PERM = "observation.view_observation"
#: How many the list page shows at most (the open ones first, soonest due).
LIST_LIMIT = 200


def _base(actor: Any) -> QuerySet[Observation]:
    return Observation.objects.filter(unit_scope_q(actor, prefix="cadre__unit__")).select_related(
        "cadre__unit",
        "tenure__post__unit",
        "new_tenure__post__unit",
    )


def observations(*, actor: Any, status: str = "") -> QuerySet[Observation]:
    """Observations of cadres in the actor's scope: open ones by the day they
    are completed, then closed ones, newest outcome first."""
    require_perm(actor, VIEW_PERM)
    rows = _base(actor)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-status", "ends_on", "-outcome_on", "pk")


def observation_get(*, actor: Any, pk: int) -> Observation:
    require_perm(actor, VIEW_PERM)
    found = _base(actor).select_related("warning", "ended_tenure__post__unit").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("未找到该察看期记录，或其干部不在您的管理范围内。"))
    return found


def cadre_observations(*, actor: Any, cadre: Cadre) -> list[Observation]:
    """The cadre's observations for the cadre page, [] for who may not read them."""
    if not has_perm(actor, VIEW_PERM):
        return []
    return list(_base(actor).filter(cadre=cadre).order_by("-talk_date", "-pk"))


def observations_due(*, actor: Any, horizon: dt.date, limit: int = 50) -> list[Observation]:
    """Open observations completed by `horizon` (and those overdue), soonest
    first, for who records their outcome (待办)."""
    if not (has_perm(actor, "observation.change_observation") and has_perm(actor, VIEW_PERM)):
        return []
    return list(
        Observation.objects.filter(
            unit_scope_q(actor, prefix="cadre__unit__"),
            status=ObservationStatus.OPEN,
            ends_on__lte=horizon,
        )
        .select_related("cadre", "tenure__post__unit")
        # what the reminder shows, not the three records' whole rows
        .only(
            "ends_on",
            "recorded_by_id",
            "cadre__name",
            "tenure__post__title",
            "tenure__post__unit__name",
        )
        .order_by("ends_on", "pk")[:limit]
    )


def demotion_posts(*, actor: Any, observation: Observation, limit: int = 200) -> list[Any]:
    """Active posts of a lower level than the one held, in its unit and the
    units below it, within the actor's scope: the outcome form's choices for
    降职 (the API takes any post in scope; the service checks the level)."""
    from xuanren.org.models import LEVEL_RANK, Post

    held = LEVEL_RANK.get(observation.tenure.post.level, 0)
    lower = [level for level, rank in LEVEL_RANK.items() if rank < held]
    unit = observation.tenure.post.unit
    return list(
        Post.objects.filter(
            unit_scope_q(actor, prefix="unit__"),
            unit__path__startswith=unit.path,
            is_active=True,
            level__in=lower,
        )
        .select_related("unit")
        .order_by("unit__path", "sort_order", "pk")[:limit]
    )


def observation_corrections(*, actor: Any, observation: Observation) -> list[dict[str, Any]]:
    """The corrections of an observation the actor may read (decision 0174):
    when, who, why and each field old → new, oldest first."""
    from xuanren.journal.models import Event, EventType
    from xuanren.journal.services import subject_of

    subject_type, subject_id = subject_of(observation)
    labels = {
        f.name: str(f.verbose_name)
        for f in Observation._meta.get_fields()
        if hasattr(f, "verbose_name")
    }
    out = []
    for e in Event.objects.filter(
        event_type=EventType.OBSERVATION_CORRECTED, subject_type=subject_type, subject_id=subject_id
    ).order_by("id"):
        out.append(
            {
                "at": e.occurred_at,
                "by": e.actor_label,
                "why": e.payload.get("why", ""),
                "changes": [
                    (labels.get(k, k), old, new)
                    for k, (old, new) in e.payload.get("changes", {}).items()
                ],
            }
        )
    return out
