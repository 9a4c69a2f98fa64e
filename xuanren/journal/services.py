"""Appending to the journal. Every service that changes state calls
`journal_record` inside its own transaction, so the event and the change
commit together or not at all."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xuanren.journal.chain import GENESIS, canonical, link_hash, normalize
from xuanren.journal.models import Event, EventType, JournalHead


def _iso(moment: dt.datetime) -> str:
    # Microseconds are kept: the database stores them on both backends.
    return moment.astimezone(dt.UTC).isoformat()


def _actor_parts(actor: Any) -> tuple[int | None, str]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None, "system"
    return actor.pk, actor.get_username()


def _event_canonical(event: Event) -> str:
    return canonical(
        seq=event.pk,
        occurred_at=_iso(event.occurred_at),
        actor_id=event.actor_id,
        actor_label=event.actor_label,
        event_type=event.event_type,
        subject_type=event.subject_type,
        subject_id=event.subject_id,
        payload=event.payload,
    )


def subject_of(obj: models.Model) -> tuple[str, str]:
    return obj._meta.label_lower, str(obj.pk)


@transaction.atomic
def journal_record(
    *,
    actor: Any,
    event_type: EventType,
    subject: models.Model | tuple[str, str],
    payload: dict[str, Any] | None = None,
) -> Event:
    """Append one event. `actor` None means the system itself (seeding, migrations)."""
    subject_type, subject_id = subject if isinstance(subject, tuple) else subject_of(subject)
    head, _ = JournalHead.objects.select_for_update().get_or_create(pk=1)
    actor_id, actor_label = _actor_parts(actor)
    event = Event(
        occurred_at=timezone.now(),
        actor_id=actor_id,
        actor_label=actor_label,
        event_type=event_type,
        subject_type=subject_type,
        subject_id=subject_id,
        payload=normalize(payload or {}),
        prev_hash=head.last_hash,
        hash="pending-" + str(head.count + 1),
    )
    event.save(force_insert=True)
    # The id is part of what is hashed, so the hash is written once it is known.
    event.hash = link_hash(event.prev_hash, _event_canonical(event))
    Event.objects.filter(pk=event.pk).update(hash=event.hash)
    head.last_hash = event.hash
    head.count += 1
    head.save(update_fields=["last_hash", "count"])
    return event


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_at: int | None = None
    reason: str = ""


def journal_verify(*, batch: int = 5000) -> VerifyResult:
    """Walk the whole chain in order; stop at the first link that does not hold."""
    prev = GENESIS
    checked = 0
    last_id = 0
    while True:
        rows = list(Event.objects.filter(pk__gt=last_id).order_by("pk")[:batch])
        if not rows:
            break
        for event in rows:
            if event.prev_hash != prev:
                return VerifyResult(False, checked, event.pk, _("前一哈希与上一条记录不符"))
            if link_hash(prev, _event_canonical(event)) != event.hash:
                return VerifyResult(
                    False, checked, event.pk, _("记录内容与其哈希不符（记录被改动）")
                )
            prev = event.hash
            checked += 1
            last_id = event.pk
    head = JournalHead.objects.filter(pk=1).first()
    if head is not None and (head.last_hash != prev or head.count != checked):
        return VerifyResult(False, checked, None, _("链头与最后一条记录不符（记录被删除）"))
    return VerifyResult(True, checked)
