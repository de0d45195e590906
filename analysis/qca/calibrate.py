"""Calibration of raw values into set membership, as R's ``QCA::calibrate()``.

Direct method only: crisp sets from one or more thresholds, fuzzy sets from
three anchors (exclusion ``e``, crossover ``c``, inclusion ``i``; logistic or
piecewise "linear" with curvature ``below``/``above``) or six anchors for
bell-shaped sets (``e1, c1, i1, i2, c2, e2``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from analysis.qca.errors import QCAError

_THREE = ("e", "c", "i")
_SIX = ("e1", "c1", "i1", "i2", "c2", "e2")


def _parse_thresholds(
    thresholds: str | float | Sequence[float] | Mapping[str, float],
) -> tuple[list[float], list[str] | None]:
    if isinstance(thresholds, Mapping):
        return [float(v) for v in thresholds.values()], [str(k) for k in thresholds]
    if isinstance(thresholds, str):
        values, names = [], []
        for part in thresholds.split(","):
            part = part.strip()
            if not part:
                continue
            if "=" in part:
                name, value = (s.strip() for s in part.split("=", 1))
                names.append(name)
            else:
                value = part
            try:
                values.append(float(value))
            except ValueError:
                raise QCAError(f"threshold {part!r} is not numeric") from None
        if names and len(names) != len(values):
            raise QCAError("either name every threshold or none")
        return values, (names or None)
    if isinstance(thresholds, (int, float)):
        return [float(thresholds)], None
    return [float(v) for v in thresholds], None


def _ordered(values: list[float], names: list[str] | None, wanted: tuple[str, ...]) -> list[float]:
    if names is not None and len(set(names)) == len(names) and set(names) == set(wanted):
        return [values[names.index(w)] for w in wanted]
    return values


def _close(a: float, b: float) -> bool:
    # R's all.equal(a, b): difference relative to the target a, tolerance 1.5e-8.
    scale = abs(a) if abs(a) > 1.5e-8 else 1.0
    return abs(a - b) / scale < 1.5e-8


def _le(a: float, b: float) -> bool:
    return a < b or _close(a, b)


def calibrate(
    x: Sequence[float] | np.ndarray,
    type: str = "fuzzy",
    thresholds: str | float | Sequence[float] | Mapping[str, float] | None = None,
    logistic: bool = True,
    idm: float = 0.95,
    below: float = 1.0,
    above: float = 1.0,
) -> np.ndarray:
    """Calibrate raw values into crisp or fuzzy set membership scores.

    Parameters
    ----------
    x : array-like of float
        Raw values.
    type : {"fuzzy", "crisp"}
        Crisp calibration counts the thresholds reached by each value (0, 1, 2, ...).
    thresholds : str, number, sequence or mapping
        Crisp: one or more cut points.  Fuzzy: ``"e=..., c=..., i=..."`` (or the
        three values in that order; ``e > i`` gives a decreasing set) or six
        values ``e1, c1, i1, i2, c2, e2`` for a bell-shaped set.
    logistic : bool
        Three-anchor fuzzy calibration through the logistic function; otherwise
        piecewise with curvature ``below`` and ``above``.
    idm : float
        Inclusion degree of membership at the ``i`` anchor (logistic only),
        0.5 < idm < 1.  R's default is 0.95; the shipped Lipset data used
        ``1/(1 + exp(-3))`` (log-odds of plus or minus 3 at the anchors).
    below, above : float
        Curvature of the piecewise function below and above the crossover.

    Returns
    -------
    ndarray
        Membership scores; fuzzy scores below 1e-4 are set to 0 and above
        0.9999 to 1, as R does.

    Examples
    --------
    >>> calibrate([165, 175, 185], thresholds="e=165, c=175, i=185").round(3).tolist()
    [0.05, 0.5, 0.95]
    >>> calibrate([1, 5, 9], type="crisp", thresholds=[4, 8]).tolist()
    [0, 1, 2]
    """
    arr = np.asarray(x, dtype=float)
    if arr.ndim != 1 or not np.all(np.isfinite(arr)):
        raise QCAError("calibrate() needs a vector of finite numbers")
    if thresholds is None:
        raise QCAError("threshold value(s) not specified")
    values, names = _parse_thresholds(thresholds)
    if type == "crisp":
        if names is not None:
            raise QCAError("named thresholds require fuzzy type calibration")
        if any(t < arr.min() or t > arr.max() for t in values):
            raise QCAError("threshold value(s) outside the range of x")
        cuts = np.sort(np.array(values))
        return np.searchsorted(cuts, arr, side="right").astype(int)
    if type != "fuzzy":
        raise QCAError("calibration type must be 'fuzzy' or 'crisp'")
    if not 0.5 < idm < 1:
        raise QCAError("idm must be bigger than 0.5 and less than 1")
    if below <= 0 or above <= 0:
        raise QCAError("below and above must be positive")
    if len(values) == 3:
        fs = _three_anchors(arr, _ordered(values, names, _THREE), logistic, idm, below, above)
    elif len(values) == 6:
        fs = _six_anchors(arr, _ordered(values, names, _SIX), below, above)
    else:
        raise QCAError("fuzzy direct calibration needs 3 or 6 thresholds")
    fs[fs < 0.0001] = 0.0
    fs[fs > 0.9999] = 1.0
    return fs


def _three_anchors(
    x: np.ndarray, th: list[float], logistic: bool, idm: float, below: float, above: float
) -> np.ndarray:
    ex, cr, inc = th
    if logistic:
        decreasing = ex > inc
        if decreasing:
            ex, inc = inc, ex
        odds = math.log(idm / (1 - idm))
        low = x < cr
        sign = np.where(low, 1.0, -1.0)
        anchor = np.where(low, ex, inc)
        fs = 1.0 / (1.0 + np.exp(sign * (x - cr) * odds / (anchor - cr)))
        return 1.0 - fs if decreasing else fs
    increasing = not (inc < cr < ex)
    out = np.empty(len(x))
    for j, v in enumerate(x):
        if increasing:
            if _le(v, ex):
                out[j] = 0.0
            elif _le(v, cr):
                out[j] = ((ex - v) / (ex - cr)) ** below / 2
            elif _le(v, inc):
                out[j] = 1 - ((inc - v) / (inc - cr)) ** above / 2
            else:
                out[j] = 1.0
        else:
            if _le(v, inc):
                out[j] = 1.0
            elif _le(v, cr):
                out[j] = 1 - ((inc - v) / (inc - cr)) ** above / 2
            elif _le(v, ex):
                out[j] = ((ex - v) / (ex - cr)) ** below / 2
            else:
                out[j] = 0.0
    return out


def _six_anchors(x: np.ndarray, th: list[float], below: float, above: float) -> np.ndarray:
    ex1, cr1, in1, in2, cr2, ex2 = th
    if cr1 < min(ex1, in1) or cr1 > max(ex1, in1):
        raise QCAError("first crossover threshold not between first exclusion and inclusion")
    if cr2 < min(ex2, in2) or cr2 > max(ex2, in2):
        raise QCAError("second crossover threshold not between second exclusion and inclusion")
    increasing = not (in1 < cr1 < ex1 <= ex2 < cr2 < in2)
    same = (
        len({ex1, cr1, in1}) < 3
        or len({in2, cr2, ex2}) < 3
        or cr1 == cr2
        or (ex1 == ex2 if increasing else in1 == in2)
    )
    if same:
        raise QCAError("some thresholds are equal that should not be equal")
    out = np.empty(len(x))
    for j, v in enumerate(x):
        if increasing:
            if _le(v, ex1):
                out[j] = 0.0
            elif _le(v, cr1):
                out[j] = ((ex1 - v) / (ex1 - cr1)) ** below / 2
            elif v < in1:
                out[j] = 1 - ((in1 - v) / (in1 - cr1)) ** above / 2
            elif _le(v, in2):
                out[j] = 1.0
            elif _le(v, cr2):
                out[j] = 1 - ((in2 - v) / (in2 - cr2)) ** above / 2
            elif _le(v, ex2):
                out[j] = ((ex2 - v) / (ex2 - cr2)) ** below / 2
            else:
                out[j] = 0.0
        else:
            if _le(v, in1):
                out[j] = 1.0
            elif _le(v, cr1):
                out[j] = 1 - ((in1 - v) / (in1 - cr1)) ** above / 2
            elif v < ex1:
                out[j] = ((ex1 - v) / (ex1 - cr1)) ** below / 2
            elif _le(v, ex2):
                out[j] = 0.0
            elif _le(v, cr2):
                out[j] = ((ex2 - v) / (ex2 - cr2)) ** below / 2
            elif _le(v, in2):
                out[j] = 1 - ((in2 - v) / (in2 - cr2)) ** above / 2
            else:
                out[j] = 1.0
    return out
