"""年度考核 reads: the rounds an actor may see, one round's sheet (scores,
composites, proposed and confirmed grades, the 优秀 quota line), and a
cadre's composites for the cadre page (docs/decisions/0150–0152)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from xuanren.access.policy import require_perm, unit_scope_q
from xuanren.assessment import scoring
from xuanren.assessment.models import AssessedCadre, AssessmentRound, Dimension, RaterGroup, Score
from xuanren.common.errors import NotFound
from xuanren.people.models import AssessmentGrade

VIEW_ROUNDS = "assessment.view_assessmentround"
MANAGE_ROUNDS = "assessment.manage_assessmentround"


def bands_of(r: AssessmentRound) -> dict[str, int]:
    return {
        AssessmentGrade.EXCELLENT: r.band_excellent,
        AssessmentGrade.COMPETENT: r.band_competent,
        AssessmentGrade.BASICALLY_COMPETENT: r.band_basic,
    }


def rounds(*, actor: Any) -> QuerySet[AssessmentRound]:
    require_perm(actor, VIEW_ROUNDS)
    return (
        AssessmentRound.objects.filter(unit_scope_q(actor, prefix="unit__"))
        .select_related("unit")
        .annotate(cadre_count=Count("cadres"))
    )


def _not_found() -> NotFound:
    return NotFound(_("未找到该年度考核，或其不在您的管理范围内。"))


def round_get(*, actor: Any, pk: int) -> AssessmentRound:
    found = rounds(actor=actor).filter(pk=pk).first()
    if found is None:
        raise _not_found()
    return found


def assessed_get(*, actor: Any, round: AssessmentRound, pk: int) -> AssessedCadre:
    """A cadre of `round` (which the caller got through round_get)."""
    require_perm(actor, VIEW_ROUNDS)
    found = AssessedCadre.objects.filter(round=round, pk=pk).select_related("cadre").first()
    if found is None:
        raise NotFound(_("该干部不在本次年度考核名单中。"))
    return found


@dataclass
class Line:
    """One cadre's row of the sheet."""

    assessed: AssessedCadre
    scores: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    group_scores: dict[str, Decimal | None] = field(default_factory=dict)
    composite: Decimal | None = None
    proposed: str = ""

    @property
    def cells(self) -> list[Decimal | None]:
        """The fifteen scores in the grid's order (groups × dimensions)."""
        return [self.scores.get((g, d)) for g in scoring.GROUPS for d in scoring.DIMENSIONS]

    @property
    def group_cells(self) -> list[Decimal | None]:
        return [self.group_scores.get(g) for g in scoring.GROUPS]

    @property
    def proposed_label(self) -> str:
        return str(AssessmentGrade(self.proposed).label) if self.proposed else ""

    @property
    def changed(self) -> bool:
        """The confirmed grade is not the one the bands propose."""
        return bool(self.assessed.grade and self.proposed and self.assessed.grade != self.proposed)


def line_of(
    r: AssessmentRound, assessed: AssessedCadre, scores: dict[tuple[str, str], Decimal]
) -> Line:
    dims = r.dimension_weights()
    groups: dict[str, Decimal | None] = {}
    for g in scoring.GROUPS:
        part = {d: scores[(g, d)] for d in scoring.DIMENSIONS if (g, d) in scores}
        groups[g] = (
            scoring.group_score(dims, part).quantize(scoring.CENT)
            if len(part) == len(scoring.DIMENSIONS)
            else None
        )
    total = scoring.composite(r.group_weights(), dims, scores)
    return Line(assessed, scores, groups, total, scoring.proposed_grade(total, bands_of(r)))


@dataclass(frozen=True)
class Sheet:
    round: AssessmentRound
    lines: list[Line]
    quota: int
    excellent: int

    @property
    def assessed(self) -> int:
        return len(self.lines)

    @property
    def quota_full(self) -> bool:
        return self.excellent >= self.quota

    @property
    def ranked(self) -> list[tuple[Line, bool]]:
        """The lines by composite, highest first (those without one last,
        ties in list order), each with whether the quota line is drawn
        under it: after the quota-th line, when there is any place at all."""
        order = sorted(
            self.lines,
            key=lambda line: (line.composite is None, -(line.composite or 0), line.assessed.pk),
        )
        return [(line, n == self.quota) for n, line in enumerate(order, start=1)]

    @property
    def confirmed(self) -> int:
        return sum(1 for line in self.lines if line.assessed.grade)


def _scores_by_assessed(ids: list[int]) -> dict[int, dict[tuple[str, str], Decimal]]:
    out: dict[int, dict[tuple[str, str], Decimal]] = {i: {} for i in ids}
    for aid, g, d, s in Score.objects.filter(assessed_id__in=ids).values_list(
        "assessed_id", "group", "dimension", "score"
    ):
        out[aid][(g, d)] = s
    return out


def round_sheet(*, actor: Any, round: AssessmentRound) -> Sheet:
    """The whole sheet in two queries (the cadres, their scores)."""
    require_perm(actor, VIEW_ROUNDS)
    rows = list(AssessedCadre.objects.filter(round=round).select_related("cadre").order_by("pk"))
    scores = _scores_by_assessed([a.pk for a in rows])
    lines = [line_of(round, a, scores[a.pk]) for a in rows]
    excellent = sum(1 for a in rows if a.grade == AssessmentGrade.EXCELLENT)
    return Sheet(round, lines, scoring.excellent_quota(len(rows), round.excellent_share), excellent)


def assessed_line(*, actor: Any, assessed: AssessedCadre) -> Line:
    require_perm(actor, VIEW_ROUNDS)
    return line_of(assessed.round, assessed, _scores_by_assessed([assessed.pk])[assessed.pk])


def cadre_lines(*, actor: Any, cadre_id: int) -> list[Line]:
    """The cadre's assessments in rounds the actor may see, newest year first
    (two queries; none when the actor may not read assessments)."""
    from xuanren.access.policy import has_perm

    if not has_perm(actor, VIEW_ROUNDS):
        return []
    rows = list(
        AssessedCadre.objects.filter(unit_scope_q(actor, prefix="round__unit__"), cadre_id=cadre_id)
        .select_related("round__unit")
        .order_by("-round__year", "pk")
    )
    scores = _scores_by_assessed([a.pk for a in rows])
    return [line_of(a.round, a, scores[a.pk]) for a in rows]


def grid_columns() -> list[tuple[str, str, str]]:
    """(group, dimension, field name) of the fifteen cells, in order."""
    return [(g, d, f"s_{g}_{d}") for g in scoring.GROUPS for d in scoring.DIMENSIONS]


def group_labels() -> list[str]:
    return [str(RaterGroup(g).label) for g in scoring.GROUPS]


def dimension_labels() -> list[str]:
    return [str(Dimension(d).label) for d in scoring.DIMENSIONS]
