"""Structure targets (班子结构要求) as the list page and the API read them:
those that bear on the actor's teams, each with whether it is in force and
whether the actor may edit it. One query (docs/decisions/0143)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy

from xuanren.access.policy import has_perm, require_perm
from xuanren.statistics.models import StructureTarget
from xuanren.statistics.target_services import (
    EDIT_TARGETS,
    VIEW_TARGETS,
    target_editable,
    targets_visible_q,
)


@dataclass(frozen=True)
class TargetRow:
    target: StructureTarget
    state: str  # "in_force", "future" or "ended"
    state_label: str
    editable: bool


def target_state_on(target: StructureTarget, on: dt.date) -> str:
    if target.effective_from > on:
        return "future"
    if target.effective_to is not None and target.effective_to < on:
        return "ended"
    return "in_force"


STATE_LABELS = {
    "in_force": gettext_lazy("执行中"),
    "future": gettext_lazy("尚未生效"),
    "ended": gettext_lazy("已停止执行"),
}


def target_rows(*, actor: Any, on: dt.date) -> list[TargetRow]:
    """The targets that bear on the actor's teams, in force first."""
    require_perm(actor, VIEW_TARGETS)
    may_edit = has_perm(actor, EDIT_TARGETS)
    targets = (
        StructureTarget.objects.filter(targets_visible_q(actor))
        .select_related("unit")
        .order_by("sort_order", "code")
    )
    rows = []
    for t in targets:
        state = target_state_on(t, on)
        rows.append(
            TargetRow(t, state, str(STATE_LABELS[state]), may_edit and target_editable(actor, t))
        )
    order = {"in_force": 0, "future": 1, "ended": 2}
    return sorted(rows, key=lambda r: order[r.state])
