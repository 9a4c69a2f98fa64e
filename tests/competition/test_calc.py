"""竞聘评分 arithmetic from hand-computed examples (docs/decisions/0148)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from xuanren.competition import calc


def test_weights_must_be_positive_whole_percents_summing_to_100():
    assert calc.weights_problem({"written": 40, "situational": 20, "group_discussion": 20,
                                 "speech": 20}) is None  # fmt: skip
    assert calc.weights_problem({"written": 40, "speech": 50}) == "not_100"
    assert calc.weights_problem({"written": 60, "speech": 50}) == "not_100"
    assert calc.weights_problem({"written": 100, "speech": 0}) == "not_positive"
    assert calc.weights_problem({}) == "empty"


@pytest.mark.parametrize(
    ("value", "problem"),
    [("0", None), ("100", None), ("85.5", None), ("100.1", "out_of_range"),
     ("-0.1", "out_of_range"), ("85.55", "too_many_decimals"), ("NaN", "not_a_number")],
)  # fmt: skip
def test_a_judges_score_is_0_to_100_with_one_decimal(value, problem):
    assert calc.score_problem(D(value)) == problem


def test_three_judges_below_five_no_trimming():
    # (80 + 85 + 90.5) / 3 = 255.5 / 3 = 85.1666… → 85.17
    t = calc.trimmed_mean([D("80"), D("85"), D("90.5")], 5)
    assert t.mean == D("85.17") and t.dropped == ()


def test_five_judges_drop_the_highest_and_the_lowest():
    # 70 and 95 dropped; (80 + 82 + 86) / 3 = 248 / 3 = 82.666… → 82.67
    t = calc.trimmed_mean([D("95"), D("80"), D("70"), D("86"), D("82")], 5)
    assert t.mean == D("82.67")
    assert t.dropped == (D("70"), D("95"))
    assert t.kept == (D("80"), D("82"), D("86"))


def test_only_one_highest_and_one_lowest_are_dropped_when_repeated():
    # 90, 90, 80, 80, 85 → drop one 80 and one 90: (80 + 85 + 90) / 3 = 85
    t = calc.trimmed_mean([D("90"), D("90"), D("80"), D("80"), D("85")], 5)
    assert t.mean == D("85.00")


def test_the_threshold_is_data_but_never_below_three():
    # with N = 4, four judges are trimmed: (81 + 84) / 2 = 82.5
    assert calc.trimmed_mean([D("75"), D("81"), D("84"), D("99")], 4).mean == D("82.50")
    # N = 2 would leave nothing of two scores: two judges are never trimmed
    assert calc.trimmed_mean([D("75"), D("81")], 2).mean == D("78.00")


def test_half_up_rounding_of_the_mean():
    # (80.1 + 80.2 + 80.2 + 80.2) / 4 = 80.175 → 80.18 (half up, not to even)
    assert calc.trimmed_mean([D("80.1"), D("80.2"), D("80.2"), D("80.2")], 9).mean == D("80.18")


def test_composite_is_the_weighted_sum_of_the_sub_test_scores():
    weights = {"written": 40, "situational": 20, "group_discussion": 15, "speech": 25}
    subs = {"written": D("85.17"), "situational": D("78.00"), "group_discussion": D("90.33"),
            "speech": D("88.50")}  # fmt: skip
    # 0.40×85.17 + 0.20×78 + 0.15×90.33 + 0.25×88.5
    # = 34.068 + 15.6 + 13.5495 + 22.125 = 85.3425 → 85.34
    assert calc.composite(subs, weights) == D("85.34")


def _e(key: int, total: str, **subs: str) -> calc.Entry:
    return calc.Entry(key, D(total), {k: D(v) for k, v in subs.items()})


def test_ranking_highest_composite_first():
    ranked = calc.rank([_e(1, "80", written="80"), _e(2, "90", written="70"),
                        _e(3, "85", written="99")])  # fmt: skip
    assert [(e.key, r, t) for e, r, t in ranked] == [(2, 1, False), (3, 2, False), (1, 3, False)]


def test_equal_composites_go_by_the_written_test_then_the_next_sub_test():
    ranked = calc.rank([
        _e(1, "85", written="80", situational="90"),
        _e(2, "85", written="88", situational="70"),
        _e(3, "85", written="80", situational="91"),
    ])  # fmt: skip
    # 2 has the higher written test; 1 and 3 equal there, 3 the higher situational test
    assert [(e.key, r, t) for e, r, t in ranked] == [(2, 1, False), (3, 2, False), (1, 3, False)]


def test_equal_in_everything_is_a_shared_rank_and_the_next_is_skipped():
    ranked = calc.rank([
        _e(1, "90", written="90"),
        _e(2, "85", written="80", speech="90"),
        _e(3, "85", written="80", speech="90"),
        _e(4, "70", written="60"),
    ])  # fmt: skip
    assert [(r, t) for _e_, r, t in ranked] == [(1, False), (2, True), (2, True), (4, False)]
    assert {e.key for e, r, _t in ranked if r == 2} == {2, 3}
