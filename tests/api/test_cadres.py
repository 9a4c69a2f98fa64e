"""Cadres through the API: search, detail, create and change, per persona."""

import datetime as dt

import pytest

from tests.api.conftest import API, cadre_body, field_errors, if_match, patch_json, post_json
from xuanren.journal.models import Event, EventType
from xuanren.people.models import Cadre, EducationLevel
from xuanren.people.services import (
    assessment_set,
    education_add,
    family_member_add,
    mask_id_number,
    resume_entry_add,
    reward_punishment_add,
    tenure_start,
    training_add,
)

pytestmark = pytest.mark.django_db


def items(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["items"]


def names(response) -> set[str]:
    return {row["name"] for row in items(response)}


@pytest.fixture
def three(county, make_cadre):
    """One cadre each in 城关镇, 财政局 and 石桥镇."""
    return {
        "town": make_cadre(county.town, name="李娜", sex="female", birth=dt.date(1990, 5, 6)),
        "finance": make_cadre(county.finance, name="王强", birth=dt.date(1970, 1, 2)),
        "other_town": make_cadre(county.other_town, name="周敏", sex="female"),
    }


# ---- GET /cadres ------------------------------------------------------------------


def test_list_masks_id_numbers_even_for_full_viewers(client, personas, three):
    client.force_login(personas.case_officer)
    rows = items(client.get(f"{API}/cadres"))
    assert {r["name"] for r in rows} == {"李娜", "王强", "周敏"}
    for row in rows:
        cadre = Cadre.objects.get(pk=row["id"])
        assert row["id_number"] == mask_id_number(cadre.id_number)
        assert cadre.id_number not in str(rows)
    row = next(r for r in rows if r["name"] == "李娜")
    assert row["unit_name"] == "城关镇"
    assert row["sex"] == "female"
    assert row["birth_date"] == "1990-05-06"
    assert isinstance(row["age"], int)


def test_list_filters(client, personas, three, county):
    client.force_login(personas.case_officer)
    url = f"{API}/cadres"
    assert names(client.get(url, {"q": "李"})) == {"李娜"}
    assert names(client.get(url, {"q": "zm"})) == {"周敏"}
    assert names(client.get(url, {"sex": "female"})) == {"李娜", "周敏"}
    assert names(client.get(url, {"unit": county.root.pk})) == {"李娜", "王强", "周敏"}
    assert names(client.get(url, {"unit": county.finance.pk})) == {"王强"}
    ref = "2025-01-01"
    assert names(client.get(url, {"age_min": 50, "ref_date": ref})) == {"王强"}
    assert names(client.get(url, {"age_max": 34, "ref_date": ref})) == {"李娜"}
    assert names(client.get(url, {"level": "section_deputy"})) == set()
    assert names(client.get(url, {"education_min": EducationLevel.BACHELOR})) == set()
    assert names(client.get(url, {"status": "retired"})) == set()
    assert names(client.get(url, {"status": ""})) == {"李娜", "王强", "周敏"}


def test_list_rejects_unknown_codes(client, personas, three):
    client.force_login(personas.case_officer)
    for params in ({"level": "emperor"}, {"education_min": "phd"}, {"age_min": "old"}):
        response = client.get(f"{API}/cadres", params)
        assert response.status_code == 422, params
        assert list(field_errors(response)) == list(params)


def test_list_paginates(client, personas, county, make_cadre):
    for i in range(7):
        make_cadre(county.town, name=f"吴{i}")
    client.force_login(personas.case_officer)
    page = client.get(f"{API}/cadres", {"limit": 3, "offset": 3}).json()
    assert page["count"] == 7
    assert [r["name"] for r in page["items"]] == ["吴3", "吴4", "吴5"]
    assert client.get(f"{API}/cadres", {"limit": 0}).status_code == 422


def test_other_unit_hr_sees_only_own_unit(client, personas, three, county):
    client.force_login(personas.other_unit_hr)
    assert names(client.get(f"{API}/cadres")) == {"周敏"}
    assert names(client.get(f"{API}/cadres", {"unit": county.town.pk})) == set()
    assert names(client.get(f"{API}/cadres", {"unit": county.finance.pk})) == set()
    for key in ("town", "finance"):
        response = client.get(f"{API}/cadres/{three[key].pk}")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert client.get(f"{API}/cadres/{three['other_town'].pk}").status_code == 200


def test_outsider_sees_nothing(client, personas, three):
    client.force_login(personas.outsider)
    assert client.get(f"{API}/cadres").status_code == 403
    for cadre in three.values():
        assert client.get(f"{API}/cadres/{cadre.pk}").status_code in (403, 404)


# ---- GET /cadres/{id} ---------------------------------------------------------------


@pytest.fixture
def full_record(county, make_cadre, admin):
    cadre = make_cadre(
        county.finance,
        name="钱芳",
        sex="female",
        birth=dt.date(1980, 4, 5),
        work_start=dt.date(2002, 7, 1),
        party_join=dt.date(2001, 6, 1),
    )
    education_add(
        actor=admin,
        cadre=cadre,
        kind="full_time",
        level="bachelor",
        degree="bachelor",
        school="浙江大学",
        major="财政学",
        start_date=dt.date(1998, 9, 1),
        end_date=dt.date(2002, 7, 1),
    )
    resume_entry_add(
        actor=admin,
        cadre=cadre,
        start_date=dt.date(1998, 9, 1),
        end_date=dt.date(2002, 7, 1),
        text="浙江大学财政学专业学习",
    )
    resume_entry_add(
        actor=admin, cadre=cadre, start_date=dt.date(2002, 7, 1), end_date=None, text="县财政局科员"
    )
    tenure_start(
        actor=admin,
        cadre=cadre,
        post=county.finance_deputy,
        start_date=dt.date(2015, 3, 1),
        document_number="青组〔2015〕8号",
    )
    family_member_add(actor=admin, cadre=cadre, relation="spouse", name="孙亮")
    assessment_set(actor=admin, cadre=cadre, year=2023, grade="excellent")
    reward_punishment_add(
        actor=admin,
        cadre=cadre,
        kind="reward",
        category="commendation",
        title="先进工作者",
        decided_on=dt.date(2020, 1, 10),
    )
    training_add(actor=admin, cadre=cadre, year=2023, hours=56, title="中青班")
    return cadre


def test_detail_has_every_record(client, personas, full_record, county):
    client.force_login(personas.case_officer)
    body = client.get(f"{API}/cadres/{full_record.pk}").json()
    assert body["name"] == "钱芳"
    assert body["unit_name"] == "青山县财政局"
    assert body["education_level"] == "bachelor"
    assert body["level"] == "section_deputy"
    assert body["current_post_title"] == "县财政局副局长"
    assert [e["school"] for e in body["educations"]] == ["浙江大学"]
    assert [r["text"] for r in body["resume"]] == ["浙江大学财政学专业学习", "县财政局科员"]
    (tenure,) = body["tenures"]
    assert tenure["post_id"] == county.finance_deputy.pk
    assert tenure["post_title"] == "副局长"
    assert tenure["unit_id"] == county.finance.pk
    assert tenure["unit_name"] == "青山县财政局"
    assert tenure["level"] == "section_deputy"
    assert tenure["document_number"] == "青组〔2015〕8号"
    assert tenure["end_date"] is None
    assert [(f["relation"], f["name"]) for f in body["family_members"]] == [("spouse", "孙亮")]
    assert [(a["year"], a["grade"]) for a in body["assessments"]] == [(2023, "excellent")]
    assert [r["title"] for r in body["rewards_punishments"]] == ["先进工作者"]
    assert [(t["year"], t["hours"]) for t in body["trainings"]] == [(2023, 56)]


def test_detail_ages_come_from_cadre_ages(client, personas, full_record):
    from xuanren.people.selectors import cadre_ages

    client.force_login(personas.committee_member)
    body = client.get(f"{API}/cadres/{full_record.pk}").json()
    ages = cadre_ages(full_record)
    assert (body["age"], body["party_age"], body["working_age"]) == (
        ages.age,
        ages.party_age,
        ages.working_age,
    )


def test_detail_ages_absent_when_dates_absent(client, personas, county, make_cadre):
    cadre = make_cadre(county.town, political_status="masses", party_join=None, work_start=None)
    client.force_login(personas.case_officer)
    body = client.get(f"{API}/cadres/{cadre.pk}").json()
    assert body["party_age"] is None
    assert body["working_age"] is None


@pytest.mark.parametrize(
    ("persona", "full"),
    [("case_officer", True), ("discipline", True), ("committee_member", False)],
)
def test_detail_id_number_full_only_with_permission(client, personas, three, persona, full):
    cadre = three["town"]
    client.force_login(getattr(personas, persona))
    shown = client.get(f"{API}/cadres/{cadre.pk}").json()["id_number"]
    assert shown == (cadre.id_number if full else mask_id_number(cadre.id_number))


def test_detail_id_number_masked_for_unit_hr(client, personas, three):
    cadre = three["other_town"]
    client.force_login(personas.other_unit_hr)
    shown = client.get(f"{API}/cadres/{cadre.pk}").json()["id_number"]
    assert shown == mask_id_number(cadre.id_number)
    assert "*" in shown


# ---- POST /cadres ---------------------------------------------------------------


def test_create(client, personas, county):
    client.force_login(personas.case_officer)
    body = cadre_body(county.town, name="郑洁", sex="female", native_place="浙江青山")
    response = post_json(client, "/cadres", body)
    assert response.status_code == 201, response.content
    out = response.json()
    cadre = Cadre.objects.get(name="郑洁")
    assert out["cadre"]["id"] == cadre.pk
    assert out["cadre"]["unit_id"] == county.town.pk
    assert out["cadre"]["native_place"] == "浙江青山"
    assert out["cadre"]["id_number"] == cadre.id_number  # the officer may see it in full
    assert out["warnings"] == []
    event = Event.objects.filter(event_type=EventType.CADRE_CREATED).latest("id")
    assert event.subject_id == str(cadre.pk)
    assert event.actor_id == personas.case_officer.pk
    assert event.payload["unit"] == county.town.pk
    assert cadre.id_number not in str(event.payload)


def test_create_returns_warnings(client, personas, county):
    client.force_login(personas.case_officer)
    body = cadre_body(county.town, name="冯刚")
    body["party_full_date"] = None  # a full party member without a confirmation date
    response = post_json(client, "/cadres", body)
    assert response.status_code == 201, response.content
    assert [w["field"] for w in response.json()["warnings"]] == ["party_full_date"]


def test_create_with_bad_check_digit_is_422_and_saves_nothing(client, personas, county):
    client.force_login(personas.case_officer)
    body = cadre_body(county.town)
    number = body["id_number"]
    body["id_number"] = number[:17] + ("1" if number[17] != "1" else "2")
    before = Cadre.objects.count(), Event.objects.count()
    response = post_json(client, "/cadres", body)
    assert response.status_code == 422
    out = response.json()
    assert out["code"] == "validation_failed"
    assert "未保存" in out["message"]
    errors = field_errors(response)
    assert "id_number" in errors
    assert "校验位" in errors["id_number"]
    assert (Cadre.objects.count(), Event.objects.count()) == before


def test_create_reports_every_field_error(client, personas, county):
    client.force_login(personas.case_officer)
    body = cadre_body(county.town, name=" ")
    body["sex"] = "unknown"
    body["political_status"] = "cpc_member"
    body["party_join_date"] = None
    body["party_full_date"] = None
    body["work_start_date"] = "1980-01-01"
    response = post_json(client, "/cadres", body)
    assert response.status_code == 422
    assert {"name", "sex", "party_join_date", "work_start_date"} <= set(field_errors(response))
    assert Cadre.objects.count() == 0


def test_create_with_malformed_input_is_422(client, personas, county):
    client.force_login(personas.case_officer)
    body = cadre_body(county.town)
    body["birth_date"] = "1985-02-30"
    del body["name"]
    body["salary"] = 1
    response = post_json(client, "/cadres", body)
    assert response.status_code == 422
    errors = field_errors(response)
    assert errors["birth_date"] == "日期格式应为 YYYY-MM-DD，且是有效日期。"
    assert errors["name"] == "此项为必填项。"
    assert "salary" in errors
    assert Cadre.objects.count() == 0


def test_create_rejects_duplicate_id_number(client, personas, county, three):
    client.force_login(personas.case_officer)
    body = cadre_body(
        county.town, id_number=three["town"].id_number, sex="female", birth=dt.date(1990, 5, 6)
    )
    response = post_json(client, "/cadres", body)
    assert response.status_code == 422
    assert "已有干部记录" in field_errors(response)["id_number"]


def test_committee_member_cannot_create(client, personas, county):
    client.force_login(personas.committee_member)
    response = post_json(client, "/cadres", cadre_body(county.town))
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert Cadre.objects.count() == 0


def test_other_unit_hr_creates_only_in_own_unit(client, personas, county):
    client.force_login(personas.other_unit_hr)
    for unit in (county.town, county.finance, county.town_office):
        response = post_json(client, "/cadres", cadre_body(unit))
        assert response.status_code in (403, 404), unit
    assert Cadre.objects.count() == 0
    response = post_json(client, "/cadres", cadre_body(county.other_town, name="陈红"))
    assert response.status_code == 201, response.content
    assert Cadre.objects.get().unit == county.other_town


def test_outsider_cannot_create(client, personas, county):
    client.force_login(personas.outsider)
    response = post_json(client, "/cadres", cadre_body(county.town))
    assert response.status_code in (403, 404)
    assert Cadre.objects.count() == 0


# ---- PATCH /cadres/{id} -----------------------------------------------------------


def test_update(client, personas, three, county):
    cadre = three["town"]
    client.force_login(personas.case_officer)
    response = patch_json(
        client,
        f"/cadres/{cadre.pk}",
        {"ethnicity": "回族", "specialty": "财务管理"},
        **if_match(cadre),
    )
    assert response.status_code == 200, response.content
    out = response.json()["cadre"]
    assert (out["ethnicity"], out["specialty"], out["name"]) == ("回族", "财务管理", "李娜")
    cadre.refresh_from_db()
    assert cadre.ethnicity == "回族"
    event = Event.objects.filter(event_type=EventType.CADRE_UPDATED).get()
    assert event.subject_id == str(cadre.pk)
    assert event.actor_id == personas.case_officer.pk
    assert event.payload["changes"]["ethnicity"] == ["汉族", "回族"]
    assert set(event.payload["changes"]) == {"ethnicity", "specialty"}


def test_update_clears_a_date_and_renames(client, personas, county, make_cadre):
    cadre = make_cadre(county.town, political_status="masses", party_join=None, name="刘一")
    client.force_login(personas.case_officer)
    response = patch_json(
        client, f"/cadres/{cadre.pk}", {"work_start_date": None, "name": "刘二"}, **if_match(cadre)
    )
    assert response.status_code == 200, response.content
    cadre.refresh_from_db()
    assert cadre.work_start_date is None
    assert cadre.name == "刘二"
    assert cadre.name_initials == "le"


def test_update_moves_unit(client, personas, three, county):
    cadre = three["town"]
    client.force_login(personas.case_officer)
    response = patch_json(
        client, f"/cadres/{cadre.pk}", {"unit": county.finance.pk}, **if_match(cadre)
    )
    assert response.status_code == 200, response.content
    assert response.json()["cadre"]["unit_id"] == county.finance.pk
    event = Event.objects.filter(event_type=EventType.CADRE_UPDATED).get()
    assert event.payload["changes"]["unit"] == [county.town.pk, county.finance.pk]


def test_update_validation_is_422_and_saves_nothing(client, personas, three):
    cadre = three["town"]
    client.force_login(personas.case_officer)
    number = cadre.id_number
    bad = number[:17] + ("1" if number[17] != "1" else "2")
    before = Event.objects.count()
    response = patch_json(
        client, f"/cadres/{cadre.pk}", {"id_number": bad, "ethnicity": "回族"}, **if_match(cadre)
    )
    assert response.status_code == 422
    assert "id_number" in field_errors(response)
    cadre.refresh_from_db()
    assert (cadre.id_number, cadre.ethnicity) == (number, "汉族")
    assert Event.objects.count() == before


def test_update_refuses_null_text_and_unknown_fields(client, personas, three):
    cadre = three["town"]
    client.force_login(personas.case_officer)
    response = patch_json(
        client, f"/cadres/{cadre.pk}", {"ethnicity": None, "status": "left"}, **if_match(cadre)
    )
    assert response.status_code == 422
    errors = field_errors(response)
    assert set(errors) == {"ethnicity", "status"}
    assert "不能为空" in errors["ethnicity"]
    cadre.refresh_from_db()
    assert cadre.ethnicity == "汉族"


def test_update_without_changes_writes_no_event(client, personas, three):
    client.force_login(personas.case_officer)
    before = Event.objects.count()
    response = patch_json(
        client, f"/cadres/{three['town'].pk}", {"ethnicity": "汉族"}, **if_match(three["town"])
    )
    assert response.status_code == 200
    assert Event.objects.count() == before


def test_committee_member_cannot_update(client, personas, three):
    client.force_login(personas.committee_member)
    response = patch_json(
        client, f"/cadres/{three['town'].pk}", {"ethnicity": "回族"}, **if_match(three["town"])
    )
    assert response.status_code == 403
    three["town"].refresh_from_db()
    assert three["town"].ethnicity == "汉族"


def test_other_unit_hr_updates_only_own_unit(client, personas, three, county):
    client.force_login(personas.other_unit_hr)
    for key in ("town", "finance"):
        response = patch_json(
            client, f"/cadres/{three[key].pk}", {"ethnicity": "回族"}, **if_match(three[key])
        )
        assert response.status_code == 404
    own = three["other_town"]
    moved = patch_json(client, f"/cadres/{own.pk}", {"unit": county.town.pk}, **if_match(own))
    assert moved.status_code in (403, 404)
    own.refresh_from_db()
    assert own.unit == county.other_town
    ok = patch_json(client, f"/cadres/{own.pk}", {"ethnicity": "畲族"}, **if_match(own))
    assert ok.status_code == 200, ok.content
    assert ok.json()["cadre"]["id_number"] == mask_id_number(own.id_number)
