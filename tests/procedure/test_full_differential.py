"""全程差额 (`full_differential`, docs/decisions/0087) and the talk
recommendation's coverage (`talk_coverage`).

全程差额 (市委干部选拔任用监督做法: "在选拔党政正职领导干部时，采取差额提名、
差额推荐、差额考察、差额酝酿、…全委会差额票决等全程差额的方式"): at each of
those stages a post covered by the parameter needs more candidates than seats.
The guard is called at every stage with the template's parameter set three
ways; one case goes through the service with a loaded template that turns it on.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest

from tests.procedure.conftest import ON, open_case
from tests.procedure.test_selection import (
    MEETING,
    TALK,
    blocked,
    chosen,
    complete,
    eligible,
    rec_data,
    to_step,
)
from xuanren.common.errors import ValidationFailed
from xuanren.people.models import Cadre
from xuanren.procedure.candidates import candidate_add
from xuanren.procedure.catalogue import DEFINITION_DIR, FULL_DIFFERENTIAL_STEPS
from xuanren.procedure.guards.differential import STAGES, full_differential
from xuanren.procedure.guards.registry import GuardContext
from xuanren.procedure.models import Candidate, CandidateStatus, Case
from xuanren.procedure.selectors import guard_preview
from xuanren.procedure.services import procedure_template_load, template_def

pytestmark = pytest.mark.django_db

ABSENT = object()


@pytest.fixture
def people(county: Any, make_cadre: Any, admin: Any) -> dict[str, Cadre]:
    return {name: eligible(make_cadre, admin, county.town, name) for name in ("甲", "乙")}


def ctx(case: Case, step: str, data: dict[str, Any], full: Any) -> GuardContext:
    """The case's template with `full_differential` set to `full` (or absent)."""
    definition = template_def(case.template)
    params = {k: v for k, v in definition.parameters.items() if k != "full_differential"}
    if full is not ABSENT:
        params["full_differential"] = full
    return GuardContext(
        case=case,
        template=dataclasses.replace(definition, parameters=params),
        step=step,
        data=data,
        on=ON,
    )


def inspected(case: Case, officer: Any, cadre: Cadre, post: Any) -> Candidate:
    return candidate_add(
        actor=officer,
        case=case,
        cadre=cadre,
        post=post,
        step="candidates",
        status=CandidateStatus.INSPECTION,
    )


def stage_data(step: str, case: Case, officer: Any, cadres: list[Cadre], post: Any) -> dict:
    """The step's data (or the case's candidates) naming `cadres` for `post`."""
    if step == "recommendation":
        return rec_data([(c, None, 5) for c in cadres])
    if step == "candidates":
        return chosen(*((c, None) for c in cadres))
    made = [inspected(case, officer, c, post) for c in cadres]
    if step == "decision":
        votes = [{"candidate": c.pk, "post": c.post_id, "agree": 6} for c in made]
        return {"meeting_date": "2026-11-20", "present": [], "votes": votes}
    return {}


STAGE_WORDS = {
    "recommendation": ("差额推荐", "得到署名推荐的人选"),
    "candidates": ("差额提名", "考察对象"),
    "inspection": ("差额考察", "考察对象"),
    "deliberation": ("差额酝酿", "提交酝酿的人选"),
    "decision": ("差额票决", "提交表决的人选"),
}


def test_every_stage_the_source_names_is_checked() -> None:
    assert tuple(STAGE_WORDS) == tuple(STAGES) == FULL_DIFFERENTIAL_STEPS


@pytest.mark.parametrize("step", FULL_DIFFERENTIAL_STEPS)
def test_two_for_one_seat_passes_when_full_differential(step, personas, county, committee, people):
    case = open_case(personas, county, committee)
    data = stage_data(
        step, case, personas.case_officer, [people["甲"], people["乙"]], county.town_deputy
    )
    assert full_differential(ctx(case, step, data, True)) == []


@pytest.mark.parametrize("step", FULL_DIFFERENTIAL_STEPS)
def test_one_for_one_seat_blocks_when_full_differential(step, personas, county, committee, people):
    case = open_case(personas, county, committee)
    data = stage_data(step, case, personas.case_officer, [people["甲"]], county.town_deputy)
    stage, who = STAGE_WORDS[step]
    assert full_differential(ctx(case, step, data, True)) == [
        f"本类事项实行全程差额（{stage}）：职位“城关镇副镇长”拟配 1 人，{who}应多于拟配人数"
        "即至少 2 人，现为 1 人，不能等额进行。"
    ]


@pytest.mark.parametrize("full", [False, ABSENT])
@pytest.mark.parametrize("step", FULL_DIFFERENTIAL_STEPS)
def test_one_for_one_seat_passes_without_full_differential(
    step, full, personas, county, committee, people
):
    case = open_case(personas, county, committee)
    data = stage_data(step, case, personas.case_officer, [people["甲"]], county.town_deputy)
    assert full_differential(ctx(case, step, data, full)) == []


def test_principal_scope_checks_principal_posts_only(personas, county, committee, people):
    """ "principal": 全程差额 for 党政正职 only, as the source says."""
    head, deputy = county.finance_head, county.town_deputy
    case = open_case(personas, county, committee, posts=[(head, 1), (deputy, 1)])
    officer = personas.case_officer
    inspected(case, officer, people["甲"], head)
    inspected(case, officer, people["乙"], deputy)
    problems = full_differential(ctx(case, "deliberation", {}, "principal"))
    assert problems == [
        "本类事项实行全程差额（差额酝酿）：职位“青山县财政局局长”拟配 1 人，提交酝酿的人选应多于"
        "拟配人数即至少 2 人，现为 1 人，不能等额进行。"
    ]
    # true covers every post: the deputy's one candidate is refused as well.
    assert len(full_differential(ctx(case, "deliberation", {}, True))) == 2


def test_seats_plus_one_is_enough_and_excluded_candidates_do_not_count(
    personas, county, committee, people, make_cadre, admin
):
    """Edge: 差额 is more than the seats, not the 1.3 ratio of 差额考察 —
    3 seats need 4; an excluded candidate no longer counts."""
    case = open_case(personas, county, committee, posts=[(county.town_deputy, 3)])
    officer = personas.case_officer
    others = [eligible(make_cadre, admin, county.town, n) for n in ("丙", "丁")]
    made = [inspected(case, officer, c, county.town_deputy) for c in [*people.values(), *others]]
    assert full_differential(ctx(case, "inspection", {}, True)) == []
    Candidate.objects.filter(pk=made[-1].pk).update(status=CandidateStatus.EXCLUDED)
    (problem,) = full_differential(ctx(case, "inspection", {}, True))
    assert "拟配 3 人" in problem and "至少 4 人，现为 3 人" in problem


def test_a_resumed_meeting_on_deferred_candidates_is_not_checked(
    personas, county, committee, people
):
    case = open_case(personas, county, committee)
    data = stage_data("decision", case, personas.case_officer, [people["甲"]], county.town_deputy)
    resumed = dataclasses.replace(ctx(case, "decision", data, True), resumed=True)
    assert full_differential(resumed) == []


# ---- through the service, with a template that turns it on --------------------------


def variant(name: str, replace: dict[str, str], tmp_path: Path, *, guards: bool = True) -> str:
    """The shipped template as a new version, some lines changed and (with
    `guards`) `full_differential` listed at every stage it has."""
    text = (DEFINITION_DIR / f"{name}.toml").read_text(encoding="utf-8")
    shipped = int(re.search(r"^version = (\d+)$", text, re.M).group(1))
    text = re.sub(r"^version = \d+$", f"version = {shipped + 1}", text, count=1, flags=re.M)
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new, 1)
    if guards:
        for step in FULL_DIFFERENTIAL_STEPS:
            text = re.sub(
                rf'(code = "{step}"\nsource = "[^"\n]*"\nguards = \[)',
                r'\1"full_differential", ',
                text,
            )
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    procedure_template_load(actor=None, path=path)
    return text


def test_section_level_full_differential_blocks_equal_numbers(
    personas, county, committee, people, tmp_path
):
    """股级 asks no 差额 by itself (differential_required = false); a version
    that turns 全程差额 on refuses 1 for 1 at recommendation and candidates."""
    variant(
        "section-level",
        {
            "differential_required = false": "differential_required = false\nfull_differential = true"
        },
        tmp_path,
    )
    case = open_case(personas, county, committee, template="section-level")
    officer = personas.case_officer
    to_step(case, officer)
    codes = [g.code for g in guard_preview(case, "recommendation", on=ON)]
    assert "full_differential" in codes
    problems = blocked(case, officer, "recommendation", rec_data([(people["甲"], None, 9)]))
    assert set(problems) == {"full_differential"}
    assert "差额推荐" in problems["full_differential"][0]
    votes = [(people["甲"], None, 9), (people["乙"], None, 8)]
    complete(case, officer, "recommendation", rec_data(votes))
    problems = blocked(case, officer, "candidates", chosen((people["甲"], None)))
    assert set(problems) == {"full_differential"}  # differential_count holds: 等额 is enough
    preview = {g.code: g for g in guard_preview(case, "candidates", chosen((people["甲"], None)))}
    assert not preview["full_differential"].holds and preview["differential_count"].holds
    complete(case, officer, "candidates", chosen((people["甲"], None), (people["乙"], None)))


def test_turning_it_on_without_listing_the_guard_is_refused(tmp_path):
    turn_on = {"full_differential = false": "full_differential = true"}
    with pytest.raises(
        ValidationFailed, match="recommendation、candidates、inspection、deliberation、decision"
    ):
        variant("county-leading", turn_on, tmp_path, guards=False)
    with pytest.raises(ValidationFailed, match="full_differential"):
        variant(
            "county-leading",
            {"full_differential = false": 'full_differential = "sometimes"'},
            tmp_path,
        )


def test_principal_scope_loads_with_the_guards_listed(tmp_path):
    text = variant(
        "county-leading", {"full_differential = false": 'full_differential = "principal"'}, tmp_path
    )
    assert text.count('"full_differential", ') == len(FULL_DIFFERENTIAL_STEPS)


# ---- talk coverage -------------------------------------------------------------------


def test_county_template_talk_coverage_one_short_of_60_percent_blocks(
    personas, county, committee, people
):
    case = open_case(personas, county, committee)
    officer = personas.case_officer
    to_step(case, officer)
    votes = [(people["甲"], None, 5), (people["乙"], None, 4)]
    short = {**TALK, "staff_total": 50, "participants": {"领导班子成员": 7, "中层干部": 22}}
    problems = blocked(case, officer, "recommendation", rec_data(votes, [MEETING, short]))
    assert problems["results_per_group"] == [
        "谈话推荐应覆盖在职人员的 60% 以上：在职 50 人，应至少谈话 30 人，现为 29 人。"
    ]
    # edge: 60% of 7 is 4.2 — five talks are needed, four are short.
    seven = {**TALK, "staff_total": 7, "participants": {"领导班子成员": 4}}
    problems = blocked(case, officer, "recommendation", rec_data(votes, [MEETING, seven]))
    assert problems["results_per_group"] == [
        "谈话推荐应覆盖在职人员的 60% 以上：在职 7 人，应至少谈话 5 人，现为 4 人。"
    ]
    exact = {**short, "participants": {"领导班子成员": 7, "中层干部": 23}}  # 30 of 50
    complete(case, officer, "recommendation", rec_data(votes, [MEETING, exact]))


def test_without_talk_coverage_no_share_is_asked(personas, county, committee, people):
    """section-level sets no talk_coverage: a talk record without the staff
    total, with a few people, passes as before."""
    case = open_case(personas, county, committee, template="section-level")
    assert "talk_coverage" not in case.template.parameters
    officer = personas.case_officer
    to_step(case, officer)
    few = {"kind": "talk", "date": "2026-11-11", "participants": {"领导班子成员": 2}}
    complete(case, officer, "recommendation", rec_data([(people["甲"], None, 2)], [MEETING, few]))


@pytest.mark.parametrize("bad", ["[0, 100]", "[101, 100]", "[60]", '"60%"', "[0.6, 1]"])
def test_a_malformed_talk_coverage_is_refused(bad, tmp_path):
    with pytest.raises(ValidationFailed, match="talk_coverage"):
        variant("county-leading", {"talk_coverage = [60, 100]": f"talk_coverage = {bad}"}, tmp_path)
