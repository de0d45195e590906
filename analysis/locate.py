"""Fill in evidence offsets from quotes, keeping the YAML's comments and layout.

Scholars write the quote; ``workbench locate`` finds it in its source and writes
``start`` and ``end``.  A quote that occurs nowhere is refused; one that occurs
more than once is refused unless ``occurrence: N`` says which one is meant.  A
file is rewritten only when every quote in it could be placed.

Examples
--------
>>> from analysis.locate import find_span
>>> find_span("共建共治共享", "共治")
(2, 4)
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from analysis.casebase import Problem, _field, _line_of, _rel, read_yaml
from analysis.render import atomic_write
from analysis.safe_yaml import roundtrip_yaml


class LocateError(ValueError):
    """A quote could not be placed unambiguously."""


def find_span(text: str, quote: str, occurrence: int | None = None) -> tuple[int, int]:
    """Offsets of ``quote`` in ``text``.

    Parameters
    ----------
    text : str
        The source text.
    quote : str
        The verbatim quote.
    occurrence : int, optional
        1-based occurrence to use when the quote occurs more than once.

    Returns
    -------
    (start, end)
        With ``text[start:end] == quote``.

    Raises
    ------
    LocateError
        If the quote is absent, or ambiguous without ``occurrence``.

    Examples
    --------
    >>> find_span("甲乙甲乙", "甲乙", occurrence=2)
    (2, 4)
    """
    hits = []
    i = text.find(quote)
    while i != -1:
        hits.append(i)
        i = text.find(quote, i + 1)
    if not hits:
        raise LocateError("quote appears nowhere in its source")
    if occurrence is not None:
        if occurrence > len(hits):
            raise LocateError(
                f"occurrence {occurrence} requested but the quote occurs {len(hits)} time(s)"
            )
        start = hits[occurrence - 1]
    elif len(hits) > 1:
        raise LocateError(
            f"quote occurs {len(hits)} times (at {', '.join(map(str, hits[:5]))}); "
            "add `occurrence: N` to say which one is meant"
        )
    else:
        start = hits[0]
    return start, start + len(quote)


@dataclass
class LocateResult:
    file: Path
    updated: int
    problems: list[Problem]


def _evidence_nodes(node: object, path: tuple = ()) -> list[tuple[tuple, CommentedMap]]:
    found: list[tuple[tuple, CommentedMap]] = []
    if isinstance(node, CommentedMap):
        for k, v in node.items():
            if k == "evidence" and isinstance(v, CommentedSeq):
                for i, ev in enumerate(v):
                    if isinstance(ev, CommentedMap) and "quote" in ev:
                        found.append(((*path, k, i), ev))
            else:
                found += _evidence_nodes(v, (*path, k))
    elif isinstance(node, CommentedSeq):
        for i, v in enumerate(node):
            found += _evidence_nodes(v, (*path, i))
    return found


def _set_after(m: CommentedMap, key: str, value: int, after: str) -> None:
    if key in m:
        m[key] = value
    else:
        keys = list(m.keys())
        pos = keys.index(after) + 1 if after in keys else len(keys)
        m.insert(pos, key, value)


def locate_file(path: Path, texts: dict[str, str], root: Path) -> LocateResult:
    """Fill ``start``/``end`` of every evidence quote in one YAML file.

    Examples
    --------
    >>> res = locate_file(Path("casebase/cases/shaoxing.yaml"), texts, Path("casebase"))  # doctest: +SKIP
    """
    display = _rel(path, root)
    parsed, problems = read_yaml(path, display)
    if parsed is None:
        return LocateResult(path, 0, problems)
    doc = parsed.rt  # the round-trip document, so comments and layout survive the rewrite
    updated = 0
    for loc, ev in _evidence_nodes(doc):
        where = _field(loc)
        src = str(ev.get("source", ""))
        if src not in texts:
            problems.append(
                Problem(
                    display,
                    _line_of(doc, loc),
                    f"{where}.source",
                    f"unknown source {src!r} or its text is not in the corpus",
                )
            )
            continue
        quote = str(ev["quote"])
        occ = ev.get("occurrence")
        try:
            start, end = find_span(texts[src], quote, int(occ) if occ is not None else None)
        except LocateError as exc:
            problems.append(
                Problem(
                    display,
                    _line_of(doc, (*loc, "quote")),
                    f"{where}.quote",
                    f"{exc}: {quote[:30]!r}",
                )
            )
            continue
        if ev.get("start") != start or ev.get("end") != end:
            _set_after(ev, "start", start, "source")
            _set_after(ev, "end", end, "start")
            updated += 1
    if problems or not updated:
        return LocateResult(path, 0, problems)
    buf = io.StringIO()
    roundtrip_yaml().dump(doc, buf)
    atomic_write(path, buf.getvalue())
    return LocateResult(path, updated, [])
