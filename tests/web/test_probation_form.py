"""The probation_end step's form lists only the appointed who are on
probation: a promotion to a principal post runs none (decision 0074), and a
row offered for its holder would only be refused by the guard."""

# ruff: noqa: F811  (fixtures imported from the procedure tests)
from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.urls import reverse

from tests.procedure.conftest import committee  # noqa: F401  (fixture)
from tests.procedure.test_decision_stage import open_at_integrity
from tests.web.helpers import page_text
from tests.web.step_form_driver import step_form_fields
from xuanren.people.services import tenure_start
from xuanren.procedure.models import Candidate, CandidateStatus, CaseStatus, CaseStep
from xuanren.procedure.selectors import candidates_on_probation

START = dt.date(2026, 10, 27)


def _appointed(run: Any, officer: Any, cadre: Any, post: Any, probation: dt.date | None) -> Any:
    c = run.inspect(cadre, post)
    Candidate.objects.filter(pk=c.pk).update(status=CandidateStatus.APPOINTED)
    tenure_start(actor=officer, cadre=cadre, post=post, start_date=START,
                 document_number="青委〔2026〕45号", probation_until=probation)  # fmt: skip
    return c


def test_only_the_appointed_on_probation_get_a_row(personas, county, committee, make_cadre):
    officer = personas.case_officer
    run = open_at_integrity(personas, county, committee,
                            [(county.finance_head, 1), (county.town_deputy, 1)])  # fmt: skip
    head = _appointed(run, officer, make_cadre(county.finance, name="陈明"), county.finance_head,
                      None)  # fmt: skip
    deputy = _appointed(run, officer, make_cadre(county.town, name="李芳"), county.town_deputy,
                        dt.date(2027, 10, 26))  # fmt: skip
    run.put_at("probation_end")
    assert candidates_on_probation(run.case) == [deputy]

    client = Client()
    client.force_login(officer)
    response = client.get(reverse("web:case_detail", args=[run.case.pk]))
    assert response.status_code == 200
    fields = step_form_fields(response.content.decode())
    assert fields["step-assessments-TOTAL_FORMS"] == "1"
    assert fields["step-assessments-0-candidate"] == str(deputy.pk)
    rowset = response.content.decode().split('data-rowset="assessments"')[1].split("</fieldset>")[0]
    assert f'<option value="{deputy.pk}"' in rowset
    assert f'<option value="{head.pk}"' not in rowset
    assert "不实行试用期" not in page_text(response)


def test_nobody_on_probation_the_step_is_completed_without_rows(
    personas, county, committee, make_cadre
):
    officer = personas.case_officer
    run = open_at_integrity(personas, county, committee, [(county.finance_head, 1)])
    _appointed(run, officer, make_cadre(county.finance, name="陈明"), county.finance_head, None)
    run.put_at("probation_end")
    assert candidates_on_probation(run.case) == []

    client = Client()
    client.force_login(officer)
    url = reverse("web:case_detail", args=[run.case.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert "本事项任职的人选都不实行试用期，无须记录考核结果，直接完成本环节即可。" in page_text(
        response
    )
    fields = step_form_fields(response.content.decode())
    assert fields["step-assessments-TOTAL_FORMS"] == "0"
    response = client.post(reverse("web:case_step", args=[run.case.pk]), fields)
    assert response.status_code == 302, page_text(response)[:2000]
    run.case.refresh_from_db()
    assert run.case.status == CaseStatus.CLOSED
    assert CaseStep.objects.get(case=run.case, step="probation_end").data["assessments"] == []
