"""The pure counting: validity, per-group totals, invariants under any order."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xuanren.ballots import counting
from xuanren.ballots.counting import BallotError, BallotSpec, SectionSpec

REC = BallotSpec(
    sections=(SectionSpec("s1", max_choices=2, write_ins=True), SectionSpec("s2", max_choices=1)),
    items={"a": "s1", "b": "s1", "c": "s1", "d": "s2", "e": "s2"},
    options=counting.RECOMMENDATION_OPTIONS,
)


def test_more_names_than_allowed_is_invalid_and_blank_is_valid():
    assert counting.check(REC, {"marks": {"a": "chosen", "b": "chosen"}})[1]
    assert not counting.check(REC, {"marks": {"a": "chosen", "b": "chosen", "c": "chosen"}})[1]
    # a write-in counts towards the limit of its section
    assert not counting.check(
        REC, {"marks": {"a": "chosen", "b": "chosen"}, "write_ins": {"s1": ["王五"]}}
    )[1]
    assert counting.check(REC, {})[1]
    tally = counting.count(
        REC,
        [
            ("中层干部", {"marks": {}, "write_ins": {}}, True),
            ("中层干部", {"marks": {"a": "chosen"}, "write_ins": {"s1": ["王五"]}}, True),
            ("职工群众", {"marks": {"a": "chosen", "b": "chosen", "c": "chosen"}}, False),
        ],
    )
    assert (tally["cast"], tally["valid"], tally["invalid"], tally["blank"]) == (3, 2, 1, 1)
    assert tally["items"]["a"] == {"chosen": 1}  # the invalid ballot's names are not counted
    assert tally["write_ins"] == {"s1": {"王五": 1}}
    assert tally["groups"]["中层干部"]["valid"] == 2
    assert tally["groups"]["职工群众"]["invalid"] == 1


@pytest.mark.parametrize(
    "content",
    [
        {"marks": {"zz": "chosen"}},
        {"marks": {"a": "agree"}},
        {"write_ins": {"s2": ["某某"]}},  # no write-ins in that section
        {"write_ins": {"s1": ["某某", "某某"]}},
        {"marks": ["a"]},
        "a",
    ],
)
def test_unreadable_ballots_are_refused(content):
    with pytest.raises(BallotError):
        counting.check(REC, content)


def test_a_barred_name_cannot_be_marked():
    with pytest.raises(BallotError, match="回避或缓议"):
        counting.check(REC, {"marks": {"a": "chosen"}}, excluded=["a"])


ballots = st.lists(
    st.tuples(
        st.sampled_from(["中层干部", "职工群众"]),
        st.fixed_dictionaries(
            {
                "marks": st.dictionaries(
                    st.sampled_from(list(REC.items)), st.just("chosen"), max_size=5
                ),
                "write_ins": st.dictionaries(
                    st.just("s1"), st.lists(st.sampled_from(["张三", "李四"]), unique=True)
                ),
            }
        ),
    ),
    max_size=40,
)


@given(ballots, st.randoms())
def test_counts_hold_whatever_the_ballots_and_their_order(raw, rnd):
    rows = []
    for group, content in raw:
        clean, valid = counting.check(REC, content)
        rows.append((group, clean, valid))
    tally = counting.count(REC, rows)
    assert tally["cast"] == tally["valid"] + tally["invalid"] == len(rows)
    for marks in tally["items"].values():
        assert marks["chosen"] <= tally["valid"]
    for names in tally["write_ins"].values():
        assert all(n <= tally["valid"] for n in names.values())
    assert tally["blank"] <= tally["valid"]
    assert sum(g["cast"] for g in tally["groups"].values()) == tally["cast"]
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    assert counting.count(REC, shuffled) == tally
    assert counting.digest(counting.published(shuffled)) == counting.digest(
        counting.published(rows)
    )


@given(st.integers(0, 30), st.integers(0, 30), st.integers(0, 30), st.integers(0, 5))
def test_decision_counts_abstain_is_what_is_left(agree, disagree, blank, recused):
    spec = BallotSpec((SectionSpec("s"),), {"x": "s"}, counting.DECISION_OPTIONS)
    rows = (
        [("", {"marks": {"x": "agree"}}, True)] * agree
        + [("", {"marks": {"x": "disagree"}}, True)] * disagree
        + [("", {"marks": {}}, True)] * (blank + recused)
    )
    tally = counting.count(spec, rows)
    assert counting.decision_counts(tally, "x", recused) == (agree, disagree, blank)
    with pytest.raises(BallotError):
        counting.decision_counts(tally, "x", blank + recused + 1)


def test_digest_depends_on_content_not_on_order():
    rows: list[tuple[str, dict[str, Any], bool]] = [
        ("", {"marks": {"a": "chosen"}}, True),
        ("", {"marks": {}}, True),
    ]
    lines = counting.published(rows)
    assert counting.digest(lines) == counting.digest(list(reversed(lines)))
    other = counting.published([("", {"marks": {"b": "chosen"}}, True), ("", {"marks": {}}, True)])
    assert counting.digest(lines) != counting.digest(other)
    assert len(counting.digest(lines)) == 64


COUNTS_SPEC = BallotSpec(
    (SectionSpec("s", max_choices=1),), {"a": "s", "b": "s"}, counting.RECOMMENDATION_OPTIONS
)


def test_counts_entry_checks_cast_valid_and_each_name():
    assert (
        counting.check_counts(
            COUNTS_SPEC, {"cast": 10, "invalid": 1, "items": {"a": {"chosen": 9}}}
        )
        == []
    )
    assert (
        "超过有效票 9 张"
        in counting.check_counts(
            COUNTS_SPEC, {"cast": 10, "invalid": 1, "items": {"a": {"chosen": 10}}}
        )[0]
    )
    assert counting.check_counts(COUNTS_SPEC, {"cast": 3, "invalid": 4})
    assert counting.check_counts(COUNTS_SPEC, {"cast": -1})
    assert counting.check_counts(
        COUNTS_SPEC, {"cast": 10, "items": {"a": {"chosen": 6}, "b": {"chosen": 6}}}
    )  # 12 names on 10 ballots allowing one each
