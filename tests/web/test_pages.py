"""Every page for every persona: what each sees, and what each must not."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse

from tests.web.helpers import page_text
from tests.web.world import ZHANG_ID
from xuanren.common.dates import completed_years, today
from xuanren.people.services import mask_id_number

# ---- case officer ----------------------------------------------------------------


def test_dashboard(client, world, personas):
    client.force_login(personas.case_officer)
    response = client.get(reverse("web:dashboard"))
    assert response.status_code == 200
    text = page_text(response)
    assert "工作概况" in text
    # The figures load after the page (decision 0113): htmx, and a plain link without JS.
    figures_url = reverse("web:dashboard_figures")
    html = response.content.decode()
    assert f'hx-get="{figures_url}"' in html and f'href="{figures_url}"' in html
    assert "unit_count" not in response.context
    figures = client.get(figures_url, headers={"HX-Request": "true"})
    assert figures.status_code == 200
    assert figures.context["unit_count"] == 6
    assert figures.context["post_count"] == 5
    assert figures.context["cadre_count"] == 7
    quota = figures.context["quota"]
    # finance: 正科 1/1, 副科 2/3 (one over); town: 正科 2/0, 副科 3/1.
    assert (quota.approved, quota.filled, quota.vacant, quota.over_quota) == (8, 5, 4, 1)
    assert "职数情况" in page_text(figures)
    assert reverse("web:quota") in figures.content.decode()
    assert "<html" not in figures.content.decode()  # the fragment only
    assert "临近退休年龄干部" in text
    assert [row["cadre"].name for row in response.context["approaching"]] == ["赵刚"]
    assert "赵刚" in text


def test_unit_tree(client, world, personas, county):
    client.force_login(personas.case_officer)
    response = client.get(reverse("web:unit_list"))
    assert response.status_code == 200
    text = page_text(response)
    for name in [
        "青山县",
        "中共青山县委组织部",
        "青山县财政局",
        "城关镇",
        "石桥镇",
    ]:
        assert name in text
    # One level at a time (decision 0109): the grandchild loads on demand.
    assert "城关镇党政办" not in text
    rows = {row["unit"].name: row for row in response.context["rows"]}
    assert rows["青山县"]["indent"] == 0
    assert rows["城关镇"]["indent"] == 1
    assert rows["城关镇"]["expand"] and not rows["石桥镇"]["expand"]
    html = response.content.decode()
    assert f'hx-get="{reverse("web:unit_children", args=[county.town.pk])}"' in html
    assert f'href="{reverse("web:unit_list")}?under={county.town.pk}"' in html

    # Own quota state: the bureau is over quota, the town has vacancies.
    def row_class(unit_pk: int) -> str | None:
        pattern = (
            r'<tr class="(\w*)">\s*<td><span class="indent depth-\d+"></span>'
            rf'<a href="/units/{unit_pk}/">'
        )
        found = re.search(pattern, html)
        return found.group(1) if found else None

    assert row_class(county.finance.pk) == "over"
    assert row_class(county.town.pk) == "vacant"
    assert row_class(county.other_town.pk) == ""


def test_unit_detail(client, world, personas, county):
    client.force_login(personas.case_officer)
    response = client.get(reverse("web:unit_detail", args=[county.finance.pk]))
    assert response.status_code == 200
    text = page_text(response)
    assert "青山县财政局" in text
    assert [a.name for a in response.context["ancestors"]] == ["青山县"]
    assert "一把手" in text
    assert "正科级" in text and "副科级" in text
    posts = {row["post"].title: row for row in response.context["post_rows"]}
    assert posts["局长"]["occupied"] == 1
    assert posts["副局长"]["occupied"] == 2
    assert posts["副局长"]["post"].seats == 2
    assert posts["总会计师"]["occupied"] == 1
    assert "占职数" in text
    quota = response.context["quota"]
    assert quota.own.over_quota == 1
    assert f"{reverse('web:cadre_list')}?unit={county.finance.pk}" in response.content.decode()


def test_unit_detail_of_township_lists_children(client, world, personas, county):
    client.force_login(personas.case_officer)
    response = client.get(reverse("web:unit_detail", args=[county.town_office.pk]))
    assert [a.name for a in response.context["ancestors"]] == ["青山县", "城关镇"]
    town = client.get(reverse("web:unit_detail", args=[county.town.pk]))
    assert [c.name for c in town.context["children"]] == ["城关镇党政办"]
    assert "本单位尚未设置职位" in page_text(response)


def test_quota_report(client, world, personas, county):
    client.force_login(personas.case_officer)
    response = client.get(reverse("web:quota"))
    assert response.status_code == 200
    text = page_text(response)
    assert "职数配备情况统计表" in text
    assert "含下级合计" in text
    rows = response.context["rows"]
    over = [r for r in rows if r.over_quota and not r.is_total]
    assert [(r.unit_name, r.item) for r in over] == [("青山县财政局", "副科级")]
    vacant = [(r.unit_name, r.item) for r in rows if r.vacant and not r.is_total]
    assert vacant == [("城关镇", "正科级"), ("城关镇", "副科级")]
    # One level at a time: the county and its children, with subtree totals.
    assert "城关镇党政办" not in text
    totals = {r.unit_name: r for r in rows if r.is_total}
    county_total = totals["青山县"]
    assert (county_total.approved, county_total.filled) == (8, 5)
    assert (county_total.vacant, county_total.over_quota) == (4, 1)
    assert (totals["城关镇"].approved, totals["城关镇"].vacant) == (5, 4)
    assert response.context["totals"].approved == 8
    html = response.content.decode()
    assert 'class="over"' in html
    assert 'class="vacant"' in html


def test_quota_report_filters(client, world, personas, county):
    client.force_login(personas.case_officer)
    response = client.get(reverse("web:quota"), {"under": county.town.pk})
    names = {r.unit_name for r in response.context["rows"]}
    assert names == {"城关镇", "城关镇党政办"}
    assert response.context["under"] == county.town
    # Before anyone took office nothing is filled.
    past = client.get(reverse("web:quota"), {"on": "2015-01-01"})
    assert past.context["totals"].filled == 0
    assert past.context["on"] == dt.date(2015, 1, 1)
    assert "2015.01.01" in page_text(past)
    # A unit that does not exist (or lies outside the scope) is 404, not a leak.
    bad = client.get(reverse("web:quota"), {"under": 999999})
    assert bad.status_code == 404
    # Not a number: the top level.
    odd = client.get(reverse("web:quota"), {"under": "x"})
    assert odd.status_code == 200 and odd.context["under"] is None


def test_cadre_list(client, world, personas):
    client.force_login(personas.case_officer)
    response = client.get(reverse("web:cadre_list"))
    assert response.status_code == 200
    text = page_text(response)
    assert "干部信息查询" in text
    for name in ["张伟", "李娜", "王芳", "赵刚", "孙强"]:
        assert name in text
    assert "共 7 人" in text
    # Masked in the list, even for someone allowed the full number elsewhere.
    assert mask_id_number(ZHANG_ID) in text
    assert ZHANG_ID not in text
    age = completed_years(dt.date(1985, 3, 2), today())
    assert f"1985.03（{age}岁）" in text
    assert "县财政局局长" in text
    assert "正科级" in text
    assert "研究生" in text
    assert "中共党员" in text


def _names(response):
    return [row["cadre"].name for row in response.context["rows"]]


def test_cadre_search_filters(client, world, personas, county):
    client.force_login(personas.case_officer)
    url = reverse("web:cadre_list")
    assert _names(client.get(url, {"q": "张"})) == ["张伟"]
    assert _names(client.get(url, {"q": "zw"})) == ["张伟"]
    assert _names(client.get(url, {"q": "ZW"})) == ["张伟"]
    assert sorted(_names(client.get(url, {"unit": county.town.pk}))) == ["李娜", "赵刚"]
    assert _names(client.get(url, {"level": "section_principal"})) == ["张伟"]
    assert sorted(_names(client.get(url, {"sex": "female"}))) == ["李娜", "王芳"]
    assert _names(client.get(url, {"age_min": 55})) == ["赵刚"]
    age_li = completed_years(dt.date(1990, 7, 15), today())
    assert _names(client.get(url, {"age_max": age_li})) == ["李娜"]
    assert _names(client.get(url, {"education_min": "postgraduate"})) == ["张伟"]
    bad = client.get(url, {"age_min": 50, "age_max": 40})
    assert bad.status_code == 200
    assert "年龄上限不能小于下限" in page_text(bad)


def test_cadre_list_htmx_returns_the_results_only(client, world, personas):
    client.force_login(personas.case_officer)
    response = client.get(reverse("web:cadre_list"), {"q": "ln"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert "<form" not in html
    assert "李娜" in html
    assert "张伟" not in html
    assert "HX-Request" in response["Vary"]
    # A history restore gets the whole page.
    full = client.get(
        reverse("web:cadre_list"),
        {"q": "ln"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in full.content.decode()


def test_cadre_list_page_has_live_search_attributes(client, world, personas):
    client.force_login(personas.case_officer)
    html = client.get(reverse("web:cadre_list")).content.decode()
    assert 'hx-get="/cadres/"' in html
    assert 'hx-trigger="input changed delay:300ms, change"' in html
    assert 'hx-target="#results"' in html
    assert 'hx-push-url="true"' in html
    assert "/static/web/htmx.min.js" in html
    assert "https://" not in html  # nothing loaded from a CDN


def test_cadre_list_paginates(client, admin, county, personas, make_cadre):
    for i in range(55):
        make_cadre(
            county.town,
            name=f"刘{'一二三四五六七八九十'[i % 10]}{i}",
            birth=dt.date(1980, 1, 1) + dt.timedelta(days=i),
        )
    client.force_login(personas.case_officer)
    first = client.get(reverse("web:cadre_list"))
    assert len(first.context["rows"]) == 50
    assert "第 1/2 页" in page_text(first)
    assert "page=2" in first.content.decode()
    second = client.get(reverse("web:cadre_list"), {"page": 2})
    assert len(second.context["rows"]) == 5


def test_cadre_detail(client, world, personas):
    client.force_login(personas.case_officer)
    response = client.get(reverse("web:cadre_detail", args=[world.zhang.pk]))
    assert response.status_code == 200
    text = page_text(response)
    age = completed_years(dt.date(1985, 3, 2), today())
    assert "张伟" in text
    assert "三龄二历一身份" in text
    assert f"{age} 岁" in text
    assert f"{completed_years(dt.date(2008, 6, 1), today())} 年" in text  # party age
    assert f"{completed_years(dt.date(2007, 8, 1), today())} 年" in text  # working age
    assert "浙江财经大学" in text and "中共浙江省委党校" in text
    assert "一级主任科员" in text
    # Resume lines, the open end blank.
    assert "2003.09--2007.07  浙江财经大学会计学专业学习" in text
    assert "2007.08--2020.05  青山县财政局科员、副局长" in text
    assert "2020.05--  青山县财政局局长" in text
    assert "2012.09--2015.07 在中共浙江省委党校在职研究生班学习" in text
    # Tenures.
    assert "青委〔2020〕21号" in text and "青委〔2016〕8号" in text
    assert "现任" in text
    # Family, with a link to a related cadre the officer may see.
    assert "陈静" in text and "配偶" in text
    assert reverse("web:cadre_detail", args=[world.li.pk]) in response.content.decode()
    # Assessments, rewards and punishments, trainings, statuses.
    assert "优秀" in text
    assert "诫勉谈话" in text and "影响期内" in text
    assert "全县优秀公务员" in text
    records = {r["record"].title: r["in_effect"] for r in response.context["records"]}
    assert records == {"诫勉谈话": True, "全县优秀公务员": False}
    assert "县管干部培训班" in text and "56" in text
    assert "个人有关事项报告" in text and "未报告" in text
    assert "档案审核" in text and "未审核" in text
    # The case officer may see the full ID number here.
    assert ZHANG_ID in text


def test_cadre_detail_unknown_is_a_chinese_404(client, world, personas):
    client.force_login(personas.case_officer)
    response = client.get(reverse("web:cadre_detail", args=[999999]))
    assert response.status_code == 404
    assert "未找到该干部" in page_text(response)


# ---- committee member and discipline commission ----------------------------------


def test_committee_member_can_view_but_not_the_full_id(client, world, personas):
    client.force_login(personas.committee_member)
    for url in [
        reverse("web:dashboard"),
        reverse("web:unit_list"),
        reverse("web:quota"),
        reverse("web:cadre_list"),
        reverse("web:unit_detail", args=[world.zhang.unit_id]),
    ]:
        assert client.get(url).status_code == 200, url
    detail = client.get(reverse("web:cadre_detail", args=[world.zhang.pk]))
    assert detail.status_code == 200
    text = page_text(detail)
    assert "张伟" in text
    assert ZHANG_ID not in text
    assert mask_id_number(ZHANG_ID) in text


def test_discipline_commission_sees_the_full_id(client, world, personas):
    client.force_login(personas.discipline)
    detail = client.get(reverse("web:cadre_detail", args=[world.zhang.pk]))
    assert ZHANG_ID in page_text(detail)
    listing = client.get(reverse("web:cadre_list"))
    assert ZHANG_ID not in page_text(listing)


# ---- the other unit's HR contact (scope: 石桥镇) -----------------------------------


def test_other_unit_hr_sees_only_their_unit(client, world, personas, county):
    client.force_login(personas.other_unit_hr)
    listing = client.get(reverse("web:cadre_list"))
    assert listing.status_code == 200
    assert _names(listing) == ["王芳"]
    text = page_text(listing)
    for name in ["张伟", "李娜", "赵刚", "孙强"]:
        assert name not in text
    # Searching does not reach outside the scope either.
    assert _names(client.get(reverse("web:cadre_list"), {"q": "zw"})) == []
    # Their unit choices hold only their own subtree.
    choices = [label for value, label in listing.context["form"].fields["unit"].choices if value]
    assert choices == ["石桥镇"]
    assert _names(client.get(reverse("web:cadre_list"), {"unit": county.town.pk})) == ["王芳"]

    for cadre in [world.zhang, world.li]:
        response = client.get(reverse("web:cadre_detail", args=[cadre.pk]))
        assert response.status_code == 404
        assert "未找到该干部" in page_text(response)
        assert cadre.name not in page_text(response)
    for unit in [county.finance, county.town]:
        assert client.get(reverse("web:unit_detail", args=[unit.pk])).status_code == 404

    units = page_text(client.get(reverse("web:unit_list")))
    assert "石桥镇" in units
    assert "城关镇" not in units and "青山县财政局" not in units

    quota = client.get(reverse("web:quota"))
    assert {r.unit_name for r in quota.context["rows"]} == {"石桥镇"}

    dashboard = client.get(reverse("web:dashboard"))
    assert "赵刚" not in page_text(dashboard)
    figures = client.get(reverse("web:dashboard_figures"))
    assert figures.context["cadre_count"] == 1
    assert "赵刚" not in page_text(figures)


def test_related_cadre_outside_scope_is_not_linked(client, world, personas):
    client.force_login(personas.other_unit_hr)
    response = client.get(reverse("web:cadre_detail", args=[world.wang.pk]))
    assert response.status_code == 200
    text = page_text(response)
    assert "张伟" in text  # the relative's name as recorded
    assert reverse("web:cadre_detail", args=[world.zhang.pk]) not in response.content.decode()
    assert [row["link"] for row in response.context["family"]] == [None]


# ---- the outsider (no role, no scope) -----------------------------------------------


@pytest.mark.parametrize(
    "name", ["web:unit_list", "web:quota", "web:quota_csv", "web:quota_xlsx", "web:cadre_list"]
)
def test_outsider_is_refused(client, world, personas, name):
    client.force_login(personas.outsider)
    response = client.get(reverse(name))
    assert response.status_code == 403
    text = page_text(response)
    assert "无权访问" in text
    for secret in ["张伟", "李娜", "城关镇", "青山县财政局"]:
        assert secret not in text


def test_outsider_detail_pages_are_refused(client, world, personas):
    client.force_login(personas.outsider)
    for url in [
        reverse("web:cadre_detail", args=[world.zhang.pk]),
        reverse("web:unit_detail", args=[world.zhang.unit_id]),
    ]:
        response = client.get(url)
        assert response.status_code in (403, 404)
        assert "张伟" not in page_text(response)
        assert "青山县财政局" not in page_text(response)


def test_outsider_dashboard_shows_nothing(client, world, personas):
    client.force_login(personas.outsider)
    response = client.get(reverse("web:dashboard"))
    assert response.status_code == 200
    text = page_text(response)
    assert "尚未分配角色或管理范围" in text
    assert "赵刚" not in text
    assert response.context["figures"] is False
    assert reverse("web:dashboard_figures") not in response.content.decode()
    # The figures' own request is refused, as the pages they come from.
    for headers in ({}, {"HX-Request": "true"}):
        figures = client.get(reverse("web:dashboard_figures"), headers=headers)
        assert figures.status_code == 403
        assert "无权访问" in page_text(figures)
        assert "cadre_count" not in (figures.context or {})


def test_viewer_with_role_but_no_scope_sees_empty_lists(client, world, county):
    from tests.conftest import make_user
    from xuanren.access.models import Role

    client.force_login(make_user("noscope", Role.COMMITTEE_MEMBER, None))
    listing = client.get(reverse("web:cadre_list"))
    assert listing.status_code == 200
    assert _names(listing) == []
    assert "张伟" not in page_text(listing)
    assert client.get(reverse("web:cadre_detail", args=[world.zhang.pk])).status_code == 404


def test_the_browser_s_own_favicon_request_finds_the_icon(client: Any) -> None:
    """Browsers ask for /favicon.ico by themselves (before any login, and for
    a PDF or JSON page): a permanent redirect to the site's icon, not a 404."""
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/web/favicon.svg"
    response = client.get("/login/")
    assert '<link rel="icon" href="/static/web/favicon.svg" type="image/svg+xml">' in (
        response.content.decode()
    )
