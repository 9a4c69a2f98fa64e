"""Data for the page and browser tests, built through the services on top of the shared
county: cadres in 财政局, 城关镇 and 石桥镇, with full records for one of them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User

from tests.conftest import County
from xuanren.common.dates import add_years, today
from xuanren.org.models import Level, Post
from xuanren.org.services import post_create
from xuanren.people.models import Cadre
from xuanren.people.retirement import latest_birth_retiring_by
from xuanren.people.services import (
    assessment_set,
    education_add,
    family_member_add,
    resume_entry_add,
    reward_punishment_add,
    tenure_start,
    training_add,
)

ZHANG_ID = "330421198503024511"  # 张伟: full number, only for those allowed


@dataclass
class World:
    zhang: Cadre  # 青山县财政局局长, full records
    li: Cadre  # 城关镇副镇长
    wang: Cadre  # 石桥镇, relative of 张伟
    zhao: Cadre  # 城关镇, reaches 60 within a year
    extra_deputy: Post  # a second 副科 post of the finance bureau


def add_full_records(admin: User, cadre: Cadre, n: int, *, relative: Cadre) -> None:
    """n records of every kind hanging off a cadre."""
    this_year = today().year
    for i in range(n):
        education_add(
            actor=admin,
            cadre=cadre,
            kind="full_time" if i % 2 == 0 else "in_service",
            level="bachelor" if i == 0 else "postgraduate",
            degree="bachelor" if i == 0 else "master",
            school=f"浙江大学{i}",
            major="财政学",
            start_date=dt.date(2003 + i, 9, 1),
            end_date=dt.date(2007 + i, 7, 1),
        )
        resume_entry_add(
            actor=admin,
            cadre=cadre,
            start_date=dt.date(2000 + i, 1, 1),
            end_date=dt.date(2000 + i, 12, 1),
            text=f"简历第{i}段",
        )
        family_member_add(
            actor=admin,
            cadre=cadre,
            relation="other",
            name=f"亲属{i}",
            related_cadre=relative,
        )
        assessment_set(actor=admin, cadre=cadre, year=this_year - 1 - i, grade="competent")
        reward_punishment_add(
            actor=admin,
            cadre=cadre,
            kind="reward",
            category="commendation",
            title=f"表彰{i}",
            decided_on=dt.date(2015, 1, 1 + i),
        )
        training_add(actor=admin, cadre=cadre, year=this_year - 1, hours=10 + i, title=f"培训{i}")


def build_world(admin: User, county: County, make_cadre: Any) -> World:
    zhang = make_cadre(
        county.finance,
        name="张伟",
        birth=dt.date(1985, 3, 2),
        id_number=ZHANG_ID,
        native_place="浙江青山",
        rank="一级主任科员",
    )
    li = make_cadre(
        county.town,
        name="李娜",
        sex="female",
        birth=dt.date(1990, 7, 15),
        party_join=dt.date(2012, 6, 1),
        work_start=dt.date(2012, 8, 1),
    )
    wang = make_cadre(county.other_town, name="王芳", sex="female", birth=dt.date(1988, 11, 3))
    # Reaches his statutory retirement (2024 decision) in about 40 days.
    zhao_birth = latest_birth_retiring_by(today() + dt.timedelta(days=40), 60)
    zhao = make_cadre(
        county.town,
        name="赵刚",
        birth=zhao_birth,
        party_join=add_years(zhao_birth, 25),
        work_start=add_years(zhao_birth, 20),
    )
    extra_deputy = post_create(
        actor=admin, unit=county.finance, title="总会计师", level=Level.SECTION_DEPUTY
    )

    education_add(
        actor=admin,
        cadre=zhang,
        kind="full_time",
        level="bachelor",
        degree="bachelor",
        school="浙江财经大学",
        major="会计学",
        start_date=dt.date(2003, 9, 1),
        end_date=dt.date(2007, 7, 1),
    )
    education_add(
        actor=admin,
        cadre=zhang,
        kind="in_service",
        level="postgraduate",
        degree="master",
        school="中共浙江省委党校",
        major="经济管理",
        start_date=dt.date(2012, 9, 1),
        end_date=dt.date(2015, 7, 1),
    )
    resume_entry_add(
        actor=admin,
        cadre=zhang,
        start_date=dt.date(2003, 9, 1),
        end_date=dt.date(2007, 7, 1),
        text="浙江财经大学会计学专业学习",
    )
    resume_entry_add(
        actor=admin,
        cadre=zhang,
        start_date=dt.date(2007, 8, 1),
        end_date=dt.date(2020, 5, 1),
        text="青山县财政局科员、副局长",
        note="2012.09--2015.07 在中共浙江省委党校在职研究生班学习",
    )
    resume_entry_add(
        actor=admin,
        cadre=zhang,
        start_date=dt.date(2020, 5, 1),
        end_date=None,
        text="青山县财政局局长",
    )
    tenure_start(
        actor=admin,
        cadre=zhang,
        post=county.finance_deputy,
        start_date=dt.date(2016, 3, 1),
        end_date=dt.date(2020, 5, 1),
        document_number="青委〔2016〕8号",
    )
    tenure_start(
        actor=admin,
        cadre=zhang,
        post=county.finance_head,
        start_date=dt.date(2020, 5, 1),
        document_number="青委〔2020〕21号",
    )
    tenure_start(actor=admin, cadre=li, post=county.town_deputy, start_date=dt.date(2021, 1, 10))
    # Three 副科 in a bureau approved for two: one over quota.
    for name, birth, post in [
        ("孙强", dt.date(1980, 1, 5), county.finance_deputy),
        ("周敏", dt.date(1982, 6, 9), county.finance_deputy),
        ("吴刚", dt.date(1979, 10, 21), extra_deputy),
    ]:
        deputy = make_cadre(county.finance, name=name, birth=birth, sex="male")
        tenure_start(actor=admin, cadre=deputy, post=post, start_date=dt.date(2022, 3, 1))
    family_member_add(
        actor=admin,
        cadre=zhang,
        relation="spouse",
        name="陈静",
        birth_date=dt.date(1986, 4, 1),
        political_status="cpc_member",
        work_unit_and_post="青山县第一中学教师",
    )
    family_member_add(actor=admin, cadre=zhang, relation="other", name="李娜", related_cadre=li)
    family_member_add(actor=admin, cadre=wang, relation="cousin", name="张伟", related_cadre=zhang)
    assessment_set(actor=admin, cadre=zhang, year=today().year - 1, grade="excellent")
    reward_punishment_add(
        actor=admin,
        cadre=zhang,
        kind="punishment",
        category="warning_talk",
        title="诫勉谈话",
        decided_on=today() - dt.timedelta(days=30),
        effect_until=today() + dt.timedelta(days=150),
    )
    reward_punishment_add(
        actor=admin,
        cadre=zhang,
        kind="reward",
        category="commendation",
        title="全县优秀公务员",
        decided_on=dt.date(2019, 12, 20),
    )
    training_add(actor=admin, cadre=zhang, year=today().year - 1, hours=56, title="县管干部培训班")
    return World(
        zhang=Cadre.objects.get(pk=zhang.pk),
        li=Cadre.objects.get(pk=li.pk),
        wang=wang,
        zhao=zhao,
        extra_deputy=extra_deputy,
    )
