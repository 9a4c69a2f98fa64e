"""Plain facts and the shipped rules, without a database."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from xuanren.policy.packs import PACK_DIR, read_pack_file, rules_of
from xuanren.policy.rules import CadreFacts, PostFacts, Rule, RuleResult, TenureFact, evaluate

REF = dt.date(2026, 11, 27)


def shipped_rules() -> dict[str, Rule]:
    out: dict[str, Rule] = {}
    for path in sorted(PACK_DIR.glob("*.toml")):
        for rule in rules_of(read_pack_file(path)):
            out[rule.id] = rule
    return out


RULES = shipped_rules()


def born(age: int, ref: dt.date = REF, days: int = 0) -> dt.date:
    """A birth date making someone exactly `age` on `ref` (birthday on ref),
    moved by `days` (positive = younger)."""
    return ref.replace(year=ref.year - age) + dt.timedelta(days=days)


def facts(**kw: Any) -> CadreFacts:
    base: dict[str, Any] = {
        "id": 1,
        "name": "张伟",
        "sex": "male",
        "birth_date": born(35),
        "level": "section_deputy",
        "level_since": dt.date(2020, 1, 1),
        "work_start_date": dt.date(2012, 8, 1),
        "party_join_date": dt.date(2012, 7, 1),
        "political_status": "cpc_member",
        "education_rank": 5,
        "grassroots_months": 60,
        "personal_matters_status": "verified",
        "archive_review_status": "passed",
        "assessments": {REF.year - 1: "competent"},
        "sanctions": (),
        "training_hours": {2024: 300, 2025: 300},
        "family": (("spouse", False),),
        "health": "健康",
    }
    base.update(kw)
    # Tenures may be written as (post id, level, start[, end]) tuples.
    base["tenures"] = tuple(
        t if isinstance(t, TenureFact) else TenureFact(*t) for t in base.get("tenures", ())
    )
    return CadreFacts(**base)


POSTS = {
    "township_principal": PostFacts(
        "section_principal", True, True, "party", "township", "township", "党委书记"
    ),
    "organ_principal": PostFacts(
        "section_principal",
        True,
        True,
        "government",
        "government_department",
        "county_organ",
        "局长",
    ),
    "organ_deputy": PostFacts(
        "section_deputy",
        False,
        False,
        "government",
        "government_department",
        "county_organ",
        "副局长",
    ),
    "township_deputy": PostFacts(
        "section_deputy", False, False, "government", "township", "township", "副镇长"
    ),
    "organ_section_principal": PostFacts(
        "section_principal",
        True,
        False,
        "government",
        "government_department",
        "county_organ",
        "调研员",
    ),
    "subsection_principal": PostFacts(
        "subsection_principal", True, False, "internal", "internal_office", "other", "股长"
    ),
    "subsection_deputy": PostFacts(
        "subsection_deputy", False, False, "internal", "internal_office", "other", "副股长"
    ),
    "division_principal_party": PostFacts(
        "division_principal", True, True, "party", "region", "county_organ", "县委书记"
    ),
    "division_deputy": PostFacts(
        "division_deputy", False, False, "government", "region", "county_organ", "副县长"
    ),
    "bureau_deputy_party": PostFacts(
        "bureau_deputy", False, False, "party", "region", "county_organ", "市委副书记"
    ),
    "bureau_deputy": PostFacts(
        "bureau_deputy", False, False, "government", "region", "county_organ", "副市长"
    ),
}
# Posts stating a 专业要求 (two majors, as seed §2's 产业 posts would).
POSTS["agri_deputy"] = replace(
    POSTS["organ_deputy"], title="农业局副局长", professional_requirement="农学、畜牧兽医"
)
POSTS["agri_subsection"] = replace(
    POSTS["subsection_deputy"], title="茶叶股副股长", professional_requirement="茶学，园艺"
)


def judge(rule_id: str, post: str, ref: dt.date = REF, **kw: Any) -> RuleResult:
    return evaluate(RULES[rule_id], facts(**kw), POSTS[post], ref)
