"""HTML → PDF through WeasyPrint, imported lazily.

WeasyPrint needs Pango at import time; importing it only when a PDF is asked
for lets the app (and every page that is not a PDF) start on a machine where
Pango is missing. The fonts are the Debian fonts-noto-cjk families named in
documents/_print.css; WeasyPrint embeds the used subsets in the PDF.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from xuanren.common.errors import DomainError


def html_to_pdf(html: str) -> bytes:
    """Render one HTML document (with its own print CSS) to PDF bytes."""
    try:
        from weasyprint import HTML  # lazy on purpose, see module doc
    except (ImportError, OSError) as exc:  # OSError: Pango/cairo shared library missing
        raise DomainError(
            _(
                "无法生成 PDF：本机缺少 WeasyPrint 或其依赖的 Pango 库（%(err)s）。请安装 libpango 后重试，或改为下载 DOCX。"
            )
            % {"err": exc}
        ) from exc
    pdf = HTML(string=html, base_url=None).write_pdf()
    assert pdf is not None  # write_pdf() without a target returns the bytes
    return bytes(pdf)


def template_to_pdf(template: str, context: dict[str, Any]) -> bytes:
    return html_to_pdf(render_to_string(template, context))
