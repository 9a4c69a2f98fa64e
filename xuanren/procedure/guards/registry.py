"""The guard registry: what must hold before a step may complete. Each guard
reads the case as it is (and the step's submitted data) and returns the
problems that block it, in Chinese; an empty list means it holds.

A guard a template names but this release cannot yet check BLOCKS, with a
message saying so: nothing is ever passed silently.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from xuanren.procedure.catalogue import GUARDS, TemplateDef
from xuanren.procedure.models import Case, CaseStep


@dataclass(frozen=True)
class GuardContext:
    case: Case
    template: TemplateDef
    step: str
    data: dict[str, Any]
    on: dt.date
    #: A later decision record of the same case for candidates deferred (缓议)
    #: at an earlier meeting (`case_decision_resume`, docs/decisions/0019).
    resumed: bool = False

    def done(self, step: str) -> CaseStep | None:
        """The latest record of `step`, corrections included."""
        return self.case.steps.filter(step=step).order_by("-seq").first()


Guard = Callable[[GuardContext], list[str]]
REGISTRY: dict[str, Guard] = {}


def guard(code: str) -> Callable[[Guard], Guard]:
    def register(fn: Guard) -> Guard:
        REGISTRY[code] = fn
        return fn

    return register


def check(ctx: GuardContext, codes: tuple[str, ...]) -> list[tuple[str, str]]:
    """(guard code, problem) for every problem of every guard of the step."""
    problems: list[tuple[str, str]] = []
    for code in codes:
        fn = REGISTRY.get(code)
        if fn is None:
            problems.append(
                (code, _("“%(g)s”的核验尚未实现，本环节暂不能办理。") % {"g": GUARDS[code]})
            )
            continue
        problems.extend((code, p) for p in fn(ctx))
    return problems
