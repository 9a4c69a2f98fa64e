"""In Debian's chromium: the officer opens the 任免审批表 menu on a cadre's
page, fills the proposed post and downloads the PDF and the DOCX."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from tests.browser.test_case_officer import ARTIFACTS, browser_page  # noqa: F401 — fixture
from tests.documents.conftest import pdf_pages, pdf_text

pytestmark = [pytest.mark.browser]


def test_officer_downloads_an_approval_form(
    live_server: Any,
    personas: Any,
    full_cadre: Any,
    browser_page: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    page = browser_page
    page.goto(f"{live_server.url}/cadres/{full_cadre.pk}/")
    page.get_by_label("用户名").fill("officer")
    page.get_by_label("密码").fill("pw-officer-123")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="张伟", exact=True)).to_be_visible()
    page.get_by_text("任免审批表", exact=True).click()
    page.get_by_label("拟任职务").fill("城关镇副镇长")
    page.get_by_label("任免理由").fill("工作需要")
    page.screenshot(path=str(ARTIFACTS / "documents-01-approval-menu.png"))
    with page.expect_download() as pdf_download:
        page.get_by_role("button", name="下载 PDF").click()
    pdf = Path(pdf_download.value.path()).read_bytes()
    assert pdf_download.value.suggested_filename == "干部任免审批表-张伟.pdf"
    assert pdf_pages(pdf, tmp_path) == 2
    text = pdf_text(pdf, tmp_path).replace(" ", "")
    assert "城关镇副镇长" in text and "工作需要" in text
    with page.expect_download() as docx_download:
        page.get_by_role("button", name="下载 DOCX").click()
    doc = Document(io.BytesIO(Path(docx_download.value.path()).read_bytes()))
    assert doc.tables[0].cell(7, 1).text == "城关镇副镇长"
