"""Producing documents. Each function reads through documents.selectors (the
permission checks), renders, and then records one DOCUMENT_GENERATED journal
event — who produced which document about which cadre or case, never the
content (docs/decisions/0024). Rendering happens before the short journal
transaction, so a slow PDF never holds a database lock."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from xuanren.access.models import AccessKind
from xuanren.access.records import access_record
from xuanren.common.errors import ValidationFailed
from xuanren.documents.approval_form import ApprovalForm, FormContext
from xuanren.documents.selectors import (
    approval_form_get,
    case_approval_forms,
    case_record_document,
    notice_document_get,
)
from xuanren.journal.models import EventType
from xuanren.journal.services import journal_record

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ZIP = "application/zip"
FORMATS = {"pdf": PDF, "docx": DOCX}


@dataclass(frozen=True)
class GeneratedFile:
    filename: str
    content_type: str
    data: bytes


def _safe(name: str) -> str:
    """A file name part without path separators or control characters."""
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", name).strip() or "_"


def _check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValidationFailed(_("不支持的文件格式“%(f)s”，请选择 PDF 或 DOCX。") % {"f": fmt})
    return fmt


def _document_label(document: str, subject: Any) -> str:
    if isinstance(subject, tuple):
        return f"{document} {subject[0]}:{subject[1]}"
    name = getattr(subject, "name", None) or getattr(subject, "title", None) or str(subject)
    return f"{document}：{name}"


@transaction.atomic
def document_generated_record(
    *,
    actor: Any,
    document: str,
    fmt: str,
    subject: Any,
    data: bytes,
    cadres: list[int] | None = None,
    case: int | None = None,
    label: str = "",
) -> None:
    """The journal line for one produced document: kind, format, the cadres
    and case it is about, its size and SHA-256 (to recognise a printed copy
    later) — not its content. The same look is put on the access record."""
    access_record(
        actor=actor,
        kind=AccessKind.DOCUMENT,
        subject=subject,
        label=label or _document_label(document, subject),
        detail={"document": document, "format": fmt, "cadres": cadres or [], "case": case},
    )
    journal_record(
        actor=actor,
        event_type=EventType.DOCUMENT_GENERATED,
        subject=subject,
        payload={
            "document": document,
            "format": fmt,
            "cadres": cadres or [],
            "case": case,
            "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        },
    )


def render_form(form: ApprovalForm, fmt: str) -> bytes:
    """The form is an official record: its labels are Chinese whatever the
    officer's language (like its content, see build_approval_form)."""
    from xuanren.documents.docx_builder import render_approval_docx
    from xuanren.documents.renderers import render_approval_pdf

    with translation.override(settings.LANGUAGE_CODE):
        return render_approval_pdf(form) if fmt == "pdf" else render_approval_docx(form)


def approval_form_generate(
    *, actor: Any, cadre_pk: int, context: FormContext, fmt: str
) -> GeneratedFile:
    _check_format(fmt)
    form = approval_form_get(actor=actor, cadre_pk=cadre_pk, context=context)
    data = render_form(form, fmt)
    document_generated_record(
        actor=actor,
        document="approval_form",
        fmt=fmt,
        subject=("people.cadre", str(cadre_pk)),
        data=data,
        cadres=[cadre_pk],
        case=context.case_id,
        label=_("干部任免审批表：%(name)s") % {"name": form.name},
    )
    name = _("干部任免审批表-%(n)s.%(f)s") % {"n": _safe(form.name), "f": fmt}
    return GeneratedFile(name, FORMATS[fmt], data)


def approval_forms_zip_generate(
    *, actor: Any, case_pk: int, progress: Callable[[str, int, int], None] | None = None
) -> GeneratedFile:
    """Every candidacy's form as DOCX and PDF in one ZIP, numbered in the
    order the candidates were added. `progress("generating", forms done,
    total)` after each form (a background job, docs/decisions/0104); a
    cancel raised there ends it before anything is journalled."""
    batch = case_approval_forms(actor=actor, case_pk=case_pk)
    out = io.BytesIO()
    total = len(batch.forms)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for i, (_candidate, form) in enumerate(batch.forms, start=1):
            stem = f"{i:02d}-{_safe(form.name)}-{_safe(form.proposed_post)}"
            for fmt in ("docx", "pdf"):
                z.writestr(f"{stem}.{fmt}", render_form(form, fmt))
            if progress is not None:
                progress("generating", i, total)
    data = out.getvalue()
    case = batch.case
    document_generated_record(
        actor=actor,
        document="approval_forms_zip",
        fmt="zip",
        subject=case,
        data=data,
        cadres=[form.cadre_id for _c, form in batch.forms],
        case=case.pk,
    )
    return GeneratedFile(approval_forms_zip_name(case), ZIP, data)


def approval_forms_zip_name(case: Any) -> str:
    return _("干部任免审批表-%(n)s.zip") % {"n": _safe(case.number)}


def notice_generate(*, actor: Any, case_pk: int, fmt: str) -> GeneratedFile:
    from xuanren.documents.notice import render_notice_docx, render_notice_pdf

    _check_format(fmt)
    doc = notice_document_get(actor=actor, case_pk=case_pk)
    data = render_notice_pdf(doc) if fmt == "pdf" else render_notice_docx(doc)
    document_generated_record(
        actor=actor,
        document="public_notice",
        fmt=fmt,
        subject=doc.notice,
        data=data,
        cadres=[int(p["cadre"]) for p in doc.persons if p.get("cadre")],
        case=doc.case.pk,
    )
    name = _("任前公示-%(n)s.%(f)s") % {"n": _safe(doc.case.number), "f": fmt}
    return GeneratedFile(name, FORMATS[fmt], data)


def case_record_generate(*, actor: Any, case_pk: int) -> GeneratedFile:
    from xuanren.documents.record import render_record_pdf

    rec = case_record_document(actor=actor, case_pk=case_pk)
    data = render_record_pdf(rec, timezone.now())
    document_generated_record(
        actor=actor,
        document="case_record",
        fmt="pdf",
        subject=rec.case,
        data=data,
        cadres=[],
        case=rec.case.pk,
    )
    name = _("纪实-%(n)s.pdf") % {"n": _safe(rec.case.number)}
    return GeneratedFile(name, PDF, data)
