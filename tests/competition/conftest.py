"""A competitive-selection case at its written exam with four running
candidates for 城关镇副镇长, and a helper that sets up its 竞聘评分 with three
judges, one supervisor and the four sub-tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from xuanren.competition.models import Competition, PanelKind, PanelMember, SubTest
from xuanren.competition.services import (
    ScoreIn,
    competition_create,
    panel_member_add,
    scores_enter,
)
from xuanren.procedure.candidates import candidate_add
from xuanren.procedure.models import Candidate, Case, Committee
from xuanren.procedure.services import case_open, committee_create, committee_member_add

WEIGHTS = {"written": 40, "situational": 20, "group_discussion": 15, "speech": 25}
ON = dt.date(2026, 11, 27)


@dataclass
class Setup:
    case: Case
    competition: Competition
    judges: list[PanelMember]
    supervisor: PanelMember
    tests: dict[str, SubTest]
    candidates: dict[str, Candidate]


@pytest.fixture
def committee(county: Any, admin: Any) -> Committee:
    c = committee_create(actor=admin, unit=county.root, name="中共青山县委常委会",
                         kind="standing_committee")  # fmt: skip
    for i in range(11):
        committee_member_add(actor=admin, committee=c, name=f"常委{i}",
                             start_date=dt.date(2021, 10, 1))  # fmt: skip
    return c


@pytest.fixture
def case(personas: Any, county: Any, committee: Committee, make_cadre: Any) -> Case:
    """Opened through the service; the four candidates are added as the
    qualification review adds them, and the case put at its written exam (the
    steps before are tested in tests/procedure)."""
    case = case_open(
        actor=personas.case_officer, title="城关镇副镇长竞争上岗", template_code="competitive",
        unit=county.root, committee=committee, posts=[(county.town_deputy, 1)], reference_date=ON,
    )  # fmt: skip
    for name in ("甲", "乙", "丙", "丁"):
        candidate_add(actor=personas.case_officer, case=case,
                      cadre=make_cadre(county.town, name=name), post=county.town_deputy,
                      step="qualification_review")  # fmt: skip
    Case.objects.filter(pk=case.pk).update(current_step="written_exam")
    case.refresh_from_db()
    return case


def enter(setup: Setup, actor: Any, judge: PanelMember, table: dict[str, list[str]]) -> int:
    """table: candidate name → scores in the order written, situational, group, speech."""
    kinds = ["written", "situational", "group_discussion", "speech"]
    return scores_enter(
        actor=actor, competition=setup.competition, judge=judge,
        scores=[ScoreIn(setup.candidates[n].pk, setup.tests[k].pk, v or None)
                for n, values in table.items() for k, v in zip(kinds, values, strict=True)],
    )  # fmt: skip


@pytest.fixture
def setup(case: Case, personas: Any) -> Setup:
    officer = personas.case_officer
    competition = competition_create(actor=officer, case=case, weights=WEIGHTS)
    judges = [
        panel_member_add(actor=officer, competition=competition, panel=PanelKind.JUDGE,
                         name=n, title="县委组织部") for n in ("评委一", "评委二", "评委三")
    ]  # fmt: skip
    supervisor = panel_member_add(actor=officer, competition=competition,
                                  panel=PanelKind.SUPERVISOR, name="监督员", title="县纪委监委")  # fmt: skip
    return Setup(
        case, competition, judges, supervisor,
        {t.kind: t for t in competition.sub_tests.all()},
        {c.cadre.name: c for c in Candidate.objects.filter(case=case).select_related("cadre")},
    )  # fmt: skip


#: Three judges' sheets (written, situational, group discussion, speech).
SHEETS = [
    {"甲": ["80", "78", "90", "88"], "乙": ["90", "70", "85", "81"],
     "丙": ["85", "80", "80", "85"], "丁": ["60", "65", "70", "60"]},
    {"甲": ["85", "80", "91", "89"], "乙": ["88", "72", "86", "83"],
     "丙": ["85", "80", "80", "85"], "丁": ["62", "66", "70", "61"]},
    {"甲": ["90.5", "76", "90", "88.5"], "乙": ["89", "74", "84", "82"],
     "丙": ["85", "80", "80", "85"], "丁": ["64", "67", "70", "62"]},
]  # fmt: skip


@pytest.fixture
def scored(setup: Setup, personas: Any) -> Setup:
    for judge, sheet in zip(setup.judges, SHEETS, strict=True):
        enter(setup, personas.case_officer, judge, sheet)
    return setup
