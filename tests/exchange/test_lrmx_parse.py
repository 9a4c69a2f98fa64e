"""The pure LRMX module: dates, the JianLi text, the XML both ways."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xuanren.exchange.lrmx import (
    ELEMENTS,
    FamilyItem,
    LrmxFormatError,
    LrmxRecord,
    PartialDate,
    ResumePeriod,
    parse_assessments,
    parse_jianli,
    parse_partial_date,
    parse_rewards,
    record_from_xml,
    record_to_xml,
    render_assessments,
    render_jianli,
    render_rewards,
)

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256))

# ---- dates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("198503", PartialDate(1985, 3)),
        ("19850302", PartialDate(1985, 3, 2)),
        ("1985.03", PartialDate(1985, 3)),
        ("1985.3", PartialDate(1985, 3)),
        ("1985．03", PartialDate(1985, 3)),
        ("1985.03.02", PartialDate(1985, 3, 2)),
        (" 198503 ", PartialDate(1985, 3)),
        ("20000229", PartialDate(2000, 2, 29)),
    ],
)
def test_dates_in_every_form_the_producers_write(raw, expected):
    assert parse_partial_date(raw) == expected


@pytest.mark.parametrize(
    "raw", ["198513", "19850230", "19010229", "1985", "19853", "abc", "1985.03.2", "", "1985-13"]
)
def test_invalid_dates_are_refused(raw):
    assert parse_partial_date(raw) is None


@given(st.dates())
def test_every_date_round_trips_in_both_forms(day):
    if not 1800 <= day.year <= 2200:
        return
    full = PartialDate(day.year, day.month, day.day)
    month = PartialDate(day.year, day.month)
    assert parse_partial_date(full.lrmx()) == full
    assert parse_partial_date(month.lrmx()) == month
    assert parse_partial_date(month.dotted()) == month


# ---- JianLi ---------------------------------------------------------------------------

SAMPLE = "\r\n".join(
    [
        "1998.09--2002.07  浙江大学计算机科学与技术专业学习",
        "2002.07--2005.03  青山县城关镇党政办科员",
        "                  （其间：2003.09--2005.07在中央党校函授学院",
        "经济管理专业学习）",
        "2005.03--2011.01  青山县财政局预算股股长、",
        "                  办公室主任",
        "2011.01--         青山县财政局副局长",
    ]
)


def test_sample_resume_is_read_into_periods():
    periods = parse_jianli(SAMPLE)
    assert periods == [
        ResumePeriod(
            PartialDate(1998, 9), PartialDate(2002, 7), "浙江大学计算机科学与技术专业学习"
        ),
        ResumePeriod(
            PartialDate(2002, 7),
            PartialDate(2005, 3),
            "青山县城关镇党政办科员",
            "2003.09--2005.07在中央党校函授学院经济管理专业学习",
        ),
        ResumePeriod(
            PartialDate(2005, 3), PartialDate(2011, 1), "青山县财政局预算股股长、办公室主任"
        ),
        ResumePeriod(PartialDate(2011, 1), None, "青山县财政局副局长"),
    ]


def test_rendering_the_sample_gives_the_canonical_text():
    rendered = render_jianli(parse_jianli(SAMPLE))
    assert rendered.split("\r\n") == [
        "1998.09--2002.07  浙江大学计算机科学与技术专业学习",
        "2002.07--2005.03  青山县城关镇党政办科员",
        "                  （其间：2003.09--2005.07在中央党校函授学院经济管理专业学习）",
        "2005.03--2011.01  青山县财政局预算股股长、办公室主任",
        "2011.01--         青山县财政局副局长",
    ]
    assert parse_jianli(rendered) == parse_jianli(SAMPLE)


@pytest.mark.parametrize(
    "line",
    [
        "2019.03--      现任县财政局局长",
        "2019.03-现任县财政局局长",
        "2019.03- 现任县财政局局长",
        "2019.03--至今  现任县财政局局长",
        "2019.03——　　现任县财政局局长",
        "2019.3～ 现任县财政局局长",
        "201903--  现任县财政局局长",
    ],
)
def test_open_ended_last_line_in_its_various_spellings(line):
    assert parse_jianli("2010.01--2019.03  县财政局科员\n" + line)[-1] == ResumePeriod(
        PartialDate(2019, 3), None, "现任县财政局局长"
    )


@pytest.mark.parametrize(
    "line",
    [
        "1998.09--2002.07  某大学学习",
        "1998.09－－2002.07　某大学学习",
        "1998.09—2002.07  某大学学习",
        "1998.9-2002.7 某大学学习",
        "1998．09--2002．07  某大学学习",
        "199809--200207  某大学学习",
        "1998.09~2002.07某大学学习",
    ],
)
def test_full_width_and_half_width_separators_and_both_month_forms(line):
    assert parse_jianli(line) == [
        ResumePeriod(PartialDate(1998, 9), PartialDate(2002, 7), "某大学学习")
    ]


def test_inline_in_service_note_is_attached_to_its_entry():
    text = "2002.07--2008.03  某乡干部（其间：2004.09--2007.07在省委党校学习）"
    assert parse_jianli(text) == [
        ResumePeriod(
            PartialDate(2002, 7),
            PartialDate(2008, 3),
            "某乡干部",
            "2004.09--2007.07在省委党校学习",
        )
    ]


def test_blank_lines_and_lf_or_cr_line_ends_are_accepted():
    text = "1998.09--2002.07  甲\n\n2002.07--2003.01  乙\r2003.01--  丙\r\n"
    assert [p.text for p in parse_jianli(text)] == ["甲", "乙", "丙"]


def test_empty_resume_is_no_periods():
    assert parse_jianli("") == []
    assert render_jianli([]) == ""


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("某大学学习\n1998.09--2002.07  某大学", "第 1 行"),
        ("1998.09--2002.13  某大学", "第 1 行的年月"),
        (
            "1998.09--2002.07  甲\n2005.03--2002.07  乙",
            "第 2 行的截止年月 2002.07 早于起始年月 2005.03",
        ),
        ("1998.09--2002.07", "缺少单位及职务"),
    ],
)
def test_unreadable_resume_lines_are_named(text, needle):
    with pytest.raises(LrmxFormatError) as info:
        parse_jianli(text)
    assert all(p.element == "JianLi" for p in info.value.problems)
    assert needle in info.value.problems[0].message


# Texts as cadres' resumes have them: Chinese, digits inside, no brackets
# starting a note, no leading digits (a period start).
HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
TEXT = st.text(
    alphabet=st.one_of(HAN, st.sampled_from("、，0123456789（）")), min_size=1, max_size=40
)
TEXT = st.builds(lambda head, tail: head + tail, st.text(HAN, min_size=1, max_size=3), TEXT)
MONTHS = st.builds(PartialDate, st.integers(1950, 2030), st.integers(1, 12))


@st.composite
def periods(draw):
    starts = sorted(draw(st.lists(MONTHS, min_size=0, max_size=8)))
    out = []
    for index, start in enumerate(starts):
        last = index == len(starts) - 1
        end = (
            None
            if last and draw(st.booleans())
            else draw(st.sampled_from([start, *starts[index + 1 :]]))
        )
        note = draw(st.one_of(st.just(""), TEXT))
        out.append(ResumePeriod(start, end, draw(TEXT).strip("（）") or "某", note))
    return out


@given(periods())
def test_rendered_resume_reads_back_to_the_same_periods_and_text(value):
    text = render_jianli(value)
    assert parse_jianli(text) == value
    assert render_jianli(parse_jianli(text)) == text


# ---- assessments and rewards texts ------------------------------------------------------


def test_assessments_text_both_ways():
    text = render_assessments([(2022, "称职"), (2021, "优秀"), (2023, "基本称职")])
    assert text == "2021年度考核优秀；2022年度考核称职；2023年度考核基本称职。"
    assert parse_assessments(text) == [(2021, "优秀"), (2022, "称职"), (2023, "基本称职")]
    assert parse_assessments("2020年度考核结果为不称职，2019年度考核为不定等次") == [
        (2020, "不称职"),
        (2019, "不定等次"),
    ]
    assert render_assessments([]) == ""


def test_rewards_text_both_ways_and_free_text_kept_apart():
    lines = [(PartialDate(2015, 12), "表彰奖励", "全县优秀公务员")]
    text = render_rewards(lines)
    assert text == "2015.12 表彰奖励：全县优秀公务员"
    assert parse_rewards(text) == (lines, [])
    assert parse_rewards(render_rewards([])) == ([], [])
    assert parse_rewards("2016年获评先进个人") == ([], ["2016年获评先进个人"])


# ---- the XML --------------------------------------------------------------------------


def full_record(**overrides) -> LrmxRecord:
    values: dict[str, Any] = {
        "name": "张伟",
        "id_number": "330421198503020012",
        "sex": "男",
        "birth": PartialDate(1985, 3),
        "ethnicity": "汉族",
        "native_place": "浙江嘉善",
        "birthplace": "浙江嘉善",
        "party_join": PartialDate(2008, 6),
        "work_start": PartialDate(2007, 8),
        "health": "健康",
        "professional_title": "经济师",
        "specialty": "财政管理",
        "current_post": "县财政局副局长",
        "proposed_post": "县财政局局长",
        "resume": tuple(parse_jianli(SAMPLE)),
        "rewards_punishments": "无",
        "assessments": "2021年度考核优秀。",
        "family": (
            FamilyItem("妻子", "李娜", PartialDate(1987, 5), "中共党员", "县第一中学教师"),
            FamilyItem("父亲", "张建国", PartialDate(1958, 1), "群众", "已退休"),
        ),
        "age_reference": PartialDate(2026, 11, 27),
        "filled_on": PartialDate(2026, 11, 27),
        "photo": JPEG,
    }
    values.update(overrides)
    return LrmxRecord(**values)


def test_xml_has_root_person_the_domain_elements_in_order_and_utf8():
    data = record_to_xml(full_record())
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<Person>\n')
    text = data.decode("utf-8")
    positions = [text.index(f"<{name}>") for name in ELEMENTS]
    assert positions == sorted(positions)
    assert "<ChengWei>妻子</ChengWei>" in text
    assert "<ChuShengNianYue>198503</ChuShengNianYue>" in text
    assert "<JiSuanNianLingShiJian>20261127</JiSuanNianLingShiJian>" in text
    assert f"<ZhaoPian>{base64.b64encode(JPEG).decode()}</ZhaoPian>" in text
    # JianLi keeps its CRLF line ends through any XML reader.
    assert "&#13;\n" in text


def test_xml_reads_back_to_the_same_record():
    record = full_record()
    assert record_from_xml(record_to_xml(record)) == record


def test_elements_are_looked_up_by_name_in_any_order_and_dates_in_any_form():
    data = """<?xml version="1.0" encoding="UTF-8"?>
<Person><ShenFenZheng>330421198503020012</ShenFenZheng><ChuShengNianYue>19850302</ChuShengNianYue>
<JianLi>1998.09--2002.07  某大学学习
2002.07--  某局科员</JianLi>
<XingMing> 张伟 </XingMing><CanJiaGongZuoShiJian>2002.07</CanJiaGongZuoShiJian>
<JiaTingChengYuan><Item><XingMing>李娜</XingMing><ChengWei>妻子</ChengWei>
<ChuShengRiQi>19870512</ChuShengRiQi></Item><Item><ChengWei></ChengWei><XingMing></XingMing></Item></JiaTingChengYuan>
</Person>""".encode()
    record = record_from_xml(data)
    assert record.name == "张伟"
    assert record.birth == PartialDate(1985, 3, 2)
    assert record.work_start == PartialDate(2002, 7)
    assert [p.end for p in record.resume] == [PartialDate(2002, 7), None]
    assert record.family == (FamilyItem("妻子", "李娜", PartialDate(1987, 5, 12)),)
    assert record.photo is None


def problems_of(data: bytes) -> dict[str, str]:
    with pytest.raises(LrmxFormatError) as info:
        record_from_xml(data)
    return {p.element: p.message for p in info.value.problems}


def test_not_xml_is_refused_naming_the_root():
    problems = problems_of(b"PK\x03\x04 this is not xml")
    assert list(problems) == ["Person"]
    assert "不是有效的 XML" in problems["Person"]


def test_other_root_is_refused():
    assert "根元素应为 Person" in problems_of(b"<Root><XingMing>x</XingMing></Root>")["Person"]


def test_entities_are_refused():
    data = b'<?xml version="1.0"?><!DOCTYPE Person [<!ENTITY a "aaaa">]><Person><XingMing>&a;</XingMing></Person>'
    assert "DOCTYPE" in problems_of(data)["Person"]


def test_missing_name_bad_dates_and_broken_photo_are_each_named():
    data = record_to_xml(full_record(name="", birth=None, photo=None))
    text = data.decode()
    text = text.replace(
        "<ChuShengNianYue></ChuShengNianYue>", "<ChuShengNianYue>198513</ChuShengNianYue>"
    )
    text = text.replace("<ZhaoPian></ZhaoPian>", "<ZhaoPian>/9j/4AAQ!!notbase64</ZhaoPian>")
    text = text.replace(
        "<ChuShengRiQi>198705</ChuShengRiQi>", "<ChuShengRiQi>1987-5x</ChuShengRiQi>"
    )
    problems = problems_of(text.encode())
    assert set(problems) == {
        "XingMing",
        "ChuShengNianYue",
        "ZhaoPian",
        "JiaTingChengYuan/Item[1]/ChuShengRiQi",
    }
    assert "198513" in problems["ChuShengNianYue"]
    assert "base64" in problems["ZhaoPian"]


def test_photo_that_decodes_but_is_no_picture_is_refused():
    data = record_to_xml(full_record(photo=b"just some bytes"))
    assert "不是 JPEG" in problems_of(data)["ZhaoPian"]


def test_missing_id_number_is_named():
    assert "ShenFenZheng" in problems_of(record_to_xml(full_record(id_number="")))


def test_party_text_instead_of_a_date_is_kept_as_text():
    record = record_from_xml(record_to_xml(full_record(party_join=None, party_text="民盟")))
    assert record.party_join is None
    assert record.party_text == "民盟"
