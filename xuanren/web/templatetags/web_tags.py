"""Date formats of cadre paperwork: 1985.03 for months, 2020.05.01 for days."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django import template
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

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


@register.simple_tag
def case_data(nodes: Any) -> str:
    """A record's data (procedure.record's DataNode rows) as the nested
    definition list of web/_case_data.html, built here rather than by that
    template including itself once per group: a 纪实 of fifteen steps had
    about seventy includes (decision 0160)."""
    if not nodes:
        return format_html('<p class="muted">{}</p>', _("（无内容）"))
    return mark_safe(_data_list(nodes))  # every text in it is escaped


def _data_list(nodes: Any) -> str:
    parts = ['<dl class="facts record-data">']
    for n in nodes:
        parts += ["<dt>", conditional_escape(n.label), "</dt><dd>"]
        if n.groups:
            for g in n.groups:
                # "\n": the line end the template's include of itself left there
                inner = _data_list(g) if g else _empty()
                parts += ['<div class="data-group">', inner, "\n</div>"]
        else:
            parts.append(linebreaksbr(n.text, autoescape=True))
        parts.append("</dd>")
    parts.append("</dl>")
    return "".join(parts)


def _empty() -> str:
    return str(format_html('<p class="muted">{}</p>', _("（无内容）")))
