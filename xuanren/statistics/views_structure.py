"""The structure analysis page (干部队伍结构分析), its XLSX export. Thin: the
selector checks the permission and the scope (no role 403, a unit outside the
scope 404); the charts are drawn by static/statistics/structure.js from the
tables sent with json_script (no inline script, decision 0044)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuanren.access.models import AccessKind
from xuanren.access.records import access_record
from xuanren.common.dates import today
from xuanren.common.widgets import LongSelect, date_input
from xuanren.statistics.structure import StructureReport, structure_analysis
from xuanren.statistics.structure_export import report_title, structure_workbook
from xuanren.web.exports import XLSX_TYPE
from xuanren.web.forms import DATE_INPUT_FORMATS, unit_choices
from xuanren.web.pages import SAFE, login_page
from xuanren.web.pickers import UnitField, scope_units

page = login_page(methods=SAFE)

#: The page lists at most this many teams that miss a target (a province has
#: thousands); the XLSX export lists them all.
MISSES_SHOWN = 200


class StructureForm(forms.Form):
    unit = forms.TypedChoiceField(
        label=gettext_lazy("单位（含下级）"), required=False, coerce=int, widget=LongSelect
    )
    on = forms.DateField(
        label=gettext_lazy("统计日期"),
        required=False,
        widget=date_input(),
        input_formats=DATE_INPUT_FORMATS,
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = scope_units(actor)
        if units is None:  # too many for a <select>: the picker (decision 0109)
            self.fields["unit"] = UnitField(
                actor=actor, label=gettext_lazy("单位（含下级）"), empty_label=_("全部单位")
            )
            return
        field = self.fields["unit"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = unit_choices(units, blank=str(_("全部单位")))

    @property
    def unit_picker(self) -> bool:
        return not isinstance(self.fields["unit"].widget, forms.Select)


def _unit_id(request: HttpRequest) -> int | None:
    raw = request.GET.get("unit", "").strip()
    return int(raw) if raw.isdigit() else None


def _report(request: HttpRequest) -> tuple[StructureForm, StructureReport]:
    """The unit is read from the query itself, so that one outside the scope
    is 404 (the selector's NotFound), not a form error; a bad date is a form
    error and the figures are today's."""
    actor = request.user
    form = StructureForm(request.GET or None, actor=actor, initial={"on": today()})
    on: dt.date | None = None
    if form.is_bound:
        form.is_valid()
        if "on" not in form.errors:
            on = form.cleaned_data.get("on")
    return form, structure_analysis(actor=actor, unit_id=_unit_id(request), on=on)


def _charts(report: StructureReport) -> list[dict[str, Any]]:
    return [
        {
            "key": t.key,
            "title": t.title,
            "chart": t.chart,
            "labels": [r.label for r in t.rows],
            "counts": [r.count for r in t.rows],
        }
        for t in report.tables
    ]


@page
def structure(request: HttpRequest) -> HttpResponse:
    form, report = _report(request)
    context = {
        "form": form,
        "report": report,
        "title": report_title(report),
        "charts": _charts(report),
        "misses": report.misses[:MISSES_SHOWN],
        "misses_hidden": max(len(report.misses) - MISSES_SHOWN, 0),
        "query": request.GET.urlencode(),
    }
    return render(request, "statistics/structure.html", context)


@page
def structure_xlsx(request: HttpRequest) -> HttpResponse:
    _form, report = _report(request)
    access_record(
        actor=request.user,
        kind=AccessKind.EXPORT,
        subject=("statistics.structure", str(report.unit.pk) if report.unit else "scope"),
        label=_("干部队伍结构分析"),
        detail={"export": "structure", "format": "xlsx", "on": report.on.isoformat(),
                "unit": report.unit.pk if report.unit else None},
    )  # fmt: skip
    from django.utils.http import content_disposition_header

    name = f"{_('干部队伍结构分析')}-{report.on.isoformat()}.xlsx"
    return HttpResponse(
        structure_workbook(report),
        content_type=XLSX_TYPE,
        headers={"Content-Disposition": content_disposition_header(True, name) or ""},
    )
