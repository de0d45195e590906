"""Checking and extracting set-membership data for an analysis.

Everything that can be wrong with user data is detected here, so the analysis
modules can assume clean numeric arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.qca.errors import QCAError


@dataclass(frozen=True)
class SetData:
    """Validated membership scores of the cases in the conditions and the outcome.

    Attributes
    ----------
    conditions : tuple of str
        Condition names, in analysis order.
    outcome : str
        Outcome column name, without a tilde.
    negated : bool
        Whether the analysis explains the negation of the outcome.
    x : ndarray
        Cases-by-conditions membership scores in [0, 1].
    y : ndarray
        Outcome membership, already negated when ``negated`` is true.
    cases : tuple of str
        Case labels, in data order.
    fuzzy : tuple of bool
        Per condition: true when it holds non-integer scores.
    """

    conditions: tuple[str, ...]
    outcome: str
    negated: bool
    x: np.ndarray
    y: np.ndarray
    cases: tuple[str, ...]
    fuzzy: tuple[bool, ...]


def parse_outcome(spec: str) -> tuple[str, bool]:
    """Split ``"~Y"`` into ``("Y", True)`` and ``"Y"`` into ``("Y", False)``.

    Examples
    --------
    >>> parse_outcome("~SURV")
    ('SURV', True)
    """
    text = spec.strip()
    negated = False
    while text.startswith("~"):
        negated = not negated
        text = text[1:].strip()
    if not text:
        raise QCAError("the outcome name is empty")
    return text, negated


def split_names(names: str | Sequence[str] | None) -> list[str] | None:
    """Accept ``"A, B, C"`` or a sequence of names.

    Examples
    --------
    >>> split_names("A, B,C")
    ['A', 'B', 'C']
    """
    if names is None:
        return None
    if isinstance(names, str):
        return [n.strip() for n in names.split(",") if n.strip()]
    return [str(n) for n in names]


# Characters with a meaning in the formulas QCA reads and writes (A*~B + C <-> Y,
# dir-exp A=1, lists A,B), or that make a name hard to type back.
_FORMULA_CHARS = frozenset("*+~,=()<>;&|!\"'\t\n\r")


def check_set_name(name: str, source: str = "data") -> None:
    """Refuse a condition or outcome name that would make formulas ambiguous.

    Examples
    --------
    >>> check_set_name("城市化")
    >>> check_set_name("A*B")
    Traceback (most recent call last):
    ...
    analysis.qca.errors.QCAError: data: column name 'A*B' contains '*', which formulas use (A*~B + C); rename the column (letters, digits, _ and . are safe)
    """
    text = str(name)
    bad = next((ch for ch in text if ch in _FORMULA_CHARS), None)
    if bad is not None:
        raise QCAError(
            f"{source}: column name {text!r} contains {bad!r}, which formulas use "
            "(A*~B + C); rename the column (letters, digits, _ and . are safe)"
        )
    if not text.strip() or text != text.strip():
        raise QCAError(
            f"{source}: column name {text!r} is empty or starts or ends with a space; "
            "rename the column"
        )
    if text == "-" or text.replace(".", "", 1).isdigit():
        raise QCAError(
            f"{source}: column name {text!r} reads as a value, not a set; "
            f"rename the column (e.g. C{text})"
        )


def numeric_column(frame: pd.DataFrame, name: str, source: str) -> np.ndarray:
    """A column as finite floats, or a one-line :class:`QCAError` naming the bad value.

    Examples
    --------
    >>> numeric_column(pd.DataFrame({"A": ["1", "2.5"]}), "A", "t.csv").tolist()
    [1.0, 2.5]
    """
    col = frame[name]
    if isinstance(col.dtype, np.dtype) and col.dtype.kind in "fiu":
        # Already numeric (the common case, and the sensitivity analysis calls this
        # hundreds of times): only missing and non-finite values can be wrong.
        arr = col.to_numpy(dtype=float)
        if np.isnan(arr).any():
            raise QCAError(f"{source}: column {name!r} has missing values")
        if not np.all(np.isfinite(arr)):
            raise QCAError(f"{source}: column {name!r} has non-finite values")
        return arr
    values = pd.to_numeric(col, errors="coerce")
    bad = values.isna() & col.notna()
    if bad.any():
        example = col[bad].iloc[0]
        raise QCAError(f"{source}: column {name!r} has a non-numeric value {example!r}")
    if values.isna().any():
        raise QCAError(f"{source}: column {name!r} has missing values")
    arr = values.to_numpy(dtype=float)
    if not np.all(np.isfinite(arr)):
        raise QCAError(f"{source}: column {name!r} has non-finite values")
    return arr


def _membership_column(frame: pd.DataFrame, name: str, source: str) -> np.ndarray:
    arr = numeric_column(frame, name, source)
    if arr.size and (arr.min() < 0 or arr.max() > 1):
        raise QCAError(
            f"{source}: column {name!r} has values outside [0, 1] "
            "(calibrate raw data first; multi-value sets are not supported)"
        )
    return arr


def prepare(
    data: pd.DataFrame,
    outcome: str,
    conditions: str | Sequence[str] | None = None,
    case_col: str | None = None,
    source: str = "data",
) -> SetData:
    """Validate a data frame and extract the arrays an analysis needs.

    Parameters
    ----------
    data : DataFrame
        One row per case.
    outcome : str
        Outcome column, optionally prefixed with ``~`` to explain its negation.
    conditions : str or sequence of str, optional
        Condition columns; default every column except the outcome and the case column.
    case_col : str, optional
        Column holding case labels; default the frame's index.
    source : str
        Name used in error messages (usually the file name).

    Returns
    -------
    SetData

    Examples
    --------
    >>> df = pd.DataFrame({"A": [1, 0], "Y": [1, 0]}, index=["c1", "c2"])
    >>> prepare(df, "~Y").y.tolist()
    [0.0, 1.0]
    """
    name, negated = parse_outcome(outcome)
    frame = data
    if case_col is not None:
        if case_col not in frame.columns:
            raise QCAError(f"{source}: case column {case_col!r} not found")
        cases = tuple(str(c) for c in frame[case_col])
        frame = frame.drop(columns=[case_col])
    else:
        cases = tuple(str(c) for c in frame.index)
    if name not in frame.columns:
        raise QCAError(f"{source}: outcome column {name!r} not found")
    conds = split_names(conditions)
    if conds is None:
        conds = [c for c in frame.columns if c != name]
    if not conds:
        raise QCAError(f"{source}: no conditions given")
    for c in conds:
        if c not in frame.columns:
            raise QCAError(f"{source}: condition column {c!r} not found")
    if len(set(conds)) != len(conds):
        raise QCAError(f"{source}: a condition is listed twice")
    if name in conds:
        raise QCAError(f"{source}: the outcome {name!r} is also listed as a condition")
    for c in (*conds, name):
        check_set_name(c, source)
    if len(frame) == 0:
        raise QCAError(f"{source}: the data has no cases")
    x = np.column_stack([_membership_column(frame, c, source) for c in conds])
    y = _membership_column(frame, name, source)
    fuzzy = tuple(bool(np.any(x[:, j] % 1 != 0)) for j in range(x.shape[1]))
    if negated:
        y = 1.0 - y
    return SetData(
        conditions=tuple(conds),
        outcome=name,
        negated=negated,
        x=x,
        y=y,
        cases=cases,
        fuzzy=fuzzy,
    )
