"""Documents name people, never accounts, and are signed by the body the
template names (docs/decisions/0057, 0058); the approval form prints the
cadre's photo when there is one, and a blank photo box otherwise."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from docx import Document

from tests.documents.conftest import equip, pdf_text
from tests.supervision.conftest import (  # noqa: F401 — fixtures
    committee,
    frozen_today,
    full_cadre,
    notice_case_for,
    publish,
)
from xuanren.documents.approval_form import FormContext
from xuanren.documents.issuer import issuing_body, organization_department_name
from xuanren.documents.services import (
    approval_form_generate,
    approval_forms_zip_generate,
    notice_generate,
)
from xuanren.procedure.models import ProcedureTemplate

pytestmark = pytest.mark.django_db


def named(user: User, last: str, first: str) -> User:
    User.objects.filter(pk=user.pk).update(last_name=last, first_name=first)
    return User.objects.get(pk=user.pk)


def pdf_image_count(data: bytes, tmp_path: Path) -> int:
    """Image objects in the PDF (WeasyPrint paints the photo box's background
    through one; pdfimages does not list images inside patterns)."""
    return len(re.findall(rb"/Subtype ?/Image", data))


def docx_pictures(data: bytes) -> int:
    doc = Document(io.BytesIO(data))
    return sum(len(t.cell(0, 6)._tc.xpath(".//pic:pic")) for t in doc.tables[:1])


def squeezed(data: bytes, tmp_path: Path) -> str:
    return pdf_text(data, tmp_path).replace(" ", "").replace("\n", "")


@pytest.fixture
def officer(personas):
    return named(personas.case_officer, "王", "建华")


def test_approval_form_prints_the_officers_name_never_the_login(
    officer, county, make_cadre, admin, tmp_path
):
    cadre = full_cadre(make_cadre, admin, county.town_office, name="张伟")
    context = FormContext(proposed_post="城关镇副镇长")
    pdf = approval_form_generate(actor=officer, cadre_pk=cadre.pk, context=context, fmt="pdf")
    text = squeezed(pdf.data, tmp_path)
    assert "填表人：王建华" in text
    assert "officer" not in text
    docx = approval_form_generate(actor=officer, cadre_pk=cadre.pk, context=context, fmt="docx")
    last = Document(io.BytesIO(docx.data)).paragraphs[-1].text
    assert "填表人：王建华" in last and "officer" not in last


def test_an_account_without_a_name_falls_back_to_its_login(personas, county, make_cadre, tmp_path):
    cadre = make_cadre(county.town_office, name="李强")
    pdf = approval_form_generate(
        actor=personas.case_officer, cadre_pk=cadre.pk, context=FormContext(), fmt="pdf"
    )
    assert "填表人：officer" in squeezed(pdf.data, tmp_path)


def test_photo_printed_when_on_record(officer, county, make_cadre, admin, tmp_path):
    cadre = equip(admin, make_cadre(county.town_office, name="张伟"))  # with a photo
    assert cadre.photo
    pdf = approval_form_generate(actor=officer, cadre_pk=cadre.pk, context=FormContext(), fmt="pdf")
    docx = approval_form_generate(
        actor=officer, cadre_pk=cadre.pk, context=FormContext(), fmt="docx"
    )
    assert pdf_image_count(pdf.data, tmp_path) == 1
    assert docx_pictures(docx.data) == 1


def test_no_photo_leaves_the_box_blank(officer, county, make_cadre, tmp_path):
    cadre = make_cadre(county.town_office, name="李强")
    assert not cadre.photo
    pdf = approval_form_generate(actor=officer, cadre_pk=cadre.pk, context=FormContext(), fmt="pdf")
    docx = approval_form_generate(
        actor=officer, cadre_pk=cadre.pk, context=FormContext(), fmt="docx"
    )
    assert pdf_image_count(pdf.data, tmp_path) == 0
    assert docx_pictures(docx.data) == 0
    text = squeezed(pdf.data, tmp_path)
    assert "李强" in text and "照片" in text  # the empty box says what goes in it


@pytest.fixture
def posted(personas, county, committee, make_cadre, admin):  # noqa: F811
    nc = notice_case_for(personas, county, committee, make_cadre, admin)
    publish(personas, nc.case)
    return nc


def test_county_notice_is_issued_by_the_organization_department(personas, posted, county, tmp_path):
    assert posted.case.template.parameters["notice_issuer"] == "organization_department"
    docx = notice_generate(actor=personas.case_officer, case_pk=posted.case.pk, fmt="docx")
    paragraphs = [p.text for p in Document(io.BytesIO(docx.data)).paragraphs if p.text]
    assert paragraphs[-2] == "中共青山县委组织部"  # the signature, above the date
    assert "中共青山县委常委会" not in paragraphs[-2:]
    pdf = notice_generate(actor=personas.case_officer, case_pk=posted.case.pk, fmt="pdf")
    lines = [line.strip() for line in pdf_text(pdf.data, tmp_path).splitlines() if line.strip()]
    assert lines[-3:-1] == ["中共青山县委组织部", "2026年11月27日"]  # signature, date, page number


def test_case_forms_name_the_submitting_unit_the_template_sets(officer, posted):
    batch = approval_forms_zip_generate(actor=officer, case_pk=posted.case.pk)
    with zipfile.ZipFile(io.BytesIO(batch.data)) as z:
        docx_names = [n for n in z.namelist() if n.endswith(".docx")]
        doc = Document(io.BytesIO(z.read(docx_names[0])))
    page2 = doc.tables[1]
    cells = {c.text for row in page2.rows for c in row.cells}
    assert any("中共青山县委组织部" in c for c in cells)
    assert "填表人：王建华" in doc.paragraphs[-1].text


def test_issuer_follows_the_template_parameter(posted, county, committee):  # noqa: F811
    case = posted.case
    assert issuing_body(case, "notice") == "中共青山县委组织部"
    # The template says "committee": the deciding body signs.
    params = {**case.template.parameters, "notice_issuer": "committee"}
    ProcedureTemplate.objects.filter(pk=case.template_id).update(parameters=params)
    case.template.refresh_from_db()
    assert issuing_body(case, "notice") == "中共青山县委常委会"
    # Without the parameter: the committee signs; the form's 呈报单位 stays blank.
    params = {
        k: v for k, v in params.items() if k not in ("notice_issuer", "approval_form_submitter")
    }
    ProcedureTemplate.objects.filter(pk=case.template_id).update(parameters=params)
    case.template.refresh_from_db()
    assert issuing_body(case, "notice") == "中共青山县委常委会"
    assert issuing_body(case, "approval_form") == ""


def test_organization_department_name_without_a_department_on_record(county):
    county.org_dept.name = "县委办公室"  # not an organization department
    county.org_dept.save(update_fields=["name"])
    assert organization_department_name(county.root) == "中共青山县委组织部"


def test_shipped_templates_name_a_known_issuer():
    from xuanren.documents.issuer import ISSUER_PARAMETERS, ISSUERS

    for template in ProcedureTemplate.objects.all():
        for parameter in ISSUER_PARAMETERS.values():
            assert template.parameters.get(parameter) in ISSUERS, (template, parameter)
