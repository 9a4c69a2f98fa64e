"""What completing a step does besides recording it (candidates' statuses,
tenures at appointment …). Each effect runs inside the step's transaction,
after the guards held and the record was written; a failing effect rolls the
whole step back."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the guards package imports this module to register effects
    from xuanren.procedure.guards.registry import GuardContext
    from xuanren.procedure.models import CaseStep

Effect = Callable[["GuardContext", "CaseStep", Any], None]  # (context, record, actor)
EFFECTS: dict[str, list[Effect]] = {}


def effect(step: str) -> Callable[[Effect], Effect]:
    def register(fn: Effect) -> Effect:
        EFFECTS.setdefault(step, []).append(fn)
        return fn

    return register


def apply_effects(ctx: GuardContext, record: CaseStep, actor: Any) -> None:
    for fn in EFFECTS.get(ctx.step, []):
        fn(ctx, record, actor)
