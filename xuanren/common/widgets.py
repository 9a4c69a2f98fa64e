"""Form widgets shared by every app."""

from __future__ import annotations

from html import escape
from typing import Any

from django import forms
from django.utils.safestring import SafeString, mark_safe


def date_input(**attrs: str) -> forms.DateInput:
    """A browser date picker. `<input type=date>` reads and writes ISO dates
    only: with the locale's format (2026/12/06) the browser shows an empty
    field and the initial date is lost, so the format is fixed here."""
    return forms.DateInput(attrs={"type": "date", **attrs}, format="%Y-%m-%d")


class LongSelect(forms.Select):
    """A <select> for long lists (every unit or post in scope: hundreds to
    thousands of options), written in Python in one pass. Django's Select
    renders a template per option, about 0.1 ms each: 1,500 posts cost 150 ms
    (docs/decisions/0103). Same markup as Select: the attributes, optgroups,
    the selected value."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final = {"name": name, **self.build_attrs(self.attrs, attrs)}
        chosen = {str(v) for v in self.format_value(value)}
        parts = [f"<select{_attributes(final)}>"]
        for group, label in self.choices:
            if isinstance(label, list | tuple):
                parts.append(f'<optgroup label="{escape(str(group))}">')
                parts.extend(_option(v, text, chosen) for v, text in label)
                parts.append("</optgroup>")
            else:
                parts.append(_option(group, label, chosen))
        parts.append("</select>")
        return mark_safe("".join(parts))  # every value and label escaped


def _attributes(attrs: dict[str, Any]) -> str:
    """As django/forms/widgets/attrs.html: in order, True bare, False and None left out."""
    return "".join(
        f" {k}" if v is True else f' {k}="{escape(str(v))}"'
        for k, v in attrs.items()
        if v is not False and v is not None
    )


def _option(value: Any, label: Any, chosen: set[str]) -> str:
    v = "" if value is None else str(value)
    selected = " selected" if v in chosen else ""
    return f'<option value="{escape(v)}"{selected}>{escape(str(label))}</option>'
