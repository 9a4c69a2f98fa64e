"""Ending a case before its last step: 终止 or 撤回 with a reason, confirmed
on its own page (the case page links here). The view is thin: the case is
read through its selector and ended by `case_terminate`, which does every
check (decision 0068)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuanren.ballots.selectors import case_meetings_unfinished
from xuanren.common.errors import Conflict, ValidationFailed
from xuanren.procedure.catalogue import STEPS
from xuanren.procedure.models import CaseStatus
from xuanren.procedure.selectors import case_get
from xuanren.procedure.services import CaseEnd, case_terminate
from xuanren.web.cases import _require_change, form_page


class CaseTerminateForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("处理方式"),
        choices=[
            (CaseEnd.TERMINATE, gettext_lazy("终止（组织部门决定不再继续选任）")),
            (CaseEnd.WITHDRAW, gettext_lazy("撤回（立项有误或动议建议撤回）")),
        ],
        initial=CaseEnd.TERMINATE,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=gettext_lazy("理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("请写明终止或撤回的理由。")},
    )


@form_page
def case_terminate_page(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the confirm form; POST: end the case and go back to it."""
    actor = request.user
    case = case_get(actor=actor, pk=pk)
    _require_change(actor, case)
    form = CaseTerminateForm(request.POST if request.method == "POST" else None)
    error = ""
    status = 200
    if case.status != CaseStatus.OPEN:
        error = _("该事项%(s)s，不能再终止或撤回。") % {"s": case.get_status_display()}
        status = 409
    if request.method == "POST" and not error:
        if form.is_valid():
            try:
                ended = case_terminate(
                    actor=actor,
                    case=case,
                    reason=form.cleaned_data["reason"],
                    kind=form.cleaned_data["kind"],
                )
            except ValidationFailed as exc:
                for e in exc.errors:
                    form.add_error(e.field if e.field in form.fields else None, e.message)
                error, status = exc.message, 422
            except Conflict as exc:
                error, status = exc.message, 409
            else:
                messages.success(
                    request,
                    _("本事项已%(s)s。") % {"s": ended.get_status_display()},
                )
                return HttpResponseRedirect(reverse("web:case_detail", args=[case.pk]))
        else:
            error, status = _("请按提示填写后再提交。"), 422
    context: dict[str, Any] = {
        "case": case,
        "form": form,
        "error": error,
        "step_name": STEPS.get(case.current_step, ""),
        "meetings": list(case_meetings_unfinished(case.pk)) if not error else [],
    }
    return render(request, "web/case_terminate.html", context, status=status)
