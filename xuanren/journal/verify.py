"""`journal verify`: walk the chain in batches (memory flat in the number of
events), check it against the anchor file outside the database, and reconcile
business state with its events: closed ballot meetings with their close
event's digest, the receipts of cast ballots (the journal's unchained
entries for casts, decision 0101) with their MACs and the count's fold,
case step records with their events, each cadre row with the fingerprint its
last event carries (decision 0039)."""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from xuanren.journal.chain import (
    GENESIS,
    KEYED,
    PLAIN,
    AnchorEntry,
    cadre_fingerprint,
    digest_of,
    entries_digest,
    entry_mac,
    iter_fp_runs,
    parse_anchor_line,
    versioned_link,
)
from xuanren.journal.models import Event, EventType, JournalHead
from xuanren.journal.services import anchor_path, canonical_of, journal_key, stored_cadre_fields

_FIELDS = (
    "pk",
    "occurred_at",
    "actor_id",
    "actor_label",
    "event_type",
    "subject_type",
    "subject_id",
    "payload",
    "prev_hash",
    "hash",
    "version",
)


@dataclass(frozen=True)
class Finding:
    kind: str  # chain, head, anchor, meeting, receipt, step, cadre
    event_id: int | None
    message: str


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_at: int | None = None
    reason: str = ""
    findings: tuple[Finding, ...] = ()
    legacy: int = 0  # version-1 (unkeyed) events at the start of the chain
    anchored_seq: int | None = None
    reconciled: dict[str, int] = field(default_factory=dict)


def _when(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def _type_label(value: str) -> str:
    try:
        return str(EventType(value).label)
    except ValueError:
        return value


def describe(pk: int, at: dt.datetime, event_type: str, subject: str) -> str:
    return _("第 %(n)d 号记录（%(at)s，%(type)s，对象 %(subject)s）") % {
        "n": pk,
        "at": _when(at),
        "type": _type_label(event_type),
        "subject": subject,
    }


def _describe_id(pk: int) -> str:
    row = (
        Event.objects.filter(pk=pk)
        .values_list("occurred_at", "event_type", "subject_type", "subject_id")
        .first()
    )
    if row is None:
        return _("第 %(n)d 号记录") % {"n": pk}
    return describe(pk, row[0], row[1], f"{row[2]}:{row[3]}")


def _describe_if_first(out: list[Finding], pk: int) -> str:
    """An event's description (one query) for the first finding of a kind;
    the later ones are only counted (`_more`), so they skip the query."""
    return "" if out else _describe_id(pk)


def _tampered() -> str:
    return _(
        "请停止写入，保留数据库和锚定文件的副本，对照备份和打印的纪实查明被改动的内容，并报告纪检监察机关。"
    )


def _read_anchor(path: Path | None, key: bytes) -> tuple[AnchorEntry | None, list[Finding]]:
    """The anchored head with the highest seq, and findings about bad lines.
    Streams the file: one line at a time."""
    if path is None or not path.exists():
        return None, []
    best: AnchorEntry | None = None
    findings: list[Finding] = []
    with path.open(encoding="ascii", errors="replace") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            entry = parse_anchor_line(key, line)
            if entry is None:
                if not findings:
                    findings.append(
                        Finding(
                            "anchor",
                            None,
                            _(
                                "锚定文件 %(path)s 第 %(n)d 行无法校验：该行被改动，或当前的日志链密钥不是写入时的密钥。请核对 XUANREN_JOURNAL_KEY 后重试；若密钥无误，%(todo)s"
                            )
                            % {"path": path, "n": number, "todo": _tampered()},
                        )
                    )
                continue
            if best is None or entry.seq > best.seq:
                best = entry
    return best, findings


def _batches(batch: int) -> Iterator[list[tuple[Any, ...]]]:
    last = 0
    while True:
        rows = list(Event.objects.filter(pk__gt=last).order_by("pk").values_list(*_FIELDS)[:batch])
        if not rows:
            return
        yield rows
        last = rows[-1][0]


@dataclass
class _Collected:
    """What the walk keeps for the reconciliation: small per business row."""

    meetings: dict[str, tuple[int, str]] = field(default_factory=dict)  # id → (event, digest)
    receipts: dict[str, tuple[int, str]] = field(default_factory=dict)  # id → (event, digest)
    steps: dict[str, tuple[int, str]] = field(default_factory=dict)  # hash → (event, digest)
    cadres: dict[int, tuple[int, str]] = field(default_factory=dict)  # id → (event, fp)


#: Keys a step's effect adds to its record after the step's event (each
#: derived fact has its own event; see procedure/guards/decision.py). The
#: submitted part is what the step's event holds and what is compared.
DERIVED_STEP_KEYS = frozenset({"result_sheet", "appointments", "outcomes"})


def _step_digest(case_id: str, step: str, seq: int, data: Any, note: str, actor: Any) -> str:
    if isinstance(data, dict):
        data = {k: v for k, v in data.items() if k not in DERIVED_STEP_KEYS}
    return digest_of([str(case_id), step, seq, data, note, actor])


def _collect(kept: _Collected, row: tuple[Any, ...]) -> None:
    pk, _at, actor_id, _label, event_type, _st, subject_id, payload, _prev, hash_, _v = row
    if not isinstance(payload, dict):
        return
    if event_type == EventType.MEETING_CLOSED:
        kept.meetings[subject_id] = (pk, str(payload.get("ballot_digest", "")))
        if "receipts_digest" in payload:
            kept.receipts[subject_id] = (pk, str(payload["receipts_digest"]))
    elif event_type in (EventType.STEP_COMPLETED, EventType.STEP_CORRECTED):
        kept.steps[hash_] = (
            pk,
            _step_digest(
                subject_id,
                payload.get("step", ""),
                payload.get("seq", 0),
                payload.get("data"),
                payload.get("note", ""),
                actor_id,
            ),
        )
    runs = payload.get("cadre_fp")
    if runs:
        for cadre_id, fp in iter_fp_runs(runs):
            kept.cadres[cadre_id] = (pk, fp)


def _source(entry: AnchorEntry) -> str:
    if entry.at:
        return _("锚定文件（%(at)s 锚定）") % {"at": entry.at[:19].replace("T", " ")}
    return _("核验时给出的链头（如打印的纪实上的）")


def verify(*, batch: int = 5000, printed: AnchorEntry | None = None) -> VerifyResult:
    """`printed`: a head read off a printed 纪实 (seq and hash), checked like
    an anchor entry."""
    key = journal_key()
    path = anchor_path()
    anchor, findings = _read_anchor(path, key)
    pending = sorted((a for a in (anchor, printed) if a is not None), key=lambda a: a.seq)
    prev = GENESIS
    checked = 0
    legacy = 0
    last_seq = 0
    seen_keyed = False
    kept = _Collected()

    def fail(kind: str, pk: int | None, message: str) -> VerifyResult:
        found = (Finding(kind, pk, message), *findings)
        return VerifyResult(
            False,
            checked,
            pk,
            message,
            found,
            legacy,
            anchor.seq if anchor else None,
        )

    for rows in _batches(batch):
        for row in rows:
            pk, at, actor_id, label, event_type, st, sid, payload, prev_hash, hash_, version = row
            where = describe(pk, at, event_type, f"{st}:{sid}")
            if pending and pk > pending[0].seq:
                return fail(
                    "anchor",
                    pending[0].seq,
                    _(
                        "%(src)s记有第 %(n)d 号记录，数据库中没有这条记录：它被删除，其后的链被重算。%(todo)s"
                    )
                    % {"src": _source(pending[0]), "n": pending[0].seq, "todo": _tampered()},
                )
            if version not in (PLAIN, KEYED):
                return fail(
                    "chain",
                    pk,
                    _("%(w)s的链版本无效。%(todo)s") % {"w": where, "todo": _tampered()},
                )
            if version == PLAIN and seen_keyed:
                return fail(
                    "chain",
                    pk,
                    _(
                        "%(w)s是无密钥的旧版记录，却排在有密钥的记录之后：链被无密钥地重算过。%(todo)s"
                    )
                    % {"w": where, "todo": _tampered()},
                )
            if prev_hash != prev:
                return fail(
                    "chain",
                    pk,
                    _(
                        "%(w)s的前一哈希与上一条记录（%(prev)s）不符：两者之间的记录被删除，或链被改接。%(todo)s"
                    )
                    % {
                        "w": where,
                        "prev": _("第 %(n)d 号") % {"n": last_seq} if last_seq else _("链的起点"),
                        "todo": _tampered(),
                    },
                )
            text = canonical_of(
                seq=pk,
                occurred_at=at,
                actor_id=actor_id,
                actor_label=label,
                event_type=event_type,
                subject_type=st,
                subject_id=sid,
                payload=payload,
            )
            if not hmac.compare_digest(versioned_link(version, prev, text, key), hash_):
                hint = ""
                if version == KEYED and not seen_keyed:
                    hint = _(
                        "（若这是第一条有密钥的记录，也可能是日志链密钥配置错误，请先核对 XUANREN_JOURNAL_KEY。）"
                    )
                return fail(
                    "chain",
                    pk,
                    _("%(w)s的内容与其哈希不符：记录被改动。%(hint)s%(todo)s")
                    % {"w": where, "hint": hint, "todo": _tampered()},
                )
            while pending and pk == pending[0].seq:
                entry = pending.pop(0)
                if not hmac.compare_digest(entry.hash, hash_):
                    return fail(
                        "anchor",
                        pk,
                        _(
                            "%(w)s的哈希与%(src)s所记的不符：这条记录或其前的记录被改动，整条链被重算过。%(todo)s"
                        )
                        % {"w": where, "src": _source(entry), "todo": _tampered()},
                    )
            seen_keyed = seen_keyed or version == KEYED
            legacy += version == PLAIN
            _collect(kept, row)
            prev = hash_
            checked += 1
            last_seq = pk

    if pending:
        return fail(
            "anchor",
            pending[0].seq,
            _(
                "数据库中的日志只到第 %(last)d 号（共 %(n)d 条），而%(src)s记到第 %(seq)d 号：此后的记录被删除，或整个日志被清空。%(todo)s"
            )
            % {
                "last": last_seq,
                "n": checked,
                "src": _source(pending[0]),
                "seq": pending[0].seq,
                "todo": _tampered(),
            },
        )
    head = JournalHead.objects.filter(pk=1).first()
    if head is None and checked:
        return fail(
            "head",
            last_seq,
            _("日志有 %(n)d 条记录，链头却不存在：链头被删除。%(todo)s")
            % {"n": checked, "todo": _tampered()},
        )
    if head is not None and (
        head.last_hash != prev
        or head.count != checked
        or (head.last_seq and head.last_seq != last_seq)
    ):
        return fail(
            "head",
            last_seq or None,
            _(
                "链头（第 %(seq)d 号，共 %(count)d 条）与最后一条记录（第 %(last)d 号，共 %(n)d 条）不符：记录被删除。%(todo)s"
            )
            % {
                "seq": head.last_seq,
                "count": head.count,
                "last": last_seq,
                "n": checked,
                "todo": _tampered(),
            },
        )
    if anchor is None and checked and path is not None:
        findings.append(
            Finding(
                "anchor",
                None,
                _(
                    "锚定文件 %(path)s 不存在或没有有效的记录：无法确认数据库中的日志没有被整体替换或截短。如锚定文件被移走，请恢复它；新安装或刚升级时，请在核对无误后运行 `xuanren journal anchor` 锚定当前链头。"
                )
                % {"path": path},
            )
        )

    reconciled: dict[str, int] = {}
    findings.extend(_reconcile_receipts(kept, reconciled, key, batch))
    findings.extend(_reconcile_meetings(kept, reconciled))
    findings.extend(_reconcile_steps(kept, reconciled, batch))
    findings.extend(_reconcile_cadres(kept, reconciled, key, batch))
    first = findings[0] if findings else None
    return VerifyResult(
        first is None,
        checked,
        first.event_id if first else None,
        first.message if first else "",
        tuple(findings),
        legacy,
        anchor.seq if anchor else None,
        reconciled,
    )


# ---- reconciliation -------------------------------------------------------------------------


def _reconcile_receipts(
    kept: _Collected, counts: dict[str, int], key: bytes, batch: int
) -> list[Finding]:
    """Each receipt is the journal's entry for one cast (decision 0101): its
    MAC must be right, a meeting opened since then has none without one, the
    receipts of a counted meeting must match the fold its close event records,
    and while a vote is open there is one receipt per voter who voted."""
    from django.db.models import Count

    from xuanren.ballots.models import Meeting, MeetingStatus, Participation, Receipt

    out: list[Finding] = []
    label = Meeting._meta.label_lower
    shaped = set(Meeting.objects.exclude(ballot_shape={}).values_list("pk", flat=True))
    codes: dict[int, list[str]] = {}
    last: Any = None
    n = 0
    while True:
        page = Receipt.objects.order_by("pk")
        if last is not None:
            page = page.filter(pk__gt=last)
        rows = list(page.values_list("pk", "meeting_id", "code", "mac")[:batch])
        if not rows:
            break
        last = rows[-1][0]
        for _pk, meeting_id, code, mac in rows:
            n += 1
            codes.setdefault(meeting_id, []).append(code)
            if not mac and meeting_id not in shaped:
                continue  # a cast journalled as a chained event, before 0101
            expected = entry_mac(
                key,
                event_type=EventType.BALLOT_CAST,
                subject_type=label,
                subject_id=str(meeting_id),
                token=code,
            )
            if not hmac.compare_digest(expected, mac):
                out.append(
                    Finding(
                        "receipt",
                        None,
                        _(
                            "投票会议（编号 %(pk)d）有一张回执的日志校验码不符：这张回执和同一次投票写入的选票不是经系统投票写入的。%(todo)s"
                        )
                        % {"pk": meeting_id, "todo": _tampered()},
                    )
                )
    for subject_id, (event_id, digest) in sorted(kept.receipts.items()):
        if entries_digest(codes.get(int(subject_id), [])) != digest:
            out.append(
                Finding(
                    "receipt",
                    event_id,
                    _(
                        "投票会议（编号 %(pk)s）现存的回执与%(w)s所记的不符：计票后回执被增删或改动。%(todo)s"
                    )
                    % {
                        "pk": subject_id,
                        "w": _describe_if_first(out, event_id),
                        "todo": _tampered(),
                    },
                )
            )
    voting = Meeting.objects.filter(status=MeetingStatus.OPEN, pk__in=shaped)
    voted = dict(
        Participation.objects.filter(meeting__in=voting)
        .values("meeting_id")
        .annotate(n=Count("pk"))
        .values_list("meeting_id", "n")
    )
    for mid, participations in sorted(voted.items()):
        receipts = len(codes.get(mid, []))
        if receipts != participations:
            out.append(
                Finding(
                    "receipt",
                    None,
                    _(
                        "正在投票的会议（编号 %(pk)d）已有 %(p)d 人投票，回执却有 %(r)d 张：投票记录被增删。%(todo)s"
                    )
                    % {"pk": mid, "p": participations, "r": receipts, "todo": _tampered()},
                )
            )
    counts["receipts"] = n
    return out[:1] + _more(out)


def _reconcile_meetings(kept: _Collected, counts: dict[str, int]) -> list[Finding]:
    from xuanren.ballots.models import Meeting, MeetingStatus

    out: list[Finding] = []
    closed = Meeting.objects.filter(status=MeetingStatus.CLOSED).order_by("pk")
    n = 0
    for pk, title, digest in closed.values_list("pk", "title", "ballot_digest").iterator(2000):
        n += 1
        event = kept.meetings.pop(str(pk), None)
        if event is None:
            out.append(
                Finding(
                    "meeting",
                    None,
                    _(
                        "投票会议“%(t)s”（编号 %(pk)d）已计票，但日志中没有它的结束投票事件：结果不是经系统计票写入的。%(todo)s"
                    )
                    % {"t": title, "pk": pk, "todo": _tampered()},
                )
            )
        elif event[1] != digest:
            out.append(
                Finding(
                    "meeting",
                    event[0],
                    _(
                        "投票会议“%(t)s”（编号 %(pk)d）保存的选票摘要与%(w)s中的不符：计票结果在结束投票后被改动。%(todo)s"
                    )
                    % {
                        "t": title,
                        "pk": pk,
                        "w": _describe_if_first(out, event[0]),
                        "todo": _tampered(),
                    },
                )
            )
    for _pk, (event_id, _digest) in sorted(kept.meetings.items(), key=lambda kv: kv[1][0]):
        out.append(
            Finding(
                "meeting",
                event_id,
                _(
                    "%(w)s记录了投票会议结束并计票，但该会议现在不是已计票状态或已不存在：会议记录被改动或删除。%(todo)s"
                )
                % {"w": _describe_if_first(out, event_id), "todo": _tampered()},
            )
        )
    counts["meetings"] = n
    return out[:1] + _more(out)


def _reconcile_steps(kept: _Collected, counts: dict[str, int], batch: int) -> list[Finding]:
    from xuanren.procedure.models import CaseStep

    out: list[Finding] = []
    last = 0
    n = 0
    while True:
        rows = list(
            CaseStep.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list(
                "pk",
                "case_id",
                "case__number",
                "step",
                "seq",
                "data",
                "note",
                "completed_by_id",
                "journal_hash",
            )[:batch]
        )
        if not rows:
            break
        for _pk, case_id, number, step, seq, data, note, by, journal_hash in rows:
            n += 1
            event = kept.steps.pop(journal_hash, None)
            if event is None:
                out.append(
                    Finding(
                        "step",
                        None,
                        _(
                            "事项 %(case)s 的第 %(seq)d 号环节记录所记的日志哈希在日志中找不到：这条环节记录不是经系统办理写入的，或其日志哈希被改动。%(todo)s"
                        )
                        % {"case": number, "seq": seq, "todo": _tampered()},
                    )
                )
            elif event[1] != _step_digest(str(case_id), step, seq, data, note, by):
                out.append(
                    Finding(
                        "step",
                        event[0],
                        _(
                            "事项 %(case)s 的第 %(seq)d 号环节记录与%(w)s不符：环节记录在办理后被改动。%(todo)s"
                        )
                        % {
                            "case": number,
                            "seq": seq,
                            "w": _describe_if_first(out, event[0]),
                            "todo": _tampered(),
                        },
                    )
                )
        last = rows[-1][0]
    for event_id, _digest in sorted(kept.steps.values()):
        out.append(
            Finding(
                "step",
                event_id,
                _("%(w)s记录了办理环节，但对应的环节记录已不存在：环节记录被删除。%(todo)s")
                % {"w": _describe_if_first(out, event_id), "todo": _tampered()},
            )
        )
    counts["steps"] = n
    return out[:1] + _more(out)


def _reconcile_cadres(
    kept: _Collected, counts: dict[str, int], key: bytes, batch: int
) -> list[Finding]:

    out: list[Finding] = []
    n = 0
    for pk, fields in stored_cadre_fields(batch=batch):
        n += 1
        event = kept.cadres.pop(pk, None)
        if event is None:
            out.append(
                Finding(
                    "cadre",
                    None,
                    _(
                        "干部“%(name)s”（编号 %(pk)d）在日志中没有记录其信息的事件：这条干部记录不是经系统写入的。%(todo)s 如系升级前已有的数据，请在核对无误后运行 `xuanren journal baseline` 记录基线。"
                    )
                    % {"name": fields["name"], "pk": pk, "todo": _tampered()},
                )
            )
        elif cadre_fingerprint(key, pk, fields) != event[1]:
            out.append(
                Finding(
                    "cadre",
                    event[0],
                    _(
                        "干部“%(name)s”（编号 %(pk)d）的当前信息与其最后一条日志事件%(w)s所记的不符：干部记录被绕过系统改动。%(todo)s"
                    )
                    % {
                        "name": fields["name"],
                        "pk": pk,
                        "w": _describe_if_first(out, event[0]),
                        "todo": _tampered(),
                    },
                )
            )
    for cadre_id, (event_id, _fp) in sorted(kept.cadres.items()):
        out.append(
            Finding(
                "cadre",
                event_id,
                _(
                    "%(w)s记录了干部（编号 %(pk)d）的信息，但该干部记录已不存在：干部记录被删除。%(todo)s"
                )
                % {"w": _describe_if_first(out, event_id), "pk": cadre_id, "todo": _tampered()},
            )
        )
    counts["cadres"] = n
    return out[:1] + _more(out)


def _more(out: list[Finding]) -> list[Finding]:
    """Only the first finding of a kind is spelled out; the rest are counted."""
    if len(out) <= 1:
        return []
    return [
        Finding(
            out[0].kind,
            None,
            _("同类问题另有 %(n)d 处（以上为第一处）。") % {"n": len(out) - 1},
        )
    ]
