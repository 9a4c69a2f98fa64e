"""智能选人: the screening page, its explanation panel, its spreadsheet, the
可任职位 form of the cadre page, and who may see what."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tests.conftest import County, Personas
from tests.web.helpers import page_text
from xuanren.common.dates import completed_years
from xuanren.org.models import Level
from xuanren.org.services import post_create
from xuanren.people.models import Cadre
from xuanren.people.services import assessment_set, cadre_update, education_add
from xuanren.policy.selectors import failure_counts, screen

REF = dt.date(2026, 11, 27)
HTMX = {"HX-Request": "true"}
AGE_RULE = "乡镇新提拔党政正职，女性不超过 38 周岁"
ASSESSMENT_RULE = "上一年度年度考核结果为基本称职以下等次的，不得列为考察对象"


def make_candidate(
    admin: User,
    make_cadre: Any,
    unit: Any,
    *,
    name: str,
    birth: dt.date,
    sex: str = "male",
    grade: str = "competent",
    education: str = "bachelor",
    level_since: dt.date = dt.date(2020, 1, 1),
) -> Cadre:
    """A 副科 cadre who meets every rule of a township principal post unless the
    arguments say otherwise (age, last year's grade, education)."""
    cadre = make_cadre(
        unit,
        name=name,
        sex=sex,
        birth=birth,
        level=Level.SECTION_DEPUTY,
        level_since=level_since,
    )
    education_add(
        actor=admin,
        cadre=cadre,
        kind="full_time",
        level=education,
        degree="bachelor" if education == "bachelor" else "none",
        school="浙江大学",
        major="公共管理",
        start_date=dt.date(birth.year + 18, 9, 1),
        end_date=dt.date(birth.year + 22, 7, 1),
    )
    assessment_set(actor=admin, cadre=cadre, year=REF.year - 1, grade=grade)
    assessment_set(actor=admin, cadre=cadre, year=REF.year - 2, grade="excellent")
    return cadre_update(
        actor=admin,
        cadre=cadre,
        changes={"archive_review_status": "passed", "personal_matters_status": "verified"},
    )


@dataclass
class Screening:
    chen: Cadre  # eligible, 城关镇
    wang: Cadre  # eligible, 财政局
    zhou: Cadre  # eligible, 石桥镇, a woman of 36
    liu: Cadre  # a woman of 41: too old for a township principal
    sun: Cadre  # last year 基本称职


@pytest.fixture
def screening(admin: User, county: County, make_cadre: Any) -> Screening:
    return Screening(
        chen=make_candidate(admin, make_cadre, county.town, name="陈明", birth=dt.date(1988, 5, 6)),
        wang=make_candidate(
            admin,
            make_cadre,
            county.finance,
            name="王强",
            birth=dt.date(1990, 1, 9),
            education="postgraduate",
            level_since=dt.date(2023, 6, 1),
        ),
        zhou=make_candidate(
            admin,
            make_cadre,
            county.other_town,
            name="周敏",
            sex="female",
            birth=dt.date(1990, 2, 3),
            education="junior_college",
        ),
        liu=make_candidate(
            admin, make_cadre, county.town, name="刘芳", sex="female", birth=dt.date(1985, 3, 2)
        ),
        sun=make_candidate(
            admin,
            make_cadre,
            county.town,
            name="孙立",
            birth=dt.date(1987, 8, 8),
            grade="basically_competent",
        ),
    )


def _params(county: County, **extra: Any) -> dict[str, Any]:
    return {"post": county.town_secretary.pk, "ref_date": REF.isoformat(), **extra}


def _shown(response: Any) -> list[int]:
    return [row.cadre.pk for row in response.context["rows"]]


# ---- the page ------------------------------------------------------------------------


def test_page_renders_for_the_case_officer(client, county, personas, screening):
    client.force_login(personas.case_officer)
    response = client.get(reverse("web:candidates"))
    assert response.status_code == 200
    html = response.content.decode()
    text = page_text(response)
    assert "智能选人" in text
    assert "请选择拟任职位" in text
    # Posts grouped by unit; the reference date defaults to today.
    assert '<optgroup label="城关镇">' in html
    assert f'<option value="{county.town_secretary.pk}">党委书记（正科级·一把手）</option>' in html
    assert 'name="ref_date" value="' in html
    nav = re.search(r'<nav class="site-nav".*?</nav>', html, re.S).group(0)
    assert f'href="{reverse("web:candidates")}" aria-current="page">智能选人' in nav


def test_eligible_list_equals_screen(client, county, personas, screening):
    client.force_login(personas.case_officer)
    response = client.get(reverse("web:candidates"), _params(county))
    assert response.status_code == 200
    post = county.town_secretary
    expected = screen(actor=personas.case_officer, post=post, ref=REF)
    assert set(_shown(response)) == set(expected.values_list("pk", flat=True))
    assert set(_shown(response)) == {screening.chen.pk, screening.wang.pk, screening.zhou.pk}
    assert response.context["eligible_count"] == 3
    text = page_text(response)
    assert "城关镇党委书记" in text
    assert "2026.11.27" in text
    for name in ["陈明", "王强", "周敏"]:
        assert name in text
    row = next(r for r in response.context["rows"] if r.cadre.pk == screening.chen.pk)
    assert row.age == 38
    assert row.years_at_level == 6
    assert row.grades == ["", "优秀", "称职"]  # 2023, 2024, 2025
    html = response.content.decode()
    assert "<th>2023</th><th>2024</th><th>2025</th>" in html
    assert "副科级（2020.01 起）" in text


def test_failure_counts_shown(client, county, personas, screening):
    client.force_login(personas.case_officer)
    response = client.get(reverse("web:candidate_counts"), _params(county), headers=HTMX)
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert response.context["considered"] == 5
    counts = failure_counts(actor=personas.case_officer, post=county.town_secretary, ref=REF)
    shown = [(rc.rule.id, rc.failing) for rc in response.context["rule_counts"]]
    assert shown == [(rc.rule.id, rc.failing) for rc in counts]
    html = response.content.decode()
    rows = {
        m.group(1): int(m.group(2))
        for m in re.finditer(
            r"<td>([^<]+)</td>\s*<td class=\"muted\">[^<]*</td>.*?"
            r"<td class=\"num failing\">(\d+) 人</td>",
            html,
            re.S,
        )
    }
    assert rows[AGE_RULE] == 1  # 刘芳
    assert rows[ASSESSMENT_RULE] == 1  # 孙立
    assert rows["凡提四必：干部档案必审"] == 0
    # Rules of the packs that do not concern a 正科 post are not listed.
    assert "县处级" not in page_text(response)
    assert "逐级提拔：提任上一级领导职务，应当在下一级职位任职满规定年限" in html
    # The post's rung, with what 破格 may cover (docs/decisions/0089).
    assert (
        "提任正科级应当由副科级任职2年以上；由正股级、副股级、未担任领导职务提任属越级（越一级）"
        in html
    )
    assert "可破格" in html and "不可破格" in html


def test_counts_load_after_the_page(client, county, personas, screening):
    """The page does not wait on the exclusion counts (issue 13): htmx loads
    them from candidate_counts, with a plain link for browsers without JS."""
    client.force_login(personas.case_officer)
    params = _params(county, sex="female", sort="age", page=1)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("web:candidates"), params)
    assert response.status_code == 200
    assert "rule_counts" not in response.context
    assert not any("FILTER" in q["sql"] or "COUNT(CASE" in q["sql"] for q in ctx.captured_queries)
    html = response.content.decode()
    url = re.search(r'<div id="screen-counts" hx-get="([^"]+)" hx-trigger="load"', html).group(1)
    url = url.replace("&amp;", "&")
    assert url.startswith(reverse("web:candidate_counts") + "?")
    assert "page=" not in url and "sort=" not in url
    assert f"post={county.town_secretary.pk}" in url and "sex=female" in url
    assert f'<a href="{url.replace("&", "&amp;")}">查看各项任职资格条件的不符合人数</a>' in html
    assert AGE_RULE not in html
    # The fragment for htmx; the whole page (the no-JS link) with the same counts.
    part = client.get(url, headers=HTMX)
    assert AGE_RULE in part.content.decode() and "<html" not in part.content.decode()
    full = client.get(url)
    assert full.status_code == 200
    text = page_text(full)
    assert "<html" in full.content.decode()
    assert "城关镇党委书记" in text and "2026.11.27" in text and AGE_RULE in text
    assert [rc.failing for rc in full.context["rule_counts"]] == [
        rc.failing for rc in part.context["rule_counts"]
    ]
    assert "HX-Request" in part["Vary"]


def test_counts_need_a_post(client, county, personas, screening):
    client.force_login(personas.case_officer)
    response = client.get(reverse("web:candidate_counts"), {"ref_date": REF.isoformat()})
    assert response.status_code == 404
    assert "请先选择拟任职位" in page_text(response)
    bad = client.get(reverse("web:candidate_counts"), {"post": "x"})
    assert bad.status_code == 404


def test_filters_and_order(client, county, personas, screening):
    client.force_login(personas.case_officer)
    url = reverse("web:candidates")
    women = client.get(url, _params(county, sex="female"))
    assert _shown(women) == [screening.zhou.pk]
    assert women.context["eligible_count"] == 3  # the screening itself is unchanged
    assert "按筛选条件" in page_text(women)
    young = client.get(url, _params(county, age_max=36))
    assert set(_shown(young)) == {screening.wang.pk, screening.zhou.pk}
    educated = client.get(url, _params(county, education_min="bachelor"))
    assert set(_shown(educated)) == {screening.chen.pk, screening.wang.pk}
    by_age = client.get(url, _params(county, sort="age"))
    assert _shown(by_age) == [screening.zhou.pk, screening.wang.pk, screening.chen.pk]
    oldest_first = client.get(url, _params(county, sort="-age"))
    assert _shown(oldest_first) == [screening.chen.pk, screening.wang.pk, screening.zhou.pk]
    by_years = client.get(url, _params(county, sort="years"))
    assert _shown(by_years)[-1] == screening.wang.pk  # at the level since 2023 only
    by_name = client.get(url, _params(county, sort="name"))
    assert _shown(by_name) == [screening.chen.pk, screening.wang.pk, screening.zhou.pk]


def test_pages_and_htmx_fragments(client, county, personas, screening, monkeypatch):
    monkeypatch.setattr("xuanren.web.views.CANDIDATES_PER_PAGE", 2)
    client.force_login(personas.case_officer)
    url = reverse("web:candidates")
    first = client.get(url, _params(county, sort="name"))
    assert "第 1/2 页" in page_text(first)
    second = client.get(
        url, _params(county, sort="name", page=2), headers={**HTMX, "HX-Target": "eligible"}
    )
    assert _shown(second) == [screening.zhou.pk]
    assert "<html" not in second.content.decode()
    assert "rule_counts" not in second.context  # another page of the list only
    screening_part = client.get(url, _params(county), headers={**HTMX, "HX-Target": "screening"})
    html = screening_part.content.decode()
    assert "<html" not in html
    assert 'id="explain-panel"' in html
    assert "HX-Request" in screening_part["Vary"]


# ---- the explanation panel ---------------------------------------------------------------


def test_pages_of_the_list(client, county, personas, screening, monkeypatch):
    """The list and its total come from one query (a window count); odd page
    numbers behave as in every other pager."""
    monkeypatch.setattr("xuanren.web.views.CANDIDATES_PER_PAGE", 2)
    client.force_login(personas.case_officer)
    url = reverse("web:candidates")
    ordered = [screening.chen.pk, screening.wang.pk, screening.zhou.pk]
    with CaptureQueriesContext(connection) as ctx:
        first = client.get(url, _params(county, sort="name"))
    assert _shown(first) == ordered[:2]
    assert first.context["page_obj"].paginator.count == 3
    assert first.context["eligible_count"] == 3
    assert not any('AS "__count"' in q["sql"] for q in ctx.captured_queries)
    # Without htmx the whole page, with plain links to the other pages.
    second = client.get(url, _params(county, sort="name", page=2))
    assert "<html" in second.content.decode()
    assert _shown(second) == ordered[2:]
    assert "第 2/2 页" in page_text(second)
    assert 'href="?post=' in first.content.decode() and "page=2" in first.content.decode()
    for page, number, shown in [
        ("9", 2, ordered[2:]),
        ("x", 1, ordered[:2]),
        ("0", 2, ordered[2:]),
    ]:
        response = client.get(url, _params(county, sort="name", page=page))
        assert response.status_code == 200, page
        assert response.context["page_obj"].number == number, page
        assert _shown(response) == shown, page
        assert response.context["eligible_count"] == 3, page
    # Filtered: the list's own total, and the screening's.
    women = client.get(url, _params(county, sex="female"))
    assert women.context["page_obj"].paginator.count == 1
    assert women.context["eligible_count"] == 3


def test_explanation_of_an_ineligible_cadre(client, county, personas, screening):
    client.force_login(personas.case_officer)
    params = {"post": county.town_secretary.pk, "cadre": screening.liu.pk, "ref_date": "2026-11-27"}
    panel = client.get(reverse("web:candidate_explain"), params, headers=HTMX)
    assert panel.status_code == 200
    html = panel.content.decode()
    assert "<html" not in html
    text = page_text(panel)
    assert "刘芳" in text
    assert "有 1 项任职资格条件不符合" in text
    assert "女，1985-03-02 生，至基准日 2026-11-27 为 41 周岁，不符合" in text
    assert AGE_RULE in text
    assert '<span class="badge badge-fail">不符合</span>' in html
    assert '<span class="badge badge-pass">符合</span>' in html
    # The rule for men does not concern her; rules for other levels are folded away.
    assert '<span class="badge badge-not_applicable">不适用</span>' in html
    assert "规则包中不适用于该职位的条件" in text
    assert "来源：本县《关于进一步加强科级领导班子建设的意见》" in text
    rows = panel.context["view"].rows
    assert rows[0].status == "fail" and rows[0].title == AGE_RULE
    # The same as a whole page, without htmx.
    page = client.get(reverse("web:candidate_explain"), params)
    assert page.status_code == 200
    assert "<html" in page.content.decode()
    assert "任职资格分析" in page_text(page)
    assert "41 周岁" in page_text(page)


def test_explanation_of_an_eligible_cadre(client, county, personas, screening):
    client.force_login(personas.case_officer)
    params = {
        "post": county.town_secretary.pk,
        "cadre": screening.chen.pk,
        "ref_date": "2026-11-27",
    }
    text = page_text(client.get(reverse("web:candidate_explain"), params, headers=HTMX))
    assert "符合全部任职资格条件" in text
    assert "不符合" not in text


def test_explanation_needs_a_post_and_a_cadre(client, personas, screening):
    client.force_login(personas.case_officer)
    assert client.get(reverse("web:candidate_explain")).status_code == 404


def test_lookup_finds_anyone_by_name(client, county, personas, screening):
    client.force_login(personas.case_officer)
    params = {"q": "刘", "post": county.town_secretary.pk, "ref_date": "2026-11-27"}
    found = client.get(reverse("web:candidate_lookup"), params, headers=HTMX)
    assert found.status_code == 200
    assert [c.pk for c in found.context["found"]] == [screening.liu.pk]
    html = found.content.decode()
    assert "hx-get=" in html and 'hx-target="#explain-panel"' in html
    assert f"cadre={screening.liu.pk}" in html
    # Without htmx: a page of its own, whose links open the explanation page.
    page = client.get(reverse("web:candidate_lookup"), {**params, "q": "lf"})
    assert page.status_code == 200
    assert "刘芳" in page_text(page)
    assert "hx-get" not in re.search(
        r'<ul class="lookup-results">.*?</ul>', page.content.decode(), re.S
    ).group(0)
    nobody = client.get(reverse("web:candidate_lookup"), {**params, "q": "没有"}, headers=HTMX)
    assert "没有找到" in page_text(nobody)


# ---- 可任职位 on the cadre page -----------------------------------------------------------


def test_cadre_posts(client, county, personas, screening):
    client.force_login(personas.case_officer)
    detail = client.get(reverse("web:cadre_detail", args=[screening.liu.pk]))
    assert "可任职位" in page_text(detail)
    assert f'action="{reverse("web:cadre_posts", args=[screening.liu.pk])}"' in (
        detail.content.decode()
    )
    url = reverse("web:cadre_posts", args=[screening.liu.pk])
    params = {"unit": county.town.pk, "ref_date": "2026-11-27"}
    part = client.get(url, params, headers=HTMX)
    assert part.status_code == 200
    assert "<html" not in part.content.decode()
    rows = {r.post.title: r for r in part.context["rows"]}
    assert set(rows) == {"党委书记", "副镇长"}
    assert not rows["党委书记"].eligible
    assert rows["党委书记"].failed_titles == [AGE_RULE]
    # The age limits are for new promotions: for a 副科 a 副科 post is none.
    assert rows["副镇长"].eligible
    text = page_text(part)
    assert "符合任职资格条件的 1 个" in text
    assert AGE_RULE in text
    full = client.get(url, params)
    assert "<html" in full.content.decode()
    assert "刘芳 · 可任职位" in page_text(full)


# ---- the spreadsheet ---------------------------------------------------------------------


def test_xlsx_rows_equal_the_eligible_list(client, county, personas, screening):
    client.force_login(personas.case_officer)
    response = client.get(reverse("web:candidates_xlsx"), _params(county))
    assert response.status_code == 200
    assert ".xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == [
        "姓名",
        "性别",
        "出生年月",
        "年龄（周岁）",
        "学历",
        "现任职务",
        "职务层次",
        "任现职务层次时间",
        "任现职务层次年限",
        "2023 年度考核",
        "2024 年度考核",
        "2025 年度考核",
        "单位",
    ]
    eligible = screen(actor=personas.case_officer, post=county.town_secretary, ref=REF)
    grades = {"excellent": "优秀", "competent": "称职"}
    expected = []
    for c in eligible.select_related("unit").order_by("unit__path", "name_initials", "id"):
        by_year = {a.year: grades[a.grade] for a in c.assessments.all()}
        assert c.level_since is not None
        expected.append(
            [
                c.name,
                {"male": "男", "female": "女"}[c.sex],
                f"{c.birth_date.year}.{c.birth_date.month:02d}",
                completed_years(c.birth_date, REF),
                {"bachelor": "大学本科", "postgraduate": "研究生", "junior_college": "大学专科"}[
                    c.education_level
                ],
                None,  # no tenure recorded: an empty cell
                "副科级",
                f"{c.level_since.year}.{c.level_since.month:02d}",
                completed_years(c.level_since, REF),
                *[by_year.get(y) for y in (2023, 2024, 2025)],
                c.unit.name,
            ]
        )
    assert rows[1:] == expected
    assert [r[0] for r in rows[1:]] == ["王强", "陈明", "周敏"]  # 财政局, 城关镇, 石桥镇
    # The list's filters apply to the download as well.
    women = client.get(reverse("web:candidates_xlsx"), _params(county, sex="female"))
    sheet = load_workbook(io.BytesIO(women.content), read_only=True).active
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["周敏"]


# ---- who may see what ----------------------------------------------------------------------


def test_outsider_is_refused(client, county, personas, screening):
    client.force_login(personas.outsider)
    for url, params in [
        (reverse("web:candidates"), {}),
        (reverse("web:candidates"), _params(county)),
        (reverse("web:candidates_xlsx"), _params(county)),
        (reverse("web:candidate_counts"), _params(county)),
        (
            reverse("web:candidate_explain"),
            {"post": county.town_secretary.pk, "cadre": screening.liu.pk},
        ),
        (reverse("web:candidate_lookup"), {"q": "刘"}),
    ]:
        response = client.get(url, params)
        assert response.status_code == 403, url
        assert "您没有执行此操作的权限" in page_text(response)


def test_anonymous_is_sent_to_login(client, county):
    response = client.get(reverse("web:candidates"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_other_units_hr_sees_only_their_own(
    client, admin: User, county: County, personas: Personas, screening: Screening
):
    own_post = post_create(
        actor=admin, unit=county.other_town, title="副镇长", level=Level.SECTION_DEPUTY
    )
    hr = personas.other_unit_hr
    client.force_login(hr)
    page = client.get(reverse("web:candidates"))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'value="{own_post.pk}"' in html
    assert f'value="{county.town_secretary.pk}"' not in html
    assert "城关镇" not in page_text(page)
    # Out-of-scope posts and cadres are not found, whichever way they are asked for.
    assert client.get(reverse("web:candidates"), _params(county)).status_code == 404
    assert client.get(reverse("web:candidates_xlsx"), _params(county)).status_code == 404
    counts = client.get(reverse("web:candidate_counts"), _params(county), headers=HTMX)
    assert counts.status_code == 404
    assert "不符合" not in page_text(counts)
    explain = reverse("web:candidate_explain")
    assert (
        client.get(explain, {"post": county.town_secretary.pk, "cadre": screening.zhou.pk})
    ).status_code == 404
    assert client.get(explain, {"post": own_post.pk, "cadre": screening.liu.pk}).status_code == 404
    assert client.get(explain, {"post": own_post.pk, "cadre": screening.zhou.pk}).status_code == 200
    found = client.get(reverse("web:candidate_lookup"), {"q": "刘"}, headers=HTMX)
    assert found.context["found"] == []
    posts = reverse("web:cadre_posts", args=[screening.liu.pk])
    assert client.get(posts, {"unit": county.other_town.pk}).status_code == 404
    own = reverse("web:cadre_posts", args=[screening.zhou.pk])
    assert client.get(own, {"unit": county.town.pk}).status_code == 404
    assert client.get(own, {"unit": county.other_town.pk}).status_code == 200
    # Their own screening sees their own cadres only.
    mine = client.get(reverse("web:candidates"), {"post": own_post.pk, "ref_date": REF.isoformat()})
    assert mine.status_code == 200
    assert {c.unit_id for c in (r.cadre for r in mine.context["rows"])} <= {county.other_town.pk}


# ---- queries -------------------------------------------------------------------------------


def _count(client: Any, url: str, params: dict[str, Any], headers: dict[str, str] | None = None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params, headers=headers or {})
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_query_count_does_not_grow_with_the_list(client, admin, county, personas, make_cadre):
    client.force_login(personas.case_officer)
    units = [county.town, county.finance, county.other_town]

    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            make_candidate(
                admin,
                make_cadre,
                units[i % 3],
                name=f"候选{i}",
                birth=dt.date(1986, 1, 1) + dt.timedelta(days=11 * i),
            )

    url = reverse("web:candidates")
    params = _params(county)
    add(5, 0)
    client.get(url, params)  # warm the parsed-rules cache
    few, response = _count(client, url, params)
    assert len(response.context["rows"]) == 5
    few_part, _ = _count(client, url, params, {**HTMX, "HX-Target": "eligible"})
    few_xlsx, _ = _count(client, reverse("web:candidates_xlsx"), params)
    counts_url = reverse("web:candidate_counts")
    few_counts, response = _count(client, counts_url, params, HTMX)
    assert response.context["considered"] == 5
    add(55, 5)
    many, response = _count(client, url, params)
    assert len(response.context["rows"]) == 50  # one page of CANDIDATES_PER_PAGE
    assert response.context["page_obj"].paginator.count == 60
    assert response.context["eligible_count"] == 60
    many_part, response = _count(
        client, url, {**params, "page": 2}, {**HTMX, "HX-Target": "eligible"}
    )
    assert len(response.context["rows"]) == 10
    many_xlsx, _ = _count(client, reverse("web:candidates_xlsx"), params)
    many_counts, response = _count(client, counts_url, params, HTMX)
    assert response.context["considered"] == 60
    assert many == few
    assert many_part == few_part
    assert many_xlsx == few_xlsx
    assert many_counts == few_counts


def test_rules_and_waivers_are_read_once_per_page(client, county, personas, screening):
    """The page screens, counts exclusions and lists with one set of rules and
    waivers (issue 13): the packs and the 破格 approvals are each read once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(personas.case_officer)
    for name, aggregates in [("web:candidates", 0), ("web:candidate_counts", 1)]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse(name), _params(county), headers=HTMX)
        assert response.status_code == 200
        sqls = [q["sql"] for q in ctx.captured_queries]
        assert sum('FROM "policy_promotionexception"' in q for q in sqls) == 1, name
        assert sum('FROM "policy_postrulepacks"' in q for q in sqls) == 1, name
        # Exclusion counts for every rule come from one aggregate over the
        # candidates, in the fragment loaded after the page (decision 0108).
        assert (
            sum(("COUNT(" in q and "FILTER" in q) or "COUNT(CASE" in q for q in sqls) == aggregates
        ), name


def test_the_screening_returns_only_the_page_ids_and_the_total(client, county, personas, screening):
    """Decision 0167: the screening query carries the ids and the window
    total, not every cadre column; the page's cadres are then read by primary
    key, in the screening's order, with their units and assessments."""
    client.force_login(personas.case_officer)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("web:candidates"), _params(county, sort="name"))
    assert _shown(response) == [screening.chen.pk, screening.wang.pk, screening.zhou.pk]
    windowed = [q["sql"] for q in ctx.captured_queries if "OVER" in q["sql"]]
    assert len(windowed) == 1
    select_list = windowed[0].split(" FROM ")[0]
    assert '"people_cadre"."name"' not in select_list and '"people_cadre"."id"' in select_list
    by_pk = [q["sql"] for q in ctx.captured_queries if '"people_cadre"."id" IN (' in q["sql"]]
    assert len(by_pk) == 1 and '"org_unit"' in by_pk[0]
    # Past the end: as any pager (the last page), from the same path.
    last = client.get(reverse("web:candidates"), _params(county, sort="name", page=9))
    assert _shown(last) == _shown(response)
