"""Issue 16, decisions 0187–0188: correcting an entry record or a decided
cleanup outcome needs a reason, is journalled old → new and listed on the
cadre's entry page (out of scope 404, without the permission 403, nothing
changed); 待定 cleanup cases come to the officer's 待办 90 days after they
became 待定."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.api.conftest import API, field_errors
from tests.conftest import Clock, make_user
from tests.workforce.conftest import TODAY
from xuanren.access.models import Role
from xuanren.common.errors import ValidationFailed
from xuanren.journal.models import Event, EventType
from xuanren.people.models import Cadre
from xuanren.procedure.todo import TodoKind, todo_for
from xuanren.workforce.models import CleanupCase, EntryRecord
from xuanren.workforce.services import cleanup_record, entry_set

pytestmark = pytest.mark.django_db
DOC = "青人〔2012〕15号"


@pytest.fixture
def cadre(county: Any, make_cadre: Any) -> Cadre:
    made: Cadre = make_cadre(county.town, name="周敏", birth=dt.date(1984, 6, 15))
    return made


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _entry(officer: Any, cadre: Cadre) -> EntryRecord:
    return entry_set(actor=officer, cadre=cadre, method="examination",
                     entered_on=dt.date(2012, 8, 1), document=DOC)  # fmt: skip


def test_an_entry_correction_needs_a_reason(personas: Any, cadre: Cadre) -> None:
    officer = personas.case_officer
    _entry(officer, cadre)
    with pytest.raises(ValidationFailed) as caught:
        entry_set(actor=officer, cadre=cadre, method="transfer_in",
                  entered_on=dt.date(2012, 8, 1), document=DOC, correction_reason="  ")  # fmt: skip
    assert {e.field for e in caught.value.errors} == {"correction_reason"}
    with pytest.raises(ValidationFailed) as caught:
        entry_set(actor=officer, cadre=cadre, method="transfer_in", entered_on=dt.date(2012, 8, 1),
                  document=DOC, correction_reason="x" * 501)  # fmt: skip
    assert {e.field for e in caught.value.errors} == {"correction_reason"}
    assert EntryRecord.objects.get().method == "examination"
    # the same facts again, or only the note: no correction, no reason needed
    entry_set(actor=officer, cadre=cadre, method="examination", entered_on=dt.date(2012, 8, 1),
              document=DOC, note="补充说明")  # fmt: skip
    assert not Event.objects.filter(event_type=EventType.WORKFORCE_ENTRY_CORRECTED).exists()
    entry_set(actor=officer, cadre=cadre, method="transfer_in", entered_on=dt.date(2012, 8, 1),
              document=DOC, correction_reason="x" * 500)  # fmt: skip
    assert EntryRecord.objects.get().method == "transfer_in"


def test_deciding_a_pending_case_is_not_a_correction_changing_a_decision_is(
    personas: Any, cadre: Cadre
) -> None:
    officer = personas.case_officer
    cleanup_record(actor=officer, cadre=cadre, outcome="pending", reason="待答复")
    cleanup_record(actor=officer, cadre=cadre, outcome="not_removed", reason="待答复",
                   decided_on=dt.date(2026, 6, 1))  # fmt: skip
    with pytest.raises(ValidationFailed) as caught:
        cleanup_record(actor=officer, cadre=cadre, outcome="removed", reason="待答复",
                       decided_on=dt.date(2026, 6, 1), document="青人〔2026〕3号")  # fmt: skip
    assert {e.field for e in caught.value.errors} == {"correction_reason"}
    assert CleanupCase.objects.get().outcome == "not_removed"
    # the circumstances alone may be rewritten without a reason
    cleanup_record(actor=officer, cadre=cadre, outcome="not_removed", reason="担任实职",
                   decided_on=dt.date(2026, 6, 1))  # fmt: skip
    cleanup_record(actor=officer, cadre=cadre, outcome="removed", reason="担任实职",
                   decided_on=dt.date(2026, 7, 1), document="青人〔2026〕3号",
                   correction_reason="已于7月办理清退")  # fmt: skip
    event = Event.objects.get(event_type=EventType.WORKFORCE_CLEANUP_CORRECTED)
    assert event.payload["before"] == {
        "outcome": "not_removed", "decided_on": "2026-06-01", "document": ""
    }  # fmt: skip
    assert event.payload["after"] == {
        "outcome": "removed", "decided_on": "2026-07-01", "document": "青人〔2026〕3号"
    }  # fmt: skip
    assert event.payload["reason"] == "已于7月办理清退"


def test_the_page_corrects_and_lists_the_corrections(
    personas: Any, cadre: Cadre, django_assert_max_num_queries: Any
) -> None:
    officer = personas.case_officer
    _entry(officer, cadre)
    client = _client(officer)
    url = reverse("workforce:cadre_entry", args=[cadre.pk])
    body = {"action": "entry", "method": "selected_graduate", "entered_on": "2012-09-01",
            "document": "青组〔2012〕8号"}  # fmt: skip
    response = client.post(url, body)
    assert response.status_code == 422 and "请填写更正理由" in response.content.decode()
    response = client.post(url, {**body, "correction_reason": "据干部档案更正"})
    assert response.status_code == 302
    with django_assert_max_num_queries(20):
        page = client.get(url)
    text = page.content.decode()
    assert 'id="corrections"' in text
    assert "考试录用，2012.08.01，青人〔2012〕15号" in text
    assert "选调，2012.09.01，青组〔2012〕8号" in text and "据干部档案更正" in text
    # the discipline commission reads the corrections too
    assert "据干部档案更正" in _client(personas.discipline).get(url).content.decode()


def test_correction_scope_and_permissions(county: Any, personas: Any, cadre: Cadre) -> None:
    officer = personas.case_officer
    _entry(officer, cadre)
    cleanup_record(actor=officer, cadre=cadre, outcome="admitted", reason="考试合格",
                   decided_on=dt.date(2026, 6, 1), document="青人〔2026〕9号")  # fmt: skip
    events = Event.objects.count()
    url = reverse("workforce:cadre_entry", args=[cadre.pk])
    entry = {"action": "entry", "method": "transfer", "entered_on": "2013-01-01",
             "document": "x", "correction_reason": "更正"}  # fmt: skip
    cleanup = {"action": "cleanup", "outcome": "excluded", "reason": "x",
               "decided_on": "2026-06-01", "correction_reason": "更正"}  # fmt: skip
    outside = _client(make_user("o2", Role.CASE_OFFICER, county.other_town))
    jiwei = _client(personas.discipline)
    for body in (entry, cleanup):
        assert outside.post(url, body).status_code == 404
        assert jiwei.post(url, body).status_code == 403
    api = f"{API}/cadres/{cadre.pk}"
    payload = {"method": "transfer", "entered_on": "2013-01-01", "document": "x",
               "correction_reason": "更正"}  # fmt: skip
    outside_api = _client(make_user("o3", Role.CASE_OFFICER, county.other_town))
    assert (
        outside_api.put(f"{api}/entry", payload, content_type="application/json").status_code == 404
    )
    assert jiwei.put(f"{api}/entry", payload, content_type="application/json").status_code == 403
    assert Event.objects.count() == events
    record, case = EntryRecord.objects.get(), CleanupCase.objects.get()
    assert (record.method, case.outcome) == ("examination", "admitted")
    # the API needs the reason too, then corrects
    client = _client(officer)
    response = client.put(f"{api}/entry", {**payload, "correction_reason": ""},
                          content_type="application/json")  # fmt: skip
    assert response.status_code == 422 and "correction_reason" in field_errors(response)
    assert client.put(f"{api}/entry", payload, content_type="application/json").status_code == 200
    response = client.put(f"{api}/cleanup", {"outcome": "excluded", "reason": "公安局",
                          "decided_on": "2026-06-02", "correction_reason": "属公安局，不纳入"},
                          content_type="application/json")  # fmt: skip
    assert response.status_code == 200 and CleanupCase.objects.get().outcome == "excluded"


def test_pending_cases_come_to_the_todo_after_90_days(
    county: Any, personas: Any, cadre: Cadre, make_cadre: Any, clock: Clock
) -> None:
    officer = personas.case_officer
    # 待定 since 2026-07-01: due 2026-09-29, overdue by 59 days on 2026-11-27
    clock.day = dt.date(2026, 7, 1)
    cleanup_record(actor=officer, cadre=cadre, outcome="pending", reason="待答复")
    # 待定 since 2026-09-28: due 2026-12-27, exactly on the 30-day horizon
    clock.day = dt.date(2026, 9, 28)
    on_horizon = make_cadre(county.finance, name="钱七")
    cleanup_record(actor=officer, cadre=on_horizon, outcome="pending", reason="待答复")
    # 待定 since 2026-09-29: due 2026-12-28, beyond the horizon
    clock.day = dt.date(2026, 9, 29)
    beyond = make_cadre(county.finance, name="孙八")
    cleanup_record(actor=officer, cadre=beyond, outcome="pending", reason="待答复")
    # a decided case never comes
    decided = make_cadre(county.finance, name="李九")
    cleanup_record(actor=officer, cadre=decided, outcome="excluded", reason="公安局",
                   decided_on=dt.date(2026, 9, 29))  # fmt: skip
    clock.day = TODAY
    # rewriting a pending case's circumstances does not restart its clock
    cleanup_record(actor=officer, cadre=cadre, outcome="pending", reason="仍待市委组织部答复")
    assert CleanupCase.objects.get(cadre=cadre).pending_since == dt.date(2026, 7, 1)
    items = [i for i in todo_for(actor=officer) if i.kind == TodoKind.CLEANUP_PENDING]
    assert [i.due for i in items] == [dt.date(2026, 9, 29), dt.date(2026, 12, 27)]
    assert "已逾期 59 天" in items[0].text and "周敏" in items[0].text
    assert "逾期" not in items[1].text
    assert items[0].link == reverse("workforce:cadre_entry", args=[cadre.pk])
    assert items[0].mine
    # deciding it clears it
    cleanup_record(actor=officer, cadre=cadre, outcome="admitted", reason="考试合格",
                   decided_on=TODAY, document="青人〔2026〕9号")  # fmt: skip
    assert CleanupCase.objects.get(cadre=cadre).pending_since is None
    items = [i for i in todo_for(actor=officer) if i.kind == TodoKind.CLEANUP_PENDING]
    assert [i.due for i in items] == [dt.date(2026, 12, 27)]
    # not for the discipline commission (reads, does not keep the register), nor outside
    assert not [i for i in todo_for(actor=personas.discipline)
                if i.kind == TodoKind.CLEANUP_PENDING]  # fmt: skip
    outside = make_user("o2", Role.CASE_OFFICER, county.other_town)
    assert not [i for i in todo_for(actor=outside) if i.kind == TodoKind.CLEANUP_PENDING]
