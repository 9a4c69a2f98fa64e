"""Demo 征询意见 and 一报告两评议 (issue 14, docs/decisions/0130–0132):
one round of opinion letters to about 300 party representatives, most of
them returned, with 15 opinions at every stage (open, assigned to the
discipline commission so its 待办 shows one, answered); and the appraisal of
last year's selection work and of the cadres promoted in it, through the
services, at rates of the seed's order (seed §8: about 150 opinions from
3,277 letters, one opinion for twenty letters)."""

from __future__ import annotations

import datetime as dt
import logging
import random
from typing import Any

from django.db import transaction

from xuanren.common.dates import today
from xuanren.common.errors import DomainError
from xuanren.org.models import Unit
from xuanren.synth.data import FEMALE_CHARS, MALE_CHARS, SURNAMES

log = logging.getLogger(__name__)

REPRESENTATIVES = 300
RETURNED = 262
OPINIONS = (
    ("selection", "干部选拔任用要通过票决体现集体决策，也要体现任前选人征求意见的广度和深度。"),
    ("selection", "建议组织部门把任免人选提交县委会研究前，书面征求纪委监委的意见。"),
    ("voting", "票决前应将拟任免人选的考察材料提前送达与会委员，保证充分酝酿。"),
    ("voting", "票决结果应当场统计、当场宣布，并在纪实中载明反对和弃权票数。"),
    ("supervision", "任前公示的受理电话应保持畅通，公示期间的来信来电应逐件答复。"),
    ("supervision", "对试用期满的干部应听取服务对象的意见，不胜任的及时调整。"),
    ("selection", "乡镇领导班子调整时应扩大民主推荐的参与范围，村居干部也应参加。"),
    ("team", "部分乡镇班子年轻干部和女干部偏少，建议在换届中统筹考虑。"),
    ("team", "后备干部名单应定期调整充实，做好跟踪培养。"),
    ("conduct", "个别新提拔干部下基层调研较少，建议加强作风建设。"),
    ("supervision", "被缓议人选的后续情况应跟踪了解，形成分析报告。"),
    ("selection", "公开选拔的笔试面试成绩应在一定范围内公开。"),
    ("other", "建议将征询意见书的办理结果向党代表反馈。"),
    ("conduct", "干部交流轮岗后应有一定的熟悉期，避免频繁调整。"),
    ("voting", "建议明确缓议人选再次提交讨论的条件和时限。"),
)
#: How the fifteen opinions stand: answered, assigned (to the discipline
#: commission, answer due soon), left open.
ANSWERED, ASSIGNED = 9, 3


def _name(rng: random.Random) -> str:
    surnames = [s for s, _w in SURNAMES]
    weights = [w for _s, w in SURNAMES]
    surname = rng.choices(surnames, weights)[0]
    chars = MALE_CHARS if rng.random() < 0.6 else FEMALE_CHARS
    n = 1 if rng.random() < 0.25 else 2
    return surname + "".join(rng.choice(chars) for _ in range(n))


def build_demo_opinions(
    *, officer: Any, jiwei: Any, root: Unit, on: dt.date, seed: int = 130
) -> None:
    """The round and the appraisal; nothing when a round exists already."""
    from xuanren.supervision.models_opinion import OpinionRound

    if OpinionRound.objects.exists():
        return
    try:
        with transaction.atomic():
            _round(random.Random(seed), officer=officer, jiwei=jiwei, root=root, on=on)
    except DomainError as exc:
        log.warning("demo opinion round skipped: %s", exc)
    try:
        with transaction.atomic():
            _appraisal(random.Random(seed + 1), officer=officer, root=root, on=on)
    except DomainError as exc:
        log.warning("demo appraisal skipped: %s", exc)


def _round(rng: random.Random, *, officer: Any, jiwei: Any, root: Unit, on: dt.date) -> None:
    from xuanren.supervision.models_opinion import OpinionRecipient
    from xuanren.supervision.opinion_services import (
        RecipientIn,
        opinion_add,
        opinion_answer,
        opinion_assign,
        opinion_recipients_add,
        opinion_reply_record,
        opinion_round_create,
    )

    issued = on - dt.timedelta(days=60)
    half = "上半年" if issued.month <= 6 else "下半年"
    round_ = opinion_round_create(
        actor=officer,
        unit=root,
        title=f"{issued.year}年{half}干部选拔任用工作征询意见",
        period_start=issued - dt.timedelta(days=182),
        period_end=issued,
        issued_on=issued,
        reply_deadline=issued + dt.timedelta(days=30),
    )
    units = list(
        Unit.objects.filter(path__startswith=root.path, depth__lte=root.depth + 1)
        .order_by("path")
        .values_list("name", flat=True)[:60]
    ) or [root.name]
    people: list[RecipientIn] = []
    seen: set[tuple[str, str]] = set()
    while len(people) < REPRESENTATIVES:
        person = RecipientIn(_name(rng), rng.choice(units), f"13{rng.randrange(10**9):09d}")
        if (person.name, person.unit_name) not in seen:
            seen.add((person.name, person.unit_name))
            people.append(person)
    opinion_recipients_add(actor=officer, round=round_, people=people, source="demo")
    recipients = list(OpinionRecipient.objects.filter(round=round_).order_by("pk"))
    back = rng.sample(recipients, RETURNED)
    for who in back:
        day = issued + dt.timedelta(days=rng.randrange(3, 30))
        opinion_reply_record(actor=officer, recipient=who, returned_on=min(day, on))
    writers = rng.sample(back, len(OPINIONS))
    made = [
        opinion_add(actor=officer, recipient=who, text=text, category=category)
        for who, (category, text) in zip(writers, OPINIONS, strict=True)
    ]
    assigned = [
        opinion_assign(
            actor=officer, opinion=opinion, assignee=jiwei if i % 2 else officer,
            answer_due=max(on, today()) + dt.timedelta(days=7 + i),
        )
        for i, opinion in enumerate(made[: ANSWERED + ASSIGNED])
    ]  # fmt: skip
    for opinion in assigned[:ANSWERED]:
        opinion_answer(
            actor=opinion.assignee or officer,
            opinion=opinion,
            answer="已研究，相关措施已纳入本年度干部工作安排。",
        )


def _appraisal(rng: random.Random, *, officer: Any, root: Unit, on: dt.date) -> None:
    from xuanren.supervision.appraisal_services import (
        appraisal_cadre_record,
        appraisal_create,
        appraisal_report_set,
        appraisal_work_record,
    )
    from xuanren.supervision.models_opinion import AppraisedCadre

    year = on.year - 1
    appraisal = appraisal_create(actor=officer, unit=root, year=year)
    rows = list(AppraisedCadre.objects.filter(appraisal=appraisal).order_by("pk"))
    appraisal_report_set(
        actor=officer,
        appraisal=appraisal,
        report=(
            f"{year}年，县委坚持党管干部原则，严格执行干部选拔任用工作条例，"
            f"全年提拔任用干部{len(rows)}名，均经民主推荐、考察、讨论决定和任前公示，"
            "票决任免、征询意见、任前廉政鉴定等制度得到落实。"
        ),
    )
    participants = 126
    good = rng.randrange(80, 95)
    fairly = rng.randrange(20, participants - good - 5)
    average = rng.randrange(2, participants - good - fairly)
    poor = rng.randrange(0, participants - good - fairly - average + 1)
    appraisal_work_record(
        actor=officer, appraisal=appraisal, held_on=min(dt.date(on.year, 1, 15), on),
        participants=participants, good=good, fairly_good=fairly, average=average, poor=poor,
    )  # fmt: skip
    for i, row in enumerate(rows):
        # One cadre in forty is not recognised by more than a third (flagged).
        disagree = rng.randrange(44, 60) if i % 40 == 7 else rng.randrange(0, 12)
        agree = rng.randrange(60, participants - disagree)
        mostly = rng.randrange(0, participants - disagree - agree + 1)
        appraisal_cadre_record(
            actor=officer, row=row, participants=participants,
            agree=agree, mostly_agree=mostly, disagree=disagree,
        )  # fmt: skip
