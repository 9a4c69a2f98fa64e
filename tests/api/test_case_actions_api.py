"""POST /api/v1/cases/{id}/terminate: 终止 or 撤回 with a reason (decision 0068)."""

import pytest

from tests.api.conftest import field_errors, post_json
from tests.conftest import make_user
from tests.procedure import conftest as procedure_fixtures
from tests.procedure.conftest import open_case
from xuanren.access.models import Role
from xuanren.journal.models import Event, EventType
from xuanren.procedure.models import Case, CaseStatus

pytestmark = pytest.mark.django_db

committee = procedure_fixtures.committee


@pytest.fixture
def case(personas, county, committee):
    return open_case(personas, county, committee)


def terminate(client, case, body):
    return post_json(client, f"/cases/{case.pk}/terminate", body)


def test_terminate_and_withdraw(client, personas, county, committee, case):
    client.force_login(personas.case_officer)
    response = terminate(client, case, {"reason": "职位调整，不再选任。"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "abandoned" and body["status_word"] == "已终止"
    assert body["ended_at_step"] == "motion" and body["ended_at_step_name"] == "动议"
    assert body["reason"] == "职位调整，不再选任。" and body["ended_at"]
    case.refresh_from_db()
    assert case.status == CaseStatus.ABANDONED
    # Ended once: a second try is a conflict, in Chinese.
    response = terminate(client, case, {"kind": "withdraw", "reason": "再次"})
    assert response.status_code == 409
    assert "已终止" in response.json()["message"]
    other = open_case(personas, county, committee, posts=[(county.finance_head, 1)])
    response = terminate(client, other, {"kind": "withdraw", "reason": "立项有误"})
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    assert Event.objects.filter(event_type=EventType.CASE_WITHDRAWN).count() == 1


def test_reason_required_and_unknown_kind_refused(client, personas, case):
    client.force_login(personas.case_officer)
    response = terminate(client, case, {"reason": " "})
    assert response.status_code == 422
    assert (
        "理由" in field_errors(response).get("reason", "") or "理由" in response.json()["message"]
    )
    assert terminate(client, case, {"kind": "erase", "reason": "x"}).status_code == 422
    assert terminate(client, case, {}).status_code == 422
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN and case.ended_at is None


def test_scope_404_and_permission_403(client, personas, county, case):
    client.force_login(make_user("officer_shiqiao", Role.CASE_OFFICER, county.other_town))
    assert terminate(client, case, {"reason": "x"}).status_code == 404
    client.force_login(personas.committee_member)
    assert terminate(client, case, {"reason": "x"}).status_code == 403
    client.force_login(personas.outsider)
    assert terminate(client, case, {"reason": "x"}).status_code == 403
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert not Event.objects.filter(event_type=EventType.CASE_TERMINATED).exists()
    assert Case.objects.filter(ended_at__isnull=False).count() == 0


@pytest.mark.parametrize(("kind", "word"), [("terminate", "终止"), ("withdraw", "撤回")])
def test_the_record_endpoint_shows_the_ending(client, personas, case, kind, word):
    """Decision 0078: GET /cases/{id}/record names the kind, who, when, the
    step and the reason, with the Chinese rows the page shows."""
    from tests.api.conftest import API
    from xuanren.access.names import display_name

    client.force_login(personas.case_officer)
    assert client.get(f"{API}/cases/{case.pk}/record").json()["ending"] is None
    assert terminate(client, case, {"kind": kind, "reason": "立项有误"}).status_code == 200
    ending = client.get(f"{API}/cases/{case.pk}/record").json()["ending"]
    case.refresh_from_db()
    who = display_name(personas.case_officer)
    assert ending["kind"] == kind and ending["kind_display"] == word
    assert ending["ended_by"] == who and ending["reason"] == "立项有误"
    assert (ending["step"], ending["step_name"]) == ("motion", "动议")
    assert ending["ended_at"]
    labels = [(r["label"], r["text"]) for r in ending["content"]]
    assert labels[0] == ("方式", word) and labels[1] == ("经办人", who)
    assert [label for label, _text in labels] == ["方式", "经办人", "时间", "所在环节", "理由"]
    assert labels[3:] == [("所在环节", "动议"), ("理由", "立项有误")]
