"""The post picker of 智能选人 finds posts by pinyin (decision 0140): "dwsj",
"dangwei" or "cgz dwsj" finds 城关镇 党委书记, as the unit picker finds units.
Every post write path fills the two columns (the service, the XLSX import,
the seeder's bulk rows, the migration for existing posts); a long word is
matched on the post's own columns (the indexed form), a short one through
the join, with the same answers; the picker's query count does not grow."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import County, Personas
from tests.exchange.test_xlsx_jobs import book
from tests.web.helpers import page_text
from xuanren.exchange.xlsx_import import xlsx_import
from xuanren.org.models import Level, Post
from xuanren.org.pinyin import unit_pinyin
from xuanren.org.selectors import post_find
from xuanren.org.services import post_create
from xuanren.synth.generator import Generator, MemorySink, SeedConfig
from xuanren.synth.loader import seed

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def found(client: Client, q: str) -> list[int]:
    response = client.get(reverse("web:post_picker"), {"post_q": q}, headers=HTMX)
    assert response.status_code == 200
    return [row["pk"] for row in response.context["rows"]]


def test_the_picker_finds_a_post_by_the_pinyin_of_its_title_and_its_unit(
    client: Client, county: County, personas: Personas
) -> None:
    secretary = county.town_secretary
    assert (secretary.title_initials, secretary.title_pinyin) == ("dwsj", "dangweishuji")
    stored = Post.objects.values_list("title_initials", "title_pinyin").get(pk=secretary.pk)
    assert stored == ("dwsj", "dangweishuji")
    client.force_login(personas.case_officer)
    for typed in ("dwsj", "DWSJ", "dw", "dangwei", "DangWei", "dang'wei", "dangweishuji"):
        assert found(client, typed) == [secretary.pk], typed
    assert found(client, "shuji") == []  # a prefix, as for units and cadres
    # A word for the unit, one for the post; pinyin and Chinese mixed.
    assert found(client, "cgz dwsj") == [secretary.pk]
    assert found(client, "chengguan 书记") == [secretary.pk]
    assert found(client, "城关镇 dwsj") == [secretary.pk]
    assert found(client, "cgz fzz") == [county.town_deputy.pk]
    assert found(client, "fjz") == [county.finance_deputy.pk]  # 副局长
    assert found(client, "qsx fjz") == [county.finance_deputy.pk]  # 青山县财政局
    assert found(client, "cgz xx") == []
    # Chinese words, long (the indexed form) and short (through the join).
    assert found(client, "党委书记") == [secretary.pk]
    assert found(client, "城关镇 副镇长") == [county.town_deputy.pk]
    assert found(client, "县财政局 副局长") == [county.finance_deputy.pk]
    assert found(client, "财政 副") == [county.finance_deputy.pk]
    hint = page_text(client.get(reverse("web:post_picker"), headers=HTMX))
    assert "拼音首字母" in hint
    # Out of scope stays out of reach, by pinyin as by name.
    client.force_login(personas.other_unit_hr)
    assert found(client, "dwsj") == [] and found(client, "cgz") == []
    client.force_login(personas.outsider)
    assert client.get(reverse("web:post_picker"), {"post_q": "dwsj"}).status_code == 403


def test_long_and_short_words_find_the_same_posts(admin: Any, county: County) -> None:
    """The same words through both forms: a word of three characters or more
    is matched on the post's columns and a list of unit ids, a shorter one
    through the join; each answer is what the other would give."""
    post_create(actor=admin, unit=county.other_town, title="党委副书记", level=Level.SECTION_DEPUTY)
    inactive = post_create(
        actor=admin, unit=county.town, title="党委委员", level=Level.SECTION_DEPUTY
    )
    inactive.is_active = False
    inactive.save()

    def titles(q: str) -> list[str]:
        return [f"{p.unit.name}{p.title}" for p in post_find(actor=admin, q=q)]

    assert titles("党委") == ["城关镇党委书记", "石桥镇党委副书记"]
    assert titles("党委书") == ["城关镇党委书记"]
    assert titles("镇党委") == []  # title and unit name are matched apart
    assert titles("石桥镇") == ["石桥镇党委副书记"]
    assert titles("石桥 书记") == ["石桥镇党委副书记"]
    assert titles("县财政局") == ["青山县财政局局长", "青山县财政局副局长"]  # the short name
    assert titles("青山县") == ["青山县财政局局长", "青山县财政局副局长"]
    assert titles("   ") == [] and titles("无此职位") == []


def test_an_oversized_or_odd_query_is_cut_and_harmless(
    client: Client, county: County, personas: Personas
) -> None:
    client.force_login(personas.case_officer)
    assert found(client, "dwsj " * 200) == [county.town_secretary.pk]  # 4 words at most
    for odd in ("%", "_", "%%dw", "'; --", "\\", "dw%sj"):
        response = client.get(reverse("web:post_picker"), {"post_q": odd}, headers=HTMX)
        assert response.status_code == 200, odd
        assert response.context["rows"] == [], odd


def test_the_xlsx_import_fills_the_pinyin(admin: Any, county: County) -> None:
    content = book(
        units=[{"code": "R9", "name": "白水县", "kind": "党委政府（区域）"}],
        posts=[{"unit_code": "R9", "title": "县长", "level": "正处级"}],
    )
    xlsx_import(actor=admin, content=content, filename="职位.xlsx")
    post = Post.objects.get(unit__code="R9")
    assert (post.title_initials, post.title_pinyin) == ("xz", "xianzhang")
    assert [p.pk for p in post_find(actor=admin, q="bsx xz")] == [post.pk]


def test_the_seeders_rows_carry_the_pinyin() -> None:
    sink = MemorySink()
    Generator(SeedConfig(cadres=30, units=10, seed=3, as_of=dt.date(2026, 3, 1)), sink).run()
    rows = sink.dicts(Post)
    assert rows and all(
        (row["title_initials"], row["title_pinyin"]) == unit_pinyin(row["title"]) for row in rows
    )


def test_a_seeded_database_has_the_pinyin() -> None:
    seed(cadres=30, units=10, seed=3)
    posts = list(Post.objects.values_list("title", "title_initials", "title_pinyin"))
    assert posts and all((i, p) == unit_pinyin(t) for t, i, p in posts)
    assert all(p for _t, _i, p in posts)


def test_the_migration_fills_existing_posts(county: County) -> None:
    Post.objects.update(title_initials="", title_pinyin="")
    migration = importlib.import_module("xuanren.org.migrations.0004_post_title_pinyin")
    monkey = pytest.MonkeyPatch()
    monkey.setattr(migration, "BATCH", 2)  # several batches

    class Editor:
        connection = connection

    try:
        migration.fill(apps, Editor())
    finally:
        monkey.undo()
    stored = dict(Post.objects.values_list("title", "title_pinyin"))
    assert stored["党委书记"] == "dangweishuji" and stored["副镇长"] == "fuzhenzhang"
    assert all(stored.values())


def test_the_trigram_indexes_exist_on_postgresql_only(county: County) -> None:
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, "org_post")
        unit_indexes = connection.introspection.get_constraints(cursor, "org_unit")
    trigram = {"org_post_title_trgm"} & set(indexes)
    trigram |= {"org_unit_name_trgm", "org_unit_short_name_trgm"} & set(unit_indexes)
    if connection.vendor == "postgresql":
        assert trigram == {"org_post_title_trgm", "org_unit_name_trgm", "org_unit_short_name_trgm"}
    else:
        assert trigram == set()
    assert {"org_post_initials_pattern", "org_post_pinyin_pattern"} <= set(indexes)


def test_the_picker_answers_in_the_same_number_of_queries(
    client: Client, admin: Any, county: County, personas: Personas
) -> None:
    client.force_login(personas.case_officer)
    url = reverse("web:post_picker")

    def queries(q: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, {"post_q": q}, headers=HTMX).status_code == 200
        return len(ctx.captured_queries)

    few = {q: queries(q) for q in ("dwsj", "cgz 副镇长", "财政 副")}
    for i in range(25):
        post_create(actor=admin, unit=county.town, title=f"党委委员{i}", level=Level.SECTION_DEPUTY)
        post_create(actor=admin, unit=county.town, title=f"副镇长{i}", level=Level.SECTION_DEPUTY)
    assert {q: queries(q) for q in few} == few
    response = client.get(url, {"post_q": "dw"}, headers=HTMX)
    assert len(response.context["rows"]) == 20  # a page, not every match
