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
from analysis.reports.registry import KINDS
from tests.conftest import CASEBASE, ROOT

NOTEBOOKS = sorted({k.notebook.split("/")[-1].removesuffix(".ipynb") for k in KINDS.values()})


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
        assert len(src.splitlines()) <= 12, src


def test_default_plan_parameters_exist_in_the_notebooks():
    from papermill import inspect_notebook

    declared = {n: set(inspect_notebook(str(ROOT / "notebooks" / f"{n}.ipynb"))) for n in NOTEBOOKS}
    runs = default_plan(CASEBASE)
    n = len(list((CASEBASE / "cases").glob("*.yaml")))
    pairs = n * (n - 1) // 2
    assert len(runs) == 2 * n + 2 * pairs + 2 + n + 2
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
                "- {notebook: notebooks/case_brief.ipynb, output: case, parameters: {case_id: dongguan, lang: zh}}",
                "- {notebook: notebooks/pair_brief.ipynb, output: pair, parameters: {case_a: shaoxing, case_b: xiamen_haicang, lang: en}}",
                "- {notebook: notebooks/synthesis.ipynb, output: synthesis, parameters: {lang: zh}}",
                "- {notebook: notebooks/yaobao.ipynb, output: synthesis_yaobao, parameters: {report_kind: synthesis, lang: zh}}",
                "- {notebook: notebooks/field_guide.ipynb, output: fieldguide, parameters: {case_id: zhoushan_donggang, lang: zh}}",
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
    names = ("case", "pair", "synthesis", "synthesis_yaobao", "fieldguide", "reliability", "corpus")
    pages = {n: (out / f"{n}.html").read_text(encoding="utf-8") for n in names}
    for name, html in pages.items():
        # Embedded images and fonts are base64, where "Error" can occur by chance.
        text = re.sub(r"data:[^\"')\s]+", "", html)
        assert "Traceback" not in text and "Error" not in text, name
        assert "@font-face" in html, name
        facts = json.loads((out / "facts" / f"{name}.json").read_text(encoding="utf-8"))
        assert facts["title"] and facts["title"].split("：")[-1][:8] in text, name
    for name in ("case", "synthesis"):
        assert 'src="data:image/png;base64,' in pages[name], name
        for heading in (
            "核心判断",
            "一、基本情况",
            "二、主要做法",
            "三、成效",
            "四、存在问题",
            "附：方法与证据",
        ):
            assert heading in pages[name], (name, heading)
    assert "Key judgements" in pages["pair"] and "核心判断" not in pages["pair"]
    assert "调研问题" in pages["fieldguide"]
    assert "要报" in pages["synthesis_yaobao"] and "附：方法与证据" not in pages["synthesis_yaobao"]
    assert "详见《" in pages["synthesis_yaobao"]
    # Word/WPS: real headings, tables and figures, Chinese text; the 要报 is short.
    import docx

    doc = docx.Document(str(out / "docx" / "case.docx"))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert "一、基本情况" in headings and "五、对策建议与启示" in headings
    assert doc.tables and doc.inline_shapes
    assert any("东莞" in p.text for p in doc.paragraphs)
    yaobao = docx.Document(str(out / "docx" / "synthesis_yaobao.docx"))
    assert sum(len(p.text) for p in yaobao.paragraphs) < 1500
    index = (out / "index.html").read_text(encoding="utf-8")
    for name in pages:
        assert f'href="{name}.html"' in index
    for heading in ("案例参阅", "比较借鉴", "综合比较", "调研提纲", "编码信度", "语料分析"):
        assert heading in index
