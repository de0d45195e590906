"""Reproduce every R QCA 3.25 reference output in ../shared/qca/reference.

Truth tables are compared row by row (remainders included), models as sets of
terms (R's order is not meaningful), fit figures to within 1e-6.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from analysis.qca import calibrate, minimize, necessity, truth_table

from .conftest import QCA_SHARED, load_json, reference_files

SUFFICIENCY = reference_files("sufficiency")
NECESSITY = reference_files("necessity")
CALIBRATION = reference_files("calibration")

if not (SUFFICIENCY and NECESSITY and CALIBRATION):
    pytest.skip(
        f"R reference JSON not found under {QCA_SHARED / 'reference'}",
        allow_module_level=True,
    )

TOL = 1e-6


def close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) < TOL


def build_tt(ref: dict, load_dataset):
    opts = ref["truth_table"]["options"]
    outcome = ("~" if opts["neg.out"] else "") + opts["outcome"]
    return truth_table(
        load_dataset(ref["dataset"]),
        outcome,
        ref["conditions"],
        incl_cut=opts["incl.cut"],
        n_cut=opts["n.cut"],
        pri_cut=opts["pri.cut"],
    )


def minimize_args(call: str) -> dict:
    """Translate R's minimize() call into keyword arguments."""
    kwargs = {}
    if 'include = "?"' in call:
        kwargs["include"] = "?"
    if "row.dom = TRUE" in call:
        kwargs["row_dom"] = True
    m = re.search(r"dir\.exp = c\(([^)]*)\)", call)
    if m:
        kwargs["dir_exp"] = [s.strip() for s in m.group(1).split(",")]
    return kwargs


def solution_cases():
    for path in SUFFICIENCY:
        ref = load_json(path)
        for key in ref["solutions"]:
            yield pytest.param(path, key, id=f"{path.stem}-{key}")


@pytest.mark.parametrize("path", SUFFICIENCY, ids=lambda p: p.stem)
def test_truth_table(path, load_dataset):
    ref = load_json(path)
    tt = build_tt(ref, load_dataset)
    rows = list(tt.rows())
    expected = ref["truth_table"]["rows"]
    assert len(rows) == len(expected)
    for got, want in zip(rows, expected, strict=True):
        assert got.row == want["row"]
        assert list(got.values) == want["values"]
        assert got.out == want["OUT"], f"row {got.row}"
        assert got.n == want["n"]
        assert close(got.incl, want["incl"]), f"incl of row {got.row}"
        assert close(got.pri, want["PRI"]), f"PRI of row {got.row}"
        assert list(got.cases) == want["cases"]
    counts = ref["truth_table"]["counts"]
    assert tt.counts == counts


def check_models(models, expected):
    got = {frozenset(m.terms): m for m in models}
    want = {frozenset(m["terms"]): m for m in expected}
    assert set(got) == set(want)
    for key, model in got.items():
        ref = want[key]
        for name in ("inclS", "PRI", "covS"):
            assert close(getattr(model.solution_fit, name), ref["solution_fit"][name]), name
        ref_terms = {t["term"]: t for t in ref["term_fit"]}
        assert {t.term for t in model.term_fit} == set(ref_terms)
        for t in model.term_fit:
            for name in ("inclS", "PRI", "covS", "covU"):
                assert close(getattr(t, name), ref_terms[t.term][name]), (t.term, name)


def check_overall(term_fit, expected):
    ref_terms = {t["term"]: t for t in expected}
    assert {t.term for t in term_fit} == set(ref_terms)
    for t in term_fit:
        for name in ("inclS", "PRI", "covS", "covU"):
            assert close(getattr(t, name), ref_terms[t.term][name]), (t.term, name)


@pytest.mark.parametrize("path,key", list(solution_cases()))
def test_solution(path, key, load_dataset):
    ref = load_json(path)
    tt = build_tt(ref, load_dataset)
    sol_ref = ref["solutions"][key]
    solution = minimize(tt, **minimize_args(sol_ref["call"]))
    if "intermediate" in sol_ref:
        # The parsimonious side of the computation is what R stores at top level.
        assert set(solution.pi_chart.prime_implicants) == set(
            sol_ref["PIchart"]["prime_implicants"]
        )
        assert len(solution.branches) == len(sol_ref["intermediate"])
        for branch, want in zip(solution.branches, sol_ref["intermediate"], strict=True):
            assert branch.combination == want["combination"]
            assert set(branch.c_sol) == set(want["c.sol"])
            assert set(branch.p_sol) == set(want["p.sol"])
            assert list(branch.easy_counterfactuals) == [
                r["row"] for r in want["easy_counterfactuals"]
            ]
            assert list(branch.difficult_counterfactuals) == [
                r["row"] for r in want["difficult_counterfactuals"]
            ]
            check_models(branch.models, want["models"])
            check_overall(branch.term_fit_overall, want["term_fit_overall"])
            assert set(branch.essential) == set(want["essential"])
            assert set(branch.pi_chart.prime_implicants) == set(want["PIchart"]["prime_implicants"])
        expected_models = [m for b in sol_ref["intermediate"] for m in b["models"]]
        check_models(solution.models, expected_models)
    else:
        assert len(solution.models) == sol_ref["n_models"]
        check_models(solution.models, sol_ref["models"])
        check_overall(solution.term_fit_overall, sol_ref["term_fit_overall"])
        assert set(solution.essential) == set(sol_ref["essential"])
        chart = sol_ref["PIchart"]
        assert set(solution.pi_chart.prime_implicants) == set(chart["prime_implicants"])
        assert [str(c) for c in solution.pi_chart.columns] == chart["columns"]
        got_cover = dict(
            zip(solution.pi_chart.prime_implicants, solution.pi_chart.covers, strict=True)
        )
        for pi, cols in zip(chart["prime_implicants"], chart["covers"], strict=True):
            assert [str(c) for c in got_cover[pi]] == cols
    want_sa = {
        name: [r["row"] for r in rows] for name, rows in sol_ref["simplifying_assumptions"].items()
    }
    if "intermediate" not in sol_ref:
        # Model names follow R's order (the same sorted implicant combinations).
        got_sa = {name: list(rows) for name, rows in solution.simplifying_assumptions.items()}
        by_terms = {frozenset(m.terms): got_sa[m.name] for m in solution.models}
        for m in sol_ref["models"]:
            assert by_terms[frozenset(m["terms"])] == want_sa[m["name"]]
    else:
        assert {k: list(v) for k, v in solution.simplifying_assumptions.items()} == want_sa


@pytest.mark.parametrize("path", NECESSITY, ids=lambda p: p.stem)
def test_necessity(path, load_dataset):
    ref = load_json(path)
    call = ref["call"]
    conditions = [e["term"] for e in ref["result"]["expressions"]]
    outcome = re.search(r"\$(\w+), relation", call).group(1)
    fits = necessity(load_dataset(ref["dataset"]), outcome, conditions, negations=False)
    assert [f.condition for f in fits] == conditions
    for fit, want in zip(fits, ref["result"]["expressions"], strict=True):
        for name in ("inclN", "RoN", "covN"):
            assert close(getattr(fit, name), want[name]), (fit.condition, name)


def _calibration_kwargs(call: str) -> dict:
    kwargs: dict = {}
    m = re.search(r'thresholds = (?:"([^"]*)"|c\(([^)]*)\)|([0-9.]+))', call)
    text = m.group(1) or m.group(2) or m.group(3)
    if 'type = "crisp"' in call:
        kwargs["type"] = "crisp"
        kwargs["thresholds"] = [float(v) for v in text.split(",")]
    else:
        kwargs["thresholds"] = text
    if "logistic = FALSE" in call:
        kwargs["logistic"] = False
    if "idm = 1/(1 + exp(-3))" in call:
        kwargs["idm"] = 1 / (1 + np.exp(-3))
    else:
        m = re.search(r"idm = ([0-9.]+)", call)
        if m:
            kwargs["idm"] = float(m.group(1))
    for arg in ("below", "above"):
        m = re.search(arg + r" = ([0-9.]+)", call)
        if m:
            kwargs[arg] = float(m.group(1))
    return kwargs


def calibration_cases():
    for path in CALIBRATION:
        ref = load_json(path)
        if "calibrations" in ref:
            for name, c in ref["calibrations"].items():
                yield pytest.param(ref["input"], c["call"], c["output"], id=f"{path.stem}-{name}")
        for col, c in ref.get("columns", {}).items():
            for variant in ("default", "logodds3"):
                yield pytest.param(
                    c["input"],
                    c[f"call_{variant}"],
                    c[f"output_{variant}"],
                    id=f"{path.stem}-{col}-{variant}",
                )


@pytest.mark.parametrize("x,call,expected", list(calibration_cases()))
def test_calibration(x, call, expected):
    got = calibrate(x, **_calibration_kwargs(call))
    np.testing.assert_allclose(got, expected, atol=1e-12, rtol=0)


def test_shipped_lf_is_logodds3_calibration_of_lr(qca_dir, load_dataset):
    ref = load_json(qca_dir / "reference" / "calibration" / "calib_LR_to_LF.json")
    lf = load_dataset("LF")
    for col, c in ref["columns"].items():
        scores = calibrate(c["input"], thresholds=c["thresholds"], idm=1 / (1 + np.exp(-3)))
        np.testing.assert_array_equal(np.round(scores, 2), lf[col].to_numpy())
