"""Form widgets shared by every app."""

from __future__ import annotations

from django import forms


def date_input(**attrs: str) -> forms.DateInput:
    """A browser date picker. `<input type=date>` reads and writes ISO dates
    only: with the locale's format (2026/12/06) the browser shows an empty
    field and the initial date is lost, so the format is fixed here."""
    return forms.DateInput(attrs={"type": "date", **attrs}, format="%Y-%m-%d")
