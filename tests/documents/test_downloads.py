"""The pages and API endpoints that hand documents out: files with the right
type, the case context, the case ZIP, the links on the cadre and case pages,
permissions (outsider and other-unit HR refused) and the journal line."""

from __future__ import annotations

import io
import zipfile

import pytest
from docx import Document

from tests.api.conftest import API
from tests.documents.conftest import pdf_pages, pdf_text
from tests.procedure.conftest import ON, committee, open_case  # noqa: F401 — fixture
from xuanren.documents.services import DOCX
from xuanren.journal.models import Event, EventType
from xuanren.procedure.candidates import candidate_add
from xuanren.procedure.models import CandidateStatus


@pytest.fixture
def case_with_candidates(personas, county, committee, full_cadre, make_cadre, admin):  # noqa: F811
    case = open_case(personas, county, committee)
    other = make_cadre(county.town, name="王芳", sex="female")
    dropped = make_cadre(county.town, name="赵强")
    officer = personas.case_officer
    for cadre, status in (
        (full_cadre, CandidateStatus.NOMINATED),
        (other, CandidateStatus.INSPECTION),
        (dropped, CandidateStatus.EXCLUDED),
    ):
        candidate_add(actor=officer, case=case, cadre=cadre, post=county.town_deputy,
                      step="selection", status=status)  # fmt: skip
    return case


def journal_lines():
    return list(Event.objects.filter(event_type=EventType.DOCUMENT_GENERATED).order_by("id"))


def test_web_approval_form_pdf_and_docx(client, personas, full_cadre, tmp_path):
    client.force_login(personas.case_officer)
    url = f"/documents/cadres/{full_cadre.pk}/approval-form"
    r = client.get(url + ".pdf", {"proposed_post": "城关镇副镇长", "reasons": "工作需要"})
    assert r.status_code == 200, r.content[:500]
    assert r["Content-Type"] == "application/pdf"
    assert "attachment" in r["Content-Disposition"] and r["Cache-Control"] == "no-store, private"
    assert pdf_pages(r.content, tmp_path) == 2
    assert "城关镇副镇长" in pdf_text(r.content, tmp_path)
    r = client.get(url + ".docx")
    assert r.status_code == 200 and r["Content-Type"] == DOCX
    assert Document(io.BytesIO(r.content)).tables[0].cell(0, 1).text == "张伟"
    events = journal_lines()
    assert [(e.payload["document"], e.payload["format"]) for e in events] == [
        ("approval_form", "pdf"), ("approval_form", "docx"),
    ]  # fmt: skip
    assert events[0].subject_type == "people.cadre" and events[0].subject_id == str(full_cadre.pk)
    assert events[0].actor_id == personas.case_officer.pk
    assert "张伟" not in str(events[0].payload)


def test_web_bad_format_and_bad_date(client, personas, full_cadre):
    client.force_login(personas.case_officer)
    url = f"/documents/cadres/{full_cadre.pk}/approval-form"
    r = client.get(url + ".odt")
    assert r.status_code == 400 and "不支持的文件格式" in r.content.decode()
    r = client.get(url + ".pdf", {"reference_date": "2026-13-45"})
    assert r.status_code == 400
    assert "任免审批表参数有误" in r.content.decode()
    assert not journal_lines()


def test_case_context_fills_proposed_post(
    client, personas, case_with_candidates, full_cadre, tmp_path
):
    client.force_login(personas.case_officer)
    url = f"/documents/cadres/{full_cadre.pk}/approval-form.pdf"
    r = client.get(url, {"case": case_with_candidates.pk})
    assert r.status_code == 200
    text = pdf_text(r.content, tmp_path).replace(" ", "")
    assert "城关镇副镇长" in text
    assert journal_lines()[-1].payload["case"] == case_with_candidates.pk


def test_case_context_for_a_non_candidate_is_404(client, personas, county, committee, full_cadre):  # noqa: F811
    case = open_case(personas, county, committee)
    client.force_login(personas.case_officer)
    r = client.get(f"/documents/cadres/{full_cadre.pk}/approval-form.pdf", {"case": case.pk})
    assert r.status_code == 404


@pytest.mark.parametrize(("who", "status"), [("outsider", 403), ("other_unit_hr", 404)])
def test_cadre_out_of_scope_is_refused(client, personas, full_cadre, who, status):
    client.force_login(getattr(personas, who))
    for fmt in ("pdf", "docx"):
        r = client.get(f"/documents/cadres/{full_cadre.pk}/approval-form.{fmt}")
        assert r.status_code == status
        r = client.get(f"{API}/cadres/{full_cadre.pk}/approval-form.{fmt}")
        assert r.status_code == status
    assert not journal_lines()


def test_anonymous_is_sent_to_login(client, full_cadre):
    r = client.get(f"/documents/cadres/{full_cadre.pk}/approval-form.pdf")
    assert r.status_code == 302 and "login" in r["Location"]


def test_case_zip_has_a_docx_and_pdf_per_candidate(
    client, personas, case_with_candidates, tmp_path
):
    client.force_login(personas.case_officer)
    r = client.get(f"/documents/cases/{case_with_candidates.pk}/approval-forms.zip")
    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(r.content)) as z:
        names = z.namelist()
        assert names == [
            "01-张伟-城关镇副镇长.docx", "01-张伟-城关镇副镇长.pdf",
            "02-王芳-城关镇副镇长.docx", "02-王芳-城关镇副镇长.pdf",
        ]  # fmt: skip
        # 赵强 was excluded: no form for him
        pdf = z.read("01-张伟-城关镇副镇长.pdf")
    assert pdf_pages(pdf, tmp_path) == 2
    event = journal_lines()[-1]
    assert event.payload["document"] == "approval_forms_zip"
    assert event.subject_type == "procedure.case"
    assert len(event.payload["cadres"]) == 2


def test_api_files(client, personas, case_with_candidates, full_cadre):
    client.force_login(personas.case_officer)
    r = client.get(
        f"{API}/cadres/{full_cadre.pk}/approval-form.docx", {"removed_post": "党政办主任"}
    )
    assert r.status_code == 200 and r["Content-Type"] == DOCX
    doc = Document(io.BytesIO(r.content))
    assert doc.tables[0].cell(8, 1).text == "党政办主任"
    r = client.get(
        f"{API}/cadres/{full_cadre.pk}/approval-form.pdf", {"case": case_with_candidates.pk}
    )
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    r = client.get(f"{API}/cases/{case_with_candidates.pk}/approval-forms.zip")
    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    r = client.get(f"{API}/cases/{case_with_candidates.pk}/record.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    r = client.get(f"{API}/cases/{case_with_candidates.pk}/notice.pdf")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = client.get(f"{API}/cadres/{full_cadre.pk}/approval-form.odt")
    assert r.status_code == 422
    r = client.get(f"{API}/cadres/{full_cadre.pk}/approval-form.pdf", {"reference_date": "x"})
    assert r.status_code == 422


@pytest.mark.parametrize("who", ["outsider", "other_unit_hr"])
def test_api_case_documents_refused_out_of_scope(client, personas, case_with_candidates, who):
    client.force_login(getattr(personas, who))
    for path in ("approval-forms.zip", "record.pdf", "notice.pdf"):
        r = client.get(f"{API}/cases/{case_with_candidates.pk}/{path}")
        assert r.status_code in (403, 404)
        assert r.json()["message"]
    assert not journal_lines()


def test_links_on_cadre_and_case_pages(client, personas, case_with_candidates, full_cadre):
    client.force_login(personas.case_officer)
    page = client.get(f"/cadres/{full_cadre.pk}/").content.decode()
    assert f"/documents/cadres/{full_cadre.pk}/approval-form.pdf" in page
    assert f"/documents/cadres/{full_cadre.pk}/approval-form.docx" in page
    page = client.get(f"/cases/{case_with_candidates.pk}/").content.decode()
    assert f"/documents/cases/{case_with_candidates.pk}/approval-forms.zip" in page
    assert f"/documents/cases/{case_with_candidates.pk}/record.pdf" in page
    assert "notice.pdf" not in page  # no notice published yet
    single = f"/documents/cadres/{full_cadre.pk}/approval-form.pdf?case={case_with_candidates.pk}"
    assert single in page
    link = page[page.index(single) :].split('"')[0].replace("&amp;", "&")
    r = client.get(link)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"


def test_a_case_without_candidates_offers_no_approval_forms(
    client,
    personas,
    county,
    committee,  # noqa: F811
):
    case = open_case(personas, county, committee)
    client.force_login(personas.case_officer)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f"/documents/cases/{case.pk}/record.pdf" in page
    assert "approval-forms.zip" not in page
    r = client.get(f"/documents/cases/{case.pk}/approval-forms.zip")
    assert r.status_code == 404 and "还没有人选" in r.content.decode()
