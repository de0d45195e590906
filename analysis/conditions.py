"""Declared, calibrated conditions for the comparison: codes → raw value → set membership.

A condition is a named construct (e.g. party integration) declared in
``casebase/conditions.yaml``: which mechanism codes it draws on, how their scores are
combined (the *rule*), the three calibration anchors on that raw scale, how many of its codes
must be reported for the case to have a value at all (missing codes are never read as 0), and
the direction theory expects for each outcome, with a rationale and the passage or literature
that motivates it.

Everything is computed in exact thirds (:class:`fractions.Fraction`): the codebook's 0.33 is
1/3, so a case whose membership is exactly 1/2 is *at the crossover* and is reported and kept
out of the truth table instead of being pushed to one side by rounding.

Examples
--------
>>> import pandas as pd
>>> cond = Condition(id="PARTY", label_zh="党组织整合", label_en="Party integration",
...                  codes=["a", "b"], rule="max", min_reported=1,
...                  anchors=Anchors(full_non="0", crossover="1/2", full="1"))
>>> scores = pd.DataFrame({"a": [1, 0.33, None], "b": [0.67, None, None]},
...                       index=["x", "y", "z"])
>>> result = calibrate_conditions(scores, [cond])
>>> [str(v) for v in result.membership["PARTY"].dropna()]
['1.0', '0.3333333333333333']
>>> result.excluded[0].case, result.excluded[0].reason
('z', 'missing')
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from analysis.typology import IdealType

__all__ = [
    "Anchors",
    "CalibrationResult",
    "Condition",
    "ConditionSet",
    "Exclusion",
    "Expectation",
    "SensitivityRow",
    "anchor_sensitivity",
    "calibrate",
    "calibrate_conditions",
    "raw_value",
    "thirds",
]

HALF = Fraction(1, 2)


def thirds(value: float | None) -> Fraction | None:
    """A codebook score as an exact fraction: 0.33 → 1/3, 0.67 → 2/3; ``None``/NaN stay missing.

    Raises ``ValueError`` for a value that is not within 0.01 of a third.

    Examples
    --------
    >>> thirds(0.33), thirds(0.67), thirds(1), thirds(None)
    (Fraction(1, 3), Fraction(2, 3), Fraction(1, 1), None)
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    k = round(float(value) * 3)
    if abs(float(value) - k / 3) > 0.01 or not 0 <= k <= 3:
        raise ValueError(f"{value!r} is not a score on the 0, 1/3, 2/3, 1 scale")
    return Fraction(k, 3)


def _fraction(text: str | int | float) -> Fraction:
    return Fraction(str(text)) if isinstance(text, str) else Fraction(text).limit_denominator(1000)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Anchors(_Model):
    """Calibration anchors on the raw scale; written as numbers or exact fractions ("2/3").

    ``full`` may be below ``full_non`` for a condition whose membership falls as the raw
    value rises.
    """

    full_non: str | int | float
    crossover: str | int | float
    full: str | int | float

    @model_validator(mode="after")
    def _ordered(self) -> Anchors:
        e, c, i = self.exact()
        if not (e < c < i or e > c > i):
            raise ValueError("the crossover must lie strictly between the two full anchors")
        return self

    def exact(self) -> tuple[Fraction, Fraction, Fraction]:
        """The anchors as fractions (full non-membership, crossover, full membership)."""
        return _fraction(self.full_non), _fraction(self.crossover), _fraction(self.full)


class Expectation(_Model):
    """The direction theory expects for one outcome, and why."""

    direction: Literal["present", "absent", "none"]
    rationale_zh: str = Field(min_length=1)
    rationale_en: str = Field(min_length=1)


class Condition(_Model):
    """One declared condition (a construct) and how it is calibrated."""

    id: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    label_zh: str = Field(min_length=1)
    label_en: str = Field(min_length=1)
    construct_zh: str = ""
    construct_en: str = ""
    codes: list[str] = Field(min_length=1)
    context_fields: list[str] = []
    rule: Literal["max", "min", "mean", "count_present"]
    min_reported: int = Field(ge=1)
    anchors: Anchors
    expectations: dict[str, Expectation] = {}
    motivation: str = ""

    @field_validator("codes")
    @classmethod
    def _unique(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError("a code is listed twice")
        return v

    @model_validator(mode="after")
    def _enough_codes(self) -> Condition:
        if self.min_reported > len(self.codes):
            raise ValueError(
                f"min_reported ({self.min_reported}) exceeds the number of codes ({len(self.codes)})"
            )
        return self


class ConditionSet(_Model):
    """The file ``casebase/conditions.yaml``.

    ``outcome_conditions`` names, per outcome, the conditions it is analysed with (theory
    chooses few conditions for few cases); an outcome not listed uses every condition.
    ``types`` are the ideal types of the typology (see :mod:`analysis.typology`).
    """

    version: int = Field(ge=1)
    conditions: list[Condition] = Field(min_length=1)
    outcome_conditions: dict[str, list[str]] = {}
    types: list[IdealType] = []

    @model_validator(mode="after")
    def _known_conditions(self) -> ConditionSet:
        ids = {c.id for c in self.conditions}
        for outcome, conds in self.outcome_conditions.items():
            unknown = [c for c in conds if c not in ids]
            if unknown or not conds:
                raise ValueError(
                    f"outcome_conditions.{outcome}: unknown or no conditions {unknown}"
                )
        for t in self.types:
            unknown = [c for c in t.profile if c not in ids]
            if unknown:
                raise ValueError(f"type {t.id}: unknown conditions {unknown}")
        return self

    def conditions_for(self, outcome: str) -> list[str]:
        """The conditions ``outcome`` is analysed with (declared, or all)."""
        return list(self.outcome_conditions.get(outcome) or [c.id for c in self.conditions])

    @field_validator("conditions")
    @classmethod
    def _unique_ids(cls, v: list[Condition]) -> list[Condition]:
        ids = [c.id for c in v]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"condition ids listed twice: {', '.join(dup)}")
        return v

    def expectations(self, outcome: str) -> dict[str, str]:
        """``{condition: "1" | "0" | "-"}`` for the intermediate solution of ``outcome``.

        Conditions without a declared expectation for the outcome get ``"-"`` (none), so no
        direction is ever assumed.
        """
        code = {"present": "1", "absent": "0", "none": "-"}
        return {
            c.id: code[c.expectations[outcome].direction] if outcome in c.expectations else "-"
            for c in self.conditions
        }


def raw_value(scores: Sequence[Fraction | None], rule: str, min_reported: int) -> Fraction | None:
    """Combine one case's code scores by ``rule``; ``None`` if too few are reported.

    ``max`` (any component suffices: family resemblance), ``min`` (all components needed),
    ``mean`` (of the reported ones) or ``count_present`` (how many score at least 2/3).

    Examples
    --------
    >>> F = Fraction
    >>> raw_value([F(1, 3), F(2, 3), None], "mean", 2)
    Fraction(1, 2)
    >>> raw_value([F(1, 3), None, None], "mean", 2) is None
    True
    >>> raw_value([F(1), F(2, 3), F(1, 3)], "count_present", 1)
    Fraction(2, 1)
    """
    reported = [s for s in scores if s is not None]
    if len(reported) < min_reported:
        return None
    if rule == "max":
        return max(reported)
    if rule == "min":
        return min(reported)
    if rule == "mean":
        return sum(reported, Fraction(0)) / len(reported)
    if rule == "count_present":
        return Fraction(sum(1 for s in reported if s >= Fraction(2, 3)))
    raise ValueError(f"unknown rule {rule!r}")


def calibrate(raw: Fraction, anchors: Anchors) -> Fraction:
    """Piecewise-linear membership through the three anchors, exactly.

    Full non-membership at or beyond ``full_non`` (0), 1/2 at the crossover, full
    membership at or beyond ``full`` (1), linear in between.

    Examples
    --------
    >>> a = Anchors(full_non="0", crossover="1/3", full="1")
    >>> calibrate(Fraction(1, 3), a), calibrate(Fraction(2, 3), a), calibrate(Fraction(2), a)
    (Fraction(1, 2), Fraction(3, 4), Fraction(1, 1))
    """
    e, c, i = anchors.exact()
    sign = 1 if i > e else -1
    x, e, c, i = sign * raw, sign * e, sign * c, sign * i
    if x <= e:
        return Fraction(0)
    if x >= i:
        return Fraction(1)
    if x <= c:
        return HALF * (x - e) / (c - e)
    return HALF + HALF * (x - c) / (i - c)


@dataclass(frozen=True)
class Exclusion:
    """A case left out of the truth table for one condition, and why.

    ``reason`` is ``"missing"`` (fewer codes reported than ``min_reported``) or
    ``"crossover"`` (membership exactly 1/2).
    """

    case: str
    condition: str
    reason: Literal["missing", "crossover"]
    reported: int
    required: int


@dataclass(frozen=True)
class CalibrationResult:
    """Raw values and memberships of every case in every condition.

    Attributes
    ----------
    raw, membership : DataFrame
        Case × condition, ``float`` (NaN where missing); ``membership`` is NaN also at the
        crossover, so it can go to a truth table as it is after dropping NaN rows.
    exact : dict
        ``(case, condition) -> Fraction`` membership, crossover cases included.
    reported : DataFrame
        Case × condition: how many of the condition's codes the case reports.
    excluded : tuple of Exclusion
        Every case × condition without a usable membership.
    """

    raw: pd.DataFrame
    membership: pd.DataFrame
    exact: dict[tuple[str, str], Fraction]
    reported: pd.DataFrame
    excluded: tuple[Exclusion, ...]

    def complete_cases(self) -> list[str]:
        """Cases with a usable membership in every condition (in the data's order)."""
        return list(self.membership.dropna().index)


def calibrate_conditions(
    scores: pd.DataFrame, conditions: Sequence[Condition]
) -> CalibrationResult:
    """Calibrate every declared condition for every case.

    Parameters
    ----------
    scores : DataFrame
        Case × code scores on the codebook scale, NaN for not reported (never 0).
        A code a condition names but the frame lacks counts as not reported.
    conditions : sequence of Condition

    Returns
    -------
    CalibrationResult
    """
    raw: dict[str, dict[str, float]] = {}
    member: dict[str, dict[str, float]] = {}
    counts: dict[str, dict[str, int]] = {}
    exact: dict[tuple[str, str], Fraction] = {}
    excluded: list[Exclusion] = []
    for cond in conditions:
        raw[cond.id], member[cond.id], counts[cond.id] = {}, {}, {}
        for case in scores.index:
            vals = [
                thirds(scores.at[case, code]) if code in scores.columns else None
                for code in cond.codes
            ]
            n_rep = sum(v is not None for v in vals)
            counts[cond.id][case] = n_rep
            value = raw_value(vals, cond.rule, cond.min_reported)
            if value is None:
                raw[cond.id][case] = member[cond.id][case] = float("nan")
                excluded.append(Exclusion(case, cond.id, "missing", n_rep, cond.min_reported))
                continue
            m = calibrate(value, cond.anchors)
            exact[(case, cond.id)] = m
            raw[cond.id][case] = float(value)
            if m == HALF:
                member[cond.id][case] = float("nan")
                excluded.append(Exclusion(case, cond.id, "crossover", n_rep, cond.min_reported))
            else:
                member[cond.id][case] = float(m)
    cols = [c.id for c in conditions]
    return CalibrationResult(
        raw=pd.DataFrame(raw, index=scores.index)[cols],
        membership=pd.DataFrame(member, index=scores.index)[cols],
        exact=exact,
        reported=pd.DataFrame(counts, index=scores.index)[cols],
        excluded=tuple(excluded),
    )


@dataclass(frozen=True)
class SensitivityRow:
    """One anchor moved by ``shift``: the cases whose side of the crossover changes.

    A case "changes" when its membership moves across 1/2, onto 1/2 or off it.
    """

    condition: str
    anchor: Literal["full_non", "crossover", "full"]
    shift: Fraction
    changed: tuple[str, ...]
    valid: bool


def _side(m: Fraction | None) -> int | None:
    if m is None:
        return None
    return (m > HALF) - (m < HALF)


def anchor_sensitivity(
    scores: pd.DataFrame, conditions: Sequence[Condition], step: Fraction = Fraction(1, 6)
) -> list[SensitivityRow]:
    """Move each anchor of each condition by ±``step`` and report whose set membership flips.

    A shift that would break the anchors' order is reported with ``valid=False``.

    Examples
    --------
    >>> import pandas as pd
    >>> cond = Condition(id="A", label_zh="甲", label_en="A", codes=["x"], rule="max",
    ...                  min_reported=1, anchors=Anchors(full_non=0, crossover="1/2", full=1))
    >>> scores = pd.DataFrame({"x": [0.33, 0.67]}, index=["p", "q"])
    >>> [(r.anchor, str(r.shift), r.changed) for r in anchor_sensitivity(scores, [cond])
    ...  if r.changed]
    [('crossover', '-1/6', ('p',)), ('crossover', '1/6', ('q',))]
    """
    base = calibrate_conditions(scores, conditions)
    rows = []
    for cond in conditions:
        e, c, i = cond.anchors.exact()
        for name in ("full_non", "crossover", "full"):
            for shift in (-step, step):
                moved = {"full_non": e, "crossover": c, "full": i}
                moved[name] += shift
                try:
                    anchors = Anchors(**{k: str(v) for k, v in moved.items()})
                except ValueError:
                    rows.append(SensitivityRow(cond.id, name, shift, (), False))
                    continue
                alt = calibrate_conditions(scores, [cond.model_copy(update={"anchors": anchors})])
                changed = tuple(
                    case
                    for case in scores.index
                    if _side(base.exact.get((case, cond.id)))
                    != _side(alt.exact.get((case, cond.id)))
                )
                rows.append(SensitivityRow(cond.id, name, shift, changed, True))
    return rows
