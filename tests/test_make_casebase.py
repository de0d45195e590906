"""The synthetic case-base generator (benchmarks/make_casebase.py)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.casebase import load_casebase

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "make_casebase.py"


def _module():
    spec = importlib.util.spec_from_file_location("make_casebase", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


@pytest.mark.parametrize("n", [7, 12])
def test_generated_casebase_validates_with_its_sources(tmp_path: Path, n: int) -> None:
    base = _module().make_casebase(tmp_path, n, seed=3)
    cb = load_casebase(base, tmp_path / "sources")
    assert len(cb.cases) == n
    assert len(cb.texts) == n
    statuses = {m.status for case in cb.cases.values() for m in case.mechanisms}
    assert statuses == {"present", "weak", "proposed", "absent", "not_reported"}
    case = cb.cases[sorted(cb.cases)[0]]
    assert len(case.mechanisms) == len(cb.codebook.codes)
    assert case.context and case.outcomes and case.problems and case.recommendations
    for m in case.mechanisms:
        for ev in m.evidence:
            assert cb.texts[ev.source][ev.start : ev.end] == ev.quote
    # Not-reported is missing data in the membership matrix, not 0.
    assert cb.membership().isna().to_numpy().any()
    assert set(cb.codings) == {"syn_coder_a", "syn_coder_b"}


def test_cli_output_is_accepted_by_workbench_validate(tmp_path: Path) -> None:
    run = [sys.executable, str(SCRIPT), "--cases", "7", "--seed", "5", str(tmp_path)]
    subprocess.run(run, check=True, capture_output=True)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "analysis",
            "validate",
            "--casebase",
            str(tmp_path / "casebase"),
            "--sources",
            str(tmp_path / "sources"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("OK: 7 cases")


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    make = _module().make_casebase
    make(tmp_path / "a", 12, seed=1)
    make(tmp_path / "b", 12, seed=1)
    make(tmp_path / "c", 12, seed=2)
    a, b, c = (_files(tmp_path / x) for x in "abc")
    assert a == b
    assert a.keys() == c.keys() and a != c
    # A bigger base starts with the same cases (cases are drawn one by one from the seed).
    make(tmp_path / "d", 13, seed=1)
    d = _files(tmp_path / "d")
    assert d["casebase/cases/syn_0005.yaml"] == a["casebase/cases/syn_0005.yaml"]
