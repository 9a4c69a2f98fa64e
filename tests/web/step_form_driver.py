"""Filling a case's current step form as a browser would: the form's own
inputs as rendered (hidden fields, management forms, prefilled rows, checked
boxes, selected options), then the fields a test sets. Shared by the page
tests of the step forms."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any


class _StepFormParser(HTMLParser):
    """The inputs of the page's step form (class `step-form`)."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self.select: str | None = None
        self.select_value: str | None = None
        self.select_first: str | None = None
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and "step-form" in a.get("class", ""):
            self.inside = True
        if not self.inside:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((name, a.get("value", "on")))
            elif kind != "file":
                self.fields.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self.select, self.select_value, self.select_first = name, None, None
        elif tag == "option" and self.select is not None:
            value = a.get("value", "")
            if self.select_first is None:
                self.select_first = value
            if "selected" in a:
                self.select_value = value
        elif tag == "textarea" and name:
            self.textarea, self.text = name, ""

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.text += data

    def handle_endtag(self, tag: str) -> None:
        if not self.inside:
            return
        if tag == "select" and self.select is not None:
            value = self.select_value if self.select_value is not None else self.select_first
            self.fields.append((self.select, value or ""))
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.fields.append((self.textarea, self.text.strip("\n")))
            self.textarea = None
        elif tag == "form":
            self.inside = False


def step_form_fields(html: str) -> dict[str, Any]:
    """The step form's fields as a browser would post them untouched (a name
    that occurs more than once becomes a list)."""
    parser = _StepFormParser()
    parser.feed(html)
    out: dict[str, Any] = {}
    for name, value in parser.fields:
        if name in out:
            prev = out[name]
            out[name] = [*prev, value] if isinstance(prev, list) else [prev, value]
        else:
            out[name] = value
    return out
