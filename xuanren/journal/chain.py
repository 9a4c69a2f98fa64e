"""Pure hashing of journal events: no ORM, so the rule is testable alone."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

GENESIS = "0" * 64


def normalize(payload: Any) -> Any:
    """The payload as JSON will store it (dates, decimals and UUIDs as text),
    so that what is hashed now is exactly what is read back later."""
    return json.loads(json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False))


def canonical(
    *,
    seq: int,
    occurred_at: str,
    actor_id: int | None,
    actor_label: str,
    event_type: str,
    subject_type: str,
    subject_id: str,
    payload: Any,
) -> str:
    return json.dumps(
        {
            "seq": seq,
            "at": occurred_at,
            "actor": actor_id,
            "actor_label": actor_label,
            "type": event_type,
            "subject": [subject_type, subject_id],
            "payload": payload,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )


def link_hash(prev_hash: str, canonical_event: str) -> str:
    return hashlib.sha256((prev_hash + canonical_event).encode("utf-8")).hexdigest()
