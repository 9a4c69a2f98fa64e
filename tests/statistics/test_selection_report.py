"""Selection statistics from the records (选人用人统计): the selector on a
hand-built county with known answers, the page, its XLSX export and the API;
who may read it (no role 403, a unit outside the scope 404, nothing written)
and a query count that does not grow with the records."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from tests.conftest import Clock, County, Personas, make_user
from tests.web.helpers import page_text
from xuanren.access.models import AccessRecord, Role
from xuanren.common.dates import SHANGHAI, today
from xuanren.journal.models import JournalHead
from xuanren.people.models import Cadre, RecordCategory, RecordKind, RewardPunishment
from xuanren.procedure.models import Candidate, Case, CaseStep, Committee
from xuanren.procedure.services import case_open, committee_create, committee_member_add
from xuanren.statistics.selection import selection_report
from xuanren.statistics.selection_tally import Period
from xuanren.supervision.models import PublicNotice, Report

pytestmark = pytest.mark.django_db

D = dt.date
Y2025 = Period(D(2025, 1, 1), D(2025, 12, 31))
PAGE = "/statistics/selection/"
EXPORT = "/statistics/selection/export.xlsx"
API = "/api/v1/statistics/selection"
Q2025 = {"start": "2025-01-01", "end": "2025-12-31"}
_receipts = itertools.count(1)


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), tzinfo=SHANGHAI)


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@dataclass
class History:
    committee: Committee
    town_case: Case
    finance_case: Case
    c: dict[str, Candidate]


def record(admin: Any, case: Case, step: str, day: dt.date, data: dict[str, Any]) -> CaseStep:
    """A step record as the services leave it (the statistics read what is
    stored; the services that write it have their own tests)."""
    return CaseStep.objects.create(
        case=case,
        step=step,
        seq=case.steps.count() + 1,
        completed_by=admin,
        completed_at=at(day),
        data=data,
        journal_hash="0" * 64,
    )


def decide(admin: Any, case: Case, day: dt.date, rows: list[tuple[Candidate, str, int, int, int]]):
    sheet = [
        {
            "candidate": c.pk,
            "cadre": c.cadre_id,
            "outcome": outcome,
            "agree": agree,
            "disagree": disagree,
            "abstain": abstain,
        }
        for c, outcome, agree, disagree, abstain in rows
    ]
    return record(
        admin,
        case,
        "decision",
        day,
        {"meeting_date": day.isoformat(), "result_sheet": {"candidates": sheet}},
    )


def notice(admin: Any, case: Case, start: dt.date) -> None:
    PublicNotice.objects.create(
        case=case, text="公示", start=start, end=start + dt.timedelta(days=7), length=5,
        unit="working_days", published_by=admin, published_at=at(start),
    )  # fmt: skip


def report(case: Case, received: dt.date, investigated: bool) -> None:
    Report.objects.create(
        case=case, about_name="某某", content="反映问题", receipt_hash=f"{next(_receipts):064d}",
        received_at=at(received), investigating_at=at(received) if investigated else None,
    )  # fmt: skip


@pytest.fixture
def history(admin: Any, county: County, personas: Personas, make_cadre: Any, clock: Clock):
    """Known answers for 2025 (whole county / 城关镇 subtree):
    meetings 3 / 2; put to a vote 6 / 4 (deferred 2, rejected 1, passed 3);
    ballots 44 / 33 with 9 against and 3 abstaining; one deferral passed later,
    one still pending; the rejected one punished later; 3 integrity opinions,
    1 veto, 1 concern; 1 notice; 2 reports, 1 investigated; 2 probations
    ended, 1 removed. 2024 holds one rejection, one notice and one report."""
    clock.day = D(2026, 3, 1)
    committee = committee_create(
        actor=admin, unit=county.root, name="中共青山县委常委会", kind="standing_committee"
    )
    for i in range(11):
        committee_member_add(actor=admin, committee=committee, name=f"常委{i}",
                             start_date=D(2021, 10, 1))  # fmt: skip

    def case(unit: Any, post: Any, title: str) -> Case:
        return case_open(actor=personas.case_officer, title=title, template_code="county-leading",
                         unit=unit, committee=committee, posts=[(post, 1)],
                         reference_date=D(2025, 1, 1))  # fmt: skip

    town_case = case(county.town, county.town_deputy, "城关镇副镇长选任")
    finance_case = case(county.finance, county.finance_deputy, "财政局副局长选任")
    people: dict[str, Cadre] = {
        k: make_cadre(unit, name=name)
        for k, unit, name in [
            ("a1", county.town, "甲一"), ("a2", county.town, "甲二"), ("a3", county.town, "甲三"),
            ("b1", county.finance, "乙一"), ("b2", county.finance, "乙二"),
            ("b3", county.finance, "乙三"),
        ]
    }  # fmt: skip
    statuses = {"a1": "approved", "a2": "appointed", "a3": "rejected", "b1": "deferred",
                "b2": "removed", "b3": "rejected"}  # fmt: skip
    c = {
        k: Candidate.objects.create(
            case=town_case if k.startswith("a") else finance_case,
            cadre=cadre,
            post=county.town_deputy if k.startswith("a") else county.finance_deputy,
            status=statuses[k],
            added_at_step="recommendation",
        )
        for k, cadre in people.items()
    }
    decide(admin, finance_case, D(2024, 12, 1), [(c["b3"], "rejected", 3, 7, 1)])
    record(admin, town_case, "integrity_opinion", D(2025, 3, 1), {"opinions": [
        {"candidate": c["a2"].pk, "result": "passed", "returned_on": "2025-03-01"},
        {"candidate": c["a3"].pk, "result": "concerns", "returned_on": "2025-03-01"},
        {"candidate": c["a1"].pk, "result": "failed", "returned_on": "2025-03-01"},
    ]})  # fmt: skip
    decide(admin, town_case, D(2025, 3, 10), [
        (c["a1"], "deferred", 0, 0, 0),
        (c["a2"], "passed", 9, 1, 1),
        (c["a3"], "rejected", 4, 6, 1),
    ])  # fmt: skip
    decide(admin, finance_case, D(2025, 3, 10), [(c["b1"], "deferred", 0, 0, 0)])
    decide(admin, town_case, D(2025, 4, 10), [(c["a1"], "passed", 8, 2, 1)])
    decide(admin, finance_case, D(2025, 6, 1), [(c["b2"], "passed", 11, 0, 0)])
    record(
        admin,
        town_case,
        "probation_end",
        D(2025, 11, 1),
        {
            "assessments": [
                {"candidate": c["a2"].pk, "result": "competent", "assessed_on": "2025-11-01"}
            ]
        },
    )
    record(admin, finance_case, "probation_end", D(2025, 12, 1), {"assessments": [
        {"candidate": c["b2"].pk, "result": "not_competent", "assessed_on": "2025-12-01",
         "document": "青组干〔2025〕9号"}]})  # fmt: skip
    notice(admin, finance_case, D(2024, 12, 5))
    notice(admin, town_case, D(2025, 3, 15))
    report(finance_case, D(2024, 12, 6), True)
    report(town_case, D(2025, 3, 16), True)
    report(town_case, D(2025, 3, 17), False)
    RewardPunishment.objects.create(
        cadre=people["a3"], kind=RecordKind.PUNISHMENT, category=RecordCategory.choices[0][0],
        title="党内警告", decided_on=D(2025, 8, 1),
    )  # fmt: skip
    return History(committee, town_case, finance_case, c)


# ---- the figures -------------------------------------------------------------------------


def test_the_county_in_2025(history: History, personas: Personas) -> None:
    s = selection_report(actor=personas.case_officer, period=Y2025).stats
    d = s.decisions
    assert (d.meetings, d.put_to_vote) == (3, 6)
    assert (d.passed.part, d.deferred.part, d.rejected.part) == (3, 2, 1)
    assert (d.passed.percent, d.deferred.percent, d.rejected.percent) == ("50.0%", "33.3%", "16.7%")
    assert d.ballots == 44
    assert (d.against.part, d.abstaining.part, d.against_or_abstaining.percent) == (9, 3, "27.3%")
    assert [y.year for y in s.years] == [2025]
    da, ra = s.deferred_after, s.rejected_after
    assert (da.total, da.passed_later.part, da.pending.part, da.not_again.part) == (2, 1, 1, 0)
    assert (ra.total, ra.not_again.part, ra.punished_later.part) == (1, 1, 1)
    assert (s.integrity.opinions, s.integrity.vetoes.part, s.integrity.concerns.part) == (3, 1, 1)
    assert s.notices == 1
    assert (s.reports_received, s.reports_investigated.part) == (2, 1)
    assert s.reports_investigated.percent == "50.0%"
    assert (s.probation.ended, s.probation.removed.part) == (2, 1)


def test_a_subtree_and_another_period(history: History, personas: Personas, county: County) -> None:
    town = selection_report(actor=personas.case_officer, unit_id=county.town.pk, period=Y2025)
    d = town.stats.decisions
    assert town.unit == county.town
    assert (d.meetings, d.put_to_vote, d.ballots, d.deferred.part) == (2, 4, 33, 1)
    assert town.stats.deferred_after.passed_later.part == 1
    assert town.stats.probation.removed.part == 0 and town.stats.reports_received == 2
    y2024 = selection_report(
        actor=personas.case_officer, period=Period(D(2024, 1, 1), D(2024, 12, 31))
    ).stats
    assert (y2024.decisions.meetings, y2024.decisions.rejected.part) == (1, 1)
    assert (y2024.notices, y2024.reports_received, y2024.integrity.opinions) == (1, 1, 0)
    assert y2024.rejected_after.not_again.part == 1
    assert y2024.probation.removed.percent == "—"


def test_the_whole_scope_nothing_held_is_zeros(personas: Personas, county: County) -> None:
    s = selection_report(actor=personas.case_officer, period=Y2025).stats
    assert s.decisions.meetings == 0 and s.decisions.deferred.percent == "—"
    assert s.deferred_after.total == 0 and s.reports_investigated.percent == "—"


def test_the_query_count_does_not_grow(
    history: History, personas: Personas, admin: Any, county: County
) -> None:
    def count() -> int:
        actor = make_user(f"u{next(_receipts)}", Role.CASE_OFFICER, county.root)
        with CaptureQueriesContext(connection) as ctx:
            selection_report(actor=actor, unit_id=county.root.pk, period=Y2025)
        return len(ctx.captured_queries)

    before = count()
    for day in (D(2025, 7, 1), D(2025, 8, 1), D(2025, 9, 1)):
        decide(admin, history.town_case, day, [(history.c["a3"], "deferred", 0, 0, 0)])
        record(admin, history.town_case, "probation_end", day, {"assessments": []})
        notice(admin, history.town_case, day)
        report(history.town_case, day, True)
    # Permissions (2), scope, unit, 3 step kinds, notices, reports, 2 follow-ups,
    # and the training figures (3: rows, classes, postings).
    assert count() == before == 14


def test_training_and_postings_of_the_subtree_by_period(
    personas: Personas, admin: Any, county: County, make_cadre: Any
) -> None:
    from xuanren.people.posting_services import temporary_posting_add
    from xuanren.people.services import training_add, training_class_create, training_class_enrol
    from xuanren.statistics.selection import TrainingFigures

    town, finance = make_cadre(county.town, name="甲"), make_cadre(county.finance, name="乙")
    training_add(actor=admin, cadre=town, year=2025, hours=40, title="专题班")
    training_add(actor=admin, cadre=town, year=2025, hours=16, title="网络学院")
    training_add(actor=admin, cadre=town, year=2024, hours=90, title="去年的班")  # another year
    training_add(actor=admin, cadre=finance, year=2025, hours=24, title="财务培训")
    course = training_class_create(
        actor=admin, unit=county.town, name="城关镇干部培训班", organiser="镇党委",
        start_date=D(2025, 5, 6), end_date=D(2025, 5, 10), hours=32,
    )  # fmt: skip
    training_class_enrol(actor=admin, training_class=course, cadre=town)
    temporary_posting_add(
        actor=admin, cadre=town, host_unit=county.finance, host_name="", post_title="局长助理",
        start_date=D(2025, 3, 1), end_date=D(2025, 3, 31), note="",
    )  # fmt: skip
    temporary_posting_add(
        actor=admin, cadre=finance, host_unit=None, host_name="省财政厅", post_title="挂职",
        start_date=D(2024, 12, 1), end_date=D(2025, 1, 31), note="",
    )  # fmt: skip
    officer = personas.case_officer
    # The county in 2025: 4 rows (the class's included) of 2 cadres, 40 + 16 + 32
    # + 24 hours; one class; one posting started in 2025 (the other in 2024).
    county_2025 = selection_report(actor=officer, period=Y2025).training
    assert county_2025 == TrainingFigures(4, 2, 112, 1, 1)
    town_2025 = selection_report(actor=officer, unit_id=county.town.pk, period=Y2025).training
    assert town_2025 == TrainingFigures(3, 1, 88, 1, 1)
    y2024 = Period(D(2024, 1, 1), D(2024, 12, 31))
    assert selection_report(actor=officer, period=y2024).training == TrainingFigures(1, 1, 90, 0, 1)


# ---- who may read it ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["outsider", "other_unit_hr"])
def test_no_role_is_403_everywhere_and_writes_nothing(
    history: History, personas: Personas, who: str
) -> None:
    client = client_for(getattr(personas, who))
    records, head = AccessRecord.objects.count(), JournalHead.objects.get(pk=1).count
    assert client.get(PAGE).status_code == 403
    assert client.get(EXPORT).status_code == 403
    assert client.get(API).status_code == 403
    assert AccessRecord.objects.count() == records
    assert JournalHead.objects.get(pk=1).count == head


def test_a_unit_outside_the_scope_is_404_and_the_scope_limits_the_figures(
    history: History, county: County
) -> None:
    town_officer = make_user("officer_town", Role.CASE_OFFICER, county.town)
    client = client_for(town_officer)
    records = AccessRecord.objects.count()
    query: dict[str, Any] = {**Q2025, "unit": county.finance.pk}
    assert client.get(PAGE, query).status_code == 404
    assert client.get(EXPORT, query).status_code == 404
    assert client.get(API, query).status_code == 404
    assert client.get(API, {**Q2025, "unit": "999999"}).status_code == 404
    assert AccessRecord.objects.count() == records
    # Without a unit: their scope only (城关镇).
    body = client.get(API, Q2025).json()
    assert body["unit_id"] is None
    assert (body["decisions"]["meetings"], body["decisions"]["put_to_vote"]) == (2, 4)


def test_a_committee_member_reads_it(history: History, personas: Personas) -> None:
    assert client_for(personas.committee_member).get(PAGE, Q2025).status_code == 200


# ---- the page, the workbook, the API -----------------------------------------------------


def test_the_page_shows_the_table_in_chinese(history: History, personas: Personas) -> None:
    response = client_for(personas.case_officer).get(PAGE, Q2025)
    assert response.status_code == 200
    text = page_text(response)
    assert "全部单位选人用人工作统计（2025-01-01至2025-12-31）" in text
    for words in (
        "召开讨论决定会议（次）",
        "缓议",
        "33.3%",
        "未通过（否决）",
        "16.7%",
        "27.3%",
        "否决（廉政意见未通过）",
        "调查核实",
        "不胜任、免去试任职务",
        "仍在缓议、待再次讨论",
        "其后受到惩处",
        "讨论决定分年度情况",
        "打印",
    ):
        assert words in text, words  # fmt: skip
    for key in ("passed", "deferred", "rejected", "not_competent", "None", "{"):
        assert key not in text, key
    html = response.content.decode()
    assert "<script>" not in html and " style=" not in html and "data-print" in html
    # Plain links to the usual periods; the seed's thirteen years among them.
    year = today().year
    assert f"?start={year - 13}-01-01&amp;end={year - 1}-12-31" in html and "近十三年" in text


def test_a_period_ending_before_it_starts_is_an_error_on_the_page(
    history: History, personas: Personas
) -> None:
    client = client_for(personas.case_officer)
    response = client.get(PAGE, {"start": "2025-12-31", "end": "2025-01-01"})
    assert response.status_code == 200
    assert "统计截止日期不能早于起始日期。" in page_text(response)
    assert client.get(API, {"start": "2025-12-31", "end": "2025-01-01"}).status_code == 422


def test_the_workbook_holds_both_tables_as_values(history: History, personas: Personas) -> None:
    records = AccessRecord.objects.count()
    response = client_for(personas.case_officer).get(EXPORT, Q2025)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["汇总", "分年度"]
    rows = [[c.value for c in row] for row in book["汇总"].iter_rows()]
    assert rows[0][0] == "全部单位选人用人工作统计（2025-01-01至2025-12-31）"
    assert rows[1] == ["项目", "数量", "占比", "说明"]
    lines = {str(r[0]).strip("\u3000"): r[1:] for r in rows[2:]}
    assert lines["召开讨论决定会议（次）"][0] == 3
    assert lines["缓议"] == [2, "33.3%", "占提交表决人次"]
    assert lines["不同意及弃权合计"] == [12, "27.3%", "占投票张数"]
    years = [[c.value for c in row] for row in book["分年度"].iter_rows()]
    assert years[1] == ["2025", 3, 6, 3, 2, "33.3%", 1, "16.7%", 44, 12, "27.3%"]
    assert all(c.data_type != "f" for ws in book.worksheets for row in ws.iter_rows() for c in row)
    assert AccessRecord.objects.count() == records + 1


def test_the_api_gives_counts_and_exact_shares(history: History, personas: Personas) -> None:
    response = client_for(personas.case_officer).get(API, Q2025)
    assert response.status_code == 200
    body = response.json()
    assert body["start"] == "2025-01-01" and body["end"] == "2025-12-31"
    assert body["decisions"]["deferred"] == {
        "part": 2, "whole": 6, "per_mille": 333, "percent": "33.3%"
    }  # fmt: skip
    assert body["decisions"]["ballots"] == 44
    assert body["years"][0]["year"] == 2025
    assert body["deferred_after"]["pending"]["part"] == 1
    assert body["rejected_after"]["punished_later"]["part"] == 1
    assert body["integrity_vetoes"]["part"] == 1
    assert (body["notices"], body["reports_received"]) == (1, 2)
    assert body["training"] == {
        "person_times": 0,
        "people": 0,
        "hours": 0,
        "classes": 0,
        "postings": 0,
    }
    assert body["probations_removed"] == {"part": 1, "whole": 2, "per_mille": 500,
                                          "percent": "50.0%"}  # fmt: skip
