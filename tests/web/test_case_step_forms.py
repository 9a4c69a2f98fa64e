"""The step forms of the later steps: the county template driven from the
motion to the end of probation through the case page's forms only (as a
browser would post them), a guard that blocks with its Chinese message until
the user corrects the form, field errors next to their fields, the guard
preview with the data about to be submitted, attachments, and the decision
record's ballot facts on the 纪实."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.conftest import CASE_START, Clock
from tests.step_data import MOTION
from tests.web.helpers import page_text
from tests.web.step_form_driver import step_form_fields
from xuanren.journal.models import Event, EventType
from xuanren.journal.services import journal_verify
from xuanren.org.models import Level
from xuanren.org.services import post_create
from xuanren.people.models import Tenure
from xuanren.people.services import tenure_start
from xuanren.procedure.models import (
    Attachment,
    Candidate,
    CandidateStatus,
    Case,
    CaseStatus,
    CaseStep,
    CommitteeKind,
    ProcedureTemplate,
)
from xuanren.procedure.selectors import guard_preview, step_preview
from xuanren.procedure.services import (
    case_open,
    case_step_complete,
    committee_create,
    committee_member_add,
)
from xuanren.supervision.services import public_notice_publish

pytestmark = pytest.mark.django_db

REF = CASE_START
CHANNELS = ["举报电话：0571-12380", "来信地址：青山县委组织部干部监督室"]


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    cache.clear()  # report rate limits live in the cache


def person(world: Any, unit: Any, name: str, birth: dt.date, title: str, **kw: Any) -> Any:
    from tests.procedure.test_end_to_end import World

    assert isinstance(world, World)
    return world.person(unit, name, birth=birth, post_title=title, **kw)


@pytest.fixture
def world(
    admin: Any, personas: Any, county: Any, make_cadre: Any, clock_at_case_start: Clock
) -> Any:
    from tests.procedure.test_end_to_end import World

    return World(
        admin, personas.case_officer, personas.discipline, county, make_cadre, clock_at_case_start
    )


def add_rows(data: dict[str, Any]) -> None:
    """Rows a test fills beyond those shown are added as "增加一行" would:
    each row set's TOTAL_FORMS covers the highest row index posted."""
    for key in list(data):
        parts = key.split("-")
        if len(parts) == 4 and parts[2].isdigit():
            total = f"{parts[0]}-{parts[1]}-TOTAL_FORMS"
            if total in data and int(data[total]) <= int(parts[2]):
                data[total] = str(int(parts[2]) + 1)


@dataclass
class Flow:
    client: Any
    case: Case
    clock: Clock

    def url(self) -> str:
        return reverse("web:case_detail", args=[self.case.pk])

    def fields(self) -> dict[str, Any]:
        response = self.client.get(self.url())
        assert response.status_code == 200
        return step_form_fields(response.content.decode())

    def post(
        self, changes: dict[str, Any], on: dt.date, status: int = 302, files: Any = None
    ) -> Any:
        self.clock.day = on
        data = self.fields()
        data.update(changes)
        add_rows(data)
        if files:
            data.update(files)
        response = self.client.post(reverse("web:case_step", args=[self.case.pk]), data)
        assert response.status_code == status, page_text(response)[-3000:]
        self.case.refresh_from_db()
        return response

    def row(self, fields: dict[str, Any], rowset: str, key: str, value: Any) -> int:
        i = 0
        while f"step-{rowset}-{i}-{key}" in fields:
            if fields[f"step-{rowset}-{i}-{key}"] == str(value):
                return i
            i += 1
        raise AssertionError(f"no row {rowset} with {key}={value}")


def cand(case: Case, cadre: Any) -> Candidate:
    return Candidate.objects.get(case=case, cadre=cadre)


@pytest.mark.parametrize("end_previous", [False, True])
def test_county_case_through_the_step_forms(
    client: Any, world: Any, county: Any, clock: Clock, personas: Any, end_previous: bool
) -> None:
    """With the template parameter end_previous_tenure, the appointee's tenure
    on another post ends on the day the new one starts, under the same
    document; without it (default) it goes on (兼任)."""
    admin = world.admin
    if end_previous:
        template = ProcedureTemplate.objects.filter(code="county-leading").latest("version")
        ProcedureTemplate.objects.filter(pk=template.pk).update(
            parameters={**template.parameters, "end_previous_tenure": True}
        )
    committee = committee_create(actor=admin, unit=county.root, name="中共青山县委常委会",
                                 kind=CommitteeKind.STANDING_COMMITTEE)  # fmt: skip
    members = [
        committee_member_add(actor=admin, committee=committee, name=f"常委{i}",
                             start_date=dt.date(2021, 10, 1))
        for i in range(9)
    ]  # fmt: skip
    li = person(world, county.town_office, "李芳", dt.date(1990, 5, 20), "城关镇党政办主任",
                sex="female")  # fmt: skip
    zhao = person(world, county.town, "赵磊", dt.date(1991, 1, 15), "城关镇农业农村办主任")
    office_head = post_create(actor=admin, unit=county.town_office, title="党政办主任",
                              level=Level.SUBSECTION_PRINCIPAL)  # fmt: skip
    previous = tenure_start(actor=admin, cadre=li, post=office_head,
                            start_date=dt.date(2020, 1, 1))  # fmt: skip
    deputy = county.town_deputy
    case = case_open(actor=personas.case_officer, title="城关镇副镇长选任",
                     template_code="county-leading", unit=county.root, committee=committee,
                     posts=[(deputy, 1)], reference_date=REF)  # fmt: skip
    client.force_login(personas.case_officer)
    flow = Flow(client, case, clock)

    flow.post({"step": "motion", "step-reason": "vacancy", "step-proposer": "城关镇党委"}, REF)
    flow.post({"step-consultation_from": ["县纪委监委"], "step-consultation_comment": ["无意见"]},
              dt.date(2026, 9, 7))  # fmt: skip
    flow.post({"step-text": "职位公告", "step-channels": ["notice_board"],
               "step-date": "2026-09-09"}, dt.date(2026, 9, 9))  # fmt: skip
    assert flow.case.current_step == "recommendation"

    # Recommendation: two records (meeting, talk), results per cadre and group.
    rec = {
        "step-meetings-0-date": "2026-09-15", "step-meetings-0-g0": "7", "step-meetings-0-g1": "18",
        "step-meetings-1-date": "2026-09-16", "step-meetings-1-g0": "7", "step-meetings-1-g1": "15",
        "step-meetings-1-staff_total": "30",
        "step-results-0-cadre": str(li.pk), "step-results-0-kind": "meeting",
        "step-results-0-g0": "6", "step-results-0-g1": "12",
        "step-results-1-cadre": str(li.pk), "step-results-1-kind": "talk",
        "step-results-1-g0": "5", "step-results-1-g1": "11",
        "step-results-2-cadre": str(zhao.pk), "step-results-2-kind": "meeting",
        "step-results-2-g0": "1", "step-results-2-g1": "6",
        "step-results-3-cadre": str(zhao.pk), "step-results-3-kind": "talk",
        "step-results-3-g0": "2", "step-results-3-g1": "4",
        "step-not_counted-0-count": "2", "step-not_counted-0-kind": "phone",
        "step-not_counted-0-note_text": "电话推荐，不计入",
    }  # fmt: skip
    # A count that is not a number is refused next to its cell; nothing saved.
    response = flow.post({**rec, "step-results-0-g0": "六"}, dt.date(2026, 9, 17), status=422)
    assert "表格中有填写错误" in page_text(response)
    assert (
        'data-field="g0"><input type="number" name="step-results-0-g0"' in response.content.decode()
    )
    assert flow.case.current_step == "recommendation"
    flow.post(rec, dt.date(2026, 9, 17))
    record = CaseStep.objects.get(case=case, step="recommendation")
    assert record.data["meetings"][1] == {
        "kind": "talk", "date": "2026-09-16",
        "participants": {"领导班子成员": 7, "中层干部": 15}, "staff_total": 30,
    }  # fmt: skip
    assert {"cadre": li.pk, "group": "中层干部", "kind": "meeting", "signed": 12} in record.data[
        "results"
    ]
    assert record.data["not_counted"] == [{"kind": "phone", "count": 2, "note": "电话推荐，不计入"}]
    # A correction reopens this form with the stored rows; saved unchanged,
    # it records the same data.
    fix_url = reverse("web:case_correct", args=[case.pk, record.pk])
    page = client.get(fix_url)
    assert page.status_code == 200 and "JSON" not in page_text(page)
    stored = step_form_fields(page.content.decode())
    assert stored["step-meetings-1-staff_total"] == "30"
    assert stored["step-results-0-cadre"] == str(li.pk) and stored["step-results-0-g1"] == "12"
    assert "李芳（" in page_text(page)  # the picker shows the chosen cadre by name
    assert client.post(fix_url, {**stored, "c-reason": "核对无误"}).status_code == 302
    fixed = CaseStep.objects.get(corrects=record)
    assert fixed.data == record.data

    c_li, c_zhao = cand(case, li), cand(case, zhao)
    flow.post({"step-chosen": [str(c_li.pk), str(c_zhao.pk)], "step-meeting_body": "县委组织部部务会",
               "step-meeting_date": "2026-09-22"}, dt.date(2026, 9, 22))  # fmt: skip
    flow.post({"step-text": "考察预告", "step-published_on": "2026-09-23"}, dt.date(2026, 9, 23))

    fields = flow.fields()
    insp: dict[str, Any] = {
        "step-team-0-name": "刘组长", "step-team-0-role": "组长", "step-team-0-signed": "on",
        "step-team-1-name": "何组员", "step-team-1-signed": "on",
        "step-report_date": "2026-10-13",
    }  # fmt: skip
    for c, rank in ((c_li, 1), (c_zhao, 2)):
        i = flow.row(fields, "candidates", "candidate", c.pk)
        insp |= {
            f"step-candidates-{i}-talks_count": "25", f"step-candidates-{i}-talks_date": "2026-10-09",
            f"step-candidates-{i}-evaluation_participants": "40",
            f"step-candidates-{i}-evaluation_date": "2026-10-09",
            f"step-candidates-{i}-visit_place": "城关镇", f"step-candidates-{i}-visit_date": "2026-10-10",
            f"step-candidates-{i}-reports_investigated": "on", f"step-candidates-{i}-rank": str(rank),
        }  # fmt: skip
    # 何组员 did not sign the report: blocked by the guard, with its message.
    response = flow.post({**insp, "step-team-1-signed": ""}, dt.date(2026, 10, 14), status=409)
    assert "何组员" in page_text(response) and "签名" in page_text(response)
    flow.post(insp, dt.date(2026, 10, 14))
    record = CaseStep.objects.get(case=case, step="inspection")
    assert record.data["report"] == {"date": "2026-10-13", "signed_by": ["刘组长", "何组员"]}
    assert record.data["candidates"][0]["field_visits"] == [
        {"place": "城关镇", "date": "2026-10-10"}
    ]

    # Integrity opinion requested too late for the planned meeting: blocked,
    # then the user moves the meeting and it passes.
    fields = flow.fields()
    integ = {"step-request_document": "青组函〔2026〕61号", "step-requested_on": "2026-10-15",
             "step-planned_meeting_date": "2026-10-17"}  # fmt: skip
    for c in (c_li, c_zhao):
        i = flow.row(fields, "opinions", "candidate", c.pk)
        integ |= {
            f"step-opinions-{i}-result": "passed",
            f"step-opinions-{i}-returned_on": "2026-10-20",
        }
    response = flow.post(integ, dt.date(2026, 10, 20), status=409)
    assert "2026-10-18" in page_text(response)
    integ["step-planned_meeting_date"] = "2026-10-27"
    flow.post(integ, dt.date(2026, 10, 20))
    # The deputy post needs no audit: its rows stay blank.
    flow.post({}, dt.date(2026, 10, 21))
    assert CaseStep.objects.get(case=case, step="audit").data == {"audits": []}
    fields = flow.fields()
    circ = {"step-planned_meeting_date": "2026-10-27", "step-plan_document": "任免方案"}
    for m in members:
        circ[f"step-circulated-{flow.row(fields, 'circulated', 'member', m.pk)}-on"] = "2026-10-23"
    flow.post(circ, dt.date(2026, 10, 23))

    fields = flow.fields()
    i, j = (
        flow.row(fields, "votes", "candidate", c_li.pk),
        flow.row(fields, "votes", "candidate", c_zhao.pk),
    )
    dec = {"step-meeting_date": "2026-10-27", "step-present": [str(m.pk) for m in members[:8]],
           "step-method": "show_of_hands",
           f"step-votes-{i}-agree": "7", f"step-votes-{i}-disagree": "1",
           f"step-votes-{j}-agree": "3", f"step-votes-{j}-disagree": "5"}  # fmt: skip
    flow.post(dec, dt.date(2026, 10, 27))
    record = CaseStep.objects.get(case=case, step="decision")
    assert record.data["method"] == "show_of_hands"
    assert record.data["votes"][i] == {"candidate": c_li.pk, "post": deputy.pk, "agree": 7,
                                       "disagree": 1, "abstain": 0, "defer_votes": 0, "recused": []}  # fmt: skip
    c_li.refresh_from_db()
    assert c_li.status == CandidateStatus.APPROVED

    clock.day = dt.date(2026, 10, 29)
    notice = public_notice_publish(
        actor=world.officer, case=case, start=clock.day, channels=CHANNELS
    )
    response = flow.post({}, notice.end, status=409)
    assert "公示" in page_text(response)
    flow.post({}, notice.end + dt.timedelta(days=1))
    flow.post({"step-document_number": "青委〔2026〕45号", "step-document_date": "2026-11-09",
               "step-method": "appointed"}, dt.date(2026, 11, 9))  # fmt: skip
    fields = flow.fields()
    k = flow.row(fields, "talks", "candidate", c_li.pk)
    flow.post({f"step-talks-{k}-talk_on": "2026-11-10", f"step-talks-{k}-takes_office_on": "2026-11-11",
               f"step-talks-{k}-by": "县委组织部部长"}, dt.date(2026, 11, 11))  # fmt: skip
    tenure = Tenure.objects.get(cadre=li, post=deputy)
    assert tenure.probation_until is not None
    previous.refresh_from_db()
    appointed = CaseStep.objects.get(case=case, step="appointment").data["appointments"][0]
    if end_previous:
        assert previous.end_date == dt.date(2026, 10, 27)  # the decision date
        ended = Event.objects.get(event_type=EventType.TENURE_ENDED, subject_id=str(previous.pk))
        assert ended.payload["document_number"] == "青委〔2026〕45号"
        assert appointed["ended_tenures"] == [previous.pk]
    else:
        assert previous.end_date is None and "ended_tenures" not in appointed
    last = tenure.probation_until
    fields = flow.fields()
    k = flow.row(fields, "assessments", "candidate", c_li.pk)
    pdf = SimpleUploadedFile("考核材料.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    flow.post({f"step-assessments-{k}-result": "competent",
               f"step-assessments-{k}-assessed_on": last.isoformat()},
              last + dt.timedelta(days=1), files={"step-attachment": pdf})  # fmt: skip
    assert flow.case.status == CaseStatus.CLOSED
    c_li.refresh_from_db()
    assert c_li.status == CandidateStatus.CONFIRMED
    attachment = Attachment.objects.get(case=case)
    assert attachment.step is not None and attachment.step.step == "probation_end"
    record_page = page_text(client.get(reverse("web:case_record", args=[case.pk])))
    assert "举手表决" in record_page and attachment.sha256 in record_page
    assert journal_verify().ok


@pytest.mark.usefixtures("clock_at_case_start")
def test_bad_attachment_is_refused_next_to_its_field_and_nothing_is_saved(
    client: Any, personas: Any, county: Any, clock: Clock, committee: Any
) -> None:
    case = case_open(actor=personas.case_officer, title="t", template_code="county-leading",
                     unit=county.root, committee=committee, posts=[(county.town_deputy, 1)],
                     reference_date=REF)  # fmt: skip
    client.force_login(personas.case_officer)
    flow = Flow(client, case, clock)
    fake = SimpleUploadedFile("纪要.pdf", b"not a pdf", content_type="application/pdf")
    response = flow.post({"step-reason": "vacancy", "step-proposer": "城关镇党委"}, REF,
                         status=422, files={"step-attachment": fake})  # fmt: skip
    assert "文件内容与其类型不符。" in page_text(response)
    assert not CaseStep.objects.filter(case=case).exists()
    assert not Attachment.objects.exists()


# ---- the guard preview ----------------------------------------------------------------


@pytest.fixture
def committee(county: Any, admin: Any) -> Any:
    c = committee_create(actor=admin, unit=county.root, name="常委会", kind="standing_committee")
    for i in range(5):
        committee_member_add(
            actor=admin, committee=c, name=f"常委{i}", start_date=dt.date(2021, 1, 1)
        )
    return c


def test_guard_preview_reads_the_data_about_to_be_submitted(
    personas: Any, county: Any, committee: Any
) -> None:
    case = case_open(actor=personas.case_officer, title="t", template_code="county-leading",
                     unit=county.root, committee=committee, posts=[(county.town_deputy, 1)],
                     reference_date=REF)  # fmt: skip
    case_step_complete(actor=personas.case_officer, case=case, step="motion", data=MOTION, on=REF)
    case.refresh_from_db()
    blocked = step_preview(actor=personas.case_officer, case=case, step="plan")
    assert [s.holds for s in blocked] == [False]
    assert "意见尚未记录" in blocked[0].problems[0]
    held = step_preview(actor=personas.case_officer, case=case, step="plan",
                        data={"consultation": [{"from": "县纪委", "comment": "无"}]})  # fmt: skip
    assert [(s.code, s.holds) for s in held] == [
        ("contract", True),
        ("consultation_recorded", True),
    ]
    assert guard_preview(case, "plan", {"consultation": []})[0].problems
    assert not CaseStep.objects.filter(case=case, step="plan").exists()
    from xuanren.common.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        step_preview(actor=personas.outsider, case=case, step="plan")
    with pytest.raises(PermissionDenied):
        step_preview(actor=personas.committee_member, case=case, step="plan")


@pytest.mark.usefixtures("clock_at_case_start")
def test_preview_endpoint_shows_guard_states_without_saving(
    client: Any, personas: Any, county: Any, committee: Any, clock: Clock
) -> None:
    case = case_open(actor=personas.case_officer, title="t", template_code="county-leading",
                     unit=county.root, committee=committee, posts=[(county.town_deputy, 1)],
                     reference_date=REF)  # fmt: skip
    case_step_complete(actor=personas.case_officer, case=case, step="motion", data=MOTION, on=REF)
    client.force_login(personas.case_officer)
    url = reverse("web:case_step_preview", args=[case.pk])
    page = client.get(reverse("web:case_detail", args=[case.pk])).content.decode()
    assert f'hx-post="{url}"' in page and 'id="guards-plan"' in page
    response = client.post(url, {"step": "plan", "step-consultation_from": ["县纪委"],
                                 "step-consultation_comment": ["无意见"]}, HTTP_HX_REQUEST="true")  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 200 and 'id="guards-plan"' in html
    assert "guard-ok" in html and "guard-blocked" not in html
    assert "按本表已填写的内容预检，尚未保存" in page_text(response)
    response = client.post(url, {"step": "plan"})
    assert "guard-blocked" in response.content.decode()
    # A half-filled row: the form's error is named, the stored records previewed.
    response = client.post(
        url,
        {"step": "plan", "step-consultation_from": ["县纪委"], "step-consultation_comment": [""]},
    )
    assert "表单尚有填写错误" in page_text(response)
    assert not CaseStep.objects.filter(case=case, step="plan").exists()
    # Another step than the current one: nothing to preview.
    assert client.post(url, {"step": "decision"}).status_code == 204
    client.force_login(personas.committee_member)
    assert client.post(url, {"step": "plan"}).status_code == 403


def test_decision_accepts_ballot_keys_and_the_record_shows_them(
    client: Any, personas: Any, county: Any, committee: Any
) -> None:
    from django.utils import timezone

    from xuanren.procedure.record import ballot_of
    from xuanren.procedure.selectors import case_record
    from xuanren.web.cases import record_json

    case = case_open(actor=personas.case_officer, title="t", template_code="county-leading",
                     unit=county.root, committee=committee, posts=[(county.town_deputy, 1)],
                     reference_date=REF)  # fmt: skip
    digest = "ab" * 32
    data = {"meeting_date": "2026-10-27", "present": [1], "votes": [], "method": "electronic",
            "ballot_meeting": 7, "ballot_digest": digest}  # fmt: skip
    # The decision guards do not refuse the optional keys (only result_sheet).
    states = guard_preview(case, "decision", data, on=dt.date(2026, 10, 28))
    for s in states:
        assert not any("ballot" in p or "method" in p for p in s.problems)
    record = CaseStep(case=case, step="decision", data=data, seq=1)
    assert ballot_of(record) == {"method": "electronic", "method_display": "电子表决",
                                 "meeting": 7, "digest": digest}  # fmt: skip
    assert ballot_of(CaseStep(case=case, step="decision", data={"present": []})) is None
    assert ballot_of(CaseStep(case=case, step="appointment", data={"method": "appointed"})) is None
    rec = case_record(actor=personas.case_officer, pk=case.pk)
    assert json.loads(json.dumps(record_json(rec, timezone.now()), default=str))["steps"] == []


def test_deferred_candidate_decided_again_through_the_case_page(
    client: Any, personas: Any, county: Any, admin: Any, make_cadre: Any
) -> None:
    from tests.procedure.test_decision_stage import (
        MEETING,
        decision_data,
        make_committee,
        two_candidates,
        vote,
    )

    committee, members = make_committee(admin, county, 11)
    run, a, b = two_candidates(personas, county, committee, members, make_cadre)
    run.complete(
        "decision", decision_data(members[:9], [vote(a, defer_votes=6), vote(b, 3, 6)]), MEETING
    )
    client.force_login(personas.case_officer)
    page = client.get(reverse("web:case_detail", args=[run.case.pk])).content.decode()
    assert "缓议人选再次讨论决定" in page
    assert 'name="resume-votes-0-candidate"' in page
    url = reverse("web:case_decision_resume", args=[run.case.pk])
    later = (MEETING + dt.timedelta(days=7)).isoformat()
    base = {
        "resume-meeting_date": later,
        "resume-votes-TOTAL_FORMS": "1",
        "resume-votes-INITIAL_FORMS": "1",
        "resume-votes-0-candidate": str(a.pk),
        "resume-votes-0-agree": "8",
    }
    # Five present: no quorum — the guard's message, nothing saved.
    five = [str(m.pk) for m in members[:5]]
    response = client.post(url, {**base, "resume-present": five, "resume-votes-0-agree": "4"})
    assert response.status_code == 409 and "未达到法定到会人数" in page_text(response)
    a.refresh_from_db()
    assert a.status == CandidateStatus.DEFERRED
    response = client.post(url, {**base, "resume-present": [str(m.pk) for m in members[:10]]})
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.status == CandidateStatus.APPROVED
    page = client.get(reverse("web:case_detail", args=[run.case.pk])).content.decode()
    assert "缓议人选再次讨论决定" not in page
    client.force_login(personas.committee_member)
    assert client.post(url, base).status_code == 403
