"""专业要求 (docs/decisions/0088): the sentences explain() gives, the term
splitting, and screen() agreeing on hand-picked edges, letter case included
(runs on SQLite and PostgreSQL, whose LIKE folding differs)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest

from tests.policy.helpers import POSTS, REF, RULES, facts, judge
from xuanren.org.models import Level
from xuanren.org.services import post_create
from xuanren.people.idnumbers import build_id_number
from xuanren.people.models import Cadre, Education
from xuanren.policy.compile import rule_pass_q
from xuanren.policy.rules import Status, evaluate, matching_term, requirement_terms
from xuanren.policy.selectors import cadre_facts, post_facts


def test_terms_are_split_on_the_listing_marks_and_blanks_dropped() -> None:
    assert requirement_terms("农学、畜牧兽医，园艺,林学；水利/ 茶学 、") == (
        "农学",
        "畜牧兽医",
        "园艺",
        "林学",
        "水利",
        "茶学",
    )
    assert requirement_terms("") == ()
    assert requirement_terms(" 、，") == ()


def test_matching_folds_ascii_letters_only() -> None:
    assert matching_term(("MBA",), ["工商管理（mba）"]) == "MBA"
    assert matching_term(("计算机",), ["软件工程"]) is None


def test_pass_names_the_requirement_met_and_what_the_cadre_has() -> None:
    result = judge("county.professional", "agri_deputy", majors=("汉语言文学", "农学"))
    assert result.status is Status.PASS
    assert "所学专业：汉语言文学、农学" in result.sentence
    assert "熟悉专业：未填写" in result.sentence
    assert "含职位专业要求所列的“农学”" in result.sentence
    assert "符合“职位有专业要求的，人选应当专业对口”" in result.sentence
    assert "来源：本县围绕产业选干部的做法" in result.sentence


def test_fail_names_the_whole_requirement() -> None:
    result = judge("county.professional", "agri_deputy", majors=("法学",), specialty="文秘")
    assert result.status is Status.FAIL
    assert "所学专业：法学；熟悉专业：文秘，均不含职位专业要求所列的“农学、畜牧兽医”" in (
        result.sentence
    )


def test_nothing_recorded_is_incomplete_and_names_the_field() -> None:
    result = judge("section.professional", "agri_subsection", majors=("  ",), specialty="")
    assert result.status is Status.FAIL
    assert result.missing == "majors"
    assert result.sentence.startswith(
        "资料不全：未填写所学专业和熟悉专业（职位专业要求：茶学、园艺）"
    )


def test_a_requirement_of_only_separators_is_no_requirement() -> None:
    post = replace(POSTS["agri_deputy"], professional_requirement=" 、 ")
    result = evaluate(RULES["county.professional"], facts(), post, REF)
    assert result.status is Status.NOT_APPLICABLE
    assert "该职位无专业要求" in result.sentence


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("requirement", "majors", "specialty", "passes"),
    [
        ("农学、畜牧兽医", ["汉语言文学", "动物科学（畜牧兽医方向）"], "", True),
        ("农学、畜牧兽医", ["汉语言文学", "法学"], "", False),
        ("农学、畜牧兽医", [], "农学推广", True),
        ("农学、畜牧兽医", [""], "", False),
        ("MBA", ["工商管理（mba）"], "", True),
        ("100%达标", ["100达标"], "", False),  # LIKE wildcards are escaped
        ("a_b", ["axb"], "", False),
        ("", [], "", True),  # no requirement
        # Letters outside ASCII in another case stay distinct on every database
        # (PostgreSQL's ILIKE would fold them; decision 0088).
        ("Ω电路", ["ω电路分析"], "", False),  # Greek
        ("ｗｅｂ开发", ["ＷＥＢ开发技术"], "", False),  # full-width Latin
        ("É", [], "é农业", False),  # Latin with an accent, in the 熟悉专业
        ("MBA", ["工商管理（mba）"], "", True),  # ASCII letters fold everywhere
    ],
)
def test_screen_agrees_on_edges(
    requirement: str, majors: list[str], specialty: str, passes: bool, county: Any, admin: Any
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
    for i, major in enumerate(majors):
        Education.objects.create(
            cadre=cadre, kind="full_time", level="bachelor", school=f"大学{i}", major=major
        )
    rule = RULES["section.professional"]
    pf = post_facts(post)
    screened = Cadre.objects.filter(pk=cadre.pk).filter(rule_pass_q(rule, pf, REF)).exists()
    explained = evaluate(rule, cadre_facts(Cadre.objects.filter(pk=cadre.pk))[0], pf, REF)
    assert screened is passes
    assert (explained.status is not Status.FAIL) is passes
