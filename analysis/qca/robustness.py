"""Guards that say whether a QCA result can mean anything: design benchmark, permutation test,
necessity relevance and skewness.

These are the checks a methods reviewer applies before any configurational claim
(Schneider & Wagemann 2012; Marx & Dusa 2011; Braumoeller 2015):

- :func:`contradiction_benchmark` -- how often random crisp data with the same number of
  cases and conditions give a contradiction-free truth table (Marx & Dusa's simulation idea).
  When that is likely, a "perfect" truth table says nothing: the design is exploratory.
- :func:`permutation_test` -- how often a solution at least as consistent and as covering as
  the observed one arises when the outcome is randomly permuted over the cases (Braumoeller's
  approach; exhaustive over all orderings when there are few cases).
- :func:`necessity_verdicts` -- a condition is necessary only when its consistency and its
  relevance (RoN) both pass their thresholds; high consistency with low relevance is named
  *trivial*.
- :func:`skewness` -- the share of cases on the larger side of the 0.5 anchor; a set with
  more than 80 % of cases on one side makes consistency uninformative.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"A": [1, 1, 0, 0, 1, 0], "Y": [1, 1, 0, 0, 1, 0]})
>>> permutation_test(df, "Y", ["A"]).p_value
0.1
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.qca.data import SetData, prepare
from analysis.qca.errors import QCAError
from analysis.qca.fit import NecessityFit, necessity_table
from analysis.qca.minimize import minimize
from analysis.qca.truth_table import truth_table_from_sets

#: Defaults a reviewer expects; reports state them.
NECESSITY_INCL = 0.9
NECESSITY_RON = 0.5
SKEW_LIMIT = 0.8
BENCHMARK_THRESHOLD = 0.05


@dataclass(frozen=True)
class Benchmark:
    """Whether a design with ``n_cases`` and ``n_conditions`` can separate structure from chance.

    Attributes
    ----------
    n_cases, n_conditions : int
        The design.
    p_contradiction_free : float
        Share of simulated random crisp data sets (conditions and outcome each 0/1 with
        probability 1/2) whose truth table has no contradictory configuration.
    threshold : float
        The largest acceptable share.
    simulations : int
        Number of random data sets.
    met : bool
        ``p_contradiction_free <= threshold``.
    """

    n_cases: int
    n_conditions: int
    p_contradiction_free: float
    threshold: float
    simulations: int
    met: bool


def _contradiction_free(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """For each simulated data set, whether no configuration holds both outcome values.

    ``x`` is (sims, cases, conditions) of 0/1, ``y`` is (sims, cases).
    """
    weights = 1 << np.arange(x.shape[2], dtype=np.int64)
    keys = (x.astype(np.int64) * weights).sum(axis=2)  # (sims, cases)
    n_configs = 1 << x.shape[2]
    free = np.ones(x.shape[0], dtype=bool)
    rows = np.arange(x.shape[0])[:, None]
    seen_pos = np.zeros((x.shape[0], n_configs), dtype=bool)
    seen_neg = np.zeros((x.shape[0], n_configs), dtype=bool)
    seen_pos[np.broadcast_to(rows, keys.shape)[y == 1], keys[y == 1]] = True
    seen_neg[np.broadcast_to(rows, keys.shape)[y == 0], keys[y == 0]] = True
    free &= ~(seen_pos & seen_neg).any(axis=1)
    return free


def contradiction_benchmark(
    n_cases: int,
    n_conditions: int,
    *,
    simulations: int = 2000,
    threshold: float = BENCHMARK_THRESHOLD,
    seed: int = 20110801,
) -> Benchmark:
    """Simulate how often random crisp data give a contradiction-free truth table.

    Marx & Dusa (2011) show that with few cases and many conditions, random data almost
    never produce contradictions, so a contradiction-free truth table is no evidence of a
    well-specified model. A design *meets* the benchmark when random data are
    contradiction-free in at most ``threshold`` of the simulations.

    Parameters
    ----------
    n_cases, n_conditions : int
        The design (cases with a value on every condition).
    simulations : int
        Random data sets to draw (more for a finer estimate).
    threshold : float
        Largest acceptable share of contradiction-free random data.
    seed : int
        Seed of the random generator (the result is deterministic).

    Returns
    -------
    Benchmark

    Examples
    --------
    >>> contradiction_benchmark(5, 4).met
    False
    >>> contradiction_benchmark(60, 2).met
    True
    """
    if n_cases < 1 or n_conditions < 1:
        raise QCAError("the benchmark needs at least one case and one condition")
    if n_conditions > 20:
        raise QCAError(f"the benchmark is not simulated beyond 20 conditions ({n_conditions})")
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 2, size=(simulations, n_cases, n_conditions), dtype=np.int8)
    y = rng.integers(0, 2, size=(simulations, n_cases), dtype=np.int8)
    p = float(_contradiction_free(x, y).mean())
    return Benchmark(n_cases, n_conditions, p, threshold, simulations, p <= threshold)


@dataclass(frozen=True)
class PermutationResult:
    """How often randomly permuted outcomes give a solution at least as good as the observed.

    Attributes
    ----------
    p_value : float
        Share of permuted outcomes (the observed one included) whose solution has
        consistency and coverage both at least the observed ones; ``1.0`` when the observed
        data have no solution.
    permutations : int
        Outcome orderings evaluated.
    exhaustive : bool
        Every distinct ordering of the outcome was evaluated (exact p-value).
    observed_inclS, observed_covS : float or None
        Fit of the observed solution (its best model); ``None`` when there is none.
    """

    p_value: float
    permutations: int
    exhaustive: bool
    observed_inclS: float | None
    observed_covS: float | None


def _best_fit(sets: SetData, incl_cut: float, pri_cut: float, include: str) -> tuple[float, float]:
    """(inclS, covS) of the best model of the solution; (-1, -1) when there is no solution."""
    tt = truth_table_from_sets(sets, incl_cut=incl_cut, pri_cut=pri_cut)
    try:
        solution = minimize(tt, include)
    except QCAError:
        return -1.0, -1.0
    best = max(solution.models, key=lambda m: (m.solution_fit.inclS, m.solution_fit.covS))
    return best.solution_fit.inclS, best.solution_fit.covS


def _arrangements(y: np.ndarray) -> Iterator[np.ndarray]:
    """Every distinct ordering of the values of ``y`` (a multiset), each once."""
    values, counts = np.unique(y, return_counts=True)
    left = [int(c) for c in counts]
    out = np.empty_like(y)

    def place(i: int) -> Iterator[np.ndarray]:
        if i == len(y):
            yield out.copy()
            return
        for k, value in enumerate(values):
            if left[k]:
                left[k] -= 1
                out[i] = value
                yield from place(i + 1)
                left[k] += 1

    return place(0)


def permutation_test(
    data: pd.DataFrame,
    outcome: str,
    conditions: str | Sequence[str] | None = None,
    *,
    incl_cut: float = 0.8,
    pri_cut: float = 0.5,
    include: str = "?",
    max_permutations: int = 1000,
    seed: int = 2015,
) -> PermutationResult:
    """Braumoeller-style permutation test of a QCA solution.

    The outcome column is permuted over the cases and the same truth table and
    minimisation are run; the p-value is the share of permutations whose solution is at
    least as consistent *and* at least as covering as the observed one. When the distinct
    orderings of the outcome values are no more than ``max_permutations``, each is used once
    (an exact test: every ordering of the cases is equally likely under the null, and each
    distinct ordering stands for the same number of them); otherwise ``max_permutations``
    random orderings, the observed one included.

    Parameters
    ----------
    data : DataFrame
        Membership scores, one row per case.
    outcome, conditions :
        As for :func:`analysis.qca.truth_table`.
    incl_cut, pri_cut : float
        Cut-offs of the truth table.
    include : str
        ``"?"`` for the parsimonious solution, ``""`` for the conservative one.
    max_permutations : int
        Upper bound on the permutations evaluated.
    seed : int
        Seed for the random orderings.

    Returns
    -------
    PermutationResult

    Examples
    --------
    A planted structure over eight cases is rarely matched by chance:

    >>> df = pd.DataFrame({"A": [1, 1, 1, 1, 0, 0, 0, 0], "Y": [1, 1, 1, 1, 0, 0, 0, 0]})
    >>> round(permutation_test(df, "Y", ["A"]).p_value, 4)  # 2 of the 70 orderings: A and ~A
    0.0286
    """
    sets = prepare(data, outcome, conditions)
    obs_incl, obs_cov = _best_fit(sets, incl_cut, pri_cut, include)
    if obs_incl < 0:
        return PermutationResult(1.0, 0, False, None, None)
    values, counts = np.unique(sets.y, return_counts=True)
    arrangements = math.factorial(len(sets.y)) // math.prod(math.factorial(int(c)) for c in counts)
    exhaustive = arrangements <= max_permutations
    if exhaustive:
        outcomes: Iterable[np.ndarray] = _arrangements(sets.y)
    else:
        rng = np.random.default_rng(seed)
        outcomes = itertools.chain(
            [sets.y], (rng.permutation(sets.y) for _ in range(max_permutations - 1))
        )
    cache: dict[bytes, bool] = {}
    good = total = 0
    for y in outcomes:
        key = y.tobytes()
        if key not in cache:
            perm = SetData(
                sets.conditions, sets.outcome, sets.negated, sets.x, y, sets.cases, sets.fuzzy
            )
            inc, cov = _best_fit(perm, incl_cut, pri_cut, include)
            cache[key] = inc >= obs_incl - 1e-12 and cov >= obs_cov - 1e-12
        good += cache[key]
        total += 1
    return PermutationResult(good / total, total, exhaustive, obs_incl, obs_cov)


def skewness(values: Sequence[float] | np.ndarray) -> float:
    """Share of cases on the larger side of the 0.5 anchor (cases exactly at 0.5 left out).

    Examples
    --------
    >>> skewness([0.9, 0.8, 1.0, 0.2, 0.67])
    0.8
    """
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v) & (v != 0.5)]
    if v.size == 0:
        return float("nan")
    above = float((v > 0.5).mean())
    return max(above, 1.0 - above)


@dataclass(frozen=True)
class NecessityVerdict:
    """A condition's necessity fit and what may be said about it.

    ``verdict`` is ``"necessary"`` (consistency and relevance pass, neither the condition
    nor the outcome skewed), ``"skewed"`` (consistency and relevance pass, but the condition
    or the outcome has more than ``SKEW_LIMIT`` of its cases on one side of 0.5, which makes
    consistency uninformative), ``"trivial"`` (consistency passes, relevance does not) or
    ``"not_necessary"``. ``skewed`` flags the condition itself.
    """

    condition: str
    inclN: float
    RoN: float
    covN: float
    skew: float
    skewed: bool
    verdict: str

    @property
    def trivial(self) -> bool:
        """Consistent enough but irrelevant."""
        return self.verdict == "trivial"


def necessity_verdicts(
    data: pd.DataFrame,
    outcome: str,
    conditions: str | Sequence[str] | None = None,
    *,
    incl: float = NECESSITY_INCL,
    ron: float = NECESSITY_RON,
    skew_limit: float = SKEW_LIMIT,
) -> list[NecessityVerdict]:
    """Necessity of each condition and its negation, with the trivialness and skewness guards.

    Parameters
    ----------
    data, outcome, conditions :
        As for :func:`analysis.qca.necessity`.
    incl, ron : float
        Thresholds for consistency (inclN) and relevance (RoN).
    skew_limit : float
        Share of cases on one side of 0.5 above which a set is flagged as skewed.

    Returns
    -------
    list of NecessityVerdict
        One per condition and per negation, in data order.

    Examples
    --------
    A condition that almost every case has is consistent but trivial:

    >>> df = pd.DataFrame({"A": [1, 1, 1, 1, 1, 0.67], "Y": [1, 0, 1, 0, 0, 0]})
    >>> [(v.condition, v.verdict) for v in necessity_verdicts(df, "Y", ["A"])]
    [('A', 'trivial'), ('~A', 'not_necessary')]
    """
    sets = prepare(data, outcome, conditions)
    cols, names = [], []
    for j, name in enumerate(sets.conditions):
        cols += [sets.x[:, j], 1.0 - sets.x[:, j]]
        names += [name, "~" + name]
    fits: list[NecessityFit] = necessity_table(np.column_stack(cols), sets.y, names)
    out = []
    outcome_skewed = skewness(sets.y) > skew_limit
    for col, fit in zip(cols, fits, strict=True):
        sk = skewness(col)
        if fit.inclN < incl - 1e-12:
            verdict = "not_necessary"
        elif fit.RoN < ron - 1e-12:
            verdict = "trivial"
        elif sk > skew_limit or outcome_skewed:
            verdict = "skewed"
        else:
            verdict = "necessary"
        out.append(
            NecessityVerdict(
                fit.condition, fit.inclN, fit.RoN, fit.covN, sk, bool(sk > skew_limit), verdict
            )
        )
    return out
