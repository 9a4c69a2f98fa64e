"""Fixtures for public notices and reports.

To reach the public_notice step, a case's `current_step` is set directly and
its APPROVED candidates are created with candidate_add: the earlier steps
have their own tests, and these tests are about what happens from the notice
on. "Today" is fixed to a Friday (2026-11-27) in the supervision modules, so
that dates do not depend on the day the tests run."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache

from tests.conftest import Clock
from xuanren.people.models import Cadre
from xuanren.people.services import education_add, resume_entry_add
from xuanren.procedure.candidates import candidate_add
from xuanren.procedure.models import Candidate, CandidateStatus, Case, Committee
from xuanren.procedure.services import case_open, committee_create, committee_member_add
from xuanren.supervision.models import PublicNotice
from xuanren.supervision.services import public_notice_publish

TODAY = dt.date(2026, 11, 27)  # a Friday
CHANNELS = ["举报电话：0571-12380", "来信地址：青山县委组织部干部监督室"]


@pytest.fixture(autouse=True)
def frozen_today(clock: Clock) -> dt.date:
    clock.day = TODAY
    return TODAY


@pytest.fixture(autouse=True)
def clean_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def committee(county: Any, admin: Any) -> Committee:
    c = committee_create(
        actor=admin, unit=county.root, name="中共青山县委常委会", kind="standing_committee"
    )
    for i in range(11):
        committee_member_add(
            actor=admin, committee=c, name=f"常委{i}", start_date=dt.date(2021, 10, 1)
        )
    return c


def full_cadre(make_cadre: Any, admin: Any, unit: Any, **kwargs: Any) -> Cadre:
    """A cadre with everything a notice states: native place, education,
    current post and a work history."""
    kwargs.setdefault("native_place", "浙江嘉善")
    kwargs.setdefault("current_post_title", "城关镇党政办主任")
    cadre = make_cadre(unit, **kwargs)
    education_add(
        actor=admin,
        cadre=cadre,
        kind="full_time",
        level="bachelor",
        degree="bachelor",
        school="浙江大学",
        start_date=dt.date(2003, 9, 1),
        end_date=dt.date(2007, 7, 1),
    )
    resume_entry_add(
        actor=admin,
        cadre=cadre,
        start_date=dt.date(2003, 9, 1),
        end_date=dt.date(2007, 7, 1),
        text="浙江大学公共管理学院学习",
    )
    resume_entry_add(
        actor=admin,
        cadre=cadre,
        start_date=dt.date(2007, 8, 1),
        end_date=None,
        text="城关镇党政办科员、副主任、主任",
    )
    return Cadre.objects.get(pk=cadre.pk)


@dataclass
class NoticeCase:
    case: Case
    zhang: Candidate  # 张伟, 7 strokes
    wang: Candidate  # 王芳, 4 strokes: printed first


def notice_case_for(
    personas: Any,
    county: Any,
    committee: Committee,
    make_cadre: Any,
    admin: Any,
    template: str = "county-leading",
) -> NoticeCase:
    case = case_open(
        actor=personas.case_officer,
        title="城关镇副镇长选任",
        template_code=template,
        unit=county.root,
        committee=committee,
        posts=[(county.town_deputy, 2)],
        reference_date=TODAY,
    )
    Case.objects.filter(pk=case.pk).update(current_step="public_notice")
    case.refresh_from_db()
    zhang = full_cadre(make_cadre, admin, county.town_office, name="张伟")
    wang = full_cadre(
        make_cadre, admin, county.town_office, name="王芳", sex="female", birth=dt.date(1986, 5, 9)
    )
    officer = personas.case_officer
    approved = CandidateStatus.APPROVED
    return NoticeCase(
        case=case,
        zhang=candidate_add(
            actor=officer, case=case, cadre=zhang, post=county.town_deputy, step="decision",
            status=approved,
        ),
        wang=candidate_add(
            actor=officer, case=case, cadre=wang, post=county.town_deputy, step="decision",
            status=approved,
        ),
    )  # fmt: skip


@pytest.fixture
def notice_case(
    personas: Any, county: Any, committee: Committee, make_cadre: Any, admin: Any
) -> NoticeCase:
    return notice_case_for(personas, county, committee, make_cadre, admin)


def publish(personas: Any, case: Case, start: dt.date = TODAY) -> PublicNotice:
    return public_notice_publish(
        actor=personas.case_officer, case=case, start=start, channels=CHANNELS
    )


@pytest.fixture
def notice(personas: Any, notice_case: NoticeCase) -> PublicNotice:
    return publish(personas, notice_case.case)
