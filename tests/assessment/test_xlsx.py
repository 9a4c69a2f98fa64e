"""年度考核 XLSX (issue 15, decisions 0169–0170): the results export (content
by hand, formula text kept as text, scope 404), the score-grid template and
its import (pass, every cell's error, blank, extra column, wrong sheet,
oversize, a confirmed cadre), on the page and the API, with query counts."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from tests.assessment.conftest import fill
from tests.conftest import make_user
from tests.web.helpers import page_text
from xuanren.access.models import AccessRecord, Role
from xuanren.assessment.grid import SHEET, grid_import
from xuanren.assessment.models import AssessedCadre, AssessmentRound, Score
from xuanren.assessment.services import grade_confirm
from xuanren.common.errors import NotFound, PermissionDenied
from xuanren.common.grid import GridImportFailed
from xuanren.common.uploads import UploadTooLarge
from xuanren.people.models import Cadre

pytestmark = pytest.mark.django_db
API = "/api/v1"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _book(content: bytes) -> Any:
    return load_workbook(io.BytesIO(content))


def _rows(ws: Any) -> list[list[Any]]:
    return [list(r) for r in ws.iter_rows(values_only=True)]


def _workbook(rows: list[list[Any]], title: str = SHEET) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _template(client: Client, r: AssessmentRound) -> list[list[Any]]:
    got = client.get(reverse("assessment:grid_template", args=[r.pk]))
    assert got.status_code == 200
    return _rows(_book(got.content)[SHEET])


# ---- the results export ------------------------------------------------------------------


def test_results_export_by_hand(personas: Any, town_round: AssessmentRound, seven: Any) -> None:
    officer = personas.case_officer
    fill(officer, town_round, seven[0], "91")
    fill(officer, town_round, seven[1], "95.5")
    # 张敏: 上级领导 80 on every dimension, peers 70, the public 60; weights
    # 40/30/30 (settings) → 0.4×80 + 0.3×70 + 0.3×60 = 71.00, 基本称职 (60–75).
    row = AssessedCadre.objects.get(round=town_round, cadre=seven[2])
    from xuanren.assessment.scoring import DIMENSIONS
    from xuanren.assessment.services import ScoreEntry, scores_record

    scores_record(
        actor=officer,
        round=town_round,
        entries=[
            ScoreEntry(row.pk, g, d, Decimal(v))
            for g, v in (("superior", "80"), ("peer", "70"), ("public", "60"))
            for d in DIMENSIONS
        ],
    )
    town_round.refresh_from_db()
    assert (town_round.w_superior, town_round.w_peer, town_round.w_public) == (40, 30, 30)
    Cadre.objects.filter(pk=seven[1].pk).update(name="=HYPERLINK(1)")
    got = _client(officer).get(reverse("assessment:round_xlsx", args=[town_round.pk]))
    assert got.status_code == 200
    assert got["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = _book(got.content)["考核结果"]
    rows = _rows(ws)
    assert rows[0][0] == "城关镇2025 年度考核"
    header = rows[2]
    assert header[:4] == ["名次", "姓名", "职务", "上级领导·德"]
    assert header[-6:] == ["上级领导评分", "同级干部评分", "党员群众评分", "综合得分",
                           "按分数线等次", "确定等次"]  # fmt: skip
    first, second, third = rows[3], rows[4], rows[5]
    assert first[0] == 1 and first[1] == "=HYPERLINK(1)" and first[-3:] == [95.5, "优秀", None]
    assert ws.cell(row=4, column=2).data_type == "s"  # text, not a formula
    assert second[1] == "王芳" and second[-3] == 91 and second[-2] == "优秀"
    assert third[1] == "张敏" and third[-6:-3] == [80, 70, 60]
    assert third[-3] == 71 and third[-2] == "基本称职"
    assert third[3:8] == [80] * 5 and third[8:13] == [70] * 5
    assert [r[1] for r in rows[6:]] == ["刘洋", "陈静", "杨帆", "赵磊"]
    assert all(r[0] is None and r[-3] is None for r in rows[6:])
    assert AccessRecord.objects.filter(detail__export="assessment_round").count() == 1
    api = _client(officer).get(f"{API}/assessments/{town_round.pk}/export.xlsx")
    assert api.status_code == 200 and _rows(_book(api.content)["考核结果"])[3][-3] == 95.5


def test_results_export_scope(personas: Any, town_round: AssessmentRound) -> None:
    url = reverse("assessment:round_xlsx", args=[town_round.pk])
    assert _client(personas.other_unit_hr).get(url).status_code == 404
    assert _client(personas.committee_member).get(url).status_code == 403
    api = _client(personas.other_unit_hr).get(f"{API}/assessments/{town_round.pk}/export.xlsx")
    assert api.status_code == 404
    assert not AccessRecord.objects.filter(detail__export="assessment_round").exists()


def test_results_export_queries(
    personas: Any, town_round: AssessmentRound, django_assert_max_num_queries: Any
) -> None:
    client = _client(personas.case_officer)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("assessment:round_xlsx", args=[town_round.pk])).status_code == 200


# ---- the grid -------------------------------------------------------------------------------


def test_template_then_import_round_trip(
    personas: Any, town_round: AssessmentRound, seven: Any
) -> None:
    officer = _client(personas.case_officer)
    fill(personas.case_officer, town_round, seven[0], "88")
    rows = _template(officer, town_round)
    assert rows[0][:5] == ["编号", "姓名", "职务", "等次", "上级领导·德"]
    assert len(rows[0]) == 4 + 15 and len(rows) == 1 + 7
    assert rows[1][1] == "王芳" and rows[1][4:] == [88] * 15 and rows[2][4:] == [None] * 15
    rows[2][4:] = [90] * 15  # 李强 all 90
    rows[3][4] = 77.25  # 张敏 上级领导·德 only
    rows[1][5] = None  # blank: 王芳's 上级领导·能 stays 88
    upload = SimpleUploadedFile("评分.xlsx", _workbook(rows))
    done = officer.post(reverse("assessment:grid_upload", args=[town_round.pk]), {"file": upload})
    assert done.status_code == 302
    scores = {
        (s.assessed.cadre.name, s.group, s.dimension): s.score
        for s in Score.objects.select_related("assessed__cadre")
    }
    assert len(scores) == 15 + 15 + 1
    assert scores[("王芳", "superior", "ability")] == Decimal("88.00")
    assert scores[("李强", "public", "integrity")] == Decimal("90.00")
    assert scores[("张敏", "superior", "virtue")] == Decimal("77.25")


def test_every_bad_cell_listed_nothing_saved(
    personas: Any, town_round: AssessmentRound, seven: Any
) -> None:
    officer = _client(personas.case_officer)
    rows = _template(officer, town_round)
    rows[1][4] = 100.01  # out of range
    rows[1][5] = "九十"  # not a number
    rows[2][4] = 88.123  # three decimals
    rows[2][6] = 100  # on the line: fine
    rows[3][4] = -0.5
    rows[4][1] = "李四"  # the name does not match the id
    rows[5][0] = 999999  # not on the sheet
    rows[6] = [*rows[6], "多出来"]  # data under no header
    upload = SimpleUploadedFile("评分.xlsx", _workbook(rows))
    bad = officer.post(reverse("assessment:grid_upload", args=[town_round.pk]), {"file": upload})
    assert bad.status_code == 422
    text = page_text(bad)
    assert "7 处错误" in text and "未保存任何评分" in text
    for cell, words in (("E2", "超出范围"), ("F2", "不是数字"), ("E3", "最多保留 2 位小数"),
                        ("E4", "超出范围"), ("B5", "李四"), ("A6", "999999"), ("T7", "没有列名")):  # fmt: skip
        assert f"{cell}" in text and words in text
    assert not Score.objects.exists()


def test_header_problems_and_wrong_sheet(personas: Any, town_round: AssessmentRound) -> None:
    actor = personas.case_officer
    rows = [["编号", "姓名", "上级领导·德", "上级领导·德", "评委甲·德"]]
    with pytest.raises(GridImportFailed) as caught:
        grid_import(actor=actor, round=town_round, content=_workbook(rows))
    assert [(e.cell, "重复" in e.message or "不是模板中的列" in e.message)
            for e in caught.value.cells] == [("D1", True), ("E1", True)]  # fmt: skip
    with pytest.raises(GridImportFailed) as caught:
        grid_import(actor=actor, round=town_round, content=_workbook([["姓名", "上级领导·德"]]))
    assert "缺少“编号”列" in caught.value.cells[0].message
    from xuanren.common.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as wrong:
        grid_import(actor=actor, round=town_round, content=_workbook([["编号"]], title="Sheet1"))
    assert "没有“考核评分”工作表" in wrong.value.message and "Sheet1" in wrong.value.message
    with pytest.raises(ValidationFailed) as empty:
        rows = [["编号", "姓名"]]
        grid_import(actor=actor, round=town_round, content=_workbook(rows))
    assert "没有填写任何得分" in empty.value.message


def test_oversize_refused_before_reading(
    personas: Any, town_round: AssessmentRound, settings: Any
) -> None:
    settings.XUANREN_XLSX_MAX_UPLOAD_BYTES = 1000
    officer = _client(personas.case_officer)
    upload = SimpleUploadedFile("big.xlsx", b"PK\x03\x04" + b"x" * 2000)
    got = officer.post(reverse("assessment:grid_upload", args=[town_round.pk]), {"file": upload})
    assert got.status_code == 413 and "超过上限" in page_text(got)
    with pytest.raises(UploadTooLarge):
        grid_import(actor=personas.case_officer, round=town_round, content=b"x" * 1001)
    api = officer.post(
        f"{API}/assessments/{town_round.pk}/grid",
        {"file": SimpleUploadedFile("big.xlsx", b"x" * 1001)},
    )
    assert api.status_code == 413 and api.json()["code"] == "upload_too_large"


def test_permission_before_parsing(personas: Any, town_round: AssessmentRound) -> None:
    """Garbage that would fail to parse: the refusal is the permission's."""
    garbage = b"not a workbook"
    with pytest.raises(NotFound):
        grid_import(actor=personas.other_unit_hr, round=town_round, content=garbage)
    with pytest.raises(PermissionDenied):
        grid_import(actor=personas.discipline, round=town_round, content=garbage)
    url = reverse("assessment:grid_upload", args=[town_round.pk])
    upload = SimpleUploadedFile("x.xlsx", garbage)
    assert _client(personas.other_unit_hr).post(url, {"file": upload}).status_code == 404
    assert _client(personas.discipline).get(url).status_code == 403
    template = reverse("assessment:grid_template", args=[town_round.pk])
    assert _client(personas.discipline).get(template).status_code == 403
    assert _client(personas.other_unit_hr).get(template).status_code == 404
    api = _client(personas.discipline).post(
        f"{API}/assessments/{town_round.pk}/grid", {"file": SimpleUploadedFile("x.xlsx", garbage)}
    )
    assert api.status_code == 403
    assert not Score.objects.exists()


def test_confirmed_cadre_is_locked(personas: Any, town_round: AssessmentRound, seven: Any) -> None:
    actor = personas.case_officer
    row = fill(actor, town_round, seven[0], "80")
    grade_confirm(actor=actor, assessed=row, grade="competent")
    client = _client(actor)
    rows = _template(client, town_round)
    assert rows[1][3] == "已确定"
    same = _workbook(rows)  # unchanged scores of the confirmed cadre pass
    rows[2][4:] = [70] * 15
    assert grid_import(actor=actor, round=town_round, content=_workbook(rows)) == 30
    rows[1][4] = 81  # a change to the confirmed cadre: refused, nothing saved
    rows[3][4:] = [60] * 15
    api = client.post(
        f"{API}/assessments/{town_round.pk}/grid",
        {"file": SimpleUploadedFile("x.xlsx", _workbook(rows))},
    )
    assert api.status_code == 422
    body = api.json()
    assert [c["cell"] for c in body["cells"]] == ["E2"]
    assert "等次已经确定" in body["cells"][0]["message"]
    assert not Score.objects.filter(assessed__cadre=seven[2]).exists()
    assert Score.objects.get(assessed=row, group="superior", dimension="virtue").score == 80
    assert grid_import(actor=actor, round=town_round, content=same) == 15


def test_import_queries(
    personas: Any, county: Any, make_cadre: Any, clock: Any, django_assert_max_num_queries: Any
) -> None:
    """The same statements for 7 or 40 cadres (600 cells)."""
    from tests.assessment.conftest import TODAY
    from xuanren.assessment.services import round_create

    clock.day = TODAY
    for i in range(40):
        make_cadre(county.town, name=f"干部{i}")
    r = round_create(actor=personas.case_officer, unit=county.town, year=2025)
    client = _client(personas.case_officer)
    rows = _template(client, r)
    for row in rows[1:]:
        row[4:] = [85] * 15
    content = _workbook(rows)
    with CaptureQueriesContext(connection) as ctx:
        assert grid_import(actor=personas.case_officer, round=r, content=content) == 600
    assert len(ctx.captured_queries) <= 20, [q["sql"][:80] for q in ctx.captured_queries]
    assert Score.objects.count() == 600
    with django_assert_max_num_queries(12):
        assert client.get(reverse("assessment:grid_template", args=[r.pk])).status_code == 200
    # one scoped user at another town cannot import
    other = make_user("officer2", Role.CASE_OFFICER, county.other_town)
    with pytest.raises(NotFound):
        grid_import(actor=other, round=r, content=content)
