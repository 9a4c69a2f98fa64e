"""A unit's cases for its HR contact (本单位选任事项): the cases filling a
post of their unit, each with its progress (step names, states and dates),
read-only and without the content of any step. docs/decisions/0071."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xuanren.procedure.catalogue import STEPS
from xuanren.procedure.models import CaseStatus
from xuanren.procedure.selectors import unit_case_list, unit_case_progress
from xuanren.web.pages import SAFE, login_page

PER_PAGE = 50

page = login_page(methods=SAFE)


@page
def unit_cases(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in CaseStatus.values:
        status = ""
    cases = unit_case_list(actor=request.user, status=status)
    page_obj = Paginator(cases, PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {
            "case": case,
            "posts": [cp.post for cp in case.case_posts.all()],
            "step": STEPS.get(case.current_step, ""),
        }
        for case in page_obj
    ]
    return render(
        request,
        "web/unit_case_list.html",
        {
            "rows": rows,
            "page_obj": page_obj,
            "status": status,
            "statuses": CaseStatus.choices,
        },
    )


@page
def unit_case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case, progress = unit_case_progress(actor=request.user, pk=pk)
    return render(
        request,
        "web/unit_case_detail.html",
        {
            "case": case,
            "posts": list(case.case_posts.all()),
            "progress": progress,
            "step": STEPS.get(case.current_step, ""),
        },
    )
