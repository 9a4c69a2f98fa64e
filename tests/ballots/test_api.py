"""The ballots API: a decision meeting set up, attended, coded, cast by code
(no login), progress without contents, result refused before close, closed,
applied to the case; permissions and scope."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.api.conftest import API, post_json
from tests.procedure.test_decision_stage import MEETING

pytestmark = pytest.mark.django_db


def test_decision_meeting_through_the_api(decision_world, client):
    w = decision_world(15, candidates=1)
    (c,) = w.candidates
    client.force_login(w.officer)
    r = post_json(
        client,
        "/ballots/meetings/decision",
        {"case": w.run.case.pk, "meeting_date": MEETING.isoformat()},
    )
    assert r.status_code == 201, r.content
    mid = r.json()["id"]
    roster = client.get(f"{API}/ballots/meetings/{mid}/roster").json()
    assert len(roster) == 15
    r = post_json(client, f"/ballots/meetings/{mid}/open", {})
    assert r.status_code == 409 and "未达到法定到会人数" in r.json()["message"]
    present = [v["id"] for v in roster[:10]]
    assert (
        post_json(client, f"/ballots/meetings/{mid}/attendance", {"present": present}).json()[
            "present"
        ]
        == 10
    )
    codes = post_json(client, f"/ballots/meetings/{mid}/codes", {}).json()
    assert len(codes) == 15 and all(len(x["code"]) == 11 for x in codes)
    no_key = post_json(client, f"/ballots/meetings/{mid}/open", {})
    assert no_key.status_code == 409 and "计票密钥" in no_key.json()["message"]
    key = post_json(client, f"/ballots/meetings/{mid}/count-key", {})
    assert key.status_code == 201
    passphrase = key.json()["first_half"] + key.json()["second_half"]
    assert post_json(client, f"/ballots/meetings/{mid}/open", {}).status_code == 200
    # The ballot is given only for a code (in the body) or a roster login.
    assert Client().get(f"{API}/ballots/meetings/{mid}/ballot").status_code == 401
    form = post_json(Client(), f"/ballots/meetings/{mid}/ballot", {"code": codes[0]["code"]}).json()
    item = form["sections"][0]["items"][0]["id"]
    assert form["options"] == [["agree", "同意"], ["disagree", "不同意"]]
    voter = Client()  # no login: the code is the credential
    by_id = {x["voter"]: x["code"] for x in codes}
    receipts = []
    for vid in present:
        r = post_json(
            voter,
            f"/ballots/meetings/{mid}/cast",
            {"code": by_id[vid], "content": {"marks": {str(item): "agree"}}},
        )
        assert r.status_code == 201, r.content
        receipts.append(r.json()["receipt"])
    again = post_json(
        voter, f"/ballots/meetings/{mid}/cast", {"code": by_id[present[0]], "content": {}}
    )
    assert again.status_code == 409 and "已经投过票" in again.json()["message"]
    wrong = post_json(
        voter, f"/ballots/meetings/{mid}/cast", {"code": "XXXXX-XXXXX", "content": {}}
    )
    assert wrong.status_code == 404
    assert client.get(f"{API}/ballots/meetings/{mid}/progress").json() == {
        "voted": 10,
        "entitled": 15,
        "present": 10,
        "status": "open",
    }
    early = client.get(f"{API}/ballots/meetings/{mid}/result")
    assert early.status_code == 409 and "投票尚未结束" in early.json()["message"]
    wrong_key = post_json(client, f"/ballots/meetings/{mid}/close", {"passphrase": "A" * 20})
    assert wrong_key.status_code == 422 and "计票密码不正确" in wrong_key.json()["message"]
    closed = post_json(client, f"/ballots/meetings/{mid}/close", {"passphrase": passphrase}).json()
    assert closed["receipts"] == sorted(receipts)
    assert closed["result"]["decision"]["candidates"][0]["outcome"] == "passed"
    again = post_json(client, f"/ballots/meetings/{mid}/close", {}).json()
    assert again == closed
    r = post_json(client, f"/ballots/meetings/{mid}/apply", {"on": MEETING.isoformat()})
    assert r.status_code == 201, r.content
    assert r.json()["step"] == "decision"
    c.refresh_from_db()
    assert c.status == "approved"


def test_outsiders_see_nothing(decision_world, client, personas):
    w = decision_world(15)
    m = w.create()
    client.force_login(personas.other_unit_hr)
    assert client.get(f"{API}/ballots/meetings/{m.pk}/progress").status_code in (403, 404)
    assert post_json(client, f"/ballots/meetings/{m.pk}/close", {}).status_code in (403, 404)
    assert client.get(f"{API}/ballots/meetings").status_code == 403
    anonymous = Client()
    assert anonymous.get(f"{API}/ballots/meetings/{m.pk}/progress").status_code == 401


def test_cast_as_me_needs_to_be_on_the_roster(decision_world, client, admin):
    from tests.ballots.conftest import open_electronic
    from xuanren.ballots.services import meeting_attendance_set

    w = decision_world(15)
    (c,) = w.candidates
    m = w.create()
    meeting_attendance_set(
        actor=w.officer, meeting=m, present=list(m.voters.values_list("pk", flat=True))
    )
    open_electronic(w.officer, m)
    client.force_login(w.officer)  # a case officer, not a member of the committee
    item = str(w.item(c).pk)
    r = post_json(
        client, f"/ballots/meetings/{m.pk}/cast-as-me", {"content": {"marks": {item: "agree"}}}
    )
    assert r.status_code == 404 and "不在本次会议的投票人名单中" in r.json()["message"]
    voter = m.voters.first()
    voter.user = w.officer
    voter.save()
    r = post_json(
        client, f"/ballots/meetings/{m.pk}/cast-as-me", {"content": {"marks": {item: "agree"}}}
    )
    assert r.status_code == 201
