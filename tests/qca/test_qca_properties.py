"""Property tests on random crisp and fuzzy data, checked against brute force."""

from __future__ import annotations

import os
from itertools import combinations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from analysis.qca import QCAError, minimize, truth_table
from analysis.qca.cover import minimal_covers
from analysis.qca.implicants import parse_term

# QCA_HYPOTHESIS_EXAMPLES raises the number of examples for a thorough run.
EXAMPLES = int(os.environ.get("QCA_HYPOTHESIS_EXAMPLES", "60"))
SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@st.composite
def datasets(draw, fuzzy_conditions: bool = False):
    k = draw(st.integers(2, 5))
    n = draw(st.integers(2, 24))
    if fuzzy_conditions:
        cell = st.sampled_from([0.0, 0.1, 0.3, 0.4, 0.6, 0.7, 0.9, 1.0])
    else:
        cell = st.integers(0, 1)
    x = draw(st.lists(st.lists(cell, min_size=k, max_size=k), min_size=n, max_size=n))
    y = draw(st.lists(st.sampled_from([0.0, 0.2, 0.45, 0.55, 0.8, 1.0]), min_size=n, max_size=n))
    names = [f"C{i}" for i in range(1, k + 1)]
    df = pd.DataFrame(x, columns=names, dtype=float)
    df["Y"] = y
    df.index = [f"case{i}" for i in range(n)]
    cut = draw(st.sampled_from([1.0, 0.8, 0.6]))
    return df, names, cut


def covered(term: str, names, k: int) -> set[int]:
    mask, bits = parse_term(term, names)
    return {c for c in range(1 << k) if c & mask == bits}


def model_cover(model, names, k):
    out: set[int] = set()
    for t in model.terms:
        out |= covered(t, names, k)
    return out


def brute_primes(on: set[int], off: set[int], k: int) -> list[tuple[int, int]]:
    def implicant(mask, bits):
        cov = {c for c in range(1 << k) if c & mask == bits}
        return cov & on and not cov & off

    primes = []
    for mask in range(1 << k):
        bits = mask
        while True:
            if implicant(mask, bits):
                drops = [b for b in range(k) if mask >> b & 1]
                if not any(implicant(mask & ~(1 << b), bits & ~(1 << b)) for b in drops):
                    primes.append((mask, bits))
            if bits == 0:
                break
            bits = (bits - 1) & mask
    return primes


def brute_covers(chart: list[int], ncols: int) -> list[tuple[int, ...]]:
    full = (1 << ncols) - 1
    for size in range(0, len(chart) + 1):
        found = []
        for combo in combinations(range(len(chart)), size):
            acc = 0
            for i in combo:
                acc |= chart[i]
            if acc == full:
                found.append(combo)
        if found:
            return found
    return []


def direct_fit(member: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    inter = sum(min(a, b) for a, b in zip(member, y, strict=True))
    both = sum(min(a, b, 1 - b) for a, b in zip(member, y, strict=True))
    with np.errstate(invalid="ignore", divide="ignore"):
        incl = np.float64(inter) / sum(member)
        pri = np.float64(inter - both) / (sum(member) - both)
        return incl, pri, np.float64(inter) / sum(y)


def membership(term: str, df: pd.DataFrame) -> np.ndarray:
    out = np.ones(len(df))
    for lit in term.split("*"):
        col = df[lit.lstrip("~")].to_numpy()
        out = np.minimum(out, 1 - col if lit.startswith("~") else col)
    return out


def same(got: float, want: float) -> bool:
    # R reports figures below 1e-5 (one model) or 1e-4 (several models) as 0.
    return abs(got - want) < 1e-9 or (want < 1e-4 and got == 0.0)


def check_fit(solution, df: pd.DataFrame) -> None:
    y = df["Y"].to_numpy()
    for model in solution.models:
        members = [membership(t, df) for t in model.terms]
        whole = np.max(members, axis=0)
        for got, want in zip(
            (model.solution_fit.inclS, model.solution_fit.PRI, model.solution_fit.covS),
            direct_fit(whole, y),
            strict=True,
        ):
            if not np.isnan(want):
                assert same(got, want)
        for i, tf in enumerate(model.term_fit):
            want = direct_fit(members[i], y)
            for got, w in zip((tf.inclS, tf.PRI, tf.covS), want, strict=True):
                if not np.isnan(w):
                    assert same(got, w)
            if len(members) == 1:
                assert tf.covU is None
            else:
                rest = np.max([m for j, m in enumerate(members) if j != i], axis=0)
                unique = direct_fit(whole, y)[2] - direct_fit(rest, y)[2]
                assert same(tf.covU, unique)


@SETTINGS
@given(datasets())
def test_conservative_models_are_exactly_the_minimal_covers(case):
    df, names, cut = case
    tt = truth_table(df, "Y", names, incl_cut=cut)
    k = len(names)
    positive = set(tt.configs_with(["1"]).tolist())
    assume(positive)
    try:
        solution = minimize(tt)
    except QCAError:
        assume(len(positive) < 1 << k)
        raise
    for model in solution.models:
        assert model_cover(model, names, k) == positive
    primes = brute_primes(positive, set(range(1 << k)) - positive, k)
    order = sorted(positive)
    chart = [sum(1 << j for j, c in enumerate(order) if c & m == b) for m, b in primes]
    expected = {frozenset(primes[i] for i in combo) for combo in brute_covers(chart, len(order))}
    got = {frozenset(parse_term(t, names) for t in m.terms) for m in solution.models}
    assert got == expected
    check_fit(solution, df)


@SETTINGS
@given(datasets(), st.data())
def test_parsimonious_and_intermediate_models(case, data):
    df, names, cut = case
    tt = truth_table(df, "Y", names, incl_cut=cut)
    k = len(names)
    positive = set(tt.configs_with(["1"]).tolist())
    negative = set(tt.configs_with(["0", "C"]).tolist())
    assume(positive and negative)
    pars = minimize(tt, "?")
    sizes = {len(m.terms) for m in pars.models}
    assert len(sizes) == 1
    for model in pars.models:
        cov = model_cover(model, names, k)
        assert positive <= cov and not cov & negative
        for term in model.terms:
            # Every term is prime: dropping any literal lets in a negative configuration.
            lits = term.split("*")
            for i in range(len(lits)):
                shorter = "*".join(lits[:i] + lits[i + 1 :])
                if shorter:
                    assert covered(shorter, names, k) & negative
    # Every minimal cover of the reported chart is reported, and nothing else.
    chart = pars.pi_chart
    cols = list(chart.columns)
    masks = [sum(1 << cols.index(r) for r in rows) for rows in chart.covers]
    expected = {
        frozenset(chart.prime_implicants[i] for i in combo)
        for combo in brute_covers(masks, len(cols))
    }
    assert {frozenset(m.terms) for m in pars.models} == expected
    check_fit(pars, df)

    dir_exp = {n: data.draw(st.sampled_from(["1", "0", "-"])) for n in names}
    inter = minimize(tt, "?", dir_exp=dir_exp)
    for model in inter.models:
        cov = model_cover(model, names, k)
        assert positive <= cov and not cov & negative
    check_fit(inter, df)


@SETTINGS
@given(datasets(fuzzy_conditions=True))
def test_fuzzy_truth_table_fit_is_recomputed_from_the_data(case):
    df, names, cut = case
    tt = truth_table(df, "Y", names, incl_cut=cut)
    y = df["Y"].to_numpy()
    for row in tt.rows(remainders=False):
        term = "*".join(n if v else "~" + n for n, v in zip(names, row.values, strict=True))
        member = membership(term, df)
        assert row.n == int((member > 0.5).sum())
        incl, pri, _ = direct_fit(member, y)
        assert abs(row.incl - incl) < 1e-12
        assert abs(row.pri - pri) < 1e-12
    positive = tt.configs_with(["1"])
    negative = tt.configs_with(["0", "C"])
    assume(len(positive) and len(negative))
    check_fit(minimize(tt, "?"), df)
    check_fit(minimize(tt), df)


@settings(max_examples=EXAMPLES * 3, deadline=None)
@given(
    st.integers(1, 9).flatmap(
        lambda ncols: st.tuples(
            st.just(ncols),
            st.lists(st.integers(1, (1 << ncols) - 1), min_size=1, max_size=11),
        )
    )
)
def test_minimal_covers_match_brute_force(args):
    ncols, chart = args
    union = 0
    for m in chart:
        union |= m
    assume(union == (1 << ncols) - 1)
    size, models = minimal_covers(chart, ncols)
    expected = brute_covers(chart, ncols)
    assert size == len(expected[0])
    assert models == sorted(expected)
