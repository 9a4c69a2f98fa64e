"""The decision arithmetic at every edge the regulation names."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xuanren.procedure.tally import (
    HALF,
    TWO_THIRDS,
    CandidateVotes,
    Fraction,
    Outcome,
    TallyError,
    at_least,
    decide,
    least_passing,
    least_quorum,
    more_than,
)


def people(n, prefix="m"):
    return [f"{prefix}{i}" for i in range(n)]


def one(members, present, **votes):
    result = decide(
        members=people(members), present=people(present), votes={"甲": CandidateVotes(**votes)}
    )
    return result, result.results["甲"]


def test_fifteen_members_ten_present_is_a_quorum_nine_is_not():
    result, _ = one(15, 10, agree=8)
    assert result.quorum_met and result.quorum_needed == 10
    _, r9 = one(15, 9, agree=9)
    assert r9.outcome is Outcome.NO_QUORUM
    assert "不得表决" in r9.sentence


def test_fifteen_members_eight_agree_pass_seven_fail_even_with_seven_of_ten_present():
    _, r8 = one(15, 10, agree=8, disagree=2)
    assert r8.outcome is Outcome.PASSED and r8.needed == 8
    _, r7 = one(15, 10, agree=7, disagree=3)
    assert r7.outcome is Outcome.REJECTED
    assert "未超过应到会成员 15 人的半数" in r7.sentence


def test_fourteen_members_need_ten_present_and_eight_agree():
    assert one(14, 10, agree=8)[0].quorum_met
    assert not one(14, 9, agree=8)[0].quorum_met
    assert one(14, 10, agree=8)[1].outcome is Outcome.PASSED
    assert one(14, 10, agree=7)[1].outcome is Outcome.REJECTED  # 7 is exactly half: not more


def test_deferral_needs_a_majority_of_those_present():
    _, r = one(15, 10, defer_votes=6, agree=10)
    assert r.outcome is Outcome.DEFERRED
    _, r = one(15, 10, defer_votes=5, agree=10)  # exactly half of those present: not deferred
    assert r.outcome is Outcome.PASSED


def test_recused_member_leaves_the_vote_and_the_threshold_stays():
    members = people(15)
    votes = {"甲": CandidateVotes(agree=9, recused=frozenset({"m0"}))}
    r = decide(members=members, present=members[:10], votes=votes).results["甲"]
    assert r.eligible_voters == 9 and r.outcome is Outcome.PASSED and "1 人回避" in r.sentence
    with pytest.raises(TallyError, match="超过参加表决的 9 人"):
        decide(
            members=members,
            present=members[:10],
            votes={"甲": CandidateVotes(agree=10, recused=frozenset({"m0"}))},
        )


def test_impossible_numbers_refused():
    with pytest.raises(TallyError):
        one(15, 10, agree=8, disagree=2, abstain=1)
    with pytest.raises(TallyError):
        decide(members=people(3), present=["x"], votes={})
    with pytest.raises(TallyError):
        one(15, 10, agree=-1)


def test_each_candidate_separately():
    result = decide(
        members=people(9),
        present=people(7),
        votes={
            "甲": CandidateVotes(agree=5),
            "乙": CandidateVotes(agree=4),
            "丙": CandidateVotes(defer_votes=4),
        },
    )
    assert [r.outcome for r in result.results.values()] == [
        Outcome.PASSED,
        Outcome.REJECTED,
        Outcome.DEFERRED,
    ]


@given(members=st.integers(1, 200), present=st.integers(0, 200))
def test_quorum_is_two_thirds_inclusive(members, present):
    if present > members:
        return
    assert at_least(present, members, TWO_THIRDS) == (3 * present >= 2 * members)
    assert (present >= least_quorum(members, TWO_THIRDS)) == at_least(present, members, TWO_THIRDS)


@given(members=st.integers(1, 200), agree=st.integers(0, 200))
def test_majority_is_more_than_half_of_members(members, agree):
    assert more_than(agree, members, HALF) == (2 * agree > members)
    assert (agree >= least_passing(members, HALF)) == (2 * agree > members)


@given(
    members=st.integers(1, 60),
    data=st.data(),
)
def test_outcome_matches_the_plain_integer_rules(members, data):
    present = data.draw(st.integers(0, members))
    voters = present
    agree = data.draw(st.integers(0, voters))
    disagree = data.draw(st.integers(0, voters - agree))
    defer = data.draw(st.integers(0, present))
    r = decide(
        members=people(members),
        present=people(present),
        votes={"x": CandidateVotes(agree=agree, disagree=disagree, defer_votes=defer)},
    ).results["x"]
    if 3 * present < 2 * members:
        assert r.outcome is Outcome.NO_QUORUM
    elif 2 * defer > present:
        assert r.outcome is Outcome.DEFERRED
    elif 2 * agree > members:
        assert r.outcome is Outcome.PASSED
    else:
        assert r.outcome is Outcome.REJECTED


def test_fraction_validation():
    with pytest.raises(ValueError):
        Fraction(3, 2)
    with pytest.raises(ValueError):
        Fraction(1, 0)


def test_recused_must_be_a_member():
    with pytest.raises(TallyError, match="回避人员"):
        one(15, 10, agree=8, recused=frozenset({"stranger"}))
