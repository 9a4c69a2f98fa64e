"""The competitive template's written exam and interview read the signed
竞聘评分 sheet (docs/decisions/0149); a case without a sheet keeps its typed
scores."""

from __future__ import annotations

import pytest

from tests.competition.conftest import Setup
from xuanren.common.errors import Conflict
from xuanren.competition.services import competition_create, competition_sign_off
from xuanren.procedure.models import Candidate, CandidateStatus
from xuanren.procedure.selectors import step_preview
from xuanren.procedure.services import GuardBlocked, case_step_complete

from .conftest import ON, WEIGHTS


def _step(setup: Setup, officer, step: str, data=None):
    return case_step_complete(actor=officer, case=setup.case, step=step, data=data or {}, on=ON)


def test_the_steps_refuse_until_the_sheet_is_signed(scored, personas):
    with pytest.raises(Conflict) as info:
        _step(scored, personas.case_officer, "written_exam",
              {"full_marks": 100, "scores": [{"cadre": c.cadre_id, "score": 90}
                                             for c in scored.candidates.values()]})  # fmt: skip
    assert "尚未经竞聘监督小组签字确认" in str(info.value)
    scored.case.refresh_from_db()
    assert scored.case.current_step == "written_exam" and not scored.case.steps.exists()


def test_written_exam_and_interview_read_the_signed_sheet(scored, personas):
    officer = personas.case_officer
    competition_sign_off(actor=officer, competition=scored.competition)
    by = scored.candidates
    preview = step_preview(actor=officer, case=scored.case, step="written_exam")
    assert all(not g.problems for g in preview)
    # typed scores are not taken: the sheet's written test is; 丁 goes no further
    record = _step(scored, officer, "written_exam",
                   {"full_marks": 10, "scores": [{"cadre": by["甲"].cadre_id, "score": 1},
                    {"cadre": by["丁"].cadre_id, "score": 1, "excluded": True}]})  # fmt: skip
    assert record.data["sheet"] == scored.competition.pk and record.data["full_marks"] == 100
    assert {r["cadre"]: (r["score"], r.get("excluded", False)) for r in record.data["scores"]} == {
        by["甲"].cadre_id: (85.17, False), by["乙"].cadre_id: (89, False),
        by["丙"].cadre_id: (85, False), by["丁"].cadre_id: (62, True),
    }  # fmt: skip
    assert Candidate.objects.get(pk=by["丁"].pk).status == CandidateStatus.EXCLUDED
    record = _step(scored, officer, "interview", {"form": "情景模拟、无领导小组讨论、演说答辩"})
    # the composite, ranked by the sheet's tie rule: 乙 before 丙 on the written test
    assert [(r["cadre"], r["score"], r["rank"]) for r in record.data["scores"]] == [
        (by["甲"].cadre_id, 85.34, 1), (by["乙"].cadre_id, 83.25, 2),
        (by["丙"].cadre_id, 83.25, 3)]  # fmt: skip
    ranks = dict(Candidate.objects.filter(case=scored.case).values_list("cadre__name", "rank"))
    assert (ranks["甲"], ranks["乙"], ranks["丙"]) == (1, 2, 3)


def test_a_sheet_set_up_after_the_written_exam_is_refused(case, personas):
    officer = personas.case_officer
    _step_data = {"full_marks": 100, "scores": [{"cadre": c.cadre_id, "score": 80 + i}
                  for i, c in enumerate(Candidate.objects.filter(case=case))]}  # fmt: skip
    case_step_complete(actor=officer, case=case, step="written_exam", data=_step_data, on=ON)
    with pytest.raises(Conflict):
        competition_create(actor=officer, case=case, weights=WEIGHTS)


def test_without_a_sheet_typed_scores_work_as_before(case, personas):
    officer = personas.case_officer
    rows = [{"cadre": c.cadre_id, "score": s} for c, s in
            zip(Candidate.objects.filter(case=case).order_by("pk"), (90, 80, 80, 70), strict=True)]  # fmt: skip
    record = case_step_complete(actor=officer, case=case, step="written_exam",
                                data={"full_marks": 100, "scores": rows}, on=ON)  # fmt: skip
    assert "sheet" not in record.data
    ranks = [r or 0 for r in Candidate.objects.filter(case=case).values_list("rank", flat=True)]
    assert sorted(ranks) == [1, 2, 2, 4]


def test_typed_data_naming_a_sheet_it_is_not_is_blocked(setup, personas):
    """A competition exists but is not signed: even a forged `sheet` key is refused."""
    with pytest.raises((Conflict, GuardBlocked)):
        _step(setup, personas.case_officer, "written_exam",
              {"full_marks": 100, "sheet": setup.competition.pk + 1,
               "scores": [{"cadre": c.cadre_id, "score": 90} for c in setup.candidates.values()]})  # fmt: skip


def test_the_sign_off_is_in_the_todo_of_the_officer_and_the_commission(setup, personas):
    from xuanren.procedure.todo import TodoKind, todo_for

    for who in (personas.case_officer, personas.discipline):
        items = [i for i in todo_for(actor=who, on=ON) if i.kind == TodoKind.COMPETITION_SIGN_OFF]
        assert [i.link for i in items] == [f"/competition/case/{setup.case.pk}/"]
    member = todo_for(actor=personas.committee_member, on=ON)
    assert not [i for i in member if i.kind == TodoKind.COMPETITION_SIGN_OFF]
