"""Cases move step by step, only through the service, only when guards hold."""

import datetime as dt

import pytest

from tests.procedure.conftest import ON, open_case
from tests.step_data import MOTION, publication, registration
from tests.test_concurrency import run_at_once
from xuanren.common.errors import Conflict, PermissionDenied, ValidationFailed
from xuanren.journal.models import Event
from xuanren.journal.services import journal_verify
from xuanren.procedure.models import CaseStatus, CaseStep, ProcedureTemplate
from xuanren.procedure.services import (
    GuardBlocked,
    case_open,
    case_step_complete,
    case_step_correct,
    committee_member_add,
)

pytestmark = pytest.mark.django_db


def test_shipped_templates_loaded():
    assert set(ProcedureTemplate.objects.values_list("code", flat=True)) == {
        "county-leading",
        "section-level",
        "competitive",
    }


def test_case_opens_at_motion(personas, county, committee):
    case = open_case(personas, county, committee)
    assert case.current_step == "motion"
    assert case.number.startswith("XR")


def test_motion_blocked_when_the_post_is_full_then_passes_once_vacated(
    personas, county, committee, make_cadre
):
    from xuanren.people.services import tenure_end, tenure_start

    holder = make_cadre(county.finance, name="在任")
    # Filled after the case was opened (opening is refused for a full post).
    case = open_case(personas, county, committee, posts=[(county.finance_head, 1)])
    tenure = tenure_start(
        actor=personas.case_officer,
        cadre=holder,
        post=county.finance_head,
        start_date=dt.date(2020, 1, 1),
    )
    with pytest.raises(GuardBlocked) as info:
        case_step_complete(
            actor=personas.case_officer, case=case, step="motion", data=MOTION, on=ON
        )
    assert info.value.errors[0].field == "quota_allows"
    assert "现有 1 人在任" in info.value.errors[0].message
    assert not CaseStep.objects.exists()
    tenure_end(actor=personas.case_officer, tenure=tenure, end_date=dt.date(2026, 6, 1))
    case_step_complete(actor=personas.case_officer, case=case, step="motion", data=MOTION, on=ON)
    case.refresh_from_db()
    assert case.current_step == "plan"


def test_motion_blocked_beyond_the_quota(personas, county, committee, admin):
    from xuanren.org.services import quota_set

    quota_set(actor=admin, unit=county.town, level="section_deputy", approved=0)
    case = open_case(personas, county, committee)
    with pytest.raises(GuardBlocked, match="前置条件未满足") as info:
        case_step_complete(
            actor=personas.case_officer, case=case, step="motion", data=MOTION, on=ON
        )
    assert "将超职数配备" in info.value.errors[0].message


def test_steps_cannot_be_skipped_or_repeated(personas, county, committee):
    case = open_case(personas, county, committee)
    for later in ("plan", "decision", "appointment", "probation_end"):
        with pytest.raises(Conflict, match="不得跳过"):
            case_step_complete(actor=personas.case_officer, case=case, step=later, on=ON)
    case_step_complete(actor=personas.case_officer, case=case, step="motion", data=MOTION, on=ON)
    with pytest.raises(Conflict, match="已经办理"):
        case_step_complete(
            actor=personas.case_officer, case=case, step="motion", data=MOTION, on=ON
        )
    with pytest.raises(ValidationFailed):
        case_step_complete(actor=personas.case_officer, case=case, step="bogus", on=ON)


def test_plan_needs_consultation_and_higher_approval_where_required(personas, county, committee):
    case = open_case(
        personas, county, committee, template="section-level", posts=[(county.town_deputy, 1)]
    )
    officer = personas.case_officer
    case_step_complete(actor=officer, case=case, step="motion", data=MOTION, on=ON)
    # A competitive plan (竞争上岗) of the 股级 template needs the higher approval.
    with pytest.raises(GuardBlocked) as info:
        case_step_complete(actor=officer, case=case, step="plan", data={"competitive": True}, on=ON)
    assert {e.field for e in info.value.errors} == {"consultation_recorded", "higher_approval"}
    case_step_complete(
        actor=officer, case=case, step="plan", on=ON,
        data={"consultation": [{"from": "城关镇党委", "comment": "同意"}], "competitive": True,
              "higher_approval": {"body": "县委组织部", "document": "青组函〔2026〕3号"}},
    )  # fmt: skip


def test_competitive_registration_only_after_publication(personas, county, committee):
    officer = personas.case_officer
    case = open_case(personas, county, committee, template="competitive")
    case_step_complete(actor=officer, case=case, step="motion", data=MOTION, on=ON)
    plan = {
        "consultation": [{"from": "x", "comment": "y"}],
        "higher_approval": {"body": "县委组织部", "document": "d"},
    }
    case_step_complete(actor=officer, case=case, step="plan", data=plan, on=ON)
    with pytest.raises(Conflict, match="不得跳过"):
        case_step_complete(
            actor=officer, case=case, step="registration", data=registration(ON), on=ON
        )
    case_step_complete(actor=officer, case=case, step="publication", data=publication(ON), on=ON)
    record = case_step_complete(
        actor=officer, case=case, step="registration", data=registration(ON), on=ON
    )
    assert record.seq == 4


def test_a_guard_without_an_implementation_blocks_and_says_so(
    personas, county, committee, monkeypatch
):
    """A template may name a guard this release cannot check: it must block."""
    from xuanren.procedure.guards.registry import REGISTRY

    monkeypatch.delitem(REGISTRY, "quota_allows")
    case = open_case(personas, county, committee)
    with pytest.raises(GuardBlocked) as info:
        case_step_complete(
            actor=personas.case_officer, case=case, step="motion", data=MOTION, on=ON
        )
    assert [e.field for e in info.value.errors] == ["quota_allows"]
    assert "尚未实现" in info.value.errors[0].message
    case.refresh_from_db()
    assert case.current_step == "motion" and case.status == CaseStatus.OPEN


def test_each_step_is_journalled_and_corrections_keep_the_original(personas, county, committee):
    officer = personas.case_officer
    case = open_case(personas, county, committee)
    first = case_step_complete(actor=officer, case=case, step="motion", data=MOTION, on=ON)
    assert Event.objects.filter(hash=first.journal_hash).exists()
    fix = case_step_correct(
        actor=officer,
        record=first,
        data={**MOTION, "explanation": "空缺（补正）"},
        note="动议理由表述补正",
    )
    first.refresh_from_db()
    assert first.data == MOTION
    assert fix.corrects == first and fix.seq == 2
    with pytest.raises(ValidationFailed):
        case_step_correct(actor=officer, record=first, data={}, note=" ")
    assert journal_verify().ok


def test_permissions(personas, county, committee):
    with pytest.raises(PermissionDenied):
        case_open(
            actor=personas.committee_member, title="x", template_code="county-leading", unit=county.root,
            committee=committee, posts=[(county.town_deputy, 1)],
        )  # fmt: skip
    case = open_case(personas, county, committee)
    for actor in (personas.committee_member, personas.other_unit_hr, personas.outsider):
        with pytest.raises(PermissionDenied):
            case_step_complete(actor=actor, case=case, step="motion", data=MOTION, on=ON)


def test_committee_member_periods(county, admin, committee):
    with pytest.raises(ValidationFailed):
        committee_member_add(actor=admin, committee=committee, name="x", start_date=ON, end_date=ON)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_officers_completing_the_same_step_at_once(personas, county, committee, admin):
    from tests.conftest import make_user
    from xuanren.access.models import Role

    other = make_user("officer2", Role.CASE_OFFICER, county.root)
    case = open_case(personas, county, committee)
    results = run_at_once(
        lambda: case_step_complete(
            actor=personas.case_officer, case=case, step="motion", data=MOTION, on=ON
        ),
        lambda: case_step_complete(actor=other, case=case, step="motion", data=MOTION, on=ON),
    )
    wins = [r for r in results if isinstance(r, CaseStep)]
    losses = [r for r in results if isinstance(r, Conflict)]
    assert len(wins) == 1 and len(losses) == 1, results
    assert "已经办理" in str(losses[0])
    assert CaseStep.objects.filter(case=case).count() == 1
