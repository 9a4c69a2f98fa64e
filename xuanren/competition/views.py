"""Pages of 竞聘评分 (docs/decisions/0147): the case's competition (set up,
panels, sub-tests and weights, progress, sign-off), one judge's score grid,
and the printable result sheet. Views only call selectors and services."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from xuanren.common.errors import DomainError, NotFound
from xuanren.competition import grid, selectors, services
from xuanren.competition.export import competition_title as _title
from xuanren.competition.export import result_export
from xuanren.competition.models import (
    Competition,
    CompetitionStatus,
    PanelKind,
    PanelMember,
    SubTestKind,
)
from xuanren.procedure.selectors import case_get
from xuanren.web.exports import xlsx_bytes_response
from xuanren.web.grid_pages import grid_page
from xuanren.web.pages import FORMS, SAFE, login_page

page = login_page(methods=FORMS)  # login; refusals as the Chinese 403/404 pages


def _error(exc: DomainError) -> str:
    return " ".join([exc.message, *(e.message for e in exc.errors)])


def _weights(request: HttpRequest) -> dict[str, str]:
    return {k: request.POST.get(f"weight_{k}", "") for k in SubTestKind.values}


def _post(request: HttpRequest, competition: Competition) -> None:
    """The one form posted on the case's competition page."""
    action = request.POST.get("action", "")
    actor = request.user
    if action == "weights":
        services.competition_weights_set(
            actor=actor, competition=competition, weights=_weights(request)
        )
    elif action == "member_add":
        services.panel_member_add(
            actor=actor,
            competition=competition,
            panel=request.POST.get("panel", ""),
            name=request.POST.get("name", ""),
            title=request.POST.get("title", ""),
        )
    elif action == "member_remove":
        member = _member(competition, request.POST.get("member", ""))
        services.panel_member_remove(actor=actor, competition=competition, member=member)
    elif action == "sign_off":
        services.competition_sign_off(actor=actor, competition=competition)
    else:
        raise NotFound(_("未知的操作。"))


def _member(competition: Competition, raw: Any) -> PanelMember:
    found = competition.members.filter(pk=int(raw)).first() if str(raw).isdigit() else None
    if found is None:
        raise NotFound(_("该人员不是本次竞聘的小组成员。"))
    return found


@page
def case_competition(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_get(actor=request.user, pk=case_id)
    competition = selectors.competition_of_case(actor=request.user, case=case)
    error = ""
    if request.method == "POST":
        try:
            if competition is None:
                raw_trim = request.POST.get("trim_min_judges", "").strip()
                services.competition_create(
                    actor=request.user,
                    case=case,
                    weights=_weights(request),
                    trim_min_judges=int(raw_trim) if raw_trim.isdigit() else None,
                )
            else:
                _post(request, competition)
            return redirect("competition:case", case.pk)
        except DomainError as exc:
            if exc.http_status in (403, 404):
                raise  # the Chinese 403/404 pages
            error = _error(exc)
    ctx: dict[str, Any] = {
        "case": case,
        "competition": competition,
        "error": error,
        "kinds": SubTestKind.choices,
        "panels": PanelKind.choices,
        "form": request.POST if error else {},
    }
    if competition is not None:
        sheet = selectors.sheet_of(competition)
        counts = selectors.entered_counts(competition)
        per_judge = len(sheet.sub_tests) * sum(len(rows) for _p, rows in sheet.posts)
        judges = selectors.members(competition, PanelKind.JUDGE)
        ctx |= {
            "sheet": sheet,
            "judges": [(j, counts.get(j.pk, 0), per_judge) for j in judges],
            "supervisors": selectors.members(competition, PanelKind.SUPERVISOR),
            "weights": {t.kind: t.weight for t in sheet.sub_tests},
            "weight_total": sum(t.weight for t in sheet.sub_tests),
            "can_manage": selectors.can_manage(request.user, competition),
            "can_sign_off": selectors.can_sign_off(request.user, competition),
            "signed": competition.status == CompetitionStatus.SIGNED_OFF,
        }
    else:
        ctx["can_create"] = request.user.has_perm(selectors.MANAGE)
        ctx["default_trim"] = services.settings.XUANREN_COMPETITION_TRIM_MIN_JUDGES
    return render(request, "competition/case.html", ctx)


@page
def judge_grid(request: HttpRequest, competition_id: int, member_id: int) -> HttpResponse:
    competition = selectors.competition_get(actor=request.user, pk=competition_id)
    judge = competition.members.filter(pk=member_id, panel=PanelKind.JUDGE).first()
    if judge is None:
        raise NotFound(_("该人员不是本次竞聘小组的评委。"))
    tests = selectors.sub_tests(competition)
    people = selectors.candidates(competition)
    error = ""
    posted: dict[tuple[int, int], str] = {}
    if request.method == "POST":
        cells = []
        for c in people:
            for t in tests:
                raw = request.POST.get(f"s_{c.pk}_{t.pk}", "")
                posted[(c.pk, t.pk)] = raw
                cells.append(services.ScoreIn(c.pk, t.pk, raw))
        try:
            services.scores_enter(
                actor=request.user, competition=competition, judge=judge, scores=cells
            )
            return redirect("competition:case", competition.case_id)
        except DomainError as exc:
            if exc.http_status in (403, 404):
                raise
            error = _error(exc)
    grid = selectors.judge_grid(competition, judge)
    rows = [
        (
            c,
            [
                (
                    t,
                    f"s_{c.pk}_{t.pk}",
                    posted.get((c.pk, t.pk), str(grid.get((c.pk, t.pk), ""))),
                )
                for t in tests
            ],
        )
        for c in people
    ]
    return render(
        request,
        "competition/judge.html",
        {
            "competition": competition,
            "case": competition.case,
            "judge": judge,
            "tests": tests,
            "rows": rows,
            "error": error,
            "can_manage": selectors.can_manage(request.user, competition)
            and competition.status == CompetitionStatus.SCORING,
        },
    )


@page
def result(request: HttpRequest, competition_id: int) -> HttpResponse:
    competition = selectors.competition_get(actor=request.user, pk=competition_id)
    signed = competition.status == CompetitionStatus.SIGNED_OFF
    return render(
        request,
        "competition/result.html",
        {
            "competition": competition,
            "case": competition.case,
            "sheet": selectors.sheet_of(competition),
            "signed": signed,
            "supervisors": competition.result.get("supervisors", []) if signed else [],
            "judges": selectors.members(competition, PanelKind.JUDGE),
        },
    )


@login_page(methods=SAFE)
def result_xlsx(request: HttpRequest, competition_id: int) -> HttpResponse:
    """The result sheet and every judge's score as XLSX (scoped as the page)."""
    return xlsx_bytes_response(*result_export(actor=request.user, pk=competition_id))


@login_page(methods=SAFE)
def grid_template_xlsx(request: HttpRequest, competition_id: int) -> HttpResponse:
    competition = selectors.competition_get(actor=request.user, pk=competition_id)
    data = grid.grid_template(
        actor=request.user, competition=competition, title=_title(competition)
    )
    return xlsx_bytes_response(data, _("%(t)s模板.xlsx") % {"t": _title(competition)})


@page
def grid_upload(request: HttpRequest, competition_id: int) -> HttpResponse:
    actor = request.user
    competition = selectors.competition_get(actor=actor, pk=competition_id)
    grid.may_enter(actor, competition)  # the page only for who may enter scores
    return grid_page(
        request,
        title=_("%(t)s：导入评分表") % {"t": _title(competition)},
        back_url=reverse("competition:case", args=[competition.case_id]),
        template_url=reverse("competition:grid_template", args=[competition.pk]),
        do_import=lambda f, name: grid.grid_import(
            actor=actor, competition=competition, content=f, filename=name
        ),
    )
