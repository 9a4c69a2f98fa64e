"""The per-unit counts the services keep (org.UnitCount, decisions 0136–0138):
every writer keeps them, the figures read from them equal a count of the
records on any day, `xuanren recount` finds and puts right what differs, and
the reads take a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import County, Personas, cadre_input
from xuanren.access.policy import unit_scope_q
from xuanren.common.errors import DomainError, PermissionDenied
from xuanren.journal.models import Event, EventType
from xuanren.journal.services import journal_verify
from xuanren.org.counts import counts_add, counts_from_records, counts_kept
from xuanren.org.models import PATH_SEGMENT, Level, Post, UnitCount
from xuanren.org.quota import Counts
from xuanren.org.selectors import quota_report, subtree_counts, unit_figures, unit_level
from xuanren.org.services import counts_recount, post_create, quota_set
from xuanren.people.models import Cadre, CadreStatus, Tenure
from xuanren.people.services import cadre_create, cadre_update, tenure_end, tenure_start

D = dt.date


def oracle(actor: Any, on: dt.date) -> tuple[int, int, Counts]:
    """Posts, active cadres and 职数 totals counted from the records (the
    report reads the quotas and tenures themselves)."""
    total = Counts()
    for row in quota_report(actor=actor, on=on):
        total.add(row.own)
    posts = Post.objects.filter(unit_scope_q(actor, prefix="unit__")).count()
    cadres = Cadre.objects.filter(
        unit_scope_q(actor, prefix="unit__"), status=CadreStatus.ACTIVE
    ).count()
    return posts, cadres, total


def assert_level_agrees(actor: Any, on: dt.date, under: Any = None) -> None:
    """The report's one level (kept counts) against the full report (records):
    each shown unit's levels, own counts and subtree totals. A level of a
    quota of 0 with nobody in force is a row of zeros in the full report and
    no row in the level's (decision 0137): the same figures."""
    level = unit_level(actor=actor, under=under, quota="subtree", on=on)
    report = {row.unit_id: row for row in quota_report(actor=actor, on=on)}
    for unit in level.units:
        shown, counted = level.quota[unit.pk], report[unit.pk]
        nonzero = {k: c for k, c in counted.levels.items() if c.approved or c.filled}
        assert shown.levels == nonzero, unit.name
        assert shown.own == counted.own, unit.name
        assert shown.subtree == counted.subtree, unit.name


def figures(actor: Any, on: dt.date) -> tuple[int | None, int | None, Counts | None]:
    found = unit_figures(actor=actor, on=on)
    return found.posts, found.cadres, found.quota


def kept(unit_id: int, level: str = "") -> tuple[int, int, int, int]:
    row = UnitCount.objects.filter(unit_id=unit_id, level=level).first()
    return (row.cadres, row.posts, row.approved, row.filled) if row else (0, 0, 0, 0)


def assert_in_step() -> None:
    assert counts_kept() == counts_from_records()


# ---- each writer keeps its counts ----------------------------------------------------


def test_the_services_keep_the_counts(admin: User, county: County, make_cadre: Any) -> None:
    finance, town = county.finance, county.town
    principal = Level.SECTION_PRINCIPAL
    # The county fixture: posts and quotas through the services.
    assert kept(finance.pk, principal) == (0, 1, 1, 0)
    assert kept(town.pk, Level.SECTION_DEPUTY) == (0, 1, 3, 0)
    a = make_cadre(finance, name="甲")
    b = make_cadre(finance, name="乙")
    assert kept(finance.pk) == (2, 0, 0, 0)
    tenure = tenure_start(actor=admin, cadre=a, post=county.finance_head, start_date=D(2020, 1, 1))
    assert kept(finance.pk, principal) == (0, 1, 1, 1)
    # A past tenure (ended when recorded) is not open: nothing changes.
    tenure_start(
        actor=admin, cadre=b, post=county.finance_deputy, start_date=D(2015, 1, 1),
        end_date=D(2016, 1, 1),
    )  # fmt: skip
    assert kept(finance.pk, Level.SECTION_DEPUTY) == (0, 1, 2, 0)
    tenure_end(actor=admin, tenure=tenure, end_date=D(2024, 1, 1))
    assert kept(finance.pk, principal) == (0, 1, 1, 0)
    # A post that does not count against the quota has no filled seats.
    free = post_create(
        actor=admin, unit=finance, title="调研员", level=principal, counts_against_quota=False
    )
    tenure_start(actor=admin, cadre=b, post=free, start_date=D(2021, 1, 1))
    assert kept(finance.pk, principal) == (0, 2, 1, 0)
    quota_set(actor=admin, unit=finance, level=principal, approved=4)
    quota_set(actor=admin, unit=finance, level=principal, approved=3)
    assert kept(finance.pk, principal) == (0, 2, 3, 0)
    quota_set(actor=admin, unit=town, level=Level.DIVISION_DEPUTY, approved=1)  # a new level
    assert kept(town.pk, Level.DIVISION_DEPUTY) == (0, 0, 1, 0)
    # Moving a cadre moves the count; editing without moving changes nothing.
    cadre_update(actor=admin, cadre=b, changes={}, unit=town)
    cadre_update(actor=admin, cadre=a, changes={"specialty": "财务"})
    assert kept(finance.pk) == (1, 0, 0, 0) and kept(town.pk) == (1, 0, 0, 0)
    assert_in_step()


def test_a_refused_write_counts_nothing(admin: User, county: County, make_cadre: Any) -> None:
    a, b = make_cadre(county.finance, name="甲"), make_cadre(county.finance, name="乙")
    tenure_start(actor=admin, cadre=a, post=county.finance_head, start_date=D(2020, 1, 1))
    before = counts_kept()
    with pytest.raises(DomainError):  # the post's only seat is taken
        tenure_start(actor=admin, cadre=b, post=county.finance_head, start_date=D(2021, 1, 1))
    with pytest.raises(DomainError):
        cadre_create(actor=admin, unit=county.town, data=cadre_input(name=""))
    with pytest.raises(DomainError):
        quota_set(actor=admin, unit=county.town, level=Level.SECTION_DEPUTY, approved=-1)
    assert counts_kept() == before
    assert_in_step()


def test_an_out_of_scope_write_is_refused_and_counts_nothing(
    county: County, personas: Personas
) -> None:
    before = counts_kept()
    with pytest.raises(PermissionDenied):
        cadre_create(actor=personas.other_unit_hr, unit=county.town, data=cadre_input())
    with pytest.raises(PermissionDenied):
        quota_set(
            actor=personas.other_unit_hr, unit=county.town, level=Level.SECTION_DEPUTY, approved=9
        )
    assert counts_kept() == before


# ---- the day: tenures dated after it -------------------------------------------------


def test_figures_follow_the_day_without_a_write(
    admin: User, county: County, make_cadre: Any, clock: Any
) -> None:
    """A tenure that starts, or ends, after today changes the figures when
    that day comes, with no write in between (decision 0137)."""
    clock.day = D(2026, 3, 1)
    a, b = make_cadre(county.town, name="甲"), make_cadre(county.town, name="乙")
    tenure_start(actor=admin, cadre=a, post=county.town_secretary, start_date=D(2026, 4, 1))
    tenure_start(
        actor=admin, cadre=b, post=county.town_deputy, start_date=D(2020, 1, 1),
        end_date=D(2026, 5, 1),
    )  # fmt: skip
    days = [D(2026, 3, 1), D(2026, 4, 1), D(2026, 4, 30), D(2026, 5, 1), D(2019, 12, 31)]
    seen = []
    for day in days:
        clock.day = day
        assert figures(admin, day) == oracle(admin, day), day
        quota = figures(admin, day)[2]
        assert quota is not None
        seen.append(quota.filled)
        # The quota report's subtree totals (the top level's rows) too.
        tops = subtree_counts(actor=admin, length=PATH_SEGMENT, within={""}, on=day)
        assert tops[county.root.path] == oracle(admin, day)[2]
        assert_level_agrees(admin, day)
        assert_level_agrees(admin, day, under=county.town)
    assert seen == [1, 2, 2, 1, 0]


def test_an_over_quota_level_corrected_for_the_day(
    admin: User, county: County, make_cadre: Any, clock: Any
) -> None:
    """Vacancies and over-quota are corrected per level, never netted."""
    clock.day = D(2026, 3, 1)
    quota_set(actor=admin, unit=county.town, level=Level.SECTION_DEPUTY, approved=1)
    people = [make_cadre(county.town, name=n) for n in ("甲", "乙", "丙")]
    tenure_start(actor=admin, cadre=people[0], post=county.town_deputy, start_date=D(2020, 1, 1))
    tenure_start(actor=admin, cadre=people[1], post=county.town_deputy, start_date=D(2026, 6, 1))
    tenure_start(
        actor=admin, cadre=people[2], post=county.town_deputy, start_date=D(2021, 1, 1),
        end_date=D(2026, 9, 1),
    )  # fmt: skip
    for day in (D(2026, 3, 1), D(2026, 7, 1), D(2026, 10, 1)):
        assert figures(admin, day) == oracle(admin, day), day
        assert_level_agrees(admin, day)
    quota = figures(admin, D(2026, 7, 1))[2]
    assert quota is not None and quota.over_quota == 2  # 3 in force, 1 approved


# ---- random service operations: kept = recounted -------------------------------------


OPS = st.lists(
    st.tuples(
        st.sampled_from(["cadre", "move", "appoint", "past", "future", "end", "post", "quota"]),
        st.integers(0, 1000),
        st.integers(-800, 800),
    ),
    min_size=1,
    max_size=14,
)


@settings(
    max_examples=25,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=OPS, offset=st.integers(-400, 400))
def test_after_random_operations_the_kept_counts_equal_a_recount(
    admin: User, county: County, personas: Personas, clock: Any, ops: Any, offset: int
) -> None:
    today = D(2026, 3, 1)
    units = [county.finance, county.town, county.town_office, county.other_town, county.org_dept]
    levels = [Level.SECTION_PRINCIPAL, Level.SECTION_DEPUTY]
    with transaction.atomic():
        clock.day = today
        posts = list(Post.objects.all())
        cadres: list[Cadre] = []
        for i, (op, n, days) in enumerate(ops):
            unit = units[n % len(units)]
            try:
                if op == "cadre" or not cadres:
                    cadres.append(
                        cadre_create(actor=admin, unit=unit, data=cadre_input(name=f"人{i}"))
                    )
                elif op == "move":
                    cadre_update(actor=admin, cadre=cadres[n % len(cadres)], changes={}, unit=unit)
                elif op in ("appoint", "past", "future"):
                    start = today + dt.timedelta(days=days if op == "future" else -abs(days) - 1)
                    end = start + dt.timedelta(days=abs(days) + 1) if op == "past" else None
                    tenure_start(
                        actor=admin, cadre=cadres[n % len(cadres)], post=posts[n % len(posts)],
                        start_date=start, end_date=end,
                    )  # fmt: skip
                elif op == "end":
                    open_ = list(Tenure.objects.filter(end_date=None).order_by("pk"))
                    if open_:
                        t = open_[n % len(open_)]
                        tenure_end(
                            actor=admin, tenure=t,
                            end_date=t.start_date + dt.timedelta(days=abs(days) + 1),
                        )  # fmt: skip
                elif op == "post":
                    posts.append(
                        post_create(
                            actor=admin, unit=unit, title=f"职{i}", level=levels[n % 2],
                            seats=1 + n % 3, counts_against_quota=n % 5 != 0,
                        )
                    )  # fmt: skip
                else:
                    quota_set(actor=admin, unit=unit, level=levels[n % 2], approved=n % 7)
            except DomainError:
                pass  # a refused write (a full post, an overlap) must count nothing
        assert_in_step()
        day = today + dt.timedelta(days=offset)
        clock.day = day
        for actor in (admin, personas.case_officer, personas.other_unit_hr):
            assert figures(actor, day) == oracle(actor, day)
            assert_level_agrees(actor, day)
        transaction.set_rollback(True)


# ---- the bulk writers ----------------------------------------------------------------


def test_the_xlsx_import_keeps_the_counts(admin: User, county: County) -> None:
    from tests.exchange.test_xlsx_import import good_workbook
    from xuanren.exchange.xlsx_import import xlsx_import

    before = kept(county.finance.pk, Level.SECTION_DEPUTY)
    xlsx_import(actor=admin, content=good_workbook(), filename="good.xlsx")
    assert_in_step()
    # The workbook changes the finance bureau's 副科 quota from 2 to 4.
    assert kept(county.finance.pk, Level.SECTION_DEPUTY)[2] == before[2] + 2
    assert figures(admin, D(2026, 3, 1)) == oracle(admin, D(2026, 3, 1))


def test_the_seed_keeps_the_counts(admin: User) -> None:
    from xuanren.synth.loader import seed

    seed(cadres=300, units=30, seed=3, as_of=D(2026, 3, 1))
    assert_in_step()
    seed(cadres=200, units=20, seed=4, as_of=D(2026, 3, 1), append=True)
    assert_in_step()
    assert figures(admin, D(2026, 3, 1)) == oracle(admin, D(2026, 3, 1))


# ---- xuanren recount ------------------------------------------------------------------


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("recount", *args, stdout=out)
    return out.getvalue()


def test_recount_reports_and_puts_right_what_differs(
    admin: User, county: County, make_cadre: Any
) -> None:
    make_cadre(county.town)
    assert "0 行与记录不一致" in _run("--by", "admin", "--check")
    # A row that went wrong, and one that should not be there at all.
    UnitCount.objects.filter(unit=county.town, level="").update(cadres=F("cadres") + 5)
    counts_add({(county.org_dept.pk, Level.SECTION_DEPUTY): (0, 0, 0, 2)})
    events = Event.objects.count()
    with pytest.raises(SystemExit) as exit_:
        _run("--by", "admin", "--check")
    assert exit_.value.code == 1
    assert Event.objects.count() == events  # a check changes nothing
    assert kept(county.town.pk) == (6, 0, 0, 0)
    out = _run("--by", "admin")
    assert "在职干部 6 → 1" in out and "在任 2 → 0" in out and "改正 2 行" in out
    assert kept(county.town.pk) == (1, 0, 0, 0)
    assert_in_step()
    event = Event.objects.order_by("-pk").first()
    assert event is not None and event.event_type == EventType.UNIT_COUNTS_RECOUNTED
    assert event.payload["differences"] == 2
    assert journal_verify().ok
    assert "0 行与记录不一致" in _run("--by", "admin", "--check")


def test_recount_is_for_a_system_administrator_only(county: County, personas: Personas) -> None:
    UnitCount.objects.filter(unit=county.finance).update(posts=F("posts") + 1)
    before, events = counts_kept(), Event.objects.count()
    for username in ("officer", "outsider", "nobody"):
        with pytest.raises(CommandError):
            _run("--by", username)
    with pytest.raises(PermissionDenied):
        counts_recount(actor=personas.case_officer, apply=True)
    assert counts_kept() == before and Event.objects.count() == events


# ---- who may read the figures --------------------------------------------------------


def test_the_figures_are_the_scope_s_and_the_permission_s(
    admin: User, county: County, personas: Personas, make_cadre: Any
) -> None:
    make_cadre(county.town, name="甲")
    make_cadre(county.other_town, name="乙")
    day = D(2026, 3, 1)
    hr = figures(personas.other_unit_hr, day)
    assert hr[1] == 1 and hr == oracle(personas.other_unit_hr, day)
    assert figures(admin, day)[1] == 2
    # The committee member may read cadres but not quotas (roles decide which).
    member = personas.committee_member
    shown = unit_figures(actor=member, on=day)
    assert (shown.quota is None) == (not member.has_perm("org.view_quota"))
    assert (shown.cadres is None) == (not member.has_perm("people.view_cadre"))
    with pytest.raises(PermissionDenied):
        unit_figures(actor=personas.outsider, on=day)


# ---- queries -------------------------------------------------------------------------


def _queries(read: Any) -> int:
    with CaptureQueriesContext(connection) as ctx:
        read()
    return len(ctx.captured_queries)


def test_the_reads_take_the_same_queries_whatever_the_size(
    admin: User, county: County, make_cadre: Any, clock: Any
) -> None:
    clock.day = D(2026, 3, 1)
    day = clock.day

    def reads() -> tuple[int, int, int]:
        return (
            _queries(lambda: unit_figures(actor=admin, on=day)),
            _queries(lambda: subtree_counts(actor=admin, length=8, within={""}, on=day)),
            # The report's top level: anchors, children, which have children,
            # the day's tenures, the kept rows, the children's subtree totals.
            _queries(lambda: unit_level(actor=admin, quota="subtree", on=day)),
        )

    small = reads()
    assert small == (2, 2, 6)  # the aggregate and the day's tenures (none dated after it)
    for i in range(6):
        c = make_cadre(county.town, name=f"多{i}")
        post = post_create(
            actor=admin, unit=county.town_office, title=f"职{i}", level="section_deputy"
        )
        tenure_start(actor=admin, cadre=c, post=post, start_date=D(2020, 1, 1))
    assert reads() == small
    # A tenure dated after the day: one more query, for its level's kept row.
    late = make_cadre(county.finance, name="迟")
    tenure_start(actor=admin, cadre=late, post=county.finance_head, start_date=D(2026, 6, 1))
    assert reads() == (3, 3, 7)


def test_counts_add_is_one_statement_for_many_rows(county: County) -> None:
    deltas = {(u.pk, ""): (1, 0, 0, 0) for u in (county.root, county.town, county.finance)}
    assert _queries(lambda: counts_add(deltas)) == 1
    assert _queries(lambda: counts_add({(county.town.pk, ""): (0, 0, 0, 0)})) == 0


# ---- PostgreSQL: writers at once -----------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_all_count(admin: User, county: County, make_cadre: Any) -> None:
    """Six officers write in one unit and level at once (and a recount runs
    among them): no delta is lost, the counts equal a recount."""
    from tests.test_concurrency import run_at_once

    people = [make_cadre(county.town, name=f"并{i}") for i in range(3)]
    posts = [
        post_create(actor=admin, unit=county.town, title=f"副职{i}", level=Level.SECTION_DEPUTY)
        for i in range(3)
    ]
    calls: list[Any] = [
        (lambda c=c, p=p: tenure_start(actor=admin, cadre=c, post=p, start_date=D(2022, 1, 1)))
        for c, p in zip(people, posts, strict=True)
    ]
    calls += [
        (lambda i=i: cadre_create(actor=admin, unit=county.town, data=cadre_input(name=f"新{i}")))
        for i in range(3)
    ]
    calls.append(lambda: counts_recount(actor=admin, apply=True))
    results = run_at_once(*calls)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert kept(county.town.pk) == (6, 0, 0, 0)
    assert kept(county.town.pk, Level.SECTION_DEPUTY) == (0, 4, 3, 3)
    assert_in_step()
    assert journal_verify().ok
