"""Services on cadre records: validation saves nothing on error; every write
leaves a journal event; permission and scope are checked in the service."""

import datetime as dt

import pytest

from tests.conftest import cadre_input
from xuanren.common.errors import PermissionDenied, ValidationFailed
from xuanren.journal.models import Event, EventType
from xuanren.journal.services import cadre_fp_payload, journal_verify
from xuanren.org.models import Level
from xuanren.people.idnumbers import build_id_number
from xuanren.people.models import Cadre, Tenure
from xuanren.people.services import (
    assessment_set,
    cadre_create,
    cadre_update,
    education_add,
    family_member_add,
    mask_id_number,
    resume_entry_add,
    reward_punishment_add,
    tenure_end,
    tenure_start,
    training_add,
)

pytestmark = pytest.mark.django_db


def counts():
    return Cadre.objects.count(), Event.objects.count()


def test_create_saves_and_journals(county, personas):
    cadre = cadre_create(actor=personas.case_officer, unit=county.town, data=cadre_input())
    event = Event.objects.filter(event_type=EventType.CADRE_CREATED).get()
    assert event.subject_id == str(cadre.pk)
    assert event.actor_id == personas.case_officer.pk
    # The journal holds no full ID number.
    assert cadre.id_number not in str(event.payload)
    assert cadre.name_initials == "zw"


def test_create_with_several_errors_reports_all_and_saves_nothing(county, personas):
    before = counts()
    bad = cadre_input(work_start=dt.date(1980, 1, 1), party_join=dt.date(1999, 1, 1))
    bad.id_number = bad.id_number[:17] + ("1" if bad.id_number[17] != "1" else "2")
    with pytest.raises(ValidationFailed) as info:
        cadre_create(actor=personas.case_officer, unit=county.town, data=bad)
    fields = {e.field for e in info.value.errors}
    assert {"id_number", "work_start_date", "party_join_date"} <= fields
    assert counts() == before


def test_duplicate_id_number_refused(county, personas):
    data = cadre_input()
    cadre_create(actor=personas.case_officer, unit=county.town, data=data)
    with pytest.raises(ValidationFailed, match="未保存") as info:
        cadre_create(actor=personas.case_officer, unit=county.town, data=data)
    assert info.value.errors[0].field == "id_number"


def test_update_revalidates_whole_record_and_journals_the_diff(county, personas, make_cadre):
    cadre = make_cadre(county.town)
    with pytest.raises(ValidationFailed):
        cadre_update(
            actor=personas.case_officer, cadre=cadre, changes={"birth_date": dt.date(1985, 3, 3)}
        )
    cadre.refresh_from_db()
    assert cadre.birth_date == dt.date(1985, 3, 2)
    cadre_update(actor=personas.case_officer, cadre=cadre, changes={"native_place": "浙江杭州"})
    event = Event.objects.filter(event_type=EventType.CADRE_UPDATED).get()
    assert event.payload == {
        "changes": {"native_place": ["", "浙江杭州"]},
        "cadre_fp": cadre_fp_payload([Cadre.objects.get(pk=cadre.pk)]),
    }


def test_update_unknown_field_refused(county, personas, make_cadre):
    cadre = make_cadre(county.town)
    with pytest.raises(ValidationFailed, match="不能修改"):
        cadre_update(actor=personas.case_officer, cadre=cadre, changes={"photo": b"x"})


def test_outsider_and_other_unit_hr_cannot_write(county, personas, make_cadre):
    before = counts()
    for actor in (personas.outsider, personas.other_unit_hr, personas.committee_member):
        with pytest.raises(PermissionDenied):
            cadre_create(actor=actor, unit=county.town, data=cadre_input())
    assert counts() == before
    cadre = make_cadre(county.town)
    with pytest.raises(PermissionDenied):
        cadre_update(actor=personas.other_unit_hr, cadre=cadre, changes={"native_place": "x"})


def test_unit_hr_can_write_in_own_unit(county, personas):
    cadre = cadre_create(actor=personas.other_unit_hr, unit=county.other_town, data=cadre_input())
    assert cadre.unit == county.other_town


def test_tenure_within_seats_and_refused_beyond(county, personas, make_cadre):
    officer = personas.case_officer
    first = make_cadre(county.finance, name="甲")
    second = make_cadre(county.finance, name="乙")
    t1 = tenure_start(
        actor=officer, cadre=first, post=county.finance_head, start_date=dt.date(2020, 1, 1)
    )
    before = Tenure.objects.count()
    with pytest.raises(ValidationFailed, match="满员"):
        tenure_start(
            actor=officer, cadre=second, post=county.finance_head, start_date=dt.date(2022, 1, 1)
        )
    assert Tenure.objects.count() == before
    # Hand-over on the same date: the first ends the day the second starts.
    tenure_end(actor=officer, tenure=t1, end_date=dt.date(2022, 1, 1))
    tenure_start(
        actor=officer, cadre=second, post=county.finance_head, start_date=dt.date(2022, 1, 1)
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.level == Level.SECTION_PRINCIPAL
    assert second.level_since == dt.date(2022, 1, 1)
    assert second.current_post_title == "县财政局局长"


def test_probation_is_recorded_with_the_tenure_and_must_end_after_it_starts(
    county, personas, make_cadre
):
    officer = personas.case_officer
    cadre = make_cadre(county.finance, name="试")
    start = dt.date(2026, 2, 28)
    with pytest.raises(ValidationFailed) as refused:
        tenure_start(
            actor=officer,
            cadre=cadre,
            post=county.finance_head,
            start_date=start,
            probation_until=start,
        )
    assert "probation_until" in {e.field for e in refused.value.errors}
    assert not Tenure.objects.filter(cadre=cadre).exists()
    tenure = tenure_start(
        actor=officer,
        cadre=cadre,
        post=county.finance_head,
        start_date=start,
        probation_until=dt.date(2027, 2, 27),
    )
    tenure.refresh_from_db()
    assert tenure.probation_until == dt.date(2027, 2, 27)
    event = Event.objects.filter(event_type=EventType.TENURE_STARTED).latest("pk")
    assert event.payload["probation_until"] == "2027-02-27"


def test_post_with_two_seats_takes_two(county, personas, make_cadre):
    a, b, c = (make_cadre(county.finance, name=n) for n in "丙丁戊")
    for person in (a, b):
        tenure_start(
            actor=personas.case_officer,
            cadre=person,
            post=county.finance_deputy,
            start_date=dt.date(2021, 5, 1),
        )
    with pytest.raises(ValidationFailed):
        tenure_start(
            actor=personas.case_officer,
            cadre=c,
            post=county.finance_deputy,
            start_date=dt.date(2023, 5, 1),
        )
    # A past tenure that ended before the others began still fits.
    tenure_start(
        actor=personas.case_officer,
        cadre=c,
        post=county.finance_deputy,
        start_date=dt.date(2018, 1, 1),
        end_date=dt.date(2021, 5, 1),
    )


def test_tenure_before_work_start_refused(county, personas, make_cadre):
    cadre = make_cadre(county.finance)
    with pytest.raises(ValidationFailed, match="参加工作时间"):
        tenure_start(
            actor=personas.case_officer,
            cadre=cadre,
            post=county.finance_head,
            start_date=dt.date(2007, 8, 1),
        )


def test_tenure_end_before_start_refused(county, personas, make_cadre):
    cadre = make_cadre(county.finance)
    tenure = tenure_start(
        actor=personas.case_officer,
        cadre=cadre,
        post=county.finance_head,
        start_date=dt.date(2020, 1, 1),
    )
    with pytest.raises(ValidationFailed, match="应晚于任职时间"):
        tenure_end(actor=personas.case_officer, tenure=tenure, end_date=dt.date(2020, 1, 1))


def test_child_records_validate_and_journal(county, personas, make_cadre):
    officer = personas.case_officer
    cadre = make_cadre(county.town)
    other = make_cadre(county.town, name="王芳", sex="female")
    education_add(
        actor=officer, cadre=cadre, kind="full_time", level="bachelor", school="浙江大学",
        start_date=dt.date(2003, 9, 1), end_date=dt.date(2007, 7, 1),
    )  # fmt: skip
    education_add(
        actor=officer, cadre=cadre, kind="in_service", level="postgraduate", school="中央党校"
    )
    cadre.refresh_from_db()
    assert cadre.education_level == "postgraduate"
    with pytest.raises(ValidationFailed):
        education_add(
            actor=officer, cadre=cadre, kind="full_time", level="bachelor", school="x",
            start_date=dt.date(2007, 7, 1), end_date=dt.date(2003, 9, 1),
        )  # fmt: skip
    resume_entry_add(
        actor=officer, cadre=cadre, start_date=dt.date(2007, 8, 1), end_date=None, text="城关镇科员"
    )
    with pytest.raises(ValidationFailed):
        resume_entry_add(
            actor=officer, cadre=cadre, start_date=dt.date(2007, 8, 1), end_date=None, text=" "
        )
    family_member_add(
        actor=officer, cadre=cadre, relation="spouse", name="王芳", related_cadre=other
    )
    with pytest.raises(ValidationFailed):
        family_member_add(
            actor=officer, cadre=cadre, relation="spouse", name="我", related_cadre=cadre
        )
    assessment_set(actor=officer, cadre=cadre, year=2025, grade="excellent")
    assessment_set(actor=officer, cadre=cadre, year=2025, grade="competent")
    assert cadre.assessments.get().grade == "competent"
    with pytest.raises(ValidationFailed):
        assessment_set(actor=officer, cadre=cadre, year=2025, grade="superb")
    reward_punishment_add(
        actor=officer, cadre=cadre, kind="punishment", category="warning_talk", title="诫勉谈话",
        decided_on=dt.date(2026, 1, 5), effect_until=dt.date(2026, 7, 5),
    )  # fmt: skip
    with pytest.raises(ValidationFailed):
        reward_punishment_add(
            actor=officer, cadre=cadre, kind="punishment", category="warning_talk", title="诫勉",
            decided_on=dt.date(2026, 1, 5), effect_until=dt.date(2025, 7, 5),
        )  # fmt: skip
    training_add(actor=officer, cadre=cadre, year=2025, hours=110, title="县委党校中青班")
    with pytest.raises(ValidationFailed):
        training_add(actor=officer, cadre=cadre, year=2025, hours=0, title="x")
    added = Event.objects.filter(event_type=EventType.CADRE_RECORD_ADDED, subject_id=str(cadre.pk))
    assert added.count() == 8
    assert journal_verify().ok


def test_mask_id_number():
    number = build_id_number("330421", dt.date(1985, 3, 2), 11, "male")
    masked = mask_id_number(number)
    assert masked.startswith("330421") and masked.endswith(number[-4:])
    assert "19850302" not in masked
