"""一报告两评议 reads: the appraisals an actor may see, the cadres promoted
in a unit subtree in a year (from the cases), and the result — 满意率 of the
selection work and 认同率 of each cadre, in integers, with the cadres whose
不认同 passes the threshold flagged (docs/decisions/0131–0132)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from xuanren.access.policy import require_perm, unit_scope_q
from xuanren.common.errors import NotFound
from xuanren.org.models import Unit
from xuanren.procedure.models import Candidate, CaseStep
from xuanren.statistics.selection_tally import Share
from xuanren.supervision.lookback_selectors import APPOINTED, decision_day
from xuanren.supervision.models_opinion import Appraisal, AppraisedCadre

VIEW_APPRAISALS = "supervision.view_appraisal"
MANAGE_APPRAISALS = "supervision.manage_appraisal"


# ---- the arithmetic ------------------------------------------------------------------


@dataclass(frozen=True)
class WorkResult:
    participants: int
    good: int
    fairly_good: int
    average: int
    poor: int

    @property
    def counted(self) -> int:
        return self.good + self.fairly_good + self.average + self.poor

    @property
    def not_rated(self) -> int:
        """Blank or spoilt ballots and those who did not rate."""
        return self.participants - self.counted

    @property
    def satisfaction(self) -> Share:
        """满意率: 好 and 较好 of all who took part."""
        return Share(self.good + self.fairly_good, self.participants)

    def share(self, n: int) -> Share:
        return Share(n, self.participants)


@dataclass(frozen=True)
class CadreResult:
    participants: int
    agree: int
    mostly_agree: int
    disagree: int
    threshold: tuple[int, int]

    @property
    def recognition(self) -> Share:
        """认同率: 认同 and 基本认同 of all who took part."""
        return Share(self.agree + self.mostly_agree, self.participants)

    @property
    def disagreement(self) -> Share:
        return Share(self.disagree, self.participants)

    @property
    def flagged(self) -> bool:
        """不认同 strictly more than the threshold's share: exactly a third is
        not flagged. Nothing is flagged before the ballots are entered."""
        num, den = self.threshold
        return self.participants > 0 and self.disagree * den > self.participants * num


def threshold() -> tuple[int, int]:
    num, den = settings.XUANREN_APPRAISAL_DISAGREE_FLAG
    return int(num), int(den)


def threshold_text() -> str:
    num, den = threshold()
    return _("不认同票超过参加评议人数的 %(n)d/%(d)d") % {"n": num, "d": den}


def work_result(a: Appraisal) -> WorkResult:
    return WorkResult(a.participants, a.good, a.fairly_good, a.average, a.poor)


def cadre_result(row: AppraisedCadre, limit: tuple[int, int] | None = None) -> CadreResult:
    return CadreResult(
        row.participants, row.agree, row.mostly_agree, row.disagree, limit or threshold()
    )


# ---- the reads -----------------------------------------------------------------------


@dataclass(frozen=True)
class Promoted:
    candidate: Candidate
    decided_on: dt.date

    @property
    def post_text(self) -> str:
        post = self.candidate.post
        return f"{post.unit.name}{post.title}"


def promoted_in(*, actor: Any, unit: Unit, year: int) -> list[Promoted]:
    """The candidates appointed to posts of `unit`'s subtree whose decision
    fell in `year`, in cases the actor may see (two queries), by date."""
    candidates = list(
        Candidate.objects.filter(
            unit_scope_q(actor, prefix="case__unit__"),
            post__unit__path__startswith=unit.path,
            status__in=APPOINTED,
        )
        .select_related("post__unit", "cadre")
        .order_by("case_id", "pk")
    )
    records: dict[int, list[CaseStep]] = defaultdict(list)
    for r in CaseStep.objects.filter(
        case_id__in={c.case_id for c in candidates}, step__in=("decision", "appointment")
    ):
        records[r.case_id].append(r)
    out = []
    for c in candidates:
        day = decision_day(records[c.case_id])
        if day is not None and day.year == year:
            out.append(Promoted(c, day))
    return sorted(out, key=lambda p: (p.decided_on, p.candidate.pk))


def appraisals(*, actor: Any) -> QuerySet[Appraisal]:
    require_perm(actor, VIEW_APPRAISALS)
    return (
        Appraisal.objects.filter(unit_scope_q(actor, prefix="unit__"))
        .select_related("unit")
        .annotate(cadre_count=Count("cadres"))
    )


def appraisal_get(*, actor: Any, pk: int) -> Appraisal:
    found = appraisals(actor=actor).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("未找到该一报告两评议，或其不在您的管理范围内。"))
    return found


@dataclass(frozen=True)
class CadreLine:
    row: AppraisedCadre
    result: CadreResult


@dataclass(frozen=True)
class AppraisalResult:
    appraisal: Appraisal
    work: WorkResult
    cadres: list[CadreLine]
    threshold_text: str

    @property
    def flagged(self) -> list[CadreLine]:
        return [c for c in self.cadres if c.result.flagged]


def appraisal_result(*, actor: Any, appraisal: Appraisal) -> AppraisalResult:
    """The whole result (one query for the cadres)."""
    require_perm(actor, VIEW_APPRAISALS)
    limit = threshold()
    rows = AppraisedCadre.objects.filter(appraisal=appraisal).select_related("cadre")
    return AppraisalResult(
        appraisal,
        work_result(appraisal),
        [CadreLine(r, cadre_result(r, limit)) for r in rows.order_by("decided_on", "pk")],
        threshold_text(),
    )
