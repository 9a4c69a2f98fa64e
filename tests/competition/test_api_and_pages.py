"""竞聘评分 over the API and the pages: the whole flow, refusals with their
exact status (nothing changed), and the query count of the sheet."""

from __future__ import annotations

import json
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.competition.conftest import SHEETS, WEIGHTS
from tests.conftest import make_user
from xuanren.access.models import Role
from xuanren.competition.models import Competition, CompetitionStatus, Score

API = "/api/v1"
KINDS = ["written", "situational", "group_discussion", "speech"]


def _send(client: Client, method: str, url: str, data: Any = None) -> Any:
    return getattr(client, method)(
        API + url, json.dumps(data) if data is not None else None, content_type="application/json"
    )


def test_the_api_from_weights_to_the_signed_sheet(case, personas):
    client = Client()
    client.force_login(personas.case_officer)
    bad = _send(client, "post", f"/cases/{case.pk}/competition",
                {"weights": {**WEIGHTS, "written": 50}})  # fmt: skip
    assert bad.status_code == 422 and not Competition.objects.exists()
    made = _send(client, "post", f"/cases/{case.pk}/competition", {"weights": WEIGHTS})
    assert made.status_code == 201, made.content
    comp = made.json()
    cid = comp["id"]
    tests = {t["kind"]: t["id"] for t in comp["sub_tests"]}
    judges = []
    for name in ("评委一", "评委二", "评委三"):
        r = _send(client, "post", f"/competitions/{cid}/members", {"panel": "judge", "name": name})
        assert r.status_code == 201
        judges.append(r.json()["id"])
    supervisor = _send(client, "post", f"/competitions/{cid}/members",
                       {"panel": "supervisor", "name": "监督员"}).json()["id"]  # fmt: skip
    cands = {r["name"]: r["candidate"] for r in comp["posts"][0]["rows"]}
    for judge, sheet in zip(judges, SHEETS, strict=True):
        cells = [{"candidate": cands[n], "sub_test": tests[k], "value": v}
                 for n, values in sheet.items() for k, v in zip(KINDS, values, strict=True)]  # fmt: skip
        r = _send(client, "put", f"/competitions/{cid}/judges/{judge}/scores", {"scores": cells})
        assert r.status_code == 200 and r.json()["changed"] == 16
    # a supervisor is not a judge: 422, nothing saved
    r = _send(client, "put", f"/competitions/{cid}/judges/{supervisor}/scores",
              {"scores": [{"candidate": cands["甲"], "sub_test": tests["written"], "value": 1}]})  # fmt: skip
    assert r.status_code == 422
    # out of range: 422, nothing saved
    r = _send(client, "put", f"/competitions/{cid}/judges/{judges[0]}/scores",
              {"scores": [{"candidate": cands["甲"], "sub_test": tests["written"], "value": "101"}]})  # fmt: skip
    assert r.status_code == 422
    assert not Score.objects.filter(value__in=[1, 101]).exists()
    # the committee member reads, may not sign: 403
    reader = Client()
    reader.force_login(personas.committee_member)
    assert reader.get(f"{API}/competitions/{cid}").status_code == 200
    assert _send(reader, "post", f"/competitions/{cid}/sign-off").status_code == 403
    signed = _send(client, "post", f"/competitions/{cid}/sign-off")
    assert signed.status_code == 200, signed.content
    rows = signed.json()["posts"][0]["rows"]
    assert [(r["name"], r["composite"], r["rank"]) for r in rows] == [
        ("甲", "85.34", 1), ("乙", "83.25", 2), ("丙", "83.25", 3), ("丁", "63.75", 4)]  # fmt: skip
    assert rows[0]["cells"][0] == {"kind": "written", "label": "笔试", "weight": 40,
                                   "mean": "85.17", "scores": ["80.0", "85.0", "90.5"],
                                   "dropped": []}  # fmt: skip
    # after the sign-off: 409, nothing changed
    r = _send(client, "put", f"/competitions/{cid}/judges/{judges[0]}/scores",
              {"scores": [{"candidate": cands["甲"], "sub_test": tests["written"], "value": 99}]})  # fmt: skip
    assert r.status_code == 409
    assert not Score.objects.filter(value=99).exists()


def test_out_of_scope_is_404_on_the_api_and_the_pages(scored, personas, county):
    cid = scored.competition.pk
    other = Client()
    other.force_login(make_user("officer_shiqiao", Role.CASE_OFFICER, county.other_town))
    assert other.get(f"{API}/competitions/{cid}").status_code == 404
    assert _send(other, "post", f"/competitions/{cid}/sign-off").status_code == 404
    assert other.get(f"/competition/{cid}/result/").status_code == 404
    assert other.get(f"/competition/case/{scored.case.pk}/").status_code == 404
    page = f"/competition/{cid}/judge/{scored.judges[0].pk}/"
    assert other.post(page, {}).status_code == 404
    outsider = Client()
    outsider.force_login(personas.outsider)
    assert outsider.get(f"/competition/{cid}/result/").status_code == 403
    scored.competition.refresh_from_db()
    assert scored.competition.status == CompetitionStatus.SCORING


def test_the_pages_enter_a_grid_sign_off_and_show_the_sheet(setup, personas):
    client = Client()
    client.force_login(personas.case_officer)
    case_page = f"/competition/case/{setup.case.pk}/"
    assert "竞聘评分" in client.get(f"/cases/{setup.case.pk}/").content.decode()
    for judge, sheet in zip(setup.judges, SHEETS, strict=True):
        form = {f"s_{setup.candidates[n].pk}_{setup.tests[k].pk}": v
                for n, values in sheet.items() for k, v in zip(KINDS, values, strict=True)}  # fmt: skip
        r = client.post(f"/competition/{setup.competition.pk}/judge/{judge.pk}/", form)
        assert r.status_code == 302, r.content.decode()[:2000]
    bad = client.post(f"/competition/{setup.competition.pk}/judge/{setup.judges[0].pk}/",
                      {f"s_{setup.candidates['甲'].pk}_{setup.tests['written'].pk}": "100.5"})  # fmt: skip
    assert bad.status_code == 200 and "应在 0 到 100 之间" in bad.content.decode()
    # the committee member sees the page but no sign-off button, and a POST is 403
    member = Client()
    member.force_login(personas.committee_member)
    assert "登记监督小组签字确认" not in member.get(case_page).content.decode()
    assert member.post(case_page, {"action": "sign_off"}).status_code == 403
    setup.competition.refresh_from_db()
    assert setup.competition.status == CompetitionStatus.SCORING
    assert client.post(case_page, {"action": "sign_off"}).status_code == 302
    with CaptureQueriesContext(connection) as ctx:
        printed = client.get(f"/competition/{setup.competition.pk}/result/")
    assert printed.status_code == 200
    assert len(ctx.captured_queries) <= 16, len(ctx.captured_queries)
    text = printed.content.decode()
    assert "85.34" in text and "83.25" in text and "监督员" in text


def test_the_pages_read_in_queries_that_do_not_grow_with_the_sheet(
    scored, personas, county, make_cadre
):
    from xuanren.procedure.candidates import candidate_add

    client = Client()
    client.force_login(personas.case_officer)
    comp = scored.competition
    urls = [f"/competition/case/{scored.case.pk}/", f"/competition/{comp.pk}/result/",
            f"/competition/{comp.pk}/judge/{scored.judges[0].pk}/",
            f"{API}/competitions/{comp.pk}"]  # fmt: skip

    def counts() -> list[int]:
        out = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            out.append(len(ctx.captured_queries))
        return out

    before = counts()
    for name in ("戊", "己", "庚", "辛"):
        candidate_add(actor=personas.case_officer, case=scored.case,
                      cadre=make_cadre(county.town, name=name), post=county.town_deputy,
                      step="qualification_review")  # fmt: skip
    assert counts() == before


def test_the_pages_carry_the_policy_and_no_inline_code(scored, personas):
    """The CSP walk's demo has no competitive case (tests/web/test_csp_pages.py)."""
    from tests.web.test_csp_pages import inline_problems

    client = Client()
    client.force_login(personas.case_officer)
    comp = scored.competition
    for url in (f"/competition/case/{scored.case.pk}/", f"/competition/{comp.pk}/result/",
                f"/competition/{comp.pk}/judge/{scored.judges[0].pk}/"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200
        assert "script-src" in response["Content-Security-Policy"]
        assert "no-store" in response["Cache-Control"]
        assert inline_problems(response.content.decode()) == [], url
