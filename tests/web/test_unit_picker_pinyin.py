"""The unit picker finds units by pinyin (decision 0117): "yl" or "yunling"
finds 云岭县, as the cadre search finds names by initials. Every unit write
path fills the two columns (the service, the XLSX import, the seeder's bulk
rows, the migration for existing units); the answer takes the same number
of queries however many units match."""

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
from xuanren.exchange.xlsx_import import xlsx_import
from xuanren.org.models import Unit, UnitKind
from xuanren.org.pinyin import pinyin_query, unit_pinyin
from xuanren.org.selectors import unit_find
from xuanren.org.services import unit_create
from xuanren.synth.generator import Generator, MemorySink, SeedConfig
from xuanren.synth.loader import seed

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def test_the_pinyin_of_a_name_and_of_what_is_typed() -> None:
    assert unit_pinyin("云岭县") == ("ylx", "yunlingxian")
    assert unit_pinyin("吕梁市绿化局") == ("llslhj", "lvliangshilvhuaju")
    assert unit_pinyin("重庆市第1中学") == ("cqsdzx", "chongqingshidizhongxue")
    assert unit_pinyin("") == ("", "")
    assert pinyin_query(" Yun Ling ") == "yunling" and pinyin_query("yun'ling") == "yunling"
    assert pinyin_query("云岭") == "" and pinyin_query("C2") == "" and pinyin_query("12") == ""


@pytest.fixture
def yunling(admin: Any, county: County) -> Unit:
    return unit_create(
        actor=admin, name="云岭县", code="Y1", kind=UnitKind.REGION, parent=county.root
    )


def names(client: Client, q: str) -> list[str]:
    response = client.get(reverse("web:unit_picker"), {"unit_q": q}, headers=HTMX)
    assert response.status_code == 200
    return [row["name"] for row in response.context["rows"]]


def test_the_picker_finds_a_unit_by_initials_and_full_pinyin(
    client: Client, personas: Personas, yunling: Unit
) -> None:
    assert (yunling.name_initials, yunling.name_pinyin) == ("ylx", "yunlingxian")
    stored = Unit.objects.values_list("name_initials", "name_pinyin").get(pk=yunling.pk)
    assert stored == ("ylx", "yunlingxian")
    client.force_login(personas.case_officer)
    for typed in ("yl", "YL", "ylx", "yunling", "YunLing", "yun ling", "yun'ling", "yunlingxian"):
        assert names(client, typed) == ["云岭县"], typed
    assert names(client, "lingxian") == []  # a prefix, as the cadre initials
    assert names(client, "qsx") == ["青山县", "青山县财政局"]  # tree order
    assert names(client, "云岭") == ["云岭县"]  # the name itself still works
    assert names(client, "Y1") == ["云岭县"]  # and the code
    hint = client.get(reverse("web:unit_picker"), headers=HTMX).content.decode()
    assert "拼音首字母" in hint
    # Out of scope stays out of reach, by pinyin as by name.
    client.force_login(personas.other_unit_hr)
    assert names(client, "yl") == [] and names(client, "shiqiao") == ["石桥镇"]


def test_the_xlsx_import_fills_the_pinyin(admin: Any, county: County) -> None:
    content = book(units=[{"code": "R9", "name": "白水县", "kind": "党委政府（区域）"}])
    xlsx_import(actor=admin, content=content, filename="单位.xlsx")
    unit = Unit.objects.get(code="R9")
    assert (unit.name_initials, unit.name_pinyin) == ("bsx", "baishuixian")
    assert [u.name for u in unit_find(actor=admin, q="baishui")] == ["白水县"]


def test_the_seeders_rows_carry_the_pinyin() -> None:
    sink = MemorySink()
    Generator(SeedConfig(cadres=30, units=10, seed=3, as_of=dt.date(2026, 3, 1)), sink).run()
    rows = sink.dicts(Unit)
    assert rows and all(
        (row["name_initials"], row["name_pinyin"]) == unit_pinyin(row["name"]) for row in rows
    )


def test_a_seeded_database_has_the_pinyin() -> None:
    seed(cadres=30, units=10, seed=3)
    units = list(Unit.objects.values_list("name", "name_initials", "name_pinyin"))
    assert units and all((i, p) == unit_pinyin(n) for n, i, p in units)
    assert all(p for _n, _i, p in units)


def test_the_migration_fills_existing_units(county: County) -> None:
    Unit.objects.update(name_initials="", name_pinyin="")
    migration = importlib.import_module("xuanren.org.migrations.0003_unit_pinyin")
    monkey = pytest.MonkeyPatch()
    monkey.setattr(migration, "BATCH", 2)  # several batches

    class Editor:
        connection = connection

    try:
        migration.fill(apps, Editor())
    finally:
        monkey.undo()
    stored = dict(Unit.objects.values_list("name", "name_pinyin"))
    assert (
        stored["青山县"] == "qingshanxian" and stored["城关镇党政办"] == "chengguanzhendangzhengban"
    )
    assert all(stored.values()) and len(stored) == Unit.objects.count()


def test_the_picker_answers_in_the_same_number_of_queries(
    client: Client, admin: Any, county: County, personas: Personas
) -> None:
    client.force_login(personas.case_officer)
    url = reverse("web:unit_picker")

    def queries(q: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, {"unit_q": q}, headers=HTMX).status_code == 200
        return len(ctx.captured_queries)

    unit_create(actor=admin, name="云岭县", code="Y0", kind=UnitKind.REGION, parent=county.root)
    one = queries("yl")
    for i in range(1, 25):
        unit_create(actor=admin, name=f"云岭{i}所", code=f"Y{i}",
                    kind=UnitKind.PUBLIC_INSTITUTION, parent=county.root)  # fmt: skip
    assert queries("yl") == one
    response = client.get(url, {"unit_q": "yunling"}, headers=HTMX)
    assert len(response.context["rows"]) == 20  # a page, not every match
