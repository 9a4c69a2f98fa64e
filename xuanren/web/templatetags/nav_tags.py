"""The main menu: only the entries the user can open (xuanren.access.context)."""

from __future__ import annotations

from typing import Any

from django import template

from xuanren.access.context import nav_for

register = template.Library()


@register.simple_tag(takes_context=True)
def main_nav(context: Any) -> list[dict[str, Any]]:
    request = context.get("request")
    if request is None:
        return []
    match = getattr(request, "resolver_match", None)
    return nav_for(request.user, match.view_name if match else "")
