"""年度考核 API under /api/v1/: open, weights, scores, grade (quota 409),
report; scope 404/403 with nothing changed."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from xuanren.assessment.models import AssessmentRound, Score
from xuanren.assessment.scoring import DIMENSIONS, GROUPS
from xuanren.people.models import Assessment

pytestmark = pytest.mark.django_db
API = "/api/v1/assessments"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _json(client: Client, method: str, url: str, body: Any) -> Any:
    return getattr(client, method)(url, body, content_type="application/json")


def test_api_round_trip(personas: Any, county: Any, seven: list[Any]) -> None:
    officer = _client(personas.case_officer)
    bad = _json(officer, "post", API, {"unit": county.town.pk, "year": 2025,
                                      "group_weights": {"superior": 50, "peer": 30, "public": 30}})  # fmt: skip
    assert bad.status_code == 422
    assert "合计为 110%" in bad.json()["errors"][0]["message"]
    assert not AssessmentRound.objects.exists()
    made = _json(officer, "post", API, {"unit": county.town.pk, "year": 2025})
    assert made.status_code == 201
    body = made.json()
    rid = body["id"]
    assert body["group_weights"] == {"superior": 40, "peer": 30, "public": 30}
    assert (body["assessed"], body["excellent_quota"]) == (7, 1)
    first, second = body["cadres"][0]["id"], body["cadres"][1]["id"]
    cells = [
        {"cadre": first, "group": g, "dimension": d, "score": "90"}
        for g in GROUPS
        for d in DIMENSIONS
    ]
    cells += [{"cadre": second, "group": g, "dimension": d, "score": 93.25} for g in GROUPS for d in DIMENSIONS]  # fmt: skip
    bad_cell = {"cadre": first, "group": "peer", "dimension": "virtue", "score": "100.5"}
    refused = _json(officer, "put", f"{API}/{rid}/scores", {"scores": [*cells, bad_cell]})
    assert refused.status_code == 422 and not Score.objects.exists()
    saved = _json(officer, "put", f"{API}/{rid}/scores", {"scores": cells})
    assert saved.status_code == 200
    lines = {c["id"]: c for c in saved.json()["cadres"]}
    assert (lines[first]["composite"], lines[first]["proposed"]) == ("90.00", "excellent")
    assert lines[second]["composite"] == "93.25"
    ok = _json(officer, "post", f"{API}/{rid}/cadres/{first}/grade", {"grade": "excellent"})
    assert ok.status_code == 200 and ok.json()["grade_label"] == "优秀"
    over = _json(officer, "post", f"{API}/{rid}/cadres/{second}/grade", {"grade": "excellent"})
    assert over.status_code == 409 and "最多 1 人" in over.json()["message"]
    assert list(Assessment.objects.values_list("cadre_id", flat=True)) == [lines[first]["cadre_id"]]
    frozen = _json(officer, "put", f"{API}/{rid}/weights", {
        "group_weights": {"superior": 50, "peer": 25, "public": 25},
        "dimension_weights": {"virtue": 20, "ability": 20, "diligence": 15, "achievement": 30,
                              "integrity": 15}})  # fmt: skip
    assert frozen.status_code == 409
    report = _json(officer, "put", f"{API}/{rid}/cadres/{second}/report", {"report": "述职正文"})
    assert report.status_code == 200 and report.json()["report"] == "述职正文"
    assert officer.get(API).json()[0]["id"] == rid


def test_api_scope(personas: Any, county: Any, town_round: AssessmentRound) -> None:
    rid = town_round.pk
    row = town_round.cadres.first()
    assert row is not None
    hr = _client(personas.other_unit_hr)
    assert hr.get(f"{API}/{rid}").status_code == 404
    assert _json(hr, "post", f"{API}/{rid}/cadres/{row.pk}/grade", {"grade": "not_graded"}).status_code == 404  # fmt: skip
    jiwei = _client(personas.discipline)
    assert jiwei.get(f"{API}/{rid}").status_code == 200
    cell = {"scores": [{"cadre": row.pk, "group": "peer", "dimension": "virtue", "score": "80"}]}
    assert _json(jiwei, "put", f"{API}/{rid}/scores", cell).status_code == 403
    assert _json(jiwei, "post", f"{API}/{rid}/cadres/{row.pk}/grade", {"grade": "not_graded"}).status_code == 403  # fmt: skip
    assert _json(jiwei, "post", API, {"unit": county.town.pk, "year": 2024}).status_code == 403
    assert _client(personas.outsider).get(API).status_code == 403
    row.refresh_from_db()
    assert row.grade == "" and not Score.objects.exists() and not Assessment.objects.exists()
    assert AssessmentRound.objects.count() == 1
