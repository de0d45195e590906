"""Conjunctions of literals ("implicants") stored as two bit masks.

A configuration of ``k`` binary conditions is an integer whose bit ``k - 1 - i``
holds the value of condition ``i``; so the integer plus one is R's truth-table
row number (the first condition is the most significant digit).  An implicant is
the pair ``(mask, bits)``: ``mask`` marks the conditions it mentions and ``bits``
their required values.  It covers configuration ``x`` when ``x & mask == bits``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from analysis.qca.errors import QCAError

Implicant = tuple[int, int]

#: Configurations and implicant keys are numpy ``int64`` while they fit in this many
#: bits (the fast path, up to 31 conditions for the two-word keys of the prime
#: implicant search); beyond it they are Python integers in object arrays, exact at
#: any number of conditions.
INT64_BITS = 62


def int_array(values: Sequence[int] | np.ndarray, bits: int = 0) -> np.ndarray:
    """Exact integer array: ``int64`` when ``bits`` fit, Python integers beyond.

    An object array stays an object array whatever ``bits`` says.

    Examples
    --------
    >>> int_array([3, 5]).dtype
    dtype('int64')
    >>> int_array([3, 5], bits=70)[0] << 65
    110680464442257309696
    """
    arr = np.asarray(values)
    if bits > INT64_BITS or arr.dtype == object:
        return arr.astype(object)
    return arr.astype(np.int64, copy=False)


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values of an integer array.

    A sort-based ``np.unique``: numpy's own, hash-based for integers, is much
    slower on the millions of mostly distinct keys the prime implicant search makes.

    Examples
    --------
    >>> sorted_unique(np.array([3, 1, 3, 2])).tolist()
    [1, 2, 3]
    """
    arr = np.sort(int_array(values).ravel())
    if len(arr) < 2:
        return arr
    return arr[np.concatenate(([True], arr[1:] != arr[:-1]))]


def condition_bit(index: int, k: int) -> int:
    """Return the bit that stores condition ``index`` of ``k``.

    Examples
    --------
    >>> condition_bit(0, 5)
    16
    """
    return 1 << (k - 1 - index)


def format_term(mask: int, bits: int, names: Sequence[str]) -> str:
    """Write an implicant as R does: ``A*~B``, conditions in data order.

    Examples
    --------
    >>> format_term(0b101, 0b100, ["A", "B", "C"])
    'A*~C'
    """
    k = len(names)
    literals = []
    for i, name in enumerate(names):
        bit = condition_bit(i, k)
        if mask & bit:
            literals.append(name if bits & bit else "~" + name)
    return "*".join(literals) if literals else "1"


def parse_term(text: str, names: Sequence[str]) -> Implicant:
    """Read a conjunction such as ``"DEV*~IND"`` back into ``(mask, bits)``.

    Examples
    --------
    >>> parse_term("A*~C", ["A", "B", "C"])
    (5, 4)
    """
    k = len(names)
    index = {name: i for i, name in enumerate(names)}
    mask = bits = 0
    for raw in text.split("*"):
        literal = raw.strip()
        negated = literal.startswith("~")
        name = literal[1:].strip() if negated else literal
        if name not in index:
            raise QCAError(f"unknown condition {name!r} in term {text!r}")
        bit = condition_bit(index[name], k)
        if mask & bit and bool(bits & bit) == negated:
            raise QCAError(f"term {text!r} is contradictory")
        mask |= bit
        if not negated:
            bits |= bit
    return mask, bits


def sort_key(
    mask: int, bits: int, k: int, negated_first: bool = True
) -> tuple[int, tuple[int, ...]]:
    """Order implicants as QCA lists them.

    Fewer literals first; ties are broken condition by condition, a condition
    that is present in the term coming before one that is absent.  Between the
    two literals of a condition, CCubes (``sort_cols``) puts the negated one
    first, while the Quine-McCluskey path puts the plain one first
    (``negated_first=False``).

    Examples
    --------
    >>> sorted([(0b11, 0b11), (0b10, 0b00)], key=lambda t: sort_key(*t, 2))
    [(2, 0), (3, 3)]
    """
    neg, plain = (1, 2) if negated_first else (2, 1)
    codes = []
    for i in range(k):
        bit = condition_bit(i, k)
        codes.append((plain if bits & bit else neg) if mask & bit else 3)
    return mask.bit_count(), tuple(codes)


def covers(configs: np.ndarray, mask: int, bits: int) -> np.ndarray:
    """Boolean vector: which configurations the implicant covers.

    Examples
    --------
    >>> covers(np.array([0, 1, 2, 3]), 0b10, 0b10).tolist()
    [False, False, True, True]
    """
    return (int_array(configs) & mask) == bits


def expand(mask: int, bits: int, k: int) -> np.ndarray:
    """All configurations covered by an implicant, ascending.

    Examples
    --------
    >>> expand(0b10, 0b10, 2).tolist()
    [2, 3]
    """
    free = [1 << b for b in range(k) if not mask & (1 << b)]
    out = int_array([bits], k)
    for bit in free:
        out = np.concatenate([out, out | bit])
    return np.sort(out)


def term_membership(x: np.ndarray, mask: int, bits: int) -> np.ndarray:
    """Fuzzy membership of every case in a conjunction (minimum over its literals).

    ``x`` is the cases-by-conditions matrix of membership scores; a negated
    literal contributes ``1 - x``.

    Examples
    --------
    >>> term_membership(np.array([[0.8, 0.3], [0.2, 0.9]]), 0b11, 0b10).tolist()
    [0.7, 0.09999999999999998]
    """
    n, k = x.shape
    out = np.ones(n)
    for i in range(k):
        bit = condition_bit(i, k)
        if mask & bit:
            col = x[:, i] if bits & bit else 1.0 - x[:, i]
            out = np.minimum(out, col)
    return out


def configs_to_values(configs: Sequence[int] | np.ndarray, k: int) -> np.ndarray:
    """Rows of 0/1 condition values for configuration integers.

    Examples
    --------
    >>> configs_to_values([5], 3).tolist()
    [[1, 0, 1]]
    """
    arr = int_array(configs, k).reshape(-1, 1)
    shifts = int_array(range(k - 1, -1, -1), k)
    return ((arr >> shifts) & 1).astype(int)


def values_to_configs(values: np.ndarray) -> np.ndarray:
    """Configuration integers for rows of 0/1 condition values.

    Examples
    --------
    >>> values_to_configs(np.array([[1, 0, 1]])).tolist()
    [5]
    """
    k = np.shape(values)[1]
    values = int_array(values, k)
    weights = int_array([1 << b for b in range(k - 1, -1, -1)], k)
    return values @ weights
