"""What a reader of a report sees, for tests: every piece of text, and the words that must not be there."""

from __future__ import annotations

import re

from analysis.md_text import plain_text

RAW = re.compile(
    r"(?<![A-Za-z0-9])(?:[a-z][a-z0-9]*(?:_[a-z0-9]+)+|primary|None|nan|NaN|n/a)(?![A-Za-z0-9])"
)
"""Raw ids (``coder_c``, ``primary_adj1``, ``grid_management``), ``None``, ``nan``."""


def all_text(report) -> str:
    """Title, summary, 核心判断, every section's Markdown, table cell and caption, as plain text."""
    parts = [report.title, report.subtitle, report.summary]
    if report.judgements:
        parts.append(report.judgements_markdown())
    for key in [*report.sections, *report.appendix]:
        parts.append(report.section_markdown(key))
        sec = report.sections.get(key) or report.appendix[key]
        for caption, table in sec.tables:
            parts += [caption, *map(str, table.columns), *table.astype(str).to_numpy().ravel()]
        parts += [caption for caption, _ in sec.figures]
    return plain_text("\n".join(parts))


def latin_words(text: str, allowed: set[str]) -> set[str]:
    """Latin words of three letters or more not in ``allowed`` (English inside Chinese)."""
    return set(re.findall(r"[A-Za-z]{3,}", text)) - allowed
