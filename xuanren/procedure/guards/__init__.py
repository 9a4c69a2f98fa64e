"""Guards by stage; importing this package registers every guard."""

from xuanren.procedure.guards import basic  # noqa: F401  (registers its guards)
from xuanren.procedure.guards.registry import REGISTRY, GuardContext, check, guard

__all__ = ["REGISTRY", "GuardContext", "check", "guard"]
