"""Paper ballot sheets (选票 / 推荐票 / 测评表) as PDF.

The ballots app builds a `BallotSheetSpec` (names already in the required
order, one serial per sheet) and calls `render_ballot_sheets`; this module
only lays the sheets out: one A4 page per serial, the serial printed on it,
the instructions on top, one marking box per column for each name, and for
recommendation ballots a few blank write-in rows (另推荐人选).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from xuanren.common.errors import ValidationFailed
from xuanren.documents.pdf import template_to_pdf

KINDS = ("decision", "recommendation", "evaluation")
WRITE_IN_ROWS = 3
# Height left for the table on one A4 sheet (297 mm less margins, heading,
# instructions and footer); rows shrink to fit it, down to MIN_ROW_MM.
TABLE_MM = 190
MIN_ROW_MM = 5.0
MAX_ROW_MM = 10.0


@dataclass(frozen=True)
class BallotSheetSpec:
    title: str
    kind: str  # "decision" | "recommendation" | "evaluation"
    meeting_label: str
    serials: list[str]
    items: list[str]  # names in the required order
    columns: list[str]  # marking options, e.g. ["同意", "不同意"] or grades
    max_choices: int | None
    instructions: list[str]


def _kind_label(kind: str) -> str:
    return {
        "decision": _("表决票"),
        "recommendation": _("推荐票"),
        "evaluation": _("测评票"),
    }[kind]


def sheet_layout(spec: BallotSheetSpec) -> dict[str, float | int]:
    """Row height and type sizes so one serial's sheet stays on one page.

    Pure arithmetic on counts; past about 36 names at the minimum row height
    the table continues on a second page with its header repeated (WeasyPrint
    repeats <thead>), which is the sensible thing for very long lists.
    """
    writein = WRITE_IN_ROWS + 1 if spec.kind == "recommendation" else 0
    rows = len(spec.items) + writein + 1  # + header row
    extra_instr = max(0, len(spec.instructions) - 3)
    room = TABLE_MM - 6 * extra_instr
    row_mm = max(MIN_ROW_MM, min(MAX_ROW_MM, room / rows))
    item_pt = 12.0 if row_mm >= 8 else (10.5 if row_mm >= 6.5 else 9.0)
    return {
        "row_mm": round(row_mm, 2),
        "item_pt": item_pt,
        "box_mm": round(min(6.0, row_mm - 1.2), 2),
        "mark_mm": 26 if len(spec.columns) <= 3 else 20,
        "instr_pt": 10.0 if len(spec.instructions) <= 4 else 9.0,
    }


def validate_spec(spec: BallotSheetSpec) -> None:
    if spec.kind not in KINDS:
        raise ValidationFailed(
            _("选票类型“%(kind)s”无效，应为表决、推荐或测评。") % {"kind": spec.kind}
        )
    if not spec.serials:
        raise ValidationFailed(_("没有选票编号：请先生成选票编号再打印。"))
    if len(set(spec.serials)) != len(spec.serials):
        raise ValidationFailed(_("选票编号有重复，请重新生成编号后再打印。"))
    if not spec.columns:
        raise ValidationFailed(_("选票没有可勾选的栏目（如“同意”“不同意”），无法打印。"))
    if not spec.items and spec.kind != "recommendation":
        raise ValidationFailed(_("选票上没有任何人选，无法打印。"))
    if spec.max_choices is not None and spec.max_choices < 1:
        raise ValidationFailed(_("限选人数至少为 1。"))


def render_ballot_sheets(spec: BallotSheetSpec) -> bytes:
    """PDF bytes: one A4 sheet per serial in `spec.serials`, in that order."""
    validate_spec(spec)
    with translation.override(settings.LANGUAGE_CODE):  # a ballot is an official paper
        return _render(spec)


def _render(spec: BallotSheetSpec) -> bytes:
    layout = sheet_layout(spec)
    context = {
        "spec": spec,
        "kind_label": _kind_label(spec.kind),
        "writein_rows": range(WRITE_IN_ROWS) if spec.kind == "recommendation" else range(0),
        "span": 2 + len(spec.columns),
        **layout,
    }
    return template_to_pdf("documents/ballot_sheets.html", context)
