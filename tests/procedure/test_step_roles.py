"""Who completes which step (docs/decisions/0061–0065): the step's role is data
in the template; the service enforces it for every caller; the inspection
team, the integrity and the audit requests assign cases to their roles."""

# ruff: noqa: F811  (fixtures imported from the procedure tests)
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.conftest import make_user
from tests.procedure.test_decision_stage import (
    INTEGRITY_ON,
    MEETING,
    REQUESTED,
    integrity_data,
    open_at_integrity,
)
from tests.procedure.test_selection import (  # noqa: F401  (fixtures)
    at_candidates,
    at_inspection,
    at_recommendation,
    entry,
    inspection_data,
    people,
)
from xuanren.access.models import Role
from xuanren.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from xuanren.journal.models import Event, EventType
from xuanren.procedure.assignments import (
    audit_request_answer,
    audit_request_send,
    inspection_material_add,
    inspection_sign,
    inspection_team_member_add,
    inspection_team_member_remove,
    integrity_request_answer,
    integrity_request_send,
    require_step_actor,
)
from xuanren.procedure.catalogue import DefinitionError, parse_template, read_template_file
from xuanren.procedure.models import CandidateStatus, Case, CaseStep
from xuanren.procedure.selectors import case_get
from xuanren.procedure.services import GuardBlocked, case_step_complete, template_def
from xuanren.procedure.todo import TodoKind, todo_for

PDF = b"%PDF-1.4 inspection report"
ON = dt.date(2026, 11, 27)


@pytest.fixture
def roles(county: Any) -> Any:
    class R:
        inspector = make_user("inspector", Role.INSPECTION_TEAM, None)
        inspector2 = make_user("inspector2", Role.INSPECTION_TEAM, None)
        stranger = make_user("inspector3", Role.INSPECTION_TEAM, None)
        audit = make_user("audit", Role.AUDIT_OFFICE, county.root)
        audit_elsewhere = make_user("audit_t2", Role.AUDIT_OFFICE, county.other_town)

    return R


def steps(case: Case) -> list[str]:
    return list(CaseStep.objects.filter(case=case).order_by("seq").values_list("step", flat=True))


# ---- step roles as data -------------------------------------------------------------


def test_every_template_names_the_owner_role_of_each_step():
    from xuanren.procedure.catalogue import DEFINITION_DIR

    owners = {"inspection": "inspection_team", "integrity_opinion": "discipline_commission",
              "audit": "audit_office"}  # fmt: skip
    for path in DEFINITION_DIR.glob("*.toml"):
        definition, _data = read_template_file(path)
        for step in definition.steps:
            assert step.role == owners.get(step.code, "case_officer"), (path.name, step.code)


def test_an_unknown_role_is_refused_and_a_missing_one_is_the_officer():
    base = {"code": "x", "version": 1, "name": "x", "source": "x", "effective_from": "2020-01-01",
            "parameters": {"differential_ratio": [13, 10], "integrity_lead_days": 3,
                           "notice_length": 7, "notice_unit": "calendar_days",
                           "probation_months": 12, "audit_for": "none", "quorum": [2, 3],
                           "majority": [1, 2], "deferral": [1, 2]}}  # fmt: skip
    ok = parse_template({**base, "steps": [{"code": "motion"}]}, where="t")
    assert ok.steps[0].role == "case_officer"
    with pytest.raises(DefinitionError, match="办理角色 'mayor' 未知"):
        parse_template({**base, "steps": [{"code": "motion", "role": "mayor"}]}, where="t")


def test_the_loaded_templates_carry_the_roles(personas, county, committee):
    from tests.procedure.conftest import open_case

    case = open_case(personas, county, committee)
    assert template_def(case.template).step("inspection").role == "inspection_team"


# ---- who may complete a step ----------------------------------------------------------


def test_only_the_officer_or_the_owner_role_completes_a_step(personas, county, committee):
    from tests.procedure.conftest import open_case

    case = open_case(personas, county, committee)
    # A committee member reads the case but may not complete any step: 403.
    with pytest.raises(PermissionDenied, match="由组织部干部科办理"):
        case_step_complete(actor=personas.committee_member, case=case, step="motion", on=ON)
    # The discipline commission reads the case but completes only its own step.
    with pytest.raises(PermissionDenied):
        case_step_complete(actor=personas.discipline, case=case, step="motion", on=ON)
    # An inspector not on the team does not even see the case: 404.
    stranger = make_user("inspector9", Role.INSPECTION_TEAM, None)
    with pytest.raises(NotFound):
        case_step_complete(actor=stranger, case=case, step="motion", on=ON)
    # An officer of another county subtree: out of scope, 404.
    far = make_user("officer_t2", Role.CASE_OFFICER, county.other_town)
    with pytest.raises(NotFound):
        case_step_complete(actor=far, case=case, step="motion", on=ON)
    assert steps(case) == []
    case.refresh_from_db()
    assert case.current_step == "motion"


# ---- inspection team ----------------------------------------------------------------


def test_team_members_record_upload_sign_and_complete_the_inspection(
    at_inspection, personas, people, roles
):
    case, officer = at_inspection, personas.case_officer
    # Not on the team yet: the inspector cannot see the case.
    with pytest.raises(NotFound):
        case_get(actor=roles.inspector, pk=case.pk)
    leader = inspection_team_member_add(
        actor=officer, case=case, user=roles.inspector, is_leader=True, duty="县委组织部副部长"
    )
    inspection_team_member_add(actor=officer, case=case, user=roles.inspector2)
    assert case_get(actor=roles.inspector, pk=case.pk).pk == case.pk
    # Only one leader; a committee member cannot serve.
    with pytest.raises(ValidationFailed):
        inspection_team_member_add(actor=officer, case=case, user=roles.stranger, is_leader=True)
    with pytest.raises(ValidationFailed):
        inspection_team_member_add(actor=officer, case=case, user=personas.committee_member)
    # A member cannot assign; an inspector not on the team: 404.
    with pytest.raises(PermissionDenied):
        inspection_team_member_add(actor=roles.inspector, case=case, user=roles.stranger)
    with pytest.raises(NotFound):
        inspection_sign(actor=roles.stranger, case=case)

    data = inspection_data([entry(people["甲"], 1), entry(people["乙"], 2)], team=[], signed_by=[])
    # Signing needs materials; the step needs every member's signature.
    with pytest.raises(ValidationFailed, match="尚未上传考察材料"):
        inspection_sign(actor=roles.inspector, case=case)
    inspection_material_add(
        actor=roles.inspector, case=case, name="考察材料.pdf", content=PDF,
        content_type="application/pdf",
    )  # fmt: skip
    inspection_sign(actor=roles.inspector, case=case)
    with pytest.raises(Conflict, match="无须重复署名"):
        inspection_sign(actor=roles.inspector, case=case)
    with pytest.raises(GuardBlocked) as info:
        case_step_complete(actor=roles.inspector, case=case, step="inspection", data=data, on=ON)
    messages = [e.message for e in info.value.errors if e.field == "report_signed_by_team"]
    assert any("缺少考察组成员inspector2的署名" in m for m in messages), messages

    # New material after a signature: that signature no longer covers it.
    inspection_sign(actor=roles.inspector2, case=case)
    inspection_material_add(
        actor=roles.inspector2, case=case, name="补充材料.pdf", content=PDF + b"2",
        content_type="application/pdf",
    )  # fmt: skip
    with pytest.raises(GuardBlocked) as info:
        case_step_complete(actor=roles.inspector, case=case, step="inspection", data=data, on=ON)
    assert any("须重新署名" in e.message for e in info.value.errors)
    inspection_sign(actor=roles.inspector, case=case)
    inspection_sign(actor=roles.inspector2, case=case)

    # The discipline commission may not complete the inspection (403).
    with pytest.raises(PermissionDenied):
        case_step_complete(actor=personas.discipline, case=case, step="inspection", data=data)
    record = case_step_complete(
        actor=roles.inspector, case=case, step="inspection", data=data, on=ON
    )
    assert record.completed_by == roles.inspector
    assert steps(case)[-1] == "inspection"
    # The team is fixed once the inspection is recorded.
    with pytest.raises(Conflict):
        inspection_team_member_remove(actor=officer, member=leader)
    kinds = set(Event.objects.filter(subject_id=case.pk).values_list("event_type", flat=True))
    assert {EventType.TEAM_MEMBER_ADDED, EventType.INSPECTION_MATERIAL_ADDED,
            EventType.INSPECTION_SIGNED} <= kinds  # fmt: skip
    # A team member may not complete the next step (integrity opinion).
    with pytest.raises(PermissionDenied):
        case_step_complete(actor=roles.inspector, case=case, step="integrity_opinion", data={})


def test_team_members_see_their_inspection_in_todo(at_inspection, personas, roles):
    case = at_inspection
    assert todo_for(actor=roles.inspector, on=ON) == []
    inspection_team_member_add(actor=personas.case_officer, case=case, user=roles.inspector)
    items = todo_for(actor=roles.inspector, on=ON)
    assert [i.kind for i in items] == [TodoKind.INSPECTION_ASSIGNED]
    assert items[0].case == case and items[0].mine
    assert todo_for(actor=roles.inspector2, on=ON) == []


def test_paper_cases_without_a_team_keep_the_names_check(at_inspection, personas, people):
    data = inspection_data([entry(people["甲"], 1), entry(people["乙"], 2)], signed_by=["李组长"])
    with pytest.raises(GuardBlocked, match="前置条件"):
        case_step_complete(
            actor=personas.case_officer, case=at_inspection, step="inspection", data=data, on=ON
        )


# ---- integrity requests ---------------------------------------------------------------


def test_the_commission_answers_the_request_which_completes_the_step(
    personas, county, committee, make_cadre
):
    run = open_at_integrity(personas, county, committee, [(county.town_deputy, 1)])
    a = run.inspect(make_cadre(county.town, name="甲"), county.town_deputy)
    b = run.inspect(make_cadre(county.town, name="乙"), county.town_deputy)
    jiwei = personas.discipline
    # Without a request the commission may not complete the step (403).
    with pytest.raises(PermissionDenied):
        case_step_complete(
            actor=jiwei, case=run.case, step="integrity_opinion", data=integrity_data([a, b])
        )
    # Too late for the meeting: refused, naming the earliest meeting date.
    with pytest.raises(ValidationFailed) as info:
        integrity_request_send(
            actor=personas.case_officer, case=run.case, document="青组函〔2026〕21号",
            sent_on=REQUESTED + dt.timedelta(days=1), meeting_date=MEETING,
        )  # fmt: skip
    assert "2026-11-21" in str(info.value)
    # Only the officer sends requests.
    with pytest.raises(PermissionDenied):
        integrity_request_send(
            actor=jiwei, case=run.case, document="x", sent_on=REQUESTED, meeting_date=MEETING
        )
    request = integrity_request_send(
        actor=personas.case_officer, case=run.case, document="青组函〔2026〕21号",
        sent_on=REQUESTED, meeting_date=MEETING,
    )  # fmt: skip
    assert request.deadline == MEETING - dt.timedelta(days=3)
    assert set(request.candidates.all()) == {a, b}
    items = [i for i in todo_for(actor=jiwei, on=REQUESTED) if i.kind == "integrity_requested"]
    assert len(items) == 1 and items[0].due == request.deadline

    # Concerns and veto need a reason; nothing changes when refused.
    answers = [{"candidate": a.pk, "answer": "clear"}, {"candidate": b.pk, "answer": "veto"}]
    with pytest.raises(ValidationFailed, match="廉政意见未答复"):
        integrity_request_answer(
            actor=jiwei, request=request, answers=answers, returned_on=INTEGRITY_ON
        )
    assert run.step == "integrity_opinion"
    # Someone outside the county's discipline commission: 404.
    far = make_user("jiwei_t2", Role.DISCIPLINE_COMMISSION, county.other_town)
    with pytest.raises(NotFound):
        integrity_request_answer(
            actor=far, request=request, answers=answers, returned_on=INTEGRITY_ON
        )
    answers[1]["reason"] = "有违反廉洁纪律问题，经查属实"
    record = integrity_request_answer(
        actor=jiwei, request=request, answers=answers, returned_on=INTEGRITY_ON,
        document="青纪函〔2026〕8号",
    )  # fmt: skip
    assert record.completed_by == jiwei
    assert record.data["requested_on"] == REQUESTED.isoformat()
    assert [o["result"] for o in record.data["opinions"]] == ["passed", "failed"]
    b.refresh_from_db()
    assert b.status == CandidateStatus.EXCLUDED
    assert run.step == "audit"
    assert [i for i in todo_for(actor=jiwei, on=REQUESTED) if i.kind == "integrity_requested"] == []


def test_concerns_are_recorded_and_do_not_exclude(personas, county, committee, make_cadre):
    run = open_at_integrity(personas, county, committee, [(county.town_deputy, 1)])
    a = run.inspect(make_cadre(county.town, name="甲"), county.town_deputy)
    data = integrity_data([a])
    data["opinions"][0]["result"] = "concerns"
    problems = run.blocked("integrity_opinion", data, INTEGRITY_ON)
    assert any("须写明理由" in m for m in problems["integrity_passed"])
    data["opinions"][0]["reason"] = "有信访反映，尚在核实"
    run.complete("integrity_opinion", data, INTEGRITY_ON)
    a.refresh_from_db()
    assert a.status == CandidateStatus.INSPECTION


# ---- audit requests -------------------------------------------------------------------


def test_the_audit_office_records_the_conclusion_with_its_file(
    personas, county, committee, make_cadre, roles
):
    run = open_at_integrity(personas, county, committee, [(county.finance_head, 1)])
    a = run.inspect(make_cadre(county.finance, name="甲"), county.finance_head)
    b = run.inspect(make_cadre(county.finance, name="乙"), county.finance_head)
    run.complete("integrity_opinion", integrity_data([a, b]), INTEGRITY_ON)
    # Without a request the audit office cannot even read the case (404).
    with pytest.raises(NotFound):
        require_step_actor(roles.audit, run.case, "audit")
    request = audit_request_send(
        actor=personas.case_officer, case=run.case, document="青组函〔2026〕30号",
        sent_on=INTEGRITY_ON, due_on=MEETING,
    )  # fmt: skip
    assert set(request.candidates.all()) == {a, b}
    items = todo_for(actor=roles.audit, on=INTEGRITY_ON)
    assert [i.kind for i in items] == [TodoKind.AUDIT_REQUESTED]
    assert case_get(actor=roles.audit, pk=run.case.pk) == run.case
    # Out of the audit office's scope: 404; the audit office not on the
    # integrity step: 403.
    with pytest.raises(NotFound):
        require_step_actor(roles.audit_elsewhere, run.case, "audit")
    with pytest.raises(PermissionDenied):
        require_step_actor(roles.audit, run.case, "integrity_opinion")
    clean = {"concluded_on": INTEGRITY_ON, "report": "青审经责〔2026〕5号", "problems": ""}
    audits = [{"candidate": a.pk, **clean}, {"candidate": b.pk, **clean}]
    with pytest.raises(ValidationFailed, match="请上传审计报告"):
        audit_request_answer(actor=roles.audit, request=request, audits=audits, attachment=None)
    assert run.step == "audit"
    record = audit_request_answer(
        actor=roles.audit, request=request, audits=audits,
        attachment={"name": "审计报告.pdf", "content": PDF, "content_type": "application/pdf"},
    )  # fmt: skip
    assert record.completed_by == roles.audit
    assert record.attachments.count() == 1
    assert run.step == "deliberation"
    assert todo_for(actor=roles.audit, on=INTEGRITY_ON) == []


def test_an_audit_with_problems_blocks_as_for_the_officer(
    personas, county, committee, make_cadre, roles
):
    run = open_at_integrity(personas, county, committee, [(county.finance_head, 1)])
    a = run.inspect(make_cadre(county.finance, name="甲"), county.finance_head)
    b = run.inspect(make_cadre(county.finance, name="乙"), county.finance_head)
    run.complete("integrity_opinion", integrity_data([a, b]), INTEGRITY_ON)
    request = audit_request_send(
        actor=personas.case_officer, case=run.case, document="x", sent_on=INTEGRITY_ON
    )
    audits = [
        {"candidate": a.pk, "concluded_on": INTEGRITY_ON, "report": "r1", "problems": ""},
        {"candidate": b.pk, "concluded_on": INTEGRITY_ON, "report": "r2", "problems": "挪用资金"},
    ]
    with pytest.raises(GuardBlocked):
        audit_request_answer(
            actor=roles.audit, request=request, audits=audits,
            attachment={"name": "r.pdf", "content": PDF, "content_type": "application/pdf"},
        )  # fmt: skip
    assert run.step == "audit"
    assert not CaseStep.objects.filter(case=run.case, step="audit").exists()
