"""The promotion ladder (docs/decisions/0089): the rung to a level, 越级 and its
limit, 职级 counted as equivalent, and the facts of a past reference date."""

import datetime as dt

import pytest

from tests.policy.helpers import POSTS, REF, RULES, facts
from xuanren.policy.rules import (
    EducationFact,
    RuleDataError,
    Status,
    TenureFact,
    evaluate,
    explain,
    facts_at,
    ladder_summary,
    rule_from_data,
    skipped_levels,
)

LADDER = RULES["national.ladder"]
SECTION = RULES["section.ladder"]
P, F, W, NA = Status.PASS, Status.FAIL, Status.WAIVED, Status.NOT_APPLICABLE


def years_ago(n: int, days: int = 0) -> dt.date:
    return REF.replace(year=REF.year - n) + dt.timedelta(days=days)


def verdict(rule, post, waived=False, **kw):
    return evaluate(rule, facts(**kw), POSTS[post], REF, waived=waived)


def test_the_issue_cases_fail_as_rank_skipping():
    """A 副股 appointed 2025-12 and a 四级主任科员 who never held a leadership
    post, for a 正科 局长: both fail, naming the rung they jump over."""
    deputy = verdict(LADDER, "organ_section_principal", level="subsection_deputy",
                     level_since=dt.date(2025, 12, 1))  # fmt: skip
    assert deputy.status is F
    assert "现任副股级，越过副科级，属越级提拔" in deputy.sentence
    assert "提任正科级应当由副科级任职2年以上" in deputy.sentence
    clerk = verdict(LADDER, "organ_section_principal", level="", level_since=None,
                    rank="四级主任科员", rank_since=years_ago(6))  # fmt: skip
    assert clerk.status is F
    assert clerk.sentence.startswith("未担任领导职务，越过副科级，属越级提拔")


def test_one_rung_jumped_is_covered_by_an_approved_exception():
    result = verdict(LADDER, "division_deputy", waived=True, level="section_deputy",
                     level_since=years_ago(5))  # fmt: skip
    assert result.status is W
    assert "越过正科级" in result.sentence and "已经批准破格" in result.sentence


def test_two_rungs_jumped_fail_even_with_an_approval():
    result = verdict(LADDER, "division_deputy", waived=True, level="subsection_principal")
    assert result.status is F
    assert "越过副科级、正科级" in result.sentence
    assert result.sentence.endswith("破格提拔不得越两级")


def test_years_short_on_the_rung_are_covered_by_an_approval():
    result = verdict(LADDER, "organ_section_principal", waived=True, level="section_deputy",
                     level_since=years_ago(1))  # fmt: skip
    assert result.status is W


def test_rungs_counted_on_the_ladder_not_on_level_numbers():
    assert skipped_levels(LADDER, "", "section_deputy") == []
    assert skipped_levels(LADDER, "subsection_deputy", "section_principal") == ["section_deputy"]
    assert skipped_levels(LADDER, "", "division_deputy") == ["section_deputy", "section_principal"]
    assert skipped_levels(SECTION, "", "subsection_principal") == ["subsection_deputy"]
    assert skipped_levels(SECTION, "section_deputy", "subsection_principal") is None


def test_the_rung_sentence_for_the_candidate_page():
    text = ladder_summary(LADDER, "division_deputy")
    assert text.startswith(
        "提任副处级应当由正科级任职3年以上；由副科级提任属越级（越一级），须经批准破格提拔；不得越两级提拔"
    )
    assert "第八条第（三）项" in text
    assert ladder_summary(LADDER, "subsection_principal") == ""
    # 副科 is reached from anything lower: no 越级 at all.
    assert "越级" not in ladder_summary(LADDER, "section_deputy")


RANKS = rule_from_data(
    {
        "id": "t.ladder",
        "title": "逐级提拔",
        "measure": "ladder",
        "when": {"promotion": True},
        "steps": [
            {"to": "section_deputy", "from": [""], "years": 0},
            {"to": "section_principal", "from": ["section_deputy"], "years": 2,
             "ranks": ["四级主任科员"], "source": "某规定"},
        ],
    },
    pack="t",
    default_source="测试",
)  # fmt: skip


def test_a_rank_counted_as_equivalent_by_the_rules():
    ok = verdict(RANKS, "organ_section_principal", level="", level_since=None,
                 rank="四级主任科员", rank_since=years_ago(2))  # fmt: skip
    assert (
        ok.status is P
        and "现任职级四级主任科员" in ok.sentence
        and "（来源：某规定）" in ok.sentence
    )
    short = verdict(RANKS, "organ_section_principal", level="", level_since=None,
                    rank="四级主任科员", rank_since=years_ago(2, days=1))  # fmt: skip
    assert short.status is F
    undated = verdict(RANKS, "organ_section_principal", level="", level_since=None,
                      rank="四级主任科员", rank_since=None)  # fmt: skip
    assert undated.status is F and undated.missing == "rank_since"


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([], "steps 不能为空"),
        ([{"to": "x", "from": [""]}], "未知层次"),
        ([{"to": "section_principal", "from": ["division_deputy"]}], "同级或更高"),
        ([{"to": "section_deputy", "from": [""], "years": 2}], "不能要求任职年限"),
        ([{"to": "section_deputy", "from": [""]}, {"to": "section_deputy", "from": [""]}], "重复"),
        ([{"to": "section_principal", "from": ["section_deputy"], "years": -1}], "非负整数"),
    ],
)
def test_malformed_ladders_are_refused(steps, message):
    with pytest.raises(RuleDataError, match=message):
        rule_from_data(
            {"id": "t", "title": "t", "measure": "ladder", "steps": steps},
            pack="t",
            default_source="s",
        )


# ---- facts as of a date ---------------------------------------------------------------


def test_a_past_date_reads_the_level_from_the_tenures():
    """正科 since 2025; on 2024-06-30 the cadre was 副科 (since 2021), so the
    promotion to 正科 re-checked on the eve of its decision passes the rung."""
    f = facts(
        level="section_principal",
        level_since=dt.date(2025, 3, 1),
        tenures=(
            TenureFact(1, "subsection_principal", dt.date(2016, 1, 1), dt.date(2021, 3, 1)),
            TenureFact(2, "section_deputy", dt.date(2021, 3, 1), dt.date(2025, 3, 1)),
            TenureFact(3, "section_principal", dt.date(2025, 3, 1)),
        ),
    )
    eve = dt.date(2025, 2, 28)
    past = facts_at(f, eve)
    assert (past.level, past.level_since) == ("section_deputy", dt.date(2021, 3, 1))
    result = explain([LADDER], f, POSTS["organ_section_principal"], eve).results[0]
    assert result.status is P and "满 3 年" in result.sentence
    # On the decision date itself the new level counts: no longer a promotion.
    assert (
        explain([LADDER], f, POSTS["organ_section_principal"], dt.date(2025, 3, 1))
        .results[0]
        .status
        is NA
    )
    # Before any tenure: no leadership level.
    assert facts_at(f, dt.date(2015, 12, 31)).level == ""


def test_tenure_ending_on_the_date_is_no_longer_held():
    f = facts(level="", level_since=dt.date(2026, 1, 1),
              tenures=(TenureFact(1, "section_deputy", dt.date(2020, 1, 1), dt.date(2024, 1, 1)),))  # fmt: skip
    assert facts_at(f, dt.date(2023, 12, 31)).level == "section_deputy"
    assert facts_at(f, dt.date(2024, 1, 1)).level == ""


def test_unknown_level_date_keeps_todays_level_without_history():
    f = facts(level="section_deputy", level_since=None, tenures=())
    assert facts_at(f, dt.date(2010, 1, 1)).level == "section_deputy"
    clerk = facts(
        level="", level_since=None, tenures=(TenureFact(1, "section_deputy", dt.date(2010, 1, 1)),)
    )
    assert facts_at(clerk, dt.date(2015, 1, 1)).level == ""  # a 科员 has no level on any date


def test_education_of_a_past_date():
    f = facts(
        education_rank=5,
        education_since=dt.date(2020, 7, 1),
        educations=(EducationFact(4, dt.date(2010, 7, 1)), EducationFact(5, dt.date(2020, 7, 1))),
    )
    assert facts_at(f, dt.date(2020, 7, 1)).education_rank == 5  # graduation day counts
    assert facts_at(f, dt.date(2020, 6, 30)).education_rank == 4
    assert facts_at(f, dt.date(2010, 6, 30)).education_rank == 0
    undated = facts(education_rank=5, education_since=None)
    assert facts_at(undated, dt.date(1990, 1, 1)).education_rank == 5


def test_party_membership_of_a_past_date():
    f = facts(political_status="cpc_member", party_join_date=dt.date(2020, 7, 1))
    assert facts_at(f, dt.date(2020, 6, 30)).political_status == ""
    assert facts_at(f, dt.date(2020, 7, 1)).political_status == "cpc_member"
    rule = RULES["national.party_member"]
    post = POSTS["division_principal_party"]
    assert explain([rule], f, post, dt.date(2020, 6, 30)).results[0].status is F
