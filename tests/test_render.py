"""Rendering: self-contained, deterministic HTML and PDF; atomic writes."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from analysis import fonts, render
from analysis.render import IndexEntry, Provenance

PNG_1x1 = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
    )
).decode()


def executed_notebook() -> nbformat.NotebookNode:
    """A small notebook as papermill leaves it after a run (timings and all)."""
    nb = new_notebook()
    params = new_code_cell('case_id = "demo"', execution_count=1)
    params.metadata["tags"] = ["parameters"]
    injected = new_code_cell('case_id = "fengqiao"', execution_count=2)
    injected.metadata["tags"] = ["injected-parameters"]
    injected["id"] = "6f1e2d3c-random"
    title = new_code_cell("display(Markdown(...))", execution_count=3)
    title.outputs = [new_output("display_data", {"text/markdown": "# 枫桥经验案例画像"})]
    fig = new_code_cell("plt.plot(secret_variable)", execution_count=4)
    fig.outputs = [
        new_output(
            "execute_result",
            {"text/plain": "[<matplotlib.lines.Line2D at 0x7f3a9c2b>]"},
            execution_count=4,
        ),
        new_output("display_data", {"image/png": PNG_1x1, "text/plain": "<Figure>"}),
        new_output("stream", name="stderr", text="/tmp/ipykernel_4242/123.py:1: UserWarning: x\n"),
    ]
    nb.cells = [params, injected, title, new_markdown_cell("## 主要发现\n\n群众参与度高。"), fig]
    for cell in nb.cells:
        cell.metadata["papermill"] = {"start_time": "2024-05-01T10:00:00", "duration": 0.1}
        cell.metadata["execution"] = {"iopub.status.busy": "2024-05-01T10:00:00.1Z"}
    nb.metadata["papermill"] = {
        "start_time": "2024-05-01T10:00:00",
        "end_time": "x",
        "duration": 1.0,
        "input_path": "a",
        "output_path": "b",
        "parameters": {"case_id": "fengqiao"},
    }
    return nb


PROV = Provenance(
    "c" * 64, "0.1.0+abcdef", {"case_id": "fengqiao", "lang": "zh"}, "notebooks/case_brief.ipynb"
)


def test_html_is_self_contained_report_without_code() -> None:
    html = render.render_html(executed_notebook(), PROV)
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="zh-Hans">' in html
    assert "<title>枫桥经验案例画像</title>" in html
    assert "主要发现" in html and "群众参与度高" in html
    assert f"data:image/png;base64,{PNG_1x1}" in html  # figure embedded
    assert "secret_variable" not in html and "plt.plot" not in html  # exclude_input
    assert "In&nbsp;[" not in html and "Out[" not in html  # no prompts
    assert "UserWarning" not in html  # stderr is for the audit notebook only
    assert "<script" not in html  # nothing loaded from a CDN
    assert "@font-face" in html and "font/woff2" in html
    # Provenance footer.
    assert "c" * 64 in html and "0.1.0+abcdef" in html
    assert "notebooks/case_brief.ipynb" in html
    assert "&#34;case_id&#34;: &#34;fengqiao&#34;" in html or '"case_id": "fengqiao"' in html


def test_html_is_byte_identical_across_renders() -> None:
    first = render.render_html(executed_notebook(), PROV)
    # Caches off: the second render must not just replay the first.
    fonts._subset_ttf.cache_clear()
    fonts._to_woff2.cache_clear()
    render._exporter.cache_clear()
    nb = executed_notebook()
    nb.metadata.papermill["start_time"] = "2030-01-01T00:00:00"
    nb.cells[1]["id"] = "another-random-id"
    nb.cells[4].outputs[0]["data"]["text/plain"] = "[<matplotlib.lines.Line2D at 0x55d0e1f0>]"
    assert render.render_html(nb, PROV) == first


def test_html_changes_with_provenance() -> None:
    other = Provenance("d" * 64, PROV.code_version, PROV.parameters, PROV.notebook)
    assert render.render_html(executed_notebook(), PROV) != render.render_html(
        executed_notebook(), other
    )


def test_normalize_strips_run_noise() -> None:
    nb = render.normalize_notebook(executed_notebook())
    assert set(nb.metadata.papermill) == {"parameters"}
    for cell in nb.cells:
        assert "execution" not in cell.metadata and "papermill" not in cell.metadata
    assert nb.cells[1]["id"] == "injected-parameters"
    assert "0x0>" in nb.cells[4].outputs[0]["data"]["text/plain"]
    assert "ipykernel_0/" in nb.cells[4].outputs[2]["text"]
    nbformat.validate(nb)


def test_title_and_summary_from_notebook() -> None:
    nb = executed_notebook()
    assert render.notebook_title(nb) == "枫桥经验案例画像"
    assert render.notebook_summary(nb) is None
    summary = new_code_cell("print(...)")
    summary.metadata["tags"] = ["summary"]
    summary.outputs = [new_output("stream", name="stdout", text="三项机制齐备。\n第二行")]
    nb.cells.append(summary)
    assert render.notebook_summary(nb) == "三项机制齐备。"
    nb.metadata["workbench"] = {"title": "元数据标题", "summary": "元数据摘要"}
    assert render.notebook_title(nb) == "元数据标题"
    assert render.notebook_summary(nb) == "元数据摘要"


def test_pdf_renders_and_is_deterministic() -> None:
    html = render.render_html(executed_notebook(), PROV)
    pdf = render.render_pdf(html)
    assert pdf.startswith(b"%PDF-")
    assert render.render_pdf(html) == pdf


@pytest.mark.skipif(not shutil.which("pdffonts"), reason="poppler-utils (pdffonts) not installed")
def test_pdf_embeds_cjk_font(tmp_path: Path) -> None:
    path = tmp_path / "r.pdf"
    path.write_bytes(render.render_pdf(render.render_html(executed_notebook(), PROV)))
    fonts_listed = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert "Noto-Sans-SC" in fonts_listed
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "枫桥经验案例画像" in text and "群众参与度高" in text


def test_index_lists_reports_and_failures() -> None:
    html = render.render_index(
        [
            IndexEntry(
                "profile_a",
                "甲县画像",
                "三项机制齐备",
                "案例画像 / Case profiles",
                "profile_a.html",
                "pdf/profile_a.pdf",
                "notebooks/profile_a.ipynb",
            ),
            IndexEntry(
                "pair_a__b",
                "pair_a__b",
                "",
                "两两比较 / Pairwise comparisons",
                None,
                None,
                "notebooks/pair_a__b.ipynb",
                "ValueError: boom",
            ),
        ]
    )
    assert '<a href="profile_a.html"><span class="title">甲县画像</span></a>' in html
    assert "三项机制齐备" in html and 'href="pdf/profile_a.pdf"' in html
    assert "生成失败 / failed" in html and "ValueError: boom" in html
    assert html.count("<h2>") == 2
    assert render.render_index([]) == render.render_index([])


def test_atomic_write_replaces_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "r.html"
    render.atomic_write(target, "旧")
    render.atomic_write(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in target.parent.iterdir()] == ["r.html"]


def test_atomic_write_interrupted_keeps_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "r.html"
    target.write_text("complete old report", encoding="utf-8")

    def killed(*_: object) -> None:
        raise KeyboardInterrupt  # as if the process were stopped before the rename

    monkeypatch.setattr(os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        render.atomic_write(target, "half" * 1000)
    assert target.read_text(encoding="utf-8") == "complete old report"
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]
