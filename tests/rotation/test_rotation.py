"""轮岗交流 (issue 16, docs/decisions/0175–0178): the alerts of each rule from
the tenure history with hand-computed dates (on the day, 29 February), their
scope, the 待办 sources, exchange records and rotation plans with progress,
the pages, XLSX and API (out of scope 404, may see but not change 403,
nothing changed), and the query counts of the main paths."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tests.api.conftest import API, field_errors, post_json
from xuanren.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from xuanren.journal.models import Event, EventType
from xuanren.journal.services import journal_verify
from xuanren.org.models import Level, Post
from xuanren.org.services import post_create
from xuanren.people.models import Cadre, TemporaryPosting
from xuanren.people.services import tenure_start
from xuanren.procedure.todo import TodoKind, todo_for
from xuanren.rotation.models import EntryStatus, ExchangeRecord, RotationPlanEntry
from xuanren.rotation.selectors import alerts, cadre_alerts
from xuanren.rotation.services import (
    exchange_record_add,
    rotation_plan_add,
    rotation_plan_create,
    rotation_plan_entry_set,
)

pytestmark = pytest.mark.django_db
ON = dt.date(2026, 9, 1)


@dataclass
class World:
    county: Any
    secretary: Cadre  # 党委书记 since 2016-09-01: ten years and two terms today
    deputy: Cadre  # 副局长 since 2016-09-02: ten years tomorrow (approaching)
    fresh: Cadre  # 副镇长 since 2017-03-02: ten years after the window (nothing)
    veteran: Cadre  # 副科级 since 2011-09-01: fifteen years at the level today
    clerk: Cadre  # 财政局财务股股长 since 2021-08-29: sensitive post, five years reached
    clerk_post: Post
    members: Post  # 党委委员, ten seats: for the tests that add many cadres


def _rules(rows: list[Any], cadre: Cadre) -> set[tuple[str, str]]:
    return {(a.rule.id, a.stage) for a in rows if a.cadre.pk == cadre.pk}


@pytest.fixture
def world(clock: Any, county: Any, make_cadre: Any, admin: Any) -> World:
    clock.day = ON
    secretary = make_cadre(county.town, name="李书记")
    tenure_start(
        actor=admin, cadre=secretary, post=county.town_secretary, start_date=dt.date(2016, 9, 1)
    )
    deputy = make_cadre(county.finance, name="赵副局长")
    tenure_start(
        actor=admin, cadre=deputy, post=county.finance_deputy, start_date=dt.date(2016, 9, 2)
    )
    fresh = make_cadre(county.town, name="钱副镇长")
    tenure_start(actor=admin, cadre=fresh, post=county.town_deputy, start_date=dt.date(2017, 3, 2))
    veteran = make_cadre(
        county.town,
        name="孙老科",
        level=Level.SECTION_DEPUTY,
        level_since=dt.date(2011, 9, 1),
    )
    clerk_post = post_create(
        actor=admin, unit=county.finance, title="财务股股长", level=Level.SUBSECTION_PRINCIPAL
    )
    clerk = make_cadre(county.finance, name="周股长")
    tenure_start(actor=admin, cadre=clerk, post=clerk_post, start_date=dt.date(2021, 8, 29))
    members = post_create(
        actor=admin, unit=county.town, title="党委委员", level=Level.SECTION_DEPUTY, seats=10
    )
    return World(county, secretary, deputy, fresh, veteran, clerk, clerk_post, members)


def test_each_rule_hand_computed(world: World, personas: Any) -> None:
    rows = alerts(actor=personas.case_officer)
    assert _rules(rows, world.secretary) == {
        ("national.same_post_ten_years", "reached"),
        ("national.two_terms", "reached"),
    }
    assert _rules(rows, world.deputy) == {("national.same_post_ten_years", "approaching")}
    assert _rules(rows, world.fresh) == set()
    assert _rules(rows, world.veteran) == {("national.same_level_fifteen_years", "reached")}
    assert _rules(rows, world.clerk) == {("county.sensitive_post", "reached")}
    by = {(a.cadre.pk, a.rule.id): a for a in rows}
    sec = by[(world.secretary.pk, "national.same_post_ten_years")]
    assert (sec.since, sec.due, sec.served_months) == (
        dt.date(2016, 9, 1),
        dt.date(2026, 9, 1),
        120,
    )
    assert sec.post is not None and sec.post.pk == world.county.town_secretary.pk
    dep = by[(world.deputy.pk, "national.same_post_ten_years")]
    assert (dep.due, dep.served_months, dep.served_text) == (
        dt.date(2026, 9, 2),
        119,
        "9 年 11 个月",
    )
    # soonest first
    assert [a.due for a in rows] == sorted(a.due for a in rows)
    # the filters
    only_level = alerts(actor=personas.case_officer, kind="level_years")
    assert {a.cadre.pk for a in only_level} == {world.veteran.pk}
    reached = alerts(actor=personas.case_officer, only="reached")
    assert world.deputy.pk not in {a.cadre.pk for a in reached}
    approaching = alerts(actor=personas.case_officer, only="approaching")
    assert {a.cadre.pk for a in approaching} == {world.deputy.pk}
    in_finance = alerts(actor=personas.case_officer, unit=world.county.finance)
    assert {a.cadre.pk for a in in_finance} == {world.deputy.pk, world.clerk.pk}


def test_the_day_before_and_the_window_edge(world: World, personas: Any, clock: Any) -> None:
    clock.day = ON - dt.timedelta(days=1)
    rows = alerts(actor=personas.case_officer)
    assert _rules(rows, world.secretary) == {
        ("national.same_post_ten_years", "approaching"),
        ("national.two_terms", "approaching"),
    }
    # 钱副镇长 reaches ten years on 2027-03-02: in the window from 2026-09-02 on
    assert _rules(rows, world.fresh) == set()
    clock.day = dt.date(2026, 9, 2)
    assert _rules(alerts(actor=personas.case_officer), world.fresh) == {
        ("national.same_post_ten_years", "approaching")
    }


def test_29_february_start(
    county: Any, make_cadre: Any, admin: Any, personas: Any, clock: Any
) -> None:
    leap = make_cadre(county.other_town, name="闰年")
    tenure_start(actor=admin, cadre=leap, post=county.town_deputy, start_date=dt.date(2016, 2, 29))
    clock.day = dt.date(2026, 2, 28)
    assert _rules(alerts(actor=personas.case_officer), leap) == {
        ("national.same_post_ten_years", "approaching")
    }
    clock.day = dt.date(2026, 3, 1)
    found = [a for a in alerts(actor=personas.case_officer) if a.cadre.pk == leap.pk]
    assert [(a.stage, a.due) for a in found] == [("reached", dt.date(2026, 3, 1))]


def test_ended_tenures_and_left_cadres_have_no_alert(
    world: World, personas: Any, admin: Any
) -> None:
    from xuanren.people.services import tenure_end

    tenure = world.secretary.tenures.get()
    tenure_end(actor=admin, tenure=tenure, end_date=dt.date(2026, 8, 31))
    assert _rules(alerts(actor=personas.case_officer), world.secretary) == set()


def test_cadre_page_alerts_agree_with_the_list(world: World, personas: Any) -> None:
    from xuanren.people.selectors import cadre_get

    officer = personas.case_officer
    listed = alerts(actor=officer)
    for cadre in (world.secretary, world.deputy, world.fresh, world.veteran, world.clerk):
        page = cadre_alerts(actor=officer, cadre=cadre_get(actor=officer, pk=cadre.pk), on=ON)
        assert {(a.rule.id, a.stage, a.due) for a in page} == {
            (a.rule.id, a.stage, a.due) for a in listed if a.cadre.pk == cadre.pk
        }


def test_scope_and_permission(world: World, personas: Any) -> None:
    # the HR contact of 石桥镇 reads alerts, but none of 城关镇 or the finance bureau
    assert alerts(actor=personas.other_unit_hr) == []
    assert {a.cadre.pk for a in alerts(actor=personas.discipline)} >= {world.secretary.pk}
    with pytest.raises(PermissionDenied):
        alerts(actor=personas.outsider)
    assert cadre_alerts(actor=personas.outsider, cadre=world.secretary) == []


def test_post_rules_follow_the_post_unit(
    world: World, personas: Any, make_cadre: Any, admin: Any
) -> None:
    """A post rule's alert is in the scope of the post's unit, the level
    rule's in the cadre's (decision 0192), in the list and in 待办's read."""
    from xuanren.reminders.selectors import Range, kept_reminders
    from xuanren.rotation.rules import pack

    hr = personas.other_unit_hr  # 石桥镇
    # a 石桥镇 cadre in a 城关镇 post since 2016-08-01: ten years reached
    town_post = post_create(
        actor=admin, unit=world.county.town, title="党委副书记", level=Level.SECTION_DEPUTY
    )
    away = make_cadre(
        world.county.other_town,
        name="吴借调",
        level=Level.SECTION_DEPUTY,
        level_since=dt.date(2011, 8, 1),
    )
    tenure_start(actor=admin, cadre=away, post=town_post, start_date=dt.date(2016, 8, 1))
    # a 城关镇 cadre in a 石桥镇 post since 2016-09-02: ten years tomorrow
    shiqiao_post = post_create(
        actor=admin, unit=world.county.other_town, title="副镇长", level=Level.SECTION_DEPUTY
    )
    lent = make_cadre(world.county.town, name="郑派驻")
    tenure_start(actor=admin, cadre=lent, post=shiqiao_post, start_date=dt.date(2016, 9, 2))

    seen = alerts(actor=hr)
    assert _rules(seen, away) == {("national.same_level_fifteen_years", "reached")}
    assert _rules(seen, lent) == {("national.same_post_ten_years", "approaching")}
    in_town = alerts(actor=personas.case_officer, unit=world.county.town)
    assert _rules(in_town, away) == {("national.same_post_ten_years", "reached")}
    assert _rules(in_town, lent) == set()

    # 待办's read of the kept reminders (decision 0195): those reached before
    # today counted (one per person), the coming ones soonest first
    def read(actor: Any, limit: int = 50) -> tuple[int, list[tuple[str, str, dt.date]]]:
        ranges = [
            Range("rotation_due", ON, ON + dt.timedelta(days=30), limit),
            Range("rotation_due", None, ON - dt.timedelta(days=1), limit, reached=True),
        ]
        found = kept_reminders(actor=actor, ranges=ranges)
        rules = {r.id: r.kind for r in pack().rules}
        coming = [(r.cadre.name, rules[r.rule], r.due) for r in found.rows[0]]
        return found.counts[1], coming

    assert read(hr) == (0, [("郑派驻", "post_years", dt.date(2026, 9, 2))])
    # the county officer: 吴借调 and 周股长 reached before today; 李书记 today
    # (two kinds: one item each), 赵副局长 and 郑派驻 tomorrow, soonest first
    reached, coming = read(personas.case_officer)
    assert reached == 2
    assert coming == [
        ("李书记", "post_years", ON),
        ("李书记", "post_terms", ON),
        ("赵副局长", "post_years", dt.date(2026, 9, 2)),
        ("郑派驻", "post_years", dt.date(2026, 9, 2)),
    ]
    reached, coming = read(personas.case_officer, limit=1)
    assert (reached, len(coming)) == (1, 1)  # each range read up to its limit


def test_alert_list_query_count_does_not_grow(
    world: World, personas: Any, make_cadre: Any, admin: Any, django_assert_max_num_queries: Any
) -> None:
    officer = personas.case_officer
    alerts(actor=officer)
    with CaptureQueriesContext(connection) as before:
        alerts(actor=officer)
    for n in range(3):
        c = make_cadre(
            world.county.town,
            name=f"老干部{n}",
            level=Level.SECTION_DEPUTY,
            level_since=dt.date(2010, 1, 1),
        )
        tenure_start(actor=admin, cadre=c, post=world.members, start_date=dt.date(2015, 1, 5 + n))
    with CaptureQueriesContext(connection) as after:
        rows = alerts(actor=officer)
    assert len(rows) >= 9
    assert len(after.captured_queries) == len(before.captured_queries) <= 6  # one per rule


def test_todo_sources(world: World, personas: Any) -> None:
    items = todo_for(actor=personas.case_officer, on=ON)
    rotation = [i for i in items if i.kind == TodoKind.ROTATION_DUE]
    levels = [i for i in items if i.kind == TodoKind.LEVEL_LIMIT_DUE]
    texts = " ".join(i.text for i in rotation)
    # reached by the 30-day horizon: 李书记 (today) and 赵副局长 (tomorrow) one by
    # one; 周股长 (reached before today) only in the summary of its kind, due
    # today, not overdue (decision 0191)
    assert "李书记" in texts and "赵副局长" in texts and "周股长" not in texts
    assert "钱副镇长" not in texts
    summary = [i for i in rotation if "名干部已达到" in i.text]
    assert [(i.text, i.due) for i in summary] == [
        (
            "1 名干部已达到“同一职位连续任期、同一职位任职年限”规定，尚未交流，请查看轮岗交流提示。",
            ON,
        )
    ]
    assert summary[0].link.endswith("/rotation/?only=reached")
    assert not summary[0].overdue(ON)
    assert [i.text for i in levels if "孙老科" in i.text]
    sec = next(i for i in rotation if "李书记" in i.text and "必须交流" in i.text)
    assert sec.due == ON and sec.link.endswith(f"/cadres/{world.secretary.pk}/#rotation")
    # who does not keep plans gets none
    kinds = {i.kind for i in todo_for(actor=personas.discipline, on=ON)}
    assert TodoKind.ROTATION_DUE not in kinds and TodoKind.LEVEL_LIMIT_DUE not in kinds


def test_todo_caps_the_upcoming_alerts(world: World, personas: Any, monkeypatch: Any) -> None:
    """Upcoming alerts beyond ITEMS_PER_KIND are one summary item linking to
    the kind alone; the summary of those already reached stays first
    (decisions 0191, 0194)."""
    from xuanren.procedure import todo

    monkeypatch.setattr(todo, "ITEMS_PER_KIND", 1)
    rotation = [
        i for i in todo_for(actor=personas.case_officer, on=ON)
        if i.kind == TodoKind.ROTATION_DUE
    ]  # fmt: skip
    assert ["名干部已达到" in i.text for i in rotation] == [True, False, False]
    assert "李书记" in rotation[1].text and not rotation[1].more
    assert rotation[2].more and rotation[2].link.endswith("?tab=all&kind=rotation_due")
    assert rotation[2].due == rotation[1].due
    alone = todo_for(actor=personas.case_officer, on=ON, kind=TodoKind.ROTATION_DUE)
    assert not any(i.more for i in alone)
    texts = " ".join(i.text for i in alone)
    assert "李书记" in texts and "赵副局长" in texts


def test_todo_reads_the_alerts_from_the_kept_reminders(
    county: Any, personas: Any, clock: Any
) -> None:
    """No probe of their own (decision 0195): the rotation kinds are ranges of
    the request's one read of the kept reminders, and nothing due is nothing."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from xuanren.procedure.todo import PROBES, level_limits_due, rotation_due, todo_for

    clock.day = ON
    assert rotation_due not in PROBES and level_limits_due not in PROBES
    with CaptureQueriesContext(connection) as ctx:
        items = todo_for(actor=personas.case_officer, on=ON)
    assert not [i for i in items if i.kind in ("rotation_due", "level_limit_due")]
    kept = [q for q in ctx.captured_queries if "reminders_keptreminder" in q["sql"]]
    assert len(kept) == 1  # nothing found: no second query for the rows' details


# ---- exchange records ---------------------------------------------------------


def test_exchange_record(world: World, personas: Any, admin: Any) -> None:
    officer = personas.case_officer
    posting = TemporaryPosting.objects.create(
        cadre=world.deputy,
        host_name="市发展改革委",
        post_title="副主任（挂职）",
        start_date=dt.date(2025, 3, 1),
        end_date=dt.date(2026, 2, 28),
    )
    made = exchange_record_add(
        actor=officer,
        cadre=world.deputy,
        kind="cross_level",
        date=dt.date(2025, 3, 1),
        from_post=world.county.finance_deputy,
        to_name="市发展改革委副主任（挂职）",
        document="青组干〔2025〕8号",
        posting=posting,
    )
    assert (made.from_text, made.to_text) == ("青山县财政局副局长", "市发展改革委副主任（挂职）")
    event = Event.objects.get(event_type=EventType.EXCHANGE_RECORDED)
    assert event.payload["posting"] == posting.pk
    assert journal_verify().ok


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"kind": "sideways"}, "kind"),
        ({"date": dt.date(2026, 9, 2)}, "date"),  # tomorrow
        ({"to_name": "", "to_post": None}, "to_name"),
        ({"to_name": '=HYPERLINK("http://x")'}, "to_name"),  # a formula: refused
        ({"document": "文" * 81}, "document"),
    ],
)
def test_exchange_refusals_save_nothing(
    world: World, personas: Any, over: dict[str, Any], field: str
) -> None:
    data: dict[str, Any] = {
        "kind": "cross_department",
        "date": ON,
        "from_post": world.county.town_deputy,
        "to_name": "县发展改革局副局长",
        **over,
    }
    with pytest.raises(ValidationFailed) as caught:
        exchange_record_add(actor=personas.case_officer, cadre=world.fresh, **data)
    assert field in {e.field for e in caught.value.errors}
    assert ExchangeRecord.objects.count() == 0


def test_exchange_scope(world: World, personas: Any) -> None:
    for actor in (personas.other_unit_hr, personas.discipline):
        with pytest.raises(PermissionDenied):
            exchange_record_add(
                actor=actor,
                cadre=world.fresh,
                kind="cross_department",
                date=ON,
                from_name="甲",
                to_name="乙",
            )
    assert ExchangeRecord.objects.count() == 0


# ---- rotation plans ------------------------------------------------------------


def test_plan_progress(world: World, personas: Any) -> None:
    from xuanren.rotation.selectors import plan_entries, plan_get, progress_of

    officer = personas.case_officer
    plan = rotation_plan_create(
        actor=officer, unit=world.county.finance, title="2026 年度股级干部轮岗计划", year=2026
    )
    clerk = rotation_plan_add(
        actor=officer, plan=plan, cadre=world.clerk, target_name="县审计局综合股"
    )
    assert clerk.from_post_id == world.clerk_post.pk
    dep = rotation_plan_add(
        actor=officer, plan=plan, cadre=world.deputy, target_post=world.county.finance_head
    )
    with pytest.raises(Conflict):
        rotation_plan_add(actor=officer, plan=plan, cadre=world.clerk, target_name="别处")
    with pytest.raises(ValidationFailed) as caught:  # not of the plan's unit
        rotation_plan_add(actor=officer, plan=plan, cadre=world.fresh, target_name="财政局")
    assert "cadre" in {e.field for e in caught.value.errors}
    assert progress_of(plan_entries(plan=plan)) == type(progress_of([]))(2, 0, 0)
    with pytest.raises(ValidationFailed):  # done needs its day
        rotation_plan_entry_set(actor=officer, entry=clerk, status="done")
    exchange = exchange_record_add(
        actor=officer,
        cadre=world.clerk,
        kind="cross_department",
        date=ON,
        from_post=world.clerk_post,
        to_name="县审计局综合股股长",
    )
    rotation_plan_entry_set(
        actor=officer, entry=clerk, status="done", done_on=ON, exchange=exchange
    )
    rotation_plan_entry_set(actor=officer, entry=dep, status="cancelled")
    progress = progress_of(plan_entries(plan=plan_get(actor=officer, pk=plan.pk)))
    assert (progress.done, progress.total, progress.cancelled, progress.percent) == (1, 1, 1, 100)
    assert RotationPlanEntry.objects.get(pk=clerk.pk).status == EntryStatus.DONE
    # 石桥镇's HR contact: not found, nothing changed
    with pytest.raises(NotFound):
        plan_get(actor=personas.other_unit_hr, pk=plan.pk)
    with pytest.raises(PermissionDenied):
        rotation_plan_entry_set(actor=personas.committee_member, entry=dep, status="planned")
    assert RotationPlanEntry.objects.get(pk=dep.pk).status == EntryStatus.CANCELLED
    assert journal_verify().ok


# ---- pages, XLSX, API -----------------------------------------------------------


def test_pages(client: Client, world: World, personas: Any) -> None:
    client.force_login(personas.case_officer)
    page = client.get(reverse("rotation:alerts")).content.decode()
    assert (
        "李书记" in page and "孙老科" in page and "《党政领导干部职务任期暂行规定》第六条" in page
    )
    filtered = client.get(reverse("rotation:alerts"), {"kind": "level_years"}).content.decode()
    assert "孙老科" in filtered and "李书记" not in filtered
    home = client.get(reverse("rotation:plans")).content.decode()
    assert reverse("rotation:alerts") in client.get("/").content.decode() or "轮岗交流" in home
    made = client.post(
        reverse("rotation:plans"),
        {"title": "城关镇轮岗计划", "year": 2026, "unit": world.county.town.pk},
    )
    assert made.status_code == 302
    url = made["Location"]
    cadre_page = client.get(reverse("web:cadre_detail", args=[world.secretary.pk])).content.decode()
    assert 'id="rotation"' in cadre_page and "在同一职位上任职满十年的，必须交流" in cadre_page
    added = client.post(
        url, {"action": "add", "cadre": world.secretary.pk, "target_name": "县委办公室"}
    )
    assert added.status_code == 302
    assert "县委办公室" in client.get(url).content.decode()
    new = reverse("rotation:exchange_new", args=[world.secretary.pk])
    assert client.get(new).status_code == 200
    bad = client.post(new, {"kind": "cross_system", "date": "2026-09-01", "to_name": "=1+1"})
    assert bad.status_code == 422 and ExchangeRecord.objects.count() == 0
    ok = client.post(
        new,
        {
            "kind": "cross_system",
            "date": "2026-09-01",
            "from_post": world.county.town_secretary.pk,
            "to_name": "县国资公司董事长",
        },
    )
    assert ok.status_code == 302
    assert (
        "县国资公司董事长"
        in client.get(reverse("web:cadre_detail", args=[world.secretary.pk])).content.decode()
    )


def test_page_scope(client: Client, world: World, personas: Any) -> None:
    plan = rotation_plan_create(
        actor=personas.case_officer, unit=world.county.town, title="镇计划", year=2026
    )
    url = reverse("rotation:plan", args=[plan.pk])
    body = {"action": "add", "cadre": world.secretary.pk, "target_name": "别处"}
    client.force_login(personas.committee_member)
    assert client.get(url).status_code == 200
    assert client.post(url, body).status_code == 403
    assert (
        client.get(reverse("rotation:exchange_new", args=[world.secretary.pk])).status_code == 403
    )
    client.force_login(personas.other_unit_hr)
    assert client.get(url).status_code == 404
    assert client.post(url, body).status_code == 404
    listing = client.get(reverse("rotation:alerts")).content.decode()
    assert "李书记" not in listing
    assert client.get(reverse("rotation:alerts"), {"unit": world.county.town.pk}).status_code in (
        200,
        404,
    )
    assert (
        "李书记"
        not in client.get(
            reverse("rotation:alerts"), {"unit": world.county.town.pk}
        ).content.decode()
    )
    client.force_login(personas.outsider)
    assert client.get(reverse("rotation:alerts")).status_code == 403
    assert RotationPlanEntry.objects.count() == 0


def test_xlsx(client: Client, world: World, personas: Any) -> None:
    client.force_login(personas.case_officer)
    response = client.get(reverse("rotation:alerts_xlsx"), {"only": "reached"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "姓名"
    names = {r[0] for r in rows[1:]}
    assert {"李书记", "孙老科", "周股长"} <= names and "赵副局长" not in names
    for row in rows[1:]:
        for value in row:
            assert not (isinstance(value, str) and value.startswith("="))


def test_pages_query_count_does_not_grow(
    client: Client, world: World, personas: Any, make_cadre: Any, admin: Any
) -> None:
    client.force_login(personas.case_officer)
    url = reverse("rotation:alerts")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for n in range(3):
        c = make_cadre(world.county.town, name=f"新增{n}")
        tenure_start(actor=admin, cadre=c, post=world.members, start_date=dt.date(2014, 1, 6 + n))
    with CaptureQueriesContext(connection) as more:
        assert "新增2" in client.get(url).content.decode()
    assert len(more.captured_queries) == len(one.captured_queries)


def test_api(client: Client, world: World, personas: Any) -> None:
    client.force_login(personas.case_officer)
    got = client.get(f"{API}/rotation/alerts", {"kind": "post_terms"}).json()
    assert [(a["cadre_name"], a["stage"], a["due"]) for a in got] == [
        ("李书记", "reached", "2026-09-01")
    ]
    assert got[0]["source"] == "《党政领导干部职务任期暂行规定》第六条"
    bad = post_json(
        client,
        "/rotation/exchanges",
        {
            "cadre": world.fresh.pk,
            "kind": "x",
            "date": "2026-09-01",
            "to_name": "乙",
            "from_name": "甲",
        },
    )
    assert bad.status_code == 422 and "kind" in field_errors(bad)
    made = post_json(
        client,
        "/rotation/exchanges",
        {
            "cadre": world.fresh.pk,
            "kind": "cross_region",
            "date": "2026-08-01",
            "from_post": world.county.town_deputy.pk,
            "to_name": "邻县副县长",
        },
    )
    assert made.status_code == 201 and made.json()["kind_label"] == "跨地区交流"
    plan = post_json(
        client, "/rotation/plans", {"unit": world.county.town.pk, "title": "镇计划", "year": 2026}
    )
    assert plan.status_code == 201
    pid = plan.json()["id"]
    added = post_json(
        client, f"/rotation/plans/{pid}/entries", {"cadre": world.fresh.pk, "target_name": "邻县"}
    )
    assert added.status_code == 201
    entry = added.json()["entries"][0]["id"]
    done = post_json(
        client,
        f"/rotation/plans/{pid}/entries/{entry}",
        {"status": "done", "done_on": "2026-08-01", "exchange": made.json()["id"]},
    )
    assert done.status_code == 200
    assert (done.json()["done"], done.json()["percent"]) == (1, 100)
    client.force_login(personas.other_unit_hr)
    assert client.get(f"{API}/rotation/plans/{pid}").status_code == 404
    assert client.get(f"{API}/rotation/alerts").json() == []
    assert (
        post_json(
            client, f"/rotation/plans/{pid}/entries", {"cadre": world.fresh.pk, "target_name": "x"}
        ).status_code
        == 404
    )


def test_plan_refusals_save_nothing(world: World, personas: Any) -> None:
    from xuanren.rotation.models import RotationPlan

    officer = personas.case_officer
    for title, year, field in [
        ("=cmd|' /C calc'!A0", 2026, "title"),  # a formula
        ("", 2026, "title"),
        ("计划", 1990, "year"),
    ]:
        with pytest.raises(ValidationFailed) as caught:
            rotation_plan_create(actor=officer, unit=world.county.town, title=title, year=year)
        assert field in {e.field for e in caught.value.errors}
    with pytest.raises(PermissionDenied):  # 石桥镇's HR contact: not theirs, and no permission
        rotation_plan_create(
            actor=personas.other_unit_hr, unit=world.county.other_town, title="计划", year=2026
        )
    assert RotationPlan.objects.count() == 0


def test_api_refuses_readers_and_saves_nothing(client: Client, world: World, personas: Any) -> None:
    client.force_login(personas.committee_member)
    body = {"cadre": world.fresh.pk, "kind": "cross_region", "date": "2026-08-01",
            "from_name": "甲", "to_name": "乙"}  # fmt: skip
    assert post_json(client, "/rotation/exchanges", body).status_code == 403
    plan = {"unit": world.county.town.pk, "title": "镇计划", "year": 2026}
    assert post_json(client, "/rotation/plans", plan).status_code == 403
    assert client.get(f"{API}/rotation/alerts").status_code == 200
    assert ExchangeRecord.objects.count() == 0
