"""Reads of 竞聘评分: a case's competition in the reader's scope, the score
grid of a judge, and the sheet (sub-test scores, composite, ranking) computed
by `calc` (docs/decisions/0147–0149). Out of scope is NotFound (404); a user
who may read no competition at all is PermissionDenied (403)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from xuanren.access.policy import has_perm, require_perm, unit_in_scope
from xuanren.common.errors import Conflict, NotFound
from xuanren.competition import calc
from xuanren.competition.models import (
    Competition,
    CompetitionStatus,
    PanelKind,
    PanelMember,
    Score,
    SubTest,
)
from xuanren.procedure.models import Candidate, CandidateStatus, Case

VIEW = "competition.view_competition"
MANAGE = "competition.manage_competition"
SIGN_OFF = "competition.sign_off_competition"
#: The candidates a sheet scores: those still in the selection.
RUNNING = (CandidateStatus.NOMINATED, CandidateStatus.INSPECTION)
#: Steps of the competitive template that read the signed sheet, and the column each reads.
STEP_COLUMNS = {"written_exam": "written", "interview": "composite"}


def not_found() -> NotFound:
    return NotFound(_("未找到该竞聘评分，或其不在您的管理范围内。"))


def competition_of_case(*, actor: Any, case: Case) -> Competition | None:
    """The case's competition (None: none set up yet); the case must be in
    the reader's scope (404) and the reader may read competitions (403)."""
    require_perm(actor, VIEW)
    if not unit_in_scope(actor, case.unit):
        raise not_found()
    return Competition.objects.filter(case=case).select_related("case__unit").first()


def competition_get(*, actor: Any, pk: int) -> Competition:
    require_perm(actor, VIEW)
    found = (
        Competition.objects.filter(pk=pk)
        .select_related("case__unit", "case__template", "signed_off_by")
        .first()
    )
    if found is None or not unit_in_scope(actor, found.case.unit):
        raise not_found()
    return found


def can_manage(actor: Any, competition: Competition) -> bool:
    return has_perm(actor, MANAGE) and unit_in_scope(actor, competition.case.unit)


def can_sign_off(actor: Any, competition: Competition) -> bool:
    return has_perm(actor, SIGN_OFF) and unit_in_scope(actor, competition.case.unit)


def members(competition: Competition, panel: str | None = None) -> list[PanelMember]:
    qs = competition.members.all()
    if panel:
        qs = qs.filter(panel=panel)
    return list(qs.order_by("panel", "seq"))


def sub_tests(competition: Competition) -> list[SubTest]:
    order = {code: i for i, code in enumerate(calc.TIE_ORDER)}
    return sorted(competition.sub_tests.all(), key=lambda s: order[s.kind])


def candidates(competition: Competition) -> list[Candidate]:
    """Who the sheet scores: the case's running candidates, and anyone who
    already has a score (a candidate excluded since stays on the sheet)."""
    scored = Score.objects.filter(sub_test__competition=competition).values("candidate_id")
    return list(
        Candidate.objects.filter(case_id=competition.case_id)
        .filter(Q(status__in=RUNNING) | Q(pk__in=scored))
        .select_related("cadre", "post__unit")
        .order_by("post_id", "cadre__name", "pk")
    )


def judge_grid(competition: Competition, judge: PanelMember) -> dict[tuple[int, int], Decimal]:
    """(candidate id, sub-test id) → the judge's score."""
    return {
        (s.candidate_id, s.sub_test_id): s.value
        for s in Score.objects.filter(judge=judge, sub_test__competition=competition)
    }


def entered_counts(competition: Competition) -> dict[int, int]:
    """judge id → how many scores they have on the sheet."""
    counts: dict[int, int] = defaultdict(int)
    for judge_id in Score.objects.filter(sub_test__competition=competition).values_list(
        "judge_id", flat=True
    ):
        counts[judge_id] += 1
    return counts


# ---- the sheet ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """A candidate's score in one sub-test: the mean, the judges' scores and
    which were dropped."""

    kind: str
    label: str
    weight: int
    mean: Decimal | None
    scores: tuple[Decimal, ...]
    dropped: tuple[Decimal, ...]


@dataclass(frozen=True)
class Row:
    candidate_id: int
    cadre_id: int
    post_id: int
    name: str
    post: str
    cells: tuple[Cell, ...]
    composite: Decimal | None
    rank: int | None
    tied: bool


@dataclass(frozen=True)
class Sheet:
    """The result sheet: per post, the rows in rank order; `complete` when
    every judge scored every candidate in every sub-test."""

    posts: list[tuple[str, list[Row]]]
    missing: int
    weights_ok: bool
    sub_tests: list[SubTest] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.missing == 0 and self.weights_ok and bool(self.posts)


def sheet_of(competition: Competition) -> Sheet:
    """The sheet computed from the scores (four queries whatever its size)."""
    tests = sub_tests(competition)
    judges = members(competition, PanelKind.JUDGE)
    people = candidates(competition)
    values: dict[tuple[int, int], list[Decimal]] = defaultdict(list)
    for cand_id, test_id, value in Score.objects.filter(
        sub_test__competition=competition
    ).values_list("candidate_id", "sub_test_id", "value"):
        values[(cand_id, test_id)].append(value)
    weights = {t.kind: t.weight for t in tests}
    weights_ok = calc.weights_problem(weights) is None
    missing = 0
    by_post: dict[int, list[tuple[Candidate, tuple[Cell, ...], Decimal | None]]] = defaultdict(list)
    for c in people:
        cells = []
        for t in tests:
            got = values.get((c.pk, t.pk), [])
            missing += max(len(judges) - len(got), 0)
            full = bool(judges) and len(got) >= len(judges)
            trimmed = calc.trimmed_mean(got, competition.trim_min_judges) if full else None
            cells.append(
                Cell(
                    t.kind,
                    t.get_kind_display(),
                    t.weight,
                    trimmed.mean if trimmed else None,
                    tuple(sorted(got)),
                    trimmed.dropped if trimmed else (),
                )
            )
        means = {cell.kind: cell.mean for cell in cells if cell.mean is not None}
        total = (
            calc.composite(means, weights)
            if weights_ok and tests and len(means) == len(tests)
            else None
        )
        by_post[c.post_id].append((c, tuple(cells), total))
    posts: list[tuple[str, list[Row]]] = []
    for items in by_post.values():
        scored = [
            calc.Entry(
                c.pk, total, {cell.kind: cell.mean for cell in cells if cell.mean is not None}
            )
            for c, cells, total in items
            if total is not None
        ]
        ranks = {e.key: (r, tied) for e, r, tied in calc.rank(scored)}
        rows = [
            Row(
                c.pk,
                c.cadre_id,
                c.post_id,
                c.cadre.name,
                f"{c.post.unit.name}{c.post.title}",
                cells,
                total,
                ranks.get(c.pk, (None, False))[0],
                ranks.get(c.pk, (None, False))[1],
            )
            for c, cells, total in items
        ]
        rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.name))
        posts.append((rows[0].post, rows))
    return Sheet(posts, missing, weights_ok, tests)


def sheet_json(sheet: Sheet) -> dict[str, Any]:
    """The sheet as stored at the sign-off (numbers as strings, exact)."""
    return {
        "sub_tests": [{"kind": t.kind, "weight": t.weight} for t in sheet.sub_tests],
        "rows": [
            {
                "candidate": r.candidate_id,
                "cadre": r.cadre_id,
                "post": r.post_id,
                "name": r.name,
                "post_name": r.post,
                "scores": {cell.kind: str(cell.mean) for cell in r.cells if cell.mean is not None},
                "composite": str(r.composite) if r.composite is not None else None,
                "rank": r.rank,
                "tied": r.tied,
            }
            for _post, rows in sheet.posts
            for r in rows
        ],
    }


# ---- what the case's steps read ---------------------------------------------------------------


def _number(text: str) -> int | float:
    value = Decimal(text)
    return int(value) if value == value.to_integral_value() else float(value)


def step_scores(
    case: Case, step: str, submitted: Mapping[str, Any] | None
) -> dict[str, Any] | None:
    """The data of the written-exam or interview step of `case` read from its
    signed sheet: the written test's score (笔试) or the composite (面试及其他测试)
    of each running candidate, out of 100, with the sheet's rank; the
    officer's `excluded` flags and `form` are kept. None: the case has no
    competition (the step takes typed scores, as before). A competition not
    yet signed off is a Conflict."""
    column = STEP_COLUMNS.get(step)
    if column is None:
        return None
    competition = Competition.objects.filter(case=case).first()
    if competition is None:
        return None
    if competition.status != CompetitionStatus.SIGNED_OFF:
        raise Conflict(
            _(
                "本事项的成绩以竞聘评分表为准，评分表尚未经竞聘监督小组签字确认："
                "请先在“竞聘评分”页面录齐成绩并登记签字确认。"
            )
        )
    rows = competition.result.get("rows", [])
    if column == "written" and not any("written" in r.get("scores", {}) for r in rows):
        return None  # no written test on the sheet: typed as before
    submitted = dict(submitted or {})
    excluded = {
        (r.get("cadre"), r.get("post"))
        for r in submitted.get("scores") or []
        if isinstance(r, dict) and r.get("excluded") is True
    }
    excluded_cadres = {c for c, p in excluded if p is None}
    running = set(
        Candidate.objects.filter(case=case, status__in=RUNNING).values_list("cadre_id", "post_id")
    )
    several_posts = case.case_posts.count() > 1
    scores = []
    for r in rows:
        if (r["cadre"], r["post"]) not in running:
            continue
        value = r["scores"].get("written") if column == "written" else r["composite"]
        if value is None:
            continue
        row: dict[str, Any] = {"cadre": r["cadre"], "score": _number(value)}
        if column == "composite" and r.get("rank"):
            row["rank"] = r["rank"]
        if (r["cadre"], r["post"]) in excluded or r["cadre"] in excluded_cadres:
            row["excluded"] = True
        if several_posts:
            row["post"] = r["post"]
        scores.append(row)
    data: dict[str, Any] = {"full_marks": 100, "sheet": competition.pk, "scores": scores}
    if isinstance(submitted.get("form"), str) and submitted["form"].strip():
        data["form"] = submitted["form"]
    return data
