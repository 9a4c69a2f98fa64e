"""The demo's annual assessment (issue 15, docs/decisions/0150–0152): last
year's round of one county bureau, the scores of each cadre entered as from the paper sheets, a 述职 each, and the
grades confirmed within the 优秀 quota — all through the services, so each
grade is in the cadre's record as the page would write it. A cadre's scores
fall in the band of the grade the record already holds for that year (or
称职), so the demo's cases and screenings keep their verdicts."""

from __future__ import annotations

import datetime as dt
import logging
import random
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Q

from xuanren.assessment.models import AssessmentRound
from xuanren.assessment.scoring import DIMENSIONS, GROUPS
from xuanren.assessment.selectors import round_sheet
from xuanren.assessment.services import (
    ScoreEntry,
    grade_confirm,
    report_set,
    round_create,
    scores_record,
)
from xuanren.common.errors import DomainError
from xuanren.org.models import Unit, UnitKind
from xuanren.people.models import Assessment, AssessmentGrade, CadreStatus

log = logging.getLogger(__name__)

#: (low, high) of a cadre's base score for the grade on record.
BASE: dict[str, tuple[int, int]] = {
    AssessmentGrade.EXCELLENT: (91, 96),
    AssessmentGrade.COMPETENT: (78, 87),
    AssessmentGrade.BASICALLY_COMPETENT: (63, 71),
    AssessmentGrade.INCOMPETENT: (50, 56),
}
REPORT = (
    "{year}年，本人在{unit}党委的领导下，认真学习贯彻党的路线方针政策，履行岗位职责，"
    "完成分管的各项工作任务；严格遵守廉洁自律各项规定。存在的不足：调查研究还不够深入。"
    "今后将进一步加强学习，改进作风，提高工作水平。"
)


def _unit(root: Unit) -> Unit | None:
    """A government department of 15 to 30 cadres in service (a county
    bureau; a township's sixty would slow the timed demo build), else the
    first unit of 5 to 100."""
    counted = (
        Unit.objects.filter(path__startswith=root.path)
        .annotate(n=Count("cadres", filter=Q(cadres__status=CadreStatus.ACTIVE)))
        .order_by("path")
    )
    return (
        counted.filter(kind=UnitKind.GOVERNMENT_DEPARTMENT, n__gte=15, n__lte=30).first()
        or counted.filter(n__gte=5, n__lte=100).first()
    )


def build_demo_assessment(*, officer: Any, root: Unit, on: dt.date, seed: int = 15) -> int:
    """Last year's round of one township; returns how many cadres it assessed."""
    if AssessmentRound.objects.exists():
        return 0
    unit = _unit(root)
    if unit is None:
        return 0
    rng = random.Random(seed)
    year = on.year - 1
    try:
        with transaction.atomic():
            r = round_create(actor=officer, unit=unit, year=year)
            rows = list(r.cadres.select_related("cadre").order_by("pk"))
            on_record = dict(
                Assessment.objects.filter(
                    cadre_id__in=[a.cadre_id for a in rows], year=year
                ).values_list("cadre_id", "grade")
            )
            entries = []
            for a in rows:
                low, high = BASE.get(on_record.get(a.cadre_id, ""), BASE[AssessmentGrade.COMPETENT])
                base = rng.randint(low, high)
                for g in GROUPS:
                    for d in DIMENSIONS:
                        cell = Decimal(base * 10 + rng.randint(-15, 15)) / 10
                        entries.append(ScoreEntry(a.pk, g, d, min(cell, Decimal(100))))
            scores_record(actor=officer, round=r, entries=entries)
            for a in rows:
                report_set(
                    actor=officer, assessed=a, report=REPORT.format(year=year, unit=unit.name)
                )
            sheet = round_sheet(actor=officer, round=r)
            places = sheet.quota
            for line, _below in sheet.ranked:
                grade = line.proposed or AssessmentGrade.NOT_GRADED
                if grade == AssessmentGrade.EXCELLENT:
                    if places > 0:
                        places -= 1
                    else:
                        grade = AssessmentGrade.COMPETENT
                grade_confirm(actor=officer, assessed=line.assessed, grade=grade)
    except DomainError as exc:
        log.warning("demo assessment skipped: %s", exc)
        return 0
    return len(rows)
