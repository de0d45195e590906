"""Truth tables, as built by R's ``QCA::truthTable()``.

Cases are assigned to the configuration in which they have membership above
0.5; each observed configuration gets its number of cases ``n``, its sufficiency
inclusion ``incl`` and its ``PRI`` score, computed over *all* cases with fuzzy
membership; and an output value ``OUT``:

- ``"1"`` when ``incl`` and ``PRI`` reach the cut-offs (with R's tolerance of
  ``sqrt(.Machine$double.eps)``),
- ``"C"`` (contradiction) when ``incl`` is strictly below the first inclusion
  cut-off but reaches the second,
- ``"0"`` otherwise,
- ``"?"`` for remainders: configurations without cases and those with fewer
  than ``n_cut`` cases (their cases still count in every fit figure).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.qca.data import SetData, prepare
from analysis.qca.errors import QCAError
from analysis.qca.implicants import configs_to_values, int_array, values_to_configs

# admisc's tolerance for "greater than or equal", sqrt(.Machine$double.eps).
TOLERANCE = 2.0**-26

# Beyond this many conditions the full list of remainders is not materialised.
MAX_LISTED_CONDITIONS = 22


def at_least(a: float, b: float) -> bool:
    """R's ``admisc::agteb``: ``a >= b`` allowing for floating-point noise.

    Examples
    --------
    >>> at_least(0.8 - 1e-12, 0.8)
    True
    """
    return bool(a + TOLERANCE > b)


@dataclass(frozen=True)
class TruthTableRow:
    """One configuration of the truth table.

    ``row`` is R's row number (1-based), ``values`` the 0/1 condition values in
    the order of the conditions; ``incl`` and ``PRI`` are ``None`` for
    configurations without cases.
    """

    row: int
    values: tuple[int, ...]
    out: str
    n: int
    incl: float | None
    pri: float | None
    cases: tuple[str, ...]


@dataclass
class TruthTable:
    """A truth table together with the data it was built from.

    Build it with :func:`truth_table`; pass it to :func:`analysis.qca.minimize`.

    Attributes
    ----------
    data : SetData
        The validated membership scores (outcome already negated if asked).
    incl_cut : tuple of float
        Inclusion cut-offs for OUT = 1 and for contradictions.
    n_cut : int
        Minimum number of cases for a configuration to be observed.
    pri_cut : float
        Minimum PRI score for OUT = 1.
    configs : ndarray
        Configuration integers of the configurations holding cases, ascending.
    n, incl, pri : ndarray
        Per entry of ``configs``.
    out : list of str
        Per entry of ``configs``: "1", "0", "C", or "?" when below ``n_cut``.
    cases : list of tuple of str
        Per entry of ``configs``.
    """

    data: SetData
    incl_cut: tuple[float, float]
    n_cut: int
    pri_cut: float
    configs: np.ndarray
    n: np.ndarray
    incl: np.ndarray
    pri: np.ndarray
    out: list[str]
    cases: list[tuple[str, ...]]
    cache: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def conditions(self) -> tuple[str, ...]:
        """Condition names."""
        return self.data.conditions

    @property
    def k(self) -> int:
        """Number of conditions."""
        return len(self.data.conditions)

    @property
    def outcome(self) -> str:
        """Outcome as written in the analysis, ``~Y`` when negated."""
        return ("~" if self.data.negated else "") + self.data.outcome

    def configs_with(self, outs: Sequence[str]) -> np.ndarray:
        """Configuration integers whose OUT is one of ``outs`` (remainders excluded).

        Examples
        --------
        >>> df = pd.DataFrame({"A": [1, 0], "Y": [1, 0]})
        >>> truth_table(df, "Y", "A").configs_with(["1"]).tolist()
        [1]
        """
        wanted = set(outs) - {"?"}
        keep = [i for i, o in enumerate(self.out) if o in wanted]
        return self.configs[keep]

    @property
    def counts(self) -> dict[str, int]:
        """Numbers of configurations by OUT value, remainders included."""
        total = 1 << self.k
        c = {"OUT1": 0, "OUT0": 0, "OUTC": 0}
        for o in self.out:
            if o != "?":
                c["OUT" + o] += 1
        c["remainders"] = total - c["OUT1"] - c["OUT0"] - c["OUTC"]
        return c

    @property
    def limited_diversity(self) -> float:
        """Share of all logically possible configurations that are remainders."""
        return self.counts["remainders"] / float(1 << self.k)

    def rows(self, remainders: bool = True) -> Iterator[TruthTableRow]:
        """Iterate over the rows in row-number order.

        Parameters
        ----------
        remainders : bool
            Also yield the configurations without cases.

        Examples
        --------
        >>> df = pd.DataFrame({"A": [1, 0], "Y": [1, 0]})
        >>> [r.out for r in truth_table(df, "Y", "A").rows()]
        ['0', '1']
        """
        k = self.k
        observed = {int(c): i for i, c in enumerate(self.configs)}
        if remainders:
            if k > MAX_LISTED_CONDITIONS:
                raise QCAError(
                    f"listing all 2^{k} configurations is not supported; "
                    "ask for the observed rows only"
                )
            sequence = range(1 << k)
        else:
            sequence = (int(c) for c in self.configs)
        for config in sequence:
            values = tuple(int(v) for v in configs_to_values([config], k)[0])
            i = observed.get(config)
            if i is None:
                yield TruthTableRow(config + 1, values, "?", 0, None, None, ())
            else:
                yield TruthTableRow(
                    row=config + 1,
                    values=values,
                    out=self.out[i],
                    n=int(self.n[i]),
                    incl=_none_if_nan(self.incl[i]),
                    pri=_none_if_nan(self.pri[i]),
                    cases=self.cases[i],
                )


def _none_if_nan(v: float) -> float | None:
    return None if np.isnan(v) else float(v)


def _parse_cut(incl_cut: float | Sequence[float] | str) -> tuple[float, float]:
    if isinstance(incl_cut, str):
        parts = [float(p) for p in incl_cut.split(",") if p.strip()]
    elif isinstance(incl_cut, (int, float)):
        parts = [float(incl_cut)]
    else:
        parts = [float(p) for p in incl_cut]
    if not 1 <= len(parts) <= 2:
        raise QCAError("incl_cut takes one or two values")
    ic1 = parts[0]
    # R's default second cut-off is 1, so no row is ever a contradiction.
    ic0 = parts[1] if len(parts) == 2 else 1.0
    for v in (ic1, ic0):
        if not 0 <= v <= 1:
            raise QCAError("inclusion cut-offs must lie in [0, 1]")
    if len(parts) == 2 and ic0 > ic1:
        raise QCAError("the second inclusion cut-off cannot exceed the first")
    return ic1, ic0


def config_memberships(x: np.ndarray, configs: np.ndarray, chunk: int = 512) -> np.ndarray:
    """Cases-by-configurations matrix of fuzzy membership in each configuration.

    Examples
    --------
    >>> config_memberships(np.array([[0.8, 0.3]]), np.array([0, 2, 3])).round(2).tolist()
    [[0.2, 0.7, 0.3]]
    """
    k = x.shape[1]
    values = configs_to_values(configs, k).astype(bool)
    out = np.empty((x.shape[0], len(configs)))
    for start in range(0, len(configs), chunk):
        v = values[start : start + chunk]
        m = np.where(v[None, :, :], x[:, None, :], 1.0 - x[:, None, :])
        out[:, start : start + chunk] = m.min(axis=2)
    return out


def truth_table_from_sets(
    data: SetData,
    incl_cut: float | Sequence[float] | str = 1,
    n_cut: int = 1,
    pri_cut: float = 0,
) -> TruthTable:
    """Build a truth table from already validated :class:`SetData`.

    Examples
    --------
    >>> df = pd.DataFrame({"A": [1, 0], "Y": [1, 0]})
    >>> truth_table_from_sets(prepare(df, "Y", "A")).out
    ['0', '1']
    """
    ic1, ic0 = _parse_cut(incl_cut)
    if int(n_cut) != n_cut or n_cut < 1:
        raise QCAError("n_cut must be a positive whole number")
    if not 0 <= pri_cut <= 1:
        raise QCAError("pri_cut must lie in [0, 1]")
    x, y = data.x, data.y
    crisp_values = np.where(x > 0.5, 1, 0)
    line = values_to_configs(crisp_values)
    configs = np.unique(line)
    member = config_memberships(x, configs)
    n = (member > 0.5).sum(axis=0)
    inter = np.minimum(member, y[:, None])
    sum_x = member.sum(axis=0)
    sum_inter = inter.sum(axis=0)
    pri_sum = np.minimum(inter, 1.0 - y[:, None]).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        incl = sum_inter / sum_x
        pri = (sum_inter - pri_sum) / (sum_x - pri_sum)
    half = np.any(np.abs(x - 0.5) < TOLERANCE, axis=1)
    out: list[str] = []
    cases: list[tuple[str, ...]] = []
    for j, config in enumerate(configs):
        members = np.flatnonzero((line == config) & ~half)
        cases.append(tuple(data.cases[i] for i in members))
        if n[j] < n_cut:
            out.append("?")
        elif incl[j] < ic1 and at_least(incl[j], ic0):
            out.append("C")
        elif at_least(incl[j], ic1) and at_least(pri[j], pri_cut):
            out.append("1")
        else:
            out.append("0")
    if all(o == "?" for o in out):
        raise QCAError("there are no configurations, using these cut-off values")
    return TruthTable(
        data=data,
        incl_cut=(ic1, ic0),
        n_cut=int(n_cut),
        pri_cut=float(pri_cut),
        configs=int_array(configs, data.x.shape[1]),
        n=n.astype(int),
        incl=incl,
        pri=pri,
        out=out,
        cases=cases,
    )


def truth_table(
    data: pd.DataFrame,
    outcome: str,
    conditions: str | Sequence[str] | None = None,
    incl_cut: float | Sequence[float] | str = 1,
    n_cut: int = 1,
    pri_cut: float = 0,
    case_col: str | None = None,
    source: str = "data",
) -> TruthTable:
    """Build a crisp- or fuzzy-set truth table like R's ``truthTable()``.

    Parameters
    ----------
    data : DataFrame
        Membership scores in [0, 1], one row per case (index = case labels
        unless ``case_col`` is given).
    outcome : str
        Outcome column; ``"~Y"`` explains the negation of ``Y``.
    conditions : str or sequence of str, optional
        Condition columns (``"A, B, C"`` or a list); default all other columns.
    incl_cut : float or pair of floats
        Inclusion cut-off for OUT = 1 and, optionally, a lower one below which
        rows are 0 rather than contradictions ("C").
    n_cut : int
        Configurations with fewer cases become remainders.
    pri_cut : float
        Minimal PRI for OUT = 1.
    case_col : str, optional
        Column with case labels.
    source : str
        Name used in error messages.

    Returns
    -------
    TruthTable

    Examples
    --------
    >>> df = pd.DataFrame({"A": [1, 1, 0], "B": [0, 1, 0], "Y": [1, 1, 0]},
    ...                   index=["a", "b", "c"])
    >>> tt = truth_table(df, "Y", "A, B")
    >>> [(r.row, r.out, r.cases) for r in tt.rows(remainders=False)]
    [(1, '0', ('c',)), (3, '1', ('a',)), (4, '1', ('b',))]
    """
    sets = prepare(data, outcome, conditions, case_col=case_col, source=source)
    return truth_table_from_sets(sets, incl_cut=incl_cut, n_cut=n_cut, pri_cut=pri_cut)
