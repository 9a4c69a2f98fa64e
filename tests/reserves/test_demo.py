"""The demo's reserve round, built through the services on a seeded county."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from xuanren.journal.services import journal_verify
from xuanren.reserves.models import Member, ReserveRound
from xuanren.reserves.selectors import counts_for
from xuanren.synth.demo import demo_users
from xuanren.synth.loader import seed
from xuanren.synth.reserves import build_demo_reserves

ON = dt.date(2026, 11, 27)


@pytest.fixture(autouse=True)
def fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_demo_round(db: Any, monkeypatch: pytest.MonkeyPatch, django_user_model: Any,
                        clock: Any) -> None:  # fmt: skip
    clock.day = ON
    root = seed(cadres=600, units=30, seed=7, as_of=ON).root
    monkeypatch.setattr("xuanren.synth.demo.build_demo_cases", lambda **kwargs: [])
    demo_users()
    officer = django_user_model.objects.get(username="officer")
    listed = build_demo_reserves(officer=officer, root=root, on=ON)
    assert build_demo_reserves(officer=officer, root=root, on=ON) == 0  # once
    round_ = ReserveRound.objects.get()
    c = counts_for(actor=officer, round=round_)
    assert c.nominated == 20 and c.nominations > 20  # some by two channels
    assert (c.tested, c.failed) == (20, 3)
    assert c.inspection_failed == 1
    assert c.listed["near"] > 0 and c.listed["longer"] > 0
    assert c.listed_total == listed == 15
    assert c.left == 1 and c.left_by_reason == {"promoted": 1}
    # Every member passed the line (60.0 on the line included) and the inspection.
    for m in Member.objects.select_related("nominee"):
        assert m.nominee.score is not None and m.nominee.score >= Decimal(60)
        assert m.nominee.inspection == "passed"
    assert journal_verify().ok
