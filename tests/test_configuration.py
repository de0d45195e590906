"""Tests for analysis.configuration, on a hand-built five-code codebook."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.configuration import (
    DIMENSIONS,
    dimension_profile,
    family_profile,
    membership_matrix,
    to_long,
)


@pytest.fixture()
def codebook() -> pd.DataFrame:
    # Deliberately not in dimension order, to check the canonical ordering.
    return pd.DataFrame(
        {
            "family": ["party", "party", "grid", "services", "grid"],
            "dimension": ["共治", "共建", "共治", "共享", "共建"],
            "label_zh": ["党组织领导", "区域化党建", "网格化", "公共服务", "智慧平台"],
            "label_en": ["core", "regional", "grid", "service", "smart"],
            "actors": [
                ["party", "government"],
                ["party", "enterprises"],
                ["grid_staff", "government"],
                ["government", "social_organizations"],
                ["government"],
            ],
        },
        index=pd.Index(["core", "regional", "grid", "service", "smart"], name="code"),
    )


@pytest.fixture()
def membership() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "core": [1.0, 0.67, 0.0],
            "regional": [0.67, 0.0, 0.33],
            "grid": [0.33, 1.0, 0.0],
            "service": [0.0, 1.0, 0.67],
            "smart": [0.0, 1.0, 0.0],
        },
        index=pd.Index(["donggang", "dongguan", "haicang"], name="case_id"),
    )


def test_membership_matrix_orders_by_dimension_family_code(membership, codebook):
    out = membership_matrix(membership, codebook)
    # 共建: regional (party family, listed first), smart (grid); 共治: core, grid; 共享: service
    assert list(out.columns) == ["regional", "smart", "core", "grid", "service"]
    pd.testing.assert_frame_equal(out, membership[list(out.columns)])


def test_membership_matrix_filters(membership, codebook):
    assert list(membership_matrix(membership, codebook, families="grid").columns) == [
        "smart",
        "grid",
    ]
    assert list(membership_matrix(membership, codebook, dimensions=["共治"]).columns) == [
        "core",
        "grid",
    ]
    assert list(membership_matrix(membership, codebook, actors=["party"]).columns) == [
        "regional",
        "core",
    ]
    # Filters combine with AND.
    both = membership_matrix(membership, codebook, families="grid", dimensions="共治")
    assert list(both.columns) == ["grid"]
    # Any of several actors.
    any_actor = membership_matrix(membership, codebook, actors=["enterprises", "grid_staff"])
    assert list(any_actor.columns) == ["regional", "grid"]


def test_membership_matrix_rejects_typos_and_unknown_codes(membership, codebook):
    with pytest.raises(KeyError, match="family"):
        membership_matrix(membership, codebook, families="partyy")
    with pytest.raises(KeyError, match="dimension"):
        membership_matrix(membership, codebook, dimensions="共建共治")
    bad = membership.assign(unknown=0.0)
    with pytest.raises(KeyError, match="unknown"):
        membership_matrix(bad, codebook)


def test_dimension_profile_values(membership, codebook):
    prof = dimension_profile(membership, codebook)
    assert list(prof.columns) == [
        "case_id",
        "dimension",
        "mean_membership",
        "n_present",
        "n_reported",
        "n_codes",
        "share_present",
    ]
    assert len(prof) == 9
    assert list(prof["dimension"].cat.categories) == list(DIMENSIONS)
    got = prof.set_index(["case_id", "dimension"])
    # donggang: 共建 (regional .67, smart 0) -> .335, 1 present; 共治 (core 1, grid .33)
    assert got.loc[("donggang", "共建"), "mean_membership"] == pytest.approx(0.335)
    assert got.loc[("donggang", "共建"), "n_present"] == 1
    assert got.loc[("donggang", "共治"), "mean_membership"] == pytest.approx(0.665)
    assert got.loc[("donggang", "共治"), "n_present"] == 2
    assert got.loc[("donggang", "共享"), "mean_membership"] == 0.0
    assert got.loc[("donggang", "共享"), "share_present"] == 0.0
    # dongguan: 共建 (0, 1) -> .5; 共治 (.67, 1) -> .835; 共享 1
    assert got.loc[("dongguan", "共建"), "mean_membership"] == pytest.approx(0.5)
    assert got.loc[("dongguan", "共治"), "mean_membership"] == pytest.approx(0.835)
    assert got.loc[("dongguan", "共享"), "n_codes"] == 1
    assert got.loc[("haicang", "共建"), "share_present"] == 0.5


def test_dimension_profile_leaves_out_unselected_dimensions(membership, codebook):
    sub = membership_matrix(membership, codebook, dimensions="共享")
    prof = dimension_profile(sub, codebook)
    assert list(prof["dimension"].astype(str)) == ["共享"] * 3
    assert list(prof["mean_membership"]) == [0.0, 1.0, 0.67]


def test_family_profile_values(membership, codebook):
    prof = family_profile(membership, codebook)
    # Families in codebook order of first appearance.
    assert list(prof["family"].cat.categories) == ["party", "grid", "services"]
    got = prof.set_index(["case_id", "family"])
    assert got.loc[("donggang", "party"), "mean_membership"] == pytest.approx((1 + 0.67) / 2)
    assert got.loc[("donggang", "grid"), "mean_membership"] == pytest.approx(0.33 / 2)
    assert got.loc[("dongguan", "grid"), "n_present"] == 2
    assert got.loc[("haicang", "party"), "n_present"] == 1
    assert got.loc[("haicang", "services"), "mean_membership"] == pytest.approx(0.67)


def test_to_long_with_codebook_is_seaborn_ready(membership, codebook):
    long = to_long(membership, codebook)
    assert len(long) == 15
    assert list(long.columns) == [
        "case_id",
        "code",
        "score",
        "family",
        "dimension",
        "dimensions",
        "label_zh",
        "label_en",
    ]
    first = long[long["case_id"] == "donggang"]
    assert list(first["code"]) == ["regional", "smart", "core", "grid", "service"]
    row = long[(long["case_id"] == "haicang") & (long["code"] == "service")].iloc[0]
    assert row["score"] == 0.67
    assert row["dimension"] == "共享"
    assert row["label_zh"] == "公共服务"
    # Pivoting back gives the original matrix (in canonical column order).
    wide = long.pivot(index="case_id", columns="code", values="score")
    pd.testing.assert_frame_equal(
        wide[membership.columns], membership, check_names=False, check_index_type=False
    )


def test_to_long_without_codebook(membership):
    long = to_long(membership[["core"]])
    assert list(long.columns) == ["case_id", "code", "score"]
    assert list(long["score"]) == [1.0, 0.67, 0.0]


def test_docstring_examples_run():
    import doctest

    import analysis.configuration as module

    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_not_reported_stays_out_of_means_and_shares(membership, codebook):
    m = membership.copy()
    m.loc["donggang", "regional"] = float("nan")  # the source is silent on it
    m.loc["haicang", "service"] = float("nan")
    got = dimension_profile(m, codebook).set_index(["case_id", "dimension"])
    # donggang 共建: only smart (0) is reported.
    row = got.loc[("donggang", "共建")]
    assert row["mean_membership"] == 0.0 and row["n_reported"] == 1 and row["n_codes"] == 2
    assert row["share_present"] == 0.0
    # haicang 共享: nothing reported -> missing, not 0.
    row = got.loc[("haicang", "共享")]
    assert pd.isna(row["mean_membership"]) and pd.isna(row["share_present"])
    assert row["n_reported"] == 0
    fam = family_profile(m, codebook).set_index(["case_id", "family"])
    assert fam.loc[("donggang", "party"), "mean_membership"] == 1.0  # core only
    # Had silence been 0, the mean would be halved.
    assert family_profile(m.fillna(0), codebook).set_index(["case_id", "family"]).loc[
        ("donggang", "party"), "mean_membership"
    ] == pytest.approx(0.5)


def test_code_in_two_dimensions_counts_in_both(membership, codebook):
    cb = codebook.drop(columns="dimension").assign(
        dimensions=[["共治"], ["共建"], ["共治", "共享"], ["共享"], ["共建"]]
    )
    got = dimension_profile(membership, cb).set_index(["case_id", "dimension"])
    # donggang 共享: service 0 and grid .33.
    assert got.loc[("donggang", "共享"), "mean_membership"] == pytest.approx(0.165)
    assert got.loc[("donggang", "共享"), "n_codes"] == 2
    assert got.loc[("donggang", "共治"), "n_codes"] == 2
    assert list(membership_matrix(membership, cb, dimensions="共享").columns) == ["grid", "service"]


def test_a_sources_own_dimension_mapping_replaces_the_codebooks():
    import pandas as pd

    from analysis.configuration import dimension_profile

    m = pd.DataFrame(
        {"a": [1.0, 1.0], "b": [0.33, 0.33]}, index=pd.Index(["x", "y"], name="case_id")
    )
    cbf = pd.DataFrame(
        {"family": ["f", "f"], "dimensions": [["共建"], ["共治", "共享"]]}, index=["a", "b"]
    )
    plain = dimension_profile(m, cbf).set_index(["case_id", "dimension"])["n_present"]
    assert plain[("x", "共建")] == 1 and plain[("x", "共享")] == 1
    # Case x's source files code a under 共享: a leaves 共建 for x only.
    over = dimension_profile(m, cbf, {("x", "a"): ["共享"]}).set_index(["case_id", "dimension"])
    assert ("x", "共建") not in over.index
    assert over.loc[("x", "共享"), "n_present"] == 2
    assert over.loc[("y", "共建"), "n_present"] == 1


def test_shipped_overrides_are_used_by_the_profiles(casebase):
    from analysis.configuration import dimension_profile

    overrides = casebase.dimension_overrides()
    prof = dimension_profile(casebase.membership(), casebase.codebook_frame(), overrides)
    for (case, _code), dims in overrides.items():
        assert set(dims) <= set(prof[prof["case_id"] == case]["dimension"].astype(str))
