"""干部任免审批表: the view model, fitting the resume, the PDF (two A4 pages,
fonts embedded so the Chinese text extracts) and the DOCX table layout."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document

from tests.documents.conftest import TODAY, equip, pdf_pages, pdf_png, pdf_text
from xuanren.documents.approval_form import (
    RESUME_SIZES,
    FormContext,
    ResumeLine,
    build_approval_form,
    fit_resume,
)
from xuanren.documents.docx_builder import render_approval_docx
from xuanren.documents.renderers import render_approval_pdf
from xuanren.people.selectors import cadre_get

CONTEXT = FormContext(
    proposed_post="城关镇副镇长",
    removed_post="城关镇党政办主任",
    reasons="工作需要",
    submitting_unit="中共青山县委组织部",
    reference_date=dt.date(2026, 11, 27),
    filled_by="王小红",
)


def form_for(admin, cadre, context=CONTEXT):
    return build_approval_form(cadre_get(actor=admin, pk=cadre.pk), context, on=TODAY)


def test_view_model(admin, full_cadre):
    form = form_for(admin, full_cadre)
    assert (form.name, form.sex, form.birth, form.age) == ("张伟", "男", "1985.03", 41)
    assert form.birth_with_age == "1985.03（41岁）"
    assert (form.party_join, form.work_start) == ("2008.06", "2007.08")
    assert form.full_time_education == "大学本科\n学士学位"
    assert form.full_time_school == "浙江大学行政管理专业"
    assert form.in_service_education == "研究生"
    assert form.current_post == "城关镇党委委员、党政办主任"
    assert (form.proposed_post, form.removed_post) == ("城关镇副镇长", "城关镇党政办主任")
    assert form.resume[0] == ResumeLine("2003.09--2007.07", "浙江大学公共管理学院行政管理专业学习")
    assert form.resume[3] == ResumeLine(
        "", "（其间：2011.09--2014.01在中央党校函授学院经济管理专业学习）"
    )
    assert form.resume[-1].period == "2021.10--"
    assert form.assessments == "2023年度考核称职；2024年度考核优秀；2025年度考核称职"
    assert "被评为青山县优秀共产党员（青委〔2021〕12号）" in form.rewards_punishments
    assert form.photo is not None and form.photo_mime == "image/png"


def test_ages_are_counted_at_the_reference_date(admin, full_cadre):
    # 张子涵 was born 2012-11-28: 13 on 2026-11-27, 14 a day later.
    form = form_for(admin, full_cadre)
    son = next(f for f in form.family if f.name == "张子涵")
    assert son.age == "13" and son.relation == "儿子" and son.political_status == ""
    later = form_for(admin, full_cadre, FormContext(reference_date=dt.date(2026, 11, 28)))
    assert next(f for f in later.family if f.name == "张子涵").age == "14"
    # without a reference date the fill date counts
    assert form_for(admin, full_cadre, FormContext()).reference_date == TODAY


def test_not_party_member_prints_political_status(admin, county, make_cadre):
    cadre = make_cadre(county.town, name="周敏", political_status="masses", party_join=None)
    form = form_for(admin, cadre, FormContext())
    assert form.party_join == "群众"
    assert form.rewards_punishments == "无"
    assert form.resume == [] and form.family == [] and form.photo is None


def test_fit_resume_shrinks_then_continues():
    short = [ResumeLine("2001.01--2002.01", "某单位某职务")] * 10
    assert fit_resume(short).size_pt == RESUME_SIZES[0]
    assert fit_resume(short).continued == []
    medium = [ResumeLine("2001.01--2002.01", "某单位某职务")] * 30
    fit = fit_resume(medium)
    assert RESUME_SIZES[-1] <= fit.size_pt < RESUME_SIZES[0] and not fit.continued
    long = [
        ResumeLine("2001.01--2002.01", "某单位某职务" * 8),
        ResumeLine("", "（其间：学习）"),
    ] * 40
    fit = fit_resume(long)
    assert fit.size_pt == RESUME_SIZES[-1]
    assert fit.page1 and fit.continued
    assert fit.page1 + fit.continued == long
    assert fit.continued[0].period  # an entry's 其间 line stays with it


def test_pdf_two_pages_with_embedded_chinese_text(admin, full_cadre, tmp_path):
    pdf = render_approval_pdf(form_for(admin, full_cadre))
    assert pdf_pages(pdf, tmp_path) == 2
    assert len(pdf_png(pdf, tmp_path)) == 2
    page1, page2 = pdf_text(pdf, tmp_path).split("\f")[:2]
    squeezed = page1.replace(" ", "")
    for text in ("干部任免审批表", "张伟", "1985.03", "41岁", "浙江嘉善", "全日制教育",
                 "浙江大学行政管理专业", "拟任职务", "城关镇副镇长", "2021.10--", "青山县城关镇党政办科员"):  # fmt: skip
        assert text in squeezed, text
    squeezed = page2.replace(" ", "")
    # (labels that wrap inside their cell are checked by their first line)
    for text in ("奖惩情况", "年度考核结", "2024年度考核优秀", "任免理由", "工作需要",
                 "家庭主要成", "李娜", "青山县第一中学教师", "呈报单位", "中共青山县委组织部",
                 "审批机关意", "行政机关任免", "填表人", "王小红"):  # fmt: skip
        assert text in squeezed, text


def test_pdf_long_resume_continues_on_a_third_page(admin, county, make_cadre, tmp_path):
    resume = [
        (dt.date(1990 + i // 2, 1 + 6 * (i % 2), 1), dt.date(1990 + i // 2, 6 + 6 * (i % 2), 1),
         f"青山县某某局某某科室第{i}任科员兼某某工作领导小组办公室联络员", "")
        for i in range(60)
    ]  # fmt: skip
    cadre = make_cadre(county.town, name="钱多", birth=dt.date(1968, 1, 1),
                       party_join=dt.date(1990, 1, 1), work_start=dt.date(1989, 8, 1))  # fmt: skip
    cadre = equip(admin, cadre, resume=resume)
    form = form_for(admin, cadre)
    pdf = render_approval_pdf(form)
    assert pdf_pages(pdf, tmp_path) == 3
    text = pdf_text(pdf, tmp_path).replace(" ", "")
    assert "（续）" in text and "接续页" in text
    assert "第59任科员" in text  # nothing cut off
    docx = Document(io.BytesIO(render_approval_docx(form)))
    assert len(docx.tables) == 3


def cell_text(table, r, c):
    return table.cell(r, c).text.replace("\n", "")


def test_docx_layout(admin, full_cadre):
    doc = Document(io.BytesIO(render_approval_docx(form_for(admin, full_cadre))))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    rfonts = doc.styles["Normal"].element.rPr.rFonts
    assert (
        rfonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")
        == "宋体"
    )
    assert doc.paragraphs[0].text == "干部任免审批表"
    page1, page2 = doc.tables
    assert (len(page1.rows), len(page1.columns)) == (10, 7)
    expected = {
        (0, 0): "姓　名", (0, 1): "张伟", (0, 2): "性　别", (0, 3): "男", (0, 4): "出生年月（岁）",
        (0, 5): "1985.03（41岁）", (1, 0): "民　族", (1, 2): "籍　贯", (1, 3): "浙江嘉善",
        (1, 4): "出 生 地", (2, 0): "入党时间", (2, 2): "参加工作时间", (2, 4): "健康状况",
        (3, 0): "专业技术职务", (3, 3): "熟悉专业有何专长", (4, 0): "学　历学　位",
        (4, 1): "全日制教育", (4, 4): "毕业院校系及专业", (5, 1): "在　职教　育",
        (6, 0): "现任职务", (7, 0): "拟任职务", (7, 1): "城关镇副镇长", (8, 0): "拟免职务",
        (9, 0): "简历",
    }  # fmt: skip
    for (r, c), text in expected.items():
        assert cell_text(page1, r, c) == text, (r, c)
    same = lambda t, a, b: t.cell(*a)._tc is t.cell(*b)._tc  # noqa: E731
    assert same(page1, (0, 6), (3, 6))  # the photo spans the first four rows
    assert page1.cell(0, 6)._tc.xpath(".//pic:pic")  # and holds the picture
    assert same(page1, (4, 0), (5, 0))  # 学历学位
    assert same(page1, (3, 1), (3, 2)) and same(page1, (3, 4), (3, 5))
    assert same(page1, (4, 5), (4, 6)) and not same(page1, (4, 4), (4, 5))
    assert all(same(page1, (r, 1), (r, 6)) for r in (6, 7, 8, 9))
    assert "2011.01--2014.05\t青山县城关镇党政办副主任" in page1.cell(9, 1).text
    assert (len(page2.rows), len(page2.columns)) == (3 + 1 + 7 + 2, 6)
    assert [cell_text(page2, r, 0) for r in (0, 1, 2, 3)] == [
        "奖惩情况", "年度考核结果", "任免理由", "家庭主要成员及重要社会关系",
    ]  # fmt: skip
    assert same(page2, (3, 0), (10, 0))
    assert [cell_text(page2, 3, c) for c in range(1, 6)] == [
        "称　谓", "姓　名", "年龄", "政治面貌", "工作单位及职务",
    ]  # fmt: skip
    assert [cell_text(page2, 4, c) for c in range(1, 6)] == [
        "配偶", "李娜", "39", "中共党员", "青山县第一中学教师",
    ]  # fmt: skip
    assert cell_text(page2, 11, 0) == "呈报单位" and "中共青山县委组织部" in page2.cell(11, 1).text
    assert (
        cell_text(page2, 12, 0) == "审批机关意见" and cell_text(page2, 12, 4) == "行政机关任免意见"
    )
    assert same(page2, (12, 1), (12, 3))
    assert "（盖章）" in page2.cell(12, 5).text and "年　　月　　日" in page2.cell(12, 5).text
    assert "填表人：王小红" in doc.paragraphs[-1].text


@pytest.mark.parametrize("count", [0, 12])
def test_family_rows_grow_past_seven(admin, county, make_cadre, count):
    from xuanren.people.services import family_member_add

    cadre = make_cadre(county.town, name="孙强")
    for i in range(count):
        family_member_add(actor=admin, cadre=cadre, relation="other", name=f"亲属{i}")
    doc = Document(io.BytesIO(render_approval_docx(form_for(admin, cadre))))
    assert len(doc.tables[1].rows) == 3 + 1 + max(7, count) + 2


def test_labels_stay_chinese_for_an_english_officer(admin, full_cadre):
    from django.utils import translation

    from xuanren.documents.services import render_form

    form = form_for(admin, full_cadre)
    with translation.override("en"):
        doc = Document(io.BytesIO(render_form(form, "docx")))
    assert cell_text(doc.tables[0], 0, 0) == "姓　名"
    assert cell_text(doc.tables[1], 0, 0) == "奖惩情况"
