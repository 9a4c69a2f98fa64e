"""The XLSX of the observation list (issue 15, docs/decisions/0169): the
rows the list page shows for the same status filter, without its 200-row
cut. Text cells never become formulas (common.cells)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from xuanren.access.models import AccessKind
from xuanren.access.records import access_record
from xuanren.common.cells import xlsx_header, xlsx_row
from xuanren.common.dates import today
from xuanren.observation.models import Observation, ObservationStatus
from xuanren.observation.selectors import observations


def _day(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def observations_workbook(rows: Iterable[Observation], title: str) -> bytes:
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(title=_("察看期"))
    ws.append(xlsx_row(ws, [title]))
    ws.append(
        xlsx_header(
            ws,
            [_("谈话日期"), _("姓名"), _("单位"), _("所任职务"), _("察看原因"), _("情况说明"),
             _("谈话人"), _("察看期满"), _("状态"), _("结论"), _("结论日期"), _("结论说明")],
        )
    )  # fmt: skip
    for o in rows:
        ws.append(
            xlsx_row(
                ws,
                [_day(o.talk_date), o.cadre.name, o.cadre.unit.name,
                 f"{o.tenure.post.unit.name}{o.tenure.post.title}", o.get_reason_kind_display(),
                 o.reason, o.talked_by, _day(o.ends_on), o.get_status_display(),
                 o.get_outcome_display() if o.outcome else "", _day(o.outcome_on),
                 o.outcome_note],
            )
        )  # fmt: skip
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def observations_export(*, actor: Any, status: str = "") -> tuple[bytes, str]:
    """The workbook and its file name for the page and the API alike: the
    observations of cadres in the actor's scope, the read recorded."""
    if status not in ObservationStatus.values:
        status = ""
    rows = observations(actor=actor, status=status)
    title = _("诫勉谈话与察看期（%(d)s）") % {"d": today().isoformat()}
    data = observations_workbook(rows.iterator(chunk_size=500), title)
    access_record(
        actor=actor,
        kind=AccessKind.EXPORT,
        subject=("observation.observation", "list"),
        label=title,
        detail={"export": "observations", "format": "xlsx", "status": status},
    )
    return data, _("诫勉谈话与察看期.xlsx")
