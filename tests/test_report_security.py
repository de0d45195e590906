"""Case text cannot run script, read local files or reach the network through a report.

A copy of the case base gets attack strings in its case text (names, summary,
rationales, practices, indicators, quotes, a codebook label); the briefings built
from it are shown the way a notebook shows them and rendered to HTML and to PDF
with both engines.  Every URL a reader's browser or a PDF engine could follow
points at a local HTTP server started by the test and at a local file holding a
unique marker: the server must receive no request and the marker must not appear.
"""

from __future__ import annotations

import http.server
import re
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
import yaml
from bs4 import BeautifulSoup
from nbformat.v4 import new_code_cell, new_notebook, new_output

from analysis import render
from analysis import reports as report_kinds
from analysis.chromium import ChromiumPrinter
from tests.conftest import CASEBASE
from tests.test_chromium import PROV, needs_chromium, needs_poppler


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str]

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        self.requests.append(self.path)
        body = b"WB-HTTP-BODY"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET  # noqa: N815

    def log_message(self, *args: Any) -> None:
        pass


class Trap:
    """A local HTTP server that records every request, and a local file with a marker."""

    def __init__(self, folder: Path) -> None:
        self.marker = f"WB-SECRET-{uuid.uuid4().hex}"
        self.secret = folder / "secret.txt"
        self.secret.write_text(f"{self.marker}\n", encoding="utf-8")
        handler = type("Handler", (_Recorder,), {"requests": []})
        self.requests: list[str] = handler.requests
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def attacks(self) -> list[str]:
        """Each attack of the issue, with every URL pointing into the trap."""
        file_url = self.secret.as_uri()
        return [
            "<img src=x onerror=alert(1)>",
            '<iframe src="javascript:alert(2)"></iframe>',
            "[x](javascript:alert(3))",
            f'<iframe src="{file_url}"></iframe>',
            f'<a rel="attachment" href="{file_url}">att</a>',
            f'<img src="{self.url}/img.png">',
            f"![pic]({self.url}/md.png)",
            f"<{self.url}/autolink>",
            "<script>alert(4)</script>",
        ]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def trap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Trap]:
    t = Trap(tmp_path_factory.mktemp("trap"))
    yield t
    t.close()


def _poison(folder: Path, trap: Trap) -> Path:
    """A copy of the case base whose case text carries every attack."""
    root = folder / "casebase"
    shutil.copytree(CASEBASE, root)
    payload = " ".join(trap.attacks())
    path = root / "cases" / "shaoxing.yaml"
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key in ("name_zh", "name_en", "summary_zh", "summary_en"):
        case[key] = f"{case[key]} {payload}"
    case["short_zh"] = "绍兴<img src=x onerror=alert(5)>"
    case["short_en"] = "Shaoxing[x](javascript:alert(6))"
    # Outcome evidence may not overlap mechanism evidence (codebook v4), so a quote is only
    # lengthened where its longer span stays clear of every outcome span.
    taken = [
        (ev["start"], ev["end"])
        for outcome in case.get("outcomes", [])
        for ev in outcome["evidence"]
        if ev.get("start") is not None
    ]
    for mechanism in case["mechanisms"]:
        mechanism["rationale"] = f"{mechanism['rationale']} {payload}"
        for ev in mechanism.get("evidence", []):
            quote = f"{ev['quote']}{trap.attacks()[3]}"[:120]
            start = ev.get("start")
            if start is not None and any(start < e and s < start + len(quote) for s, e in taken):
                continue
            ev["quote"] = quote
            if start is not None:  # offsets are only checked against the length
                ev["end"] = start + len(quote)
    case["practices"][0]["name_zh"] += trap.attacks()[5]
    case["indicators"][0]["label_zh"] += trap.attacks()[4]
    case["indicators"][0]["label_en"] += trap.attacks()[4]
    for outcome in case["outcomes"]:
        outcome["rationale"] = f"{outcome['rationale']} {payload}"
    path.write_text(yaml.safe_dump(case, allow_unicode=True, sort_keys=False), encoding="utf-8")
    # A codebook label too: labels of codes reach sentences, tables and figures.
    book = root / "codebook.yaml"
    text = book.read_text(encoding="utf-8")
    book.write_text(
        text.replace("label_zh: 党建引领", f"label_zh: '党建引领{trap.attacks()[2]}'", 1),
        encoding="utf-8",
    )
    return root


def _shown(report: Any, monkeypatch: pytest.MonkeyPatch) -> nbformat.NotebookNode:
    """The notebook a run of a report notebook leaves: one cell per ``show`` call."""
    import IPython.display
    from IPython.core.formatters import DisplayFormatter

    formatter = DisplayFormatter()
    outputs: list[Any] = []

    def display(obj: Any, raw: bool = False, **_: Any) -> None:
        data, metadata = (obj, {}) if raw else formatter.format(obj)  # raw: a MIME bundle
        outputs.append(new_output("display_data", data=data, metadata=metadata))

    monkeypatch.setattr(IPython.display, "display", display)
    cells = []
    for show, tags in (
        [report.show_title, []],
        [report.show_judgements, []],
        *[[lambda k=k: report.show(k), []] for k in report.sections],
        [report.show_appendix, []],
        [report.show_facts, ["remove-cell"]],
    ):
        outputs.clear()
        show()
        cell = new_code_cell("report.show(...)", execution_count=len(cells) + 1)
        cell.outputs = list(outputs)
        cell.metadata["tags"] = tags
        cells.append(cell)
    return new_notebook(cells=cells)


@pytest.fixture(scope="module")
def poisoned(tmp_path_factory: pytest.TempPathFactory, trap: Trap) -> Path:
    return _poison(tmp_path_factory.mktemp("poisoned"), trap)


@pytest.fixture(scope="module")
def notebooks(poisoned: Path) -> dict[str, nbformat.NotebookNode]:
    """Every report kind that prints case text, built from the poisoned base."""
    root = poisoned
    build = report_kinds.build
    built = {
        "case_zh": build("case", case_id="shaoxing", casebase_dir=root),
        "case_en": build("case", case_id="shaoxing", lang="en", casebase_dir=root),
        "pair": build("pair", case_a="shaoxing", case_b="dongguan", casebase_dir=root),
        "synthesis": build("synthesis", casebase_dir=root),
        "fieldguide": build("fieldguide", case_id="shaoxing", casebase_dir=root),
        "yaobao": build("yaobao", report_kind="case", case_id="shaoxing", casebase_dir=root),
    }
    with pytest.MonkeyPatch.context() as mp:
        return {name: _shown(b, mp) for name, b in built.items()}


@pytest.fixture(scope="module")
def reports(notebooks: dict[str, nbformat.NotebookNode]) -> dict[str, str]:
    """Their HTML."""
    return {name: render.render_html(nb, PROV) for name, nb in notebooks.items()}


_URL_ATTRS = (
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "poster",
    "background",
    "srcset",
    "xlink:href",
    "cite",
)


def _live_problems(html: str) -> list[str]:
    """Everything in a page that could run script or fetch a non-embedded URL."""
    soup = BeautifulSoup(html, "html.parser")
    live = ["script", "iframe", "frame", "object", "embed", "link", "base", "form"]
    problems = [f"<{t.name}>" for t in soup.find_all(live)]
    problems += ["<meta refresh>" for _ in soup.find_all("meta", {"http-equiv": "refresh"})]
    for tag in soup.find_all(True):
        for name, value in tag.attrs.items():
            value = " ".join(value) if isinstance(value, list) else value
            if name.lower().startswith("on"):
                problems.append(f"<{tag.name} {name}>")
            if name.lower() in _URL_ATTRS:
                url = "".join(value.split()).lower()
                if (
                    tag.name == "a"
                    and name == "href"
                    and not url.startswith(("javascript:", "file:", "data:", "vbscript:"))
                ):
                    continue  # a link the reader may follow; nothing is loaded
                if not url.startswith("data:"):
                    problems.append(f"<{tag.name} {name}={value[:60]}>")
            if name.lower() == "rel" and "attachment" in value.lower():
                problems.append(f"<{tag.name} rel=attachment>")
    for style in [*soup.find_all("style"), *soup.find_all(style=True)]:
        css = style.get("style", "") if style.name != "style" else style.string or ""
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", css):
            if not url.startswith("data:"):
                problems.append(f"css url({url[:60]})")
    return problems


@pytest.mark.parametrize(
    "name", ["case_zh", "case_en", "pair", "synthesis", "fieldguide", "yaobao"]
)
def test_case_text_cannot_put_script_or_urls_into_a_report(
    reports: dict[str, str], name: str, trap: Trap
) -> None:
    html = reports[name]
    assert _live_problems(html) == []
    assert trap.marker not in html
    # And a browser is told to run nothing and load nothing, should anything slip through.
    policy = BeautifulSoup(html, "html.parser").find(
        "meta", {"http-equiv": "Content-Security-Policy"}
    )
    assert policy["content"] == render.REPORT_POLICY
    # Nothing escapes into the page, and nothing is lost either: the reader sees
    # the case text as it was written, without stray escape characters.
    text = BeautifulSoup(html, "html.parser").get_text()
    assert (
        "[x](javascript:alert(3))" in text
        or "Shaoxing[x](javascript:alert(6))" in text
        or "绍兴<img src=x onerror=alert(5)>" in text
    )
    assert "\\[" not in text and "\\<" not in text and "\\_" not in text


def test_case_text_is_shown_literally(reports: dict[str, str], trap: Trap) -> None:
    soup = BeautifulSoup(reports["case_zh"], "html.parser")
    summary = next(
        p.get_text() for p in soup.find_all("p") if "绍兴市在共建共治共享" in p.get_text()
    )
    for attack in trap.attacks():
        assert attack in summary, attack
    assert (
        soup.title.get_text()
        == f"绍兴市党建引领城市社区治理 {' '.join(trap.attacks())}的做法与启示"
    )
    # A short name in a table and in a sentence.
    pair = BeautifulSoup(reports["pair"], "html.parser")
    short = "绍兴<img src=x onerror=alert(5)>"
    assert any(short in cell.get_text() for cell in pair.find_all(["th", "td"]))
    assert any(short in p.get_text() for p in pair.find_all(["p", "li"]))


def test_index_titles_and_summaries_are_the_plain_case_text(
    notebooks: dict[str, nbformat.NotebookNode], trap: Trap
) -> None:
    from analysis.reports.facts import notebook_facts

    facts = notebook_facts(notebooks["case_en"])
    payload = " ".join(trap.attacks())
    assert facts["title"] == (
        f"Shaoxing: party-building-led urban community governance {payload}: practices and lessons"
    )
    summary = facts["summary"]
    assert summary.startswith("Shaoxing[x](javascript:alert(6)): ")
    index = render.render_index(
        [render.IndexEntry("p", facts["title"], summary, "Case briefings", "p.html")]
    )
    assert _live_problems(index) == []
    assert payload in BeautifulSoup(index, "html.parser").get_text()


# -- both PDF engines refuse every URL that is not embedded data --------------------------


def _hostile_page(trap: Trap) -> str:
    """Raw HTML that reaches a PDF engine directly, past every earlier defence."""
    file_url = trap.secret.as_uri()
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="{trap.url}/sheet.css">
<style>@import url("{trap.url}/import.css"); body {{ background: url({trap.url}/bg.png); }}
@font-face {{ font-family: X; src: url({trap.url}/font.woff2); }} p {{ font-family: X; }}</style>
</head><body><h1>Report</h1><p>Body text</p>
<img src="{trap.url}/img.png"><img src="{file_url}"><img src=x onerror="alert(1)">
<iframe src="{file_url}"></iframe><iframe src="{trap.url}/frame"></iframe>
<iframe src="javascript:alert(2)"></iframe><object data="{file_url}"></object>
<embed src="{trap.url}/embed"><a rel="attachment" href="{file_url}">att</a>
<a rel="attachment" href="{trap.url}/att">att2</a>
<script>alert(3); fetch("{trap.url}/fetch");</script>
<script src="{trap.url}/script.js"></script>
</body></html>"""


def _pdf_text(pdf: bytes, folder: Path) -> str:
    path = folder / f"{uuid.uuid4().hex}.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    if shutil.which("pdfdetach"):
        text += subprocess.run(
            ["pdfdetach", "-list", str(path)], capture_output=True, text=True, check=True
        ).stdout
    return text


@needs_poppler
def test_weasyprint_fetches_nothing_and_embeds_no_local_file(trap: Trap, tmp_path: Path) -> None:
    before = len(trap.requests)
    pdf = render.render_pdf(_hostile_page(trap))
    text = _pdf_text(pdf, tmp_path)
    assert "Body text" in text
    assert trap.marker not in text and trap.marker.encode() not in pdf
    assert b"/EmbeddedFile" not in pdf
    assert trap.requests[before:] == []


@needs_chromium
@needs_poppler
def test_chromium_fetches_nothing_shows_no_local_file_and_ignores_alert(
    trap: Trap, tmp_path: Path
) -> None:
    before = len(trap.requests)
    with ChromiumPrinter() as printer:  # the default 60 s timeout a stalled alert() hit
        started = time.monotonic()
        pdf = render.render_pdf(_hostile_page(trap), printer=printer)
        elapsed = time.monotonic() - started
        # The browser is still usable for the next report.
        again = render.render_pdf("<html><body><p>Next report</p></body></html>", printer=printer)
    assert elapsed < 20, f"printing took {elapsed:.0f} s"
    text = _pdf_text(pdf, tmp_path)
    assert "Body text" in text and trap.marker not in text
    assert "Next report" in _pdf_text(again, tmp_path)
    assert trap.requests[before:] == []


@needs_chromium
@needs_poppler
def test_reports_from_poisoned_case_text_print_safely_with_both_engines(
    reports: dict[str, str], trap: Trap, tmp_path: Path
) -> None:
    before = len(trap.requests)
    html = reports["case_zh"]
    with ChromiumPrinter() as printer:
        pdfs = [render.render_pdf(html, printer=printer), render.render_pdf(html)]
    for pdf in pdfs:
        text = _pdf_text(pdf, tmp_path)
        assert trap.marker not in text and "javascript:alert(3)" in text
    assert trap.requests[before:] == []


@needs_chromium
@needs_poppler
def test_chromium_dismisses_dialogs_even_with_scripts_and_policy_off(tmp_path: Path) -> None:
    # The last line of defence alone: were scripts to run, alert() and friends are
    # dismissed at once and the page goes on; nothing waits for the request timeout.
    with ChromiumPrinter() as printer:
        session = printer._session
        printer.call("Emulation.setScriptExecutionDisabled", {"value": False}, session=session)
        printer.call("Page.setBypassCSP", {"enabled": True}, session=session)
        started = time.monotonic()
        pdf = printer.print_html(
            "<html><body><p>Before</p><script>alert(1); confirm(2); prompt(3);"
            " document.write('<p>After the dialogs</p>')</script></body></html>"
        )
        elapsed = time.monotonic() - started
    assert elapsed < 20, f"printing took {elapsed:.0f} s"
    assert "After the dialogs" in _pdf_text(pdf, tmp_path)
