"""Every rule of the three shipped packs: a passing, a failing and an edge case."""

import datetime as dt

import pytest

from tests.policy.helpers import POSTS, REF, RULES, born, facts, judge
from xuanren.policy.rules import Finding, Sanction, Status, fails

P, F, NA = Status.PASS, Status.FAIL, Status.NOT_APPLICABLE

# (rule, post, facts, expected) — "edge" rows sit exactly on the boundary.
CASES = [
    # county-leading-rules: ages of newly promoted principals and 副科 (周岁 at the reference date)
    (
        "county.principal.organ.male.age",
        "organ_principal",
        {"birth_date": born(45)},
        P,
    ),  # edge: 45th birthday today
    (
        "county.principal.organ.male.age",
        "organ_principal",
        {"birth_date": born(46)},
        F,
    ),  # edge: 46th birthday today
    (
        "county.principal.organ.male.age",
        "organ_principal",
        {"birth_date": born(46, days=1)},
        P,
    ),  # edge: 46 tomorrow
    (
        "county.principal.organ.male.age",
        "organ_principal",
        {"birth_date": born(50), "sex": "female"},
        NA,
    ),
    (
        "county.principal.organ.male.age",
        "organ_principal",
        {"birth_date": born(50), "level": "section_principal"},
        NA,
    ),
    (
        "county.principal.organ.female.age",
        "organ_principal",
        {"sex": "female", "birth_date": born(40)},
        P,
    ),
    (
        "county.principal.organ.female.age",
        "organ_principal",
        {"sex": "female", "birth_date": born(41)},
        F,
    ),
    (
        "county.principal.organ.female.age",
        "organ_principal",
        {"sex": "female", "birth_date": born(41, days=1)},
        P,
    ),  # edge: one day short of 41
    ("county.principal.township.male.age", "township_principal", {"birth_date": born(40)}, P),
    ("county.principal.township.male.age", "township_principal", {"birth_date": born(41)}, F),
    ("county.principal.township.male.age", "organ_principal", {"birth_date": born(41)}, NA),
    (
        "county.principal.township.female.age",
        "township_principal",
        {"sex": "female", "birth_date": born(38)},
        P,
    ),
    (
        "county.principal.township.female.age",
        "township_principal",
        {"sex": "female", "birth_date": born(39)},
        F,
    ),
    (
        "county.principal.township.female.age",
        "township_principal",
        {"sex": "female", "birth_date": born(39, days=1)},
        P,
    ),
    ("county.deputy.organ.male.age", "organ_deputy", {"level": "", "birth_date": born(43)}, P),
    ("county.deputy.organ.male.age", "organ_deputy", {"level": "", "birth_date": born(44)}, F),
    (
        "county.deputy.organ.male.age",
        "organ_deputy",
        {"level": "section_deputy", "birth_date": born(50)},
        NA,
    ),
    (
        "county.deputy.organ.female.age",
        "organ_deputy",
        {"level": "", "sex": "female", "birth_date": born(41)},
        P,
    ),
    (
        "county.deputy.organ.female.age",
        "organ_deputy",
        {"level": "", "sex": "female", "birth_date": born(42)},
        F,
    ),
    (
        "county.deputy.organ.female.age",
        "organ_deputy",
        {"level": "", "sex": "female", "birth_date": born(42, days=1)},
        P,
    ),
    (
        "county.deputy.township.male.age",
        "township_deputy",
        {"level": "subsection_principal", "birth_date": born(40)},
        P,
    ),
    (
        "county.deputy.township.male.age",
        "township_deputy",
        {"level": "subsection_principal", "birth_date": born(41)},
        F,
    ),
    (
        "county.deputy.township.male.age",
        "township_deputy",
        {"level": "subsection_principal", "birth_date": born(41, days=1)},
        P,
    ),
    (
        "county.deputy.township.female.age",
        "township_deputy",
        {"level": "", "sex": "female", "birth_date": born(38)},
        P,
    ),
    (
        "county.deputy.township.female.age",
        "township_deputy",
        {"level": "", "sex": "female", "birth_date": born(39)},
        F,
    ),
    (
        "county.deputy.township.female.age",
        "township_deputy",
        {"level": "", "sex": "female", "birth_date": born(39, days=1)},
        P,
    ),
    # a principal under 30 needs a bachelor's degree
    (
        "county.principal.under30.education",
        "township_principal",
        {"birth_date": born(29), "education_rank": 5},
        P,
    ),
    (
        "county.principal.under30.education",
        "township_principal",
        {"birth_date": born(29), "education_rank": 4},
        F,
    ),
    # “年龄在30岁以下的须具有大学本科学历”：以下含本数，满 30 周岁当天仍须本科。
    (
        "county.principal.under30.education",
        "township_principal",
        {"birth_date": born(30), "education_rank": 4},
        F,
    ),  # edge: 30th birthday on the reference date
    (
        "county.principal.under30.education",
        "township_principal",
        {"birth_date": born(30), "education_rank": 5},
        P,
    ),  # edge: 30 today with 本科
    (
        "county.principal.under30.education",
        "township_principal",
        {"birth_date": born(31, days=1), "education_rank": 4},
        F,
    ),  # edge: 31 tomorrow, still 30
    (
        "county.principal.under30.education",
        "township_principal",
        {"birth_date": born(31), "education_rank": 4},
        NA,
    ),  # edge: 31st birthday on the reference date
    (
        "county.principal.under30.education",
        "township_principal",
        {"birth_date": born(29), "education_rank": 4, "level": "section_principal"},
        NA,
    ),  # not newly promoted
    (
        "county.deputy.education",
        "township_deputy",
        {"level": "", "education_rank": 4},
        P,
    ),  # edge: 大专 itself
    ("county.deputy.education", "township_deputy", {"level": "", "education_rank": 3}, F),
    (
        "county.deputy.education",
        "township_deputy",
        {"level": "", "education_rank": 0},
        F,
    ),  # missing
    # section-level-rules
    ("section.education", "subsection_deputy", {"education_rank": 4}, P),
    ("section.education", "subsection_deputy", {"education_rank": 3}, F),
    ("section.education", "subsection_deputy", {"education_rank": 6}, P),
    ("section.age", "subsection_deputy", {"birth_date": born(50)}, P),  # 50周岁以下 includes 50
    ("section.age", "subsection_deputy", {"birth_date": born(51)}, F),
    ("section.age", "subsection_deputy", {"birth_date": born(51, days=1)}, P),
    # 专业对口 (docs/decisions/0088): a major or the 熟悉专业 contains a listed term
    ("section.professional", "agri_subsection", {"majors": ("茶学",)}, P),
    ("section.professional", "agri_subsection", {"majors": ("设施园艺",)}, P),  # 2nd term
    ("section.professional", "agri_subsection", {"majors": ("汉语言文学",)}, F),
    ("section.professional", "agri_subsection", {}, F),  # nothing recorded
    ("section.professional", "subsection_deputy", {"majors": ("汉语言文学",)}, NA),
    ("county.professional", "agri_deputy", {"majors": ("汉语言文学", "动物医学")}, F),
    ("county.professional", "agri_deputy", {"majors": ("汉语言文学", "农学")}, P),  # 2nd row
    ("county.professional", "agri_deputy", {"specialty": "畜牧兽医技术推广"}, P),
    ("county.professional", "organ_deputy", {}, NA),  # no requirement
    # 逐级提拔 (docs/decisions/0089): 正股 from 副股 after two years (第三项（4））; from
    # anywhere lower it is 越级, which only 破格 covers.
    (
        "section.ladder",
        "subsection_principal",
        {"level": "subsection_deputy", "level_since": REF.replace(year=REF.year - 2)},
        P,
    ),  # edge: two years exactly on the reference date
    (
        "section.ladder",
        "subsection_principal",
        {
            "level": "subsection_deputy",
            "level_since": REF.replace(year=REF.year - 2) + dt.timedelta(days=1),
        },
        F,
    ),  # edge: one day short
    (
        "section.ladder",
        "subsection_principal",
        {"level": "subsection_deputy", "level_since": None},
        F,
    ),
    (
        "section.ladder",
        "subsection_principal",
        {"level": "", "level_since": None},
        F,
    ),  # a 科员 of long standing: 越级 over 副股
    ("section.ladder", "subsection_deputy", {"level": "", "level_since": None}, P),
    ("section.ladder", "subsection_deputy", {"level": "subsection_principal"}, NA),
    ("section.ladder", "organ_deputy", {"level": ""}, NA),  # not a 股级 post
    # national-2019
    (
        "national.work_years",
        "division_deputy",
        {"work_start_date": REF.replace(year=REF.year - 5)},
        P,
    ),
    (
        "national.work_years",
        "division_deputy",
        {"work_start_date": REF.replace(year=REF.year - 5) + dt.timedelta(days=1)},
        F,
    ),
    ("national.work_years", "division_deputy", {"work_start_date": None}, F),
    ("national.work_years", "organ_deputy", {"work_start_date": None}, NA),
    ("national.grassroots_years", "division_deputy", {"grassroots_months": 24}, P),
    ("national.grassroots_years", "division_deputy", {"grassroots_months": 23}, F),
    ("national.grassroots_years", "division_deputy", {"grassroots_months": None}, F),
    # 逐级提拔: 副职→正职 two years, 下级正职→上级副职 three years (第八条第（三）项)
    (
        "national.ladder",
        "organ_section_principal",
        {"level": "section_deputy", "level_since": REF.replace(year=REF.year - 2)},
        P,
    ),  # edge: two years as 副科 exactly on the reference date
    (
        "national.ladder",
        "organ_section_principal",
        {
            "level": "section_deputy",
            "level_since": REF.replace(year=REF.year - 2) + dt.timedelta(days=1),
        },
        F,
    ),
    (
        "national.ladder",
        "organ_section_principal",
        {"level": "section_deputy", "level_since": None},
        F,
    ),
    # the issue's cases: a 副股 and a 四级主任科员 without a leadership post, for 正科
    ("national.ladder", "organ_section_principal", {"level": "subsection_deputy"}, F),
    (
        "national.ladder",
        "organ_section_principal",
        {
            "level": "",
            "level_since": None,
            "rank": "四级主任科员",
            "rank_since": REF.replace(year=REF.year - 6),
        },
        F,
    ),
    ("national.ladder", "organ_section_principal", {"level": "section_principal"}, NA),
    ("national.ladder", "organ_deputy", {"level": "", "level_since": None}, P),  # 科员 → 副科
    ("national.ladder", "organ_deputy", {"level": "subsection_principal"}, P),
    (
        "national.ladder",
        "division_principal_party",
        {"level": "division_deputy", "level_since": REF.replace(year=REF.year - 2)},
        P,
    ),
    (
        "national.ladder",
        "division_principal_party",
        {"level": "division_deputy", "level_since": REF.replace(year=REF.year - 1)},
        F,
    ),
    ("national.ladder", "division_principal_party", {"level": "section_principal"}, F),  # 越级
    (
        "national.ladder",
        "division_deputy",
        {"level": "section_principal", "level_since": REF.replace(year=REF.year - 3)},
        P,
    ),  # edge: three years exactly
    (
        "national.ladder",
        "division_deputy",
        {
            "level": "section_principal",
            "level_since": REF.replace(year=REF.year - 3) + dt.timedelta(days=1),
        },
        F,
    ),
    (
        "national.ladder",
        "division_deputy",
        {"level": "section_deputy", "level_since": REF.replace(year=REF.year - 9)},
        F,
    ),
    (
        "national.ladder",
        "bureau_deputy",
        {"level": "division_principal", "level_since": REF.replace(year=REF.year - 3)},
        P,
    ),
    ("national.education", "organ_deputy", {"education_rank": 4}, P),
    ("national.education", "organ_deputy", {"education_rank": 3}, F),
    ("national.education", "subsection_deputy", {"education_rank": 1}, NA),
    ("national.education.bureau", "bureau_deputy", {"education_rank": 5}, P),
    ("national.education.bureau", "bureau_deputy", {"education_rank": 4}, F),
    ("national.education.bureau", "organ_deputy", {"education_rank": 4}, NA),
    (
        "national.training",
        "division_deputy",
        {"training_hours": {2022: 250, 2026: 300}},
        P,
    ),  # edge: exactly 550 in 2022–2026
    (
        "national.training",
        "division_deputy",
        {"training_hours": {2021: 250, 2026: 300}},
        F,
    ),  # 2021 lies outside the window
    ("national.training", "division_deputy", {"training_hours": {}}, F),
    # 党章第二十七条: county committees three years of party age, province and city five.
    (
        "national.party_years.county",
        "division_principal_party",
        {"party_join_date": REF.replace(year=REF.year - 3)},
        P,
    ),  # edge: three years today
    (
        "national.party_years.county",
        "division_principal_party",
        {"party_join_date": REF.replace(year=REF.year - 3) + dt.timedelta(days=1)},
        F,
    ),  # edge: three years tomorrow
    (
        "national.party_years.county",
        "division_principal_party",
        {"party_join_date": None, "political_status": "masses"},
        F,
    ),
    ("national.party_years.county", "division_deputy", {"party_join_date": None}, NA),
    ("national.party_years.county", "bureau_deputy_party", {"party_join_date": None}, NA),
    (
        "national.party_years.province_city",
        "bureau_deputy_party",
        {"party_join_date": REF.replace(year=REF.year - 5)},
        P,
    ),  # edge: five years today
    (
        "national.party_years.province_city",
        "bureau_deputy_party",
        {"party_join_date": REF.replace(year=REF.year - 5) + dt.timedelta(days=1)},
        F,
    ),  # four years and a day short: enough for a county, not here
    (
        "national.party_years.province_city",
        "division_principal_party",
        {"party_join_date": REF.replace(year=REF.year - 4)},
        NA,
    ),
    # 第八条第（二）项: 在下一级两个以上职位任职 (distinct posts, begun by the reference date)
    (
        "national.lower_level_posts",
        "division_deputy",
        {"tenures": ((1, "section_deputy", dt.date(2015, 1, 1)), (2, "section_principal", REF))},
        P,
    ),  # edge: the second post begun on the reference date
    (
        "national.lower_level_posts",
        "division_deputy",
        {
            "tenures": (
                (1, "section_deputy", dt.date(2015, 1, 1)),
                (2, "section_principal", REF + dt.timedelta(days=1)),
            )
        },
        F,
    ),  # edge: the second post begins the day after
    (
        "national.lower_level_posts",
        "division_deputy",
        {
            "tenures": (
                (1, "section_deputy", dt.date(2015, 1, 1)),
                (1, "section_deputy", dt.date(2019, 1, 1)),
            )
        },
        F,
    ),  # the same post twice is one post
    (
        "national.lower_level_posts",
        "division_deputy",
        {
            "tenures": (
                (1, "section_deputy", dt.date(2015, 1, 1)),
                (3, "subsection_principal", dt.date(2012, 1, 1)),
            )
        },
        F,
    ),  # a 股级 post is not the next level down
    ("national.lower_level_posts", "organ_deputy", {"tenures": ()}, NA),
    (
        "national.lower_level_posts.bureau",
        "bureau_deputy",
        {
            "tenures": (
                (5, "division_deputy", dt.date(2015, 1, 1)),
                (6, "division_principal", dt.date(2020, 1, 1)),
            )
        },
        P,
    ),
    (
        "national.lower_level_posts.bureau",
        "bureau_deputy",
        {
            "tenures": (
                (5, "division_deputy", dt.date(2015, 1, 1)),
                (6, "section_principal", dt.date(2010, 1, 1)),
            )
        },
        F,
    ),
    # 第八条第（六）项: 具有正常履行职责的身体条件
    ("national.fit_for_duty", "organ_deputy", {"level": "", "health": "健康"}, P),
    ("national.fit_for_duty", "organ_deputy", {"level": "", "health": "一般"}, P),
    ("national.fit_for_duty", "organ_deputy", {"level": "", "health": "长期病休"}, F),
    ("national.fit_for_duty", "organ_deputy", {"level": "", "health": ""}, F),  # missing
    (
        "national.fit_for_duty",
        "organ_deputy",
        {"level": "section_deputy", "health": "长期病休"},
        NA,
    ),  # not a promotion
    # 不得列为考察对象: findings in force on the reference date
    ("national.negative.political_discipline", "organ_deputy", {"findings": ()}, P),
    (
        "national.negative.political_discipline",
        "organ_deputy",
        {"findings": (Finding("political_discipline", dt.date(2026, 3, 1), None),)},
        F,
    ),  # no end date: in force
    (
        "national.negative.political_discipline",
        "organ_deputy",
        {"findings": (Finding("political_discipline", dt.date(2025, 3, 1), REF),)},
        F,
    ),  # edge: ends on ref
    (
        "national.negative.political_discipline",
        "organ_deputy",
        {
            "findings": (
                Finding("political_discipline", dt.date(2025, 3, 1), REF - dt.timedelta(days=1)),
            )
        },
        P,
    ),  # edge: ended the day before
    (
        "national.negative.political_discipline",
        "organ_deputy",
        {"findings": (Finding("office_seeking", dt.date(2026, 3, 1), None),)},
        P,
    ),  # another finding is another rule's
    (
        "national.negative.low_recognition",
        "organ_deputy",
        {"findings": (Finding("low_recognition", dt.date(2026, 6, 1), dt.date(2027, 5, 31)),)},
        F,
    ),
    (
        "national.negative.low_recognition",
        "organ_deputy",
        {"findings": (Finding("low_recognition", REF + dt.timedelta(days=1), None),)},
        P,
    ),  # edge: recorded after ref
    ("national.negative.low_recognition", "organ_deputy", {}, P),
    (
        "national.negative.office_seeking",
        "organ_deputy",
        {"findings": (Finding("office_seeking", REF, None),)},
        F,
    ),  # edge: found on ref
    ("national.negative.office_seeking", "organ_deputy", {}, P),
    ("national.party_member", "township_principal", {"political_status": "cpc_probationary"}, P),
    ("national.party_member", "township_principal", {"political_status": "masses"}, F),
    ("national.party_member", "township_deputy", {"political_status": "masses"}, NA),
    (
        "national.negative.assessment",
        "organ_deputy",
        {"assessments": {REF.year - 1: "excellent"}},
        P,
    ),
    (
        "national.negative.assessment",
        "organ_deputy",
        {"assessments": {REF.year - 1: "basically_competent"}},
        F,
    ),
    (
        "national.negative.assessment",
        "organ_deputy",
        {"assessments": {REF.year - 1: "not_graded"}},
        P,
    ),
    (
        "national.negative.assessment",
        "organ_deputy",
        {"assessments": {REF.year - 2: "excellent"}},
        F,
    ),  # missing last year
    (
        "national.negative.sanction",
        "organ_deputy",
        {"sanctions": (Sanction("warning_talk", dt.date(2026, 1, 1), REF),)},
        F,
    ),  # edge: ends on ref
    (
        "national.negative.sanction",
        "organ_deputy",
        {"sanctions": (Sanction("warning_talk", dt.date(2026, 1, 1), REF - dt.timedelta(days=1)),)},
        P,
    ),
    (
        "national.negative.sanction",
        "organ_deputy",
        {"sanctions": (Sanction("party_discipline", dt.date(2026, 1, 1), None),)},
        F,
    ),
    (
        "national.negative.sanction",
        "organ_deputy",
        {"sanctions": (Sanction("party_discipline", REF + dt.timedelta(days=1), None),)},
        P,
    ),  # decided after ref
    (
        "national.negative.emigrated",
        "organ_deputy",
        {"family": (("spouse", False), ("son", True))},
        P,
    ),
    ("national.negative.emigrated", "organ_deputy", {"family": (("spouse", True),)}, F),
    (
        "national.negative.emigrated",
        "organ_deputy",
        {"family": (("son", True), ("daughter", True))},
        F,
    ),
    (
        "national.negative.emigrated",
        "organ_deputy",
        {"family": (("son", True), ("daughter", False))},
        P,
    ),
    ("national.negative.emigrated", "organ_deputy", {"family": ()}, P),
    ("national.four_musts.archive", "organ_deputy", {"archive_review_status": "passed"}, P),
    ("national.four_musts.archive", "organ_deputy", {"archive_review_status": "issues_found"}, F),
    (
        "national.four_musts.personal_matters",
        "organ_deputy",
        {"personal_matters_status": "verified"},
        P,
    ),
    (
        "national.four_musts.personal_matters",
        "organ_deputy",
        {"personal_matters_status": "reported"},
        F,
    ),
]


@pytest.mark.parametrize(("rule_id", "post", "kw", "expected"), CASES)
def test_rule(rule_id, post, kw, expected):
    result = judge(rule_id, post, **kw)
    assert result.status is expected, result.sentence


@pytest.mark.parametrize(("rule_id", "post", "kw", "expected"), CASES)
def test_fails_gives_the_verdict_of_evaluate(rule_id, post, kw, expected):
    """rules.fails (no sentence; the demo history's check, decision 0133)
    says FAIL exactly where evaluate does."""
    assert fails(RULES[rule_id], facts(**kw), POSTS[post], REF) is (expected is F)


def test_every_shipped_rule_has_a_pass_and_a_fail_case():
    for rule_id in RULES:
        statuses = {expected for rid, _p, _k, expected in CASES if rid == rule_id}
        assert {P, F} <= statuses, rule_id


def test_the_issue_sentence_for_a_woman_of_41():
    result = judge(
        "county.principal.township.female.age",
        "township_principal",
        sex="female",
        birth_date=dt.date(1985, 3, 2),
        level="section_deputy",
    )
    assert result.status is F
    assert result.sentence.startswith("女，1985-03-02 生，至基准日 2026-11-27 为 41 周岁，不符合")
    assert "（不超过38周岁）" in result.sentence
    assert "《关于进一步加强科级领导班子建设的意见》" in result.sentence


def test_missing_data_fails_and_names_the_field():
    result = judge("national.grassroots_years", "division_deputy", grassroots_months=None)
    assert result.status is F
    assert "资料不全" in result.sentence and "基层工作经历" in result.sentence
    assert result.missing == "grassroots_months"


def test_29_february_birthday_reaches_the_age_on_1_march():
    # Born 1988-02-29: still 40 on 2029-02-28, 41 on 2029-03-01 (a common year).
    kw = {"sex": "male", "birth_date": dt.date(1988, 2, 29), "level": "section_deputy"}
    rule = "county.principal.township.male.age"
    before = judge(rule, "township_principal", ref=dt.date(2029, 2, 28), **kw)
    assert "为 40 周岁" in before.sentence and before.status is P
    after = judge(rule, "township_principal", ref=dt.date(2029, 3, 1), **kw)
    assert "为 41 周岁" in after.sentence and after.status is F
    leap = judge(rule, "township_principal", ref=dt.date(2028, 2, 29), **kw)
    assert "为 40 周岁" in leap.sentence


def test_waived_only_when_waivable():
    from tests.policy.helpers import POSTS, facts
    from xuanren.policy.rules import evaluate

    waivable = RULES["section.ladder"]
    f = facts(level="subsection_deputy", level_since=REF - dt.timedelta(days=200))
    assert (
        evaluate(waivable, f, POSTS["subsection_principal"], REF, waived=True).status
        is Status.WAIVED
    )
    basic = RULES["section.age"]
    old = facts(birth_date=born(60))
    assert evaluate(basic, old, POSTS["subsection_deputy"], REF, waived=True).status is F


def test_training_shortfall_names_its_exception_and_fails():
    """第八条第（五）项: short of training hours fails, and the sentence names the
    exception the article itself provides (须经批准) — never a silent pass."""
    result = judge("national.training", "division_deputy", training_hours={2026: 549})
    assert result.status is F
    assert "确因特殊情况在提任前未达到培训要求的，应当在提任后一年内完成培训" in result.sentence
    assert "须经批准" in result.sentence


def test_training_exception_approved_shows_the_obligation_not_a_promotion_exception():
    from tests.policy.helpers import POSTS, facts
    from xuanren.policy.rules import evaluate

    rule = RULES["national.training"]
    result = evaluate(rule, facts(training_hours={}), POSTS["division_deputy"], REF, waived=True)
    assert result.status is Status.WAIVED
    assert "已经批准适用例外" in result.sentence
    assert "应当在提任后一年内完成培训" in result.sentence
    assert "破格" not in result.sentence


def test_training_met_says_nothing_of_the_exception():
    result = judge("national.training", "division_deputy", training_hours={2026: 550})
    assert result.status is P
    assert "例外" not in result.sentence
