"""The guarded cross-case comparison: calibrated conditions → QCA with its guards → typology.

:func:`compare` is what the cross-case report and ``workbench compare`` call. For each
outcome it

1. keeps the cases with a reported outcome and a usable membership in every condition the
   outcome is analysed with, and lists every other case with its reason (never silence read
   as 0, never a crossover case pushed to one side);
2. checks the design against the contradiction benchmark for its number of cases and
   conditions (Marx & Dusa 2011) and runs a permutation test of the parsimonious solution
   (Braumoeller 2015);
3. builds the truth table with a PRI cut-off, minimises it, and keeps *every* equally good
   model of every solution type (model ambiguity is reported, never resolved by taking the
   first);
4. computes the intermediate solution only from the directional expectations declared in
   ``conditions.yaml``;
5. gives necessity verdicts with consistency, relevance (RoN) and skewness.

A result is *exploratory* when the design is below its benchmark or random outcomes do as well
as the observed one (p > ``alpha``); reports then do not headline it.

Examples
--------
>>> import pandas as pd
>>> from analysis.conditions import Anchors, Condition, ConditionSet
>>> cs = ConditionSet(version=1, conditions=[Condition(
...     id="A", label_zh="甲", label_en="A", codes=["a"], rule="max", min_reported=1,
...     anchors=Anchors(full_non=0, crossover="1/2", full=1))])
>>> scores = pd.DataFrame({"a": [1, 1, 0, None]}, index=list("wxyz"))
>>> outcomes = pd.DataFrame({"Y": [1, 0.67, 0, 1]}, index=list("wxyz"))
>>> c = compare(scores, outcomes, cs)
>>> r = c.outcomes[0]
>>> r.n_cases, [(e.case, e.reason) for e in r.excluded], r.exploratory
(3, [('z', 'condition A missing')], True)
>>> [m.expression for m in r.solutions["parsimonious"].models]
['A']
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from analysis.conditions import CalibrationResult, ConditionSet, calibrate_conditions
from analysis.qca.minimize import minimize
from analysis.qca.robustness import (
    BENCHMARK_THRESHOLD,
    NECESSITY_INCL,
    NECESSITY_RON,
    SKEW_LIMIT,
    Benchmark,
    NecessityVerdict,
    PermutationResult,
    contradiction_benchmark,
    necessity_verdicts,
    permutation_test,
)
from analysis.qca.truth_table import truth_table
from analysis.typology import TypeAssignment, best_types, type_membership

__all__ = [
    "DEFAULTS",
    "Comparison",
    "ComparisonSettings",
    "ExcludedCase",
    "ModelResult",
    "OutcomeComparison",
    "SolutionResult",
    "compare",
    "comparison_json",
]


@dataclass(frozen=True)
class ComparisonSettings:
    """Every threshold the comparison uses, in one place; reports print them."""

    incl_cut: float = 0.8
    pri_cut: float = 0.5
    necessity_incl: float = NECESSITY_INCL
    necessity_ron: float = NECESSITY_RON
    skew_limit: float = SKEW_LIMIT
    benchmark_threshold: float = BENCHMARK_THRESHOLD
    alpha: float = 0.05
    max_permutations: int = 2000


#: The defaults (incl. cut 0.8, PRI cut 0.5, necessity 0.9 / RoN 0.5, alpha 0.05).
DEFAULTS = ComparisonSettings()


@dataclass(frozen=True)
class ExcludedCase:
    """A case left out of one outcome's analysis, and why (one line a reader can check).

    The structured fields say the same as ``reason`` for reports that write their own
    sentence: whether the outcome is missing, and which conditions are missing or at
    the crossover.
    """

    case: str
    reason: str
    outcome_missing: bool = False
    missing: tuple[str, ...] = ()
    crossover: tuple[str, ...] = ()


@dataclass(frozen=True)
class ModelResult:
    """One model of a solution with its fit."""

    expression: str
    terms: tuple[str, ...]
    inclS: float
    PRI: float
    covS: float


@dataclass(frozen=True)
class SolutionResult:
    """All the equally good models of one solution type.

    ``directional_expectations`` is set only for the intermediate solution.
    """

    kind: str
    models: tuple[ModelResult, ...]
    directional_expectations: dict[str, str] | None = None

    @property
    def ambiguous(self) -> bool:
        """More than one model explains the outcome equally well."""
        return len(self.models) > 1


@dataclass(frozen=True)
class OutcomeComparison:
    """The guarded QCA of one outcome.

    ``status`` is ``"ok"``, ``"too_few_cases"`` (fewer than two usable cases),
    ``"no_variation"`` (every usable case on one side of 0.5 in the outcome),
    ``"no_sufficient_row"`` (no truth-table row passes the cut-offs) or ``"no_negative_row"``
    (every observed row passes them, so nothing separates the cases with the outcome from
    those without).
    """

    outcome: str
    conditions: tuple[str, ...]
    cases: tuple[str, ...]
    excluded: tuple[ExcludedCase, ...]
    status: str
    benchmark: Benchmark | None
    permutation: PermutationResult | None
    solutions: dict[str, SolutionResult]
    necessity: tuple[NecessityVerdict, ...]
    remainders: int
    observed_rows: int

    @property
    def n_cases(self) -> int:
        return len(self.cases)

    @property
    def exploratory(self) -> bool:
        """Below the benchmark, or random outcomes do as well: not to be headlined."""
        if self.status != "ok" or self.benchmark is None or not self.benchmark.met:
            return True
        return self.permutation is None or self.permutation.p_value > DEFAULTS.alpha

    @property
    def exploratory_reasons(self) -> tuple[str, ...]:
        """Machine-readable reasons: ``below_benchmark``, ``permutation``, or the status."""
        out = []
        if self.status != "ok":
            out.append(self.status)
        if self.benchmark is not None and not self.benchmark.met:
            out.append("below_benchmark")
        if self.permutation is not None and self.permutation.p_value > DEFAULTS.alpha:
            out.append("permutation")
        return tuple(out)


@dataclass(frozen=True)
class Comparison:
    """The whole comparison: calibration, each outcome's guarded QCA, and the typology."""

    settings: ComparisonSettings
    calibration: CalibrationResult
    outcomes: tuple[OutcomeComparison, ...]
    type_membership: pd.DataFrame
    typology: tuple[TypeAssignment, ...]
    conditions: ConditionSet = field(repr=False)


def _models(solution: Any) -> tuple[ModelResult, ...]:
    return tuple(
        ModelResult(
            m.expression,
            tuple(m.terms),
            m.solution_fit.inclS,
            m.solution_fit.PRI,
            m.solution_fit.covS,
        )
        for m in solution.models
    )


def _usable(
    calibration: CalibrationResult, outcome: pd.Series, conditions: Sequence[str]
) -> tuple[list[str], list[ExcludedCase]]:
    keep, excluded = [], []
    reasons = {(e.case, e.condition): e for e in calibration.excluded}
    for case in calibration.membership.index:
        why = []
        no_outcome = bool(pd.isna(outcome.get(case)))
        if no_outcome:
            why.append("outcome not reported")
        missing, crossover = [], []
        for cond in conditions:
            e = reasons.get((case, cond))
            if e is not None:
                (missing if e.reason == "missing" else crossover).append(cond)
                why.append(
                    f"condition {cond} missing"
                    if e.reason == "missing"
                    else f"condition {cond} at the crossover (membership 0.5)"
                )
        if why:
            excluded.append(
                ExcludedCase(
                    str(case), "; ".join(why), no_outcome, tuple(missing), tuple(crossover)
                )
            )
        else:
            keep.append(case)
    return keep, excluded


def _compare_outcome(
    outcome_id: str,
    outcome: pd.Series,
    calibration: CalibrationResult,
    condition_set: ConditionSet,
    conditions: Sequence[str],
    settings: ComparisonSettings,
) -> OutcomeComparison:
    keep, excluded = _usable(calibration, outcome, conditions)
    data = calibration.membership.loc[keep, list(conditions)].copy()
    data[outcome_id] = outcome.reindex(keep).astype(float)
    empty: dict[str, SolutionResult] = {}

    def result(status: str, **kw: Any) -> OutcomeComparison:
        base: dict[str, Any] = dict(
            outcome=outcome_id,
            conditions=tuple(conditions),
            cases=tuple(str(c) for c in keep),
            excluded=tuple(excluded),
            status=status,
            benchmark=None,
            permutation=None,
            solutions=empty,
            necessity=(),
            remainders=0,
            observed_rows=0,
        )
        base.update(kw)
        return OutcomeComparison(**base)

    if len(keep) < 2:
        return result("too_few_cases")
    bench = contradiction_benchmark(
        len(keep), len(conditions), threshold=settings.benchmark_threshold
    )
    necessity = tuple(
        necessity_verdicts(
            data,
            outcome_id,
            list(conditions),
            incl=settings.necessity_incl,
            ron=settings.necessity_ron,
            skew_limit=settings.skew_limit,
        )
    )
    y = data[outcome_id]
    if (y > 0.5).all() or (y < 0.5).all():
        return result("no_variation", benchmark=bench, necessity=necessity)
    tt = truth_table(
        data, outcome_id, list(conditions), incl_cut=settings.incl_cut, pri_cut=settings.pri_cut
    )
    observed = sum(1 for _ in tt.rows(remainders=False))
    remainders = 2 ** len(conditions) - observed
    observed_outs = {r.out for r in tt.rows(remainders=False)}
    if "0" not in observed_outs and "C" not in observed_outs:
        return result(
            "no_negative_row",
            benchmark=bench,
            necessity=necessity,
            remainders=remainders,
            observed_rows=observed,
        )
    if "1" not in observed_outs:
        return result(
            "no_sufficient_row",
            benchmark=bench,
            necessity=necessity,
            remainders=remainders,
            observed_rows=observed,
        )
    solutions = {
        "conservative": SolutionResult("conservative", _models(minimize(tt, ""))),
        "parsimonious": SolutionResult("parsimonious", _models(minimize(tt, "?"))),
    }
    dir_exp = {c: d for c, d in condition_set.expectations(outcome_id).items() if c in conditions}
    if any(d != "-" for d in dir_exp.values()):
        solutions["intermediate"] = SolutionResult(
            "intermediate", _models(minimize(tt, "?", dir_exp=dir_exp)), dir_exp
        )
    perm = permutation_test(
        data,
        outcome_id,
        list(conditions),
        incl_cut=settings.incl_cut,
        pri_cut=settings.pri_cut,
        max_permutations=settings.max_permutations,
    )
    return result(
        "ok",
        benchmark=bench,
        permutation=perm,
        solutions=solutions,
        necessity=necessity,
        remainders=remainders,
        observed_rows=observed,
    )


def compare(
    scores: pd.DataFrame,
    outcomes: pd.DataFrame,
    condition_set: ConditionSet,
    *,
    outcome_ids: Sequence[str] | None = None,
    settings: ComparisonSettings = DEFAULTS,
) -> Comparison:
    """Run the guarded comparison.

    Parameters
    ----------
    scores : DataFrame
        Case × code scores, NaN where not reported.
    outcomes : DataFrame
        Case × outcome scores, NaN where not reported.
    condition_set : ConditionSet
        The declared conditions, per-outcome condition lists and ideal types.
    outcome_ids : sequence of str, optional
        Outcomes to analyse (default: every column of ``outcomes``).
    settings : ComparisonSettings

    Returns
    -------
    Comparison
    """
    calibration = calibrate_conditions(scores, condition_set.conditions)
    results = []
    for oid in outcome_ids or list(outcomes.columns):
        if oid not in outcomes.columns:
            raise KeyError(f"unknown outcome {oid!r}")
        conds = condition_set.conditions_for(oid)
        results.append(
            _compare_outcome(
                oid,
                outcomes[oid].reindex(scores.index),
                calibration,
                condition_set,
                conds,
                settings,
            )
        )
    types = condition_set.types
    tm = type_membership(calibration.membership, types) if types else pd.DataFrame()
    typology = tuple(best_types(calibration.membership, types)) if types else ()
    return Comparison(settings, calibration, tuple(results), tm, typology, condition_set)


def _num(v: float | None) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def comparison_json(c: Comparison) -> dict[str, Any]:
    """The JSON of ``workbench compare --format json``.

    Per outcome: ``benchmark`` (``n_cases``, ``n_conditions``, ``met``, ...),
    ``permutation_p``, ``solutions`` (every model of every solution type with its terms and
    fit), ``necessity`` (``condition``, ``inclN``, ``RoN``, ``covN``, ``trivial``, ...),
    ``excluded_cases`` (with reasons); at the top level the ``settings``, the calibration
    table and the ``typology`` (each case's membership in each type).
    """
    outs = []
    for r in c.outcomes:
        b = r.benchmark
        outs.append(
            {
                "outcome": r.outcome,
                "status": r.status,
                "conditions": list(r.conditions),
                "cases": list(r.cases),
                "excluded_cases": [{"case": e.case, "reason": e.reason} for e in r.excluded],
                "benchmark": {
                    "n_cases": r.n_cases,
                    "n_conditions": len(r.conditions),
                    "met": None if b is None else b.met,
                    "p_contradiction_free": None if b is None else b.p_contradiction_free,
                    "threshold": c.settings.benchmark_threshold,
                },
                "permutation_p": None if r.permutation is None else r.permutation.p_value,
                "permutations": None if r.permutation is None else r.permutation.permutations,
                "exploratory": r.exploratory,
                "exploratory_reasons": list(r.exploratory_reasons),
                "observed_rows": r.observed_rows,
                "remainders": r.remainders,
                "solutions": {
                    kind: {
                        "ambiguous": s.ambiguous,
                        "directional_expectations": s.directional_expectations,
                        "models": [
                            {
                                "expression": m.expression,
                                "terms": list(m.terms),
                                "inclS": m.inclS,
                                "PRI": m.PRI,
                                "covS": m.covS,
                            }
                            for m in s.models
                        ],
                    }
                    for kind, s in r.solutions.items()
                },
                "necessity": [
                    {
                        "condition": v.condition,
                        "inclN": v.inclN,
                        "RoN": v.RoN,
                        "covN": v.covN,
                        "trivial": v.trivial,
                        "verdict": v.verdict,
                        "skew": _num(v.skew),
                        "skewed": v.skewed,
                    }
                    for v in r.necessity
                ],
            }
        )
    cal = c.calibration
    return {
        "settings": {
            "incl_cut": c.settings.incl_cut,
            "pri_cut": c.settings.pri_cut,
            "necessity_incl": c.settings.necessity_incl,
            "necessity_ron": c.settings.necessity_ron,
            "skew_limit": c.settings.skew_limit,
            "alpha": c.settings.alpha,
        },
        "calibration": [
            {
                "case": str(case),
                "condition": cond,
                "reported": int(cal.reported.at[case, cond]),
                "raw": _num(cal.raw.at[case, cond]),
                "membership": _num(float(cal.exact[(case, cond)]))
                if (case, cond) in cal.exact
                else None,
            }
            for case in cal.raw.index
            for cond in cal.raw.columns
        ],
        "outcomes": outs,
        "typology": [
            {
                "case": a.case,
                "membership": {
                    t: _num(c.type_membership.at[a.case, t]) for t in c.type_membership.columns
                },
                "best": a.best,
                "margin": _num(a.margin),
                "belongs": a.belongs,
                "tied": list(a.tied),
            }
            for a in c.typology
        ],
    }
