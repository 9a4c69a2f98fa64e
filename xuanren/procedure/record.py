"""The one 纪实 serializer: a step record's stored data as labelled Chinese
rows, read through the step's contract (field titles, choice labels), with
the case's people, committee members and posts named instead of their ids.
The case page, the 纪实 page, its JSON, the API's record endpoint and the
纪实 PDF all show records through `step_rows` (docs/decisions/0051).

No key of the stored data and no coded value is ever shown: a key the
contract does not know is shown as "其他内容", a code without a label as
"—"-free text only when it is not an identifier."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from xuanren.access.names import display_name
from xuanren.common.dates import SHANGHAI
from xuanren.org.models import Level
from xuanren.people.models import TenureMethod
from xuanren.procedure.catalogue import STEPS
from xuanren.procedure.models import CandidateStatus, CaseStep
from xuanren.procedure.steps import CONTRACTS
from xuanren.procedure.steps.base import labels_of, model_of
from xuanren.procedure.steps.recommendation import METHODS as DECISION_METHODS

if TYPE_CHECKING:
    from xuanren.procedure.selectors import CaseRecord

Names = dict[str, dict[int, str]]


@dataclass(frozen=True)
class DataNode:
    """One entry of a record's data: a text, or groups of nested entries (a
    list of objects), never both."""

    label: str
    text: str = ""
    groups: tuple[tuple[DataNode, ...], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        if self.groups:
            return {"label": self.label, "groups": [[n.as_dict() for n in g] for g in self.groups]}
        return {"label": self.label, "text": self.text}


#: Field names holding record ids, and which names resolve them.
ID_FIELDS = {
    "candidate": "candidates",
    "cadre": "cadres",
    "member": "members",
    "members": "members",
    "present": "members",
    "recused": "members",
    "post": "posts",
    "posts": "posts",
}
#: Inside an inspection team member, `candidates` lists cadres.
NESTED_ID_FIELDS = {("TeamMember", "candidates"): "cadres"}

OUTCOMES = {
    "passed": N_("通过"),
    "rejected": N_("未通过"),
    "deferred": N_("缓议"),
    "no_quorum": N_("未达到法定到会人数"),
}
#: What the effects derive into a record (docs/decisions/0014): key → (title,
#: labels of its fields, labels of coded values by field).
DERIVED_TITLES: dict[str, str] = {
    "result_sheet": N_("表决结果"),
    "appointments": N_("任职情况"),
    "outcomes": N_("考核处理结果"),
}
DERIVED_FIELDS: dict[str, str] = {
    # the result sheet
    "meeting_date": N_("会议日期"),
    "members": N_("应到会成员"),
    "present": N_("到会成员"),
    "members_count": N_("应到会人数"),
    "present_count": N_("实到会人数"),
    "quorum_needed": N_("法定到会人数"),
    "rules": N_("表决规则"),
    "quorum": N_("到会比例"),
    "majority": N_("通过比例"),
    "deferral": N_("缓议比例"),
    "candidates": N_("逐一表决结果"),
    "candidate": N_("人选"),
    "cadre": N_("干部"),
    "name": N_("姓名"),
    "post": N_("职位"),
    "outcome": N_("表决结果"),
    "status": N_("人选状态"),
    "agree": N_("同意"),
    "disagree": N_("不同意"),
    "abstain": N_("弃权"),
    "defer_votes": N_("赞成缓议"),
    "recused": N_("回避人员"),
    "eligible_voters": N_("有表决权人数"),
    "needed": N_("通过所需票数"),
    "sentence": N_("表决情况"),
    # appointments
    "tenure": N_("任职记录编号"),
    "start_date": N_("任职时间"),
    "document_number": N_("任职文号"),
    "method": N_("任职方式"),
    "probation_until": N_("试用期至"),
    "former_level": N_("原职务层次"),
    "former_level_since": N_("原层次任职时间"),
    "former_post_title": N_("原职务"),
    "ended_tenures": N_("同时免去的任职（记录编号）"),
    # probation outcomes
    "result": N_("考核结果"),
    "tenure_ended": N_("免去的任职（记录编号）"),
    "end_date": N_("免职日期"),
    "restored_level": N_("恢复的职务层次"),
    "restored_level_since": N_("原层次任职时间"),
}
DERIVED_VALUES: dict[str, dict[str, Any]] = {
    "outcome": OUTCOMES,
    "status": dict(CandidateStatus.choices),
    "method": dict(TenureMethod.choices),
    "former_level": dict(Level.choices),
    "restored_level": dict(Level.choices),
    "result": {"competent": N_("胜任"), "not_competent": N_("不胜任")},
}

_IDENTIFIER = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$|^[a-z]+$")


def _word(label: Any) -> str:
    """A label: a source string marked with N_ is translated here; a lazy
    one (model choices) already is."""
    return _(label) if isinstance(label, str) else str(label)


def _text(value: Any, labels: dict[str, Any] | None = None, ids: str = "",
          names: Names | None = None) -> str:  # fmt: skip
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if ids and names is not None:
        try:
            found = names.get(ids, {}).get(int(value))
        except (TypeError, ValueError):
            found = None
        if found:
            return found
    if labels and isinstance(value, str) and value in labels:
        return _word(labels[value])
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value):
        return f"{value[0]}/{value[1]}"  # a fraction of the rules
    if isinstance(value, str) and _IDENTIFIER.match(value):
        return _("（未知取值）")  # a code without a label is never shown
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _field(model: type[BaseModel] | None, key: str) -> FieldInfo | None:
    if model is None:
        return None
    info = model.model_fields.get(key)
    if info is None:
        info = next((f for f in model.model_fields.values() if f.alias == key), None)
    return info


def _nodes(
    data: dict[str, Any], model: type[BaseModel] | None, names: Names | None, derived: bool
) -> tuple[DataNode, ...]:
    out: list[DataNode] = []
    for key, value in data.items():
        info = _field(model, str(key))
        labels: dict[str, Any] = {}
        nested: type[BaseModel] | None = None
        is_derived = derived
        if info is not None and info.title and not derived:
            label = _(info.title)
            labels = labels_of(info)
            nested = model_of(info.annotation)
        elif derived or key in DERIVED_TITLES:
            title = DERIVED_TITLES.get(key) if not derived else None
            label = _(title or DERIVED_FIELDS.get(key, N_("其他内容")))
            labels = DERIVED_VALUES.get(str(key), {})
            is_derived = True
        else:
            label = _("其他内容")
        ids = ""
        if model is not None and (model.__name__, key) in NESTED_ID_FIELDS:
            ids = NESTED_ID_FIELDS[(model.__name__, key)]
        elif key in ID_FIELDS:
            ids = ID_FIELDS[str(key)]
        out.append(_node(label, value, nested, labels, ids, names, is_derived))
    return tuple(out)


def _node(
    label: str,
    value: Any,
    nested: type[BaseModel] | None,
    labels: dict[str, Any],
    ids: str,
    names: Names | None,
    derived: bool,
) -> DataNode:
    if isinstance(value, dict):
        if nested is not None or derived:
            return DataNode(label, groups=(_nodes(value, nested, names, derived),))
        # a mapping of Chinese keys (groups of participants) or coded keys (grades)
        rows = tuple(
            DataNode(_word(labels[k]) if k in labels else _key(k), _text(v, names=names))
            for k, v in value.items()
        )
        return DataNode(label, groups=(rows,)) if rows else DataNode(label, "—")
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return DataNode(label, groups=tuple(_nodes(v, nested, names, derived) for v in value))
    if isinstance(value, list):
        if value and all(isinstance(v, int) for v in value) and len(value) == 2 and not ids:
            return DataNode(label, _text(value))
        text = "、".join(_text(v, labels, ids, names) for v in value) if value else "—"
        return DataNode(label, text)
    return DataNode(label, _text(value, labels, ids, names))


def _key(key: Any) -> str:
    text = str(key)
    return text if not _IDENTIFIER.match(text) else _("其他")


def step_rows(step: str, data: Any, names: Names | None = None) -> tuple[DataNode, ...]:
    """A step record's data as labelled rows, in the order it was stored."""
    if not isinstance(data, dict):
        return (DataNode(_("内容"), _text(data)),)
    return _nodes(data, CONTRACTS.get(step), names, derived=False)


def rows_as_json(nodes: tuple[DataNode, ...]) -> list[dict[str, Any]]:
    """The labelled rows as JSON (the 纪实 JSON and the API's record)."""
    return [n.as_dict() for n in nodes]


def record_names(case: Any) -> Names:
    """Names of the people and posts a case's records refer to by id, so that
    the record reads as names (the stored data keeps the ids)."""
    from xuanren.procedure.models import CommitteeMembership

    candidates = list(case.candidates.all())
    return {
        "candidates": {c.pk: c.cadre.name for c in candidates},
        "cadres": {c.cadre_id: c.cadre.name for c in candidates},
        "members": dict(
            CommitteeMembership.objects.filter(committee_id=case.committee_id).values_list(
                "pk", "name"
            )
        ),
        "posts": {
            cp.post_id: f"{cp.post.unit.name}{cp.post.title}" for cp in case.case_posts.all()
        },
    }


# ---- 终止 / 撤回 ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseEnding:
    """How an ended case was ended (终止 or 撤回, decision 0068), for every
    form of the 纪实 (docs/decisions/0078)."""

    kind: str  # "terminate" / "withdraw" (procedure.services.CaseEnd)
    kind_display: str  # 终止 / 撤回
    ended_at: Any  # aware datetime
    ended_by: str  # the person's name
    step: str  # the step code the case was at
    step_name: str
    reason: str

    def rows(self) -> tuple[DataNode, ...]:
        from django.utils import timezone

        when = timezone.localtime(self.ended_at).strftime("%Y.%m.%d %H:%M:%S")
        return (
            DataNode(_("方式"), self.kind_display),
            DataNode(_("经办人"), self.ended_by),
            DataNode(_("时间"), when),
            DataNode(_("所在环节"), self.step_name or _("（未开始办理）")),
            DataNode(_("理由"), self.reason),
        )

    def as_dict(self) -> dict[str, Any]:
        from django.utils import timezone

        return {
            "kind": self.kind,
            "kind_display": self.kind_display,
            "ended_at": timezone.localtime(self.ended_at),
            "ended_by": self.ended_by,
            "step": self.step,
            "step_name": self.step_name,
            "reason": self.reason,
            "content": rows_as_json(self.rows()),
        }


def case_ending(case: Any) -> CaseEnding | None:
    """The 终止 / 撤回 of `case`, or None for a case not ended early."""
    from xuanren.access.names import display_name
    from xuanren.procedure.catalogue import STEPS
    from xuanren.procedure.models import CaseStatus

    if case.ended_at is None or case.status not in (CaseStatus.ABANDONED, CaseStatus.WITHDRAWN):
        return None
    withdrawn = case.status == CaseStatus.WITHDRAWN
    return CaseEnding(
        kind="withdraw" if withdrawn else "terminate",
        kind_display=_("撤回") if withdrawn else _("终止"),
        ended_at=case.ended_at,
        ended_by=display_name(case.ended_by) if case.ended_by else "",
        step=case.ended_at_step,
        step_name=str(STEPS[case.ended_at_step]) if case.ended_at_step in STEPS else "",
        reason=case.end_reason,
    )


# ---- a record as the case page, the 纪实 page and the 纪实 PDF show it ---------------


def person(user: Any) -> str:
    return display_name(user)


def moment(value: dt.datetime | None) -> str:
    """A time of record in Asia/Shanghai, to the second: 2026.11.27 14:03:09."""
    if value is None:
        return ""
    return value.astimezone(SHANGHAI).strftime("%Y.%m.%d %H:%M:%S")


@dataclass
class RecordView:
    record: CaseStep
    name: str
    who: str
    when: str
    nodes: tuple[DataNode, ...]
    corrects_seq: int | None
    corrections: list[RecordView] = field(default_factory=list)
    attachments: tuple[Any, ...] = ()

    @property
    def hash_short(self) -> str:
        return self.record.journal_hash[:12]

    @property
    def ballot(self) -> dict[str, Any] | None:
        return ballot_of(self.record)


def ballot_of(record: CaseStep) -> dict[str, Any] | None:
    """How a decision's votes were collected, when the record says so: the
    method (electronic, paper, show of hands), the ballots' meeting and the
    SHA-256 digest of the ballots the result was counted from."""
    data = record.data if isinstance(record.data, dict) else {}
    if record.step != "decision" or not any(
        data.get(k) not in (None, "") for k in ("method", "ballot_meeting", "ballot_digest")
    ):
        return None
    method = str(data.get("method") or "")
    label = DECISION_METHODS.get(method)
    return {
        "method": method,
        "method_display": _(label) if label else method,
        "meeting": data.get("ballot_meeting"),
        "digest": str(data.get("ballot_digest") or ""),
    }


def record_view(record: CaseStep, seq_of: dict[int, int], names: Names | None = None) -> RecordView:
    return RecordView(
        record=record,
        name=str(STEPS.get(record.step, record.step)),
        who=person(record.completed_by),
        when=moment(record.completed_at),
        nodes=step_rows(record.step, record.data, names),
        corrects_seq=seq_of.get(record.corrects_id) if record.corrects_id else None,
    )


def record_rows(rec: CaseRecord) -> list[RecordView]:
    """Every record of a case's 纪实 in order, each with its attachments."""
    seq_of = {r.pk: r.seq for r in rec.steps}
    names = record_names(rec.case)
    rows = []
    for r in rec.steps:
        view = record_view(r, seq_of, names)
        view.attachments = rec.attachments.get(r.pk, ())
        rows.append(view)
    return rows
