"""终止 / 撤回 on the case page: a confirm page with the kind and a reason;
the case page and the 纪实 show it; no step form afterwards (decision 0068)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from tests.conftest import make_user
from tests.web import test_cases_pages as pages
from tests.web.helpers import page_text
from tests.web.test_cases_pages import MOTION, detail_url, open_case, step_url
from xuanren.access.models import Role
from xuanren.journal.models import Event, EventType
from xuanren.procedure.models import Case, CaseStatus, CaseStep

pytestmark = pytest.mark.django_db

committee = pages.committee


@pytest.fixture
def case(personas: Any, county: Any, committee: Any) -> Case:
    return open_case(personas, county, committee)


def url(case: Case) -> str:
    return reverse("web:case_terminate", args=[case.pk])


def test_terminate_from_the_case_page(client: Any, personas: Any, case: Case) -> None:
    client.force_login(personas.case_officer)
    assert client.post(step_url(case), MOTION).status_code == 302
    assert url(case) in client.get(detail_url(case)).content.decode()
    page = client.get(url(case))
    assert page.status_code == 200 and "选任方案" in page_text(page)
    response = client.post(url(case), {"kind": "terminate", "reason": ""})
    assert response.status_code == 422 and "请写明终止或撤回的理由。" in page_text(response)
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    response = client.post(url(case), {"kind": "terminate", "reason": "职位调整，不再选任。"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.ABANDONED and case.ended_at_step == "plan"
    text = page_text(client.get(detail_url(case)))
    assert "本事项已终止" in text and "职位调整，不再选任。" in text and "选任方案" in text
    html = client.get(detail_url(case)).content.decode()
    assert 'name="step"' not in html and url(case) not in html
    record = page_text(client.get(reverse("web:case_record", args=[case.pk])))
    assert "终止（撤回）" in record and "职位调整，不再选任。" in record
    # Ended once: the page says so and nothing changes.
    response = client.post(url(case), {"kind": "withdraw", "reason": "再次"})
    assert response.status_code == 409 and "已终止" in page_text(response)
    assert Event.objects.filter(event_type=EventType.CASE_TERMINATED).count() == 1
    assert not Event.objects.filter(event_type=EventType.CASE_WITHDRAWN).exists()
    assert CaseStep.objects.filter(case=case).count() == 1


def test_withdraw(client: Any, personas: Any, case: Case) -> None:
    client.force_login(personas.case_officer)
    response = client.post(url(case), {"kind": "withdraw", "reason": "立项有误"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN
    assert "本事项已撤回" in page_text(client.get(detail_url(case)))


def test_scope_404_and_permission_403(client: Any, personas: Any, county: Any, case: Case) -> None:
    client.force_login(make_user("officer_shiqiao", Role.CASE_OFFICER, county.other_town))
    assert client.get(url(case)).status_code == 404
    assert client.post(url(case), {"kind": "terminate", "reason": "x"}).status_code == 404
    client.force_login(personas.committee_member)
    assert url(case) not in client.get(detail_url(case)).content.decode()
    assert client.get(url(case)).status_code == 403
    assert client.post(url(case), {"kind": "terminate", "reason": "x"}).status_code == 403
    client.force_login(personas.outsider)
    assert client.post(url(case), {"kind": "terminate", "reason": "x"}).status_code == 403
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN and case.ended_at is None
    assert not Event.objects.filter(event_type=EventType.CASE_TERMINATED).exists()


def test_the_confirm_page_names_the_meetings_that_end_with_the_case(
    client: Any, personas: Any, county: Any, admin: Any, make_cadre: Any
) -> None:
    """Decision 0077: the case's meetings being set up or voting are listed
    before the officer confirms, and abandoned with the case."""
    from tests.procedure.test_case_termination import _case_with_meetings
    from xuanren.ballots.models import MeetingStatus

    case, decision, evaluation, _codes, _marks = _case_with_meetings(
        personas, county, admin, make_cadre
    )
    client.force_login(personas.case_officer)
    text = page_text(client.get(url(case)))
    assert "将一并作废" in text
    assert f"{decision.title}（投票中）" in text and f"{evaluation.title}（准备中）" in text
    response = client.post(url(case), {"kind": "withdraw", "reason": "立项有误"})
    assert response.status_code == 302
    for meeting in (decision, evaluation):
        meeting.refresh_from_db()
        assert meeting.status == MeetingStatus.ABANDONED
        assert meeting.abandon_reason == "选任事项已撤回：立项有误"


ENGLISH_WORD = re.compile(r"\b(terminate|withdraw|abandoned|withdrawn|ended_\w*|end_reason)\b")


@pytest.mark.parametrize(("kind", "word"), [("terminate", "终止"), ("withdraw", "撤回")])
def test_the_record_shows_who_ended_the_case_when_how_and_why(
    client: Any, personas: Any, case: Case, kind: str, word: str, tmp_path: Any
) -> None:
    """Decision 0078: the 纪实 page, its JSON and PDF name the kind (终止 or
    撤回), who, when, the step and the reason, in Chinese."""
    from django.utils import timezone

    from tests.documents.conftest import pdf_text
    from xuanren.access.names import display_name
    from xuanren.documents.record import render_record_pdf
    from xuanren.procedure.selectors import case_record

    client.force_login(personas.case_officer)
    assert client.post(step_url(case), MOTION).status_code == 302
    response = client.post(url(case), {"kind": kind, "reason": "职位调整，不再选任。"})
    assert response.status_code == 302
    case.refresh_from_db()
    who = display_name(personas.case_officer)
    when = timezone.localtime(case.ended_at).strftime("%Y.%m.%d %H:%M:%S")
    expected = [
        {"label": "方式", "text": word},
        {"label": "经办人", "text": who},
        {"label": "时间", "text": when},
        {"label": "所在环节", "text": "选任方案"},
        {"label": "理由", "text": "职位调整，不再选任。"},
    ]

    page = client.get(reverse("web:case_record", args=[case.pk]))
    text = page_text(page)
    flat = "".join(text.split())
    head = f"终止（撤回）方式{word}经办人{who}时间{when}所在环节选任方案理由职位调整，不再选任。"
    assert head.replace(" ", "") in flat
    assert not ENGLISH_WORD.search(text)

    body = client.get(reverse("web:case_record_json", args=[case.pk])).json()
    ending = body["case"]["ending"]
    assert ending["kind"] == kind and ending["kind_display"] == word
    assert ending["ended_by"] == who and ending["step"] == "plan"
    assert ending["step_name"] == "选任方案" and ending["reason"] == "职位调整，不再选任。"
    assert ending["content"] == expected
    assert ending["ended_at"].startswith(timezone.localtime(case.ended_at).isoformat()[:19])

    pdf = " ".join(
        pdf_text(render_record_pdf(case_record(actor=personas.case_officer, pk=case.pk),
                                   timezone.now()), tmp_path).split()
    )  # fmt: skip
    for row in expected:
        assert row["text"] in pdf, row
    assert not ENGLISH_WORD.search(pdf)


def test_an_open_case_has_no_ending_in_its_record(client: Any, personas: Any, case: Case) -> None:
    client.force_login(personas.case_officer)
    body = client.get(reverse("web:case_record_json", args=[case.pk])).json()
    assert body["case"]["ending"] is None
    assert "终止（撤回）" not in page_text(client.get(reverse("web:case_record", args=[case.pk])))
