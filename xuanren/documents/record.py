"""The 纪实 of a case as PDF: the same content as the printable page
(web/case_record.html) — procedure.selectors.case_record gives the records,
web.cases shapes each record (record_view) — laid out for print."""

from __future__ import annotations

import datetime as dt
from typing import Any

from xuanren.documents.pdf import template_to_pdf
from xuanren.procedure.selectors import CaseRecord


def record_context(rec: CaseRecord, printed_at: dt.datetime) -> dict[str, Any]:
    from xuanren.procedure.record import case_ending, record_names
    from xuanren.web.cases import moment, person, record_view

    case = rec.case
    seq_of = {r.pk: r.seq for r in rec.steps}
    names = record_names(case)
    rows = []
    for r in rec.steps:
        view = record_view(r, seq_of, names)
        view.attachments = rec.attachments.get(r.pk, ())
        rows.append(view)
    return {
        "rec": rec,
        "case": case,
        "posts": list(case.case_posts.all()),
        "rows": rows,
        "case_attachments": rec.attachments.get(None, ()),
        "candidates": list(case.candidates.all()),
        "officer": person(case.officer),
        "ending": case_ending(case),
        "opened": moment(case.opened_at),
        "printed": moment(printed_at),
    }


def render_record_pdf(rec: CaseRecord, printed_at: dt.datetime) -> bytes:
    return template_to_pdf("documents/case_record.html", record_context(rec, printed_at))
