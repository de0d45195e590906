"""Directional expectations, simplifying assumptions and easy counterfactuals.

The intermediate solution follows QCA's ``C_getEC``: for every pair of a
conservative model and a parsimonious model, each conservative term that is a
subset of a parsimonious term is stripped of the literals that contradict a
directional expectation (only literals outside the parsimonious term can go).
The simplifying assumptions of the parsimonious model that fall inside such a
stripped term are the easy counterfactuals; the conservative minimisation is
then rerun with them added to the positive configurations.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from analysis.qca.errors import QCAError
from analysis.qca.implicants import (
    Implicant,
    condition_bit,
    expand,
    int_array,
    parse_term,
    sorted_unique,
)


@dataclass(frozen=True)
class DirectionalExpectations:
    """Directional expectations as rows of literals (mask, bits).

    A row with one literal is an individual expectation (``A`` or ``~A``); a row
    with several is a conjunctural one (``~LIT*IND``).
    """

    rows: tuple[Implicant, ...]

    @property
    def is_empty(self) -> bool:
        """True when no condition has an expectation (every one is "-")."""
        return not self.rows


def parse_dir_exp(
    dir_exp: Mapping[str, object] | Sequence[str] | str, conditions: Sequence[str]
) -> DirectionalExpectations:
    """Read directional expectations.

    Accepted forms: a mapping ``{"A": 1, "B": 0, "C": "-"}``; a string
    ``"A=1,B=0,C=-"``; R's form, a list (or comma-separated string) of
    literals and conjunctions such as ``["DEV", "~URB", "~LIT*IND"]``; or R's
    older positional form ``[1, 0, "-"]``, one value per condition.

    Examples
    --------
    >>> parse_dir_exp("A=1,B=0,C=-", ["A", "B", "C"]).rows
    ((4, 4), (2, 0))
    >>> parse_dir_exp(["A", "~B*C"], ["A", "B", "C"]).rows
    ((4, 4), (3, 1))
    >>> parse_dir_exp([1, 0, "-"], ["A", "B", "C"]).rows
    ((4, 4), (2, 0))
    """
    k = len(conditions)
    index = {c: i for i, c in enumerate(conditions)}
    rows: list[Implicant] = []
    if isinstance(dir_exp, str):
        parts = [p.strip() for p in dir_exp.split(",") if p.strip()]
        if any("=" in p for p in parts):
            pairs = {}
            for p in parts:
                if "=" not in p:
                    raise QCAError(f"directional expectation {p!r} is not of the form NAME=1|0|-")
                name, value = (s.strip() for s in p.split("=", 1))
                pairs[name] = value
            dir_exp = pairs
        else:
            dir_exp = parts
    if not isinstance(dir_exp, Mapping):
        values = [str(v).strip() for v in dir_exp]
        if values and all(v in ("0", "1", "-") for v in values):
            # R's older positional form, dir.exp = c(1, 0, "-", ...).
            if len(values) != k:
                raise QCAError("positional directional expectations need one value per condition")
            dir_exp = dict(zip(conditions, values, strict=True))
    if isinstance(dir_exp, Mapping):
        for name, value in dir_exp.items():
            if name not in index:
                raise QCAError(f"directional expectation for unknown condition {name!r}")
            text = str(value).strip()
            if text in ("-", "", "dc"):
                continue
            if text not in ("0", "1"):
                raise QCAError(f"directional expectation for {name!r} must be 1, 0 or -")
            bit = condition_bit(index[name], k)
            rows.append((bit, bit if text == "1" else 0))
    else:
        for term in dir_exp:
            text = str(term).strip()
            if text in ("-", ""):
                continue
            rows.append(parse_term(text, conditions))
    return DirectionalExpectations(tuple(rows))


#: Listing more simplifying assumptions than this (each a remainder row) is refused.
MAX_LISTED_ASSUMPTIONS = 1 << 24


def simplifying_assumptions(
    model: Sequence[Implicant], explained: np.ndarray, k: int
) -> np.ndarray:
    """Remainders a model relies on: covered configurations not among the explained ones.

    A term with ``j`` literals covers ``2 ** (k - j)`` configurations; past
    :data:`MAX_LISTED_ASSUMPTIONS` in all, :class:`QCAError` says so instead of
    filling the memory.

    Examples
    --------
    >>> simplifying_assumptions([(0b10, 0b10)], np.array([3]), 2).tolist()
    [2]
    """
    if not model:
        return np.empty(0, dtype=np.int64)
    size = sum(1 << (k - m.bit_count()) for m, _ in model)
    if size > MAX_LISTED_ASSUMPTIONS:
        shortest = min(m.bit_count() for m, _ in model)
        raise QCAError(
            f"a model with a term of {shortest} of {k} conditions relies on up to {size:,} "
            "remainders (simplifying assumptions), too many to list "
            f"(at most {MAX_LISTED_ASSUMPTIONS:,}); use fewer conditions"
        )
    covered = sorted_unique(np.concatenate([expand(m, b, k) for m, b in model]))
    explained = sorted_unique(explained)
    pos = np.minimum(np.searchsorted(explained, covered), max(len(explained) - 1, 0))
    hit = explained[pos] == covered if len(explained) else np.zeros(len(covered), dtype=bool)
    return covered[~hit]


def _strip_term(comp: Implicant, pars: Implicant, des: DirectionalExpectations) -> Implicant:
    c_mask, c_bits = comp
    p_mask, _ = pars
    free = c_mask & ~p_mask
    individual = [r for r in des.rows if r[0].bit_count() == 1]
    conjunctural = [r for r in des.rows if r[0].bit_count() > 1]
    r_mask = c_mask
    if individual:
        b = free
        while b:
            low = b & -b
            b ^= low
            expected = [rb for rm, rb in individual if rm == low]
            if expected and all((rb & low) != (c_bits & low) for rb in expected):
                r_mask &= ~low
    for cm, cb in conjunctural:
        # As in QCA's C code, each conjunctural expectation restarts from the
        # full conservative term, so only the last one (and no individual
        # expectation) shapes the result when conjunctural ones are present.
        r_mask = c_mask
        mentioned = free & cm
        if (c_bits & mentioned) != (cb & mentioned):
            r_mask &= ~mentioned
    return r_mask, c_bits & r_mask


def easy_counterfactuals(
    conservative: Sequence[Implicant],
    parsimonious: Sequence[Implicant],
    assumptions: np.ndarray,
    des: DirectionalExpectations,
) -> np.ndarray:
    """The simplifying assumptions consistent with the directional expectations.

    Parameters
    ----------
    conservative, parsimonious : sequence of (mask, bits)
        The terms of one conservative model and of one parsimonious model.
    assumptions : ndarray of int
        Simplifying assumptions of the parsimonious model.
    des : DirectionalExpectations

    Returns
    -------
    ndarray of int
        A sorted subset of ``assumptions``.

    Examples
    --------
    >>> des = DirectionalExpectations(((0b10, 0b10),))
    >>> easy_counterfactuals([(0b11, 0b01)], [(0b01, 0b01)], np.array([3]), des).tolist()
    [3]
    """
    assumptions = int_array(assumptions)
    easy = np.zeros(len(assumptions), dtype=bool)
    for comp in conservative:
        for pars in parsimonious:
            p_mask, p_bits = pars
            if p_mask & ~comp[0] or (comp[1] & p_mask) != p_bits:
                continue
            r_mask, r_bits = _strip_term(comp, pars, des)
            easy |= (assumptions & r_mask) == r_bits
    return assumptions[easy]
