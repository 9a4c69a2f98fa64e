"""The demo's 竞聘评分 (issue 15, docs/decisions/0147–0149): the competitive
case's three candidates scored by three judges in the four sub-tests under a
two-member supervision panel, signed off, through the services, so that the
case's written exam and interview read the signed sheet."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from xuanren.competition.models import Competition, PanelKind
from xuanren.competition.services import (
    ScoreIn,
    competition_create,
    competition_sign_off,
    panel_member_add,
    scores_enter,
)
from xuanren.people.models import Cadre
from xuanren.procedure.models import Candidate, Case

WEIGHTS = {"written": 40, "situational": 20, "group_discussion": 15, "speech": 25}
KINDS = ("written", "situational", "group_discussion", "speech")
JUDGES = (
    ("周明", "县委组织部副部长"),
    ("吴华", "县人力资源和社会保障局局长"),
    ("郑燕", "县委党校副校长"),
)
SUPERVISORS = (("冯立", "县纪委监委第一纪检监察室主任"), ("陈静", "县委组织部干部监督股股长"))
#: Per judge, per candidate (in the order given), the four sub-tests' scores.
#: Composites 88.08, 84.90 and 75.20 (hand-computed in tests/synth/test_demo_competition.py);
#: the third has the lowest written test (72) and goes no further.
SCORES = (
    (("90", "86", "85", "88"), ("86", "83", "84", "85"), ("72", "78", "80", "76")),
    (("91.5", "84", "87", "90"), ("85", "85", "82", "86"), ("70", "76", "79", "75")),
    (("88", "85", "86", "89"), ("87", "84", "83", "84"), ("74", "77", "81", "77")),
)


def build_demo_competition(
    *, officer: Any, jiwei: Any, case: Case, people: Sequence[Cadre]
) -> Competition:
    """Set up, score and sign off the case's 竞聘评分 (the case is at its written exam)."""
    competition = competition_create(actor=officer, case=case, weights=WEIGHTS)
    judges = [
        panel_member_add(actor=officer, competition=competition, panel=PanelKind.JUDGE,
                         name=n, title=t) for n, t in JUDGES
    ]  # fmt: skip
    for n, t in SUPERVISORS:
        panel_member_add(actor=officer, competition=competition, panel=PanelKind.SUPERVISOR,
                         name=n, title=t)  # fmt: skip
    tests = {t.kind: t.pk for t in competition.sub_tests.all()}
    by_cadre = {c.cadre_id: c.pk for c in Candidate.objects.filter(case=case)}
    for judge, sheet in zip(judges, SCORES, strict=True):
        scores_enter(
            actor=officer, competition=competition, judge=judge,
            scores=[ScoreIn(by_cadre[p.pk], tests[k], v)
                    for p, values in zip(people, sheet, strict=True)
                    for k, v in zip(KINDS, values, strict=True)],
        )  # fmt: skip
    return competition_sign_off(actor=jiwei, competition=competition)
