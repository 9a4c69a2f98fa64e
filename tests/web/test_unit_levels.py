"""The unit tree and the quota report open one level at a time (issue 13,
docs/decisions/0109): levels load on demand, in scope only, with subtree
totals equal to the full report's, and a query count that does not grow."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.web.helpers import page_text
from xuanren.journal.models import Event
from xuanren.org.models import Level, Quota, Unit, UnitKind
from xuanren.org.selectors import quota_report, unit_level
from xuanren.org.services import quota_set, unit_create

HTMX = {"HX-Request": "true"}


def _count(client, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params, headers=HTMX)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_unit_children_fragment(client, world, personas, county):
    client.force_login(personas.case_officer)
    response = client.get(reverse("web:unit_children", args=[county.town.pk]), headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html  # a fragment: rows only
    assert [r["unit"].name for r in response.context["rows"]] == ["城关镇", "城关镇党政办"]
    assert [r["indent"] for r in response.context["rows"]] == [1, 2]
    # The opened unit's row comes back without its 展开下级 link.
    assert reverse("web:unit_children", args=[county.town.pk]) not in html
    assert "城关镇党政办" in page_text(response)


def test_quota_children_fragment_totals(client, world, personas, county):
    client.force_login(personas.case_officer)
    response = client.get(
        reverse("web:quota_children", args=[county.town.pk]), {"on": "2026-01-01"}, headers=HTMX
    )
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert response.content.decode().count("<tbody>") == 2
    totals = {r.unit_name: r for r in response.context["rows"] if r.is_total}
    assert set(totals) == {"城关镇", "城关镇党政办"}
    assert (totals["城关镇"].approved, totals["城关镇党政办"].approved) == (5, 0)


def test_subtree_totals_match_the_full_report(world, personas, county, admin):
    # A deeper tree with quotas below the first level.
    office = county.town_office
    sub = unit_create(actor=admin, name="城关镇党政办一组", code="T1A1", kind=UnitKind.INTERNAL_OFFICE,
                      parent=office)  # fmt: skip
    quota_set(actor=admin, unit=sub, level=Level.SECTION_DEPUTY, approved=2)
    quota_set(actor=admin, unit=office, level=Level.SECTION_PRINCIPAL, approved=1)
    for actor in [personas.case_officer, admin]:
        full = {r.unit_id: r.subtree for r in quota_report(actor=actor)}
        for unit in Unit.objects.all():
            level = unit_level(actor=actor, under=unit, quota="subtree")
            for shown in level.units:
                assert level.quota[shown.pk].subtree == full[shown.pk], shown.name
    top = unit_level(actor=personas.case_officer, quota="subtree")
    assert [u.name for u in top.anchors] == ["青山县"]
    assert top.quota[county.root.pk].subtree == full[county.root.pk]


def test_out_of_scope_levels_are_404_and_change_nothing(client, world, personas, county):
    client.force_login(personas.other_unit_hr)  # 石桥镇 only
    before = (Unit.objects.count(), Quota.objects.count(), Event.objects.count())
    for unit in [county.town, county.root, county.finance]:
        for response in [
            client.get(reverse("web:unit_children", args=[unit.pk]), headers=HTMX),
            client.get(reverse("web:quota_children", args=[unit.pk]), headers=HTMX),
            client.get(reverse("web:unit_list"), {"under": unit.pk}),
            client.get(reverse("web:quota"), {"under": unit.pk}),
        ]:
            assert response.status_code == 404
            text = page_text(response)
            assert "城关镇" not in text and "青山县财政局" not in text
    assert client.get(reverse("web:unit_children", args=[999999])).status_code == 404
    assert (Unit.objects.count(), Quota.objects.count(), Event.objects.count()) == before
    # Its own unit opens.
    own = client.get(reverse("web:unit_children", args=[county.other_town.pk]), headers=HTMX)
    assert own.status_code == 200
    assert [r["unit"].name for r in own.context["rows"]] == ["石桥镇"]


def test_outsider_fragments_are_refused(client, world, personas, county):
    client.force_login(personas.outsider)
    for name in ["web:unit_children", "web:quota_children"]:
        response = client.get(reverse(name, args=[county.town.pk]), headers=HTMX)
        assert response.status_code == 403
        assert "城关镇" not in page_text(response)


def test_superuser_sees_every_root(client, world, admin, county):
    other = unit_create(actor=admin, name="白水县", code="B0", kind=UnitKind.REGION, parent=None)
    client.force_login(admin)
    response = client.get(reverse("web:quota"))
    assert response.status_code == 200
    names = [g["unit"].name for g in response.context["groups"]]
    assert "青山县" in names and "白水县" in names and "城关镇" in names
    assert "城关镇党政办" not in names
    assert response.context["totals"].approved == 8
    units = client.get(reverse("web:unit_list"))
    assert {r["unit"].pk for r in units.context["rows"]} >= {county.root.pk, other.pk}


def test_level_query_counts_do_not_grow(client, admin, world, personas, county):
    urls = [
        reverse("web:unit_list"),
        reverse("web:quota"),
        reverse("web:unit_children", args=[county.town.pk]),
        reverse("web:quota_children", args=[county.town.pk]),
    ]

    def counts():
        result = []
        for user in [personas.case_officer, admin]:
            client.force_login(user)
            result += [_count(client, url)[0] for url in urls]
        return result

    before = counts()
    # Ten more children under the county and the town, each with a child
    # and a quota: more rows, deeper subtrees, the same number of queries.
    for i in range(10):
        for parent in [county.root, county.town]:
            unit = unit_create(actor=admin, name=f"新单位{parent.pk}-{i}", code=f"N{parent.pk}-{i}",
                               kind=UnitKind.PUBLIC_INSTITUTION, parent=parent)  # fmt: skip
            quota_set(actor=admin, unit=unit, level=Level.SECTION_DEPUTY, approved=1)
            unit_create(actor=admin, name=f"新科室{parent.pk}-{i}", code=f"K{parent.pk}-{i}",
                        kind=UnitKind.INTERNAL_OFFICE, parent=unit)  # fmt: skip
    assert counts() == before


def test_quota_rows_link_each_unit_and_its_children_on_the_day(client, world, personas, county):
    client.force_login(personas.case_officer)
    html = client.get(reverse("web:quota_level"), {"on": "2026-01-01"}).content.decode()
    town = county.town.pk
    assert f'href="{reverse("web:unit_detail", args=[town])}"' in html
    assert f'href="{reverse("web:quota")}?under={town}&amp;on=2026-01-01"' in html
    assert f'hx-get="{reverse("web:quota_children", args=[town])}?on=2026-01-01"' in html


def test_pk_url_puts_each_pk_where_reverse_would():
    from xuanren.web.presenters import pk_url

    detail = pk_url("web:unit_detail")
    assert [detail(pk) for pk in (1, 20, 2_147_483_647)] == [
        reverse("web:unit_detail", args=[pk]) for pk in (1, 20, 2_147_483_647)
    ]
