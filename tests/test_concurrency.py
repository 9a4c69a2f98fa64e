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
