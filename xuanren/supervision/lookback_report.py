"""The 回头看 report (DOCX and PDF): the run's scope, the counts per kind and
every finding with its rectification, for filing with the higher department
(备案). Rendering reads only what `run_findings` read; producing it records
one DOCUMENT_GENERATED event (who, which run, the file's hash, never the
content), as every document does (docs/decisions/0024, 0126)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from xuanren.common.dates import today
from xuanren.journal.models import EventType
from xuanren.journal.services import journal_record
from xuanren.org.models import Level
from xuanren.supervision.lookback_selectors import FindingGroup, lookback_run_get, run_findings
from xuanren.supervision.models import LookbackRun


def _day(d: Any) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


@dataclass(frozen=True)
class ReportView:
    title: str
    summary: str
    groups: list[dict[str, Any]]
    issued: str


def report_view(run: LookbackRun, groups: list[FindingGroup]) -> ReportView:
    levels = dict(Level.choices)
    level_words = "、".join(str(levels.get(c, c)) for c in run.levels) or _("各职务层次")
    total = sum(len(g.findings) for g in groups)
    summary = _(
        "按照干部选拔任用工作监督检查的要求，对%(unit)s（含下级单位）%(start)s至%(end)s作出的%(levels)s"
        "任职共 %(n)d 人次开展回头看，逐一复查任职时的资格条件、选拔任用程序和干部人事档案"
        "“三龄二历一身份”，共发现问题 %(f)d 个，均已建立整改任务。"
    ) % {
        "unit": run.unit.name,
        "start": _day(run.period_start),
        "end": _day(run.period_end),
        "levels": level_words,
        "n": run.appointments,
        "f": total,
    }
    rows = []
    for g in groups:
        items = []
        for f in g.findings:
            task = f.task
            if task.closed_at:
                state = _("已整改：%(o)s") % {"o": task.outcome}
            elif task.responsible_id:
                state = _("整改中，期限 %(d)s") % {"d": _day(task.deadline)}
            else:
                state = _("待分派")
            items.append(
                {
                    "who": f"{f.cadre.name}（{f.candidate.post}，{f.case.number}）",
                    "what": f.what,
                    "as_of": _day(f.as_of),
                    "source": f.source,
                    "state": state,
                }
            )
        rows.append({"label": g.label, "count": len(items), "items": items})
    return ReportView(
        title=_("关于%(name)s情况的报告") % {"name": run.name},
        summary=summary,
        groups=rows,
        issued=_day(today()),
    )


def _docx(view: ReportView) -> bytes:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    from xuanren.documents.docx_builder import CJK_FONT, HEI_FONT, add_run, new_document, save

    d = new_document(margins_mm=(37, 35, 28, 26))
    d.styles["Normal"].font.size = Pt(14)
    title = d.paragraphs[0] if d.paragraphs else d.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = Pt(12)
    add_run(title, view.title, size=22, bold=True, font=HEI_FONT)

    def para(
        text: str, *, indent: bool = True, size: float | None = None, bold: bool = False
    ) -> Any:
        p = d.add_paragraph()
        if indent:
            p.paragraph_format.first_line_indent = Pt(28)
        p.paragraph_format.line_spacing = 1.3
        add_run(p, text, size=size, bold=bold, font=HEI_FONT if bold else CJK_FONT)
        return p

    para(view.summary)
    if not view.groups:
        para(_("未发现问题。"))
    for n, g in enumerate(view.groups, start=1):
        para(f"{n}. {g['label']}（{g['count']}）", bold=True)
        for i, item in enumerate(g["items"], start=1):
            para(f"（{i}）{item['who']}：{item['what']}", size=12)
            para(
                _("认定日期：%(d)s；依据：%(s)s；%(state)s")
                % {"d": item["as_of"], "s": item["source"] or "—", "state": item["state"]},
                size=12,
            )
    p = para(view.issued, indent=False)
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return save(d)


def _pdf(view: ReportView) -> bytes:
    from xuanren.documents.pdf import template_to_pdf

    return template_to_pdf("supervision/lookback_report.html", {"view": view})


def lookback_report(*, actor: Any, pk: int, fmt: str) -> tuple[LookbackRun, bytes]:
    """The report of run `pk` as "docx" or "pdf" (scope as the run's page)."""
    run = lookback_run_get(actor=actor, pk=pk)
    groups = run_findings(actor=actor, run=run)
    with translation.override(settings.LANGUAGE_CODE):
        view = report_view(run, groups)
        data = _docx(view) if fmt == "docx" else _pdf(view)
    journal_record(
        actor=actor,
        event_type=EventType.DOCUMENT_GENERATED,
        subject=run,
        payload={
            "document": "lookback_report",
            "format": fmt,
            "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        },
    )
    return run, data
