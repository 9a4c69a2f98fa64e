"""任前公示 for posting, as PDF and DOCX. The content is the published
PublicNotice (its text, its persons built by supervision.content and its
channels); this module only words each person in the customary way and lays
the page out. Always in Chinese: a notice is a public record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from xuanren.documents.pdf import template_to_pdf
from xuanren.documents.selectors import NoticeDocument


def cn_month(value: str) -> str:
    """ "1985.03" → "1985年3月" ("" stays "")."""
    if not value or "." not in value:
        return value
    year, month = value.split(".", 1)
    return _("%(y)s年%(m)s月") % {"y": year, "m": int(month)}


def cn_day(day: dt.date) -> str:
    return _("%(y)s年%(m)s月%(d)s日") % {"y": day.year, "m": day.month, "d": day.day}


def person_paragraph(p: dict[str, Any]) -> str:
    """张伟，男，汉族，1985年3月生，浙江嘉善人，大学本科，学士学位，2008年6月加入
    中国共产党，2007年8月参加工作。现任……，拟任……。"""
    parts = [p.get("name", ""), p.get("sex", ""), p.get("ethnicity", "")]
    if p.get("birth"):
        parts.append(_("%(b)s生") % {"b": cn_month(p["birth"])})
    if p.get("native_place"):
        parts.append(_("%(n)s人") % {"n": p["native_place"]})
    if p.get("education"):
        parts.append(p["education"])
    if p.get("party_join"):
        parts.append(_("%(d)s加入中国共产党") % {"d": cn_month(p["party_join"])})
    elif p.get("political_status"):
        parts.append(p["political_status"])
    if p.get("work_start"):
        parts.append(_("%(d)s参加工作") % {"d": cn_month(p["work_start"])})
    head = "，".join(x for x in parts if x)
    posts = _("现任%(c)s，拟任%(p)s。") % {
        "c": p.get("current_post") or _("（无）"),
        "p": p.get("proposed_post", ""),
    }
    return f"{head}。{posts}"


def notice_view(doc: NoticeDocument) -> dict[str, Any]:
    n = doc.notice
    with translation.override(settings.LANGUAGE_CODE):
        unit = _("个工作日") if n.unit == "working_days" else _("天")
        return {
            "doc": doc,
            "title": doc.title,
            "text": n.text,
            "period": _("公示期：%(s)s至%(e)s（%(n)s%(u)s）")
            % {"s": cn_day(n.start), "e": cn_day(n.end), "n": n.length, "u": unit},
            "warning": n.calendar_warning,
            "persons": [
                {
                    "name": p.get("name", ""),
                    "paragraph": person_paragraph(p),
                    "exception": (p.get("exception") or {}).get("statement", ""),
                    "resume": p.get("resume") or [],
                }
                for p in doc.persons
            ],
            "channels": list(n.channels),
            "issuer": doc.issuer,
            "issued": cn_day(doc.issued_on),
        }


def render_notice_pdf(doc: NoticeDocument) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        return template_to_pdf("documents/notice.html", notice_view(doc))


def render_notice_docx(doc: NoticeDocument) -> bytes:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    from xuanren.documents.docx_builder import CJK_FONT, HEI_FONT, add_run, new_document, save

    with translation.override(settings.LANGUAGE_CODE):
        view = notice_view(doc)
        d = new_document(margins_mm=(37, 35, 28, 26))  # the 党政机关公文 page
        normal = d.styles["Normal"]
        normal.font.size = Pt(14)
        title = d.paragraphs[0] if d.paragraphs else d.add_paragraph()
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        title.paragraph_format.space_after = Pt(12)
        add_run(title, view["title"], size=22, bold=True, font=HEI_FONT)

        def para(
            text: str, *, indent: bool = True, size: float | None = None, left: float = 0
        ) -> Any:
            p = d.add_paragraph()
            if indent:
                p.paragraph_format.first_line_indent = Pt(28)
            if left:
                p.paragraph_format.left_indent = Pt(left)
            p.paragraph_format.line_spacing = 1.3
            add_run(p, text, size=size, font=CJK_FONT)
            return p

        para(view["text"])
        for person in view["persons"]:
            para(person["paragraph"])
            if person["exception"]:
                para(person["exception"])
            if person["resume"]:
                para(_("工作简历："), size=12, indent=False, left=28)
                for r in person["resume"]:
                    para(f"{r['period']}  {r['text']}", size=12, indent=False, left=28)
        para(view["period"])
        if view["warning"]:
            para(view["warning"], size=12)
        para(_("受理方式："))
        for channel in view["channels"]:
            para(channel)
        for text in ("", view["issuer"], view["issued"]):
            p = para(text, indent=False)
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        return save(d)
