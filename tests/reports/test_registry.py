"""The registry of report kinds drives the default plan, checks and notebooks."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.batch.plan import default_plan, skipped_reports
from analysis.reports import KINDS, build
from analysis.reports.errors import ParameterError, UnknownCase, UnknownKind
from analysis.reports.registry import check_run, default_runs

from .conftest import make_casebase

ROOT = Path(__file__).resolve().parents[2]


def test_every_kind_has_a_paired_notebook_showing_its_sections():
    for kind in KINDS.values():
        ipynb = ROOT / kind.notebook
        py = ipynb.with_suffix(".py")
        assert ipynb.is_file() and py.is_file(), kind.notebook
        source = py.read_text(encoding="utf-8")
        assert (
            f'reports.build(\n    "{kind.name}"' in source
            or f'reports.build("{kind.name}"' in source
        )
        for section in kind.sections:
            assert f'report.show("{section}")' in source, (kind.name, section)
        assert "report.show_facts()" in source


@pytest.mark.parametrize("n", [1, 3, 7])
def test_default_runs_scale_with_the_cases(n):
    cases = [f"c{i}" for i in range(n)]
    runs, skipped = default_runs(cases)
    names = [r.output for r in runs]
    pairs = n * (n - 1) // 2
    assert sum(x.startswith("case_") and not x.endswith("_yaobao") for x in names) == n
    assert sum(x.startswith("pair_") and not x.endswith("_yaobao") for x in names) == pairs
    assert sum(x.endswith("_yaobao") for x in names) == n + pairs + 1
    assert sum(x.startswith("fieldguide_") for x in names) == n
    assert names.count("synthesis") == 1 and "reliability" in names and "corpus" in names
    assert skipped == []


def test_without_source_texts_the_corpus_report_is_skipped_with_a_reason(tmp_path):
    assert "corpus" not in [r.output for r in default_plan("casebase", corpus=[tmp_path])]
    (reason,) = [why for name, why in skipped_reports("casebase", corpus=[tmp_path])]
    assert "来源文本" in reason and "source texts" in reason


def test_default_plan_parameters_pass_the_registry_checks():
    cases = {p.stem for p in (ROOT / "casebase" / "cases").glob("*.yaml")}
    for run in default_plan(ROOT / "casebase"):
        assert check_run(run.notebook, run.parameters, cases) == [], run.output


def test_checks_name_the_parameter_and_the_known_values():
    problems = check_run("notebooks/pair_brief.ipynb", {"case_a": "x", "case_b": "a"}, {"a", "b"})
    assert problems == ["parameter 'case_a': unknown case id 'x' (known: a, b)"]
    assert check_run("notebooks/case_brief.ipynb", {}, {"a"}) == ["parameter 'case_id' is required"]


def test_build_refuses_unknown_kinds_parameters_and_cases():
    with pytest.raises(UnknownKind):
        build("profile")
    with pytest.raises(ParameterError, match="unknown parameter"):
        build("case", case="shaoxing")
    with pytest.raises(UnknownCase, match="known:"):
        build("case", case_id="nowhere")
    with pytest.raises(ParameterError, match="lang"):
        build("case", case_id="shaoxing", lang="fr")


@pytest.mark.parametrize("n", [6, 14])
def test_large_case_bases_compare_each_case_with_its_nearest_only(tmp_path, n):
    from analysis.batch.plan import SMALL_CASEBASE

    base = make_casebase(tmp_path, n, seed=5)
    casebase = base / "casebase" if (base / "casebase").is_dir() else base
    cases = sorted(p.stem for p in (casebase / "cases").glob("*.yaml"))
    pairs = [r for r in default_plan(casebase, pairs_k=2) if r.output.startswith("pair_")]
    pairs = [r for r in pairs if not r.output.endswith("_yaobao")]
    if n <= SMALL_CASEBASE:
        assert len(pairs) == n * (n - 1) // 2
    else:
        assert n <= len(pairs) <= 2 * n  # each case with its 2 nearest, shared pairs once
        covered = {c for r in pairs for c in (r.parameters["case_a"], r.parameters["case_b"])}
        assert covered == set(cases)
        named = (cases[0], cases[-1])
        with_named = default_plan(casebase, pairs_k=2, named_pairs=[named])
        assert f"pair_{named[0]}__{named[1]}" in [r.output for r in with_named]
