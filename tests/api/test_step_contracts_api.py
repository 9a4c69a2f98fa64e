"""Every step through the API: one typed endpoint per step, its contract
published in OpenAPI, incomplete data refused with 422 and the same Chinese
messages the service gives the web form (field = the place in the data);
nothing is stored."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.api.conftest import API, field_errors, post_json
from tests.conftest import make_user
from tests.procedure import conftest as procedure_fixtures
from tests.procedure.conftest import open_case
from tests.step_data import IDENTIFIER, MOTION
from xuanren.access.models import Role
from xuanren.journal.models import Event
from xuanren.procedure import steps
from xuanren.procedure.catalogue import STEPS
from xuanren.procedure.models import Case, CaseStep

pytestmark = pytest.mark.django_db

committee = procedure_fixtures.committee

#: Incomplete data for each step, and the fields the contract must name.
INCOMPLETE: dict[str, tuple[dict[str, Any], set[str]]] = {
    "motion": ({}, {"reason", "proposer"}),
    "plan": ({"consultation": [{"from": "县委"}]}, {"consultation.0.comment"}),
    "publication": ({}, {"text", "channels", "date"}),
    "registration": ({}, {"closed_on"}),
    "qualification_review": ({"registrants": [{"passed": False}]},
                             {"registrants.0.cadre"}),
    "written_exam": ({"scores": [{"cadre": 1}]}, {"full_marks", "scores.0.score"}),
    "interview": ({"full_marks": 100, "scores": [{"score": 80}]}, {"scores.0.cadre"}),
    "recommendation": ({"results": [{"cadre": 1, "group": "中层干部", "kind": "meeting"}]},
                       {"meetings", "results.0.signed"}),
    "evaluation": ({"meetings": [{"date": "2026-11-01"}]},
                   {"meetings.0.participants", "results"}),
    "candidates": ({"chosen": [{"post": 1}]}, {"chosen.0.cadre", "meeting"}),
    "inspection_notice": ({"text": "考察预告"}, {"published_on"}),
    "inspection": ({"candidates": [{"cadre": 1}]},
                   {"report", "candidates.0.talks", "candidates.0.evaluation",
                    "candidates.0.field_visits"}),
    "integrity_opinion": ({"opinions": [{"candidate": 1}]},
                          {"request_document", "requested_on", "planned_meeting_date",
                           "opinions.0.result", "opinions.0.returned_on"}),
    "audit": ({"audits": [{"candidate": 1}]}, {"audits.0.concluded_on", "audits.0.report"}),
    "deliberation": ({"circulated": [{"member": 1}]},
                     {"planned_meeting_date", "plan_document", "circulated.0.on"}),
    "decision": ({"votes": [{"agree": 3}]}, {"meeting_date", "present", "votes.0.candidate"}),
    "public_notice": ({"note": "公示期满"}, {"note"}),
    "appointment": ({"method": "elected"}, {"document_number", "document_date"}),
    "appointment_talk": ({"talks": [{"candidate": 1, "by": "部长"}]},
                         {"talks.0.talk_on", "talks.0.takes_office_on"}),
    "probation_end": ({"assessments": [{"candidate": 1, "result": "competent"}]},
                      {"assessments.0.assessed_on"}),
}  # fmt: skip


def test_every_step_has_incomplete_data_here() -> None:
    assert set(INCOMPLETE) == set(STEPS)


@pytest.mark.parametrize("step", list(STEPS))
def test_the_api_refuses_incomplete_data_for_every_step(
    step: str, client: Any, personas: Any, county: Any, committee: Any
) -> None:
    case = open_case(personas, county, committee)
    # Only the contract is under test: the case is put at the step directly.
    Case.objects.filter(pk=case.pk).update(current_step=step)
    client.force_login(personas.case_officer)
    events = Event.objects.count()
    data, fields = INCOMPLETE[step]
    response = post_json(client, f"/cases/{case.pk}/steps/{step}", {"data": data})
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "validation_failed"
    assert str(STEPS[step]) in body["message"]
    errors = field_errors(response)
    assert set(errors) == fields
    # the same messages as the service gives the web form
    assert errors == {e.field: e.message for e in steps.problems(step, data)}
    for message in errors.values():
        assert re.search(r"[\u4e00-\u9fff]", message) and not re.search(IDENTIFIER, message)
    # the generic endpoint checks the same contract
    generic = post_json(client, f"/cases/{case.pk}/steps", {"step": step, "data": data})
    assert generic.status_code == 422 and field_errors(generic) == errors
    assert not CaseStep.objects.filter(case=case).exists()
    assert Event.objects.count() == events


def test_a_typed_step_endpoint_completes_the_step(client, personas, county, committee) -> None:
    case = open_case(personas, county, committee)
    client.force_login(personas.case_officer)
    response = post_json(client, f"/cases/{case.pk}/steps/motion", {"data": MOTION, "note": "说明"})
    assert response.status_code == 201, response.content
    assert response.json()["data"] == {**MOTION}
    # another step than the current one is 409, as through the generic endpoint
    skipped = post_json(client, f"/cases/{case.pk}/steps/decision", {"data": {}})
    assert skipped.status_code == 409


def test_out_of_scope_is_404_and_no_permission_403(client, personas, county, committee) -> None:
    case = open_case(personas, county, committee)
    client.force_login(make_user("officer_shiqiao", Role.CASE_OFFICER, county.other_town))
    assert post_json(client, f"/cases/{case.pk}/steps/motion", {"data": MOTION}).status_code == 404
    client.force_login(personas.committee_member)
    assert post_json(client, f"/cases/{case.pk}/steps/motion", {"data": MOTION}).status_code == 403
    assert not CaseStep.objects.filter(case=case).exists()


def test_openapi_publishes_one_request_schema_per_step(client, personas) -> None:
    client.force_login(personas.case_officer)
    schema = client.get(API + "/openapi.json").json()
    components = schema["components"]["schemas"]
    for step in STEPS:
        post = schema["paths"][f"{API}/cases/{{case_id}}/steps/{step}"]["post"]
        ref = post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        body = components[ref.rsplit("/", 1)[-1]]
        data = body["properties"]["data"]
        assert "$ref" in str(data), (step, data)
    motion = components["MotionData"]
    assert motion["required"] == ["reason", "proposer"]
    assert motion["properties"]["reason"]["title"] == "动议理由"
    assert motion["properties"]["reason"]["enum"] == ["vacancy", "structure", "digest_over_quota"]
