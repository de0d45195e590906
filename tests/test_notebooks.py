"""The real notebooks: paired with jupytext, thin, and rendered end to end by the batch."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys

import jupytext
import pytest

from analysis.batch import default_plan
from tests.conftest import CASEBASE, ROOT

NOTEBOOKS = ["case_profile", "pairwise_comparison", "cross_case", "reliability", "corpus"]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_is_paired_and_thin(name):
    py = jupytext.read(ROOT / "notebooks" / f"{name}.py")
    nb = jupytext.read(ROOT / "notebooks" / f"{name}.ipynb")
    code = lambda n: [c.source.strip() for c in n.cells if c.cell_type == "code"]  # noqa: E731
    assert code(py) == code(nb), f"run `jupytext --sync notebooks/{name}.py`"
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    # Thin: every code cell loads, calls or shows; the logic lives in analysis/.
    for src in code(nb):
        tree = ast.parse(src)
        assert not any(isinstance(n, ast.FunctionDef | ast.ClassDef) for n in ast.walk(tree)), src
        assert len(src.splitlines()) <= 8, src


def test_default_plan_parameters_exist_in_the_notebooks():
    from papermill import inspect_notebook

    declared = {n: set(inspect_notebook(str(ROOT / "notebooks" / f"{n}.ipynb"))) for n in NOTEBOOKS}
    runs = default_plan(CASEBASE)
    assert len(runs) == 5 + 10 + 5 + 2
    for run in runs:
        name = re.sub(r"\.(ipynb|py)$", "", run.notebook.split("/")[-1])
        assert set(run.parameters) <= declared[name], (
            run.output,
            set(run.parameters) - declared[name],
        )


def test_python_m_analysis_is_the_workbench_command():
    out = subprocess.run(
        [sys.executable, "-m", "analysis", "--help"], capture_output=True, text=True, cwd=ROOT
    )
    assert out.returncode == 0
    for cmd in ("validate", "export", "locate", "new-case", "qca", "reliability", "batch"):
        assert cmd in out.stdout


def test_batch_renders_each_real_notebook(tmp_path, seeds):
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "\n".join(
            [
                "- {notebook: notebooks/case_profile.ipynb, output: profile, parameters: {case_id: dongguan, lang: zh}}",
                "- {notebook: notebooks/pairwise_comparison.ipynb, output: pair, parameters: {case_a: shaoxing, case_b: xiamen_haicang, lang: en}}",
                "- {notebook: notebooks/cross_case.ipynb, output: cross, parameters: {outcome: service_quality, lang: zh}}",
                "- {notebook: notebooks/reliability.ipynb, output: reliability, parameters: {lang: zh}}",
                f"- {{notebook: notebooks/corpus.ipynb, output: corpus, parameters: {{sources: '{seeds}', lang: zh}}}}",
            ]
        ),
        encoding="utf-8",
    )
    out = tmp_path / "reports"
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "analysis",
            "batch",
            "--plan",
            str(plan),
            "--out",
            str(out),
            "--jobs",
            "2",
            "--no-pdf",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    from analysis.casebase import load_casebase
    from analysis.similarity import fuzzy_jaccard

    cb = load_casebase(CASEBASE, seeds)
    pages = {
        n: (out / f"{n}.html").read_text(encoding="utf-8")
        for n in ("profile", "pair", "cross", "reliability", "corpus")
    }
    for name, html in pages.items():
        # Embedded images and fonts are base64, where "Error" can occur by chance.
        text = re.sub(r"data:[^\"')\s]+", "", html)
        assert "Traceback" not in text and "Error" not in text, name
        assert 'src="data:image/png;base64,' in html, name
        assert "@font-face" in html, name
    assert "案例画像：东莞市基层多元共治与“智网工程”" in pages["profile"]
    n_present = int((cb.membership().loc["dongguan"] > 0).sum())
    assert f"有 {n_present} 个得到原文证据支持" in pages["profile"]
    fj = fuzzy_jaccard(cb.membership()).loc["shaoxing", "xiamen_haicang"]
    assert f"fuzzy Jaccard similarity {fj:.2f}" in pages["pair"]
    assert "逻辑余项" in pages["cross"] and "本分析只有 5 个案例" in pages["cross"]
    assert "0.973" in pages["reliability"]
    assert "自组织" in pages["corpus"]
    index = (out / "index.html").read_text(encoding="utf-8")
    for name in pages:
        assert f'href="{name}.html"' in index
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest
