"""Solving the prime implicant chart: every cover with the fewest implicants.

R's ``solveChart()`` finds the minimal number of prime implicants with an integer
program and then tries every combination of that many implicants, which breaks
down (time, memory) on large charts.  Here the same set of models is found
exactly by branch and bound:

1. a column (configuration to explain) whose implicants are a superset of
   another column's is dropped, since covering the other covers it too; this
   keeps every minimal cover;
2. implicants that then cover nothing are dropped (they are in no minimal cover);
3. the chart splits into independent blocks that share no column, solved
   separately and combined by Cartesian product;
4. a block's minimal size comes from iterative deepening (small blocks) or an
   exact integer program (HiGHS through scipy);
5. the covers of that size are enumerated depth-first, branching on the column
   with the fewest implicants left and excluding the implicants of earlier
   branches, so that every cover is met exactly once.  Subtrees are pruned with
   the bound ``sum over uncovered columns of 1 / (largest number of uncovered
   columns an implicant of that column covers)``.

When a chart has astronomically many minimal models, enumerating them is
pointless; :class:`QCAError` is raised past ``max_models`` models or
``max_work`` chart cells examined instead of running for ever (R runs out of memory).

Charts are given as Python integers used as bit sets: ``chart[i]`` has bit ``j``
set when implicant ``i`` covers column ``j``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import product

import numpy as np

from analysis.qca.errors import QCAError

MAX_MODELS = 100_000
# Search effort, in chart cells examined (about 10 s of work on a laptop).
MAX_WORK = 4_000_000_000

_HINT = "row dominance (row_dom=True, --row-dom) reduces it"

# Blocks with more implicants than this get their minimum from an integer program,
# unless a quick search (this much work) finds covers at the lower bound.
_ILP_ABOVE = 16
_QUICK_WORK = 20_000_000


def _bits(m: int) -> list[int]:
    out = []
    while m:
        low = m & -m
        out.append(low.bit_length() - 1)
        m ^= low
    return out


def row_dominance(chart: Sequence[int]) -> list[int]:
    """Indices of implicants whose columns are not a strict subset of another's.

    Examples
    --------
    >>> row_dominance([0b011, 0b001, 0b110, 0b110])
    [0, 2, 3]
    """
    keep = []
    for i, ci in enumerate(chart):
        dominated = any(cj != ci and ci & cj == ci for j, cj in enumerate(chart) if j != i)
        if not dominated:
            keep.append(i)
    return keep


class _Block:
    """One independent block of the chart (implicants by columns, boolean)."""

    def __init__(self, chart: np.ndarray, max_models: int, max_work: int) -> None:
        self.chart = chart
        self.max_models = max_models
        self.max_work = max_work
        self.work = 0
        self.results: list[tuple[int, ...]] = []

    def _search(self, chart: np.ndarray, ids: np.ndarray, chosen: list[int], budget: int) -> None:
        """Record every cover of ``chart``'s columns by exactly ``budget`` more rows.

        ``chart`` holds only the implicants still allowed (original indices in
        ``ids``) and the columns still uncovered, so deeper nodes get cheaper.
        """
        self.work += chart.size + 1
        if self.work > self.max_work:
            n_pis, n_cols = self.chart.shape
            raise QCAError(
                f"the prime implicant chart ({n_pis} implicants, {n_cols} configurations) "
                f"is too ambiguous to list all its minimal models; {_HINT}"
            )
        n_cols = chart.shape[1]
        if n_cols == 0:
            self.results.append(tuple(sorted(chosen)))
            if len(self.results) > self.max_models:
                raise QCAError(
                    f"more than {self.max_models} equally minimal models; "
                    f"the solution is too ambiguous to list; {_HINT}"
                )
            return
        if budget == 0 or chart.shape[0] == 0:
            return
        per_pi = chart.sum(axis=1)
        if budget == 1:
            for p in np.flatnonzero(per_pi == n_cols).tolist():
                self._search(chart[:0, :0], ids[:0], [*chosen, int(ids[p])], 0)
            return
        # An implicant can only be part of a cover if, with budget - 1 of the
        # largest others, it can reach every column.
        keep = per_pi >= max(1, n_cols - (budget - 1) * int(per_pi.max()))
        if not keep.all():
            chart, ids, per_pi = chart[keep], ids[keep], per_pi[keep]
        per_col = chart.sum(axis=0)
        if per_col.min() == 0:
            return
        best = np.where(chart, per_pi[:, None], 0).max(axis=0)
        if math.ceil(float((1.0 / best).sum()) - 1e-9) > budget:
            return
        column = int(per_col.argmin())
        candidates = np.flatnonzero(chart[:, column])
        # Larger implicants first: covers are met sooner; the order does not
        # change which covers are found.
        candidates = candidates[np.argsort(-per_pi[candidates], kind="stable")]
        allowed = np.ones(len(ids), dtype=bool)
        for p in candidates.tolist():
            # Later branches must not reuse earlier candidates: those covers
            # were all found in the earlier branches.
            allowed[p] = False
            rest = ~chart[p]
            useful = allowed & chart[:, rest].any(axis=1)
            self._search(chart[useful][:, rest], ids[useful], [*chosen, int(ids[p])], budget - 1)

    def _bound(self) -> int:
        per_pi = self.chart.sum(axis=1)
        best = np.where(self.chart, per_pi[:, None], 0).max(axis=0)
        return max(1, math.ceil(float((1.0 / best).sum()) - 1e-9))

    def _minimum(self) -> int:
        n_pis = self.chart.shape[0]
        ids = np.arange(n_pis)
        budget = self._bound()
        if n_pis > _ILP_ABOVE:
            # Often the bound is already the minimum: try it cheaply first.
            limit, self.max_work = self.max_work, min(self.max_work, _QUICK_WORK)
            try:
                self._search(self.chart, ids, [], budget)
            except QCAError:
                self.results = []
            finally:
                self.max_work = limit
            if self.results:
                return budget
            self.results, self.work = [], 0
            from scipy.optimize import Bounds, LinearConstraint, milp

            res = milp(
                np.ones(n_pis),
                constraints=LinearConstraint(self.chart.T.astype(float), lb=1),
                integrality=np.ones(n_pis),
                bounds=Bounds(0, 1),
            )
            if res.status == 0 and res.x is not None:
                return int(round(res.fun))
        while True:
            self.results = []
            self._search(self.chart, ids, [], budget)
            if self.results:
                return budget
            budget += 1

    def solve(self) -> tuple[int, list[tuple[int, ...]]]:
        if self.chart.shape[0] == 1:
            return 1, [(0,)]
        size = self._minimum()
        if not self.results:
            self._search(self.chart, np.arange(self.chart.shape[0]), [], size)
        return size, self.results


def minimal_covers(
    chart: Sequence[int],
    ncols: int,
    max_models: int = MAX_MODELS,
    max_work: int = MAX_WORK,
) -> tuple[int, list[tuple[int, ...]]]:
    """All covers of the columns that use the fewest implicants.

    Parameters
    ----------
    chart : sequence of int
        Bit set of covered columns for each implicant.
    ncols : int
        Number of columns.
    max_models, max_work : int
        Give up (``QCAError``) beyond this many minimal models, or once the
        search has examined this many chart cells.

    Returns
    -------
    size : int
        The minimal number of implicants.
    models : list of tuple of int
        Each a sorted tuple of implicant indices; sorted lexicographically, the
        order in which R's ``find_models()`` lists them.

    Examples
    --------
    >>> minimal_covers([0b011, 0b110, 0b100, 0b001], 3)
    (2, [(0, 1), (0, 2), (1, 3)])
    """
    full = (1 << ncols) - 1
    union = 0
    for m in chart:
        union |= m
    if union != full:
        raise QCAError("the prime implicant chart cannot be solved")
    if ncols == 0:
        return 0, [()]
    col_pis = [0] * ncols
    for p, m in enumerate(chart):
        for c in _bits(m):
            col_pis[c] |= 1 << p
    # Column dominance: a column whose implicants include all those of another
    # column is covered whenever that column is.
    order = sorted(range(ncols), key=lambda c: (col_pis[c].bit_count(), c))
    kept: list[int] = []
    for c in order:
        if not any(col_pis[c] & col_pis[d] == col_pis[d] for d in kept):
            kept.append(c)
    kept.sort()
    # Independent blocks: implicants linked through shared columns.
    parent = list(range(len(chart)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for c in kept:
        members = _bits(col_pis[c])
        for p in members[1:]:
            ra, rb = find(members[0]), find(p)
            if ra != rb:
                parent[rb] = ra
    kept_mask = 0
    for c in kept:
        kept_mask |= 1 << c
    groups: dict[int, list[int]] = {}
    for p, m in enumerate(chart):
        if m & kept_mask:
            groups.setdefault(find(p), []).append(p)
    size = 0
    per_block: list[list[tuple[int, ...]]] = []
    n_models = 1
    for pis in groups.values():
        block_mask = 0
        for p in pis:
            block_mask |= chart[p] & kept_mask
        position = {c: j for j, c in enumerate(_bits(block_mask))}
        local = np.zeros((len(pis), len(position)), dtype=bool)
        for i, p in enumerate(pis):
            local[i, [position[c] for c in _bits(chart[p] & kept_mask)]] = True
        k, found = _Block(local, max_models, max_work).solve()
        size += k
        n_models *= len(found)
        if n_models > max_models:
            raise QCAError(
                f"more than {max_models} equally minimal models; "
                f"the solution is too ambiguous to list; {_HINT}"
            )
        per_block.append([tuple(pis[i] for i in model) for model in found])
    models = sorted(tuple(sorted(sum(combo, ()))) for combo in product(*per_block))
    return size, models
