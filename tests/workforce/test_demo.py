"""The demo's digestion plan, entry methods and cleanup register, built
through the services on a seeded county (issue 16)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from xuanren.journal.services import journal_verify
from xuanren.org.counts import counts_from_records, counts_kept
from xuanren.synth.demo import demo_users
from xuanren.synth.loader import seed
from xuanren.synth.workforce import build_demo_workforce
from xuanren.workforce.models import DigestionPlan, EntryRecord
from xuanren.workforce.selectors import cleanup_counts, plan_view

ON = dt.date(2026, 11, 27)


@pytest.fixture(autouse=True)
def fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_demo(db: Any, monkeypatch: pytest.MonkeyPatch, django_user_model: Any,
                  clock: Any) -> None:  # fmt: skip
    clock.day = ON
    root = seed(cadres=600, units=30, seed=7, as_of=ON).root
    monkeypatch.setattr("xuanren.synth.demo.build_demo_cases", lambda **kwargs: [])
    demo_users()
    officer = django_user_model.objects.get(username="officer")
    assert build_demo_workforce(officer=officer, root=root, on=ON) == 4
    assert build_demo_workforce(officer=officer, root=root, on=ON) == 0  # once
    plan = DigestionPlan.objects.get()
    assert plan.baseline_on == dt.date(2026, 1, 31)
    assert plan.baseline_over == 4
    view = plan_view(plan=plan)
    actual = [r.actual for r in view.rows if r.actual is not None]
    # the four over quota; one left on 31 March, one on 1 June, one on 20 October
    assert actual == [4, 4, 3, 3, 3, 2, 2, 2, 2, 1]
    assert (view.current, view.digested) == (1, 3)
    assert view.rows[-1].planned == 0  # the last one retires by the target
    assert EntryRecord.objects.count() == 400
    lines = dict(cleanup_counts(actor=officer).lines())
    assert lines["清理人数"] == 22 and lines["录用/保留"] == 12
    assert lines["未录用合计（已清退 + 未清退）"] == 8
    assert counts_kept() == counts_from_records()
    assert journal_verify().ok
