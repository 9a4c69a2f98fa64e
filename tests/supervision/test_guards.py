"""The public_notice step's guards (notice_complete, notice_full_length,
reports_closed), each blocking with its Chinese message and passing, and the
step's effect: an affecting finding suspends or drops the candidate.

Cases reach the public_notice step by setting Case.current_step directly,
with APPROVED candidates created through candidate_add (see conftest)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.supervision.conftest import TODAY, full_cadre, publish
from xuanren.journal.services import journal_verify
from xuanren.policy.models import ExceptionStatus, PromotionException
from xuanren.procedure.candidates import candidate_add
from xuanren.procedure.models import CandidateStatus
from xuanren.procedure.services import GuardBlocked, case_step_complete
from xuanren.supervision.models import Finding
from xuanren.supervision.services import (
    report_assign,
    report_close,
    report_investigate,
    report_submit,
)

pytestmark = pytest.mark.django_db

AFTER = dt.date(2026, 12, 4)  # the day after a 7-day notice from TODAY ends


def complete(personas, case, on=AFTER):
    return case_step_complete(actor=personas.case_officer, case=case, step="public_notice", on=on)


def blocking(personas, case, on=AFTER) -> dict[str, list[str]]:
    """Guard code → its problems, when the step is refused."""
    with pytest.raises(GuardBlocked) as info:
        complete(personas, case, on)
    out: dict[str, list[str]] = {}
    for error in info.value.errors:
        out.setdefault(error.field, []).append(error.message)
    return out


def submit(notice, candidate_id=None, about_name="", client="10.0.0.1"):
    report, _receipt = report_submit(
        notice=notice,
        candidate_id=candidate_id,
        about_name=about_name,
        content="该同志在任职期间存在违规收受礼金的问题，请组织核查。",
        anonymous=True,
        client=client,
    )
    return report


def handle(personas, report, finding, candidate=None):
    report_assign(actor=personas.case_officer, report=report, assignee=personas.discipline)
    report_investigate(actor=personas.discipline, report=report, note="调阅账目，个别谈话 5 人。")
    return report_close(
        actor=personas.discipline,
        report=report,
        finding=finding,
        text="经查核，情况如结论所述。",
        candidate=candidate,
    )


# ---- notice_complete ----------------------------------------------------------------


def test_notice_complete_blocks_without_a_notice(personas, notice_case):
    problems = blocking(personas, notice_case.case)
    assert problems["notice_complete"] == [
        "任前公示尚未发布：请在“任前公示”页面发布后再办理本环节。"
    ]
    assert problems["notice_full_length"] == ["任前公示尚未发布，公示期无从计算。"]


def test_notice_complete_blocks_for_a_candidate_missing_from_the_notice(
    personas, notice_case, county, make_cadre, admin
):
    publish(personas, notice_case.case)
    late = full_cadre(make_cadre, admin, county.town_office, name="李娜", sex="female")
    candidate_add(
        actor=personas.case_officer,
        case=notice_case.case,
        cadre=late,
        post=county.town_deputy,
        step="decision",
        status=CandidateStatus.APPROVED,
    )
    problems = blocking(personas, notice_case.case)
    assert problems == {
        "notice_complete": ["李娜（拟任城关镇副镇长）未列入任前公示，须重新发布公示。"]
    }


def test_notice_complete_blocks_when_exception_is_not_stated(personas, notice_case, admin):
    publish(personas, notice_case.case)
    PromotionException.objects.create(
        cadre=notice_case.zhang.cadre,
        post=notice_case.zhang.post,
        rule_ids=["x"],
        reason="team_structure",
        explanation="班子缺少财经专业干部。",
        document="青组〔2026〕13号",
        status=ExceptionStatus.APPROVED,
        requested_by=admin,
    )
    problems = blocking(personas, notice_case.case)
    assert problems == {"notice_complete": ["张伟的公示内容缺少：破格提拔说明。"]}
    publish(personas, notice_case.case)  # published again, 破格 stated
    assert "notice_complete" not in blocking(personas, notice_case.case, on=TODAY)


def test_notice_complete_blocks_when_stored_content_lacks_a_field(personas, notice_case):
    notice = publish(personas, notice_case.case)
    persons = notice.persons
    persons[0]["resume"] = []
    type(notice).objects.filter(pk=notice.pk).update(persons=persons)
    problems = blocking(personas, notice_case.case)
    assert problems == {"notice_complete": ["王芳的公示内容缺少：工作简历。"]}


# ---- notice_full_length -------------------------------------------------------------


def test_notice_full_length_blocks_on_the_last_day_and_passes_the_day_after(personas, notice_case):
    publish(personas, notice_case.case)
    last_day = dt.date(2026, 12, 3)
    problems = blocking(personas, notice_case.case, on=last_day)
    assert problems == {
        "notice_full_length": [
            "任前公示期为 2026年11月27日 至 2026年12月3日（7天），2026年12月3日 尚未期满，"
            "期满后方可办理。"
        ]
    }
    record = complete(personas, notice_case.case, on=last_day + dt.timedelta(days=1))
    assert record.step == "public_notice"
    notice_case.case.refresh_from_db()
    assert notice_case.case.current_step == "appointment"


def test_notice_full_length_shows_the_fallback_warning(
    personas, county, committee, make_cadre, admin, clock
):
    from tests.supervision.conftest import notice_case_for

    clock.day = dt.date(2026, 12, 28)
    nc = notice_case_for(personas, county, committee, make_cadre, admin, template="competitive")
    publish(personas, nc.case, start=dt.date(2026, 12, 28))
    problems = blocking(personas, nc.case, on=dt.date(2027, 1, 4))
    (message,) = problems["notice_full_length"]
    assert "至 2027年1月4日（5个工作日）" in message
    assert "2027 年的国务院放假安排尚未载入" in message
    assert complete(personas, nc.case, on=dt.date(2027, 1, 5)).step == "public_notice"


# ---- reports_closed -----------------------------------------------------------------


def test_reports_closed_blocks_while_a_report_is_open(personas, notice_case):
    notice = publish(personas, notice_case.case)
    report = submit(notice, candidate_id=notice_case.zhang.pk)
    problems = blocking(personas, notice_case.case)
    assert problems == {
        "reports_closed": [
            f"关于张伟的举报（第 {report.pk} 号）尚未办结（已受理），须查核并作出结论。"
        ]
    }
    report_assign(actor=personas.case_officer, report=report, assignee=personas.discipline)
    report_investigate(actor=personas.discipline, report=report, note="个别谈话。")
    assert "调查核实中" in blocking(personas, notice_case.case)["reports_closed"][0]
    report_close(actor=personas.discipline, report=report, finding=Finding.NONE, text="查无实据。")
    complete(personas, notice_case.case)
    notice_case.zhang.refresh_from_db()
    assert notice_case.zhang.status == CandidateStatus.APPROVED  # not affected
    assert journal_verify().ok


# ---- effects ------------------------------------------------------------------------


def test_a_drop_finding_excludes_and_a_suspend_finding_suspends(personas, notice_case):
    notice = publish(personas, notice_case.case)
    about_zhang = submit(notice, candidate_id=notice_case.zhang.pk)
    about_wang = submit(notice, candidate_id=notice_case.wang.pk)
    handle(personas, about_zhang, Finding.DROP)
    handle(personas, about_wang, Finding.SUSPEND)
    complete(personas, notice_case.case)
    notice_case.zhang.refresh_from_db()
    notice_case.wang.refresh_from_db()
    assert notice_case.zhang.status == CandidateStatus.EXCLUDED
    assert notice_case.zhang.status_reason == (
        f"任前公示期间举报（第 {about_zhang.pk} 号）经查核影响任用，不予任用。"
    )
    assert notice_case.wang.status == CandidateStatus.SUSPENDED
    assert "暂缓任用" in notice_case.wang.status_reason
    assert journal_verify().ok


def test_drop_prevails_over_suspend_for_the_same_candidate(personas, notice_case):
    notice = publish(personas, notice_case.case)
    first = submit(notice, candidate_id=notice_case.zhang.pk)
    second = submit(notice, candidate_id=notice_case.zhang.pk, client="10.0.0.2")
    handle(personas, first, Finding.SUSPEND)
    handle(personas, second, Finding.DROP)
    complete(personas, notice_case.case)
    notice_case.zhang.refresh_from_db()
    assert notice_case.zhang.status == CandidateStatus.EXCLUDED
    assert f"第 {first.pk} 号、第 {second.pk} 号" in notice_case.zhang.status_reason


def test_a_free_text_report_linked_to_the_candidate_at_closing(personas, notice_case):
    notice = publish(personas, notice_case.case)
    report = submit(notice, about_name="张 伟（城关镇）")
    handle(personas, report, Finding.DROP, candidate=notice_case.zhang)
    complete(personas, notice_case.case)
    notice_case.zhang.refresh_from_db()
    assert notice_case.zhang.status == CandidateStatus.EXCLUDED
