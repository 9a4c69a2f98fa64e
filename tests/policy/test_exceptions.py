"""破格: what may be waived, when a request is refused, and how an approved
exception shows in explain() and screen()."""

import datetime as dt

import pytest

from xuanren.common.errors import PermissionDenied, ValidationFailed
from xuanren.journal.models import Event, EventType
from xuanren.org.models import Level
from xuanren.org.services import post_create
from xuanren.people.models import Tenure
from xuanren.policy.models import ExceptionStatus, PromotionException
from xuanren.policy.rules import Status
from xuanren.policy.selectors import explain_for, screen
from xuanren.policy.services import promotion_exception_decide, promotion_exception_request
from xuanren.reminders.kept import reminders_refresh

pytestmark = pytest.mark.django_db
RULE = "section.ladder"
TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def chief(county, admin):
    return post_create(
        actor=admin,
        unit=county.town_office,
        title="股长",
        level=Level.SUBSECTION_PRINCIPAL,
        is_principal=True,
    )


@pytest.fixture
def young(county, make_cadre, admin):
    from xuanren.people.services import cadre_update, education_add

    cadre = make_cadre(county.town_office, name="青年", birth=dt.date(1995, 5, 1),
                       party_join=dt.date(2016, 6, 1), work_start=dt.date(2017, 8, 1))  # fmt: skip
    education_add(actor=admin, cadre=cadre, kind="full_time", level="bachelor", school="浙江大学")
    # 副股 since 2025-05-01: 1 year 6 months at the reference date, short of two.
    return cadre_update(
        actor=admin,
        cadre=cadre,
        changes={"level": "subsection_deputy", "level_since": dt.date(2025, 5, 1)},
    )


def ask(actor, cadre, post, rules=(RULE,), on=TODAY):
    return promotion_exception_request(
        actor=actor, cadre=cadre, post=post, rule_ids=list(rules), reason="outstanding",
        explanation="近两年在乡村振兴一线表现突出", on=on,
    )  # fmt: skip


def test_approved_exception_waives_the_rule_in_explain_and_screen(personas, admin, young, chief):
    officer = personas.case_officer
    before = explain_for(actor=officer, cadre=young, post=chief, ref=TODAY)
    assert {r.rule.id for r in before.failed} == {RULE}
    assert young not in screen(actor=officer, post=chief, ref=TODAY)
    request = ask(officer, young, chief)
    assert request.status == ExceptionStatus.REQUESTED
    # A pending request waives nothing.
    assert not explain_for(actor=officer, cadre=young, post=chief, ref=TODAY).eligible
    promotion_exception_decide(actor=admin, request=request, approve=True, approving_body="县委组织部",
                               document="青组函〔2026〕8号", on=TODAY)  # fmt: skip
    after = explain_for(actor=officer, cadre=young, post=chief, ref=TODAY)
    assert after.eligible
    waived = [r for r in after.results if r.status is Status.WAIVED]
    assert [r.rule.id for r in waived] == [RULE]
    assert "破格" in waived[0].sentence
    assert young in screen(actor=officer, post=chief, ref=TODAY)
    types = list(
        Event.objects.filter(subject_type="policy.promotionexception").values_list(
            "event_type", flat=True
        )
    )
    assert types == [EventType.EXCEPTION_REQUESTED, EventType.EXCEPTION_DECIDED]


def test_basic_conditions_cannot_be_waived(personas, young, chief):
    with pytest.raises(ValidationFailed, match="基本资格条件"):
        ask(personas.case_officer, young, chief, rules=("section.age",))
    assert not PromotionException.objects.exists()


def test_unknown_rule_refused(personas, young, chief):
    with pytest.raises(ValidationFailed, match="不是该职位适用"):
        ask(personas.case_officer, young, chief, rules=("county.deputy.education",))


def test_no_two_level_jump(personas, young, county, admin):
    """不得越两级: the 副股 is two rungs of the ladder below 副处 (副科, 正科
    skipped); one rung (正科 over 副科) may be asked for."""
    division = post_create(
        actor=admin, unit=county.town, title="副县级组织员", level=Level.DIVISION_DEPUTY
    )
    with pytest.raises(ValidationFailed, match="越两级"):
        ask(personas.case_officer, young, division, rules=("national.ladder",))
    section = post_create(
        actor=admin, unit=county.town, title="党政办主任", level=Level.SECTION_PRINCIPAL
    )
    assert ask(personas.case_officer, young, section, rules=("national.ladder",)).pk  # fmt: skip


def test_from_the_start_of_the_ladder_no_jump_is_counted(personas, young, county, admin):
    """副科 may be reached from any 股级 or from no leadership post, so asking
    for 副科 is no 越级 at all (the old rank arithmetic refused it)."""
    deputy = post_create(actor=admin, unit=county.town, title="副镇长", level=Level.SECTION_DEPUTY)
    assert ask(personas.case_officer, young, deputy, rules=("national.ladder",)).pk


def test_not_within_a_year_of_the_last_promotion(personas, young, chief, admin):
    from xuanren.people.services import cadre_update

    cadre_update(actor=admin, cadre=young, changes={"level_since": dt.date(2026, 1, 10)})
    with pytest.raises(ValidationFailed, match="不满一年"):
        ask(personas.case_officer, young, chief)
    # Exactly one year ago is allowed.
    cadre_update(actor=admin, cadre=young, changes={"level_since": dt.date(2025, 11, 27)})
    assert ask(personas.case_officer, young, chief).pk


def test_not_during_probation(personas, young, chief, county, admin):
    from xuanren.people.services import tenure_start

    deputy = post_create(
        actor=admin, unit=county.town_office, title="副股长", level=Level.SUBSECTION_DEPUTY
    )
    t = tenure_start(actor=admin, cadre=young, post=deputy, start_date=dt.date(2025, 5, 1))
    Tenure.objects.filter(pk=t.pk).update(probation_until=dt.date(2026, 12, 31))
    reminders_refresh([t.cadre_id])  # as tenure_start would (decision 0195)
    with pytest.raises(ValidationFailed, match="试用期"):
        ask(personas.case_officer, young, chief)


def test_not_twice_in_a_row_on_tenure_years(personas, young, chief, admin, county):
    first = ask(personas.case_officer, young, chief)
    promotion_exception_decide(actor=admin, request=first, approve=True, approving_body="县委组织部",
                               document="青组函〔2026〕8号", on=TODAY)  # fmt: skip
    other = post_create(actor=admin, unit=county.town_office, title="股长", level=Level.SUBSECTION_PRINCIPAL,
                        is_principal=True)  # fmt: skip
    with pytest.raises(ValidationFailed, match="连续破格"):
        ask(personas.case_officer, young, other)


def test_decision_needs_a_document_and_happens_once(personas, young, chief, admin):
    request = ask(personas.case_officer, young, chief)
    with pytest.raises(ValidationFailed, match="批准文件"):
        promotion_exception_decide(actor=admin, request=request, approve=True, approving_body="县委组织部",
                                   document="", on=TODAY)  # fmt: skip
    promotion_exception_decide(actor=admin, request=request, approve=False, approving_body="县委组织部",
                               document="", note="理由不充分", on=TODAY)  # fmt: skip
    with pytest.raises(ValidationFailed, match="重复审批"):
        promotion_exception_decide(actor=admin, request=request, approve=True, approving_body="县委组织部",
                                   document="x", on=TODAY)  # fmt: skip


def test_case_officer_cannot_approve_and_outsider_cannot_ask(personas, young, chief):
    request = ask(personas.case_officer, young, chief)
    with pytest.raises(PermissionDenied):
        promotion_exception_decide(actor=personas.case_officer, request=request, approve=True,
                                   approving_body="x", document="y", on=TODAY)  # fmt: skip
    with pytest.raises(PermissionDenied):
        ask(personas.outsider, young, chief)


def test_eligible_posts_of_a_unit(personas, young, chief, county, admin):
    from xuanren.policy.selectors import eligible_posts

    deputy = post_create(
        actor=admin, unit=county.town_office, title="副股长", level=Level.SUBSECTION_DEPUTY
    )
    verdicts = eligible_posts(
        actor=personas.case_officer, cadre=young, unit=county.town_office, ref=TODAY
    )
    assert [v.post for v in verdicts] == [deputy]
    every = eligible_posts(
        actor=personas.case_officer,
        cadre=young,
        unit=county.town_office,
        ref=TODAY,
        only_eligible=False,
    )
    assert {v.post for v in every} == {chief, deputy}
    with pytest.raises(PermissionDenied):
        eligible_posts(
            actor=personas.other_unit_hr, cadre=young, unit=county.town_office, ref=TODAY
        )


def test_eligible_posts_query_count_does_not_grow_with_posts(personas, young, chief, county, admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from xuanren.policy.selectors import eligible_posts

    def count():
        with CaptureQueriesContext(connection) as ctx:
            eligible_posts(actor=personas.case_officer, cadre=young, unit=county.town_office, ref=TODAY,
                           only_eligible=False)  # fmt: skip
        return len(ctx.captured_queries)

    count()  # the first call parses and caches the packs' rules
    few = count()
    for i in range(5):
        post_create(
            actor=admin, unit=county.town_office, title=f"副股长{i}", level=Level.SUBSECTION_DEPUTY
        )
    assert count() == few


def test_an_exception_the_source_provides_is_not_held_to_the_limits_of_promotion_exceptions(
    personas, young, county, admin
):
    """例外 of the training rule (第八条第（五）项) is approved the same way but is
    not 破格: a request for it alone is not refused as 越两级 or within a year of
    the last promotion; asked together with a 破格, the limits apply."""
    from xuanren.people.services import cadre_update

    cadre_update(actor=admin, cadre=young, changes={"level_since": dt.date(2026, 6, 1)})
    division = post_create(
        actor=admin, unit=county.town, title="副县级组织员", level=Level.DIVISION_DEPUTY
    )
    assert ask(personas.case_officer, young, division, rules=("national.training",)).pk
    with pytest.raises(ValidationFailed, match="越两级"):
        ask(personas.case_officer, young, division, rules=("national.training", "national.ladder"))
