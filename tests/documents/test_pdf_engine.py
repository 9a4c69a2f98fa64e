"""WeasyPrint is imported only when a PDF is made; without it (or without
Pango) the error is a DomainError in Chinese, and DOCX still works."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from xuanren.common.errors import DomainError
from xuanren.documents.pdf import html_to_pdf


def test_missing_weasyprint_is_a_chinese_domain_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import raises ImportError
    with pytest.raises(DomainError, match="无法生成 PDF") as info:
        html_to_pdf("<p>x</p>")
    assert "DOCX" in info.value.message


def test_pdf_bytes():
    assert html_to_pdf("<p>选任</p>").startswith(b"%PDF")


def test_documents_modules_import_without_weasyprint():
    """In a fresh interpreter where `import weasyprint` fails, the app and the
    documents modules still load."""
    code = (
        "import sys, django; sys.modules['weasyprint'] = None; django.setup()\n"
        "import xuanren.urls, xuanren.api.urls\n"
        "for m in ('pdf', 'ballot_sheets', 'renderers', 'notice', 'record', 'services', 'views'):\n"
        "    __import__('xuanren.documents.' + m)\n"
        "print('ok')"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "xuanren.settings"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
