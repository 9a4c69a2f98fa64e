"""Demo training classes (issue 15, docs/decisions/0146): two finished classes
of the county party school with their participants, enrolled through the
services so that each participant's training row is written as the page
would write it."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction

from xuanren.common.dates import frozen_today
from xuanren.common.errors import DomainError
from xuanren.org.models import Unit
from xuanren.people.models import Cadre, CadreStatus, TrainingClass
from xuanren.people.services import training_class_create, training_class_enrol

log = logging.getLogger(__name__)

#: (name, days before the demo date it started, days, hours, participants)
CLASSES = (
    ("中青年干部培训班", 70, 28, 112, 24),
    ("乡科级干部任职培训班", 40, 10, 40, 16),
)


def build_demo_training(*, officer: Any, root: Unit, on: dt.date) -> int:
    """The demo's training classes; returns how many participants were enrolled."""
    if TrainingClass.objects.exists():
        return 0
    # Younger active cadres first (a 中青年 class), spread over the county.
    pool = list(
        Cadre.objects.filter(unit__path__startswith=root.path, status=CadreStatus.ACTIVE)
        .order_by("-birth_date", "pk")
        .values_list("pk", flat=True)[:400]
    )
    enrolled = 0
    for c, (name, started, days, hours, size) in enumerate(CLASSES):
        start = on - dt.timedelta(days=started)
        end = start + dt.timedelta(days=days - 1)
        picked = pool[c::7][:size]
        try:
            with transaction.atomic(), frozen_today(end + dt.timedelta(days=1)):
                made = training_class_create(
                    actor=officer,
                    unit=root,
                    name=f"{end.year}年{name}",
                    organiser=f"中共{root.name}委党校",
                    start_date=start,
                    end_date=end,
                    hours=hours,
                )
                for cadre in Cadre.objects.filter(pk__in=picked).order_by("pk"):
                    training_class_enrol(actor=officer, training_class=made, cadre=cadre)
                    enrolled += 1
        except DomainError as exc:
            log.warning("demo training class %s skipped: %s", name, exc)
    return enrolled
