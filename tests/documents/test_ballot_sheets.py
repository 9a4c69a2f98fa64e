"""Ballot sheets: one A4 page per serial, the serial and every name printed
in the given order, marking columns, write-in rows for recommendations."""

from __future__ import annotations

import dataclasses

import pytest

from tests.documents.conftest import pdf_pages, pdf_png, pdf_text
from xuanren.common.errors import ValidationFailed
from xuanren.documents.ballot_sheets import BallotSheetSpec, render_ballot_sheets, sheet_layout

SPEC = BallotSheetSpec(
    title="中共青山县委常委会议表决票",
    kind="decision",
    meeting_label="2026年第12次常委会议",
    serials=["B-0001", "B-0002", "B-0003"],
    items=["王芳", "张伟", "欧阳明"],
    columns=["同意", "不同意", "弃权"],
    max_choices=None,
    instructions=["请在每名人选姓名后对应栏内划“○”。", "每名人选只能划一个“○”。"],
)


def test_one_page_per_serial_with_serial_names_and_columns(tmp_path):
    pdf = render_ballot_sheets(SPEC)
    assert pdf_pages(pdf, tmp_path) == 3
    assert len(pdf_png(pdf, tmp_path)) == 3
    text = pdf_text(pdf, tmp_path)
    pages = text.split("\f")
    for serial, raw in zip(SPEC.serials, pages, strict=False):
        assert serial in raw
        page = raw.replace(" ", "")
        assert "中共青山县委常委会议表决票" in page
        assert "同意" in page and "不同意" in page and "弃权" in page
        # names in the order given, not re-sorted
        assert page.index("王芳") < page.index("张伟") < page.index("欧阳明")
        assert "请在每名人选姓名后对应栏内划" in page
    assert "另推荐人选" not in text


def test_recommendation_has_write_in_rows_and_limit(tmp_path):
    spec = dataclasses.replace(
        SPEC, kind="recommendation", columns=["推荐"], max_choices=2, serials=["R1"]
    )
    pdf = render_ballot_sheets(spec)
    assert pdf_pages(pdf, tmp_path) == 1
    text = pdf_text(pdf, tmp_path).replace(" ", "")
    assert "另推荐人选" in text
    assert "最多可选2人" in text


def test_forty_names_still_fit_one_sheet(tmp_path):
    names = [f"候选{i:02d}" for i in range(40)]
    spec = dataclasses.replace(SPEC, items=names, serials=["X1", "X2"])
    assert sheet_layout(spec)["row_mm"] < sheet_layout(SPEC)["row_mm"]
    pdf = render_ballot_sheets(spec)
    assert pdf_pages(pdf, tmp_path) == 2


@pytest.mark.parametrize(
    "change",
    [
        {"kind": "vote"},
        {"serials": []},
        {"serials": ["1", "1"]},
        {"columns": []},
        {"items": []},
        {"max_choices": 0},
    ],
)
def test_bad_specs_are_refused_in_chinese(change):
    with pytest.raises(ValidationFailed) as info:
        render_ballot_sheets(dataclasses.replace(SPEC, **change))
    assert any("\u4e00" <= ch <= "\u9fff" for ch in info.value.message)
