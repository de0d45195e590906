"""Word/WPS output: a rendered report's HTML as a DOCX laid out like an official document.

Scholars edit and submit briefings in Word or WPS.  :func:`render_docx` turns
the HTML that :func:`analysis.render.render_html` makes (the same page the PDF
engines print, so there is one source of truth) into a DOCX with python-docx,
following the layout conventions of Chinese official documents
(GB/T 9704-2012, 党政机关公文格式):

- A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (text block
  156 mm x 225 mm), 22 lines a page;
- the report title (the first ``<h1>``) in 2号 (22 pt) 小标宋, centred; body
  text in 3号 (16 pt) 仿宋; heading levels (``<h2>`` ... ``<h5>``, Word's
  Heading 1-4, so the navigation pane works) in 黑体, 楷体, 仿宋, 仿宋, all 3号;
- East Asian font names set on ``w:eastAsia`` with fallbacks in the font
  table (方正小标宋简体 -> 宋体, 仿宋_GB2312 -> 仿宋, 楷体_GB2312 -> 楷体);
- page numbers "— 1 —" in 4号 宋体, centred in the footer;
- tables as Word tables (header rows repeated on every page, column widths
  from the content so short words never wrap), figures embedded as PNG
  (SVG is rasterised with resvg).

The 要报 variant (``variant="yaobao"``) keeps the layout but chooses the
largest body size at which the content fits one A4 page.

The bytes are deterministic: the same HTML gives the same DOCX (fixed
document properties and zip entry times).

Examples
--------
>>> from analysis.word import render_docx
>>> data = render_docx("<main><h1>标题</h1><h2>一、基本情况</h2><p>正文。</p></main>")
>>> data[:2], data == render_docx("<main><h1>标题</h1><h2>一、基本情况</h2><p>正文。</p></main>")
(b'PK', True)
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import io
import math
import re
import unicodedata
import urllib.parse
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

__all__ = [
    "LAYOUT",
    "VARIANTS",
    "Span",
    "Paragraph",
    "Picture",
    "Cell",
    "Table",
    "Block",
    "html_blocks",
    "display_width",
    "column_widths",
    "yaobao_body_size",
    "variant_for",
    "render_docx",
]

#: Layouts :func:`render_docx` knows: a full briefing and the one-page 要报.
VARIANTS = ("briefing", "yaobao")


@dataclass(frozen=True)
class Layout:
    """Page and type sizes of GB/T 9704-2012 (lengths in points).

    Examples
    --------
    >>> round(LAYOUT.text_width / 72 * 25.4), round(LAYOUT.text_height / 72 * 25.4)
    (156, 225)
    >>> LAYOUT.text_height // LAYOUT.line_pitch
    22.0
    """

    page_width: float = 210 / 25.4 * 72
    page_height: float = 297 / 25.4 * 72
    top: float = 37 / 25.4 * 72
    bottom: float = 35 / 25.4 * 72
    left: float = 28 / 25.4 * 72
    right: float = 26 / 25.4 * 72
    footer_distance: float = 22 / 25.4 * 72  # "— 1 —" about 7 mm below the text block
    title_size: float = 22.0  # 2号
    body_size: float = 16.0  # 3号
    page_number_size: float = 14.0  # 4号
    table_sizes: tuple[float, ...] = (12.0, 10.5, 9.0)  # 小四, 五号, 小五
    line_pitch: float = 28.9  # 22 lines in the 225 mm text block
    title_pitch: float = 35.0
    cell_padding: float = 2 * 5.4 + 1  # Table Grid's cell margins plus a border

    @property
    def text_width(self) -> float:
        return self.page_width - self.left - self.right

    @property
    def text_height(self) -> float:
        return self.page_height - self.top - self.bottom


LAYOUT = Layout()

# (East Asian font, its fallback in the font table); Latin text uses Times New Roman.
_TITLE_FONT = ("方正小标宋简体", "宋体")
_BODY_FONT = ("仿宋_GB2312", "仿宋")
_HEI_FONT = ("黑体", "SimHei")
_KAI_FONT = ("楷体_GB2312", "楷体")
_SONG_FONT = ("宋体", "SimSun")
_LATIN = "Times New Roman"
_MONO = "Courier New"
_HEADING_FONTS = {1: _HEI_FONT, 2: _KAI_FONT, 3: _BODY_FONT, 4: _BODY_FONT}
# The document's fixed timestamp (GB/T 9704 says nothing; reproducible builds do).
_EPOCH = _dt.datetime(2000, 1, 1, tzinfo=_dt.timezone.utc)


# -- the block model ---------------------------------------------------------------


@dataclass(frozen=True)
class Picture:
    """An image as PNG bytes with its size in CSS pixels (96 per inch)."""

    png: bytes
    width_px: int
    height_px: int
    alt: str = ""


@dataclass(frozen=True)
class Span:
    """A piece of inline text with its formatting; ``picture`` for an inline image."""

    text: str = ""
    bold: bool = False
    italic: bool = False
    code: bool = False
    sup: bool = False
    sub: bool = False
    keep: bool = False  # white space kept as it is (a line break, preformatted text)
    picture: Picture | None = None


@dataclass(frozen=True)
class Paragraph:
    """A paragraph: ``style`` is one of title, heading, body, bullet, number, quote,
    code, caption, picture, provenance; ``level`` is the heading level (1-4)."""

    style: str
    spans: tuple[Span, ...]
    level: int = 0
    prefix: str = ""

    @property
    def text(self) -> str:
        return self.prefix + "".join(s.text for s in self.spans)


@dataclass(frozen=True)
class Cell:
    """A table cell: its blocks, whether it is a header cell, and its spans."""

    blocks: tuple[Block, ...]
    header: bool = False
    rowspan: int = 1
    colspan: int = 1

    @property
    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks if isinstance(b, Paragraph))


@dataclass(frozen=True)
class Table:
    """A table: rows of cells (as in HTML, before spans are laid out)."""

    rows: tuple[tuple[Cell, ...], ...]
    header_rows: int = 0
    caption: tuple[Span, ...] = ()


Block = Paragraph | Table


# -- HTML -> blocks -----------------------------------------------------------------

_HEADING_TAGS = {"h1": 0, "h2": 1, "h3": 2, "h4": 3, "h5": 4, "h6": 4}
_SKIP_TAGS = {
    "script",
    "style",
    "head",
    "title",
    "meta",
    "link",
    "template",
    "noscript",
    "button",
    "input",
    "select",
    "textarea",
    "iframe",
    "object",
    "embed",
}
_INLINE_TAGS = {
    "span",
    "a",
    "strong",
    "b",
    "em",
    "i",
    "code",
    "kbd",
    "samp",
    "tt",
    "var",
    "sup",
    "sub",
    "br",
    "img",
    "svg",
    "small",
    "big",
    "u",
    "mark",
    "abbr",
    "cite",
    "q",
    "s",
    "del",
    "ins",
    "time",
    "label",
    "font",
    "bdi",
    "bdo",
    "wbr",
    "dfn",
}


def _is_cjk(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F") or "\u3000" <= ch <= "\u303f"


def _clean_spaces(spans: list[Span]) -> list[Span]:
    """Collapse HTML white space across spans, trim the ends, and drop spaces
    between two Chinese characters (a line break in the Markdown source)."""
    # Collapse first, over the whole paragraph, keeping the span boundaries.
    out: list[Span] = []
    prev_space = True  # trims leading space
    for span in spans:
        if span.picture is not None:
            out.append(span)
            prev_space = False
            continue
        if span.keep:
            out.append(span)
            prev_space = span.text.endswith((" ", "\n"))
            continue
        chars = []
        for ch in span.text:
            if ch in " \t\r\n\f\v":
                if not prev_space:
                    chars.append(" ")
                prev_space = True
            else:
                chars.append(ch)
                prev_space = False
        out.append(replace(span, text="".join(chars)))
    # Trailing space, and spaces between two CJK characters (across spans too).
    text = "".join(s.text if s.picture is None else "\x00" for s in out)
    drop = {
        i
        for i, ch in enumerate(text)
        if ch == " "
        and (
            i == len(text) - 1
            or (0 < i < len(text) - 1 and _is_cjk(text[i - 1]) and _is_cjk(text[i + 1]))
        )
    }
    result, pos = [], 0
    for span in out:
        n = 1 if span.picture is not None else len(span.text)
        if span.picture is None:
            kept = "".join(ch for k, ch in enumerate(span.text) if pos + k not in drop)
            span = replace(span, text=kept)
        pos += n
        if span.picture is not None or span.text:
            result.append(span)
    return _merge_spans(result)


def _merge_spans(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for span in spans:
        if (
            merged
            and span.picture is None
            and merged[-1].picture is None
            and replace(merged[-1], text="") == replace(span, text="")
        ):
            merged[-1] = replace(merged[-1], text=merged[-1].text + span.text)
        else:
            merged.append(span)
    return merged


def _data_uri(src: str) -> tuple[str, bytes] | None:
    """``(mime type, bytes)`` of a ``data:`` URI; other URLs are never fetched."""
    if not src.startswith("data:") or "," not in src:
        return None
    head, payload = src[5:].split(",", 1)
    mime = head.split(";")[0].strip().lower()
    try:
        data = (
            base64.b64decode(payload)
            if ";base64" in head.lower()
            else urllib.parse.unquote_to_bytes(payload)
        )
    except (binascii.Error, ValueError):
        return None
    return mime, data


def _svg_png(svg: str | bytes) -> bytes | None:
    """Rasterise SVG at twice its CSS size (Word and WPS do not all show SVG)."""
    import resvg_py

    if isinstance(svg, bytes):
        svg = svg.decode("utf-8", "replace")
    try:
        return bytes(resvg_py.svg_to_bytes(svg_string=svg, zoom=2.0, background="#ffffff"))
    except (ValueError, RuntimeError):
        return None


def _picture(mime: str, data: bytes, alt: str) -> Picture | None:
    from docx.image.exceptions import UnrecognizedImageError
    from docx.image.image import Image

    scale = 1.0
    if mime == "image/svg+xml":
        data = _svg_png(data) or b""
        scale = 0.5  # rendered at zoom 2
    try:
        image = Image.from_blob(data)
    except (UnrecognizedImageError, ValueError, IndexError, KeyError):
        return None
    if image.content_type not in ("image/png", "image/jpeg", "image/gif"):
        return None
    return Picture(
        data, max(1, round(image.px_width * scale)), max(1, round(image.px_height * scale)), alt
    )


class _Reader:
    """Walks an lxml HTML tree into blocks."""

    def __init__(self) -> None:
        self.title_seen = False

    # inline ------------------------------------------------------------------
    def inline(self, el: Any, fmt: Span) -> Iterator[Span]:
        if el.text:
            yield replace(fmt, text=el.text)
        for child in el:
            tag = child.tag if isinstance(child.tag, str) else ""
            tag = tag.rsplit("}", 1)[-1].lower()
            if tag and tag not in _SKIP_TAGS:
                yield from self.inline_element(child, tag, fmt)
            if child.tail:
                yield replace(fmt, text=child.tail)

    def inline_element(self, el: Any, tag: str, fmt: Span) -> Iterator[Span]:
        if tag == "br":
            yield replace(fmt, text="\n", keep=True)
        elif tag == "img":
            picture = self.image(el)
            if picture is not None:
                yield Span(picture=picture)
            elif el.get("alt"):
                yield replace(fmt, text=f"[{el.get('alt')}]")
        elif tag == "svg":
            picture = self.svg(el)
            if picture is not None:
                yield Span(picture=picture)
        else:
            if tag in ("strong", "b"):
                fmt = replace(fmt, bold=True)
            elif tag in ("em", "i", "cite", "dfn", "var"):
                fmt = replace(fmt, italic=True)
            elif tag in ("code", "kbd", "samp", "tt"):
                fmt = replace(fmt, code=True)
            elif tag == "sup":
                fmt = replace(fmt, sup=True)
            elif tag == "sub":
                fmt = replace(fmt, sub=True)
            yield from self.inline(el, fmt)

    def image(self, el: Any) -> Picture | None:
        decoded = _data_uri((el.get("src") or "").strip())
        if decoded is None:
            return None
        alt = el.get("alt") or ""
        if alt.startswith("No description has been provided"):
            alt = ""
        return _picture(decoded[0], decoded[1], alt)

    def svg(self, el: Any) -> Picture | None:
        import lxml.etree as etree

        markup = etree.tostring(el, encoding="unicode", method="xml")
        if "xmlns=" not in markup.split(">", 1)[0]:
            markup = markup.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)
        return _picture("image/svg+xml", markup.encode("utf-8"), "")

    # blocks ------------------------------------------------------------------
    def blocks(self, el: Any) -> list[Block]:
        """Blocks of a container element (its text and inline children become
        paragraphs of their own)."""
        out: list[Block] = []
        pending: list[Span] = []

        def flush() -> None:
            if pending:
                out.extend(self.paragraph("body", pending))
                pending.clear()

        if el.text:
            pending.append(Span(el.text))
        for child in el:
            tag = child.tag if isinstance(child.tag, str) else ""
            tag = tag.rsplit("}", 1)[-1].lower()
            if not tag or tag in _SKIP_TAGS:
                pass
            elif tag in _INLINE_TAGS:
                pending.extend(self.inline_element(child, tag, Span()))
            else:
                flush()
                out.extend(self.block(child, tag))
            if child.tail:
                pending.append(Span(child.tail))
        flush()
        return out

    def paragraph(
        self, style: str, spans: Iterable[Span], level: int = 0, prefix: str = ""
    ) -> list[Block]:
        spans = _clean_spaces(list(spans))
        if not spans:
            return []
        if style == "body" and all(s.picture is not None for s in spans):
            return [Paragraph("picture", (s,)) for s in spans]
        return [Paragraph(style, tuple(spans), level, prefix)]

    def block(self, el: Any, tag: str) -> list[Block]:
        if tag in _HEADING_TAGS:
            level = _HEADING_TAGS[tag]
            if level == 0 and not self.title_seen:
                self.title_seen = True
                return self.paragraph("title", self.inline(el, Span()))
            return self.paragraph("heading", self.inline(el, Span()), max(level, 1))
        if tag == "p":
            return self.paragraph("body", self.inline(el, Span()))
        if tag in ("ul", "ol"):
            return self.list_items(el, ordered=tag == "ol")
        if tag == "pre":
            return self.pre(el)
        if tag == "blockquote":
            return [
                replace(b, style="quote") if isinstance(b, Paragraph) and b.style == "body" else b
                for b in self.blocks(el)
            ]
        if tag == "table":
            return [self.table(el)]
        if tag == "dl":
            return self.definitions(el)
        if tag == "hr":
            return []
        if tag == "footer" and "provenance" in (el.get("class") or ""):
            return [
                replace(b, style="provenance") if isinstance(b, Paragraph) else b
                for b in self.definitions(el)
            ]
        if tag in ("figcaption", "caption", "summary"):
            return self.paragraph("caption", self.inline(el, Span()))
        return self.blocks(el)

    def pre(self, el: Any) -> list[Block]:
        text = "".join(s.text for s in self.inline(el, Span())).strip("\n")
        return [Paragraph("code", (Span(text, keep=True),))] if text.strip() else []

    def list_items(self, el: Any, ordered: bool) -> list[Block]:
        out: list[Block] = []
        number = int(el.get("start") or 1) if ordered and (el.get("start") or "1").isdigit() else 1
        for child in el:
            if not isinstance(child.tag, str) or child.tag.lower() != "li":
                continue
            inner = self.blocks(child)
            # List marks are text: WPS, Word and LibreOffice show them alike, and
            # each list starts at its own number without numbering definitions.
            style, prefix = ("number", f"{number}. ") if ordered else ("bullet", "• ")
            first = True
            for block in inner:
                if first and isinstance(block, Paragraph) and block.style == "body":
                    block = replace(block, style=style, prefix=prefix)
                    first = False
                out.append(block)
            number += 1
        return out

    def definitions(self, el: Any) -> list[Block]:
        out: list[Block] = []
        term: list[Span] = []
        for child in el.iter():
            if child is el or not isinstance(child.tag, str):
                continue
            tag = child.tag.lower()
            if tag == "dt":
                term = _clean_spaces(list(self.inline(child, Span())))
            elif tag == "dd":
                label = [replace(s, bold=True) for s in term]
                if label:
                    label.append(Span("：", bold=True))
                out.extend(self.paragraph("body", [*label, *self.inline(child, Span())]))
                term = []
            elif tag in ("strong", "b") and child.getparent() is el:
                out.extend(self.paragraph("body", [Span(child.text_content(), bold=True)]))
        return out

    def table(self, el: Any) -> Table:
        rows: list[tuple[Cell, ...]] = []
        header_rows = 0
        caption: tuple[Span, ...] = ()
        for part in el:
            if not isinstance(part.tag, str):
                continue
            tag = part.tag.lower()
            if tag == "caption":
                caption = tuple(_clean_spaces(list(self.inline(part, Span()))))
                continue
            trs = (
                [part]
                if tag == "tr"
                else [r for r in part if isinstance(r.tag, str) and r.tag.lower() == "tr"]
            )
            for tr in trs:
                cells = []
                for td in tr:
                    if not isinstance(td.tag, str) or td.tag.lower() not in ("td", "th"):
                        continue
                    cells.append(
                        Cell(
                            tuple(self.blocks(td)),
                            td.tag.lower() == "th",
                            _span_attr(td.get("rowspan")),
                            _span_attr(td.get("colspan")),
                        )
                    )
                if (
                    tag == "thead"
                    or (not rows or header_rows == len(rows))
                    and cells
                    and tag != "tbody"
                    and all(c.header for c in cells)
                ):
                    if header_rows == len(rows):
                        header_rows += 1
                rows.append(tuple(cells))
        return Table(tuple(rows), header_rows, caption)


def _span_attr(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 1000))
    except ValueError:
        return 1


def html_blocks(html: str) -> list[Block]:
    """Read a report's HTML into paragraphs and tables.

    The report body is the ``<main>`` element (the whole ``<body>`` if there is
    none) followed by the provenance footer.  The first ``<h1>`` is the title;
    ``<h2>``-``<h5>`` are heading levels 1-4.  Images are taken only from
    ``data:`` URIs: nothing is fetched.

    Parameters
    ----------
    html : str
        A rendered report (:func:`analysis.render.render_html`) or a fragment.

    Returns
    -------
    list of Paragraph and Table

    Examples
    --------
    >>> [(b.style, b.level, b.text) for b in html_blocks(
    ...     "<h1>东港模式</h1><h2>一、基本情况</h2><p>东港街道\\n的做法。 Done</p>")]
    [('title', 0, '东港模式'), ('heading', 1, '一、基本情况'), ('body', 0, '东港街道的做法。 Done')]
    """
    import lxml.html

    root = lxml.html.document_fromstring(html or "<p></p>")
    main = root.find(".//main")
    reader = _Reader()
    body = root.find("body")
    blocks = reader.blocks(main if main is not None else body if body is not None else root)
    if main is not None:
        for footer in root.iter("footer"):
            if footer.getparent() is not None and footer not in main.iterdescendants():
                blocks.extend(reader.block(footer, "footer"))
    return blocks


# -- measuring ----------------------------------------------------------------------


def display_width(text: str) -> float:
    """Width of ``text`` in ems: Chinese characters and full-width punctuation 1, others 1/2.

    Examples
    --------
    >>> display_width("隶属度 0.67")
    5.5
    """
    return sum(
        1.0 if unicodedata.east_asian_width(ch) in ("W", "F", "A") else 0.5
        for ch in text
        if ch not in "\n\r"
    )


_TOKEN_RE = re.compile(r"[!-~\u00c0-\u024f]+")


def _cell_measure(cell: Cell) -> tuple[float, float]:
    """(natural width, longest unbreakable Latin word) of a cell, in ems."""
    lines = [ln for b in cell.blocks if isinstance(b, Paragraph) for ln in b.text.split("\n")] or [
        ""
    ]
    natural = max(display_width(ln) for ln in lines)
    token = max((display_width(t) for ln in lines for t in _TOKEN_RE.findall(ln)), default=0.0)
    return natural, min(token, 12.0)


def _grid(table: Table) -> tuple[int, list[list[tuple[int, Cell]]]]:
    """Lay the cells out on a grid honouring rowspan/colspan.

    Returns the column count and, per row, the cells that start in it with
    their grid column (a slot covered by a span from above starts no cell).

    Examples
    --------
    >>> a, b = Cell((), rowspan=2), Cell(())
    >>> n_cols, placed = _grid(Table(((a, b), (b,))))
    >>> n_cols, [[c for c, _ in row] for row in placed]
    (2, [[0, 1], [1]])
    """
    occupied: set[tuple[int, int]] = set()
    placed: list[list[tuple[int, Cell]]] = []
    n_rows = len(table.rows)
    n_cols = 0
    for r, row in enumerate(table.rows):
        c = 0
        here = []
        for cell in row:
            while (r, c) in occupied:
                c += 1
            rowspan = min(cell.rowspan, n_rows - r)
            occupied.update((r + dr, c + dc) for dr in range(rowspan) for dc in range(cell.colspan))
            here.append((c, cell if rowspan == cell.rowspan else replace(cell, rowspan=rowspan)))
            c += cell.colspan
            n_cols = max(n_cols, c)
        placed.append(here)
    return n_cols, placed


_SHORT_EMS = 6.5  # a column whose content is at most this wide is never wrapped
_SLACK_EMS = 0.5
#: Narrowest a column gets (ems, besides its padding): two Chinese characters and slack.
MIN_COLUMN_EMS = 2.0 + _SLACK_EMS


def column_widths(
    natural: Sequence[float], minimum: Sequence[float], available: float
) -> list[float]:
    """Share ``available`` width (ems) among columns, as a browser's auto layout does.

    Every column gets at least its minimum; the rest goes to columns in
    proportion to how much they would still like (natural minus minimum).
    When everything fits, columns are widened in proportion to their content
    to fill the width; when even the minima do not fit, they are scaled down,
    but never below two Chinese characters (:data:`MIN_COLUMN_EMS`, or the
    content if narrower), so a two-character word ('存在', '年份') never wraps.

    Examples
    --------
    >>> column_widths([3, 40], [3, 6], 30)
    [3.0, 27.0]
    >>> column_widths([2, 4], [2, 4], 12)
    [4.0, 8.0]
    >>> [round(w, 2) for w in column_widths([2.5] * 4 + [30], [2.5] * 4 + [12], 15)]
    [2.5, 2.5, 2.5, 2.5, 5.0]
    """
    natural = [max(n, m, 0.5) for n, m in zip(natural, minimum, strict=True)]
    minimum = [max(m, 0.5) for m in minimum]
    if sum(natural) <= available:
        scale = available / sum(natural)
        return [n * scale for n in natural]
    if sum(minimum) >= available:
        floor = [min(m, MIN_COLUMN_EMS) for m in minimum]
        if sum(floor) >= available:
            return floor
        scale = (available - sum(floor)) / (sum(minimum) - sum(floor))
        return [f + (m - f) * scale for f, m in zip(floor, minimum, strict=True)]
    want = [n - m for n, m in zip(natural, minimum, strict=True)]
    spare = available - sum(minimum)
    return [m + spare * w / sum(want) for m, w in zip(minimum, want, strict=True)]


def _table_layout(table: Table, layout: Layout, width: float) -> tuple[float, list[float]]:
    """(font size, column widths in points) for a table in ``width`` points."""
    n_cols, placed = _grid(table)
    natural = [0.0] * n_cols
    minimum = [0.0] * n_cols
    for row in placed:
        for c, cell in row:
            if cell.colspan != 1:
                continue
            nat, token = _cell_measure(cell)
            # Half an em of slack: Latin glyphs can be wider than half an em,
            # and Word rounds widths to twips.
            nat += _SLACK_EMS
            natural[c] = max(natural[c], nat)
            # A short cell (a header, a status, a number) is never wrapped.
            minimum[c] = max(minimum[c], nat if nat <= _SHORT_EMS else max(_SHORT_EMS, token))
    size = layout.table_sizes[-1]
    for candidate in layout.table_sizes:
        if sum(minimum) * candidate + n_cols * layout.cell_padding <= width:
            size = candidate
            break
    inner = max(width - n_cols * layout.cell_padding, n_cols * size)
    ems = column_widths(natural, minimum, inner / size)
    return size, [e * size + layout.cell_padding for e in ems]


def _picture_size(
    picture: Picture, layout: Layout, max_height: float | None = None
) -> tuple[float, float]:
    """Width and height in points: natural size (96 px an inch), shrunk to fit."""
    width = picture.width_px * 0.75
    height = picture.height_px * 0.75
    scale = min(1.0, layout.text_width / width, (max_height or layout.text_height * 0.92) / height)
    return width * scale, height * scale


def _lines(text: str, size: float, width: float, indent_ems: float = 0.0) -> int:
    per_line = max(1.0, math.floor(width / size))
    return sum(
        max(1, math.ceil((display_width(part) + indent_ems) / per_line))
        for part in text.split("\n")
    )


def _row_heights(table: Table, layout: Layout, size: float, widths: Sequence[float]) -> list[float]:
    """Estimated height in points of each row of a laid-out table."""
    _, placed = _grid(table)
    heights = []
    for row in placed:
        tallest = 1
        for c, cell in row:
            w = sum(widths[c : c + cell.colspan]) - layout.cell_padding
            lines = sum(_lines(b.text, size, w) for b in cell.blocks if isinstance(b, Paragraph))
            tallest = max(tallest, lines)
        heights.append(tallest * size * 1.3 + 2)
    return heights


def _block_height(block: Block, layout: Layout, size: float, pitch: float) -> float:
    """Estimated height in points of a block at body size ``size``."""
    if isinstance(block, Table):
        t_size, widths = _table_layout(block, layout, layout.text_width)
        caption = pitch if block.caption else 0.0
        return caption + sum(_row_heights(block, layout, t_size, widths))
    if block.style == "picture" and block.spans[0].picture is not None:
        return _picture_size(block.spans[0].picture, layout)[1] + 6
    if block.style == "title":
        return _lines(block.text, layout.title_size, layout.text_width) * layout.title_pitch + pitch
    if block.style == "provenance":
        return 0.0  # the 要报 leaves provenance to the full briefing
    indent = 2.0 if block.style in ("body", "number", "bullet") else 0.0
    if block.style == "code":
        return _lines(block.text, size * 0.65, layout.text_width) * size * 0.65 * 1.3
    return _lines(block.text, size, layout.text_width, indent) * pitch


def yaobao_body_size(blocks: Sequence[Block], layout: Layout = LAYOUT) -> float:
    """The largest body size (3号 down to 五号) at which ``blocks`` fit one A4 page.

    The estimate counts lines as Word lays out justified Chinese text (a line
    holds ``floor(text width / size)`` characters, Latin ones count half);
    one line of the page is kept in reserve.  Content too long even for 五号
    gets 五号 (it then runs over).

    Examples
    --------
    >>> yaobao_body_size([Paragraph("body", (Span("短。"),))])
    16.0
    >>> yaobao_body_size([Paragraph("body", (Span("长" * 900),))])
    12.0
    """
    sizes = (16.0, 15.0, 14.0, 13.0, 12.0, 11.0, 10.5)
    for size in sizes:
        pitch = layout.line_pitch * size / layout.body_size
        used = sum(_block_height(b, layout, size, pitch) for b in blocks)
        if used <= layout.text_height - pitch:
            return size
    return sizes[-1]


def variant_for(output: str) -> str:
    """The layout variant of a report by its name: ``NAME_yaobao`` is a 要报.

    Examples
    --------
    >>> variant_for("profile_dongguan_yaobao"), variant_for("profile_dongguan")
    ('yaobao', 'briefing')
    """
    return "yaobao" if output.endswith("_yaobao") else "briefing"


# -- blocks -> DOCX -------------------------------------------------------------------

_THEME_ATTRS = ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme")


def _set_fonts(font: Any, east_asian: str, latin: str = _LATIN) -> None:
    """Name the fonts of a python-docx ``Font`` for Latin and East Asian text.

    Theme font attributes are removed: Word lets them win over named fonts.
    The ``eastAsia`` hint makes WPS/Word draw ambiguous characters (“”、—)
    with the Chinese font.
    """
    from docx.oxml.ns import qn

    font.name = latin
    rfonts = font.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in _THEME_ATTRS:
        rfonts.attrib.pop(qn(f"w:{attr}"), None)
    rfonts.set(qn("w:eastAsia"), east_asian)
    rfonts.set(qn("w:cs"), latin)
    rfonts.set(qn("w:hint"), "eastAsia")


def _style_font(
    style: Any, fonts: tuple[str, str], size: float, *, bold: bool = False, latin: str = _LATIN
) -> None:
    from docx.shared import Pt, RGBColor

    _set_fonts(style.font, fonts[0], latin)
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)


def _paragraph_format(
    style: Any,
    *,
    pitch: float | None,
    indent: float = 0.0,
    align: Any = None,
    before: float = 0.0,
    after: float = 0.0,
    keep_next: bool = False,
) -> None:
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    pf = style.paragraph_format
    if pitch is None:
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        pf.line_spacing = Pt(pitch)
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.first_line_indent = Pt(indent)
    pf.left_indent = Pt(0)
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    pf.keep_with_next = keep_next
    if align is not None:
        pf.alignment = align


@dataclass(frozen=True)
class _Sizes:
    body: float
    pitch: float
    title: float
    title_pitch: float


def _setup_styles(doc: Any, sizes: _Sizes, lang: str) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn

    styles = doc.styles
    # Document defaults: named fonts instead of theme fonts, Chinese language.
    rpr_default = (
        styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    )
    rfonts = rpr_default.find(qn("w:rFonts"))
    for attr in _THEME_ATTRS:
        rfonts.attrib.pop(qn(f"w:{attr}"), None)
    for attr, value in (
        ("ascii", _LATIN),
        ("hAnsi", _LATIN),
        ("eastAsia", _BODY_FONT[0]),
        ("cs", _LATIN),
        ("hint", "eastAsia"),
    ):
        rfonts.set(qn(f"w:{attr}"), value)
    lang_el = rpr_default.find(qn("w:lang"))
    lang_el.set(qn("w:val"), "zh-CN" if lang.startswith("zh") else "en-US")
    lang_el.set(qn("w:eastAsia"), "zh-CN")

    justify, centre = WD_ALIGN_PARAGRAPH.JUSTIFY, WD_ALIGN_PARAGRAPH.CENTER
    body, pitch = sizes.body, sizes.pitch
    normal = styles["Normal"]
    _style_font(normal, _BODY_FONT, body)
    _paragraph_format(normal, pitch=pitch, indent=2 * body, align=justify)
    normal.paragraph_format.widow_control = False

    title = styles["Title"]
    _style_font(title, _TITLE_FONT, sizes.title)
    _paragraph_format(title, pitch=sizes.title_pitch, align=centre, after=pitch)
    ppr = title.element.pPr
    for border in ppr.findall(qn("w:pBdr")):
        ppr.remove(border)
    title.font.element.rPr.find(qn("w:spacing")).set(qn("w:val"), "0")
    kern = title.font.element.rPr.find(qn("w:kern"))
    if kern is not None:
        title.font.element.rPr.remove(kern)

    for level in range(1, 5):
        style = styles[f"Heading {level}"]
        _style_font(style, _HEADING_FONTS[level], body)
        _paragraph_format(style, pitch=pitch, indent=2 * body, align=justify, keep_next=True)

    def custom(name: str, base: str = "Normal") -> Any:
        try:
            return styles[name]
        except KeyError:
            style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = styles[base]
            return style

    quote = styles["Quote"]
    _style_font(quote, _KAI_FONT, body)
    _paragraph_format(quote, pitch=pitch, indent=2 * body, align=justify)

    caption = styles["Caption"]
    _style_font(caption, _HEI_FONT, min(14.0, body))
    _paragraph_format(caption, pitch=None, align=centre, before=pitch / 3, after=3, keep_next=True)

    code = custom("代码")
    _style_font(code, _BODY_FONT, round(body * 0.65 * 2) / 2, latin=_MONO)
    _paragraph_format(code, pitch=None, after=3)

    picture = custom("图片")
    _paragraph_format(picture, pitch=None, align=centre, before=3, after=3)

    left = WD_ALIGN_PARAGRAPH.LEFT  # justified text in narrow cells spreads out
    for name, fonts_, align in (("表格文字", _BODY_FONT, left), ("表头", _HEI_FONT, centre)):
        style = custom(name)
        _style_font(style, fonts_, 12.0)
        _paragraph_format(style, pitch=None, align=align)

    provenance = custom("来源说明")
    _style_font(provenance, _BODY_FONT, 10.5)
    _paragraph_format(provenance, pitch=None, after=2, align=left)

    footer = styles["Footer"]
    _style_font(footer, _SONG_FONT, LAYOUT.page_number_size, latin=_SONG_FONT[0])
    _paragraph_format(footer, pitch=None, align=centre)


def _font_fallbacks(doc: Any) -> None:
    """Name a fallback for each Chinese font in the font table (``w:altName``).

    Word and WPS substitute the alternative (and GB2312 charset, family) when
    a machine lacks 方正小标宋简体 or the ``_GB2312`` fonts.
    """
    import lxml.etree as etree
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml.ns import qn

    part = doc.part.part_related_by(RT.FONT_TABLE)
    root = etree.fromstring(part.blob)
    for name, alt in (_TITLE_FONT, _BODY_FONT, _KAI_FONT, _HEI_FONT, _SONG_FONT):
        for old in root.findall(qn("w:font")):
            if old.get(qn("w:name")) == name:
                root.remove(old)
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        etree.SubElement(font, qn("w:altName")).set(qn("w:val"), alt)
        etree.SubElement(font, qn("w:charset")).set(qn("w:val"), "86")  # GB2312
        etree.SubElement(font, qn("w:family")).set(
            qn("w:val"), "modern" if name in (_HEI_FONT[0],) else "roman"
        )
        etree.SubElement(font, qn("w:pitch")).set(qn("w:val"), "variable")
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_setup(doc: Any, layout: Layout) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    section = doc.sections[0]
    section.page_width, section.page_height = Pt(layout.page_width), Pt(layout.page_height)
    section.top_margin, section.bottom_margin = Pt(layout.top), Pt(layout.bottom)
    section.left_margin, section.right_margin = Pt(layout.left), Pt(layout.right)
    section.footer_distance = Pt(layout.footer_distance)
    section.header_distance = Pt(layout.top / 2)
    paragraph = section.footer.paragraphs[0]
    paragraph.style = doc.styles["Footer"]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("— ")
    # A PAGE field: python-docx has no API for fields, so the three field characters.
    for kind, text in (
        ("begin", None),
        ("instr", " PAGE "),
        ("separate", None),
        ("result", "1"),
        ("end", None),
    ):
        run = paragraph.add_run()
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        elif kind == "result":
            run.text = text
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
    paragraph.add_run(" —")


_STYLE_NAMES = {
    "body": "Normal",
    "number": "Normal",
    "bullet": "Normal",
    "quote": "Quote",
    "code": "代码",
    "caption": "Caption",
    "picture": "图片",
    "title": "Title",
    "provenance": "来源说明",
}
# Paragraph kinds that take the cell's style inside a table.
_PLAIN_IN_CELL = {"body", "number", "bullet", "quote", "caption", "title", "heading"}
_NUMERIC_RE = re.compile(r"[-+−]?\d[\d,.]*%?|[-—–]|")


class _Writer:
    """Adds blocks to a python-docx document (styles looked up once, by id)."""

    def __init__(self, doc: Any, layout: Layout) -> None:
        self.doc = doc
        self.layout = layout
        self._ids: dict[str, str] = {}

    def style(self, paragraph: Any, name: str) -> None:
        # python-docx's ``paragraph.style = name`` scans every style twice per
        # call (about 10 ms); a report has hundreds of paragraphs.
        if name not in self._ids:
            self._ids[name] = self.doc.styles[name].style_id
        paragraph._p.style = None if name == "Normal" else self._ids[name]

    def spans(self, paragraph: Any, spans: Sequence[Span], size: float | None = None) -> None:
        from docx.shared import Pt

        for span in spans:
            if span.picture is not None:
                width, height = _picture_size(span.picture, self.layout)
                run = paragraph.add_run()
                run.add_picture(io.BytesIO(span.picture.png), width=Pt(width), height=Pt(height))
                continue
            parts = span.text.split("\n")
            run = paragraph.add_run(parts[0])
            for part in parts[1:]:
                run.add_break()
                run.add_text(part)
            if span.bold:
                run.bold = True
            if span.italic:
                run.italic = True
            if span.sup:
                run.font.superscript = True
            if span.sub:
                run.font.subscript = True
            if span.code:
                run.font.name = _MONO
            if size is not None:
                run.font.size = Pt(size)

    def paragraph(
        self,
        container: Any,
        block: Paragraph,
        *,
        fresh: Any = None,
        cell_style: str | None = None,
        size: float | None = None,
    ) -> Any:
        if cell_style and block.style in _PLAIN_IN_CELL:
            style = cell_style
        elif block.style == "heading":
            style = f"Heading {min(block.level, 4)}"
        else:
            style = _STYLE_NAMES.get(block.style, "Normal")
        paragraph = fresh if fresh is not None else container.add_paragraph()
        self.style(paragraph, style)
        # GB/T 9704: an appendix (附件/附：...) starts on a new page.
        if block.style == "heading" and block.level == 1 and block.text.startswith("附"):
            paragraph.paragraph_format.page_break_before = True
        if block.prefix:
            self.spans(paragraph, [Span(block.prefix)], size)
        self.spans(paragraph, block.spans, size)
        return paragraph

    def block(self, block: Block) -> None:
        if isinstance(block, Table):
            self.table(block)
        else:
            self.paragraph(self.doc, block)

    def table(self, block: Table) -> None:
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Pt
        from docx.table import _Cell

        n_cols, placed = _grid(block)
        if not placed or n_cols == 0:
            return
        if block.caption:
            self.paragraph(self.doc, Paragraph("caption", block.caption))
        size, widths = _table_layout(block, self.layout, self.layout.text_width)
        table = self.doc.add_table(rows=len(placed), cols=n_cols)
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        for c, column in enumerate(table.columns):
            column.width = Pt(widths[c])
        # The cells as laid out before any merge (table.cell() re-reads the grid each call).
        grid = [[_Cell(tc, table) for tc in tr.tc_lst] for tr in table._tbl.tr_lst]
        for r in range(block.header_rows):
            # Repeat the header rows on every page (python-docx has no API for it).
            table.rows[r]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
        for r, row in enumerate(placed):
            header = r < block.header_rows
            style = "表头" if header else "表格文字"
            for c, cell in row:
                target = grid[r][c]
                if cell.rowspan > 1 or cell.colspan > 1:
                    target = target.merge(grid[r + cell.rowspan - 1][c + cell.colspan - 1])
                self.cell(target, cell, style, None if size == 12.0 else size, header)
                if header:
                    shading = OxmlElement("w:shd")
                    for attr, value in (("val", "clear"), ("color", "auto"), ("fill", "F2F2F2")):
                        shading.set(qn(f"w:{attr}"), value)
                    target._tc.get_or_add_tcPr().append(shading)
        for tr in table._tbl.tr_lst:
            col = 0
            for tc in tr.tc_lst:
                tc.width = Pt(sum(widths[col : col + tc.grid_span]))
                col += tc.grid_span
        table_width = table._tbl.tblPr.find(qn("w:tblW"))
        table_width.set(qn("w:type"), "dxa")
        table_width.set(qn("w:w"), str(round(sum(widths) * 20)))
        # Keep each row on one page (as the PDF does), unless it is too tall for that.
        for r, height in enumerate(_row_heights(block, self.layout, size, widths)):
            if height < self.layout.text_height / 3:
                table.rows[r]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        # A paragraph after the table, so two tables never merge and text can follow.
        self.style(self.doc.add_paragraph(), "图片")

    def cell(self, target: Any, cell: Cell, style: str, size: float | None, header: bool) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        first = target.paragraphs[0]
        self.style(first, style)
        for index, inner in enumerate(cell.blocks):
            if isinstance(inner, Table):  # a nested table is flattened to text
                inner = Paragraph(
                    "body", (Span(" / ".join(c.text for r in inner.rows for c in r)),)
                )
            paragraph = self.paragraph(
                target, inner, fresh=first if index == 0 else None, cell_style=style, size=size
            )
            if not header and _NUMERIC_RE.fullmatch(inner.text.strip()):
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed entry times and attributes (byte-identical output)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            fixed.create_system = 3
            dst.writestr(fixed, src.read(info.filename), compresslevel=6)
    return out.getvalue()


def _drop_template_extras(doc: Any) -> None:
    """Remove the template's thumbnail (an English page) and Word 2010 style copy."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    package_rels = doc.part.package.rels
    for rid, rel in list(package_rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package_rels.pop(rid)
    for rid, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            doc.part.rels.pop(rid)


def render_docx(
    html: str, *, variant: str = "briefing", title: str | None = None, lang: str = "zh"
) -> bytes:
    """Turn a report's HTML into a Word/WPS document laid out per GB/T 9704.

    Parameters
    ----------
    html : str
        The report as :func:`analysis.render.render_html` renders it.
    variant : {"briefing", "yaobao"}
        ``"yaobao"``: the one-page 要报; the body size steps down from 3号
        until the content fits one A4 page (see :func:`yaobao_body_size`) and
        the provenance footer is left to the full briefing.
    title : str, optional
        Document title property; default: the report's first heading.
    lang : str
        Report language (``"zh"`` or ``"en"``): Word's proofing language.

    Returns
    -------
    bytes
        The DOCX; the same arguments give the same bytes.

    Examples
    --------
    >>> import io, docx
    >>> doc = docx.Document(io.BytesIO(render_docx(
    ...     "<h1>报告</h1><h2>一、做法</h2><table><tr><th>项目</th></tr><tr><td>网格</td></tr>"
    ...     "</table>")))
    >>> [p.style.name for p in doc.paragraphs][:2], doc.tables[0].cell(1, 0).text
    (['Title', 'Heading 1'], '网格')
    """
    import docx

    if variant not in VARIANTS:
        raise ValueError(f"unknown DOCX variant {variant!r} (choose from {', '.join(VARIANTS)})")
    layout = LAYOUT
    blocks = html_blocks(html)
    if variant == "yaobao":
        blocks = [b for b in blocks if not (isinstance(b, Paragraph) and b.style == "provenance")]
        body = yaobao_body_size(blocks, layout)
    else:
        body = layout.body_size
    pitch = layout.line_pitch * body / layout.body_size
    sizes = _Sizes(
        body,
        pitch,
        layout.title_size if body >= 14 else 18.0,
        layout.title_pitch if body >= 14 else 28.0,
    )

    doc = docx.Document()
    _drop_template_extras(doc)
    _setup_styles(doc, sizes, lang)
    _font_fallbacks(doc)
    _page_setup(doc, layout)
    # The template's body holds one empty paragraph; start from nothing.
    body_el = doc.element.body
    for p in body_el.findall("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"):
        body_el.remove(p)

    writer = _Writer(doc, layout)
    for block in blocks:
        writer.block(block)
    if not doc.paragraphs and not doc.tables:
        doc.add_paragraph()

    heading = title or next(
        (b.text for b in blocks if isinstance(b, Paragraph) and b.style == "title"), ""
    )
    props = doc.core_properties
    props.title = heading
    props.author = ""
    props.last_modified_by = ""
    props.comments = ""
    props.language = "zh-CN" if lang.startswith("zh") else "en-US"
    props.revision = 1
    props.created = props.modified = _EPOCH.replace(tzinfo=None)
    out = io.BytesIO()
    doc.save(out)
    return _normalise_zip(out.getvalue())
