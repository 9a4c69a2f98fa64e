"""The competition sheet as a workbook (issue 15, docs/decisions/0170): the
template (the candidates, a column per judge × sub-test, the scores so far)
and the import of a filled-in one through scores_enter, every judge's scores
in one transaction, all or nothing. The permission, the scope and the
sign-off lock are checked before a byte of the upload is read."""

from __future__ import annotations

from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _

from xuanren.access.policy import has_perm, require_perm, unit_in_scope
from xuanren.common.errors import ValidationFailed
from xuanren.common.grid import CellError, GridImportFailed, grid_workbook, parse_grid, read_sheet
from xuanren.competition import selectors
from xuanren.competition.models import Competition, PanelKind, PanelMember, Score, SubTest
from xuanren.competition.services import ScoreIn, _open, scores_enter

SHEET = "竞聘评分"
#: A competition scores a handful of candidates per post.
MAX_ROWS = 500


def may_enter(actor: Any, competition: Competition) -> None:
    if not has_perm(actor, selectors.VIEW) or not unit_in_scope(actor, competition.case.unit):
        raise selectors.not_found()
    require_perm(actor, selectors.MANAGE)


def _columns(judges: list[PanelMember], tests: list[SubTest]) -> dict[str, tuple[int, int]]:
    """Header → (judge id, sub-test id), judges in panel order, then sub-tests."""
    return {f"{j.name}·{t.get_kind_display()}": (j.pk, t.pk) for j in judges for t in tests}


def grid_template(*, actor: Any, competition: Competition, title: str) -> bytes:
    may_enter(actor, competition)
    judges = selectors.members(competition, PanelKind.JUDGE)
    tests = selectors.sub_tests(competition)
    columns = _columns(judges, tests)
    current = {
        (s.candidate_id, s.judge_id, s.sub_test_id): s.value
        for s in Score.objects.filter(sub_test__competition=competition)
    }
    rows = [
        [c.pk, c.cadre.name, f"{c.post.unit.name}{c.post.title}",
         *[current.get((c.pk, j, t), "") for j, t in columns.values()]]
        for c in selectors.candidates(competition)
    ]  # fmt: skip
    return grid_workbook(
        sheet=SHEET,
        title_line=title,
        info_headers=[_("竞聘职位")],
        score_headers=list(columns),
        rows=rows,
        notes=[
            _("在“%(s)s”工作表中填写每名评委对每名人选各测试项目的评分（0 至 100，至多一位小数），"
              "列名为“评委姓名·测试项目”。") % {"s": SHEET},
            _("请勿修改编号、姓名和列名，不要增加列；空白单元格不改动已录入的评分。"),
            _("竞聘监督小组签字确认后成绩锁定，不能再导入；整张表有任何错误时不保存任何评分。"),
        ],
    )  # fmt: skip


def grid_import(
    *, actor: Any, competition: Competition, content: bytes | IO[bytes], filename: str = ""
) -> int:
    """The filled-in sheet through scores_enter, judge by judge in one
    transaction. Returns the number of cells given."""
    may_enter(actor, competition)  # before anything of the upload is read
    _open(
        Competition.objects.only("status").get(pk=competition.pk)
    )  # signed off: 409, nothing read
    judges = selectors.members(competition, PanelKind.JUDGE)
    tests = selectors.sub_tests(competition)
    people = selectors.candidates(competition)
    header, lines = read_sheet(content, filename=filename, sheet=SHEET, max_rows=MAX_ROWS)
    grid = parse_grid(
        header,
        lines,
        sheet=SHEET,
        names={c.pk: c.cadre.name for c in people},
        info_headers=[_("竞聘职位")],
        score_columns=_columns(judges, tests),
        decimals=1,
    )
    if not grid.values:
        raise ValidationFailed(_("工作表“%(s)s”中没有填写任何评分。") % {"s": SHEET})
    by_judge: dict[int, list[ScoreIn]] = {}
    for (cand, (judge_id, test)), value in grid.values.items():
        by_judge.setdefault(judge_id, []).append(ScoreIn(cand, test, value))
    try:
        with transaction.atomic():
            for judge in judges:
                if judge.pk in by_judge:
                    scores_enter(
                        actor=actor, competition=competition, judge=judge, scores=by_judge[judge.pk]
                    )
    except ValidationFailed as exc:
        raise _on_cells(exc, grid.where) from exc
    return len(grid.values)


def _on_cells(exc: ValidationFailed, where: dict[tuple[int, Any], CellError]) -> ValidationFailed:
    """The service's errors (field `score.candidate.sub_test`) on their cells."""
    by_cell = {(cand, test): at for (cand, (_j, test)), at in where.items()}
    cells = []
    for e in exc.errors:
        parts = e.field.split(".")
        at = (
            by_cell.get((int(parts[1]), int(parts[2])))
            if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit()
            else None
        )
        cells.append(CellError(at.row if at else 1, at.column if at else -1, e.message))
    return GridImportFailed(SHEET, cells) if cells else exc
