"""Editing a cadre's basic information. The form carries the version the
officer saw; when someone saved in between, the page says who changed what
(StaleWrite) and keeps the officer's input, now against the latest version, so
a second save after checking is deliberate (issue 10, item 12)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from xuanren.access.policy import require_unit
from xuanren.common.errors import StaleWrite, ValidationFailed
from xuanren.people.selectors import cadre_get
from xuanren.people.services import CadreInput, cadre_update
from xuanren.web.cadre_forms import CadreEditForm
from xuanren.web.pages import FORMS, login_page


@login_page(methods=FORMS)
def cadre_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    cadre = cadre_get(actor=actor, pk=pk)  # out of scope: 404
    require_unit(actor, "people.change_cadre", cadre.unit)  # may see, may not change: 403
    initial = {**CadreInput.from_cadre(cadre).values(), "version": cadre.version}
    posting = request.method == "POST"
    form = CadreEditForm(request.POST if posting else None, initial=initial)
    stale: StaleWrite | None = None
    status = 200
    if posting:
        status = 422
        if form.is_valid():
            try:
                saved = cadre_update(
                    actor=actor,
                    cadre=cadre,
                    changes=form.changes(),
                    expected_version=form.cleaned_data["version"],
                )
            except StaleWrite as exc:
                stale, status = exc, 409
                data = request.POST.copy()
                data["version"] = str(exc.current_version)
                form = CadreEditForm(data, initial=initial)
            except ValidationFailed as exc:
                for e in exc.errors:
                    form.add_error(e.field if e.field in form.fields else None, e.message)
                if not exc.errors:
                    form.add_error(None, exc.message)
            else:
                messages.success(request, _("干部信息已保存。"))
                for warning in getattr(saved, "warnings", []):
                    messages.warning(request, warning.message)
                return HttpResponseRedirect(reverse("web:cadre_detail", args=[cadre.pk]))
    return render(
        request,
        "web/cadre_edit.html",
        {"cadre": cadre, "form": form, "stale": stale},
        status=status,
    )
