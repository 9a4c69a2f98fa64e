"""The steps and guards a procedure template may name, and the reading of
template files. Pure: no ORM."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

DEFINITION_DIR = Path(__file__).resolve().parent / "definitions"

#: Step code → Chinese name (DOMAIN §3 and its variants).
STEPS: dict[str, Any] = {
    "motion": _("动议"),
    "plan": _("选任方案"),
    "publication": _("职位公告"),
    "registration": _("报名"),
    "qualification_review": _("资格审查"),
    "written_exam": _("笔试"),
    "interview": _("面试及其他测试"),
    "recommendation": _("民主推荐"),
    "evaluation": _("民主测评"),
    "candidates": _("确定考察对象"),
    "inspection_notice": _("考察预告"),
    "inspection": _("考察"),
    "integrity_opinion": _("廉政意见"),
    "audit": _("经济责任审计"),
    "deliberation": _("酝酿"),
    "decision": _("讨论决定"),
    "public_notice": _("任前公示"),
    "appointment": _("任职"),
    "appointment_talk": _("任前谈话"),
    "probation_end": _("试用期满考核"),
}

#: Guard code → what it requires, in Chinese (shown when it blocks).
GUARDS: dict[str, Any] = {
    "quota_allows": _("职数允许：不超职数配备、不混岗配备"),
    "consultation_recorded": _("方案征求意见已记录"),
    "higher_approval": _("方案已经上级组织部门审批"),
    "after_publication": _("职位公告已在民主推荐（报名）前发布"),
    "signed_recommendations": _("只计署名推荐，电话、口头推荐不计"),
    "results_per_group": _("按推荐人类别记录推荐结果"),
    "differential_count": _("考察对象人数达到差额比例"),
    "full_differential": _("全程差额：模板实行时，各职位人选多于拟配人数"),
    "candidates_qualified": _("考察对象均符合任职资格或经批准破格"),
    "not_rejected_last_time": _("未在上次讨论决定中被否决"),
    "recommendation_fresh": _("民主推荐结果在一年有效期内"),
    "inspection_recorded": _("个别谈话、民主测评、实地考察已记录"),
    "report_signed_by_team": _("考察材料经考察组全体成员署名"),
    "four_musts": _("凡提四必：档案必审、个人事项必核、纪检意见必听、信访必查"),
    "integrity_requested_in_time": _("廉政意见至少在会议前 3 日书面征求"),
    "integrity_passed": _("廉政意见为通过"),
    "audit_concluded": _("正职经济责任审计已结束且无问题"),
    "plan_circulated": _("任免方案已在会前送达委员"),
    "quorum_and_majority": _("到会人数达到三分之二，逐一表决超过应到会成员半数"),
    "no_additions_at_meeting": _("会上不临时动议人选或职位"),
    "recusal_respected": _("回避人员未参加相关表决"),
    "passed_within_seats": _("通过人选多于拟配人数时，已确定拟任人选并说明理由"),
    "notice_complete": _("公示内容完整，破格的注明破格"),
    "notice_full_length": _("公示期满"),
    "reports_closed": _("公示期间举报均已查结"),
    "document_recorded": _("任职文号和日期已记录"),
    "scores_recorded": _("成绩已记录"),
    "probation_assessed": _("试用期满考核结果已记录"),
    "method_allowed": _("任职方式符合本类事项"),
    "approved_within_seats": _("讨论决定已记录，通过人选不多于拟配人数"),
    "talks_before_office": _("任前谈话在到任前进行，并进行廉政教育"),
}


class DefinitionError(ValueError):
    """A template file is malformed; the message names the file and field."""


#: The role that completes a step when the template names none (docs/decisions/0061).
DEFAULT_STEP_ROLE = "case_officer"


@dataclass(frozen=True)
class StepDef:
    code: str
    source: str
    guards: tuple[str, ...]
    # The access.models.Role that owns the step: who completes it from their
    # own login besides the case officer (docs/decisions/0061).
    role: str = DEFAULT_STEP_ROLE

    @property
    def name(self) -> str:
        return str(STEPS[self.code])


@dataclass(frozen=True)
class TemplateDef:
    code: str
    version: int
    name: str
    source: str
    effective_from: dt.date
    parameters: dict[str, Any]
    steps: tuple[StepDef, ...]

    def step(self, code: str) -> StepDef:
        for s in self.steps:
            if s.code == code:
                return s
        raise KeyError(code)

    def index(self, code: str) -> int:
        return [s.code for s in self.steps].index(code)


REQUIRED_PARAMETERS = {
    "differential_ratio",
    "integrity_lead_days",
    "notice_length",
    "notice_unit",
    "probation_months",
    "audit_for",
    "quorum",
    "majority",
    "deferral",
}


#: The steps where 全程差额 applies (差额推荐、提名、考察、酝酿、票决; docs/decisions/0087).
FULL_DIFFERENTIAL_STEPS = ("recommendation", "candidates", "inspection", "deliberation", "decision")


def _fraction(value: Any) -> bool:
    """A share as [num, den] of whole numbers with 0 < num <= den."""
    if not isinstance(value, list) or len(value) != 2:
        return False
    if not all(isinstance(x, int) and not isinstance(x, bool) for x in value):
        return False
    return 0 < value[0] <= value[1]


def parse_template(data: dict[str, Any], *, where: str) -> TemplateDef:
    for key in ("code", "version", "name", "source", "effective_from", "parameters", "steps"):
        if key not in data:
            raise DefinitionError(_("%(where)s：缺少 %(key)s") % {"where": where, "key": key})
    params = dict(data["parameters"])
    missing = REQUIRED_PARAMETERS - set(params)
    if missing:
        raise DefinitionError(
            _("%(where)s：parameters 缺少 %(keys)s")
            % {"where": where, "keys": "、".join(sorted(missing))}
        )
    if params["notice_unit"] not in ("calendar_days", "working_days"):
        raise DefinitionError(
            _("%(where)s：notice_unit 应为 calendar_days 或 working_days") % {"where": where}
        )
    if params.get("plan_approval_by_higher", False) not in (True, False, "competitive"):
        raise DefinitionError(
            _('%(where)s：plan_approval_by_higher 应为 true、false 或 "competitive"')
            % {"where": where}
        )
    if not isinstance(params.get("differential_required", True), bool):
        raise DefinitionError(
            _("%(where)s：differential_required 应为 true 或 false") % {"where": where}
        )
    full = params.get("full_differential", False)
    if not (isinstance(full, bool) or full == "principal"):
        raise DefinitionError(
            _('%(where)s：full_differential 应为 true、false 或 "principal"') % {"where": where}
        )
    coverage = params.get("talk_coverage")
    if coverage is not None and not _fraction(coverage):
        raise DefinitionError(
            _("%(where)s：talk_coverage 应为 [分子, 分母]，且 0 < 分子 ≤ 分母") % {"where": where}
        )
    from xuanren.access.models import Role

    steps: list[StepDef] = []
    seen: set[str] = set()
    for raw in data["steps"]:
        code = raw.get("code", "")
        if code not in STEPS:
            raise DefinitionError(
                _("%(where)s：未知环节 %(code)r") % {"where": where, "code": code}
            )
        if code in seen:
            raise DefinitionError(
                _("%(where)s：环节 %(code)s 重复") % {"where": where, "code": code}
            )
        seen.add(code)
        unknown = [g for g in raw.get("guards", []) if g not in GUARDS]
        if unknown:
            raise DefinitionError(
                _("%(where)s：环节 %(code)s 含未知前置条件 %(unknown)s")
                % {"where": where, "code": code, "unknown": unknown}
            )
        role = raw.get("role", DEFAULT_STEP_ROLE)
        if role not in Role.values:
            raise DefinitionError(
                _("%(where)s：环节 %(code)s 的办理角色 %(role)r 未知")
                % {"where": where, "code": code, "role": role}
            )
        steps.append(
            StepDef(
                code,
                str(raw.get("source", data["source"])),
                tuple(raw.get("guards", [])),
                role,
            )
        )
    if not steps or steps[0].code != "motion":
        raise DefinitionError(_("%(where)s：第一个环节必须是动议（motion）") % {"where": where})
    if full is not False:
        lacking = [
            s.code
            for s in steps
            if s.code in FULL_DIFFERENTIAL_STEPS and "full_differential" not in s.guards
        ]
        if lacking:
            raise DefinitionError(
                _(
                    "%(where)s：实行全程差额（full_differential）时，环节 %(steps)s "
                    "须列出前置条件 full_differential"
                )
                % {"where": where, "steps": "、".join(lacking)}
            )
    return TemplateDef(
        code=data["code"],
        version=int(data["version"]),
        name=data["name"],
        source=data["source"],
        effective_from=data["effective_from"],
        parameters=params,
        steps=tuple(steps),
    )


def read_template_file(path: Path) -> tuple[TemplateDef, dict[str, Any]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise DefinitionError(
            _("程序模板文件 %(name)s 不是有效的 TOML：%(error)s")
            % {"name": path.name, "error": exc}
        ) from exc
    where = str(_("程序模板文件 %(name)s") % {"name": path.name})
    return parse_template(data, where=where), data


def digest(data: dict[str, Any]) -> str:
    body = {k: data[k] for k in ("parameters", "steps")}
    return hashlib.sha256(
        json.dumps(body, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()
