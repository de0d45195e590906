"""The one place that renders reports: executed notebook -> HTML and PDF.

Everything a reader sees goes through :func:`render_html`; the PDF is the same
HTML laid out by headless Chromium or WeasyPrint (:func:`render_pdf`).  Rendering is deterministic:
identical notebook and provenance give byte-identical HTML, because

- :func:`normalize_notebook` strips execution timestamps and durations,
  papermill's run-specific paths, memory addresses in reprs, and gives the
  cells papermill creates stable ids;
- the template contains no dates, random ids or CDN scripts;
- the embedded font subset is built with a fixed ``head.modified``.

Reports are safe to open and to print whatever the case base contains: case
text is Markdown-escaped where it is written into a report
(:mod:`analysis.md_text`), every piece of Markdown and HTML output is cleaned
against an allow-list (:func:`sanitize_html`: no script, event handlers,
frames, or URLs other than web links and embedded ``data:`` images), the page
declares a Content-Security-Policy that lets a browser load nothing but embedded
data, and both PDF engines refuse every URL that is not ``data:``.

All files are written with :func:`atomic_write`, so a killed process never
leaves a half-written report behind.

Examples
--------
>>> import nbformat
>>> from analysis.render import Provenance, render_html
>>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 标题")])
>>> html = render_html(nb, Provenance(casebase_hash="abc", code_version="0.1.0"))
>>> "标题" in html and "@font-face" in html
True
"""

from __future__ import annotations

import copy
import functools
import html as html_lib
import json
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.md_text import plain_text

__all__ = [
    "Provenance",
    "atomic_write",
    "normalize_notebook",
    "notebook_title",
    "notebook_summary",
    "render_html",
    "render_pdf",
    "sanitize_html",
    "REPORT_POLICY",
    "pdf_engine",
    "PDF_ENGINES",
    "IndexEntry",
    "render_index",
]

_FONT_SLOT = "/*@@WORKBENCH-FONT-FACE@@*/"
_FONT_START, _FONT_END = "/* wb-font */\n", "/* /wb-font */"
_FONT_BLOCK_RE = re.compile(re.escape(_FONT_START) + r".*?" + re.escape(_FONT_END), re.S)


def _embed_font(
    page: str, flavor: str | None = "auto", weights: tuple[int, ...] | None = None
) -> str:
    """Fill the font slot with a subset covering every character of ``page``."""
    from analysis import fonts

    css = fonts.font_face_css(page, flavor=flavor, weights=weights)
    return page.replace(_FONT_SLOT, f"{_FONT_START}{css}{_FONT_END}", 1)


# Run-specific papermill metadata that would break byte-identical output.
_VOLATILE_NB_PAPERMILL = (
    "start_time",
    "end_time",
    "duration",
    "input_path",
    "output_path",
    "exception",
)
_ADDRESS_RE = re.compile(r"\bat 0x[0-9a-fA-F]{4,}>")
# ipykernel names cell "files" /tmp/ipykernel_<pid>/<hash>.py; warnings quote them.
_KERNEL_PID_RE = re.compile(r"(ipykernel_)\d+(/)")


@dataclass(frozen=True)
class Provenance:
    """What a report was made from; printed in every report's footer.

    Parameters
    ----------
    casebase_hash : str
        Content hash of ``casebase/``.
    code_version : str
        Version of the analysis code (package version plus code hash).
    parameters : Mapping[str, Any]
        The notebook parameters of this run.
    notebook : str
        The source notebook, relative to the project.

    Examples
    --------
    >>> Provenance("c0ffee", "0.1.0+abc", {"case_id": "x"}).parameters["case_id"]
    'x'
    """

    casebase_hash: str
    code_version: str
    parameters: Mapping[str, Any] = field(default_factory=dict)
    notebook: str = ""


def atomic_write(path: str | os.PathLike[str], data: bytes | str, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` so readers see the old file or the new one, never half.

    The data goes to a temporary file in the same directory (same filesystem,
    so the rename is atomic), is fsynced, then ``os.replace``-d over ``path``.
    A crash leaves at most a ``.<name>.*.tmp`` file, which the batch removes.

    Parameters
    ----------
    path : path-like
        Destination; its directory is created if missing.
    data : bytes or str
        Content; ``str`` is encoded as UTF-8.
    mode : int, optional
        Permission bits of the new file (default 0o644: reports are meant to be shared).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "r.html"
    >>> atomic_write(p, "<p>好</p>")
    >>> p.read_text(encoding="utf-8")
    '<p>好</p>'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)  # mkstemp makes 0600
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    # fsync the directory so the rename itself survives a power cut.
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def normalize_notebook(nb: Any) -> Any:
    """Return a copy of an executed notebook without run-to-run noise.

    Removes per-cell ``execution`` and ``papermill`` timing metadata, the
    notebook-level papermill timestamps and paths, gives papermill's injected
    and error-marker cells fixed ids (papermill makes random ones), and replaces
    memory addresses in plain-text reprs (``<... at 0x7f...>``) by ``0x0``.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An executed notebook; it is not modified.

    Returns
    -------
    nbformat.NotebookNode

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")])
    >>> nb.cells[0].metadata["execution"] = {"iopub.status.busy": "2024-01-01T00:00:00Z"}
    >>> "execution" in normalize_notebook(nb).cells[0].metadata
    False
    """
    nb = copy.deepcopy(nb)
    pm = nb.metadata.get("papermill")
    if isinstance(pm, dict):
        for key in _VOLATILE_NB_PAPERMILL:
            pm.pop(key, None)
    seen: set[str] = set()
    for index, cell in enumerate(nb.cells):
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)
        tags = cell.metadata.get("tags", [])
        if "injected-parameters" in tags:
            cell["id"] = "injected-parameters"
        elif "papermill-error-cell-tag" in tags:
            cell["id"] = f"papermill-error-{index}"
        elif "id" in cell and cell["id"] in seen:
            cell["id"] = f"cell-{index}"
        if "id" in cell:
            seen.add(cell["id"])
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and isinstance(output.get("text"), str):
                output["text"] = _KERNEL_PID_RE.sub(r"\g<1>0\2", output["text"])
            data = output.get("data")
            if data and isinstance(data.get("text/plain"), str):
                data["text/plain"] = _ADDRESS_RE.sub("at 0x0>", data["text/plain"])
    return nb


def _cell_text(cell: Any) -> list[tuple[str, bool]]:
    """Text a cell shows, as (text, is Markdown) pieces: a Markdown cell's source, or a
    code cell's printed and Markdown output."""
    if cell.cell_type == "markdown":
        return [(cell.source, True)]
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream" and out.get("name") == "stdout":
            parts.append((out.text, False))
        elif out.output_type in ("display_data", "execute_result"):
            data = out.get("data", {})
            if "text/markdown" in data:
                parts.append((data["text/markdown"], True))
            elif "text/plain" in data and out.output_type == "display_data":
                parts.append((data["text/plain"], False))
    return parts


def _tagged_text(nb: Any, tag: str) -> str | None:
    """Plain text of the first cell tagged ``tag`` that shows any (Markdown read as text)."""
    for cell in nb.cells:
        if tag in cell.metadata.get("tags", []):
            text = "".join(plain_text(t) if md else t for t, md in _cell_text(cell)).strip()
            if text:
                return text
    return None


def notebook_title(nb: Any) -> str | None:
    """Return the report title an executed notebook declares, if any.

    Looked up in order: notebook metadata ``workbench.title``, the text of a
    cell tagged ``title``, the first level-1 Markdown heading (in a Markdown
    cell or in Markdown output, so titles computed from parameters work).

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 案例画像")])
    >>> notebook_title(nb)
    '案例画像'

    Markdown is read as the text it shows (``\\[`` is ``[``):

    >>> notebook_title(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
    ...     r"# 画像：\\[x\\]\\(y\\) `A*B`")]))
    '画像：[x](y) A*B'
    """
    meta = nb.metadata.get("workbench", {})
    if isinstance(meta, dict) and meta.get("title"):
        return str(meta["title"])
    tagged = _tagged_text(nb, "title")
    if tagged:
        return tagged.lstrip("#").strip().splitlines()[0]
    for cell in nb.cells:
        for text, markdown in _cell_text(cell):
            for line in text.splitlines():
                if line.startswith("# "):
                    return plain_text(line[2:]).strip() if markdown else line[2:].strip()
    return None


def notebook_summary(nb: Any) -> str | None:
    """Return the one-line summary an executed notebook declares, if any.

    Notebook metadata ``workbench.summary`` wins, then the text of the first
    cell tagged ``summary`` (Markdown source, or a code cell's printed or
    Markdown output), reduced to one line.

    Examples
    --------
    >>> import nbformat
    >>> cell = nbformat.v4.new_markdown_cell("三个案例，两种路径。\\nmore")
    >>> cell.metadata["tags"] = ["summary"]
    >>> notebook_summary(nbformat.v4.new_notebook(cells=[cell]))
    '三个案例，两种路径。'
    """
    meta = nb.metadata.get("workbench", {})
    text = meta.get("summary") if isinstance(meta, dict) else None
    text = str(text) if text else _tagged_text(nb, "summary")
    if not text:
        return None
    lines = [ln.strip().lstrip("#").strip() for ln in text.splitlines()]
    return next((ln for ln in lines if ln), None)


_CSS = """
:root { --fg: #1f2328; --muted: #59636e; --rule: #d0d7de; --accent: #9b1c1c; }
html { font-family: %(stack)s; color: var(--fg); background: #fff; }
body { margin: 0 auto; max-width: 62rem; padding: 1.5rem 2rem 3rem; line-height: 1.65;
       font-size: 15px; }
h1, h2, h3, h4 { line-height: 1.3; margin: 1.4em 0 .5em; }
h1 { font-size: 1.75rem; border-bottom: 3px solid var(--accent); padding-bottom: .3em; }
h2 { font-size: 1.35rem; border-bottom: 1px solid var(--rule); padding-bottom: .2em; }
img { max-width: 100%%; height: auto; }
pre { white-space: pre-wrap; word-wrap: break-word; font-size: 13px; margin: .3em 0;
      font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace, %(stack)s; }
table { border-collapse: collapse; margin: .6em 0; font-size: 13px; }
th, td { border: 1px solid var(--rule); padding: .25em .6em; text-align: left;
         vertical-align: top; }
th { background: #f6f8fa; }
.nw { white-space: nowrap; }  /* short cells (mark_short_cells): 2-character words stay whole */
thead th { border-bottom: 2px solid var(--muted); }
.jp-OutputArea-output { overflow-x: auto; }
.jp-InputPrompt, .jp-OutputPrompt, .jp-Collapser { display: none; }
footer.provenance { margin-top: 3rem; border-top: 1px solid var(--rule); padding-top: .8rem;
                    color: var(--muted); font-size: 12px; }
footer.provenance dl { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem;
                       margin: .4rem 0 0; }
footer.provenance dt { font-weight: 600; }
footer.provenance dd { margin: 0; word-break: break-all; }
footer.provenance code { font-family: "DejaVu Sans Mono", monospace, %(stack)s; }
@page { size: A4; margin: 18mm 16mm 20mm;
        @bottom-center { content: counter(page) " / " counter(pages); font-size: 9pt;
                         color: #59636e; } }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  h1, h2, h3 { break-after: avoid; }
  img, pre { break-inside: avoid; }
  /* A figure is at most about half the text block high, so a figure that does not fit
     at the bottom of a page never leaves more than half of it empty; a tall figure
     (mark_tall_images) may fill a page. */
  img { max-height: 115mm; width: auto; }
  img.tall { max-height: 235mm; }
  /* A figure's caption is the output just before it: keep the two on one page. */
  .jp-OutputArea-child:has(+ .jp-OutputArea-child .jp-RenderedImage) { break-after: avoid; }
  /* Fixed layout: WeasyPrint's automatic table layout measures every cell's
     min/max content width, a third of a long report's PDF time. */
  table { table-layout: fixed; width: 100%%; }
  tr { break-inside: avoid; }
  .jp-OutputArea-output { overflow: visible; }
  footer.provenance dl { display: block; }
  /* Embedded face first on paper: with a system monospace font ahead of it,
     about one headless Chromium in four (whichever way it came up) printed the
     Chinese in <pre> as empty boxes on machines without a CJK system font. */
  pre, footer.provenance code { font-family: "Noto Sans SC", monospace; }
  footer.provenance dt { float: left; clear: left; margin-right: .8em; }
}
"""

# Extends nbconvert's lab cell markup but replaces its <head>: no require.js,
# MathJax or mermaid from a CDN (reports must open offline), a compact
# stylesheet WeasyPrint can lay out quickly, and the provenance footer.
_TEMPLATE = """{%- extends 'base.html.j2' -%}
{%- block header -%}
<!DOCTYPE html>
<html lang="{{ resources.workbench.lang }}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{ resources.workbench.policy }}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta name="generator" content="governance-workbench analysis.render">
<title>{{ resources.workbench.title | e }}</title>
<style>
{{ resources.workbench.font_slot }}
{{ resources.workbench.css }}
</style>
</head>
{%- endblock header -%}
{%- block body_header -%}
<body class="jp-Notebook">
<main>
{%- endblock body_header -%}
{%- block body_footer -%}
</main>
{{ resources.workbench.footer }}
</body>
{%- endblock body_footer -%}
{%- block footer -%}
</html>
{% endblock footer -%}
"""


#: The Content-Security-Policy every report and the index declare: a browser
#: runs no script and loads nothing that is not embedded (figures and the font
#: are ``data:`` URLs; the stylesheet is inline).  Following a link still works.
REPORT_POLICY = (
    "default-src 'none'; img-src data:; font-src data:; style-src 'unsafe-inline'; "
    "base-uri 'none'; form-action 'none'"
)

#: Elements Markdown and HTML outputs may use in a report: text, lists, tables,
#: images.  Anything else (script, style, iframe, object, form, ...) is shown as
#: text, not obeyed.
_REPORT_TAGS = frozenset(
    "a abbr b blockquote br caption cite code col colgroup dd del details dfn div dl dt em "
    "figcaption figure h1 h2 h3 h4 h5 h6 hr i img ins kbd li mark ol p pre q s samp small span "
    "strong sub summary sup table tbody td tfoot th thead tr u ul var".split()
)
_COMMON_ATTRS = frozenset({"class", "id", "title", "lang", "dir"})
_TAG_ATTRS = {
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start", "type"},
    "col": {"span"},
    "colgroup": {"span"},
    "img": {"alt", "width", "height"},
}
_LINK_RE = re.compile(r"(https?://|mailto:|#)", re.I)
_EMBEDDED_IMAGE_RE = re.compile(r"data:image/(png|jpeg|gif|webp|svg\+xml);base64,", re.I)


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    """Whether one attribute may stay: no event handlers or styles, and only web links
    (``href``) and embedded images (``src``) as URLs."""
    if name in _COMMON_ATTRS or name in _TAG_ATTRS.get(tag, ()):
        return True
    url = "".join(value.split())  # browsers ignore whitespace inside a scheme
    if tag == "a" and name == "href":
        return bool(_LINK_RE.match(url))
    if tag == "img" and name == "src":
        return bool(_EMBEDDED_IMAGE_RE.match(url))
    return False


@functools.lru_cache(maxsize=1)
def _cleaner() -> Any:
    import bleach

    return bleach.Cleaner(
        tags=_REPORT_TAGS,
        attributes=_allowed_attribute,
        protocols={"http", "https", "mailto", "data"},
        strip=False,
        strip_comments=True,
    )


#: A table cell whose text is at most this wide (ems: a Chinese character 1, Latin 1/2)
#: never wraps: '存在', '年份', '2017', '0.67', '隶属度' stay whole in a narrow column.
SHORT_CELL_EMS = 8.0
_CELL_RE = re.compile(r"<(td|th)(\s[^>]*)?>([^<]*)</\1>")


def mark_short_cells(fragment: str) -> str:
    """Give table cells with short text the class ``nw`` (``white-space: nowrap``).

    A browser lays a table out by content and may give a column of two-character
    words ('存在', '年份') the width of one character, breaking every word in two;
    a short cell never wraps, so its column is at least as wide as its words.

    Examples
    --------
    >>> mark_short_cells("<tr><th>状态</th><td>存在</td><td>" + "很长的编码理由" * 3 + "</td></tr>")
    '<tr><th class="nw">状态</th><td class="nw">存在</td><td>很长的编码理由很长的编码理由很长的编码理由</td></tr>'
    >>> mark_short_cells('<td class="x" colspan="2">2017</td>')
    '<td class="nw x" colspan="2">2017</td>'
    """
    from analysis.word import display_width

    def mark(m: re.Match[str]) -> str:
        tag, attrs, text = m.group(1), m.group(2) or "", m.group(3)
        if not text.strip() or display_width(html_lib.unescape(text).strip()) > SHORT_CELL_EMS:
            return m.group(0)
        if 'class="' in attrs:
            attrs = attrs.replace('class="', 'class="nw ', 1)
        else:
            attrs += ' class="nw"'
        return f"<{tag}{attrs}>{text}</{tag}>"

    return _CELL_RE.sub(mark, fragment)


_PNG_RE = re.compile(r'<img(?=[^>]*\ssrc="data:image/png;base64,([A-Za-z0-9+/]{32}))')


def mark_tall_images(html: str) -> str:
    r"""Give embedded PNG figures taller than wide the class ``tall``.

    On paper a figure is at most about half a page high (so the page before it is
    never left half empty); a tall one (a bar per code) may take a whole page.

    Examples
    --------
    >>> import base64, struct
    >>> png = b"\x89PNG\r\n\x1a\n" + struct.pack(">I4sII", 13, b"IHDR", 100, 300) + b"\0" * 8
    >>> mark_tall_images(f'<img src="data:image/png;base64,{base64.b64encode(png).decode()}">')[:23]
    '<img class="tall" src="'
    """
    import base64
    import struct

    def mark(m: re.Match[str]) -> str:
        head = base64.b64decode(m.group(1))
        width, height = struct.unpack(">II", head[16:24])
        return '<img class="tall"' if height > 1.15 * width else m.group(0)

    return _PNG_RE.sub(mark, html)


def sanitize_html(fragment: str) -> str:
    """Clean an HTML fragment against the report allow-list.

    Used for every Markdown and HTML output of a report.  Tags outside the
    allow-list are escaped, so they show as text; event handlers, ``style``
    attributes and every URL but a web link or an embedded image are dropped.

    Examples
    --------
    >>> sanitize_html('<p onclick="x()">a<script>alert(1)</script></p>')
    '<p>a&lt;script&gt;alert(1)&lt;/script&gt;</p>'
    >>> sanitize_html('<a href="javascript:alert(1)">x</a> <a href="https://a.cn">y</a>')
    '<a>x</a> <a href="https://a.cn">y</a>'
    >>> sanitize_html('<img src="file:///etc/passwd"><img src="data:image/png;base64,AA==">')
    '<img><img src="data:image/png;base64,AA==">'
    """
    if isinstance(fragment, bytes):
        fragment = fragment.decode("utf-8")
    return mark_short_cells(_cleaner().clean(str(fragment)))


@functools.lru_cache(maxsize=1)
def _exporter() -> Any:
    """Build the HTML exporter once per process; constructing it costs ~0.2 s."""
    import jinja2
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    # Authors hide scaffolding with the usual Jupyter Book / nbconvert tags.
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = {"remove-cell", "remove_cell"}
    config.TagRemovePreprocessor.remove_all_outputs_tags = {"remove-output", "remove_output"}
    exporter = HTMLExporter(
        config=config,
        template_name="lab",
        template_file="workbench_report.html.j2",
        extra_loaders=[
            jinja2.DictLoader(
                {
                    "workbench_report.html.j2": _TEMPLATE,
                    # No cell-id anchors: a report has no use for them, and ids created
                    # outside our reader (papermill, jupytext) are random.
                    "cell_id_anchor.j2": "{%- macro cell_id_anchor(cell) -%}{%- endmacro %}",
                }
            )
        ],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,  # "¶" permalinks are for notebooks, not briefings
        embed_images=True,
        # Markdown and HTML outputs go through ``clean_html``, which is ours;
        # JavaScript outputs are dropped.
        sanitize_html=True,
        filters={"clean_html": sanitize_html},
    )
    return exporter


_LABELS = {
    "zh": ("可复现信息", "案例库哈希", "代码版本", "笔记本", "参数"),
    "en": ("Provenance", "Case-base hash", "Code version", "Notebook", "Parameters"),
}


def _footer(prov: Provenance, lang: str = "zh") -> str:
    """The provenance footer, in the report's language (no English inside Chinese reports)."""
    heading, cb, code, notebook, params = _LABELS["zh" if lang.startswith("zh") else "en"]
    rows = [(cb, prov.casebase_hash), (code, prov.code_version)]
    if prov.notebook:
        rows.append((notebook, prov.notebook))
    rows.append(
        (params, json.dumps(dict(prov.parameters), ensure_ascii=False, sort_keys=True, default=str))
    )
    items = "\n".join(
        f"<dt>{html_lib.escape(k)}</dt><dd><code>{html_lib.escape(str(v))}</code></dd>"
        for k, v in rows
    )
    return (
        f'<footer class="provenance">\n<strong>{html_lib.escape(heading)}</strong>\n'
        f"<dl>\n{items}\n</dl>\n</footer>"
    )


def render_html(
    nb: Any,
    provenance: Provenance,
    *,
    title: str | None = None,
    lang: str = "zh",
) -> str:
    """Render an executed notebook as one self-contained HTML report.

    Code is hidden (``exclude_input``), prompts are dropped, figures are
    embedded as data URIs, stderr output (warnings) is hidden from readers but
    kept in the executed notebook, and a subset of Noto Sans SC covering
    exactly the page's characters is embedded.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The executed notebook (normalised here; the argument is not modified).
    provenance : Provenance
        Shown in the footer.
    title : str, optional
        ``<title>``; defaults to :func:`notebook_title` or "报告 / Report".
    lang : str
        Report language; ``"zh"`` gives ``lang="zh-Hans"``.

    Returns
    -------
    str
        The HTML document.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("## 小结")])
    >>> html = render_html(nb, Provenance("h", "v"))
    >>> html == render_html(nb, Provenance("h", "v"))
    True
    """
    from analysis import fonts

    nb = normalize_notebook(nb)
    for cell in nb.cells:
        if "outputs" in cell:
            # Warnings are for the authors (kept in the executed notebook), not readers.
            cell.outputs = [
                o
                for o in cell.outputs
                if not (o.output_type == "stream" and o.get("name") == "stderr")
            ]
    title = title or notebook_title(nb) or "报告 / Report"
    resources = {
        "metadata": {"name": title},
        "workbench": {
            "lang": "zh-Hans" if lang.startswith("zh") else lang,
            "title": title,
            "css": _CSS % {"stack": fonts.css_font_stack()},
            "font_slot": _FONT_SLOT,
            "footer": _footer(provenance, lang),
            "policy": REPORT_POLICY,
        },
    }
    body, _ = _exporter().from_notebook_node(nb, resources=resources)
    body = mark_tall_images(body)
    # Subset against the finished page so every character shown is covered.
    return _embed_font(body)


_PDF_WEIGHTS = (400, 600, 700)  # body text; <dt>, index titles; headings, <th>

#: PDF engines :func:`render_pdf` can use; ``"auto"`` picks the first available.
PDF_ENGINES = ("auto", "chromium", "weasyprint")


def pdf_engine(choice: str = "auto") -> str:
    """Resolve a PDF engine choice to the engine that will be used.

    ``"auto"`` means headless Chromium when a browser is installed (a report
    takes ~0.3 s, mostly inside the browser), else WeasyPrint (pure Python,
    always installed, ~1 s of CPU per report).  ``$WORKBENCH_PDF_ENGINE``
    overrides ``"auto"``.

    Examples
    --------
    >>> pdf_engine("weasyprint")
    'weasyprint'
    >>> pdf_engine("auto") in {"chromium", "weasyprint"}
    True
    """
    if choice == "auto":
        choice = os.environ.get("WORKBENCH_PDF_ENGINE", "auto") or "auto"
    if choice not in PDF_ENGINES:
        raise ValueError(f"unknown PDF engine {choice!r} (choose from {', '.join(PDF_ENGINES)})")
    if choice != "auto":
        return choice
    from analysis.chromium import find_chromium

    return "chromium" if find_chromium() else "weasyprint"


_CHROMIUM_PRINT_CSS = "@media print { table { table-layout: auto; } }\n"


def _print_html(html: str) -> str:
    """The report's HTML with static TrueType faces in place of the variable WOFF2.

    Both engines then embed ordinary CID TrueType fonts: WeasyPrint would
    otherwise spend ~0.2 s decoding WOFF2 and ~0.1 s per weight instantiating
    the variable font, and Chromium would draw every glyph as a Type 3 shape.
    """
    match = _FONT_BLOCK_RE.search(html)
    if not match:
        return html
    page = html[: match.start()] + _FONT_SLOT + html[match.end() :]
    return _embed_font(page, flavor=None, weights=_PDF_WEIGHTS)


def render_pdf(html: str, *, printer: Any = None) -> bytes:
    """Lay out a report's HTML as PDF, with Chromium if ``printer`` is given, else WeasyPrint.

    Neither engine loads anything the page does not embed: every URL other
    than ``data:`` (a web address, a local file, a relative path) is refused.

    Parameters
    ----------
    html : str
        Output of :func:`render_html` (self-contained).
    printer : analysis.chromium.ChromiumPrinter, optional
        A running browser; see :func:`pdf_engine` for choosing.

    Returns
    -------
    bytes
        The PDF document; the same HTML gives the same bytes.

    Examples
    --------
    >>> pdf = render_pdf("<html><body><h1>报告</h1></body></html>")
    >>> pdf[:5]
    b'%PDF-'
    """
    html = _print_html(html)
    if printer is not None:
        # The fixed table layout is there for WeasyPrint's speed; it gives every
        # column the same width, so the long rationale columns run to a handful
        # of rows a page.  Chromium lays tables out by content at no real cost.
        html = html.replace("</style>", _CHROMIUM_PRINT_CSS + "</style>", 1)
        return printer.print_html(html)
    return _weasyprint_pdf(html)


def _embedded_only() -> Any:
    """A WeasyPrint URL fetcher that fetches ``data:`` URLs and refuses everything else
    (web addresses, local files, attachments, redirects)."""
    import weasyprint

    return weasyprint.URLFetcher(allowed_protocols={"data"}, allow_redirects=False)


def _weasyprint_pdf(html: str) -> bytes:
    import logging

    import weasyprint

    # WeasyPrint warns about every CSS property it does not lay out (grid, etc.);
    # those are expected for screen-only rules and would drown real problems.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    document = weasyprint.HTML(string=html, url_fetcher=_embedded_only())
    # WeasyPrint instantiates variable fonts with fontTools, which stamps each
    # embedded font with the current time unless SOURCE_DATE_EPOCH is set
    # (the reproducible-builds convention); pin it so the PDF is byte-stable.
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = "0"
    try:
        return document.write_pdf()
    finally:
        if saved is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved


@dataclass(frozen=True)
class IndexEntry:
    """One line of the report index.

    Parameters
    ----------
    output : str
        Report name.
    title, summary : str
        Shown on the line.
    section : str
        Heading the line is grouped under.
    html, pdf, notebook : str, optional
        Links relative to the index; ``html`` is None when the report failed.
    error : str, optional
        Why the report is missing.
    stale : str, optional
        Why the report shown is out of date (its rebuild failed); the previous
        report stays linked.
    docx : str, optional
        Link to the Word/WPS document.

    Examples
    --------
    >>> IndexEntry("a", "案例 A", "一句话", "案例画像 / Case profiles", "a.html").html
    'a.html'
    """

    output: str
    title: str
    summary: str
    section: str
    html: str | None = None
    pdf: str | None = None
    notebook: str | None = None
    error: str | None = None
    stale: str | None = None
    docx: str | None = None


_INDEX_CSS = """
ul.reports { list-style: none; padding: 0; margin: 0; }
ul.reports li { padding: .45rem 0; border-bottom: 1px solid var(--rule); }
ul.reports .title { font-weight: 600; }
ul.reports .summary { color: var(--fg); }
ul.reports .links { color: var(--muted); font-size: 12px; margin-left: .5em; }
ul.reports li.failed .title { color: var(--accent); }
ul.reports .stale { color: var(--accent); }
p.lede { color: var(--muted); }
"""


def render_index(
    entries: list[IndexEntry], heading: str = "决策咨询报告索引 / Briefing reports"
) -> str:
    """Render the bilingual index page linking every report, one line each.

    Entries keep their order; consecutive entries with the same ``section``
    share a heading.  Like the reports, the page embeds its own font subset
    and contains nothing time-dependent.

    Parameters
    ----------
    entries : list of IndexEntry
    heading : str
        Page heading.

    Returns
    -------
    str
        The HTML document.

    Examples
    --------
    >>> html = render_index([IndexEntry("a", "甲县画像", "三个机制", "案例画像", "a.html")])
    >>> '<a href="a.html">' in html
    True
    """
    from analysis import fonts

    esc = html_lib.escape
    ok = sum(1 for e in entries if e.html)
    failed = len(entries) - ok
    stale = sum(1 for e in entries if e.html and e.stale)
    lede = f"共 {len(entries)} 份报告 / {len(entries)} reports"
    if stale:
        lede += f"；{stale} 份已过期 / {stale} out of date"
    if failed:
        lede += f"；{failed} 份失败 / {failed} failed"
    parts = [f"<h1>{esc(heading)}</h1>", f'<p class="lede">{esc(lede)}</p>']
    section = None
    for entry in entries:
        if entry.section != section:
            if section is not None:
                parts.append("</ul>")
            section = entry.section
            parts.append(f"<h2>{esc(section)}</h2>")
            parts.append('<ul class="reports">')
        links = []
        if entry.pdf:
            links.append(f'<a href="{esc(entry.pdf)}">PDF</a>')
        if entry.docx:
            links.append(f'<a href="{esc(entry.docx)}">Word</a>')
        if entry.notebook:
            links.append(f'<a href="{esc(entry.notebook)}">笔记本 / notebook</a>')
        link_html = f' <span class="links">{" · ".join(links)}</span>' if links else ""
        if entry.html:
            title = f'<a href="{esc(entry.html)}"><span class="title">{esc(entry.title)}</span></a>'
            summary = (
                f' — <span class="summary">{esc(entry.summary)}</span>' if entry.summary else ""
            )
            cls = ""
            if entry.stale:
                cls = ' class="stale"'
                summary += (
                    ' <span class="stale">— 已过期（重建失败）/ stale, out of date '
                    f"(rebuild failed)：{esc(entry.stale)}</span>"
                )
            parts.append(f'<li id="{esc(entry.output)}"{cls}>{title}{summary}{link_html}</li>')
        else:
            why = f"：{esc(entry.error)}" if entry.error else ""
            parts.append(
                f'<li id="{esc(entry.output)}" class="failed"><span class="title">'
                f"{esc(entry.title)}</span> — 生成失败 / failed{why}{link_html}</li>"
            )
    if section is not None:
        parts.append("</ul>")
    body = "\n".join(parts)
    css = _CSS % {"stack": fonts.css_font_stack()} + _INDEX_CSS
    page = (
        '<!DOCTYPE html>\n<html lang="zh-Hans">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{REPORT_POLICY}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
        f"<title>{esc(heading)}</title>\n<style>\n{_FONT_SLOT}\n{css}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )
    return _embed_font(page)
