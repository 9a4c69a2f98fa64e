"""Appending to the journal. Every service that changes state calls
`journal_record` inside its own transaction, so the event and the change
commit together or not at all. Each link is an HMAC under the journal key
(decision 0037), and each committed head is appended to the anchor file
outside the database (decision 0038)."""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from xuanren.access.names import display_name
from xuanren.journal.chain import (
    CADRE_FIELDS,
    KEYED,
    AnchorEntry,
    anchor_line,
    cadre_fingerprint,
    canonical,
    entries_digest,
    entry_mac,
    fp_runs,
    iter_fp_runs,
    link_hash,
    normalize,
)
from xuanren.journal.models import Event, EventType, JournalHead

if TYPE_CHECKING:
    from xuanren.journal.verify import VerifyResult

log = logging.getLogger(__name__)


def journal_key() -> bytes:
    return bytes(settings.JOURNAL_KEY)


def anchor_path() -> Path | None:
    path = getattr(settings, "JOURNAL_ANCHOR", None)
    return Path(path) if path else None


def _iso(moment: dt.datetime) -> str:
    # Microseconds are kept: the database stores them on both backends.
    return moment.astimezone(dt.UTC).isoformat()


def _actor_parts(actor: Any) -> tuple[int | None, str]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None, "system"
    return actor.pk, display_name(actor)


def canonical_of(
    *,
    seq: int,
    occurred_at: dt.datetime,
    actor_id: int | None,
    actor_label: str,
    event_type: str,
    subject_type: str,
    subject_id: str,
    payload: Any,
) -> str:
    return canonical(
        seq=seq,
        occurred_at=_iso(occurred_at),
        actor_id=actor_id,
        actor_label=actor_label,
        event_type=event_type,
        subject_type=subject_type,
        subject_id=subject_id,
        payload=payload,
    )


def _event_canonical(event: Event) -> str:
    return canonical_of(
        seq=event.pk,
        occurred_at=event.occurred_at,
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
        version=KEYED,
    )
    event.save(force_insert=True)
    # The id is part of what is hashed, so the hash is written once it is known.
    event.hash = link_hash(event.prev_hash, _event_canonical(event), journal_key())
    Event.objects.filter(pk=event.pk).update(hash=event.hash)
    head.last_hash = event.hash
    head.count += 1
    head.last_seq = event.pk
    head.save(update_fields=["last_hash", "count", "last_seq"])
    _anchor_on_commit(event.pk, event.hash)
    return event


@transaction.atomic
def journal_record_many(
    *,
    actor: Any,
    entries: Sequence[tuple[EventType, models.Model | tuple[str, str], dict[str, Any]]],
) -> list[Event]:
    """Append several events by one actor at once, in order: the same chain as
    as many `journal_record` calls (each links to the one before), written in
    two statements instead of three per event. For bulk writers (the demo's
    history, docs/decisions/0133)."""
    if not entries:
        return []
    head, _ = JournalHead.objects.select_for_update().get_or_create(pk=1)
    actor_id, actor_label = _actor_parts(actor)
    now = timezone.now()
    events = []
    for n, (event_type, subject, payload) in enumerate(entries, start=1):
        subject_type, subject_id = subject if isinstance(subject, tuple) else subject_of(subject)
        events.append(
            Event(
                occurred_at=now,
                actor_id=actor_id,
                actor_label=actor_label,
                event_type=event_type,
                subject_type=subject_type,
                subject_id=subject_id,
                payload=normalize(payload or {}),
                prev_hash="",
                hash=f"pending-{head.count + n}",
                version=KEYED,
            )
        )
    events = Event.objects.bulk_create(events)
    if any(e.pk is None for e in events):  # a backend that returns no ids
        raise RuntimeError("journal_record_many needs a database that returns inserted ids")
    events.sort(key=lambda e: e.pk)
    key = journal_key()
    last = head.last_hash
    for event in events:
        event.prev_hash = last
        event.hash = link_hash(last, _event_canonical(event), key)
        last = event.hash
    update_many(Event, ("prev_hash", "hash"), [(e.prev_hash, e.hash, e.pk) for e in events])
    head.last_hash = last
    head.count += len(events)
    head.last_seq = events[-1].pk
    head.save(update_fields=["last_hash", "count", "last_seq"])
    _anchor_on_commit(events[-1].pk, last)
    return events


def update_many(
    model: type[models.Model], columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """One parameterised UPDATE by primary key run for every row (executemany):
    bulk_update's CASE over hundreds of rows takes seconds to build."""
    from django.db import connection

    q = connection.ops.quote_name
    sets = ", ".join(f"{q(c)} = %s" for c in columns)
    sql = f"UPDATE {q(model._meta.db_table)} SET {sets} WHERE {q(model._meta.pk.column)} = %s"
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def journal_entry_mac(*, event_type: EventType, subject: tuple[str, str], token: str) -> str:
    """The MAC an unchained entry carries (decision 0101): events too frequent
    to serialise on the chain's head row (each cast ballot) are stored as rows
    of their own app with this MAC, and folded into the chain by the event
    that ends them (the count), which records `journal_fold` of their tokens."""
    subject_type, subject_id = subject
    return entry_mac(
        journal_key(),
        event_type=event_type,
        subject_type=subject_type,
        subject_id=subject_id,
        token=token,
    )


def journal_fold(tokens: Iterable[str]) -> dict[str, Any]:
    """What a chained event records of the unchained entries it folds in:
    their number and the digest of their sorted tokens."""
    items = list(tokens)
    return {"count": len(items), "digest": entries_digest(items)}


# ---- the anchor outside the database ---------------------------------------------------


class _AnchorHook:
    """Appends one head to the anchor file once its transaction has committed
    (a rolled-back event never reaches the file)."""

    __slots__ = ("hash", "seq")

    def __init__(self, seq: int, hash_: str) -> None:
        self.seq = seq
        self.hash = hash_

    def __call__(self) -> None:
        try:
            anchor_append(self.seq, self.hash)
        except OSError:
            # The change is committed; failing the request now would only hide
            # it. The next commit anchors this event too, and `journal verify`
            # reports a head that is not anchored.
            log.exception("journal anchor: could not append seq %s", self.seq)


def _anchor_on_commit(seq: int, hash_: str) -> None:
    if anchor_path() is None:
        return
    hooks = transaction.get_connection().run_on_commit
    if hooks and isinstance(hooks[-1][1], _AnchorHook):
        # A later head of the same transaction anchors the earlier ones too
        # (the chain links them): one append per transaction, not per event.
        # Should the later event's savepoint roll back, the earlier head is
        # anchored by the next commit instead.
        hooks.pop()
    transaction.on_commit(_AnchorHook(seq, hash_))


def anchor_append(seq: int, hash_: str, *, path: Path | None = None) -> None:
    """One small append (O_APPEND, a single write) of seq, hash, time and MAC."""
    path = path or anchor_path()
    if path is None:
        return
    line = anchor_line(journal_key(), AnchorEntry(seq, hash_, _iso(timezone.now())))
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode("ascii"))
    finally:
        os.close(fd)


def journal_anchor() -> AnchorEntry | None:
    """Anchor the committed head now (on demand: `xuanren journal anchor`)."""
    head = JournalHead.objects.filter(pk=1).first()
    if head is None or head.count == 0:
        return None
    anchor_append(head.last_seq, head.last_hash)
    return AnchorEntry(head.last_seq, head.last_hash, "")


# ---- cadre fingerprints -------------------------------------------------------------------


def cadre_fp_payload(cadres: Iterable[Any]) -> list[list[Any]]:
    """The `cadre_fp` payload entry for cadre instances as saved: the
    reconciliation in `journal verify` compares each row with the last one."""
    key = journal_key()
    return fp_runs(
        (c.pk, cadre_fingerprint(key, c.pk, {n: getattr(c, n) for n in CADRE_FIELDS}))
        for c in cadres
    )


def cadre_fp_rows(rows: Iterable[tuple[int, dict[str, Any]]]) -> list[list[Any]]:
    """The same from (id, column values) pairs, for bulk paths."""
    key = journal_key()
    return fp_runs((pk, cadre_fingerprint(key, pk, values)) for pk, values in rows)


def stored_cadre_fields(
    *, after: int = 0, batch: int = 5000
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(id, fingerprinted fields) of every stored cadre with an id above
    `after`, read in batches of `batch` rows (memory stays flat)."""
    from xuanren.people.models import Cadre

    last = after
    while True:
        rows = list(
            Cadre.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", *CADRE_FIELDS)[:batch]
        )
        if not rows:
            return
        for pk, *values in rows:
            yield pk, dict(zip(CADRE_FIELDS, values, strict=True))
        last = rows[-1][0]


def cadre_fp_from_db(*, after: int = 0, batch: int = 5000) -> list[list[Any]]:
    """Fingerprints of the cadres stored with an id above `after` (the
    seeder, which writes rows in several passes)."""
    return cadre_fp_rows(stored_cadre_fields(after=after, batch=batch))


@transaction.atomic
def journal_baseline(*, actor: Any, batch: int = 5000) -> Event | None:
    """For a journal written before fingerprints (decision 0039): record one
    event with the fingerprints of the cadres no event covers yet. Refused
    while `journal verify` finds anything else, so a tampered row is never
    made legitimate this way."""
    from django.utils.translation import gettext as _

    from xuanren.common.errors import Conflict
    from xuanren.people.models import Cadre

    result = journal_verify(batch=batch)
    other = [f for f in result.findings if not (f.kind == "cadre" and f.event_id is None)]
    if other:
        raise Conflict(
            _("日志核验发现其他问题，不能记录基线：%(reason)s") % {"reason": other[0].message}
        )
    if result.ok:
        return None
    covered: set[int] = set()
    events = Event.objects.filter(payload__has_key="cadre_fp").values_list("payload", flat=True)
    for payload in events.iterator(chunk_size=200):
        covered.update(pk for pk, _fp in iter_fp_runs(payload["cadre_fp"]))
    key = journal_key()
    pairs: list[tuple[int, str]] = []
    rows = Cadre.objects.order_by("pk").values_list("pk", *CADRE_FIELDS)
    for pk, *values in rows.iterator(chunk_size=batch):
        if pk not in covered:
            fields = dict(zip(CADRE_FIELDS, values, strict=True))
            pairs.append((pk, cadre_fingerprint(key, pk, fields)))
    if not pairs:
        return None
    return journal_record(
        actor=actor,
        event_type=EventType.CADRES_BASELINED,
        subject=("journal.baseline", str(len(pairs))),
        payload={"count": len(pairs), "cadre_fp": fp_runs(pairs)},
    )


def journal_verify(*, batch: int = 5000, printed: AnchorEntry | None = None) -> VerifyResult:
    """Walk the chain, check it against the anchor file (and a printed head,
    if given) and reconcile business state with its events (see
    xuanren.journal.verify)."""
    from xuanren.journal.verify import verify

    return verify(batch=batch, printed=printed)
