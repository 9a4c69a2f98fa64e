"""Corrections of a recorded 诫勉谈话 or observation outcome (decision 0174):
a required reason, journalled old → new, shown on the page; the talk date and
the outcome itself refused; scope and permission with nothing changed."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import make_user
from tests.observation.test_observation import ENDS, World, _open
from xuanren.access.models import Role
from xuanren.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from xuanren.journal.models import Event, EventType
from xuanren.journal.services import journal_verify
from xuanren.observation.models import Observation
from xuanren.observation.services import observation_close, observation_correct
from xuanren.people.models import Tenure

pytestmark = pytest.mark.django_db


def test_talk_corrected_with_reason_journalled_old_to_new(world: World, personas: Any) -> None:
    officer = personas.case_officer
    obs = _open(officer, world.cadre)
    done = observation_correct(
        actor=officer,
        observation=obs,
        why="文号登记错误，据原件更正",
        changes={"document": "青组诫〔2026〕5号", "talked_by": "县委组织部副部长 李明"},
    )
    assert done.document == "青组诫〔2026〕5号"
    event = Event.objects.get(event_type=EventType.OBSERVATION_CORRECTED)
    assert event.payload["why"] == "文号登记错误，据原件更正"
    # Only what changed is recorded, old → new.
    assert event.payload["changes"] == {"document": ["青组诫〔2026〕3号", "青组诫〔2026〕5号"]}
    assert journal_verify().ok


@pytest.mark.parametrize(
    ("why", "changes", "field"),
    [
        ("", {"document": "新文号"}, "why"),
        ("   ", {"document": "新文号"}, "why"),
        ("更正", {"talk_date": "2026-08-30"}, "talk_date"),
        ("更正", {"outcome": "demoted"}, "outcome"),
        ("更正", {"outcome_note": "补充"}, "outcome_note"),  # no outcome yet
        ("更正", {"talked_by": ""}, "talked_by"),
        ("更正", {"document": "文" * 81}, "document"),
        ("更正", {"ends_on": "2027-01-01"}, "ends_on"),
        ("x" * 501, {"document": "新文号"}, "why"),
    ],
)
def test_refusals_save_nothing(
    world: World, personas: Any, why: str, changes: dict[str, str], field: str
) -> None:
    obs = _open(personas.case_officer, world.cadre)
    with pytest.raises(ValidationFailed) as info:
        observation_correct(actor=personas.case_officer, observation=obs, why=why, changes=changes)
    assert field in {e.field for e in info.value.errors}
    fresh = Observation.objects.get(pk=obs.pk)
    assert (fresh.document, fresh.talked_by, fresh.talk_date) == (
        obs.document,
        obs.talked_by,
        obs.talk_date,
    )
    assert not Event.objects.filter(event_type=EventType.OBSERVATION_CORRECTED).exists()


def test_nothing_changed_is_a_conflict(world: World, personas: Any) -> None:
    obs = _open(personas.case_officer, world.cadre)
    with pytest.raises(Conflict, match="没有需要更正"):
        observation_correct(
            actor=personas.case_officer,
            observation=obs,
            why="核对",
            changes={"document": obs.document},
        )


def test_outcome_wording_corrected_the_outcome_and_tenures_untouched(
    world: World, personas: Any
) -> None:
    officer = personas.case_officer
    obs = _open(officer, world.cadre)
    world.clock.day = ENDS
    observation_close(
        actor=officer,
        observation=obs,
        outcome="moved",
        decided_on=ENDS,
        document="青组任〔2027〕1号",
        rank="一级主任科员",
    )
    tenures = list(Tenure.objects.filter(cadre=world.cadre).values_list("pk", "end_date"))
    done = observation_correct(
        actor=officer,
        observation=obs,
        why="任免文号笔误",
        changes={"outcome_document": "青组任〔2027〕2号", "outcome_note": "本人服从组织安排。"},
    )
    assert (done.outcome, done.outcome_document) == ("moved", "青组任〔2027〕2号")
    with pytest.raises(ValidationFailed, match="任职经历"):
        observation_correct(
            actor=officer, observation=obs, why="结论有误", changes={"outcome": "confirmed"}
        )
    assert list(Tenure.objects.filter(cadre=world.cadre).values_list("pk", "end_date")) == tenures
    assert Observation.objects.get(pk=obs.pk).outcome == "moved"


def test_scope_and_permission(world: World, personas: Any, county: Any) -> None:
    obs = _open(personas.case_officer, world.cadre)
    changes = {"document": "新文号"}
    with pytest.raises(PermissionDenied):
        observation_correct(actor=personas.discipline, observation=obs, why="更正", changes=changes)
    other = make_user("other_officer", Role.CASE_OFFICER, county.other_town)
    with pytest.raises(NotFound):
        observation_correct(actor=other, observation=obs, why="更正", changes=changes)
    assert Observation.objects.get(pk=obs.pk).document == obs.document


def test_page_corrects_and_shows_the_history(
    client: Client, world: World, personas: Any, county: Any, django_assert_max_num_queries: Any
) -> None:
    obs = _open(personas.case_officer, world.cadre)
    url = reverse("observation:observation", args=[obs.pk])
    client.force_login(personas.case_officer)
    body = {
        "action": "correct",
        "reason": obs.reason,
        "talked_by": obs.talked_by,
        "talk_record": obs.talk_record,
        "document": "青组诫〔2026〕5号",
        "why": "",
    }
    refused = client.post(url, body)
    assert refused.status_code == 422
    with django_assert_max_num_queries(30):
        assert client.post(url, {**body, "why": "文号笔误"}).status_code == 302
    page = client.get(url).content.decode()
    assert "更正记录" in page and "文号笔误" in page
    assert "青组诫〔2026〕3号" in page and "青组诫〔2026〕5号" in page
    assert "诫勉文号" in page
    # The reader sees the history, may not correct: 403; out of scope: 404.
    client.force_login(personas.discipline)
    assert "文号笔误" in client.get(url).content.decode()
    assert client.post(url, {**body, "why": "再改", "document": "X"}).status_code == 403
    other = make_user("other_officer2", Role.CASE_OFFICER, county.other_town)
    client.force_login(other)
    assert client.post(url, {**body, "why": "再改", "document": "X"}).status_code == 404
    assert Observation.objects.get(pk=obs.pk).document == "青组诫〔2026〕5号"
