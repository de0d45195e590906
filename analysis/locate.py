"""Fill in evidence offsets from quotes, keeping the YAML's comments and layout.

Scholars write the quote; ``workbench locate`` finds it in its source and writes
``start`` and ``end``.  A quote that occurs nowhere is refused; one that occurs
more than once is refused unless ``occurrence: N`` (a positive whole number,
1 = the first) says which one is meant.  A file is rewritten only when every
quote in it could be placed, atomically, through a symbolic link to its target,
and keeping its permissions, its line endings and a UTF-8 byte-order mark.

Examples
--------
>>> from analysis.locate import find_span
>>> find_span("共建共治共享", "共治")
(2, 4)
"""

from __future__ import annotations

import codecs
import io
import stat
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from analysis.casebase import (
    Problem,
    _field,
    _line_of,
    _plain,
    _rel,
    check_occurrence,
    quote_offsets,
    read_yaml,
)
from analysis.render import atomic_write
from analysis.safe_yaml import roundtrip_yaml


class LocateError(ValueError):
    """A quote could not be placed unambiguously.

    ``field`` names the evidence field at fault: ``quote`` or ``occurrence``.
    """

    def __init__(self, message: str, field: str = "quote"):
        super().__init__(message)
        self.field = field


def find_span(text: str, quote: str, occurrence: int | None = None) -> tuple[int, int]:
    """Offsets of ``quote`` in ``text``.

    Parameters
    ----------
    text : str
        The source text.
    quote : str
        The verbatim quote.
    occurrence : int, optional
        Which occurrence to use (1 = the first) when the quote occurs more than once.

    Returns
    -------
    (start, end)
        With ``text[start:end] == quote``.

    Raises
    ------
    LocateError
        If the quote is absent, ambiguous without ``occurrence``, or ``occurrence``
        is not a positive whole number within the number of occurrences.

    Examples
    --------
    >>> find_span("甲乙甲乙", "甲乙", occurrence=2)
    (2, 4)
    >>> find_span("甲乙甲乙", "甲乙", occurrence=0)
    Traceback (most recent call last):
    ...
    analysis.locate.LocateError: occurrence must be a positive whole number (1 = the first occurrence), got 0
    """
    if occurrence is not None:
        try:
            check_occurrence(occurrence)
        except ValueError as exc:
            raise LocateError(str(exc), field="occurrence") from None
    hits = quote_offsets(text, quote)
    if not hits:
        raise LocateError("quote appears nowhere in its source")
    if occurrence is not None:
        if occurrence > len(hits):
            raise LocateError(
                f"occurrence {occurrence} requested but the quote occurs {len(hits)} time(s)",
                field="occurrence",
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


def write_like(path: Path, text: str) -> None:
    r"""Replace the file at ``path`` by ``text`` as the user's editor would have saved it.

    The write goes through a symbolic link to its target, is atomic (a temporary file
    renamed over the target), and keeps the target's permission bits, its line endings
    (CRLF when most lines end so) and a leading UTF-8 byte-order mark.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "a.yaml"
    >>> _ = p.write_bytes(codecs.BOM_UTF8 + b"a: 1\r\n")
    >>> write_like(p, "a: 2\n")
    >>> p.read_bytes()
    b'\xef\xbb\xbfa: 2\r\n'
    """
    target = path.resolve()
    raw = target.read_bytes()
    crlf = raw.count(b"\r\n")
    newline = "\r\n" if crlf > raw.count(b"\n") - crlf else "\n"
    data = text.removeprefix("\ufeff").replace("\n", newline).encode("utf-8")
    if raw.startswith(codecs.BOM_UTF8):
        data = codecs.BOM_UTF8 + data
    atomic_write(target, data, mode=stat.S_IMODE(target.stat().st_mode))


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
        occ = _plain(ev.get("occurrence"))
        try:
            start, end = find_span(texts[src], quote, occ)
        except LocateError as exc:
            msg = f"{exc}: {quote[:30]!r}" if exc.field == "quote" else str(exc)
            problems.append(
                Problem(display, _line_of(doc, (*loc, exc.field)), f"{where}.{exc.field}", msg)
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
    try:
        write_like(path, buf.getvalue())
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return LocateResult(
            path, 0, [Problem(display, None, "", f"cannot write the file: {reason}")]
        )
    return LocateResult(path, updated, [])
