"""Reserve status as a fact (docs/decisions/0155): 智能选人 filters on it,
the cadre facts the rules read carry it, and a rule on it (measure
in_reserve) agrees in Python (explain) and in SQL (the screen)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.urls import reverse

from tests.reserves.conftest import TODAY, World
from tests.web.test_candidates import make_candidate
from xuanren.people.models import Cadre
from xuanren.policy.compile import rule_pass_q
from xuanren.policy.rules import ReserveFact, Status, evaluate, rule_from_data
from xuanren.policy.selectors import cadre_facts, post_facts
from xuanren.reserves.models import Member
from xuanren.reserves.services import (
    reserve_inspection_record,
    reserve_list_fix,
    reserve_member_add,
    reserve_member_leave,
    reserve_nominate,
    reserve_test_record,
)

DAY = dt.date(2026, 6, 1)
LISTED = dt.date(2026, 7, 1)


def _list(officer: Any, world: World, cadres: list[Cadre]) -> list[Member]:
    out = []
    for cadre in cadres:
        n = reserve_nominate(actor=officer, round=world.round, cadre=cadre, channel="organization",
                             nominated_on=DAY)  # fmt: skip
        reserve_test_record(actor=officer, nominee=n, score="80", tested_on=DAY)
        reserve_inspection_record(actor=officer, nominee=n, result="passed", inspected_on=DAY)
        out.append(reserve_member_add(actor=officer, nominee=n, tier="near"))
    reserve_list_fix(actor=officer, round=world.round, listed_on=LISTED)
    return out


def test_the_screening_page_filters_on_the_list(
    admin: Any, county: Any, personas: Any, make_cadre: Any, world: World
) -> None:
    chen = make_candidate(admin, make_cadre, county.town, name="陈明", birth=dt.date(1988, 5, 6))
    wang = make_candidate(admin, make_cadre, county.finance, name="王强",
                          birth=dt.date(1990, 1, 9))  # fmt: skip
    _list(personas.case_officer, world, [chen])
    c = Client()
    c.force_login(personas.case_officer)
    params = {"post": county.town_secretary.pk, "ref_date": TODAY.isoformat()}
    everyone = c.get(reverse("web:candidates"), params)
    shown = {row.cadre.pk for row in everyone.context["rows"]}
    assert {chen.pk, wang.pk} <= shown
    only = c.get(reverse("web:candidates"), {**params, "in_reserve": "on"})
    assert [row.cadre.pk for row in only.context["rows"]] == [chen.pk]
    # The screening's own count stays; the list says how many the filter leaves.
    assert only.context["eligible_count"] == everyone.context["eligible_count"]
    assert only.context["page_obj"].paginator.count == 1 and only.context["filtered"]
    assert "在后备干部名单中" in only.content.decode()
    # Before the list was fixed, nobody was on it.
    before = c.get(reverse("web:candidates"),
                   {**params, "in_reserve": "on", "ref_date": "2026-06-30"})  # fmt: skip
    assert [row.cadre.pk for row in before.context["rows"]] == []


def test_the_facts_carry_reserve_status(personas: Any, world: World) -> None:
    [_ma, mc] = _list(personas.case_officer, world, [world.a, world.c])
    reserve_member_leave(actor=personas.case_officer, member=mc, left_on=dt.date(2026, 9, 1),
                         reason="promoted")  # fmt: skip
    facts = {f.id: f for f in cadre_facts(Cadre.objects.filter(pk__in=[world.a.pk, world.c.pk,
                                                                        world.b.pk]))}  # fmt: skip
    assert facts[world.a.pk].reserve == (ReserveFact(LISTED, None, "near"),)
    assert facts[world.c.pk].reserve == (ReserveFact(LISTED, dt.date(2026, 9, 1), "near"),)
    assert facts[world.b.pk].reserve == ()
    assert facts[world.a.pk].in_reserve(TODAY)
    assert not facts[world.a.pk].in_reserve(dt.date(2026, 6, 30))
    assert facts[world.c.pk].in_reserve(dt.date(2026, 8, 31))
    assert not facts[world.c.pk].in_reserve(dt.date(2026, 9, 1))  # left that day


def test_a_rule_reads_it_in_python_and_in_sql(personas: Any, world: World, county: Any) -> None:
    _list(personas.case_officer, world, [world.a])
    rule = rule_from_data(
        {"id": "local.reserve", "title": "一般应从后备干部中产生", "measure": "in_reserve"},
        pack="local",
        default_source="本地规定",
    )
    post = post_facts(county.town_deputy)
    cadres = Cadre.objects.filter(pk__in=[world.a.pk, world.b.pk])
    facts = {f.id: f for f in cadre_facts(cadres)}
    for ref, expected in ((TODAY, {world.a.pk}), (dt.date(2026, 6, 30), set())):
        in_python = {
            pk for pk, f in facts.items() if evaluate(rule, f, post, ref).status is Status.PASS
        }
        in_sql = set(cadres.filter(rule_pass_q(rule, post, ref)).values_list("pk", flat=True))
        assert in_python == in_sql == expected
    result = evaluate(rule, facts[world.b.pk], post, TODAY)
    assert "不在后备干部名单中" in result.sentence


def test_the_case_picker_offers_the_reserve_list(personas: Any, world: World) -> None:
    from xuanren.web.pickers import PickerScope

    _list(personas.case_officer, world, [world.a])
    c = Client()
    c.force_login(personas.case_officer)
    url = reverse("web:cadre_picker")
    listed = c.get(url, {"reserve": "1"})
    assert listed.status_code == 200
    assert [r["pk"] for r in listed.context["rows"]] == [world.a.pk]
    assert "从后备干部名单选" not in listed.content.decode()
    # Without the flag an empty query lists nobody (as before).
    assert c.get(url).context["rows"] == []
    # Typing narrows the list too.
    assert c.get(url, {"reserve": "1", "q": "王"}).context["rows"] == []
    # A picker outside a case has no such button; a case's has.
    assert PickerScope(actor=personas.case_officer, within_unit=False).reserve_url == ""


def test_a_case_picker_renders_the_button(personas: Any, world: World, county: Any) -> None:
    from xuanren.procedure.models import Case
    from xuanren.web.pickers import CadrePicker, PickerScope

    case = Case(pk=7, unit=county.town)
    scope = PickerScope(actor=personas.case_officer, case=case, within_unit=True)
    assert scope.reserve_url.endswith("reserve=1") and "case=7" in scope.reserve_url
    widget = CadrePicker()
    widget.scope = scope
    html = widget.render("cadre", None)
    assert "从后备干部名单选" in html and "reserve=1" in html
