"""The XLSX of a cadre's temporary postings (挂职锻炼, issue 15,
docs/decisions/0169 and 0171): what the cadre's 挂职 page lists. Text cells
never become formulas (common.cells)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from xuanren.access.models import AccessKind
from xuanren.access.records import access_record
from xuanren.common.cells import xlsx_header, xlsx_row
from xuanren.people.models import Cadre, TemporaryPosting
from xuanren.people.selectors import cadre_get, cadre_postings


def postings_workbook(cadre: Cadre, rows: Iterable[TemporaryPosting]) -> bytes:
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(title=_("挂职锻炼"))
    ws.append(xlsx_row(ws, [_("%(n)s（%(u)s）挂职锻炼") % {"n": cadre.name, "u": cadre.unit.name}]))
    ws.append(
        xlsx_header(
            ws,
            [
                _("挂职单位"),
                _("挂职职务"),
                _("挂职开始"),
                _("挂职结束"),
                _("时长（天）"),
                _("备注"),
            ],
        )
    )
    for p in rows:
        ws.append(
            xlsx_row(
                ws,
                [p.host, p.post_title, p.start_date.isoformat(), p.end_date.isoformat(),
                 (p.end_date - p.start_date).days + 1, p.note],
            )
        )  # fmt: skip
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def postings_export(*, actor: Any, cadre_id: int) -> tuple[bytes, str]:
    """Whoever may see the cadre (404 out of scope), as the API's list
    (docs/decisions/0171); the read recorded."""
    cadre = cadre_get(actor=actor, pk=cadre_id)
    data = postings_workbook(cadre, cadre_postings(cadre))
    access_record(
        actor=actor,
        kind=AccessKind.EXPORT,
        subject=cadre,
        label=cadre.name,
        detail={"export": "temporary_postings", "format": "xlsx"},
    )
    return data, _("%(n)s挂职锻炼.xlsx") % {"n": cadre.name}
