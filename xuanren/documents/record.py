"""The 纪实 of a case as PDF: the same content as the printable page
(web/case_record.html) — procedure.selectors.case_record gives the records,
procedure.record shapes each record (record_rows) — laid out for print."""

from __future__ import annotations

import datetime as dt
from typing import Any

from xuanren.documents.pdf import template_to_pdf
from xuanren.procedure.record import case_ending, moment, person, record_rows
from xuanren.procedure.selectors import CaseRecord


def record_context(rec: CaseRecord, printed_at: dt.datetime) -> dict[str, Any]:
    case = rec.case
    return {
        "rec": rec,
        "case": case,
        "posts": list(case.case_posts.all()),
        "rows": record_rows(rec),
        "case_attachments": rec.attachments.get(None, ()),
        "candidates": list(case.candidates.all()),
        "officer": person(case.officer),
        "ending": case_ending(case),
        "opened": moment(case.opened_at),
        "printed": moment(printed_at),
    }


def render_record_pdf(rec: CaseRecord, printed_at: dt.datetime) -> bytes:
    return template_to_pdf("documents/case_record.html", record_context(rec, printed_at))
