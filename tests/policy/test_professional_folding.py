"""专业要求 with letters outside ASCII in another case than the requirement's
(docs/decisions/0088): screen() (the rule's SQL, `icontains`) and explain()
(`matching_term`) must give the same verdict on every database. SQLite's LIKE
folds ASCII letters only; PostgreSQL's `icontains` (UPPER(..) LIKE UPPER(..))
folds every letter its locale knows, so this runs on both (DATABASE_URL)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.policy.helpers import REF, RULES
from xuanren.org.models import Level
from xuanren.org.services import post_create
from xuanren.people.idnumbers import build_id_number
from xuanren.people.models import Cadre, Education
from xuanren.policy.compile import rule_pass_q
from xuanren.policy.rules import Status, evaluate
from xuanren.policy.selectors import cadre_facts, post_facts


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("requirement", "major", "specialty"),
    [
        ("Ω电路", "ω电路分析", ""),  # Greek
        ("ｗｅｂ开发", "ＷＥＢ开发技术", ""),  # full-width Latin
        ("É", "", "é农业"),  # Latin with an accent, in the 熟悉专业
        ("MBA", "工商管理（mba）", ""),  # ASCII: folded on both sides everywhere
    ],
)
def test_screen_and_explain_agree_across_case(
    requirement: str, major: str, specialty: str, county: Any, admin: Any
) -> None:
    post = post_create(
        actor=admin,
        unit=county.town_office,
        title="副股长",
        level=Level.SUBSECTION_DEPUTY,
        professional_requirement=requirement,
    )
    born = dt.date(1990, 5, 1)
    cadre = Cadre.objects.create(
        unit=county.town,
        name="测专",
        name_initials="c",
        id_number=build_id_number("330421", born, 2, "male"),
        sex="male",
        birth_date=born,
        specialty=specialty,
    )
    if major:
        Education.objects.create(
            cadre=cadre, kind="full_time", level="bachelor", school="大学", major=major
        )
    rule = RULES["section.professional"]
    pf = post_facts(post)
    screened = Cadre.objects.filter(pk=cadre.pk).filter(rule_pass_q(rule, pf, REF)).exists()
    explained = evaluate(rule, cadre_facts(Cadre.objects.filter(pk=cadre.pk))[0], pf, REF)
    assert screened is (explained.status is not Status.FAIL), explained.sentence
