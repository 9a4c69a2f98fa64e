"""年度考核 pages (docs/decisions/0150–0152): the rounds (and opening one),
a round's results with the weights, the grades and the 优秀 quota line, the
score entry grid, and one cadre's printable 考核登记表 with the 述职. The
forms only parse; the services check."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuanren.access.policy import has_perm, require_perm
from xuanren.assessment import scoring
from xuanren.assessment.export import round_export, round_title
from xuanren.assessment.grid import grid_import, grid_template, may_enter
from xuanren.assessment.models import GROUP_WORDS, AssessedCadre, Dimension, RaterGroup
from xuanren.assessment.register import register_docx
from xuanren.assessment.selectors import (
    MANAGE_ROUNDS,
    assessed_get,
    assessed_line,
    grid_columns,
    round_get,
    round_sheet,
    rounds,
)
from xuanren.assessment.services import (
    RaterVoter,
    ScoreEntry,
    grade_confirm,
    meeting_import,
    meeting_start,
    report_set,
    round_create,
    round_weights_set,
    scores_record,
)
from xuanren.ballots.models import BallotMethod, Meeting, MeetingStatus
from xuanren.common.dates import today
from xuanren.common.errors import Conflict, DomainError, ValidationFailed
from xuanren.org.models import Unit
from xuanren.people.models import AssessmentGrade
from xuanren.web.exports import xlsx_bytes_response
from xuanren.web.grid_pages import grid_page
from xuanren.web.pages import SAFE, login_page
from xuanren.web.pickers import UnitPicker

office = login_page(methods=["GET", "HEAD", "POST"])
reading = login_page(methods=SAFE)


def _put_errors(form: forms.Form, exc: DomainError) -> None:
    if not exc.errors:
        form.add_error(None, exc.message)
    for error in exc.errors:
        name = error.field.rpartition(".")[2]
        form.add_error(name if name in form.fields else None, error.message)


class RoundForm(forms.Form):
    # The picker searches the scope (no page lists a province's units); the
    # service checks the unit chosen.
    unit = forms.IntegerField(label=gettext_lazy("单位"), min_value=1, widget=UnitPicker)
    year = forms.IntegerField(label=gettext_lazy("考核年度"), min_value=1990, max_value=9999)

    def __init__(self, actor: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        widget = self.fields["unit"].widget
        assert isinstance(widget, UnitPicker)
        widget.actor = actor


def _weight(label: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=100)


class WeightsForm(forms.Form):
    """Eight whole percentages; the service checks each set sums to 100."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for g in scoring.GROUPS:
            self.fields[g] = _weight(RaterGroup(g).label)
        for d in scoring.DIMENSIONS:
            self.fields[d] = _weight(Dimension(d).label)


class ReportForm(forms.Form):
    report = forms.CharField(
        label=gettext_lazy("述职报告"), widget=forms.Textarea(attrs={"rows": 12}), max_length=20_000
    )


@office
def round_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    rows = list(rounds(actor=actor)[:200])
    may_manage = has_perm(actor, MANAGE_ROUNDS)
    form = RoundForm(actor, request.POST or None) if may_manage else None
    status = 200
    if request.method == "POST":
        require_perm(actor, MANAGE_ROUNDS)
        assert form is not None
        if form.is_valid():
            unit = Unit.objects.filter(pk=form.cleaned_data["unit"]).first()
            try:
                if unit is None:
                    raise ValidationFailed(_("请选择单位。"))
                created = round_create(actor=actor, unit=unit, year=form.cleaned_data["year"])
            except ValidationFailed as exc:
                _put_errors(form, exc)
            except Conflict as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("已登记，列出参加考核干部 %(n)d 名。") % {"n": created.cadres.count()},
                )
                return redirect("assessment:round", pk=created.pk)
        status = 422
    elif form is not None:
        form.initial = {"year": today().year - 1}
    return render(
        request, "assessment/round_list.html", {"rows": rows, "form": form}, status=status
    )


def _title(r: Any) -> str:
    return round_title(r)


@office
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    r = round_get(actor=actor, pk=pk)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    weights = WeightsForm(request.POST if action == "weights" else None)
    if not weights.is_bound:
        weights.initial = {**r.group_weights(), **r.dimension_weights()}
    status = 200
    if action:
        require_perm(actor, MANAGE_ROUNDS)
        try:
            if action == "weights":
                if weights.is_valid():
                    d = weights.cleaned_data
                    round_weights_set(
                        actor=actor,
                        round=r,
                        group_weights={g: d[g] for g in scoring.GROUPS},
                        dimension_weights={k: d[k] for k in scoring.DIMENSIONS},
                    )
                    messages.success(request, _("考核权重已保存。"))
                    return redirect("assessment:round", pk=r.pk)
            elif action == "meeting":
                started = meeting_start(
                    actor=actor,
                    round=r,
                    meeting_date=_date(request.POST.get("meeting_date", "")),
                    voters=_raters(request.POST.get("voters", "")),
                    method=request.POST.get("method", BallotMethod.ELECTRONIC),
                    sheet_count=_whole(request.POST.get("sheet_count", "")),
                )
                messages.success(
                    request, _("测评投票已发起：请在计票台发放投票码、生成计票密钥并开始投票。")
                )
                return redirect("ballots:console", started.pk)
            elif action == "import":
                meeting_import(actor=actor, round=r)
                messages.success(request, _("测评结果已导入评分。"))
                return redirect("assessment:round", pk=r.pk)
            elif action == "grade":
                raw = request.POST.get("row", "").strip()
                row = (
                    AssessedCadre.objects.filter(round=r, pk=int(raw)).first()
                    if raw.isdigit()
                    else None
                )
                if row is None:
                    raise ValidationFailed(_("该干部不在本次年度考核名单中。"))
                grade_confirm(actor=actor, assessed=row, grade=request.POST.get("grade", ""))
                messages.success(request, _("等次已确定，并记入干部年度考核信息。"))
                return redirect("assessment:round", pk=r.pk)
            else:
                raise ValidationFailed(_("无效的操作。"))
        except ValidationFailed as exc:
            if action == "weights":
                _put_errors(weights, exc)
            else:
                messages.error(request, str(exc))
        except Conflict as exc:
            if action == "weights":
                weights.add_error(None, exc.message)
            else:
                messages.error(request, exc.message)
        status = 422
    meeting = Meeting.objects.filter(pk=r.meeting_id).first() if r.meeting_id else None
    return render(
        request,
        "assessment/round.html",
        {
            "round": r,
            "meeting": meeting,
            "meeting_closed": meeting is not None and meeting.status == MeetingStatus.CLOSED,
            "methods": BallotMethod.choices,
            "rater_words": "、".join(GROUP_WORDS.values()),
            "today": today(),
            "title": _title(r),
            "sheet": round_sheet(actor=actor, round=r),
            "may_manage": has_perm(actor, MANAGE_ROUNDS),
            "weights_form": weights,
            "grades": AssessmentGrade.choices,
            "group_labels": [RaterGroup(g).label for g in scoring.GROUPS],
        },
        status=status,
    )


def _date(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationFailed(_("请填写测评日期（如 2026-12-06）。")) from None


def _whole(raw: str) -> int:
    raw = raw.strip()
    return int(raw) if raw.isdigit() and len(raw) < 6 else 0


def _raters(text: str) -> list[RaterVoter]:
    """One voter a line: 姓名，评分主体 (上级领导、同级干部 or 党员群众;
    a Chinese or ASCII comma or a tab). The service checks the groups."""
    group_of = {word: g for g, word in GROUP_WORDS.items()}
    out = []
    for line in text.splitlines()[:5000]:
        parts = [p.strip() for p in line.replace("，", ",").replace("\t", ",").split(",")]
        if parts and parts[0]:
            word = parts[1] if len(parts) > 1 else ""
            out.append(RaterVoter(name=parts[0][:60], group=group_of.get(word, word[:20])))
    return out


def _cell_name(aid: int, group: str, dimension: str) -> str:
    return f"s_{aid}_{group}_{dimension}"


@office
def round_scores(request: HttpRequest, pk: int) -> HttpResponse:
    """The grid: a row per cadre, fifteen cells (3 rater groups × 5
    dimensions); blank clears a cell. Saved all or nothing."""
    actor = request.user
    r = round_get(actor=actor, pk=pk)
    sheet = round_sheet(actor=actor, round=r)
    status = 200
    errors: list[str] = []
    posted: dict[str, str] = {}
    if request.method == "POST":
        require_perm(actor, MANAGE_ROUNDS)
        entries = []
        for line in sheet.lines:
            if line.assessed.grade:
                continue
            for g, d, _name in grid_columns():
                key = _cell_name(line.assessed.pk, g, d)
                raw = request.POST.get(key, "").strip()
                posted[key] = raw
                entries.append(ScoreEntry(line.assessed.pk, g, d, raw or None))
        try:
            scores_record(actor=actor, round=r, entries=entries)
        except (ValidationFailed, Conflict) as exc:
            errors = [e.message for e in exc.errors] or [exc.message]
            status = 422
        else:
            messages.success(request, _("评分已保存。"))
            return redirect("assessment:round", pk=r.pk)
    rows = []
    for line in sheet.lines:
        cells = []
        for (g, d, _name), value in zip(grid_columns(), line.cells, strict=True):
            key = _cell_name(line.assessed.pk, g, d)
            shown = posted[key] if key in posted else ("" if value is None else str(value))
            cells.append({"name": key, "value": shown})
        rows.append({"line": line, "cells": cells})
    return render(
        request,
        "assessment/scores.html",
        {
            "round": r,
            "title": _title(r),
            "rows": rows,
            "errors": errors,
            "group_labels": [RaterGroup(g).label for g in scoring.GROUPS],
            "dimension_labels": [Dimension(d).label for d in scoring.DIMENSIONS]
            * len(scoring.GROUPS),
            "may_manage": has_perm(actor, MANAGE_ROUNDS),
        },
        status=status,
    )


@office
def assessed_page(request: HttpRequest, pk: int, aid: int) -> HttpResponse:
    """考核登记表 of one cadre (printable) and the 述职 form."""
    actor = request.user
    r = round_get(actor=actor, pk=pk)
    row = assessed_get(actor=actor, round=r, pk=aid)
    form = ReportForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        require_perm(actor, MANAGE_ROUNDS)
        if form.is_valid():
            try:
                report_set(actor=actor, assessed=row, report=form.cleaned_data["report"])
            except ValidationFailed as exc:
                _put_errors(form, exc)
            else:
                messages.success(request, _("述职报告已保存。"))
                return redirect("assessment:assessed", pk=r.pk, aid=row.pk)
        status = 422
    else:
        form.initial = {"report": row.report}
    row.round = r
    line = assessed_line(actor=actor, assessed=row)
    table = [
        {
            "label": RaterGroup(g).label,
            "weight": r.group_weights()[g],
            "cells": [line.scores.get((g, d)) for d in scoring.DIMENSIONS],
            "total": line.group_scores.get(g),
        }
        for g in scoring.GROUPS
    ]
    return render(
        request,
        "assessment/assessed.html",
        {
            "round": r,
            "row": row,
            "line": line,
            "table": table,
            "dimensions": [
                {"label": Dimension(d).label, "weight": r.dimension_weights()[d]}
                for d in scoring.DIMENSIONS
            ],
            "title": _("%(n)s %(y)d 年度考核登记表") % {"n": row.cadre.name, "y": r.year},
            "may_manage": has_perm(actor, MANAGE_ROUNDS),
            "form": form,
        },
        status=status,
    )


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@reading
def register_download(request: HttpRequest, pk: int, aid: int) -> HttpResponse:
    """The 考核登记表 as a DOCX."""
    actor = request.user
    r = round_get(actor=actor, pk=pk)
    row = assessed_get(actor=actor, round=r, pk=aid)
    data = register_docx(actor=actor, round=r, assessed=row)
    name = _("%(n)s %(y)d 年度考核登记表") % {"n": row.cadre.name, "y": r.year}
    return HttpResponse(
        data,
        content_type=DOCX_TYPE,
        headers={"Content-Disposition": content_disposition_header(True, f"{name}.docx") or ""},
    )


@reading
def round_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The round's results as XLSX (scoped as the page: out of scope 404)."""
    return xlsx_bytes_response(*round_export(actor=request.user, pk=pk))


@reading
def grid_template_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    r = round_get(actor=actor, pk=pk)
    data = grid_template(actor=actor, round=r, title=_title(r))
    return xlsx_bytes_response(data, _("%(t)s评分模板.xlsx") % {"t": _title(r)})


@office
def grid_upload(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    r = round_get(actor=actor, pk=pk)
    may_enter(actor, r)  # the page only for who may enter scores
    return grid_page(
        request,
        title=_("%(t)s：导入评分表") % {"t": _title(r)},
        back_url=reverse("assessment:round", args=[r.pk]),
        template_url=reverse("assessment:grid_template", args=[r.pk]),
        do_import=lambda f, name: grid_import(actor=actor, round=r, content=f, filename=name),
    )
