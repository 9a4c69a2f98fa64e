"""Demo: the standing reporting and consultation channel (issue 14,
docs/decisions/0127): twelve entries of each source (online, letter, phone,
visit) in every state — waiting for an assignee, assigned, under
investigation, replied, closed, and some past their deadline — through the
channel services, so the inbox, the counts, the 待办 of `officer` and `jiwei`
and the cadre pages have something to show.

Each entry is made on its own day (`frozen_today`: received that day, the
default deadline counted from it) and each later step on a later day.
Skipped when the channel already has entries (the demo runs once)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from xuanren.common.dates import frozen_today
from xuanren.common.errors import DomainError
from xuanren.org.models import Unit
from xuanren.people.models import Cadre
from xuanren.procedure.models import Case, CaseStatus
from xuanren.supervision.channel_services import (
    channel_assign,
    channel_close,
    channel_link,
    channel_register,
    channel_reply,
    channel_submit,
    needs_reply,
)
from xuanren.supervision.models import Finding, Report, ReportKind, ReportSource
from xuanren.supervision.services import report_investigate

log = logging.getLogger(__name__)

PER_SOURCE = 12
REPORTS = (
    "反映该同志在乡镇工作期间违规操办子女升学宴，收受下属礼金，请组织核查。",
    "反映该同志年龄和入党时间存在疑点，档案记载与本人填报不一致。",
    "反映该同志长期不在岗，工作作风漂浮，群众意见较大。",
    "反映该单位在干部推荐中存在打招呼、拉票的情况，请予以核实。",
)
CONSULTATIONS = (
    "请问公务员晋升乡科级副职需要满足哪些任职年限条件？",
    "请问任前公示期间对拟任人选有意见，应当通过什么方式反映？",
    "请问事业单位人员能否参加县直机关中层干部竞争上岗？",
)
REPLIES = {
    ReportKind.REPORT: "经调查核实，所反映问题已查清，处理情况已向您反馈。感谢您对干部工作的监督。",
    ReportKind.CONSULTATION: "已按《党政领导干部选拔任用工作条例》有关规定电话解答，感谢您的关心。",
}
NAMES = ("李明", "周红", "吴国强", "郑丽", "冯建军", "陈静")
#: The state each entry is left in, by its place among its source's twelve.
STATES = (
    "registered",
    "assigned",
    "investigating",
    "replied",
    "closed",
    "assigned",
    "closed",
    "investigating",
    "replied",
    "closed",
    "assigned",
    "closed",
)


def _entry(
    *, source: str, i: int, officer: Any, day: dt.date, cadre: Cadre | None
) -> tuple[Report, ReportKind]:
    kind = ReportKind.CONSULTATION if i % 3 == 2 else ReportKind.REPORT
    anonymous = i % 4 == 0
    text = (CONSULTATIONS if kind == ReportKind.CONSULTATION else REPORTS)[i % 3]
    about = cadre.name if cadre is not None and kind == ReportKind.REPORT else ""
    if kind == ReportKind.REPORT and not about:
        about = "某乡镇干部"
    name = "" if anonymous else NAMES[i % len(NAMES)]
    phone = "" if anonymous else f"1380571{i:04d}"
    if source == ReportSource.ONLINE:
        report, _receipt = channel_submit(
            kind=kind,
            content=text,
            about_name=about,
            client=f"demo-{i}",
            anonymous=anonymous,
            reporter_name=name,
            reporter_phone=phone,
        )
    else:
        report, _receipt = channel_register(
            actor=officer,
            kind=kind,
            source=source,
            content=text,
            about_name=about,
            received_on=day,
            anonymous=anonymous,
            reporter_name=name,
            reporter_phone=phone,
        )
    if cadre is not None and kind == ReportKind.REPORT:
        channel_link(actor=officer, report=report, cadre=cadre, case=None)
    return report, kind


def _advance(report: Report, kind: str, state: str, *, officer: Any, jiwei: Any) -> None:
    """Take the entry to `state`, each step on its own day after it came in."""
    if state == "registered":
        return
    received = timezone.localdate(report.received_at)
    handler = officer if kind == ReportKind.CONSULTATION else jiwei
    with frozen_today(received + dt.timedelta(days=1)):
        report = channel_assign(actor=officer, report=report, assignee=handler)
    if state == "assigned":
        return
    if kind == ReportKind.REPORT:
        with frozen_today(received + dt.timedelta(days=5)):
            report = report_investigate(
                actor=handler, report=report, note="约谈知情人两名，调阅有关档案和账目。"
            )
    if state == "investigating":
        return
    replied = received + dt.timedelta(days=20)
    if needs_reply(report):
        with frozen_today(replied):
            report = channel_reply(
                actor=handler,
                report=report,
                text=REPLIES[ReportKind(kind)],
                replied_on=replied,
                reply_channel="phone",
            )
    if state == "replied" and needs_reply(report):
        return
    finding = Finding.ANSWERED if kind == ReportKind.CONSULTATION else Finding.UNFOUNDED
    with frozen_today(replied + dt.timedelta(days=1)):
        channel_close(actor=handler, report=report, finding=finding, text="已按程序办理完毕。")


def build_channel_demo(*, officer: Any, jiwei: Any, root: Unit, on: dt.date) -> int:
    """The demo's channel entries; returns how many were made."""
    if Report.objects.filter(channel=True).exists():
        return 0
    cadres = list(
        Cadre.objects.filter(unit__path__startswith=root.path).order_by("pk")[:PER_SOURCE]
    )
    made = 0
    sources = [ReportSource.ONLINE, ReportSource.LETTER, ReportSource.PHONE, ReportSource.VISIT]
    for s, source in enumerate(sources):
        for i in range(PER_SOURCE):
            # Spread over the last 150 days: the older open ones are overdue.
            day = on - dt.timedelta(days=2 + 12 * i + 3 * s)
            cadre = cadres[(i + s) % len(cadres)] if cadres and i % 2 == 1 else None
            try:
                with transaction.atomic():
                    with frozen_today(day):
                        report, kind = _entry(
                            source=source, i=i, officer=officer, day=day, cadre=cadre
                        )
                    _advance(report, kind, STATES[i], officer=officer, jiwei=jiwei)
            except DomainError as exc:
                log.warning("demo channel entry %s/%s skipped: %s", source, i, exc)
                continue
            made += 1
    case = Case.objects.filter(unit__path__startswith=root.path, status=CaseStatus.OPEN).first()
    consultation = Report.objects.filter(channel=True, kind=ReportKind.CONSULTATION).first()
    if case is not None and consultation is not None:
        try:
            with transaction.atomic():
                channel_link(actor=officer, report=consultation, cadre=None, case=case)
        except DomainError as exc:
            log.warning("demo channel link skipped: %s", exc)
    return made
