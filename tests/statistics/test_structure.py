"""Structure analysis (干部队伍结构分析, issue 14): each tally on hand-built
cadres with known answers, the leadership teams against the structure targets,
permissions and scope, query counts, the XLSX export and the API."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.api.conftest import API
from tests.conftest import County, Personas
from xuanren.access.models import AccessRecord
from xuanren.common import dates
from xuanren.org.models import Level, Post
from xuanren.org.services import post_create
from xuanren.people.models import Cadre
from xuanren.people.services import education_add, tenure_start
from xuanren.statistics.models import StructureTarget
from xuanren.statistics.structure import structure_analysis
from xuanren.statistics.structure_rules import (
    AGE_BANDS,
    YEARS_BANDS,
    TargetSpec,
    TeamCount,
    band_of,
    miss_reason,
    share_text,
    target_met,
)

pytestmark = pytest.mark.django_db


def counts(report: Any, key: str) -> dict[str, int]:
    table = next(t for t in report.tables if t.key == key)
    assert sum(r.count for r in table.rows) == table.total == report.total
    return {r.code: r.count for r in table.rows if r.count}


def worker(make_cadre: Any, unit: Any, name: str, birth: dt.date, **kw: Any) -> Cadre:
    """A cadre who started work at 20 and joined the party at 25 (unless told)."""
    kw.setdefault("work_start", dt.date(birth.year + 20, 8, 1))
    kw.setdefault("party_join", dt.date(birth.year + 25, 7, 1))
    return make_cadre(unit, name=name, birth=birth, **kw)


# ---- pure rules --------------------------------------------------------------------


def test_bands_cover_every_age_once_and_29_february_ages_on_1_march():
    on = dt.date(2025, 2, 28)
    for years in range(0, 90):
        assert sum(b.holds(years) for b in AGE_BANDS) == 1
        assert sum(b.holds(years) for b in YEARS_BANDS) == 1
    leap = dt.date(1984, 2, 29)
    assert band_of(AGE_BANDS, leap, on).code == "age_36_40"  # 40 on 28 February
    assert band_of(AGE_BANDS, leap, dt.date(2025, 3, 1)).code == "age_41_45"
    assert band_of(AGE_BANDS, dt.date(1995, 2, 28), on).code == "age_30"  # 30th birthday
    assert band_of(AGE_BANDS, dt.date(1994, 2, 28), on).code == "age_31_35"
    assert band_of(AGE_BANDS, dt.date(2026, 1, 1), on) is None


def test_targets_by_count_share_and_team_size():
    one_woman = TargetSpec(kind="women", min_count=1, min_members=2)
    assert target_met(one_woman, TeamCount(size=3, matching=1)) is True
    assert target_met(one_woman, TeamCount(size=3, matching=0)) is False
    assert target_met(one_woman, TeamCount(size=1, matching=0)) is None  # too small
    share = TargetSpec(kind="young", min_count=0, min_percent=30, age_at_most=40)
    assert target_met(share, TeamCount(size=10, matching=3)) is True  # exactly 30%
    assert target_met(share, TeamCount(size=10, matching=2)) is False
    assert target_met(share, TeamCount(size=3, matching=1)) is True  # 33.3%
    assert miss_reason(share, TeamCount(size=4, matching=1)) == (
        "班子4人，40周岁以下干部1人，占25.0%，要求不低于30%"
    )
    assert miss_reason(one_woman, TeamCount(size=3, matching=0)) == (
        "班子3人，女干部0人，要求至少1人"
    )
    assert share_text(1, 3) == "33.3%" and share_text(2, 3) == "66.7%"
    assert share_text(0, 0) == "—"


# ---- tallies -----------------------------------------------------------------------


def test_age_bands_on_a_birthday_and_on_29_february(admin, county: County, make_cadre):
    worker(make_cadre, county.finance, "三十", dt.date(1995, 2, 28))
    worker(make_cadre, county.finance, "闰日", dt.date(1984, 2, 29))
    worker(make_cadre, county.town, "卅一", dt.date(1994, 2, 28))
    on_28 = structure_analysis(actor=admin, on=dt.date(2025, 2, 28))
    assert counts(on_28, "age") == {"age_30": 1, "age_31_35": 1, "age_36_40": 1}
    on_1 = structure_analysis(actor=admin, on=dt.date(2025, 3, 1))
    assert counts(on_1, "age") == {"age_30": 1, "age_31_35": 1, "age_41_45": 1}
    # The day before the 30th birthday: still 29.
    before = structure_analysis(actor=admin, on=dt.date(2025, 2, 27))
    assert counts(before, "age") == {"age_30": 2, "age_36_40": 1}


def test_sex_ethnicity_party_education_level_and_years(admin, county: County, make_cadre):
    on = dt.date(2025, 3, 1)
    a = worker(make_cadre, county.finance, "甲", dt.date(1980, 5, 1), sex="female",
               ethnicity="回族", level=Level.SECTION_PRINCIPAL, level_since=dt.date(2020, 3, 1))  # fmt: skip
    worker(make_cadre, county.finance, "乙", dt.date(1981, 5, 1),
           level=Level.SECTION_DEPUTY, level_since=dt.date(2020, 3, 2))  # fmt: skip
    # Joined the party after the date: not yet a member on it.
    worker(make_cadre, county.town, "丙", dt.date(1990, 5, 1), party_join=dt.date(2025, 6, 1),
           level=Level.SECTION_DEPUTY, level_since=dt.date(2025, 6, 1))  # fmt: skip
    worker(make_cadre, county.town, "丁", dt.date(1992, 5, 1), political_status="masses",
           party_join=None, ethnicity="汉族")  # fmt: skip
    education_add(actor=admin, cadre=a, kind="full_time", level="bachelor", school="某大学",
                  end_date=dt.date(2002, 7, 1))  # fmt: skip
    # Started work after the date: not counted.
    worker(make_cadre, county.town, "戊", dt.date(2003, 5, 1), work_start=dt.date(2025, 7, 1),
           party_join=None, political_status="masses")  # fmt: skip

    report = structure_analysis(actor=admin, on=on)
    assert report.total == 4
    assert counts(report, "sex") == {"male": 3, "female": 1}
    assert counts(report, "ethnicity") == {"汉族": 3, "回族": 1}
    assert counts(report, "party") == {"cpc_member": 2, "masses": 1, "none": 1}
    assert counts(report, "education") == {"bachelor": 1, "none": 3}
    # 丙's 副科 begins after the date: as of the date they held no level.
    assert counts(report, "level") == {"section_principal": 1, "section_deputy": 1, "none": 2}
    # 甲: five years to the day; 乙: one day short of five.
    assert counts(report, "years") == {"years_5_9": 1, "years_3_4": 1, "no_level": 2}
    # Later (after 2025-07-01): 丙 is a party member and 副科, 戊 has started work.
    later = structure_analysis(actor=admin, on=dt.date(2026, 1, 1))
    assert later.total == 5
    assert counts(later, "party") == {"cpc_member": 3, "masses": 2}
    assert counts(later, "level") == {"section_principal": 1, "section_deputy": 2, "none": 2}
    assert counts(later, "years") == {"years_5_9": 2, "years_0": 1, "no_level": 2}
    sex = next(t for t in report.tables if t.key == "sex")
    assert [(r.label, r.share) for r in sex.rows] == [("男", "75.0%"), ("女", "25.0%")]


def test_subtree_limits_the_tally(admin, county: County, make_cadre):
    worker(make_cadre, county.finance, "局里", dt.date(1980, 1, 1))
    worker(make_cadre, county.town, "镇里", dt.date(1980, 1, 1))
    worker(make_cadre, county.town_office, "办里", dt.date(1980, 1, 1))
    assert structure_analysis(actor=admin, unit_id=county.town.pk).total == 2
    assert structure_analysis(actor=admin, unit_id=county.town_office.pk).total == 1
    assert structure_analysis(actor=admin).total == 3


# ---- teams against targets --------------------------------------------------------


@pytest.fixture
def offices(admin, county: County, make_cadre) -> dict[str, Any]:
    """Two 股级 teams and the finance bureau's 科级 team, on 2025-03-01:
    the town office: two men of 40 (no woman, no one of 35 or under);
    the finance office: a woman of 30 and a man, and a non-party member."""
    from xuanren.org.services import unit_create

    finance_office = unit_create(actor=admin, name="财政局办公室", code="C2A",
                                 kind="internal_office", parent=county.finance)  # fmt: skip
    posts: dict[str, Post] = {}
    for unit, key in ((county.town_office, "town"), (finance_office, "fin")):
        posts[key + "_head"] = post_create(actor=admin, unit=unit, title="主任",
                                           level=Level.SUBSECTION_PRINCIPAL)  # fmt: skip
        posts[key + "_deputy"] = post_create(actor=admin, unit=unit, title="副主任",
                                             level=Level.SUBSECTION_DEPUTY, seats=2)  # fmt: skip
    start = dt.date(2024, 1, 1)

    def seat(post: Post, name: str, birth: dt.date, **kw: Any) -> Cadre:
        cadre = worker(make_cadre, post.unit, name, birth, **kw)
        tenure_start(actor=admin, cadre=cadre, post=post, start_date=start)
        return cadre

    seat(posts["town_head"], "男甲", dt.date(1985, 1, 1))
    seat(posts["town_deputy"], "男乙", dt.date(1984, 6, 1))
    seat(posts["fin_head"], "女丙", dt.date(1995, 1, 1), sex="female")
    seat(posts["fin_deputy"], "男丁", dt.date(1980, 1, 1))
    seat(posts["fin_deputy"], "男戊", dt.date(1981, 1, 1), political_status="masses",
         party_join=None)  # fmt: skip
    # 科级: the bureau's head (45) and two deputies (42, 39): one in three is 40 or under.
    seat(county.finance_head, "局长", dt.date(1979, 6, 1))
    seat(county.finance_deputy, "副一", dt.date(1982, 6, 1))
    seat(county.finance_deputy, "副二", dt.date(1985, 6, 1))
    return {"finance_office": finance_office, **posts}


def test_teams_that_miss_a_target_are_listed_with_why(admin, county: County, offices):
    report = structure_analysis(actor=admin, on=dt.date(2025, 3, 1))
    summary = {t.code: (t.checked, t.missed) for t in report.targets}
    assert summary == {
        "subsection-team-women": (2, 1),
        "subsection-team-young": (2, 1),
        "subsection-team-non-party": (1, 0),  # only the finance office has 3
        "section-team-young-share": (1, 0),  # 1 of 3 = 33.3% >= 30%
    }
    assert [(m.unit_name, m.reason) for m in report.misses] == [
        ("城关镇党政办", "班子2人，女干部0人，要求至少1人"),
        ("城关镇党政办", "班子2人，35周岁以下干部0人，要求至少1人"),
    ]
    assert all("县关于选拔任用股级干部的规定第三项（4）" in m.source for m in report.misses)


def test_a_team_is_as_of_the_date_and_a_share_can_be_missed(admin, county: County, offices):
    # Two years on, 副二 is 41: no one in the bureau's team is 40 or under.
    report = structure_analysis(actor=admin, on=dt.date(2026, 7, 1))
    share = [m for m in report.misses if m.unit_name == "青山县财政局"]
    assert [m.reason for m in share] == ["班子3人，40周岁以下干部0人，占0.0%，要求不低于30%"]
    assert "《关于进一步加强科级领导班子建设的意见》" in share[0].source
    # Before anyone took office there is no team to check.
    empty = structure_analysis(actor=admin, on=dt.date(2023, 12, 31))
    assert [(t.checked, t.missed) for t in empty.targets] == [(0, 0)] * 4


def test_targets_cite_documents_by_title(db):
    targets = list(StructureTarget.objects.all())
    assert len(targets) == 4
    for t in targets:
        assert "种子" not in t.citation and "seed" not in t.citation.lower()
        assert t.source in (
            "县关于选拔任用股级干部的规定",
            "本县《关于进一步加强科级领导班子建设的意见》",
        )
        assert t.source_article  # the title and the article are kept apart (decision 0143)
        assert "县关于选拔任用股级干部的规定第三项" in t.citation or (
            "本县《关于进一步加强科级领导班子建设的意见》" in t.citation
        )


# ---- pages, permissions, queries, export, API ---------------------------------------


def test_page_shows_tables_and_chart_data(client, personas: Personas, county, offices):
    client.force_login(personas.case_officer)
    response = client.get(reverse("statistics:structure"), {"on": "2025-03-01"})
    assert response.status_code == 200
    text = response.content.decode()
    assert 'id="structure-charts"' in text and "<script>" not in text
    assert "style=" not in text
    for title in ("年龄结构", "性别结构", "学历结构", "民族结构", "政治面貌", "职务层次",
                  "任现职务层次年限", "未达到要求的班子", "城关镇党政办"):  # fmt: skip
        assert title in text
    assert "section_principal" not in text.replace('"section_principal"', "")


def test_page_lists_the_first_misses_and_says_how_many_more(client, personas, offices, monkeypatch):
    from xuanren.statistics import views_structure

    monkeypatch.setattr(views_structure, "MISSES_SHOWN", 1)
    client.force_login(personas.case_officer)
    response = client.get(reverse("statistics:structure"), {"on": "2025-03-01"})
    assert len(response.context["misses"]) == 1
    assert "页面列出前 1 个，另有 1 个见导出的 Excel。" in response.content.decode()


def test_no_role_is_403_and_out_of_scope_is_404(client, personas: Personas, county, offices):
    before = AccessRecord.objects.count()
    client.force_login(personas.outsider)
    assert client.get(reverse("statistics:structure")).status_code == 403
    assert client.get(reverse("statistics:structure_xlsx")).status_code == 403
    assert client.get(API + "/statistics/structure").status_code == 403
    # The HR contact of 石桥镇 may not read 城关镇 (404, like an unknown unit).
    client.force_login(personas.other_unit_hr)
    url = reverse("statistics:structure")
    assert client.get(url, {"unit": county.town.pk}).status_code == 404
    assert client.get(url, {"unit": 999999}).status_code == 404
    assert (
        client.get(reverse("statistics:structure_xlsx"), {"unit": county.town.pk}).status_code
        == 404
    )
    assert client.get(API + "/statistics/structure", {"unit": county.town.pk}).status_code == 404
    assert AccessRecord.objects.count() == before  # nothing exported, nothing recorded
    # Their own scope: none of the town's or the bureau's cadres.
    own = client.get(url, {"on": "2025-03-01"})
    assert own.status_code == 200 and own.context["report"].total == 0
    assert own.context["report"].misses == []


def test_nav_shows_the_page_to_cadre_readers_only(client, personas: Personas):
    client.force_login(personas.case_officer)
    assert reverse("statistics:structure") in client.get(reverse("web:dashboard")).content.decode()
    client.force_login(personas.outsider)
    assert (
        reverse("statistics:structure") not in client.get(reverse("web:dashboard")).content.decode()
    )


def _queries(client: Any, url: str, params: dict[str, Any]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow(client, admin, personas: Personas, county, make_cadre):
    from xuanren.org.services import unit_create

    client.force_login(personas.case_officer)
    url = reverse("statistics:structure")
    params = {"on": "2025-03-01", "unit": county.root.pk}
    worker(make_cadre, county.finance, "一", dt.date(1980, 1, 1))
    few = _queries(client, url, params)
    for i in range(6):
        office = unit_create(actor=admin, name=f"办{i}", code=f"X{i}", kind="internal_office",
                             parent=county.town)  # fmt: skip
        post = post_create(actor=admin, unit=office, title="主任", level=Level.SUBSECTION_PRINCIPAL)
        deputy = post_create(actor=admin, unit=office, title="副主任",
                             level=Level.SUBSECTION_DEPUTY)  # fmt: skip
        for p, n in ((post, "甲"), (deputy, "乙")):
            c = worker(make_cadre, office, f"{n}{i}", dt.date(1970 + i, 1, 1), ethnicity=f"族{i}")
            tenure_start(actor=admin, cadre=c, post=p, start_date=dt.date(2020, 1, 1))
    many = _queries(client, url, params)
    assert many == few
    api = _queries(client, API + "/statistics/structure", params)
    assert api <= many


def test_xlsx_has_every_table_as_text_and_numbers(client, personas: Personas, county, offices):
    from openpyxl import load_workbook

    client.force_login(personas.case_officer)
    response = client.get(reverse("statistics:structure_xlsx"), {"on": "2025-03-01"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["年龄结构", "性别结构", "学历结构", "民族结构", "政治面貌",
                               "职务层次", "任现职务层次年限", "班子结构要求", "未达到要求的班子"]  # fmt: skip
    sex = [[c.value for c in row] for row in book["性别结构"].iter_rows()]
    assert sex[1] == ["性别结构", "人数", "占比"]
    assert sex[2][:2] == ["男", 7] and sex[3][:2] == ["女", 1] and sex[-1][:2] == ["合计", 8]
    for row in book["未达到要求的班子"].iter_rows(min_row=3):
        assert row[0].value == "城关镇党政办" and row[0].data_type == "s"
    assert AccessRecord.objects.filter(subject_type="statistics.structure").count() == 1


def test_api_returns_the_same_tallies(client, personas: Personas, county, offices):
    client.force_login(personas.case_officer)
    response = client.get(API + "/statistics/structure", {"on": "2025-03-01"})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 8
    sex = next(t for t in body["tables"] if t["key"] == "sex")
    assert [(r["code"], r["count"]) for r in sex["rows"]] == [("male", 7), ("female", 1)]
    assert [m["unit_name"] for m in body["misses"]] == ["城关镇党政办", "城关镇党政办"]


def test_large_scope_gets_the_unit_picker_and_a_bad_date_is_a_form_error(
    client, personas: Personas, county, monkeypatch
):
    from xuanren.web import pickers

    monkeypatch.setattr(pickers, "UNIT_SELECT_MAX", 2)
    client.force_login(personas.case_officer)
    url = reverse("statistics:structure")
    response = client.get(url, {"unit": county.town.pk, "on": "2025-02-30"})
    assert response.status_code == 200
    assert response.context["form"].unit_picker
    assert "城关镇（青山县）" in response.content.decode()  # the chosen unit, with its parent
    assert "on" in response.context["form"].errors
    assert response.context["report"].on == dates.today()
    assert response.context["report"].unit == county.town


def test_query_count_on_a_past_date_does_not_grow(client, admin, personas: Personas, county,
                                                  make_cadre):  # fmt: skip
    """A date before levels began: the facts come from the history (decision 0118), in
    the same fixed number of queries (with JIT off around them on PostgreSQL, 0144)."""
    from xuanren.org.services import unit_create
    from xuanren.policy.compile import needs_history

    client.force_login(personas.case_officer)
    url = reverse("statistics:structure")
    params = {"on": "2021-06-01", "unit": county.root.pk}

    def staff(i: int) -> None:
        office = unit_create(actor=admin, name=f"股{i}", code=f"H{i}", kind="internal_office",
                             parent=county.town)  # fmt: skip
        post = post_create(actor=admin, unit=office, title="主任", level=Level.SUBSECTION_PRINCIPAL)
        c = worker(make_cadre, office, f"史{i}", dt.date(1975 + i, 3, 1))
        tenure_start(actor=admin, cadre=c, post=post, start_date=dt.date(2022, 1, 1))

    staff(0)
    assert needs_history(dt.date(2021, 6, 1))
    few = _queries(client, url, params)
    for i in range(1, 6):
        staff(i)
    assert _queries(client, url, params) == few
