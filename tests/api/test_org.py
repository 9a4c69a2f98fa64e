"""Units, posts and the quota report through the API, per persona."""

import datetime as dt

import pytest

from tests.api.conftest import API
from xuanren.org.models import Level
from xuanren.people.services import tenure_start

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    return [row["name"] for row in response.json()]


def test_units_in_tree_order(client, personas, county):
    client.force_login(personas.case_officer)
    response = client.get(f"{API}/units")
    assert response.status_code == 200
    assert names(response) == [
        "青山县",
        "中共青山县委组织部",
        "青山县财政局",
        "城关镇",
        "城关镇党政办",
        "石桥镇",
    ]
    town = next(u for u in response.json() if u["name"] == "城关镇")
    assert town == {
        "id": county.town.pk,
        "name": "城关镇",
        "short_name": "",
        "code": "T1",
        "kind": "township",
        "level": "",
        "parent_id": county.root.pk,
        "depth": 1,
        "sort_order": 0,
        "is_active": True,
    }


def test_units_under(client, personas, county):
    client.force_login(personas.committee_member)
    response = client.get(f"{API}/units", {"under": county.town.pk})
    assert names(response) == ["城关镇", "城关镇党政办"]


def test_units_scope_of_other_unit_hr(client, personas, county):
    client.force_login(personas.other_unit_hr)
    assert names(client.get(f"{API}/units")) == ["石桥镇"]
    assert client.get(f"{API}/units", {"under": county.town.pk}).status_code == 404
    for unit in (county.town, county.finance, county.root):
        response = client.get(f"{API}/units/{unit.pk}")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
        assert client.get(f"{API}/units/{unit.pk}/posts").status_code == 404
    assert client.get(f"{API}/units/{county.other_town.pk}").status_code == 200


def test_outsider_is_refused(client, personas, county):
    client.force_login(personas.outsider)
    for url in ["/units", f"/units/{county.town.pk}", "/posts", "/quota-report"]:
        response = client.get(API + url)
        assert response.status_code == 403, url
        assert response.json()["code"] == "permission_denied"
        assert "权限" in response.json()["message"]


def test_unit_detail(client, personas, county):
    client.force_login(personas.case_officer)
    body = client.get(f"{API}/units/{county.finance.pk}").json()
    assert body["name"] == "青山县财政局"
    assert body["short_name"] == "县财政局"
    assert body["parent_name"] == "青山县"
    assert body["establishment_document"] == ""
    root = client.get(f"{API}/units/{county.root.pk}").json()
    assert root["parent_id"] is None and root["parent_name"] is None
    assert client.get(f"{API}/units/999999").status_code == 404


def test_unit_posts_with_occupancy(client, personas, county, make_cadre, admin):
    cadre = make_cadre(county.town)
    tenure_start(actor=admin, cadre=cadre, post=county.town_deputy, start_date=dt.date(2020, 1, 1))
    client.force_login(personas.committee_member)
    rows = client.get(f"{API}/units/{county.town.pk}/posts").json()
    assert [(r["title"], r["seats"], r["occupied"]) for r in rows] == [
        ("党委书记", 1, 0),
        ("副镇长", 3, 1),
    ]
    assert rows[0]["is_party_government_principal"] is True
    assert rows[1]["level"] == Level.SECTION_DEPUTY
    earlier = client.get(f"{API}/units/{county.town.pk}/posts", {"on": "2019-12-31"}).json()
    assert [r["occupied"] for r in earlier] == [0, 0]


def test_posts_filtered_by_unit(client, personas, county):
    client.force_login(personas.case_officer)
    every = client.get(f"{API}/posts").json()
    assert len(every) == 4
    finance = client.get(f"{API}/posts", {"unit": county.finance.pk}).json()
    assert [p["title"] for p in finance] == ["局长", "副局长"]
    assert {p["unit_name"] for p in finance} == {"青山县财政局"}
    root_only = client.get(f"{API}/posts", {"unit": county.root.pk}).json()
    assert root_only == []
    subtree = client.get(f"{API}/posts", {"unit": county.root.pk, "subtree": "true"}).json()
    assert len(subtree) == 4


def test_posts_of_other_unit_hr(client, personas, county):
    client.force_login(personas.other_unit_hr)
    assert client.get(f"{API}/posts").json() == []
    assert client.get(f"{API}/posts", {"unit": county.finance.pk}).status_code == 404


def test_bad_date_is_422(client, personas, county):
    client.force_login(personas.case_officer)
    response = client.get(f"{API}/quota-report", {"on": "2024-02-30"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "on", "message": "日期格式应为 YYYY-MM-DD，且是有效日期。"}
    ]


def _row(rows, name):
    return next(r for r in rows if r["name"] == name)


def test_quota_report(client, personas, county, make_cadre, admin):
    for i in range(2):
        cadre = make_cadre(county.finance, name=f"赵{i}")
        tenure_start(
            actor=admin, cadre=cadre, post=county.finance_deputy, start_date=dt.date(2020, 1, 1)
        )
    head = make_cadre(county.finance, name="钱局")
    tenure_start(actor=admin, cadre=head, post=county.finance_head, start_date=dt.date(2021, 1, 1))
    secretary = make_cadre(county.town, name="孙书记")
    tenure_start(
        actor=admin, cadre=secretary, post=county.town_secretary, start_date=dt.date(2022, 1, 1)
    )
    client.force_login(personas.committee_member)
    rows = client.get(f"{API}/quota-report", {"on": "2023-06-30"}).json()
    finance = _row(rows, "青山县财政局")
    assert finance["levels"] == [
        {"level": "section_principal", "approved": 1, "filled": 1, "vacant": 0, "over_quota": 0},
        {"level": "section_deputy", "approved": 2, "filled": 2, "vacant": 0, "over_quota": 0},
    ]
    town = _row(rows, "城关镇")
    assert town["own"] == {"approved": 5, "filled": 1, "vacant": 4, "over_quota": 0}
    assert town["subtree"] == town["own"]
    root = _row(rows, "青山县")
    assert root["depth"] == 0
    assert root["own"] == {"approved": 0, "filled": 0, "vacant": 0, "over_quota": 0}
    assert root["subtree"] == {"approved": 8, "filled": 4, "vacant": 4, "over_quota": 0}
    # Before the head took office the principal seat was vacant.
    earlier = client.get(f"{API}/quota-report", {"on": "2020-06-30"}).json()
    assert _row(earlier, "青山县财政局")["own"]["vacant"] == 1
    assert _row(earlier, "城关镇")["own"]["filled"] == 0


def test_quota_report_under_and_scope(client, personas, county):
    client.force_login(personas.case_officer)
    under = client.get(f"{API}/quota-report", {"under": county.town.pk}).json()
    assert names_of(under) == ["城关镇", "城关镇党政办"]
    client.force_login(personas.other_unit_hr)
    assert names_of(client.get(f"{API}/quota-report").json()) == ["石桥镇"]
    response = client.get(f"{API}/quota-report", {"under": county.town.pk})
    assert response.status_code == 404


def names_of(rows) -> list[str]:
    return [r["name"] for r in rows]
