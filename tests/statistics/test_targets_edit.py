"""Structure targets edited (班子结构要求, docs/decisions/0143): the services
(add, change in place or from a date, retire), the structure analysis reading
the targets in force on its date and in its subtree, the pages, the API, the
journal, permissions and attacks, and query counts."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.api.conftest import API, post_json
from tests.conftest import County, Personas, make_user
from tests.statistics.test_structure import offices  # noqa: F401  (fixture)
from xuanren.access.models import Role
from xuanren.common.errors import NotFound, PermissionDenied, ValidationFailed
from xuanren.journal.models import Event, EventType
from xuanren.statistics.models import StructureTarget
from xuanren.statistics.structure import structure_analysis
from xuanren.statistics.target_services import (
    TargetTerms,
    structure_target_add,
    structure_target_change,
    structure_target_retire,
)

pytestmark = pytest.mark.django_db

ON = dt.date(2025, 3, 1)


def terms(**kw: Any) -> TargetTerms:
    """At least one non-party member in 股级 teams of two or more."""
    base: dict[str, Any] = {
        "name": "股级班子至少1名党外干部",
        "kind": "non_party",
        "levels": ["subsection_principal", "subsection_deputy"],
        "source": "县关于选拔任用股级干部的规定",
        "source_article": "第三项（4）",
        "effective_from": dt.date(2025, 1, 1),
        "min_count": 1,
        "min_members": 2,
    }
    return TargetTerms(**(base | kw))


def form_data(**kw: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "股级班子至少1名党外干部",
        "kind": "non_party",
        "min_count": "1",
        "min_percent": "",
        "age_at_most": "",
        "levels": ["subsection_principal", "subsection_deputy"],
        "min_members": "2",
        "unit": "",
        "source": "县关于选拔任用股级干部的规定",
        "source_article": "第三项（4）",
        "effective_from": "2025-01-01",
        "effective_to": "",
    }
    return data | kw


def api_body(**kw: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "股级班子至少1名党外干部",
        "kind": "non_party",
        "levels": ["subsection_principal", "subsection_deputy"],
        "source": "县关于选拔任用股级干部的规定",
        "source_article": "第三项（4）",
        "effective_from": "2025-01-01",
        "min_count": 1,
        "min_members": 2,
    }
    return body | kw


@pytest.fixture
def town_officer(county: County) -> Any:
    """A case officer whose scope is 城关镇 only."""
    return make_user("officer_town", Role.CASE_OFFICER, county.town)


def _codes(report: Any) -> dict[str, tuple[int, int]]:
    return {t.name: (t.checked, t.missed) for t in report.targets}


# ---- services ------------------------------------------------------------------------


def test_add_is_journalled_and_checked_on_its_dates(admin, county: County, offices):  # noqa: F811
    target = structure_target_add(actor=admin, terms=terms())
    event = Event.objects.get(event_type=EventType.STRUCTURE_TARGET_ADDED)
    assert event.payload["target"]["code"] == target.code
    assert event.payload["target"]["source_article"] == "第三项（4）"
    # 城关镇党政办 (two party members) misses it; the finance office has one non-party member.
    report = structure_analysis(actor=admin, on=ON)
    assert _codes(report)["股级班子至少1名党外干部"] == (2, 1)
    reasons = [m for m in report.misses if m.target == "股级班子至少1名党外干部"]
    assert [m.unit_name for m in reasons] == ["城关镇党政办"]
    assert reasons[0].source == "县关于选拔任用股级干部的规定第三项（4）"
    # Before its start it is not in force.
    before = structure_analysis(actor=admin, on=dt.date(2024, 12, 31))
    assert "股级班子至少1名党外干部" not in _codes(before)


def test_a_share_is_integer_arithmetic_and_young_needs_an_age(admin, county: County, offices):  # noqa: F811
    with pytest.raises(ValidationFailed) as exc:
        structure_target_add(actor=admin, terms=terms(kind="young"))
    assert {e.field for e in exc.value.errors} == {"age_at_most"}
    with pytest.raises(ValidationFailed) as exc:
        structure_target_add(actor=admin, terms=terms(min_percent=50))  # both given
    assert {e.field for e in exc.value.errors} == {"min_count"}
    # 50% of the finance office's three: 1 woman is 33.3%, missed; the town office has none.
    share = structure_target_add(
        actor=admin,
        terms=terms(name="女干部不少于50%", kind="women", min_count=None, min_percent=50),
    )
    assert share.min_count == 0 and share.min_percent == 50
    assert _codes(structure_analysis(actor=admin, on=ON))["女干部不少于50%"] == (2, 2)
    # 33% of three is met by one (100 × 1 >= 33 × 3), 34% is not.
    structure_target_change(actor=admin, target=share, terms=terms(
        name="女干部不少于50%", kind="women", min_count=None, min_percent=33))  # fmt: skip
    assert _codes(structure_analysis(actor=admin, on=ON))["女干部不少于50%"] == (2, 1)


def test_every_wrong_term_is_reported_at_once(admin, county: County):
    bad = terms(name=" ", kind="tall", min_count=None, levels=["chief"], unit_kinds=["x"],
                min_members=0, source="", source_article="x" * 201,
                effective_to=dt.date(2024, 1, 1), age_at_most=30)  # fmt: skip
    with pytest.raises(ValidationFailed) as exc:
        structure_target_add(actor=admin, terms=bad)
    assert {e.field for e in exc.value.errors} == {
        "name", "kind", "min_count", "levels", "unit_kinds", "min_members", "source",
        "source_article", "effective_to", "age_at_most",
    }  # fmt: skip
    assert all(e.message for e in exc.value.errors)
    assert not StructureTarget.objects.filter(name=" ").exists()
    assert not Event.objects.filter(event_type=EventType.STRUCTURE_TARGET_ADDED).exists()


def test_change_after_its_start_supersedes_and_keeps_the_past(admin, county: County, offices):  # noqa: F811
    old = structure_target_add(actor=admin, terms=terms())
    new = structure_target_change(
        actor=admin, target=old, terms=terms(min_count=2, effective_from=dt.date(2025, 3, 1))
    )
    old.refresh_from_db()
    assert new.pk != old.pk and new.replaces_id == old.pk
    assert old.effective_to == dt.date(2025, 2, 28)
    # The day before: the old one (one non-party member needed; finance office meets it).
    assert _codes(structure_analysis(actor=admin, on=dt.date(2025, 2, 28)))[old.name] == (2, 1)
    # From the change: two needed; both teams miss it.
    assert _codes(structure_analysis(actor=admin, on=ON))[new.name] == (2, 2)
    event = Event.objects.get(event_type=EventType.STRUCTURE_TARGET_CHANGED)
    assert event.payload["superseded"] is True
    assert event.payload["previous"]["min_count"] == 1 and event.payload["target"]["min_count"] == 2


def test_change_from_its_start_is_in_place(admin, county: County):
    target = structure_target_add(actor=admin, terms=terms())
    changed = structure_target_change(actor=admin, target=target, terms=terms(name="改名"))
    assert changed.pk == target.pk and changed.name == "改名"
    assert StructureTarget.objects.filter(replaces=target).count() == 0


def test_retire_sets_the_last_day_once(admin, county: County, offices):  # noqa: F811
    target = structure_target_add(actor=admin, terms=terms())
    structure_target_retire(actor=admin, target=target, last_day=dt.date(2025, 2, 28))
    target.refresh_from_db()
    assert target.effective_to == dt.date(2025, 2, 28)
    assert target.name not in _codes(structure_analysis(actor=admin, on=ON))
    assert target.name in _codes(structure_analysis(actor=admin, on=dt.date(2025, 2, 28)))
    from xuanren.common.errors import Conflict

    with pytest.raises(Conflict):
        structure_target_retire(actor=admin, target=target, last_day=dt.date(2025, 3, 5))
    with pytest.raises(Conflict):  # a retired target is not changed after its end
        structure_target_change(
            actor=admin, target=target, terms=terms(effective_from=dt.date(2025, 6, 1))
        )
    with pytest.raises(ValidationFailed):
        structure_target_retire(actor=admin, target=target, last_day=dt.date(2024, 12, 1))
    assert Event.objects.filter(event_type=EventType.STRUCTURE_TARGET_RETIRED).count() == 1


def test_a_unit_target_applies_to_its_subtree_only(admin, county: County, offices):  # noqa: F811
    structure_target_add(actor=admin, terms=terms(unit_id=county.town.pk))
    codes = _codes(structure_analysis(actor=admin, on=ON))
    assert codes["股级班子至少1名党外干部"] == (1, 1)  # the town office only
    # Viewed from another subtree (the finance bureau) it does not bear on the teams.
    finance = structure_analysis(actor=admin, unit_id=county.finance.pk, on=ON)
    assert "股级班子至少1名党外干部" not in _codes(finance)


def test_scoped_officer_edits_in_scope_only(admin, county: County, town_officer):
    mine = structure_target_add(actor=town_officer, terms=terms(unit_id=county.town_office.pk))
    assert mine.unit_id == county.town_office.pk
    with pytest.raises(NotFound):  # a unit outside the scope
        structure_target_add(actor=town_officer, terms=terms(unit_id=county.finance.pk))
    with pytest.raises(ValidationFailed) as exc:  # every unit: not from a town's scope
        structure_target_add(actor=town_officer, terms=terms())
    assert [e.field for e in exc.value.errors] == ["unit"]
    shipped = StructureTarget.objects.get(code="subsection-team-women")
    for call in (
        lambda: structure_target_retire(actor=town_officer, target=shipped, last_day=ON),
        lambda: structure_target_change(actor=town_officer, target=shipped, terms=terms()),
    ):
        with pytest.raises(NotFound):
            call()
    shipped.refresh_from_db()
    assert shipped.effective_to is None


def test_hr_and_no_role_may_not_edit(county: County, personas: Personas):
    hr = make_user("hr_town", Role.UNIT_HR, county.town)
    for actor in (hr, personas.outsider, personas.committee_member):
        with pytest.raises(PermissionDenied):
            structure_target_add(actor=actor, terms=terms(unit_id=county.town.pk))
    assert not Event.objects.filter(event_type=EventType.STRUCTURE_TARGET_ADDED).exists()


# ---- pages -------------------------------------------------------------------------


def test_officer_adds_changes_and_retires_through_the_pages(client, personas: Personas, county):
    client.force_login(personas.case_officer)
    listing = client.get(reverse("statistics:targets"))
    assert listing.status_code == 200
    text = listing.content.decode()
    assert "股级领导班子至少配备1名女干部" in text and "执行中" in text
    assert "style=" not in text and "<script>" not in text
    response = client.post(reverse("statistics:target_add"), form_data())
    assert response.status_code == 302
    target = StructureTarget.objects.get(name="股级班子至少1名党外干部")
    edit = reverse("statistics:target_edit", args=[target.pk])
    page = client.get(edit)
    assert page.status_code == 200 and "第三项（4）" in page.content.decode()
    response = client.post(edit, form_data(name="股级班子至少1名非中共党员干部"))
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.name == "股级班子至少1名非中共党员干部"
    retire = reverse("statistics:target_retire", args=[target.pk])
    assert client.post(retire, {"last_day": "2025-06-30"}).status_code == 302
    target.refresh_from_db()
    assert target.effective_to == dt.date(2025, 6, 30)


def test_page_shows_the_service_errors_in_chinese(client, personas: Personas, county):
    client.force_login(personas.case_officer)
    response = client.post(
        reverse("statistics:target_add"), form_data(kind="young", source_article="")
    )
    assert response.status_code == 422
    form = response.context["form"]
    assert "source_article" in form.errors
    response = client.post(reverse("statistics:target_add"), form_data(kind="young"))
    assert response.status_code == 422
    assert "年轻干部要求须填写年龄上限" in response.content.decode()
    assert not StructureTarget.objects.filter(kind="young", name__startswith="股级班子").exists()


def test_page_attacks_no_role_hr_and_out_of_scope(client, personas: Personas, county,
                                                  town_officer):  # fmt: skip
    shipped = StructureTarget.objects.get(code="subsection-team-women")
    edit = reverse("statistics:target_edit", args=[shipped.pk])
    retire = reverse("statistics:target_retire", args=[shipped.pk])
    add = reverse("statistics:target_add")
    before = (StructureTarget.objects.count(), Event.objects.count())
    client.force_login(personas.outsider)
    assert client.get(reverse("statistics:targets")).status_code == 403
    assert client.get(add).status_code == 403
    assert client.post(add, form_data()).status_code == 403
    assert client.post(retire, {"last_day": "2025-06-30"}).status_code == 403
    hr = make_user("hr_town", Role.UNIT_HR, county.town)
    client.force_login(hr)
    listing = client.get(reverse("statistics:targets"))
    assert listing.status_code == 200 and "修改或停止执行" not in listing.content.decode()
    assert client.post(add, form_data(unit=str(county.town.pk))).status_code == 403
    assert client.get(edit).status_code == 403
    # Out of scope: a target for every unit, or for a unit outside the scope, is 404.
    client.force_login(town_officer)
    assert client.get(edit).status_code == 404
    assert client.post(edit, form_data()).status_code == 404
    assert client.post(retire, {"last_day": "2025-06-30"}).status_code == 404
    assert client.get(reverse("statistics:target_edit", args=[999999])).status_code == 404
    assert client.post(add, form_data(unit=str(county.finance.pk))).status_code == 422
    # Oversized and invalid input: refused, nothing saved.
    huge = form_data(unit=str(county.town.pk), name="长" * 5000, source="《" * 5000,
                     min_percent="1000", levels=["chief"], effective_from="2025-02-30")  # fmt: skip
    response = client.post(add, huge)
    assert response.status_code == 422
    assert set(response.context["form"].errors) >= {"name", "source", "levels", "effective_from"}
    assert (StructureTarget.objects.count(), Event.objects.count()) == before
    shipped.refresh_from_db()
    assert shipped.effective_to is None


def test_list_reads_a_fixed_number_of_queries(client, admin, personas: Personas, county):
    client.force_login(personas.case_officer)
    url = reverse("statistics:targets")
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    few = len(ctx.captured_queries)
    for i in range(5):
        structure_target_add(actor=admin, terms=terms(name=f"要求{i}", unit_id=county.town.pk))
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200 and "要求4" in response.content.decode()
    assert len(ctx.captured_queries) == few


def test_add_writes_a_fixed_number_of_queries(admin, county: County):
    structure_target_add(actor=admin, terms=terms(name="预热"))
    counts = []
    for unit in (county.town, county.finance):
        with CaptureQueriesContext(connection) as ctx:
            structure_target_add(actor=admin, terms=terms(unit_id=unit.pk))
        counts.append(len(ctx.captured_queries))
    # savepoint, unit, sort order, insert, the journal's head, event and chain, release
    assert counts[0] == counts[1] <= 11


# ---- API -----------------------------------------------------------------------------


def test_api_add_change_retire_and_list(client, personas: Personas, county):
    client.force_login(personas.case_officer)
    response = post_json(client, "/statistics/targets", api_body(unit_id=county.town.pk))
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["state"] in ("in_force", "future") and created["kind_label"] == "党外干部"
    url = f"{API}/statistics/targets/{created['id']}"
    changed = client.put(
        url,
        json.dumps(api_body(unit_id=county.town.pk, min_count=2)),
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["min_count"] == 2
    retired = post_json(
        client, f"/statistics/targets/{created['id']}/retire", {"last_day": "2025-12-31"}
    )
    assert retired.status_code == 200 and retired.json()["effective_to"] == "2025-12-31"
    listing = client.get(API + "/statistics/targets")
    assert listing.status_code == 200
    assert {t["code"] for t in listing.json()} >= {"subsection-team-women", created["code"]}
    bad = post_json(client, "/statistics/targets", api_body(kind="young"))
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"age_at_most"}


def test_api_attacks(client, personas: Personas, county, town_officer):
    shipped = StructureTarget.objects.get(code="subsection-team-women")
    before = (StructureTarget.objects.count(), Event.objects.count())
    client.force_login(personas.outsider)
    assert client.get(API + "/statistics/targets").status_code == 403
    assert post_json(client, "/statistics/targets", api_body()).status_code == 403
    client.force_login(make_user("hr_town", Role.UNIT_HR, county.town))
    assert post_json(client, "/statistics/targets", api_body()).status_code == 403
    client.force_login(town_officer)
    retire = f"/statistics/targets/{shipped.pk}/retire"
    assert post_json(client, retire, {"last_day": "2025-06-30"}).status_code == 404
    outside = api_body(unit_id=county.finance.pk)
    assert post_json(client, "/statistics/targets", outside).status_code == 404
    huge = api_body(unit_id=county.town.pk, name="长" * 100_000, levels=["x"] * 1000)
    assert post_json(client, "/statistics/targets", huge).status_code == 422
    assert post_json(client, "/statistics/targets", {"name": 5}).status_code == 422
    assert (StructureTarget.objects.count(), Event.objects.count()) == before
