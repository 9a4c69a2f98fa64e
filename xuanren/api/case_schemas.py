"""Request and response shapes of the case endpoints (选任事项, steps, guards,
candidates, 纪实, procedure templates). Step and guard codes are the stable
codes of the catalogue, with the Chinese name beside them; a status is the
stable code with its Chinese word beside it."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import ConfigDict, Field, PlainValidator, create_model, field_validator
from pydantic_core import PydanticCustomError

from xuanren.access.names import display_name
from xuanren.procedure.catalogue import GUARDS, STEPS, TemplateDef
from xuanren.procedure.models import (
    Attachment,
    Candidate,
    Case,
    CaseStatus,
    CaseStep,
    MotionProposal,
    ProcedureTemplate,
)
from xuanren.procedure.record import case_ending, record_names, rows_as_json, step_rows
from xuanren.procedure.selectors import CaseRecord, GuardState, TimelineEntry
from xuanren.procedure.steps import CONTRACTS

STEP_CODES = "、".join(STEPS)


def user_name(user: Any) -> str:
    """How a user is shown: the full name, else the login name."""
    return display_name(user)


def step_name(code: str) -> str:
    return str(STEPS.get(code, code))


def _known_step(value: str) -> str:
    if value and value not in STEPS:
        raise PydanticCustomError("enum", "{reason}", {"reason": _("未知环节。")})
    return value


def _known_status(value: str) -> str:
    if value and value not in CaseStatus.values:
        raise PydanticCustomError("enum", "{reason}", {"reason": _("未知状态。")})
    return value


# ---- cases ----------------------------------------------------------------------------


class CaseFiltersIn(Schema):
    """The query of GET /cases; the same filters as the case list page."""

    status: str = Field("", description="open 办理中 / closed 已办结 / abandoned 已终止；空为不限")
    step: str = Field("", description=f"当前环节代码：{STEP_CODES}")
    q: str = Field("", description="事项名称包含的文字")

    _step_known = field_validator("step")(_known_step)
    _status_known = field_validator("status")(_known_status)


class CaseHeader(Schema):
    """The fields of a case's header (no resolvers: built by `case_header`)."""

    id: int
    number: str = Field(description="事项编号")
    title: str
    template_code: str
    template_version: int
    template_name: str
    unit_id: int
    unit_name: str
    committee_id: int
    status: str = Field(description="open 办理中 / closed 已办结 / abandoned 已终止")
    status_word: str
    current_step: str = Field(description="下一个应办理的环节代码；全部办完后为空字符串")
    current_step_name: str
    reference_date: dt.date = Field(description="资格计算基准日")
    officer_id: int
    officer_name: str = Field(description="经办人")
    opened_at: dt.datetime
    last_activity_at: dt.datetime


class CaseListOut(CaseHeader):
    """A case in the list: the header, read from a Case row."""

    @staticmethod
    def resolve_template_code(obj: Case) -> str:
        return obj.template.code

    @staticmethod
    def resolve_template_version(obj: Case) -> int:
        return obj.template.version

    @staticmethod
    def resolve_template_name(obj: Case) -> str:
        return obj.template.name

    @staticmethod
    def resolve_unit_name(obj: Case) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_status_word(obj: Case) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_current_step_name(obj: Case) -> str:
        return step_name(obj.current_step) if obj.current_step else ""

    @staticmethod
    def resolve_officer_name(obj: Case) -> str:
        return user_name(obj.officer)


def case_header(case: Case) -> dict[str, Any]:
    return CaseListOut.from_orm(case).model_dump()


class CasePostIn(Schema):
    model_config = ConfigDict(extra="forbid")

    post: int = Field(description="职位编号")
    seats: int = Field(1, ge=1, le=99, description="拟配人数")


class CaseCreateIn(Schema):
    """POST /cases: open a case; its first step (motion) is then completed
    through POST /cases/{id}/steps like any other."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(description="事项名称")
    template: str = Field(description="程序模板代码，如 county-leading；使用其最新版本")
    unit: int = Field(description="主办单位编号")
    committee: int = Field(description="决定机构编号")
    posts: list[CasePostIn] = Field(description="职位及拟配人数")
    reference_date: dt.date | None = Field(None, description="资格计算基准日，默认今天")


class CasePostOut(Schema):
    post_id: int
    title: str
    unit_id: int
    unit_name: str
    level: str
    is_principal: bool
    seats: int = Field(description="拟配人数")


class CandidateOut(Schema):
    id: int
    cadre_id: int
    cadre_name: str
    post_id: int
    post_title: str
    unit_name: str = Field(description="职位所在单位")
    status: str = Field(description="人选状态代码，如 nominated、inspection、approved")
    status_word: str
    status_reason: str
    added_at_step: str
    exception_id: int | None = Field(description="经批准的破格提拔申请编号；无则为 null")
    rank: int | None


def candidate_rows(candidates: list[Candidate]) -> list[CandidateOut]:
    """Candidates by post, then rank (unranked last), then as added."""
    ordered = sorted(candidates, key=lambda c: (c.post_id, c.rank is None, c.rank or 0, c.pk or 0))
    return [
        CandidateOut(
            id=c.pk,
            cadre_id=c.cadre_id,
            cadre_name=c.cadre.name,
            post_id=c.post_id,
            post_title=c.post.title,
            unit_name=c.post.unit.name,
            status=c.status,
            status_word=str(c.get_status_display()),
            status_reason=c.status_reason,
            added_at_step=c.added_at_step,
            exception_id=c.exception_id,
            rank=c.rank,
        )
        for c in ordered
    ]


class GuardOut(Schema):
    code: str = Field(description="前置条件代码")
    title: str = Field(description="前置条件的要求")
    holds: bool = Field(description="是否满足")
    problems: list[str] = Field(description="不满足的原因（中文）；满足时为空")


def guard_rows(states: list[GuardState] | tuple[GuardState, ...]) -> list[GuardOut]:
    return [
        GuardOut(code=g.code, title=g.title, holds=g.holds, problems=list(g.problems))
        for g in states
    ]


class TimelineStepOut(Schema):
    code: str
    name: str
    source: str = Field(description="依据")
    state: Literal["done", "current", "pending"]
    record_ids: list[int] = Field(description="本环节的记录（含更正）编号，按顺序")
    guards: list[GuardOut] = Field(description="当前环节的各前置条件及其是否满足；其他环节为空")


def timeline_rows(entries: list[TimelineEntry]) -> list[TimelineStepOut]:
    return [
        TimelineStepOut(
            code=e.code,
            name=e.name,
            source=e.source,
            state=e.state,  # type: ignore[arg-type]
            record_ids=[r.pk for r in e.records],
            guards=guard_rows(e.guards),
        )
        for e in entries
    ]


class CaseDetailOut(CaseHeader):
    committee_name: str
    posts: list[CasePostOut]
    candidates: list[CandidateOut]
    current: TimelineStepOut | None = Field(
        description="当前环节及其前置条件；事项办结或终止后为 null"
    )
    timeline: list[TimelineStepOut] = Field(description="模板的全部环节：已办、当前、待办")


def post_rows(case: Case) -> list[CasePostOut]:
    """The case's posts (prefetched by case_get), in the order they were listed."""
    return [
        CasePostOut(
            post_id=cp.post_id,
            title=cp.post.title,
            unit_id=cp.post.unit_id,
            unit_name=cp.post.unit.name,
            level=cp.post.level,
            is_principal=cp.post.is_principal,
            seats=cp.seats,
        )
        for cp in sorted(case.case_posts.all(), key=lambda cp: cp.pk)
    ]


def case_detail(case: Case, timeline: list[TimelineEntry]) -> dict[str, Any]:
    """The case header (validated by CaseDetailOut's resolvers) plus its posts,
    candidates and timeline; `case` comes from case_get (prefetched)."""
    steps = timeline_rows(timeline)
    return {
        **case_header(case),
        "committee_name": case.committee.name,
        "posts": post_rows(case),
        "candidates": candidate_rows(list(case.candidates.all())),
        "current": next((s for s in steps if s.state == "current"), None),
        "timeline": steps,
    }


# ---- steps ------------------------------------------------------------------------------


class StepIn(Schema):
    """POST /cases/{id}/steps: complete the case's current step."""

    model_config = ConfigDict(extra="forbid")

    step: str = Field(description=f"环节代码（须为当前环节）：{STEP_CODES}")
    data: dict[str, Any] = Field(
        default_factory=dict, description="本环节的内容；各前置条件据此核验"
    )
    note: str = Field("", description="说明")


def _as_sent(value: Any) -> Any:
    """The step's data as sent: checked by the service against the step's
    contract, so that the API refuses it with the same Chinese messages as
    the web form (the schema below only publishes the contract)."""
    return value


def contract_data(step: str) -> Any:
    """The annotation of a step's `data`: published as the step's contract,
    validated by `case_step_complete` (steps.validate)."""
    return Annotated[Any, PlainValidator(_as_sent, json_schema_input_type=CONTRACTS[step])]


def _step_in(step: str) -> type[Schema]:
    model = create_model(
        f"StepIn_{step}",
        __base__=Schema,
        __doc__=f"办理“{STEPS[step]}”环节：{CONTRACTS[step].__doc__ or ''}",
        data=(
            contract_data(step),
            Field(default_factory=dict, description=f"“{STEPS[step]}”环节的内容"),
        ),
        note=(str, Field("", description="说明")),
    )
    model.model_config["extra"] = "forbid"
    model.model_rebuild(force=True)
    return model


#: Step code → the request body of POST /cases/{id}/steps/{code}.
STEP_BODIES: dict[str, type[Schema]] = {code: _step_in(code) for code in CONTRACTS}


class CorrectionIn(Schema):
    """POST /cases/{id}/steps/{record_id}/corrections: a new record that corrects
    an earlier one; the original stays as it was."""

    model_config = ConfigDict(extra="forbid")

    data: dict[str, Any] = Field(description="更正后的内容")
    note: str = Field(description="更正理由（必填）")


class StepFields(Schema):
    id: int
    seq: int = Field(description="在本事项中的顺序号")
    step: str
    step_name: str
    completed_by_id: int
    completed_by_name: str
    completed_at: dt.datetime = Field(description="办理时间（服务器时间）")
    data: dict[str, Any]
    note: str
    corrects: int | None = Field(description="所更正的记录编号；原始记录为 null")
    journal_hash: str = Field(description="该记录对应的日志事件哈希")


class CaseStepOut(StepFields):
    """One step record, read from a CaseStep row."""

    @staticmethod
    def resolve_step_name(obj: CaseStep) -> str:
        return step_name(obj.step)

    @staticmethod
    def resolve_completed_by_name(obj: CaseStep) -> str:
        return user_name(obj.completed_by)

    @staticmethod
    def resolve_corrects(obj: CaseStep) -> int | None:
        return obj.corrects_id


# ---- guards -----------------------------------------------------------------------------


class GuardsIn(Schema):
    step: str = Field("", description="环节代码；默认为当前环节")

    _step_known = field_validator("step")(_known_step)


class GuardPreviewOut(Schema):
    case_id: int
    step: str
    step_name: str
    is_current: bool = Field(description="是否为当前应办理的环节")
    holds: bool = Field(description="各前置条件是否都满足（按已记录的情况）")
    guards: list[GuardOut] = Field(
        description="各前置条件；依赖本环节提交内容的条件，在提交时按提交的内容再核验"
    )


# ---- 纪实 ------------------------------------------------------------------------------------


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by_id: int
    uploaded_at: dt.datetime


class RecordStepOut(StepFields):
    corrections: list[int] = Field(description="更正本记录的记录编号")
    attachments: list[AttachmentOut]
    content: list[dict[str, Any]] = Field(
        description="本记录内容的中文标注：各项的中文名称（label）及其文字（text）或分组（groups），"
        "取值显示为中文含义，人员和职位显示为姓名和名称；与纪实页面、纪实 PDF 相同"
    )


class CaseEndingOut(Schema):
    kind: str = Field(description="terminate 终止 / withdraw 撤回")
    kind_display: str = Field(description="终止或撤回（中文）")
    ended_at: dt.datetime
    ended_by: str = Field(description="经办人姓名")
    step: str = Field(description="终止或撤回时所在环节的代码")
    step_name: str = Field(description="终止或撤回时所在环节的名称")
    reason: str = Field(description="理由")
    content: list[dict[str, Any]] = Field(
        description="以上各项的中文标注（label 与 text），与纪实页面、纪实 PDF 相同"
    )


class CaseRecordOut(Schema):
    case: CaseHeader
    ending: CaseEndingOut | None = Field(
        None, description="事项被终止或撤回时：方式、经办人、时间、所在环节和理由；否则为空"
    )
    committee_name: str
    posts: list[CasePostOut]
    steps: list[RecordStepOut] = Field(description="每一条环节记录（含更正），按顺序")
    attachments: list[AttachmentOut] = Field(description="不属于某一环节记录的附件")
    journal_tip: str = Field(description="生成本纪实时日志链的最新哈希")
    journal_count: int = Field(description="生成本纪实时日志链的事件总数")
    journal_seq: int = Field(
        description="生成本纪实时日志链最新一条记录的序号（与哈希一起可用于核验）"
    )
    generated_at: dt.datetime


def _attachment_rows(items: tuple[Attachment, ...]) -> list[AttachmentOut]:
    return [AttachmentOut.from_orm(a) for a in items]


def record_body(record: CaseRecord, generated_at: dt.datetime) -> dict[str, Any]:
    names = record_names(record.case)
    corrections: dict[int, list[int]] = {}
    for s in record.steps:
        if s.corrects_id is not None:
            corrections.setdefault(s.corrects_id, []).append(s.pk)
    steps = [
        RecordStepOut(
            **CaseStepOut.from_orm(s).model_dump(),
            corrections=corrections.get(s.pk, []),
            attachments=_attachment_rows(record.attachments.get(s.pk, ())),
            content=rows_as_json(step_rows(s.step, s.data, names)),
        )
        for s in record.steps
    ]
    return {
        "case": case_header(record.case),
        "ending": ending.as_dict() if (ending := case_ending(record.case)) else None,
        "committee_name": record.case.committee.name,
        "posts": post_rows(record.case),
        "steps": steps,
        "attachments": _attachment_rows(record.attachments.get(None, ())),
        "journal_tip": record.journal_tip,
        "journal_count": record.journal_count,
        "journal_seq": record.journal_seq,
        "generated_at": generated_at,
    }


# ---- procedure templates ---------------------------------------------------------------------


class TemplateGuardOut(Schema):
    code: str
    title: str


class TemplateStepOut(Schema):
    code: str
    name: str
    source: str = Field(description="依据")
    guards: list[TemplateGuardOut]


class ProcedureTemplateOut(Schema):
    id: int
    code: str
    version: int
    name: str
    source: str
    effective_from: dt.date
    sha256: str = Field(description="模板内容（参数与环节）的哈希")
    parameters: dict[str, Any] = Field(
        description="差额比例、廉政意见提前天数、公示期及单位、试用期、审计范围、表决比例等"
    )
    steps: list[TemplateStepOut]


def template_row(template: ProcedureTemplate, definition: TemplateDef) -> ProcedureTemplateOut:
    return ProcedureTemplateOut(
        id=template.pk,
        code=template.code,
        version=template.version,
        name=template.name,
        source=template.source,
        effective_from=template.effective_from,
        sha256=template.sha256,
        parameters=dict(template.parameters),
        steps=[
            TemplateStepOut(
                code=s.code,
                name=s.name,
                source=s.source,
                guards=[TemplateGuardOut(code=g, title=str(GUARDS[g])) for g in s.guards],
            )
            for s in definition.steps
        ],
    )


class GuardPreviewIn(Schema):
    """POST /cases/{id}/guards/preview: the current step's guards against the
    data about to be submitted; nothing is saved."""

    model_config = ConfigDict(extra="forbid")

    data: dict[str, Any] = Field(default_factory=dict, description="拟提交的本环节内容")


# ---- motion proposals (动议建议) --------------------------------------------------------


class MotionProposalIn(Schema):
    model_config = ConfigDict(extra="forbid")

    unit: int = Field(description="提议单位编号（须在本人管理范围内）")
    posts: list[CasePostIn] = Field(description="职位及拟配人数（须属提议单位）")
    reasons: str = Field(description="动议理由")


class MotionDecisionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    accept: bool = Field(description="true 采纳并立项；false 不采纳")
    reason: str = Field("", description="处理意见；不采纳时必填")
    template: str = Field("", description="采纳时：程序模板代码")
    committee: int | None = Field(None, description="采纳时：决定机构编号")
    title: str = Field("", description="采纳时：事项名称，默认按单位和职位生成")
    reference_date: dt.date | None = Field(None, description="采纳时：资格计算基准日，默认今天")


class MotionProposalPostOut(Schema):
    post: int
    post_title: str
    seats: int


class MotionProposalOut(Schema):
    id: int
    unit: int
    unit_name: str
    posts: list[MotionProposalPostOut]
    reasons: str
    proposed_by: str
    proposed_at: dt.datetime
    status: str
    status_display: str
    decided_by: str
    decided_at: dt.datetime | None
    decision_reason: str
    case: int | None


def motion_proposal_row(p: MotionProposal) -> MotionProposalOut:
    return MotionProposalOut(
        id=p.pk,
        unit=p.unit_id,
        unit_name=p.unit.name,
        posts=[
            MotionProposalPostOut(
                post=pp.post_id, post_title=f"{pp.post.unit.name}{pp.post.title}", seats=pp.seats
            )
            for pp in p.proposal_posts.all()
        ],
        reasons=p.reasons,
        proposed_by=user_name(p.proposed_by),
        proposed_at=p.proposed_at,
        status=p.status,
        status_display=p.get_status_display(),
        decided_by=user_name(p.decided_by) if p.decided_by else "",
        decided_at=p.decided_at,
        decision_reason=p.decision_reason,
        case=p.case_id,
    )


class DecisionResumeIn(Schema):
    """POST /cases/{id}/decision/resume: a later meeting for the candidates
    deferred (缓议) at the decision; `data` has the decision step's shape."""

    model_config = ConfigDict(extra="forbid")

    data: contract_data("decision") = Field(  # type: ignore[valid-type]
        default_factory=dict, description="讨论决定的内容（只列缓议的人选）"
    )
    note: str = Field("", description="说明")
