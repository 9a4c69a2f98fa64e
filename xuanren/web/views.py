"""Server-rendered pages. Views are thin: every read goes through a selector,
which checks the permission and the scope; a view only shapes the result for
its template. Domain errors become Chinese 403/404 pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Window
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from xuanren.access.models import AccessKind
from xuanren.access.policy import has_perm, require_perm, unit_in_scope
from xuanren.access.records import access_record, cadre_look_record
from xuanren.assessment.selectors import cadre_lines
from xuanren.common.dates import today
from xuanren.common.errors import NotFound, PermissionDenied
from xuanren.exchange.job_kinds import (
    in_background,
    screening_counts_job,
    screening_counts_job_get,
    screening_counts_start,
)
from xuanren.exchange.jobs import is_interrupted
from xuanren.exchange.models import ImportJob, JobStatus
from xuanren.observation.selectors import cadre_observations
from xuanren.observation.services import OPEN_PERM as OBSERVATION_OPEN
from xuanren.org.models import Post, Unit, path_and_ancestors
from xuanren.org.quota import Counts, UnitQuota
from xuanren.org.selectors import (
    post_get,
    post_list,
    post_occupancy,
    quota_report,
    unit_figures,
    unit_get,
    unit_level,
    unit_list,
    units_more_than,
)
from xuanren.people.formatting import resume_period
from xuanren.people.models import (
    IN_SERVICE_KINDS,
    Assessment,
    Cadre,
    CadreStatus,
    EducationKind,
)
from xuanren.people.selectors import (
    CadreFilters,
    cadre_ages,
    cadre_get,
    cadre_has,
    cadre_postings,
    cadre_search,
    shown_id_number,
)
from xuanren.policy.obligations import training_obligations
from xuanren.policy.selectors import (
    Screening,
    eligible_posts,
    explain_for,
    post_facts,
    screening,
)
from xuanren.rotation.selectors import cadre_alerts, cadre_exchanges, cadre_plan_entries
from xuanren.rotation.services import EXCHANGE_PERM
from xuanren.supervision.channel_selectors import cadre_reports
from xuanren.web.cadre_trainings import training_summary
from xuanren.web.exports import csv_response, xlsx_response
from xuanren.web.forms import (
    CadreLookupForm,
    CadrePostsForm,
    CadreSearchForm,
    CandidateExplainForm,
    CandidateSearchForm,
    QuotaFilterForm,
)
from xuanren.web.pages import SAFE, login_page
from xuanren.web.pickers import (
    PostPicker,
    post_label,
    post_matches,
    remember_unit,
    scope_post_options,
    scope_units,
)
from xuanren.web.presenters import (
    assessment_rows,
    assessment_years,
    candidate_headers,
    candidate_row,
    explanation_view,
    pk_url,
    post_verdict_rows,
    punishment_in_effect,
    quota_headers,
    quota_rows,
    report_totals,
)
from xuanren.workforce.selectors import ENTRY_VIEW, entry_of

T = TypeVar("T")
CADRES_PER_PAGE = 50
# The cadre list counts at most this many matches (decision 0109): an exact
# COUNT(*) of a province's million cadres costs more than the page itself.
CADRE_COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """Counts at most CADRE_COUNT_CAP + 1 rows; `capped` when there are more."""

    @cached_property
    def count(self) -> int:
        qs = self.object_list
        assert isinstance(qs, QuerySet)
        return int(qs.order_by()[: CADRE_COUNT_CAP + 1].count())

    @property
    def capped(self) -> bool:
        return self.count > CADRE_COUNT_CAP


CANDIDATES_PER_PAGE = 50
LOOKUP_LIMIT = 10


page = login_page(methods=SAFE)  # login; refusals as the Chinese 403/404 pages


def _partial(request: HttpRequest) -> bool:
    """An htmx request that wants a fragment (not a history restore, which
    needs the whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


def _htmx_target(request: HttpRequest) -> str:
    htmx = getattr(request, "htmx", None)
    return (htmx.target or "") if htmx else ""


def _render_fragment(
    request: HttpRequest, partial: str, full: str, context: dict[str, Any]
) -> HttpResponse:
    """The fragment for htmx, the whole page otherwise; caches keep them apart."""
    response = render(request, partial if _partial(request) else full, context)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


def _permitted(read: Callable[[], T]) -> T | None:
    """The result of a read, or None when the actor may not make it (a
    dashboard shows what it can and leaves out the rest)."""
    try:
        return read()
    except PermissionDenied:
        return None


# ---- dashboard ---------------------------------------------------------------

#: The home page shows the soonest this many 待办 items and links to the rest.
HOME_TODO_ROWS = 20


@page
def dashboard(request: HttpRequest) -> HttpResponse:
    """Home: the role's 待办 first (docs/decisions/0070), then the figures
    the role may read (units, posts, cadres, quotas, age limits)."""
    from xuanren.access.policy import is_unrestricted, scope_root
    from xuanren.procedure.selectors import motion_proposals_waiting
    from xuanren.procedure.todo import ITEMS_PER_KIND, has_any_role, home_todo

    actor = request.user
    on = today()
    has_role = has_any_role(actor)
    # 临近退休 is read once, with 待办's kept reminders: its own panel here,
    # and 待办's retirement reminders (decision 0195).
    items, approaching = home_todo(actor=actor, on=on)
    proposals = (
        motion_proposals_waiting(actor=actor, limit=20)
        if has_perm(actor, "procedure.add_case")
        else []
    )
    context = {
        "on": on,
        "has_role": has_role,
        "no_scope": has_role and not is_unrestricted(actor) and scope_root(actor) is None,
        # The soonest HOME_TODO_ROWS; the 待办 page lists them all (decision 0113).
        "todo_rows": [{"item": i, "overdue": i.overdue(on)} for i in items[:HOME_TODO_ROWS]],
        "todo_total": len(items),
        "proposals": [{"p": p, "posts": posts} for p, posts in proposals],
        "approaching": (
            [
                {
                    "cadre": r.cadre,
                    "age": cadre_ages(r.cadre, on).age,
                    "retiring": r,
                    "reached": r.retirement_date <= on,
                    # the statutory age as shown (here, not a template tag per row)
                    "age_text": (
                        _("%(years)s 岁 %(months)s 个月")
                        % {"years": r.age_years_part, "months": r.age_months_part}
                        if r.age_months_part
                        else _("%(years)s 岁") % {"years": r.age_years_part}
                    ),
                }
                # the panel's first ITEMS_PER_KIND; 待办 reads one more (its summary)
                for r in approaching[:ITEMS_PER_KIND]
            ]
            if approaching is not None
            else None
        ),
    }
    context["no_access"] = not has_role
    # The figures are their own request, loaded after the page (decision 0113).
    context["figures"] = _may_see_figures(actor)
    return render(request, "web/dashboard.html", context)


#: The permissions behind the home page's figures (工作概况): any one of them
#: shows the section, with the figures that permission allows.
FIGURE_PERMS = ("org.view_unit", "org.view_post", "people.view_cadre", "org.view_quota")


def _may_see_figures(actor: Any) -> bool:
    return any(has_perm(actor, p) for p in FIGURE_PERMS)


@page
def dashboard_figures(request: HttpRequest) -> HttpResponse:
    """The home page's 工作概况: how many units, posts and cadres are in
    scope and the scope's 职数 totals. Loaded by htmx after the home page (an
    exact count of a province's million cadres and its quota totals take
    longer than the rest of the page); a page of its own without JS."""
    actor = request.user
    if not _may_see_figures(actor):
        require_perm(actor, FIGURE_PERMS[0])  # the refusal (403), with its message
    on = today()
    # Posts, cadres and 职数 from the kept per-unit counts (decision 0136):
    # one aggregate over the scope's units, not a count of its cadres.
    figures = _permitted(lambda: unit_figures(actor=actor, on=on))
    context = {
        "on": on,
        "unit_count": _permitted(lambda: unit_list(actor=actor).count()),
        "post_count": figures.posts if figures else None,
        "cadre_count": figures.cadres if figures else None,
        "quota": figures.quota if figures else None,
    }
    return _render_fragment(
        request, "web/_dashboard_figures.html", "web/dashboard_figures.html", context
    )


# ---- units and quotas ----------------------------------------------------------


def _under(request: HttpRequest) -> int | None:
    """The `under` unit id of a level page's plain link (None when absent or not a number)."""
    raw = request.GET.get("under", "")
    return int(raw) if raw.isdigit() else None


def _unit_level_context(request: HttpRequest, under_id: int | None) -> dict[str, Any]:
    """One level of the tree: the top units (or `under`) and their children,
    each unit's own quota state; deeper levels load on demand (decision 0109)."""
    actor = request.user
    under = unit_get(actor=actor, pk=under_id) if under_id else None
    show_quota = has_perm(actor, "org.view_quota")
    level = unit_level(actor=actor, under=under, quota="own" if show_quota else "")
    rows = [
        {
            "unit": u,
            "indent": u.depth - level.top_depth,
            "quota": level.quota[u.pk].own if u.pk in level.quota else None,
            "expand": u.pk in level.with_children and u not in level.anchors,
        }
        for u in level.units
    ]
    return {"rows": rows, "show_quota": show_quota, "under": under}


@page
def unit_tree(request: HttpRequest) -> HttpResponse:
    return render(request, "web/unit_list.html", _unit_level_context(request, _under(request)))


@page
def unit_children(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the unit's row and its children's rows (404 out of scope)."""
    return render(request, "web/unit_rows.html", _unit_level_context(request, pk))


@page
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    unit = unit_get(actor=actor, pk=pk)
    ancestors = list(unit_list(actor=actor).filter(path__in=path_and_ancestors(unit.path)[:-1]))
    children = list(unit_list(actor=actor, under=unit).filter(depth=unit.depth + 1))
    posts = list(post_list(actor=actor, unit=unit))
    occupancy = post_occupancy(posts=posts)
    post_rows = [
        {
            "post": p,
            "occupied": occupancy.get(p.pk, 0),
            "free": max(p.seats - occupancy.get(p.pk, 0), 0),
        }
        for p in posts
    ]
    report = _permitted(lambda: quota_report(actor=actor, under=unit))
    own_quota: UnitQuota | None = None
    if report is not None:
        own_quota = next((r for r in report if r.unit_id == unit.pk), None)
    return render(
        request,
        "web/unit_detail.html",
        {
            "unit": unit,
            "ancestors": ancestors,
            "children": children,
            "post_rows": post_rows,
            "quota": own_quota,
            "show_quota": report is not None,
        },
    )


def _quota_context(request: HttpRequest) -> dict[str, Any]:
    """The full report (exports): every unit of the scope or of `under`'s subtree."""
    actor = request.user
    form = QuotaFilterForm(request.GET or None, initial={"on": today()})
    under_id, on = form.values()
    under = unit_get(actor=actor, pk=under_id) if under_id else None
    on = on or today()
    report = quota_report(actor=actor, under=under, on=on)
    return {
        "form": form,
        "under": under,
        "on": on,
        "report": report,
        "rows": quota_rows(report),
        "totals": report_totals(report),
        "headers": quota_headers(),
    }


#: A level whose subtree totals cover more units than this (the superuser's
#: province: 10,000 units, a grouped read of every quota and tenure) shows the
#: page first and loads its rows after it (decision 0113).
QUOTA_INLINE_UNITS = 300


def _quota_page_context(
    request: HttpRequest, under_id: int | None, *, defer: bool
) -> dict[str, Any]:
    """One level of the report (below); with `defer`, when the level covers
    more than QUOTA_INLINE_UNITS units, only the page around its rows (which
    `quota_level` then answers)."""
    actor = request.user
    require_perm(actor, "org.view_quota")
    form = QuotaFilterForm(request.GET or None, initial={"on": today()})
    on = form.values()[1] or today()
    under = unit_get(actor=actor, pk=under_id) if under_id else None
    if defer and units_more_than(actor=actor, under=under, limit=QUOTA_INLINE_UNITS):
        return {"form": form, "under": under, "on": on, "deferred": True,
                "headers": quota_headers()}  # fmt: skip
    return _quota_level_context(request, under, form=form, on=on)


def _quota_level_context(
    request: HttpRequest, under: Unit | None, *, form: QuotaFilterForm, on: dt.date
) -> dict[str, Any]:
    """One level of the report: the top units (or `under`) and their children,
    each with its levels and its subtree total; deeper levels load on demand."""
    actor = request.user
    level = unit_level(actor=actor, under=under, quota="subtree", on=on)
    # Each row links its unit three ways: one reverse() per name, not per row
    # (a top level at province scale has hundreds of rows).
    detail, children = pk_url("web:unit_detail"), pk_url("web:quota_children")
    query = f"?on={on.isoformat()}"
    report = reverse("web:quota")
    groups: list[dict[str, Any]] = [
        {
            "unit": u,
            "indent": u.depth - level.top_depth,
            "rows": quota_rows([level.quota[u.pk]]),
            "expand": u.pk in level.with_children and u not in level.anchors,
            "detail_url": detail(u.pk),
            "open_url": f"{report}?under={u.pk}&on={on.isoformat()}",
            "children_url": children(u.pk) + query,
        }
        for u in level.units
    ]
    totals = Counts()
    for anchor in level.anchors:
        totals.add(level.quota[anchor.pk].subtree)
    return {
        "form": form,
        "under": under,
        "on": on,
        "groups": groups,
        "rows": [r for g in groups for r in g["rows"]],
        "totals": totals,
        "headers": quota_headers(),
    }


@page
def quota(request: HttpRequest) -> HttpResponse:
    context = _quota_page_context(request, _under(request), defer=True)
    return render(request, "web/quota_report.html", context)


@page
def quota_level(request: HttpRequest) -> HttpResponse:
    """The rows of the report's level (the top, or `under`) with its total:
    loaded by htmx after a page whose level is too large to wait for; the
    whole report page, rows included, without JS."""
    context = _quota_page_context(request, _under(request), defer=False)
    return _render_fragment(request, "web/_quota_level.html", "web/quota_report.html", context)


@page
def quota_children(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the unit's rows and its children's rows (404 out of scope)."""
    return render(request, "web/quota_rows.html", _quota_page_context(request, pk, defer=False))


def _export_name(on: dt.date, ext: str) -> str:
    return f"{_('职数统计')}-{on.isoformat()}.{ext}"


def _quota_exported(request: HttpRequest, ctx: dict[str, Any], fmt: str) -> None:
    access_record(
        actor=request.user,
        kind=AccessKind.EXPORT,
        subject=("org.quota", "report"),
        label=_("职数统计"),
        detail={"export": "quota", "format": fmt, "on": ctx["on"].isoformat(),
                "rows": len(ctx["rows"])},
    )  # fmt: skip


@page
def quota_csv(request: HttpRequest) -> HttpResponse:
    ctx = _quota_context(request)
    _quota_exported(request, ctx, "csv")
    return csv_response(
        _export_name(ctx["on"], "csv"), ctx["headers"], [r.cells() for r in ctx["rows"]]
    )


@page
def quota_xlsx(request: HttpRequest) -> HttpResponse:
    ctx = _quota_context(request)
    _quota_exported(request, ctx, "xlsx")
    return xlsx_response(
        _export_name(ctx["on"], "xlsx"),
        _("职数统计"),
        ctx["headers"],
        [r.cells() for r in ctx["rows"]],
    )


# ---- cadres --------------------------------------------------------------------


def _cadre_row(actor: Any, cadre: Cadre, on: dt.date) -> dict[str, Any]:
    return {
        "cadre": cadre,
        "age": cadre_ages(cadre, on).age,
        "id_number": shown_id_number(actor=actor, cadre=cadre),
    }


@page
def cadre_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    form = CadreSearchForm(request.GET or None, units=scope_units(actor), actor=actor)
    cadres = cadre_search(actor=actor, filters=form.filters())
    page_obj = CappedPaginator(cadres, CADRES_PER_PAGE).get_page(request.GET.get("page"))
    on = today()
    context = {
        "form": form,
        "page_obj": page_obj,
        "count_cap": CADRE_COUNT_CAP,
        "rows": [_cadre_row(actor, c, on) for c in page_obj],
    }
    template = "web/_cadre_results.html" if _partial(request) else "web/cadre_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _visible_units(actor: Any, units: list[Unit]) -> set[int]:
    """Which of these units (read with their paths) the actor may open, as
    unit_list would answer: no query (decision 0168)."""
    if not units or not has_perm(actor, "org.view_unit"):
        return set()
    return {u.pk for u in units if unit_in_scope(actor, u)}


def _reserve_places(actor: Any, cadre: Cadre) -> list[Any]:
    """The cadre's places on 后备干部 lists (decision 0155)."""
    from xuanren.reserves.selectors import cadre_memberships

    return cadre_memberships(actor=actor, cadre=cadre)


def _cadre_page_probes() -> dict[str, QuerySet[Any]]:
    """The cadre page's lists kept by other apps, each as rows about the
    cadre in any scope (looser than the list itself): asked with the cadre's
    row, and a list without a row is not read (decision 0168)."""
    from xuanren.assessment.models import AssessedCadre
    from xuanren.observation.models import Observation
    from xuanren.people.models import TemporaryPosting
    from xuanren.policy.models import PromotionException
    from xuanren.reserves.models import Member
    from xuanren.rotation.models import ExchangeRecord, RotationPlanEntry
    from xuanren.supervision.models import Report
    from xuanren.workforce.models import EntryRecord

    cadre = OuterRef("pk")
    return {
        "lines": AssessedCadre.objects.filter(cadre_id=cadre),
        "reserve_places": Member.objects.filter(cadre_id=cadre),
        "postings": TemporaryPosting.objects.filter(cadre_id=cadre),
        "reports": Report.objects.filter(Q(cadre_id=cadre) | Q(candidate__cadre_id=cadre)),
        "observations": Observation.objects.filter(cadre_id=cadre),
        "obligations": PromotionException.objects.filter(cadre_id=cadre),
        "exchanges": ExchangeRecord.objects.filter(cadre_id=cadre),
        "rotation_entries": RotationPlanEntry.objects.filter(cadre_id=cadre),
        "entry": EntryRecord.objects.filter(cadre_id=cadre),
    }


@page
def cadre_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    cadre = cadre_get(actor=actor, pk=pk, probes=_cadre_page_probes())

    def has(name: str) -> bool:
        return cadre_has(cadre, name)

    remember_unit(actor, cadre.unit)  # the posts form's unit, already read
    id_number = shown_id_number(actor=actor, cadre=cadre, full=True)
    cadre_look_record(actor=actor, cadre=cadre, full_id_number=id_number == cadre.id_number)
    on = today()
    educations = list(cadre.educations.all())
    family = list(cadre.family_members.all())
    visible = _visible_units(
        actor, [f.related_cadre.unit for f in family if f.related_cadre is not None]
    )
    tenures = list(cadre.tenures.all())
    trainings = list(cadre.trainings.all())
    context = {
        "cadre": cadre,
        "on": on,
        "ages": cadre_ages(cadre, on),
        "id_number": id_number,
        "full_time": [e for e in educations if e.kind == EducationKind.FULL_TIME],
        "in_service": [e for e in educations if e.kind in IN_SERVICE_KINDS],
        "resume": [
            {"period": resume_period(e), "text": e.text, "note": e.note}
            for e in cadre.resume_entries.all()
        ],
        "tenures": [
            {"tenure": t, "current": t.start_date <= on and (t.end_date is None or t.end_date > on)}
            for t in tenures
        ],
        "family": [
            {
                "member": f,
                "link": f.related_cadre
                if f.related_cadre is not None and f.related_cadre.unit_id in visible
                else None,
            }
            for f in family
        ],
        "assessments": list(cadre.assessments.all()),
        "assessment_rows": assessment_rows(
            list(cadre.assessments.all()),
            cadre_lines(actor=actor, cadre_id=cadre.pk) if has("lines") else [],
        ),
        "reserve_places": _reserve_places(actor, cadre) if has("reserve_places") else [],
        "records": [
            {"record": r, "in_effect": punishment_in_effect(r, on)}
            for r in cadre.rewards_punishments.all()
        ],
        "trainings": trainings,
        "training_hours": sum(t.hours for t in trainings),
        "postings": cadre_postings(cadre) if has("postings") else [],
        # Only for those who may read reports (docs/decisions/0129).
        "linked_reports": cadre_reports(actor=actor, cadre=cadre) if has("reports") else [],
        # The warning talks and observation periods (docs/decisions/0156).
        "observations": (
            cadre_observations(actor=actor, cadre=cadre) if has("observations") else []
        ),
        # How the cadre entered (凡进必考, docs/decisions/0181).
        "entry": entry_of(actor=actor, cadre=cadre) if has("entry") else None,
        "may_read_entry": has_perm(actor, ENTRY_VIEW),
        "may_open_observation": has_perm(actor, OBSERVATION_OPEN)
        and has_perm(actor, "people.change_cadre")
        and cadre.status == CadreStatus.ACTIVE,
        # 轮岗交流 (docs/decisions/0175–0178).
        "rotation_alerts": cadre_alerts(actor=actor, cadre=cadre, on=on),
        "exchange_records": cadre_exchanges(actor=actor, cadre=cadre) if has("exchanges") else [],
        "rotation_entries": (
            cadre_plan_entries(actor=actor, cadre=cadre) if has("rotation_entries") else []
        ),
        "may_record_exchange": has_perm(actor, EXCHANGE_PERM),
        **training_summary(trainings),
        "obligations": (
            training_obligations(actor=actor, on=on, cadre=cadre, include_fulfilled=True)
            if has("obligations")
            else []
        ),
        "posts_form": CadrePostsForm(
            initial={"unit": cadre.unit_id, "ref_date": on},
            units=scope_units(actor),
            actor=actor,
        ),
    }
    return render(request, "web/cadre_detail.html", context)


def _cadre_any_status(actor: Any, pk: int) -> Cadre:
    """Any cadre in the actor's scope, whatever their status; NotFound otherwise."""
    cadre = cadre_search(actor=actor, filters=CadreFilters(status="")).filter(pk=pk).first()
    if cadre is None:
        raise NotFound(_("未找到该干部，或其不在您的管理范围内。"))
    return cadre


@page
def cadre_posts(request: HttpRequest, pk: int) -> HttpResponse:
    """可任职位: every post of one unit and whether the cadre qualifies for it."""
    actor = request.user
    cadre = _cadre_any_status(actor, pk)
    form = CadrePostsForm(request.GET or None, units=scope_units(actor), actor=actor)
    unit_id, ref = form.values()
    ref = ref or today()
    unit = unit_get(actor=actor, pk=unit_id) if unit_id else None
    verdicts = (
        eligible_posts(actor=actor, cadre=cadre, unit=unit, ref=ref, only_eligible=False)
        if unit is not None
        else []
    )
    rows = post_verdict_rows(verdicts)
    context = {
        "cadre": cadre,
        "unit": unit,
        "ref": ref,
        "posts_form": form,
        "rows": rows,
        "eligible_n": sum(r.eligible for r in rows),
    }
    return _render_fragment(request, "web/_cadre_posts.html", "web/cadre_posts.html", context)


# ---- 智能选人 ---------------------------------------------------------------------


def _eligible_list(actor: Any, found: Screening, form: CandidateSearchForm) -> QuerySet[Cadre]:
    """The screening's eligible cadres, narrowed by the list's own filters and
    put in the chosen order."""
    eligible = found.eligible()
    filters = form.filters(found.ref)
    if filters is not None:
        eligible = eligible.filter(pk__in=cadre_search(actor=actor, filters=filters).values("pk"))
    if form.reserve_only():
        from xuanren.reserves.selectors import on_list_q

        eligible = eligible.filter(on_list_q(found.ref))
    return eligible.select_related("unit").order_by(*form.ordering())


def _shown_assessments(years: list[int]) -> Prefetch:
    """The assessments of the list's years only (not every year on record)."""
    return Prefetch("assessments", queryset=Assessment.objects.filter(year__in=years))


def _candidate_page(eligible: QuerySet[Cadre], number: str | None, years: list[int]) -> Page:
    """One page of the eligible list with the list's total from the same query
    (a window count), not a second screening for the paginator's count. The
    screening returns only the page's ids and the total (narrow rows through
    the sort and the window, decision 0167); the page's cadres, with their
    units and the shown years' assessments, are then read by primary key."""
    paginator = Paginator(eligible, CANDIDATES_PER_PAGE)
    try:
        n = int(number or 1)
    except ValueError:
        n = 0
    if n >= 1:
        start = (n - 1) * CANDIDATES_PER_PAGE
        window = (
            eligible.prefetch_related(None)
            .annotate(listed_total=Window(Count("pk")))
            .values_list("pk", "listed_total")
        )
        found = list(window[start : start + CANDIDATES_PER_PAGE])
        if found:
            paginator.__dict__["count"] = found[0][1]  # Paginator.count is cached
            rows = (
                Cadre.objects.filter(pk__in=[pk for pk, _total in found])
                .select_related("unit")
                .prefetch_related(_shown_assessments(years))
            )
            by_pk = {c.pk: c for c in rows}
            return Page([by_pk[pk] for pk, _total in found if pk in by_pk], n, paginator)
    return paginator.get_page(number)  # none, past the end or not a number: as any pager


def _candidates_context(request: HttpRequest) -> dict[str, Any]:
    actor = request.user
    # Another page of the list does not show the post select.
    listing_only = _htmx_target(request) == "eligible"
    # A scope of more than POST_SELECT_MAX active posts: the picker (decision 0111).
    posts = [] if listing_only else scope_post_options(actor)
    form = CandidateSearchForm(
        request.GET or None, posts=posts, initial={"ref_date": today(), "sort": "unit"}
    )
    ref = form.reference_date(today())
    post_id = form.post_id()
    context: dict[str, Any] = {"form": form, "ref": ref, "post": None, "sort": form.sort_key()}
    picker = form.fields["post"].widget
    typed = request.GET.get("post_q", "").strip()
    if isinstance(picker, PostPicker) and (typed or (post_id is None and "post_q" in request.GET)):
        # Without JavaScript the search box is submitted with the form: the
        # matches are listed as links that keep the page's other fields (the
        # script empties the box once a post is chosen).
        keep = {k: v for k, v in request.GET.items() if k not in ("post", "post_q", "page") and v}
        picker.found, picker.hint = post_matches(actor, request.GET["post_q"], keep)
    if post_id is None:
        return context
    post = post_get(actor=actor, pk=post_id)
    if isinstance(picker, PostPicker):
        picker.label = post_label(post)
    # Rules, waivers and the candidates' base are built once for the whole page.
    found = screening(actor=actor, post=post, ref=ref)
    years = assessment_years(ref)
    eligible = _eligible_list(actor, found, form).prefetch_related(_shown_assessments(years))
    page_obj = _candidate_page(eligible, request.GET.get("page"), years)
    context.update(
        post=post,
        years=years,
        page_obj=page_obj,
        rows=[candidate_row(c, ref, years) for c in page_obj],
        filtered=form.narrowed(ref),
        lookup_form=CadreLookupForm(initial={"post": post.pk, "ref_date": ref}),
    )
    if not listing_only:
        # The whole screening, not just another page of its list. The exclusion
        # counts come after, from candidate_counts (decision 0108).
        context.update(
            eligible_count=(
                found.eligible().count() if context["filtered"] else page_obj.paginator.count
            ),
        )
    return context


@page
def candidates(request: HttpRequest) -> HttpResponse:
    context = _candidates_context(request)
    if not _partial(request):
        template = "web/candidates.html"
    elif _htmx_target(request) == "eligible":
        template = "web/_candidate_list.html"
    else:
        template = "web/_candidate_screening.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


def _screening_request(request: HttpRequest) -> tuple[CandidateSearchForm, Post, dt.date]:
    """The search form, the post (in the user's scope, else 404) and the
    reference date of a request about one post's screening."""
    form = CandidateSearchForm(request.GET or None)
    post_id = form.post_id()
    if post_id is None:
        raise NotFound(_("请先选择拟任职位。"))
    return form, post_get(actor=request.user, pk=post_id), form.reference_date(today())


def _counts_back(post: Post, ref: dt.date) -> str:
    return urlencode({"post": post.pk, "ref_date": ref.isoformat()})


def _counts_job_context(found: Screening, job: ImportJob | None) -> dict[str, Any]:
    """The rules table of a large screening (decision 0112): the rules and
    their sources at once, the counts from the actor's background job when it
    is done, its state while it is not, and the form that starts one."""
    done = job is not None and job.status == JobStatus.SUCCEEDED and job.result is not None
    result: dict[str, Any] = (job.result or {}) if done and job is not None else {}
    interrupted = job is not None and is_interrupted(job)
    active = (
        job is not None and job.status in (JobStatus.QUEUED, JobStatus.RUNNING) and not interrupted
    )
    return {
        "background": True,
        "job": job,
        "job_active": active,
        "job_interrupted": interrupted,
        "job_done": done,
        "poll_url": reverse("web:candidate_counts_job", args=[job.pk]) if active and job else "",
        "rule_counts": found.rule_lines(result.get("counts") if done else None),
        "considered": result.get("considered") if done else None,
        "threshold": settings.XUANREN_SCREENING_BACKGROUND_CANDIDATES,
    }


@page
def candidate_counts(request: HttpRequest) -> HttpResponse:
    """How many candidates each rule excludes: loaded by htmx after the list
    (the page does not wait on the aggregate), a page of its own without JS.
    Past XUANREN_SCREENING_BACKGROUND_CANDIDATES candidates the aggregate is a
    background job the user starts (decision 0112); the rules show at once."""
    actor = request.user
    _form, post, ref = _screening_request(request)
    # Rules, waivers and the candidates' base built once for this request too.
    found = screening(actor=actor, post=post, ref=ref)
    considered = found.considered_up_to(settings.XUANREN_SCREENING_BACKGROUND_CANDIDATES)
    context: dict[str, Any] = {"post": post, "ref": ref, "back": request.GET.urlencode()}
    if in_background(considered):
        job = screening_counts_job(actor=actor, post=post, ref=ref)
        context.update(_counts_job_context(found, job))
    else:
        context.update(rule_counts=found.failure_counts(), considered=considered)
    return _render_fragment(
        request, "web/_candidate_counts.html", "web/candidate_counts.html", context
    )


@login_page(methods=("POST",))
def candidate_counts_start(request: HttpRequest) -> HttpResponse:
    """Start the background count of a large screening (or find the one under
    way); a small one is counted by candidate_counts itself. htmx gets the
    table that polls the job; without JS, the job's page."""
    actor = request.user
    form = CandidateSearchForm(request.POST)
    post_id = form.post_id()
    if post_id is None:
        raise NotFound(_("请先选择拟任职位。"))
    post = post_get(actor=actor, pk=post_id)
    ref = form.reference_date(today())
    job = screening_counts_start(actor=actor, post=post, ref=ref)
    if job is None:
        target = reverse("web:candidate_counts") + "?" + _counts_back(post, ref)
        return HttpResponseRedirect(target, status=303)
    if _partial(request):
        return _counts_job_response(request, job, post, ref)
    return HttpResponseRedirect(reverse("web:candidate_counts_job", args=[job.pk]), status=303)


@page
def candidate_counts_job(request: HttpRequest, pk: int) -> HttpResponse:
    """A background count's state and, once done, the rules table with its
    counts: polled by htmx, a page of its own without JS. Its requester only."""
    job, post, ref = screening_counts_job_get(actor=request.user, pk=pk)
    return _counts_job_response(request, job, post, ref)


def _counts_job_response(
    request: HttpRequest, job: ImportJob, post: Post, ref: dt.date
) -> HttpResponse:
    found = screening(actor=request.user, post=post, ref=ref)
    context: dict[str, Any] = {"post": post, "ref": ref, "back": _counts_back(post, ref)}
    context.update(_counts_job_context(found, job))
    return _render_fragment(
        request, "web/_candidate_counts.html", "web/candidate_counts.html", context
    )


@page
def candidates_xlsx(request: HttpRequest) -> HttpResponse:
    """The whole eligible list (with the page's filters and order) as XLSX."""
    actor = request.user
    form, post, ref = _screening_request(request)
    years = assessment_years(ref)
    found = screening(actor=actor, post=post, ref=ref)
    eligible = _eligible_list(actor, found, form).prefetch_related(_shown_assessments(years))
    rows = [candidate_row(c, ref, years).cells() for c in eligible.iterator(chunk_size=2000)]
    title = _("符合条件干部")
    access_record(
        actor=actor,
        kind=AccessKind.EXPORT,
        subject=post,
        label=f"{title}：{post.unit.name}{post.title}",
        detail={
            "export": "candidates",
            "format": "xlsx",
            "ref_date": ref.isoformat(),
            "filters": {k: v for k, v in request.GET.items() if k != "page"},
            "rows": len(rows),
        },
    )
    return xlsx_response(
        f"{title}-{post.unit.name}{post.title}-{ref.isoformat()}.xlsx",
        title,
        candidate_headers(years),
        rows,
    )


@page
def candidate_explain(request: HttpRequest) -> HttpResponse:
    """Rule by rule, why a cadre is or is not eligible for a post."""
    actor = request.user
    form = CandidateExplainForm(request.GET)
    if not form.is_valid():
        raise NotFound(_("请指定职位和干部。"))
    post = post_get(actor=actor, pk=form.cleaned_data["post"])
    cadre = _cadre_any_status(actor, form.cleaned_data["cadre"])
    ref = form.cleaned_data["ref_date"] or today()
    explanation = explain_for(actor=actor, cadre=cadre, post=post, ref=ref)
    context = {
        "post": post,
        "cadre": cadre,
        "ref": ref,
        "view": explanation_view(explanation, post_facts(post)),
    }
    return _render_fragment(
        request, "web/_candidate_explain.html", "web/candidate_explain.html", context
    )


@page
def candidate_lookup(request: HttpRequest) -> HttpResponse:
    """Find any cadre by name, to open their explanation even when not eligible."""
    actor = request.user
    form = CadreLookupForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    q = (data.get("q") or "").strip()
    post = post_get(actor=actor, pk=data["post"]) if data.get("post") else None
    found: list[Cadre] = []
    if q:
        found = list(
            cadre_search(actor=actor, filters=CadreFilters(q=q, status=""))[: LOOKUP_LIMIT + 1]
        )
    context = {
        "form": form,
        "q": q,
        "post": post,
        "ref": data.get("ref_date") or today(),
        "found": found[:LOOKUP_LIMIT],
        "more": len(found) > LOOKUP_LIMIT,
        "in_panel": _partial(request),
    }
    return _render_fragment(
        request, "web/_candidate_lookup.html", "web/candidate_lookup.html", context
    )
