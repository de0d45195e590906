"""Boolean minimisation of a truth table, as R's ``QCA::minimize()``.

Three solution types:

- **conservative** (``include=""``): prime implicants of the positive
  configurations alone (Quine-McCluskey), no remainder used;
- **parsimonious** (``include="?"``): prime implicants found with the remainders
  as don't cares (CCubes search);
- **intermediate** (``include="?"`` and ``dir_exp``): the conservative
  minimisation redone with the easy counterfactuals, for every pair of a
  conservative and a parsimonious model.

Each gives every model with the fewest prime implicants that covers the
positive configurations (M1, M2, ...), with the fit of the model and of its terms.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from analysis.qca.cover import minimal_covers, row_dominance
from analysis.qca.errors import QCAError
from analysis.qca.fit import (
    ZERO_BELOW,
    ZERO_BELOW_MODELS,
    SolutionFit,
    TermFit,
    sufficiency_table,
)
from analysis.qca.implicants import (
    Implicant,
    format_term,
    sort_key,
    sorted_unique,
    term_membership,
)
from analysis.qca.intermediate import (
    DirectionalExpectations,
    easy_counterfactuals,
    parse_dir_exp,
    simplifying_assumptions,
)
from analysis.qca.primes import ccubes_primes, cover_matrix, qmc_primes
from analysis.qca.truth_table import TruthTable

SOLUTION_TYPES = ("conservative", "parsimonious", "intermediate")


@dataclass(frozen=True)
class Model:
    """One model (a disjunction of prime implicants) and its fit.

    ``term_fit`` gives ``covU`` within this model; ``None`` for a single term.
    """

    name: str
    terms: tuple[str, ...]
    implicants: tuple[Implicant, ...]
    solution_fit: SolutionFit
    term_fit: tuple[TermFit, ...]

    @property
    def expression(self) -> str:
        """The model as ``A*B + ~C``."""
        return " + ".join(self.terms)


@dataclass(frozen=True)
class PIChart:
    """Prime implicant chart: which implicant covers which explained row (by row number)."""

    prime_implicants: tuple[str, ...]
    columns: tuple[int, ...]
    covers: tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class IntermediateBranch:
    """Intermediate models from one conservative (C) and one parsimonious (P) model."""

    combination: str
    c_sol: tuple[str, ...]
    p_sol: tuple[str, ...]
    easy_counterfactuals: tuple[int, ...]
    difficult_counterfactuals: tuple[int, ...]
    models: tuple[Model, ...]
    term_fit_overall: tuple[TermFit, ...]
    essential: tuple[str, ...]
    pi_chart: PIChart


@dataclass(frozen=True)
class Solution:
    """Result of :func:`minimize`.

    Attributes
    ----------
    kind : str
        "conservative", "parsimonious" or "intermediate".
    models : tuple of Model
        Every minimal model.  For the intermediate solution, the models of all
        branches in order, identical ones listed once.
    term_fit_overall : tuple of TermFit
        Fit of every prime implicant used by some model, ``covU`` computed
        against all of them (R's first covU column when there are several models).
    essential : tuple of str
        Prime implicants present in every model.
    pi_chart : PIChart
        The chart that was solved (the parsimonious one for the intermediate solution).
    simplifying_assumptions : mapping
        Model name to the row numbers of the remainders it uses (for the
        intermediate solution: those of the parsimonious models, as R reports);
        for the parsimonious solution listed only when read.
    branches : tuple of IntermediateBranch
        Only for the intermediate solution: one per pair of conservative and
        parsimonious models ("C1P1", "C1P2", ...).
    """

    kind: str
    outcome: str
    conditions: tuple[str, ...]
    models: tuple[Model, ...]
    term_fit_overall: tuple[TermFit, ...]
    essential: tuple[str, ...]
    pi_chart: PIChart
    simplifying_assumptions: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    branches: tuple[IntermediateBranch, ...] = ()


@dataclass(frozen=True)
class _Solved:
    """A solved chart: sorted implicants, chart rows and models (index tuples)."""

    implicants: tuple[Implicant, ...]
    explained: np.ndarray
    chart: np.ndarray
    models: tuple[tuple[int, ...], ...]


def _parse_include(include: str | Sequence[str]) -> frozenset[str]:
    parts = include.split(",") if isinstance(include, str) else list(include)
    values = frozenset(p.strip() for p in parts if p.strip())
    if not values <= {"?", "C"}:
        raise QCAError("include may only contain '?' (remainders) and 'C' (contradictions)")
    return values


def _row_masks(chart: np.ndarray) -> list[int]:
    """Chart rows as Python-int bit sets (numpy integers would overflow past 63 columns)."""
    out = []
    for row in chart:
        m = 0
        for j in np.flatnonzero(row).tolist():
            m |= 1 << j
        out.append(m)
    return out


def _solve_chart(
    tt: TruthTable,
    implicants: list[Implicant],
    explained: np.ndarray,
    row_dom: bool,
    ccubes: bool = False,
) -> _Solved:
    chart = cover_matrix(explained, implicants)
    useful = chart.any(axis=1)
    implicants = [p for p, u in zip(implicants, useful, strict=True) if u]
    chart = chart[useful]
    if row_dom:
        keep = row_dominance(_row_masks(chart))
        implicants = [implicants[i] for i in keep]
        chart = chart[keep]
    order = sorted(range(len(implicants)), key=lambda i: sort_key(*implicants[i], tt.k, ccubes))
    implicants = [implicants[i] for i in order]
    chart = chart[order]
    _, models = minimal_covers(_row_masks(chart), len(explained))
    return _Solved(tuple(implicants), explained, chart, tuple(models))


def _explained(tt: TruthTable) -> np.ndarray:
    explained = tt.configs_with(["1"])
    if len(explained) == 0:
        raise QCAError("no truth table row has OUT = 1: there is nothing to explain")
    return explained


def _conservative(tt: TruthTable, include: frozenset[str], row_dom: bool) -> _Solved:
    key = ("conservative", "C" in include, row_dom)
    if key not in tt.cache:
        explained = _explained(tt)
        on = tt.configs_with(["1", "C"] if "C" in include else ["1"])
        primes = qmc_primes(on, tt.k)
        if any(mask == 0 for mask, _ in primes):
            raise QCAError("all configurations are positive: every condition is minimised away")
        tt.cache[key] = _solve_chart(tt, primes, explained, row_dom)
    return tt.cache[key]


def _parsimonious(
    tt: TruthTable, include: frozenset[str], row_dom: bool, max_memory: int | None = None
) -> _Solved:
    key = ("parsimonious", "C" in include, row_dom)
    if key not in tt.cache:
        explained = _explained(tt)
        negative = tt.configs_with(["0"] if "C" in include else ["0", "C"])
        if len(negative) == 0:
            raise QCAError(
                "no truth table row is negative: with the remainders every condition "
                "is minimised away"
            )
        primes = ccubes_primes(explained, negative, tt.k, max_memory)
        tt.cache[key] = _solve_chart(tt, primes, explained, row_dom, ccubes=True)
    return tt.cache[key]


def _pi_chart(tt: TruthTable, solved: _Solved) -> PIChart:
    names = tuple(format_term(m, b, tt.conditions) for m, b in solved.implicants)
    rows = [int(c) + 1 for c in solved.explained]
    covers = tuple(tuple(rows[j] for j in np.flatnonzero(r)) for r in solved.chart)
    return PIChart(names, tuple(rows), covers)


def _memberships(tt: TruthTable, implicants: Sequence[Implicant]) -> np.ndarray:
    """Cases-by-implicants membership matrix, cached on the truth table."""
    cache = tt.cache.setdefault("membership", {})
    for imp in implicants:
        if imp not in cache:
            cache[imp] = term_membership(tt.data.x, *imp)
    return np.column_stack([cache[imp] for imp in implicants])


def _term_table(
    tt: TruthTable, implicants: tuple[Implicant, ...], below: float
) -> tuple[tuple[TermFit, ...], SolutionFit]:
    # The same model often comes out of several intermediate branches.
    cache = tt.cache.setdefault("fit", {})
    key = (implicants, below)
    if key not in cache:
        names = [format_term(*imp, tt.conditions) for imp in implicants]
        term_fit, whole = sufficiency_table(_memberships(tt, implicants), tt.data.y, names, below)
        cache[key] = (tuple(term_fit), whole)
    return cache[key]


def _fit(
    tt: TruthTable, solved: _Solved, prefix: str = "M"
) -> tuple[tuple[Model, ...], tuple[TermFit, ...], tuple[str, ...]]:
    used = sorted({i for model in solved.models for i in model})
    overall, overall_whole = _term_table(tt, tuple(solved.implicants[i] for i in used), ZERO_BELOW)
    single = len(solved.models) == 1
    models = []
    for number, model in enumerate(solved.models, start=1):
        implicants = tuple(solved.implicants[i] for i in model)
        if single:
            term_fit, whole = overall, overall_whole
        else:
            term_fit, whole = _term_table(tt, implicants, ZERO_BELOW_MODELS)
        models.append(
            Model(
                name=f"{prefix}{number}",
                terms=tuple(t.term for t in term_fit),
                implicants=implicants,
                solution_fit=whole,
                term_fit=term_fit,
            )
        )
    essential = tuple(
        t.term for i, t in zip(used, overall, strict=True) if all(i in m for m in solved.models)
    )
    return tuple(models), overall, essential


def _assumptions(tt: TruthTable, solved: _Solved) -> list[np.ndarray]:
    return [
        simplifying_assumptions([solved.implicants[i] for i in model], solved.explained, tt.k)
        for model in solved.models
    ]


class SimplifyingAssumptions(Mapping[str, tuple[int, ...]]):
    """Model name to the row numbers of the remainders it uses, listed when first read.

    With many conditions a model can rest on billions of remainders; the command
    line never needs them, so they are only computed on access (and refused with
    :class:`QCAError` when too many to list).
    """

    def __init__(self, tt: TruthTable, solved: _Solved, names: Sequence[str]) -> None:
        self._tt, self._solved, self._names = tt, solved, tuple(names)
        self._rows: dict[str, tuple[int, ...]] | None = None

    def _listed(self) -> dict[str, tuple[int, ...]]:
        if self._rows is None:
            found = _assumptions(self._tt, self._solved)
            self._rows = {
                name: tuple(int(r) + 1 for r in rows)
                for name, rows in zip(self._names, found, strict=True)
            }
        return self._rows

    def __getitem__(self, name: str) -> tuple[int, ...]:
        return self._listed()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __repr__(self) -> str:
        return f"SimplifyingAssumptions({dict(self._listed())!r})"


def _plain_solution(tt: TruthTable, kind: str, solved: _Solved, with_sa: bool) -> Solution:
    models, overall, essential = _fit(tt, solved)
    names = [model.name for model in models]
    sa: Mapping[str, tuple[int, ...]] = (
        SimplifyingAssumptions(tt, solved, names) if with_sa else dict.fromkeys(names, ())
    )
    return Solution(
        kind=kind,
        outcome=tt.outcome,
        conditions=tt.conditions,
        models=models,
        term_fit_overall=overall,
        essential=essential,
        pi_chart=_pi_chart(tt, solved),
        simplifying_assumptions=sa,
    )


def _intermediate(
    tt: TruthTable,
    include: frozenset[str],
    des: DirectionalExpectations,
    row_dom: bool,
    max_memory: int | None = None,
) -> Solution:
    c_sol = _conservative(tt, include, row_dom)
    p_sol = _parsimonious(tt, include, row_dom, max_memory)
    p_assumptions = _assumptions(tt, p_sol)
    branches = []
    flat: list[Model] = []
    seen: set[frozenset[str]] = set()
    for ci, c_model in enumerate(c_sol.models, start=1):
        c_terms = [c_sol.implicants[i] for i in c_model]
        for pi, p_model in enumerate(p_sol.models, start=1):
            p_terms = [p_sol.implicants[i] for i in p_model]
            sa = p_assumptions[pi - 1]
            if des.is_empty:
                easy = np.empty(0, dtype=np.int64)
                solved = _Solved(c_sol.implicants, c_sol.explained, c_sol.chart, (tuple(c_model),))
            else:
                easy = easy_counterfactuals(c_terms, p_terms, sa, des)
                key = ("intermediate", row_dom, tuple(easy.tolist()))
                if key not in tt.cache:
                    # As in R, only the explained rows and the easy counterfactuals
                    # are positive here, even when contradictions are included.
                    on = sorted_unique(np.concatenate([c_sol.explained, easy]))
                    tt.cache[key] = _solve_chart(tt, qmc_primes(on, tt.k), c_sol.explained, row_dom)
                solved = tt.cache[key]
            models, overall, essential = _fit(tt, solved)
            difficult = sa[~np.isin(sa, easy)]
            branches.append(
                IntermediateBranch(
                    combination=f"C{ci}P{pi}",
                    c_sol=tuple(format_term(*t, tt.conditions) for t in c_terms),
                    p_sol=tuple(format_term(*t, tt.conditions) for t in p_terms),
                    easy_counterfactuals=tuple(int(r) + 1 for r in easy),
                    difficult_counterfactuals=tuple(int(r) + 1 for r in difficult),
                    models=models,
                    term_fit_overall=overall,
                    essential=essential,
                    pi_chart=_pi_chart(tt, solved),
                )
            )
            for model in models:
                key = frozenset(model.terms)
                if key not in seen:
                    seen.add(key)
                    flat.append(model)
    if len(branches) == 1:
        only = branches[0]
        overall, essential = only.term_fit_overall, only.essential
    else:
        # Across branches: every implicant of any intermediate model, covU
        # against all of them, as R does within one branch.
        union = sorted(
            {imp for m in flat for imp in m.implicants}, key=lambda imp: sort_key(*imp, tt.k, False)
        )
        overall, _ = _term_table(tt, tuple(union), ZERO_BELOW)
        in_all = set.intersection(*(set(m.terms) for m in flat))
        essential = tuple(t.term for t in overall if t.term in in_all)
    named = tuple(
        Model(f"M{i}", m.terms, m.implicants, m.solution_fit, m.term_fit)
        for i, m in enumerate(flat, start=1)
    )
    p_models, _, _ = _fit(tt, p_sol)
    sa_named = {
        m.name: tuple(int(r) + 1 for r in rows)
        for m, rows in zip(p_models, p_assumptions, strict=True)
    }
    return Solution(
        kind="intermediate",
        outcome=tt.outcome,
        conditions=tt.conditions,
        models=named,
        term_fit_overall=overall,
        essential=essential,
        pi_chart=_pi_chart(tt, p_sol),
        simplifying_assumptions=sa_named,
        branches=tuple(branches),
    )


def minimize(
    tt: TruthTable,
    include: str | Sequence[str] = "",
    dir_exp: Mapping[str, object] | Sequence[str] | str | None = None,
    row_dom: bool = False,
    max_memory: int | None = None,
) -> Solution:
    """Minimise a truth table; return every minimal model with its fit.

    Parameters
    ----------
    tt : TruthTable
        From :func:`analysis.qca.truth_table`.
    include : str
        ``""`` for the conservative (complex) solution, ``"?"`` to use the
        remainders (parsimonious, or intermediate with ``dir_exp``); ``"C"`` may
        be added to treat contradictions as positive.
    dir_exp : mapping, sequence or str, optional
        Directional expectations, e.g. ``{"A": 1, "B": 0, "C": "-"}``,
        ``"A=1,B=0,C=-"`` or R's ``["A", "~B", "~C*D"]``.  Requires ``include="?"``.
    row_dom : bool
        Drop prime implicants dominated by another before solving the chart
        (R's ``row.dom``).
    max_memory : int, optional
        Bytes the search for prime implicants with remainders may use per level
        (default: 2 GiB or half the free memory); past it :class:`QCAError` is
        raised before the memory is taken.

    Returns
    -------
    Solution

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.qca import truth_table
    >>> df = pd.DataFrame({"A": [1, 1, 0, 0], "B": [1, 0, 1, 0], "Y": [1, 1, 0, 0]})
    >>> tt = truth_table(df, "Y", "A, B")
    >>> [m.expression for m in minimize(tt).models]
    ['A']
    """
    inc = _parse_include(include)
    if dir_exp is not None:
        if "?" not in inc:
            raise QCAError("directional expectations need the remainders: use include='?'")
        des = parse_dir_exp(dir_exp, tt.conditions)
        return _intermediate(tt, inc, des, row_dom, max_memory)
    if "?" in inc:
        solved = _parsimonious(tt, inc, row_dom, max_memory)
        return _plain_solution(tt, "parsimonious", solved, True)
    return _plain_solution(tt, "conservative", _conservative(tt, inc, row_dom), False)


def solve_all(
    tt: TruthTable,
    dir_exp: Mapping[str, object] | Sequence[str] | str | None = None,
    row_dom: bool = False,
) -> dict[str, Solution]:
    """Conservative and parsimonious solutions, plus the intermediate one if ``dir_exp``.

    The shared work (the conservative and parsimonious charts) is done once.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.qca import truth_table
    >>> df = pd.DataFrame({"A": [1, 1, 0], "B": [1, 0, 1], "Y": [1, 1, 0]})
    >>> sorted(solve_all(truth_table(df, "Y", "A, B")))
    ['conservative', 'parsimonious']
    """
    out = {
        "conservative": minimize(tt, "", row_dom=row_dom),
        "parsimonious": minimize(tt, "?", row_dom=row_dom),
    }
    if dir_exp is not None:
        out["intermediate"] = minimize(tt, "?", dir_exp=dir_exp, row_dom=row_dom)
    return out
