"""The services of a reserve round: nominations (one person, several
channels), the test's pass line, the inspection, the list and its tiers,
leaving with a reason, the review, permissions and scope (nothing changes on
a refusal), and the journal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from tests.conftest import make_user
from tests.reserves.conftest import TODAY, World
from xuanren.access.models import Role
from xuanren.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from xuanren.journal.models import Event, EventType
from xuanren.reserves.models import Member, Nomination, Nominee, ReserveRound
from xuanren.reserves.selectors import (
    counts_for,
    due_reviews,
    next_review,
    reserve_cadres,
    reserve_rounds,
    round_nominees,
)
from xuanren.reserves.services import (
    AddIn,
    LeaveIn,
    reserve_inspection_record,
    reserve_list_fix,
    reserve_member_add,
    reserve_member_leave,
    reserve_nominate,
    reserve_review_record,
    reserve_round_create,
    reserve_test_record,
)

DAY = dt.date(2026, 6, 1)


def _through(
    officer: Any, w: World, cadre: Any, score: str, inspection: str = "passed", day: dt.date = DAY
) -> Nominee:
    n = reserve_nominate(actor=officer, round=w.round, cadre=cadre, channel="organization",
                         nominated_on=day)  # fmt: skip
    reserve_test_record(actor=officer, nominee=n, score=score, tested_on=day)
    reserve_inspection_record(
        actor=officer, nominee=n, result=inspection, inspected_on=day,
        note="" if inspection == "passed" else "群众公认度不高",
    )  # fmt: skip
    return Nominee.objects.get(pk=n.pk)


def test_a_cadre_in_two_channels_is_one_person(personas: Any, world: World) -> None:
    o = personas.case_officer
    first = reserve_nominate(actor=o, round=world.round, cadre=world.a, channel="organization",
                             nominated_on=DAY)  # fmt: skip
    second = reserve_nominate(actor=o, round=world.round, cadre=world.a, channel="masses",
                              nominated_on=DAY, note="机关干部联名推荐")  # fmt: skip
    reserve_nominate(actor=o, round=world.round, cadre=world.b, channel="self", nominated_on=DAY)
    assert first.pk == second.pk
    assert Nominee.objects.filter(round=world.round).count() == 2
    c = counts_for(actor=o, round=world.round)
    assert c.nominated == 2 and c.nominations == 3
    assert c.by_channel == {"organization": 1, "masses": 1, "self": 1}
    lines = {x.nominee.cadre.name: x.channels for x in round_nominees(actor=o, round=world.round)}
    assert lines["李明"] == ["组织推荐", "群众推荐"]
    with pytest.raises(Conflict):
        reserve_nominate(actor=o, round=world.round, cadre=world.a, channel="masses",
                         nominated_on=DAY)  # fmt: skip
    assert Nomination.objects.filter(nominee=first).count() == 2
    assert Event.objects.filter(event_type=EventType.RESERVE_NOMINATED).count() == 3


def test_nomination_refusals(personas: Any, world: World, county: Any, make_cadre: Any) -> None:
    o = personas.case_officer
    town_round = reserve_round_create(actor=o, unit=county.town, year=2026, title="城关镇后备",
                                      pass_line="60")  # fmt: skip
    with pytest.raises(ValidationFailed) as exc:
        reserve_nominate(actor=o, round=town_round, cadre=world.c, channel="weixin",
                         nominated_on=TODAY + dt.timedelta(days=1))  # fmt: skip
    fields = {e.field for e in exc.value.errors}
    assert fields == {"channel", "cadre", "nominated_on"}
    assert not Nominee.objects.filter(round=town_round).exists()


def test_the_pass_line_and_failures_not_listed(personas: Any, world: World) -> None:
    o = personas.case_officer
    on_line = _through(o, world, world.a, "60")
    below = _through(o, world, world.b, "59.9")
    assert on_line.score == Decimal("60.0")
    reserve_member_add(actor=o, nominee=on_line, tier="near")
    with pytest.raises(ValidationFailed) as exc:
        reserve_member_add(actor=o, nominee=below, tier="near")
    assert "低于合格分数线" in exc.value.errors[0].message
    assert not Member.objects.filter(nominee=below).exists()
    lines = {x.nominee.cadre.name: x for x in round_nominees(actor=o, round=world.round)}
    assert lines["王芳"].passed is False and not lines["王芳"].listable
    assert lines["李明"].passed is True and lines["李明"].listed
    c = counts_for(actor=o, round=world.round)
    assert (c.tested, c.passed, c.failed, c.listed_total) == (2, 1, 1, 1)


def test_score_checks(personas: Any, world: World) -> None:
    o = personas.case_officer
    n = reserve_nominate(actor=o, round=world.round, cadre=world.a, channel="self",
                         nominated_on=DAY)  # fmt: skip
    for bad in ("100.5", "-1", "60.25", "六十", "nan"):
        with pytest.raises(ValidationFailed):
            reserve_test_record(actor=o, nominee=n, score=bad, tested_on=DAY)
    n.refresh_from_db()
    assert n.score is None


def test_inspection_failure_needs_a_note_and_is_not_listed(personas: Any, world: World) -> None:
    o = personas.case_officer
    n = reserve_nominate(actor=o, round=world.round, cadre=world.a, channel="self",
                         nominated_on=DAY)  # fmt: skip
    with pytest.raises(ValidationFailed):
        reserve_inspection_record(actor=o, nominee=n, result="failed", inspected_on=DAY)
    failed = _through(o, world, world.c, "90", inspection="failed")
    with pytest.raises(ValidationFailed) as exc:
        reserve_member_add(actor=o, nominee=failed, tier="longer")
    assert "未经组织考察合格" in exc.value.errors[0].message
    untested = reserve_nominate(actor=o, round=world.round, cadre=world.b, channel="self",
                                nominated_on=DAY)  # fmt: skip
    with pytest.raises(ValidationFailed):
        reserve_member_add(actor=o, nominee=untested, tier="near")
    assert not Member.objects.exists()


def test_tiers_list_fix_and_the_fact(personas: Any, world: World) -> None:
    o = personas.case_officer
    a = _through(o, world, world.a, "80")
    c = _through(o, world, world.c, "70")
    reserve_member_add(actor=o, nominee=a, tier="near", target_level="section_deputy",
                       target_post="乡镇副职")  # fmt: skip
    reserve_member_add(actor=o, nominee=c, tier="longer")
    with pytest.raises(ValidationFailed):
        reserve_member_add(actor=o, nominee=a, tier="near")  # already on it
    with pytest.raises(ValidationFailed):
        reserve_member_add(actor=o, nominee=_through(o, world, world.b, "99"), tier="soon")
    # Not a fact before the list is fixed.
    assert not reserve_cadres(actor=o).exists()
    reserve_list_fix(actor=o, round=world.round, listed_on=dt.date(2026, 7, 1))
    counts = counts_for(actor=o, round=world.round)
    assert counts.listed == {"near": 1, "longer": 1}
    assert set(reserve_cadres(actor=o, ref=dt.date(2026, 7, 1))) == {world.a, world.c}
    assert not reserve_cadres(actor=o, ref=dt.date(2026, 6, 30)).exists()
    with pytest.raises(Conflict):
        reserve_list_fix(actor=o, round=world.round, listed_on=dt.date(2026, 7, 2))
    with pytest.raises(Conflict):  # after the list is fixed, additions go through a review
        reserve_member_add(actor=o, nominee=Nominee.objects.get(cadre=world.b), tier="near")
    with pytest.raises(Conflict):  # scores of a listed nominee stay
        reserve_test_record(actor=o, nominee=a, score="50", tested_on=DAY)
    assert Event.objects.filter(event_type=EventType.RESERVE_LIST_FIXED).count() == 1


def test_review_due_from_29_february(personas: Any, world: World, clock: Any) -> None:
    o = personas.case_officer
    clock.day = dt.date(2024, 3, 1)
    ReserveRound.objects.filter(pk=world.round.pk).update(year=2024)
    n = _through(o, world, world.a, "75", day=dt.date(2024, 1, 10))
    reserve_member_add(actor=o, nominee=n, tier="near")
    reserve_list_fix(actor=o, round=world.round, listed_on=dt.date(2024, 2, 29))
    world.round.refresh_from_db()
    assert next_review(world.round) == dt.date(2026, 3, 1)
    assert due_reviews(actor=o, on=dt.date(2026, 2, 28)) == []
    due = due_reviews(actor=o, on=dt.date(2026, 3, 1))
    assert [(d.round.pk, d.due) for d in due] == [(world.round.pk, dt.date(2026, 3, 1))]
    assert due_reviews(actor=personas.discipline, on=dt.date(2026, 3, 1)) == []  # reads only


def test_leaving_with_a_reason_and_the_review(personas: Any, world: World, clock: Any) -> None:
    o = personas.case_officer
    a = _through(o, world, world.a, "80")
    b = _through(o, world, world.b, "65")
    c = _through(o, world, world.c, "70")
    late = _through(o, world, world.d, "90")
    for n in (a, b, c):
        reserve_member_add(actor=o, nominee=n, tier="near")
    reserve_list_fix(actor=o, round=world.round, listed_on=dt.date(2026, 7, 1))
    ma, mb, _mc = (Member.objects.get(nominee=n) for n in (a, b, c))
    with pytest.raises(ValidationFailed) as exc:
        reserve_member_leave(actor=o, member=ma, left_on=dt.date(2026, 8, 1), reason="other")
    assert exc.value.errors[0].field == "member.note"
    reserve_member_leave(actor=o, member=ma, left_on=dt.date(2026, 8, 1), reason="promoted")
    ma.refresh_from_db()
    assert (ma.left_on, ma.get_leave_reason_display()) == (dt.date(2026, 8, 1), "已提拔任用")
    assert world.a not in set(reserve_cadres(actor=o, ref=dt.date(2026, 8, 1)))
    assert world.a in set(reserve_cadres(actor=o, ref=dt.date(2026, 7, 31)))
    with pytest.raises(ValidationFailed):  # once gone, gone
        reserve_member_leave(actor=o, member=ma, left_on=dt.date(2026, 8, 2), reason="over_age")
    # The review: b leaves for discipline, d is added (longer term), c stays.
    # A bad line refuses all of it.
    with pytest.raises(ValidationFailed):
        reserve_review_record(
            actor=o, round=world.round, held_on=dt.date(2026, 11, 1),
            leaving=[LeaveIn(mb, "discipline")], adding=[AddIn(late, "never")],
        )  # fmt: skip
    mb.refresh_from_db()
    assert mb.left_on is None
    review = reserve_review_record(
        actor=o, round=world.round, held_on=dt.date(2026, 11, 1), note="两年一调整",
        leaving=[LeaveIn(mb, "discipline", "受到党内警告处分")], adding=[AddIn(late, "longer")],
    )  # fmt: skip
    assert review.stayed == 1
    mb.refresh_from_db()
    assert (mb.left_on, mb.leave_reason, mb.left_by_review) == (
        dt.date(2026, 11, 1), "discipline", review,
    )  # fmt: skip
    added = Member.objects.get(nominee=late)
    assert (added.listed_on, added.tier, added.added_by_review) == (
        dt.date(2026, 11, 1), "longer", review,
    )  # fmt: skip
    counts = counts_for(actor=o, round=world.round)
    assert counts.listed == {"near": 1, "longer": 1}
    assert (counts.left, counts.left_by_reason) == (2, {"promoted": 1, "discipline": 1})
    world.round.refresh_from_db()
    assert next_review(world.round) == dt.date(2028, 11, 1)
    with pytest.raises(ValidationFailed):  # not before the last review
        reserve_review_record(actor=o, round=world.round, held_on=dt.date(2026, 10, 1))
    assert Event.objects.filter(event_type=EventType.RESERVE_REVIEWED).count() == 1


def test_permissions_and_scope(personas: Any, world: World, county: Any) -> None:
    o = personas.case_officer
    n = reserve_nominate(actor=o, round=world.round, cadre=world.a, channel="self",
                         nominated_on=DAY)  # fmt: skip
    events = Event.objects.count()
    # The discipline commission reads, cannot write: 403.
    assert list(reserve_rounds(actor=personas.discipline)) == [world.round]
    with pytest.raises(PermissionDenied):
        reserve_test_record(actor=personas.discipline, nominee=n, score="80", tested_on=DAY)
    # An officer of one town does not see the county's round: 404.
    town_officer = make_user("officer_town", Role.CASE_OFFICER, county.town)
    assert list(reserve_rounds(actor=town_officer)) == []
    with pytest.raises(NotFound):
        reserve_test_record(actor=town_officer, nominee=n, score="80", tested_on=DAY)
    with pytest.raises(NotFound):
        reserve_round_create(actor=town_officer, unit=county.root, year=2026, title="x",
                             pass_line="60")  # fmt: skip
    with pytest.raises(PermissionDenied):
        reserve_rounds(actor=personas.outsider)
    n.refresh_from_db()
    assert n.score is None
    assert ReserveRound.objects.count() == 1
    assert Event.objects.count() == events  # nothing journalled either


def test_round_checks(personas: Any, county: Any) -> None:
    with pytest.raises(ValidationFailed) as exc:
        reserve_round_create(actor=personas.case_officer, unit=county.root, year=1990, title=" ",
                             pass_line="101")  # fmt: skip
    assert {e.field for e in exc.value.errors} == {"title", "year", "pass_line"}
    assert not ReserveRound.objects.exists()
