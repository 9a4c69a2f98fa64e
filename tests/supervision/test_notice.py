"""Publishing the public notice (任前公示): only at the public_notice step,
with complete content ordered by surname strokes, for the template's length
(calendar or working days, with the calendar's fallback warning).

Cases reach the public_notice step by setting Case.current_step directly,
with APPROVED candidates created through candidate_add (see conftest)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.supervision.conftest import CHANNELS, TODAY, full_cadre, notice_case_for, publish
from xuanren.common.errors import Conflict, PermissionDenied, ValidationFailed
from xuanren.journal.models import Event, EventType
from xuanren.journal.services import journal_verify
from xuanren.policy.models import ExceptionStatus, PromotionException
from xuanren.procedure.candidates import candidate_add
from xuanren.procedure.models import CandidateStatus, Case
from xuanren.supervision.models import PublicNotice
from xuanren.supervision.services import public_notice_publish

pytestmark = pytest.mark.django_db


def test_calendar_days_seven_days_counting_the_first(personas, notice_case):
    notice = publish(personas, notice_case.case)
    assert (notice.start, notice.end) == (TODAY, dt.date(2026, 12, 3))
    assert (notice.length, notice.unit) == (7, "calendar_days")
    assert notice.calendar_warning == ""


def test_working_days_across_national_day_2026(
    personas, county, committee, make_cadre, admin, clock
):
    clock.day = dt.date(2026, 9, 28)
    nc = notice_case_for(personas, county, committee, make_cadre, admin, template="competitive")
    notice = publish(personas, nc.case, start=dt.date(2026, 9, 28))
    # 9.28, 9.29, 9.30, then 国庆 1–7 October, then 10.8 and 10.9.
    assert (notice.length, notice.unit) == (5, "working_days")
    assert notice.end == dt.date(2026, 10, 9)
    assert notice.calendar_warning == ""


def test_working_days_into_2027_use_the_fallback_and_say_so(
    personas, county, committee, make_cadre, admin, clock
):
    clock.day = dt.date(2026, 12, 28)
    nc = notice_case_for(personas, county, committee, make_cadre, admin, template="competitive")
    notice = publish(personas, nc.case, start=dt.date(2026, 12, 28))
    # 12.28–12.31, 元旦 on Friday 1 January 2027, then Monday 4 January.
    assert notice.end == dt.date(2027, 1, 4)
    assert "2027 年的国务院放假安排尚未载入" in notice.calendar_warning


def test_refused_at_the_wrong_step(personas, notice_case):
    Case.objects.filter(pk=notice_case.case.pk).update(current_step="decision")
    with pytest.raises(Conflict, match="只有在“任前公示”环节才能发布"):
        publish(personas, notice_case.case)
    assert not PublicNotice.objects.exists()


def test_refused_when_back_dated_or_without_channels(personas, notice_case):
    with pytest.raises(ValidationFailed) as info:
        public_notice_publish(
            actor=personas.case_officer,
            case=notice_case.case,
            start=TODAY - dt.timedelta(days=1),
            channels=["  "],
        )
    fields = {e.field for e in info.value.errors}
    assert fields == {"start", "channels"}


def test_content_of_each_person_in_stroke_order(personas, notice_case):
    notice = publish(personas, notice_case.case)
    assert [p["name"] for p in notice.persons] == ["王芳", "张伟"]  # 王 4 strokes, 张 7
    wang = notice.persons[0]
    assert wang["candidate"] == notice_case.wang.pk
    assert wang["sex"] == "女"
    assert wang["ethnicity"] == "汉族"
    assert wang["birth"] == "1986.05"
    assert wang["native_place"] == "浙江嘉善"
    assert wang["education"] == "大学本科，学士学位"
    assert wang["political_status"] == "中共党员"
    assert wang["party_join"] == "2008.06"
    assert wang["work_start"] == "2007.08"
    assert wang["resume"] == [
        {"period": "2003.09—2007.07", "text": "浙江大学公共管理学院学习"},
        {"period": "2007.08—", "text": "城关镇党政办科员、副主任、主任"},
    ]
    assert wang["current_post"] == "城关镇党政办主任"
    assert wang["proposed_post"] == "城关镇副镇长"
    assert wang["exception"] is None
    assert notice.channels == CHANNELS
    assert "中共青山县委常委会" in notice.text and "2026年12月3日" in notice.text


def test_only_approved_candidates_are_on_the_notice(personas, notice_case, county, make_cadre):
    other = make_cadre(county.town_office, name="李四")
    candidate_add(
        actor=personas.case_officer,
        case=notice_case.case,
        cadre=other,
        post=county.town_deputy,
        step="decision",
        status=CandidateStatus.DEFERRED,
    )
    notice = publish(personas, notice_case.case)
    assert [p["name"] for p in notice.persons] == ["王芳", "张伟"]


def test_exception_is_stated(personas, notice_case, admin):
    PromotionException.objects.create(
        cadre=notice_case.zhang.cadre,
        post=notice_case.zhang.post,
        rule_ids=["national.section_deputy.years_in_level"],
        reason="outstanding",
        explanation="在抗洪抢险中表现突出。",
        approving_body="中共青山县委组织部",
        document="青组〔2026〕12号",
        status=ExceptionStatus.APPROVED,
        requested_by=admin,
    )
    notice = publish(personas, notice_case.case)
    zhang = notice.persons[1]
    assert zhang["exception"]["statement"].startswith("破格提拔。破格理由：经过实践考验、特别优秀")
    assert "在抗洪抢险中表现突出" in zhang["exception"]["statement"]


def test_incomplete_content_is_not_published(personas, notice_case, county, make_cadre, admin):
    bare = make_cadre(county.town_office, name="赵六", native_place="", current_post_title="")
    candidate_add(
        actor=personas.case_officer,
        case=notice_case.case,
        cadre=bare,
        post=county.town_deputy,
        step="decision",
        status=CandidateStatus.APPROVED,
    )
    with pytest.raises(ValidationFailed) as info:
        publish(personas, notice_case.case)
    message = info.value.errors[0].message
    assert message.startswith("赵六的公示内容缺少：")
    for gap in ("籍贯", "学历", "工作简历", "现任职务"):
        assert gap in message
    assert not PublicNotice.objects.exists()


def test_no_approved_candidate_nothing_to_publish(personas, county, committee, make_cadre, admin):
    nc = notice_case_for(personas, county, committee, make_cadre, admin)
    nc.case.candidates.update(status=CandidateStatus.REJECTED)
    with pytest.raises(ValidationFailed, match="内容不完整") as info:
        publish(personas, nc.case)
    assert info.value.errors[0].field == "persons"


def test_publishing_again_replaces_and_is_journalled(personas, notice_case):
    first = publish(personas, notice_case.case)
    second = publish(personas, notice_case.case, start=TODAY + dt.timedelta(days=1))
    events = Event.objects.filter(event_type=EventType.NOTICE_PUBLISHED).order_by("id")
    assert [e.subject_id for e in events] == [str(first.pk), str(second.pk)]
    assert events[1].payload["replaces"] == first.pk
    assert events[1].payload["candidates"] == [notice_case.wang.pk, notice_case.zhang.pk]
    assert journal_verify().ok


@pytest.mark.parametrize("who", ["outsider", "other_unit_hr", "committee_member", "discipline"])
def test_only_case_officers_in_scope_publish(personas, notice_case, who):
    with pytest.raises(PermissionDenied):
        public_notice_publish(
            actor=getattr(personas, who), case=notice_case.case, start=TODAY, channels=CHANNELS
        )


def test_a_cadre_outside_the_party_has_no_join_date(
    personas, notice_case, county, make_cadre, admin
):
    cadre = full_cadre(
        make_cadre, admin, county.town_office, name="钱七", political_status="non_partisan",
        party_join=None,
    )  # fmt: skip
    candidate_add(
        actor=personas.case_officer,
        case=notice_case.case,
        cadre=cadre,
        post=county.town_deputy,
        step="decision",
        status=CandidateStatus.APPROVED,
    )
    notice = publish(personas, notice_case.case)
    qian = next(p for p in notice.persons if p["name"] == "钱七")
    assert (qian["political_status"], qian["party_join"]) == ("无党派人士", "")
    assert [p["name"] for p in notice.persons] == ["王芳", "张伟", "钱七"]  # 钱 10 strokes
