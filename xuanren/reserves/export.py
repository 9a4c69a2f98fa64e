"""The XLSX of a reserve round: the counts of each stage, the nominees with
their test and inspection, the list and who left it. Text cells never become
formulas (common.cells), counts and scores stay numbers."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from xuanren.common.cells import xlsx_header, xlsx_row
from xuanren.reserves.calc import RoundCounts
from xuanren.reserves.models import Channel, LeaveReason, Member, ReserveRound, Tier
from xuanren.reserves.selectors import NomineeLine


def _header(sheet: Any, texts: list[str]) -> None:
    sheet.append(xlsx_header(sheet, texts))


def _day(value: Any) -> str:
    return f"{value:%Y-%m-%d}" if value else ""


def _score(value: Any) -> Decimal | str:
    """A subject's score, kept as text ("22.5") in the record, as a number."""
    return Decimal(str(value)) if value not in (None, "") else ""


def count_lines(counts: RoundCounts) -> list[tuple[str, int]]:
    """The counts as (label, value): the page and the XLSX."""
    lines: list[tuple[str, int]] = [
        (_("%(c)s（人）") % {"c": c.label}, counts.by_channel.get(c.value, 0)) for c in Channel
    ]
    lines += [
        (_("推荐人选（人，多渠道推荐计一人）"), counts.nominated),
        (_("参加测试（人）"), counts.tested),
        (_("测试合格（人）"), counts.passed),
        (_("测试不合格，不予列入（人）"), counts.failed),
        (_("组织考察（人）"), counts.inspected),
        (_("考察合格（人）"), counts.inspection_passed),
        (_("考察不合格（人）"), counts.inspection_failed),
    ]
    lines += [
        (_("名单中：%(t)s（人）") % {"t": t.label}, counts.listed.get(t.value, 0)) for t in Tier
    ]
    lines.append((_("已退出名单（人）"), counts.left))
    return lines


def round_workbook(
    round_: ReserveRound, counts: RoundCounts, nominees: list[NomineeLine], members: list[Member]
) -> bytes:
    workbook = Workbook(write_only=True)
    summary = workbook.create_sheet(title=_("汇总"))
    summary.append(xlsx_row(summary, [round_.title]))
    summary.append(
        xlsx_row(
            summary,
            [_("%(u)s；%(y)d 年度；测试合格分数线 %(l)s 分；名单确定日期 %(d)s")
             % {"u": round_.unit.name, "y": round_.year, "l": round_.pass_line,
                "d": _day(round_.listed_on) or _("未确定")}],
        )
    )  # fmt: skip
    subjects = [str(x["name"]) for x in round_.subjects]
    if subjects:
        described = "、".join(f"{x['name']}（{x['points']}）" for x in round_.subjects)
        summary.append(
            xlsx_row(
                summary,
                [_("测试科目：%(s)s；%(m)s") % {"s": described,
                                                "m": round_.get_subject_mode_display()}],
            )
        )  # fmt: skip
    _header(summary, [_("项目"), _("人数")])
    for label, value in count_lines(counts):
        summary.append(xlsx_row(summary, [label, value]))
    people = workbook.create_sheet(title=_("推荐人选"))
    # With subjects (decision 0173), each subject's score before the total.
    _header(
        people,
        [_("姓名"), _("单位"), _("推荐渠道"), *subjects, _("测试成绩"), _("测试结果"),
         _("组织考察"), _("考察意见"), _("列入名单")],
    )  # fmt: skip
    for line in nominees:
        n = line.nominee
        result = "" if line.passed is None else (_("合格") if line.passed else _("不合格"))
        people.append(
            xlsx_row(
                people,
                [n.cadre.name, n.cadre.unit.name, "、".join(line.channels),
                 *(_score(n.subject_scores.get(name)) for name in subjects),
                 n.score if n.score is not None else "", result,
                 n.get_inspection_display(), n.inspection_note,
                 _("是") if line.listed else ""],
            )
        )  # fmt: skip
    listed = workbook.create_sheet(title=_("后备干部名单"))
    _header(
        listed,
        [_("姓名"), _("单位"), _("培养期"), _("拟培养职务层次"), _("拟培养方向"), _("列入日期")],
    )
    for m in members:
        if m.left_on is None:
            listed.append(
                xlsx_row(
                    listed,
                    [m.cadre.name, m.cadre.unit.name, m.get_tier_display(),
                     m.get_target_level_display() if m.target_level else "", m.target_post,
                     _day(m.listed_on)],
                )
            )  # fmt: skip
    left = workbook.create_sheet(title=_("退出名单"))
    _header(left, [_("姓名"), _("单位"), _("列入日期"), _("退出日期"), _("退出原因"), _("说明")])
    for m in members:
        if m.left_on is not None:
            reason = LeaveReason(m.leave_reason).label if m.leave_reason else ""
            left.append(
                xlsx_row(
                    left,
                    [m.cadre.name, m.cadre.unit.name, _day(m.listed_on), _day(m.left_on),
                     str(reason), m.leave_note],
                )
            )  # fmt: skip
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
