"""Parameters of fit: inclusion, PRI, coverage and relevance, as R's ``pof()``.

Sufficiency of X for Y: ``inclS = sum(min(X, Y)) / sum(X)``,
``PRI = (sum(min(X, Y)) - sum(min(X, Y, 1-Y))) / (sum(X) - sum(min(X, Y, 1-Y)))``,
``covS = sum(min(X, Y)) / sum(Y)``; a term's unique coverage ``covU`` is what the
disjunction loses in coverage when the term is left out.

Necessity of X for Y: ``inclN = sum(min(X, Y)) / sum(Y)``,
``RoN = sum(1-X) / sum(1 - min(X, Y))``, ``covN = sum(min(X, Y)) / sum(X)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.qca.data import prepare
from analysis.qca.errors import QCAError

# R zeroes figures below these (pof() on a single expression / on each model).
ZERO_BELOW = 1e-5
ZERO_BELOW_MODELS = 1e-4


@dataclass(frozen=True)
class TermFit:
    """Sufficiency fit of one term; ``covU`` is ``None`` where R prints "-"."""

    term: str
    inclS: float
    PRI: float
    covS: float
    covU: float | None


@dataclass(frozen=True)
class SolutionFit:
    """Sufficiency fit of a whole model (the disjunction of its terms)."""

    inclS: float
    PRI: float
    covS: float


def _as_vector(v: Sequence[float] | np.ndarray) -> np.ndarray:
    arr = np.asarray(v, dtype=float)
    if arr.ndim != 1:
        raise QCAError("membership scores must be a vector")
    return arr


def _ratio(a: float, b: float) -> float:
    return float(a / b) if b != 0 else float("nan")


def consistency(
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    relation: str = "sufficiency",
) -> float:
    """Inclusion (consistency) of ``x`` in ``y`` (sufficiency) or of ``y`` in ``x``.

    Parameters
    ----------
    x, y : array-like
        Membership scores of the cases in the condition (or expression) and outcome.
    relation : {"sufficiency", "necessity"}

    Examples
    --------
    >>> consistency([1, 1, 0], [1, 0, 0])
    0.5
    >>> consistency([1, 1, 0], [1, 0, 0], "necessity")
    1.0
    """
    x, y = _as_vector(x), _as_vector(y)
    inter = np.minimum(x, y).sum()
    if relation.startswith("suf"):
        return _ratio(inter, x.sum())
    if relation.startswith("nec"):
        return _ratio(inter, y.sum())
    raise QCAError("relation must be 'sufficiency' or 'necessity'")


def coverage(
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    relation: str = "sufficiency",
) -> float:
    """Coverage of ``y`` by ``x`` (sufficiency) or relevance-style covN (necessity).

    Examples
    --------
    >>> coverage([1, 1, 0], [1, 0, 0])
    1.0
    >>> coverage([1, 1, 0], [1, 0, 0], "necessity")
    0.5
    """
    x, y = _as_vector(x), _as_vector(y)
    inter = np.minimum(x, y).sum()
    if relation.startswith("suf"):
        return _ratio(inter, y.sum())
    if relation.startswith("nec"):
        return _ratio(inter, x.sum())
    raise QCAError("relation must be 'sufficiency' or 'necessity'")


def pri(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> float:
    """Proportional reduction in inconsistency of ``x`` as sufficient for ``y``.

    Examples
    --------
    >>> round(pri([0.8, 0.6], [0.9, 0.4]), 3)
    0.778
    """
    x, y = _as_vector(x), _as_vector(y)
    inter = np.minimum(x, y)
    both = np.minimum(inter, 1.0 - y).sum()
    return _ratio(inter.sum() - both, x.sum() - both)


def relevance(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> float:
    """Relevance of necessity (RoN) of ``x`` for ``y``.

    Examples
    --------
    >>> round(relevance([1, 1, 0, 0], [1, 0, 0, 0]), 3)
    0.667
    """
    x, y = _as_vector(x), _as_vector(y)
    return _ratio((1.0 - x).sum(), (1.0 - np.minimum(x, y)).sum())


def _zero_small(v: float, below: float) -> float:
    return 0.0 if v < below else v


def sufficiency_table(
    members: np.ndarray,
    y: np.ndarray,
    names: Sequence[str],
    below: float = ZERO_BELOW,
) -> tuple[list[TermFit], SolutionFit]:
    """Fit of each term of a disjunction and of the whole, as ``pof()`` reports it.

    Parameters
    ----------
    members : ndarray
        Cases-by-terms membership matrix.
    y : ndarray
        Outcome membership.
    names : sequence of str
        Term labels.
    below : float
        Figures below this are reported as 0, as R does.

    Returns
    -------
    term_fit : list of TermFit
        ``covU`` is ``None`` when there is a single term.
    solution_fit : SolutionFit

    Examples
    --------
    >>> m = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    >>> terms, whole = sufficiency_table(m, np.array([1.0, 1.0, 0.0]), ["A", "B"])
    >>> [t.covU for t in terms], whole.covS
    ([0.5, 0.5], 1.0)
    """
    members = np.asarray(members, dtype=float)
    n_terms = members.shape[1]
    union = members.max(axis=1) if n_terms else np.zeros(len(y))
    cols = np.column_stack([members, union])
    inter = np.minimum(cols, y[:, None])
    sum_x = cols.sum(axis=0)
    sum_inter = inter.sum(axis=0)
    sum_y = float(y.sum())
    both = np.minimum(inter, (1.0 - y)[:, None]).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        incl = sum_inter / sum_x
        pri_ = (sum_inter - both) / (sum_x - both)
        cov = sum_inter / sum_y
    cov_u = None
    if n_terms > 1:
        # The union of the other terms is the largest of them, or the second
        # largest where this term is the largest.
        terms = inter[:, :n_terms]
        top = terms.argmax(axis=1)
        ranked = np.sort(terms, axis=1)
        first, second = ranked[:, -1], ranked[:, -2]
        others = np.where(
            top[:, None] == np.arange(n_terms)[None, :], second[:, None], first[:, None]
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            cov_u = cov[:n_terms] - np.minimum(terms, others).sum(axis=0) / sum_y
    term_fit = [
        TermFit(
            term=names[c],
            inclS=_zero_small(float(incl[c]), below),
            PRI=_zero_small(float(pri_[c]), below),
            covS=_zero_small(float(cov[c]), below),
            covU=None if cov_u is None else _zero_small(float(cov_u[c]), below),
        )
        for c in range(n_terms)
    ]
    whole = SolutionFit(
        inclS=_zero_small(float(incl[-1]), below),
        PRI=_zero_small(float(pri_[-1]), below),
        covS=_zero_small(float(cov[-1]), below),
    )
    return term_fit, whole


@dataclass(frozen=True)
class NecessityFit:
    """Necessity fit of one condition or its negation (``"~A"``)."""

    condition: str
    inclN: float
    RoN: float
    covN: float


def necessity_table(x: np.ndarray, y: np.ndarray, names: Sequence[str]) -> list[NecessityFit]:
    """Necessity fit of each column of ``x`` for ``y``, as ``pof(relation = "necessity")``.

    Examples
    --------
    >>> necessity_table(np.array([[1.0], [1.0]]), np.array([1.0, 0.0]), ["A"])[0].covN
    0.5
    """
    out = []
    for j, name in enumerate(names):
        col = x[:, j]
        out.append(
            NecessityFit(
                condition=name,
                inclN=_zero_small(consistency(col, y, "necessity"), ZERO_BELOW),
                RoN=_zero_small(relevance(col, y), ZERO_BELOW),
                covN=_zero_small(coverage(col, y, "necessity"), ZERO_BELOW),
            )
        )
    return out


def necessity(
    data: pd.DataFrame,
    outcome: str,
    conditions: str | Sequence[str] | None = None,
    negations: bool = True,
    case_col: str | None = None,
    source: str = "data",
) -> list[NecessityFit]:
    """Necessity of each single condition (and of its negation) for the outcome.

    The figures are those of R's ``pof(data[, conditions], outcome,
    relation = "necessity")``; a negation ``~A`` uses ``1 - A``.

    Parameters
    ----------
    data : DataFrame
        Membership scores, one row per case.
    outcome : str
        Outcome column, ``"~Y"`` for its negation.
    conditions : str or sequence of str, optional
        Default every other column.
    negations : bool
        Also report ``~A`` after each ``A``.
    case_col : str, optional
        Column with case labels, dropped before the analysis.
    source : str
        Name used in error messages.

    Returns
    -------
    list of NecessityFit

    Examples
    --------
    >>> df = pd.DataFrame({"A": [1, 1, 0], "Y": [1, 0, 0]})
    >>> [(f.condition, f.inclN) for f in necessity(df, "Y", "A")]
    [('A', 1.0), ('~A', 0.0)]
    """
    sets = prepare(data, outcome, conditions, case_col=case_col, source=source)
    cols, names = [], []
    for j, name in enumerate(sets.conditions):
        cols.append(sets.x[:, j])
        names.append(name)
        if negations:
            cols.append(1.0 - sets.x[:, j])
            names.append("~" + name)
    return necessity_table(np.column_stack(cols), sets.y, names)
