"""Date formats of cadre paperwork: 1985.03 for months, 2020.05.01 for days."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse

from xuanren.people.formatting import ym

register = template.Library()


register.filter("ym", ym)  # 1985.03: people.formatting, as the forms write it


@register.filter
def ymd(value: dt.date | None) -> str:
    if not value:
        return ""
    return f"{value.year:04d}.{value.month:02d}.{value.day:02d}"


@register.filter
def level_label(code: str) -> str:
    """职务层次 name of a level code (正科级 for section_principal)."""
    from xuanren.web.presenters import level_label as label

    return label(code)


@register.filter
def step_label(code: str) -> str:
    """The Chinese name of a step code (民主推荐 for recommendation)."""
    from xuanren.procedure.catalogue import STEPS

    return str(STEPS.get(code, "")) if code else ""


@register.simple_tag
def explain_url(post: Any, cadre: Any, ref: dt.date) -> str:
    """The explanation of `cadre` for `post` at `ref` (panel and full page alike)."""
    query = urlencode({"post": post.pk, "cadre": cadre.pk, "ref_date": ref.isoformat()})
    return f"{reverse('web:candidate_explain')}?{query}"
