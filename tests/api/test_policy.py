"""Qualification rules through the API: rules in force, explain, screening,
eligible posts and 破格, per persona; screening's query count."""

import datetime as dt

import pytest

from tests.api.conftest import API, counted_get, field_errors, post_json
from xuanren.org.models import Level
from xuanren.org.services import post_create
from xuanren.people.models import Cadre
from xuanren.people.services import cadre_update, education_add, mask_id_number
from xuanren.policy.models import ExceptionStatus, PromotionException

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 27)
REF = {"ref_date": TODAY.isoformat()}
RULE = "section.ladder"
DEPUTY_YEARS_TITLE = "提任正股级职务，一般应当在副股级岗位工作两年以上"


@pytest.fixture(autouse=True)
def frozen_today(clock):
    """破格 requests and decisions are checked and dated "today"."""
    clock.day = TODAY


@pytest.fixture
def chief(county, admin):
    """股长 of 城关镇党政办: the section-level pack (education, age 50, two years as 副股)."""
    return post_create(
        actor=admin,
        unit=county.town_office,
        title="股长",
        level=Level.SUBSECTION_PRINCIPAL,
        is_principal=True,
    )


@pytest.fixture
def qualified(make_cadre, admin):
    """A 副股 since 2020 with a bachelor's degree: meets every 股长 rule."""

    def make(unit, name, **kwargs):
        kwargs = {"level": "subsection_deputy", "level_since": dt.date(2020, 1, 1), **kwargs}
        cadre = make_cadre(unit, name=name, **kwargs)
        education_add(
            actor=admin, cadre=cadre, kind="full_time", level="bachelor", school="浙江大学"
        )
        return cadre

    return make


@pytest.fixture
def young(county, qualified, admin):
    """副股 since 2025-05-01: short of the two years 股长 needs (waivable)."""
    cadre = qualified(county.town_office, "青年", birth=dt.date(1995, 5, 1),
                      party_join=dt.date(2016, 6, 1), work_start=dt.date(2017, 8, 1))  # fmt: skip
    return cadre_update(actor=admin, cadre=cadre, changes={"level_since": dt.date(2025, 5, 1)})


def results_by_rule(response) -> dict[str, dict]:
    assert response.status_code == 200, response.content
    return {r["rule_id"]: r for r in response.json()["results"]}


def explain_url(post, cadre) -> str:
    return f"{API}/posts/{post.pk}/explain/{cadre.pk}"


def ask(client, cadre, post, rule_ids=(RULE,), **overrides):
    body = {
        "cadre": cadre.pk,
        "post": post.pk,
        "rule_ids": list(rule_ids),
        "reason": "outstanding",
        "explanation": "近两年在乡村振兴一线表现突出",
        **overrides,
    }
    return post_json(client, "/promotion-exceptions", body)


def decide(client, request_id, **overrides):
    body = {"approve": True, "approving_body": "县委组织部", "document": "青组函〔2026〕8号",
            **overrides}  # fmt: skip
    return post_json(client, f"/promotion-exceptions/{request_id}/decision", body)


# ---- GET /posts/{id}/rules --------------------------------------------------------------


def test_rules_of_a_subsection_post(client, personas, chief):
    client.force_login(personas.committee_member)
    response = client.get(f"{API}/posts/{chief.pk}/rules", REF)
    assert response.status_code == 200, response.content
    rules = {r["id"]: r for r in response.json()}
    assert set(rules) == {"section.education", "section.age", RULE, "section.professional"}
    # The 专业 rule is listed but not about a post without a 专业要求 (decision 0088).
    assert rules["section.professional"]["applies"] is False
    age = rules["section.age"]
    assert age["title"] == "年龄在 50 周岁以下"
    assert age["pack"] == "section-level-rules"
    assert age["source"] == "县关于选拔任用股级干部的规定第三项（3）"
    assert (age["measure"], age["comparator"], age["value"]) == ("age", "以下", 50)
    assert age["waivable"] is False
    assert age["applies"] is True
    assert rules["section.education"]["value"] == "junior_college"
    assert rules[RULE]["waivable"] is True


def test_rules_of_a_township_principal_post(client, personas, county):
    client.force_login(personas.case_officer)
    response = client.get(f"{API}/posts/{county.town_secretary.pk}/rules", REF)
    rules = {r["id"]: r for r in response.json()}
    assert rules["county.principal.township.female.age"]["applies"] is True
    assert rules["county.principal.organ.female.age"]["applies"] is False
    assert rules["national.negative.assessment"]["comparator"] is None
    assert rules["national.negative.assessment"]["value"] is None
    assert {r["pack"] for r in rules.values()} == {"county-leading-rules", "national-2019"}
    # Rules that do not concern this 正科 post are listed, not applied; their data is shown.
    training = rules["national.training"]
    assert training["applies"] is False
    assert training["exception"] == (
        "确因特殊情况在提任前未达到培训要求的，应当在提任后一年内完成培训"
    )
    lower = rules["national.lower_level_posts"]
    assert (lower["measure"], lower["comparator"], lower["value"]) == ("lower_posts", "以上", 2)
    assert lower["counted_levels"] == ["section_deputy", "section_principal"]
    assert rules["national.negative.office_seeking"]["applies"] is True
    assert rules["national.negative.office_seeking"]["exception"] == ""
    assert rules["national.negative.office_seeking"]["counted_levels"] == []


def test_rules_out_of_scope_and_outsider(client, personas, chief):
    client.force_login(personas.other_unit_hr)
    assert client.get(f"{API}/posts/{chief.pk}/rules").status_code == 404
    assert client.get(f"{API}/posts/999999/rules").status_code == 404
    client.force_login(personas.outsider)
    assert client.get(f"{API}/posts/{chief.pk}/rules").status_code == 403


def test_malformed_reference_date_is_422(client, personas, chief):
    client.force_login(personas.case_officer)
    response = client.get(f"{API}/posts/{chief.pk}/rules", {"ref_date": "2026-02-30"})
    assert response.status_code == 422
    assert "ref_date" in field_errors(response)


# ---- GET /posts/{id}/explain/{cadre_id} ---------------------------------------------------


def test_explain_woman_aged_41_for_a_township_principal(client, personas, county, make_cadre):
    cadre = make_cadre(county.town, name="刘芳", sex="female", birth=dt.date(1985, 3, 2),
                       level="section_deputy", level_since=dt.date(2020, 1, 1))  # fmt: skip
    client.force_login(personas.case_officer)
    response = client.get(explain_url(county.town_secretary, cadre), REF)
    body = response.json()
    assert body["eligible"] is False
    assert body["cadre_id"] == cadre.pk
    assert body["post_id"] == county.town_secretary.pk
    assert body["ref_date"] == TODAY.isoformat()
    results = results_by_rule(response)
    age = results["county.principal.township.female.age"]
    assert age["status"] == "fail"
    assert age["status_word"] == "不符合"
    assert "41 周岁" in age["sentence"]
    assert "2026-11-27" in age["sentence"]
    assert age["source"] == "本县《关于进一步加强科级领导班子建设的意见》"
    assert age["missing"] == ""
    # The men's rule does not concern her; the organ rule not this post.
    assert results["county.principal.township.male.age"]["status"] == "not_applicable"
    assert results["county.principal.organ.female.age"]["status"] == "not_applicable"
    # No 2025 assessment recorded: fails for missing data, and names the field.
    assessment = results["national.negative.assessment"]
    assert (assessment["status"], assessment["missing"]) == ("fail", "last_assessment")


def test_explain_out_of_scope_is_404_and_outsider_403(
    client, personas, county, young, chief, admin
):
    shiqiao_post = post_create(actor=admin, unit=county.other_town, title="股长",
                               level=Level.SUBSECTION_PRINCIPAL, is_principal=True)  # fmt: skip
    client.force_login(personas.other_unit_hr)
    assert client.get(explain_url(chief, young), REF).status_code == 404  # post out of scope
    assert client.get(explain_url(shiqiao_post, young), REF).status_code == 404  # cadre
    client.force_login(personas.outsider)
    response = client.get(explain_url(chief, young), REF)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    client.logout()
    assert client.get(explain_url(chief, young), REF).status_code == 401


# ---- GET /posts/{id}/screen -----------------------------------------------------------------


def test_screen_returns_exactly_whom_explain_finds_eligible(
    client, personas, county, chief, young, qualified, make_cadre
):
    ok_a = qualified(county.town_office, "甲", birth=dt.date(1990, 1, 1))
    ok_b = qualified(county.finance, "乙", birth=dt.date(1980, 1, 1))
    too_old = qualified(county.town, "丙", birth=dt.date(1970, 1, 1))  # 56 > 50
    no_degree = make_cadre(county.town, name="丁", level="subsection_deputy",
                           level_since=dt.date(2020, 1, 1))  # fmt: skip
    everyone = [young, ok_a, ok_b, too_old, no_degree]
    client.force_login(personas.case_officer)

    response = client.get(f"{API}/posts/{chief.pk}/screen", REF)
    assert response.status_code == 200, response.content
    body = response.json()
    screened = {row["id"] for row in body["items"]}
    explained = {
        c.pk for c in everyone if client.get(explain_url(chief, c), REF).json()["eligible"]
    }
    assert screened == explained == {ok_a.pk, ok_b.pk}
    assert body["count"] == 2
    failing = {f["rule_id"]: f["failing"] for f in body["failure_counts"]}
    assert failing == {"section.education": 1, "section.age": 1, RULE: 1}
    titles = {f["rule_id"]: f["title"] for f in body["failure_counts"]}
    assert titles[RULE] == DEPUTY_YEARS_TITLE
    row = next(r for r in body["items"] if r["id"] == ok_b.pk)
    assert row["id_number"] == mask_id_number(Cadre.objects.get(pk=ok_b.pk).id_number)
    assert row["unit_name"] == "青山县财政局"

    url = f"{API}/posts/{chief.pk}/screen"
    youngest_first = client.get(url, {**REF, "order": "age"}).json()["items"]
    assert [r["id"] for r in youngest_first] == [ok_a.pk, ok_b.pk]
    oldest_first = client.get(url, {**REF, "order": "-age", "limit": 1}).json()
    assert [r["id"] for r in oldest_first["items"]] == [ok_b.pk]
    assert oldest_first["count"] == 2
    second = client.get(url, {**REF, "order": "-age", "limit": 1, "offset": 1}).json()
    assert [r["id"] for r in second["items"]] == [ok_a.pk]
    assert client.get(url, {**REF, "order": "height"}).status_code == 422
    assert client.get(url, {**REF, "limit": 0}).status_code == 422


def test_screen_stays_in_scope(client, personas, county, chief, qualified, admin):
    qualified(county.town_office, "甲")
    mine = qualified(county.other_town, "乙")
    shiqiao_post = post_create(actor=admin, unit=county.other_town, title="股长",
                               level=Level.SUBSECTION_PRINCIPAL, is_principal=True)  # fmt: skip
    client.force_login(personas.other_unit_hr)
    assert client.get(f"{API}/posts/{chief.pk}/screen", REF).status_code == 404
    body = client.get(f"{API}/posts/{shiqiao_post.pk}/screen", REF).json()
    assert [r["id"] for r in body["items"]] == [mine.pk]
    client.force_login(personas.outsider)
    assert client.get(f"{API}/posts/{chief.pk}/screen", REF).status_code == 403


def test_screen_query_count_does_not_grow_with_the_page(client, personas, county, chief, qualified):
    made = iter(range(1000))

    def grow(n):
        for _ in range(n):
            qualified(county.town, f"蒋{next(made)}")

    client.force_login(personas.case_officer)
    url = f"/posts/{chief.pk}/screen?ref_date={TODAY.isoformat()}&limit=50"
    grow(5)
    counted_get(client, url)  # warms the parsed-rules cache
    few, response = counted_get(client, url)
    assert len(response.json()["items"]) == 5
    grow(25)
    many, response = counted_get(client, url)
    assert len(response.json()["items"]) == 30
    assert response.json()["count"] == 30
    assert few == many
    # Auth and scope, the post, the packs and waivers (twice: screen and the
    # counts), the page and its count, and two counts per applicable rule.
    assert many <= 25


# ---- GET /cadres/{id}/eligible-posts -----------------------------------------------------------


def test_eligible_posts_of_a_unit(client, personas, county, young, chief, admin):
    deputy = post_create(
        actor=admin, unit=county.town_office, title="副股长", level=Level.SUBSECTION_DEPUTY
    )
    client.force_login(personas.case_officer)
    url = f"{API}/cadres/{young.pk}/eligible-posts"
    response = client.get(url, REF)
    assert response.status_code == 200, response.content
    rows = response.json()
    assert [r["post_id"] for r in rows] == [deputy.pk]
    assert rows[0]["eligible"] is True
    assert rows[0]["unit_name"] == "城关镇党政办"
    assert rows[0]["failed_rules"] == []

    every = client.get(url, {**REF, "unit": county.town_office.pk, "all": "true"}).json()
    by_post = {r["post_id"]: r for r in every}
    assert set(by_post) == {chief.pk, deputy.pk}
    assert by_post[chief.pk]["eligible"] is False
    assert by_post[chief.pk]["title"] == "股长"
    assert by_post[chief.pk]["failed_rules"] == [DEPUTY_YEARS_TITLE]
    assert by_post[chief.pk]["failed_rule_ids"] == [RULE]
    # Another unit: its own posts only (城关镇's are section level; she is 副股).
    town = client.get(url, {**REF, "unit": county.town.pk, "all": "true"}).json()
    assert {r["post_id"] for r in town} == {county.town_secretary.pk, county.town_deputy.pk}
    assert not any(r["eligible"] for r in town)


def test_eligible_posts_out_of_scope_and_outsider(client, personas, county, young):
    client.force_login(personas.other_unit_hr)
    assert client.get(f"{API}/cadres/{young.pk}/eligible-posts").status_code == 404
    client.force_login(personas.case_officer)
    assert client.get(f"{API}/cadres/{young.pk}/eligible-posts?unit=999999").status_code == 404
    client.force_login(personas.outsider)
    assert client.get(f"{API}/cadres/{young.pk}/eligible-posts").status_code == 403


# ---- 破格 --------------------------------------------------------------------------------------


def test_request_approve_then_explain_shows_waived(client, personas, admin, young, chief):
    client.force_login(personas.case_officer)
    before = results_by_rule(client.get(explain_url(chief, young), REF))
    assert before[RULE]["status"] == "fail"

    response = ask(client, young, chief)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == ExceptionStatus.REQUESTED
    assert created["cadre_id"] == young.pk
    assert created["cadre_name"] == "青年"
    assert created["post_id"] == chief.pk
    assert created["post_title"] == "股长"
    assert created["rule_ids"] == [RULE]
    assert created["reason"] == "outstanding"
    assert created["requested_by_id"] == personas.case_officer.pk
    assert created["decided_on"] is None
    # A pending request waives nothing, and a case officer may not approve.
    assert not client.get(explain_url(chief, young), REF).json()["eligible"]
    refused = decide(client, created["id"])
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"

    client.force_login(admin)
    response = decide(client, created["id"], note="同意")
    assert response.status_code == 200, response.content
    decided = response.json()
    assert decided["status"] == ExceptionStatus.APPROVED
    assert decided["approving_body"] == "县委组织部"
    assert decided["document"] == "青组函〔2026〕8号"
    assert decided["decision_note"] == "同意"
    assert decided["decided_by_id"] == admin.pk
    assert decided["decided_on"] == TODAY.isoformat()

    client.force_login(personas.case_officer)
    response = client.get(explain_url(chief, young), REF)
    assert response.json()["eligible"] is True
    waived = results_by_rule(response)[RULE]
    assert waived["status"] == "waived"
    assert waived["status_word"] == "破格"
    assert "破格" in waived["sentence"]
    screened = client.get(f"{API}/posts/{chief.pk}/screen", REF).json()
    assert young.pk in {r["id"] for r in screened["items"]}

    client.force_login(admin)
    twice = decide(client, created["id"])
    assert twice.status_code == 422
    assert "重复审批" in field_errors(twice)["status"]


def test_non_waivable_rule_is_refused_with_422(client, personas, young, chief):
    client.force_login(personas.case_officer)
    response = ask(client, young, chief, rule_ids=["section.age"])
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_failed"
    assert body["message"] == "不能提出破格提拔申请。"
    assert "基本资格条件" in field_errors(response)["rule_ids"]
    assert "年龄在 50 周岁以下" in field_errors(response)["rule_ids"]
    assert not PromotionException.objects.exists()


def test_request_input_errors_are_422(client, personas, young, chief):
    client.force_login(personas.case_officer)
    response = ask(client, young, chief, explanation="  ")
    assert response.status_code == 422
    assert field_errors(response)["explanation"] == "请写明破格的具体理由。"
    response = ask(client, young, chief, reason="friendship")
    assert response.status_code == 422
    assert "reason" in field_errors(response)
    response = ask(client, young, chief, rule_ids=[])
    assert field_errors(response)["rule_ids"] == "请选择需要破格的条件。"
    response = ask(client, young, chief, colour="red")
    assert response.status_code == 422
    assert "colour" in field_errors(response)
    assert not PromotionException.objects.exists()


def test_decision_needs_a_document(client, personas, admin, young, chief):
    client.force_login(personas.case_officer)
    created = ask(client, young, chief).json()
    client.force_login(admin)
    response = decide(client, created["id"], document="")
    assert response.status_code == 422
    assert field_errors(response)["document"] == "批准破格须填写批准文件。"
    refused = decide(client, created["id"], approve=False, document="", note="理由不充分")
    assert refused.status_code == 200
    assert refused.json()["status"] == ExceptionStatus.REFUSED


def test_exception_permissions(client, personas, admin, young, chief):
    client.force_login(personas.other_unit_hr)
    assert ask(client, young, chief).status_code == 404
    client.force_login(personas.outsider)
    assert ask(client, young, chief).status_code == 403
    assert not PromotionException.objects.exists()

    client.force_login(personas.case_officer)
    created = ask(client, young, chief).json()
    client.force_login(personas.other_unit_hr)
    assert decide(client, created["id"]).status_code == 404
    client.force_login(personas.outsider)
    assert decide(client, created["id"]).status_code == 403
    client.force_login(admin)
    assert decide(client, 999999).status_code == 404
    assert PromotionException.objects.get().status == ExceptionStatus.REQUESTED


# ---- OpenAPI ----------------------------------------------------------------------------------


def test_openapi_lists_the_policy_paths(client):
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    expected = {
        "/api/v1/posts/{post_id}/rules": {"get"},
        "/api/v1/posts/{post_id}/explain/{cadre_id}": {"get"},
        "/api/v1/posts/{post_id}/screen": {"get"},
        "/api/v1/cadres/{cadre_id}/eligible-posts": {"get"},
        "/api/v1/promotion-exceptions": {"post"},
        "/api/v1/promotion-exceptions/{exception_id}/decision": {"post"},
    }
    for path, methods in expected.items():
        assert set(paths[path]) == methods, path
    created = paths["/api/v1/promotion-exceptions"]["post"]["responses"]
    assert {"201", "403", "404", "422"} <= set(created)


def test_the_ladder_and_its_rungs_in_the_rules_of_a_post(client, personas, county):
    client.force_login(personas.case_officer)
    response = client.get(f"{API}/posts/{county.town_secretary.pk}/rules", REF)
    ladder = {r["id"]: r for r in response.json()}["national.ladder"]
    assert (ladder["measure"], ladder["applies"], ladder["waivable"]) == ("ladder", True, True)
    rungs = {step["to"]: step for step in ladder["steps"]}
    assert rungs["section_principal"]["from_levels"] == ["section_deputy"]
    assert rungs["section_principal"]["years"] == 2
    assert rungs["division_deputy"]["years"] == 3
    assert rungs["section_deputy"]["from_levels"] == [
        "",
        "subsection_deputy",
        "subsection_principal",
    ]
    assert "第八条第（三）项" in rungs["division_principal"]["source"]
    age = {r["id"]: r for r in response.json()}["county.principal.township.male.age"]
    assert age["steps"] == []
