"""The step contracts (xuanren/procedure/steps): one per catalogue step, every
field titled in Chinese, the data normalised as stored, and every kind of
error said in Chinese with the row and the field's title; the services check
them before the guards, for every caller."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import BaseModel

from tests.procedure.conftest import ON, open_case
from tests.step_data import IDENTIFIER, MOTION, publication
from xuanren.common.errors import ValidationFailed
from xuanren.journal.models import Event
from xuanren.procedure import steps
from xuanren.procedure.catalogue import DEFINITION_DIR, GUARDS, STEPS, read_template_file
from xuanren.procedure.guards import REGISTRY
from xuanren.procedure.models import CaseStep
from xuanren.procedure.selectors import CONTRACT_CODE, step_preview
from xuanren.procedure.services import (
    case_step_complete,
    case_step_correct,
)
from xuanren.procedure.steps.base import model_of

pytestmark = pytest.mark.django_db

HAN = re.compile(r"[\u4e00-\u9fff]")


def _models(model: type[BaseModel], seen: set[type[BaseModel]]) -> None:
    if model in seen:
        return
    seen.add(model)
    for info in model.model_fields.values():
        nested = model_of(info.annotation)
        if nested is not None:
            _models(nested, seen)


def test_one_contract_per_catalogue_step_every_field_titled_in_chinese() -> None:
    assert set(steps.CONTRACTS) == set(STEPS)
    for code, model in steps.CONTRACTS.items():
        seen: set[type[BaseModel]] = set()
        _models(model, seen)
        for m in seen:
            assert m.__doc__ and HAN.search(m.__doc__), (code, m.__name__)
            for name, info in m.model_fields.items():
                assert info.title and HAN.search(info.title), (code, m.__name__, name)


def test_each_step_module_lists_the_guards_its_templates_name() -> None:
    by_function = {fn: code for code, fn in REGISTRY.items()}
    for path in sorted(DEFINITION_DIR.glob("*.toml")):
        template, _raw = read_template_file(path)
        for step in template.steps:
            module = steps.MODULES[step.code]
            listed = {by_function[fn] for fn in module.GUARDS}
            assert set(step.guards) <= listed, (template.code, step.code)
            assert all(g in GUARDS for g in listed)


def test_validate_normalises_ids_dates_and_whole_numbers() -> None:
    stored = steps.validate(
        "written_exam",
        {
            "full_marks": "100",
            "scores": [{"cadre": "12", "score": 88.0}, {"cadre": 13, "score": 7.5}],
        },
    )
    assert stored == {
        "full_marks": 100,
        "scores": [{"cadre": 12, "score": 88}, {"cadre": 13, "score": 7.5}],
    }
    assert steps.validate("registration", {"closed_on": "2026-11-20"}) == {
        "closed_on": "2026-11-20"
    }
    # what was not sent is not stored: a row without post keeps its shape
    assert steps.validate("candidates", {
        "chosen": [{"cadre": 5}], "meeting": {"body": "部务会", "date": "2026-11-26"},
    }) == {"chosen": [{"cadre": 5}], "meeting": {"body": "部务会", "date": "2026-11-26"}}  # fmt: skip


def _messages(step: str, data: Any) -> dict[str, str]:
    return {e.field: e.message for e in steps.problems(step, data)}


RECOMMENDATION = {
    "meetings": [{"kind": "meeting", "date": "2026-11-10", "participants": {"中层干部": 20}}],
    "results": [
        {"cadre": 1, "group": "中层干部", "kind": "meeting", "signed": 3},
        {"cadre": 2, "group": "中层干部", "kind": "meeting", "signed": 3},
        {"cadre": 3, "group": "中层干部", "kind": "meeting", "signed": -1},
    ],
}


@pytest.mark.parametrize(
    ("step", "data", "field", "message"),
    [
        ("recommendation", RECOMMENDATION, "results.2.signed",
         "推荐结果第 3 行“署名推荐票数”：应为不小于 0 的整数。"),
        ("motion", {}, "reason", "“动议理由”：必须填写，请补上。"),
        ("motion", {"reason": "bored", "proposer": "x"}, "reason",
         "“动议理由”：应为下列之一：职位空缺、优化领导班子结构、消化超职数配备。"),
        ("publication", {"text": "公告", "channels": [], "date": "2026-11-01"}, "channels",
         "“发布渠道”：至少应有 1 项，请补上。"),
        ("publication", {"text": "公告", "channels": ["website"], "date": "11/01/2026"}, "date",
         "“发布日期”：应为日期，格式为 YYYY-MM-DD（如 2026-11-20），且是有效日期。"),
        ("decision", {"meeting_date": "2026-11-20", "present": [1, "x"], "votes": [{"candidate": 1}]},
         "present.1", "到会成员第 2 项：应为整数，请填写数字。"),
        ("decision", {"meeting_date": "2026-11-20", "present": [1], "votes": [{"candidate": 0}]},
         "votes.0.candidate", "逐一表决第 1 行“人选”：应为正整数：请从列表中选择或填写编号。"),
        ("appointment_talk", {"talks": [{"candidate": 1, "talk_on": "2026-12-01",
                                         "takes_office_on": "2026-12-02", "by": "部长",
                                         "integrity_education": "maybe"}]},
         "talks.0.integrity_education", "任前谈话第 1 行“进行廉政教育”：应为“是”或“否”（true 或 false）。"),
        ("inspection_notice", {"text": "预" * 8001, "published_on": "2026-11-01"}, "text",
         "“考察预告内容”：不能超过 8000 个字，请精简。"),
        ("audit", {"audits": {"candidate": 1}}, "audits", "“经济责任审计”：应为若干行（列表），请逐行填写。"),
        ("candidates", {"chosen": [{"cadre": 1}], "meeting": "部务会"}, "meeting",
         "“研究确定的会议”：应为一组内容（对象），请按说明填写。"),
        ("inspection", {"team": [{"name": "甲"}], "report": {"date": "2026-11-25"},
                        "candidates": [{"cadre": 1, "talks": {"count": 0, "date": "2026-11-20"},
                                        "evaluation": {"participants": 3, "date": "2026-11-20"},
                                        "field_visits": [{"place": "镇", "date": "2026-11-20"}]}]},
         "candidates.0.talks.count", "考察情况第 1 行个别谈话“个别谈话人数”：应为不小于 1 的整数。"),
        ("probation_end", {"assessments": [{"candidate": 1, "result": "not_competent",
                                            "assessed_on": "2027-11-10"}]},
         "assessments.0", "试用期满考核第 1 行：不胜任的，须填写免去试任职务的文号。"),
        ("plan", {"consultation": [{"from": "县委"}]}, "consultation.0.comment",
         "征求意见第 1 行“意见内容”：必须填写，请补上。"),
    ],
)  # fmt: skip
def test_errors_name_the_row_and_the_field_in_chinese(
    step: str, data: dict[str, Any], field: str, message: str
) -> None:
    found = _messages(step, data)
    assert found.get(field) == message, found
    for text in found.values():
        assert not re.search(IDENTIFIER, text) and "Input should" not in text, text


def test_a_key_the_step_does_not_have_is_refused_without_naming_it() -> None:
    found = _messages("motion", {**MOTION, "result_sheet": {}, "phone": 3})
    assert set(found) == {"result_sheet", "phone"}
    for text in found.values():
        assert "result_sheet" not in text and "phone" not in text
        assert text == "提交的内容有一项不属于本环节，请删去后再提交。"
    first: dict[str, Any] = {**RECOMMENDATION["results"][0], "phone": 2}  # type: ignore[index]
    row = _messages("recommendation", {**RECOMMENDATION, "results": [first]})
    assert row == {"results.0.phone": "推荐结果第 1 行有一项不属于本环节的内容，请删去后再提交。"}


def test_every_step_refuses_what_is_not_an_object() -> None:
    for code in STEPS:
        assert _messages(code, ["x"]) == {
            "__all__": "本环节的内容应为一组内容（对象），请按说明填写。"
        }


# ---- through the services ---------------------------------------------------------------


def test_motion_without_data_is_refused_before_the_guards(personas, county, committee) -> None:
    case = open_case(personas, county, committee)
    events = Event.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        case_step_complete(actor=personas.case_officer, case=case, step="motion", on=ON)
    assert "动议" in caught.value.message
    assert {e.field for e in caught.value.errors} == {"reason", "proposer"}
    case.refresh_from_db()
    assert case.current_step == "motion" and not CaseStep.objects.filter(case=case).exists()
    assert Event.objects.count() == events


def test_publication_with_an_empty_object_is_refused(personas, county, committee) -> None:
    case = open_case(personas, county, committee)
    officer = personas.case_officer
    case_step_complete(actor=officer, case=case, step="motion", data=MOTION, on=ON)
    case_step_complete(actor=officer, case=case, step="plan",
                       data={"consultation": [{"from": "县委", "comment": "同意"}]}, on=ON)  # fmt: skip
    with pytest.raises(ValidationFailed) as caught:
        case_step_complete(actor=officer, case=case, step="publication", data={}, on=ON)
    assert {e.field for e in caught.value.errors} == {"text", "channels", "date"}
    assert all("：必须填写" in e.message for e in caught.value.errors)
    case.refresh_from_db()
    assert case.current_step == "publication"
    record = case_step_complete(
        actor=officer, case=case, step="publication", data=publication(ON), on=ON
    )
    assert record.data == {"text": "职位、资格条件和方法程序公告", "channels": ["notice_board"],
                           "date": ON.isoformat()}  # fmt: skip


def test_a_correction_is_checked_against_the_contract(personas, county, committee) -> None:
    case = open_case(personas, county, committee)
    officer = personas.case_officer
    first = case_step_complete(actor=officer, case=case, step="motion", data=MOTION, on=ON)
    with pytest.raises(ValidationFailed) as caught:
        case_step_correct(actor=officer, record=first, data={"reason": "x"}, note="改正")
    assert {e.field for e in caught.value.errors} == {"reason", "proposer"}
    assert case.steps.count() == 1
    fixed = case_step_correct(
        actor=officer, record=first, data={**MOTION, "proposer": " 县委 "}, note="改正"
    )
    assert fixed.data["proposer"] == "县委"


def test_the_preview_shows_the_contract_first(personas, county, committee) -> None:
    case = open_case(personas, county, committee)
    states = step_preview(actor=personas.case_officer, case=case, step="motion", data={})
    assert states[0].code == CONTRACT_CODE
    assert states[0].problems == (
        "“动议理由”：必须填写，请补上。",
        "“提议人（单位或个人）”：必须填写，请补上。",
    )
    ok = step_preview(actor=personas.case_officer, case=case, step="motion", data=MOTION)
    assert ok[0].holds
    stored = step_preview(actor=personas.case_officer, case=case, step="motion", data=None)
    assert all(s.code != CONTRACT_CODE for s in stored)
