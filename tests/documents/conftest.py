"""Fixtures for documents: a cadre with everything the approval form prints
(educations, a resume with an in-service note, family, assessments, a reward,
a photo), and helpers that read PDFs back with poppler (pdfinfo, pdftotext,
pdftoppm)."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from xuanren.people.models import Cadre
from xuanren.people.services import (
    assessment_set,
    cadre_photo_set,
    education_add,
    family_member_add,
    resume_entry_add,
    reward_punishment_add,
)

TODAY = dt.date(2026, 11, 27)

RESUME = [
    (dt.date(2003, 9, 1), dt.date(2007, 7, 1), "浙江大学公共管理学院行政管理专业学习", ""),
    (dt.date(2007, 8, 1), dt.date(2010, 12, 1), "青山县城关镇党政办科员", ""),
    (
        dt.date(2011, 1, 1),
        dt.date(2014, 5, 1),
        "青山县城关镇党政办副主任",
        "2011.09--2014.01在中央党校函授学院经济管理专业学习",
    ),
    (dt.date(2014, 6, 1), dt.date(2018, 3, 1), "青山县城关镇党政办主任", ""),
    (dt.date(2018, 4, 1), dt.date(2021, 9, 1), "青山县城关镇党委委员、组织委员", ""),
    (dt.date(2021, 10, 1), None, "青山县城关镇党委委员、党政办主任、组织委员（正股级）", ""),
]


def png_photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (250, 350), (200, 210, 230)).save(out, format="PNG")
    return out.getvalue()


def equip(admin: Any, cadre: Cadre, resume: list[Any] | None = None) -> Cadre:
    education_add(
        actor=admin, cadre=cadre, kind="full_time", level="bachelor", degree="bachelor",
        school="浙江大学", major="行政管理", start_date=dt.date(2003, 9, 1),
        end_date=dt.date(2007, 7, 1),
    )  # fmt: skip
    education_add(
        actor=admin, cadre=cadre, kind="in_service", level="postgraduate", degree="none",
        school="中央党校函授学院", major="经济管理", start_date=dt.date(2011, 9, 1),
        end_date=dt.date(2014, 1, 1),
    )  # fmt: skip
    for start, end, text, note in resume if resume is not None else RESUME:
        resume_entry_add(
            actor=admin, cadre=cadre, start_date=start, end_date=end, text=text, note=note
        )
    family_member_add(
        actor=admin, cadre=cadre, relation="spouse", name="李娜", birth_date=dt.date(1986, 12, 1),
        political_status="cpc_member", work_unit_and_post="青山县第一中学教师",
    )  # fmt: skip
    family_member_add(
        actor=admin, cadre=cadre, relation="son", name="张子涵", birth_date=dt.date(2012, 11, 28),
        work_unit_and_post="青山县实验小学学生",
    )  # fmt: skip
    family_member_add(
        actor=admin, cadre=cadre, relation="father", name="张建国", birth_date=dt.date(1958, 1, 5),
        political_status="masses", work_unit_and_post="青山县农机厂退休职工",
    )  # fmt: skip
    for year, grade in ((2023, "competent"), (2024, "excellent"), (2025, "competent")):
        assessment_set(actor=admin, cadre=cadre, year=year, grade=grade)
    reward_punishment_add(
        actor=admin, cadre=cadre, kind="reward", category="commendation",
        title="被评为青山县优秀共产党员", decided_on=dt.date(2021, 6, 28), document="青委〔2021〕12号",
    )  # fmt: skip
    cadre_photo_set(actor=admin, cadre=cadre, photo=png_photo())
    return Cadre.objects.get(pk=cadre.pk)


@pytest.fixture
def full_cadre(admin: Any, county: Any, make_cadre: Any) -> Cadre:
    cadre = make_cadre(
        county.town_office, name="张伟", native_place="浙江嘉善", birthplace="浙江青山",
        current_post_title="城关镇党委委员、党政办主任", professional_title="经济师",
        specialty="基层党建、乡镇财政",
    )  # fmt: skip
    return equip(admin, cadre)


def pdf_pages(data: bytes, tmp_path: Path) -> int:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    found = re.search(r"^Pages:\s+(\d+)", info.stdout, re.M)
    assert found, info.stdout
    return int(found.group(1))


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return out.stdout


def pdf_png(data: bytes, tmp_path: Path, dpi: int = 50) -> list[Path]:
    """Every page as PNG: poppler must be able to rasterise the file."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", str(path), str(tmp_path / "page")], check=True
    )
    pages = sorted(tmp_path.glob("page*.png"))
    for png in pages:
        with Image.open(png) as img:
            assert img.width > 0 and img.height > img.width  # portrait A4
    return pages
