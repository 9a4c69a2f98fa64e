"""Counting ballots: plain Python, no ORM, integers only.

A ballot's content is `{"marks": {item: option}, "write_ins": {section: [names]}}`
whatever its kind: a decision ballot marks `agree`/`disagree` per candidate
(nothing marked = abstain); a recommendation ballot marks `chosen` names and
may add write-ins (另推荐人选), at most `max_choices` per section — more makes
the whole ballot invalid, none leaves it blank but valid; an evaluation ballot
marks one grade per person. Item and section keys are strings.

The decision's pass/fail arithmetic is not here: it is `procedure.tally.decide`,
fed with the counts this module produces.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuanren.ballots import sealing

AGREE, DISAGREE, CHOSEN = "agree", "disagree", "chosen"
DECISION_OPTIONS = (AGREE, DISAGREE)
RECOMMENDATION_OPTIONS = (CHOSEN,)
GRADES = ("excellent", "competent", "basically_competent", "incompetent")
SATISFACTION = ("satisfied", "basically_satisfied", "dissatisfied")
#: A score ballot (decision 0172): a whole number 0–100 per name; a name left
#: empty is not scored by that ballot and not counted in its mean.
SCORES = tuple(str(n) for n in range(101))

OPTION_WORDS: dict[str, Any] = {
    AGREE: gettext_lazy("同意"),
    DISAGREE: gettext_lazy("不同意"),
    CHOSEN: gettext_lazy("推荐"),
    "excellent": gettext_lazy("优秀"),
    "competent": gettext_lazy("称职"),
    "basically_competent": gettext_lazy("基本称职"),
    "incompetent": gettext_lazy("不称职"),
    "satisfied": gettext_lazy("满意"),
    "basically_satisfied": gettext_lazy("基本满意"),
    "dissatisfied": gettext_lazy("不满意"),
    **{score: score for score in SCORES},
}


#: A write-in name's length, and write-ins per section when the section sets
#: no limit of its own: a ballot has a bounded size, so every sealed ballot of
#: a meeting can be padded to one length (docs/decisions/0048).
MAX_WRITE_IN_CHARS = 30
CENT = Decimal("0.01")
MAX_WRITE_INS = 20


class BallotError(ValueError):
    """A ballot that cannot be read at all (an unknown name or option): refused,
    never counted. A ballot that names too many is readable, and invalid."""


@dataclass(frozen=True)
class SectionSpec:
    key: str
    max_choices: int | None = None
    write_ins: bool = False


@dataclass(frozen=True)
class BallotSpec:
    sections: tuple[SectionSpec, ...]
    items: Mapping[str, str]  # item key → section key
    options: tuple[str, ...]

    def section(self, key: str) -> SectionSpec:
        for s in self.sections:
            if s.key == key:
                return s
        raise BallotError(_("选票上没有栏目 %(s)s。") % {"s": key})


def normalize(content: Any) -> dict[str, Any]:
    """The canonical form: marks as a dict of str → str, write-ins as a dict
    of str → list of non-empty stripped names; anything else refused."""
    if not isinstance(content, Mapping):
        raise BallotError(_("选票内容格式不正确。"))
    marks = content.get("marks") or {}
    write_ins = content.get("write_ins") or {}
    if not isinstance(marks, Mapping) or not isinstance(write_ins, Mapping):
        raise BallotError(_("选票内容格式不正确。"))
    out_marks = {str(k): str(v) for k, v in marks.items() if v not in (None, "")}
    out_write: dict[str, list[str]] = {}
    for k, names in write_ins.items():
        if not isinstance(names, list):
            raise BallotError(_("另推荐人选应为姓名列表。"))
        cleaned = [str(n).strip() for n in names if str(n).strip()]
        if any(len(n) > MAX_WRITE_IN_CHARS for n in cleaned):
            raise BallotError(
                _("另推荐人选的姓名不能超过 %(n)d 个字。") % {"n": MAX_WRITE_IN_CHARS}
            )
        if len(cleaned) > MAX_WRITE_INS:
            raise BallotError(_("另推荐人选不能超过 %(n)d 人。") % {"n": MAX_WRITE_INS})
        if cleaned:
            out_write[str(k)] = cleaned
    return {"marks": out_marks, "write_ins": out_write}


def limited(option: str) -> bool:
    """Whether a mark counts against its section's `max_choices`: a choice
    (推荐) or an agreeing vote (同意) does; a disagreeing vote does not. A
    decision ballot has one section per post whose limit is the post's seats:
    nobody may agree to more candidates than there are seats (decision 0055)."""
    return option != DISAGREE


def over_limit(spec: BallotSpec, content: Mapping[str, Any]) -> list[str]:
    """The keys of the sections where a checked ballot names more than allowed."""
    per_section: dict[str, int] = {}
    for item, option in content.get("marks", {}).items():
        if limited(option) and item in spec.items:
            per_section[spec.items[item]] = per_section.get(spec.items[item], 0) + 1
    for section, names in content.get("write_ins", {}).items():
        per_section[section] = per_section.get(section, 0) + len(names)
    return [
        s.key
        for s in spec.sections
        if s.max_choices is not None and per_section.get(s.key, 0) > s.max_choices
    ]


def check(spec: BallotSpec, content: Any, excluded: Iterable[str] = ()) -> tuple[dict, bool]:
    """(canonical content, valid). Raises BallotError for an unreadable one.
    `excluded` are items this voter may not mark (recused, deferred)."""
    c = normalize(content)
    barred = set(excluded)
    for item, option in c["marks"].items():
        if item not in spec.items:
            raise BallotError(_("选票上没有编号为 %(i)s 的人选。") % {"i": item})
        if option not in spec.options:
            raise BallotError(_("“%(o)s”不是本选票的选项。") % {"o": option})
        if item in barred:
            raise BallotError(
                _("编号为 %(i)s 的人选不在您的表决范围内（回避或缓议）。") % {"i": item}
            )
    for section, names in c["write_ins"].items():
        s = spec.section(section)
        if not s.write_ins:
            raise BallotError(_("该栏目不能另推荐人选。"))
        if len(set(names)) != len(names):
            raise BallotError(_("另推荐人选有重复的姓名。"))
    return c, not over_limit(spec, c)


def padded_size(spec: BallotSpec) -> int:
    """The one plaintext length of every sealed ballot of a meeting: room for
    every name marked and every write-in slot filled with the longest name."""
    slots = sum(
        min(s.max_choices or MAX_WRITE_INS, MAX_WRITE_INS) for s in spec.sections if s.write_ins
    )
    return sealing.padded_size(len(spec.items), slots)


def is_blank(content: Mapping[str, Any]) -> bool:
    return not content.get("marks") and not content.get("write_ins")


@dataclass
class Counts:
    cast: int = 0
    valid: int = 0
    invalid: int = 0
    blank: int = 0
    items: dict[str, dict[str, int]] = field(default_factory=dict)
    write_ins: dict[str, dict[str, int]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "cast": self.cast,
            "valid": self.valid,
            "invalid": self.invalid,
            "blank": self.blank,
            "items": {k: dict(sorted(v.items())) for k, v in sorted(self.items.items())},
            "write_ins": {
                k: dict(sorted(v.items(), key=lambda kv: (-kv[1], kv[0])))
                for k, v in sorted(self.write_ins.items())
            },
        }


def _empty(spec: BallotSpec) -> Counts:
    # A score ballot's 101 options are not listed for every name: only the
    # scores given (the published result stays small).
    options = () if spec.options == SCORES else spec.options
    return Counts(items={i: dict.fromkeys(options, 0) for i in spec.items})


def count(
    spec: BallotSpec, ballots: Iterable[tuple[str, Mapping[str, Any], bool]]
) -> dict[str, Any]:
    """Totals and totals per group of (group, content, valid) ballots. Invalid
    ballots count only as cast and invalid; blank ones are valid."""
    total = _empty(spec)
    groups: dict[str, Counts] = {}
    for group, content, valid in ballots:
        for counts in (total, groups.setdefault(group, _empty(spec))):
            counts.cast += 1
            if not valid:
                counts.invalid += 1
                continue
            counts.valid += 1
            if is_blank(content):
                counts.blank += 1
            for item, option in content.get("marks", {}).items():
                marks = counts.items[item]
                marks[option] = marks.get(option, 0) + 1
            for section, names in content.get("write_ins", {}).items():
                bucket = counts.write_ins.setdefault(section, {})
                for name in names:
                    bucket[name] = bucket.get(name, 0) + 1
    out = total.as_dict()
    out["groups"] = {g: c.as_dict() for g, c in sorted(groups.items()) if g}
    return out


def score_mean(counts: Mapping[str, int]) -> Decimal | None:
    """The mean of the scores given to one name (`{score: ballots}`), half up
    to two decimals; None when no ballot scored it (decision 0172)."""
    scored = sum(counts.values())
    if not scored:
        return None
    total = sum(int(score) * n for score, n in counts.items())
    return (Decimal(total) / Decimal(scored)).quantize(CENT, rounding=ROUND_HALF_UP)


def check_counts(spec: BallotSpec, entry: Mapping[str, Any]) -> list[str]:
    """A counts-mode paper entry `{"cast", "invalid", "items": {item: {option: n}},
    "write_ins": {section: {name: n}}}`: cast = valid + invalid, and no name
    has more marks than there are valid ballots."""
    problems: list[str] = []
    cast, invalid = entry.get("cast"), entry.get("invalid", 0)
    if not _whole(cast) or not _whole(invalid):
        return [_("收回票数和无效票数应为非负整数。")]
    if invalid > cast:
        return [_("无效票 %(i)d 张超过收回的 %(c)d 张。") % {"i": invalid, "c": cast}]
    valid = cast - invalid
    items = entry.get("items") or {}
    if not isinstance(items, Mapping):
        return [_("各人选票数格式不正确。")]
    per_section: dict[str, int] = {}
    for item, options in items.items():
        if item not in spec.items or not isinstance(options, Mapping):
            problems.append(_("选票上没有编号为 %(i)s 的人选。") % {"i": item})
            continue
        marked = chosen = 0
        for option, n in options.items():
            if option not in spec.options or not _whole(n):
                problems.append(_("人选 %(i)s 的“%(o)s”票数不正确。") % {"i": item, "o": option})
                continue
            marked += n
            if limited(option):
                chosen += n
        if marked > valid:
            problems.append(
                _("人选 %(i)s 的票数合计 %(n)d 超过有效票 %(v)d 张。")
                % {"i": item, "n": marked, "v": valid}
            )
        section = spec.items[item]
        per_section[section] = per_section.get(section, 0) + chosen
    for section, names in (entry.get("write_ins") or {}).items():
        if not isinstance(names, Mapping) or not all(_whole(n) for n in names.values()):
            problems.append(_("另推荐人选票数格式不正确。"))
            continue
        for name, n in names.items():
            if n > valid:
                problems.append(
                    _("另推荐人选%(p)s的票数 %(n)d 超过有效票 %(v)d 张。")
                    % {"p": name, "n": n, "v": valid}
                )
        per_section[str(section)] = per_section.get(str(section), 0) + sum(names.values())
    for s in spec.sections:
        if s.max_choices is not None and per_section.get(s.key, 0) > valid * s.max_choices:
            problems.append(_("栏目 %(s)s 的推荐票合计超过有效票数乘以限选人数。") % {"s": s.key})
    return problems


def counts_result(spec: BallotSpec, entry: Mapping[str, Any]) -> dict[str, Any]:
    """The tally of a checked counts-mode entry, in `count`'s shape."""
    cast, invalid = int(entry["cast"]), int(entry.get("invalid", 0))
    out = _empty(spec)
    out.cast, out.invalid, out.valid = cast, invalid, cast - invalid
    out.blank = int(entry.get("blank", 0))
    for item, options in (entry.get("items") or {}).items():
        for option, n in options.items():
            out.items[item][option] = int(n)
    for section, names in (entry.get("write_ins") or {}).items():
        out.write_ins[str(section)] = {str(k): int(v) for k, v in names.items() if v}
    result = out.as_dict()
    result["groups"] = {}
    return result


def _whole(n: Any) -> bool:
    return isinstance(n, int) and not isinstance(n, bool) and n >= 0


def canonical(group: str, content: Mapping[str, Any], valid: bool) -> str:
    return json.dumps(
        {"group": group, "content": content, "valid": valid},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )


def published(ballots: Iterable[tuple[str, Mapping[str, Any], bool]]) -> list[str]:
    """The ballots as published: canonical lines, sorted (no order of arrival)."""
    return sorted(canonical(g, c, v) for g, c, v in ballots)


def digest(lines: Sequence[str]) -> str:
    """SHA-256 of the sorted published ballots, one per line."""
    return hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest()


def decision_counts(
    result: Mapping[str, Any], item: str, recused_who_voted: int
) -> tuple[int, int, int]:
    """(agree, disagree, abstain) for one candidate: every valid ballot of a
    voter not recused from this candidate that marks nothing is an abstention.
    A recused voter's ballot leaves the candidate blank like an abstention, so
    their number is subtracted here rather than marked on the ballot (which
    would single the ballot out)."""
    marks = result["items"].get(item, {})
    agree, disagree = marks.get(AGREE, 0), marks.get(DISAGREE, 0)
    abstain = result["valid"] - recused_who_voted - agree - disagree
    if abstain < 0:
        raise BallotError(_("人选 %(i)s 的票数超过参加表决的人数。") % {"i": item})
    return agree, disagree, abstain
