"""Statistics for a small, purposively chosen set of cases.

Two questions, each answered with the established library for it:

* **Agreement between coders** (:func:`cohen_kappa`, :func:`fleiss_kappa` from
  :mod:`statsmodels.stats.inter_rater`; :func:`krippendorff_alpha` from the
  ``krippendorff`` package; :func:`agreement` for two tidy coding sheets).
* **Sensitivity of a conclusion to single coding decisions**
  (:func:`coding_sensitivity`): move each coded cell one step on the 0 / 0.33 / 0.67 / 1
  scale and see whether a conclusion (a QCA solution, a clustering, ...) changes.

There is no significance test of how mechanisms are spread over cases or families:
such a test says nothing about any outcome, and with a handful of purposively chosen
cases it describes only the coded corpus.  Tests that bear on an outcome (the QCA
permutation test) state that they describe the coded corpus only.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import krippendorff
import numpy as np
import pandas as pd
from statsmodels.stats import inter_rater

__all__ = [
    "SCALE",
    "AgreementResult",
    "SensitivityResult",
    "agreement",
    "clustering_conclusion",
    "cohen_kappa",
    "coding_sensitivity",
    "fleiss_kappa",
    "krippendorff_alpha",
    "to_scale_steps",
]

#: The codebook's four-point fuzzy membership scale.
SCALE: tuple[float, ...] = (0.0, 0.33, 0.67, 1.0)

# --- agreement --------------------------------------------------------------------


def to_scale_steps(scores: Iterable[float] | pd.Series | np.ndarray) -> np.ndarray:
    """Map membership scores to their step on the scale: 0 → 0, 0.33 → 1, 0.67 → 2, 1 → 3.

    Scores within 0.02 of a scale point are accepted (so 1/3 and 0.333 map like 0.33);
    anything else raises ``ValueError``.  Missing values become NaN.

    Examples
    --------
    >>> to_scale_steps([0, 0.33, 0.67, 1, 1 / 3]).tolist()
    [0.0, 1.0, 2.0, 3.0, 1.0]
    """
    x = np.asarray(list(scores) if not isinstance(scores, np.ndarray) else scores, dtype=float)
    steps = np.rint(x * 3)
    ok = np.isnan(x) | (np.abs(x * 3 - steps) <= 0.06) & (steps >= 0) & (steps <= 3)
    if not ok.all():
        raise ValueError(f"scores not on the 0/0.33/0.67/1 scale: {sorted(set(x[~ok]))}")
    return steps


def cohen_kappa(
    a: Sequence[Hashable] | pd.Series | np.ndarray,
    b: Sequence[Hashable] | pd.Series | np.ndarray,
    wt: str | None = None,
) -> float:
    """Cohen's kappa of two coders' categorical codes for the same units.

    Computed by :func:`statsmodels.stats.inter_rater.cohens_kappa` on the two coders'
    contingency table.

    Parameters
    ----------
    a, b : sequence
        Codes given by coder A and coder B to the same units, in the same order.
    wt : {None, "linear", "quadratic"}
        Weighted kappa for ordered numeric codes (weights from the code values).

    Returns
    -------
    float
        Kappa; NaN when undefined (both coders used one and the same category for
        every unit, so chance agreement is already 1).

    Examples
    --------
    >>> round(cohen_kappa([1, 1, 0, 0, 1], [1, 0, 0, 0, 1]), 6)   # (.8 - .48) / (1 - .48)
    0.615385
    """
    a_arr, b_arr = np.asarray(a), np.asarray(b)
    if a_arr.shape != b_arr.shape or a_arr.ndim != 1:
        raise ValueError("a and b must be one-dimensional and of equal length")
    if len(a_arr) == 0:
        raise ValueError("no units to compare")
    categories = sorted(set(a_arr.tolist()) | set(b_arr.tolist()))
    index = {c: i for i, c in enumerate(categories)}
    data = np.column_stack([[index[v] for v in a_arr.tolist()], [index[v] for v in b_arr.tolist()]])
    table, _ = inter_rater.to_table(data, bins=len(categories))
    kwargs: dict[str, Any] = {}
    if wt is not None:
        kwargs = {"wt": wt, "weights": np.asarray(categories, dtype=float)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        kappa = inter_rater.cohens_kappa(table, return_results=False, **kwargs)
    return float(kappa)


def fleiss_kappa(ratings: pd.DataFrame | np.ndarray, method: str = "fleiss") -> float:
    """Fleiss' kappa for several coders (statsmodels ``fleiss_kappa``).

    Parameters
    ----------
    ratings : pandas.DataFrame or array_like, shape (units, coders)
        Category given by each coder (columns) to each unit (rows).  No missing values.
    method : {"fleiss", "randolph"}
        ``"randolph"`` is the free-marginal multirater kappa.

    Returns
    -------
    float

    Examples
    --------
    >>> r = [[1, 1, 1], [0, 0, 0], [1, 1, 0], [0, 0, 0]]
    >>> round(fleiss_kappa(r), 4)   # (10/12 - 74/144) / (1 - 74/144)
    0.6571
    """
    arr = np.asarray(ratings)
    if arr.ndim != 2:
        raise ValueError("ratings must be units x coders")
    if pd.isna(arr).any():
        raise ValueError("ratings must not have missing values")
    counts, _ = inter_rater.aggregate_raters(arr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(inter_rater.fleiss_kappa(counts, method=method))


def krippendorff_alpha(
    reliability_data: pd.DataFrame | np.ndarray | Sequence[Sequence[float]],
    level: str = "ordinal",
    value_domain: Sequence[float] | None = None,
) -> float:
    """Krippendorff's alpha (``krippendorff.alpha``).

    Parameters
    ----------
    reliability_data : array_like, shape (coders, units)
        Value each coder gave each unit; NaN where a coder did not code a unit.
    level : {"ordinal", "nominal", "interval", "ratio"}
        Level of measurement.  The membership scale is ordinal: 0.67 is "more" than
        0.33, but the steps need not be equal.
    value_domain : sequence, optional
        The ordered possible values; by default the values that occur.

    Returns
    -------
    float
        Alpha; NaN when undefined (fewer than two distinct values occur, so there is
        no variation to agree on).

    Examples
    --------
    >>> data = [[1, 2, 3, 3, 2, 1, 4, 1, 2],
    ...         [1, 2, 3, 3, 2, 2, 4, 1, 2]]
    >>> round(krippendorff_alpha(data, level="nominal"), 4)   # 1 - (2/18) / (230/306)
    0.8522
    """
    arr = np.asarray(reliability_data, dtype=float)
    present = arr[~np.isnan(arr)]
    if len(np.unique(present)) < 2:
        return float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(
            krippendorff.alpha(
                reliability_data=arr,
                level_of_measurement=level,
                value_domain=value_domain,
            )
        )


@dataclass(frozen=True)
class AgreementResult:
    """Result of :func:`agreement`.

    Attributes
    ----------
    alpha_ordinal : float
        Krippendorff's alpha (ordinal) over all units.
    kappa_presence : float
        Cohen's kappa on presence (score > 0) over all units.
    exact_agreement : float
        Share of units with identical scores.
    n_units : int
        Units (case x code) compared.
    per_code : pandas.DataFrame
        Index ``code``; columns ``n`` (units), ``alpha_ordinal`` (NaN when there is no
        variation on the code), ``exact_agreement``, ``n_disagreements``.
    disagreements : pandas.DataFrame
        Columns ``case_id``, ``code``, ``score_a``, ``score_b``, ``steps`` (b's score
        minus a's, in scale steps), sorted by size of the gap, then case and code.
    units : pandas.DataFrame
        All compared units with both scores.
    """

    alpha_ordinal: float
    kappa_presence: float
    exact_agreement: float
    n_units: int
    per_code: pd.DataFrame
    disagreements: pd.DataFrame
    units: pd.DataFrame


def _tidy_scores(frame: pd.DataFrame, who: str) -> pd.DataFrame:
    missing = {"case_id", "code", "score"} - set(frame.columns)
    if missing:
        raise ValueError(f"coder {who} frame lacks columns {sorted(missing)}")
    f = frame[["case_id", "code", "score"]]
    dup = f.duplicated(["case_id", "code"], keep=False)
    if dup.any():
        raise ValueError(f"coder {who} scores some case x code twice: {f[dup].values.tolist()}")
    return f.set_index(["case_id", "code"])["score"].astype(float)


def agreement(
    coder_a: pd.DataFrame,
    coder_b: pd.DataFrame,
    missing: str = "absent",
) -> AgreementResult:
    """Agreement between two coders' independent codings of the same cases.

    Parameters
    ----------
    coder_a, coder_b : pandas.DataFrame
        Tidy frames with columns ``case_id``, ``code``, ``score`` (scores on the
        0 / 0.33 / 0.67 / 1 scale).
    missing : {"absent", "drop"}
        What a case x code listed by only one coder means.  ``"absent"`` (default):
        the other coder did not find the mechanism, score 0, as in the case files
        where a code left out counts as not reported.  ``"drop"``: compare only units
        both coders scored.

    Returns
    -------
    AgreementResult
        Overall ordinal Krippendorff's alpha (scores mapped to scale steps 0-3 with
        the full four-point domain), Cohen's kappa on presence (score > 0), units
        compared, per-code alpha and n, and the list of disagreements.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"case_id": ["s", "s", "d", "d"], "code": ["x", "y", "x", "y"],
    ...                   "score": [1, 0.33, 0, 0.67]})
    >>> b = pd.DataFrame({"case_id": ["s", "s", "d"], "code": ["x", "y", "y"],
    ...                   "score": [1, 0.67, 0.67]})
    >>> res = agreement(a, b)
    >>> res.n_units, res.exact_agreement, res.kappa_presence
    (4, 0.75, 1.0)
    >>> res.disagreements[["case_id", "code", "steps"]].values.tolist()
    [['s', 'y', 1]]
    """
    if missing not in ("absent", "drop"):
        raise ValueError("missing must be 'absent' or 'drop'")
    sa, sb = _tidy_scores(coder_a, "a"), _tidy_scores(coder_b, "b")
    how = "outer" if missing == "absent" else "inner"
    units = pd.concat([sa.rename("score_a"), sb.rename("score_b")], axis=1, join=how)
    units = units.fillna(0.0).sort_index().reset_index()
    if units.empty:
        raise ValueError("no units to compare")
    step_a = to_scale_steps(units["score_a"])
    step_b = to_scale_steps(units["score_b"])
    units["steps"] = (step_b - step_a).astype(int)

    domain = [0.0, 1.0, 2.0, 3.0]
    alpha = krippendorff_alpha(np.vstack([step_a, step_b]), "ordinal", domain)
    kappa = cohen_kappa(step_a > 0, step_b > 0)

    per_code_rows = []
    for code, grp in units.groupby("code", sort=True):
        ga = to_scale_steps(grp["score_a"])
        gb = to_scale_steps(grp["score_b"])
        per_code_rows.append(
            {
                "code": code,
                "n": len(grp),
                "alpha_ordinal": krippendorff_alpha(np.vstack([ga, gb]), "ordinal", domain),
                "exact_agreement": float((ga == gb).mean()),
                "n_disagreements": int((ga != gb).sum()),
            }
        )
    per_code = pd.DataFrame(per_code_rows).set_index("code")

    dis = units[units["steps"] != 0].copy()
    dis["_gap"] = dis["steps"].abs()
    dis = dis.sort_values(["_gap", "case_id", "code"], ascending=[False, True, True])
    dis = dis.drop(columns="_gap").reset_index(drop=True)
    return AgreementResult(
        alpha_ordinal=alpha,
        kappa_presence=kappa,
        exact_agreement=float((units["steps"] == 0).mean()),
        n_units=len(units),
        per_code=per_code,
        disagreements=dis,
        units=units,
    )


# --- coding sensitivity -------------------------------------------------------------


def _same(x: Any, y: Any) -> bool:
    if isinstance(x, pd.DataFrame | pd.Series):
        return isinstance(y, type(x)) and x.equals(y)
    if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
        return bool(np.array_equal(np.asarray(x), np.asarray(y)))
    return bool(x == y)


@dataclass(frozen=True)
class SensitivityResult:
    """Result of :func:`coding_sensitivity`.

    Attributes
    ----------
    baseline : object
        The conclusion on the coding as it stands.
    runs : pandas.DataFrame
        One row per perturbation: ``target`` ("membership" or "outcome"),
        ``case_id``, ``code``, ``original``, ``perturbed``, ``direction``
        ("up"/"down"), ``changed`` (bool) and ``conclusion`` (the conclusion reached).
    """

    baseline: Any
    runs: pd.DataFrame

    @property
    def changed(self) -> pd.DataFrame:
        """The perturbations that change the conclusion."""
        return self.runs[self.runs["changed"]].reset_index(drop=True)

    @property
    def fragile_cells(self) -> pd.DataFrame:
        """Distinct coded cells (target, case_id, code) on which the conclusion hinges."""
        return (
            self.changed[["target", "case_id", "code", "original"]]
            .drop_duplicates()
            .reset_index(drop=True)
        )


def coding_sensitivity(
    membership: pd.DataFrame,
    outcome_scores: pd.Series | None,
    run_fn: Callable[..., Any],
    *,
    cells: Iterable[tuple[Hashable, Hashable]] | None = None,
    perturb_outcome: bool = False,
    same: Callable[[Any, Any], bool] | None = None,
) -> SensitivityResult:
    """Which single coding decisions does a conclusion depend on?

    Every coded cell is moved one step on the 0 / 0.33 / 0.67 / 1 scale, up and down
    where possible (0 only up, 1 only down), one cell at a time (a not-reported cell,
    NaN, is missing data and is left alone); the conclusion
    function is re-run on each perturbed coding and compared with the conclusion on
    the coding as it stands.

    Parameters
    ----------
    membership : pandas.DataFrame
        Index ``case_id``, one column per code, scores on the scale.
    outcome_scores : pandas.Series or None
        Outcome membership per case (index ``case_id``), passed to ``run_fn``; ``None``
        if the conclusion needs no outcome (e.g. a clustering).
    run_fn : callable
        ``run_fn(membership, outcome_scores)`` (or ``run_fn(membership)`` when
        ``outcome_scores`` is None) returning the conclusion: a QCA solution formula,
        a partition from :func:`clustering_conclusion`, ...
    cells : iterable of (case_id, code), optional
        Only perturb these cells.  Default: every cell of ``membership``.
    perturb_outcome : bool
        Also move each case's outcome score one step (cases with a missing outcome
        score are left alone).
    same : callable, optional
        ``same(baseline, conclusion) -> bool``.  Default: equality (``DataFrame.equals``
        for pandas objects, ``array_equal`` for arrays, ``==`` otherwise).

    Returns
    -------
    SensitivityResult
        ``.runs`` lists every perturbation; ``.changed`` those that change the
        conclusion; ``.fragile_cells`` the cells concerned.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"grid": [1, 0.67, 0.0], "fund": [0.0, 0.33, 1.0]},
    ...                  index=pd.Index(["a", "b", "c"], name="case_id"))
    >>> def grid_cases(mm):            # conclusion: cases more in than out of "grid"
    ...     return tuple(mm.index[mm["grid"] > 0.5])
    >>> res = coding_sensitivity(m, None, grid_cases)
    >>> len(res.runs), res.baseline
    (8, ('a', 'b'))
    >>> res.changed[["case_id", "code", "perturbed"]].values.tolist()
    [['b', 'grid', 0.33]]
    """
    compare = same or _same
    steps = pd.DataFrame(
        to_scale_steps(membership.to_numpy(dtype=float).ravel()).reshape(membership.shape),
        index=membership.index,
        columns=membership.columns,
    )
    # A cell whose source is silent (NaN: not reported) has no coding to move; it
    # stays missing in every run rather than being read as 0.
    out_steps = None
    if outcome_scores is not None:
        out_steps = pd.Series(to_scale_steps(outcome_scores), index=outcome_scores.index)

    def run(m: pd.DataFrame, y: pd.Series | None) -> Any:
        return run_fn(m) if y is None else run_fn(m, y)

    baseline = run(membership, outcome_scores)
    targets: list[tuple[str, Hashable, Hashable]]
    if cells is None:
        cells = [(c, k) for c in membership.index for k in membership.columns]
    targets = [("membership", c, k) for c, k in cells if pd.notna(steps.at[c, k])]
    if perturb_outcome:
        if outcome_scores is None:
            raise ValueError("perturb_outcome needs outcome_scores")
        name = outcome_scores.name if outcome_scores.name is not None else "outcome"
        # A case whose source is silent on the outcome (NaN) has no coding to move.
        targets += [("outcome", c, name) for c in outcome_scores.index[outcome_scores.notna()]]

    records = []
    for target, case, code in targets:
        if target == "membership":
            step = int(steps.at[case, code])
        else:
            assert out_steps is not None
            step = int(out_steps.at[case])
        for direction, new_step in (("down", step - 1), ("up", step + 1)):
            if not 0 <= new_step <= 3:
                continue
            m, y = membership, outcome_scores
            if target == "membership":
                m = membership.copy()
                m[code] = m[code].astype(float)
                m.at[case, code] = SCALE[new_step]
            else:
                assert outcome_scores is not None
                y = outcome_scores.astype(float).copy()
                y.at[case] = SCALE[new_step]
            conclusion = run(m, y)
            records.append(
                {
                    "target": target,
                    "case_id": case,
                    "code": code,
                    "original": SCALE[step],
                    "perturbed": SCALE[new_step],
                    "direction": direction,
                    "changed": not compare(baseline, conclusion),
                    "conclusion": conclusion,
                }
            )
    runs = pd.DataFrame.from_records(
        records,
        columns=[
            "target",
            "case_id",
            "code",
            "original",
            "perturbed",
            "direction",
            "changed",
            "conclusion",
        ],
    )
    runs["changed"] = runs["changed"].astype(bool)
    return SensitivityResult(baseline=baseline, runs=runs)


def clustering_conclusion(
    membership: pd.DataFrame,
    k: int = 2,
    metric: str = "fuzzy_jaccard",
    method: str = "average",
) -> tuple[tuple[str, ...], ...]:
    """The partition of cases into ``k`` clusters, in a canonical, comparable form.

    Hierarchical clustering (:func:`analysis.similarity.cluster`) on
    :func:`analysis.similarity.distance_matrix`, cut into ``k`` clusters.  The
    partition is returned as a tuple of sorted tuples of case ids, the groups ordered
    by their first member, so that two partitions are equal exactly when they group
    the cases the same way (cluster numbering does not matter).  Meant as the
    ``run_fn`` of :func:`coding_sensitivity`.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"x": [1, 1, 0, 0], "y": [1, 0.67, 0, 0.33], "z": [0, 0, 1, 1]},
    ...                  index=pd.Index(list("abcd"), name="case_id"))
    >>> clustering_conclusion(m)
    (('a', 'b'), ('c', 'd'))
    """
    from analysis.similarity import cluster, distance_matrix, partition

    return partition(cluster(distance_matrix(membership, metric), method=method).cut(k))
