"""Reads of user accounts for the pages that choose a person: who may be
named for work about a unit (their scope covers it). The services that take
the person check again (scope, active); these only list and look up."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from xuanren.org.models import Unit, path_and_ancestors

#: The most accounts a <select> of people lists.
USERS_MAX = 500


def users_covering(*, unit: Unit, limit: int = USERS_MAX) -> list[Any]:
    """Active accounts whose scope covers `unit` (their unit or an ancestor),
    by username: one query."""
    return list(
        get_user_model()
        .objects.filter(is_active=True, scope__unit__path__in=path_and_ancestors(unit.path))
        .order_by("username")[:limit]
    )


def user_get(*, pk: int | None) -> Any | None:
    """The account with this id, or None (the service says what is wrong)."""
    if pk is None:
        return None
    return get_user_model().objects.filter(pk=pk).first()
