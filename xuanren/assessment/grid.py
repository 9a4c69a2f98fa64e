"""The score grid of a round as a workbook (issue 15, docs/decisions/0170):
the template (the round's cadres, their current scores) and the import of a
filled-in one through scores_record, all or nothing. The permission and the
scope are checked before a byte of the upload is read."""

from __future__ import annotations

from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _

from xuanren.access.policy import has_perm, require_perm, unit_in_scope
from xuanren.assessment import scoring
from xuanren.assessment.export import score_headers
from xuanren.assessment.models import AssessedCadre, AssessmentRound
from xuanren.assessment.selectors import MANAGE_ROUNDS, VIEW_ROUNDS, round_sheet
from xuanren.assessment.services import ScoreEntry, scores_record
from xuanren.common.errors import NotFound, ValidationFailed
from xuanren.common.grid import CellError, GridImportFailed, grid_workbook, parse_grid, read_sheet

SHEET = "考核评分"
#: A round lists one unit's cadres: a few hundred at most.
MAX_ROWS = 2000


def may_enter(actor: Any, r: AssessmentRound) -> None:
    if not has_perm(actor, VIEW_ROUNDS) or not unit_in_scope(actor, r.unit):
        raise NotFound(_("未找到该年度考核，或其不在您的管理范围内。"))
    require_perm(actor, MANAGE_ROUNDS)


def _columns() -> dict[str, tuple[str, str]]:
    keys = [(g, d) for g in scoring.GROUPS for d in scoring.DIMENSIONS]
    return dict(zip(score_headers(), keys, strict=True))


def grid_template(*, actor: Any, round: AssessmentRound, title: str) -> bytes:
    """The round's grid pre-filled with the cadres and the scores so far."""
    may_enter(actor, round)
    sheet = round_sheet(actor=actor, round=round)
    rows = [
        [line.assessed.pk, line.assessed.cadre.name, line.assessed.post_text,
         _("已确定") if line.assessed.grade else "",
         *["" if v is None else v for v in line.cells]]
        for line in sheet.lines
    ]  # fmt: skip
    return grid_workbook(
        sheet=SHEET,
        title_line=title,
        info_headers=[_("职务"), _("等次")],
        score_headers=score_headers(),
        rows=rows,
        notes=[
            _("在“%(s)s”工作表中按纸质评分表汇总填写各评分主体对德、能、勤、绩、廉的得分"
              "（0 至 100，至多两位小数）。") % {"s": SHEET},
            _("请勿修改编号、姓名和列名，不要增加列；空白单元格不改动已录入的得分。"),
            _("等次已确定的干部不能再修改评分；整张表有任何错误时不保存任何评分。"),
        ],
    )  # fmt: skip


def grid_import(
    *, actor: Any, round: AssessmentRound, content: bytes | IO[bytes], filename: str = ""
) -> int:
    """The filled-in grid into the round through scores_record (one
    transaction, its journal event). Returns the number of cells given."""
    may_enter(actor, round)  # before anything of the upload is read
    rows = {
        a.pk: a
        for a in AssessedCadre.objects.filter(round=round).select_related("cadre").order_by("pk")
    }
    header, lines = read_sheet(content, filename=filename, sheet=SHEET, max_rows=MAX_ROWS)
    grid = parse_grid(
        header,
        lines,
        sheet=SHEET,
        names={pk: a.cadre.name for pk, a in rows.items()},
        info_headers=[_("职务"), _("等次")],
        score_columns=_columns(),
        decimals=2,
    )
    if not grid.values:
        raise ValidationFailed(_("工作表“%(s)s”中没有填写任何得分。") % {"s": SHEET})
    entries = [ScoreEntry(aid, g, d, value) for (aid, (g, d)), value in grid.values.items()]
    try:
        with transaction.atomic():
            scores_record(actor=actor, round=round, entries=entries)
    except ValidationFailed as exc:
        raise _on_cells(exc, grid.where) from exc
    return len(entries)


def _on_cells(exc: ValidationFailed, where: dict[tuple[int, Any], CellError]) -> ValidationFailed:
    """The service's errors (field `assessed.group.dimension`) on their cells."""
    cells = []
    for e in exc.errors:
        aid, _sep, rest = e.field.partition(".")
        group, _sep, dimension = rest.partition(".")
        found = where.get((int(aid), (group, dimension))) if aid.isdigit() else None
        cells.append(CellError(found.row if found else 1, found.column if found else -1, e.message))
    return GridImportFailed(SHEET, cells) if cells else exc
