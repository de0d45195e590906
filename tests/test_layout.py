"""Layout on paper: short table cells never wrap (two-character words stay whole), figures
are at most about half a page high so none leaves a half-empty page before it, and DOCX
columns are never narrower than two Chinese characters."""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from analysis import render, word
from analysis.chromium import ChromiumPrinter, find_chromium
from analysis.render import Provenance

needs_chromium_and_poppler = pytest.mark.skipif(
    find_chromium() is None or not shutil.which("pdftotext"),
    reason="chromium and poppler-utils are needed to check the printed layout",
)
PROV = Provenance("c0ffee", "0.1.0+test", {}, "notebooks/x.ipynb")
LONG = "以“智网工程”为主要抓手，全市划分2958个管理网格，设置9756名专责人员落实调度、巡查、监管和执法任务，网格是模式的核心载体且制度化、有专节，故为1。"


def _table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "年份": ["2017", "2008", "未报告"],
            "状态": ["存在", "薄弱", "存在"],
            "隶属度": ["1", "0.33", "0.67"],
            "机制族": ["网格化", "党建引领", "多元参与"],
            "编码理由": [LONG, LONG, LONG],
        }
    )


def _notebook(*cells: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.cells = [new_markdown_cell("# 版式检查"), *cells]
    return nb


def _html_cell(html: str) -> nbformat.NotebookNode:
    cell = new_code_cell("display(table)", execution_count=1)
    cell.outputs = [new_output("display_data", {"text/html": html, "text/plain": "table"})]
    return cell


def test_short_cells_are_marked_never_to_wrap():
    html = render.sanitize_html(_table().to_html(index=False))
    cells = re.findall(r"<(?:td|th)(\s[^>]*)?>([^<]*)<", html)
    assert len(cells) == 4 * 5
    for attrs, text in cells:
        short = word.display_width(text) <= render.SHORT_CELL_EMS
        assert ('class="nw"' in attrs) == short, (text, attrs)
    assert ".nw { white-space: nowrap; }" in render._CSS


def test_tall_figures_are_marked_and_figures_capped_on_paper():
    import struct

    def png(w: int, h: int) -> str:
        head = b"\x89PNG\r\n\x1a\n" + struct.pack(">I4sII", 13, b"IHDR", w, h) + b"\0" * 8
        return base64.b64encode(head).decode()

    page = f'<img src="data:image/png;base64,{png(700, 500)}"><img src="data:image/png;base64,{png(500, 900)}">'
    marked = render.mark_tall_images(page)
    assert marked.count('class="tall"') == 1 and marked.index('class="tall"') > marked.index(
        "<img", 5
    )
    css = render._CSS
    assert re.search(r"img \{ max-height: 1[0-2]\dmm", css)  # under half the 259 mm text block


def _pdf_text(pdf: bytes, tmp_path: Path, *args: str) -> str:
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", *args, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture(scope="module")
def printer():
    if find_chromium() is None:
        pytest.skip("chromium not installed")
    with ChromiumPrinter() as p:
        yield p


@needs_chromium_and_poppler
def test_printed_table_keeps_two_character_words_whole(printer, tmp_path):
    nb = _notebook(_html_cell(_table().to_html(index=False)))
    pdf = render.render_pdf(render.render_html(nb, PROV), printer=printer)
    text = _pdf_text(pdf, tmp_path)
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for word_ in ("年份", "状态", "存在", "薄弱", "隶属度", "机制族", "未报告"):
        assert word_ in lines, (word_, lines[:40])
    # No cell broken into single characters ('状' / '态' on lines of their own).
    singles = [ln for ln in lines if len(ln) == 1 and "\u4e00" <= ln <= "\u9fff"]
    assert not singles, singles


@needs_chromium_and_poppler
def test_a_large_figure_is_scaled_rather_than_leaving_half_a_page_empty(
    printer, tmp_path, monkeypatch
):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 7))
    ax.plot([0, 1], [0, 1])
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)  # 800 x 700 px: full width, ~156 mm high on A4
    plt.close(fig)
    text = new_markdown_cell("\n\n".join(["群众参与度高，基层治理网格化。" * 3] * 9))
    figure = new_code_cell("fig", execution_count=2)
    figure.outputs = [
        new_output(
            "display_data",
            {"image/png": base64.b64encode(buf.getvalue()).decode(), "text/plain": "<Figure>"},
        )
    ]
    nb = _notebook(text, figure)
    pdf = render.render_pdf(render.render_html(nb, PROV), printer=printer)
    # The text fills under half the page: the figure, capped, follows it on page 1 ...
    assert _image_pages(pdf, tmp_path) == [1]
    # ... where at full size it would have gone to page 2, leaving most of page 1 empty.
    uncapped = re.sub(r"\n  img \{ max-height:[^}]*\}", "", render._CSS)
    assert uncapped != render._CSS
    monkeypatch.setattr(render, "_CSS", uncapped)
    pdf = render.render_pdf(render.render_html(nb, PROV), printer=printer)
    assert _image_pages(pdf, tmp_path) == [2]


def _image_pages(pdf: bytes, tmp_path: Path) -> list[int]:
    path = tmp_path / "i.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return [int(ln.split()[0]) for ln in out.splitlines()[2:] if ln.strip()]


def test_docx_columns_keep_two_chinese_characters():
    """Many short columns beside a long one: before, the minima were scaled below one
    character and every two-character word wrapped."""
    natural = [2.5] * 8 + [40.0]
    minimum = [2.5] * 8 + [12.0]
    widths = word.column_widths(natural, minimum, 24.0)
    assert all(w >= 2.5 for w in widths[:8]), widths
    assert sum(widths) == pytest.approx(24.0)
