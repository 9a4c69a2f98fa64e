"""Demo data of issue 16 (docs/decisions/0179–0182): an over-quota digestion
plan of one township's 副科级 moving towards zero over the months (back-dated
appointments and departures, so that the monthly figures are counted from the
tenure records), the entry method of part of the county's cadres, and a
凡进必考 cleanup register in the seed's shape (205 cleaned: 124 admitted,
7 not included, 74 not admitted of whom 56 removed and 18 not yet; here a
tenth of it). Written through the services, as the pages would; the entry
methods in bulk with one journal event each."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction

from xuanren.common.dates import add_months
from xuanren.common.errors import DomainError
from xuanren.journal.models import EventType
from xuanren.journal.services import journal_record_many
from xuanren.org.models import Level, Unit, UnitKind
from xuanren.org.services import post_create
from xuanren.people.idnumbers import build_id_number
from xuanren.people.models import Cadre, CadreStatus
from xuanren.people.retirement import latest_birth_retiring_by
from xuanren.people.services import CadreInput, cadre_create, tenure_end, tenure_start
from xuanren.synth.data import REGIONS
from xuanren.workforce.models import CleanupCase, DigestionPlan, EntryMethod, EntryRecord
from xuanren.workforce.overquota import level_series, month_end
from xuanren.workforce.services import cleanup_record, digestion_item_add, digestion_plan_create

log = logging.getLogger(__name__)

#: How many cadres get an entry method (the first of the county by id).
ENTRY_CADRES = 400
#: The cleanup register: a tenth of the seed's 205 (124 / 7 / 56 / 18).
CLEANUP_SHAPE = (("admitted", 12), ("excluded", 1), ("removed", 6), ("not_removed", 2),
                 ("pending", 1))  # fmt: skip
#: Entry methods by share of the first cadres (the rest of 100 is 考试录用).
ENTRY_SHARES = (
    (EntryMethod.SELECTED_GRADUATE, 10), (EntryMethod.TRANSFER_IN, 8),
    (EntryMethod.TRANSFER, 15), (EntryMethod.MILITARY, 6), (EntryMethod.OPEN_SELECTION, 6),
)  # fmt: skip
NAMES = ("杨建军", "刘海涛", "陈志华", "黄德胜")
FILLERS = ("赵文", "钱武", "孙立", "李强", "周杰", "吴斌")


def build_demo_workforce(*, officer: Any, root: Unit, on: dt.date) -> int:
    """The plan, the entry methods and the register; returns the plan's
    people (0 when it is there already)."""
    if DigestionPlan.objects.exists():
        return 0
    made = 0
    try:
        with transaction.atomic():
            made = _plan(officer=officer, root=root, on=on)
    except DomainError as exc:
        log.warning("demo digestion plan skipped: %s", exc)
    _entries(officer=officer, root=root)
    _cleanup(officer=officer, root=root, on=on)
    return made


def _new_cadre(officer: Any, unit: Unit, name: str, birth: dt.date, order: int) -> Cadre:
    region = REGIONS[0][0]
    number = build_id_number(region, birth, order, "male")
    while Cadre.objects.filter(id_number=number).exists():
        order += 2
        number = build_id_number(region, birth, order, "male")
    return cadre_create(
        actor=officer,
        unit=unit,
        data=CadreInput(
            name=name,
            sex="male",
            birth_date=birth,
            id_number=number,
            political_status="cpc_member",
            party_join_date=add_months(birth, 12 * 24),
            party_full_date=add_months(birth, 12 * 25),
            work_start_date=add_months(birth, 12 * 22),
            identity="civil_servant",
            level=Level.SECTION_DEPUTY,
            level_since=add_months(birth, 12 * 32),
        ),
    )


def _plan(*, officer: Any, root: Unit, on: dt.date) -> int:
    town = (
        Unit.objects.filter(path__startswith=root.path, kind=UnitKind.TOWNSHIP)
        .order_by("path")
        .first()
    )
    if town is None:
        return 0
    level = Level.SECTION_DEPUTY
    start = add_months(on, -10).replace(day=10)
    baseline = month_end(start)
    # Fill the level's vacancies first, so that the four are over quota.
    vacant = max(s.vacant for s in level_series(unit_id=town.pk, level=level, days=[baseline, on]))
    extra = vacant + len(NAMES)
    post = post_create(actor=officer, unit=town, title="党委委员", level=level, seats=extra)
    retiring_birth = latest_birth_retiring_by(on + dt.timedelta(days=75), 60)
    births = [dt.date(1979, 4, 8), dt.date(1981, 10, 21), dt.date(1976, 2, 14), retiring_birth]
    if vacant > len(FILLERS):
        return 0
    fillers = FILLERS[:vacant]
    people = [
        _new_cadre(officer, town, name, birth, 901 + 2 * i)
        for i, (name, birth) in enumerate(zip(NAMES, births, strict=True))
    ]
    for i, name in enumerate(fillers):
        people.append(_new_cadre(officer, town, name, dt.date(1983, 1 + i % 12, 5), 951 + 2 * i))
    tenures = [
        tenure_start(
            actor=officer,
            cadre=c,
            post=post,
            start_date=start,
            document_number=f"青组〔{start.year}〕21号",
        )
        for c in people
    ]
    # Left: on the last day of a month, early in the next, and last month.
    departures = [
        (month_end(add_months(start, 2)), "transfer", "转任县农业农村局副局长"),
        (add_months(start, 5).replace(day=1), "exchange", "交流到石桥镇任职"),
        (add_months(on, -1).replace(day=20), "non_leadership", "改任一级主任科员"),
    ]
    for tenure, (day, _means, _note) in zip(tenures, departures, strict=False):
        tenure_end(actor=officer, tenure=tenure, end_date=day,
                   document_number=f"青组〔{day.year}〕{day.month + 30}号")  # fmt: skip
    plan = digestion_plan_create(
        actor=officer, unit=town, level=level, baseline_on=baseline,
        target_on=month_end(add_months(on, 3)), document=f"青组〔{baseline.year}〕5号",
        note="年底干部微调时通过转任、交流和改任非领导职务消化，到龄人员按时退休。",
    )  # fmt: skip
    added = 0
    for person, (day, means, note) in zip(people, departures, strict=False):
        digestion_item_add(actor=officer, plan=plan, cadre=person, means=means,
                           expected_on=day, note=note)  # fmt: skip
        added += 1
    digestion_item_add(actor=officer, plan=plan, cadre=people[3], means="retirement",
                       note="到龄退休")  # fmt: skip
    return added + 1


def _method_of(n: int) -> str:
    slot = n % 100
    for method, share in ENTRY_SHARES:
        if slot < share:
            return method
        slot -= share
    return EntryMethod.EXAMINATION


def _entries(*, officer: Any, root: Unit) -> None:
    if EntryRecord.objects.exists():
        return
    cadres = list(
        Cadre.objects.filter(unit__path__startswith=root.path, status=CadreStatus.ACTIVE)
        .order_by("pk")
        .only("pk", "birth_date", "work_start_date")[:ENTRY_CADRES]
    )
    records = []
    for n, c in enumerate(cadres):
        day = c.work_start_date or add_months(c.birth_date, 12 * 22)
        method = _method_of(n * 37)
        records.append(
            EntryRecord(
                cadre=c,
                method=method,
                entered_on=day,
                document=f"青人〔{day.year}〕{n % 40 + 1}号",
                updated_by=officer,
            )
        )
    EntryRecord.objects.bulk_create(records)
    journal_record_many(
        actor=officer,
        entries=[
            (
                EventType.WORKFORCE_ENTRY_SET,
                r.cadre,
                {
                    "method": r.method,
                    "entered_on": r.entered_on.isoformat(),
                    "document": r.document,
                    "before": None,
                },
            )
            for r in records
        ],
    )


def _cleanup(*, officer: Any, root: Unit, on: dt.date) -> None:
    if CleanupCase.objects.exists():
        return
    pool = list(
        Cadre.objects.filter(unit__path__startswith=root.path, status=CadreStatus.ACTIVE)
        .select_related("unit")
        .order_by("-pk")[: sum(n for _o, n in CLEANUP_SHAPE)]
    )
    decided = add_months(on, -4)
    reasons = {
        "admitted": "考试合格，已录用为公务员",
        "excluded": "公安局人员，按规定不纳入此次录用范围",
        "removed": "从事业单位调入机关，已清退回原单位",
        "not_removed": "担任实职，拟争取按调任解决，尚未清退",
        "pending": "待市委组织部和市人事局研究",
    }
    people = iter(pool)
    try:
        with transaction.atomic():
            for outcome, count in CLEANUP_SHAPE:
                for _ in range(count):
                    person = next(people)
                    cleanup_record(
                        actor=officer, cadre=person, outcome=outcome, reason=reasons[outcome],
                        decided_on=None if outcome == "pending" else decided,
                        document=f"青人〔{decided.year}〕12号",
                    )  # fmt: skip
    except (DomainError, StopIteration) as exc:
        log.warning("demo cleanup register skipped: %s", exc)
