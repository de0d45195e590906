"""Similarity at scale: the same numbers, bit for bit, without (n, n, codes) arrays."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pandas as pd
import pytest

from analysis import similarity
from analysis.similarity import METRICS, jointly_reported


def _membership(n: int, codes: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.choice([0.0, 0.33, 0.67, 1.0], size=(n, codes))
    x[rng.random((n, codes)) < 0.3] = np.nan
    x[0] = np.nan  # a case that reports nothing: NaN similarity with every other
    return pd.DataFrame(
        x,
        index=pd.Index([f"c{i:03d}" for i in range(n)], name="case_id"),
        columns=[f"k{j}" for j in range(codes)],
    )


def _reference(membership: pd.DataFrame, metric: str) -> np.ndarray:
    """The coefficient as the whole-array computation gives it."""
    num, den, joint = (a.sum(axis=2) for a in similarity._contributions(membership, metric))
    return similarity._combine(metric, num, den, joint)


@pytest.mark.parametrize("metric", sorted(METRICS))
@pytest.mark.parametrize(("n", "codes"), [(2, 3), (37, 5), (61, 40), (45, 131)])
def test_similarity_equals_the_whole_array_computation_bit_for_bit(metric, n, codes) -> None:
    m = _membership(n, codes, seed=n + codes)
    got = METRICS[metric](m)
    assert list(got.index) == list(m.index) and list(got.columns) == list(m.index)
    np.testing.assert_array_equal(got.to_numpy(), _reference(m, metric))
    assert jointly_reported(m).to_numpy().diagonal()[0] == 0


def test_similarity_of_many_cases_needs_no_cases_x_cases_x_codes_array() -> None:
    m = _membership(400, 40, seed=1)  # one (400, 400, 40) float array is 51 MB
    tracemalloc.start()
    try:
        METRICS["fuzzy_jaccard"](m)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 30e6
