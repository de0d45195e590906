"""Similarity of cases by their mechanism configurations: Jaccard, fuzzy Jaccard, Gower.

Three coefficients are offered, each a *similarity* in [0, 1] between two cases'
membership profiles (rows of the ``membership`` matrix):

``jaccard``
    Presence only (score > 0): |A ∩ B| / |A ∪ B|, where A and B are the sets of
    mechanisms a case has at all.  Ignores how strongly a mechanism is present.
``fuzzy_jaccard``
    The fuzzy-set generalisation (Ruzicka): Σ_k min(a_k, b_k) / Σ_k max(a_k, b_k).
    Equal to ``jaccard`` when every score is 0 or 1.
``gower``
    Gower's (1971) coefficient for quantitative variables:
    1 − (1/p) Σ_k |a_k − b_k| / R_k, with R_k the observed range of code k across the
    cases compared.  Unlike the two Jaccard coefficients it counts shared absences as
    agreement.

For two cases with no mechanism at all both Jaccard coefficients are 0/0; they are
taken as 1 (identical, empty configurations), as scipy does for the Jaccard distance.

Missing is not zero: a code the source does not report (NaN in ``membership``) takes
no part in the similarity of any pair that includes that case.  Every coefficient is
computed over the codes reported for both cases; :func:`jointly_reported` gives that
number for each pair, and a pair with none gets NaN.

:func:`distance_matrix` turns any of them into a dissimilarity (1 − similarity) that
:func:`cluster` (scipy hierarchical clustering) and :func:`mds_coordinates` (classical
multidimensional scaling) take.  :func:`compare_pair` lists what two cases share and
what sets them apart, with the evidence behind each mechanism.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.cluster import hierarchy
from scipy.spatial import distance as ssd

__all__ = [
    "METRICS",
    "HierarchicalClustering",
    "PairComparison",
    "cluster",
    "compare_pair",
    "distance_matrix",
    "fuzzy_jaccard",
    "gower",
    "jaccard",
    "jointly_reported",
    "mds_coordinates",
]


def _square(values: np.ndarray, membership: pd.DataFrame) -> pd.DataFrame:
    idx = membership.index.copy()
    cols = pd.Index(list(idx), name=idx.name)
    return pd.DataFrame(values, index=idx, columns=cols)


def _values(membership: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Scores with NaN set to 0 (never used where missing) and the reported mask."""
    x = membership.to_numpy(dtype=float)
    reported = ~np.isnan(x)
    return np.where(reported, x, 0.0), reported.astype(float)


def _over_joint(values: np.ndarray, joint: np.ndarray) -> np.ndarray:
    """Put NaN where two cases share no reported code."""
    return np.where(joint > 0, values, np.nan)


def jointly_reported(membership: pd.DataFrame) -> pd.DataFrame:
    """Number of codes reported for both cases of every pair (the base of each similarity).

    Parameters
    ----------
    membership : pandas.DataFrame
        Index ``case_id``, one column per code; NaN where the case's source does not
        report the code.

    Returns
    -------
    pandas.DataFrame
        Square case x case frame of integer counts; the diagonal is each case's number
        of reported codes.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> m = pd.DataFrame({"x": [1, np.nan], "y": [0, 0.33], "z": [0.67, 1]},
    ...                  index=pd.Index(["a", "b"], name="case_id"))
    >>> jointly_reported(m).loc["a"].tolist()
    [3, 2]
    """
    _, r = _values(membership)
    return _square((r @ r.T).round().astype(int), membership)


def jaccard(membership: pd.DataFrame) -> pd.DataFrame:
    """Jaccard similarity of every pair of cases on mechanism presence (score > 0).

    Only codes reported for both cases count (missing is not zero): over those,
    |A ∩ B| / |A ∪ B|.  NaN for a pair with no jointly reported code.

    Parameters
    ----------
    membership : pandas.DataFrame
        Index ``case_id``, one column per code, scores in [0, 1], NaN = not reported.

    Returns
    -------
    pandas.DataFrame
        Square, symmetric case x case frame, 1 on the diagonal.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> m = pd.DataFrame({"x": [1, 0.33], "y": [0.67, 0], "z": [0, 1]},
    ...                  index=pd.Index(["a", "b"], name="case_id"))
    >>> float(jaccard(m).loc["a", "b"])    # shared {x} out of {x, y, z}
    0.3333333333333333
    >>> m.loc["b", "y"] = np.nan           # b's source is silent on y: y drops out
    >>> float(jaccard(m).loc["a", "b"])    # {x} out of {x, z}
    0.5
    """
    x, r = _values(membership)
    present = (x > 0).astype(float)
    inter = present @ present.T
    union = present @ r.T + r @ present.T - inter
    joint = r @ r.T
    # Two empty configurations: 0/0, taken as identical (scipy's convention too).
    s = np.where(union > 0, inter / np.where(union > 0, union, 1.0), 1.0)
    return _square(_over_joint(s, joint), membership)


def fuzzy_jaccard(membership: pd.DataFrame) -> pd.DataFrame:
    """Fuzzy Jaccard (Ruzicka) similarity of every pair of cases: Σmin / Σmax.

    Sums run over the codes reported for both cases; NaN for a pair with none.

    Parameters
    ----------
    membership : pandas.DataFrame
        Index ``case_id``, one column per code, scores in [0, 1], NaN = not reported.

    Returns
    -------
    pandas.DataFrame
        Square, symmetric case x case frame, 1 on the diagonal.  Two cases with no
        mechanism at all get 1.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> m = pd.DataFrame({"x": [1, 0.33], "y": [0.67, 0], "z": [0, 1]},
    ...                  index=pd.Index(["a", "b"], name="case_id"))
    >>> round(float(fuzzy_jaccard(m).loc["a", "b"]), 4)   # 0.33 / (1 + 0.67 + 1)
    0.1236
    >>> m.loc["a", "z"] = np.nan                          # only x and y count
    >>> round(float(fuzzy_jaccard(m).loc["a", "b"]), 4)   # 0.33 / (1 + 0.67)
    0.1976
    """
    x, r = _values(membership)
    both = r[:, None, :] * r[None, :, :]
    mins = (np.minimum(x[:, None, :], x[None, :, :]) * both).sum(axis=2)
    maxs = (np.maximum(x[:, None, :], x[None, :, :]) * both).sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.where(maxs > 0, mins / np.where(maxs > 0, maxs, 1.0), 1.0)
    return _square(_over_joint(s, r @ r.T), membership)


def gower(membership: pd.DataFrame) -> pd.DataFrame:
    """Gower similarity of every pair of cases, each code scaled by its observed range.

    S_ij = 1 − Σ_k w_ijk |x_ik − x_jk| / R_k / Σ_k w_ijk, where w_ijk = 1 when code k is
    reported for both cases (Gower's (1971) weights for missing values) and R_k is the
    range of code k over the cases that report it.  A code on which all reporting cases
    agree (R_k = 0) adds no difference but still counts in Σ w.  NaN for a pair with no
    jointly reported code.

    Because R_k is taken from the cases given, the value for a pair depends on which
    other cases are in the matrix.

    Parameters
    ----------
    membership : pandas.DataFrame
        Index ``case_id``, one column per code, NaN = not reported.

    Returns
    -------
    pandas.DataFrame
        Square, symmetric case x case frame, 1 on the diagonal.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> m = pd.DataFrame({"x": [1, 0.33, 0], "y": [0.67, 0.67, 0.67]},
    ...                  index=pd.Index(["a", "b", "c"], name="case_id"))
    >>> round(float(gower(m).loc["a", "b"]), 3)   # 1 - (0.67/1 + 0) / 2
    0.665
    >>> m.loc["b", "y"] = np.nan                  # only x is reported for both
    >>> round(float(gower(m).loc["a", "b"]), 3)   # 1 - 0.67/1
    0.33
    """
    if membership.shape[1] == 0:
        raise ValueError("membership has no codes")
    x, r = _values(membership)
    # Range over the reporting cases; a code no case reports has range 0 (and no weight).
    hi = np.where(r > 0, x, -np.inf).max(axis=0, initial=-np.inf)
    lo = np.where(r > 0, x, np.inf).min(axis=0, initial=np.inf)
    ranges = np.where(np.isfinite(hi) & np.isfinite(lo), hi - lo, 0.0)
    scaled = x / np.where(ranges > 0, ranges, 1.0)
    both = r[:, None, :] * r[None, :, :]
    diff = (np.abs(scaled[:, None, :] - scaled[None, :, :]) * both).sum(axis=2)
    joint = both.sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = 1.0 - diff / np.where(joint > 0, joint, 1.0)
    return _square(_over_joint(s, joint), membership)


#: Similarity coefficients :func:`distance_matrix` knows, by name.
METRICS: dict[str, Callable[[pd.DataFrame], pd.DataFrame]] = {
    "jaccard": jaccard,
    "fuzzy_jaccard": fuzzy_jaccard,
    "gower": gower,
}


def distance_matrix(membership: pd.DataFrame, metric: str = "fuzzy_jaccard") -> pd.DataFrame:
    """Dissimilarity (1 − similarity) between every pair of cases.

    Parameters
    ----------
    membership : pandas.DataFrame
        Index ``case_id``, one column per code.
    metric : {"fuzzy_jaccard", "jaccard", "gower"}
        Which similarity coefficient to turn into a distance (see module docstring).

    Returns
    -------
    pandas.DataFrame
        Square, symmetric case x case frame with an exact zero diagonal, ready for
        :func:`cluster` and :func:`mds_coordinates`.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"x": [1, 1], "y": [1, 0]},
    ...                  index=pd.Index(["a", "b"], name="case_id"))
    >>> float(distance_matrix(m, "jaccard").loc["a", "b"])
    0.5
    """
    try:
        sim = METRICS[metric](membership)
    except KeyError:
        raise ValueError(f"unknown metric {metric!r}; choose from {sorted(METRICS)}") from None
    d = 1.0 - sim.to_numpy()
    # Symmetrise and zero the diagonal so that scipy's squareform checks never trip on
    # floating-point noise.
    d = (d + d.T) / 2.0
    np.fill_diagonal(d, 0.0)
    d = np.clip(d, 0.0, None)
    return pd.DataFrame(d, index=sim.index, columns=sim.columns)


@dataclass(frozen=True)
class HierarchicalClustering:
    """Result of :func:`cluster`.

    Attributes
    ----------
    linkage : numpy.ndarray
        scipy linkage matrix (n − 1 rows: merged cluster ids, height, size), usable
        with ``scipy.cluster.hierarchy.dendrogram(linkage, labels=labels)``.
    labels : list of str
        Case ids in the order of the distance matrix (the linkage's leaf numbering).
    leaves : list of str
        Case ids in dendrogram left-to-right order, for ordering heatmap rows.
    method : str
        The linkage method used.
    """

    linkage: np.ndarray
    labels: list[str]
    leaves: list[str]
    method: str

    def cut(self, k: int) -> pd.Series:
        """Cut the tree into (at most) ``k`` clusters.

        Labels are renumbered 1, 2, ... in the order in which clusters first appear
        along ``labels`` so that equal partitions always get equal labels.

        Examples
        --------
        >>> import pandas as pd
        >>> d = pd.DataFrame([[0, .1, .9], [.1, 0, .8], [.9, .8, 0]],
        ...                  index=list("abc"), columns=list("abc"))
        >>> cluster(d).cut(2).tolist()
        [1, 1, 2]
        """
        if not 1 <= k <= len(self.labels):
            raise ValueError(f"k must be between 1 and {len(self.labels)}")
        if len(self.labels) == 1:
            return pd.Series([1], index=pd.Index(self.labels, name="case_id"), name="cluster")
        raw = hierarchy.fcluster(self.linkage, t=k, criterion="maxclust")
        renumber: dict[int, int] = {}
        for r in raw:
            renumber.setdefault(int(r), len(renumber) + 1)
        return pd.Series(
            [renumber[int(r)] for r in raw],
            index=pd.Index(self.labels, name="case_id"),
            name="cluster",
        )


_LINKAGE_METHODS = ("average", "complete", "single", "weighted")


def cluster(distance: pd.DataFrame, method: str = "average") -> HierarchicalClustering:
    """Agglomerative hierarchical clustering of cases (scipy ``linkage``).

    Parameters
    ----------
    distance : pandas.DataFrame
        Square dissimilarity matrix, e.g. from :func:`distance_matrix`.
    method : {"average", "complete", "single", "weighted"}
        Linkage method; ``"average"`` is UPGMA.  Ward, centroid and median linkage are
        refused because they assume Euclidean distances, which Jaccard and Gower
        dissimilarities are not.

    Returns
    -------
    HierarchicalClustering
        The linkage matrix, case labels, dendrogram leaf order and method.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame([[0, .1, .9], [.1, 0, .8], [.9, .8, 0]],
    ...                  index=list("abc"), columns=list("abc"))
    >>> res = cluster(d)
    >>> res.leaves
    ['c', 'a', 'b']
    >>> round(float(res.linkage[-1, 2]), 6)   # UPGMA height of the last merge: (.9 + .8) / 2
    0.85
    """
    if method not in _LINKAGE_METHODS:
        raise ValueError(f"method must be one of {_LINKAGE_METHODS}, got {method!r}")
    if list(distance.index) != list(distance.columns):
        raise ValueError("distance must be square with the same case order on both axes")
    labels = [str(c) for c in distance.index]
    if len(labels) < 2:
        raise ValueError("clustering needs at least two cases")
    if distance.isna().to_numpy().any():
        raise ValueError("distance has missing values: some pair of cases shares no reported code")
    condensed = ssd.squareform(distance.to_numpy(dtype=float), checks=True)
    z = hierarchy.linkage(condensed, method=method)
    leaves = [labels[i] for i in hierarchy.leaves_list(z)]
    return HierarchicalClustering(linkage=z, labels=labels, leaves=leaves, method=method)


def mds_coordinates(distance: pd.DataFrame, n_components: int = 2) -> pd.DataFrame:
    """Classical (Torgerson) multidimensional scaling of a distance matrix.

    B = −½ J D⁽²⁾ J with J the centring matrix; coordinates are the leading
    eigenvectors of B scaled by the square roots of their eigenvalues.  Axes with a
    non-positive eigenvalue (possible when the distances are not Euclidean) get zero
    coordinates.

    Sign convention (eigenvectors have arbitrary sign): each axis is oriented so that
    the case with the largest absolute coordinate on it is positive; on ties, the
    first such case in the matrix order.  Results are therefore reproducible across
    runs and platforms.

    Parameters
    ----------
    distance : pandas.DataFrame
        Square dissimilarity matrix.
    n_components : int
        Number of dimensions to return.

    Returns
    -------
    pandas.DataFrame
        Index as ``distance``, columns ``dim1`` ... ``dimN``.  ``.attrs`` holds
        ``eigenvalues`` (all, descending) and ``explained`` (share of the sum of
        positive eigenvalues carried by each returned axis).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame([[0, 3, 4], [3, 0, 5], [4, 5, 0]],
    ...                  index=list("abc"), columns=list("abc"))
    >>> xy = mds_coordinates(d)
    >>> import numpy as np
    >>> from scipy.spatial.distance import pdist, squareform
    >>> bool(np.allclose(squareform(pdist(xy)), d))   # a 3-4-5 triangle is Euclidean
    True
    """
    if n_components < 1:
        raise ValueError("n_components must be at least 1")
    d = distance.to_numpy(dtype=float)
    n = d.shape[0]
    j = np.eye(n) - np.full((n, n), 1.0 / n)
    b = -0.5 * j @ (d**2) @ j
    b = (b + b.T) / 2.0
    eigval, eigvec = np.linalg.eigh(b)
    order = np.argsort(eigval)[::-1]
    eigval, eigvec = eigval[order], eigvec[:, order]
    scale = max(float(np.abs(eigval).max()), 1.0) if n else 1.0
    coords = np.zeros((n, n_components))
    for k in range(min(n_components, n)):
        lam = eigval[k]
        if lam <= 1e-12 * scale:
            continue
        v = eigvec[:, k] * np.sqrt(lam)
        absv = np.abs(v)
        # Tolerance keeps the tie-break stable against last-digit eigen-solver noise.
        pivot = int(np.flatnonzero(absv >= absv.max() - 1e-9 * max(absv.max(), 1.0))[0])
        coords[:, k] = v if v[pivot] > 0 else -v
    out = pd.DataFrame(
        coords,
        index=distance.index.copy(),
        columns=[f"dim{k + 1}" for k in range(n_components)],
    )
    positive = eigval[eigval > 1e-12 * scale].sum()
    out.attrs["eigenvalues"] = eigval.tolist()
    out.attrs["explained"] = [
        float(max(eigval[k], 0.0) / positive) if k < n and positive > 0 else 0.0
        for k in range(n_components)
    ]
    return out


@dataclass(frozen=True)
class PairComparison:
    """Result of :func:`compare_pair`.

    Attributes
    ----------
    a, b : str
        The two case ids.
    shared, only_a, only_b : pandas.DataFrame
        Mechanisms present (score > threshold) in both cases, only in ``a``, only in
        ``b``.  "Only in a" means reported for ``b`` too, with a score at or below the
        threshold; a mechanism of ``a`` on which ``b``'s source is silent is in
        ``a_b_silent`` instead (and vice versa), since silence is not absence.
        Index ``code``; columns ``score_a``, ``score_b``, ``n_evidence_a``,
        ``n_evidence_b`` (evidence rows for the mechanism in each case).  Sorted by the
        larger of the two scores (descending), then code.
    evidence : dict of str to pandas.DataFrame
        Keys ``"shared"``, ``"only_a"``, ``"only_b"``: the mechanism evidence rows of
        both cases (columns as the ``evidence`` input) for each group's codes, in
        ``item_id``, ``case_id``, ``start`` order.  For a distinctive mechanism this
        includes, where the coding recorded it, the other case's evidence that the
        mechanism is reported missing (status ``absent``), which is what makes it
        distinctive rather than merely unreported.
    """

    a: str
    b: str
    shared: pd.DataFrame
    only_a: pd.DataFrame
    only_b: pd.DataFrame
    evidence: dict[str, pd.DataFrame] = field(default_factory=dict)
    a_b_silent: pd.DataFrame = field(default_factory=pd.DataFrame)
    b_a_silent: pd.DataFrame = field(default_factory=pd.DataFrame)


def compare_pair(
    membership: pd.DataFrame,
    evidence: pd.DataFrame,
    a: str,
    b: str,
    threshold: float = 0.0,
) -> PairComparison:
    """What two cases share and what is distinctive to each, with the evidence.

    Parameters
    ----------
    membership : pandas.DataFrame
        Index ``case_id``, one column per code.
    evidence : pandas.DataFrame
        Tidy evidence frame with columns ``case_id``, ``item_kind``, ``item_id``,
        ``source_id``, ``start``, ``end``, ``quote``.  Only ``item_kind ==
        "mechanism"`` rows are used.
    a, b : str
        Case ids to compare.
    threshold : float
        A mechanism counts as present when its score is above this value (default 0:
        any membership; 0.5 keeps only "more in than out" memberships).

    Returns
    -------
    PairComparison

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"grid": [1, 0.67], "contract": [1, 0], "app": [0, 0.33]},
    ...                  index=pd.Index(["shaoxing", "dongguan"], name="case_id"))
    >>> ev = pd.DataFrame({"case_id": ["shaoxing"], "item_kind": ["mechanism"],
    ...                    "item_id": ["contract"], "source_id": ["s1"],
    ...                    "start": [10], "end": [14], "quote": ["契约共建"]})
    >>> cmp = compare_pair(m, ev, "shaoxing", "dongguan")
    >>> list(cmp.shared.index), list(cmp.only_a.index), list(cmp.only_b.index)
    (['grid'], ['contract'], ['app'])
    >>> cmp.evidence["only_a"]["quote"].tolist()
    ['契约共建']
    >>> m.loc["dongguan", "contract"] = float("nan")      # dongguan's source is silent
    >>> cmp = compare_pair(m, ev, "shaoxing", "dongguan")
    >>> list(cmp.only_a.index), list(cmp.a_b_silent.index)
    ([], ['contract'])
    """
    for case in (a, b):
        if case not in membership.index:
            raise KeyError(f"case {case!r} is not in membership")
    if a == b:
        raise ValueError("compare two different cases")
    sa = membership.loc[a].astype(float)
    sb = membership.loc[b].astype(float)
    in_a, in_b = sa > threshold, sb > threshold  # NaN (not reported) is not present
    rep_a, rep_b = sa.notna(), sb.notna()
    ev = evidence[(evidence["item_kind"] == "mechanism") & evidence["case_id"].isin([a, b])]

    groups = {
        "shared": in_a & in_b,
        "only_a": in_a & rep_b & ~in_b,
        "only_b": rep_a & ~in_a & in_b,
        "a_b_silent": in_a & ~rep_b,
        "b_a_silent": ~rep_a & in_b,
    }
    frames: dict[str, pd.DataFrame] = {}
    evidence_out: dict[str, pd.DataFrame] = {}
    for name, mask in groups.items():
        codes = list(mask[mask].index)
        group_ev = ev[ev["item_id"].isin(codes)]
        group_ev = group_ev.sort_values(["item_id", "case_id", "start"], kind="stable")
        evidence_out[name] = group_ev.reset_index(drop=True)
        counts = group_ev.groupby(["case_id", "item_id"]).size()
        frame = pd.DataFrame(
            {
                "score_a": sa[codes].to_numpy(),
                "score_b": sb[codes].to_numpy(),
                "n_evidence_a": [int(counts.get((a, c), 0)) for c in codes],
                "n_evidence_b": [int(counts.get((b, c), 0)) for c in codes],
            },
            index=pd.Index(codes, name="code"),
        )
        frame["_key"] = frame[["score_a", "score_b"]].max(axis=1)
        frame = (
            frame.reset_index()
            .sort_values(["_key", "code"], ascending=[False, True])
            .set_index("code")
        )
        frames[name] = frame.drop(columns="_key")
    return PairComparison(
        a=a,
        b=b,
        shared=frames["shared"],
        only_a=frames["only_a"],
        only_b=frames["only_b"],
        evidence=evidence_out,
        a_b_silent=frames["a_b_silent"],
        b_a_silent=frames["b_a_silent"],
    )
