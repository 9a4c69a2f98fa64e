"""不准混岗配备 (seed §3; docs/decisions/0088): the quota guard of 动议 (and of
任职) names every person still proposed whose 身份 does not fit the type of
the post proposed for them — 机关, 事业单位 or 企业."""

from __future__ import annotations

from typing import Any

import pytest

from tests.procedure.conftest import ON, open_case
from xuanren.org.models import Level, PostCategory, UnitKind
from xuanren.org.services import post_create, quota_set, unit_create
from xuanren.procedure.guards.basic import post_type
from xuanren.procedure.models import Candidate, CandidateStatus
from xuanren.procedure.selectors import guard_preview

pytestmark = pytest.mark.django_db


def quota_problems(case: Any) -> list[str]:
    (state,) = [g for g in guard_preview(case, "motion", on=ON) if g.code == "quota_allows"]
    return list(state.problems)


def propose(case: Any, cadre: Any, post: Any, status: str = CandidateStatus.NOMINATED) -> None:
    Candidate.objects.create(
        case=case, cadre=cadre, post=post, status=status, added_at_step="candidates"
    )


@pytest.fixture
def school(county: Any, admin: Any) -> Any:
    unit = unit_create(
        actor=admin, name="县一中", code="S1", kind=UnitKind.SCHOOL, parent=county.root
    )
    quota_set(actor=admin, unit=unit, level=Level.SECTION_DEPUTY, approved=2)
    return unit


def test_an_institution_staff_member_in_a_township_post_is_mixed(
    personas: Any, county: Any, committee: Any, make_cadre: Any
) -> None:
    case = open_case(personas, county, committee)
    assert quota_problems(case) == []
    teacher = make_cadre(county.town, name="李事业", identity="public_institution")
    propose(case, teacher, county.town_deputy)
    assert quota_problems(case) == [
        "李事业身份为事业单位，拟任职位“城关镇副镇长”属机关职务，不准混岗配备。"
    ]


def test_civil_servants_pass_and_excluded_people_are_not_read(
    personas: Any, county: Any, committee: Any, make_cadre: Any
) -> None:
    case = open_case(personas, county, committee)
    propose(
        case, make_cadre(county.town, name="王公务", identity="civil_servant"), county.town_deputy
    )
    propose(
        case,
        make_cadre(county.town, name="赵参公", identity="reference_civil_servant"),
        county.town_deputy,
    )
    propose(
        case,
        make_cadre(county.town, name="孙企业", identity="state_enterprise"),
        county.town_deputy,
        status=CandidateStatus.EXCLUDED,
    )
    propose(
        case,
        make_cadre(county.town, name="李未填", identity=""),
        county.town_deputy,
        status=CandidateStatus.REJECTED,
    )
    assert quota_problems(case) == []


def test_a_blank_identity_is_refused_until_recorded(
    personas: Any, county: Any, committee: Any, make_cadre: Any, admin: Any
) -> None:
    from xuanren.people.services import cadre_update

    case = open_case(personas, county, committee)
    unrecorded = make_cadre(county.town, name="钱未填", identity="")
    propose(case, unrecorded, county.town_deputy)
    assert quota_problems(case) == [
        "钱未填的身份未记录，无法核对是否混岗配备：请先在干部信息中填写其身份"
        "（公务员、参照公务员法管理、事业单位、国有企业或其他）。"
    ]
    cadre_update(actor=admin, cadre=unrecorded, changes={"identity": "civil_servant"})
    assert quota_problems(case) == []
    # At 任职 the same guard reads the approved people.
    Candidate.objects.filter(case=case).update(status=CandidateStatus.APPROVED)
    unrecorded.refresh_from_db()
    cadre_update(actor=admin, cadre=unrecorded, changes={"identity": ""})
    (state,) = [g for g in guard_preview(case, "appointment", on=ON) if g.code == "quota_allows"]
    assert any("钱未填的身份未记录" in p for p in state.problems)


def test_an_institution_post_takes_institution_staff_not_civil_servants(
    personas: Any, county: Any, committee: Any, make_cadre: Any, admin: Any, school: Any
) -> None:
    post = post_create(
        actor=admin, unit=school, title="副校长", level=Level.SECTION_DEPUTY, seats=2,
        category=PostCategory.INSTITUTION,
    )  # fmt: skip
    case = open_case(personas, county, committee, posts=[(post, 2)])
    propose(case, make_cadre(county.town, name="李事业", identity="public_institution"), post)
    assert quota_problems(case) == []
    propose(case, make_cadre(county.town, name="王公务", identity="civil_servant"), post)
    assert quota_problems(case) == [
        "王公务身份为公务员，拟任职位“县一中副校长”属事业单位管理岗位，不准混岗配备。"
    ]


def test_an_internal_office_post_takes_the_type_of_the_unit_above(
    county: Any, admin: Any, school: Any
) -> None:
    office = unit_create(
        actor=admin, name="县一中教务处", code="S1A", kind=UnitKind.INTERNAL_OFFICE, parent=school
    )
    in_school = post_create(
        actor=admin, unit=office, title="主任", level=Level.SUBSECTION_PRINCIPAL,
        category=PostCategory.INTERNAL,
    )  # fmt: skip
    in_town = post_create(
        actor=admin, unit=county.town_office, title="主任", level=Level.SUBSECTION_PRINCIPAL,
        category=PostCategory.INTERNAL,
    )  # fmt: skip
    company = post_create(
        actor=admin, unit=county.root, title="总经理", level=Level.SECTION_PRINCIPAL,
        category=PostCategory.COMPANY,
    )  # fmt: skip
    assert post_type(in_school) == "institution"
    assert post_type(in_town) == "organ"
    assert post_type(company) == "company"
    assert post_type(county.town_secretary) == "organ"


def test_the_appointment_step_reads_the_approved_people_with_the_same_guard(
    personas: Any, county: Any, committee: Any, make_cadre: Any
) -> None:
    case = open_case(personas, county, committee)
    worker = make_cadre(county.town, name="周企业", identity="state_enterprise")
    propose(case, worker, county.town_deputy, status=CandidateStatus.APPROVED)
    (state,) = [g for g in guard_preview(case, "appointment", on=ON) if g.code == "quota_allows"]
    assert (
        "周企业身份为国有企业，拟任职位“城关镇副镇长”属机关职务，不准混岗配备。" in state.problems
    )
    Candidate.objects.filter(case=case).update(status=CandidateStatus.REJECTED)
    (state,) = [g for g in guard_preview(case, "appointment", on=ON) if g.code == "quota_allows"]
    assert not any("混岗" in p for p in state.problems)
