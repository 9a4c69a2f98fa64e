"""What the home page and the quota report load after the page (issue 13,
docs/decisions/0113): the home page's figures and a large level's quota rows
are their own requests, refused as the pages they come from, a page of their
own without JavaScript, and with a query count that does not grow."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.web.helpers import page_text
from xuanren.journal.models import Event
from xuanren.org.models import Level, Quota, Unit, UnitKind
from xuanren.org.services import post_create, quota_set, unit_create
from xuanren.people.models import Tenure
from xuanren.people.services import tenure_start
from xuanren.reminders.kept import reminders_refresh
from xuanren.web import views

HTMX = {"HX-Request": "true"}


def _count(client, url, headers=None, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params, headers=headers or {})
    assert response.status_code == 200, url
    return len(ctx.captured_queries), response


# ---- the home page's figures --------------------------------------------------------


def test_figures_fragment_and_its_no_js_page(client, world, personas):
    client.force_login(personas.case_officer)
    url = reverse("web:dashboard_figures")
    fragment = client.get(url, headers=HTMX)
    assert fragment.status_code == 200
    html = fragment.content.decode()
    assert "<html" not in html
    text = page_text(fragment)
    assert "在职干部" in text and "职数情况" in text and "核定职数" in text
    # Without JS the placeholder's link opens the same figures as a page.
    page = client.get(url)
    assert page.status_code == 200
    assert "<html" in page.content.decode()
    assert f'href="{reverse("web:dashboard")}"' in page.content.decode()  # back to 首页
    for key in ("unit_count", "post_count", "cadre_count"):
        assert page.context[key] == fragment.context[key]
    assert page.context["quota"] == fragment.context["quota"]
    assert "工作概况" in page_text(page) and "在职干部" in page_text(page)


def test_figures_are_refused_as_the_pages(client, world, personas):
    url = reverse("web:dashboard_figures")
    before = Event.objects.count()
    anonymous = client.get(url, headers=HTMX)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    client.force_login(personas.outsider)
    for headers in ({}, HTMX):
        response = client.get(url, headers=headers)
        assert response.status_code == 403
        assert "张伟" not in page_text(response) and "在职干部" not in page_text(response)
    assert Event.objects.count() == before


def test_figures_are_the_scope_s(client, world, personas, admin):
    """The HR contact of 石桥镇 counts their unit; the superuser everything."""
    url = reverse("web:dashboard_figures")
    client.force_login(personas.other_unit_hr)
    scoped = client.get(url, headers=HTMX)
    client.force_login(admin)
    everything = client.get(url, headers=HTMX)
    assert scoped.context["cadre_count"] == 1
    assert everything.context["cadre_count"] == 7
    assert everything.context["unit_count"] == Unit.objects.count()


def test_figures_query_count_does_not_grow(client, admin, world, personas, county, make_cadre):
    url = reverse("web:dashboard_figures")

    def counts():
        result = []
        for user in [personas.case_officer, admin]:
            client.force_login(user)
            result += [
                _count(client, url, headers=HTMX)[0],
                _count(client, reverse("web:dashboard"))[0],
            ]
        return result

    before = counts()
    for i in range(5):
        unit = unit_create(actor=admin, name=f"新单位{i}", code=f"N{i}",
                           kind=UnitKind.PUBLIC_INSTITUTION, parent=county.root)  # fmt: skip
        post = post_create(actor=admin, unit=unit, title="主任", level=Level.SECTION_PRINCIPAL)
        quota_set(actor=admin, unit=unit, level=Level.SECTION_PRINCIPAL, approved=1)
        cadre = make_cadre(unit, name=f"新人{i}", birth=dt.date(1980, 1, 1) + dt.timedelta(days=i))
        tenure_start(actor=admin, cadre=cadre, post=post, start_date=dt.date(2024, 1, 1))
    assert counts() == before


# ---- the quota report: a large level's rows after the page ----------------------------


@pytest.fixture
def small_limit(monkeypatch):
    """A level of more than 3 units is 'large' (the default is 300)."""
    monkeypatch.setattr(views, "QUOTA_INLINE_UNITS", 3)


def test_a_small_level_is_rendered_at_once(client, world, personas, county):
    client.force_login(personas.case_officer)  # 6 units, under the default limit
    response = client.get(reverse("web:quota"))
    assert response.status_code == 200
    assert "deferred" not in response.context
    assert reverse("web:quota_level") not in response.content.decode()
    assert response.context["totals"].approved == 8


def test_a_large_level_loads_its_rows_after_the_page(client, world, personas, admin, small_limit):
    client.force_login(admin)
    page = client.get(reverse("web:quota"), {"on": "2026-01-01"})
    assert page.status_code == 200
    assert page.context["deferred"] is True
    assert "groups" not in page.context
    html = page.content.decode()
    level_url = reverse("web:quota_level") + "?on=2026-01-01"
    assert f'hx-get="{level_url}"' in html and f'href="{level_url}"' in html
    assert "城关镇" not in page_text(page)
    # htmx: the rows and the total, no layout.
    rows = client.get(reverse("web:quota_level"), {"on": "2026-01-01"}, headers=HTMX)
    assert rows.status_code == 200
    body = rows.content.decode()
    assert "<html" not in body and "<tbody>" in body and "<tfoot>" in body
    names = [g["unit"].name for g in rows.context["groups"]]
    assert names == ["青山县", "中共青山县委组织部", "青山县财政局", "城关镇", "石桥镇"]
    assert rows.context["totals"].approved == 8
    # Without JS: the whole report page with its rows (not deferred again).
    full = client.get(reverse("web:quota_level"), {"on": "2026-01-01"})
    assert "<html" in full.content.decode() and "deferred" not in full.context
    assert "城关镇" in page_text(full) and "总计" in page_text(full)
    assert [g["unit"].name for g in full.context["groups"]] == names


def test_the_deferred_report_and_its_rows_keep_the_csp(client, world, admin, small_limit):
    """The walk of test_csp_pages never meets a level this large: the page with
    its placeholder and the rows (fragment and no-JS page) are checked here."""
    from tests.web.test_csp_pages import inline_problems

    client.force_login(admin)
    for url, headers in [
        (reverse("web:quota"), {}),
        (reverse("web:quota_level"), HTMX),
        (reverse("web:quota_level"), {}),
        (reverse("web:dashboard_figures"), HTMX),
        (reverse("web:dashboard_figures"), {}),
    ]:
        response = client.get(url, headers=headers)
        assert response.status_code == 200
        assert "script-src 'self'" in response["Content-Security-Policy"]
        assert response["Cache-Control"] == "no-store, private"
        assert inline_problems(response.content.decode()) == [], url


def test_a_large_level_below_a_unit(client, world, personas, admin, county, small_limit):
    client.force_login(admin)
    page = client.get(reverse("web:quota"), {"under": county.root.pk})
    assert page.context["deferred"] is True and page.context["under"] == county.root
    assert f"under={county.root.pk}" in page.content.decode()
    rows = client.get(reverse("web:quota_level"), {"under": county.root.pk}, headers=HTMX)
    assert rows.context["groups"][0]["unit"] == county.root
    # 城关镇 has two units: under the limit, at once.
    town = client.get(reverse("web:quota"), {"under": county.town.pk})
    assert "deferred" not in town.context
    assert [g["unit"].name for g in town.context["groups"]] == ["城关镇", "城关镇党政办"]


def test_quota_level_is_refused_as_the_report(client, world, personas, county, small_limit):
    before = (Unit.objects.count(), Quota.objects.count(), Event.objects.count())
    client.force_login(personas.other_unit_hr)  # 石桥镇 only
    for unit in [county.root, county.town]:
        for headers in ({}, HTMX):
            response = client.get(reverse("web:quota_level"), {"under": unit.pk}, headers=headers)
            assert response.status_code == 404
            assert "城关镇" not in page_text(response)
    assert client.get(reverse("web:quota_level"), {"under": 999999}).status_code == 404
    own = client.get(reverse("web:quota_level"), headers=HTMX)
    assert own.status_code == 200
    assert [g["unit"].name for g in own.context["groups"]] == ["石桥镇"]
    client.force_login(personas.outsider)
    for headers in ({}, HTMX):
        response = client.get(reverse("web:quota_level"), headers=headers)
        assert response.status_code == 403
        assert "城关镇" not in page_text(response)
    assert (Unit.objects.count(), Quota.objects.count(), Event.objects.count()) == before


def test_quota_level_query_counts_do_not_grow(client, admin, world, county, small_limit):
    client.force_login(admin)
    urls = [reverse("web:quota"), reverse("web:quota_level")]
    before = [_count(client, url, headers=HTMX)[0] for url in urls]
    for i in range(10):
        unit = unit_create(actor=admin, name=f"新单位{i}", code=f"N{i}",
                           kind=UnitKind.PUBLIC_INSTITUTION, parent=county.root)  # fmt: skip
        quota_set(actor=admin, unit=unit, level=Level.SECTION_DEPUTY, approved=1)
        unit_create(actor=admin, name=f"新科室{i}", code=f"K{i}",
                    kind=UnitKind.INTERNAL_OFFICE, parent=unit)  # fmt: skip
    assert [_count(client, url, headers=HTMX)[0] for url in urls] == before


# ---- 待办: the probations read through their index ---------------------------------------


def test_todo_query_count_does_not_grow_with_probations(client, admin, world, county, make_cadre):
    client.force_login(admin)
    on = timezone.localdate()
    post = post_create(actor=admin, unit=county.town, title="股长", level=Level.SUBSECTION_PRINCIPAL,
                       seats=10)  # fmt: skip

    def on_probation(i):
        cadre = make_cadre(
            county.town, name=f"试用{i}", birth=dt.date(1985, 1, 1) + dt.timedelta(days=i)
        )
        tenure = tenure_start(actor=admin, cadre=cadre, post=post,
                              start_date=dt.date(2025, 1, 1) + dt.timedelta(days=i))  # fmt: skip
        Tenure.objects.filter(pk=tenure.pk).update(probation_until=on + dt.timedelta(days=1 + i))
        reminders_refresh([tenure.cadre_id])  # as tenure_start would (decision 0195)

    on_probation(0)
    few, response = _count(client, reverse("web:todo"), tab="all")
    assert "试用0" in page_text(response)
    for i in range(1, 6):
        on_probation(i)
    many, response = _count(client, reverse("web:todo"), tab="all")
    assert all(f"试用{i}" in page_text(response) for i in range(6))
    assert many == few


def test_home_shows_the_soonest_todo_items_and_links_to_all(
    client, admin, world, county, make_cadre, monkeypatch
):
    monkeypatch.setattr(views, "HOME_TODO_ROWS", 2)
    client.force_login(admin)
    on = timezone.localdate()
    post = post_create(actor=admin, unit=county.town, title="股长", level=Level.SUBSECTION_PRINCIPAL,
                       seats=10)  # fmt: skip
    for i in range(4):
        cadre = make_cadre(
            county.town, name=f"试用{i}", birth=dt.date(1985, 1, 1) + dt.timedelta(days=i)
        )
        tenure = tenure_start(actor=admin, cadre=cadre, post=post,
                              start_date=dt.date(2025, 1, 1) + dt.timedelta(days=i))  # fmt: skip
        Tenure.objects.filter(pk=tenure.pk).update(probation_until=on + dt.timedelta(days=1 + i))
        reminders_refresh([tenure.cadre_id])  # as tenure_start would (decision 0195)
    home = client.get(reverse("web:dashboard"))
    total = home.context["todo_total"]
    assert total >= 4
    shown = [row["item"] for row in home.context["todo_rows"]]
    assert len(shown) == 2
    assert [i.due for i in shown] == sorted(i.due for i in shown)
    assert "试用0" in page_text(home) and "试用3" not in page_text(home)
    assert f'href="{reverse("web:todo")}?tab=all"' in home.content.decode()
    assert f"查看全部 {total} 项待办" in page_text(home)
    everything = client.get(reverse("web:todo"), {"tab": "all"})
    assert all(f"试用{i}" in page_text(everything) for i in range(4))
    # Within the limit: no link.
    monkeypatch.setattr(views, "HOME_TODO_ROWS", 100)
    home = client.get(reverse("web:dashboard"))
    assert len(home.context["todo_rows"]) == home.context["todo_total"]
    assert f'href="{reverse("web:todo")}?tab=all"' not in home.content.decode()
