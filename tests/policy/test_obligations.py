"""The training obligation of an approved exception to `national.training`
(docs/decisions/0090): due on the last day of the year after the appointment,
met when the rule's window of years ending then reaches the hours."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xuanren.org.models import Level
from xuanren.org.services import post_create, quota_set
from xuanren.people.models import CadreStatus
from xuanren.people.services import cadre_update, tenure_start, training_add
from xuanren.policy.models import ExceptionStatus, PromotionException
from xuanren.policy.obligations import training_due, training_obligations
from xuanren.procedure.todo import TodoKind, todo_for

pytestmark = pytest.mark.django_db
RULE = "national.training"


@pytest.fixture
def division_post(county, admin):
    quota_set(actor=admin, unit=county.root, level=Level.DIVISION_DEPUTY, approved=5)
    return post_create(
        actor=admin, unit=county.root, title="副县长", level=Level.DIVISION_DEPUTY, seats=5
    )


def promoted(admin, make_cadre, unit, post, *, start, decided=None, rules=(RULE,), name="张伟"):
    """A cadre with an approved exception of `rules` for `post`, appointed on `start`."""
    cadre = make_cadre(unit, name=name)
    cadre = cadre_update(
        actor=admin,
        cadre=cadre,
        changes={"level": Level.SECTION_PRINCIPAL, "level_since": dt.date(2018, 1, 1)},
    )
    PromotionException.objects.create(
        cadre=cadre,
        post=post,
        rule_ids=list(rules),
        reason="outstanding",
        explanation="脱贫攻坚一线表现突出",
        approving_body="市委组织部",
        document="市组函〔2024〕1号",
        status=ExceptionStatus.APPROVED,
        requested_by=admin,
        decided_by=admin,
        decided_on=decided or start - dt.timedelta(days=20),
    )
    tenure_start(actor=admin, cadre=cadre, post=post, start_date=start)
    return cadre


def test_due_on_the_last_day_of_the_year_after_the_start():
    assert training_due(dt.date(2025, 3, 10)) == dt.date(2026, 3, 9)
    # 29 February: the year is completed on 1 March, so 28 February is its last day.
    assert training_due(dt.date(2024, 2, 29)) == dt.date(2025, 2, 28)
    assert training_due(dt.date(2024, 1, 1)) == dt.date(2024, 12, 31)


def test_open_then_fulfilled_by_the_window_ending_in_the_due_year(
    personas, admin, county, make_cadre, division_post
):
    officer = personas.case_officer
    cadre = promoted(admin, make_cadre, county.finance, division_post, start=dt.date(2025, 3, 10))
    training_add(actor=admin, cadre=cadre, year=2021, hours=200, title="2021 年轮训")
    training_add(actor=admin, cadre=cadre, year=2022, hours=200, title="2022 年轮训")
    on = dt.date(2025, 12, 1)
    [ob] = training_obligations(actor=officer, on=on)
    assert (ob.cadre, ob.post, ob.due) == (cadre, division_post, dt.date(2026, 3, 9))
    # Window of five years ending with the due year: 2022–2026 (2021 no longer counts).
    assert (ob.first_year, ob.last_year, ob.hours_done, ob.hours_needed) == (2022, 2026, 200, 550)
    assert not ob.fulfilled and not ob.overdue and ob.hours_short == 350
    training_add(actor=admin, cadre=cadre, year=2026, hours=349, title="专题班")
    assert training_obligations(actor=officer, on=on)[0].hours_done == 549
    training_add(actor=admin, cadre=cadre, year=2026, hours=1, title="补学")
    assert training_obligations(actor=officer, on=on) == []
    [met] = training_obligations(actor=officer, on=on, include_fulfilled=True)
    assert met.fulfilled and met.hours_done == 550


def test_due_today_is_not_overdue_the_day_after_is(
    personas, admin, county, make_cadre, division_post
):
    officer = personas.case_officer
    promoted(admin, make_cadre, county.finance, division_post, start=dt.date(2024, 2, 29))
    [ob] = training_obligations(actor=officer, on=dt.date(2025, 2, 28))
    assert ob.due == dt.date(2025, 2, 28) and ob.days_left == 0 and not ob.overdue
    [late] = training_obligations(actor=officer, on=dt.date(2025, 3, 1))
    assert late.overdue and late.days_left == -1
    assert (late.first_year, late.last_year) == (2021, 2025)


def test_no_obligation_without_an_appointment_after_the_approval(
    personas, admin, county, make_cadre, division_post
):
    officer = personas.case_officer
    # Appointed before the approval: that tenure is not the exceptional promotion.
    promoted(
        admin, make_cadre, county.finance, division_post,
        start=dt.date(2024, 5, 1), decided=dt.date(2024, 6, 1),
    )  # fmt: skip
    assert training_obligations(actor=officer, on=dt.date(2024, 7, 1)) == []


def test_only_rules_with_an_exception_and_approved_and_active(
    personas, admin, county, make_cadre, division_post
):
    officer = personas.case_officer
    on = dt.date(2025, 6, 1)
    promoted(
        admin, make_cadre, county.finance, division_post,
        start=dt.date(2025, 3, 10), rules=("national.work_years",), name="甲",
    )  # fmt: skip
    assert training_obligations(actor=officer, on=on) == []
    second = promoted(admin, make_cadre, county.finance, division_post,
                      start=dt.date(2025, 3, 10), name="乙")  # fmt: skip
    assert [o.cadre for o in training_obligations(actor=officer, on=on)] == [second]
    PromotionException.objects.filter(cadre=second).update(status=ExceptionStatus.REFUSED)
    assert training_obligations(actor=officer, on=on) == []
    PromotionException.objects.filter(cadre=second).update(status=ExceptionStatus.APPROVED)
    type(second).objects.filter(pk=second.pk).update(status=CadreStatus.RETIRED)
    assert training_obligations(actor=officer, on=on) == []


def test_scope_and_permission(personas, admin, county, make_cadre, division_post):
    from xuanren.common.errors import PermissionDenied

    promoted(admin, make_cadre, county.finance, division_post, start=dt.date(2025, 3, 10))
    on = dt.date(2025, 6, 1)
    assert len(training_obligations(actor=personas.case_officer, on=on)) == 1
    assert training_obligations(actor=personas.other_unit_hr, on=on) == []
    with pytest.raises(PermissionDenied):
        training_obligations(actor=personas.outsider, on=on)


def test_query_count_does_not_grow_with_obligations(
    personas, admin, county, make_cadre, division_post
):
    officer = personas.case_officer
    on = dt.date(2025, 6, 1)
    first = promoted(admin, make_cadre, county.finance, division_post,
                     start=dt.date(2025, 3, 10), name="甲")  # fmt: skip
    training_add(actor=admin, cadre=first, year=2024, hours=10, title="轮训")
    training_obligations(actor=officer, on=on)  # warm the permission and scope caches
    with CaptureQueriesContext(connection) as one:
        assert len(training_obligations(actor=officer, on=on)) == 1
    for i, unit in enumerate([county.finance, county.town, county.town_office]):
        cadre = promoted(admin, make_cadre, unit, division_post,
                         start=dt.date(2025, 1, 5 + i), name=f"丙{i}")  # fmt: skip
        training_add(actor=admin, cadre=cadre, year=2025, hours=20, title="轮训")
    with CaptureQueriesContext(connection) as four:
        assert len(training_obligations(actor=officer, on=on)) == 4
    assert len(four) == len(one) <= 7


def test_on_the_todo_within_sixty_days_and_when_overdue(
    personas, admin, county, make_cadre, division_post
):
    cadre = promoted(admin, make_cadre, county.finance, division_post, start=dt.date(2025, 3, 10))
    due = dt.date(2026, 3, 9)

    def items(user, on):
        return [i for i in todo_for(actor=user, on=on) if i.kind == TodoKind.TRAINING_OBLIGATION]

    officer = personas.case_officer
    assert items(officer, due - dt.timedelta(days=61)) == []
    [item] = items(officer, due - dt.timedelta(days=60))
    assert item.due == due and not item.overdue(due - dt.timedelta(days=60))
    assert "2026.03.09" in item.text and "550 学时" in item.text
    assert item.link == reverse("web:cadre_detail", args=[cadre.pk]) + "#obligations"
    [late] = items(officer, due + dt.timedelta(days=200))
    assert late.overdue(due + dt.timedelta(days=200))
    # Roles that do not keep cadre records have no such item.
    assert items(personas.committee_member, due) == []
    assert items(personas.discipline, due) == []


def test_shown_on_the_cadre_page(client, personas, admin, county, make_cadre, division_post, clock):
    cadre = promoted(admin, make_cadre, county.finance, division_post, start=dt.date(2025, 3, 10))
    clock.day = dt.date(2026, 4, 1)
    client.force_login(personas.case_officer)
    page = client.get(reverse("web:cadre_detail", args=[cadre.pk])).content.decode()
    assert 'id="obligations"' in page
    assert "2026.03.09" in page and "已逾期" in page
    other = make_cadre(county.finance, name="李四")
    page = client.get(reverse("web:cadre_detail", args=[other.pk])).content.decode()
    assert 'id="obligations"' not in page
