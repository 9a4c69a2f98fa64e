"""The demo's competitive case is scored by three judges in four sub-tests,
signed off, and its written exam and interview read the signed sheet."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest

from tests.synth.test_demo_cases import county, fast_hashing, fresh_cache  # noqa: F401
from xuanren.competition.models import Competition, CompetitionStatus, PanelKind
from xuanren.competition.selectors import sheet_of
from xuanren.journal.services import journal_verify
from xuanren.procedure.models import CandidateStatus
from xuanren.synth.cases import build_demo_cases

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 11, 27)


def test_the_demo_competition_feeds_the_case(county: Any, django_user_model: Any) -> None:  # noqa: F811
    admin = django_user_model.objects.get(username="admin")
    built = build_demo_cases(admin=admin, county_root=county, on=ON, with_history=False)
    case = next(d.case for d in built if d.stage == "decision")
    competition = Competition.objects.get(case=case)
    assert competition.status == CompetitionStatus.SIGNED_OFF
    assert competition.signed_off_by.username == "jiwei"
    assert competition.members.filter(panel=PanelKind.JUDGE).count() == 3
    assert competition.sub_tests.count() == 4
    [(_post, rows)] = sheet_of(competition).posts
    # first: written (90 + 91.5 + 88) / 3 = 89.83, 85, 86, 89:
    # 0.4×89.83 + 0.2×85 + 0.15×86 + 0.25×89 = 35.932 + 17 + 12.9 + 22.25 = 88.082 → 88.08
    # second: 86, 84, 83, 85 → 34.4 + 16.8 + 12.45 + 21.25 = 84.90
    # third: 72, 77, 80, 76 → 28.8 + 15.4 + 12 + 19 = 75.20
    assert [(r.composite, r.rank) for r in rows] == [(D("88.08"), 1), (D("84.90"), 2),
                                                      (D("75.20"), 3)]  # fmt: skip
    written = case.steps.get(step="written_exam").data
    interview = case.steps.get(step="interview").data
    assert written["sheet"] == interview["sheet"] == competition.pk
    assert [r["score"] for r in written["scores"]] == [89.83, 86, 72]
    assert [(r["score"], r["rank"]) for r in interview["scores"]] == [(88.08, 1), (84.9, 2)]
    third = case.candidates.get(cadre_id=rows[2].cadre_id)
    assert third.status == CandidateStatus.EXCLUDED
    assert journal_verify().ok
