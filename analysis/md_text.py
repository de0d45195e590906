r"""Case text inside report Markdown: shown as written, never read as markup.

Reports are written in Markdown, and case-base text (names, summaries,
rationales, quotes, labels) is inserted into it.  Inserted as is, a case name
like ``[x](javascript:…)`` or ``<img onerror=…>`` would become a link or raw
HTML in every reader's browser.  :func:`escape_markdown` backslash-escapes every
character Markdown (CommonMark with nbconvert's plugins: tables, strikethrough,
bare-URL links, math) could read as markup, so the text renders literally.

:class:`MarkdownText` marks text that is already Markdown (our own sentences
with escaped values in them), in the manner of ``markupsafe.Markup``: joining or
adding plain strings to it escapes them, and :func:`as_markdown` escapes
anything that is not marked.  :func:`plain_text` turns escaped Markdown back into
the text it shows, for places that want plain text (the index, ``<title>``).

Examples
--------
>>> escape_markdown("[x](javascript:alert(1)) <b>")
'\\[x\\]\\(javascript\\:alert\\(1\\)\\) \\<b\\>'
>>> plain_text(escape_markdown("[x](javascript:alert(1)) <b>"))
'[x](javascript:alert(1)) <b>'
>>> MarkdownText("**{}**").format("a*b")
'**a\\*b**'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from html.parser import HTMLParser
from typing import Any, SupportsIndex

__all__ = ["MarkdownText", "as_markdown", "escape_markdown", "markdown_code", "plain_text"]

# Anywhere in a line: emphasis, code, links and images, raw HTML and autolinks,
# entities, math, strikethrough, tables, attribute braces, and ":" so that no
# bare URL (http://…) is turned into a link.
_INLINE_RE = re.compile(r"([\\`*_\[\](){}<>&$~|:!])")
# At the start of a line: headings, quotes, list items, setext underlines,
# definition lists, ordered list items ("1." / "1)").
_BLOCK_RE = re.compile(r"^[ \t]*(?:([#>+=-])|(\d+)([.)])(?=\s|$))", re.M)


class MarkdownText(str):
    r"""Text that is already Markdown: shown as is, everything added to it is escaped.

    Examples
    --------
    >>> MarkdownText("**a**") + " <b>"
    '**a** \\<b\\>'
    >>> "<b> " + MarkdownText("`c`")
    '\\<b\\> `c`'
    >>> MarkdownText("; ").join(["a_b", MarkdownText("*c*")])
    'a\\_b; *c*'
    """

    __slots__ = ()

    def __add__(self, other: str) -> MarkdownText:
        if not isinstance(other, str):
            return NotImplemented
        return MarkdownText(str.__add__(self, as_markdown(other)))

    def __radd__(self, other: str) -> MarkdownText:
        if not isinstance(other, str):
            return NotImplemented
        return MarkdownText(str.__add__(as_markdown(other), self))

    def join(self, parts: Iterable[str]) -> MarkdownText:  # type: ignore[override]
        return MarkdownText(str.join(self, (as_markdown(p) for p in parts)))

    def format(self, *args: Any, **kwargs: Any) -> MarkdownText:  # type: ignore[override]
        esc = [as_markdown(a if isinstance(a, str) else str(a)) for a in args]
        kw = {k: as_markdown(v if isinstance(v, str) else str(v)) for k, v in kwargs.items()}
        return MarkdownText(str.format(self, *esc, **kw))

    def strip(self, chars: str | None = None) -> MarkdownText:  # type: ignore[override]
        return MarkdownText(str.strip(self, chars))

    def __getitem__(self, key: SupportsIndex | slice) -> str:
        return str.__getitem__(self, key)  # a slice may cut an escape in half


def escape_markdown(text: str) -> MarkdownText:
    r"""Escape ``text`` so Markdown shows it literally: no links, HTML, emphasis or blocks.

    Leading spaces of each line are dropped (they would make a code block).

    Examples
    --------
    >>> escape_markdown("<img src=x onerror=alert(1)>")
    '\\<img src=x onerror=alert\\(1\\)\\>'
    >>> escape_markdown("# 标题\n1. 第一")
    '\\# 标题\n1\\. 第一'
    >>> escape_markdown("共建共治共享，覆盖率 0.67")
    '共建共治共享，覆盖率 0.67'
    """
    text = _INLINE_RE.sub(r"\\\1", str(text))
    return MarkdownText(
        _BLOCK_RE.sub(
            lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3), text
        )
    )


def as_markdown(text: str) -> MarkdownText:
    r"""``text`` if it is already :class:`MarkdownText`, else escaped.

    Examples
    --------
    >>> as_markdown("a*b"), as_markdown(MarkdownText("a*b"))
    ('a\\*b', 'a*b')
    """
    return text if isinstance(text, MarkdownText) else escape_markdown(text)


def markdown_code(text: str) -> MarkdownText:
    r"""``text`` as an inline code span, whatever backticks it contains.

    Examples
    --------
    >>> markdown_code("A*~B + C")
    '`A*~B + C`'
    >>> markdown_code("a`b")
    '``a`b``'
    """
    text = " ".join(str(text).split())
    runs = [len(r) for r in re.findall(r"`+", text)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return MarkdownText(f"{fence}{pad}{text}{pad}{fence}")


def plain_text(markdown: str) -> str:
    r"""The text a piece of Markdown shows, without markup (for ``<title>``, the index).

    Escapes are resolved, code marks, emphasis and tags dropped; blocks become lines.

    Examples
    --------
    >>> plain_text("a\\*b\\_c \\\\ d")
    'a*b_c \\ d'
    >>> plain_text("**简约解**：`A*~B`，\\<b\\>")
    '简约解：A*~B，<b>'
    >>> plain_text("## 标题\n\n第一段")
    '标题\n第一段'
    """
    parser = _TextOf()
    parser.feed(_markdown_parser()(str(markdown)))
    parser.close()
    return "\n".join(line.strip() for line in "".join(parser.parts).splitlines() if line.strip())


@cache
def _markdown_parser() -> Any:
    import mistune

    return mistune.create_markdown(escape=True, plugins=["strikethrough", "table"])


class _TextOf(HTMLParser):
    """The character data of an HTML fragment, a line break after each block."""

    _BLOCKS = frozenset("p h1 h2 h3 h4 h5 h6 li pre div tr br blockquote table ul ol".split())

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: Any) -> None:
        self.handle_endtag(tag)
