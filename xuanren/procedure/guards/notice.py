"""Guards and effects of the notice stage (任前公示, DOMAIN §3 step 12; seed §2,
§5): the notice states everything about every approved candidate (破格
included), it has run its full length, and every report is closed with a
finding; an affecting finding suspends or drops the candidate when the step
completes. See docs/decisions/0015-public-notice-and-reports.md."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from xuanren.procedure.candidates import candidate_set_status
from xuanren.procedure.effects import effect
from xuanren.procedure.guards.registry import GuardContext, guard
from xuanren.procedure.models import Candidate, CandidateStatus, CaseStep
from xuanren.supervision.content import approved_candidates, content_problems
from xuanren.supervision.models import Finding, PublicNotice, Report, ReportKind, ReportStatus
from xuanren.supervision.selectors import latest_notice
from xuanren.workdays.selectors import notice_period_end


def _day(d: Any) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


@guard("notice_complete")
def notice_complete(ctx: GuardContext) -> list[str]:
    notice = latest_notice(ctx.case)
    if notice is None:
        return [_("任前公示尚未发布：请在“任前公示”页面发布后再办理本环节。")]
    problems = []
    if not notice.channels:
        problems.append(_("公示未列明举报受理方式（电话、地址或信箱）。"))
    problems.extend(content_problems(notice.persons, list(approved_candidates(ctx.case))))
    return problems


@guard("notice_full_length")
def notice_full_length(ctx: GuardContext) -> list[str]:
    """The notice has lasted its full length: the day of completion is after
    its last day. The end is computed again with today's calendar, so an
    administrator's entry of a year's arrangement is taken into account."""
    return notice_length_problems(latest_notice(ctx.case), ctx.on)


def notice_length_problems(notice: PublicNotice | None, on: dt.date) -> list[str]:
    """notice_full_length on a notice already read (the 回头看 reads every
    case's at once): the day `on` is after the notice's last day."""
    if notice is None:
        return [_("任前公示尚未发布，公示期无从计算。")]
    period = notice_period_end(notice.start, notice.length, notice.unit)
    unit = _("个工作日") if notice.unit == "working_days" else _("天")
    if on <= period.end:
        message = _(
            "任前公示期为 %(s)s 至 %(e)s（%(n)s%(u)s），%(on)s 尚未期满，期满后方可办理。"
        ) % {
            "s": _day(notice.start),
            "e": _day(period.end),
            "n": notice.length,
            "u": unit,
            "on": _day(on),
        }
        if period.warning:
            message += period.warning
        return [message]
    return []


@guard("reports_closed")
def reports_closed(ctx: GuardContext) -> list[str]:
    """Every report on the case is closed with a finding: none is left open,
    whether it came through the notice page, a letter or a call."""
    problems = []
    # A consultation linked to the case asks, it does not accuse (decision 0127).
    reports = Report.objects.filter(case=ctx.case).exclude(kind=ReportKind.CONSULTATION)
    for report in reports.order_by("received_at", "id"):
        if report.status != ReportStatus.CLOSED or not report.finding:
            problems.append(
                _("关于%(n)s的举报（第 %(id)s 号）尚未办结（%(s)s），须查核并作出结论。")
                % {"n": report.about_name, "id": report.pk, "s": report.get_status_display()}
            )
    return problems


@effect("public_notice")
def apply_report_findings(ctx: GuardContext, record: CaseStep, actor: Any) -> None:
    """An affecting finding suspends (暂缓任用) or drops (不予任用) its
    candidate; drop prevails over suspend."""
    worst: dict[int, tuple[str, list[int]]] = {}
    for report in Report.objects.filter(
        case=ctx.case,
        status=ReportStatus.CLOSED,
        finding__in=[Finding.SUSPEND, Finding.DROP],
        candidate__isnull=False,
    ).order_by("id"):
        assert report.candidate_id is not None
        finding, ids = worst.get(report.candidate_id, (Finding.SUSPEND, []))
        if report.finding == Finding.DROP:
            finding = Finding.DROP
        worst[report.candidate_id] = (finding, [*ids, report.pk])
    for candidate in Candidate.objects.filter(pk__in=worst).select_related("case", "cadre"):
        finding, ids = worst[candidate.pk]
        numbers = "、".join(f"第 {i} 号" for i in ids)
        if finding == Finding.DROP:
            if candidate.status not in (CandidateStatus.APPROVED, CandidateStatus.SUSPENDED):
                continue
            status = CandidateStatus.EXCLUDED
            reason = _("任前公示期间举报（%(ids)s）经查核影响任用，不予任用。") % {"ids": numbers}
        else:
            if candidate.status != CandidateStatus.APPROVED:
                continue
            status = CandidateStatus.SUSPENDED
            reason = _("任前公示期间举报（%(ids)s）经查核影响任用，暂缓任用。") % {"ids": numbers}
        candidate_set_status(
            actor=actor, candidate=candidate, status=status, reason=reason, step=ctx.step
        )
