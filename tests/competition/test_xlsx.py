"""竞聘评分 XLSX (issue 15, decisions 0169–0170): the result sheet and every
judge's score (by hand, formula text kept as text, scope), the grid template
and its import (pass, bad cells, extra column, locked after the sign-off,
permission before parsing), page and API, query counts."""

from __future__ import annotations

import io
from decimal import Decimal as D
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from tests.competition.conftest import SHEETS, Setup
from tests.conftest import make_user
from tests.web.helpers import page_text
from xuanren.access.models import AccessRecord, Role
from xuanren.common.errors import Conflict, NotFound, PermissionDenied
from xuanren.common.grid import GridImportFailed
from xuanren.competition.grid import SHEET, grid_import
from xuanren.competition.models import PanelMember, Score
from xuanren.competition.selectors import sheet_of
from xuanren.competition.services import competition_sign_off
from xuanren.people.models import Cadre

pytestmark = pytest.mark.django_db
API = "/api/v1"
KINDS = ["笔试", "管理情景模拟测试", "无领导小组讨论", "竞岗演说及答辩"]


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


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


def _template(client: Client, setup: Setup) -> list[list[Any]]:
    got = client.get(reverse("competition:grid_template", args=[setup.competition.pk]))
    assert got.status_code == 200
    return _rows(load_workbook(io.BytesIO(got.content))[SHEET])


def test_result_export_by_hand(scored: Setup, personas: Any) -> None:
    Cadre.objects.filter(pk=scored.candidates["乙"].cadre_id).update(name="=1+2")
    PanelMember.objects.filter(pk=scored.judges[1].pk).update(name="@SUM(A1)")
    got = _client(personas.case_officer).get(
        reverse("competition:result_xlsx", args=[scored.competition.pk])
    )
    assert got.status_code == 200
    book = load_workbook(io.BytesIO(got.content))
    result = _rows(book["评分结果"])
    assert "尚未经竞聘监督小组签字确认" in result[1][0]
    assert result[2] == ["竞聘职位", "名次", "姓名", *KINDS, "综合成绩", "并列"]
    post = result[3][0]
    assert post and all(r[0] == post for r in result[3:])
    # hand-computed in tests/competition/test_services.py (three judges: no trimming)
    assert result[3][1:] == [1, "甲", 85.17, 78, 90.33, 88.5, 85.34, None]
    assert result[4][1:3] == [2, "=1+2"] and result[4][-2] == 83.25
    assert book["评分结果"].cell(row=5, column=3).data_type == "s"
    assert result[5][1:3] == [3, "丙"] and result[5][-2] == 83.25
    assert result[6][1:3] == [4, "丁"] and result[6][-2] == 63.75
    detail = _rows(book["评委评分明细"])
    assert detail[0] == ["竞聘职位", "姓名", "测试项目", "评委", "评分"]
    assert len(detail) == 1 + 4 * 4 * 3
    assert [r[1:] for r in detail[1:4]] == [
        ["甲", "笔试", "评委一", 80], ["甲", "笔试", "@SUM(A1)", 85], ["甲", "笔试", "评委三", 90.5]]  # fmt: skip
    assert book["评委评分明细"].cell(row=3, column=4).data_type == "s"
    assert detail[4][1:] == ["甲", "管理情景模拟测试", "评委一", 78]
    assert AccessRecord.objects.filter(detail__export="competition_result").count() == 1
    api = _client(personas.case_officer).get(
        f"{API}/competitions/{scored.competition.pk}/result.xlsx"
    )
    assert api.status_code == 200


def test_result_export_scope_and_queries(
    scored: Setup, personas: Any, county: Any, django_assert_max_num_queries: Any
) -> None:
    url = reverse("competition:result_xlsx", args=[scored.competition.pk])
    elsewhere = make_user("officer2", Role.CASE_OFFICER, county.other_town)
    assert _client(elsewhere).get(url).status_code == 404
    assert _client(personas.other_unit_hr).get(url).status_code == 403
    api = f"{API}/competitions/{scored.competition.pk}/result.xlsx"
    assert _client(elsewhere).get(api).status_code == 404
    assert not AccessRecord.objects.filter(detail__export="competition_result").exists()
    client = _client(personas.committee_member)  # a reader may export
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200


def test_template_and_import_fill_the_sheet(setup: Setup, personas: Any) -> None:
    client = _client(personas.case_officer)
    rows = _template(client, setup)
    headers = [f"{j}·{k}" for j in ("评委一", "评委二", "评委三") for k in KINDS]
    assert rows[0] == ["编号", "姓名", "竞聘职位", *headers]
    assert sorted(r[1] for r in rows[1:]) == sorted(["甲", "乙", "丙", "丁"])
    for row in rows[1:]:
        row[3:] = [
            float(v) for sheet in SHEETS for v in sheet[row[1]]
        ]  # judge by judge, the four sub-tests each
    upload = SimpleUploadedFile("评分.xlsx", _workbook(rows))
    url = reverse("competition:grid_upload", args=[setup.competition.pk])
    done = client.post(url, {"file": upload})
    assert done.status_code == 302, page_text(done)
    assert Score.objects.count() == 48
    sheet = sheet_of(setup.competition)
    by = {r.name: r for r in sheet.posts[0][1]}
    assert by["甲"].composite == D("85.34") and by["丁"].composite == D("63.75")
    assert sheet.complete


def test_bad_cells_extra_column_nothing_saved(setup: Setup, personas: Any) -> None:
    actor = personas.case_officer
    rows = _template(_client(actor), setup)
    rows[1][3] = 101
    rows[1][4] = 85.55  # one decimal at most
    rows[2][5] = "缺考"
    rows[3][6] = 0  # 0 is a score
    rows[4][7] = 100
    with pytest.raises(GridImportFailed) as caught:
        grid_import(actor=actor, competition=setup.competition, content=_workbook(rows))
    assert [(e.cell, e.message.split("：", 1)[1][:6]) for e in caught.value.cells] == [
        ("D2", "得分 101"), ("E2", "得分 85."), ("F3", "“缺考”不是")]  # fmt: skip
    assert "最多保留 1 位小数" in caught.value.cells[1].message
    rows = _template(_client(actor), setup)
    rows[0].append("评委四·笔试")
    with pytest.raises(GridImportFailed) as caught:
        grid_import(actor=actor, competition=setup.competition, content=_workbook(rows))
    assert caught.value.cells[0].cell == "P1" and "不是模板中的列" in caught.value.cells[0].message
    api = _client(actor).post(
        f"{API}/competitions/{setup.competition.pk}/grid",
        {"file": SimpleUploadedFile("x.xlsx", _workbook(rows))},
    )
    assert api.status_code == 422 and api.json()["cells"][0]["cell"] == "P1"
    assert not Score.objects.exists()


def test_locked_after_sign_off(scored: Setup, personas: Any) -> None:
    actor = personas.case_officer
    competition_sign_off(actor=actor, competition=scored.competition)
    before = list(Score.objects.values_list("pk", "value"))
    with pytest.raises(Conflict):
        grid_import(actor=actor, competition=scored.competition, content=b"not even a workbook")
    rows = _template(_client(actor), scored)
    rows[1][3] = 99
    url = reverse("competition:grid_upload", args=[scored.competition.pk])
    page = _client(actor).post(url, {"file": SimpleUploadedFile("x.xlsx", _workbook(rows))})
    assert page.status_code == 409 and "已锁定" in page_text(page)
    api = _client(actor).post(
        f"{API}/competitions/{scored.competition.pk}/grid",
        {"file": SimpleUploadedFile("x.xlsx", _workbook(rows))},
    )
    assert api.status_code == 409
    assert list(Score.objects.values_list("pk", "value")) == before


def test_permission_before_parsing(setup: Setup, personas: Any, county: Any) -> None:
    garbage = b"not a workbook"
    elsewhere = make_user("officer2", Role.CASE_OFFICER, county.other_town)
    with pytest.raises(NotFound):
        grid_import(actor=elsewhere, competition=setup.competition, content=garbage)
    with pytest.raises(PermissionDenied):
        grid_import(actor=personas.committee_member, competition=setup.competition, content=garbage)
    url = reverse("competition:grid_upload", args=[setup.competition.pk])
    assert _client(personas.committee_member).get(url).status_code == 403
    posted = _client(elsewhere).post(url, {"file": SimpleUploadedFile("x.xlsx", garbage)})
    assert posted.status_code == 404
    template = reverse("competition:grid_template", args=[setup.competition.pk])
    assert _client(personas.committee_member).get(template).status_code == 403
    assert not Score.objects.exists()


def test_oversize(setup: Setup, personas: Any, settings: Any) -> None:
    settings.XUANREN_XLSX_MAX_UPLOAD_BYTES = 1000
    api = _client(personas.case_officer).post(
        f"{API}/competitions/{setup.competition.pk}/grid",
        {"file": SimpleUploadedFile("big.xlsx", b"PK\x03\x04" + b"x" * 2000)},
    )
    assert api.status_code == 413 and not Score.objects.exists()


def test_import_queries(setup: Setup, personas: Any) -> None:
    actor = personas.case_officer
    rows = _template(_client(actor), setup)
    for row in rows[1:]:
        row[3:] = [80] * 12
    with CaptureQueriesContext(connection) as ctx:
        assert (
            grid_import(actor=actor, competition=setup.competition, content=_workbook(rows)) == 48
        )
    # the reads, then per judge (3) the service's savepoint, lock, reads and
    # journal event, and one insert per new cell (scores_enter's own shape)
    assert len(ctx.captured_queries) <= 12 + 3 * 12 + 48, len(ctx.captured_queries)
