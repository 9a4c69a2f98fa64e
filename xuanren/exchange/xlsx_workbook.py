"""Writing a template-shaped workbook from rows keyed by column (for the
benchmark, the tests, and anyone producing a workbook from another system).
Write-only mode: rows stream into the file without a cell model, so 100,000
rows take seconds and little memory."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook

from xuanren.exchange.xlsx_columns import SHEETS


def write_workbook(
    target: str | Path | IO[bytes], sheets: Mapping[str, Iterable[Mapping[str, Any]]]
) -> None:
    """`sheets` maps a sheet key (units, posts, quotas, cadres) to its rows,
    each a mapping from column key to cell value; missing keys stay empty."""
    workbook = Workbook(write_only=True)
    for sheet in SHEETS:
        if sheet.key not in sheets:
            continue
        ws = workbook.create_sheet(sheet.name)
        ws.append([c.title for c in sheet.columns])
        keys = [c.key for c in sheet.columns]
        for row in sheets[sheet.key]:
            ws.append([row.get(k) for k in keys])
    workbook.save(target)


def sample_cadre_rows(
    n: int, *, unit_codes: list[str], seed: int = 1, region: str = "330421"
) -> list[dict[str, Any]]:
    """n valid 干部 rows with distinct ID numbers (for the benchmark and tests);
    dates are written as the importer's text forms and as date cells alike."""
    import datetime as dt
    import random

    from xuanren.people.idnumbers import build_id_number

    rng = random.Random(seed)
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
    given = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国红梅"
    levels = ["正科级", "副科级", "正股级", "副股级", ""]
    educations = [("大学本科", "学士"), ("研究生", "硕士"), ("大学专科", "无")]
    rows: list[dict[str, Any]] = []
    base = dt.date(1965, 1, 1)
    for i in range(n):
        sex = "男" if i % 2 == 0 else "女"
        # A distinct (birth date, order) per row: 500 orders of one parity a day.
        birth = base + dt.timedelta(days=(i // 500) % 11000)
        order = (i % 500) * 2 + (1 if sex == "男" else 0)
        number = build_id_number(region, birth, order, "male" if sex == "男" else "female")
        work = birth.replace(year=birth.year + 22, day=1)
        party = rng.random() < 0.7
        join = birth.replace(year=birth.year + 25, day=1) if party else None
        education, degree = educations[i % 3]
        rows.append(
            {
                "name": rng.choice(surnames)
                + rng.choice(given)
                + (rng.choice(given) if i % 3 else ""),
                "sex": sex,
                "birth_date": birth if i % 2 else birth.strftime("%Y.%m.%d"),
                "id_number": number,
                "political_status": "中共党员" if party else "群众",
                "party_join_date": join,
                "party_full_date": join.replace(year=join.year + 1) if join else None,
                "work_start_date": work.strftime("%Y-%m-%d") if i % 2 else work,
                "native_place": "浙江青山",
                "unit_code": unit_codes[i % len(unit_codes)],
                "current_post_title": "科员",
                "level": levels[i % len(levels)],
                "level_since": (
                    work.replace(year=work.year + 10) if levels[i % len(levels)] else None
                ),
                "education_level": education,
                "degree": degree,
                "school": "浙江大学",
                "major": "经济学",
            }
        )
    return rows
