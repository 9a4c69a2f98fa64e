"""The reserve API: a round from nominations to the list and a review,
with the refusals (422, 409, 404 out of scope, 403 for a reader) leaving
nothing changed."""

from __future__ import annotations

from typing import Any

from django.test import Client

from tests.conftest import make_user
from tests.reserves.conftest import TODAY, World
from xuanren.access.models import Role
from xuanren.reserves.models import Member, Nominee

API = "/api/v1/reserve-rounds"
DAY = "2026-06-01"


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _post(c: Client, url: str, body: dict[str, Any]) -> Any:
    return c.post(url, body, content_type="application/json")


def _put(c: Client, url: str, body: dict[str, Any]) -> Any:
    return c.put(url, body, content_type="application/json")


def test_api_round_to_review(personas: Any, world: World, county: Any) -> None:
    o = _client(personas.case_officer)
    made = _post(o, API, {"unit": county.root.pk, "year": 2026, "title": "县管后备干部",
                          "pass_line": "60.0"})  # fmt: skip
    assert made.status_code == 201, made.content
    assert made.json()["pass_line"] in ("60.0", 60.0)
    url = f"{API}/{world.round.pk}"
    ids = {}
    for cadre, channel in ((world.a, "organization"), (world.a, "self"), (world.b, "masses")):
        r = _post(o, f"{url}/nominations", {"cadre": cadre.pk, "channel": channel,
                                             "nominated_on": DAY})  # fmt: skip
        assert r.status_code == 201, r.content
        ids[cadre.pk] = r.json()["id"]
    assert r.json()["channels"] == ["群众推荐"]
    dup = _post(o, f"{url}/nominations", {"cadre": world.a.pk, "channel": "self",
                                           "nominated_on": DAY})  # fmt: skip
    assert dup.status_code == 409
    a, b = ids[world.a.pk], ids[world.b.pk]
    r = _put(o, f"{url}/nominees/{a}/test", {"score": "60", "tested_on": DAY})
    assert r.status_code == 200 and r.json()["passed"] is True
    r = _put(o, f"{url}/nominees/{b}/test", {"score": "59.9", "tested_on": DAY})
    assert r.json()["passed"] is False
    for n in (a, b):
        r = _put(o, f"{url}/nominees/{n}/inspection", {"result": "passed", "inspected_on": DAY})
        assert r.status_code == 200
    r = _post(o, f"{url}/members", {"nominee": b, "tier": "near"})
    assert r.status_code == 422
    r = _post(o, f"{url}/members", {"nominee": a, "tier": "longer", "target_post": "乡镇副职"})
    assert r.status_code == 201 and r.json()["tier_label"] == "中远期"
    mid = r.json()["id"]
    r = _post(o, f"{url}/list", {"listed_on": "2026-07-01"})
    assert r.status_code == 200 and r.json()["next_review"] == "2028-07-01"
    counts = r.json()["counts"]
    assert counts["nominated"] == 2 and counts["nominations"] == 3
    assert counts["by_channel"] == {"organization": 1, "masses": 1, "self": 1}
    assert (counts["passed"], counts["failed"], counts["listed"]) == (1, 1, {"near": 0,
                                                                             "longer": 1})  # fmt: skip
    r = _post(o, f"{url}/reviews", {"held_on": TODAY.isoformat(),
                                    "leaving": [{"member": mid, "reason": "over_age"}]})  # fmt: skip
    assert r.status_code == 201, r.content
    assert r.json()["reviews"][0]["left"] == 1 and r.json()["counts"]["left"] == 1
    r = _post(o, f"{url}/members/{mid}/leave", {"left_on": TODAY.isoformat(),
                                                 "reason": "promoted"})  # fmt: skip
    assert r.status_code == 422
    assert Member.objects.get(pk=mid).leave_reason == "over_age"


def test_api_scope_and_read_only(personas: Any, world: World, county: Any) -> None:
    url = f"{API}/{world.round.pk}"
    reader = _client(personas.discipline)
    assert reader.get(url).status_code == 200
    r = _post(reader, f"{url}/nominations", {"cadre": world.a.pk, "channel": "self",
                                              "nominated_on": DAY})  # fmt: skip
    assert r.status_code == 403
    town = _client(make_user("officer_town", Role.CASE_OFFICER, county.town))
    assert town.get(url).status_code == 404
    assert [x["id"] for x in town.get(API).json()] == []
    r = _post(town, f"{url}/nominations", {"cadre": world.a.pk, "channel": "self",
                                            "nominated_on": DAY})  # fmt: skip
    assert r.status_code == 404
    assert not Nominee.objects.exists()
