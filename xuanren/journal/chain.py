"""Pure hashing of journal events, anchor lines and cadre fingerprints: no
ORM, so the rules are testable alone. The key is always passed in."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

GENESIS = "0" * 64

#: Version 1: plain SHA-256 (journals written before the key, decision 0037).
#: Version 2: HMAC-SHA-256 under the journal key.
PLAIN = 1
KEYED = 2


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


def link_hash(prev_hash: str, canonical_event: str, key: bytes | None = None) -> str:
    """The link of one event: HMAC-SHA-256 under `key` (version 2), or plain
    SHA-256 when `key` is None (version 1, kept only to verify old journals)."""
    message = (prev_hash + canonical_event).encode("utf-8")
    if key is None:
        return hashlib.sha256(message).hexdigest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def versioned_link(version: int, prev_hash: str, canonical_event: str, key: bytes) -> str:
    return link_hash(prev_hash, canonical_event, key if version == KEYED else None)


# ---- entries outside the chain (decision 0101) ----------------------------------------


def entry_mac(
    key: bytes, *, event_type: str, subject_type: str, subject_id: str, token: str
) -> str:
    """The MAC of one unchained entry: an event too frequent to take the
    chain's head lock each time (a cast ballot). It binds the entry to its
    event type and subject; without the key no valid entry can be added."""
    message = json.dumps(
        [event_type, subject_type, subject_id, token], ensure_ascii=False, separators=(",", ":")
    )
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


def entries_digest(tokens: Iterable[str]) -> str:
    """SHA-256 of the entries' tokens in sorted order: what the chained event
    that folds them in records, so that an entry added or removed afterwards
    shows. Sorted, so the digest says nothing of the order they came in."""
    return hashlib.sha256("\n".join(sorted(tokens)).encode("utf-8")).hexdigest()


# ---- the anchor file ------------------------------------------------------------------

ANCHOR_TAG = "xr-anchor-1"


@dataclass(frozen=True)
class AnchorEntry:
    seq: int
    hash: str
    at: str


def _anchor_mac(key: bytes, seq: int, hash_: str, at: str) -> str:
    message = f"{ANCHOR_TAG}\t{seq}\t{hash_}\t{at}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def anchor_line(key: bytes, entry: AnchorEntry) -> str:
    """One line of the anchor file: tag, seq, hash, time and an HMAC of them."""
    mac = _anchor_mac(key, entry.seq, entry.hash, entry.at)
    return f"{ANCHOR_TAG}\t{entry.seq}\t{entry.hash}\t{entry.at}\t{mac}\n"


def parse_anchor_line(key: bytes, line: str) -> AnchorEntry | None:
    """The entry of a well-formed line whose HMAC holds, else None."""
    parts = line.rstrip("\n").split("\t")
    if len(parts) != 5 or parts[0] != ANCHOR_TAG or not parts[1].isdigit():
        return None
    entry = AnchorEntry(int(parts[1]), parts[2], parts[3])
    expected = _anchor_mac(key, entry.seq, entry.hash, entry.at)
    return entry if hmac.compare_digest(expected, parts[4]) else None


# ---- cadre fingerprints ---------------------------------------------------------------

#: The fields of a cadre row a fingerprint covers (column names). The photo is
#: left out (its digest is journalled on change), and so is `updated_at`.
CADRE_FIELDS: tuple[str, ...] = (
    "name",
    "sex",
    "ethnicity",
    "birth_date",
    "native_place",
    "birthplace",
    "id_number",
    "political_status",
    "party_join_date",
    "party_full_date",
    "work_start_date",
    "health",
    "professional_title",
    "specialty",
    "unit_id",
    "current_post_title",
    "level",
    "level_since",
    "rank",
    "rank_since",
    "education_level",
    "education_rank",
    "grassroots_months",
    "personal_matters_status",
    "archive_review_status",
    "status",
)
FP_CHARS = 16  # 64 bits of HMAC: unforgeable without the key, short in bulk payloads


_DATE_FIELDS = frozenset(
    {
        "birth_date",
        "party_join_date",
        "party_full_date",
        "work_start_date",
        "level_since",
        "rank_since",
    }
)
_INT_FIELDS = frozenset({"unit_id", "education_rank", "grassroots_months"})


def _as_date(value: Any) -> str:
    if isinstance(value, dt.datetime):
        value = value.date()
    return str(value.isoformat())


def _as_int(value: Any) -> str:
    return str(int(value))


#: How each field is written into the fingerprint: as a bulk row and the
#: database both give it (dates as ISO dates, whole numbers as numbers,
#: everything else as text).
_CONVERT = tuple(
    _as_date if name in _DATE_FIELDS else _as_int if name in _INT_FIELDS else str
    for name in CADRE_FIELDS
)


def cadre_fingerprint(key: bytes, pk: int, values: Mapping[str, Any]) -> str:
    """A keyed digest of a cadre's fields: equal iff the row is as journalled.
    Keyed, so the journal never holds a hash of an ID number anyone could test
    guesses against. Each field is length-prefixed (None as "-"), so no two
    rows share a message. Kept cheap: the XLSX import computes 100,000."""
    parts = [str(pk)]
    for name, convert in zip(CADRE_FIELDS, _CONVERT, strict=True):
        value = values[name]
        if value is None:
            parts.append("-")
        else:
            text = convert(value)
            parts.append(f"{len(text)}:{text}")
    message = "|".join(parts).encode("utf-8")
    return hmac.digest(key, message, "sha256").hex()[:FP_CHARS]


def fp_runs(pairs: Iterable[tuple[int, str]]) -> list[list[Any]]:
    """(id, fingerprint) pairs, sorted by id, packed as [first id, "fp fp ..."
    concatenated] runs of consecutive ids: 100,000 cadres take 1.6 MB."""
    runs: list[tuple[int, list[str]]] = []
    next_id = None
    for pk, fp in sorted(pairs):
        if pk != next_id:
            runs.append((pk, []))
        runs[-1][1].append(fp)
        next_id = pk + 1
    return [[first, "".join(fps)] for first, fps in runs]


def iter_fp_runs(runs: Sequence[Sequence[Any]]) -> Iterator[tuple[int, str]]:
    for first, fps in runs:
        for i in range(len(fps) // FP_CHARS):
            yield int(first) + i, fps[i * FP_CHARS : (i + 1) * FP_CHARS]


def digest_of(value: Any) -> str:
    """A short digest of any JSON value, for comparing records with events."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
