"""年度考核 pages: the list, the round (results, quota line, grade form,
weights), the score grid, the 考核登记表 with the 述职, the cadre page's
composite; scope (404/403, nothing changed) and query counts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.assessment.conftest import fill
from tests.web.helpers import page_text
from xuanren.assessment.models import AssessedCadre, AssessmentRound, Score
from xuanren.assessment.scoring import DIMENSIONS, GROUPS
from xuanren.people.models import Assessment

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_officer_opens_a_round_enters_the_grid_and_confirms(
    personas: Any, county: Any, seven: list[Any]
) -> None:
    officer = _client(personas.case_officer)
    listing = officer.get(reverse("assessment:rounds"))
    assert listing.status_code == 200 and "开展年度考核" in page_text(listing)
    made = officer.post(reverse("assessment:rounds"), {"unit": county.town.pk, "year": 2025})
    r = AssessmentRound.objects.get()
    assert made.status_code == 302 and made["Location"] == reverse("assessment:round", args=[r.pk])
    again = officer.post(reverse("assessment:rounds"), {"unit": county.town.pk, "year": 2025})
    assert again.status_code == 422 and "已经登记" in page_text(again)

    rows = list(AssessedCadre.objects.filter(round=r).order_by("pk"))
    data = {f"s_{rows[0].pk}_{g}_{d}": "91" for g in GROUPS for d in DIMENSIONS}
    data |= {f"s_{rows[1].pk}_{g}_{d}": "95.5" for g in GROUPS for d in DIMENSIONS}
    data[f"s_{rows[2].pk}_peer_virtue"] = "101"  # refused: nothing saved
    grid = reverse("assessment:round_scores", args=[r.pk])
    bad = officer.post(grid, data)
    assert bad.status_code == 422 and "0 至 100" in page_text(bad)
    assert not Score.objects.exists()
    data[f"s_{rows[2].pk}_peer_virtue"] = ""
    assert officer.post(grid, data).status_code == 302
    assert Score.objects.count() == 30

    page = officer.get(reverse("assessment:round", args=[r.pk]))
    text = page_text(page)
    assert "参加考核 7 人" in text and "最多 1 人" in text
    assert "以上 1 人在优秀名额之内" in text
    assert text.index("95.50") < text.index("91.00")  # ranked by composite
    ok = officer.post(
        reverse("assessment:round", args=[r.pk]),
        {"action": "grade", "row": rows[1].pk, "grade": "excellent"},
    )
    assert ok.status_code == 302
    refused = officer.post(
        reverse("assessment:round", args=[r.pk]),
        {"action": "grade", "row": rows[0].pk, "grade": "excellent"},
        follow=True,
    )
    assert "优秀等次最多 1 人" in page_text(refused)
    assert dict(Assessment.objects.values_list("cadre_id", "grade")) == {
        rows[1].cadre_id: "excellent"
    }
    weights = officer.post(
        reverse("assessment:round", args=[r.pk]),
        {"action": "weights", "superior": 40, "peer": 30, "public": 30, "virtue": 20,
         "ability": 20, "diligence": 15, "achievement": 30, "integrity": 15},
    )  # fmt: skip
    assert weights.status_code == 422 and "不能再修改权重" in page_text(weights)


def test_weights_form_refuses_a_sum_other_than_100(
    personas: Any, town_round: AssessmentRound
) -> None:
    officer = _client(personas.case_officer)
    response = officer.post(
        reverse("assessment:round", args=[town_round.pk]),
        {"action": "weights", "superior": 40, "peer": 30, "public": 20, "virtue": 20,
         "ability": 20, "diligence": 15, "achievement": 30, "integrity": 15},
    )  # fmt: skip
    assert response.status_code == 422 and "合计为 90%" in page_text(response)
    town_round.refresh_from_db()
    assert town_round.w_public == 30


def test_register_form_report_and_the_cadre_page(
    personas: Any, town_round: AssessmentRound, seven: list[Any]
) -> None:
    officer = _client(personas.case_officer)
    row = fill(personas.case_officer, town_round, seven[0], "88.5")
    url = reverse("assessment:assessed", args=[town_round.pk, row.pk])
    saved = officer.post(url, {"report": "一年来，本人认真履行岗位职责。"})
    assert saved.status_code == 302
    text = page_text(officer.get(url))
    assert "2025 年度考核登记表" in text and "认真履行岗位职责" in text
    assert "88.50" in text and "称职" in text
    cadre_page = page_text(officer.get(reverse("web:cadre_detail", args=[seven[0].pk])))
    assert "88.50" in cadre_page


def test_scope_404_and_reader_403_change_nothing(
    personas: Any, town_round: AssessmentRound, seven: list[Any]
) -> None:
    row = fill(personas.case_officer, town_round, seven[0], "92")
    pages = [
        reverse("assessment:round", args=[town_round.pk]),
        reverse("assessment:round_scores", args=[town_round.pk]),
        reverse("assessment:assessed", args=[town_round.pk, row.pk]),
    ]
    hr = _client(personas.other_unit_hr)  # 石桥镇: the 城关镇 round is out of scope
    for url in pages:
        assert hr.get(url).status_code == 404
    assert hr.get(reverse("assessment:rounds")).status_code == 200
    jiwei = _client(personas.discipline)  # may read, not change
    for url in pages:
        assert jiwei.get(url).status_code == 200
    assert jiwei.post(
        pages[0], {"action": "grade", "row": row.pk, "grade": "excellent"}
    ).status_code == 403  # fmt: skip
    cells = {f"s_{row.pk}_peer_virtue": "10"}
    assert jiwei.post(pages[1], cells).status_code == 403
    assert jiwei.post(pages[2], {"report": "x"}).status_code == 403
    assert hr.post(pages[1], cells).status_code == 404
    assert _client(personas.outsider).get(reverse("assessment:rounds")).status_code == 403
    row.refresh_from_db()
    assert (row.grade, row.report) == ("", "")
    assert Score.objects.get(assessed=row, group="peer", dimension="virtue").score == Decimal(92)
    assert not Assessment.objects.exists()


def test_query_counts_do_not_grow_with_the_cadres(
    personas: Any, county: Any, town_round: AssessmentRound, seven: list[Any], make_cadre: Any
) -> None:
    officer = _client(personas.case_officer)
    for c in seven[:3]:
        fill(personas.case_officer, town_round, c, "80")
    urls = [
        reverse("assessment:rounds"),
        reverse("assessment:round", args=[town_round.pk]),
        reverse("assessment:round_scores", args=[town_round.pk]),
    ]
    counts = []
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            assert officer.get(url).status_code == 200
        counts.append(len(ctx.captured_queries))
    for n in range(5):
        make_cadre(county.finance, name=f"财政{n}")
    other = _client(personas.case_officer)
    other.post(reverse("assessment:rounds"), {"unit": county.finance.pk, "year": 2025})
    bigger = AssessmentRound.objects.get(unit=county.finance)
    for c in bigger.cadres.all():
        fill(personas.case_officer, bigger, c.cadre, "85")
    urls = [
        reverse("assessment:rounds"),
        reverse("assessment:round", args=[bigger.pk]),
        reverse("assessment:round_scores", args=[bigger.pk]),
    ]
    again = []
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            assert officer.get(url).status_code == 200
        again.append(len(ctx.captured_queries))
    assert again == counts


def test_register_as_docx(personas: Any, town_round: AssessmentRound, seven: list[Any]) -> None:
    import io
    import zipfile

    from xuanren.journal.models import Event, EventType

    row = fill(personas.case_officer, town_round, seven[0], "86.25")
    url = reverse("assessment:register_docx", args=[town_round.pk, row.pk])
    response = _client(personas.discipline).get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    xml = zipfile.ZipFile(io.BytesIO(response.content)).read("word/document.xml").decode()
    assert "2025 年度考核登记表" in xml and seven[0].name in xml and "86.25" in xml
    event = Event.objects.filter(event_type=EventType.DOCUMENT_GENERATED).get()
    assert event.payload["document"] == "assessment_register"
    assert _client(personas.other_unit_hr).get(url).status_code == 404
