"""The roles' endpoints: the officer assigns the team and sends requests;
members sign, the commission and the audit office answer with their own
login, which completes the step; others get 403 (readable) or 404."""

# ruff: noqa: F811  (fixtures imported from the procedure tests)
from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from django.test import Client

from tests.api.conftest import API, post_json
from tests.conftest import make_user
from tests.procedure.conftest import committee  # noqa: F401  (fixture)
from tests.procedure.test_decision_stage import INTEGRITY_ON, MEETING, REQUESTED, open_at_integrity
from tests.procedure.test_selection import (  # noqa: F401  (fixtures)
    at_candidates,
    at_inspection,
    at_recommendation,
    people,
)
from xuanren.access.models import Role
from xuanren.procedure.models import CaseStep, InspectionSignature, InspectionTeamMember

PDF = base64.b64encode(b"%PDF-1.4 report").decode()


def login(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_team_through_the_api(at_inspection, personas):
    case = at_inspection
    inspector = make_user("inspector", Role.INSPECTION_TEAM, None)
    stranger = make_user("inspector2", Role.INSPECTION_TEAM, None)
    officer = login(personas.case_officer)
    # A team member cannot assign; an inspector off the team cannot see the case.
    assert (
        post_json(login(stranger), f"/cases/{case.pk}/team", {"user": stranger.pk}).status_code
        == 404
    )
    r = post_json(officer, f"/cases/{case.pk}/team", {"user": inspector.pk, "is_leader": True})
    assert r.status_code == 201, r.content
    assert r.json()[0]["signature"] == "missing"
    member = login(inspector)
    assert post_json(member, f"/cases/{case.pk}/team", {"user": stranger.pk}).status_code == 403
    assert InspectionTeamMember.objects.filter(case=case).count() == 1
    r = post_json(
        member, f"/cases/{case.pk}/team/materials", {"name": "考察材料.pdf", "content_base64": PDF}
    )
    assert r.status_code == 201, r.content
    r = post_json(member, f"/cases/{case.pk}/team/signatures", {})
    assert r.status_code == 201, r.content
    assert post_json(login(stranger), f"/cases/{case.pk}/team/signatures", {}).status_code == 404
    assert InspectionSignature.objects.filter(case=case).count() == 1
    assert member.get(f"{API}/cases/{case.pk}/team").json()[0]["signature"] == "signed"
    # A bad base64 body: 422 in Chinese.
    r = post_json(
        member, f"/cases/{case.pk}/team/materials", {"name": "x.pdf", "content_base64": "%%%"}
    )
    assert r.status_code == 422 and "base64" in r.json()["message"]


def test_integrity_and_audit_answered_through_the_api(personas, county, committee, make_cadre):
    run = open_at_integrity(personas, county, committee, [(county.finance_head, 1)])
    a = run.inspect(make_cadre(county.finance, name="甲"), county.finance_head)
    officer, jiwei = login(personas.case_officer), login(personas.discipline)
    body = {"document": "青组函〔2026〕21号", "sent_on": REQUESTED.isoformat(),
            "meeting_date": MEETING.isoformat()}  # fmt: skip
    assert post_json(jiwei, f"/cases/{run.case.pk}/integrity-request", body).status_code == 403
    r = post_json(officer, f"/cases/{run.case.pk}/integrity-request", body)
    assert r.status_code == 201, r.content
    assert r.json()["deadline"] == (MEETING - dt.timedelta(days=3)).isoformat()
    rid = r.json()["id"]
    answer: dict[str, Any] = {"answers": [{"candidate": a.pk, "answer": "concerns"}],
              "returned_on": INTEGRITY_ON.isoformat()}  # fmt: skip
    r = post_json(jiwei, f"/integrity-requests/{rid}/answer", answer)
    assert r.status_code == 422 and "理由" in str(r.json())
    answer["answers"][0]["reason"] = "有信访反映，已核实不影响任用"
    r = post_json(jiwei, f"/integrity-requests/{rid}/answer", answer)
    assert r.status_code == 201, r.content
    assert run.step == "audit"

    audit = login(make_user("audit", Role.AUDIT_OFFICE, county.root))
    body = {"document": "青组函〔2026〕30号", "sent_on": INTEGRITY_ON.isoformat()}
    r = post_json(officer, f"/cases/{run.case.pk}/audit-request", body)
    assert r.status_code == 201, r.content
    rid = r.json()["id"]
    row = {
        "candidate": a.pk,
        "concluded_on": INTEGRITY_ON.isoformat(),
        "report": "青审经责〔2026〕5号",
    }
    file = {"name": "审计报告.pdf", "content_base64": PDF}
    # The commission may not record the audit (403); nothing is recorded.
    r = post_json(jiwei, f"/audit-requests/{rid}/answer", {"audits": [row], "file": file})
    assert r.status_code == 403
    assert not CaseStep.objects.filter(case=run.case, step="audit").exists()
    r = post_json(audit, f"/audit-requests/{rid}/answer", {"audits": [row], "file": file})
    assert r.status_code == 201, r.content
    assert run.step == "deliberation"
