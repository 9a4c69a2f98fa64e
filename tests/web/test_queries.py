"""Pages do not grow their query count with the number of rows."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.web.world import add_full_records


def _count(client, url, headers=None, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params, headers=headers or {})
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_cadre_list_query_count_does_not_grow(client, county, personas, make_cadre):
    client.force_login(personas.case_officer)
    units = [county.finance, county.town, county.other_town]
    for i in range(5):
        make_cadre(units[i % 3], name=f"甲{i}", birth=dt.date(1980, 1, 1) + dt.timedelta(days=i))
    few, response = _count(client, reverse("web:cadre_list"))
    assert len(response.context["rows"]) == 5
    for i in range(35):
        make_cadre(units[i % 3], name=f"乙{i}", birth=dt.date(1981, 1, 1) + dt.timedelta(days=i))
    many, response = _count(client, reverse("web:cadre_list"))
    assert len(response.context["rows"]) == 40
    assert many == few
    # The htmx partial and a filtered search too.
    htmx = {"HX-Request": "true"}
    few_partial, _ = _count(client, reverse("web:cadre_list"), headers=htmx, q="j")
    many_partial, _ = _count(client, reverse("web:cadre_list"), headers=htmx, q="y")
    assert few_partial == many_partial


def test_cadre_detail_query_count_does_not_grow(client, admin, county, personas, make_cadre):
    client.force_login(personas.case_officer)
    relative = make_cadre(county.town, name="亲友", birth=dt.date(1970, 1, 1))
    one = make_cadre(
        county.finance,
        name="单条",
        birth=dt.date(1975, 5, 5),
        work_start=dt.date(1995, 8, 1),
        party_join=dt.date(1999, 7, 1),
    )
    ten = make_cadre(
        county.finance,
        name="十条",
        birth=dt.date(1975, 6, 6),
        work_start=dt.date(1995, 8, 1),
        party_join=dt.date(1999, 7, 1),
    )
    add_full_records(admin, one, 1, relative=relative)
    add_full_records(admin, ten, 10, relative=relative)
    from xuanren.people.services import tenure_start

    tenure_start(
        actor=admin,
        cadre=one,
        post=county.finance_deputy,
        start_date=dt.date(2000, 1, 1),
        end_date=dt.date(2000, 12, 1),
    )
    for i in range(10):
        tenure_start(
            actor=admin,
            cadre=ten,
            post=county.town_deputy,
            start_date=dt.date(2000 + i, 1, 1),
            end_date=dt.date(2000 + i, 12, 1),
        )

    n_one, r_one = _count(client, reverse("web:cadre_detail", args=[one.pk]))
    n_ten, r_ten = _count(client, reverse("web:cadre_detail", args=[ten.pk]))
    assert len(r_one.context["tenures"]) == 1
    assert len(r_ten.context["tenures"]) == 10
    for key in ["resume", "family", "assessments", "records", "trainings"]:
        assert len(r_one.context[key]) == 1, key
        assert len(r_ten.context[key]) == 10, key
    assert len(r_ten.context["full_time"]) + len(r_ten.context["in_service"]) == 10
    assert all(row["link"] is not None for row in r_ten.context["family"])
    assert n_one == n_ten


def test_quota_and_unit_pages_do_not_grow(client, admin, county, personas):
    from xuanren.org.models import UnitKind
    from xuanren.org.services import unit_create

    client.force_login(personas.case_officer)
    before = [
        _count(client, reverse(name))[0]
        for name in ["web:quota", "web:unit_list", "web:dashboard", "web:dashboard_figures"]
    ]
    for i in range(10):
        unit_create(
            actor=admin,
            name=f"新单位{i}",
            code=f"N{i}",
            kind=UnitKind.PUBLIC_INSTITUTION,
            parent=county.root,
        )
    after = [
        _count(client, reverse(name))[0]
        for name in ["web:quota", "web:unit_list", "web:dashboard", "web:dashboard_figures"]
    ]
    assert before == after


def test_cadre_detail_reads_only_the_lists_with_rows(client, admin, county, personas, make_cadre):
    """Decision 0168: the cadre's row says which lists have rows (EXISTS
    columns); an empty list costs no query, and the counts are fixed."""
    from xuanren.people.services import tenure_start

    relative = make_cadre(county.town, name="亲友", birth=dt.date(1970, 1, 1))
    bare = make_cadre(county.finance, name="无记录", birth=dt.date(1976, 3, 3))
    full = make_cadre(
        county.finance,
        name="全记录",
        birth=dt.date(1975, 5, 5),
        work_start=dt.date(1995, 8, 1),
        party_join=dt.date(1999, 7, 1),
    )
    add_full_records(admin, full, 3, relative=relative)
    tenure_start(
        actor=admin,
        cadre=full,
        post=county.finance_deputy,
        start_date=dt.date(2000, 1, 1),
        end_date=dt.date(2000, 12, 1),
    )
    counts = {}
    for who in (admin, personas.case_officer):
        client.force_login(who)
        client.get(reverse("web:cadre_detail", args=[bare.pk]))  # the session, permissions
        n_bare, r_bare = _count(client, reverse("web:cadre_detail", args=[bare.pk]))
        n_full, r_full = _count(client, reverse("web:cadre_detail", args=[full.pk]))
        for key in ["resume", "family", "assessments", "records", "trainings", "tenures"]:
            assert len(r_bare.context[key]) == 0, key
            assert len(r_full.context[key]) >= 1, key
        # the relative (in scope) is linked without a query of the units
        assert all(row["link"] == relative for row in r_full.context["family"])
        counts[who.username] = (n_bare, n_full)
    # The seven record lists of the full cadre are read, none of the bare one's;
    # the other apps' lists (postings, reports, observations, reserve places,
    # assessment rounds, training obligations) have no row for either. The
    # officer's requests make three more, the same for both cadres.
    assert counts == {admin.username: (6, 13), personas.case_officer.username: (9, 16)}
