"""The demo's rotation (issue 16): on a seeded county, alerts of each kind,
a plan with progress (some rotated, some planned) and exchange records,
one of them linked to a temporary posting outside the system."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User

from xuanren.journal.services import journal_verify
from xuanren.rotation.models import ExchangeRecord, RotationPlan
from xuanren.rotation.rules import AlertKind
from xuanren.rotation.selectors import alerts, plan_entries, progress_of
from xuanren.synth.demo import demo_users
from xuanren.synth.loader import seed
from xuanren.synth.postings import build_demo_postings
from xuanren.synth.rotation import build_demo_rotation

pytestmark = pytest.mark.django_db
ON = dt.date(2026, 11, 27)


@pytest.fixture(autouse=True)
def fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_demo_rotation(monkeypatch: pytest.MonkeyPatch) -> None:
    root = seed(cadres=1500, units=60, seed=7, as_of=ON).root
    monkeypatch.setattr("xuanren.synth.demo.build_demo_cases", lambda **kwargs: [])
    demo_users()
    officer = User.objects.get(username="officer")
    build_demo_postings(officer=officer, root=root, on=ON)
    listed = build_demo_rotation(officer=officer, root=root, on=ON)
    found = alerts(actor=officer, on=ON, limit=1000)
    kinds = {a.rule.kind for a in found}
    rules = {a.rule.id for a in found}
    assert kinds == set(AlertKind.values)
    assert {"national.two_terms", "county.sensitive_post", "county.section_rotation"} <= rules
    assert listed >= 3
    (plan,) = RotationPlan.objects.all()
    progress = progress_of(plan_entries(plan=plan))
    assert progress.done >= 1 and progress.planned >= 1
    assert ExchangeRecord.objects.filter(posting__isnull=False).exists()
    assert build_demo_rotation(officer=officer, root=root, on=ON) == 0
    assert journal_verify().ok
