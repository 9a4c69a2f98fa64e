"""Issue 12 (LRMX part): party-school 学历 import as kind 党校 at their level,
an unknown 学历 is kept as written with a warning, and family members are
linked to the cadre records they name, so that recusal is detected on
imported data (decisions 0082, 0083)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.exchange.test_lrmx_import import edit, export, only_row, wipe
from xuanren.exchange.lrmx_records import party_school_level
from xuanren.exchange.lrmx_services import lrmx_import_confirm, lrmx_import_preview
from xuanren.journal.models import Event, EventType
from xuanren.people.models import Cadre, Education, FamilyMember
from xuanren.people.services import education_add, family_member_add
from xuanren.procedure.recusal import conflicts

pytestmark = pytest.mark.django_db


@pytest.fixture
def wang(admin: Any, county: Any, make_cadre: Any) -> Cadre:
    cadre = make_cadre(county.town, name="王芳", sex="female", birth=dt.date(1980, 4, 9))
    education_add(
        actor=admin,
        cadre=cadre,
        kind="full_time",
        level="junior_college",
        school="浙江财经学院",
        major="会计",
    )
    return cadre


def with_in_service(data: bytes, level: str, school: str) -> bytes:
    text = data.decode()
    text = text.replace(
        "<ZaiZhiJiaoYu_XueLi></ZaiZhiJiaoYu_XueLi>",
        f"<ZaiZhiJiaoYu_XueLi>{level}</ZaiZhiJiaoYu_XueLi>",
    )
    text = text.replace(
        "<ZaiZhiJiaoYu_XueLi_BiYeYuanXiaoXi></ZaiZhiJiaoYu_XueLi_BiYeYuanXiaoXi>",
        f"<ZaiZhiJiaoYu_XueLi_BiYeYuanXiaoXi>{school}</ZaiZhiJiaoYu_XueLi_BiYeYuanXiaoXi>",
    )
    return text.encode()


def import_new(admin: Any, county: Any, data: bytes) -> tuple[dict[str, Any], Cadre | None]:
    batch = lrmx_import_preview(actor=admin, upload_name="a.lrmx", data=data)
    row = only_row(batch)
    batch = lrmx_import_confirm(actor=admin, batch=batch, unit=county.finance)
    saved = batch.result[0]
    cadre = Cadre.objects.filter(pk=saved.get("cadre")).first() if saved["saved"] else None
    return row, cadre


@pytest.mark.parametrize(
    ("written", "school", "level", "school_kept"),
    [
        ("中央党校研究生", "中央党校经济学专业", "postgraduate", "中央党校"),
        ("中央党校大学", "中央党校", "bachelor", "中央党校"),
        ("中央党校大专", "", "junior_college", "中央党校"),
        ("省委党校研究生", "中共浙江省委党校", "postgraduate", "中共浙江省委党校"),
        ("省委党校大学", "", "bachelor", "省委党校"),
        ("省委党校大专", "浙江省委党校", "junior_college", "浙江省委党校"),
        ("中共浙江省委党校研究生", "", "postgraduate", "中共浙江省委党校"),
        ("中共中央党校大学学历", "", "bachelor", "中共中央党校"),
    ],
)
def test_party_school_xueli_imports_as_kind_party_school(
    admin, county, wang, written, school, level, school_kept
):
    data = with_in_service(export(wang), written, school)
    wipe(wang)
    row, cadre = import_new(admin, county, data)
    assert row["action"] == "create", row["errors"]
    assert row["warnings"] == []
    assert cadre is not None
    party = cadre.educations.get(kind="party_school")
    assert (party.level, party.level_text, party.school) == (level, written, school_kept)
    # It counts at its level for the rules (大专 of the fixture is lower or equal).
    rank = {"postgraduate": 6, "bachelor": 5, "junior_college": 4}[level]
    assert cadre.education_rank == rank
    # Round trip: the 在职教育 line is written back as it was.
    again = export(cadre).decode()
    assert f"<ZaiZhiJiaoYu_XueLi>{written}</ZaiZhiJiaoYu_XueLi>" in again


def test_party_school_round_trip_gives_the_same_file(admin, county, wang):
    first = with_in_service(export(wang), "中央党校大学", "中央党校经济管理专业")
    wipe(wang)
    _row, cadre = import_new(admin, county, first)
    assert cadre is not None
    second = export(cadre)
    wipe(cadre)
    _row, again = import_new(admin, county, second)
    assert again is not None and export(again) == second


def test_party_school_text_forms():
    assert party_school_level("中央党校大学") == ("bachelor", "中央党校")
    assert party_school_level("广西壮族自治区党委党校大专") == (
        "junior_college",
        "广西壮族自治区党委党校",
    )
    for other in ("中央党校", "大学", "党校大学", "中央党校博士后", ""):
        assert party_school_level(other) is None


def test_unknown_xueli_is_kept_as_written_with_a_warning(admin, county, wang):
    data = with_in_service(export(wang), "夜大毕业", "青山县职工夜校")
    wipe(wang)
    row, cadre = import_new(admin, county, data)
    assert row["action"] == "create", row["errors"]
    assert any("夜大毕业" in w and "按原文导入" in w for w in row["warnings"]), row["warnings"]
    assert cadre is not None
    kept = cadre.educations.get(level_text="夜大毕业")
    assert (kept.kind, kept.level, kept.school) == ("in_service", "", "青山县职工夜校")
    # It counts for no rule: the highest level stays the 大专 of the file.
    assert (cadre.education_level, cadre.education_rank) == ("junior_college", 4)
    again = export(cadre).decode()
    assert "<ZaiZhiJiaoYu_XueLi>夜大毕业</ZaiZhiJiaoYu_XueLi>" in again
    # Importing the export once more changes nothing.
    batch = lrmx_import_preview(actor=admin, upload_name="b.lrmx", data=again.encode())
    assert only_row(batch)["action"] == "unchanged", only_row(batch)


def test_education_service_refuses_a_blank_level_without_text(admin, wang):
    from xuanren.common.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        education_add(actor=admin, cadre=wang, kind="in_service", level="", school="某校")
    with pytest.raises(ValidationFailed):
        education_add(actor=admin, cadre=wang, kind="evening", level="bachelor", school="某校")
    assert Education.objects.filter(cadre=wang).count() == 1


# ---- relatives ------------------------------------------------------------------------


def with_family(data: bytes, items: str) -> bytes:
    return edit(
        data,
        "<JiaTingChengYuan>\n  </JiaTingChengYuan>",
        f"<JiaTingChengYuan>{items}</JiaTingChengYuan>",
    )


def item(relation: str, name: str, birth: str) -> str:
    return (
        f"<Item><ChengWei>{relation}</ChengWei><XingMing>{name}</XingMing>"
        f"<ChuShengRiQi>{birth}</ChuShengRiQi><ZhengZhiMianMao>中共党员</ZhengZhiMianMao>"
        "<GongZuoDanWeiJiZhiWu>青山县委常委</GongZuoDanWeiJiZhiWu></Item>"
    )


def test_imported_relative_is_linked_and_recusal_fires(admin, county, make_cadre, wang):
    member = make_cadre(county.root, name="赵刚", birth=dt.date(1978, 6, 15))
    data = with_family(export(wang), item("丈夫", "赵刚", "197806"))
    wipe(wang)
    row, cadre = import_new(admin, county, data)
    assert row["action"] == "create" and row["warnings"] == []
    assert cadre is not None
    relative = FamilyMember.objects.get(cadre=cadre)
    assert (relative.relation, relative.related_cadre_id) == ("spouse", member.pk)
    added = Event.objects.filter(event_type=EventType.CADRE_RECORD_ADDED, subject_id=str(cadre.pk))
    assert any(e.payload.get("linked_by") == "name_birth" for e in added)
    found = conflicts([member.pk], [cadre.pk])
    assert [(c.person_cadre_id, c.candidate_cadre_id, c.relation) for c in found] == [
        (member.pk, cadre.pk, "spouse")
    ]


def test_relative_matching_several_cadres_is_not_linked_and_warns(admin, county, make_cadre, wang):
    make_cadre(county.root, name="赵刚", birth=dt.date(1978, 6, 15))
    make_cadre(county.finance, name="赵刚", birth=dt.date(1978, 6, 20))
    data = with_family(export(wang), item("丈夫", "赵刚", "197806"))
    wipe(wang)
    row, cadre = import_new(admin, county, data)
    assert row["action"] == "create"
    assert any("赵刚" in w and "2 名干部" in w for w in row["warnings"]), row["warnings"]
    assert cadre is not None
    assert FamilyMember.objects.get(cadre=cadre).related_cadre_id is None


def test_imported_cadre_is_linked_to_the_family_records_naming_them(admin, county, make_cadre):
    member = make_cadre(county.root, name="周敏")
    family_member_add(
        actor=admin,
        cadre=member,
        relation="younger_brother",
        name="周强",
        birth_date=dt.date(1990, 2, 1),
    )
    brother = make_cadre(county.town, name="周强", birth=dt.date(1990, 2, 11))
    # Entered through the services: linked on creation.
    assert FamilyMember.objects.get(cadre=member).related_cadre_id == brother.pk
    data = export(brother)
    FamilyMember.objects.filter(cadre=member).update(related_cadre=None)
    wipe(brother)
    _row, cadre = import_new(admin, county, data)
    assert cadre is not None
    assert FamilyMember.objects.get(cadre=member).related_cadre_id == cadre.pk
    assert [c.candidate_cadre_id for c in conflicts([member.pk], [cadre.pk])] == [cadre.pk]
