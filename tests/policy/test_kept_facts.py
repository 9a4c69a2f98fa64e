"""The screening's facts kept on the cadre row (policy.kept, decision 0161):
each writer of the records keeps them in its transaction, a refused write
keeps nothing, kept == recomputed after any mix of writes, the seeder keeps
them, and `xuanren screeningfacts` reports and puts right what differs."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import County, Personas
from xuanren.common.errors import DomainError, PermissionDenied
from xuanren.journal.models import Event, EventType
from xuanren.journal.services import journal_verify
from xuanren.people.models import Cadre
from xuanren.people.services import assessment_set, family_member_add, reward_punishment_add
from xuanren.policy.kept import (
    ASSESSMENT_BASE_YEAR,
    assessment_bit,
    kept_facts_differences,
    kept_facts_refresh,
)
from xuanren.policy.services import kept_facts_recount

D = dt.date


def kept(cadre: Cadre) -> tuple[int, bool, bool]:
    c = Cadre.objects.get(pk=cadre.pk)
    return c.good_assessment_years, c.discipline_records, c.family_abroad


def test_the_bits_of_the_years() -> None:
    assert assessment_bit(ASSESSMENT_BASE_YEAR) == 1
    assert assessment_bit(2025) == 1 << 45
    assert assessment_bit(ASSESSMENT_BASE_YEAR + 62) == 1 << 62
    assert assessment_bit(ASSESSMENT_BASE_YEAR - 1) is None
    assert assessment_bit(ASSESSMENT_BASE_YEAR + 63) is None


def test_the_services_keep_the_facts(admin: User, county: County, make_cadre: Any) -> None:
    cadre = make_cadre(county.town)
    assert kept(cadre) == (0, False, False)
    assessment_set(actor=admin, cadre=cadre, year=2024, grade="competent")
    assessment_set(actor=admin, cadre=cadre, year=2025, grade="excellent")
    assessment_set(actor=admin, cadre=cadre, year=2023, grade="incompetent")
    # 2024 and 2025: bits 44 and 45 (hand-computed: 2024 − 1980, 2025 − 1980).
    assert kept(cadre) == ((1 << 44) + (1 << 45), False, False)
    # A grade changed to one that does not count takes its year's bit away.
    assessment_set(actor=admin, cadre=cadre, year=2024, grade="basically_competent")
    assert kept(cadre) == (1 << 45, False, False)
    reward_punishment_add(
        actor=admin, cadre=cadre, kind="reward", category="commendation", title="表彰",
        decided_on=D(2025, 3, 1),
    )  # fmt: skip
    assert kept(cadre)[1] is False  # a reward is no discipline
    reward_punishment_add(
        actor=admin, cadre=cadre, kind="punishment", category="warning_talk", title="诫勉",
        decided_on=D(2020, 3, 1), effect_until=D(2020, 9, 1),
    )  # fmt: skip
    assert kept(cadre)[1] is True  # on record, in force or not
    family_member_add(actor=admin, cadre=cadre, relation="son", name="子", emigrated=True)
    assert kept(cadre)[2] is True  # no spouse, the only child abroad
    family_member_add(actor=admin, cadre=cadre, relation="daughter", name="女")
    assert kept(cadre)[2] is False  # a child at home
    family_member_add(actor=admin, cadre=cadre, relation="spouse", name="妻", emigrated=True)
    assert kept(cadre)[2] is True
    assert kept_facts_differences() == []


def test_a_refused_write_keeps_nothing(admin: User, county: County, make_cadre: Any) -> None:
    cadre = make_cadre(county.town)
    with pytest.raises(DomainError):
        assessment_set(actor=admin, cadre=cadre, year=1900, grade="competent")
    with pytest.raises(DomainError):
        reward_punishment_add(
            actor=admin, cadre=cadre, kind="punishment", category="warning_talk", title="",
            decided_on=D(2025, 3, 1),
        )  # fmt: skip
    assert kept(cadre) == (0, False, False)


GRADES = ("excellent", "competent", "basically_competent", "incompetent", "not_graded")


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_after_random_writes_kept_equals_recomputed(
    data: Any, admin: User, county: County, make_cadre: Any
) -> None:
    cadres = [make_cadre(county.town) for _ in range(2)]
    for _ in range(data.draw(st.integers(1, 8))):
        cadre = data.draw(st.sampled_from(cadres))
        kind = data.draw(st.sampled_from(("assessment", "record", "family")))
        if kind == "assessment":
            assessment_set(
                actor=admin, cadre=cadre, year=data.draw(st.integers(2015, 2025)),
                grade=data.draw(st.sampled_from(GRADES)),
            )  # fmt: skip
        elif kind == "record":
            kind, category = data.draw(
                st.sampled_from(
                    [("reward", "merit"), ("punishment", "party_discipline"),
                     ("finding", "low_recognition")]
                )
            )  # fmt: skip
            reward_punishment_add(
                actor=admin, cadre=cadre, kind=kind, category=category, title="记录",
                decided_on=D(2024, 1, 1), effect_until=D(2025, 1, 1),
            )  # fmt: skip
        else:
            family_member_add(
                actor=admin, cadre=cadre, name="亲",
                relation=data.draw(st.sampled_from(("spouse", "son", "daughter", "father"))),
                emigrated=data.draw(st.booleans()),
            )  # fmt: skip
    assert kept_facts_differences() == []
    # Recomputing from the records changes nothing.
    before = [kept(c) for c in cadres]
    kept_facts_refresh([c.pk for c in cadres])
    assert [kept(c) for c in cadres] == before


def test_the_seed_keeps_the_facts(admin: User) -> None:
    from xuanren.synth.loader import seed

    seed(cadres=300, units=30, seed=3, as_of=D(2026, 3, 1))
    assert Cadre.objects.exclude(good_assessment_years=0).exists()
    assert kept_facts_differences() == []


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("screeningfacts", *args, stdout=out)
    return out.getvalue()


def test_the_command_reports_and_puts_right_what_differs(
    admin: User, county: County, make_cadre: Any
) -> None:
    cadre = make_cadre(county.town)
    assessment_set(actor=admin, cadre=cadre, year=2025, grade="competent")
    assert "0 名与记录不一致" in _run("--by", "admin", "--check")
    Cadre.objects.filter(pk=cadre.pk).update(good_assessment_years=0, family_abroad=True)
    events = Event.objects.count()
    with pytest.raises(SystemExit) as exit_:
        _run("--by", "admin", "--check")
    assert exit_.value.code == 1
    assert Event.objects.count() == events  # a check changes nothing
    assert kept(cadre) == (0, False, True)
    out = _run("--by", "admin")
    assert f"干部 {cadre.pk}：保存 [0, False, True]，按记录 [{1 << 45}, False, False]" in out
    assert "改正 1 名" in out
    assert kept(cadre) == (1 << 45, False, False)
    event = Event.objects.order_by("-pk").first()
    assert event is not None and event.event_type == EventType.SCREENING_FACTS_RECOUNTED
    assert event.payload["differences"] == 1
    assert journal_verify().ok
    assert "0 名与记录不一致" in _run("--by", "admin", "--check")


def test_the_command_is_for_a_system_administrator_only(
    county: County, personas: Personas, make_cadre: Any
) -> None:
    cadre = make_cadre(county.town)
    Cadre.objects.filter(pk=cadre.pk).update(discipline_records=True)
    events = Event.objects.count()
    for username in ("officer", "outsider", "nobody"):
        with pytest.raises(CommandError):
            _run("--by", username)
    with pytest.raises(PermissionDenied):
        kept_facts_recount(actor=personas.case_officer, apply=True)
    assert kept(cadre) == (0, True, False) and Event.objects.count() == events
