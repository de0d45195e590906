"""Ideal types on hand-computed memberships."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.typology import IdealType, best_types, type_membership

TYPES = [
    IdealType(
        id="party", label_zh="党建整合型", label_en="Party-integrated", profile={"P": 1, "S": 0}
    ),
    IdealType(
        id="society", label_zh="社会培育型", label_en="Society-cultivating", profile={"S": 1}
    ),
    IdealType(id="tech", label_zh="技术法治型", label_en="Tech and law", profile={"T": 1, "P": 0}),
]


def test_membership_is_the_minimum_with_negations():
    m = pd.DataFrame({"P": [0.8, 0.4], "S": [1 / 3, 0.9], "T": [0.0, 0.7]}, index=["a", "b"])
    got = type_membership(m, TYPES)
    # a: party = min(0.8, 2/3) = 2/3; society = 1/3; tech = min(0, 0.2) = 0
    assert got.loc["a"].tolist() == pytest.approx([2 / 3, 1 / 3, 0.0])
    # b: party = min(0.4, 0.1) = 0.1; society = 0.9; tech = min(0.7, 0.6) = 0.6
    assert got.loc["b"].tolist() == pytest.approx([0.1, 0.9, 0.6])
    a, b = best_types(m, TYPES)
    assert (a.best, a.runner_up, a.belongs) == ("party", "society", True)
    assert a.margin == pytest.approx(1 / 3)
    assert (b.best, b.runner_up) == ("society", "tech") and b.margin == pytest.approx(0.3)


def test_a_missing_condition_leaves_only_the_types_that_do_not_need_it():
    m = pd.DataFrame({"P": [float("nan")], "S": [0.9], "T": [1.0]}, index=["c"])
    got = type_membership(m, TYPES)
    assert math.isnan(got.at["c", "party"]) and math.isnan(got.at["c", "tech"])
    (c,) = best_types(m, TYPES)
    assert (c.best, c.runner_up, c.belongs) == ("society", None, True)


def test_no_membership_anywhere_gives_no_type():
    m = pd.DataFrame({"P": [float("nan")], "S": [float("nan")], "T": [1.0]}, index=["d"])
    (d,) = best_types(m, TYPES)
    assert d.best is None and not d.belongs


def test_unknown_condition_is_an_error():
    with pytest.raises(KeyError, match="P"):
        type_membership(pd.DataFrame({"S": [1.0]}), TYPES)


def test_holds_for_any_number_of_cases():
    n = 37
    m = pd.DataFrame({"P": [i / n for i in range(n)], "S": [0.2] * n, "T": [0.1] * n})
    got = best_types(m, TYPES)
    assert len(got) == n
    assert all(a.best == "party" for a in got if a.membership > 0.5)
