"""The unit picker (issue 13, decision 0109): scopes of more than
UNIT_SELECT_MAX units search for a unit instead of listing them all."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.web.helpers import page_text
from xuanren.org.models import UnitKind
from xuanren.org.services import unit_create
from xuanren.web import pickers

HTMX = {"HX-Request": "true"}


@pytest.fixture
def small_limit(monkeypatch):
    monkeypatch.setattr(pickers, "UNIT_SELECT_MAX", 3)


def _names(response):
    return [row["cadre"].name for row in response.context["rows"]]


def test_small_scope_keeps_the_select(client, world, personas):
    client.force_login(personas.case_officer)
    html = client.get(reverse("web:cadre_list")).content.decode()
    assert '<select name="unit"' in html
    assert 'name="unit_q"' not in html


def test_large_scope_gets_the_picker(client, world, personas, county, small_limit):
    client.force_login(personas.case_officer)
    response = client.get(reverse("web:cadre_list"))
    html = response.content.decode()
    assert '<select name="unit"' not in html
    assert '<input type="hidden" name="unit"' in html
    assert f'hx-get="{reverse("web:unit_picker")}"' in html
    assert "城关镇党政办" not in html  # no unit is listed
    # A chosen unit filters and is shown by name.
    chosen = client.get(reverse("web:cadre_list"), {"unit": county.other_town.pk})
    assert chosen.status_code == 200
    assert _names(chosen) == ["王芳"]
    assert "石桥镇（青山县）" in page_text(chosen)
    # The 可任职位 form of the cadre page too, with the cadre's unit chosen.
    detail = client.get(reverse("web:cadre_detail", args=[world.zhang.pk]))
    assert '<select name="unit"' not in detail.content.decode()
    assert "青山县财政局（青山县）" in page_text(detail)
    posts = client.get(
        reverse("web:cadre_posts", args=[world.zhang.pk]), {"unit": county.finance.pk}
    )
    assert posts.status_code == 200
    assert posts.context["unit"] == county.finance


def test_picker_refuses_a_unit_outside_the_scope(client, world, personas, county, small_limit):
    client.force_login(personas.other_unit_hr)  # 石桥镇 only: one unit
    pickers.UNIT_SELECT_MAX = 0  # the picker even for one unit (monkeypatch restores)
    response = client.get(reverse("web:cadre_list"), {"unit": county.town.pk})
    assert response.status_code == 200
    text = page_text(response)
    assert "所选单位不在您的管理范围内" in text
    assert "李娜" not in text and "赵刚" not in text and "城关镇" not in text
    assert set(_names(response)) <= {"王芳"}


def test_suggestions_are_scoped(client, world, personas, county):
    url = reverse("web:unit_picker")
    client.force_login(personas.case_officer)
    found = client.get(url, {"unit_q": "镇"}, headers=HTMX)
    assert found.status_code == 200
    assert [r["name"] for r in found.context["rows"]] == ["城关镇", "城关镇党政办", "石桥镇"]
    assert f'data-picker-id="{county.town.pk}"' in found.content.decode()
    assert "输入单位名称" in page_text(client.get(url, headers=HTMX))
    assert "未找到符合条件的单位" in page_text(client.get(url, {"unit_q": "无此单位"}))

    client.force_login(personas.other_unit_hr)
    scoped = client.get(url, {"unit_q": "镇"}, headers=HTMX)
    assert [r["name"] for r in scoped.context["rows"]] == ["石桥镇"]
    assert "城关镇" not in scoped.content.decode()

    client.force_login(personas.outsider)
    refused = client.get(url, {"unit_q": "镇"}, headers=HTMX)
    assert refused.status_code == 403
    assert "城关镇" not in page_text(refused)


def test_picker_pages_do_not_grow(client, admin, world, personas, county, small_limit):
    client.force_login(personas.case_officer)
    urls = [
        (reverse("web:cadre_list"), {"unit": county.town.pk}),
        (reverse("web:cadre_detail", args=[world.zhang.pk]), {}),
        (reverse("web:unit_picker"), {"unit_q": "新"}),
    ]

    def counts():
        result = []
        for url, params in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url, params).status_code == 200
            result.append(len(ctx.captured_queries))
        return result

    unit_create(actor=admin, name="新单位0", code="N0", kind=UnitKind.PUBLIC_INSTITUTION,
                parent=county.root)  # fmt: skip
    before = counts()
    for i in range(1, 15):
        unit_create(actor=admin, name=f"新单位{i}", code=f"N{i}",
                    kind=UnitKind.PUBLIC_INSTITUTION, parent=county.root)  # fmt: skip
    assert counts() == before


def test_cadre_count_is_capped(client, world, personas, monkeypatch):
    from xuanren.web import views

    client.force_login(personas.case_officer)
    exact = client.get(reverse("web:cadre_list"))
    assert "共 7 人" in page_text(exact)
    monkeypatch.setattr(views, "CADRE_COUNT_CAP", 5)
    capped = client.get(reverse("web:cadre_list"))
    text = page_text(capped)
    assert "超过 5 人，请增加查询条件缩小范围" in text
    assert len(capped.context["rows"]) == 6  # pages reach the cap + 1, not beyond


@pytest.mark.parametrize("page", ["assessment:rounds", "reserves:reserve_rounds"])
def test_the_round_forms_search_for_the_unit(client, world, personas, county, page):
    """年度考核 and 后备干部 open a round for a unit chosen with the picker: the
    page lists no unit of the scope (a province has thousands)."""
    client.force_login(personas.case_officer)
    html = client.get(reverse(page)).content.decode()
    assert '<input type="hidden" name="unit"' in html and 'name="unit_q"' in html
    assert county.town.name not in html
