"""Demo warning talks and observation periods (issue 15, docs/decisions/0156):
one cadre still under observation, due within the month so the officer's
待办 shows it, and one whose observation ended with a move to a
non-leadership post. Recorded through the services, as the pages would."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction

from xuanren.common.dates import add_months
from xuanren.common.errors import DomainError
from xuanren.observation.models import Observation
from xuanren.observation.services import observation_close, observation_open
from xuanren.org.models import Level, Unit
from xuanren.people.models import Assessment, CadreStatus, Tenure

log = logging.getLogger(__name__)


def _holders(root: Unit, before: dt.date) -> list[Tenure]:
    """Active cadres holding a 副科级 post of the county since before `before`,
    those assessed 基本称职 first."""
    tenures = list(
        Tenure.objects.filter(
            post__unit__path__startswith=root.path,
            post__level=Level.SECTION_DEPUTY,
            end_date__isnull=True,
            start_date__lt=before,
            cadre__status=CadreStatus.ACTIVE,
        )
        .select_related("cadre", "post__unit")
        .order_by("pk")[:300]
    )
    weak = set(
        Assessment.objects.filter(
            cadre__in=[t.cadre_id for t in tenures], grade="basically_competent"
        ).values_list("cadre_id", flat=True)
    )
    seen: set[int] = set()
    unique = []
    for t in sorted(tenures, key=lambda t: (t.cadre_id not in weak, t.pk)):
        if t.cadre_id not in seen:
            seen.add(t.cadre_id)
            unique.append(t)
    return unique


def build_demo_observations(*, officer: Any, root: Unit, on: dt.date) -> int:
    """Two observations; returns how many were recorded."""
    if Observation.objects.exists():
        return 0
    finished_talk = add_months(on, -8)
    open_talk = add_months(on + dt.timedelta(days=12), -6)  # completed in about 12 days
    made = 0
    plans = [
        (finished_talk, "finding", "实绩不突出，群众反映较差，年度重点工作多项未完成。"),
        (open_talk, "finding", "分管工作推进缓慢，群众满意度测评排名靠后。"),
    ]
    holders = _holders(root, finished_talk)
    for (talk, kind, reason), tenure in zip(plans, holders, strict=False):
        assessed = (
            Assessment.objects.filter(cadre=tenure.cadre, grade="basically_competent")
            .order_by("-year")
            .values_list("year", flat=True)
            .first()
        )
        try:
            with transaction.atomic():
                obs = observation_open(
                    actor=officer,
                    cadre=tenure.cadre,
                    tenure=tenure,
                    talk_date=talk,
                    talked_by="县委组织部副部长、县纪委副书记",
                    reason_kind="assessment_basically_competent" if assessed else kind,
                    assessment_year=assessed,
                    reason=reason,
                    talk_record="谈话指出存在的问题，本人表示接受批评，提出三条整改措施。",
                    document=f"组诫〔{talk.year}〕{made + 1}号",
                )
                if talk == finished_talk:
                    observation_close(
                        actor=officer,
                        observation=obs,
                        outcome="moved",
                        decided_on=obs.ends_on + dt.timedelta(days=9),
                        note="察看期满考核，仍无明显起色。",
                        document=f"组干〔{obs.ends_on.year}〕{made + 11}号",
                        rank="一级主任科员",
                    )
            made += 1
        except DomainError as exc:
            log.warning("demo observation skipped: %s", exc)
    return made
