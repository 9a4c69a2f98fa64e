"""Locking, on PostgreSQL only: SQLite ignores select_for_update, so these
tests say nothing there and are skipped with that reason."""

import datetime as dt
import threading

import pytest
from django.db import connections

from xuanren.common.errors import DomainError
from xuanren.journal.services import journal_verify
from xuanren.people.models import Tenure
from xuanren.people.services import tenure_start

pytestmark = [
    pytest.mark.postgres,
]


def run_at_once(*calls):
    """Start every call on its own thread and connection at the same moment."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_officers_filling_the_last_seat_at_once_one_wins(county, personas, make_cadre):
    officer = personas.case_officer
    first = make_cadre(county.finance, name="甲")
    second = make_cadre(county.finance, name="乙")
    post = county.finance_head

    def appoint(cadre):
        return lambda: tenure_start(
            actor=officer, cadre=cadre, post=post, start_date=dt.date(2024, 1, 1)
        )

    results = run_at_once(appoint(first), appoint(second))
    wins = [r for r in results if isinstance(r, Tenure)]
    losses = [r for r in results if isinstance(r, DomainError)]
    assert len(wins) == 1, results
    assert len(losses) == 1, results
    assert "满员" in str(losses[0])
    assert Tenure.objects.filter(post=post).count() == 1
    assert journal_verify().ok


@pytest.mark.django_db(transaction=True)
def test_journal_chain_stays_linear_under_concurrent_writers(county, personas, make_cadre):
    from xuanren.people.services import training_add

    officer = personas.case_officer
    cadres = [make_cadre(county.town, name=f"并{i}") for i in range(6)]
    calls = [
        (lambda c=c: training_add(actor=officer, cadre=c, year=2025, hours=10, title="培训"))
        for c in cadres
    ]
    results = run_at_once(*calls)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert journal_verify().ok


@pytest.mark.django_db(transaction=True)
def test_two_writers_of_one_cadre_leave_its_reminders_as_the_records_give(
    county, admin, make_cadre
):
    """Decision 0195: an appointment and an edit of the same cadre at once.
    Each replaces the cadre's kept reminders under the cadre's row lock, so the
    second reads what the first committed: the rows are what the records give."""
    from xuanren.people.idnumbers import build_id_number
    from xuanren.people.services import cadre_update
    from xuanren.reminders.kept import reminders_differences
    from xuanren.reminders.models import KeptReminder

    for round_ in range(3):
        cadre = make_cadre(county.town, name=f"并发{round_}", birth=dt.date(1968, 5, 15))
        born = dt.date(1970, 1, 10 + round_)
        number = build_id_number("330421", born, 40 + round_, "male")
        results = run_at_once(
            lambda c=cadre: tenure_start(
                actor=admin,
                cadre=c,
                post=county.town_deputy,
                start_date=dt.date(2020, 3, 1),
                probation_until=dt.date(2021, 3, 1),
            ),
            lambda c=cadre, b=born, n=number: cadre_update(
                actor=admin, cadre=c, changes={"birth_date": b, "id_number": n}
            ),
        )
        assert not [r for r in results if isinstance(r, Exception)], results
        kinds = set(KeptReminder.objects.filter(cadre=cadre).values_list("kind", flat=True))
        assert kinds == {"retirement_due", "rotation_due", "level_limit_due", "probation_ending"}
    assert reminders_differences() == []
    assert journal_verify().ok
