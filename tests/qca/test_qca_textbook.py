"""Published solutions and R's documented cut-off rules on the classic datasets.

Sources: Rihoux & De Meur (2009) and Dusa (2019, "QCA with R") for the Lipset
data (LC crisp, LF fuzzy); the figures are those R's QCA prints for them.
"""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.qca import QCAError, consistency, coverage, minimize, truth_table

LIPSET = "DEV, URB, LIT, IND, STB"


def terms(solution):
    return [frozenset(m.terms) for m in solution.models]


def test_lc_surv_parsimonious_is_dev_stb(load_dataset):
    tt = truth_table(load_dataset("LC"), "SURV", LIPSET)
    assert terms(minimize(tt, "?")) == [frozenset({"DEV*STB"})]


def test_lc_negated_outcome(load_dataset):
    # Rihoux & De Meur (2009): the configurations of breakdown (~SURV).
    tt = truth_table(load_dataset("LC"), "~SURV", LIPSET)
    assert terms(minimize(tt)) == [frozenset({"~DEV*~URB*~IND", "DEV*LIT*IND*~STB"})]
    pars = minimize(tt, "?")
    assert terms(pars) == [frozenset({"~DEV", "~STB"})]
    fit = pars.models[0].solution_fit
    assert (fit.inclS, fit.covS) == (1.0, 1.0)


def test_lf_surv_incl_08(load_dataset):
    # Dusa (2019): fuzzy Lipset data, inclusion cut-off 0.8.
    tt = truth_table(load_dataset("LF"), "SURV", LIPSET, incl_cut=0.8)
    assert [r.row for r in tt.rows(remainders=False) if r.out == "1"] == [22, 32]
    assert terms(minimize(tt)) == [frozenset({"DEV*URB*LIT*IND*STB", "DEV*~URB*LIT*~IND*STB"})]
    assert terms(minimize(tt, "?")) == [frozenset({"DEV*~IND", "URB*STB"})]
    inter = minimize(tt, "?", dir_exp={c: 1 for c in ["DEV", "URB", "LIT", "IND", "STB"]})
    assert terms(inter) == [frozenset({"DEV*URB*LIT*STB", "DEV*LIT*~IND*STB"})]
    # The same expectations written the R way give the same answer.
    same = minimize(tt, "?", dir_exp="DEV, URB, LIT, IND, STB")
    assert terms(same) == terms(inter)


def test_n_cut_rows_become_remainders_but_keep_their_cases_in_fit(load_dataset):
    data = load_dataset("LC")
    tt = truth_table(data, "SURV", LIPSET, n_cut=2)
    rows = {r.row: r for r in tt.rows()}
    for row, case in ((6, "EE"), (23, "AU"), (31, "DE")):
        assert rows[row].out == "?"
        assert rows[row].n == 1
        assert rows[row].cases == (case,)
    assert tt.counts["remainders"] == 26
    pars = minimize(tt, "?")
    # With EE's row a remainder, LIT*STB is as short a model as DEV.
    assert terms(pars) == [frozenset({"DEV"}), frozenset({"LIT*STB"})]
    fit = pars.models[0].solution_fit
    # AU and DE (DEV, not SURV) still count although their rows were cut.
    assert fit.inclS == pytest.approx(consistency(data["DEV"], data["SURV"]))
    assert fit.inclS == pytest.approx(0.8)
    assert fit.covS == pytest.approx(coverage(data["DEV"], data["SURV"]))


def test_contradictions_between_the_two_cutoffs(load_dataset):
    tt = truth_table(load_dataset("LF"), "SURV", LIPSET, incl_cut=(0.8, 0.7))
    out = {r.row: r.out for r in tt.rows(remainders=False)}
    assert out[24] == "C"  # incl 0.709
    assert out[6] == "0"  # incl 0.529
    assert out[22] == "1" and out[32] == "1"
    # Contradictions are negative unless included.
    assert terms(minimize(tt, "?")) == [frozenset({"DEV*~IND", "URB*STB"})]
    assert terms(minimize(tt, "?,C"))[0] != frozenset({"DEV*~IND", "URB*STB"})


def test_cutoff_tolerance_and_pri_cut():
    # incl of the A row is 0.8 - 1e-10: within R's 1.49e-8 tolerance of 0.8.
    eps = 1e-10
    df = pd.DataFrame(
        {"A": [1.0, 1.0, 0.0], "Y": [1.0, 0.6 - 2 * eps, 0.0]},
        index=["a", "b", "c"],
    )
    tt = truth_table(df, "Y", "A", incl_cut=0.8)
    assert {r.row: r.out for r in tt.rows()} == {1: "0", 2: "1"}
    assert next(r for r in tt.rows() if r.row == 2).incl == pytest.approx(0.8 - eps)
    strict = truth_table(df, "Y", "A", incl_cut=0.8, pri_cut=0.9)
    assert {r.row: r.out for r in strict.rows()} == {1: "0", 2: "0"}


def test_cases_with_half_membership_are_not_listed():
    df = pd.DataFrame({"A": [0.5, 0.9, 0.1], "Y": [1.0, 1.0, 0.0]}, index=["h", "p", "q"])
    tt = truth_table(df, "Y", "A")
    rows = {r.row: r for r in tt.rows(remainders=False)}
    assert rows[1].cases == ("q",)
    assert rows[1].n == 1
    assert rows[2].cases == ("p",)


def test_nothing_to_explain_is_an_error():
    df = pd.DataFrame({"A": [1, 0], "Y": [0, 0]})
    tt = truth_table(df, "Y", "A")
    with pytest.raises(QCAError, match="nothing to explain"):
        minimize(tt)


def test_dir_exp_needs_remainders(load_dataset):
    tt = truth_table(load_dataset("LC"), "SURV", LIPSET)
    with pytest.raises(QCAError, match="remainders"):
        minimize(tt, "", dir_exp={"DEV": 1})


def test_all_dash_expectations_give_the_conservative_models(load_dataset):
    tt = truth_table(load_dataset("LC"), "SURV", LIPSET)
    inter = minimize(tt, "?", dir_exp="DEV=-,URB=-,LIT=-,IND=-,STB=-")
    assert terms(inter) == terms(minimize(tt))


def test_hopelessly_ambiguous_charts_fail_cleanly():
    from analysis.qca.cover import minimal_covers

    # Four columns, each coverable by two interchangeable implicants: 16 models.
    chart = [1 << (i // 2) for i in range(8)]
    assert minimal_covers(chart, 4)[0] == 4
    assert len(minimal_covers(chart, 4)[1]) == 16
    with pytest.raises(QCAError, match="too ambiguous"):
        minimal_covers(chart, 4, max_models=10)
    with pytest.raises(QCAError, match="too ambiguous"):
        minimal_covers([0b11, 0b01, 0b10] * 10, 2, max_work=5)
