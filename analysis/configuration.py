"""Configurations of mechanisms: case x mechanism membership matrices and profiles.

A case's *configuration* is the set of governance mechanisms it combines, each with a
fuzzy membership score on the codebook's four-point scale (0, 0.33, 0.67, 1).  This
module selects parts of the membership matrix by codebook family, dimension
(共建 / 共治 / 共享) or actor, and summarises each case per dimension and per family.

Every profile is returned as a tidy long frame (one row per case x group) so that it
can be handed to seaborn directly (``sns.barplot(data=..., x="dimension",
y="mean_membership", hue="case_id")``) or pivoted to a case x group matrix for
``sns.heatmap``.

All functions are pure: they take the loader's ``membership`` and ``codebook`` frames
and return new frames.

Missing is not zero: a code the source does not report is NaN in ``membership`` and
stays out of every mean and share (``n_reported`` counts the codes that are reported).
A code may belong to more than one dimension (codebook ``dimensions``, a list); it then
counts in each of them, and it is ordered under the first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

__all__ = [
    "DIMENSIONS",
    "code_dimensions",
    "dimension_profile",
    "family_profile",
    "membership_matrix",
    "to_long",
]

#: The three dimensions of the 共建共治共享 framework, in their canonical order.
DIMENSIONS: tuple[str, ...] = ("共建", "共治", "共享")


def _as_list(values: str | Iterable[str] | None) -> list[str] | None:
    # A single id passed as a bare string must not be iterated character by character.
    if values is None:
        return None
    if isinstance(values, str):
        return [values]
    return list(values)


def code_dimensions(codebook: pd.DataFrame) -> pd.Series:
    """Each code's list of dimensions: the ``dimensions`` column (codebook v4, a list) or,
    for an older frame, the single ``dimension``.

    Examples
    --------
    >>> import pandas as pd
    >>> cb = pd.DataFrame({"dimensions": [["共建", "共治"]]}, index=pd.Index(["x"], name="code"))
    >>> code_dimensions(cb).tolist()
    [['共建', '共治']]
    """
    if "dimensions" in codebook.columns:
        return codebook["dimensions"].map(list)
    return codebook["dimension"].map(lambda d: [d])


def _codebook_order(codebook: pd.DataFrame) -> list[str]:
    """Codes sorted by (first) dimension (canonical order), then family, then codebook order."""
    cb = codebook.copy()
    first = code_dimensions(cb).map(lambda ds: ds[0])
    cb["_dim"] = pd.Categorical(first, categories=list(DIMENSIONS), ordered=True)
    # Families keep the order in which the codebook first lists them, so that tables
    # read in the same order as the codebook rather than alphabetically.
    family_rank = {f: i for i, f in enumerate(dict.fromkeys(cb["family"]))}
    cb["_fam"] = cb["family"].map(family_rank)
    cb["_pos"] = range(len(cb))
    return list(cb.sort_values(["_dim", "_fam", "_pos"]).index)


def _check_codes(membership: pd.DataFrame, codebook: pd.DataFrame) -> None:
    unknown = [c for c in membership.columns if c not in codebook.index]
    if unknown:
        raise KeyError(f"membership has codes that are not in the codebook: {unknown}")


def membership_matrix(
    membership: pd.DataFrame,
    codebook: pd.DataFrame,
    families: str | Iterable[str] | None = None,
    dimensions: str | Iterable[str] | None = None,
    actors: str | Iterable[str] | None = None,
) -> pd.DataFrame:
    """Select the case x code membership matrix for some families, dimensions or actors.

    Parameters
    ----------
    membership : pandas.DataFrame
        Index ``case_id``, one column per code id, scores in {0, 0.33, 0.67, 1}.
    codebook : pandas.DataFrame
        Index ``code`` with columns ``family``, ``dimension`` and ``actors``.
    families, dimensions : str or iterable of str, optional
        Keep only codes of these families / dimensions.  ``None`` keeps all.
    actors : str or iterable of str, optional
        Keep only codes whose codebook ``actors`` list includes at least one of these
        actor ids.

    Returns
    -------
    pandas.DataFrame
        The selected columns, ordered by dimension (共建, 共治, 共享), then by family in
        codebook order, then by code in codebook order.  The filters combine with AND.

    Raises
    ------
    KeyError
        If ``membership`` has a column that is not a codebook code, or a requested
        family, dimension or actor matches no code at all (almost always a typo).

    Examples
    --------
    >>> import pandas as pd
    >>> cb = pd.DataFrame(
    ...     {"family": ["p", "g"], "dimension": ["共治", "共建"],
    ...      "actors": [["party"], ["grid_staff"]]},
    ...     index=pd.Index(["core", "grid"], name="code"))
    >>> m = pd.DataFrame({"core": [1.0, 0.33], "grid": [0.0, 0.67]},
    ...                  index=pd.Index(["a", "b"], name="case_id"))
    >>> list(membership_matrix(m, cb).columns)
    ['grid', 'core']
    >>> list(membership_matrix(m, cb, actors="party").columns)
    ['core']
    """
    _check_codes(membership, codebook)
    cb = codebook.loc[[c for c in codebook.index if c in membership.columns]]
    families_l, dimensions_l, actors_l = (
        _as_list(families),
        _as_list(dimensions),
        _as_list(actors),
    )
    dims = code_dimensions(cb)
    for name, wanted, available in (
        ("family", families_l, set(cb["family"])),
        ("dimension", dimensions_l, {d for lst in dims for d in lst}),
        ("actor", actors_l, {a for lst in cb["actors"] for a in lst}),
    ):
        if wanted is not None:
            missing = [w for w in wanted if w not in available]
            if missing:
                raise KeyError(f"no code has {name} {missing}")
    keep = pd.Series(True, index=cb.index)
    if families_l is not None:
        keep &= cb["family"].isin(families_l)
    if dimensions_l is not None:
        wanted_dims = set(dimensions_l)
        keep &= dims.map(lambda lst: bool(wanted_dims.intersection(lst)))
    if actors_l is not None:
        wanted_actors = set(actors_l)
        keep &= cb["actors"].map(lambda lst: bool(wanted_actors.intersection(lst)))
    order = [c for c in _codebook_order(cb) if keep[c]]
    return membership.loc[:, order].copy()


def _group_profile(
    membership: pd.DataFrame,
    codebook: pd.DataFrame,
    by: str,
    overrides: Mapping[tuple[str, str], Sequence[str]] | None = None,
) -> pd.DataFrame:
    _check_codes(membership, codebook)
    long = to_long(membership, codebook)
    if by == "dimension" and overrides:
        # A source's own 共建/共治/共享 mapping of a mechanism replaces the codebook's.
        long["dimensions"] = [
            list(overrides.get((case, code), dims))
            for case, code, dims in zip(
                long["case_id"], long["code"], long["dimensions"], strict=True
            )
        ]
    if by == "dimension":
        # A code with several dimensions counts in each of them.
        long = long.explode("dimensions")
        long["dimension"] = pd.Categorical(
            long["dimensions"], categories=list(DIMENSIONS), ordered=True
        )
    long["present"] = long["score"] > 0  # NaN (not reported) is not present
    long["reported"] = long["score"].notna()
    grouped = long.groupby(["case_id", by], observed=True, sort=True)
    out = grouped.agg(
        mean_membership=("score", "mean"),  # skips NaN: silence is not 0
        n_present=("present", "sum"),
        n_reported=("reported", "sum"),
        n_codes=("code", "size"),
    ).reset_index()
    for col in ("n_present", "n_reported", "n_codes"):
        out[col] = out[col].astype(int)
    out["share_present"] = out["n_present"] / out["n_reported"].where(out["n_reported"] > 0)
    return out


def dimension_profile(
    membership: pd.DataFrame,
    codebook: pd.DataFrame,
    overrides: Mapping[tuple[str, str], Sequence[str]] | None = None,
) -> pd.DataFrame:
    """Per case and per dimension (共建 / 共治 / 共享): mean membership and codes present.

    Parameters
    ----------
    membership : pandas.DataFrame
        Index ``case_id``, one column per code (any subset of the codebook, e.g. the
        output of :func:`membership_matrix`).
    codebook : pandas.DataFrame
        Index ``code`` with a ``dimension`` column.
    overrides : mapping, optional
        ``(case_id, code) -> dimensions`` where a source maps a mechanism to 共建/共治/共享
        itself (``CaseBase.dimension_overrides()``); it replaces the codebook's dimensions
        for that case.

    Returns
    -------
    pandas.DataFrame
        Tidy frame, one row per case x dimension, columns ``case_id``, ``dimension``
        (ordered categorical 共建 < 共治 < 共享), ``mean_membership`` (mean score over
        the dimension's codes), ``n_present`` (codes with score > 0), ``n_codes`` and
        ``share_present`` (= n_present / n_codes).  Dimensions with no code in
        ``membership`` are left out rather than shown as zero.

    Examples
    --------
    >>> import pandas as pd
    >>> cb = pd.DataFrame({"family": ["p", "p", "g"],
    ...                    "dimension": ["共建", "共建", "共享"],
    ...                    "actors": [[], [], []]},
    ...                   index=pd.Index(["x", "y", "z"], name="code"))
    >>> m = pd.DataFrame({"x": [1.0], "y": [0.0], "z": [0.67]},
    ...                  index=pd.Index(["a"], name="case_id"))
    >>> dimension_profile(m, cb)[["dimension", "mean_membership", "n_present"]]
      dimension  mean_membership  n_present
    0        共建             0.50          1
    1        共享             0.67          1

    For a heatmap, pivot to a case x dimension matrix:

    >>> p = dimension_profile(m, cb).pivot(index="case_id", columns="dimension",
    ...                                    values="mean_membership")
    """
    return _group_profile(membership, codebook, "dimension", overrides)


def family_profile(membership: pd.DataFrame, codebook: pd.DataFrame) -> pd.DataFrame:
    """Per case and per mechanism family: mean membership and codes present.

    Parameters
    ----------
    membership : pandas.DataFrame
        Index ``case_id``, one column per code.
    codebook : pandas.DataFrame
        Index ``code`` with ``family`` and ``dimension`` columns.

    Returns
    -------
    pandas.DataFrame
        Tidy frame, one row per case x family, columns ``case_id``, ``family``
        (ordered categorical in codebook order), ``mean_membership``, ``n_present``,
        ``n_codes`` and ``share_present``.  A family's codes may span dimensions, so no
        dimension column is given; use :func:`to_long` for code-level detail.

    Examples
    --------
    >>> import pandas as pd
    >>> cb = pd.DataFrame({"family": ["p", "p", "g"],
    ...                    "dimension": ["共建", "共治", "共享"],
    ...                    "actors": [[], [], []]},
    ...                   index=pd.Index(["x", "y", "z"], name="code"))
    >>> m = pd.DataFrame({"x": [1.0, 0.0], "y": [0.33, 0.0], "z": [0.0, 1.0]},
    ...                  index=pd.Index(["a", "b"], name="case_id"))
    >>> family_profile(m, cb)[["case_id", "family", "mean_membership", "n_present"]]
      case_id family  mean_membership  n_present
    0       a      p            0.665          2
    1       a      g            0.000          0
    2       b      p            0.000          0
    3       b      g            1.000          1
    """
    return _group_profile(membership, codebook, "family")


def to_long(membership: pd.DataFrame, codebook: pd.DataFrame | None = None) -> pd.DataFrame:
    """Melt the membership matrix into one row per case x code, with codebook labels.

    Parameters
    ----------
    membership : pandas.DataFrame
        Index ``case_id``, one column per code.
    codebook : pandas.DataFrame, optional
        If given, its ``family``, ``dimension``, ``label_zh`` and ``label_en`` columns
        (those present) are joined on, and rows are ordered by dimension, family and
        code in codebook order (see :func:`membership_matrix`).

    Returns
    -------
    pandas.DataFrame
        Columns ``case_id``, ``code``, ``score`` and, with a codebook, ``family``
        (ordered categorical, codebook order), ``dimension`` (ordered categorical
        共建 < 共治 < 共享), ``label_zh``, ``label_en``.  The categorical order makes
        seaborn draw axes in codebook order rather than alphabetically.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"x": [1.0, 0.0], "y": [0.33, 0.67]},
    ...                  index=pd.Index(["a", "b"], name="case_id"))
    >>> to_long(m)
      case_id code  score
    0       a    x   1.00
    1       a    y   0.33
    2       b    x   0.00
    3       b    y   0.67
    """
    if codebook is not None:
        _check_codes(membership, codebook)
        order = [c for c in _codebook_order(codebook) if c in membership.columns]
        membership = membership.loc[:, order]
    m = membership.copy()
    m.index = m.index.rename("case_id")
    m.columns = m.columns.rename("code")
    long = m.stack(future_stack=True).rename("score").reset_index()
    long["score"] = long["score"].astype(float)
    if codebook is None:
        return long
    extra = codebook.assign(dimensions=code_dimensions(codebook))
    extra["dimension"] = extra["dimensions"].map(lambda ds: ds[0])
    cols = ["family", "dimension", "dimensions"] + [
        c for c in ("label_zh", "label_en") if c in codebook.columns
    ]
    long = long.merge(
        extra[cols], left_on="code", right_index=True, how="left", validate="many_to_one"
    )
    if "dimension" in long:
        long["dimension"] = pd.Categorical(
            long["dimension"], categories=list(DIMENSIONS), ordered=True
        )
    if "family" in long:
        coded = [c for c in codebook.index if c in membership.columns]
        families = list(dict.fromkeys(codebook.loc[coded, "family"]))
        long["family"] = pd.Categorical(long["family"], categories=families, ordered=True)
    return long.reset_index(drop=True)
