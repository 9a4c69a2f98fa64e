"""The reserve pages: a round driven through its forms, the review form,
the XLSX (formula-like text escaped), scope (404) and read-only (403) with
nothing changed, 待办, the menu, and query counts of the round page."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tests.conftest import make_user
from tests.reserves.conftest import TODAY, World
from xuanren.access.models import Role
from xuanren.procedure.todo import todo_for
from xuanren.reserves.models import Member, Nominee, ReserveRound
from xuanren.reserves.services import (
    reserve_inspection_record,
    reserve_list_fix,
    reserve_member_add,
    reserve_nominate,
    reserve_test_record,
)

DAY = dt.date(2026, 6, 1)


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _post(c: Client, w: World, **data: Any) -> Any:
    return c.post(reverse("reserves:reserve_round", args=[w.round.pk]), data)


def test_a_round_through_the_forms(personas: Any, world: World, county: Any) -> None:
    c = _client(personas.case_officer)
    r = c.post(
        reverse("reserves:reserve_rounds"),
        {"title": "城关镇后备干部", "unit": county.town.pk, "year": 2026, "pass_line": "65"},
    )
    assert r.status_code == 302
    assert ReserveRound.objects.filter(title="城关镇后备干部", pass_line=65).exists()
    day = DAY.isoformat()
    for cadre, channel in ((world.a, "organization"), (world.a, "masses"), (world.b, "self")):
        r = _post(c, world, action="nominate", cadre=cadre.pk, channel=channel, nominated_on=day)
        assert r.status_code == 302
    a = Nominee.objects.get(round=world.round, cadre=world.a)
    b = Nominee.objects.get(round=world.round, cadre=world.b)
    assert (
        _post(c, world, action="test", nominee=a.pk, score="60", tested_on=day).status_code == 302
    )
    assert _post(c, world, action="test", nominee=b.pk, score="59.5",
                 tested_on=day).status_code == 302  # fmt: skip
    r = _post(c, world, action="test", nominee=b.pk, score="101", tested_on=day)
    assert r.status_code == 422 and "0 至 100" in r.content.decode()
    for n in (a, b):
        r = _post(c, world, action="inspection", nominee=n.pk, result="passed", inspected_on=day)
        assert r.status_code == 302
    # Only a is offered for the list: b failed the test.
    page = c.get(reverse("reserves:reserve_round", args=[world.round.pk])).content.decode()
    assert "不合格，不予列入" in page and "组织推荐、群众推荐" in page
    r = _post(c, world, action="member", nominee=b.pk, tier="near")
    assert r.status_code == 422
    r = _post(c, world, action="member", nominee=a.pk, tier="near", target_level="section_deputy",
              target_post="乡镇党委副书记")  # fmt: skip
    assert r.status_code == 302
    assert _post(c, world, action="fix", listed_on=TODAY.isoformat()).status_code == 302
    world.round.refresh_from_db()
    assert world.round.listed_on == TODAY
    page = c.get(reverse("reserves:reserve_round", args=[world.round.pk])).content.decode()
    assert "下次调整 2028.11.27" in page
    m = Member.objects.get(nominee=a)
    r = _post(c, world, action="leave", member=m.pk, left_on=TODAY.isoformat(), reason="other")
    assert r.status_code == 422
    r = _post(c, world, action="leave", member=m.pk, left_on=TODAY.isoformat(), reason="promoted")
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.leave_reason == "promoted"
    page = c.get(reverse("reserves:reserve_round", args=[world.round.pk])).content.decode()
    assert "已提拔任用" in page


def _listed(personas: Any, world: World) -> list[Member]:
    o = personas.case_officer
    out = []
    for cadre, score in ((world.a, "88"), (world.c, "=HYPERLINK(1)"), (world.b, "70")):
        n = reserve_nominate(actor=o, round=world.round, cadre=cadre, channel="organization",
                             nominated_on=DAY, note="=cmd|' /C calc'!A0")  # fmt: skip
        if score.startswith("="):
            continue
        reserve_test_record(actor=o, nominee=n, score=score, tested_on=DAY)
        reserve_inspection_record(actor=o, nominee=n, result="passed", inspected_on=DAY)
        if cadre == world.b:
            continue
        out.append(reserve_member_add(actor=o, nominee=n, tier="near", target_post="-乡镇副职"))
    reserve_list_fix(actor=o, round=world.round, listed_on=DAY)
    return out


def test_the_review_form(personas: Any, world: World) -> None:
    [ma] = _listed(personas, world)
    b = Nominee.objects.get(round=world.round, cadre=world.b)
    c = _client(personas.case_officer)
    url = reverse("reserves:reserve_review", args=[world.round.pk])
    assert c.get(url).status_code == 200
    r = c.post(url, {"held_on": TODAY.isoformat(), f"member_{ma.pk}": "other",
                     f"member_{ma.pk}_note": "", f"nominee_{b.pk}": "longer"})  # fmt: skip
    assert r.status_code == 422 and "请写明说明" in r.content.decode()
    assert not Member.objects.filter(nominee=b).exists()
    r = c.post(url, {"held_on": TODAY.isoformat(), f"member_{ma.pk}": "over_age",
                     f"member_{ma.pk}_note": "", f"nominee_{b.pk}": "longer"})  # fmt: skip
    assert r.status_code == 302
    ma.refresh_from_db()
    assert ma.leave_reason == "over_age"
    assert Member.objects.get(nominee=b).tier == "longer"


def test_the_xlsx_escapes_formulas(personas: Any, world: World) -> None:
    _listed(personas, world)
    r = _client(personas.discipline).get(
        reverse("reserves:reserve_round_xlsx", args=[world.round.pk])
    )
    assert r.status_code == 200
    book = load_workbook(io.BytesIO(r.content))
    summary = {row[0]: row[1] for row in book["汇总"].iter_rows(min_row=4, values_only=True)}
    assert summary["组织推荐（人）"] == 3
    assert summary["测试合格（人）"] == 2
    assert summary["名单中：近期（人）"] == 1
    listed = list(book["后备干部名单"].iter_rows(min_row=2, values_only=True))
    assert listed[0][0] == "李明" and listed[0][4] == "-乡镇副职"
    cell = book["后备干部名单"]["E2"]
    assert cell.data_type == "s"
    people = list(book["推荐人选"].iter_rows(min_row=2, values_only=True))
    assert {p[0] for p in people} == {"李明", "赵强", "王芳"}


def test_scope_and_read_only(personas: Any, world: World, county: Any) -> None:
    n = reserve_nominate(actor=personas.case_officer, round=world.round, cadre=world.a,
                         channel="self", nominated_on=DAY)  # fmt: skip
    url = reverse("reserves:reserve_round", args=[world.round.pk])
    town_officer = make_user("officer_town", Role.CASE_OFFICER, county.town)
    for user, status in ((town_officer, 404), (personas.outsider, 403)):
        c = _client(user)
        assert c.get(url).status_code == status
        assert c.post(url, {"action": "test", "nominee": n.pk, "score": "80",
                            "tested_on": DAY.isoformat()}).status_code == status  # fmt: skip
        assert c.get(reverse("reserves:reserve_round_xlsx",
                             args=[world.round.pk])).status_code == status  # fmt: skip
    reader = _client(personas.discipline)
    page = reader.get(url)
    assert page.status_code == 200 and 'name="action"' not in page.content.decode()
    member_page = _client(personas.committee_member).get(url)
    assert member_page.status_code == 200 and "登记测试成绩" not in member_page.content.decode()
    r = reader.post(url, {"action": "test", "nominee": n.pk, "score": "80",
                          "tested_on": DAY.isoformat()})  # fmt: skip
    assert r.status_code == 403
    assert reader.get(reverse("reserves:reserve_review", args=[world.round.pk])).status_code == 403
    n.refresh_from_db()
    assert n.score is None
    assert (
        _client(personas.other_unit_hr).get(reverse("reserves:reserve_rounds")).status_code == 403
    )


def test_todo_and_menu(personas: Any, world: World, clock: Any) -> None:
    _listed(personas, world)
    officer = personas.case_officer
    # As if fixed on 29 February 2024: due 2026-03-01, in 待办 from 30 days before.
    ReserveRound.objects.filter(pk=world.round.pk).update(listed_on=dt.date(2024, 2, 29))
    clock.day = dt.date(2026, 1, 29)
    assert not [i for i in todo_for(actor=officer) if i.kind == "reserve_review_due"]
    clock.day = dt.date(2026, 1, 30)
    [item] = [i for i in todo_for(actor=officer) if i.kind == "reserve_review_due"]
    assert item.due == dt.date(2026, 3, 1)
    assert item.link == reverse("reserves:reserve_review", args=[world.round.pk])
    page = _client(officer).get(reverse("web:dashboard")).content.decode()
    assert reverse("reserves:reserve_rounds") in page
    page = _client(personas.other_unit_hr).get(reverse("web:dashboard")).content.decode()
    assert reverse("reserves:reserve_rounds") not in page


def test_round_page_queries_do_not_grow(personas: Any, world: World, make_cadre: Any,
                                        county: Any) -> None:  # fmt: skip
    _listed(personas, world)
    c = _client(personas.case_officer)
    url = reverse("reserves:reserve_round", args=[world.round.pk])
    c.get(url)
    with CaptureQueriesContext(connection) as small:
        assert c.get(url).status_code == 200
    ReserveRound.objects.filter(pk=world.round.pk).update(listed_on=None)
    o = personas.case_officer
    for i in range(6):
        cadre = make_cadre(county.town, name=f"干部{i}", birth=dt.date(1985, 1, 1 + i))
        n = reserve_nominate(actor=o, round=world.round, cadre=cadre, channel="masses",
                             nominated_on=DAY)  # fmt: skip
        reserve_test_record(actor=o, nominee=n, score="75", tested_on=DAY)
        reserve_inspection_record(actor=o, nominee=n, result="passed", inspected_on=DAY)
        reserve_member_add(actor=o, nominee=n, tier="longer")
    ReserveRound.objects.filter(pk=world.round.pk).update(listed_on=DAY)
    with CaptureQueriesContext(connection) as large:
        assert c.get(url).status_code == 200
    assert len(large) == len(small)


def test_the_cadre_page_shows_reserve_places(personas: Any, world: World, county: Any) -> None:
    _listed(personas, world)
    url = reverse("web:cadre_detail", args=[world.a.pk])
    page = _client(personas.case_officer).get(url).content.decode()
    assert "2026年度科级后备干部选拔" in page and "近期" in page
    # An officer of the town sees the cadre but not the county's round: no link to a 404.
    town_officer = make_user("officer_town", Role.CASE_OFFICER, county.town)
    page = _client(town_officer).get(url).content.decode()
    assert "2026年度科级后备干部选拔" not in page


def test_round_list_queries_do_not_grow(personas: Any, world: World, county: Any) -> None:
    from xuanren.reserves.services import reserve_round_create

    c = _client(personas.case_officer)
    url = reverse("reserves:reserve_rounds")
    c.get(url)
    with CaptureQueriesContext(connection) as one:
        assert c.get(url).status_code == 200
    _listed(personas, world)
    for year in (2024, 2025):
        reserve_round_create(actor=personas.case_officer, unit=county.town, year=year,
                             title=f"{year}年度城关镇后备干部", pass_line="60")  # fmt: skip
    with CaptureQueriesContext(connection) as three:
        page = c.get(url)
    assert len(three) == len(one)
    assert "2025年度城关镇后备干部" in page.content.decode()
