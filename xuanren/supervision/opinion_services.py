"""征询意见 writes: a round, its representatives (typed or from an XLSX),
each reply and the opinions in it, and each opinion's assignment and answer.
Each is one transaction with its journal event (docs/decisions/0130)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xuanren.access.policy import has_perm, require_perm, unit_in_scope, unit_scope_q
from xuanren.common.cells import formula_like, formula_message
from xuanren.common.dates import today
from xuanren.common.errors import Conflict, ErrorCollector, NotFound, PermissionDenied
from xuanren.common.uploads import check_size, check_workbook, read_bounded, too_many_rows
from xuanren.journal.models import EventType
from xuanren.journal.services import journal_record
from xuanren.org.models import Unit
from xuanren.people.models import Cadre
from xuanren.supervision.lookback_services import _required_text
from xuanren.supervision.models_opinion import (
    Opinion,
    OpinionCategory,
    OpinionRecipient,
    OpinionRound,
    OpinionStatus,
)
from xuanren.supervision.opinion_selectors import MANAGE_ROUNDS, VIEW_ROUNDS

MAX_TITLE = 100
MAX_NAME = 50
MAX_UNIT = 100
MAX_CONTACT = 100
MAX_TEXT = 2000
#: A round reaches a county's or a district's party representatives: a few
#: hundred (seed §8: 3,277 letters over 26 rounds, about 126 a round).
MAX_RECIPIENTS = 5000
#: The sheet of the representatives' workbook and its columns.
SHEET = "党代表"
HEADERS = {"姓名": "name", "单位": "unit_name", "联系方式": "contact"}


@dataclass(frozen=True)
class RecipientIn:
    name: str
    unit_name: str = ""
    contact: str = ""


def _not_found() -> NotFound:
    return NotFound(_("未找到该征询意见，或其不在您的管理范围内。"))


@transaction.atomic
def opinion_round_create(
    *,
    actor: Any,
    unit: Unit,
    title: str,
    period_start: dt.date,
    period_end: dt.date,
    issued_on: dt.date,
    reply_deadline: dt.date,
) -> OpinionRound:
    """A round of opinion letters about the selection work of `unit`'s
    subtree from `period_start` to `period_end`, issued on `issued_on`."""
    require_perm(actor, MANAGE_ROUNDS)
    if not unit_in_scope(actor, unit):
        raise NotFound(_("未找到该单位，或其不在您的管理范围内。"))
    out = ErrorCollector()
    title = _required_text(
        out,
        "title",
        title,
        MAX_TITLE,
        empty=_("请填写征询意见的名称。"),
        too_long=_("名称不能超过 %(n)d 个字。") % {"n": MAX_TITLE},
    )
    if period_end < period_start:
        out.add("period_end", _("征询期间的截止日期不能早于起始日期。"))
    if issued_on > today():
        out.add("issued_on", _("发出日期不能晚于今天：请在征询意见书发出后登记。"))
    if reply_deadline < issued_on:
        out.add("reply_deadline", _("回复截止日期不能早于发出日期。"))
    out.raise_if_any(_("征询意见未登记。"))
    round_ = OpinionRound.objects.create(
        title=title,
        unit=unit,
        period_start=period_start,
        period_end=period_end,
        issued_on=issued_on,
        reply_deadline=reply_deadline,
        created_by=actor,
        created_at=timezone.now(),
    )
    journal_record(
        actor=actor,
        event_type=EventType.OPINION_ROUND_CREATED,
        subject=round_,
        payload={
            "title": title,
            "unit": unit.pk,
            "period_start": period_start,
            "period_end": period_end,
            "issued_on": issued_on,
            "reply_deadline": reply_deadline,
        },
    )
    return round_


def _round_for_update(actor: Any, round_: OpinionRound, *, lock: bool = True) -> OpinionRound:
    """The round locked (or only read, outside a transaction), after the
    permission and scope checks: out of scope 404, a reader's write 403."""
    rounds = OpinionRound.objects.select_related("unit")
    if lock:
        rounds = rounds.select_for_update()
    locked = rounds.filter(pk=round_.pk).first()
    if locked is None or not has_perm(actor, VIEW_ROUNDS) or not unit_in_scope(actor, locked.unit):
        raise _not_found()
    require_perm(actor, MANAGE_ROUNDS)
    return locked


def _recipient_errors(out: ErrorCollector, field: str, row: RecipientIn) -> RecipientIn:
    name = row.name.strip()
    unit_name = row.unit_name.strip()
    contact = row.contact.strip()
    if not name:
        out.add(field, _("请填写党代表的姓名。"))
    elif len(name) > MAX_NAME:
        out.add(field, _("姓名不能超过 %(n)d 个字。") % {"n": MAX_NAME})
    for value, limit, label in (
        (unit_name, MAX_UNIT, _("单位")),
        (contact, MAX_CONTACT, _("联系方式")),
    ):
        if len(value) > limit:
            out.add(field, _("%(w)s不能超过 %(n)d 个字。") % {"w": label, "n": limit})
    for value in (name, unit_name, contact):
        if formula_like(value):
            out.add(field, formula_message(value))
    return RecipientIn(name, unit_name, contact)


@transaction.atomic
def opinion_recipients_add(
    *, actor: Any, round: OpinionRound, people: Sequence[RecipientIn], source: str = "form"
) -> list[OpinionRecipient]:
    """Add representatives to the round's list (all or none). The same name
    and unit twice is one person: refused."""
    round_ = _round_for_update(actor, round)
    out = ErrorCollector()
    if not people:
        out.add("people", _("请至少填写一名党代表。"))
    cleaned = [_recipient_errors(out, f"people.{i + 1}", p) for i, p in enumerate(people)]
    existing = set(OpinionRecipient.objects.filter(round=round_).values_list("name", "unit_name"))
    if len(existing) + len(cleaned) > MAX_RECIPIENTS:
        out.add(
            "people",
            _("一次征询最多 %(m)d 名党代表，已有 %(n)d 名。")
            % {"m": MAX_RECIPIENTS, "n": len(existing)},
        )
    seen: set[tuple[str, str]] = set()
    for i, p in enumerate(cleaned):
        key = (p.name, p.unit_name)
        if p.name and (key in existing or key in seen):
            out.add(
                f"people.{i + 1}",
                _("“%(n)s（%(u)s）”已在征询对象名单中。") % {"n": p.name, "u": p.unit_name or "—"},
            )
        seen.add(key)
    out.raise_if_any(_("征询对象未登记。"))
    added = OpinionRecipient.objects.bulk_create(
        OpinionRecipient(round=round_, name=p.name, unit_name=p.unit_name, contact=p.contact)
        for p in cleaned
    )
    journal_record(
        actor=actor,
        event_type=EventType.OPINION_RECIPIENTS_ADDED,
        subject=round_,
        payload={"count": len(added), "source": source},
    )
    return added


def opinion_recipients_import(
    *, actor: Any, round: OpinionRound, content: bytes | IO[bytes], filename: str = ""
) -> list[OpinionRecipient]:
    """The representatives from a workbook with a sheet 党代表 (columns 姓名,
    单位, 联系方式): the permission, then the size and the workbook's limits
    before a cell is parsed (xuanren.common.uploads), then the rows."""
    from python_calamine import CalamineWorkbook

    from xuanren.common.errors import ValidationFailed

    _round_for_update(actor, round, lock=False)  # permission and scope before anything is read
    limit = settings.XUANREN_XLSX_MAX_UPLOAD_BYTES
    check_size(content, limit=limit, what=_("工作簿"), setting="XUANREN_XLSX_MAX_UPLOAD_BYTES")
    check_workbook(content, name=filename or _("工作簿"), sheets=[SHEET])
    data = read_bounded(content, limit=limit, what=_("工作簿"))
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own errors for every malformed file
        raise ValidationFailed(
            _("无法读取该文件：它不是有效的 XLSX 工作簿（%(e)s）。") % {"e": type(exc).__name__}
        ) from exc
    if SHEET not in book.sheet_names:
        raise ValidationFailed(
            _(
                "工作簿中没有“%(s)s”工作表。请在名为“%(s)s”的工作表第 1 行填写列名：姓名、单位、联系方式。"
            )
            % {"s": SHEET}
        )
    rows = iter(book.get_sheet_by_name(SHEET).iter_rows())
    header = [str(h).strip() for h in next(rows, [])]
    positions = {HEADERS[h]: i for i, h in enumerate(header) if h in HEADERS}
    if "name" not in positions:
        raise ValidationFailed(_("“%(s)s”工作表缺少“姓名”列（第 1 行为列名）。") % {"s": SHEET})
    people = []
    for offset, values in enumerate(rows, start=2):
        if offset > MAX_RECIPIENTS + 1:
            raise too_many_rows(SHEET)

        def cell(key: str, values: list[Any] = values) -> str:
            i = positions.get(key)
            if i is None or i >= len(values) or values[i] is None:
                return ""
            value = values[i]
            if isinstance(value, float) and value.is_integer():
                value = int(value)  # a phone number typed as a number
            return str(value)

        if not any(str(v).strip() for v in values if v is not None):
            continue
        people.append(RecipientIn(cell("name"), cell("unit_name"), cell("contact")))
    if not people:
        raise ValidationFailed(_("“%(s)s”工作表中没有党代表（从第 2 行起填写）。") % {"s": SHEET})
    return opinion_recipients_add(actor=actor, round=round, people=people, source="xlsx")


def _recipient_for_update(actor: Any, recipient: OpinionRecipient) -> OpinionRecipient:
    locked = (
        OpinionRecipient.objects.select_for_update()
        .select_related("round__unit")
        .filter(pk=recipient.pk)
        .first()
    )
    if locked is None:
        raise _not_found()
    _round_for_update(actor, locked.round)
    return locked


@transaction.atomic
def opinion_reply_record(
    *, actor: Any, recipient: OpinionRecipient, returned_on: dt.date | None
) -> OpinionRecipient:
    """The representative's letter came back on `returned_on` (None: it has
    not, a correction allowed only while no opinion is recorded from it)."""
    recipient = _recipient_for_update(actor, recipient)
    round_ = recipient.round
    out = ErrorCollector()
    if returned_on is None:
        if recipient.opinions.exists():
            raise Conflict(_("已登记了该党代表的意见，不能改为未回复。"))
    elif returned_on < round_.issued_on:
        out.add("returned_on", _("回复日期不能早于发出日期 %(d)s。") % {"d": round_.issued_on})
    elif returned_on > today():
        out.add("returned_on", _("回复日期不能晚于今天。"))
    out.raise_if_any(_("回复未登记。"))
    recipient.returned_on = returned_on
    recipient.save(update_fields=["returned_on"])
    journal_record(
        actor=actor,
        event_type=EventType.OPINION_REPLY_RECORDED,
        subject=recipient,
        payload={"round": round_.pk, "returned_on": returned_on},
    )
    return recipient


@transaction.atomic
def opinion_add(
    *,
    actor: Any,
    recipient: OpinionRecipient,
    text: str,
    category: str,
    cadre: Cadre | None = None,
    concerning_unit: Unit | None = None,
) -> Opinion:
    """One opinion from a returned letter, optionally about a cadre or a unit
    (either in the actor's scope)."""
    recipient = _recipient_for_update(actor, recipient)
    if recipient.returned_on is None:
        raise Conflict(_("请先登记该党代表的回复（回复日期），再登记其中的意见。"))
    out = ErrorCollector()
    text = _required_text(
        out,
        "text",
        text,
        MAX_TEXT,
        empty=_("请填写意见内容。"),
        too_long=_("意见内容不能超过 %(n)d 个字。") % {"n": MAX_TEXT},
    )
    if category not in OpinionCategory.values:
        out.add("category", _("请选择意见类别。"))
    if (
        cadre is not None
        and not Cadre.objects.filter(unit_scope_q(actor, prefix="unit__"), pk=cadre.pk).exists()
    ):
        out.add("cadre", _("所选干部不在您的管理范围内，请重新选择。"))
    if concerning_unit is not None and not unit_in_scope(actor, concerning_unit):
        out.add("concerning_unit", _("所选单位不在您的管理范围内，请重新选择。"))
    out.raise_if_any(_("意见未登记。"))
    opinion = Opinion.objects.create(
        recipient=recipient,
        text=text,
        category=category,
        cadre=cadre,
        concerning_unit=concerning_unit,
        recorded_at=timezone.now(),
    )
    journal_record(
        actor=actor,
        event_type=EventType.OPINION_RECORDED,
        subject=opinion,
        payload={
            "round": recipient.round_id,
            "recipient": recipient.pk,
            "category": category,
            "cadre": cadre.pk if cadre else None,
            "unit": concerning_unit.pk if concerning_unit else None,
            "text_chars": len(text),
        },
    )
    return opinion


def _opinion_for_update(opinion: Opinion) -> Opinion:
    locked = (
        # Only the opinion row is locked: the unit and cadre are outer joins.
        Opinion.objects.select_for_update(of=("self",))
        .select_related("recipient__round__unit", "concerning_unit", "cadre__unit")
        .filter(pk=opinion.pk)
        .first()
    )
    if locked is None:
        raise NotFound(_("未找到该意见，或其不在您的管理范围内。"))
    return locked


def answering_unit(opinion: Opinion) -> Unit:
    """Whose scope an assignee needs: the unit concerned, the cadre's unit,
    or the round's."""
    if opinion.concerning_unit is not None:
        return opinion.concerning_unit
    if opinion.cadre is not None:
        return opinion.cadre.unit
    return opinion.recipient.round.unit


@transaction.atomic
def opinion_assign(*, actor: Any, opinion: Opinion, assignee: Any, answer_due: dt.date) -> Opinion:
    """Name who answers the opinion and by when; again while it is unanswered."""
    opinion = _opinion_for_update(opinion)
    round_ = opinion.recipient.round
    if not has_perm(actor, VIEW_ROUNDS) or not unit_in_scope(actor, round_.unit):
        raise NotFound(_("未找到该意见，或其不在您的管理范围内。"))
    require_perm(actor, MANAGE_ROUNDS)
    if opinion.status == OpinionStatus.ANSWERED:
        raise Conflict(_("该意见已经答复，不能再分派。"))
    out = ErrorCollector()
    user = get_user_model().objects.filter(pk=getattr(assignee, "pk", 0) or 0).first()
    unit = answering_unit(opinion)
    if user is None or not user.is_active:
        out.add("assignee", _("请选择在用的承办人。"))
    elif not unit_in_scope(user, unit):
        out.add("assignee", _("承办人的管理范围不包括“%(u)s”。") % {"u": unit.name})
    if answer_due < today():
        out.add("answer_due", _("答复期限不能早于今天。"))
    out.raise_if_any(_("意见未分派。"))
    assert user is not None  # refused above
    opinion.assignee = user
    opinion.answer_due = answer_due
    opinion.status = OpinionStatus.ASSIGNED
    opinion.save(update_fields=["assignee", "answer_due", "status"])
    journal_record(
        actor=actor,
        event_type=EventType.OPINION_ASSIGNED,
        subject=opinion,
        payload={"assignee": user.pk, "answer_due": answer_due},
    )
    return opinion


@transaction.atomic
def opinion_answer(*, actor: Any, opinion: Opinion, answer: str) -> Opinion:
    """The answer, today: by the assignee or by whoever manages the round."""
    opinion = _opinion_for_update(opinion)
    round_ = opinion.recipient.round
    own = opinion.assignee_id is not None and opinion.assignee_id == getattr(actor, "pk", None)
    manages = has_perm(actor, MANAGE_ROUNDS) and unit_in_scope(actor, round_.unit)
    if not own and not manages:
        if has_perm(actor, VIEW_ROUNDS) and unit_in_scope(actor, round_.unit):
            raise PermissionDenied(_("只有承办人或组织部门经办人可以答复意见。"))
        raise NotFound(_("未找到该意见，或其不在您的管理范围内。"))
    if opinion.status == OpinionStatus.ANSWERED:
        raise Conflict(_("该意见已经答复。"))
    out = ErrorCollector()
    answer = _required_text(
        out,
        "answer",
        answer,
        MAX_TEXT,
        empty=_("请填写答复内容。"),
        too_long=_("答复内容不能超过 %(n)d 个字。") % {"n": MAX_TEXT},
    )
    out.raise_if_any(_("意见未答复。"))
    opinion.answer = answer
    opinion.answered_on = today()
    opinion.answered_by = actor
    opinion.status = OpinionStatus.ANSWERED
    opinion.save(update_fields=["answer", "answered_on", "answered_by", "status"])
    journal_record(
        actor=actor,
        event_type=EventType.OPINION_ANSWERED,
        subject=opinion,
        payload={"answered_on": opinion.answered_on, "answer_chars": len(answer)},
    )
    return opinion
