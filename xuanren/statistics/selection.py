"""Selection statistics (选人用人统计, issue 14): the selector. It reads the
records of a unit subtree in the actor's scope for a period — the decision
step's result sheets, integrity opinions, probation assessments, public
notices and reports — and hands them to the pure tallies of
`selection_tally`. A fixed number of queries whatever the period or the
subtree (docs/decisions/0121, 0122).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from xuanren.access.policy import require_perm, unit_scope_q
from xuanren.common.dates import SHANGHAI, today
from xuanren.common.errors import NotFound, ValidationFailed
from xuanren.org.models import Unit
from xuanren.people.models import (
    RecordKind,
    RewardPunishment,
    TemporaryPosting,
    Training,
    TrainingClass,
)
from xuanren.procedure.models import Candidate, CandidateStatus, CaseStatus, CaseStep
from xuanren.statistics.selection_tally import (
    FollowUp,
    Period,
    SelectionStats,
    Share,
    SheetRow,
    StepRow,
    YearRow,
    follow_up_subjects,
    selection_stats,
    votes_of,
)
from xuanren.supervision.models import PublicNotice, Report

#: Who may read the statistics: whoever may read cases (docs/decisions/0122).
PERMISSION = "procedure.view_case"
#: The longest period one report covers.
MAX_YEARS = 50


@dataclass(frozen=True)
class TrainingFigures:
    """The period's training and temporary postings of the cadres of the
    subtree (issue 15; seed §2 counts 培训各类干部…人次, 班次 and 挂职). Training
    rows carry a year only, so they count by the years the period touches."""

    person_times: int  # training rows (人次)
    people: int  # cadres with at least one
    hours: int
    classes: int  # training classes ended in the period, recorded by a unit of the subtree
    postings: int  # temporary postings started in the period


@dataclass(frozen=True)
class SelectionReport:
    unit: Unit | None  # None: the actor's whole scope
    stats: SelectionStats
    training: TrainingFigures | None = None


def training_figures(actor: Any, unit: Unit | None, period: Period) -> TrainingFigures:
    """Three aggregate queries, whatever the number of rows."""
    cadres = _cases_q(actor, unit, "cadre__")
    rows = Training.objects.filter(
        cadres, year__gte=period.start.year, year__lte=period.end.year
    ).aggregate(n=Count("pk"), people=Count("cadre", distinct=True), hours=Sum("hours"))
    classes = TrainingClass.objects.filter(
        _cases_q(actor, unit, ""), end_date__gte=period.start, end_date__lte=period.end
    ).count()
    postings = TemporaryPosting.objects.filter(
        cadres, start_date__gte=period.start, start_date__lte=period.end
    ).count()
    return TrainingFigures(
        person_times=int(rows["n"]),
        people=int(rows["people"]),
        hours=int(rows["hours"] or 0),
        classes=classes,
        postings=postings,
    )


def default_period(on: dt.date | None = None) -> Period:
    """This calendar year up to today."""
    day = on or today()
    return Period(dt.date(day.year, 1, 1), day)


def period_of(start: dt.date | None, end: dt.date | None) -> Period:
    """The period asked for; a missing end is today, a missing start the
    first of January of the end's year. An end before the start is refused."""
    end = end or today()
    start = start or dt.date(end.year, 1, 1)
    if end < start:
        raise ValidationFailed(_("统计截止日期不能早于起始日期。"))
    if end.year - start.year > MAX_YEARS:
        raise ValidationFailed(_("统计期间不能超过 %(n)d 年。") % {"n": MAX_YEARS})
    return Period(start, end)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=SHANGHAI)


def _unit(actor: Any, unit_id: int | None) -> Unit | None:
    if unit_id is None:
        return None
    unit = Unit.objects.filter(unit_scope_q(actor), pk=unit_id).first()
    if unit is None:
        raise NotFound(_("未找到该单位，或该单位不在您的管理范围内。"))
    return unit


def _cases_q(actor: Any, unit: Unit | None, prefix: str) -> Q:
    q = unit_scope_q(actor, prefix=f"{prefix}unit__")
    if unit is not None:
        q &= Q(**{f"{prefix}unit__path__startswith": unit.path})
    return q


def _steps(actor: Any, unit: Unit | None, step: str, since: dt.date) -> QuerySet[CaseStep]:
    """The records of `step` in the subtree recorded since `since` (a fact is
    recorded on or after the day it happened, so nothing of the period is
    left out; the tallies date each fact by its own date)."""
    return CaseStep.objects.filter(
        _cases_q(actor, unit, "case__"), step=step, completed_at__gte=_midnight(since)
    )


def selection_report(
    *, actor: Any, unit_id: int | None = None, period: Period | None = None
) -> SelectionReport:
    """The statistics of the subtree of `unit_id` (or of the whole scope) for
    `period` (default: this year). No permission: PermissionDenied; a unit
    outside the scope: NotFound."""
    require_perm(actor, PERMISSION)
    period = period or default_period()
    unit = _unit(actor, unit_id)
    sheets = [
        SheetRow(record=pk, corrects=corrects, seq=seq, case=case, committee=committee, data=data)
        for pk, corrects, seq, case, committee, data in _steps(
            actor, unit, "decision", period.start
        ).values_list("pk", "corrects_id", "seq", "case_id", "case__committee_id", "data")
    ]
    integrity_rows = [
        StepRow(pk, corrects, seq, data)
        for pk, corrects, seq, data in _steps(
            actor, unit, "integrity_opinion", period.start
        ).values_list("pk", "corrects_id", "seq", "data")
    ]
    probation_rows = [
        StepRow(pk, corrects, seq, data)
        for pk, corrects, seq, data in _steps(
            actor, unit, "probation_end", period.start
        ).values_list("pk", "corrects_id", "seq", "data")
    ]
    notices = PublicNotice.objects.filter(
        _cases_q(actor, unit, "case__"), start__gte=period.start, start__lte=period.end
    ).count()
    reports = Report.objects.filter(
        _cases_q(actor, unit, "case__"),
        received_at__gte=_midnight(period.start),
        received_at__lt=_midnight(period.end + dt.timedelta(days=1)),
    ).aggregate(
        received=Count("pk"), investigated=Count("pk", filter=Q(investigating_at__isnull=False))
    )
    votes = votes_of(sheets)
    deferred, cadres = follow_up_subjects(votes, period)
    # Always the same two queries, empty sets included (a constant count).
    pending = frozenset(
        Candidate.objects.filter(
            pk__in=sorted(deferred) or [0],
            status=CandidateStatus.DEFERRED,
            case__status=CaseStatus.OPEN,
        ).values_list("pk", flat=True)
    )
    punishments: dict[int, list[dt.date]] = {}
    for cadre, day in RewardPunishment.objects.filter(
        cadre_id__in=sorted(cadres) or [0],
        kind=RecordKind.PUNISHMENT,
        decided_on__gt=period.start,
    ).values_list("cadre_id", "decided_on"):
        punishments.setdefault(cadre, []).append(day)
    stats = selection_stats(
        period=period,
        sheets=sheets,
        integrity_rows=integrity_rows,
        probation_rows=probation_rows,
        notices=notices,
        reports_received=int(reports["received"]),
        reports_investigated=int(reports["investigated"]),
        pending=pending,
        punishments=punishments,
        votes=votes,
    )
    return SelectionReport(unit=unit, stats=stats, training=training_figures(actor, unit, period))


# ---- the table, as the page, the print-out and the workbook show it ---------------------


@dataclass(frozen=True)
class Line:
    """One line of the table: its label, the count, and its share (with what
    it is a share of), indented under its heading when `level` is 1."""

    label: str
    count: int
    share: Share | None = None
    of: str = ""
    level: int = 0

    def cells(self) -> list[Any]:
        indent = "\u3000" * self.level
        return [
            indent + self.label,
            self.count,
            self.share.percent if self.share is not None else "",
            self.of,
        ]


def _follow_lines(follow: FollowUp, of: str) -> list[Line]:
    return [
        Line(_("再次提交讨论决定并通过"), follow.passed_later.part, follow.passed_later, of, 1),
        Line(_("再次提交讨论决定仍未通过"), follow.again_not_passed.part,
             follow.again_not_passed, of, 1),
        Line(_("仍在缓议、待再次讨论"), follow.pending.part, follow.pending, of, 1),
        Line(_("未再提交讨论决定"), follow.not_again.part, follow.not_again, of, 1),
        Line(_("其后受到惩处"), follow.punished_later.part, follow.punished_later, of, 1),
    ]  # fmt: skip


def training_lines(t: TrainingFigures) -> list[Line]:
    return [
        Line(_("干部参加培训（人次，按培训年度）"), t.person_times),
        Line(_("参加培训的干部（人）"), t.people, None, "", 1),
        Line(_("培训学时合计"), t.hours, None, "", 1),
        Line(_("举办培训班次（期）"), t.classes),
        Line(_("干部挂职锻炼（人次）"), t.postings),
    ]


def report_lines(stats: SelectionStats, training: TrainingFigures | None = None) -> list[Line]:
    d = stats.decisions
    put = _("占提交表决人次")
    cast = _("占投票张数")
    return [
        Line(_("召开讨论决定会议（次）"), d.meetings),
        Line(_("提交讨论决定的人选（人次）"), d.put_to_vote),
        Line(_("通过"), d.passed.part, d.passed, put, 1),
        Line(_("缓议"), d.deferred.part, d.deferred, put, 1),
        Line(_("未通过（否决）"), d.rejected.part, d.rejected, put, 1),
        Line(_("投票（张）"), d.ballots),
        Line(_("不同意"), d.against.part, d.against, cast, 1),
        Line(_("弃权"), d.abstaining.part, d.abstaining, cast, 1),
        Line(_("不同意及弃权合计"), d.against_or_abstaining.part, d.against_or_abstaining,
             cast, 1),
        Line(_("纪检监察机关回复廉政意见（人次）"), stats.integrity.opinions),
        Line(_("否决（廉政意见未通过）"), stats.integrity.vetoes.part, stats.integrity.vetoes,
             _("占回复人次"), 1),
        Line(_("有问题"), stats.integrity.concerns.part, stats.integrity.concerns,
             _("占回复人次"), 1),
        Line(_("任前公示（次）"), stats.notices),
        Line(_("受理举报（件次）"), stats.reports_received),
        Line(_("调查核实"), stats.reports_investigated.part, stats.reports_investigated,
             _("占受理件次"), 1),
        Line(_("试用期满考核（人）"), stats.probation.ended),
        Line(_("不胜任、免去试任职务"), stats.probation.removed.part, stats.probation.removed,
             _("占考核人数"), 1),
        Line(_("缓议的人选（人次），其后："), stats.deferred_after.total),
        *_follow_lines(stats.deferred_after, _("占缓议人次")),
        Line(_("未通过的人选（人次），其后："), stats.rejected_after.total),
        *_follow_lines(stats.rejected_after, _("占未通过人次")),
        *(training_lines(training) if training is not None else []),
    ]  # fmt: skip


def line_headers() -> list[str]:
    return [_("项目"), _("数量"), _("占比"), _("说明")]


def year_headers() -> list[str]:
    return [
        _("年度"), _("会议（次）"), _("提交讨论决定（人次）"), _("通过"), _("缓议"),
        _("缓议占比"), _("未通过"), _("未通过占比"), _("投票（张）"),
        _("不同意及弃权（张）"), _("不同意及弃权占比"),
    ]  # fmt: skip


def year_cells(row: YearRow) -> list[Any]:
    d = row.decisions
    return [
        str(row.year), d.meetings, d.put_to_vote, d.passed.part, d.deferred.part,
        d.deferred.percent, d.rejected.part, d.rejected.percent, d.ballots,
        d.against_or_abstaining.part, d.against_or_abstaining.percent,
    ]  # fmt: skip


def report_title(report: SelectionReport) -> str:
    where = report.unit.name if report.unit is not None else _("全部单位")
    p = report.stats.period
    return _("%(u)s选人用人工作统计（%(s)s至%(e)s）") % {
        "u": where,
        "s": p.start.isoformat(),
        "e": p.end.isoformat(),
    }


def report_workbook(report: SelectionReport) -> bytes:
    """The two tables as an XLSX workbook: text cells never become formulas
    (common.cells), numbers stay numbers, shares are shown as text."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    from xuanren.common.cells import xlsx_cell, xlsx_row

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)

    def header(sheet: Any, texts: list[str]) -> None:
        cells = []
        for text in texts:
            cell = xlsx_cell(sheet, text)
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)

    summary = workbook.create_sheet(title=_("汇总")[:31])
    summary.append(xlsx_row(summary, [report_title(report)]))
    header(summary, line_headers())
    for line in report_lines(report.stats, report.training):
        summary.append(xlsx_row(summary, line.cells()))
    years = workbook.create_sheet(title=_("分年度")[:31])
    header(years, year_headers())
    for row in report.stats.years:
        years.append(xlsx_row(years, year_cells(row)))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
