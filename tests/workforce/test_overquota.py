"""超职数消化 (issue 16, docs/decisions/0179–0180): the over-quota at each
month end counted from the tenure records by hand, the plan's people and
their means, the seed §2 figures by sector, the pages, XLSX and API with
their scope (out of scope 404, may read but not change 403, nothing changed),
query counts and hostile input."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tests.api.conftest import API, field_errors, post_json
from tests.conftest import make_user
from tests.workforce.conftest import TODAY, Over
from xuanren.access.models import Role
from xuanren.common.errors import Conflict, PermissionDenied, ValidationFailed
from xuanren.journal.models import Event, EventType
from xuanren.journal.services import journal_verify
from xuanren.org.models import Level
from xuanren.workforce.models import DigestionItem, DigestionPlan
from xuanren.workforce.overquota import filled_on, level_series, month_ends
from xuanren.workforce.selectors import overquota_figures, plan_view
from xuanren.workforce.services import digestion_item_add, digestion_plan_create

pytestmark = pytest.mark.django_db
BASELINE = dt.date(2026, 1, 31)
TARGET = dt.date(2027, 3, 31)


def _plan(county: Any, officer: Any, **kw: Any) -> DigestionPlan:
    args: dict[str, Any] = {
        "unit": county.finance,
        "level": Level.SECTION_DEPUTY,
        "baseline_on": BASELINE,
        "target_on": TARGET,
        "document": "青组〔2026〕3号",
    }
    args.update(kw)
    return digestion_plan_create(actor=officer, **args)


def _full(county: Any, personas: Any, over: Over) -> DigestionPlan:
    plan = _plan(county, personas.case_officer)
    officer = personas.case_officer
    digestion_item_add(actor=officer, plan=plan, cadre=over.c, means="transfer",
                       expected_on=dt.date(2026, 3, 31))  # fmt: skip
    digestion_item_add(actor=officer, plan=plan, cadre=over.d, means="exchange",
                       expected_on=dt.date(2026, 6, 30))  # fmt: skip
    digestion_item_add(actor=officer, plan=plan, cadre=over.e, means="retirement")
    return plan


# ---- the arithmetic ------------------------------------------------------------------


def test_month_ends_cross_the_year_and_29_february() -> None:
    assert month_ends(dt.date(2027, 11, 30), dt.date(2028, 3, 1)) == [
        dt.date(2027, 11, 30),
        dt.date(2027, 12, 31),
        dt.date(2028, 1, 31),
        dt.date(2028, 2, 29),
        dt.date(2028, 3, 31),
    ]
    assert month_ends(dt.date(2026, 2, 1), dt.date(2026, 2, 28)) == [dt.date(2026, 2, 28)]


def test_filled_on_by_hand() -> None:
    # kept: 2 open tenures, one of them starting on 1 March 2028 (after the days)
    tenures = [
        (dt.date(2028, 3, 1), None),  # open, later
        (dt.date(2027, 1, 1), dt.date(2028, 2, 29)),  # closed on 29 February
    ]
    assert filled_on(2, tenures, dt.date(2028, 2, 28)) == 2  # 1 open + the closed one
    assert filled_on(2, tenures, dt.date(2028, 2, 29)) == 1  # ended that day: gone
    assert filled_on(2, tenures, dt.date(2028, 3, 1)) == 2  # the later one begins


def test_level_series_month_ends_by_hand(county: Any, over: Over) -> None:
    days = [
        dt.date(2026, 1, 14), BASELINE, dt.date(2026, 3, 30), dt.date(2026, 3, 31),
        dt.date(2026, 6, 30), dt.date(2026, 7, 31), TODAY, dt.date(2026, 12, 31),
    ]  # fmt: skip
    found = level_series(unit_id=county.finance.pk, level=Level.SECTION_DEPUTY, days=days)
    # 职数 2; A, B always; C from 1-15 to 3-31 (gone on 3-31); D to 7-01 (there
    # on 6-30); E from 1-15; F from 12-15.
    assert [s.filled for s in found] == [2, 5, 5, 4, 4, 3, 3, 4]
    assert [s.over for s in found] == [0, 3, 3, 2, 2, 1, 1, 2]
    assert {s.approved for s in found} == {2}


# ---- the services --------------------------------------------------------------------


def test_plan_counts_the_baseline_from_the_records(county: Any, personas: Any, over: Over) -> None:
    plan = _plan(county, personas.case_officer)
    assert plan.baseline_over == 3
    event = Event.objects.get(event_type=EventType.WORKFORCE_PLAN_CREATED)
    assert event.payload["baseline_over"] == 3
    assert journal_verify().ok


def test_plan_without_over_quota_is_refused(county: Any, personas: Any, over: Over) -> None:
    with pytest.raises(ValidationFailed) as caught:
        _plan(county, personas.case_officer, baseline_on=dt.date(2026, 1, 14))
    assert "没有超职数" in caught.value.errors[0].message
    with pytest.raises(ValidationFailed) as caught:
        _plan(county, personas.case_officer, unit=county.town)
    assert DigestionPlan.objects.count() == 0


def test_plan_dates_checked(county: Any, personas: Any, over: Over) -> None:
    with pytest.raises(ValidationFailed) as caught:
        _plan(county, personas.case_officer, baseline_on=TODAY + dt.timedelta(days=1))
    assert {e.field for e in caught.value.errors} >= {"baseline_on"}
    with pytest.raises(ValidationFailed) as caught:
        _plan(county, personas.case_officer, target_on=BASELINE)
    assert {e.field for e in caught.value.errors} == {"target_on"}
    # the day after is enough
    assert _plan(county, personas.case_officer, target_on=BASELINE + dt.timedelta(days=1))


def test_one_plan_per_unit_and_level(county: Any, personas: Any, over: Over) -> None:
    _plan(county, personas.case_officer)
    with pytest.raises(Conflict):
        _plan(county, personas.case_officer)
    assert DigestionPlan.objects.count() == 1


def test_retirement_is_the_statutory_date(county: Any, personas: Any, over: Over) -> None:
    plan = _plan(county, personas.case_officer)
    item = digestion_item_add(
        actor=personas.case_officer, plan=plan, cadre=over.e, means="retirement",
        expected_on=dt.date(2026, 12, 1),  # ignored: the law's date
    )  # fmt: skip
    # male, original age 60, born September 1966: 20 months after January
    # 1965, 20 // 4 + 1 = 6 months later: 60 years 6 months → 2027-03-10
    assert item.expected_on == dt.date(2027, 3, 10)


def test_retirement_after_the_target_is_refused(county: Any, personas: Any, over: Over) -> None:
    plan = _plan(county, personas.case_officer, target_on=dt.date(2027, 3, 9))
    with pytest.raises(ValidationFailed) as caught:
        digestion_item_add(actor=personas.case_officer, plan=plan, cadre=over.e, means="retirement")
    assert "2027.03.10" in caught.value.errors[0].message
    plan.target_on = dt.date(2027, 3, 10)
    plan.save()
    assert digestion_item_add(
        actor=personas.case_officer, plan=plan, cadre=over.e, means="retirement"
    )


def test_item_checks(county: Any, personas: Any, over: Over) -> None:
    officer = personas.case_officer
    plan = _plan(county, officer)
    with pytest.raises(ValidationFailed) as caught:
        digestion_item_add(actor=officer, plan=plan, cadre=over.f, means="transfer",
                           expected_on=dt.date(2026, 5, 1))  # fmt: skip
    assert {e.field for e in caught.value.errors} == {"cadre"}  # not there on the baseline day
    with pytest.raises(ValidationFailed) as caught:
        digestion_item_add(actor=officer, plan=plan, cadre=over.c, means="transfer")
    assert {e.field for e in caught.value.errors} == {"expected_on"}
    with pytest.raises(ValidationFailed) as caught:
        digestion_item_add(actor=officer, plan=plan, cadre=over.c, means="transfer",
                           expected_on=TARGET + dt.timedelta(days=1))  # fmt: skip
    assert {e.field for e in caught.value.errors} == {"expected_on"}
    with pytest.raises(ValidationFailed):
        digestion_item_add(actor=officer, plan=plan, cadre=over.c, means="promotion",
                           expected_on=TARGET)  # fmt: skip
    digestion_item_add(actor=officer, plan=plan, cadre=over.c, means="transfer", expected_on=TARGET)
    with pytest.raises(Conflict):
        digestion_item_add(actor=officer, plan=plan, cadre=over.c, means="exchange",
                           expected_on=TARGET)  # fmt: skip
    digestion_item_add(actor=officer, plan=plan, cadre=over.a, means="exchange", expected_on=TARGET)
    digestion_item_add(actor=officer, plan=plan, cadre=over.b, means="exchange", expected_on=TARGET)
    with pytest.raises(Conflict):  # three over quota, three listed
        digestion_item_add(actor=officer, plan=plan, cadre=over.d, means="exchange",
                           expected_on=TARGET)  # fmt: skip
    assert DigestionItem.objects.count() == 3


def test_progress_by_hand(county: Any, personas: Any, over: Over) -> None:
    plan = _full(county, personas, over)
    view = plan_view(plan=plan)
    rows = {r.day: r for r in view.rows}
    assert view.rows[0].day == BASELINE
    assert view.rows[-1].day == TARGET
    assert len(rows) == 15  # the baseline and 14 month ends to March 2027
    actual = {d: r.actual for d, r in rows.items() if r.actual is not None}
    assert actual == {
        BASELINE: 3,
        dt.date(2026, 2, 28): 3,
        dt.date(2026, 3, 31): 2,  # C left on the last day of March
        dt.date(2026, 4, 30): 2,
        dt.date(2026, 5, 31): 2,
        dt.date(2026, 6, 30): 2,  # D still there on 30 June
        dt.date(2026, 7, 31): 1,
        dt.date(2026, 8, 31): 1,
        dt.date(2026, 9, 30): 1,
        dt.date(2026, 10, 31): 1,
    }
    assert rows[dt.date(2026, 11, 30)].actual is None  # still to come
    assert rows[dt.date(2026, 7, 31)].digested == 2
    planned = [r.planned for r in view.rows]
    assert planned == [3, 3, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0]
    assert (view.current, view.digested) == (1, 2)
    lines = {line.item.cadre_id: line for line in view.items}
    assert lines[over.c.pk].left_on == dt.date(2026, 3, 31)
    assert lines[over.d.pk].left_on == dt.date(2026, 7, 1)
    assert lines[over.e.pk].left_on is None
    assert not lines[over.e.pk].overdue


def test_overdue_when_still_there_after_the_expected_day(
    county: Any, personas: Any, over: Over
) -> None:
    plan = _plan(county, personas.case_officer)
    digestion_item_add(actor=personas.case_officer, plan=plan, cadre=over.e, means="transfer",
                       expected_on=TODAY - dt.timedelta(days=1))  # fmt: skip
    (line,) = plan_view(plan=plan).items
    assert line.overdue and line.left_on is None


def test_sector_figures_by_hand(county: Any, personas: Any, over: Over) -> None:
    figures = overquota_figures(actor=personas.case_officer, since=BASELINE)
    lines = {line["label"]: line for line in figures.lines()}
    # county organs: finance 正科 1 vacant; 副科 5 held of 2 → 3 over, 3 today → 1 over
    assert lines["县级机关"] == {
        "label": "县级机关", "vacant_before": 1, "over_before": 3, "digested": 2,
        "vacant_now": 1, "over_now": 1,
    }  # fmt: skip
    # townships: 城关镇 正科 2 and 副科 3 vacant, nobody over
    assert lines["乡镇（街道）"]["vacant_before"] == 5
    assert lines["乡镇（街道）"]["over_before"] == 0
    assert lines["合计"]["over_before"] == 3
    assert lines["合计"]["digested"] == 2


def test_permissions_in_services(county: Any, personas: Any, over: Over) -> None:
    with pytest.raises(PermissionDenied):
        _plan(county, personas.discipline)
    outside = make_user("officer_sq", Role.CASE_OFFICER, county.other_town)
    with pytest.raises(PermissionDenied):
        _plan(county, outside)
    assert DigestionPlan.objects.count() == 0


# ---- pages ---------------------------------------------------------------------------


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_pages(county: Any, personas: Any, over: Over, django_assert_max_num_queries: Any) -> None:
    plan = _full(county, personas, over)
    client = _client(personas.case_officer)
    page = client.get(reverse("workforce:plans"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "县级机关" in text and "超职数消化" in text and county.finance.name in text
    with django_assert_max_num_queries(30):
        page = client.get(reverse("workforce:plan", args=[plan.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="plan-chart"' in text and "2026.03.31 已消化" in text
    assert "2027.03.10" in text
    assert 'style="' not in text and "<script>" not in text


def test_page_creates_and_adds(county: Any, personas: Any, over: Over) -> None:
    client = _client(personas.case_officer)
    response = client.post(reverse("workforce:plans"), {
        "unit": county.finance.pk, "level": Level.SECTION_DEPUTY,
        "baseline_on": "2026-01-31", "target_on": "2027-03-31",
    })  # fmt: skip
    assert response.status_code == 302
    plan = DigestionPlan.objects.get()
    url = reverse("workforce:plan", args=[plan.pk])
    response = client.post(url, {"action": "add", "cadre": over.c.pk, "means": "transfer"})
    assert response.status_code == 422
    assert "请填写预计消化日期" in response.content.decode()
    response = client.post(url, {"action": "add", "cadre": over.c.pk, "means": "transfer",
                                 "expected_on": "2026-03-31"})  # fmt: skip
    assert response.status_code == 302
    item = DigestionItem.objects.get()
    response = client.post(url, {"action": "remove", "item": item.pk})
    assert response.status_code == 302
    assert not DigestionItem.objects.exists()


def test_page_scope_and_permissions(county: Any, personas: Any, over: Over) -> None:
    plan = _full(county, personas, over)
    url = reverse("workforce:plan", args=[plan.pk])
    outside = make_user("officer_sq", Role.CASE_OFFICER, county.other_town)
    before = list(DigestionItem.objects.values_list("pk", flat=True))
    assert _client(outside).get(url).status_code == 404
    response = _client(outside).post(url, {"action": "remove", "item": before[0]})
    assert response.status_code == 404
    assert _client(outside).get(reverse("workforce:plan_xlsx", args=[plan.pk])).status_code == 404
    jiwei = _client(personas.discipline)
    assert jiwei.get(url).status_code == 200
    assert jiwei.post(url, {"action": "remove", "item": before[0]}).status_code == 403
    assert _client(personas.committee_member).get(url).status_code == 403
    assert list(DigestionItem.objects.values_list("pk", flat=True)) == before


def test_hostile_input(county: Any, personas: Any, over: Over) -> None:
    plan = _full(county, personas, over)
    client = _client(personas.case_officer)
    url = reverse("workforce:plan", args=[plan.pk])
    for raw in ("9" * 40, "-1", "1 OR 1=1", ""):
        assert client.post(url, {"action": "remove", "item": raw}).status_code == 404
    response = client.post(url, {"action": "add", "cadre": over.f.pk, "means": "transfer",
                                 "expected_on": "2026-05-01"})  # fmt: skip
    assert response.status_code == 422  # not a choice: F was not there on the baseline day
    response = client.post(reverse("workforce:plans"), {
        "unit": "99999999999999999999", "level": "x", "baseline_on": "2026-02-30",
        "target_on": "<script>", "document": "a" * 500,
    })  # fmt: skip
    assert response.status_code == 422
    assert client.get(reverse("workforce:plans") + "?since=2026-13-45").status_code == 200
    assert DigestionItem.objects.count() == 3 and DigestionPlan.objects.count() == 1


def test_xlsx_text_never_a_formula(county: Any, personas: Any, over: Over) -> None:
    plan = _plan(county, personas.case_officer, document="=HYPERLINK(1)")
    digestion_item_add(actor=personas.case_officer, plan=plan, cadre=over.c, means="transfer",
                       expected_on=dt.date(2026, 3, 31), note="=cmd|' /C calc'!A0")  # fmt: skip
    response = _client(personas.case_officer).get(reverse("workforce:plan_xlsx", args=[plan.pk]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    progress = list(book.worksheets[0].iter_rows(values_only=True))
    assert progress[2][:4] == ("2026-01-31", 3, 0, 3)
    people = list(book.worksheets[1].iter_rows(values_only=True))
    assert people[1][0] == "丙三" and people[1][4] == "2026-03-31"
    cell = book.worksheets[1].cell(row=2, column=6)
    assert cell.value == "=cmd|' /C calc'!A0" and cell.data_type == "s"


# ---- API -----------------------------------------------------------------------------


def test_api(county: Any, personas: Any, over: Over, django_assert_max_num_queries: Any) -> None:
    client = _client(personas.case_officer)
    response = post_json(client, "/overquota-plans", {
        "unit": county.finance.pk, "level": "section_deputy",
        "baseline_on": "2026-01-31", "target_on": "2027-03-31",
    })  # fmt: skip
    assert response.status_code == 201, response.content
    plan_id = response.json()["id"]
    assert response.json()["baseline_over"] == 3
    response = post_json(client, f"/overquota-plans/{plan_id}/items",
                         {"cadre": over.e.pk, "means": "retirement"})  # fmt: skip
    assert response.status_code == 201
    assert response.json()["items"][0]["expected_on"] == "2027-03-10"
    response = post_json(client, f"/overquota-plans/{plan_id}/items",
                         {"cadre": over.c.pk, "means": "exchange"})  # fmt: skip
    assert response.status_code == 422
    assert "expected_on" in field_errors(response)
    with django_assert_max_num_queries(20):
        response = client.get(f"{API}/overquota-plans/{plan_id}")
    body = response.json()
    assert (body["current"], body["digested"]) == (1, 2)
    assert body["progress"][2] == {"day": "2026-03-31", "actual": 2, "digested": 1, "planned": 3}
    outside = _client(make_user("officer_sq", Role.CASE_OFFICER, county.other_town))
    assert outside.get(f"{API}/overquota-plans/{plan_id}").status_code == 404
    assert outside.get(f"{API}/overquota-plans").json() == []
    response = post_json(outside, f"/overquota-plans/{plan_id}/items",
                         {"cadre": over.c.pk, "means": "exchange", "expected_on": "2026-04-01"})  # fmt: skip
    assert response.status_code == 404
    response = post_json(_client(personas.discipline), "/overquota-plans", {
        "unit": county.finance.pk, "level": "section_principal",
        "baseline_on": "2026-01-31", "target_on": "2027-03-31",
    })  # fmt: skip
    assert response.status_code == 403
    assert DigestionItem.objects.count() == 1
    bad = client.post(API + "/overquota-plans", json.dumps({"unit": "x"}),
                      content_type="application/json")  # fmt: skip
    assert bad.status_code == 422


def test_todo(county: Any, personas: Any, over: Over, django_assert_max_num_queries: Any) -> None:
    from xuanren.procedure.todo import TodoKind, todo_for

    plan = _plan(county, personas.case_officer)
    officer = personas.case_officer
    # C left on 31 March: nothing to do; E is still there 3 days after
    # the expected day; B is expected in 20 days; A only next year.
    digestion_item_add(actor=officer, plan=plan, cadre=over.c, means="transfer",
                       expected_on=dt.date(2026, 3, 31))  # fmt: skip
    digestion_item_add(actor=officer, plan=plan, cadre=over.e, means="transfer",
                       expected_on=TODAY - dt.timedelta(days=3))  # fmt: skip
    digestion_item_add(actor=officer, plan=plan, cadre=over.b, means="exchange",
                       expected_on=TODAY + dt.timedelta(days=20))  # fmt: skip
    mine = [i for i in todo_for(actor=officer) if i.kind == TodoKind.OVERQUOTA_DUE]
    assert [i.due for i in mine] == [TODAY - dt.timedelta(days=3), TODAY + dt.timedelta(days=20)]
    assert "已逾期 3 天" in mine[0].text and "戊五" in mine[0].text
    # beyond a kind's limit, the soonest and one summary item (decision 0194)
    from xuanren.procedure import todo

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(todo, "ITEMS_PER_KIND", 1)
        capped = [i for i in todo_for(actor=officer) if i.kind == TodoKind.OVERQUOTA_DUE]
    assert [(i.due, i.more) for i in capped] == [
        (TODAY - dt.timedelta(days=3), False),
        (TODAY - dt.timedelta(days=3), True),
    ]
    assert capped[1].link.endswith("?tab=all&kind=overquota_due")
    assert not [i for i in todo_for(actor=personas.discipline) if i.kind == TodoKind.OVERQUOTA_DUE]
    outside = make_user("officer_sq", Role.CASE_OFFICER, county.other_town)
    assert not [i for i in todo_for(actor=outside) if i.kind == TodoKind.OVERQUOTA_DUE]
    # the probe is the source's own test: out of scope, or nobody due who is
    # still in post, the source asks nothing (its source is skipped)
    from xuanren.procedure.todo import TodoQuery, empty_sources, overquota_due

    def probed_empty(actor: Any, on: dt.date) -> bool:
        horizon = on + dt.timedelta(days=30)
        return overquota_due in empty_sources(TodoQuery(actor=actor, on=on, horizon=horizon))

    assert not probed_empty(officer, TODAY)
    assert probed_empty(outside, TODAY)
    # mid-April: only C is due by the horizon, and C left on 31 March
    assert probed_empty(officer, dt.date(2026, 4, 15))
