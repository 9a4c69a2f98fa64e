"""A malformed procedure template file is refused at load time with a
Chinese message naming the file and the field (gettext, wording unchanged)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from xuanren.procedure.catalogue import DefinitionError, parse_template, read_template_file

PARAMETERS = {
    "differential_ratio": [13, 10], "integrity_lead_days": 3, "notice_length": 7,
    "notice_unit": "calendar_days", "probation_months": 12, "audit_for": "none",
    "quorum": [2, 3], "majority": [1, 2], "deferral": [1, 2],
}  # fmt: skip
BASE: dict[str, Any] = {
    "code": "x", "version": 1, "name": "x", "source": "x", "effective_from": "2020-01-01",
    "parameters": PARAMETERS, "steps": [{"code": "motion"}],
}  # fmt: skip


def refused(**changes: Any) -> str:
    with pytest.raises(DefinitionError) as info:
        parse_template({**BASE, **changes}, where="模板t")
    return str(info.value)


def test_messages_name_the_file_and_the_field() -> None:
    data = dict(BASE)
    del data["steps"]
    with pytest.raises(DefinitionError, match=r"^模板t：缺少 steps$"):
        parse_template(data, where="模板t")
    less = {k: v for k, v in PARAMETERS.items() if k not in ("quorum", "majority")}
    assert refused(parameters=less) == "模板t：parameters 缺少 majority、quorum"
    assert refused(parameters={**PARAMETERS, "notice_unit": "weeks"}) == (
        "模板t：notice_unit 应为 calendar_days 或 working_days"
    )
    assert refused(parameters={**PARAMETERS, "talk_coverage": [3, 2]}) == (
        "模板t：talk_coverage 应为 [分子, 分母]，且 0 < 分子 ≤ 分母"
    )
    assert refused(steps=[{"code": "nope"}]) == "模板t：未知环节 'nope'"
    assert refused(steps=[{"code": "motion"}, {"code": "motion"}]) == "模板t：环节 motion 重复"
    assert refused(steps=[{"code": "motion", "guards": ["x"]}]) == (
        "模板t：环节 motion 含未知前置条件 ['x']"
    )
    assert refused(steps=[{"code": "candidates"}]) == "模板t：第一个环节必须是动议（motion）"
    assert refused(
        parameters={**PARAMETERS, "full_differential": True},
        steps=[{"code": "motion"}, {"code": "candidates"}],
    ) == (
        "模板t：实行全程差额（full_differential）时，环节 candidates 须列出前置条件 full_differential"
    )


def test_a_file_that_is_not_toml_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("code = ", encoding="utf-8")
    with pytest.raises(DefinitionError, match=r"^程序模板文件 bad\.toml 不是有效的 TOML："):
        read_template_file(bad)
    worse = tmp_path / "worse.toml"
    worse.write_text('code = "x"\n', encoding="utf-8")
    with pytest.raises(DefinitionError, match=r"^程序模板文件 worse\.toml：缺少 version$"):
        read_template_file(worse)
