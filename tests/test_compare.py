"""The guarded comparison on constructed case data: each guard with hand-checked values."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.cli import main
from analysis.compare import compare, comparison_json
from analysis.conditions import Anchors, Condition, ConditionSet, Expectation
from analysis.typology import IdealType

ROOT = Path(__file__).resolve().parents[1]


def _cond(cid, code, **kw):
    return Condition(
        id=cid,
        label_zh=cid,
        label_en=cid,
        codes=[code],
        rule="max",
        min_reported=1,
        anchors=Anchors(full_non=0, crossover="1/2", full=1),
        **kw,
    )


def _set(*conds, **kw):
    return ConditionSet(version=1, conditions=list(conds), **kw)


def test_ambiguous_solution_reports_every_model():
    # Positive rows 000, 001, 010; negative 011, 100: three equally good parsimonious models.
    rows = [(0, 0, 0, 1), (0, 0, 1, 1), (0, 1, 0, 1), (0, 1, 1, 0), (1, 0, 0, 0)]
    idx = [f"c{i}" for i in range(len(rows))]
    scores = pd.DataFrame([r[:3] for r in rows], columns=["a", "b", "c"], index=idx, dtype=float)
    outcomes = pd.DataFrame({"Y": [float(r[3]) for r in rows]}, index=idx)
    cs = _set(_cond("A", "a"), _cond("B", "b"), _cond("C", "c"))
    r = compare(scores, outcomes, cs).outcomes[0]
    pars = r.solutions["parsimonious"]
    assert pars.ambiguous
    assert [m.expression for m in pars.models] == [
        "~A*~B + ~A*~C",
        "~A*~B + B*~C",
        "~A*~C + ~B*C",
    ]
    assert r.observed_rows == 5 and r.remainders == 3
    # Five cases, three conditions: far below the benchmark, so exploratory.
    assert r.exploratory and "below_benchmark" in r.exploratory_reasons
    assert "intermediate" not in r.solutions  # no expectations declared: none assumed


def test_crossover_and_missing_cases_are_excluded_with_reasons():
    scores = pd.DataFrame(
        {"a": [1, 0, 0.33, 1, None], "b": [0.67, 0.33, 0.67, 0, 1]}, index=list("pqrst")
    )
    a_mean = Condition(
        id="A",
        label_zh="甲",
        label_en="A",
        codes=["a", "b"],
        rule="mean",
        min_reported=2,
        anchors=Anchors(full_non=0, crossover="1/2", full=1),
    )
    outcomes = pd.DataFrame({"Y": [1, 0, 1, 1, 0]}, index=list("pqrst"))
    r = compare(scores, outcomes, _set(a_mean)).outcomes[0]
    # r: (1/3 + 2/3) / 2 = 1/2 exactly; s: (1 + 0) / 2 = 1/2; t reports one code of two.
    assert [(e.case, e.reason) for e in r.excluded] == [
        ("r", "condition A at the crossover (membership 0.5)"),
        ("s", "condition A at the crossover (membership 0.5)"),
        ("t", "condition A missing"),
    ]
    assert r.cases == ("p", "q")


def test_unreported_outcome_excludes_the_case():
    scores = pd.DataFrame({"a": [1, 0, 1]}, index=list("xyz"))
    outcomes = pd.DataFrame({"Y": [1, 0, None]}, index=list("xyz"))
    r = compare(scores, outcomes, _set(_cond("A", "a"))).outcomes[0]
    assert [(e.case, e.reason) for e in r.excluded] == [("z", "outcome not reported")]


def test_intermediate_uses_only_declared_expectations():
    rows = [(1, 1, 1), (1, 0, 1), (0, 1, 0), (0, 0, 0)]
    idx = list("wxyz")
    scores = pd.DataFrame([r[:2] for r in rows], columns=["a", "b"], index=idx, dtype=float)
    outcomes = pd.DataFrame({"Y": [float(r[2]) for r in rows]}, index=idx)
    exp = {"Y": Expectation(direction="present", rationale_zh="理由", rationale_en="why")}
    cs = _set(_cond("A", "a", expectations=exp), _cond("B", "b"))
    r = compare(scores, outcomes, cs).outcomes[0]
    assert r.solutions["intermediate"].directional_expectations == {"A": "1", "B": "-"}
    assert [m.expression for m in r.solutions["intermediate"].models] == ["A"]


def test_a_planted_structure_with_enough_cases_is_confirmatory():
    n = 40
    a = [1.0] * (n // 2) + [0.0] * (n // 2)
    scores = pd.DataFrame({"a": a}, index=[f"c{i}" for i in range(n)])
    outcomes = pd.DataFrame({"Y": a}, index=scores.index)
    r = compare(scores, outcomes, _set(_cond("A", "a"))).outcomes[0]
    assert r.benchmark.met and r.permutation.p_value < 0.05
    assert not r.exploratory
    (nec_a, nec_not_a) = r.necessity
    assert (nec_a.verdict, nec_not_a.verdict) == ("necessary", "not_necessary")


def test_no_variation_is_reported_not_minimised():
    scores = pd.DataFrame({"a": [1, 0, 1]}, index=list("xyz"))
    outcomes = pd.DataFrame({"Y": [1, 0.67, 1]}, index=list("xyz"))
    r = compare(scores, outcomes, _set(_cond("A", "a"))).outcomes[0]
    assert r.status == "no_variation" and r.exploratory and not r.solutions


def test_json_has_the_documented_fields_and_typology():
    scores = pd.DataFrame({"a": [1, 0, 1, 0], "b": [0, 1, 1, 0]}, index=list("wxyz"))
    outcomes = pd.DataFrame({"Y": [1, 0, 1, 0]}, index=list("wxyz"))
    types = [IdealType(id="ta", label_zh="甲型", label_en="A-type", profile={"A": 1, "B": 0})]
    c = compare(scores, outcomes, _set(_cond("A", "a"), _cond("B", "b"), types=types))
    doc = json.loads(json.dumps(comparison_json(c)))
    (out,) = doc["outcomes"]
    assert set(out["benchmark"]) >= {"n_cases", "n_conditions", "met"}
    assert out["benchmark"]["n_cases"] == 4 and out["benchmark"]["n_conditions"] == 2
    assert 0 < out["permutation_p"] <= 1
    assert {n["condition"] for n in out["necessity"]} == {"A", "~A", "B", "~B"}
    assert set(out["necessity"][0]) >= {"condition", "inclN", "RoN", "covN", "trivial"}
    assert all("models" in s and "terms" in s["models"][0] for s in out["solutions"].values())
    assert out["excluded_cases"] == []
    assert doc["typology"][0] == {
        "case": "w",
        "membership": {"ta": 1.0},
        "best": "ta",
        "margin": 1.0,
        "belongs": True,
        "tied": [],
    }


CONDITIONS_YAML = """\
version: 1
conditions:
  - id: PARTY
    label_zh: 党组织核心
    label_en: Party core
    codes: [party_core_leadership, {second}]
    rule: max
    min_reported: 1
    anchors: {{full_non: 0, crossover: 1/2, full: 1}}
"""


def _casebase_copy(tmp_path: Path, conditions: str) -> Path:
    root = tmp_path / "casebase"
    shutil.copytree(ROOT / "casebase", root)
    (root / "conditions.yaml").write_text(conditions, encoding="utf-8")
    return root


def test_cli_json_on_the_shipped_case_base(tmp_path, capsys):
    from analysis.casebase import load_codebook

    second = load_codebook(ROOT / "casebase").codes[1].id
    root = _casebase_copy(tmp_path, CONDITIONS_YAML.format(second=second))
    assert main(["compare", "--casebase", str(root), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    n_cases = len(list((root / "cases").glob("*.yaml")))
    assert {c["case"] for c in doc["calibration"]} == {
        p.stem for p in (root / "cases").glob("*.yaml")
    }
    for out in doc["outcomes"]:
        assert out["benchmark"]["n_cases"] + len(out["excluded_cases"]) == n_cases


def test_cli_text_and_unknown_code_error(tmp_path, capsys):
    root = _casebase_copy(tmp_path, CONDITIONS_YAML.format(second="no_such_code"))
    assert main(["compare", "--casebase", str(root)]) == 1
    err = capsys.readouterr().err
    assert "conditions.yaml:6: conditions[0].codes[1]: unknown code 'no_such_code'" in err


def test_cli_unknown_outcome(tmp_path, capsys):
    root = _casebase_copy(
        tmp_path,
        CONDITIONS_YAML.format(second="party_core_leadership").replace(
            ", party_core_leadership]", "]"
        ),
    )
    assert main(["compare", "--casebase", str(root), "--outcome", "nope"]) == 2
    assert "unknown outcome" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["text"])
def test_cli_text_says_exploratory(tmp_path, capsys, fmt):
    root = _casebase_copy(
        tmp_path,
        CONDITIONS_YAML.format(second="party_core_leadership").replace(
            ", party_core_leadership]", "]"
        ),
    )
    assert main(["compare", "--casebase", str(root), "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert "Calibration" in out and "Outcome" in out
