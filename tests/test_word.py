"""Word/WPS output (analysis.word): GB/T 9704 layout, real headings, tables and
images, deterministic bytes, and a 要报 that fits one A4 page.

Each DOCX is opened with python-docx.  The one-page check lays the 要报 out
with LibreOffice (``soffice``) and counts pages with ``pdfinfo``; it is
skipped, saying so, when either is missing (Debian: ``apt-get install
libreoffice-writer-nogui poppler-utils``).
"""

from __future__ import annotations

import base64
import io
import shutil
import subprocess
from pathlib import Path

import docx
import matplotlib
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from analysis import word
from analysis.render import Provenance, render_html

matplotlib.use("Agg")

PROV = Provenance(
    "c" * 64,
    "0.1.0+abcdef",
    {"case_id": "zhoushan_donggang", "lang": "zh"},
    "notebooks/case_brief.ipynb",
)

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="160" viewBox="0 0 320 160">'
    '<rect width="320" height="160" fill="#ffffff"/><rect x="20" y="40" width="120" height="100"'
    ' fill="#9b1c1c"/><circle cx="240" cy="90" r="50" fill="#1f77b4"/></svg>'
)


def _png_figure() -> str:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3), dpi=100)
    ax.bar(["A", "B", "C"], [3, 1, 2], color="#1f77b4")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def _markdown_cell(text: str):
    cell = new_code_cell("display(Markdown(...))", execution_count=1)
    cell.outputs = [new_output("display_data", {"text/markdown": text})]
    return cell


TABLE_HTML = (
    '<table class="wb-table"><caption>表1 主要做法</caption><thead><tr><th>机制族</th>'
    "<th>机制</th><th>隶属度</th><th>状态</th><th>编码理由</th></tr></thead><tbody>"
    + "".join(
        f"<tr><td>党建引领</td><td>党组织与党员嵌入社会组织和网格{i}</td><td>0.67</td>"
        "<td>存在</td><td>建立网格党员活动小组与自组织结对联系制度，并引导党员等加入各类"
        "自组织，使党组织覆盖到各自组织，是“强化党政引导”的核心做法。</td></tr>"
        for i in range(1, 31)
    )
    + "</tbody></table>"
)


def briefing_notebook():
    """A briefing as the notebooks render it: title, four heading levels,
    paragraphs, a list, a 30-row table (spanning pages), a PNG and an SVG figure."""
    nb = new_notebook()
    figure = new_code_cell("plot()", execution_count=2)
    figure.outputs = [
        new_output("display_data", {"image/png": _png_figure(), "text/plain": "<Figure>"})
    ]
    svg = new_code_cell("svg()", execution_count=3)
    svg.outputs = [
        new_output(
            "display_data",
            {
                "text/html": f'<img alt="网络图" src="data:image'
                f'/svg+xml;base64,{base64.b64encode(SVG.encode()).decode()}">'
            },
        )
    ]
    table = new_code_cell("table()", execution_count=4)
    table.outputs = [new_output("display_data", {"text/html": TABLE_HTML})]
    nb.cells = [
        _markdown_cell("# 东港模式：以自组织培育激活基层社会治理"),
        new_markdown_cell(
            "**核心判断**：东港街道以网格为载体培育58个居民自组织，\n形成“自我管理、自我服务”的"
            "治理格局。\n\n## 一、基本情况\n\n东港街道位于舟山市普陀区，2007年起推进网格化管理。"
            "\n\n### （一）主要做法\n\n#### 1. 因需而建\n\n##### （1）需求调查\n\n"
            "依托网格服务团队开展需求调查。\n\n- 自定运行规则\n- 党员结对与嵌入\n\n"
            "1. 第一条建议\n2. 第二条建议\n\n## 二、成效\n\n居民参与度提高（来源自述）。"
        ),
        table,
        figure,
        svg,
        new_markdown_cell("## 附：方法与证据\n\n本分析只有 5 个案例，`incl_cut = 0.8`。"),
    ]
    return nb


@pytest.fixture(scope="module")
def briefing_html() -> str:
    return render_html(briefing_notebook(), PROV)


@pytest.fixture(scope="module")
def briefing_docx(briefing_html: str) -> bytes:
    return word.render_docx(briefing_html)


def _open(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def _east_asian(style) -> str | None:
    rpr = style.element.rPr
    rfonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
    return rfonts.get(qn("w:eastAsia")) if rfonts is not None else None


def test_headings_are_word_headings_with_gbt9704_fonts(briefing_docx: bytes) -> None:
    doc = _open(briefing_docx)
    styled = [(p.style.name, p.text) for p in doc.paragraphs if p.text.strip()]
    assert styled[0] == ("Title", "东港模式：以自组织培育激活基层社会治理")
    assert ("Heading 1", "一、基本情况") in styled
    assert ("Heading 2", "（一）主要做法") in styled
    assert ("Heading 3", "1. 因需而建") in styled
    assert ("Heading 4", "（1）需求调查") in styled
    styles = doc.styles
    assert _east_asian(styles["Title"]) == "方正小标宋简体"
    assert styles["Title"].font.size.pt == 22
    assert styles["Title"].paragraph_format.alignment == 1  # centred
    assert _east_asian(styles["Normal"]) == "仿宋_GB2312"
    assert _east_asian(styles["Heading 1"]) == "黑体"
    assert _east_asian(styles["Heading 2"]) == "楷体_GB2312"
    assert _east_asian(styles["Heading 3"]) == _east_asian(styles["Heading 4"]) == "仿宋_GB2312"
    for name in ("Normal", "Heading 1", "Heading 2", "Heading 3", "Heading 4"):
        assert styles[name].font.size.pt == 16, name
        assert not styles[name].font.bold, name
        rfonts = styles[name].element.rPr.find(qn("w:rFonts"))
        # Theme fonts would override the named ones in Word.
        assert rfonts.get(qn("w:eastAsiaTheme")) is None and rfonts.get(qn("w:asciiTheme")) is None
    # Fallbacks for machines without the GB2312 / 方正 fonts.
    font_table = doc.part.part_related_by(
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable"
    ).blob
    text = font_table.decode("utf-8")
    for name, alt in (("方正小标宋简体", "宋体"), ("仿宋_GB2312", "仿宋"), ("楷体_GB2312", "楷体")):
        assert f'w:name="{name}"><w:altName w:val="{alt}"/>' in text


def test_body_text_chinese_lists_and_appendix(briefing_docx: bytes) -> None:
    doc = _open(briefing_docx)
    texts = [p.text for p in doc.paragraphs]
    # A line break in the Markdown source between two Chinese characters leaves no space.
    assert (
        "核心判断：东港街道以网格为载体培育58个居民自组织，形成“自我管理、自我服务”的治理格局。"
        in texts
    )
    assert "1. 第一条建议" in texts and "2. 第二条建议" in texts
    assert "• 自定运行规则" in texts and "• 党员结对与嵌入" in texts
    appendix = next(p for p in doc.paragraphs if p.text == "附：方法与证据")
    assert appendix.style.name == "Heading 1" and appendix.paragraph_format.page_break_before


def test_tables_are_word_tables_with_repeated_header(briefing_docx: bytes) -> None:
    doc = _open(briefing_docx)
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["机制族", "机制", "隶属度", "状态", "编码理由"]
    assert table.cell(1, 1).text == "党组织与党员嵌入社会组织和网格1"
    assert table.cell(30, 2).text == "0.67"
    assert len(table.rows) == 31
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert table.rows[1]._tr.trPr is None or table.rows[1]._tr.trPr.find(qn("w:tblHeader")) is None
    caption = [p for p in doc.paragraphs if p.text == "表1 主要做法"]
    assert caption and caption[0].style.name == "Caption"
    # Columns: short contents are never wrapped, the long one gets the room,
    # and the table spans the 156 mm text block.
    widths = [col.width.pt for col in table.columns]
    size = 12.0
    padding = word.LAYOUT.cell_padding
    assert widths[2] - padding >= word.display_width("隶属度") * size
    assert widths[3] - padding >= word.display_width("存在") * size
    assert widths[4] == max(widths)
    assert sum(widths) == pytest.approx(Mm(156).pt, abs=1)


def test_figures_are_embedded_svg_as_png(briefing_docx: bytes) -> None:
    doc = _open(briefing_docx)
    images = [s for s in doc.inline_shapes]
    assert len(images) == 2
    blobs = [
        rel.target_part.blob for rel in doc.part.rels.values() if rel.reltype.endswith("/image")
    ]
    assert len(blobs) == 2 and all(b.startswith(b"\x89PNG") for b in blobs)
    # Natural size (96 px an inch) unless wider than the text block.
    assert (
        images[0].width.pt == pytest.approx(600 * 0.75, abs=1)
        or images[0].width.pt <= Mm(156).pt + 1
    )
    assert images[1].width.pt == pytest.approx(320 * 0.75, abs=1)


def test_page_is_a4_with_gbt9704_margins_and_page_number(briefing_docx: bytes) -> None:
    doc = _open(briefing_docx)
    section = doc.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28
    assert round(section.right_margin.mm) == 26 and round(section.bottom_margin.mm) == 35
    footer = section.footer.paragraphs[0]
    assert footer.text == "— 1 —"
    assert footer.alignment == 1
    assert footer.style.font.size.pt == 14 and _east_asian(footer.style) == "宋体"
    xml = footer._p.xml
    assert 'w:fldCharType="begin"' in xml and "PAGE" in xml and 'w:fldCharType="end"' in xml
    # The provenance is kept, in small print, at the end.
    assert any(p.style.name == "来源说明" and "c" * 64 in p.text for p in doc.paragraphs)


def test_same_html_gives_identical_bytes(briefing_html: str, briefing_docx: bytes) -> None:
    again = word.render_docx(render_html(briefing_notebook(), PROV))
    assert again == briefing_docx
    import zipfile

    infos = zipfile.ZipFile(io.BytesIO(again)).infolist()
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert "docProps/thumbnail.jpeg" not in {i.filename for i in infos}


def test_nothing_is_fetched_and_odd_html_does_not_break() -> None:
    html = (
        '<main><h1>标题</h1><p>外链图 <img src="https://example.invalid/x.png" alt="外图">'
        '<img src="file:///etc/passwd"> <img src="data:image/png;base64,!!"></p>'
        '<table><tr><td rowspan="2">甲</td><td colspan="2">乙丙</td></tr>'
        "<tr><td>丁</td><td>戊</td></tr></table><pre>代码\n  缩进</pre>"
        "<blockquote><p>引文</p></blockquote><ul><li>一<ul><li>二</li></ul></li></ul></main>"
    )
    doc = _open(word.render_docx(html))
    assert [p.text for p in doc.paragraphs if p.text][:2] == ["标题", "外链图 [外图]"]
    assert not doc.inline_shapes
    table = doc.tables[0]
    assert table.cell(0, 0).text == table.cell(1, 0).text == "甲"  # merged vertically
    assert table.cell(0, 1).text == table.cell(0, 2).text == "乙丙"
    assert table.cell(1, 2).text == "戊"
    assert any(p.style.name == "代码" and p.text == "代码\n  缩进" for p in doc.paragraphs)
    assert any(p.style.name == "Quote" and p.text == "引文" for p in doc.paragraphs)


def _yaobao_html(recommendations: int = 3) -> str:
    recs = "\n".join(
        f"{i}. **建议{i}**：在街道层面建立自组织培育与评估制度，以“以奖代补”方式给予扶持，"
        f"由网格服务团队负责需求调查与帮扶协调（依据：东港、海沧；适用于人口集中、网格健全的城区街道）。"
        for i in range(1, recommendations + 1)
    )
    nb = new_notebook(
        cells=[
            _markdown_cell("# 要报：以自组织培育激活城市基层社会治理"),
            new_markdown_cell(
                "## 一、核心判断\n\n东港街道以网格为载体培育居民自组织，形成自我管理、自我服务的治理格局，"
                "其经验在于党建引领下的规则自治与绩效激励。与海沧“共同缔造”相比，东港更依赖街道的"
                "培育与评估，适合人口集中、网格健全的城区。当前应把自组织培育纳入街道考核，同时防止"
                "行政化。\n\n## 二、对策建议\n\n"
                + recs
                + "\n\n依据：五个案例的编码比较与原文引文，详见同名决策咨询报告附件。"
            ),
        ]
    )
    return render_html(nb, PROV)


def test_yaobao_chooses_largest_size_that_fits() -> None:
    short = word.html_blocks(_yaobao_html(1))
    long = word.html_blocks(_yaobao_html(8))
    assert word.yaobao_body_size(short) == 16.0  # 3号 when it fits
    assert word.yaobao_body_size(long) < 16.0
    doc = _open(word.render_docx(_yaobao_html(8), variant="yaobao"))
    assert doc.styles["Normal"].font.size.pt == word.yaobao_body_size(long)
    assert not any(p.style.name == "来源说明" for p in doc.paragraphs)
    assert word.variant_for("profile_dongguan_yaobao") == "yaobao"
    with pytest.raises(ValueError, match="unknown DOCX variant"):
        word.render_docx("<p>x</p>", variant="poster")


def _pdf_pages(documents: dict[str, bytes], tmp_path: Path) -> dict[str, int]:
    """Page counts of DOCX files laid out by LibreOffice (one soffice start for all)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice or not shutil.which("pdfinfo"):
        pytest.skip(
            "LibreOffice (soffice) or pdfinfo not installed: "
            "apt-get install libreoffice-writer-nogui poppler-utils"
        )
    for name, data in documents.items():
        (tmp_path / f"{name}.docx").write_bytes(data)
    subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            *(str(tmp_path / f"{name}.docx") for name in documents),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    pages = {}
    for name in documents:
        info = subprocess.run(
            ["pdfinfo", str(tmp_path / f"{name}.pdf")], check=True, capture_output=True, text=True
        ).stdout
        pages[name] = int(
            next(ln.split()[-1] for ln in info.splitlines() if ln.startswith("Pages:"))
        )
    return pages


def test_yaobao_fits_one_a4_page(tmp_path: Path) -> None:
    pages = _pdf_pages(
        {
            "short": word.render_docx(_yaobao_html(3), variant="yaobao"),
            "long": word.render_docx(_yaobao_html(8), variant="yaobao"),
            # The long content as a full briefing runs over one page.
            "long_briefing": word.render_docx(_yaobao_html(8)),
        },
        tmp_path,
    )
    assert pages["short"] == 1 and pages["long"] == 1
    assert pages["long_briefing"] > 1


# -- the batch writes a DOCX beside every PDF ------------------------------------------


class _ReplayKernel:
    """Stands in for a warm kernel: the notebook comes back as it is (already "executed")."""

    def execute(self, nb, parameters, cwd, cell_timeout=None):
        return nb, None, 0.0

    def is_alive(self) -> bool:
        return True


class _InProcessPool:
    """Runs the batch's jobs in this process with :class:`_ReplayKernel` (no kernels start)."""

    def run(self, jobs, on_start=None):
        from analysis.batch.worker import run_job

        for job in jobs:
            if on_start is not None:
                on_start(job)
            yield run_job(_ReplayKernel(), job)


def _batch_project(tmp_path: Path) -> Path:
    import nbformat

    root = tmp_path / "proj"
    shutil.copytree(Path(__file__).resolve().parents[1] / "casebase", root / "casebase")
    (root / "analysis").mkdir(parents=True)
    (root / "analysis" / "helpers.py").write_text("X = 1\n")
    (root / "notebooks").mkdir()
    nbformat.write(briefing_notebook(), root / "notebooks" / "brief.ipynb")
    yaobao = new_notebook(
        cells=[
            _markdown_cell("# 要报：东港模式"),
            new_markdown_cell("## 一、核心判断\n\n以网格为载体培育自组织。"),
        ]
    )
    nbformat.write(yaobao, root / "notebooks" / "yaobao.ipynb")
    return root


def _run(project: Path, **kw):
    from analysis.batch import Run
    from analysis.batch.runner import run_batch

    plan = [
        Run("notebooks/brief.ipynb", "brief", {}),
        Run("notebooks/yaobao.ipynb", "brief_yaobao", {}),
    ]
    return run_batch(
        plan, root=project, pool=_InProcessPool(), validator=None, progress=False, pdf=False, **kw
    )


def test_batch_writes_docx_with_manifest_and_index(tmp_path: Path) -> None:
    import json

    project = _batch_project(tmp_path)
    out = project / "reports"
    result = _run(project)
    assert sorted(result.built) == ["brief", "brief_yaobao"], result.summary()
    brief = out / "docx" / "brief.docx"
    doc = docx.Document(brief)
    assert doc.paragraphs[0].text == "东港模式：以自组织培育激活基层社会治理"
    assert doc.core_properties.title == "东港模式：以自组织培育激活基层社会治理"
    assert doc.tables and doc.inline_shapes
    yaobao = docx.Document(out / "docx" / "brief_yaobao.docx")
    assert not any(p.style.name == "来源说明" for p in yaobao.paragraphs)  # the 要报 layout
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["runs"]["brief"]["files"]["docx"] == brief.stat().st_size
    assert manifest["runs"]["brief"]["docx_seconds"] is not None
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<a href="docx/brief.docx">Word</a>' in index
    assert '<a href="docx/brief_yaobao.docx">Word</a>' in index

    # Nothing changed: nothing rebuilt.  Forced: the same bytes again.
    before = brief.read_bytes()
    assert _run(project).built == []
    assert sorted(_run(project, force=True).built) == ["brief", "brief_yaobao"]
    assert brief.read_bytes() == before


def test_no_docx_skips_and_a_later_run_adds_them(tmp_path: Path) -> None:
    project = _batch_project(tmp_path)
    out = project / "reports"
    assert sorted(_run(project, docx=False).built) == ["brief", "brief_yaobao"]
    assert not (out / "docx").exists()
    assert "docx/brief.docx" not in (out / "index.html").read_text(encoding="utf-8")
    assert _run(project, docx=False).built == []
    # Wanted now: the reports built without them are rebuilt, then stay fresh.
    assert sorted(_run(project).built) == ["brief", "brief_yaobao"]
    assert (out / "docx" / "brief.docx").is_file()
    assert _run(project).built == []
    # A deleted DOCX is noticed.
    (out / "docx" / "brief_yaobao.docx").unlink()
    assert _run(project).built == ["brief_yaobao"]


def test_cli_has_no_docx_option() -> None:
    from analysis.cli import build_parser

    args = build_parser().parse_args(["batch", "--no-docx"])
    assert args.docx is False
    assert build_parser().parse_args(["batch"]).docx is True
