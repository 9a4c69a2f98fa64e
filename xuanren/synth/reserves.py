"""The demo's reserve round (issue 15, docs/decisions/0153): a 三荐双考 round of
the county with nominations from the three channels (some cadres by two),
test scores against a pass line of 60 (some below it, recorded as failed and
not listed), the inspection (one failed, with its opinion), the list in two
tiers fixed on a past day, and one cadre who has left it since, promoted.
Everything through the services, as the pages would write it."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction

from xuanren.common.errors import DomainError
from xuanren.org.models import Level, Unit
from xuanren.people.models import Cadre, CadreStatus
from xuanren.reserves.models import Member, ReserveRound
from xuanren.reserves.services import (
    reserve_inspection_record,
    reserve_list_fix,
    reserve_member_add,
    reserve_member_leave,
    reserve_nominate,
    reserve_round_create,
    reserve_test_record,
)

log = logging.getLogger(__name__)

NOMINEES = 20
#: Scores in order of the nominees (the 4th, 9th and 15th fall below 60; the
#: 7th is exactly on the line and passes).
SCORES = ("86.5", "78", "91", "55.5", "72", "68", "60", "83", "58", "74.5",
          "88", "65", "79", "70", "47", "81", "62", "76", "69", "84")  # fmt: skip
CHANNELS = ("organization", "masses", "self")


def build_demo_reserves(*, officer: Any, root: Unit, on: dt.date) -> int:
    """The demo's round; returns how many cadres are on its list."""
    if ReserveRound.objects.exists():
        return 0
    pool = list(
        Cadre.objects.filter(unit__path__startswith=root.path, status=CadreStatus.ACTIVE)
        .exclude(
            level__in=(Level.SECTION_PRINCIPAL, Level.DIVISION_DEPUTY, Level.DIVISION_PRINCIPAL)
        )
        .order_by("-birth_date", "pk")[3 : 3 + NOMINEES * 5 : 5]
    )
    nominated_on = on - dt.timedelta(days=150)
    inspected_on = on - dt.timedelta(days=130)
    tested_on = on - dt.timedelta(days=120)
    listed_on = on - dt.timedelta(days=100)
    try:
        with transaction.atomic():
            round_ = reserve_round_create(
                actor=officer, unit=root, year=listed_on.year,
                title=f"{listed_on.year}年度科级后备干部选拔", pass_line="60",
            )  # fmt: skip
            nominees = []
            for i, cadre in enumerate(pool):
                channels = [CHANNELS[i % 3]] + ([CHANNELS[(i + 1) % 3]] if i % 4 == 0 else [])
                for channel in channels:
                    n = reserve_nominate(
                        actor=officer, round=round_, cadre=cadre, channel=channel,
                        nominated_on=nominated_on,
                        note="机关干部联名推荐" if channel == "masses" else "",
                    )  # fmt: skip
                nominees.append(n)
            for i, n in enumerate(nominees):
                failed = i == 11
                reserve_inspection_record(
                    actor=officer, nominee=n, result="failed" if failed else "passed",
                    inspected_on=inspected_on,
                    note="考察谈话中群众反映其工作作风不够扎实，暂不列入。" if failed else "",
                )  # fmt: skip
                if i < len(SCORES):
                    reserve_test_record(
                        actor=officer, nominee=n, score=SCORES[i], tested_on=tested_on
                    )
            listed: list[Member] = []
            for i, n in enumerate(nominees):
                n.refresh_from_db()
                if i == 11 or n.score is None or n.score < round_.pass_line:
                    continue
                near = n.score >= 80
                member = reserve_member_add(
                    actor=officer, nominee=n, tier="near" if near else "longer",
                    target_level=Level.SECTION_DEPUTY if near else "",
                    target_post="乡镇党政副职" if near else "",
                )  # fmt: skip
                listed.append(member)
            reserve_list_fix(actor=officer, round=round_, listed_on=listed_on)
            if listed:
                reserve_member_leave(
                    actor=officer, member=listed[0], left_on=on - dt.timedelta(days=20),
                    reason="promoted", note="经县委常委会研究，提拔任用。",
                )  # fmt: skip
            return len(listed) - 1
    except DomainError as exc:
        log.warning("demo reserve round skipped: %s", exc)
        return 0
