"""Tests for analysis.similarity, with hand-computed coefficients."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.spatial.distance import pdist, squareform

from analysis.similarity import (
    METRICS,
    cluster,
    compare_pair,
    distance_matrix,
    fuzzy_jaccard,
    gower,
    jaccard,
    jointly_reported,
    kruskal_stress,
    mds,
    mds_coordinates,
    partition,
    rank_pairs,
    ranked_neighbours,
    similarity_intervals,
    split_stability,
)


@pytest.fixture()
def membership() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "x": [1.0, 0.33, 0.0],
            "y": [0.67, 0.0, 0.0],
            "z": [0.0, 1.0, 0.0],
            "w": [0.33, 0.33, 0.0],
        },
        index=pd.Index(["a", "b", "c"], name="case_id"),
    )


def test_jaccard_hand_values(membership):
    s = jaccard(membership)
    assert list(s.index) == ["a", "b", "c"] and list(s.columns) == ["a", "b", "c"]
    # a = {x, y, w}, b = {x, z, w}: 2 shared out of 4.
    assert s.loc["a", "b"] == 0.5
    assert s.loc["a", "c"] == 0.0
    # Two empty configurations count as identical.
    assert s.loc["c", "c"] == 1.0
    assert np.allclose(np.diag(s), 1.0)


def test_fuzzy_jaccard_hand_values(membership):
    s = fuzzy_jaccard(membership)
    # Σmin = .33 + 0 + 0 + .33; Σmax = 1 + .67 + 1 + .33
    assert s.loc["a", "b"] == pytest.approx(0.66 / 3.0)
    assert s.loc["b", "a"] == s.loc["a", "b"]
    assert s.loc["a", "c"] == 0.0
    assert s.loc["c", "c"] == 1.0


def test_gower_hand_values(membership):
    s = gower(membership)
    # ranges: x 1, y .67, z 1, w .33
    # a-b: .67/1 + .67/.67 + 1/1 + 0/.33 = 2.67 over 4 codes
    assert s.loc["a", "b"] == pytest.approx(1 - 2.67 / 4)
    # a-c: 1 + 1 + 0 + 1 = 3
    assert s.loc["a", "c"] == pytest.approx(0.25)
    # b-c: .33 + 0 + 1 + 1
    assert s.loc["b", "c"] == pytest.approx(1 - 2.33 / 4)


def test_gower_constant_code_counts_in_denominator():
    m = pd.DataFrame({"x": [1.0, 0.0], "k": [0.67, 0.67]}, index=["a", "b"])
    assert gower(m).loc["a", "b"] == pytest.approx(0.5)


def test_distance_matrix(membership):
    d = distance_matrix(membership, "jaccard")
    assert d.loc["a", "b"] == 0.5
    assert d.loc["a", "c"] == 1.0
    assert np.all(np.diag(d) == 0.0)
    d2 = distance_matrix(membership, "gower")
    assert d2.loc["a", "c"] == pytest.approx(0.75)
    assert distance_matrix(membership).loc["a", "b"] == pytest.approx(1 - 0.22)
    with pytest.raises(ValueError, match="unknown metric"):
        distance_matrix(membership, "euclid")


def test_not_reported_is_missing_not_zero(membership):
    # b's source is silent on y, a's on z: those codes drop out of any pair with b or a.
    m = membership.copy()
    m.loc["b", "y"] = np.nan
    m.loc["a", "z"] = np.nan
    n = jointly_reported(m)
    assert n.loc["a", "b"] == 2  # x and w
    assert n.loc["a", "c"] == 3 and n.loc["b", "c"] == 3 and n.loc["c", "c"] == 4
    # Over {x, w}: a = {x, w}, b = {x, w}.
    assert jaccard(m).loc["a", "b"] == 1.0
    assert jaccard(m).loc["a", "c"] == 0.0
    # Σmin = .33 + .33, Σmax = 1 + .33.
    assert fuzzy_jaccard(m).loc["a", "b"] == pytest.approx(0.66 / 1.33)
    # Ranges over reporting cases: x 1, y .67 (a, c), z 1 (b, c), w .33.
    g = gower(m)
    assert g.loc["a", "b"] == pytest.approx(1 - 0.67 / 2)
    assert g.loc["a", "c"] == pytest.approx(0.0)
    assert g.loc["b", "c"] == pytest.approx(1 - 2.33 / 3)
    # Had silence been read as 0, a and b would differ on y and z.
    assert jaccard(m.fillna(0)).loc["a", "b"] == 0.5


def test_pair_without_jointly_reported_codes_is_nan(membership):
    m = membership.copy()
    m.loc["c", :] = np.nan
    m.loc["c", "x"] = 0.0
    m.loc["a", "x"] = np.nan
    assert jointly_reported(m).loc["a", "c"] == 0
    for fn in (jaccard, fuzzy_jaccard, gower):
        assert np.isnan(fn(m).loc["a", "c"]), fn.__name__
        assert fn(m).loc["b", "c"] == fn(m).loc["c", "b"]
    with pytest.raises(ValueError, match="no reported code"):
        cluster(distance_matrix(m))


def test_compare_pair_keeps_silence_apart(membership):
    m = membership.copy()
    m.loc["b", "y"] = np.nan
    ev = pd.DataFrame(
        columns=["case_id", "item_kind", "item_id", "source_id", "start", "end", "quote"]
    )
    pc = compare_pair(m, ev, "a", "b")
    assert list(pc.shared.index) == ["x", "w"]
    assert list(pc.only_a.index) == []  # y: b's source is silent, so not "only a"
    assert list(pc.a_b_silent.index) == ["y"]
    assert list(pc.only_b.index) == ["z"]


scores = st.sampled_from([0.0, 0.33, 0.67, 1.0])


@settings(max_examples=40, deadline=None)
@given(arrays(float, (4, 5), elements=scores))
def test_coefficient_properties(x):
    m = pd.DataFrame(x, index=list("abcd"))
    for fn in (jaccard, fuzzy_jaccard, gower):
        s = fn(m).to_numpy()
        assert np.allclose(s, s.T)
        assert np.all((s >= -1e-12) & (s <= 1 + 1e-12))
        assert np.allclose(np.diag(s), 1.0)
    # On crisp data, fuzzy Jaccard is Jaccard.
    crisp = (m > 0).astype(float)
    assert np.allclose(fuzzy_jaccard(crisp), jaccard(crisp))
    # Jaccard equals 1 - scipy's Jaccard distance on presence.
    present = (m > 0).to_numpy()
    if present.any(axis=1).all():
        assert np.allclose(jaccard(m), 1 - squareform(pdist(present, "jaccard")))


@pytest.fixture()
def dist4() -> pd.DataFrame:
    d = [[0, 0.2, 0.6, 0.7], [0.2, 0, 0.5, 0.8], [0.6, 0.5, 0, 0.3], [0.7, 0.8, 0.3, 0]]
    return pd.DataFrame(d, index=list("abcd"), columns=list("abcd"))


def test_cluster_upgma_hand_values(dist4):
    res = cluster(dist4)
    assert res.method == "average"
    # a+b at .2, c+d at .3, then mean(.6, .7, .5, .8) = .65
    np.testing.assert_allclose(res.linkage, [[0, 1, 0.2, 2], [2, 3, 0.3, 2], [4, 5, 0.65, 4]])
    assert res.leaves == ["a", "b", "c", "d"]
    assert res.cut(2).to_dict() == {"a": 1, "b": 1, "c": 2, "d": 2}
    assert res.cut(1).nunique() == 1
    assert res.cut(4).tolist() == [1, 2, 3, 4]


def test_cluster_other_methods(dist4):
    assert cluster(dist4, "complete").linkage[-1, 2] == pytest.approx(0.8)
    assert cluster(dist4, "single").linkage[-1, 2] == pytest.approx(0.5)
    with pytest.raises(ValueError, match="method"):
        cluster(dist4, "ward")


def test_cluster_labels_are_canonical(dist4):
    # Reordering the cases must not change which cases cluster together.
    order = list("dcba")
    res = cluster(dist4.loc[order, order])
    assert res.cut(2).to_dict() == {"d": 1, "c": 1, "b": 2, "a": 2}


def test_mds_points_on_a_line():
    pos = np.array([0.0, 1.0, 3.0])
    d = pd.DataFrame(np.abs(pos[:, None] - pos[None, :]), index=list("abc"), columns=list("abc"))
    xy = mds_coordinates(d)
    # Centred positions; largest |coordinate| (c) made positive.
    np.testing.assert_allclose(xy["dim1"], [-4 / 3, -1 / 3, 5 / 3], atol=1e-12)
    np.testing.assert_allclose(xy["dim2"], 0.0, atol=1e-12)
    assert xy.attrs["eigenvalues"][0] == pytest.approx(42 / 9)
    assert xy.attrs["explained"] == pytest.approx([1.0, 0.0])


def test_mds_sign_convention_flips_to_positive():
    pos = np.array([0.0, 2.0, 3.0])
    d = pd.DataFrame(np.abs(pos[:, None] - pos[None, :]), index=list("abc"), columns=list("abc"))
    # Centred: -5/3, 1/3, 4/3; a has the largest |coordinate| so it is made positive.
    np.testing.assert_allclose(mds_coordinates(d, 1)["dim1"], [5 / 3, -1 / 3, -4 / 3])


def test_mds_recovers_planar_configuration():
    pts = np.array([[0, 0], [4, 0], [0, 3], [4, 3], [2, 1]], dtype=float)
    d = pd.DataFrame(squareform(pdist(pts)), index=list("abcde"), columns=list("abcde"))
    xy = mds_coordinates(d)
    np.testing.assert_allclose(squareform(pdist(xy.to_numpy())), d.to_numpy(), atol=1e-9)
    again = mds_coordinates(d)
    pd.testing.assert_frame_equal(xy, again)


def test_mds_non_euclidean_axes_zeroed(membership):
    d = distance_matrix(membership, "jaccard")
    xy = mds_coordinates(d, n_components=3)
    ev = np.array(xy.attrs["eigenvalues"])
    for k in range(3):
        if ev[k] <= 1e-12:
            assert np.all(xy[f"dim{k + 1}"] == 0.0)
    assert sum(xy.attrs["explained"]) == pytest.approx(1.0)


@pytest.fixture()
def evidence() -> pd.DataFrame:
    rows = [
        ("a", "mechanism", "x", "s1", 10, 14, "网格管理"),
        ("a", "mechanism", "x", "s1", 2, 6, "党建引领"),
        ("b", "mechanism", "x", "s2", 50, 53, "网格化"),
        ("a", "mechanism", "y", "s1", 30, 34, "以奖代补"),
        ("b", "mechanism", "y", "s2", 70, 75, "缺乏激励机制"),  # b reports y missing
        ("b", "mechanism", "z", "s2", 90, 94, "民情通道"),
        ("a", "indicator", "x", "s1", 40, 42, "49"),  # not a mechanism: ignored
        ("c", "mechanism", "x", "s3", 0, 4, "其他案例"),  # other case: ignored
    ]
    return pd.DataFrame(
        rows, columns=["case_id", "item_kind", "item_id", "source_id", "start", "end", "quote"]
    )


def test_compare_pair(membership, evidence):
    cmp = compare_pair(membership, evidence, "a", "b")
    assert (cmp.a, cmp.b) == ("a", "b")
    # shared: x (1 / .33), w (.33 / .33), sorted by the larger score
    assert list(cmp.shared.index) == ["x", "w"]
    assert cmp.shared.loc["x"].tolist() == [1.0, 0.33, 2, 1]
    assert cmp.shared.loc["w", "n_evidence_a"] == 0
    assert list(cmp.only_a.index) == ["y"]
    assert list(cmp.only_b.index) == ["z"]
    shared_ev = cmp.evidence["shared"]
    assert shared_ev["quote"].tolist() == ["党建引领", "网格管理", "网格化"]
    assert set(shared_ev["item_kind"]) == {"mechanism"}
    # The other case's "reported missing" evidence comes with a distinctive mechanism.
    assert cmp.evidence["only_a"]["quote"].tolist() == ["以奖代补", "缺乏激励机制"]
    assert cmp.only_a.loc["y", "n_evidence_b"] == 1
    assert cmp.evidence["only_b"]["case_id"].tolist() == ["b"]


def test_compare_pair_threshold_and_errors(membership, evidence):
    cmp = compare_pair(membership, evidence, "a", "b", threshold=0.5)
    assert list(cmp.shared.index) == []
    assert list(cmp.only_a.index) == ["x", "y"]
    assert list(cmp.only_b.index) == ["z"]
    assert cmp.evidence["shared"].empty
    with pytest.raises(KeyError):
        compare_pair(membership, evidence, "a", "nowhere")
    with pytest.raises(ValueError):
        compare_pair(membership, evidence, "a", "a")


def test_docstring_examples_run():
    import doctest

    import analysis.similarity as module

    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


# --- how far to trust similarity, clustering and MDS (issue 10 §4) --------------------


def test_jackknife_interval_hand_values():
    # a, b reported on four codes; the fuzzy Jaccard is 2/3.  Leaving each code out:
    # w -> 1/2, x -> 1/2, y -> 2/2, z -> 2/3; mean 2/3; Σ dev² = 1/36 + 1/36 + 1/9 + 0
    # = 1/6; se = sqrt(3/4 * 1/6) = sqrt(1/8).
    m = pd.DataFrame(
        {"w": [1, 1, 0.0], "x": [1, 1, np.nan], "y": [1, 0, 1], "z": [0, 0, 1]},
        index=pd.Index(["a", "b", "c"], name="case_id"),
    )
    res = similarity_intervals(m, "fuzzy_jaccard")
    assert res.similarity.loc["a", "b"] == pytest.approx(2 / 3)
    assert res.se.loc["a", "b"] == pytest.approx(np.sqrt(1 / 8))
    assert res.n_joint.loc["a", "b"] == 4
    assert (res.lower.loc["a", "b"], res.upper.loc["a", "b"]) == (0.0, 1.0)  # clipped
    # a-c over w, y, z (x is not reported for c): Σmin/Σmax = 1/3; leave-one-out
    # 1/2, 0/2, 1/2: mean 1/3, Σ dev² = 1/36 + 1/9 + 1/36 = 1/6, se = sqrt(2/3 * 1/6) = 1/3.
    assert res.n_joint.loc["a", "c"] == 3
    assert res.se.loc["a", "c"] == pytest.approx(1 / 3)
    z = 1.959963984540054
    assert res.upper.loc["a", "c"] == pytest.approx(1 / 3 + z / 3)
    assert res.lower.loc["a", "c"] == 0.0
    # A narrower level gives a narrower interval.
    assert similarity_intervals(m, level=0.5).upper.loc["a", "c"] == pytest.approx(
        1 / 3 + 0.6744897501960817 / 3
    )
    assert np.isnan(res.se.loc["a", "a"]) and res.lower.loc["a", "a"] == 1.0
    rows = res.pairs()
    assert rows[["a", "b", "n_joint"]].values.tolist() == [
        ["a", "b", 4],
        ["a", "c", 3],
        ["b", "c", 3],
    ]


def test_jackknife_with_one_or_no_jointly_reported_code():
    m = pd.DataFrame(
        {"x": [1, 0.67, np.nan], "y": [1, np.nan, 1]},
        index=pd.Index(["a", "b", "c"], name="case_id"),
    )
    res = similarity_intervals(m)
    # one code: the value stands, the interval says nothing (0 to 1)
    assert res.n_joint.loc["a", "b"] == 1 and np.isnan(res.se.loc["a", "b"])
    assert (res.lower.loc["a", "b"], res.upper.loc["a", "b"]) == (0.0, 1.0)
    # no code: no value, no interval, no rank
    assert np.isnan(res.similarity.loc["b", "c"]) and np.isnan(res.upper.loc["b", "c"])
    ranked = rank_pairs(res)
    assert ranked.iloc[-1][["a", "b"]].tolist() == ["b", "c"]
    assert pd.isna(ranked.iloc[-1]["rank"])


@settings(max_examples=25, deadline=None)
@given(
    st.integers(min_value=2, max_value=7).flatmap(
        lambda n: arrays(float, (n, 6), elements=st.sampled_from([0.0, 0.33, 0.67, 1.0, np.nan]))
    ),
    st.sampled_from(sorted(METRICS)),
)
def test_jackknife_equals_leaving_each_code_out(x, metric):
    """The vectorised jackknife equals recomputing the coefficient without each code."""
    ids = [f"c{i}" for i in range(len(x))]
    m = pd.DataFrame(x, index=pd.Index(ids, name="case_id"), columns=list("uvwxyz"))
    res = similarity_intervals(m, metric)
    full = METRICS[metric](m).to_numpy()
    n = jointly_reported(m).to_numpy()
    reported = m.notna().to_numpy()
    for i, j in zip(*np.triu_indices(len(ids), k=1), strict=True):
        codes = [k for k in range(6) if reported[i, k] and reported[j, k]]
        assert n[i, j] == len(codes)
        if len(codes) < 2:
            continue
        if metric == "gower":  # ranges stay those of the full matrix
            loo = [
                1
                - sum(abs(x[i, c] - x[j, c]) / _range(x[:, c]) for c in codes if c != k)
                / (len(codes) - 1)
                for k in codes
            ]
        else:
            loo = [
                METRICS[metric](m.iloc[[i, j], [c for c in codes if c != k]]).iloc[0, 1]
                for k in codes
            ]
        loo = np.asarray(loo)
        se = np.sqrt((len(codes) - 1) / len(codes) * ((loo - loo.mean()) ** 2).sum())
        assert res.se.iloc[i, j] == pytest.approx(se, abs=1e-9)
        assert res.lower.iloc[i, j] <= full[i, j] + 1e-12 <= res.upper.iloc[i, j] + 2e-12


def _range(col: np.ndarray) -> float:
    r = np.nanmax(col) - np.nanmin(col)
    return r if r > 0 else 1.0


def test_neighbours_ranked_with_ties_where_intervals_overlap():
    m = pd.DataFrame(
        {"w": [1, 1, 0, 0], "x": [1, 1, 0, 1], "y": [1, 1, 1, 1], "z": [0, 0, 1, 1]},
        index=pd.Index(list("abcd"), name="case_id"),
    )
    nb = ranked_neighbours(similarity_intervals(m, "jaccard"))
    a = nb[nb["case_id"] == "a"]
    # a-b identical on every code: [1, 1].  a-d 0.5, leave-one-out 2/3, 1/3, 1/3, 2/3:
    # se = sqrt(1/12), 0.5 ± 0.566 -> [0, 1] reaches 1: tied with b.  a-c 0.25,
    # leave-one-out 1/3, 1/3, 0, 1/3: se = 1/4, [0, 0.74]: third.
    assert a["neighbour"].tolist() == ["b", "d", "c"]
    assert a["rank"].tolist() == [1, 1, 3]
    assert a["n_tied"].tolist() == [2, 2, 1]
    assert a["se"].tolist() == pytest.approx([0.0, np.sqrt(1 / 12), 0.25])
    assert a["n_joint"].tolist() == [4, 4, 4]
    assert len(nb) == 4 * 3 and set(nb["case_id"]) == set("abcd")


def test_ranks_without_overlap_are_strict():
    # d has the six shared codes k0-k5; c adds r, b adds q and r, a adds p, q and r.
    base = {f"k{i}": [1, 1, 1, 1] for i in range(6)}
    m = pd.DataFrame(
        {**base, "p": [1, 0, 0, 0], "q": [1, 1, 0, 0], "r": [1, 1, 1, 0]},
        index=pd.Index(list("abcd"), name="case_id"),
    )
    nb = ranked_neighbours(similarity_intervals(m, "jaccard", level=0.01))
    d = nb[nb["case_id"] == "d"]
    assert d["neighbour"].tolist() == ["c", "b", "a"]
    assert d["similarity"].tolist() == pytest.approx([6 / 7, 6 / 8, 6 / 9])
    assert d["rank"].tolist() == [1, 2, 3]  # intervals this narrow do not overlap
    assert d["n_tied"].tolist() == [1, 1, 1]
    # At 95% they do: the three are one tie group.
    wide = ranked_neighbours(similarity_intervals(m, "jaccard"))
    assert wide[wide["case_id"] == "d"]["rank"].tolist() == [1, 1, 1]


def test_cophenetic_correlation_hand_value():
    d = pd.DataFrame(
        [[0, 0.1, 0.9], [0.1, 0, 0.8], [0.9, 0.8, 0]], index=list("abc"), columns=list("abc")
    )
    # distances (.1, .9, .8), tree heights (.1, .85, .85): r = .375 / sqrt(.38 * .375)
    assert cluster(d).cophenetic == pytest.approx(0.375 / np.sqrt(0.38 * 0.375))
    two = d.iloc[:2, :2]
    assert np.isnan(cluster(two).cophenetic)


def test_mds_stress_hand_value():
    # A 3 x 1 rectangle mapped on one axis: short sides 1 -> 0, diagonals √10 -> 3.
    pts = np.array([[0, 0], [3, 0], [0, 1], [3, 1]], dtype=float)
    d = pd.DataFrame(squareform(pdist(pts)), index=list("abcd"), columns=list("abcd"))
    res = mds(d, 1)
    assert res.stress == pytest.approx(np.sqrt((2 + 2 * (np.sqrt(10) - 3) ** 2) / 36))
    assert res.coordinates.attrs["stress"] == res.stress
    assert kruskal_stress(d, res.coordinates) == res.stress
    assert mds(d, 2).stress == pytest.approx(0.0, abs=1e-12)
    assert res.explained == pytest.approx([0.9])  # eigenvalues 9 and 1


def test_split_named_only_when_stable():
    # b-c .4 > a-b .25 > a-c .2: {a} | {b, c}.  Without v: a-b .5 > a-c .33 > b-c 0,
    # {a, b} | {c}; without u or w the split stands.  Share 2/3.
    m = pd.DataFrame(
        {"u": [0.5, 0.5, 0], "v": [0, 1, 1], "w": [0.5, 0, 1]},
        index=pd.Index(list("abc"), name="case_id"),
    )
    res = split_stability(m)
    assert res.full_split == (("a",), ("b", "c"))
    assert res.share == pytest.approx(2 / 3) and res.n_replicates == 3
    assert res.dropped_codes_changing == ["v"]
    assert res.split is None and not res.stable and res.verdict == "no stable split"
    loose = split_stability(m, threshold=0.6)
    assert loose.stable and loose.split == (("a",), ("b", "c"))
    assert loose.verdict == "stable split"
    # A code reported for one case only enters no similarity and is no replicate.
    m["solo"] = [1, np.nan, np.nan]
    assert split_stability(m).n_replicates == 3
    with pytest.raises(ValueError, match="threshold"):
        split_stability(m, threshold=0)


@settings(max_examples=20, deadline=None)
@given(
    st.integers(min_value=3, max_value=7).flatmap(
        lambda n: arrays(float, (n, 5), elements=st.sampled_from([0.0, 0.33, 0.67, 1.0]))
    )
)
def test_split_stability_equals_reclustering_without_each_code(x):
    ids = [f"c{i}" for i in range(len(x))]
    m = pd.DataFrame(x, index=pd.Index(ids, name="case_id"), columns=list("uvwxy"))
    res = split_stability(m, metric="jaccard")
    same = 0
    for code in m.columns:
        sub = m.drop(columns=code)
        d = distance_matrix(sub, "jaccard")
        same += partition(cluster(d).cut(2)) == res.full_split
    assert res.n_replicates == 5
    assert res.share == pytest.approx(same / 5)
