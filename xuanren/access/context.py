"""Where a request comes from, for the lockout (axes) and the access record.

The middleware puts the request's path and client address in a context
variable, so that a service recording a look at personal data knows where it
was asked from without every caller passing the request down (and a command
run from the shell records "命令行" instead).
"""

from __future__ import annotations

import ipaddress
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from xuanren.common.http import client_address


def axes_client_address(request: HttpRequest) -> str | None:
    """client_address for django-axes: None when it is not an IP address
    (a test request without REMOTE_ADDR), since axes stores it in an inet
    column on PostgreSQL."""
    address = client_address(request)
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return None
    return address


@dataclass(frozen=True)
class RequestContext:
    path: str
    address: str


#: No request (a command, a test calling a service): path and address empty.
NO_REQUEST = RequestContext(path="", address="")
_current: ContextVar[RequestContext] = ContextVar("xuanren_request", default=NO_REQUEST)


def current_request() -> RequestContext:
    return _current.get()


def enter_request(request: HttpRequest) -> object:
    """Set the context for this request; returns the token to reset it."""
    return _current.set(RequestContext(path=request.path[:500], address=client_address(request)))


def leave_request(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]


# ---- the main menu (docs/decisions/0072) --------------------------------------------


@dataclass(frozen=True)
class NavItem:
    """One menu entry and what its page checks: every permission in `all_of`,
    at least one of `any_of`, not `unless` (a role that has a fuller page for
    the same thing), staff for the admin site."""

    url_name: str
    label: Any
    here: tuple[str, ...] = ()
    all_of: tuple[str, ...] = ()
    any_of: tuple[str, ...] = ()
    unless: str = ""
    staff: bool = False

    def is_here(self, view_name: str) -> bool:
        """The current page is one of this entry's: `here` names it by its
        view name ("rotation:plan") where bare names of two apps collide, or
        by its bare name."""
        return view_name in self.here or view_name.rpartition(":")[2] in self.here

    def opens_for(self, user: Any) -> bool:
        from xuanren.access.policy import has_perm

        if self.staff and not getattr(user, "is_staff", False):
            return False
        if any(not has_perm(user, p) for p in self.all_of):
            return False
        if self.any_of and not any(has_perm(user, p) for p in self.any_of):
            return False
        return not (self.unless and has_perm(user, self.unless))


def _nav() -> tuple[NavItem, ...]:
    from django.utils.translation import gettext_lazy as _
    from django.utils.translation import pgettext_lazy

    return (
        NavItem("web:dashboard", _("首页"), ("dashboard",)),
        NavItem("web:unit_list", _("单位职位"), ("unit_list", "unit_detail"),
                all_of=("org.view_unit",)),
        NavItem("web:quota", _("职数统计"), ("quota",), all_of=("org.view_quota",)),
        NavItem("web:cadre_list", _("干部信息"),
                ("cadre_list", "cadre_detail", "cadre_posts", "cadre_edit"),
                all_of=("people.view_cadre",)),
        NavItem("statistics:structure", _("结构分析"),
                ("structure", "targets", "target_add", "target_edit", "target_retire"),
                all_of=("people.view_cadre",)),
        NavItem("web:candidates", _("智能选人"),
                ("candidates", "candidate_explain", "candidate_lookup"),
                all_of=("org.view_post", "people.view_cadre")),
        NavItem("web:case_list", pgettext_lazy("nav", "选任事项"),
                ("case_list", "case_new", "case_detail", "case_step", "case_correct",
                 "case_record"),
                all_of=("procedure.view_case",)),
        NavItem("web:unit_case_list", _("本单位选任事项"),
                ("unit_case_list", "unit_case_detail"),
                all_of=("procedure.view_motionproposal",), unless="procedure.view_case"),
        NavItem("web:todo", _("待办"), ("todo",), all_of=("procedure.view_case",)),
        NavItem("reserves:reserve_rounds", _("后备干部"), ("reserve_rounds", "reserve_round", "reserve_review"),
                all_of=("reserves.view_reserveround",)),
        NavItem("statistics:selection", _("选人用人统计"), ("selection", "selection_xlsx"),
                all_of=("procedure.view_case",)),
        NavItem("web:motion_proposals", _("动议建议"),
                ("motion_proposals", "motion_proposal_decide"),
                any_of=("procedure.add_motionproposal", "procedure.add_case")),
        NavItem("supervision:inbox", _("举报办理"), ("inbox", "report"),
                all_of=("supervision.view_report",)),
        NavItem("supervision:channel_inbox", _("举报咨询"),
                ("channel_inbox", "channel_new", "channel_entry"),
                all_of=("supervision.view_report",)),
        NavItem("supervision:lookback_list", _("回头看"),
                ("lookback_list", "lookback", "rectification"),
                all_of=("supervision.view_lookbackrun",)),
        NavItem("supervision:opinion_rounds", _("征询意见"),
                ("opinion_rounds", "opinion_round", "opinion_round_print", "opinion"),
                all_of=("supervision.view_opinionround",)),
        NavItem("supervision:appraisals", _("一报告两评议"),
                ("appraisals", "appraisal", "appraisal_print"),
                all_of=("supervision.view_appraisal",)),
        NavItem("assessment:rounds", _("年度考核"),
                ("rounds", "round", "round_scores", "assessed"),
                all_of=("assessment.view_assessmentround",)),
        NavItem("observation:observation_list", _("察看期"), ("observation_list", "observation_new", "observation"),
                all_of=("observation.view_observation",)),
        NavItem("plans:plan_list", _("工作方案"),
                ("plans:plan_list", "plans:plan_new", "plans:plan", "plans:plan_edit_task", "plans:plan_submit",
                 "plans:plan_form"),
                all_of=("plans.view_workplan",)),
        NavItem("rotation:alerts", _("轮岗交流"), ("rotation:alerts", "rotation:alerts_xlsx", "rotation:plans",
                                   "rotation:plan", "rotation:exchange_new"),
                all_of=("rotation.view_rotation_alerts",)),
        NavItem("workforce:plans", _("超职数消化"), ("workforce:plans", "workforce:plan", "workforce:plan_xlsx"),
                all_of=("workforce.view_digestionplan",)),
        NavItem("workforce:entry_register", _("凡进必考"),
                ("workforce:entry_register", "workforce:entry_xlsx", "workforce:cadre_entry"),
                all_of=("workforce.view_cleanupcase",)),
        NavItem("exchange:xlsx_index", _("导入导出"), ("xlsx_index", "lrmx_import", "lrmx_batch"),
                any_of=("org.add_unit", "people.add_cadre")),
        NavItem("access:records", _("查阅记录"), ("records",),
                all_of=("access.view_accessrecord",)),
        NavItem("admin:index", _("系统管理"), staff=True),
    )  # fmt: skip


def nav_for(user: Any, here: str = "") -> list[dict[str, Any]]:
    """The menu entries `user` can open (no entry leads to a refusal), each
    with its address, label and whether it is the current page."""
    from django.urls import reverse

    if not getattr(user, "is_authenticated", False):
        return []
    return [
        {"url": reverse(item.url_name), "label": item.label, "current": item.is_here(here)}
        for item in _nav()
        if item.opens_for(user)
    ]
