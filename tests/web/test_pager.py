"""The one pager (web/_pager.html): htmx links with a target, plain links
without one, and the pages that use it without htmx."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from xuanren.access.models import AccessKind
from xuanren.access.records import access_record


def pager(page: int, **extra: Any) -> str:
    query: dict[str, str | int] = {"q": "张", "page": page}
    request = RequestFactory().get("/x/", query)
    page_obj = Paginator(list(range(30)), 10).get_page(page)
    return render_to_string("web/_pager.html", {"page_obj": page_obj, **extra}, request=request)


def test_with_a_target_the_links_load_by_htmx() -> None:
    html = pager(2, target="#results")
    assert 'hx-target="#results"' in html and "hx-push-url" in html
    assert 'hx-get="?q=%E5%BC%A0&amp;page=1"' in html
    assert "上一页" in html and "下一页" in html and "第 2 页，共 3 页" in html


def test_without_a_target_the_links_are_plain() -> None:
    html = pager(2)
    assert "hx-" not in html
    assert 'href="?q=%E5%BC%A0&amp;page=1"' in html and 'href="?q=%E5%BC%A0&amp;page=3"' in html
    assert "上一页" in html and "下一页" in html and "第 2 页，共 3 页" in html
    first, last = pager(1), pager(3)
    assert "上一页" not in first and "下一页" in first
    assert "上一页" in last and "下一页" not in last


def test_one_page_has_no_pager() -> None:
    request = RequestFactory().get("/x/")
    page_obj = Paginator([1, 2], 10).get_page(1)
    assert "pager" not in render_to_string(
        "web/_pager.html", {"page_obj": page_obj}, request=request
    )


@pytest.mark.django_db
def test_access_records_page_uses_the_plain_pager(
    client: Any, personas: Any, world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import xuanren.access.views as access_views

    monkeypatch.setattr(access_views, "RECORDS_PER_PAGE", 1)
    officer = personas.case_officer
    for cadre in (world.zhang, world.li):
        access_record(actor=officer, kind=AccessKind.CADRE, subject=cadre, label=cadre.name)
    client.force_login(personas.discipline)
    html = client.get(reverse("access:records")).content.decode()
    assert 'class="pager"' in html and "下一页" in html and "hx-get" not in html
    html = client.get(reverse("access:records"), {"page": 2}).content.decode()
    assert "上一页" in html
