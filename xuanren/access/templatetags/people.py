"""`{% load people %}{{ user|display_name }}`: a person's real name in a page."""

from __future__ import annotations

from typing import Any

from django import template

from xuanren.access.names import display_name as _display_name

register = template.Library()


@register.filter
def display_name(user: Any) -> str:
    return _display_name(user)
