"""Demo rotation and exchange (issue 16, docs/decisions/0175–0178): the
county's alerts of each kind come from the generated tenure history (a
cadre's 任现职务层次时间 is moved back through the services when no one has
been fifteen years at a level); a rotation plan of the county lists cadres
with alerts (planned) and cadres who moved posts this year (rotated, with
their exchange records); a temporary posting outside the system is linked
to an exchange record. Recorded through the services, as the pages would."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction

from xuanren.common.dates import add_months
from xuanren.common.errors import DomainError
from xuanren.org.models import Level, Unit
from xuanren.people.models import Cadre, CadreStatus, TemporaryPosting, Tenure
from xuanren.people.services import cadre_update
from xuanren.rotation.models import ExchangeKind, RotationPlan
from xuanren.rotation.rules import AlertKind, pack
from xuanren.rotation.selectors import alerts
from xuanren.rotation.services import (
    exchange_record_add,
    rotation_plan_add,
    rotation_plan_create,
    rotation_plan_entry_set,
)

log = logging.getLogger(__name__)
#: How many cadres with alerts the plan lists, and how many who moved.
PLANNED, ROTATED = 4, 3


def _ensure_level_alert(officer: Any, root: Unit, on: dt.date) -> None:
    rule = next(r for r in pack().rules if r.kind == AlertKind.LEVEL_YEARS)
    if alerts(actor=officer, on=on, kind=AlertKind.LEVEL_YEARS, limit=1):
        return
    since = add_months(on, -rule.months) - dt.timedelta(days=20)
    cadre = (
        Cadre.objects.filter(
            unit__path__startswith=root.path,
            status=CadreStatus.ACTIVE,
            level=Level.SECTION_DEPUTY,
            work_start_date__lt=since - dt.timedelta(days=5 * 365),
        )
        .order_by("level_since", "pk")
        .first()
    )
    if cadre is not None:
        cadre_update(actor=officer, cadre=cadre, changes={"level_since": since})


def _kind(before: Unit, after: Unit) -> str:
    if before.kind != after.kind:
        return ExchangeKind.CROSS_SYSTEM
    return ExchangeKind.CROSS_DEPARTMENT


def _moved_this_year(root: Unit, on: dt.date) -> list[tuple[Tenure, Tenure]]:
    """(earlier, current) tenures of cadres who moved to another unit's post
    within the last year, most recent first."""
    current = list(
        Tenure.objects.filter(
            post__unit__path__startswith=root.path,
            end_date__isnull=True,
            start_date__gt=add_months(on, -12),
            start_date__lte=on,
            cadre__status=CadreStatus.ACTIVE,
        )
        .select_related("cadre", "post__unit")
        .order_by("-start_date", "pk")[:200]
    )
    earlier = {
        t.cadre_id: t
        for t in Tenure.objects.filter(
            cadre_id__in=[t.cadre_id for t in current], end_date__isnull=False
        )
        .select_related("post__unit")
        .order_by("end_date", "pk")
    }
    pairs = []
    for t in current:
        before = earlier.get(t.cadre_id)
        if before is not None and before.post.unit_id != t.post.unit_id:
            pairs.append((before, t))
    return pairs


def build_demo_rotation(*, officer: Any, root: Unit, on: dt.date) -> int:
    """The demo's rotation plan and exchanges; returns how many cadres it lists."""
    if RotationPlan.objects.exists():
        return 0
    listed = 0
    try:
        with transaction.atomic():
            _ensure_level_alert(officer, root, on)
            plan = rotation_plan_create(
                actor=officer,
                unit=root,
                title=f"{on.year} 年度科级干部轮岗交流计划",
                year=on.year,
                note="对在同一职位任职满十年、连续任职两个任期及重要岗位任职较长的干部，有计划地进行轮岗交流。",
            )
            seen: set[int] = set()
            for a in alerts(actor=officer, on=on, kind=AlertKind.POST_YEARS, limit=40):
                if len(seen) >= PLANNED or a.cadre.pk in seen or a.post is None:
                    continue
                rotation_plan_add(
                    actor=officer,
                    plan=plan,
                    cadre=a.cadre,
                    target_name=f"县直机关{Level(a.post.level).label}职位（待定）",
                    note=a.rule.title[:200],
                )
                seen.add(a.cadre.pk)
            for before, after in _moved_this_year(root, on)[:ROTATED]:
                if after.cadre_id in seen:
                    continue
                exchange = exchange_record_add(
                    actor=officer,
                    cadre=after.cadre,
                    kind=_kind(before.post.unit, after.post.unit),
                    date=after.start_date,
                    from_post=before.post,
                    to_post=after.post,
                    document=after.document_number,
                )
                entry = rotation_plan_add(
                    actor=officer,
                    plan=plan,
                    cadre=after.cadre,
                    target_post=after.post,
                    from_post=before.post,
                )
                rotation_plan_entry_set(
                    actor=officer,
                    entry=entry,
                    status="done",
                    done_on=after.start_date,
                    exchange=exchange,
                )
                seen.add(after.cadre_id)
            outside = (
                TemporaryPosting.objects.filter(
                    host_unit__isnull=True, cadre__unit__path__startswith=root.path
                )
                .select_related("cadre")
                .order_by("pk")
                .first()
            )
            if outside is not None:
                held = (
                    outside.cadre.tenures.filter(end_date__isnull=True)
                    .select_related("post__unit")
                    .first()
                )
                exchange_record_add(
                    actor=officer,
                    cadre=outside.cadre,
                    kind=ExchangeKind.CROSS_LEVEL,
                    date=outside.start_date,
                    from_post=held.post if held else None,
                    from_name="" if held else outside.cadre.unit.name,
                    to_name=f"{outside.host}{outside.post_title}",
                    posting=outside,
                    note="挂职锻炼",
                )
            listed = len(seen)
    except DomainError as exc:
        log.warning("demo rotation skipped: %s", exc)
    return listed
