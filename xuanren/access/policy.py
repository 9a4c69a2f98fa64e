"""Permission and scope checks, called by every selector and service.

Two questions, always both: may this user do this kind of thing (a Django
permission from their role), and is the record inside their scope (the unit
subtree of their Scope)? A user without a scope sees nothing, whatever their
permissions; a superuser sees everything.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from xuanren.common.errors import PermissionDenied
from xuanren.org.models import Unit

NOTHING = Q(pk__in=[])


def scope_root(actor: Any) -> Unit | None:
    """The root of the actor's subtree; None means no access (or superuser)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    # Cached on the user object for the request: every selector asks.
    if hasattr(actor, "_xuanren_scope_root"):
        cached: Unit | None = actor._xuanren_scope_root
        return cached
    from xuanren.access.models import Scope

    scope = Scope.objects.select_related("unit").filter(user=actor).first()
    root = scope.unit if scope else None
    actor._xuanren_scope_root = root
    return root


def is_unrestricted(actor: Any) -> bool:
    return bool(
        getattr(actor, "is_authenticated", False) and actor.is_active and actor.is_superuser
    )


def scope_path(actor: Any) -> str | None:
    """The unit path the actor's rows start with: "" unrestricted, None when
    the actor sees no unit."""
    if is_unrestricted(actor):
        return ""
    root = scope_root(actor)
    if root is None or not actor.is_active:
        return None
    return str(root.path)


def unit_scope_q(actor: Any, *, prefix: str = "") -> Q:
    """Q on a Unit relation (`prefix` like "unit__") limiting rows to the scope."""
    path = scope_path(actor)
    if path is None:
        return NOTHING
    return Q(**{f"{prefix}path__startswith": path}) if path else Q()


def has_perm(actor: Any, perm: str) -> bool:
    return bool(
        actor is not None
        and getattr(actor, "is_authenticated", False)
        and actor.is_active
        and actor.has_perm(perm)
    )


def require_perm(actor: Any, perm: str) -> None:
    if not has_perm(actor, perm):
        raise PermissionDenied(
            _("您没有执行此操作的权限。如需办理，请联系系统管理员分配相应角色。")
        )


def unit_in_scope(actor: Any, unit: Unit) -> bool:
    if is_unrestricted(actor):
        return True
    root = scope_root(actor)
    return root is not None and unit.path.startswith(root.path)


def require_unit(actor: Any, perm: str, unit: Unit) -> None:
    """The actor holds `perm` and `unit` is inside their scope."""
    require_perm(actor, perm)
    if not unit_in_scope(actor, unit):
        raise PermissionDenied(
            _("“%(unit)s”不在您的管理范围内，不能查看或修改其记录。") % {"unit": unit.name}
        )
