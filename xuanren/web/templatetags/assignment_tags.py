"""The case page's panel of who does what (inspection team, integrity and
audit requests): `{% case_assignments case %}` in case_detail.html."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("web/_case_team.html", takes_context=True)
def case_assignments(context: Any, case: Any) -> dict[str, Any]:
    from xuanren.web.assignments import panel_context

    return panel_context(context["request"], case)
