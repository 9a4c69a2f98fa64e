"""Pure rules of the journal chain (no database): keyed links, anchor lines,
cadre fingerprints and their packing."""

import datetime as dt
import hashlib

from hypothesis import given
from hypothesis import strategies as st

from xuanren.journal.chain import (
    CADRE_FIELDS,
    FP_CHARS,
    GENESIS,
    KEYED,
    PLAIN,
    AnchorEntry,
    anchor_line,
    cadre_fingerprint,
    canonical,
    fp_runs,
    iter_fp_runs,
    link_hash,
    parse_anchor_line,
    versioned_link,
)

KEY = b"k" * 32
OTHER = b"o" * 32


def _event(seq: int = 1, payload: object = None) -> str:
    return canonical(
        seq=seq,
        occurred_at="2026-12-05T10:00:00.123456+00:00",
        actor_id=None,
        actor_label="system",
        event_type="cadre.created",
        subject_type="people.cadre",
        subject_id="1",
        payload=payload if payload is not None else {"名": "县"},
    )


def test_plain_link_is_sha256_of_prev_and_event():
    text = _event()
    assert link_hash(GENESIS, text) == hashlib.sha256((GENESIS + text).encode()).hexdigest()
    assert versioned_link(PLAIN, GENESIS, text, KEY) == link_hash(GENESIS, text)


def test_keyed_link_depends_on_the_key():
    text = _event()
    keyed = link_hash(GENESIS, text, KEY)
    assert keyed != link_hash(GENESIS, text)
    assert keyed != link_hash(GENESIS, text, OTHER)
    assert versioned_link(KEYED, GENESIS, text, KEY) == keyed
    assert len(keyed) == 64


@given(st.text(), st.text())
def test_keyed_link_changes_with_any_change_of_the_event(a, b):
    one = link_hash(GENESIS, _event(payload={"v": a}), KEY)
    two = link_hash(GENESIS, _event(payload={"v": b}), KEY)
    assert (one == two) == (a == b)


@given(
    st.integers(min_value=1, max_value=10**12),
    st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
)
def test_anchor_line_round_trips(seq, hash_):
    entry = AnchorEntry(seq, hash_, "2026-12-05T10:00:00+00:00")
    line = anchor_line(KEY, entry)
    assert line.endswith("\n") and line.count("\n") == 1
    assert parse_anchor_line(KEY, line) == entry


def test_anchor_line_refused_when_edited_or_under_another_key():
    entry = AnchorEntry(41, "a" * 64, "2026-12-05T10:00:00+00:00")
    line = anchor_line(KEY, entry)
    assert parse_anchor_line(OTHER, line) is None
    assert parse_anchor_line(KEY, line.replace("\t41\t", "\t42\t")) is None
    assert parse_anchor_line(KEY, line.replace("a" * 64, "b" * 64)) is None
    assert parse_anchor_line(KEY, "garbage\n") is None
    assert parse_anchor_line(KEY, "") is None


def _cadre(**over: object) -> dict[str, object]:
    values: dict[str, object] = dict.fromkeys(CADRE_FIELDS, "")
    values.update(
        birth_date=dt.date(1980, 1, 2),
        party_join_date=None,
        party_full_date=None,
        work_start_date=None,
        level_since=None,
        rank_since=None,
        unit_id=3,
        education_rank=0,
        grassroots_months=None,
        name="张三",
    )
    values.update(over)
    return values


def test_fingerprint_is_keyed_and_short():
    fp = cadre_fingerprint(KEY, 7, _cadre())
    assert len(fp) == FP_CHARS
    assert fp != cadre_fingerprint(OTHER, 7, _cadre())
    assert fp != cadre_fingerprint(KEY, 8, _cadre())


def test_fingerprint_sees_every_field():
    base = cadre_fingerprint(KEY, 7, _cadre())
    for name in CADRE_FIELDS:
        changed = _cadre(**{name: dt.date(1990, 1, 1) if name.endswith(("date", "since")) else 99})
        assert cadre_fingerprint(KEY, 7, changed) != base, name


def test_fingerprint_reads_bulk_values_as_the_database_gives_them_back():
    """A bulk row may hold a datetime for a date column or a number for a text
    column; the database gives back a date and text."""
    as_stored = cadre_fingerprint(KEY, 7, _cadre(rank="5", unit_id=3))
    as_written = cadre_fingerprint(
        KEY, 7, _cadre(rank=5, unit_id="3", birth_date=dt.datetime(1980, 1, 2))
    )
    assert as_written == as_stored


@given(
    st.dictionaries(
        st.integers(min_value=1, max_value=10**9),
        st.text("0123456789abcdef", min_size=FP_CHARS, max_size=FP_CHARS),
        max_size=50,
    )
)
def test_fp_runs_pack_and_unpack(pairs):
    runs = fp_runs(pairs.items())
    assert dict(iter_fp_runs(runs)) == pairs
    starts = [r[0] for r in runs]
    assert starts == sorted(starts)


def test_fp_runs_are_compact_for_consecutive_ids():
    runs = fp_runs((pk, f"{pk:016x}") for pk in range(100, 1100))
    assert len(runs) == 1 and runs[0][0] == 100 and len(runs[0][1]) == 1000 * FP_CHARS
