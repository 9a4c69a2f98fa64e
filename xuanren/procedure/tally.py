"""The decision meeting's arithmetic (讨论决定): one pure integer function that
the procedure's decision step and the ballots both use, whatever way the votes
were collected (electronic, paper, show of hands).

Reg. 2019 and seed §3/§8: at least two thirds of the committee's members present
(以上 includes the number); each candidate voted separately; a candidate passes
with the agreement of MORE THAN HALF OF ALL MEMBERS WHO SHOULD ATTEND, not of
those present; a candidate may be deferred (缓议) by a majority of those present
and is then not voted on; a member concerned by recusal leaves that vote.
Fractions are parameters from the procedure template, compared in integers.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Fraction:
    num: int
    den: int

    def __post_init__(self) -> None:
        if self.den <= 0 or self.num < 0 or self.num > self.den:
            raise ValueError(f"invalid fraction {self.num}/{self.den}")


TWO_THIRDS = Fraction(2, 3)
HALF = Fraction(1, 2)


def at_least(part: int, whole: int, frac: Fraction) -> bool:
    """part ≥ frac × whole (以上: the number itself counts)."""
    return part * frac.den >= whole * frac.num


def more_than(part: int, whole: int, frac: Fraction) -> bool:
    """part > frac × whole (超过: the number itself does not count)."""
    return part * frac.den > whole * frac.num


@dataclass(frozen=True)
class Rules:
    """The template's parameters for a decision meeting."""

    quorum: Fraction = TWO_THIRDS  # present ≥ quorum × members
    majority: Fraction = HALF  # agree > majority × members (members who should attend)
    deferral: Fraction = HALF  # defer votes > deferral × present


class Outcome(enum.StrEnum):
    PASSED = "passed"
    REJECTED = "rejected"
    DEFERRED = "deferred"
    NO_QUORUM = "no_quorum"


OUTCOME_WORDS = {
    Outcome.PASSED: "通过",
    Outcome.REJECTED: "未通过",
    Outcome.DEFERRED: "缓议",
    Outcome.NO_QUORUM: "未达到法定到会人数，不得表决",
}


@dataclass(frozen=True)
class CandidateVotes:
    """What was recorded for one candidate. Voters are identified only for
    recusal and deferral; the ballots themselves carry no names."""

    agree: int = 0
    disagree: int = 0
    abstain: int = 0
    defer_votes: int = 0  # members present who voted to defer
    recused: frozenset[str] = frozenset()  # members who left this vote


@dataclass(frozen=True)
class CandidateResult:
    outcome: Outcome
    agree: int
    disagree: int
    abstain: int
    eligible_voters: int  # present minus recused
    needed: int  # the least number of agree votes that passes
    sentence: str


@dataclass(frozen=True)
class MeetingResult:
    members: int
    present: int
    quorum_met: bool
    quorum_needed: int
    results: Mapping[str, CandidateResult] = field(default_factory=dict)


class TallyError(ValueError):
    """The recorded numbers cannot be true (more votes than voters …)."""


def least_passing(members: int, frac: Fraction) -> int:
    """The smallest whole number strictly above frac × members."""
    return members * frac.num // frac.den + 1


def least_quorum(members: int, frac: Fraction) -> int:
    """The smallest whole number at least frac × members."""
    return -(-members * frac.num // frac.den)


def decide(
    *,
    members: Sequence[str],
    present: Sequence[str],
    votes: Mapping[str, CandidateVotes],
    rules: Rules = Rules(),
) -> MeetingResult:
    """Outcome per candidate. `members` are all who should attend (应到会成员),
    `present` those who attended (a subset)."""
    member_set, present_set = set(members), set(present)
    if len(member_set) != len(members) or len(present_set) != len(present):
        raise TallyError("到会名单或应到会名单有重复。")
    if not present_set <= member_set:
        raise TallyError("到会人员不在应到会成员名单中。")
    n_members, n_present = len(member_set), len(present_set)
    quorum_ok = at_least(n_present, n_members, rules.quorum)
    needed = least_passing(n_members, rules.majority)
    results: dict[str, CandidateResult] = {}
    for candidate, v in votes.items():
        if not v.recused <= member_set:
            raise TallyError(f"{candidate}：回避人员不在应到会成员名单中。")
        voters = len(present_set - v.recused)
        if min(v.agree, v.disagree, v.abstain, v.defer_votes) < 0:
            raise TallyError(f"{candidate}：票数不能为负数。")
        if v.agree + v.disagree + v.abstain > voters:
            raise TallyError(
                f"{candidate}：同意、不同意、弃权合计 {v.agree + v.disagree + v.abstain} 票，"
                f"超过参加表决的 {voters} 人。"
            )
        if v.defer_votes > n_present:
            raise TallyError(f"{candidate}：缓议票数超过到会人数。")
        if not quorum_ok:
            outcome = Outcome.NO_QUORUM
            sentence = (
                f"应到会 {n_members} 人，实到 {n_present} 人，"
                f"不足三分之二（至少 {least_quorum(n_members, rules.quorum)} 人），不得表决。"
            )
        elif more_than(v.defer_votes, n_present, rules.deferral):
            outcome = Outcome.DEFERRED
            sentence = (
                f"到会 {n_present} 人中 {v.defer_votes} 人同意缓议，超过半数，缓议，不予表决。"
            )
        elif more_than(v.agree, n_members, rules.majority):
            outcome = Outcome.PASSED
            sentence = f"同意 {v.agree} 票，超过应到会成员 {n_members} 人的半数（至少 {needed} 票），通过。"
        else:
            outcome = Outcome.REJECTED
            sentence = f"同意 {v.agree} 票，未超过应到会成员 {n_members} 人的半数（至少 {needed} 票），未通过。"
        if v.recused and outcome is not Outcome.NO_QUORUM:
            sentence += f"（{len(v.recused)} 人回避）"
        results[candidate] = CandidateResult(
            outcome, v.agree, v.disagree, v.abstain, voters, needed, sentence
        )
    return MeetingResult(
        members=n_members,
        present=n_present,
        quorum_met=quorum_ok,
        quorum_needed=least_quorum(n_members, rules.quorum),
        results=results,
    )
