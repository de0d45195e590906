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
4. each block is searched depth-first, always branching on the column with the
   fewest remaining implicants, and excluding the implicants of earlier
   branches, so every cover is met exactly once; a block's minimum is found by
   iterative deepening from a lower bound (columns with pairwise disjoint
   implicant sets), so only minimum-size covers are collected.

Charts are lists of Python integers used as bit sets: ``chart[i]`` has bit ``j``
set when implicant ``i`` covers column ``j``.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import product

from analysis.qca.errors import QCAError


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
    """One independent block of the chart, re-indexed locally."""

    def __init__(self, covers: list[int], ncols: int) -> None:
        self.cov = covers
        self.ncols = ncols
        self.col_pis = [0] * ncols
        for p, m in enumerate(covers):
            for c in _bits(m):
                self.col_pis[c] |= 1 << p
        self.results: list[tuple[int, ...]] = []

    def _lower_bound(self, uncovered: int, allowed: int) -> int:
        cols = sorted(_bits(uncovered), key=lambda c: (self.col_pis[c] & allowed).bit_count())
        used = count = 0
        for c in cols:
            m = self.col_pis[c] & allowed
            if not m & used:
                count += 1
                used |= m
        return count

    def _search(self, uncovered: int, allowed: int, chosen: list[int], budget: int) -> None:
        if not uncovered:
            self.results.append(tuple(sorted(chosen)))
            return
        if budget == 0:
            return
        best, best_count = -1, None
        for c in _bits(uncovered):
            cnt = (self.col_pis[c] & allowed).bit_count()
            if cnt == 0:
                return
            if best_count is None or cnt < best_count:
                best, best_count = c, cnt
                if cnt == 1:
                    break
        if best_count != 1 and self._lower_bound(uncovered, allowed) > budget:
            return
        for p in _bits(self.col_pis[best] & allowed):
            chosen.append(p)
            self._search(uncovered & ~self.cov[p], allowed, chosen, budget - 1)
            chosen.pop()
            # Later branches must not reuse p: those covers were all found here.
            allowed &= ~(1 << p)

    def solve(self) -> tuple[int, list[tuple[int, ...]]]:
        full = (1 << self.ncols) - 1
        allowed = (1 << len(self.cov)) - 1
        budget = max(1, self._lower_bound(full, allowed))
        while True:
            self.results = []
            self._search(full, allowed, [], budget)
            if self.results:
                return budget, self.results
            budget += 1


def minimal_covers(chart: Sequence[int], ncols: int) -> tuple[int, list[tuple[int, ...]]]:
    """All covers of the columns that use the fewest implicants.

    Parameters
    ----------
    chart : sequence of int
        Bit set of covered columns for each implicant.
    ncols : int
        Number of columns.

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
    reduced = []
    for m in chart:
        r = 0
        for new, c in enumerate(kept):
            if m >> c & 1:
                r |= 1 << new
        reduced.append(r)
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
    groups: dict[int, list[int]] = {}
    for p, m in enumerate(reduced):
        if m:
            groups.setdefault(find(p), []).append(p)
    size = 0
    per_block: list[list[tuple[int, ...]]] = []
    for pis in groups.values():
        cols_mask = 0
        for p in pis:
            cols_mask |= reduced[p]
        cols = _bits(cols_mask)
        local = []
        for p in pis:
            r = 0
            for new, c in enumerate(cols):
                if reduced[p] >> c & 1:
                    r |= 1 << new
            local.append(r)
        k, found = _Block(local, len(cols)).solve()
        size += k
        per_block.append([tuple(pis[i] for i in model) for model in found])
    models = sorted(tuple(sorted(sum(combo, ()))) for combo in product(*per_block))
    return size, models
