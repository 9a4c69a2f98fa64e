"""Demo temporary postings (挂职锻炼, issue 15, docs/decisions/0158): section
leaders of two townships spend a month in other townships, and one cadre is
posted to a city organ outside the system; entered through the service."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction

from xuanren.common.errors import DomainError
from xuanren.org.models import Level, Unit, UnitKind
from xuanren.people.models import CadreStatus, TemporaryPosting, Tenure
from xuanren.people.posting_services import temporary_posting_add

log = logging.getLogger(__name__)


def build_demo_postings(*, officer: Any, root: Unit, on: dt.date) -> int:
    """Three postings; returns how many were entered."""
    if TemporaryPosting.objects.exists():
        return 0
    towns = list(
        Unit.objects.filter(path__startswith=root.path, kind=UnitKind.TOWNSHIP).order_by("path")[:6]
    )
    holders = list(
        Tenure.objects.filter(
            post__unit__in=towns,
            post__level=Level.SECTION_DEPUTY,
            end_date__isnull=True,
            cadre__status=CadreStatus.ACTIVE,
        )
        .select_related("cadre", "post__unit")
        .order_by("pk")[:3]
    )
    start = dt.date(on.year, on.month, 1) - dt.timedelta(days=92)
    start = start.replace(day=1)
    made = 0
    for n, tenure in enumerate(holders):
        host = next((t for t in towns if t.pk != tenure.post.unit_id), None)
        last = n == len(holders) - 1 or host is None
        try:
            with transaction.atomic():
                temporary_posting_add(
                    actor=officer,
                    cadre=tenure.cadre,
                    host_unit=None if last else host,
                    host_name="市级机关（市发展和改革委员会）" if last else "",
                    post_title="挂职副主任" if last else "挂职副镇长",
                    start_date=start,
                    end_date=start + dt.timedelta(days=29),
                    note="挂职锻炼一个月",
                )
            made += 1
        except DomainError as exc:
            log.warning("demo posting skipped: %s", exc)
        towns = towns[1:] + towns[:1]
    return made
