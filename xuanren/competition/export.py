"""The XLSX of a competition's result sheet (issue 15, docs/decisions/0169):
per candidate each sub-test's (trimmed) mean, the composite and the rank, as
the result page shows them; a second sheet with every judge's raw score.
Text cells never become formulas (common.cells); scores stay numbers."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from xuanren.access.models import AccessKind
from xuanren.access.records import access_record
from xuanren.common.cells import xlsx_header, xlsx_row
from xuanren.competition import calc
from xuanren.competition.models import Competition, CompetitionStatus, PanelKind, Score
from xuanren.competition.selectors import Sheet, competition_get, members, sheet_of


def _num(value: Decimal | None) -> Decimal | str:
    return "" if value is None else value


def raw_scores(competition: Competition) -> list[tuple[int, str, str, Decimal]]:
    """(candidate id, sub-test kind, judge name, score), one query."""
    return list(
        Score.objects.filter(sub_test__competition=competition)
        .order_by("candidate_id", "judge__seq", "pk")
        .values_list("candidate_id", "sub_test__kind", "judge__name", "value")
    )


def result_workbook(competition: Competition, sheet: Sheet, title: str, judges: list[str]) -> bytes:
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(title=_("评分结果"))
    ws.append(xlsx_row(ws, [title]))
    signed = competition.status == CompetitionStatus.SIGNED_OFF
    state = (
        _("已经竞聘监督小组签字确认（%(d)s）。") % {"d": f"{competition.signed_off_at:%Y-%m-%d}"}
        if signed and competition.signed_off_at
        else _("尚未经竞聘监督小组签字确认，仅供核对，不得公布。")
    )
    weights = "，".join(f"{t.get_kind_display()} {t.weight}%" for t in sheet.sub_tests)
    ws.append(
        xlsx_row(
            ws,
            [_("%(w)s；评委 %(j)d 人（%(n)d 人及以上去掉一个最高分和一个最低分）。%(s)s")
             % {"w": weights, "j": len(judges),
                "n": max(competition.trim_min_judges, calc.TRIM_FLOOR), "s": state}],
        )
    )  # fmt: skip
    ws.append(
        xlsx_header(
            ws,
            [_("竞聘职位"), _("名次"), _("姓名"),
             *[t.get_kind_display() for t in sheet.sub_tests], _("综合成绩"), _("并列")],
        )
    )  # fmt: skip
    names: dict[int, tuple[int, str, str]] = {}
    for post, rows in sheet.posts:
        for r in rows:
            names[r.candidate_id] = (len(names), r.name, post)
            ws.append(
                xlsx_row(
                    ws,
                    [post, r.rank or "", r.name, *[_num(c.mean) for c in r.cells],
                     _num(r.composite), _("并列") if r.tied else ""],
                )
            )  # fmt: skip
    detail = workbook.create_sheet(title=_("评委评分明细"))
    detail.append(
        xlsx_header(detail, [_("竞聘职位"), _("姓名"), _("测试项目"), _("评委"), _("评分")])
    )
    labels = {t.kind: t.get_kind_display() for t in sheet.sub_tests}
    order = {kind: i for i, kind in enumerate(calc.TIE_ORDER)}
    lines = []
    for n, (cand, kind, judge, value) in enumerate(raw_scores(competition)):
        at, name, post = names.get(cand, (len(names), "", ""))
        lines.append(
            ((at, order.get(kind, 99), n), [post, name, labels.get(kind, kind), judge, value])
        )
    for _key, cells in sorted(lines, key=lambda x: x[0]):
        detail.append(xlsx_row(detail, cells))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def competition_title(competition: Competition) -> str:
    return _("%(n)s %(t)s竞聘评分") % {"n": competition.case.number, "t": competition.case.title}


def result_export(*, actor: Any, pk: int) -> tuple[bytes, str]:
    """The workbook and its file name, for the page and the API alike: the
    competition in the actor's scope (404), the read recorded."""
    competition = competition_get(actor=actor, pk=pk)
    judges = [m.name for m in members(competition, PanelKind.JUDGE)]
    title = competition_title(competition)
    data = result_workbook(competition, sheet_of(competition), title, judges)
    access_record(
        actor=actor,
        kind=AccessKind.EXPORT,
        subject=competition,
        label=title,
        detail={"export": "competition_result", "format": "xlsx"},
    )
    return data, f"{title}.xlsx"
