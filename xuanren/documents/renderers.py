"""PDF renderers: each takes a view model and returns bytes. HTML templates
with print CSS, turned into PDF by WeasyPrint (documents.pdf)."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from xuanren.documents.approval_form import (
    CONTINUATION_HEIGHT_MM,
    LINE_HEIGHT,
    PERIOD_EMS,
    RESUME_HEIGHT_MM,
    ApprovalForm,
    FamilyRow,
    fit_resume,
)
from xuanren.documents.pdf import template_to_pdf

#: The form prints at least this many family rows (blank ones to fill by hand).
FAMILY_ROWS = 7
FAMILY_BLOCK_MM = 76.0


def ymd_cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def family_layout(form: ApprovalForm) -> dict[str, Any]:
    rows = list(form.family) + [FamilyRow("", "", "", "", "")] * max(
        0, FAMILY_ROWS - len(form.family)
    )
    row_mm = min(9.5, FAMILY_BLOCK_MM / (len(rows) + 1))
    return {
        "family_rows": rows,
        "family_row_mm": round(max(row_mm, 5.5), 2),
        "family_pt": 10.5 if row_mm >= 8 else 9.0,
    }


def approval_form_context(form: ApprovalForm) -> dict[str, Any]:
    photo_uri = ""
    if form.photo:
        photo_uri = f"data:{form.photo_mime};base64," + base64.b64encode(form.photo).decode()
    return {
        "form": form,
        "fit": fit_resume(form.resume),
        "photo_uri": photo_uri,
        "line_height": LINE_HEIGHT,
        "period_ems": PERIOD_EMS,
        "resume_row_mm": RESUME_HEIGHT_MM + 4,
        "continuation_row_mm": CONTINUATION_HEIGHT_MM,
        "fill_date": ymd_cn(form.fill_date),
        **family_layout(form),
    }


def render_approval_pdf(form: ApprovalForm) -> bytes:
    return template_to_pdf("documents/approval_form.html", approval_form_context(form))
