"""LRMX export and import against the cadre records: preview, differences,
all-or-nothing per file, ZIP uploads, permissions, and the round trip."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import cadre_input
from xuanren.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from xuanren.exchange.lrmx import PartialDate, record_from_xml, record_to_xml
from xuanren.exchange.lrmx_records import ExportContext, record_from_cadre
from xuanren.exchange.lrmx_services import (
    lrmx_export,
    lrmx_import_cancel,
    lrmx_import_confirm,
    lrmx_import_preview,
)
from xuanren.exchange.models import ImportBatch, ImportStatus
from xuanren.journal.models import Event, EventType
from xuanren.people.idnumbers import build_id_number
from xuanren.people.models import (
    Assessment,
    Cadre,
    Education,
    FamilyMember,
    ResumeEntry,
    RewardPunishment,
)
from xuanren.people.services import (
    assessment_set,
    cadre_create,
    cadre_photo_set,
    education_add,
    family_member_add,
    resume_entry_add,
    reward_punishment_add,
)

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(200))
CONTEXT = ExportContext(age_reference=dt.date(2026, 11, 1), filled_on=dt.date(2026, 11, 2))
MODELS = (Cadre, Education, ResumeEntry, FamilyMember, Assessment, RewardPunishment, Event)


def snapshot() -> dict[str, Any]:
    """Every row an import could touch, to check that nothing changed."""
    return {model.__name__: sorted(map(str, model.objects.values_list())) for model in MODELS}


def export(cadre: Cadre) -> bytes:
    fresh = Cadre.objects.get(pk=cadre.pk)
    return record_to_xml(record_from_cadre(fresh, CONTEXT))


def enrich(admin: Any, cadre: Cadre) -> Cadre:
    education_add(
        actor=admin,
        cadre=cadre,
        kind="full_time",
        level="bachelor",
        degree="bachelor",
        school="浙江大学",
        major="财政学",
        start_date=dt.date(2003, 9, 1),
        end_date=dt.date(2007, 7, 1),
    )
    education_add(
        actor=admin,
        cadre=cadre,
        kind="in_service",
        level="postgraduate",
        degree="master",
        school="中共浙江省委党校",
        major="经济管理",
    )
    resume_entry_add(
        actor=admin,
        cadre=cadre,
        start_date=dt.date(2003, 9, 1),
        end_date=dt.date(2007, 7, 1),
        text="浙江大学财政学专业学习",
    )
    resume_entry_add(
        actor=admin,
        cadre=cadre,
        start_date=dt.date(2007, 8, 1),
        end_date=dt.date(2016, 3, 1),
        text="青山县财政局科员",
        note="2010.09--2013.07在省委党校经济管理专业学习",
    )
    resume_entry_add(
        actor=admin,
        cadre=cadre,
        start_date=dt.date(2016, 3, 1),
        end_date=None,
        text="青山县财政局副局长",
    )
    family_member_add(
        actor=admin,
        cadre=cadre,
        relation="spouse",
        name="李娜",
        birth_date=dt.date(1987, 5, 1),
        political_status="cpc_member",
        work_unit_and_post="青山县第一中学教师",
    )
    family_member_add(actor=admin, cadre=cadre, relation="father", name="张建国")
    assessment_set(actor=admin, cadre=cadre, year=2023, grade="excellent")
    assessment_set(actor=admin, cadre=cadre, year=2024, grade="competent")
    reward_punishment_add(
        actor=admin,
        cadre=cadre,
        kind="reward",
        category="commendation",
        title="全县优秀公务员",
        decided_on=dt.date(2020, 12, 1),
    )
    cadre_photo_set(actor=admin, cadre=cadre, photo=JPEG)
    return Cadre.objects.get(pk=cadre.pk)


@pytest.fixture
def zhang(admin, county, make_cadre) -> Cadre:
    cadre = make_cadre(
        county.town,
        name="张伟",
        native_place="浙江青山",
        birthplace="浙江青山",
        current_post_title="青山县财政局副局长",
        professional_title="经济师",
    )
    return enrich(admin, cadre)


def wipe(cadre: Cadre) -> None:
    """Remove a cadre and their records (tests only: archives are never
    deleted in the application)."""
    for model in (Education, ResumeEntry, FamilyMember, Assessment, RewardPunishment):
        model.objects.filter(cadre=cadre).delete()
    Cadre.objects.filter(pk=cadre.pk).delete()


def edit(data: bytes, old: str, new: str) -> bytes:
    text = data.decode()
    assert old in text, old
    return text.replace(old, new, 1).encode()


class GbkInfo(zipfile.ZipInfo):
    """A member name as Windows' built-in ZIP writes it: GBK bytes, no UTF-8 flag."""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:
        return self.filename.encode("gbk"), self.flag_bits


def zipped(files: dict[str, bytes], *, gbk_names: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            info = GbkInfo(name) if gbk_names else zipfile.ZipInfo(name)
            archive.writestr(info, data)
    return buffer.getvalue()


def only_row(batch: ImportBatch) -> dict[str, Any]:
    assert len(batch.preview) == 1
    return batch.preview[0]


# ---- export -------------------------------------------------------------------------


def test_export_carries_the_record_and_is_journaled(personas, zhang):
    name, data = lrmx_export(actor=personas.case_officer, pk=zhang.pk)
    assert name == "张伟.lrmx"
    text = data.decode()
    for fragment in [
        "<XingMing>张伟</XingMing>",
        "<XingBie>男</XingBie>",
        "<ChuShengNianYue>198503</ChuShengNianYue>",
        "<RuDangShiJian>200806</RuDangShiJian>",
        "<CanJiaGongZuoShiJian>200708</CanJiaGongZuoShiJian>",
        "<QuanRiZhiJiaoYu_XueLi>大学本科</QuanRiZhiJiaoYu_XueLi>",
        "<QuanRiZhiJiaoYu_XueWei>学士</QuanRiZhiJiaoYu_XueWei>",
        "<QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi>浙江大学财政学专业</QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi>",
        "<ZaiZhiJiaoYu_XueLi>研究生</ZaiZhiJiaoYu_XueLi>",
        "<ZaiZhiJiaoYu_XueWei>硕士</ZaiZhiJiaoYu_XueWei>",
        "2016.03--         青山县财政局副局长",
        "（其间：2010.09--2013.07在省委党校经济管理专业学习）",
        "<NianDuKaoHeJieGuo>2023年度考核优秀；2024年度考核称职。</NianDuKaoHeJieGuo>",
        "<JiangChengQingKuang>2020.12 表彰奖励：全县优秀公务员</JiangChengQingKuang>",
        "<ChengWei>妻子</ChengWei>",
        "<ZhengZhiMianMao>中共党员</ZhengZhiMianMao>",
        f"<ShenFenZheng>{zhang.id_number}</ShenFenZheng>",
        "<ZhaoPian>/9j/",
    ]:
        assert fragment in text, fragment
    event = Event.objects.filter(event_type=EventType.DATA_EXPORTED).last()
    assert event is not None and event.subject_id == str(zhang.pk)
    assert event.payload["format"] == "lrmx"


def test_export_needs_full_id_permission_and_scope(personas, zhang):
    with pytest.raises(PermissionDenied):
        lrmx_export(actor=personas.committee_member, pk=zhang.pk)
    with pytest.raises(NotFound):
        lrmx_export(actor=personas.other_unit_hr, pk=zhang.pk)
    with pytest.raises(PermissionDenied):
        lrmx_export(actor=personas.outsider, pk=zhang.pk)


# ---- round trip ---------------------------------------------------------------------


def test_export_import_export_as_a_new_cadre_gives_the_same_file(admin, county, zhang):
    first = export(zhang)
    wipe(zhang)
    batch = lrmx_import_preview(actor=admin, upload_name="张伟.lrmx", data=first)
    assert only_row(batch)["action"] == "create"
    batch = lrmx_import_confirm(actor=admin, batch=batch, unit=county.finance)
    assert batch.result[0]["saved"] is True
    again = Cadre.objects.get(id_number=zhang.id_number)
    assert again.unit == county.finance
    assert export(again) == first


def test_importing_its_own_export_changes_nothing(admin, personas, zhang):
    data = export(zhang)
    before = snapshot()
    batch = lrmx_import_preview(actor=personas.case_officer, upload_name="a.lrmx", data=data)
    row = only_row(batch)
    assert row["action"] == "unchanged", row
    lrmx_import_confirm(actor=personas.case_officer, batch=batch, unit=None)
    assert snapshot() == before


HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
NAMES = st.text(HAN, min_size=2, max_size=4)
SHORT = st.text(HAN, min_size=1, max_size=12)
SCHOOLS = st.sampled_from(
    ["浙江大学", "复旦大学", "中共浙江省委党校", "浙江财经学院", "杭州师范学校"]
)
MAJORS = st.sampled_from(["", "法学", "财政", "汉语言文学", "经济管理", "计算机科学与技术"])
TODAY = dt.date(2026, 1, 1)


@st.composite
def generated_cadres(draw):
    """A cadre's data and records, as the services would accept them."""
    birth = draw(st.dates(dt.date(1960, 1, 1), dt.date(1998, 12, 31)))
    sex = draw(st.sampled_from(["male", "female"]))
    status = draw(
        st.sampled_from(
            [
                "cpc_member",
                "cpc_probationary",
                "cyl_member",
                "democratic_party",
                "non_partisan",
                "masses",
            ]
        )
    )
    adult = dt.date(birth.year + 19, 1, 1)
    party = draw(st.dates(adult, TODAY)) if status in ("cpc_member", "cpc_probationary") else None
    work = draw(st.one_of(st.none(), st.dates(adult, TODAY)))
    starts = sorted(draw(st.lists(st.dates(adult, TODAY), max_size=5)))
    resume = []
    for index, start in enumerate(starts):
        later = starts[index + 1] if index + 1 < len(starts) else None
        end = later if later is not None or draw(st.booleans()) else None
        if end is None and later is None and draw(st.booleans()):
            end = start
        resume.append(
            (
                start.replace(day=1),
                end and end.replace(day=1),
                draw(SHORT),
                draw(st.one_of(st.just(""), SHORT)),
            )
        )
    educations = [
        (
            kind,
            draw(st.sampled_from(["postgraduate", "bachelor", "junior_college", "high_school"])),
            draw(st.sampled_from(["none", "bachelor", "master"])),
            draw(SCHOOLS),
            draw(MAJORS),
        )
        for kind in ("full_time", "in_service")
        if draw(st.booleans())
    ]
    family = draw(
        st.lists(
            st.tuples(
                st.sampled_from(
                    [
                        "spouse",
                        "father",
                        "mother",
                        "son",
                        "daughter",
                        "elder_sister",
                        "uncle_aunt",
                        "father_in_law",
                        "other",
                    ]
                ),
                NAMES,
                st.one_of(
                    st.none(), st.dates(dt.date(1930, 1, 1), TODAY).map(lambda d: d.replace(day=1))
                ),
                st.sampled_from(["", "cpc_member", "masses", "cyl_member"]),
                st.text(HAN, max_size=10),
            ),
            max_size=4,
            unique_by=lambda f: (f[0], f[1]),
        )
    )
    years = draw(st.lists(st.integers(birth.year + 1, TODAY.year), max_size=3, unique=True))
    grades = [
        (y, draw(st.sampled_from(["excellent", "competent", "basically_competent", "not_graded"])))
        for y in years
    ]
    rewards = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["commendation", "merit", "warning_talk", "party_discipline"]),
                SHORT,
                st.dates(adult, TODAY).map(lambda d: d.replace(day=1)),
            ),
            max_size=3,
            unique_by=lambda r: (r[0], r[1], r[2]),
        )
    )
    photo = draw(
        st.one_of(st.none(), st.binary(min_size=1, max_size=64).map(lambda b: JPEG[:4] + b))
    )
    return {
        "name": draw(NAMES),
        "sex": sex,
        "birth": birth,
        "political_status": status,
        "party_join": party,
        "work_start": work,
        "ethnicity": draw(st.sampled_from(["汉族", "回族", "畲族"])),
        "native_place": draw(st.text(HAN, max_size=6)),
        "current_post_title": draw(st.text(HAN, max_size=12)),
        "order": draw(st.integers(0, 998)),
        "resume": resume,
        "educations": educations,
        "family": family,
        "grades": grades,
        "rewards": rewards,
        "photo": photo,
    }  # fmt: skip


def build(admin: Any, county: Any, g: dict[str, Any]) -> Cadre:
    data = cadre_input(
        name=g["name"],
        sex=g["sex"],
        birth=g["birth"],
        political_status=g["political_status"],
        party_join=g["party_join"],
        work_start=g["work_start"],
        id_number=build_id_number("330421", g["birth"], g["order"], g["sex"]),
        ethnicity=g["ethnicity"],
        native_place=g["native_place"],
        current_post_title=g["current_post_title"],
    )
    cadre = cadre_create(actor=admin, unit=county.town, data=data)
    for start, end, text, note in g["resume"]:
        resume_entry_add(
            actor=admin, cadre=cadre, start_date=start, end_date=end, text=text, note=note
        )
    for kind, level, degree, school, major in g["educations"]:
        education_add(
            actor=admin,
            cadre=cadre,
            kind=kind,
            level=level,
            degree=degree,
            school=school,
            major=major,
        )
    for relation, name, birth, status, work in g["family"]:
        family_member_add(
            actor=admin,
            cadre=cadre,
            relation=relation,
            name=name,
            birth_date=birth,
            political_status=status,
            work_unit_and_post=work,
        )
    for year, grade in g["grades"]:
        assessment_set(actor=admin, cadre=cadre, year=year, grade=grade)
    for category, title, decided in g["rewards"]:
        kind = "reward" if category in ("commendation", "merit") else "punishment"
        reward_punishment_add(
            actor=admin, cadre=cadre, kind=kind, category=category, title=title, decided_on=decided
        )
    if g["photo"] is not None:
        cadre_photo_set(actor=admin, cadre=cadre, photo=g["photo"])
    return cadre  # fmt: skip


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(g=generated_cadres())
def test_round_trip_property_on_generated_cadres(admin, county, g):
    """export → import (as a new cadre) → export gives an identical file."""
    with transaction.atomic():
        cadre = build(admin, county, g)
        first = export(cadre)
        # The file reads back to the record it was written from.
        assert record_to_xml(record_from_xml(first)) == first
        wipe(cadre)
        batch = lrmx_import_preview(actor=admin, upload_name="x.lrmx", data=first)
        assert only_row(batch)["action"] == "create", batch.preview
        batch = lrmx_import_confirm(actor=admin, batch=batch, unit=county.town)
        assert batch.result[0]["saved"] is True, batch.result
        assert export(Cadre.objects.get(id_number=cadre.id_number)) == first
        # And once more onto the record it created: nothing to change.
        again = lrmx_import_preview(actor=admin, upload_name="x.lrmx", data=first)
        assert only_row(again)["action"] == "unchanged", again.preview
        transaction.set_rollback(True)


# ---- preview and update ---------------------------------------------------------------


def test_preview_lists_differences_field_by_field_and_saves_nothing(personas, zhang):
    data = export(zhang)
    data = edit(data, "<MinZu>汉族</MinZu>", "<MinZu>回族</MinZu>")
    data = edit(data, "<JiGuan>浙江青山</JiGuan>", "<JiGuan>浙江嘉善</JiGuan>")
    data = edit(
        data,
        "<XianRenZhiWu>青山县财政局副局长</XianRenZhiWu>",
        "<XianRenZhiWu>青山县财政局局长</XianRenZhiWu>",
    )
    data = edit(
        data,
        "2016.03--         青山县财政局副局长",
        "2016.03--2025.06  青山县财政局副局长&#13;\n2025.06--         青山县财政局局长",
    )
    data = edit(
        data,
        "</JiaTingChengYuan>",
        "<Item><ChengWei>儿子</ChengWei><XingMing>张小明</XingMing><ChuShengRiQi>201503</ChuShengRiQi>"
        "<ZhengZhiMianMao>群众</ZhengZhiMianMao><GongZuoDanWeiJiZhiWu>学生</GongZuoDanWeiJiZhiWu></Item>"
        "</JiaTingChengYuan>",
    )
    data = edit(data, "2024年度考核称职", "2024年度考核优秀；2025年度考核称职")
    before = snapshot()
    batch = lrmx_import_preview(actor=personas.case_officer, upload_name="张伟.lrmx", data=data)
    assert snapshot() == before
    row = only_row(batch)
    assert row["action"] == "update"
    assert row["cadre"] == zhang.pk
    assert {(c["label"], c["old"], c["new"]) for c in row["changes"]} == {
        ("民族", "汉族", "回族"),
        ("籍贯", "浙江青山", "浙江嘉善"),
        ("现任职务", "青山县财政局副局长", "青山县财政局局长"),
    }
    records = "\n".join(row["records"])
    assert "新增家庭成员：儿子 张小明" in records
    assert "年度考核：2024 年 优秀" in records
    assert "年度考核：2025 年 称职" in records
    assert "简历替换为文件中的 4 段" in records

    batch = lrmx_import_confirm(actor=personas.case_officer, batch=batch, unit=None)
    assert batch.status == ImportStatus.CONFIRMED
    assert batch.result[0]["saved"] is True
    zhang.refresh_from_db()
    assert (zhang.ethnicity, zhang.native_place, zhang.current_post_title) == (
        "回族",
        "浙江嘉善",
        "青山县财政局局长",
    )
    assert [(e.end_date, e.text) for e in zhang.resume_entries.order_by("start_date")][-2:] == [
        (dt.date(2025, 6, 1), "青山县财政局副局长"),
        (None, "青山县财政局局长"),
    ]
    assert zhang.family_members.filter(name="张小明", relation="son").exists()
    assert dict(zhang.assessments.values_list("year", "grade")) == {
        2023: "excellent",
        2024: "excellent",
        2025: "competent",
    }
    imported = Event.objects.filter(event_type=EventType.LRMX_IMPORTED).get()
    assert imported.subject_id == str(zhang.pk)
    assert imported.payload["sha256"] == row["sha256"]
    assert imported.payload["action"] == "updated"
    # The people services journaled the changes themselves.
    assert Event.objects.filter(
        event_type=EventType.CADRE_UPDATED, subject_id=str(zhang.pk)
    ).exists()
    # The new file is now the record: exporting gives it back (as a record:
    # the injected family item above was not indented like the exporter's).
    assert record_from_xml(export(zhang)) == record_from_xml(data)


def test_month_only_dates_keep_the_stored_day(admin, personas, county, make_cadre):
    cadre = make_cadre(
        county.town, name="王芳", party_join=dt.date(2008, 6, 15), work_start=dt.date(2007, 8, 20)
    )
    batch = lrmx_import_preview(
        actor=personas.case_officer, upload_name="w.lrmx", data=export(cadre)
    )
    assert only_row(batch)["action"] == "unchanged"
    changed = edit(export(cadre), "<CanJiaGongZuoShiJian>200708", "<CanJiaGongZuoShiJian>200709")
    batch = lrmx_import_preview(actor=personas.case_officer, upload_name="w.lrmx", data=changed)
    assert [(c["field"], c["old"], c["new"]) for c in only_row(batch)["changes"]] == [
        ("work_start_date", "2007-08-20", "2007-09-01")
    ]


def test_empty_elements_never_erase_stored_values(personas, zhang):
    data = edit(export(zhang), "<JiGuan>浙江青山</JiGuan>", "<JiGuan></JiGuan>")
    data = re.sub(rb"<ZhaoPian>[^<]*</ZhaoPian>", b"<ZhaoPian></ZhaoPian>", data)
    assert b"<ZhaoPian></ZhaoPian>" in data
    assert (
        only_row(lrmx_import_preview(actor=personas.case_officer, upload_name="a", data=data))[
            "action"
        ]
        == "unchanged"
    )


# ---- malformed files -----------------------------------------------------------------


def _bad_date(data: bytes) -> bytes:
    return edit(data, "<CanJiaGongZuoShiJian>200708", "<CanJiaGongZuoShiJian>200713")


def _no_name(data: bytes) -> bytes:
    return re.sub(rb"  <XingMing>[^<]*</XingMing>\n", b"", data, count=1)


def _broken_photo(data: bytes) -> bytes:
    return edit(data, "<ZhaoPian>/9j/", "<ZhaoPian>/9j/*%$")


def _not_xml(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _bad_id(data: bytes) -> bytes:
    text = data.decode()
    start = text.index("<ShenFenZheng>") + len("<ShenFenZheng>")
    number = text[start : start + 18]
    wrong = "0" if number[17] != "0" else "1"
    return (text[: start + 17] + wrong + text[start + 18 :]).encode()


def _birth_mismatch(data: bytes) -> bytes:
    return edit(data, "<ChuShengNianYue>198503", "<ChuShengNianYue>198504")


def _bad_resume(data: bytes) -> bytes:
    return edit(data, "2016.03--         青山县", "2016.03--2015.01  青山县")


@pytest.mark.parametrize(
    ("corrupt", "element", "needle"),
    [
        (_bad_date, "CanJiaGongZuoShiJian", "200713"),
        (_no_name, "XingMing", "缺少姓名"),
        (_broken_photo, "ZhaoPian", "base64"),
        (_not_xml, "Person", "不是有效的 XML"),
        (_bad_id, "ShenFenZheng", "校验位"),
        (_birth_mismatch, "ChuShengNianYue", "不一致"),
        (_bad_resume, "JianLi", "早于起始年月"),
    ],
)
@pytest.mark.parametrize("existing", [True, False], ids=["update", "new"])
def test_corrupted_file_is_refused_naming_file_and_element_and_nothing_is_saved(
    admin, county, zhang, corrupt, element, needle, existing
):
    data = corrupt(export(zhang))
    if not existing:
        wipe(zhang)
    before = snapshot()
    batch = lrmx_import_preview(actor=admin, upload_name="坏文件.lrmx", data=data)
    row = only_row(batch)
    assert row["name"] == "坏文件.lrmx"
    assert row["action"] == "error"
    errors = {e["element"]: e["message"] for e in row["errors"]}
    assert element in errors, errors
    assert needle in errors[element]
    batch = lrmx_import_confirm(actor=admin, batch=batch, unit=county.town)
    assert batch.result[0]["saved"] is False
    assert snapshot() == before


def test_file_failing_a_service_at_confirm_saves_nothing_of_that_file(admin, county, zhang):
    """A file whose records a service refuses (a family member born in the
    future passes the reader, not family_member_add) rolls back completely."""
    data = export(zhang)
    wipe(zhang)
    tomorrow = dt.date.today() + dt.timedelta(days=400)
    data = edit(
        data, "<ChuShengRiQi>198705</ChuShengRiQi>", f"<ChuShengRiQi>{tomorrow:%Y%m}</ChuShengRiQi>"
    )
    before = snapshot()
    batch = lrmx_import_preview(actor=admin, upload_name="f.lrmx", data=data)
    errors = only_row(batch)["errors"]
    assert errors[0]["element"] == "JiaTingChengYuan/Item[1]/ChuShengRiQi"
    lrmx_import_confirm(actor=admin, batch=batch, unit=county.town)
    assert snapshot() == before


# ---- ZIP ------------------------------------------------------------------------------


def test_zip_of_many_saves_the_good_files_and_refuses_the_bad_one(admin, county, make_cadre, zhang):
    other = enrich(admin, make_cadre(county.town, name="李强", birth=dt.date(1980, 1, 5)))
    third = make_cadre(county.town, name="周敏", sex="female", birth=dt.date(1990, 5, 6))
    files = {
        "张伟.lrmx": export(zhang),
        "李强.lrmx": export(other),
        "周敏.lrmx": _no_name(export(third)),
    }
    for cadre in (zhang, other, third):
        wipe(cadre)
    upload = zipped({**files, "说明.txt": b"ignored", "__MACOSX/._x.lrmx": b"junk"}, gbk_names=True)
    batch = lrmx_import_preview(actor=admin, upload_name="干部.zip", data=upload)
    rows = {row["name"]: row for row in batch.preview}
    assert set(rows) == set(files)  # names decoded from GBK; other files ignored
    assert rows["张伟.lrmx"]["action"] == rows["李强.lrmx"]["action"] == "create"
    assert rows["周敏.lrmx"]["action"] == "error"
    assert rows["周敏.lrmx"]["errors"][0]["element"] == "XingMing"
    batch = lrmx_import_confirm(actor=admin, batch=batch, unit=county.finance)
    assert {r["name"]: r["saved"] for r in batch.result} == {
        "张伟.lrmx": True,
        "李强.lrmx": True,
        "周敏.lrmx": False,
    }
    assert set(Cadre.objects.values_list("name", flat=True)) == {"张伟", "李强"}
    assert Event.objects.filter(event_type=EventType.LRMX_IMPORTED).count() == 2
    assert export(Cadre.objects.get(name="张伟")) == files["张伟.lrmx"]


def test_same_person_twice_in_one_zip_is_refused_for_the_second(admin, zhang):
    data = export(zhang)
    batch = lrmx_import_preview(
        actor=admin, upload_name="z.zip", data=zipped({"a.lrmx": data, "b.lrmx": data})
    )
    assert [r["action"] for r in batch.preview] == ["unchanged", "error"]
    assert "a.lrmx" in batch.preview[1]["errors"][0]["message"]


@pytest.mark.parametrize(
    ("upload", "needle"),
    [
        (b"PK\x03\x04broken zip", "不是有效的 ZIP"),
        (None, "没有 .lrmx 文件"),
    ],
)
def test_unusable_zip_is_refused_as_a_whole(admin, upload, needle):
    data = upload if upload is not None else zipped({"readme.txt": b"x"})
    with pytest.raises(ValidationFailed) as info:
        lrmx_import_preview(actor=admin, upload_name="z.zip", data=data)
    assert needle in info.value.message
    assert not ImportBatch.objects.exists()


# ---- permissions ---------------------------------------------------------------------


def test_outsider_and_read_only_roles_cannot_import(personas, zhang):
    data = export(zhang)
    for actor in (personas.outsider, personas.committee_member, personas.discipline):
        with pytest.raises(PermissionDenied):
            lrmx_import_preview(actor=actor, upload_name="a.lrmx", data=data)
    assert not ImportBatch.objects.exists()


def test_other_unit_hr_cannot_change_a_cadre_outside_their_scope(personas, zhang):
    data = edit(export(zhang), "<MinZu>汉族</MinZu>", "<MinZu>回族</MinZu>")
    before = snapshot()
    batch = lrmx_import_preview(actor=personas.other_unit_hr, upload_name="a.lrmx", data=data)
    row = only_row(batch)
    assert row["action"] == "error"
    assert row["errors"][0]["element"] == "ShenFenZheng"
    assert "不在您的管理范围内" in row["errors"][0]["message"]
    assert row["changes"] == []  # nothing of the existing record is shown
    lrmx_import_confirm(actor=personas.other_unit_hr, batch=batch, unit=None)
    assert snapshot() == before


def test_new_cadres_go_only_to_a_unit_in_scope(personas, county, zhang):
    data = export(zhang)
    wipe(zhang)
    hr = personas.other_unit_hr
    batch = lrmx_import_preview(actor=hr, upload_name="a.lrmx", data=data)
    assert only_row(batch)["action"] == "create"
    with pytest.raises(ValidationFailed):
        lrmx_import_confirm(actor=hr, batch=batch, unit=None)
    with pytest.raises(PermissionDenied):
        lrmx_import_confirm(actor=hr, batch=batch, unit=county.town)
    assert not Cadre.objects.exists()
    batch = lrmx_import_confirm(actor=hr, batch=batch, unit=county.other_town)
    assert Cadre.objects.get().unit == county.other_town


def test_a_batch_is_its_uploaders_and_confirms_once(admin, personas, zhang):
    batch = lrmx_import_preview(
        actor=personas.case_officer, upload_name="a.lrmx", data=export(zhang)
    )
    with pytest.raises(NotFound):
        lrmx_import_confirm(actor=personas.other_unit_hr, batch=batch, unit=None)
    lrmx_import_confirm(actor=personas.case_officer, batch=batch, unit=None)
    with pytest.raises(Conflict):
        lrmx_import_confirm(actor=personas.case_officer, batch=batch, unit=None)
    with pytest.raises(Conflict):
        lrmx_import_cancel(actor=personas.case_officer, batch=batch)


def test_cancelled_batch_forgets_the_files(personas, zhang):
    batch = lrmx_import_preview(
        actor=personas.case_officer, upload_name="a.lrmx", data=export(zhang)
    )
    batch = lrmx_import_cancel(actor=personas.case_officer, batch=batch)
    assert batch.status == ImportStatus.CANCELLED
    assert batch.files == []
    with pytest.raises(Conflict):
        lrmx_import_confirm(actor=personas.case_officer, batch=batch, unit=None)


def test_partial_date_forms_in_an_imported_file(admin, county, zhang):
    """YYYYMMDD and YYYY.MM are read as well as YYYYMM."""
    data = edit(
        export(zhang),
        "<ChuShengNianYue>198503</ChuShengNianYue>",
        "<ChuShengNianYue>19850302</ChuShengNianYue>",
    )
    data = edit(
        data, "<RuDangShiJian>200806</RuDangShiJian>", "<RuDangShiJian>2008.06</RuDangShiJian>"
    )
    wipe(zhang)
    batch = lrmx_import_confirm(
        actor=admin,
        batch=lrmx_import_preview(actor=admin, upload_name="a", data=data),
        unit=county.town,
    )
    assert batch.result[0]["saved"] is True
    cadre = Cadre.objects.get()
    assert cadre.birth_date == dt.date(1985, 3, 2)
    assert cadre.party_join_date == dt.date(2008, 6, 1)
    assert cadre.political_status == "cpc_member"
    assert record_from_cadre(cadre).birth == PartialDate(1985, 3)


def test_new_cadre_preview_lists_what_the_file_fills_not_defaults(admin, zhang):
    data = export(zhang)
    wipe(zhang)
    row = only_row(lrmx_import_preview(actor=admin, upload_name="a.lrmx", data=data))
    shown = {c["field"]: c["new"] for c in row["changes"]}
    assert shown["name"] == "张伟"
    assert shown["sex"] == "男"
    assert shown["birth_date"] == "1985-03-02"
    assert shown["id_number"] != zhang.id_number  # masked
    assert shown["id_number"].endswith(zhang.id_number[-4:])
    assert "archive_review_status" not in shown
    assert "personal_matters_status" not in shown
    assert all(c["old"] == "" for c in row["changes"])
