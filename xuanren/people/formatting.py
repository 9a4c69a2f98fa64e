"""How cadre paperwork writes dates and resume periods (1985.03, “2007.08--2010.12  ”).

Shared by the pages (web.presenters, the `ym` template filter) and the
documents (the 任免审批表), so a form and a page never write a month two ways."""

from __future__ import annotations

import datetime as dt

from xuanren.people.models import ResumeEntry


def ym(value: dt.date | None) -> str:
    """1985.03; an empty string for no date (an open end stays blank)."""
    return f"{value.year:04d}.{value.month:02d}" if value else ""


def resume_period(entry: ResumeEntry) -> str:
    """“2007.08--2010.12  ”, or “2011.01--  ” when the period is still open."""
    return f"{ym(entry.start_date)}--{ym(entry.end_date)}  "


def resume_line(entry: ResumeEntry) -> str:
    """“2007.08--2010.12  text”; an open end stays blank: “2011.01--  text”."""
    return f"{resume_period(entry)}{entry.text}"
