"""后备干部 test by subject (decision 0173): subjects as data on the round
(a plain sum of full marks, or weights over 0–100 scores), the total computed
and held to the pass line, the single total still taken without subjects."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.reserves.conftest import World
from xuanren.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from xuanren.journal.models import Event, EventType
from xuanren.reserves.calc import subject_total
from xuanren.reserves.models import Nominee, ReserveRound
from xuanren.reserves.selectors import round_nominees
from xuanren.reserves.services import (
    reserve_nominate,
    reserve_subjects_set,
    reserve_test_record,
)

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 6, 1)
SUM = [("政治理论", 30), ("科技知识", 20), ("法律法规", 25), ("经济管理", 25)]
WEIGHTED = [("政治理论", 40), ("法律法规", 35), ("经济管理", 25)]


def test_subject_total_sum_and_weighted_hand_computed() -> None:
    scores = {"政治理论": Decimal("27.5"), "科技知识": Decimal("12"), "法律法规": Decimal("10"),
              "经济管理": Decimal("10.5")}  # fmt: skip
    assert subject_total("sum", SUM, scores) == Decimal("60.0")
    # 80 × 40% + 71.5 × 35% + 53 × 25% = 32 + 25.025 + 13.25 = 70.275 → 70.3 (half up)
    w = {"政治理论": Decimal("80"), "法律法规": Decimal("71.5"), "经济管理": Decimal("53")}
    assert subject_total("weighted", WEIGHTED, w) == Decimal("70.3")
    # 59.9 × 40% + 60 × 35% + 60.2 × 25% = 23.96 + 21 + 15.05 = 60.01 → 60.0
    w = {"政治理论": Decimal("59.9"), "法律法规": Decimal("60"), "经济管理": Decimal("60.2")}
    assert subject_total("weighted", WEIGHTED, w) == Decimal("60.0")


def _nominee(personas: Any, w: World, cadre: Any) -> Nominee:
    return reserve_nominate(actor=personas.case_officer, round=w.round, cadre=cadre,
                            channel="organization", nominated_on=DAY)  # fmt: skip


def test_sum_of_subjects_exactly_on_the_pass_line_passes(personas: Any, world: World) -> None:
    o = personas.case_officer
    reserve_subjects_set(actor=o, round=world.round, mode="sum", subjects=SUM)
    a, b = _nominee(personas, world, world.a), _nominee(personas, world, world.b)
    reserve_test_record(actor=o, nominee=a, tested_on=DAY, subject_scores={
        "政治理论": "27.5", "科技知识": "12", "法律法规": "10", "经济管理": "10.5"})  # fmt: skip
    reserve_test_record(actor=o, nominee=b, tested_on=DAY, subject_scores={
        "政治理论": "27.4", "科技知识": "12", "法律法规": "10", "经济管理": "10.5"})  # fmt: skip
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.score, b.score) == (Decimal("60.0"), Decimal("59.9"))
    assert a.subject_scores == {"政治理论": "27.5", "科技知识": "12.0", "法律法规": "10.0",
                                "经济管理": "10.5"}  # fmt: skip
    passed = {x.nominee.pk: x.passed for x in round_nominees(actor=o, round=world.round)}
    assert passed == {a.pk: True, b.pk: False}
    event = Event.objects.filter(event_type=EventType.RESERVE_TEST_RECORDED).first()
    assert event is not None and event.payload["subject_scores"]["政治理论"] == "27.5"
    # Once a score is in, the subjects stay.
    with pytest.raises(Conflict, match="已经登记了测试成绩"):
        reserve_subjects_set(actor=o, round=world.round, mode="weighted", subjects=WEIGHTED)


def test_weighted_subjects(personas: Any, world: World) -> None:
    o = personas.case_officer
    reserve_subjects_set(actor=o, round=world.round, mode="weighted", subjects=WEIGHTED)
    a = _nominee(personas, world, world.a)
    reserve_test_record(actor=o, nominee=a, tested_on=DAY,
                        subject_scores={"政治理论": "80", "法律法规": "71.5", "经济管理": "53"})  # fmt: skip
    a.refresh_from_db()
    assert a.score == Decimal("70.3")


@pytest.mark.parametrize(
    ("scores", "total", "match"),
    [
        ({"政治理论": "31", "科技知识": "1", "法律法规": "1", "经济管理": "1"}, None, "满分 30"),
        ({"政治理论": "10", "科技知识": "1", "法律法规": "1"}, None, "经济管理"),
        (
            {"政治理论": "10", "科技知识": "1", "法律法规": "1", "经济管理": "1", "外语": "5"},
            None,
            "外语",
        ),
        (
            {"政治理论": "10.25", "科技知识": "1", "法律法规": "1", "经济管理": "1"},
            None,
            "一位小数",
        ),
        ({"政治理论": "10", "科技知识": "1", "法律法规": "1", "经济管理": "1"}, "60", "各科成绩"),
    ],
)
def test_bad_subject_scores_save_nothing(
    personas: Any, world: World, scores: dict[str, str], total: str | None, match: str
) -> None:
    o = personas.case_officer
    reserve_subjects_set(actor=o, round=world.round, mode="sum", subjects=SUM)
    a = _nominee(personas, world, world.a)
    with pytest.raises(ValidationFailed) as info:
        reserve_test_record(actor=o, nominee=a, score=total, tested_on=DAY, subject_scores=scores)
    assert match in str(info.value)
    a.refresh_from_db()
    assert a.score is None and a.subject_scores == {}


@pytest.mark.parametrize(
    ("mode", "subjects", "match"),
    [
        ("sum", [("政治理论", 50), ("法律法规", 49)], "合计为 99"),
        ("sum", [("政治理论", 50), ("政治理论", 50)], "重复"),
        ("sum", [("政治理论", 0), ("法律法规", 100)], "1 至 100"),
        ("sum", [("", 100)], "名称"),
        ("average", [("政治理论", 100)], "计分方式"),
    ],
)
def test_bad_subjects_are_refused(
    personas: Any, world: World, mode: str, subjects: list[tuple[str, int]], match: str
) -> None:
    with pytest.raises(ValidationFailed) as info:
        reserve_subjects_set(actor=personas.case_officer, round=world.round, mode=mode,
                             subjects=subjects)  # fmt: skip
    assert match in str(info.value)
    world.round.refresh_from_db()
    assert world.round.subjects == []


def test_without_subjects_the_single_total_keeps_working(personas: Any, world: World) -> None:
    o = personas.case_officer
    a = _nominee(personas, world, world.a)
    with pytest.raises(ValidationFailed, match="没有设置科目"):
        reserve_test_record(actor=o, nominee=a, score="60", tested_on=DAY,
                            subject_scores={"政治理论": "60"})  # fmt: skip
    reserve_test_record(actor=o, nominee=a, score="60", tested_on=DAY)
    a.refresh_from_db()
    assert a.score == Decimal("60.0") and a.subject_scores == {}
    # Subjects can be cleared again (none set → nothing to clear, still allowed).
    assert Event.objects.filter(event_type=EventType.RESERVE_SUBJECTS_SET).count() == 0


def test_scope_and_permission(personas: Any, world: World) -> None:
    with pytest.raises(NotFound):
        reserve_subjects_set(actor=personas.other_unit_hr, round=world.round, mode="sum",
                             subjects=SUM)  # fmt: skip
    with pytest.raises(PermissionDenied):
        reserve_subjects_set(actor=personas.discipline, round=world.round, mode="sum",
                             subjects=SUM)  # fmt: skip
    assert ReserveRound.objects.get().subjects == []


def test_the_round_page_sets_subjects_and_takes_scores_per_subject(
    personas: Any, world: World, django_assert_max_num_queries: Any
) -> None:
    c = Client()
    c.force_login(personas.case_officer)
    url = reverse("reserves:reserve_round", args=[world.round.pk])
    text = "政治理论，30\n科技知识,20\n法律法规，25\n经济管理，25"
    assert c.post(url, {"action": "subjects", "mode": "sum", "subjects": text}).status_code == 302
    bad = c.post(url, {"action": "subjects", "mode": "sum", "subjects": "政治理论，30"})
    assert bad.status_code == 422 and "合计为 30" in bad.content.decode()
    a = _nominee(personas, world, world.a)
    page = c.get(url).content.decode()
    assert "政治理论成绩（满分 30）" in page and "测试科目：" in page
    data = {"action": "test", "nominee": a.pk, "tested_on": DAY.isoformat(),
            "subject_0": "27.5", "subject_1": "12", "subject_2": "10", "subject_3": "10.5"}  # fmt: skip
    with django_assert_max_num_queries(30):
        assert c.post(url, data).status_code == 302
    a.refresh_from_db()
    assert a.score == Decimal("60.0")
    over = c.post(url, {**data, "subject_0": "31"})
    assert over.status_code == 422 and "满分 30" in over.content.decode()
    a.refresh_from_db()
    assert a.score == Decimal("60.0")


def test_the_api_takes_subject_scores(personas: Any, world: World) -> None:
    reserve_subjects_set(actor=personas.case_officer, round=world.round, mode="sum", subjects=SUM)
    a = _nominee(personas, world, world.a)
    client = Client()
    client.force_login(personas.case_officer)
    url = f"/api/v1/reserve-rounds/{world.round.pk}/nominees/{a.pk}/test"
    scores = {"政治理论": "27.5", "科技知识": "12", "法律法规": "10", "经济管理": "10.5"}
    got = client.put(url, {"tested_on": DAY.isoformat(), "subject_scores": scores},
                     content_type="application/json")  # fmt: skip
    assert got.status_code == 200, got.content
    assert got.json()["score"] in ("60.0", 60.0) and got.json()["passed"] is True
    assert got.json()["subject_scores"]["政治理论"] == "27.5"
    bad = client.put(url, {"tested_on": DAY.isoformat(), "score": "60"},
                     content_type="application/json")  # fmt: skip
    assert bad.status_code == 422


def test_the_xlsx_has_a_column_per_subject_before_the_total(personas: Any, world: World) -> None:
    import io

    from openpyxl import load_workbook

    o = personas.case_officer
    reserve_subjects_set(actor=o, round=world.round, mode="sum", subjects=SUM)
    a, _b = _nominee(personas, world, world.a), _nominee(personas, world, world.b)
    reserve_test_record(actor=o, nominee=a, tested_on=DAY, subject_scores={
        "政治理论": "27.5", "科技知识": "12", "法律法规": "10", "经济管理": "10.5"})  # fmt: skip
    client = Client()
    client.force_login(o)
    r = client.get(reverse("reserves:reserve_round_xlsx", args=[world.round.pk]))
    assert r.status_code == 200
    book = load_workbook(io.BytesIO(r.content))
    lines = [row[0] for row in book["汇总"].iter_rows(values_only=True)]
    assert (
        "测试科目：政治理论（30）、科技知识（20）、法律法规（25）、经济管理（25）；"
        "各科成绩相加（分值为该科满分）" in lines
    )
    rows = list(book["推荐人选"].iter_rows(values_only=True))
    assert list(rows[0][3:9]) == ["政治理论", "科技知识", "法律法规", "经济管理", "测试成绩",
                                  "测试结果"]  # fmt: skip
    by_name = {row[0]: row for row in rows[1:]}
    assert list(by_name[world.a.name][3:8]) == [27.5, 12, 10, 10.5, 60]  # numbers, not text
    assert list(by_name[world.b.name][3:8]) == [None] * 5  # not tested yet
