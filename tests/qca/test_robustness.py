"""The QCA guards on small constructed data with hand-verified values."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.qca.errors import QCAError
from analysis.qca.robustness import (
    contradiction_benchmark,
    necessity_verdicts,
    permutation_test,
    skewness,
)


def _free_one_condition(n: int) -> float:
    """P(no contradiction) for n random cases on one random crisp condition, by hand.

    The cases split into the two configurations (binomial); a group of m >= 1 cases is
    contradiction-free when all m outcomes agree, probability 2 ** (1 - m).
    """

    def homogeneous(m: int) -> float:
        return 1.0 if m == 0 else 2.0 ** (1 - m)

    return sum(math.comb(n, j) / 2**n * homogeneous(j) * homogeneous(n - j) for j in range(n + 1))


@pytest.mark.parametrize("n", [2, 3, 5, 8])
def test_benchmark_matches_the_closed_form_for_one_condition(n):
    got = contradiction_benchmark(n, 1, simulations=20000).p_contradiction_free
    assert got == pytest.approx(_free_one_condition(n), abs=0.015)


def test_two_cases_one_condition_is_three_quarters_contradiction_free():
    assert _free_one_condition(2) == 0.75
    assert contradiction_benchmark(2, 1, simulations=20000).p_contradiction_free == pytest.approx(
        0.75, abs=0.015
    )


def test_a_below_benchmark_design_is_labelled_exploratory():
    small = contradiction_benchmark(5, 4)
    assert not small.met and small.p_contradiction_free > 0.5
    assert contradiction_benchmark(60, 2).met


def test_benchmark_is_deterministic_and_refuses_nonsense():
    assert contradiction_benchmark(9, 3) == contradiction_benchmark(9, 3)
    with pytest.raises(QCAError):
        contradiction_benchmark(0, 2)


def test_permutation_p_value_is_exact_and_small_for_a_planted_structure():
    # Eight cases, A = Y: of the C(8, 4) = 70 distinct outcome orderings, exactly two
    # (Y = A and Y = ~A) are explained with consistency and coverage 1.
    df = pd.DataFrame({"A": [1, 1, 1, 1, 0, 0, 0, 0], "Y": [1, 1, 1, 1, 0, 0, 0, 0]})
    r = permutation_test(df, "Y", ["A"])
    assert r.exhaustive and r.permutations == 70
    assert r.p_value == pytest.approx(2 / 70)
    assert (r.observed_inclS, r.observed_covS) == (1.0, 1.0)


def test_permutation_p_value_counts_six_cases_by_hand():
    # C(6, 3) = 20 orderings; again only Y = A and Y = ~A match: 2 / 20.
    df = pd.DataFrame({"A": [1, 1, 0, 0, 1, 0], "Y": [1, 1, 0, 0, 1, 0]})
    assert permutation_test(df, "Y", ["A"]).p_value == pytest.approx(0.1)


def test_permutation_p_value_is_large_for_noise():
    df = pd.DataFrame(
        {
            "A": [1, 0, 1, 0, 1, 0, 1, 0],
            "B": [1, 1, 0, 0, 1, 0, 0, 1],
            "Y": [1, 0, 0, 1, 0, 1, 1, 0],
        }
    )
    r = permutation_test(df, "Y", ["A", "B"])
    assert r.exhaustive and r.permutations == 70
    assert r.p_value > 0.5


def test_permutation_sampling_beyond_the_limit_includes_the_observed_ordering():
    # C(9, 4) = 126 distinct orderings > 50: sampled, the observed ordering counted first.
    y = np.array([1, 1, 1, 1, 0, 0, 0, 0, 0], dtype=float)
    df = pd.DataFrame({"A": y, "Y": y})
    r = permutation_test(df, "Y", ["A"], max_permutations=50)
    assert not r.exhaustive and r.permutations == 50
    assert 1 / 50 <= r.p_value < 0.2


def test_no_observed_solution_gives_p_one():
    df = pd.DataFrame({"A": [1, 0, 1, 0], "Y": [1, 1, 0, 0]})
    r = permutation_test(df, "Y", ["A"])
    assert r.p_value == 1.0 and r.observed_inclS is None


def test_a_trivial_necessity_is_flagged():
    # inclN(A) = 2/2 = 1; RoN = sum(1-A) / sum(1-min(A,Y)) = 0.33 / 4 = 0.0825.
    df = pd.DataFrame({"A": [1, 1, 1, 1, 1, 0.67], "Y": [1, 0, 1, 0, 0, 0]})
    a, not_a = necessity_verdicts(df, "Y", ["A"])
    assert a.inclN == 1.0 and a.RoN == pytest.approx(0.0825)
    assert a.verdict == "trivial" and a.trivial and a.skewed and a.skew == 1.0
    assert not_a.verdict == "not_necessary"


def test_a_relevant_necessity_is_necessary():
    # inclN = 2/2; RoN = 3 / (6 - 2) = 0.75.
    df = pd.DataFrame({"A": [1, 1, 0, 0, 1, 0], "Y": [1, 1, 0, 0, 0, 0]})
    a = necessity_verdicts(df, "Y", ["A"])[0]
    assert (a.inclN, a.RoN, a.verdict, a.skewed) == (1.0, 0.75, "necessary", False)


def test_thresholds_are_configurable():
    df = pd.DataFrame({"A": [1, 1, 0, 0, 1, 0], "Y": [1, 1, 0, 0, 0, 0]})
    assert necessity_verdicts(df, "Y", ["A"], ron=0.8)[0].verdict == "trivial"


def test_skewness_leaves_out_the_crossover_and_missing():
    assert skewness([0.9, 0.8, 1.0, 0.2, 0.67]) == pytest.approx(0.8)
    assert skewness([0.5, float("nan"), 0.0, 1.0]) == 0.5
    assert math.isnan(skewness([0.5]))
