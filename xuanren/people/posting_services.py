"""Temporary postings (挂职锻炼) of a cadre entered, corrected and removed
(issue 15, docs/decisions/0158), as the training rows are (decision 0145):
the cadre locked and `people.change_cadre` checked on their unit, every
problem reported at once, the journal in the same transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from xuanren.common.dates import today
from xuanren.common.errors import ErrorCollector
from xuanren.journal.models import EventType
from xuanren.journal.services import journal_record
from xuanren.org.models import Unit
from xuanren.people.models import Cadre, TemporaryPosting
from xuanren.people.services import _locked_cadre, _record_added


def _d(day: dt.date) -> str:
    return f"{day:%Y.%m.%d}"


def _errors(
    cadre: Cadre,
    *,
    host_unit: Unit | None,
    host_name: str,
    post_title: str,
    start_date: dt.date,
    end_date: dt.date,
    note: str,
) -> ErrorCollector:
    out = ErrorCollector()
    if host_unit is None and not host_name:
        out.add("host_name", _("请选择挂职单位，或填写系统外挂职单位的名称。"))
    elif host_unit is not None and host_name:
        out.add("host_name", _("已选择挂职单位时不再填写单位名称。"))
    elif len(host_name) > 100:
        out.add("host_name", _("挂职单位名称过长（最多 100 个字）。"))
    if host_unit is not None and host_unit.pk == cadre.unit_id:
        out.add("host_unit", _("挂职单位不能是干部本人所在单位。"))
    if not post_title:
        out.add("post_title", _("请填写挂职职务，如“挂职副县长”。"))
    elif len(post_title) > 60:
        out.add("post_title", _("挂职职务过长（最多 60 个字）。"))
    if len(note) > 200:
        out.add("note", _("备注过长（最多 200 个字）。"))
    if start_date > today():
        out.add(
            "start_date",
            _("挂职开始日期 %(d)s 晚于今天：请在挂职开始后登记。") % {"d": _d(start_date)},
        )
    elif start_date <= cadre.birth_date or (
        cadre.work_start_date is not None and start_date < cadre.work_start_date
    ):
        out.add("start_date", _("挂职开始日期早于参加工作时间，请核对。"))
    if end_date < start_date:
        out.add(
            "end_date",
            _("挂职结束日期（%(e)s）应不早于开始日期（%(s)s）。")
            % {"e": _d(end_date), "s": _d(start_date)},
        )
    return out


def _values(posting: TemporaryPosting) -> dict[str, Any]:
    return {
        "host_unit": posting.host_unit_id,
        "host_name": posting.host_name,
        "post_title": posting.post_title,
        "start_date": posting.start_date,
        "end_date": posting.end_date,
        "note": posting.note,
    }


@transaction.atomic
def temporary_posting_add(
    *,
    actor: Any,
    cadre: Cadre,
    post_title: str,
    start_date: dt.date,
    end_date: dt.date,
    host_unit: Unit | None = None,
    host_name: str = "",
    note: str = "",
) -> TemporaryPosting:
    """One 挂职 period of a cadre: at `host_unit`, or at a unit outside the
    system named `host_name`, as `post_title`, from `start_date` to `end_date`
    (a current posting's planned end)."""
    cadre = _locked_cadre(actor, cadre)
    host_name, post_title, note = host_name.strip(), post_title.strip(), note.strip()
    _errors(
        cadre,
        host_unit=host_unit,
        host_name=host_name,
        post_title=post_title,
        start_date=start_date,
        end_date=end_date,
        note=note,
    ).raise_if_any(_("挂职信息有误，未保存。"))
    posting = TemporaryPosting.objects.create(
        cadre=cadre,
        host_unit=host_unit,
        host_name=host_name,
        post_title=post_title,
        start_date=start_date,
        end_date=end_date,
        note=note,
    )
    _record_added(actor, cadre, posting, _values(posting))
    return posting


@transaction.atomic
def temporary_posting_change(
    *,
    actor: Any,
    posting: TemporaryPosting,
    post_title: str,
    start_date: dt.date,
    end_date: dt.date,
    host_unit: Unit | None = None,
    host_name: str = "",
    note: str = "",
) -> TemporaryPosting:
    """Correct a 挂职 period (or set its actual end); the journal keeps each
    changed value before and after, and nothing when nothing changed."""
    cadre = _locked_cadre(actor, posting.cadre)
    record = TemporaryPosting.objects.select_for_update().get(pk=posting.pk, cadre=cadre)
    host_name, post_title, note = host_name.strip(), post_title.strip(), note.strip()
    _errors(
        cadre,
        host_unit=host_unit,
        host_name=host_name,
        post_title=post_title,
        start_date=start_date,
        end_date=end_date,
        note=note,
    ).raise_if_any(_("挂职信息有误，未保存。"))
    before = _values(record)
    record.host_unit, record.host_name, record.post_title = host_unit, host_name, post_title
    record.start_date, record.end_date, record.note = start_date, end_date, note
    after = _values(record)
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if not changes:
        return record
    record.save()
    journal_record(
        actor=actor,
        event_type=EventType.CADRE_RECORD_CHANGED,
        subject=cadre,
        payload={"record": "temporaryposting", "id": record.pk, "changes": changes},
    )
    return record


@transaction.atomic
def temporary_posting_remove(*, actor: Any, posting: TemporaryPosting) -> None:
    """Remove a 挂职 period entered by mistake; the journal keeps what it said."""
    cadre = _locked_cadre(actor, posting.cadre)
    record = TemporaryPosting.objects.select_for_update().get(pk=posting.pk, cadre=cadre)
    journal_record(
        actor=actor,
        event_type=EventType.CADRE_RECORD_REMOVED,
        subject=cadre,
        payload={"record": "temporaryposting", "id": record.pk, **_values(record)},
    )
    record.delete()
