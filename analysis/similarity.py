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

How far to trust them: :func:`similarity_intervals` gives each pair a jackknife
interval over its jointly reported codes, and :func:`rank_pairs` /
:func:`ranked_neighbours` rank with ties wherever intervals overlap; the clustering
carries its cophenetic correlation, :func:`mds` its Kruskal stress, and
:func:`split_stability` names a two-group split only when leaving out any one code
keeps it (else "no stable split").
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
    "MDSResult",
    "PairComparison",
    "SimilarityIntervals",
    "SplitStability",
    "cluster",
    "compare_pair",
    "distance_matrix",
    "fuzzy_jaccard",
    "gower",
    "jaccard",
    "jointly_reported",
    "kruskal_stress",
    "mds",
    "mds_coordinates",
    "partition",
    "rank_pairs",
    "ranked_neighbours",
    "similarity_intervals",
    "split_stability",
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


def _prepared(membership: pd.DataFrame, metric: str) -> tuple[np.ndarray, np.ndarray]:
    """Scores (Gower: scaled by each code's range) with NaN set to 0, and the reported mask."""
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; choose from {sorted(METRICS)}")
    if metric == "gower" and membership.shape[1] == 0:
        raise ValueError("membership has no codes")
    x, r = _values(membership)
    if metric == "jaccard":
        return (x > 0).astype(float), r
    if metric == "gower":
        # Range over the reporting cases; a code no case reports has range 0.
        hi = np.where(r > 0, x, -np.inf).max(axis=0, initial=-np.inf)
        lo = np.where(r > 0, x, np.inf).min(axis=0, initial=np.inf)
        ranges = np.where(np.isfinite(hi) & np.isfinite(lo), hi - lo, 0.0)
        return x / np.where(ranges > 0, ranges, 1.0), r
    return x, r


def _terms(
    x: np.ndarray, r: np.ndarray, rows: slice, codes: slice | int, metric: str
) -> tuple[np.ndarray, ...]:
    """Per-code terms of the pairs of ``rows`` with every case: numerator, denominator
    and jointly-reported indicator, arrays (rows, n, codes), or (rows, n) for one code."""
    xa, ra = x[rows, None, codes], r[rows, None, codes]
    xb, rb = x[None, :, codes], r[None, :, codes]
    both = ra * rb
    if metric == "jaccard":
        inter = xa * xb
        union = xa + xb - inter
        return inter * both, union * both, both
    if metric == "fuzzy_jaccard":
        return np.minimum(xa, xb) * both, np.maximum(xa, xb) * both, both
    return np.abs(xa - xb) * both, both, both


def _contributions(membership: pd.DataFrame, metric: str) -> tuple[np.ndarray, ...]:
    """What each code adds to each pair's coefficient: arrays of shape (n, n, codes).

    Every coefficient here is a function of three sums over the codes reported for both
    cases: a numerator, a denominator and the number of such codes.  Returning the
    per-code terms lets the jackknife drop one code by subtraction instead of
    recomputing.  A code not reported for both cases of a pair adds 0 to all three.
    """
    x, r = _prepared(membership, metric)
    return _terms(x, r, slice(None), slice(None), metric)


#: Pairs per block in :func:`_similarity` (0.5 MB per array).
_BLOCK = 1 << 16


def _combine(metric: str, num: np.ndarray, den: np.ndarray, joint: np.ndarray) -> np.ndarray:
    """The coefficient from its summed terms; NaN where no code is jointly reported.

    Jaccard coefficients are num / den, with 0/0 (two empty configurations) taken as 1,
    as scipy does for the Jaccard distance; Gower's is 1 − num / den.
    """
    safe = np.where(den > 0, den, 1.0)
    if metric == "gower":
        s = 1.0 - num / safe
    else:
        s = np.where(den > 0, num / safe, 1.0)
    return np.where(joint > 0, s, np.nan)


def _leave_one_code_out(membership: pd.DataFrame, metric: str) -> tuple[np.ndarray, ...]:
    """The coefficient of every pair, and again with each code left out.

    Returns ``(s, loo, both, m)``: ``s`` (n, n) on all codes; ``loo`` (n, n, codes)
    without code k (NaN where that leaves a pair no jointly reported code); ``both``
    whether code k is reported for both cases; ``m`` the number of jointly reported
    codes per pair.
    """
    num, den, both = _contributions(membership, metric)
    n_sum, d_sum, m = num.sum(axis=2), den.sum(axis=2), both.sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        loo = _combine(metric, n_sum[..., None] - num, d_sum[..., None] - den, m[..., None] - both)
    return _combine(metric, n_sum, d_sum, m), loo, both, m


def _similarity(membership: pd.DataFrame, metric: str) -> pd.DataFrame:
    """The coefficient of every pair, a block of rows and one code at a time.

    The terms are those of :func:`_contributions`, and they are added code after code,
    which is the order in which numpy sums the last axis of those arrays (their codes
    axis is the outermost in memory), so the result is the same to the last bit; but
    no (cases, cases, codes) array is made (1,000 cases and 40 codes: 320 MB each), and
    every operation runs over a row of cases rather than over 40 codes.
    """
    x, r = _prepared(membership, metric)
    n, codes = x.shape
    sums = np.zeros((3, n, n))
    step = max(1, _BLOCK // max(1, n))
    for lo in range(0, n, step):
        rows = slice(lo, min(n, lo + step))
        for k in range(codes):
            for total, term in zip(sums, _terms(x, r, rows, k, metric), strict=True):
                total[rows] += term
    return _square(_combine(metric, *sums), membership)


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
    return _similarity(membership, "jaccard")


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
    return _similarity(membership, "fuzzy_jaccard")


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
    return _similarity(membership, "gower")


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
    condensed : numpy.ndarray or None
        The clustered distances in condensed form (for :attr:`cophenetic`).
    """

    linkage: np.ndarray
    labels: list[str]
    leaves: list[str]
    method: str
    condensed: np.ndarray | None = None

    @property
    def cophenetic(self) -> float:
        """Cophenetic correlation of the tree with the distances it was built from.

        The Pearson correlation between the input distances and the heights at which
        the tree first joins each pair (:func:`scipy.cluster.hierarchy.cophenet`).
        Near 1 the tree represents the distances faithfully; below about 0.75 it
        distorts them.  NaN with two cases or when all distances are equal (no
        variation to correlate), or when the distances are not kept.
        """
        if self.condensed is None or len(self.labels) < 3:
            return float("nan")
        with np.errstate(invalid="ignore", divide="ignore"):
            return float(hierarchy.cophenet(self.linkage, self.condensed)[0])

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
    >>> round(res.cophenetic, 4)   # corr((.1, .9, .8), (.1, .85, .85)) = .375 / sqrt(.38 * .375)
    0.9934
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
    return HierarchicalClustering(
        linkage=z, labels=labels, leaves=leaves, method=method, condensed=condensed
    )


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
        ``eigenvalues`` (all, descending), ``explained`` (share of the sum of
        positive eigenvalues carried by each returned axis) and ``stress``
        (:func:`kruskal_stress` of the map).  :func:`mds` gives the same as a typed
        result.

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
    out.attrs["stress"] = kruskal_stress(distance, out)
    return out


def kruskal_stress(distance: pd.DataFrame, coordinates: pd.DataFrame) -> float:
    """Kruskal's stress-1 of a map: how far its distances are from the ones mapped.

    stress-1 = sqrt(Σ_{i<j} (δ_ij − d_ij)² / Σ_{i<j} d_ij²), with δ the input
    dissimilarities and d the Euclidean distances between the map's points (Kruskal
    1964; for metric MDS the disparities are the dissimilarities themselves).  0 is a
    perfect map; Kruskal's rough guide reads 0.05 as good, 0.1 as fair and 0.2 as
    poor.  NaN when the map puts every case on the same point.

    Parameters
    ----------
    distance : pandas.DataFrame
        Square dissimilarity matrix.
    coordinates : pandas.DataFrame
        One row per case (same order as ``distance``), one column per dimension.

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from scipy.spatial.distance import pdist, squareform
    >>> pts = np.array([[0, 0], [3, 0], [0, 1], [3, 1]])      # a 3 x 1 rectangle
    >>> d = pd.DataFrame(squareform(pdist(pts)))
    >>> # on one axis: the short sides collapse (1 -> 0), the diagonals shrink (√10 -> 3)
    >>> round(kruskal_stress(d, mds_coordinates(d, 1)), 4)    # sqrt((2 + 2(√10 - 3)²) / 36)
    0.2388
    >>> round(kruskal_stress(d, mds_coordinates(d, 2)), 10)
    0.0
    """
    from scipy.spatial.distance import pdist

    delta = ssd.squareform(distance.to_numpy(dtype=float), checks=False)
    fitted = pdist(coordinates.to_numpy(dtype=float))
    denom = float((fitted**2).sum())
    if denom == 0:
        return float("nan")
    return float(np.sqrt(((delta - fitted) ** 2).sum() / denom))


@dataclass(frozen=True)
class MDSResult:
    """Result of :func:`mds`.

    Attributes
    ----------
    coordinates : pandas.DataFrame
        Index ``case_id``, columns ``dim1`` ... (see :func:`mds_coordinates`).
    eigenvalues : list of float
        All eigenvalues of the double-centred matrix, descending.
    explained : list of float
        Share of the positive eigenvalues carried by each returned axis.
    stress : float
        Kruskal's stress-1 (:func:`kruskal_stress`): how much the map distorts the
        distances; report it with the map.
    """

    coordinates: pd.DataFrame
    eigenvalues: list[float]
    explained: list[float]
    stress: float


def mds(distance: pd.DataFrame, n_components: int = 2) -> MDSResult:
    """Classical MDS (:func:`mds_coordinates`) with its fit as a typed result.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame([[0, 1, 2], [1, 0, 1], [2, 1, 0]],
    ...                  index=list("abc"), columns=list("abc"))
    >>> res = mds(d, 1)                       # three points on a line
    >>> res.coordinates["dim1"].round(6).tolist(), round(res.stress, 6)
    ([1.0, 0.0, -1.0], 0.0)
    """
    coords = mds_coordinates(distance, n_components)
    return MDSResult(
        coordinates=coords,
        eigenvalues=list(coords.attrs["eigenvalues"]),
        explained=list(coords.attrs["explained"]),
        stress=float(coords.attrs["stress"]),
    )


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


# --- uncertainty: jackknife over codes ----------------------------------------------


@dataclass(frozen=True)
class SimilarityIntervals:
    """Result of :func:`similarity_intervals`: each pair's similarity with its interval.

    Attributes
    ----------
    metric : str
        The coefficient (a key of :data:`METRICS`).
    similarity : pandas.DataFrame
        Square case x case similarity, as the metric's own function gives it.
    n_joint : pandas.DataFrame
        Codes reported for both cases of each pair (:func:`jointly_reported`): the base
        of each value and the number of jackknife replicates.
    se : pandas.DataFrame
        Jackknife standard error over the jointly reported codes; NaN with fewer than
        two such codes and on the diagonal.
    lower, upper : pandas.DataFrame
        ``similarity ± z · se`` clipped to [0, 1], z the normal quantile for ``level``.
        A pair with exactly one jointly reported code gets [0, 1] (one code says
        nothing about how stable the value is); a pair with none gets NaN.
    level : float
        Nominal coverage of the interval.
    """

    metric: str
    similarity: pd.DataFrame
    n_joint: pd.DataFrame
    se: pd.DataFrame
    lower: pd.DataFrame
    upper: pd.DataFrame
    level: float

    def pairs(self) -> pd.DataFrame:
        """One row per unordered pair (matrix order): ``a``, ``b``, ``similarity``,
        ``lower``, ``upper``, ``se``, ``n_joint``.

        Examples
        --------
        >>> import pandas as pd
        >>> m = pd.DataFrame({"x": [1, 1, 0], "y": [1, 0, 1]},
        ...                  index=pd.Index(list("abc"), name="case_id"))
        >>> similarity_intervals(m, "jaccard").pairs()[["a", "b", "n_joint"]].values.tolist()
        [['a', 'b', 2], ['a', 'c', 2], ['b', 'c', 2]]
        """
        ids = list(self.similarity.index)
        iu, ju = np.triu_indices(len(ids), k=1)

        def take(frame: pd.DataFrame) -> np.ndarray:
            return frame.to_numpy()[iu, ju]

        return pd.DataFrame(
            {
                "a": [ids[i] for i in iu],
                "b": [ids[j] for j in ju],
                "similarity": take(self.similarity),
                "lower": take(self.lower),
                "upper": take(self.upper),
                "se": take(self.se),
                "n_joint": take(self.n_joint).astype(int),
            }
        )


def similarity_intervals(
    membership: pd.DataFrame, metric: str = "fuzzy_jaccard", level: float = 0.95
) -> SimilarityIntervals:
    """Each pair's similarity with a jackknife interval over its jointly reported codes.

    For a pair with m codes reported for both cases, the coefficient is recomputed m
    times, each time leaving one of those codes out (s₍ₖ₎); the jackknife standard
    error is se = sqrt((m − 1)/m · Σₖ (s₍ₖ₎ − s̄)²) with s̄ the mean of the s₍ₖ₎
    (Efron & Tibshirani 1993, ch. 11), and the interval is s ± z·se, clipped to [0, 1].
    The interval shows how much a pair's value rests on single codes: with a few dozen
    codes, a difference in the second decimal is usually inside it.

    All m replicates of all pairs are computed at once from the per-code terms of the
    coefficient (no loop over codes or pairs).  For Gower the code ranges stay those of
    the full matrix (leaving code k out removes its own range only).

    Parameters
    ----------
    membership : pandas.DataFrame
        Index ``case_id``, one column per code, NaN = not reported.
    metric : {"fuzzy_jaccard", "jaccard", "gower"}
    level : float
        Nominal coverage of the normal-approximation interval, in (0, 1).

    Returns
    -------
    SimilarityIntervals

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"w": [1, 1], "x": [1, 1], "y": [1, 0], "z": [0, 0]},
    ...                  index=pd.Index(["a", "b"], name="case_id"))
    >>> res = similarity_intervals(m, "fuzzy_jaccard")
    >>> round(float(res.similarity.loc["a", "b"]), 4)   # 2 / 3
    0.6667
    >>> # leave-one-out values 1/2, 1/2, 2/2, 2/3: se = sqrt(3/4 * 1/6) = sqrt(1/8)
    >>> round(float(res.se.loc["a", "b"]), 4), int(res.n_joint.loc["a", "b"])
    (0.3536, 4)
    >>> float(res.lower.loc["a", "b"]), float(res.upper.loc["a", "b"])   # clipped
    (0.0, 1.0)
    """
    from scipy.stats import norm

    if not 0 < level < 1:
        raise ValueError("level must be between 0 and 1")
    s, loo, both, m = _leave_one_code_out(membership, metric)
    # Only the codes jointly reported for a pair are its replicates.
    use = both > 0
    loo = np.where(use, loo, 0.0)
    safe_m = np.where(m > 0, m, 1.0)
    mean = loo.sum(axis=2) / safe_m
    ss = (np.where(use, loo - mean[..., None], 0.0) ** 2).sum(axis=2)
    se = np.where(m >= 2, np.sqrt((m - 1) / safe_m * ss), np.nan)
    np.fill_diagonal(se, np.nan)
    z = float(norm.ppf(0.5 + level / 2))
    lower = np.where(m >= 2, np.clip(s - z * se, 0.0, 1.0), np.where(m == 1, 0.0, np.nan))
    upper = np.where(m >= 2, np.clip(s + z * se, 0.0, 1.0), np.where(m == 1, 1.0, np.nan))
    diag = np.diag_indices_from(s)
    lower[diag] = upper[diag] = s[diag]
    return SimilarityIntervals(
        metric=metric,
        similarity=_square(s, membership),
        n_joint=_square(m.round().astype(int), membership),
        se=_square(se, membership),
        lower=_square(lower, membership),
        upper=_square(upper, membership),
        level=level,
    )


def _tie_ranks(sim: np.ndarray, lo: np.ndarray, up: np.ndarray) -> tuple[np.ndarray, ...]:
    """Order (most similar first), rank, tie group and group size of some items.

    A tie group starts at the most similar remaining item and takes in every following
    item whose interval overlaps the starting item's (its ``upper`` reaches the
    starter's ``lower``).  ``rank`` is the competition rank of the group (1 + items in
    better groups), shared by its members.  Items with a NaN similarity (no jointly
    reported code) come last with rank, group and size 0.
    """
    order = np.argsort(np.where(np.isnan(sim), np.inf, -sim), kind="stable")
    s, lo, up = sim[order], lo[order], up[order]
    rank = np.zeros(len(s), dtype=np.int64)
    group = np.zeros(len(s), dtype=np.int64)
    g = start = 0
    for i in range(len(s)):
        if np.isnan(s[i]):
            break
        if i == start or up[i] < lo[start]:
            g, start = g + 1, i
        rank[i], group[i] = start + 1, g
    size = np.bincount(group, minlength=g + 1)[group]
    size[group == 0] = 0
    return order, rank, group, size


def _rank_table(frame: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Sort by similarity (descending; within ``by`` groups) and add ``rank``,
    ``tie_group`` and ``n_tied`` (:func:`_tie_ranks`; missing for unranked items)."""
    sim, lo, up = (frame[c].to_numpy(dtype=float) for c in ("similarity", "lower", "upper"))
    keys = np.zeros(len(frame), dtype=int) if by is None else frame[by].to_numpy()
    pieces = []
    for key in pd.unique(keys):
        idx = np.flatnonzero(keys == key)
        order, rank, group, size = _tie_ranks(sim[idx], lo[idx], up[idx])
        pieces.append((idx[order], rank, group, size))
    take = np.concatenate([p[0] for p in pieces])
    f = frame.iloc[take].reset_index(drop=True)
    for k, name in ((1, "rank"), (2, "tie_group"), (3, "n_tied")):
        vals = np.concatenate([p[k] for p in pieces])
        arr = pd.array(vals, dtype="Int64")
        arr[vals == 0] = pd.NA
        f[name] = arr
    return f


def rank_pairs(intervals: SimilarityIntervals) -> pd.DataFrame:
    """All pairs of cases ranked by similarity, with ties where intervals overlap.

    Parameters
    ----------
    intervals : SimilarityIntervals
        From :func:`similarity_intervals`.

    Returns
    -------
    pandas.DataFrame
        The columns of :meth:`SimilarityIntervals.pairs` plus ``rank`` (competition
        rank of the pair's tie group: pairs whose intervals overlap the group's most
        similar pair share it), ``tie_group`` (1, 2, ... from the most similar) and
        ``n_tied`` (pairs in the group), most similar first.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"w": [1, 1, 0, 0], "x": [1, 1, 0, 1], "y": [1, 1, 1, 1],
    ...                   "z": [0, 0, 1, 1]},
    ...                  index=pd.Index(list("abcd"), name="case_id"))
    >>> ranked = rank_pairs(similarity_intervals(m, "jaccard"))
    >>> (ranked["a"] + ranked["b"]).tolist()     # a and b are identical: [1, 1]
    ['ab', 'cd', 'ad', 'bd', 'ac', 'bc']
    >>> ranked["rank"].tolist()                  # the next three reach up to 1
    [1, 1, 1, 1, 5, 5]
    """
    return _rank_table(intervals.pairs())


def ranked_neighbours(intervals: SimilarityIntervals) -> pd.DataFrame:
    """Each case's other cases, most similar first, with ties where intervals overlap.

    Parameters
    ----------
    intervals : SimilarityIntervals
        From :func:`similarity_intervals`.

    Returns
    -------
    pandas.DataFrame
        One row per case and neighbour: ``case_id``, ``neighbour``, ``similarity``,
        ``lower``, ``upper``, ``se``, ``n_joint``, ``rank``, ``tie_group``,
        ``n_tied`` (ranking as in :func:`rank_pairs`, within each case), grouped by
        case in matrix order.  A neighbour sharing no reported code with the case
        comes last, unranked.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"w": [1, 1, 0, 0], "x": [1, 1, 0, 1], "y": [1, 1, 1, 1],
    ...                   "z": [0, 0, 1, 1]},
    ...                  index=pd.Index(list("abcd"), name="case_id"))
    >>> nb = ranked_neighbours(similarity_intervals(m, "jaccard"))
    >>> nb[nb.case_id == "a"][["neighbour", "similarity", "rank"]].values.tolist()
    [['b', 1.0, 1], ['d', 0.5, 1], ['c', 0.25, 3]]
    >>> # a-d: leave-one-out 2/3, 1/3, 1/3, 2/3, se = sqrt(1/12), 0.5 ± 0.566 -> [0, 1]
    >>> # reaches b's [1, 1]: tied; a-c: 0.25 ± 1.96 * 0.25 -> [0, 0.74]: rank 3
    """
    ids = list(intervals.similarity.index)
    n = len(ids)
    row, col = np.nonzero(~np.eye(n, dtype=bool))
    frame = pd.DataFrame(
        {
            "case_id": [ids[i] for i in row],
            "neighbour": [ids[j] for j in col],
            **{
                name: getattr(intervals, name).to_numpy()[row, col]
                for name in ("similarity", "lower", "upper", "se")
            },
            "n_joint": intervals.n_joint.to_numpy()[row, col].astype(int),
        }
    )
    return _rank_table(frame, by="case_id")


# --- is a split stable? --------------------------------------------------------------


def partition(labels: pd.Series) -> tuple[tuple[str, ...], ...]:
    """Cluster labels as a canonical partition: sorted tuples of case ids, sorted.

    Two labellings give equal partitions exactly when they group the cases the same
    way, whatever the cluster numbers.

    Examples
    --------
    >>> import pandas as pd
    >>> partition(pd.Series([2, 1, 2], index=["c", "a", "b"]))
    (('a',), ('b', 'c'))
    """
    groups = [tuple(sorted(str(c) for c in labels.index[labels == g])) for g in labels.unique()]
    return tuple(sorted(groups))


def _cut_tree(z: np.ndarray, k: int) -> np.ndarray:
    """Cluster labels of a linkage cut into ``k`` groups, as ``fcluster(z, k,
    "maxclust")`` gives them for a monotone tree, without its per-call validation.

    The first n − k merges are applied; when the merge heights tie at the cut, which
    merges belong below it is scipy's call, so fcluster decides.
    """
    n = len(z) + 1
    if 1 < k < n and z[n - k - 1, 2] == z[n - k, 2]:
        return hierarchy.fcluster(z, t=k, criterion="maxclust")
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    for i in range(n - k):
        members[n + i] = members.pop(int(z[i, 0])) + members.pop(int(z[i, 1]))
    labels = np.empty(n, dtype=np.int64)
    for g, leaves in enumerate(members.values()):
        labels[leaves] = g
    return labels


def _first_seen(labels: np.ndarray) -> np.ndarray:
    """Cluster labels renumbered 0, 1, ... in order of first appearance (so two
    labellings are equal exactly when they group the same way)."""
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    return np.argsort(np.argsort(first))[inverse]


@dataclass(frozen=True)
class SplitStability:
    """Result of :func:`split_stability`.

    Attributes
    ----------
    split : tuple of tuple of str or None
        The ``k``-group split, named only when stable; ``None`` otherwise.
    verdict : str
        ``"stable split"`` or ``"no stable split"``.
    full_split : tuple of tuple of str
        The split of the tree on all codes (reported whether stable or not).
    share : float
        Share of leave-one-code-out reclusterings that give ``full_split`` again.
    n_replicates : int
        Reclusterings: one per code reported for at least two cases (the codes that
        enter some similarity).
    threshold : float
        The share needed to call the split stable.
    k : int
    metric, method : str
    dropped_codes_changing : list of str
        Codes whose removal changes the split (or leaves some pair with no jointly
        reported code, which counts as a change).
    """

    split: tuple[tuple[str, ...], ...] | None
    verdict: str
    full_split: tuple[tuple[str, ...], ...]
    share: float
    n_replicates: int
    threshold: float
    k: int
    metric: str
    method: str
    dropped_codes_changing: list[str] = field(default_factory=list)

    @property
    def stable(self) -> bool:
        """Whether the split is reproduced in at least ``threshold`` of the replicates."""
        return self.split is not None


def split_stability(
    membership: pd.DataFrame,
    metric: str = "fuzzy_jaccard",
    method: str = "average",
    k: int = 2,
    threshold: float = 0.9,
) -> SplitStability:
    """Is the ``k``-group split of the clustering stable when one code is left out?

    The cases are clustered on all codes (:func:`distance_matrix`, :func:`cluster`)
    and the tree cut into ``k`` groups; then, for every code reported for at least two
    cases, the code is left out, the distances recomputed and the cases reclustered
    (a jackknife over codes).  The split is named only when at least ``threshold`` of
    these reclusterings give the same groups; otherwise the verdict is "no stable
    split".  The leave-one-out distances come from the per-code terms of the
    coefficient at once; only the small linkage runs once per code.

    Parameters
    ----------
    membership : pandas.DataFrame
        Index ``case_id``, one column per code, NaN = not reported.
    metric : {"fuzzy_jaccard", "jaccard", "gower"}
    method : {"average", "complete", "single", "weighted"}
    k : int
        Number of groups (2: the two-group split the reports name).
    threshold : float
        Share of reclusterings that must reproduce the split, in (0, 1].

    Returns
    -------
    SplitStability

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"w": [1, 1, 0, 0], "x": [1, 1, 0, 0], "y": [0, 0, 1, 1],
    ...                   "z": [0, 0, 1, 1]},
    ...                  index=pd.Index(list("abcd"), name="case_id"))
    >>> res = split_stability(m)      # every code left out still gives {a, b} | {c, d}
    >>> res.split, res.share, res.n_replicates
    ((('a', 'b'), ('c', 'd')), 1.0, 4)
    >>> m2 = pd.DataFrame({"u": [0.5, 0.5, 0], "v": [0, 1, 1], "w": [0.5, 0, 1]},
    ...                   index=pd.Index(list("abc"), name="case_id"))
    >>> # all codes: b-c .4 > a-b .25 > a-c .2; without v: a-b .5 > a-c .33 > b-c 0
    >>> res2 = split_stability(m2)
    >>> res2.verdict, res2.full_split, round(res2.share, 4), res2.dropped_codes_changing
    ('no stable split', (('a',), ('b', 'c')), 0.6667, ['v'])
    >>> split_stability(m2, threshold=0.6).split
    (('a',), ('b', 'c'))
    """
    if not 0 < threshold <= 1:
        raise ValueError("threshold must be in (0, 1]")
    ids = [str(c) for c in membership.index]
    if not 2 <= k <= len(ids):
        raise ValueError(f"k must be between 2 and the number of cases ({len(ids)})")
    full_tree = cluster(distance_matrix(membership, metric), method)
    full = partition(full_tree.cut(k))
    full_labels = _first_seen(hierarchy.fcluster(full_tree.linkage, t=k, criterion="maxclust"))
    _, sims, both, _ = _leave_one_code_out(membership, metric)
    # Codes reported for at least two cases: the only ones that enter a similarity.
    in_pairs = both.sum(axis=(0, 1)) > np.einsum("iik->k", both)
    codes = [c for c, used in zip(membership.columns, in_pairs, strict=True) if used]
    changing: list[str] = []
    col = {c: j for j, c in enumerate(membership.columns)}
    for code in codes:
        d = 1.0 - sims[:, :, col[code]]
        d = np.clip((d + d.T) / 2.0, 0.0, None)
        np.fill_diagonal(d, 0.0)
        if np.isnan(d).any():
            changing.append(str(code))
            continue
        z = hierarchy.linkage(ssd.squareform(d, checks=False), method=method)
        if not np.array_equal(_first_seen(_cut_tree(z, k)), full_labels):
            changing.append(str(code))
    n = len(codes)
    share = (n - len(changing)) / n if n else float("nan")
    stable = bool(n) and share >= threshold
    return SplitStability(
        split=full if stable else None,
        verdict="stable split" if stable else "no stable split",
        full_split=full,
        share=share,
        n_replicates=n,
        threshold=threshold,
        k=k,
        metric=metric,
        method=method,
        dropped_codes_changing=changing,
    )
