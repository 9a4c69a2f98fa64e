"""任前公示 for posting (PDF, DOCX) and the 纪实 PDF: content, order by
surname strokes, permissions, journal events."""

from __future__ import annotations

import io

import pytest
from docx import Document

from tests.documents.conftest import pdf_pages, pdf_png, pdf_text
from tests.step_data import MOTION
from tests.supervision.conftest import (  # noqa: F401 — fixtures
    CHANNELS,
    TODAY,
    committee,
    frozen_today,
    full_cadre,
    notice_case_for,
    publish,
)
from xuanren.common.errors import NotFound, PermissionDenied
from xuanren.documents.notice import person_paragraph
from xuanren.documents.services import case_record_generate, notice_generate
from xuanren.journal.models import Event, EventType
from xuanren.procedure.candidates import candidate_add
from xuanren.procedure.models import CandidateStatus
from xuanren.procedure.services import case_attachment_add, case_step_complete
from xuanren.supervision.strokes import by_strokes


@pytest.fixture
def posted(personas, county, committee, make_cadre, admin):  # noqa: F811
    nc = notice_case_for(personas, county, committee, make_cadre, admin)
    # a third person whose surname (欧阳, 8 strokes) sorts after 王 (4) and 张 (7)
    ouyang = full_cadre(make_cadre, admin, county.town_office, name="欧阳明")
    candidate_add(
        actor=personas.case_officer, case=nc.case, cadre=ouyang, post=county.town_deputy,
        step="decision", status=CandidateStatus.APPROVED,
    )  # fmt: skip
    publish(personas, nc.case)
    return nc


def ordered(text: str, names: list[str]) -> bool:
    positions = [text.index(n) for n in names]
    return positions == sorted(positions)


def test_notice_pdf_lists_names_by_surname_strokes(personas, posted, tmp_path):
    expected = by_strokes(["欧阳明", "张伟", "王芳"])
    assert expected == ["王芳", "张伟", "欧阳明"]
    f = notice_generate(actor=personas.case_officer, case_pk=posted.case.pk, fmt="pdf")
    assert f.content_type == "application/pdf"
    assert pdf_pages(f.data, tmp_path) >= 1
    assert pdf_png(f.data, tmp_path)
    text = pdf_text(f.data, tmp_path).replace(" ", "").replace("\n", "")
    assert ordered(text, expected)
    for part in ("任前公示", "王芳，女，汉族，1986年5月生，浙江嘉善人，大学本科，学士学位",
                 "拟任城关镇副镇长", "公示期：2026年11月27日至", "受理方式", "举报电话：0571-12380",
                 "中共青山县委常委会"):  # fmt: skip
        assert part in text, part


def test_notice_docx_same_order_and_wording(personas, posted):
    f = notice_generate(actor=personas.case_officer, case_pk=posted.case.pk, fmt="docx")
    assert f.content_type.endswith("wordprocessingml.document")
    doc = Document(io.BytesIO(f.data))
    paragraphs = [p.text for p in doc.paragraphs]
    assert paragraphs[0] == "任前公示"
    people = [p for p in paragraphs if "参加工作。现任" in p]
    assert [p.split("，")[0] for p in people] == ["王芳", "张伟", "欧阳明"]
    assert any(p.startswith("公示期：") for p in paragraphs)
    assert CHANNELS[0] in paragraphs


def test_person_paragraph_wording_and_exception():
    p = {
        "name": "李明", "sex": "男", "ethnicity": "回族", "birth": "1990.01",
        "native_place": "浙江青山", "education": "研究生，硕士学位", "party_join": "2012.07",
        "political_status": "中共党员", "work_start": "2014.08", "current_post": "某局科员",
        "proposed_post": "某局副局长",
    }  # fmt: skip
    assert person_paragraph(p) == (
        "李明，男，回族，1990年1月生，浙江青山人，研究生，硕士学位，2012年7月加入中国共产党，"
        "2014年8月参加工作。现任某局科员，拟任某局副局长。"
    )
    p |= {"party_join": "", "political_status": "无党派人士"}
    assert "，无党派人士，2014年8月参加工作" in person_paragraph(p)


def test_notice_document_journal_and_permissions(personas, posted):
    before = Event.objects.filter(event_type=EventType.DOCUMENT_GENERATED).count()
    notice_generate(actor=personas.case_officer, case_pk=posted.case.pk, fmt="pdf")
    event = Event.objects.filter(event_type=EventType.DOCUMENT_GENERATED).latest("id")
    assert Event.objects.filter(event_type=EventType.DOCUMENT_GENERATED).count() == before + 1
    assert event.payload["document"] == "public_notice"
    assert event.payload["case"] == posted.case.pk
    assert len(event.payload["cadres"]) == 3
    assert "王芳" not in str(event.payload)  # who and what, not the content
    with pytest.raises((PermissionDenied, NotFound)):
        notice_generate(actor=personas.outsider, case_pk=posted.case.pk, fmt="pdf")
    with pytest.raises((PermissionDenied, NotFound)):
        notice_generate(actor=personas.other_unit_hr, case_pk=posted.case.pk, fmt="pdf")


def test_no_notice_yet_is_not_found(personas, county, committee, make_cadre, admin):  # noqa: F811
    nc = notice_case_for(personas, county, committee, make_cadre, admin)
    with pytest.raises(NotFound, match="尚未发布任前公示"):
        notice_generate(actor=personas.case_officer, case_pk=nc.case.pk, fmt="docx")


def test_case_record_pdf(personas, county, committee, tmp_path):  # noqa: F811
    from tests.procedure.conftest import ON, open_case

    case = open_case(personas, county, committee)
    step = case_step_complete(
        actor=personas.case_officer, case=case, step="motion", data=MOTION, on=ON
    )
    attachment = case_attachment_add(
        actor=personas.case_officer, case=case, name="动议材料.pdf", content=b"%PDF-1.4 test",
        content_type="application/pdf", step=step,
    )  # fmt: skip
    f = case_record_generate(actor=personas.case_officer, case_pk=case.pk)
    assert f.content_type == "application/pdf"
    assert pdf_png(f.data, tmp_path)
    text = pdf_text(f.data, tmp_path).replace(" ", "").replace("\n", "")
    assert "干部选拔任用工作纪实" in text and case.number in text
    assert "第1号" in text and "动议" in text
    assert attachment.sha256 in text
    assert step.journal_hash in text
    tip_event = Event.objects.filter(event_type=EventType.DOCUMENT_GENERATED).latest("id")
    # the printed tip is the chain's end just before this document's own event
    assert tip_event.prev_hash in text
    assert tip_event.payload["document"] == "case_record"
    with pytest.raises((PermissionDenied, NotFound)):
        case_record_generate(actor=personas.outsider, case_pk=case.pk)


def test_case_page_links_the_published_notice(client, personas, posted):
    client.force_login(personas.case_officer)
    page = client.get(f"/cases/{posted.case.pk}/").content.decode()
    assert f"/documents/cases/{posted.case.pk}/notice.pdf" in page
    assert f"/documents/cases/{posted.case.pk}/notice.docx" in page
    r = client.get(f"/documents/cases/{posted.case.pk}/notice.docx")
    assert r.status_code == 200 and r.content.startswith(b"PK")


def test_exception_is_noted_on_the_posted_notice(
    personas,
    county,
    committee,  # noqa: F811
    make_cadre,
    admin,
    tmp_path,
):
    from xuanren.policy.models import ExceptionStatus, PromotionException

    nc = notice_case_for(personas, county, committee, make_cadre, admin)
    PromotionException.objects.create(
        cadre=nc.zhang.cadre, post=nc.zhang.post,
        rule_ids=["national.section_deputy.years_in_level"], reason="outstanding",
        explanation="在抗洪抢险中表现突出。", approving_body="中共青山县委组织部",
        document="青组〔2026〕12号", status=ExceptionStatus.APPROVED, requested_by=admin,
    )  # fmt: skip
    publish(personas, nc.case)
    pdf = notice_generate(actor=personas.case_officer, case_pk=nc.case.pk, fmt="pdf")
    text = pdf_text(pdf.data, tmp_path).replace(" ", "").replace("\n", "")
    zhang_at = text.index("张伟，男")
    noted = text.index("破格提拔。破格理由")
    assert zhang_at < noted  # under 张伟, who is printed after 王芳
    assert text.index("王芳，女") < zhang_at
    assert "在抗洪抢险中表现突出" in text
    docx = notice_generate(actor=personas.case_officer, case_pk=nc.case.pk, fmt="docx")
    paragraphs = [p.text for p in Document(io.BytesIO(docx.data)).paragraphs]
    assert sum(p.startswith("破格提拔。") for p in paragraphs) == 1
