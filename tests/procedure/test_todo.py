import datetime as dt

import pytest

from tests.procedure.conftest import open_case
from xuanren.common.errors import PermissionDenied
from xuanren.procedure.models import Case
from xuanren.procedure.todo import TodoKind, todo_for

pytestmark = pytest.mark.django_db


def test_a_case_waiting_for_integrity_opinions_is_on_the_list(personas, county, committee):
    case = open_case(personas, county, committee)
    on = dt.date(2026, 11, 27)
    kinds = {i.kind for i in todo_for(actor=personas.case_officer, on=on)}
    assert TodoKind.INTEGRITY_DUE not in kinds
    # Reaching the step is the other stages' business; here only the listing is tested.
    Case.objects.filter(pk=case.pk).update(current_step="integrity_opinion")
    items = [
        i for i in todo_for(actor=personas.case_officer, on=on) if i.kind == TodoKind.INTEGRITY_DUE
    ]
    assert len(items) == 1
    assert "3 日前书面征求" in items[0].text and items[0].mine
    assert todo_for(actor=personas.discipline, on=on, mine=True) == []
    with pytest.raises(PermissionDenied):
        todo_for(actor=personas.outsider, on=on)


def _run(actor, on, probes):
    """todo_for's items and queries, with the probes given (decision 0160)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from xuanren.procedure import todo

    saved = dict(todo.PROBES)
    todo.PROBES.clear()
    todo.PROBES.update(probes)
    try:
        todo.has_any_role(actor)  # the permission cache, read before counting
        with CaptureQueriesContext(connection) as ctx:
            items = todo_for(actor=actor, on=on)
    finally:
        todo.PROBES.clear()
        todo.PROBES.update(saved)
    return items, len(ctx.captured_queries)


def test_probes_skip_the_empty_sources_and_keep_every_item(personas, county, committee, admin):
    """One query asks every probe; a source whose probe finds nothing is not
    run, and the items are those of running every source."""
    from django.utils import timezone

    from xuanren.procedure import todo

    on = dt.date(2026, 11, 27)
    probes = dict(todo.PROBES)
    assert todo.idle_cases in probes and todo.open_ballots in probes
    case = open_case(personas, county, committee)
    for actor in [admin, personas.case_officer, personas.discipline]:
        with_probes, probed = _run(actor, on, probes)
        without, every = _run(actor, on, {})
        assert with_probes == without, actor
        assert probed <= every, actor
    # Nothing is assigned to the superuser and no case is idle: each of those
    # sources' query is saved (the probe is one query for all of them).
    assert _run(admin, on, probes)[1] <= _run(admin, on, {})[1] - 5
    assert not [i for i in _run(admin, on, probes)[0] if i.kind == TodoKind.CASE_IDLE]
    # An idle case: its probe finds it, the source runs and lists it.
    Case.objects.filter(pk=case.pk).update(last_activity_at=timezone.now() - dt.timedelta(days=20))
    items, _ = _run(admin, on, probes)
    assert [i.kind for i in items if i.kind == TodoKind.CASE_IDLE] == [TodoKind.CASE_IDLE]
    assert items == _run(admin, on, {})[0]


def test_a_probe_that_finds_nothing_skips_its_source(personas, county, committee, admin):
    """A probe is trusted: when it finds no row its source is not asked (this
    is why every probe must find whatever its source would list)."""
    from django.utils import timezone

    from xuanren.procedure import todo
    from xuanren.procedure.models import CaseStep

    on = dt.date(2026, 11, 27)
    case = open_case(personas, county, committee)
    Case.objects.filter(pk=case.pk).update(last_activity_at=timezone.now() - dt.timedelta(days=20))
    probes = dict(todo.PROBES)
    probes[todo.idle_cases] = lambda query: CaseStep.objects.none()
    assert not [i for i in _run(admin, on, probes)[0] if i.kind == TodoKind.CASE_IDLE]
    assert [i for i in _run(admin, on, dict(todo.PROBES))[0] if i.kind == TodoKind.CASE_IDLE]


def test_the_case_based_sources_share_one_read_of_the_open_cases(
    personas, county, committee, admin
):
    """Decision 0166: idle cases, notices, integrity opinions, stale results
    and the integrity and audit requests read the open cases once between
    them; with nothing for them, the probes skip every one of them."""
    from django.utils import timezone

    from xuanren.procedure import todo

    on = dt.date(2026, 11, 27)
    case = open_case(personas, county, committee)
    _items, quiet = _run(admin, on, dict(todo.PROBES))
    Case.objects.filter(pk=case.pk).update(
        current_step="integrity_opinion",
        last_activity_at=timezone.now() - dt.timedelta(days=20),
    )
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    todo.has_any_role(admin)
    with CaptureQueriesContext(connection) as ctx:
        items = todo_for(actor=admin, on=on)
    kinds = {i.kind for i in items}
    assert {TodoKind.CASE_IDLE, TodoKind.INTEGRITY_DUE} <= kinds
    case_reads = [
        q for q in ctx.captured_queries if 'FROM "procedure_case"' in q["sql"].split(" WHERE ")[0]
    ]
    assert len(case_reads) == 1
    # two sources more, one query more (the shared read); items as without probes
    assert len(ctx.captured_queries) == quiet + 1
    assert items == _run(admin, on, {})[0]
