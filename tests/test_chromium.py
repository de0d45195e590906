"""PDFs printed by headless Chromium: byte-stable, real fonts, Chinese that renders.

The printer tests need Debian's ``chromium`` (``.ci/run`` installs it) and
skip, saying why, without it; the PDF checks read text and fonts with
poppler's ``pdftotext``/``pdffonts`` where installed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell, new_output

from analysis import render
from analysis.batch.worker import Printers
from analysis.chromium import (
    BrowserExited,
    ChromiumError,
    ChromiumPrinter,
    find_chromium,
    normalize_pdf,
)
from analysis.render import Provenance

from .test_render import executed_notebook

needs_chromium = pytest.mark.skipif(
    find_chromium() is None,
    reason="chromium is not installed (apt-get install chromium) - Chromium PDFs not checked",
)
needs_poppler = pytest.mark.skipif(
    not shutil.which("pdftotext"), reason="poppler-utils (pdftotext, pdffonts) not installed"
)

PROV = Provenance("c0ffee", "0.1.0+test", {"case_id": "fengqiao"}, "notebooks/x.ipynb")


def _report_html() -> str:
    """A report whose Chinese sits in a heading, a paragraph and a <pre> (stdout)."""
    nb = executed_notebook()
    cell = new_code_cell("print(summary)", execution_count=9)
    cell.outputs = [new_output("stream", name="stdout", text="三项机制齐备：8 个观测。\n")]
    nb.cells.append(cell)
    return render.render_html(nb, PROV)


# -- normalisation (no browser needed) ------------------------------------------------


def test_normalize_pdf_fixes_dates_and_ids_without_moving_bytes() -> None:
    tree = (
        b"%PDF-1.4\n/CreationDate (D:20261201190009+00'00')\n/ModDate (D:20261201190010+00'00')\n"
        b"7 0 obj <</ID (node00000532)>> 9 0 obj <</ID (node00000498)>>\n"
        b"<</Limits [(node00000498) (node00000532)]\n"
        b"/Names [(node00000498) 9 0 R (node00000532) 7 0 R]>>\n"
    )
    out = normalize_pdf(tree)
    assert len(out) == len(tree)  # xref offsets stay valid
    assert b"20261201" not in out and out.count(b"D:20000101000000") == 2
    # Renumbered by the object each id names (7 before 9), tree re-sorted.
    assert b"7 0 obj <</ID (node00000000)>> 9 0 obj <</ID (node00000001)>>" in out
    assert b"/Limits [(node00000000) (node00000001)]" in out
    assert b"/Names [(node00000000) 7 0 R (node00000001) 9 0 R]" in out
    assert normalize_pdf(out) == out


def test_normalize_pdf_when_old_ids_look_like_new_ones() -> None:
    # Old ids 0 and 1 name objects 9 and 8: each name must be renamed exactly once.
    tree = (
        b"8 0 obj <</ID (node00000001)>> 9 0 obj <</ID (node00000000)>>\n"
        b"<</Limits [(node00000000) (node00000001)]\n"
        b"/Names [(node00000000) 9 0 R (node00000001) 8 0 R]>>\n"
    )
    out = normalize_pdf(tree)
    assert len(out) == len(tree)
    assert b"8 0 obj <</ID (node00000000)>> 9 0 obj <</ID (node00000001)>>" in out
    assert b"/Names [(node00000000) 8 0 R (node00000001) 9 0 R]" in out
    assert b"/Limits [(node00000000) (node00000001)]" in out


def test_pdf_engine_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBENCH_PDF_ENGINE", "weasyprint")
    assert render.pdf_engine() == "weasyprint"
    assert render.pdf_engine("chromium") == "chromium"  # explicit beats the environment
    monkeypatch.setenv("WORKBENCH_CHROMIUM", "")  # "no browser here"
    monkeypatch.delenv("WORKBENCH_PDF_ENGINE")
    assert render.pdf_engine() == "weasyprint"
    with pytest.raises(ValueError, match="unknown PDF engine 'wkhtml'"):
        render.pdf_engine("wkhtml")


def test_broken_browser_falls_back_to_weasyprint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBENCH_CHROMIUM", "/bin/false")  # starts, then exits at once
    printers = Printers()
    pdf, engine = printers.render(_report_html(), "chromium")
    assert engine == "weasyprint" and pdf.startswith(b"%PDF-")
    assert printers.last_error == "the browser exited (code 1)"
    printers.close()


@pytest.mark.parametrize(
    ("script", "code"),
    [
        ("exit 1", 1),  # gone before the first request is written
        ("head -c 1 <&3 >/dev/null; exit 3", 3),  # takes part of a request, then exits
        ("exec 3<&-; sleep 0.3; exit 4", 4),  # closes its end first: the write breaks the pipe
    ],
)
def test_a_browser_that_dies_is_one_error_whatever_the_symptom(
    tmp_path: Path, script: str, code: int
) -> None:
    # A broken pipe on writing and end-of-file on reading are the same event seen
    # from two sides; which one comes first is timing, so both must read the same.
    fake = tmp_path / "fake-chromium"
    fake.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    fake.chmod(0o755)
    with pytest.raises(BrowserExited, match=rf"^the browser exited \(code {code}\)$"):
        ChromiumPrinter(executable=str(fake))


def test_no_browser_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBENCH_CHROMIUM", "")
    with pytest.raises(ChromiumError, match="no Chromium found"):
        ChromiumPrinter()


# -- printing -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    """The same report printed by three fresh browsers, the last one twice."""
    html = _report_html()
    pdfs = []
    for _ in range(3):
        with ChromiumPrinter() as printer:
            pdfs.append(render.render_pdf(html, printer=printer))
            if len(pdfs) == 3:
                pdfs.append(render.render_pdf(html, printer=printer))
    return pdfs


@needs_chromium
def test_chromium_pdf_is_byte_stable(printed: list[bytes]) -> None:
    assert printed[0].startswith(b"%PDF-")
    assert all(pdf == printed[0] for pdf in printed[1:])


@needs_chromium
def test_each_engine_is_byte_stable_but_the_two_differ(printed: list[bytes]) -> None:
    # What the README says: the same inputs give the same file from one engine;
    # Chromium and WeasyPrint lay the page out differently, so their files differ.
    html = _report_html()
    weasy = render.render_pdf(html)
    assert render.render_pdf(html) == weasy
    assert weasy != printed[0]


@needs_chromium
@needs_poppler
def test_chromium_pdf_has_embedded_fonts_text_and_bookmarks(
    printed: list[bytes], tmp_path: Path
) -> None:
    for i, pdf in enumerate(printed[:3]):
        path = tmp_path / f"r{i}.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        # The heading, and the stdout line in <pre> that once came out as empty boxes.
        assert "枫桥经验案例画像" in text and "三项机制齐备：8 个观测" in text, text
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert "NotoSansSC" in fonts and "CID TrueType" in fonts
    assert "Type 3" not in fonts  # static faces, not glyphs drawn as shapes
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+59[45]\.\d+ x 841\.\d+ pts \(A4\)", info)
    assert b"/Outlines" in printed[0]  # headings become bookmarks


@needs_chromium
def test_printer_reports_missing_pages_and_keeps_going(tmp_path: Path) -> None:
    page = tmp_path / "p.html"
    page.write_text("<!DOCTYPE html><html><body><h1>报告</h1></body></html>", encoding="utf-8")
    with ChromiumPrinter() as printer:
        with pytest.raises(FileNotFoundError, match="no such page"):
            printer.print_pdf(tmp_path / "missing.html")
        assert printer.print_pdf(page).startswith(b"%PDF-")
    assert not printer.is_alive()
