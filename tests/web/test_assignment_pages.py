"""The roles' pages: the team panel on the case page, the team's inspection
page, the commission's answer page; Chinese only, exact refusals."""

# ruff: noqa: F811  (fixtures imported from the procedure tests)
from __future__ import annotations

import re
from typing import Any

from django.test import Client
from django.urls import reverse

from tests.conftest import make_user
from tests.procedure.conftest import committee  # noqa: F401  (fixture)
from tests.procedure.test_decision_stage import INTEGRITY_ON, MEETING, REQUESTED, open_at_integrity
from tests.procedure.test_selection import (  # noqa: F401  (fixtures)
    at_candidates,
    at_inspection,
    at_recommendation,
    people,
)
from xuanren.access.models import Role
from xuanren.common.dates import today
from xuanren.procedure.assignments import integrity_request_send
from xuanren.procedure.models import CaseStep, InspectionTeamMember

ENGLISH_KEY = re.compile(
    r"\b(team|signed_by|inspection_team|discipline_commission|audit_office|concerns|veto)\b"
)


def login(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def visible(response: Any) -> str:
    text = response.content.decode()
    text = re.sub(r"<[^>]+>", " ", text)
    return text


def test_officer_assigns_and_the_member_signs_from_the_case_page(at_inspection, personas):
    case = at_inspection
    inspector = make_user("inspector", Role.INSPECTION_TEAM, None)
    inspector.first_name, inspector.last_name = "立明", "张"
    inspector.save()
    officer = login(personas.case_officer)
    page = officer.get(reverse("web:case_detail", args=[case.pk]))
    assert page.status_code == 200
    assert "指派考察组成员" in page.content.decode()
    r = officer.post(reverse("web:team_add", args=[case.pk]),
                     {"team-user": inspector.pk, "team-is_leader": "on", "team-duty": "副部长"})  # fmt: skip
    assert r.status_code == 302
    assert InspectionTeamMember.objects.filter(case=case, user=inspector, is_leader=True).exists()
    # The team is listed by real names, surname first.
    team = visible(officer.get(reverse("web:case_detail", args=[case.pk])))
    assert "张立明" in team and "立明 张" not in team

    member = login(inspector)
    page = member.get(reverse("web:case_detail", args=[case.pk]))
    assert page.status_code == 200
    text = visible(page)
    assert "在考察材料上署名" in text and "上传考察材料" in text
    assert not ENGLISH_KEY.search(text), ENGLISH_KEY.search(text)
    # The member may not assign (403), nothing changes.
    r = member.post(reverse("web:team_add", args=[case.pk]), {"team-user": inspector.pk})
    assert InspectionTeamMember.objects.filter(case=case).count() == 1
    page = member.get(reverse("web:inspection_record", args=[case.pk]))
    assert page.status_code == 200
    # An inspector off the team: 404 on every page of the case.
    other = login(make_user("inspector2", Role.INSPECTION_TEAM, None))
    assert other.get(reverse("web:case_detail", args=[case.pk])).status_code == 404
    assert other.get(reverse("web:inspection_record", args=[case.pk])).status_code == 404
    assert other.post(reverse("web:team_sign", args=[case.pk])).status_code == 404
    # A committee member reads the case but cannot record the inspection: 403.
    assert (
        login(personas.committee_member)
        .get(reverse("web:inspection_record", args=[case.pk]))
        .status_code
        == 403
    )


def test_the_commission_answers_on_its_page(personas, county, committee, make_cadre):
    run = open_at_integrity(personas, county, committee, [(county.town_deputy, 1)])
    a = run.inspect(make_cadre(county.town, name="甲"), county.town_deputy)
    request = integrity_request_send(
        actor=personas.case_officer, case=run.case, document="青组函〔2026〕21号",
        sent_on=REQUESTED, meeting_date=MEETING,
    )  # fmt: skip
    jiwei = login(personas.discipline)
    todo = jiwei.get(reverse("web:todo"))
    assert todo.status_code == 200
    url = reverse("web:integrity_answer", args=[request.pk])
    page = jiwei.get(url)
    assert page.status_code == 200
    text = visible(page)
    assert "甲" in text and "否决" in text
    assert not ENGLISH_KEY.search(text)
    # The date picker shows today: an ISO value, which is all <input type=date> reads.
    assert re.search(
        r'<input type="date" name="returned_on" value="' + today().isoformat() + '"',
        page.content.decode(),
    )
    r = jiwei.post(url, {f"answer_{a.pk}": "veto", f"reason_{a.pk}": "",
                         "returned_on": INTEGRITY_ON.isoformat()})  # fmt: skip
    assert r.status_code == 409 and "须写明理由" in r.content.decode()
    assert not CaseStep.objects.filter(case=run.case, step="integrity_opinion").exists()
    # The committee member may read, not answer.
    assert login(personas.committee_member).get(url).status_code == 403
    r = jiwei.post(url, {f"answer_{a.pk}": "clear", "returned_on": INTEGRITY_ON.isoformat(),
                         "document": "青纪函〔2026〕8号"})  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:2000]
    assert (
        CaseStep.objects.get(case=run.case, step="integrity_opinion").completed_by
        == personas.discipline
    )


def _current_step_text(response: Any) -> str:
    html = response.content.decode()
    start = html.index('class="step step-current"')
    end = html.find('<li class="step ', start)
    return re.sub(r"<[^>]+>", " ", html[start : end if end > 0 else html.index("</ol>", start)])


def test_the_case_page_sends_the_step_owner_to_their_page(at_inspection, personas):
    """A team member at 考察 is told the step is theirs, with the link to the
    inspection page; a reader who is not the owner is told which role does
    it. Neither sees the step form; posting it stays 403."""
    case = at_inspection
    inspector = make_user("inspector", Role.INSPECTION_TEAM, None)
    from xuanren.procedure.assignments import inspection_team_member_add

    inspection_team_member_add(actor=personas.case_officer, case=case, user=inspector)
    detail = reverse("web:case_detail", args=[case.pk])

    page = login(inspector).get(detail)
    assert page.status_code == 200
    current = _current_step_text(page)
    assert "本环节由您办理。" in current
    assert "记录考察情况并完成“考察”环节" in current
    assert f'href="{reverse("web:inspection_record", args=[case.pk])}"' in page.content.decode()
    assert 'name="step"' not in page.content.decode()
    assert "您可以查看本事项" not in current

    member = login(personas.committee_member)
    page = member.get(detail)
    assert page.status_code == 200
    current = _current_step_text(page)
    assert "本环节由考察组办理；您可以查看本事项，但不能办理本环节。" in current
    assert "本环节由您办理" not in current
    assert reverse("web:inspection_record", args=[case.pk]) not in page.content.decode()
    r = member.post(reverse("web:case_step", args=[case.pk]), {"step": "inspection"})
    assert r.status_code == 403
    assert not CaseStep.objects.filter(case=case, step="inspection").exists()

    # The officer still has the step form and no pointer.
    page = login(personas.case_officer).get(detail)
    assert 'name="step" value="inspection"' in page.content.decode()
    assert "本环节由" not in _current_step_text(page)


def test_the_commission_and_the_audit_office_are_sent_to_their_answer_pages(
    personas, county, committee, make_cadre
):
    from xuanren.procedure.assignments import audit_request_send

    run = open_at_integrity(personas, county, committee, [(county.finance_head, 1)])
    a = run.inspect(make_cadre(county.finance, name="甲"), county.finance_head)
    integrity = integrity_request_send(
        actor=personas.case_officer, case=run.case, document="青组函〔2026〕21号",
        sent_on=REQUESTED, meeting_date=MEETING,
    )  # fmt: skip
    audit_req = audit_request_send(
        actor=personas.case_officer, case=run.case, document="青组审〔2026〕3号", sent_on=REQUESTED
    )
    audit = make_user("audit", Role.AUDIT_OFFICE, county.root)
    detail = reverse("web:case_detail", args=[run.case.pk])

    page = login(personas.discipline).get(detail)
    assert page.status_code == 200
    current = _current_step_text(page)
    assert "本环节由您办理。" in current and "答复廉政意见" in current
    assert f'href="{reverse("web:integrity_answer", args=[integrity.pk])}"' in page.content.decode()
    assert not ENGLISH_KEY.search(visible(page))

    # The audit office reads the case (its request) but 廉政意见 is not its step.
    page = login(audit).get(detail)
    assert page.status_code == 200
    current = _current_step_text(page)
    assert "本环节由纪委监委办理；您可以查看本事项，但不能办理本环节。" in current
    assert reverse("web:integrity_answer", args=[integrity.pk]) not in page.content.decode()

    jiwei = login(personas.discipline)
    r = jiwei.post(reverse("web:integrity_answer", args=[integrity.pk]),
                   {f"answer_{a.pk}": "clear", "returned_on": INTEGRITY_ON.isoformat()})  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:2000]
    run.case.refresh_from_db()
    assert run.case.current_step == "audit"

    page = login(audit).get(detail)
    current = _current_step_text(page)
    assert "本环节由您办理。" in current and "记录审计结论" in current
    assert f'href="{reverse("web:audit_answer", args=[audit_req.pk])}"' in page.content.decode()
    page = jiwei.get(detail)
    assert page.status_code == 200
    assert "本环节由审计局办理；您可以查看本事项，但不能办理本环节。" in _current_step_text(page)
    assert jiwei.get(reverse("web:audit_answer", args=[audit_req.pk])).status_code == 403
