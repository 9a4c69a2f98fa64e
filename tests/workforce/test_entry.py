"""凡进必考 (issue 16, docs/decisions/0181–0182): each cadre's entry method
with its date and document, the cleanup register and its counts in the
seed's shape, the pages, XLSX and API with their scope (out of scope 404,
may read but not change 403, nothing changed), query counts and hostile
input."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tests.api.conftest import API, field_errors
from tests.conftest import make_user
from tests.workforce.conftest import TODAY
from xuanren.access.models import Role
from xuanren.common.errors import PermissionDenied, ValidationFailed
from xuanren.journal.models import Event, EventType
from xuanren.people.models import Cadre
from xuanren.workforce.models import CleanupCase, EntryRecord
from xuanren.workforce.selectors import cleanup_counts, entry_counts
from xuanren.workforce.services import cleanup_record, entry_set

pytestmark = pytest.mark.django_db
BIRTH = dt.date(1984, 6, 15)


@pytest.fixture
def cadre(county: Any, make_cadre: Any) -> Cadre:
    made: Cadre = make_cadre(county.town, name="周敏", birth=BIRTH)
    return made


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_entry_set_and_correct(personas: Any, cadre: Cadre) -> None:
    officer = personas.case_officer
    entry_set(actor=officer, cadre=cadre, method="examination",
              entered_on=dt.date(2012, 8, 1), document="青人〔2012〕15号")  # fmt: skip
    entry_set(actor=officer, cadre=cadre, method="selected_graduate",
              entered_on=dt.date(2012, 9, 1), document="青组〔2012〕8号",
              correction_reason="原登记有误，据档案更正")  # fmt: skip
    record = EntryRecord.objects.get()
    assert (record.method, record.entered_on) == ("selected_graduate", dt.date(2012, 9, 1))
    assert Event.objects.filter(event_type=EventType.WORKFORCE_ENTRY_SET).count() == 1
    last = Event.objects.get(event_type=EventType.WORKFORCE_ENTRY_CORRECTED)
    assert last.payload == {
        "before": {"method": "examination", "entered_on": "2012-08-01",
                   "document": "青人〔2012〕15号"},
        "after": {"method": "selected_graduate", "entered_on": "2012-09-01",
                  "document": "青组〔2012〕8号"},
        "reason": "原登记有误，据档案更正",
    }  # fmt: skip


def test_entry_checks(personas: Any, cadre: Cadre) -> None:
    officer = personas.case_officer
    cases: list[tuple[dict[str, Any], set[str]]] = [
        ({"method": "examination", "entered_on": TODAY + dt.timedelta(days=1),
          "document": "x"}, {"entered_on"}),
        # the day before the 16th birthday; the birthday itself passes below
        ({"method": "examination", "entered_on": dt.date(2000, 6, 14), "document": "x"},
         {"entered_on"}),
        ({"method": "examination", "entered_on": dt.date(2012, 8, 1)}, {"document"}),
        ({"method": "other", "entered_on": dt.date(2012, 8, 1)}, {"note"}),
        ({"method": "bought", "entered_on": dt.date(2012, 8, 1), "document": "x"}, {"method"}),
        ({"method": "military", "entered_on": dt.date(2012, 8, 1), "document": "x" * 81},
         {"document"}),
    ]  # fmt: skip
    for kwargs, fields in cases:
        with pytest.raises(ValidationFailed) as caught:
            entry_set(actor=officer, cadre=cadre, **kwargs)
        assert {e.field for e in caught.value.errors} == fields, kwargs
    assert not EntryRecord.objects.exists()
    entry_set(actor=officer, cadre=cadre, method="other", entered_on=dt.date(2000, 6, 15),
              note="招聘为事业编制后调入")  # fmt: skip
    entry_set(actor=officer, cadre=cadre, method="examination", entered_on=TODAY, document="x",
              correction_reason="据档案更正")  # fmt: skip


def test_entry_permissions(county: Any, personas: Any, cadre: Cadre) -> None:
    for actor in (personas.discipline, make_user("o2", Role.CASE_OFFICER, county.other_town)):
        with pytest.raises(PermissionDenied):
            entry_set(actor=actor, cadre=cadre, method="examination",
                      entered_on=dt.date(2012, 8, 1), document="x")  # fmt: skip
    assert not EntryRecord.objects.exists()


def test_cleanup_checks(personas: Any, cadre: Cadre) -> None:
    officer = personas.case_officer
    with pytest.raises(ValidationFailed) as caught:
        cleanup_record(actor=officer, cadre=cadre, outcome="removed", reason=" ")
    assert {e.field for e in caught.value.errors} == {"reason", "decided_on", "document"}
    with pytest.raises(ValidationFailed) as caught:
        cleanup_record(actor=officer, cadre=cadre, outcome="excluded", reason="公安局",
                       decided_on=TODAY + dt.timedelta(days=1))  # fmt: skip
    assert {e.field for e in caught.value.errors} == {"decided_on"}
    assert not CleanupCase.objects.exists()
    case = cleanup_record(actor=officer, cadre=cadre, outcome="pending", reason="待市委组织部答复",
                          decided_on=dt.date(2026, 1, 1))  # fmt: skip
    assert case.decided_on is None  # pending has no date
    case = cleanup_record(actor=officer, cadre=cadre, outcome="admitted", reason="考试合格",
                          decided_on=TODAY, document="青人〔2026〕9号")  # fmt: skip
    assert CleanupCase.objects.get().outcome == "admitted"
    event = Event.objects.filter(event_type=EventType.WORKFORCE_CLEANUP_RECORDED).last()
    assert event is not None and event.payload["before"] == {"outcome": "pending"}


def test_counts_in_the_seed_shape(county: Any, personas: Any, make_cadre: Any) -> None:
    officer = personas.case_officer
    # 205 → 124 admitted, 7 not included, 74 not admitted (56 removed, 18 not yet)
    shape = {"admitted": 5, "excluded": 1, "removed": 3, "not_removed": 2, "pending": 1}
    n = 0
    for outcome, count in shape.items():
        for _ in range(count):
            n += 1
            person = make_cadre(county.town if n % 2 else county.finance, name=f"清理{n}")
            cleanup_record(actor=officer, cadre=person, outcome=outcome, reason="进入时未经考试",
                           decided_on=None if outcome == "pending" else dt.date(2026, 6, 1),
                           document="青人〔2026〕1号")  # fmt: skip
    counts = cleanup_counts(actor=officer)
    assert dict(counts.lines()) == {
        "清理人数": 12, "录用/保留": 5, "未录用-已清退": 3, "未录用-未清退": 2,
        "待定": 1, "不纳入": 1, "未录用合计（已清退 + 未清退）": 5,
    }  # fmt: skip
    # 石桥镇's officer sees none of them
    outside = make_user("o2", Role.CASE_OFFICER, county.other_town)
    assert cleanup_counts(actor=outside).total == 0


def test_entry_counts(county: Any, personas: Any, cadre: Cadre, make_cadre: Any) -> None:
    entry_set(actor=personas.case_officer, cadre=cadre, method="military",
              entered_on=dt.date(2015, 1, 1), document="x")  # fmt: skip
    make_cadre(county.finance, name="未登")
    lines = {key: n for key, _label, n in entry_counts(actor=personas.case_officer)}
    assert lines["military"] == 1 and lines["examination"] == 0 and lines[""] == 1


def test_pages(
    county: Any, personas: Any, cadre: Cadre, django_assert_max_num_queries: Any
) -> None:
    client = _client(personas.case_officer)
    url = reverse("workforce:cadre_entry", args=[cadre.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"action": "entry", "method": "examination",
                                 "entered_on": "2012-08-01"})  # fmt: skip
    assert response.status_code == 422
    assert "请填写录用" in response.content.decode()
    response = client.post(url, {"action": "entry", "method": "examination",
                                 "entered_on": "2012-08-01", "document": "青人〔2012〕15号"})  # fmt: skip
    assert response.status_code == 302
    response = client.post(url, {"action": "cleanup", "outcome": "not_removed",
                                 "reason": "担任实职，拟按调任解决", "decided_on": "2026-06-01"})  # fmt: skip
    assert response.status_code == 302
    with django_assert_max_num_queries(25):
        page = client.get(reverse("workforce:entry_register"))
    text = page.content.decode()
    assert "周敏" in text and "未录用-未清退" in text
    detail = client.get(reverse("web:cadre_detail", args=[cadre.pk])).content.decode()
    assert "考试录用" in detail and "青人〔2012〕15号" in detail


def test_page_scope_and_permissions(county: Any, personas: Any, cadre: Cadre) -> None:
    url = reverse("workforce:cadre_entry", args=[cadre.pk])
    body = {"action": "entry", "method": "examination", "entered_on": "2012-08-01",
            "document": "x"}  # fmt: skip
    outside = _client(make_user("o2", Role.CASE_OFFICER, county.other_town))
    assert outside.get(url).status_code == 404
    assert outside.post(url, body).status_code == 404
    jiwei = _client(personas.discipline)
    assert jiwei.get(url).status_code == 200
    assert jiwei.post(url, body).status_code == 403
    assert _client(personas.committee_member).get(url).status_code == 403
    assert (
        _client(personas.committee_member).get(reverse("workforce:entry_register")).status_code
        == 403
    )
    assert not EntryRecord.objects.exists()


def test_hostile_input(personas: Any, cadre: Cadre) -> None:
    client = _client(personas.case_officer)
    url = reverse("workforce:cadre_entry", args=[cadre.pk])
    for body in (
        {"action": "entry", "method": "examination", "entered_on": "9999-99-99", "document": "x"},
        {"action": "entry", "method": "<script>", "entered_on": "2012-08-01", "document": "x"},
        {"action": "cleanup", "outcome": "admitted", "reason": "x" * 5000},
        {"action": "other"},
    ):
        assert client.post(url, body).status_code == 422
    register = client.get(reverse("workforce:entry_register") + "?outcome=%27%3B--")
    assert register.status_code == 200
    assert not EntryRecord.objects.exists() and not CleanupCase.objects.exists()


def test_xlsx(personas: Any, cadre: Cadre) -> None:
    cleanup_record(actor=personas.case_officer, cadre=cadre, outcome="removed",
                   reason="=1+1", decided_on=dt.date(2026, 6, 1), document="@SUM(A1)")  # fmt: skip
    response = _client(personas.case_officer).get(reverse("workforce:entry_xlsx"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    summary = {row[0]: row[1] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert summary["清理人数"] == 1 and summary["未录用-已清退"] == 1
    sheet = book.worksheets[1]
    assert sheet.cell(row=2, column=5).value == "@SUM(A1)"
    assert sheet.cell(row=2, column=6).data_type == "s"


def test_api(county: Any, personas: Any, cadre: Cadre, django_assert_max_num_queries: Any) -> None:
    client = _client(personas.case_officer)
    url = f"{API}/cadres/{cadre.pk}/entry"
    assert client.get(url).status_code == 404
    response = client.put(url, {"method": "transfer", "entered_on": "2014-03-01"},
                          content_type="application/json")  # fmt: skip
    assert response.status_code == 422 and "document" in field_errors(response)
    response = client.put(url, {"method": "transfer", "entered_on": "2014-03-01",
                                "document": "青组〔2014〕2号"}, content_type="application/json")  # fmt: skip
    assert response.status_code == 200 and response.json()["method_label"] == "转任"
    assert client.get(url).json()["document"] == "青组〔2014〕2号"
    response = client.put(f"{API}/cadres/{cadre.pk}/cleanup",
                          {"outcome": "pending", "reason": "待定"}, content_type="application/json")  # fmt: skip
    assert response.status_code == 200
    with django_assert_max_num_queries(10):
        body = client.get(f"{API}/entry-cleanup").json()
    assert {c["label"]: c["count"] for c in body["counts"]}["待定"] == 1
    outside = _client(make_user("o2", Role.CASE_OFFICER, county.other_town))
    assert outside.get(url).status_code == 404
    response = outside.put(url, {"method": "examination", "entered_on": "2014-03-01",
                                 "document": "x"}, content_type="application/json")  # fmt: skip
    assert response.status_code == 404
    assert outside.get(f"{API}/entry-cleanup").json()["cases"] == []
    assert EntryRecord.objects.get().method == "transfer"
