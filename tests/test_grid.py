"""The score-grid cell and header checks (xuanren.common.grid, decision
0170): exact thresholds, decimals, text numbers, blanks, booleans, headers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from xuanren.common.grid import GridImportFailed, column_letter, parse_grid, parse_score


@pytest.mark.parametrize(
    ("raw", "decimals", "value"),
    [
        (0.0, 1, Decimal("0.0")),  # the lowest score
        (100.0, 2, Decimal("100.00")),  # the highest
        ("100.00", 2, Decimal("100.00")),  # typed as text
        (" 85.5 ", 1, Decimal("85.5")),
        (77.25, 2, Decimal("77.25")),
        (None, 1, None),  # blank: no change
        ("  ", 1, None),
    ],
)
def test_scores_accepted(raw: Any, decimals: int, value: Decimal | None) -> None:
    assert parse_score(raw, decimals=decimals) == (value, "")


@pytest.mark.parametrize(
    ("raw", "decimals", "words"),
    [
        (100.01, 2, "超出范围"),
        (-0.1, 1, "超出范围"),
        (85.55, 1, "最多保留 1 位小数"),
        (88.125, 2, "最多保留 2 位小数"),
        ("九十", 1, "不是数字"),
        ("nan", 1, "不是数字"),
        (True, 1, "不是数字"),
        ("=1+1", 1, "不是数字"),
    ],
)
def test_scores_refused(raw: Any, decimals: int, words: str) -> None:
    value, message = parse_score(raw, decimals=decimals)
    assert value is None and words in message


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 51, 52)] == ["A", "Z", "AA", "AZ", "BA"]


def test_blank_rows_and_short_rows() -> None:
    header = ["编号", "姓名", "职务", "甲·笔试"]
    grid = parse_grid(
        header,
        [(2, [1.0, "王芳", "", 90.0]), (3, [2.0, "李强"])],  # a short row: its score blank
        sheet="S",
        names={1: "王芳", 2: "李强"},
        info_headers=["职务"],
        score_columns={"甲·笔试": "k"},
        decimals=1,
    )
    assert grid.values == {(1, "k"): Decimal("90.0")}
    assert grid.where[(1, "k")].cell == "D2"


def test_missing_id_column() -> None:
    with pytest.raises(GridImportFailed) as caught:
        parse_grid(["姓名"], [], sheet="S", names={}, info_headers=[], score_columns={},
                   decimals=1)  # fmt: skip
    assert caught.value.cells[0].cell == "第 1 行" and "编号" in caught.value.cells[0].message
    assert caught.value.as_dict()["cells"][0]["sheet"] == "S"  # type: ignore[index]
