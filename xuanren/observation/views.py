"""Pages of the poor-performance track (docs/decisions/0156): the list of
observations with their due dates, recording a warning talk from the cadre
page, and an observation's page with its outcome form. Out of scope 404, may
see but not change 403; every check is the services'."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from xuanren.access.policy import has_perm, require_unit, unit_in_scope
from xuanren.common.dates import today
from xuanren.common.errors import Conflict, ValidationFailed
from xuanren.observation.export import observations_export
from xuanren.observation.forms import CloseForm, CorrectForm, OpenForm
from xuanren.observation.models import ObservationStatus
from xuanren.observation.selectors import (
    LIST_LIMIT,
    demotion_posts,
    observation_corrections,
    observation_get,
    observations,
)
from xuanren.observation.services import (
    CLOSE_PERM,
    OPEN_PERM,
    OUTCOME_FIELDS,
    TALK_FIELDS,
    observation_close,
    observation_correct,
    observation_open,
)
from xuanren.people.selectors import cadre_get
from xuanren.supervision.forms import put_errors
from xuanren.web.exports import xlsx_bytes_response
from xuanren.web.pages import FORMS, SAFE, login_page


@login_page(methods=SAFE)
def observation_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in ObservationStatus.values:
        status = ""
    rows = list(observations(actor=request.user, status=status)[: LIST_LIMIT + 1])
    context = {
        "rows": rows[:LIST_LIMIT],
        "more": len(rows) > LIST_LIMIT,
        "status": status,
        "statuses": ObservationStatus.choices,
        "on": today(),
    }
    return render(request, "observation/list.html", context)


@login_page(methods=FORMS)
def observation_new(request: HttpRequest, cadre: int) -> HttpResponse:
    actor = request.user
    person = cadre_get(actor=actor, pk=cadre)  # out of scope: 404
    require_unit(actor, OPEN_PERM, person.unit)  # may see, not record: 403
    tenures = [t for t in person.tenures.all() if t.end_date is None]
    posting = request.method == "POST"
    initial: dict[str, object] = {"talk_date": today()}
    if len(tenures) == 1:
        initial["tenure"] = tenures[0].pk
    form = OpenForm(request.POST if posting else None, initial=initial, tenures=tenures)
    status = 200
    if posting:
        status = 422
        if form.is_valid():
            d = form.cleaned_data
            try:
                made = observation_open(
                    actor=actor,
                    cadre=person,
                    tenure=next(t for t in tenures if t.pk == d["tenure"]),
                    talk_date=d["talk_date"],
                    talked_by=d["talked_by"],
                    reason_kind=d["reason_kind"],
                    reason=d["reason"],
                    talk_record=d["talk_record"],
                    assessment_year=d["assessment_year"],
                    document=d["document"],
                )
            except ValidationFailed as exc:
                put_errors(form, exc)
            except Conflict as exc:
                form.add_error(None, exc.message)
                status = 409
            else:
                messages.success(
                    request,
                    _("已登记诫勉谈话，察看期至 %(d)s 期满。") % {"d": f"{made.ends_on:%Y.%m.%d}"},
                )
                return HttpResponseRedirect(reverse("observation:observation", args=[made.pk]))
    context = {"cadre": person, "form": form, "tenures": tenures}
    return render(request, "observation/new.html", context, status=status)


@login_page(methods=FORMS)
def observation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    obs = observation_get(actor=actor, pk=pk)  # out of scope: 404
    correcting = request.method == "POST" and request.POST.get("action") == "correct"
    posting = request.method == "POST" and not correcting
    if request.method == "POST":
        require_unit(actor, CLOSE_PERM, obs.cadre.unit)  # may see, not decide: 403
    may_correct = has_perm(actor, CLOSE_PERM) and unit_in_scope(actor, obs.cadre.unit)
    closed = obs.status == ObservationStatus.CLOSED
    correct_form = None
    status = 200
    if may_correct:
        correct_form = CorrectForm(
            request.POST if correcting else None,
            closed=closed,
            initial={f: getattr(obs, f) for f in (*TALK_FIELDS, *OUTCOME_FIELDS)},
        )
        if correcting:
            status = 422
            if correct_form.is_valid():
                try:
                    observation_correct(
                        actor=actor,
                        observation=obs,
                        why=correct_form.cleaned_data["why"],
                        changes=correct_form.changes(),
                    )
                except ValidationFailed as exc:
                    put_errors(correct_form, exc)
                except Conflict as exc:
                    correct_form.add_error(None, exc.message)
                    status = 409
                else:
                    messages.success(request, _("已更正，更正记录见本页。"))
                    return HttpResponseRedirect(reverse("observation:observation", args=[obs.pk]))
    may_close = (
        obs.status == ObservationStatus.OPEN
        and has_perm(actor, CLOSE_PERM)
        and unit_in_scope(actor, obs.cadre.unit)
    )
    form = None
    if may_close or posting:
        posts = demotion_posts(actor=actor, observation=obs)
        form = CloseForm(
            request.POST if posting else None,
            initial={"decided_on": max(today(), obs.ends_on)},
            posts=posts,
        )
        if posting:
            status = 422
            if form.is_valid():
                d = form.cleaned_data
                post = next((p for p in posts if p.pk == d["post"]), None)
                try:
                    observation_close(
                        actor=actor,
                        observation=obs,
                        outcome=d["outcome"],
                        decided_on=d["decided_on"],
                        note=d["note"],
                        document=d["document"],
                        post=post,
                        rank=d["rank"],
                    )
                except ValidationFailed as exc:
                    put_errors(form, exc)
                except Conflict as exc:
                    form.add_error(None, exc.message)
                    status = 409
                else:
                    messages.success(request, _("察看结论已记录。"))
                    return HttpResponseRedirect(reverse("observation:observation", args=[obs.pk]))
    on = today()
    context = {
        "obs": obs,
        "form": form if (may_close or posting) else None,
        "on": on,
        "last_day": obs.ends_on - dt.timedelta(days=1),
        "overdue": obs.status == ObservationStatus.OPEN and obs.ends_on < on,
        "correct_form": correct_form,
        "corrections": observation_corrections(actor=actor, observation=obs),
    }
    return render(request, "observation/detail.html", context, status=status)


@login_page(methods=SAFE)
def observation_xlsx(request: HttpRequest) -> HttpResponse:
    """The list as XLSX, the same status filter and scope as the page."""
    return xlsx_bytes_response(
        *observations_export(actor=request.user, status=request.GET.get("status", ""))
    )
