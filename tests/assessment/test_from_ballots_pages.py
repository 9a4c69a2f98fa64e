"""The officer's route on the pages (decision 0172): 发起测评投票 on the
round page, the meeting's console, the voter's score ballot, the result's
means, 导入测评结果; scope and bad input."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.ballots.conftest import open_electronic
from tests.web.helpers import page_text
from xuanren.assessment.models import AssessmentRound, Score
from xuanren.ballots.models import Meeting
from xuanren.ballots.services import ballot_cast, meeting_close, meeting_codes_issue

pytestmark = pytest.mark.django_db

VOTERS = "领导甲，上级领导\n干部甲,同级干部\n群众甲\t党员群众\n"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_officer_starts_the_meeting_and_imports_its_result(
    personas: Any, town_round: AssessmentRound, seven: list[Any]
) -> None:
    officer = _client(personas.case_officer)
    page = reverse("assessment:round", args=[town_round.pk])
    shown = page_text(officer.get(page))
    assert "发起测评投票" in shown and "导入测评结果" not in shown
    made = officer.post(
        page,
        {
            "action": "meeting",
            "meeting_date": "2026-12-06",
            "method": "electronic",
            "voters": VOTERS,
        },
    )
    m = Meeting.objects.get()
    assert made.status_code == 302 and made["Location"] == reverse("ballots:console", args=[m.pk])
    assert list(m.voters.order_by("id").values_list("name", "group")) == [
        ("领导甲", "上级领导"),
        ("干部甲", "同级干部"),
        ("群众甲", "党员群众"),
    ]
    assert officer.get(made["Location"]).status_code == 200
    codes = [code for _v, code in meeting_codes_issue(actor=personas.case_officer, meeting=m)]
    passphrase = open_electronic(personas.case_officer, m)
    # The voter's page gives a 0–100 field per name and dimension.
    voter = Client()
    vote = reverse("ballots:vote", args=[m.pk])
    voter.post(vote, {"action": "code", "code": codes[0]})
    ballot = voter.get(vote).content.decode()
    assert ballot.count('type="number"') == 35 and 'max="100"' in ballot
    first = str(m.items.order_by("section__order", "order").first().pk)
    confirm = voter.post(vote, {f"item-{first}": "88"}).content.decode()
    assert "确认投票" in confirm and "88" in confirm and "未评分" in confirm
    items = [str(pk) for pk in m.items.values_list("pk", flat=True)]
    for n, code in enumerate(codes):
        ballot_cast(actor=None, meeting=m, code=code, content={"marks": {items[0]: str(80 + n)}})
    meeting_close(actor=personas.case_officer, meeting=m, passphrase=passphrase)
    result = officer.get(reverse("ballots:result", args=[m.pk]))
    assert result.status_code == 200 and "80.00" in page_text(result)
    assert "导入测评结果" in page_text(officer.get(page))
    imported = officer.post(page, {"action": "import"})
    assert imported.status_code == 302
    assert sorted(Score.objects.values_list("group", "score")) == [
        ("peer", 81),
        ("public", 82),
        ("superior", 80),
    ]
    again = officer.post(page, {"action": "import"})
    assert again.status_code == 422 and "已经导入" in page_text(again)


@pytest.mark.parametrize(
    "data",
    [
        {"meeting_date": "2026-12-06", "voters": "某人，职工群众"},
        {"meeting_date": "明天", "voters": VOTERS},
        {"meeting_date": "2026-12-06", "voters": ""},
        {"meeting_date": "2026-12-06", "voters": VOTERS, "method": "<script>"},
        {"meeting_date": "2026-12-06", "voters": VOTERS, "method": "paper", "sheet_count": "0"},
    ],
)
def test_bad_input_is_422_and_saves_nothing(
    personas: Any, town_round: AssessmentRound, seven: list[Any], data: dict[str, str]
) -> None:
    officer = _client(personas.case_officer)
    got = officer.post(
        reverse("assessment:round", args=[town_round.pk]), {"action": "meeting", **data}
    )
    assert got.status_code == 422
    assert not Meeting.objects.exists()


def test_out_of_scope_404_and_reader_403(
    personas: Any, town_round: AssessmentRound, seven: list[Any]
) -> None:
    page = reverse("assessment:round", args=[town_round.pk])
    data = {"action": "meeting", "meeting_date": "2026-12-06", "voters": VOTERS}
    assert _client(personas.other_unit_hr).post(page, data).status_code == 404
    assert _client(personas.discipline).post(page, data).status_code == 403
    assert _client(personas.discipline).post(page, {"action": "import"}).status_code == 403
    assert not Meeting.objects.exists()
