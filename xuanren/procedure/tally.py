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

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


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
    Outcome.PASSED: gettext_lazy("通过"),
    Outcome.REJECTED: gettext_lazy("未通过"),
    Outcome.DEFERRED: gettext_lazy("缓议"),
    Outcome.NO_QUORUM: gettext_lazy("未达到法定到会人数，不得表决"),
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
        raise TallyError(_("到会名单或应到会名单有重复。"))
    if not present_set <= member_set:
        raise TallyError(_("到会人员不在应到会成员名单中。"))
    n_members, n_present = len(member_set), len(present_set)
    quorum_ok = at_least(n_present, n_members, rules.quorum)
    needed = least_passing(n_members, rules.majority)
    results: dict[str, CandidateResult] = {}
    for candidate, v in votes.items():
        if not v.recused <= member_set:
            raise TallyError(_("%(c)s：回避人员不在应到会成员名单中。") % {"c": candidate})
        voters = len(present_set - v.recused)
        if min(v.agree, v.disagree, v.abstain, v.defer_votes) < 0:
            raise TallyError(_("%(c)s：票数不能为负数。") % {"c": candidate})
        if v.agree + v.disagree + v.abstain > voters:
            raise TallyError(
                _("%(c)s：同意、不同意、弃权合计 %(n)d 票，超过参加表决的 %(v)d 人。")
                % {"c": candidate, "n": v.agree + v.disagree + v.abstain, "v": voters}
            )
        if v.defer_votes > n_present:
            raise TallyError(_("%(c)s：缓议票数超过到会人数。") % {"c": candidate})
        if not quorum_ok:
            outcome = Outcome.NO_QUORUM
            sentence = _(
                "应到会 %(m)d 人，实到 %(p)d 人，未达到法定到会人数（至少 %(q)d 人），不得表决。"
            ) % {"m": n_members, "p": n_present, "q": least_quorum(n_members, rules.quorum)}
        elif more_than(v.defer_votes, n_present, rules.deferral):
            outcome = Outcome.DEFERRED
            sentence = _("到会 %(p)d 人中 %(d)d 人同意缓议，超过半数，缓议，不予表决。") % {
                "p": n_present,
                "d": v.defer_votes,
            }
        elif more_than(v.agree, n_members, rules.majority):
            outcome = Outcome.PASSED
            sentence = _(
                "同意 %(a)d 票，超过应到会成员 %(m)d 人的半数（至少 %(n)d 票），通过。"
            ) % {"a": v.agree, "m": n_members, "n": needed}
        else:
            outcome = Outcome.REJECTED
            sentence = _(
                "同意 %(a)d 票，未超过应到会成员 %(m)d 人的半数（至少 %(n)d 票），未通过。"
            ) % {"a": v.agree, "m": n_members, "n": needed}
        if v.recused and outcome is not Outcome.NO_QUORUM:
            sentence += _("（%(n)d 人回避）") % {"n": len(v.recused)}
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
