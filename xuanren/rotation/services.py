"""Writes of rotation and exchange (docs/decisions/0177, 0178). Each service
checks the permission and the unit in scope, validates everything before
writing anything, and journals in the same transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from xuanren.access.policy import require_unit, unit_in_scope
from xuanren.common.cells import formula_like
from xuanren.common.dates import today
from xuanren.common.errors import Conflict, ErrorCollector
from xuanren.journal.models import EventType
from xuanren.journal.services import journal_record
from xuanren.org.models import Post, Unit
from xuanren.people.models import Cadre, TemporaryPosting
from xuanren.rotation.models import (
    EntryStatus,
    ExchangeKind,
    ExchangeRecord,
    RotationPlan,
    RotationPlanEntry,
)

EXCHANGE_PERM = "rotation.add_exchangerecord"
PLAN_ADD_PERM = "rotation.add_rotationplan"
PLAN_CHANGE_PERM = "rotation.change_rotationplan"


def _d(day: dt.date) -> str:
    return f"{day:%Y.%m.%d}"


def _text(out: ErrorCollector, field: str, value: str, limit: int, label: str) -> str:
    value = value.strip()
    if len(value) > limit:
        out.add(field, _("%(f)s过长（最多 %(n)d 个字）。") % {"f": label, "n": limit})
    elif formula_like(value):
        out.add(field, _("%(f)s不能以 =、+、-、@ 开头，请删去开头的符号。") % {"f": label})
    return value


def _post_in_scope(out: ErrorCollector, actor: Any, field: str, post: Post | None) -> None:
    if post is not None and not unit_in_scope(actor, post.unit):
        out.add(field, _("职位“%(p)s”不在您的管理范围内，请改为填写单位及职务名称。") % {"p": post})


def _check_exchange(
    out: ErrorCollector,
    actor: Any,
    cadre: Cadre,
    kind: str,
    date: dt.date,
    from_post: Post | None,
    from_name: str,
    to_post: Post | None,
    to_name: str,
    posting: TemporaryPosting | None,
) -> None:
    if kind not in ExchangeKind.values:
        out.add("kind", _("请选择交流类别：跨部门、跨系统、跨层级或跨地区。"))
    if date > today():
        out.add("date", _("交流时间 %(d)s 晚于今天，请填写已交流的日期。") % {"d": _d(date)})
    elif date <= cadre.birth_date:
        out.add("date", _("交流时间早于出生日期，请核对。"))
    if from_post is None and not from_name:
        out.add("from_name", _("请选择原职位，或填写原单位及职务。"))
    if to_post is None and not to_name:
        out.add("to_name", _("请选择交流到的职位，或填写交流到的单位及职务。"))
    if from_post is not None and to_post is not None and from_post.pk == to_post.pk:
        out.add("to_post", _("交流到的职位与原职位相同，请核对。"))
    _post_in_scope(out, actor, "from_post", from_post)
    _post_in_scope(out, actor, "to_post", to_post)
    if posting is not None and posting.cadre_id != cadre.pk:
        out.add("posting", _("所选挂职记录不是该干部的，请重新选择。"))


@transaction.atomic
def exchange_record_add(
    *,
    actor: Any,
    cadre: Cadre,
    kind: str,
    date: dt.date,
    from_post: Post | None = None,
    from_name: str = "",
    to_post: Post | None = None,
    to_name: str = "",
    document: str = "",
    posting: TemporaryPosting | None = None,
    note: str = "",
) -> ExchangeRecord:
    """Record an exchange (交流) of a cadre: from a post (or a unit and post
    named in text, outside the system) to another, of one kind, on a date,
    by a document. A 挂职 already recorded (people.TemporaryPosting) is
    linked, not entered again."""
    cadre = Cadre.objects.select_related("unit").get(pk=cadre.pk)
    require_unit(actor, EXCHANGE_PERM, cadre.unit)
    out = ErrorCollector()
    from_name = _text(out, "from_name", from_name, 120, _("原单位及职务"))
    to_name = _text(out, "to_name", to_name, 120, _("交流到的单位及职务"))
    document = _text(out, "document", document, 80, _("文件文号"))
    note = _text(out, "note", note, 200, _("备注"))
    _check_exchange(out, actor, cadre, kind, date, from_post, from_name, to_post, to_name, posting)
    out.raise_if_any(_("交流记录有误，未保存。"))
    record = ExchangeRecord.objects.create(
        cadre=cadre,
        kind=kind,
        from_post=from_post,
        from_name=from_name,
        to_post=to_post,
        to_name=to_name,
        date=date,
        document=document,
        posting=posting,
        note=note,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    journal_record(
        actor=actor,
        event_type=EventType.EXCHANGE_RECORDED,
        subject=record,
        payload={
            "cadre": cadre.pk,
            "kind": kind,
            "date": date,
            "from_post": from_post.pk if from_post else None,
            "from_name": from_name,
            "to_post": to_post.pk if to_post else None,
            "to_name": to_name,
            "document": document,
            "posting": posting.pk if posting else None,
        },
    )
    return record


@transaction.atomic
def rotation_plan_create(
    *, actor: Any, unit: Unit, title: str, year: int, note: str = ""
) -> RotationPlan:
    """A unit's rotation plan for a year; cadres are then listed on it."""
    require_unit(actor, PLAN_ADD_PERM, unit)
    out = ErrorCollector()
    title = _text(out, "title", title, 120, _("计划名称"))
    note = note.strip()
    if not title:
        out.add("title", _("请填写计划名称，如“2026 年度股级干部轮岗交流计划”。"))
    this_year = today().year
    if not this_year - 5 <= year <= this_year + 1:
        out.add(
            "year",
            _("年度应在 %(a)d 至 %(b)d 之间。") % {"a": this_year - 5, "b": this_year + 1},
        )
    out.raise_if_any(_("轮岗计划有误，未保存。"))
    plan = RotationPlan.objects.create(
        unit=unit,
        title=title,
        year=year,
        note=note,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    journal_record(
        actor=actor,
        event_type=EventType.ROTATION_PLAN_CREATED,
        subject=plan,
        payload={"unit": unit.pk, "title": title, "year": year},
    )
    return plan


@transaction.atomic
def rotation_plan_add(
    *,
    actor: Any,
    plan: RotationPlan,
    cadre: Cadre,
    target_post: Post | None = None,
    target_name: str = "",
    note: str = "",
    from_post: Post | None = None,
) -> RotationPlanEntry:
    """List a cadre of the plan's unit (or a unit below it) to rotate, with
    the target post or a named destination. The post rotated from is noted:
    `from_post` when it is given (a rotation listed after it happened; one
    of the cadre's posts), the post held otherwise."""
    plan = RotationPlan.objects.select_related("unit").get(pk=plan.pk)
    require_unit(actor, PLAN_CHANGE_PERM, plan.unit)
    cadre = Cadre.objects.select_related("unit").get(pk=cadre.pk)
    out = ErrorCollector()
    target_name = _text(out, "target_name", target_name, 120, _("拟轮岗去向"))
    note = _text(out, "note", note, 200, _("备注"))
    if not cadre.unit.path.startswith(plan.unit.path):
        out.add(
            "cadre",
            _("%(n)s不在%(u)s及其下属单位，不能列入该单位的轮岗计划。")
            % {"n": cadre.name, "u": plan.unit.name},
        )
    if target_post is None and not target_name:
        out.add("target_name", _("请选择拟轮岗到的职位，或填写拟轮岗去向。"))
    _post_in_scope(out, actor, "target_post", target_post)
    if from_post is None:
        held = (
            cadre.tenures.filter(end_date__isnull=True)
            .select_related("post")
            .order_by("start_date", "pk")
            .first()
        )
        from_post = held.post if held else None
    elif not cadre.tenures.filter(post=from_post).exists():
        out.add("from_post", _("%(n)s没有担任过“%(p)s”。") % {"n": cadre.name, "p": from_post})
    if target_post is not None and from_post is not None and from_post.pk == target_post.pk:
        out.add("target_post", _("拟轮岗到的职位就是现任职位，请重新选择。"))
    out.raise_if_any(_("轮岗人员信息有误，未保存。"))
    try:
        with transaction.atomic():
            entry = RotationPlanEntry.objects.create(
                plan=plan,
                cadre=cadre,
                from_post=from_post,
                target_post=target_post,
                target_name=target_name,
                note=note,
            )
    except IntegrityError as exc:
        raise Conflict(_("%(n)s已列入该轮岗计划，请勿重复列入。") % {"n": cadre.name}) from exc
    journal_record(
        actor=actor,
        event_type=EventType.ROTATION_PLAN_ENTRY_ADDED,
        subject=entry,
        payload={
            "plan": plan.pk,
            "cadre": cadre.pk,
            "from_post": entry.from_post_id,
            "target_post": target_post.pk if target_post else None,
            "target_name": target_name,
        },
    )
    return entry


@transaction.atomic
def rotation_plan_entry_set(
    *,
    actor: Any,
    entry: RotationPlanEntry,
    status: str,
    done_on: dt.date | None = None,
    exchange: ExchangeRecord | None = None,
    note: str | None = None,
) -> RotationPlanEntry:
    """Mark a listed cadre as rotated (on a day, with the exchange record when
    there is one), cancelled, or back to planned."""
    entry = (
        RotationPlanEntry.objects.select_for_update(of=("self",))
        .select_related("plan__unit", "cadre")
        .get(pk=entry.pk)
    )
    require_unit(actor, PLAN_CHANGE_PERM, entry.plan.unit)
    out = ErrorCollector()
    if status not in EntryStatus.values:
        out.add("status", _("请选择状态：计划轮岗、已轮岗或取消。"))
    if status == EntryStatus.DONE:
        if done_on is None:
            out.add("done_on", _("已轮岗须填写完成日期。"))
        elif done_on > today():
            out.add("done_on", _("完成日期 %(d)s 晚于今天，请核对。") % {"d": _d(done_on)})
    else:
        done_on = None
        exchange = None
    if exchange is not None and exchange.cadre_id != entry.cadre_id:
        out.add("exchange", _("所选交流记录不是%(n)s的，请重新选择。") % {"n": entry.cadre.name})
    if note is not None:
        note = _text(out, "note", note, 200, _("备注"))
    out.raise_if_any(_("轮岗情况有误，未保存。"))
    entry.status = status
    entry.done_on = done_on
    entry.exchange = exchange
    if note is not None:
        entry.note = note
    entry.save(update_fields=["status", "done_on", "exchange", "note"])
    journal_record(
        actor=actor,
        event_type=EventType.ROTATION_PLAN_ENTRY_SET,
        subject=entry,
        payload={
            "plan": entry.plan_id,
            "cadre": entry.cadre_id,
            "status": status,
            "done_on": done_on,
            "exchange": exchange.pk if exchange else None,
        },
    )
    return entry


# ---- corrections (docs/decisions/0190) ----------------------------------------------


def _fk(value: Any) -> Any:
    return value.pk if hasattr(value, "pk") else value


def _changes(row: Any, new: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} of what `new` changes (a foreign key by its id)."""
    out: dict[str, list[Any]] = {}
    for field, value in new.items():
        old = _fk(getattr(row, field))
        if old != _fk(value):
            out[field] = [old, _fk(value)]
    return out


def _reason(out: ErrorCollector, reason: str, what: str) -> str:
    reason = _text(out, "reason", reason, 200, _("原因"))
    if not reason:
        out.add("reason", _("请填写%(w)s的原因，如“文号录入错误”。") % {"w": what})
    return reason


def _locked_exchange(record: ExchangeRecord) -> ExchangeRecord:
    return (
        ExchangeRecord.objects.select_for_update(of=("self",))
        .select_related("cadre__unit")
        .get(pk=record.pk)
    )


@transaction.atomic
def exchange_record_correct(
    *,
    actor: Any,
    record: ExchangeRecord,
    reason: str,
    kind: str,
    date: dt.date,
    from_post: Post | None = None,
    from_name: str = "",
    to_post: Post | None = None,
    to_name: str = "",
    document: str = "",
    posting: TemporaryPosting | None = None,
    note: str = "",
) -> ExchangeRecord:
    """Correct an exchange record entered wrongly, with the reason; the journal
    keeps every changed field old → new. The checks are those of recording."""
    record = _locked_exchange(record)
    cadre = record.cadre
    require_unit(actor, EXCHANGE_PERM, cadre.unit)
    out = ErrorCollector()
    reason = _reason(out, reason, _("更正"))
    from_name = _text(out, "from_name", from_name, 120, _("原单位及职务"))
    to_name = _text(out, "to_name", to_name, 120, _("交流到的单位及职务"))
    document = _text(out, "document", document, 80, _("文件文号"))
    note = _text(out, "note", note, 200, _("备注"))
    _check_exchange(out, actor, cadre, kind, date, from_post, from_name, to_post, to_name, posting)
    out.raise_if_any(_("交流记录有误，未更正。"))
    new = {"kind": kind, "date": date, "from_post": from_post, "from_name": from_name,
           "to_post": to_post, "to_name": to_name, "document": document, "posting": posting,
           "note": note}  # fmt: skip
    changes = _changes(record, new)
    if not changes:
        raise Conflict(_("没有修改任何内容，无需更正。"))
    for field in changes:
        setattr(record, field, new[field])
    record.save(update_fields=list(changes))
    journal_record(
        actor=actor,
        event_type=EventType.EXCHANGE_CORRECTED,
        subject=record,
        payload={"cadre": cadre.pk, "reason": reason, "changes": changes},
    )
    return record


@transaction.atomic
def exchange_record_withdraw(*, actor: Any, record: ExchangeRecord, reason: str) -> None:
    """Withdraw (delete) an exchange record entered by mistake, with the
    reason; the journal keeps what it said. One a rotation-plan entry points
    at (已轮岗) is refused until that entry is set back."""
    record = _locked_exchange(record)
    cadre = record.cadre
    require_unit(actor, EXCHANGE_PERM, cadre.unit)
    out = ErrorCollector()
    reason = _reason(out, reason, _("撤回"))
    out.raise_if_any(_("未填写撤回原因，未撤回。"))
    linked = list(record.plan_entries.select_related("plan"))
    if linked:
        raise Conflict(
            _("该交流记录是轮岗计划“%(p)s”中已轮岗的依据，不能撤回；请先在该计划中把%(n)s的状态"
              "改回“计划轮岗”，或改为更正这条记录。") % {"p": linked[0].plan.title, "n": cadre.name}
        )  # fmt: skip
    payload = {"cadre": cadre.pk, "reason": reason, "kind": record.kind, "date": record.date,
               "from_post": record.from_post_id, "from_name": record.from_name,
               "to_post": record.to_post_id, "to_name": record.to_name,
               "document": record.document, "posting": record.posting_id,
               "note": record.note}  # fmt: skip
    journal_record(actor=actor, event_type=EventType.EXCHANGE_WITHDRAWN, subject=record,
                   payload=payload)  # fmt: skip
    record.delete()


def _locked_entry(entry: RotationPlanEntry) -> RotationPlanEntry:
    return (
        RotationPlanEntry.objects.select_for_update(of=("self",))
        .select_related("plan__unit", "cadre", "from_post")
        .get(pk=entry.pk)
    )


def _still_planned(entry: RotationPlanEntry, what: str) -> None:
    if entry.status != EntryStatus.PLANNED:
        raise Conflict(
            _("%(n)s的轮岗情况已登记为“%(s)s”，不能%(w)s；请先把状态改回“计划轮岗”。")
            % {"n": entry.cadre.name, "s": entry.get_status_display(), "w": what}
        )


@transaction.atomic
def rotation_plan_entry_edit(
    *,
    actor: Any,
    entry: RotationPlanEntry,
    target_post: Post | None = None,
    target_name: str = "",
    note: str = "",
) -> RotationPlanEntry:
    """Change where a listed cadre is to rotate to, while still planned."""
    entry = _locked_entry(entry)
    require_unit(actor, PLAN_CHANGE_PERM, entry.plan.unit)
    _still_planned(entry, _("修改"))
    out = ErrorCollector()
    target_name = _text(out, "target_name", target_name, 120, _("拟轮岗去向"))
    note = _text(out, "note", note, 200, _("备注"))
    if target_post is None and not target_name:
        out.add("target_name", _("请选择拟轮岗到的职位，或填写拟轮岗去向。"))
    _post_in_scope(out, actor, "target_post", target_post)
    if target_post is not None and entry.from_post_id == target_post.pk:
        out.add("target_post", _("拟轮岗到的职位就是现任职位，请重新选择。"))
    out.raise_if_any(_("轮岗人员信息有误，未保存。"))
    new = {"target_post": target_post, "target_name": target_name, "note": note}
    changes = _changes(entry, new)
    for field in changes:
        setattr(entry, field, new[field])
    if changes:
        entry.save(update_fields=list(changes))
    journal_record(
        actor=actor,
        event_type=EventType.ROTATION_PLAN_ENTRY_EDITED,
        subject=entry,
        payload={"plan": entry.plan_id, "cadre": entry.cadre_id, "changes": changes},
    )
    return entry


@transaction.atomic
def rotation_plan_entry_remove(*, actor: Any, entry: RotationPlanEntry) -> None:
    """Take a cadre off the plan, while still planned (a cancelled or done
    entry stays: it is the plan's record)."""
    entry = _locked_entry(entry)
    require_unit(actor, PLAN_CHANGE_PERM, entry.plan.unit)
    _still_planned(entry, _("移出计划"))
    payload = {"plan": entry.plan_id, "cadre": entry.cadre_id, "from_post": entry.from_post_id,
               "target_post": entry.target_post_id, "target_name": entry.target_name,
               "note": entry.note}  # fmt: skip
    journal_record(actor=actor, event_type=EventType.ROTATION_PLAN_ENTRY_REMOVED, subject=entry,
                   payload=payload)  # fmt: skip
    entry.delete()
