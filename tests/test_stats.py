"""Tests for analysis.stats, with hand-computed statistics."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.stats import (
    SCALE,
    agreement,
    clustering_conclusion,
    coding_sensitivity,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    to_scale_steps,
)

# --- no test on family counts (issue 10 §4) ------------------------------------------


def test_no_independence_test_on_family_counts():
    """The chi² test on counts of mechanisms per family, unrelated to any outcome, is gone."""
    import analysis.stats as stats

    assert not hasattr(stats, "independence_test")
    assert not hasattr(stats, "IndependenceResult")


# --- kappa and alpha ----------------------------------------------------------------


def test_cohen_kappa_hand_values():
    # po = .8; pe = .6 * .4 + .4 * .6 = .48
    assert cohen_kappa([1, 1, 0, 0, 1], [1, 0, 0, 0, 1]) == pytest.approx(0.32 / 0.52)
    assert cohen_kappa(["a", "b", "c"], ["a", "b", "c"]) == pytest.approx(1.0)
    # Both coders say "yes" to everything: chance agreement 1, kappa undefined.
    assert math.isnan(cohen_kappa([1, 1, 1], [1, 1, 1]))
    # Quadratic weights on 3 ordered categories: 1 - Σ w o / Σ w e
    a, b = [0, 1, 2, 2], [0, 2, 2, 1]
    # w = (c - k)² / 2²; observed (1,2), (2,1) at 1/4 each -> Σ w o = 2 * 1/4 * 1/4
    # marginals 1/4, 1/4, 1/2 for both -> Σ w e = 2 * (1/4 * 1/16 + 1 * 1/8 + 1/4 * 1/8)
    sum_wo = 2 * 0.25 * 0.25
    sum_we = 2 * (0.25 / 16 + 1 / 8 + 0.25 / 8)
    assert cohen_kappa(a, b, wt="quadratic") == pytest.approx(1 - sum_wo / sum_we)
    assert cohen_kappa(a, b, wt="quadratic") == pytest.approx(7 / 11)
    with pytest.raises(ValueError):
        cohen_kappa([1, 0], [1])


def test_fleiss_kappa_hand_value():
    r = pd.DataFrame([[1, 1, 1], [0, 0, 0], [1, 1, 0], [0, 0, 0]], columns=["c1", "c2", "c3"])
    # P̄ = (1 + 1 + 1/3 + 1) / 4; P̄e = (7/12)² + (5/12)²
    pbar, pe = (10 / 3) / 4, 74 / 144
    assert fleiss_kappa(r) == pytest.approx((pbar - pe) / (1 - pe))
    assert fleiss_kappa(r, method="randolph") == pytest.approx((pbar - 0.5) / 0.5)


def test_krippendorff_alpha_hand_and_reference_values():
    # Two coders, one disagreement: 1 - (2/18) / (230/306).
    data = [[1, 2, 3, 3, 2, 1, 4, 1, 2], [1, 2, 3, 3, 2, 2, 4, 1, 2]]
    assert krippendorff_alpha(data, level="nominal") == pytest.approx(1 - (2 / 18) / (230 / 306))
    # Ordinal, steps a = 0,1,2,3 b = 0,2,2,3: D_o = 1, D_e = 624 / 56.
    assert krippendorff_alpha([[0, 1, 2, 3], [0, 2, 2, 3]]) == pytest.approx(1 - 56 / 624)
    # The krippendorff package's own reference example (3 coders, missing values).
    nan = np.nan
    ref = [
        [nan, nan, nan, nan, nan, 3, 4, 1, 2, 1, 1, 3, 3, nan, 3],
        [1, nan, 2, 1, 3, 3, 4, 3, nan, nan, nan, nan, nan, nan, nan],
        [nan, nan, 2, 1, 3, 4, 4, nan, 2, 1, 1, 3, 3, nan, 4],
    ]
    assert krippendorff_alpha(ref, level="nominal") == pytest.approx(0.691358, abs=1e-6)
    assert krippendorff_alpha(ref, level="interval") == pytest.approx(0.810845, abs=1e-6)
    assert math.isnan(krippendorff_alpha([[1, 1, 1], [1, 1, 1]]))


def test_to_scale_steps():
    assert to_scale_steps([0, 0.33, 0.67, 1, 1 / 3, 2 / 3]).tolist() == [0, 1, 2, 3, 1, 2]
    with pytest.raises(ValueError, match="scale"):
        to_scale_steps([0.5])
    with pytest.raises(ValueError):
        to_scale_steps([1.33])


def _coders() -> tuple[pd.DataFrame, pd.DataFrame]:
    a = pd.DataFrame(
        {
            "case_id": ["s", "s", "s", "d", "d", "d"],
            "code": ["x", "y", "z", "x", "y", "z"],
            "score": [1, 0.33, 0, 0.67, 0, 1],
        }
    )
    # Coder b does not list (s, y): under missing="absent" that is a 0.
    b = pd.DataFrame(
        {
            "case_id": ["s", "s", "d", "d", "d"],
            "code": ["x", "z", "x", "y", "z"],
            "score": [1, 0, 0.67, 0.33, 0.67],
        }
    )
    return a, b


def test_agreement_hand_values():
    a, b = _coders()
    res = agreement(a, b)
    assert res.n_units == 6
    assert res.exact_agreement == pytest.approx(3 / 6)
    # Presence: 4 agreements of 6; both coders mark 4 of 6 present -> pe = 20/36.
    assert res.kappa_presence == pytest.approx(0.25)
    # Ordinal alpha on steps a = 3,1,0,2,0,3 and b = 3,0,0,2,1,2:
    # D_o = 54/12, D_e = 3204/132 (worked by hand from the coincidence matrix).
    assert res.alpha_ordinal == pytest.approx(1 - (54 / 12) / (3204 / 132))
    pc = res.per_code
    assert list(pc.index) == ["x", "y", "z"]
    assert pc["n"].tolist() == [2, 2, 2]
    assert pc.loc["x", "alpha_ordinal"] == pytest.approx(1.0)
    assert pc.loc["y", "alpha_ordinal"] == pytest.approx(-0.5)
    assert pc.loc["z", "alpha_ordinal"] == pytest.approx(1 - 0.5 / 3)
    assert pc["n_disagreements"].tolist() == [0, 2, 1]
    dis = res.disagreements
    assert dis[["case_id", "code", "score_a", "score_b", "steps"]].values.tolist() == [
        ["d", "y", 0.0, 0.33, 1],
        ["d", "z", 1.0, 0.67, -1],
        ["s", "y", 0.33, 0.0, -1],
    ]


def test_agreement_drop_missing_and_validation():
    a, b = _coders()
    res = agreement(a, b, missing="drop")
    assert res.n_units == 5
    assert ("s", "y") not in set(zip(res.units["case_id"], res.units["code"], strict=True))
    with pytest.raises(ValueError, match="twice"):
        agreement(pd.concat([a, a.iloc[:1]]), b)
    with pytest.raises(ValueError, match="scale"):
        agreement(a.assign(score=0.5), b)
    with pytest.raises(ValueError, match="missing"):
        agreement(a, b, missing="zero")


def test_agreement_undefined_per_code_alpha_is_nan():
    a = pd.DataFrame({"case_id": ["s", "d"], "code": ["x", "x"], "score": [1, 1]})
    res = agreement(a, a)
    assert res.exact_agreement == 1.0
    assert math.isnan(res.per_code.loc["x", "alpha_ordinal"])
    assert res.disagreements.empty


# --- coding sensitivity -------------------------------------------------------------


@pytest.fixture()
def fragile() -> pd.DataFrame:
    # c sits between a and b, slightly closer (fuzzy Jaccard) to b.
    return pd.DataFrame(
        {
            "x": [1.0, 0.0, 0.33],
            "y": [1.0, 0.0, 0.0],
            "z": [0.0, 1.0, 0.33],
            "w": [0.0, 0.67, 0.0],
        },
        index=pd.Index(["a", "b", "c"], name="case_id"),
    )


def test_clustering_conclusion_canonical(fragile):
    assert clustering_conclusion(fragile) == (("a",), ("b", "c"))
    # Row order does not matter.
    assert clustering_conclusion(fragile.iloc[::-1]) == (("a",), ("b", "c"))
    assert clustering_conclusion(fragile, k=3) == (("a",), ("b",), ("c",))


def test_coding_sensitivity_on_clustering(fragile):
    res = coding_sensitivity(fragile, None, clustering_conclusion)
    assert res.baseline == (("a",), ("b", "c"))
    # 12 cells; cells at 0 or 1 move one way, the three at .33/.67 both ways.
    assert len(res.runs) == 12 + 3
    assert set(res.runs["direction"]) == {"up", "down"}
    # Hand-checked pivotal moves of c (fuzzy Jaccard to a vs to b):
    #   x up to .67: a .67/2.33 vs b .33/2.34 -> joins a
    #   z down to 0:  a .33/2     vs b 0        -> joins a
    #   y up to .33:  a .66/2.33 vs b .33/2.33 -> joins a
    changed = {(r.case_id, r.code, r.perturbed) for r in res.changed.itertuples()}
    assert {("c", "x", 0.67), ("c", "z", 0.0), ("c", "y", 0.33)} <= changed
    #   z up to .67 or w up to .33 pull c further towards b: no change.
    assert ("c", "z", 0.67) not in changed and ("c", "w", 0.33) not in changed
    # Every run agrees with clustering the perturbed matrix directly.
    for r in res.runs.itertuples():
        m = fragile.copy()
        m.at[r.case_id, r.code] = r.perturbed
        assert r.conclusion == clustering_conclusion(m)
        assert r.changed == (clustering_conclusion(m) != res.baseline)
    assert set(res.fragile_cells["case_id"]) <= {"a", "b", "c"}
    assert len(res.fragile_cells) == len(res.changed[["case_id", "code"]].drop_duplicates())


def test_coding_sensitivity_with_outcome_and_options():
    m = pd.DataFrame({"x": [1.0, 0.33], "y": [0.67, 0.0]}, index=["a", "b"])
    y = pd.Series([1.0, 0.0], index=["a", "b"], name="participation")
    seen = []

    def consistency(mm: pd.DataFrame, yy: pd.Series) -> float:
        # Fuzzy-set consistency of x as sufficient for the outcome, rounded: a toy
        # stand-in for a QCA solution.
        seen.append(yy.name)
        return round(float(np.minimum(mm["x"], yy).sum() / mm["x"].sum()), 1)

    res = coding_sensitivity(m, y, consistency, cells=[("b", "x")], perturb_outcome=True)
    assert res.baseline == round(1 / 1.33, 1)  # 0.8
    assert res.runs["target"].tolist() == ["membership", "membership", "outcome", "outcome"]
    assert res.runs["code"].tolist() == ["x", "x", "participation", "participation"]
    assert res.runs["perturbed"].tolist() == [0.0, 0.67, 0.67, 0.33]
    # b.x -> 0: 1/1 = 1.0 (changed); b.x -> .67: 1/1.67 = .6 (changed);
    # a.y -> .67: .67/1.33 = .5 (changed); b.y -> .33: 1.33/1.33 = 1.0 (changed)
    assert res.runs["conclusion"].tolist() == [1.0, 0.6, 0.5, 1.0]
    assert res.runs["changed"].all()
    assert set(seen) == {"participation"}
    # A tolerant comparison turns small changes into "no change".
    tolerant = coding_sensitivity(
        m, y, consistency, cells=[("b", "x")], same=lambda p, q: abs(p - q) <= 0.25
    )
    assert tolerant.changed["perturbed"].tolist() == []
    with pytest.raises(ValueError):
        coding_sensitivity(m, None, lambda mm: 0, perturb_outcome=True)
    # A missing outcome score (source silent) is passed through but never perturbed.
    y_missing = y.copy()
    y_missing["b"] = np.nan
    res = coding_sensitivity(m, y_missing, lambda mm, yy: 0, cells=[], perturb_outcome=True)
    assert res.runs[["case_id", "perturbed"]].values.tolist() == [["a", 0.67]]


def test_scale_constant():
    assert SCALE == (0.0, 0.33, 0.67, 1.0)


def test_docstring_examples_run():
    import doctest

    import analysis.stats as module

    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_coding_sensitivity_leaves_not_reported_cells_alone(fragile):
    m = fragile.copy()
    m.loc["c", "w"] = float("nan")  # c's source is silent on w: missing, not 0
    res = coding_sensitivity(m, None, clustering_conclusion)
    assert ("c", "w") not in set(zip(res.runs["case_id"], res.runs["code"], strict=True))
    # One cell fewer than the full matrix, and it was at 0 (one move): 15 - 1 runs.
    assert len(res.runs) == 14
    res2 = coding_sensitivity(m, None, clustering_conclusion, cells=[("c", "w"), ("c", "x")])
    assert set(res2.runs["code"]) == {"x"}
