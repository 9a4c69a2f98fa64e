"""screen() (SQL) and explain() (Python) must give the same verdict for every
cadre — birthdays on the reference date, 29 February, missing data included,
the promotion ladder, and reference dates in the past, where the level,
education and party membership come from the history (rules.facts_at).
Runs on whichever database the suite runs on (CI: SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xuanren.org.models import Level, PostCategory, UnitKind
from xuanren.org.services import post_create, unit_create
from xuanren.people.idnumbers import build_id_number
from xuanren.people.models import (
    Assessment,
    Cadre,
    Education,
    FamilyMember,
    RewardPunishment,
    Tenure,
    Training,
)
from xuanren.people.services import highest_education
from xuanren.policy.compile import rule_annotations, rule_pass_q
from xuanren.policy.kept import kept_facts_refresh
from xuanren.policy.models import RulePack
from xuanren.policy.rules import EDUCATION_RANK, LEVEL_RANK, Status, explain
from xuanren.policy.selectors import cadre_facts, post_facts, rules_for_post, screen
from xuanren.policy.services import post_rule_packs_set

pytestmark = pytest.mark.django_db

# "Now" for the records; the reference date is now or a date in the past.
NOWS = [dt.date(2026, 11, 27), dt.date(2028, 2, 29), dt.date(2027, 2, 28), dt.date(2027, 3, 1)]
PAST = [0, 400, 1096, 1461]  # days before now
EDU_BY_RANK = {rank: code for code, rank in EDUCATION_RANK.items()}


def years_before(ref: dt.date, years: int, days: int) -> dt.date:
    try:
        day = ref.replace(year=ref.year - years)
    except ValueError:
        day = dt.date(ref.year - years, 2, 28)
    return day + dt.timedelta(days=days)


offsets = st.sampled_from([-1, 0, 1, 40, -200])
MAJORS = ["", "汉语言文学", "农学", "动物科学（畜牧兽医方向）", "茶学", "MBA", "100达标"]


def on_a_reference_date(now: dt.date) -> st.SearchStrategy[dt.date]:
    """One of the reference dates a test may use with records as of `now`."""
    return st.sampled_from([now - dt.timedelta(days=d) for d in PAST])


@st.composite
def maybe_date(draw: Any, ref: dt.date, lo: int, hi: int) -> dt.date | None:
    if draw(st.integers(0, 9)) == 0:
        return None
    if draw(st.integers(0, 9)) == 0:
        leap = draw(st.sampled_from([1976, 1980, 1984, 1988, 1992, 1996, 2000, 2004, 2016, 2020]))
        return dt.date(leap, 2, 29)
    return years_before(ref, draw(st.integers(lo, hi)), draw(offsets))


@st.composite
def cadre_spec(draw: Any, ref: dt.date) -> dict[str, Any]:
    birth = years_before(ref, draw(st.integers(22, 60)), draw(offsets))
    if draw(st.integers(0, 7)) == 0:
        birth = dt.date(draw(st.sampled_from([1980, 1984, 1988, 1992, 1996])), 2, 29)
    year = ref.year

    def after_birth(day: dt.date | None) -> dt.date | None:
        # The database requires these after the birth date.
        return day if day is None or day > birth else birth + dt.timedelta(days=1)

    return {
        "sex": draw(st.sampled_from(["male", "female"])),
        "birth_date": birth,
        "level": draw(st.sampled_from(["", *LEVEL_RANK])),
        "level_since": draw(st.one_of(maybe_date(ref, 0, 4), on_a_reference_date(ref))),
        "work_start_date": after_birth(draw(maybe_date(ref, 3, 7))),
        "party_join_date": after_birth(draw(maybe_date(ref, 3, 7))),
        "political_status": draw(st.sampled_from(["cpc_member", "cpc_probationary", "masses"])),
        # (rank, graduation date or None); the record's columns follow from them
        # as people.services keeps them, or, imported without entries, stand alone.
        "educations": draw(
            st.lists(
                st.tuples(
                    st.integers(0, 6),
                    st.one_of(st.none(), maybe_date(ref, 0, 6), on_a_reference_date(ref)),
                ),
                max_size=3,
            )
        ),
        "bare_rank": draw(st.one_of(st.none(), st.integers(0, 6))),
        "rank": draw(st.sampled_from(["", "四级主任科员", "一级科员"])),
        "rank_since": draw(maybe_date(ref, 0, 5)),
        "grassroots_months": draw(st.one_of(st.none(), st.integers(20, 28))),
        "personal_matters_status": draw(st.sampled_from(["verified", "reported"])),
        "archive_review_status": draw(st.sampled_from(["passed", "not_reviewed"])),
        "assessments": draw(
            st.dictionaries(
                st.sampled_from([year - 2, year - 1, year]),
                st.sampled_from(["excellent", "competent", "basically_competent", "not_graded"]),
                max_size=2,
            )
        ),
        "sanctions": draw(
            st.lists(
                st.tuples(
                    st.sampled_from(["warning_talk", "party_discipline", "commendation"]),
                    st.sampled_from(
                        [ref - dt.timedelta(days=300), ref, ref + dt.timedelta(days=3)]
                    ),
                    st.sampled_from(
                        [None, ref - dt.timedelta(days=1), ref, ref + dt.timedelta(days=90)]
                    ),
                ),
                max_size=2,
            )
        ),
        "training": draw(
            st.dictionaries(
                st.integers(year - 6, year), st.sampled_from([100, 150, 275, 300]), max_size=4
            )
        ),
        "family": draw(
            st.lists(
                st.tuples(st.sampled_from(["spouse", "son", "daughter", "father"]), st.booleans()),
                max_size=3,
            )
        ),
        "findings": draw(
            st.lists(
                st.tuples(
                    st.sampled_from(["political_discipline", "low_recognition", "office_seeking"]),
                    st.sampled_from(
                        [ref - dt.timedelta(days=300), ref, ref + dt.timedelta(days=3)]
                    ),
                    st.sampled_from(
                        [None, ref - dt.timedelta(days=1), ref, ref + dt.timedelta(days=90)]
                    ),
                ),
                max_size=2,
            )
        ),
        "health": draw(st.sampled_from(["健康", "一般", "", "长期病休"])),
        # 专业要求 (docs/decisions/0088): majors of education rows and the 熟悉专业
        "majors": draw(st.lists(st.sampled_from(MAJORS), max_size=2)),
        "specialty": draw(st.sampled_from(["", "农学推广", "文秘", "企业管理（mba）"])),
        # (which of the tenure posts, start, end): 第八条第（二）项 counts distinct
        # lower posts; the level held on a past reference date comes from them
        "tenures": draw(
            st.lists(
                st.tuples(
                    st.integers(0, len(TENURE_LEVELS) - 1),
                    st.sampled_from(
                        [
                            ref - dt.timedelta(days=3000),
                            ref - dt.timedelta(days=1100),
                            ref,
                            ref + dt.timedelta(days=1),
                        ]
                    ),
                    st.one_of(st.none(), on_a_reference_date(ref)),
                ),
                max_size=3,
            )
        ),
    }


#: The levels of the posts tenures are held in (tenure_posts below, same order).
TENURE_LEVELS = [
    "subsection_deputy",
    "subsection_principal",
    "section_deputy",
    "section_principal",
    "division_deputy",
]

#: A ladder that counts a 职级 as equivalent (no shipped pack does; the format allows it).
RANKS_PACK = [
    {
        "id": "test.ladder.ranks",
        "title": "逐级提拔（含职级）",
        "measure": "ladder",
        "when": {"promotion": True},
        "waivable": True,
        "steps": [
            {"to": "section_deputy", "from": [""], "years": 0},
            {"to": "section_principal", "from": ["section_deputy"], "years": 2,
             "ranks": ["四级主任科员"]},
        ],
    }
]  # fmt: skip


@pytest.fixture
def tenure_posts(county, admin):
    office = county.town_office
    return [
        post_create(actor=admin, unit=office, title=f"历任{i}", level=level)
        for i, level in enumerate(TENURE_LEVELS)
    ]


@pytest.fixture
def posts(county, admin):
    office = county.town_office
    root = county.root
    return [
        county.town_secretary,  # township 一把手, party
        county.finance_head,  # county organ 一把手
        county.finance_deputy,
        county.town_deputy,
        post_create(actor=admin, unit=office, title="股长", level=Level.SUBSECTION_PRINCIPAL, is_principal=True),
        post_create(actor=admin, unit=office, title="副股长", level=Level.SUBSECTION_DEPUTY),
        post_create(
            actor=admin, unit=root, title="县委书记", level=Level.DIVISION_PRINCIPAL, is_principal=True,
            is_party_government_principal=True, category=PostCategory.PARTY,
        ),
        post_create(actor=admin, unit=root, title="副县长", level=Level.DIVISION_DEPUTY),
        # 专业要求: two majors (科级, county pack); ASCII and a LIKE wildcard (股级)
        post_create(
            actor=admin, unit=root, title="农业局副局长", level=Level.SECTION_DEPUTY,
            professional_requirement="农学、畜牧兽医",
        ),
        post_create(
            actor=admin, unit=office, title="茶叶股副股长", level=Level.SUBSECTION_DEPUTY,
            professional_requirement="茶学，mba，100%达标",
        ),
        post_create(
            actor=admin,
            unit=unit_create(actor=admin, name="县一中", code="S1", kind=UnitKind.SCHOOL, parent=root),
            title="校长", level=Level.SECTION_PRINCIPAL, is_principal=True,
            is_party_government_principal=True, category=PostCategory.INSTITUTION,
        ),
        ranks_post(admin, office),
        post_create(actor=admin, unit=root, title="副厅级巡视员", level=Level.BUREAU_DEPUTY),
    ]  # fmt: skip


def ranks_post(admin: Any, unit: Any) -> Any:
    """A 正科 post under RANKS_PACK only."""
    RulePack.objects.create(
        code="test-ladder-ranks", version=1, name="测试", source="测试规则",
        effective_from=dt.date(2000, 1, 1), rules=RANKS_PACK, sha256="0" * 64,
    )  # fmt: skip
    post = post_create(actor=admin, unit=unit, title="所长", level=Level.SECTION_PRINCIPAL)
    post_rule_packs_set(actor=admin, post=post, pack_codes=["test-ladder-ranks"])
    return post


def insert(specs: list[dict[str, Any]], unit: Any, tenure_posts: Sequence[Any] = ()) -> None:
    inserted = []
    for i, given_spec in enumerate(specs):
        spec = dict(given_spec)
        extra = {
            k: spec.pop(k)
            for k in (
                "assessments",
                "sanctions",
                "training",
                "family",
                "findings",
                "tenures",
                "majors",
                "educations",
                "bare_rank",
            )
        }
        if extra["bare_rank"] is not None:
            # Imported without entries: the columns alone, no date.
            spec["education_rank"] = extra["bare_rank"]
            spec["education_level"] = EDU_BY_RANK.get(extra["bare_rank"], "")
            extra["educations"] = []
        else:
            rows = [(EDU_BY_RANK.get(r, ""), end) for r, end in extra["educations"]]
            level, rank, since = highest_education(rows)
            spec.update(education_level=level, education_rank=rank, education_since=since)
        cadre = Cadre.objects.create(
            unit=unit,
            name=f"测{i}",
            name_initials="c",
            id_number=build_id_number("330421", spec["birth_date"], i * 2, spec["sex"]),
            **spec,
        )
        inserted.append(cadre.pk)
        Assessment.objects.bulk_create(
            Assessment(cadre=cadre, year=y, grade=g) for y, g in extra["assessments"].items()
        )
        RewardPunishment.objects.bulk_create(
            RewardPunishment(
                cadre=cadre,
                kind="reward" if cat == "commendation" else "punishment",
                category=cat,
                title="x",
                decided_on=decided,
                effect_until=until if until is None or until >= decided else decided,
            )
            for cat, decided, until in extra["sanctions"]
        )
        RewardPunishment.objects.bulk_create(
            RewardPunishment(
                cadre=cadre,
                kind="finding",
                category=cat,
                title="认定",
                decided_on=decided,
                effect_until=until if until is None or until >= decided else decided,
            )
            for cat, decided, until in extra["findings"]
        )
        if tenure_posts:
            Tenure.objects.bulk_create(
                Tenure(
                    cadre=cadre,
                    post=tenure_posts[i],
                    start_date=start,
                    end_date=None if end is None or end <= start else end,
                )
                for i, start, end in extra["tenures"]
            )
        Training.objects.bulk_create(
            Training(cadre=cadre, year=y, hours=h, title="t") for y, h in extra["training"].items()
        )
        FamilyMember.objects.bulk_create(
            FamilyMember(cadre=cadre, relation=r, name="亲", emigrated=e)
            for r, e in extra["family"]
        )
        Education.objects.bulk_create(
            Education(cadre=cadre, kind="full_time", school=f"校{j}", major=m)
            for j, m in enumerate(extra["majors"])
        )
        Education.objects.bulk_create(
            Education(cadre=cadre, kind="in_service", level=EDU_BY_RANK.get(r, ""), school="党校",
                      end_date=end)
            for r, end in extra["educations"]
        )  # fmt: skip
    # The screening's kept facts, as every writer of these records keeps them (decision 0161).
    kept_facts_refresh(inserted)


class Rollback(Exception):
    pass


#: (post, rule, reference date) → the SQL and parameters of "the cadres that
#: rule does not fail". Their SQL depends on the post, the rule and the date
#: only, never on the cadres (rule_annotations with the history, as here, reads
#: no row to decide its shape), so Django compiles each once per run and each
#: example executes it on its own cadres (docs/decisions/0141). Under
#: (post, reference date): the annotated queryset all of that post's rules
#: filter.
Compiled = dict[tuple[Any, ...], Any]


@pytest.fixture
def compiled() -> Compiled:
    return {}


@pytest.fixture
def post_rules() -> dict[tuple[int, dt.date], list[Any]]:
    """The rules of a post at a date, read once per run: the packs do not
    change between examples (each rolls back its cadres only)."""
    return {}


def passing_ids(
    compiled: Compiled,
    post: Any,
    rules: list[Any],
    i: int,
    pf: Any,
    ref: dt.date,
    per_row: bool = False,
) -> set[int]:
    """The ids of the cadres rule `i` lets through, by its own SQL condition
    (`compile.rule_pass_q` filtering the cadres annotated by rule_annotations),
    the very query `annotated.filter(...).values_list("id")` runs; `per_row`:
    the form the exclusion counts' FILTER uses."""
    key = (post.pk, i, ref, per_row)
    if key not in compiled:
        # The annotations do not depend on the rule: built once per post and
        # date (building them costs far more than running the query).
        annotated = compiled.get((post.pk, ref))
        if annotated is None:
            annotated = compiled[post.pk, ref] = Cadre.objects.annotate(
                **rule_annotations(rules, ref)
            )
        passes = rule_pass_q(rules[i], pf, ref, per_row=per_row)
        query = annotated.filter(passes).values_list("id", flat=True).query
        compiled[key] = query.get_compiler(using=DEFAULT_DB_ALIAS).as_sql()
    sql, params = compiled[key]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall()}


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_screen_and_explain_agree(data, posts, tenure_posts, county, admin, compiled, post_rules):
    now = data.draw(st.sampled_from(NOWS))
    ref = now - dt.timedelta(days=data.draw(st.sampled_from(PAST)))
    specs = data.draw(st.lists(cadre_spec(now), min_size=1, max_size=6))
    try:
        with transaction.atomic():
            insert(specs, county.town, tenure_posts)
            facts = cadre_facts(Cadre.objects.all())
            for post in posts:
                if (post.pk, ref) not in post_rules:
                    post_rules[post.pk, ref] = rules_for_post(post, ref)
                rules = post_rules[post.pk, ref]
                assert rules, post
                pf = post_facts(post)
                verdicts = {f.id: explain(rules, f, pf, ref) for f in facts}
                # Rule by rule: one rule's disagreement must not hide behind another's failure.
                for i, rule in enumerate(rules):
                    py = {
                        cid for cid, v in verdicts.items() if v.results[i].status is not Status.FAIL
                    }
                    for per_row in (False, True):
                        sql = passing_ids(compiled, post, rules, i, pf, ref, per_row)
                        assert sql == py, (post.title, rule.id, ref, per_row)
                # screen() itself, the production path: built and compiled afresh.
                by_sql = set(screen(actor=admin, post=post, ref=ref).values_list("id", flat=True))
                by_python = {cid for cid, v in verdicts.items() if v.eligible}
                assert by_sql == by_python, (post.title, ref)
            raise Rollback
    except Rollback:
        pass
