"""Guards by stage; importing this package registers every guard and effect."""

from xuanren.procedure.guards import (  # noqa: F401  (registration)
    basic,
    decision,
    differential,
    notice,
    selection,
)
from xuanren.procedure.guards.registry import REGISTRY, GuardContext, check, guard

__all__ = ["REGISTRY", "GuardContext", "check", "guard"]
