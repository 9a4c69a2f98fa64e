"""The selection statistics page (选人用人统计), its print-out and its XLSX
export. Thin: the selector checks permission and scope (no role 403, a unit
outside the scope 404)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuanren.access.models import AccessKind
from xuanren.access.records import access_record
from xuanren.common.dates import today
from xuanren.common.errors import ValidationFailed
from xuanren.common.widgets import date_input
from xuanren.statistics.selection import (
    SelectionReport,
    line_headers,
    period_of,
    report_lines,
    report_title,
    report_workbook,
    selection_report,
    year_cells,
    year_headers,
)
from xuanren.statistics.selection_tally import Period
from xuanren.web.exports import XLSX_TYPE
from xuanren.web.pages import SAFE, login_page
from xuanren.web.pickers import UnitPicker

page = login_page(methods=SAFE)

DATE_FORMATS = ["%Y-%m-%d", "%Y.%m.%d", "%Y/%m/%d"]


class SelectionFilterForm(forms.Form):
    # The picker only shows the choice; the selector checks the unit (404).
    unit = forms.IntegerField(
        label=gettext_lazy("单位（含下级）"), required=False, min_value=1, widget=UnitPicker
    )
    start = forms.DateField(
        label=gettext_lazy("起始日期"),
        required=False,
        widget=date_input(),
        input_formats=DATE_FORMATS,
    )
    end = forms.DateField(
        label=gettext_lazy("截止日期"), required=False, widget=date_input(),
        input_formats=DATE_FORMATS,
    )  # fmt: skip

    def __init__(self, *args: Any, actor: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        widget = self.fields["unit"].widget
        assert isinstance(widget, UnitPicker)
        widget.actor = actor

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            self.period = period_of(data.get("start"), data.get("end"))
        except ValidationFailed as exc:
            self.add_error("end", exc.message)
        return data

    period: Period | None = None


def _report(request: HttpRequest) -> tuple[SelectionFilterForm, SelectionReport]:
    form = SelectionFilterForm(request.GET or None, actor=request.user)
    # An invalid form is shown with its errors over the default period.
    period = form.period if form.is_valid() else None
    raw = request.GET.get("unit", "")
    unit_id = int(raw) if raw.isdigit() else None
    report = selection_report(actor=request.user, unit_id=unit_id, period=period)
    return form, report


def _presets(request: HttpRequest) -> list[dict[str, str]]:
    """Plain links to the usual periods (this year, last year, the last five
    and thirteen years — seed §8 looks back over thirteen), same unit."""
    day = today()
    unit = request.GET.get("unit", "")
    spans = [
        (_("本年度"), dt.date(day.year, 1, 1), day),
        (_("上一年度"), dt.date(day.year - 1, 1, 1), dt.date(day.year - 1, 12, 31)),
        (_("近五年"), dt.date(day.year - 5, 1, 1), dt.date(day.year - 1, 12, 31)),
        (_("近十三年"), dt.date(day.year - 13, 1, 1), dt.date(day.year - 1, 12, 31)),
    ]
    out = []
    for label, start, end in spans:
        query = {"start": start.isoformat(), "end": end.isoformat()}
        if unit.isdigit():
            query["unit"] = unit
        out.append({"label": label, "query": urlencode(query)})
    return out


@page
def selection(request: HttpRequest) -> HttpResponse:
    form, report = _report(request)
    return render(
        request,
        "statistics/selection.html",
        {
            "form": form,
            "report": report,
            "presets": _presets(request),
            "title": report_title(report),
            "headers": line_headers(),
            "lines": report_lines(report.stats, report.training),
            "year_headers": year_headers(),
            "years": [year_cells(y) for y in report.stats.years],
        },
    )


@page
def selection_xlsx(request: HttpRequest) -> HttpResponse:
    _form, report = _report(request)
    p = report.stats.period
    access_record(
        actor=request.user,
        kind=AccessKind.EXPORT,
        subject=("statistics.selection", str(report.unit.pk) if report.unit else "scope"),
        label=report_title(report),
        detail={"export": "selection_statistics", "format": "xlsx",
                "start": p.start.isoformat(), "end": p.end.isoformat()},
    )  # fmt: skip
    name = f"{_('选人用人统计')}-{p.start.isoformat()}-{p.end.isoformat()}.xlsx"
    return HttpResponse(
        report_workbook(report),
        content_type=XLSX_TYPE,
        headers={"Content-Disposition": content_disposition_header(True, name) or ""},
    )
