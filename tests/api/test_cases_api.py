"""Cases through the API: list, open, detail, steps, corrections, guards,
candidates, the 纪实 and the procedure templates; no step can be reached out of
order; a blocked guard is named in Chinese; permissions per persona; query
counts that do not grow with rows."""

import datetime as dt

import pytest

from tests.api.conftest import API, bearer, counted_get, field_errors, post_json
from tests.conftest import make_user
from tests.procedure import conftest as procedure_fixtures
from tests.procedure.conftest import ON, open_case
from tests.step_data import MOTION
from xuanren.access.models import Role
from xuanren.access.services import api_token_issue
from xuanren.journal.models import Event, EventType, JournalHead
from xuanren.journal.services import journal_verify
from xuanren.procedure.candidates import candidate_add
from xuanren.procedure.catalogue import STEPS
from xuanren.procedure.models import Attachment, Case, CaseStep
from xuanren.procedure.services import case_step_complete, case_step_correct, template_def

pytestmark = pytest.mark.django_db

#: The county's standing committee (11 members), shared with the procedure tests.
committee = procedure_fixtures.committee

PLAN = {"consultation": [{"from": "城关镇党委", "comment": "同意"}]}
#: Session, user, permissions and scope, then the endpoint's own few queries.
MAX_LIST_QUERIES = 10
#: A case read adds its posts, candidates and records (prefetched, one query each).
MAX_CASE_QUERIES = 12


@pytest.fixture(autouse=True)
def frozen_today(clock):
    """Guards are checked "today"; the tests run on the fixtures' day."""
    clock.day = ON


@pytest.fixture
def case(personas, county, committee):
    return open_case(personas, county, committee)


@pytest.fixture
def officer(client, personas):
    client.force_login(personas.case_officer)
    return client


def steps_of(case: Case) -> list[str]:
    return [s.code for s in template_def(case.template).steps]


def complete(client, case, step, data=None, note=""):
    return post_json(
        client, f"/cases/{case.pk}/steps", {"step": step, "data": data or {}, "note": note}
    )


def open_body(county, board, **overrides):
    return {
        "title": "财政局副局长选任",
        "template": "county-leading",
        "unit": county.root.pk,
        "committee": board.pk,
        "posts": [{"post": county.finance_deputy.pk, "seats": 1}],
        "reference_date": ON.isoformat(),
        **overrides,
    }


# ---- GET /cases ---------------------------------------------------------------------------


def test_list_filters_and_pages(officer, personas, county, committee):
    first = open_case(personas, county, committee)
    open_case(personas, county, committee, template="section-level")
    open_case(personas, county, committee, template="competitive")
    case_step_complete(actor=personas.case_officer, case=first, step="motion", data=MOTION, on=ON)

    body = officer.get(f"{API}/cases").json()
    assert body["count"] == 3
    row = next(r for r in body["items"] if r["id"] == first.pk)
    assert row["number"] == first.number
    assert (row["template_code"], row["template_version"]) == ("county-leading", 3)
    assert row["template_name"] == "县管领导干部选拔任用"
    assert (row["current_step"], row["current_step_name"]) == ("plan", "选任方案")
    assert (row["status"], row["status_word"]) == ("open", "办理中")
    assert row["unit_name"] == "青山县"
    assert row["officer_name"] == "officer"
    assert row["reference_date"] == ON.isoformat()

    by_step = officer.get(f"{API}/cases", {"step": "plan"}).json()
    assert [r["id"] for r in by_step["items"]] == [first.pk]
    assert officer.get(f"{API}/cases", {"step": "motion"}).json()["count"] == 2
    assert officer.get(f"{API}/cases", {"status": "closed"}).json()["count"] == 0
    assert officer.get(f"{API}/cases", {"q": "副镇长"}).json()["count"] == 3
    assert officer.get(f"{API}/cases", {"q": "局长"}).json()["count"] == 0
    page = officer.get(f"{API}/cases", {"limit": 1, "offset": 1}).json()
    assert page["count"] == 3 and len(page["items"]) == 1

    bad = officer.get(f"{API}/cases", {"step": "bogus", "status": "nope"})
    assert bad.status_code == 422
    assert field_errors(bad) == {
        "step": "取值无效，请从可选项中选择。",
        "status": "取值无效，请从可选项中选择。",
    }


# ---- POST /cases, GET /cases/{id} -----------------------------------------------------------


def test_open_a_case(officer, personas, county, committee):
    before = Event.objects.count()
    response = post_json(officer, "/cases", open_body(county, committee))
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(pk=body["id"])
    assert body["number"] == case.number and case.number.startswith("XR")
    assert body["title"] == "财政局副局长选任"
    assert body["committee_id"] == committee.pk
    assert body["committee_name"] == "中共青山县委常委会"
    assert body["officer_id"] == personas.case_officer.pk
    assert body["posts"] == [
        {
            "post_id": county.finance_deputy.pk,
            "title": "副局长",
            "unit_id": county.finance.pk,
            "unit_name": "青山县财政局",
            "level": "section_deputy",
            "is_principal": False,
            "seats": 1,
        }
    ]
    assert body["candidates"] == []
    assert [s["code"] for s in body["timeline"]] == steps_of(case)
    assert [s["state"] for s in body["timeline"]][:2] == ["current", "pending"]
    current = body["current"]
    assert (current["code"], current["name"], current["state"]) == ("motion", "动议", "current")
    assert current["guards"] == [
        {
            "code": "quota_allows",
            "title": "职数允许：不超职数配备、不混岗配备",
            "holds": True,
            "problems": [],
        }
    ]
    assert Event.objects.filter(event_type=EventType.CASE_OPENED).count() == 1
    assert Event.objects.count() == before + 1


def test_open_refuses_bad_input_and_saves_nothing(officer, county, committee):
    response = post_json(
        officer, "/cases", open_body(county, committee, title=" ", template="nope", posts=[])
    )
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "validation_failed"
    assert set(field_errors(response)) == {"title", "template", "posts"}
    assert "未知的程序模板 nope" in field_errors(response)["template"]

    seats = post_json(
        officer, "/cases", open_body(county, committee, posts=[{"post": 1, "seats": 0}])
    )
    assert seats.status_code == 422
    assert field_errors(seats) == {"posts.0.seats": "数值超出允许范围。"}
    missing = post_json(officer, "/cases", open_body(county, committee, committee=999999))
    assert missing.status_code == 404
    assert not Case.objects.exists()


def test_detail_lists_posts_candidates_and_timeline(
    officer,
    personas,
    county,
    committee,
    case,
    make_cadre,
):
    case_step_complete(actor=personas.case_officer, case=case, step="motion", data=MOTION, on=ON)
    cadre = make_cadre(county.town, name="李明")
    candidate_add(
        actor=personas.case_officer, case=case, cadre=cadre, post=county.town_deputy, step="plan"
    )
    response = officer.get(f"{API}/cases/{case.pk}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["current_step"] == "plan"
    assert [s["state"] for s in body["timeline"][:3]] == ["done", "current", "pending"]
    assert body["timeline"][0]["record_ids"] == [case.steps.get().pk]
    assert body["timeline"][0]["guards"] == []
    guards = body["current"]["guards"]
    assert [g["code"] for g in guards] == ["consultation_recorded"]
    assert guards[0]["holds"] is False and "征求意见" in guards[0]["problems"][0]
    (candidate,) = body["candidates"]
    assert candidate["cadre_id"] == cadre.pk and candidate["cadre_name"] == "李明"
    assert (candidate["post_title"], candidate["unit_name"]) == ("副镇长", "城关镇")
    assert (candidate["status"], candidate["status_word"]) == ("nominated", "人选")

    listed = officer.get(f"{API}/cases/{case.pk}/candidates")
    assert listed.status_code == 200
    assert listed.json() == body["candidates"]


# ---- steps ---------------------------------------------------------------------------------


def test_complete_a_step_and_read_the_records(officer, personas, case):
    response = complete(officer, case, "motion", MOTION, "县委书记动议")
    assert response.status_code == 201, response.content
    record = response.json()
    saved = CaseStep.objects.get()
    assert record["id"] == saved.pk
    assert (record["seq"], record["step"], record["step_name"]) == (1, "motion", "动议")
    assert record["completed_by_id"] == personas.case_officer.pk
    assert record["completed_by_name"] == "officer"
    assert record["data"] == MOTION
    assert record["note"] == "县委书记动议"
    assert record["corrects"] is None
    assert record["journal_hash"] == saved.journal_hash
    assert Event.objects.get(hash=record["journal_hash"]).event_type == EventType.STEP_COMPLETED

    plan = complete(officer, case, "plan", PLAN)
    assert plan.status_code == 201, plan.content
    steps = officer.get(f"{API}/cases/{case.pk}/steps")
    assert steps.status_code == 200
    assert [(s["seq"], s["step"]) for s in steps.json()] == [(1, "motion"), (2, "plan")]
    assert steps.json()[0] == record
    case.refresh_from_db()
    assert case.current_step == "publication"


def test_unknown_step_and_malformed_body(officer, case):
    unknown = complete(officer, case, "bogus")
    assert unknown.status_code == 422
    assert "未知环节" in unknown.json()["message"]
    extra = post_json(officer, f"/cases/{case.pk}/steps", {"step": "motion", "who": "x"})
    assert extra.status_code == 422
    assert set(field_errors(extra)) == {"who"}
    not_a_dict = post_json(officer, f"/cases/{case.pk}/steps", {"step": "motion", "data": [1]})
    assert not_a_dict.status_code == 422
    assert not CaseStep.objects.exists()


def test_every_step_out_of_order_is_refused(officer, personas, case):
    """Done when: a case cannot reach appointment by any path that skips a
    step — every later step of the template (and every other catalogue step)
    is refused at motion, and every step but plan once motion is done."""
    order = steps_of(case)
    assert order[0] == "motion" and "appointment" in order and len(order) == 15
    events = Event.objects.count()
    for step in [*order[1:], *(s for s in STEPS if s not in order)]:
        response = complete(officer, case, step, PLAN)
        assert response.status_code == 409, (step, response.content)
        body = response.json()
        assert body["code"] == "conflict", step
        assert "不得跳过" in body["message"] and "当前应办理“动议”环节" in body["message"], step
    assert not CaseStep.objects.exists()
    assert Event.objects.count() == events

    assert complete(officer, case, "motion", MOTION).status_code == 201
    events = Event.objects.count()
    for step in [s for s in STEPS if s != "plan"]:
        response = complete(officer, case, step, PLAN)
        assert response.status_code == 409, (step, response.content)
        assert response.json()["code"] == "conflict", step
        expected = "已经办理" if step == "motion" else "当前应办理“选任方案”环节"
        assert expected in response.json()["message"], step
    assert CaseStep.objects.count() == 1
    assert Event.objects.count() == events
    case.refresh_from_db()
    assert case.current_step == "plan"

    assert complete(officer, case, "plan", PLAN).status_code == 201
    assert complete(officer, case, "plan", PLAN).status_code == 409


def test_a_blocked_guard_is_named_in_chinese_and_nothing_is_saved(
    officer,
    personas,
    county,
    committee,
    make_cadre,
):
    from xuanren.people.services import tenure_start

    holder = make_cadre(county.finance, name="在任")
    # The post is filled after the case was opened (opening is refused for a full post).
    case = open_case(personas, county, committee, posts=[(county.finance_head, 1)])
    tenure_start(
        actor=personas.case_officer,
        cadre=holder,
        post=county.finance_head,
        start_date=dt.date(2020, 1, 1),
    )
    events = Event.objects.count()
    response = complete(officer, case, "motion", MOTION)
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == "guard_blocked"
    assert body["message"] == "“动议”环节的前置条件未满足，不能办理。"
    assert {e["field"] for e in body["errors"]} == {"quota_allows"}
    messages = [e["message"] for e in body["errors"]]
    assert (
        "职位“青山县财政局局长”共 1 个，现有 1 人在任（在任），空缺 0 个，不能再配 1 人。"
        in messages
    )
    assert any("将超职数配备" in m for m in messages)
    assert not CaseStep.objects.exists()
    assert Event.objects.count() == events
    case.refresh_from_db()
    assert case.current_step == "motion"

    preview = officer.get(f"{API}/cases/{case.pk}/guards").json()
    assert preview["holds"] is False
    assert preview["guards"][0]["problems"] == messages


# ---- corrections ----------------------------------------------------------------------------


def test_correct_a_record(officer, personas, county, committee, case):
    first = case_step_complete(
        actor=personas.case_officer, case=case, step="motion", data=MOTION, on=ON
    )
    url = f"/cases/{case.pk}/steps/{first.pk}/corrections"
    response = post_json(
        officer, url, {"data": {**MOTION, "explanation": "空缺（补正）"}, "note": "表述补正"}
    )
    assert response.status_code == 201, response.content
    fix = response.json()
    assert (fix["seq"], fix["step"], fix["corrects"]) == (2, "motion", first.pk)
    assert fix["data"] == {**MOTION, "explanation": "空缺（补正）"} and fix["note"] == "表述补正"
    assert Event.objects.get(hash=fix["journal_hash"]).event_type == EventType.STEP_CORRECTED
    first.refresh_from_db()
    assert first.data == MOTION

    no_reason = post_json(officer, url, {"data": {}, "note": " "})
    assert no_reason.status_code == 422
    assert field_errors(no_reason) == {"note": "请写明更正理由。"}
    other = open_case(personas, county, committee)
    elsewhere = post_json(
        officer, f"/cases/{other.pk}/steps/{first.pk}/corrections", {"data": {}, "note": "x"}
    )
    assert elsewhere.status_code == 404
    assert CaseStep.objects.count() == 2


# ---- guards ---------------------------------------------------------------------------------


def test_guard_preview(officer, personas, case):
    current = officer.get(f"{API}/cases/{case.pk}/guards")
    assert current.status_code == 200, current.content
    assert current.json() == {
        "case_id": case.pk,
        "step": "motion",
        "step_name": "动议",
        "is_current": True,
        "holds": True,
        "guards": [
            {
                "code": "quota_allows",
                "title": "职数允许：不超职数配备、不混岗配备",
                "holds": True,
                "problems": [],
            }
        ],
    }
    later = officer.get(f"{API}/cases/{case.pk}/guards", {"step": "recommendation"}).json()
    assert (later["step_name"], later["is_current"], later["holds"]) == ("民主推荐", False, False)
    by_code = {g["code"]: g for g in later["guards"]}
    assert list(by_code) == ["after_publication", "signed_recommendations", "results_per_group"]
    assert by_code["after_publication"]["problems"] == [
        "职位公告尚未发布：须先公告职位、资格条件和方法程序，再开展推荐或报名。"
    ]

    foreign = officer.get(f"{API}/cases/{case.pk}/guards", {"step": "registration"})
    assert foreign.status_code == 422
    assert foreign.json()["message"] == "本事项的程序模板没有“报名”环节。"
    assert set(field_errors(foreign)) == {"step"}
    assert officer.get(f"{API}/cases/{case.pk}/guards", {"step": "bogus"}).status_code == 422


# ---- 纪实 ------------------------------------------------------------------------------------


def test_record_matches_the_journal(officer, personas, case):
    officer_user = personas.case_officer
    motion = case_step_complete(actor=officer_user, case=case, step="motion", data=MOTION, on=ON)
    case_step_correct(
        actor=officer_user, record=motion, data={**MOTION, "explanation": "补正"}, note="补正"
    )
    plan = case_step_complete(actor=officer_user, case=case, step="plan", data=PLAN, on=ON)
    scan = Attachment.objects.create(
        case=case, step=plan, name="方案.pdf", content_type="application/pdf", size=10,
        sha256="a" * 64, uploaded_by=officer_user,
    )  # fmt: skip
    loose = Attachment.objects.create(
        case=case, step=None, name="说明.pdf", content_type="application/pdf", size=5,
        sha256="b" * 64, uploaded_by=officer_user,
    )  # fmt: skip

    response = officer.get(f"{API}/cases/{case.pk}/record")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["case"]["number"] == case.number
    assert body["committee_name"] == "中共青山县委常委会"
    assert [p["title"] for p in body["posts"]] == ["副镇长"]
    steps = body["steps"]
    assert [(s["seq"], s["step"], s["corrects"]) for s in steps] == [
        (1, "motion", None),
        (2, "motion", motion.pk),
        (3, "plan", None),
    ]
    assert steps[0]["corrections"] == [steps[1]["id"]]
    assert steps[0]["data"] == MOTION and steps[1]["note"] == "补正"
    assert steps[2]["attachments"] == [
        {
            "id": scan.pk,
            "name": "方案.pdf",
            "content_type": "application/pdf",
            "size": 10,
            "sha256": "a" * 64,
            "uploaded_by_id": officer_user.pk,
            "uploaded_at": response.json()["steps"][2]["attachments"][0]["uploaded_at"],
        }
    ]
    assert [a["sha256"] for a in body["attachments"]] == [loose.sha256]

    events = {e.hash: e for e in Event.objects.filter(hash__in=[s["journal_hash"] for s in steps])}
    assert len(events) == 3
    for s in steps:
        event = events[s["journal_hash"]]
        assert event.subject_id == str(case.pk)
        assert event.payload["seq"] == s["seq"] and event.payload["step"] == s["step"]
        assert event.payload["data"] == s["data"]
        assert event.actor_id == s["completed_by_id"]
    assert [events[s["journal_hash"]].event_type for s in steps] == [
        EventType.STEP_COMPLETED,
        EventType.STEP_CORRECTED,
        EventType.STEP_COMPLETED,
    ]
    head = JournalHead.objects.get(pk=1)
    assert body["journal_tip"] == head.last_hash == Event.objects.order_by("-pk")[0].hash
    assert body["journal_count"] == head.count == Event.objects.count()
    assert body["journal_seq"] == head.last_seq == Event.objects.order_by("-pk")[0].pk
    assert journal_verify().ok


# ---- procedure templates ---------------------------------------------------------------------


def test_procedure_templates(client, personas):
    client.force_login(personas.committee_member)
    response = client.get(f"{API}/procedure-templates")
    assert response.status_code == 200, response.content
    templates = {t["code"]: t for t in response.json()}
    assert set(templates) == {"county-leading", "section-level", "competitive"}
    county_leading = templates["county-leading"]
    assert (county_leading["version"], county_leading["name"]) == (3, "县管领导干部选拔任用")
    assert "选拔任用工作条例" in county_leading["source"]
    assert county_leading["effective_from"] == "2019-03-03"
    assert len(county_leading["sha256"]) == 64
    params = county_leading["parameters"]
    assert params["differential_ratio"] == [13, 10]
    assert (params["notice_length"], params["notice_unit"]) == (7, "calendar_days")
    steps = county_leading["steps"]
    assert len(steps) == 15
    assert steps[0] == {
        "code": "motion",
        "name": "动议",
        "source": "《党政领导干部选拔任用工作条例》（2019）第三章 分析研判和动议",
        "guards": [{"code": "quota_allows", "title": "职数允许：不超职数配备、不混岗配备"}],
    }
    assert steps[2]["guards"] == []
    assert "registration" in [s["code"] for s in templates["competitive"]["steps"]]

    client.force_login(personas.outsider)
    assert client.get(f"{API}/procedure-templates").status_code == 403


# ---- permissions ------------------------------------------------------------------------------


def _reads(case: Case, record: CaseStep) -> list[str]:
    return [
        "/cases",
        f"/cases/{case.pk}",
        f"/cases/{case.pk}/steps",
        f"/cases/{case.pk}/guards",
        f"/cases/{case.pk}/candidates",
        f"/cases/{case.pk}/record",
        "/procedure-templates",
    ]


def _writes(case: Case, record: CaseStep, county, committee) -> list[tuple[str, dict]]:
    return [
        ("/cases", open_body(county, committee)),
        (f"/cases/{case.pk}/steps", {"step": "plan", "data": PLAN}),
        (f"/cases/{case.pk}/steps/{record.pk}/corrections", {"data": {}, "note": "补正"}),
    ]


@pytest.fixture
def started(personas, case):
    """The case with its motion done: (case, motion record)."""
    return case, case_step_complete(
        actor=personas.case_officer, case=case, step="motion", data=MOTION, on=ON
    )


def _nothing_written(before: tuple[int, int, int]) -> None:
    assert (Case.objects.count(), CaseStep.objects.count(), Event.objects.count()) == before


def _counts() -> tuple[int, int, int]:
    return Case.objects.count(), CaseStep.objects.count(), Event.objects.count()


def test_anonymous_gets_401(client, county, committee, started):
    case, record = started
    before = _counts()
    for url in _reads(case, record):
        response = client.get(API + url)
        assert response.status_code == 401, url
        assert response.json()["code"] == "not_authenticated"
    for url, body in _writes(case, record, county, committee):
        assert post_json(client, url, body).status_code == 401, url
    _nothing_written(before)


def test_outsider_gets_403(client, personas, county, committee, started):
    case, record = started
    client.force_login(personas.outsider)
    before = _counts()
    for url in _reads(case, record):
        response = client.get(API + url)
        assert response.status_code == 403, url
        assert response.json()["code"] == "permission_denied"
    for url, body in _writes(case, record, county, committee):
        assert post_json(client, url, body).status_code == 403, url
    _nothing_written(before)


def test_unit_hr_contact_has_no_case_permissions(client, personas, county, committee, started):
    """The HR contact role carries no case permission at all: 403 everywhere."""
    case, record = started
    client.force_login(personas.other_unit_hr)
    before = _counts()
    for url in _reads(case, record):
        assert client.get(API + url).status_code == 403, url
    for url, body in _writes(case, record, county, committee):
        assert post_json(client, url, body).status_code == 403, url
    _nothing_written(before)


def test_other_units_officer_gets_404(client, county, committee, started):
    """A case officer scoped to 石桥镇 does not learn that a county case exists."""
    case, record = started
    client.force_login(make_user("officer_shiqiao", Role.CASE_OFFICER, county.other_town))
    before = _counts()
    assert client.get(f"{API}/cases").json()["count"] == 0
    for url in _reads(case, record)[1:-1]:
        response = client.get(API + url)
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found"
    for url, body in _writes(case, record, county, committee):
        assert post_json(client, url, body).status_code == 404, url
    _nothing_written(before)


def test_committee_member_reads_but_cannot_write(client, personas, county, committee, started):
    case, record = started
    client.force_login(personas.committee_member)
    for url in _reads(case, record):
        assert client.get(API + url).status_code == 200, url
    before = _counts()
    for url, body in _writes(case, record, county, committee):
        response = post_json(client, url, body)
        assert response.status_code == 403, url
        assert response.json()["code"] == "permission_denied"
    _nothing_written(before)


def test_token_client_completes_a_step(client, personas, case):
    _token, plaintext = api_token_issue(
        actor=personas.case_officer, user=personas.case_officer, name="cases"
    )
    response = post_json(
        client, f"/cases/{case.pk}/steps", {"step": "motion", "data": MOTION}, **bearer(plaintext)
    )
    assert response.status_code == 201, response.content
    assert response.json()["completed_by_id"] == personas.case_officer.pk


# ---- query counts -------------------------------------------------------------------------------


def _same_for_5_and_30(client, url, grow, rows, limit, django_assert_max_num_queries):
    grow(5)
    with django_assert_max_num_queries(limit):
        few, response = counted_get(client, url)
    assert rows(response.json()) >= 5
    grow(25)
    with django_assert_max_num_queries(limit):
        many, response = counted_get(client, url)
    assert rows(response.json()) >= 30
    assert few == many


def test_case_list_queries(officer, personas, county, committee, django_assert_max_num_queries):
    def grow(n):
        for _ in range(n):
            open_case(personas, county, committee)

    _same_for_5_and_30(
        officer,
        "/cases",
        grow,
        lambda body: len(body["items"]),
        MAX_LIST_QUERIES,
        django_assert_max_num_queries,
    )


def test_step_records_queries(officer, personas, case, django_assert_max_num_queries):
    first = case_step_complete(
        actor=personas.case_officer, case=case, step="motion", data=MOTION, on=ON
    )

    def grow(n):
        for i in range(n):
            case_step_correct(
                actor=personas.case_officer,
                record=first,
                data={**MOTION, "explanation": f"补正{i}"},
                note=f"补正{i}",
            )

    _same_for_5_and_30(
        officer,
        f"/cases/{case.pk}/steps",
        grow,
        len,
        MAX_CASE_QUERIES,
        django_assert_max_num_queries,
    )


# ---- OpenAPI ----------------------------------------------------------------------------------


def test_openapi_lists_the_case_paths(client):
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    expected = {
        "/api/v1/cases": {"get", "post"},
        "/api/v1/cases/{case_id}": {"get"},
        "/api/v1/cases/{case_id}/steps": {"get", "post"},
        "/api/v1/cases/{case_id}/steps/{record_id}/corrections": {"post"},
        "/api/v1/cases/{case_id}/guards": {"get"},
        "/api/v1/cases/{case_id}/candidates": {"get"},
        "/api/v1/cases/{case_id}/record": {"get"},
        "/api/v1/procedure-templates": {"get"},
    }
    for path, methods in expected.items():
        assert set(paths[path]) == methods, path
    blocked = paths["/api/v1/cases/{case_id}/steps"]["post"]["responses"]
    assert {"201", "401", "403", "404", "409", "422"} <= set(blocked)


# ---- guard preview with data; motion proposals ----------------------------------------


def test_guard_preview_with_the_data_about_to_be_submitted(officer, case, personas, client):
    complete(officer, case, "motion", MOTION)
    url = f"/cases/{case.pk}/guards/preview"
    blocked = post_json(officer, url, {"data": {}}).json()
    assert blocked["step"] == "plan" and not blocked["holds"]
    # first the step's contract (an empty plan is well formed), then the guards
    assert blocked["guards"][0] == {
        "code": "contract", "title": "本环节的内容完整、格式正确", "holds": True, "problems": [],
    }  # fmt: skip
    assert "意见尚未记录" in blocked["guards"][1]["problems"][0]
    malformed = post_json(officer, url, {"data": {"consultation": [{"from": "县委"}]}}).json()
    assert malformed["guards"][0]["problems"] == ["征求意见第 1 行“意见内容”：必须填写，请补上。"]
    held = post_json(officer, url, {"data": PLAN}).json()
    assert held["holds"] and all(g["holds"] for g in held["guards"])
    assert not CaseStep.objects.filter(case=case, step="plan").exists()
    client.force_login(personas.committee_member)
    assert post_json(client, url, {"data": PLAN}).status_code == 403
    client.force_login(personas.outsider)
    assert post_json(client, url, {"data": PLAN}).status_code in (403, 404)


def test_motion_proposals_through_the_api(client, personas, county, committee, admin):
    from xuanren.org.models import Level
    from xuanren.org.services import post_create

    post = post_create(actor=admin, unit=county.other_town, title="石桥镇副镇长",
                       level=Level.SECTION_DEPUTY)  # fmt: skip
    client.force_login(personas.other_unit_hr)
    body = {"unit": county.other_town.pk, "posts": [{"post": post.pk, "seats": 1}],
            "reasons": "职位空缺"}  # fmt: skip
    other = {**body, "unit": county.town.pk,
             "posts": [{"post": county.town_deputy.pk, "seats": 1}]}  # fmt: skip
    assert post_json(client, "/motion-proposals", other).status_code in (403, 404)
    response = post_json(client, "/motion-proposals", body)
    assert response.status_code == 201, response.json()
    made = response.json()
    assert made["status"] == "submitted" and made["posts"][0]["post"] == post.pk
    assert [p["id"] for p in client.get(f"{API}/motion-proposals").json()] == [made["id"]]
    decide = f"/motion-proposals/{made['id']}/decision"
    assert post_json(client, decide, {"accept": False, "reason": "x"}).status_code == 403
    client.force_login(personas.outsider)
    assert client.get(f"{API}/motion-proposals").status_code == 403
    client.force_login(personas.case_officer)
    response = post_json(client, decide, {"accept": False})
    assert response.status_code == 422 and "reason" in field_errors(response)
    response = post_json(client, decide, {"accept": True, "template": "county-leading",
                                          "committee": committee.pk})  # fmt: skip
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "accepted"
    case = Case.objects.get(pk=response.json()["case"])
    assert [cp.post_id for cp in case.case_posts.all()] == [post.pk]
    assert post_json(client, decide, {"accept": False, "reason": "x"}).status_code == 409


def test_decision_resume_is_refused_without_a_deferred_candidate(officer, case):
    response = post_json(officer, f"/cases/{case.pk}/decision/resume", {"data": {}})
    assert response.status_code == 409
    assert "缓议的人选" in response.json()["message"]
