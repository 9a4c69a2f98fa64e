"""The API follows every rule of issue 11's "ballot that cannot dead-end":
the same refusals and statuses as the services, and scope (out of scope 404,
no permission 403, nothing changed)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tests.api.conftest import API, post_json
from tests.ballots.test_dead_ends import _three_pass_for_two_seats, ready
from xuanren.ballots.models import Meeting, MeetingStatus
from xuanren.common.dates import today

pytestmark = pytest.mark.django_db


def _as(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_opening_before_the_date_and_a_second_meeting_are_refused(seat_world):
    w = seat_world()
    officer = _as(w.officer)
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()
    r = post_json(
        officer, "/ballots/meetings/decision", {"case": w.run.case.pk, "meeting_date": tomorrow}
    )
    assert r.status_code == 201
    mid = r.json()["id"]
    second = post_json(
        officer, "/ballots/meetings/decision", {"case": w.run.case.pk, "meeting_date": tomorrow}
    )
    assert second.status_code == 409 and "已有未结束的讨论决定表决会议" in second.json()["message"]
    roster = officer.get(f"{API}/ballots/meetings/{mid}/roster").json()
    post_json(
        officer, f"/ballots/meetings/{mid}/attendance", {"present": [v["id"] for v in roster]}
    )
    post_json(officer, f"/ballots/meetings/{mid}/count-key", {})
    r = post_json(officer, f"/ballots/meetings/{mid}/open", {})
    assert r.status_code == 409 and "还不能开始投票" in r.json()["message"]
    assert Meeting.objects.get(pk=mid).status == MeetingStatus.SETUP


def test_abandon_through_the_api_with_scope_and_permission(seat_world, personas):
    w = seat_world()
    meeting = w.create()
    url = f"/ballots/meetings/{meeting.pk}/abandon"
    assert post_json(_as(personas.other_unit_hr), url, {"reason": "x"}).status_code == 404
    # A committee member does not see the teller's meetings (as before: 404).
    assert post_json(_as(personas.committee_member), url, {"reason": "x"}).status_code == 404
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SETUP
    empty = post_json(_as(w.officer), url, {"reason": ""})
    assert empty.status_code == 422 and "请填写作废原因" in empty.json()["message"]
    r = post_json(_as(w.officer), url, {"reason": "日期有误"})
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["abandon_reason"]) == ("abandoned", "日期有误")


def test_codes_while_open_and_code_entry_refusals(seat_world):
    w = seat_world(candidates=2, seats=1)
    meeting = ready(w)
    officer = _as(w.officer)
    voter = w.voter_of(w.members[2])
    r = post_json(officer, f"/ballots/meetings/{meeting.pk}/codes", {"voters": [voter.pk]})
    assert r.status_code == 200 and [x["voter"] for x in r.json()] == [voter.pk]
    w.cast(w.members[0], {})
    anyone = Client()
    used = post_json(
        anyone, f"/ballots/meetings/{meeting.pk}/ballot", {"code": w.codes[w.members[0].pk]}
    )
    assert used.status_code == 409 and "已经投过票" in used.json()["message"]
    unknown = post_json(anyone, f"/ballots/meetings/{meeting.pk}/ballot", {"code": "ABCDE-FGHJK"})
    assert unknown.status_code == 404
    a, b = w.candidates
    over = post_json(
        anyone,
        f"/ballots/meetings/{meeting.pk}/cast",
        {
            "code": w.codes[w.members[1].pk],
            "content": {"marks": {str(w.item(a).pk): "agree", str(w.item(b).pk): "agree"}},
        },
    )
    assert over.status_code == 422
    assert "同意的人数超过拟配人数" in over.json()["message"]
    assert "最多只能对 1 名人选投同意票" in over.json()["errors"][0]["message"]


def test_seats_over_through_the_api(seat_world, personas):
    w = seat_world(candidates=3, seats=2)
    meeting = _three_pass_for_two_seats(w)
    a, b, _c = w.candidates
    officer = _as(w.officer)
    (over,) = officer.get(f"{API}/ballots/meetings/{meeting.pk}/seats").json()
    assert over["seats"] == 2 and over["expected"] == sorted([a.pk, b.pk])
    applied = post_json(officer, f"/ballots/meetings/{meeting.pk}/apply", {})
    assert applied.status_code == 409 and "请先确定拟任人选" in applied.json()["message"]
    body = {
        "choices": [
            {"post": over["post"], "candidates": over["expected"], "reason": "同意票多者任职"}
        ]
    }
    url = f"/ballots/meetings/{meeting.pk}/seats"
    assert post_json(_as(personas.committee_member), url, body).status_code == 404
    assert post_json(_as(personas.other_unit_hr), url, body).status_code == 404
    r = post_json(officer, url, body)
    assert r.status_code == 200 and r.json()["seat_choice"][0]["reason"] == "同意票多者任职"
    assert post_json(officer, f"/ballots/meetings/{meeting.pk}/apply", {}).status_code == 201
