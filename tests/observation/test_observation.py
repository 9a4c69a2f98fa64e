"""诫勉谈话 and 察看期 (issue 15, docs/decisions/0156–0157): the periods from
hand-computed dates, the talk written on the 奖惩 record and read by the
screening rule, the outcomes written into the tenure history with the kept
counts right, 待办, the pages and API with their scope (out of scope 404, may
see but not change 403, nothing changed)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.api.conftest import API, field_errors, post_json
from tests.conftest import make_user
from xuanren.access.models import Role
from xuanren.common.errors import Conflict, PermissionDenied, ValidationFailed
from xuanren.journal.models import Event, EventType
from xuanren.journal.services import journal_verify
from xuanren.observation.models import Observation, ObservationStatus
from xuanren.observation.periods import observation_ends_on, warning_effect_until
from xuanren.observation.services import observation_close, observation_open
from xuanren.org.counts import counts_from_records, counts_kept, differences
from xuanren.org.models import Level, Post
from xuanren.org.services import post_create
from xuanren.people.models import Cadre, RewardPunishment, Tenure
from xuanren.people.services import assessment_set, tenure_start
from xuanren.policy.rules import Status
from xuanren.policy.selectors import explain_for, failure_counts
from xuanren.procedure.todo import TodoKind, todo_for

pytestmark = pytest.mark.django_db
RULE = "national.negative.sanction"
TALK = dt.date(2026, 8, 31)
ENDS = dt.date(2027, 3, 1)  # 31 August + 6 months: no 31 February, completed on 1 March


@pytest.mark.parametrize(
    ("talk", "ends_on", "effect_until"),
    [
        (dt.date(2026, 8, 31), dt.date(2027, 3, 1), dt.date(2027, 2, 28)),
        (dt.date(2023, 8, 31), dt.date(2024, 3, 1), dt.date(2024, 2, 29)),  # leap February
        (dt.date(2023, 8, 29), dt.date(2024, 2, 29), dt.date(2024, 2, 28)),
        (dt.date(2025, 8, 29), dt.date(2026, 3, 1), dt.date(2026, 2, 28)),  # no 29 February
        (dt.date(2024, 2, 29), dt.date(2024, 8, 29), dt.date(2024, 8, 28)),
        (dt.date(2026, 1, 15), dt.date(2026, 7, 15), dt.date(2026, 7, 14)),
        (dt.date(2026, 12, 31), dt.date(2027, 7, 1), dt.date(2027, 6, 30)),  # across the year
    ],
)
def test_periods_hand_computed(talk: dt.date, ends_on: dt.date, effect_until: dt.date) -> None:
    assert observation_ends_on(talk, 6) == ends_on
    assert warning_effect_until(talk, 6) == effect_until


@dataclass
class World:
    clock: Any
    county: Any
    cadre: Cadre
    tenure: Tenure
    lower: Post  # a 正股级 post below the 副科级 one held


@pytest.fixture
def world(clock: Any, county: Any, make_cadre: Any, admin: Any) -> World:
    clock.day = dt.date(2026, 9, 1)
    cadre = make_cadre(county.town, name="王强")
    tenure = tenure_start(
        actor=admin, cadre=cadre, post=county.town_deputy, start_date=dt.date(2020, 1, 6)
    )
    assessment_set(actor=admin, cadre=cadre, year=2025, grade="basically_competent")
    lower = post_create(
        actor=admin, unit=county.town_office, title="主任", level=Level.SUBSECTION_PRINCIPAL
    )
    return World(clock, county, cadre, tenure, lower)


def _open(actor: Any, cadre: Cadre, **over: Any) -> Observation:
    data: dict[str, Any] = {
        "talk_date": TALK,
        "talked_by": "县委组织部副部长 李明",
        "reason_kind": "assessment_basically_competent",
        "assessment_year": 2025,
        "reason": "2025 年度考核基本称职，分管工作推进缓慢。",
        "talk_record": "指出问题三项，本人表示接受并提出整改措施。",
        "document": "青组诫〔2026〕3号",
        **over,
    }
    return observation_open(actor=actor, cadre=cadre, **data)


def _verdict(actor: Any, cadre: Cadre, post: Any, ref: dt.date) -> Status:
    explanation = explain_for(actor=actor, cadre=cadre, post=post, ref=ref)
    return next(r.status for r in explanation.results if r.rule.id == RULE)


def test_the_talk_is_a_warning_on_the_record_and_screening_reads_it(
    world: World, personas: Any
) -> None:
    officer = personas.case_officer
    post = world.county.finance_head
    assert _verdict(officer, world.cadre, post, TALK) is Status.PASS
    obs = _open(officer, world.cadre)
    assert (obs.ends_on, obs.status, obs.tenure_id) == (ENDS, "open", world.tenure.pk)
    warning = RewardPunishment.objects.get(pk=obs.warning_id)
    assert (warning.kind, warning.category) == ("punishment", "warning_talk")
    assert (warning.decided_on, warning.effect_until) == (TALK, dt.date(2027, 2, 28))
    assert warning.document == "青组诫〔2026〕3号"
    # Barred from being an inspection candidate on the talk day and the last day of effect,
    # not on the day after.
    assert _verdict(officer, world.cadre, post, TALK) is Status.FAIL
    assert _verdict(officer, world.cadre, post, dt.date(2027, 2, 28)) is Status.FAIL
    assert _verdict(officer, world.cadre, post, ENDS) is Status.PASS

    # The 智能选人 screen (one SQL query) agrees with the explanation.
    def failing(ref: dt.date) -> int:
        counts = failure_counts(actor=officer, post=post, ref=ref)
        return next(c.failing for c in counts if c.rule.id == RULE)

    assert (failing(TALK), failing(dt.date(2027, 2, 28)), failing(ENDS)) == (1, 1, 0)
    event = Event.objects.get(event_type=EventType.OBSERVATION_OPENED)
    assert event.payload["ends_on"] == "2027-03-01" and event.payload["warning"] == warning.pk
    assert journal_verify().ok


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"talk_date": dt.date(2026, 9, 2)}, "talk_date"),  # tomorrow
        ({"talked_by": "  "}, "talked_by"),
        ({"talk_record": ""}, "talk_record"),
        ({"reason": ""}, "reason"),
        ({"reason_kind": "bad"}, "reason_kind"),
        ({"assessment_year": None}, "assessment_year"),
        ({"reason_kind": "assessment_incompetent"}, "assessment_year"),  # 2025 was 基本称职
        ({"assessment_year": 2024}, "assessment_year"),  # no 2024 assessment
        ({"talk_date": dt.date(2019, 12, 31)}, "tenure"),  # before the post was taken
    ],
)
def test_open_refusals_save_nothing(
    world: World, personas: Any, over: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationFailed) as exc:
        _open(personas.case_officer, world.cadre, **over)
    assert field in {e.field for e in exc.value.errors}
    assert not Observation.objects.exists()
    assert not RewardPunishment.objects.exists()
    assert not Event.objects.filter(event_type=EventType.OBSERVATION_OPENED).exists()


def test_a_finding_needs_no_assessment_and_a_second_talk_is_a_conflict(
    world: World, personas: Any
) -> None:
    obs = _open(personas.case_officer, world.cadre, reason_kind="finding", assessment_year=2025)
    assert obs.assessment_year is None
    with pytest.raises(Conflict):
        _open(personas.case_officer, world.cadre, reason_kind="finding")
    assert Observation.objects.count() == 1 and RewardPunishment.objects.count() == 1


def test_only_a_cadre_holding_a_post_and_only_the_officer(
    world: World, personas: Any, make_cadre: Any
) -> None:
    no_post = make_cadre(world.county.town, name="赵敏", sex="female")
    with pytest.raises(ValidationFailed) as exc:
        _open(personas.case_officer, no_post, reason_kind="finding")
    assert "没有担任职务" in exc.value.errors[0].message
    for actor in (personas.discipline, personas.committee_member, personas.other_unit_hr):
        with pytest.raises(PermissionDenied):
            _open(actor, world.cadre)
    assert not Observation.objects.exists()


def test_no_outcome_before_the_period_is_completed_then_confirmed(
    world: World, personas: Any
) -> None:
    officer = personas.case_officer
    obs = _open(officer, world.cadre)
    world.clock.day = dt.date(2027, 2, 28)
    with pytest.raises(ValidationFailed) as exc:
        observation_close(
            actor=officer, observation=obs, outcome="confirmed", decided_on=dt.date(2027, 2, 28)
        )
    assert "2027.02.28 届满" in exc.value.errors[0].message
    assert "2027.03.01 起" in exc.value.errors[0].message
    world.clock.day = ENDS
    with pytest.raises(ValidationFailed):  # not after today either
        observation_close(
            actor=officer, observation=obs, outcome="confirmed", decided_on=dt.date(2027, 3, 2)
        )
    done = observation_close(actor=officer, observation=obs, outcome="confirmed", decided_on=ENDS)
    assert (done.status, done.outcome, done.outcome_on) == ("closed", "confirmed", ENDS)
    assert Tenure.objects.get(pk=world.tenure.pk).end_date is None
    with pytest.raises(Conflict):
        observation_close(actor=officer, observation=obs, outcome="demoted", decided_on=ENDS)


def test_demotion_ends_the_post_starts_a_lower_one_and_keeps_the_counts(
    world: World, personas: Any
) -> None:
    officer = personas.case_officer
    obs = _open(officer, world.cadre)
    world.clock.day = dt.date(2027, 3, 10)
    day = dt.date(2027, 3, 5)
    done = observation_close(
        actor=officer,
        observation=obs,
        outcome="demoted",
        decided_on=day,
        document="青组干〔2027〕8号",
        note="察看期内仍无起色。",
        post=world.lower,
    )
    ended = Tenure.objects.get(pk=world.tenure.pk)
    assert (ended.end_date, done.ended_tenure_id) == (day, ended.pk)
    assert done.new_tenure_id is not None
    new = Tenure.objects.get(pk=done.new_tenure_id)
    assert (new.post_id, new.start_date, new.end_date) == (world.lower.pk, day, None)
    assert new.document_number == "青组干〔2027〕8号"
    cadre = Cadre.objects.get(pk=world.cadre.pk)
    assert (cadre.level, cadre.level_since) == (Level.SUBSECTION_PRINCIPAL, day)
    assert cadre.current_post_title == "城关镇党政办主任"
    assert differences(counts_kept(), counts_from_records()) == []
    kinds = list(Event.objects.order_by("pk").values_list("event_type", flat=True))
    tail = kinds[kinds.index(EventType.OBSERVATION_OPENED) + 1 :]
    assert tail == [
        EventType.TENURE_ENDED,
        EventType.TENURE_STARTED,
        EventType.CADRE_UPDATED,
        EventType.OBSERVATION_CLOSED,
    ]
    assert journal_verify().ok


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"post": None}, "post"),
        ({"document": ""}, "document"),
        ({"outcome": "moved", "rank": ""}, "rank"),
        ({"outcome": "promoted"}, "outcome"),
    ],
)
def test_demotion_refusals_change_nothing(
    world: World, personas: Any, over: dict[str, Any], field: str
) -> None:
    officer = personas.case_officer
    obs = _open(officer, world.cadre)
    world.clock.day = ENDS
    args: dict[str, Any] = {
        "outcome": "demoted",
        "decided_on": ENDS,
        "document": "青组干〔2027〕8号",
        "post": world.lower,
        **over,
    }
    before = Event.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        observation_close(actor=officer, observation=obs, **args)
    assert field in {e.field for e in exc.value.errors}
    assert Tenure.objects.get(pk=world.tenure.pk).end_date is None
    assert Observation.objects.get(pk=obs.pk).status == "open"
    assert Event.objects.count() == before


def test_demotion_to_the_same_level_is_refused(world: World, personas: Any) -> None:
    officer = personas.case_officer
    obs = _open(officer, world.cadre)
    world.clock.day = ENDS
    with pytest.raises(ValidationFailed) as exc:
        observation_close(
            actor=officer,
            observation=obs,
            outcome="demoted",
            decided_on=ENDS,
            document="x",
            post=world.county.finance_deputy,  # 副科级, as held
        )
    assert "低于原职务层次（副科级）" in exc.value.errors[0].message


def test_move_to_a_non_leadership_post(world: World, personas: Any) -> None:
    officer = personas.case_officer
    obs = _open(officer, world.cadre)
    world.clock.day = ENDS
    done = observation_close(
        actor=officer,
        observation=obs,
        outcome="moved",
        decided_on=ENDS,
        document="青组干〔2027〕9号",
        rank="一级主任科员",
    )
    assert Tenure.objects.get(pk=world.tenure.pk).end_date == ENDS
    assert done.new_tenure_id is None and done.new_rank == "一级主任科员"
    cadre = Cadre.objects.get(pk=world.cadre.pk)
    assert (cadre.rank, cadre.rank_since) == ("一级主任科员", ENDS)
    assert cadre.current_post_title == "城关镇一级主任科员"
    assert differences(counts_kept(), counts_from_records()) == []


# ---- 待办 ----------------------------------------------------------------------------


def test_todo_lists_it_for_the_officer_when_due_and_overdue(world: World, personas: Any) -> None:
    officer = personas.case_officer
    obs = _open(officer, world.cadre)

    def items(actor: Any, on: dt.date) -> list[Any]:
        return [i for i in todo_for(actor=actor, on=on) if i.kind == TodoKind.OBSERVATION_DUE]

    assert items(officer, ENDS - dt.timedelta(days=31)) == []
    due = items(officer, ENDS - dt.timedelta(days=30))
    assert len(due) == 1 and due[0].due == ENDS and due[0].mine
    assert "2027.03.01 期满" in due[0].text and "逾期" not in due[0].text
    late = items(officer, ENDS + dt.timedelta(days=3))
    assert "已逾期 3 天" in late[0].text and late[0].overdue(ENDS + dt.timedelta(days=3))
    assert late[0].link == reverse("observation:observation", args=[obs.pk])
    assert items(personas.discipline, ENDS) == []  # reads, does not decide
    world.clock.day = ENDS
    observation_close(actor=officer, observation=obs, outcome="confirmed", decided_on=ENDS)
    assert items(officer, ENDS) == []


# ---- pages ---------------------------------------------------------------------------


def test_pages_record_a_talk_and_an_outcome(client: Client, world: World, personas: Any) -> None:
    client.force_login(personas.case_officer)
    detail = client.get(reverse("web:cadre_detail", args=[world.cadre.pk])).content.decode()
    new = reverse("observation:observation_new", args=[world.cadre.pk])
    assert new in detail
    data = {
        "tenure": world.tenure.pk,
        "reason_kind": "assessment_basically_competent",
        "assessment_year": "2024",
        "reason": "考核基本称职",
        "talk_date": "2026-08-31",
        "talked_by": "李明",
        "talk_record": "谈话记录",
        "document": "",
    }
    refused = client.post(new, data)
    assert refused.status_code == 422
    assert "2024 年度考核不是基本称职" in refused.content.decode()
    assert not Observation.objects.exists()
    data["assessment_year"] = "2025"
    response = client.post(new, data)
    obs = Observation.objects.get()
    url = reverse("observation:observation", args=[obs.pk])
    assert response.status_code == 302 and response["Location"] == url
    page = client.get(url).content.decode()
    assert "2026.08.31 至 2027.02.28" in page and "记录结论" in page
    listing = client.get(reverse("observation:observation_list")).content.decode()
    assert url in listing and "2027.03.01" in listing
    world.clock.day = ENDS
    body = {
        "outcome": "demoted",
        "decided_on": "2027-03-01",
        "document": "文号1",
        "post": world.lower.pk,
    }
    assert client.post(url, {**body, "post": ""}).status_code == 422
    assert client.post(url, body).status_code == 302
    page = client.get(url).content.decode()
    assert "降职" in page and "城关镇党政办主任" in page and "记录结论" not in page
    cadre_page = client.get(reverse("web:cadre_detail", args=[world.cadre.pk])).content.decode()
    assert "诫勉谈话与察看期" in cadre_page and "降职（2027.03.01）" in cadre_page


def test_page_scope(client: Client, world: World, personas: Any) -> None:
    obs = _open(personas.case_officer, world.cadre)
    world.clock.day = ENDS
    url = reverse("observation:observation", args=[obs.pk])
    new = reverse("observation:observation_new", args=[world.cadre.pk])
    body = {"outcome": "confirmed", "decided_on": "2027-03-01"}
    # The discipline commission reads it but may not decide: 403, nothing changed.
    client.force_login(personas.discipline)
    page = client.get(url)
    assert page.status_code == 200 and "记录结论" not in page.content.decode()
    assert client.post(url, body).status_code == 403
    assert client.get(new).status_code == 403
    # An officer of another town: out of scope, 404.
    other = make_user("officer_shiqiao", Role.CASE_OFFICER, world.county.other_town)
    client.force_login(other)
    assert client.get(url).status_code == 404
    assert client.post(url, body).status_code == 404
    assert client.get(new).status_code == 404
    assert url not in client.get(reverse("observation:observation_list")).content.decode()
    # A unit HR contact has no access to the track at all.
    client.force_login(personas.other_unit_hr)
    assert client.get(reverse("observation:observation_list")).status_code == 403
    assert Observation.objects.get(pk=obs.pk).status == ObservationStatus.OPEN


def test_list_page_query_count_does_not_grow(
    client: Client, world: World, personas: Any, make_cadre: Any, admin: Any
) -> None:
    officer = personas.case_officer
    client.force_login(officer)
    _open(officer, world.cadre)
    url = reverse("observation:observation_list")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for n, post in enumerate([world.county.finance_deputy, world.county.town_secretary]):
        c = make_cadre(world.county.town, name=f"干部{n}")
        tenure_start(actor=admin, cadre=c, post=post, start_date=dt.date(2021, 1, 4))
        _open(officer, c, reason_kind="finding")
    with CaptureQueriesContext(connection) as three:
        response = client.get(url)
    assert response.content.decode().count("/observations/") >= 3
    assert len(three.captured_queries) == len(one.captured_queries)


# ---- API -----------------------------------------------------------------------------


def test_api(client: Client, world: World, personas: Any) -> None:
    client.force_login(personas.case_officer)
    body = {
        "cadre": world.cadre.pk,
        "talk_date": "2026-08-31",
        "talked_by": "李明",
        "reason_kind": "finding",
        "reason": "实绩不突出",
        "talk_record": "谈话记录",
    }
    bad = post_json(client, "/observations", {**body, "talked_by": ""})
    assert bad.status_code == 422 and "talked_by" in field_errors(bad)
    made = post_json(client, "/observations", body)
    assert made.status_code == 201, made.content
    data = made.json()
    assert data["ends_on"] == "2027-03-01" and data["warning_effect_until"] == "2027-02-28"
    assert data["reason_kind_label"] == "组织认定实绩不突出、群众反映较差"
    assert post_json(client, "/observations", body).status_code == 409
    oid = data["id"]
    listed = client.get(API + "/observations?status=open").json()
    assert [o["id"] for o in listed] == [oid]
    outcome = f"/observations/{oid}/outcome"
    early = post_json(client, outcome, {"outcome": "confirmed", "decided_on": "2026-09-01"})
    assert early.status_code == 422 and "decided_on" in field_errors(early)
    world.clock.day = ENDS
    # Scope: the discipline commission may read, not decide; another town's officer sees nothing.
    client.force_login(personas.discipline)
    assert client.get(API + f"/observations/{oid}").status_code == 200
    assert (
        post_json(client, outcome, {"outcome": "confirmed", "decided_on": "2027-03-01"}).status_code
        == 403
    )
    other = make_user("officer_shiqiao", Role.CASE_OFFICER, world.county.other_town)
    client.force_login(other)
    assert client.get(API + f"/observations/{oid}").status_code == 404
    assert (
        post_json(client, outcome, {"outcome": "confirmed", "decided_on": "2027-03-01"}).status_code
        == 404
    )
    assert post_json(client, "/observations", body).status_code == 404
    assert Observation.objects.get(pk=oid).status == "open"
    client.force_login(personas.case_officer)
    done = post_json(
        client,
        outcome,
        {"outcome": "moved", "decided_on": "2027-03-01", "document": "文号", "rank": "四级调研员"},
    )
    assert done.status_code == 200, done.content
    assert (
        done.json()["outcome_label"] == "转任非领导职务" and done.json()["new_rank"] == "四级调研员"
    )
