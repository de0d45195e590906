"""Declared conditions: exact thirds, missing never 0, crossover cases kept out, sensitivity."""

from __future__ import annotations

from fractions import Fraction as F

import pandas as pd
import pytest
from pydantic import ValidationError

from analysis.conditions import (
    Anchors,
    Condition,
    ConditionSet,
    Expectation,
    anchor_sensitivity,
    calibrate,
    calibrate_conditions,
    raw_value,
    thirds,
)


def _cond(**kw):
    base = dict(
        id="PARTY",
        label_zh="党组织整合",
        label_en="Party integration",
        codes=["a", "b", "c"],
        rule="mean",
        min_reported=2,
        anchors=Anchors(full_non=0, crossover="1/2", full=1),
    )
    base.update(kw)
    return Condition(**base)


def test_scores_are_exact_thirds():
    assert thirds(0.33) + thirds(0.67) == 1
    assert 1 - thirds(0.33) == thirds(0.67)
    with pytest.raises(ValueError):
        thirds(0.5)


def test_mean_of_a_third_and_two_thirds_is_exactly_the_crossover():
    # With rounded decimals (0.33 + 0.67) / 2 is 0.5 only by luck; (0.33 + 0.66) / 2 is not.
    scores = pd.DataFrame({"a": [0.33], "b": [0.67], "c": [None]}, index=["x"])
    res = calibrate_conditions(scores, [_cond()])
    assert res.exact[("x", "PARTY")] == F(1, 2)
    assert pd.isna(res.membership.at["x", "PARTY"])
    assert [(e.case, e.reason) for e in res.excluded] == [("x", "crossover")]
    assert res.complete_cases() == []


def test_missing_codes_are_never_zero():
    # Case y reports one code at 1 and is silent on two: with min_reported=2 it is missing,
    # not a mean of 1/3 (as silence-as-zero would give).
    scores = pd.DataFrame({"a": [1.0, 1.0], "b": [0.67, None], "c": [None, None]}, index=["x", "y"])
    res = calibrate_conditions(scores, [_cond()])
    assert res.raw.at["x", "PARTY"] == pytest.approx(5 / 6)
    assert res.membership.at["x", "PARTY"] == pytest.approx(5 / 6)
    assert pd.isna(res.raw.at["y", "PARTY"])
    (ex,) = res.excluded
    assert (ex.case, ex.reason, ex.reported, ex.required) == ("y", "missing", 1, 2)
    assert res.reported.loc["y", "PARTY"] == 1


def test_a_code_absent_from_the_frame_counts_as_not_reported():
    scores = pd.DataFrame({"a": [1.0]}, index=["x"])
    res = calibrate_conditions(scores, [_cond(min_reported=1, rule="max")])
    assert res.membership.at["x", "PARTY"] == 1.0


@pytest.mark.parametrize(
    ("rule", "expected"),
    [("max", F(1)), ("min", F(1, 3)), ("mean", F(2, 3)), ("count_present", F(2))],
)
def test_rules(rule, expected):
    assert raw_value([F(1), F(2, 3), F(1, 3), None], rule, 1) == expected


def test_piecewise_linear_calibration_is_exact_and_handles_decreasing_anchors():
    up = Anchors(full_non=0, crossover=1, full=3)
    assert [calibrate(F(x), up) for x in (0, 1, 2, 3, 5)] == [0, F(1, 2), F(3, 4), 1, 1]
    down = Anchors(full_non=3, crossover=1, full=0)
    assert calibrate(F(2), down) == F(1, 4)


def test_anchors_must_be_ordered():
    with pytest.raises(ValidationError):
        Anchors(full_non=0, crossover=1, full="1/2")


def test_condition_file_is_validated():
    with pytest.raises(ValidationError, match="min_reported"):
        _cond(min_reported=4)
    with pytest.raises(ValidationError, match="listed twice"):
        ConditionSet(version=1, conditions=[_cond(), _cond()])


def test_expectations_are_never_assumed():
    cs = ConditionSet(
        version=1,
        conditions=[
            _cond(
                expectations={
                    "harmony": Expectation(
                        direction="present", rationale_zh="理由", rationale_en="why"
                    )
                }
            ),
            _cond(id="GRID"),
        ],
    )
    assert cs.expectations("harmony") == {"PARTY": "1", "GRID": "-"}
    assert cs.expectations("participation") == {"PARTY": "-", "GRID": "-"}


def test_anchor_sensitivity_names_the_cases_that_flip():
    scores = pd.DataFrame({"a": [0.33, 0.67, 1.0], "b": [0.33, 0.67, 1.0]}, index=list("pqr"))
    rows = anchor_sensitivity(scores, [_cond(min_reported=1)], step=F(1, 6))
    moved = {(r.anchor, r.shift): r.changed for r in rows}
    # Crossover 1/2 → 1/3 puts p (raw 1/3) exactly on it; → 2/3 does the same to q.
    assert moved[("crossover", F(-1, 6))] == ("p",)
    assert moved[("crossover", F(1, 6))] == ("q",)
    assert moved[("full", F(-1, 6))] == ()
    assert all(r.valid for r in rows)
    # A shift that would cross the neighbouring anchor is reported as invalid.
    tight = _cond(anchors=Anchors(full_non=0, crossover="1/6", full=1), min_reported=1)
    assert any(not r.valid for r in anchor_sensitivity(scores, [tight], step=F(1, 6)))
